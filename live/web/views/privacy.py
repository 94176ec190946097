"""The privacy notice: what live collects from a young person, why, where, for how long, and
their rights. Public, like the answers page: no link or session needed."""

from __future__ import annotations

from flask import Blueprint, render_template

from live.core import privacy
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
    )
