"""The privacy notice: what live collects from a young person, why, where, for how long, and
their rights. Public, like the answers page: no link or session needed."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from live.core import privacy
from live.core import retention as rules
from live.formats.exports import TIMEZONE
from live.services import retention
from live.web.auth import day
from live.web.i18n import select_locale

bp = Blueprint("privacy", __name__)


@bp.get(privacy.NOTICE_PATH)
def notice():
    """The notice in Vietnamese, or in English when the visitor chose English."""
    doc = day().conference() or {}
    return render_template(
        "privacy.html",
        screen="privacy",
        snapshot={"conference": {"title": doc.get("title", ""), "organiser": doc.get("organiser", "")}},
        notice=privacy.facts(doc, select_locale()),
        retention=_retention(),
    )


def _retention() -> dict:
    """The period the admin set (or the default) and, from the real day's questions, the date the
    automatic deletion is due (dd/mm/yyyy)."""
    zone = current_app.config.get("TIMEZONE") or TIMEZONE
    store = day().store
    due = retention.due_at(store, day().desk.real_day(), day().now(), zone)
    return {"days": retention.setting(store)["days"], "due": rules.day_month_year(due, zone)}
