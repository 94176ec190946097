"""The phone page: a young person scans their hall's QR code and sends a question."""

from __future__ import annotations

from flask import Blueprint, abort, make_response, render_template

from live.core import privacy, questions
from live.services.day import public_conference
from live.web.auth import day, give_device
from live.web.views import window

bp = Blueprint("phone", __name__)


@bp.get("/q/<site_id>")
def ask(site_id: str):
    """The question form for one site; it sets the phone's signed device cookie."""
    doc = day().conference() or {}
    site = next((s for s in doc.get("sites", []) if s["id"] == site_id), None)
    if site is None:
        abort(404)
    phone = {
        "site": {"id": site["id"], "name": site["name"], "kind": site["kind"]},
        "conference": {"title": doc.get("title", ""), "theme": doc.get("theme", "")},
        "themes": [{"id": t["id"], "name": t["name"]} for t in doc.get("themes", [])],
        "groups": [{"id": ident, "label": label} for ident, label in questions.YOUTH_GROUPS],
        "limits": {"text": questions.QUESTION_LIMIT, "name": questions.NAME_LIMIT},
        # consent is given under this version of the notice, which the form links to
        "notice": {"version": privacy.NOTICE_VERSION, "path": privacy.NOTICE_PATH},
        "rehearsal": day().desk.rehearsal() is not None,  # the "TẬP DƯỢT" banner (live/services/rehearsal.py)
        # whether questions are received now and until when (live/core/window.py), worked out again by
        # static/js/phone.js as time passes and when the admin changes it (window.changed)
        "window": {**window.public_state(day().now()), "now": int(day().now() * 1000)},
    }
    when = public_conference(doc)
    phone["conference"].update({k: when[k] for k in ("date", "start_time", "venue")})
    response = make_response(render_template("phone.html", screen="phone", site=site, phone=phone))
    response.headers["Cache-Control"] = "no-store"
    give_device(response)
    return response
