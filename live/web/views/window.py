"""The admin's page of the question window: when questions from phones are received
(live/services/window.py; the rule in live/core/window.py), and the sentence every public page
shows about it."""

from __future__ import annotations

from collections.abc import Sequence

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from live.core import window as rules
from live.core.errors import DomainError
from live.formats import exports
from live.services import window as service
from live.web import messages
from live.web.announce import announce
from live.web.auth import day, screen

bp = Blueprint("window", __name__, url_prefix="/admin/thoi-gian-nhan-cau-hoi")

TEXT_LIMIT = 4000  # twenty periods of 40 characters, with room to spare

# what a public page says, by the window's state; {time} and {date} are filled in (also by static/js/phone.js)
SENTENCES = {
    "always": _l("Đang nhận câu hỏi"),
    "open": _l("Đang nhận câu hỏi đến {time} ngày {date}"),
    "not_yet": _l("Chưa mở nhận câu hỏi: mở từ {time} ngày {date}"),
    "paused": _l("Tạm dừng nhận câu hỏi: mở lại từ {time} ngày {date}"),
    "over": _l("Đã hết thời gian nhận câu hỏi"),
}


def zone() -> str:
    return current_app.config.get("TIMEZONE") or exports.TIMEZONE


def sentence(found: Sequence[rules.Period], now: float, where: str | None = None) -> dict:
    """Whether questions are received at ``now``, as a public page says it: ``{"open", "kind", "text"}``."""
    state = rules.state(found, now)
    moment = state.until if state.until is not None else state.opens
    time, date = rules.local(moment, where or zone()) if moment is not None else ("", "")
    text = str(SENTENCES[state.kind]).replace("{time}", time).replace("{date}", date)
    return {"open": state.open, "kind": state.kind, "text": text}


def public_state(now: float) -> dict:
    """What the phone and front pages show of the window: the sentence now, and the periods so
    that the phone can work the sentence out again as time passes."""
    found = service.periods(day().store)
    return {
        **sentence(found, now),
        **rules.public(found, zone()),
        "sentences": {k: str(v) for k, v in SENTENCES.items()},
    }


def _render(error: str | None = None, status: int = 200, typed: str | None = None):
    store, now, where = day().store, day().now(), zone()
    found = service.periods(store)
    setting = service.setting(store)
    rows = []
    for start, end in found:
        kind = "past" if end <= now else ("open" if start <= now else "future")
        rows.append({"start": rules.moment_text(start, where), "end": rules.moment_text(end, where), "kind": kind})
    set_at = rules.moment_text(setting["set_at"], where) if setting.get("set_at") else ""
    body = render_template(
        "window.html",
        screen="window",
        snapshot=day().snapshot(),
        now_state=sentence(found, now, where),
        rows=rows,
        set_at=set_at,
        typed=typed if typed is not None else rules.to_text(found, where),
        limit=rules.MAX_PERIODS,
        error=error,
    )
    return body, status


@bp.get("/")
@screen("admin")
def page():
    return _render()


@bp.post("/")
@screen("admin")
def save():
    typed = request.form.get("periods", "")
    if len(typed) > TEXT_LIMIT:
        return _render(
            gettext("Nội dung quá dài: tối đa %(limit)s khoảng thời gian.", limit=rules.MAX_PERIODS), 400, ""
        )
    try:
        found, change = service.set_periods(day().store, typed, now=day().now(), by="admin", zone=zone())
    except DomainError as error:
        return _render(messages.describe(error), 400, typed)
    announce(change)
    if found:
        flash(gettext("Đã lưu thời gian nhận câu hỏi: %(count)s khoảng thời gian.", count=len(found)))
    else:
        flash(gettext("Đã lưu: không giới hạn thời gian, câu hỏi được nhận bất cứ lúc nào."))
    return redirect(url_for("window.page"), code=303)
