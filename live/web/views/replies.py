"""Written replies: the department's page (its own secret link), the secretariat's replies page,
the lookup by tracking code and the public answers page.

Every change goes through ``Desk.act`` (version-checked, audited) and is broadcast like a socket
action, so the secretariat's consoles and the asker's phone follow it at once.
"""

from __future__ import annotations

import logging

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext

from live.core import limits, questions, rights
from live.core.errors import DomainError
from live.formats.exports import TIMEZONE
from live.services import preparation, replies
from live.web import forms, messages
from live.web.announce import announce
from live.web.auth import day, screen

bp = Blueprint("replies", __name__)
log = logging.getLogger("live.access")

SECRETARIAT_ACTIONS = ("publish", "send_back", "withdraw", "route")
# how a refusal is answered: someone else changed it first, or it is not this department's
STATUS = {"question.conflict": 409, "question.not_your_department": 403}


def _zone() -> str:
    return current_app.config.get("TIMEZONE") or TIMEZONE


def _send(change) -> None:
    announce(change)


# ---------------------------------------------------------------- a department, through its link


def _department(token: str) -> dict:
    found = replies.department_for(day(), token)
    if found is None:
        log.warning("bad department link from %s", request.remote_addr)
        abort(404)
    return found


def _department_page(
    dept: dict, token: str, error: str | None = None, at: str = "", typed: str = "", status=200, written=False
):
    """The department's page: the questions it prepares an answer for (live/web/views/preparation.py
    writes them), then the questions forwarded to it for a written reply."""
    body = render_template(
        "department.html",
        screen="department",
        snapshot=forms.page_info(),
        dept=dept,
        token=token,
        prep_cards=preparation.for_department(day(), dept["id"], _zone()),
        cards=replies.for_department(day(), dept["id"], _zone()),
        error=error,
        at=at,
        typed=typed,
        written=written,
    )
    return body, status, {"X-Robots-Tag": "noindex, nofollow"}


@bp.get("/co-quan/<token>")
def department(token: str):
    """The questions one department prepares an answer for, those forwarded to it for a written
    reply, and the form to write each."""
    return _department_page(_department(token), token)


@bp.post("/co-quan/<token>")
def department_reply(token: str):
    """A department writes (or rewrites) its reply; the secretariat publishes it later."""
    dept = _department(token)
    typed = request.form.get("text", "")
    ident = request.form.get("id", "")
    try:
        ident = forms.question_id()
        question = day().desk.get(ident)
        # another department's question, or none at all: the same answer
        if question is None or question.get("department") != dept["id"] or question["status"] != questions.FORWARDED:
            raise DomainError("question.not_your_department")
        payload = {"id": ident, "version": forms.question_version(), "text": typed, "department": dept["id"]}
        done, change = day().desk.act("reply", payload, role="department", name=dept["name"])
    except DomainError as error:
        return _department_page(dept, token, messages.describe(error), ident, typed, STATUS.get(error.code, 400))
    _send(change)
    flash(gettext("Đã gửi trả lời câu hỏi %(code)s. Tổ thư ký sẽ duyệt trước khi công bố.", code=done["code"]))
    return redirect(url_for("replies.department", token=token) + f"#q-{done['code']}", code=303)


# ---------------------------------------------------------------- the secretariat


def _board(error: str | None = None, at: str = "", typed: dict | None = None, status: int = 200):
    body = render_template(
        "replies.html",
        screen="replies",
        snapshot=forms.page_info(),
        board=replies.board(day(), _zone()),
        departments=replies.departments(day()),
        names=replies.department_names(day()),
        error=error,
        at=at,
        typed=typed or {},
    )
    return body, status


@bp.get("/tra-loi-van-ban")
@screen("replies")
def board():
    """Every forwarded question by department: deadlines passed and coming up first."""
    return _board()


@bp.post("/tra-loi-van-ban/<action>")
@screen("replies")
def act(action: str):
    """Publish, send back (with a note), withdraw, or route (department, deadline) one reply."""
    if action not in SECRETARIAT_ACTIONS:
        abort(404)
    role, name = forms.actor()
    typed = {k: request.form.get(k, "") for k in ("note", "department", "deadline")}
    ident = request.form.get("id", "")
    try:
        ident = forms.question_id()
        payload = {"id": ident, "version": forms.question_version()}
        if action == "send_back":
            payload["note"] = typed["note"]
        elif action == "route":
            current = day().desk.get(ident) or {}
            if not typed["deadline"].strip():
                raise DomainError("question.bad_deadline")
            if typed["department"] != current.get("department"):
                payload["department"] = typed["department"]
            if questions.deadline(typed["deadline"]) != current.get("deadline"):
                payload["deadline"] = typed["deadline"]
            if len(payload) == 2:
                flash(gettext("Không có gì thay đổi."))
                return redirect(url_for("replies.board") + f"#q-{current.get('code', '')}", code=303)
        done, change = day().desk.act(action, payload, role=role, name=name)
    except DomainError as error:
        return _board(messages.describe(error), ident, typed, STATUS.get(error.code, 400))
    _send(change)
    said = {
        "publish": gettext("Đã công bố trả lời câu hỏi %(code)s: người hỏi và trang công khai đã thấy."),
        "send_back": gettext("Đã trả lại trả lời câu hỏi %(code)s cho cơ quan để sửa."),
        "withdraw": gettext("Đã gỡ công bố trả lời câu hỏi %(code)s."),
        "route": gettext("Đã lưu cơ quan và hạn trả lời câu hỏi %(code)s."),
    }[action]
    flash(said % {"code": done["code"]})
    return redirect(url_for("replies.board") + f"#q-{done['code']}", code=303)


# ---------------------------------------------------------------- the public


def _lookups() -> limits.Buckets:
    """The lookups by code that found nothing, per address, in this process (as on the asker's
    rights page: a commune hall's helpers looking up real codes are never slowed)."""
    found = current_app.extensions.get("live.replies.lookups")
    if found is None:
        found = current_app.extensions["live.replies.lookups"] = limits.Buckets(rights.LOOKUP_RULE)
    return found


@bp.get("/tra-cuu")
def lookup():
    """What became of a question, by the tracking code on the asker's receipt: its status and
    what the asker may see of it (``replies.lookup``); an unknown code gets one polite sentence."""
    typed = request.args.get("ma", "")
    code = replies.normal_code(typed)
    found, minutes, status = None, 0, 200
    if code:
        now, address = day().now(), request.remote_addr or "?"
        wait = _lookups().wait(address, now)
        if wait > 0:
            minutes, status = max(1, int(-(-wait // 60))), 429
            log.warning("lookup: refused, too many codes that found nothing from one address")
        else:
            found = replies.lookup(day(), code, _zone())
            if found is None:
                _lookups().take(address, now)
    body = render_template(
        "lookup.html",
        screen="lookup",
        snapshot=forms.page_info(),
        typed=typed[:40],
        code=code,
        asked=bool(typed.strip()),
        found=found,
        minutes=minutes,
    )
    return body, status, {"X-Robots-Tag": "noindex, nofollow"}


@bp.get("/tra-loi")
def answers():
    """Every published answer, by theme: the summaries of those given in the hall and the written
    replies; no link needed, readable on a phone."""
    return render_template(
        "answers.html", screen="answers", snapshot=forms.page_info(), groups=replies.public_answers(day(), _zone())
    )
