"""The admin's page of the retention period: how long the askers' personal data is kept, when its
purge is due, how many questions still hold some, the last purges, and "purge now"
(live/services/retention.py; the rule in live/core/retention.py)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext

from live.core import retention as rules
from live.core.errors import DomainError
from live.formats import exports
from live.services import retention
from live.web import messages
from live.web.auth import day, screen
from live.web.i18n import ROLE_NAMES

bp = Blueprint("retention", __name__, url_prefix="/admin/thoi-han-luu")


def _zone() -> str:
    return current_app.config.get("TIMEZONE") or exports.TIMEZONE


def _when(timestamp: float | None) -> str:
    """``09:12 28/08/2025``: 24-hour time and day in the conference's zone."""
    if timestamp is None:
        return ""
    return dt.datetime.fromtimestamp(timestamp, ZoneInfo(_zone())).strftime("%H:%M %d/%m/%Y")


def _render(error: str | None = None, status: int = 200, typed: str | None = None):
    store, desk, now, zone = day().store, day().desk, day().now(), _zone()
    found = list(desk.stored().values())
    setting = retention.setting(store)
    due = retention.due_at(store, found, now, zone)
    last = rules.last_day(day().conference(), found, zone)
    purges = [
        {
            "at": _when(p["at"]),
            "count": p["count"],
            "who": str(ROLE_NAMES.get(p["role"], p["role"] or "")) + (f" ({p['name']})" if p["name"] else ""),
        }
        for p in retention.purges(desk.audit())
    ]
    body = render_template(
        "retention.html",
        screen="retention",
        snapshot=day().snapshot(),
        setting=setting,
        set_at=_when(setting["set_at"]),
        typed=typed if typed is not None else str(setting["days"]),
        last_day=last.strftime("%d/%m/%Y") if last else "",
        due_date=rules.day_month_year(due, zone),
        is_due=rules.is_due(due, now),
        holding=retention.holding(found),
        purges=purges,
        low=rules.MIN_DAYS,
        high=rules.MAX_DAYS,
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
    typed = request.form.get("days", "")
    try:
        setting = retention.set_days(day().store, typed, now=day().now(), by="admin")
    except DomainError as error:
        return _render(messages.describe(error), 400, typed[:20])
    flash(gettext("Đã lưu thời hạn lưu: %(days)s ngày.", days=setting["days"]))
    return redirect(url_for("retention.page"), code=303)


@bp.post("/xoa-ngay")
@screen("admin")
def purge_now():
    """Purge what is due now (nothing before the due date)."""
    done = retention.purge(day().store, day().now(), role="admin", zone=_zone())
    if not done.due:
        flash(
            gettext(
                "Chưa đến hạn xoá: dữ liệu cá nhân được xoá từ 00:00 ngày %(date)s. Không có gì bị xoá.",
                date=rules.day_month_year(done.due_at, _zone()),
            ),
            "info",
        )
    else:
        flash(gettext("Đã xoá dữ liệu cá nhân của %(count)s câu hỏi.", count=done.questions))
    return redirect(url_for("retention.page"), code=303)
