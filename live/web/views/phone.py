"""The phone page: a young person scans their hall's QR code and sends a question.

The form posts to the page's own address, so a question is stored even before (or without)
static/js/phone.js, which then takes the form over (its outbox and the socket). The form carries an
id made for this render: a double tap, or a POST sent again, stores the question once.
"""

from __future__ import annotations

import logging
import uuid

from flask import Blueprint, abort, current_app, make_response, render_template, request
from flask_babel import gettext
from flask_wtf.csrf import ValidationError, validate_csrf

from live.core import privacy, questions
from live.core.errors import DomainError
from live.services.day import public_conference
from live.web import messages
from live.web.announce import announce, taken_in
from live.web.auth import day, device_id, give_device, new_device
from live.web.config import allowed_origins
from live.web.extensions import csrf
from live.web.views import window

log = logging.getLogger("live.phone")

bp = Blueprint("phone", __name__)

# what a refusal of a posted question answers over HTTP (any other refusal: 400)
STATUSES = {
    "question.window_closed": 409,
    "limit.device": 429,
    "limit.site": 429,
    "limit.address": 429,
    "store.unavailable": 503,
}


def _site(site_id: str) -> tuple[dict, dict | None]:
    doc = day().conference() or {}
    return doc, next((s for s in doc.get("sites", []) if s["id"] == site_id), None)


def _page(doc: dict, site: dict, *, status: int = 200, typed: dict | None = None, **shown):
    """The form (with a new id, or the refused question's own, and what was typed), and a
    receipt (``stored``) or a refusal (``problem``) above it."""
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
    typed = typed or {}
    form = {**typed, "id": typed.get("id") or str(uuid.uuid4())}
    body = render_template("phone.html", screen="phone", site=site, phone=phone, form=form, **shown)
    response = make_response(body, status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/q/<site_id>")
def ask(site_id: str):
    """The question form for one site; it sets the phone's signed device cookie.

    Nothing is read from the address: a question or a name put there is never shown nor stored."""
    doc, site = _site(site_id)
    if site is None:
        abort(404)
    response = _page(doc, site)
    give_device(response)
    return response


@bp.post("/q/<site_id>")
@csrf.exempt  # checked below, where a failure keeps the question on the page instead of a 400 page
def send(site_id: str):
    """A question posted by the form itself (the script not loaded yet, or never): stored exactly
    like a socket's ``question.submit``, then the page again with the receipt or the refusal."""
    doc, site = _site(site_id)
    ours = _from_our_page()
    if not ours and site is None:
        csrf.protect()  # nothing typed on a page of ours to keep: the usual refusal
    if site is None:
        abort(404)
    form = request.form
    typed = {
        "id": form.get("id", ""),
        "text": form.get("text", ""),
        "consent_name": bool(form.get("consent_name")),
        "name": form.get("name", ""),
        "consent_group": bool(form.get("consent_group")),
        "group": form.get("group", ""),
        "theme": form.get("theme", ""),
    }
    if not ours:
        log.warning("phone post refused: no valid form token and not from this site's page")
        problem = gettext(
            "Phiên làm việc đã hết hạn nên câu hỏi chưa được gửi. Câu hỏi vẫn ở trong ô: bấm “Gửi câu hỏi” lần nữa."
        )
        return _refused(doc, site, typed, problem, 400)
    consent = {}
    if typed["consent_name"]:
        consent["name"] = privacy.NOTICE_VERSION
    if typed["consent_group"]:
        consent["group"] = privacy.NOTICE_VERSION
    payload = {
        "id": typed["id"],
        "site": site["id"],
        "text": typed["text"],
        "name": typed["name"] if consent.get("name") else "",
        "group": typed["group"] if consent.get("group") else "",
        "theme": typed["theme"],
    }
    if consent:
        payload["consent"] = consent
    device = device_id() or new_device()
    try:
        question, repeated, change = day().desk.submit(payload, device=device, address=request.remote_addr or "")
    except DomainError as error:
        response = _refused(doc, site, typed, _sentence(error), STATUSES.get(error.code, 400))
        if "retry_after" in error.params:
            response.headers["Retry-After"] = str(max(1, int(error.params["retry_after"])))
        return response
    if change is not None:
        announce(change)
        taken_in(question)  # its likely duplicates and its site's roll-call count, as from a socket
    log.info("phone post stored repeated=%s", repeated)  # never the text, the name or the code
    stored = {
        "id": question["id"],
        "site": question["site"],
        "text": question["text"],
        "code": question["code"],
        "status": questions.public_status(question),
        "at": int(question["received_at"] * 1000),
    }
    response = _page(doc, site, stored=stored)
    give_device(response, device)
    return response


def _refused(doc: dict, site: dict, typed: dict, problem: str, status: int):
    """The form again with what was typed and why it was not stored; a new id when the id itself was wrong."""
    if not questions.valid_id(typed["id"]):
        typed = dict(typed, id="")
    response = _page(doc, site, status=status, typed=typed, problem=problem)
    give_device(response)
    return response


def _sentence(error: DomainError) -> str:
    """Why a posted question was not stored; the script's "sent again by itself" does not hold here."""
    if error.code.startswith("limit.") or error.code == "store.unavailable":
        wait = max(1, int(error.params.get("retry_after") or 5))
        return gettext(
            "Máy chủ đang bận nên câu hỏi của bạn chưa được lưu. Câu hỏi vẫn ở trong ô: "
            "đợi khoảng %(n)s giây rồi bấm “Gửi câu hỏi” lần nữa.",
            n=wait,
        )
    return messages.describe(error)


def _from_our_page() -> bool:
    """Whether the post came from this server's own page: the form's token, or else (the phone's
    session was lost since the page opened: the browser closed, cookies cleared) what the browser
    says of the request's origin. A page elsewhere cannot make a phone post a question here."""
    try:
        validate_csrf(request.form.get("csrf_token"))
        return True
    except ValidationError:
        pass
    fetched_from = request.headers.get("Sec-Fetch-Site")
    if fetched_from is not None:
        return fetched_from == "same-origin"
    origin = request.headers.get("Origin")
    if not origin:
        return False
    return origin.rstrip("/") in {request.host_url.rstrip("/"), *allowed_origins(current_app.config)}
