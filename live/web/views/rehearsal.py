"""The admin's rehearsal page: start a rehearsal, end it, and wipe everything it made."""

from __future__ import annotations

import datetime as dt
import logging
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext

from live.core.errors import DomainError
from live.formats import exports
from live.services import rehearsal
from live.web import messages
from live.web.announce import announce
from live.web.auth import day, screen

bp = Blueprint("rehearsal", __name__, url_prefix="/admin/tap-duot")
log = logging.getLogger("live.access")


def _when(timestamp: float | None) -> str:
    """``09:12 28/08/2025``: 24-hour time and day in the conference's zone; "" for None."""
    if not timestamp:
        return ""
    zone = ZoneInfo(current_app.config.get("TIMEZONE") or exports.TIMEZONE)
    return dt.datetime.fromtimestamp(timestamp, zone).strftime("%H:%M %d/%m/%Y")


def _render(error: str | None = None, status: int = 200):
    state = rehearsal.state(day())
    last = state["last"] or {}
    body = render_template(
        "rehearsal.html",
        screen="rehearsal",
        snapshot=day().snapshot(),
        state=state,
        since=_when(state["since"]),
        last={"since": _when(last.get("since")), "ended": _when(last.get("ended_at"))} if last else None,
        wiped=_when(state["wiped_at"]),
        error=error,
    )
    return body, status


@bp.get("/")
@screen("admin")
def page():
    return _render()


@bp.post("/bat-dau")
@screen("admin")
def start():
    """Begin a rehearsal: every screen shows the banner, the clock and the stage start afresh."""
    try:
        announce(rehearsal.start(day(), by="admin"))
    except DomainError as error:
        return _render(messages.describe(error), 409)
    log.info("rehearsal started")
    flash(gettext("Đã bắt đầu tập dượt. Mọi màn hình đang hiện dòng chữ TẬP DƯỢT."))
    return redirect(url_for("rehearsal.page"), code=303)


@bp.post("/ket-thuc")
@screen("admin")
def end():
    """End the rehearsal without wiping it: the day is put back; what it made stays out of sight."""
    try:
        announce(rehearsal.end(day()))
    except DomainError as error:
        return _render(messages.describe(error), 409)
    log.info("rehearsal ended")
    flash(gettext("Đã kết thúc tập dượt. Dữ liệu tập dượt vẫn còn, không hiện ở đâu, chờ được xoá."))
    return redirect(url_for("rehearsal.page"), code=303)


@bp.post("/xoa")
@screen("admin")
def wipe():
    """Remove everything every rehearsal made (asked to confirm first) and end the running one."""
    if request.form.get("confirm") != "1":
        return _render(messages.describe(DomainError("rehearsal.unconfirmed")), 400)
    done, change = rehearsal.wipe(day())
    announce(change)
    log.info("rehearsal wiped questions=%d entries=%d", done["questions"], done["entries"])
    flash(
        gettext(
            "Đã xoá toàn bộ dữ liệu tập dượt: %(questions)s câu hỏi, %(entries)s thao tác. "
            "Hội nghị, điểm cầu và liên kết được giữ nguyên.",
            questions=done["questions"],
            entries=done["entries"],
        )
    )
    return redirect(url_for("rehearsal.page"), code=303)
