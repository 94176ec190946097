"""Departments preparing answers before the day: the secretariat's page (``/chuan-bi``: assign one
question or several to a department with a due date, withdraw, accept or send back a prepared
answer) and the prepared answer a department writes through its own link.

Every change goes through ``Desk.act`` (version-checked, audited) and is announced like a socket
action, so the consoles, the MC's queue and the chairman's screen follow it at once.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext

from live.core import questions
from live.core.errors import DomainError
from live.core.text import clean
from live.formats.exports import TIMEZONE
from live.services import preparation, replies
from live.web import forms, messages
from live.web.announce import announce
from live.web.auth import day, screen
from live.web.views import replies as replies_view

bp = Blueprint("preparation", __name__)

ACTIONS = ("prepare", "bulk", "withdraw", "accept", "return", "forward")
BULK_LIMIT = 500  # questions ticked at once (a page lists at most preparation.CANDIDATES_SHOWN)
SEARCH_LIMIT = 200
STATUS = {"question.conflict": 409, "question.not_your_department": 403}


def _zone() -> str:
    return current_app.config.get("TIMEZONE") or TIMEZONE


def _describe(error: DomainError) -> str:
    # the core reads the due date with the reply deadline's parser: name the due date instead
    if error.code == "question.bad_deadline":
        return messages.describe(DomainError("question.bad_due"))
    return messages.describe(error)


def _filters() -> tuple[str, str]:
    search = " ".join(clean(request.args.get("q", "")[:SEARCH_LIMIT]).split())
    theme = request.args.get("chu-de", "")[:60]
    return search, theme


def due_offered() -> str:
    """The due date offered when assigning (here and on the console), as dd/mm/yyyy."""
    today = replies.local_date(day().now(), _zone())
    doc = day().conference() or {}
    return preparation.default_due(doc.get("date"), today).strftime("%d/%m/%Y")  # stored ISO (live/core/conference.py)


def _page(error: str | None = None, at: str = "", typed: dict | None = None, status: int = 200):
    search, theme = _filters()
    doc = day().conference() or {}
    body = render_template(
        "preparation.html",
        screen="preparation",
        snapshot=forms.page_info(),
        board=preparation.board(day(), _zone()),
        candidates=preparation.candidates(day(), search=search, theme=theme, zone=_zone()),
        departments=replies.departments(day()),
        themes=[{"id": t["id"], "name": t["name"]} for t in doc.get("themes", [])],
        default_due=due_offered(),
        search=search,
        theme=theme,
        error=error,
        at=at,
        typed=typed or {},
    )
    return body, status


@bp.get("/chuan-bi")
@screen("preparation")
def page():
    """The assignments flagged by due date, the answers to review, every assignment by department,
    and the questions still to assign."""
    return _page()


def _by() -> tuple[str, str]:
    return forms.actor()


def _back(anchor: str = ""):
    return redirect(url_for("preparation.page") + (f"#{anchor}" if anchor else ""), code=303)


@bp.post("/chuan-bi/<action>")
@screen("preparation")
def act(action: str):
    """Assign (one or several), withdraw, accept or send back (with a note) a preparation."""
    if action not in ACTIONS:
        abort(404)
    if action == "bulk":
        return _bulk()
    role, name = _by()
    typed = {k: request.form.get(k, "")[:10_000] for k in ("department", "due", "note")}
    typed["action"] = action
    ident = request.form.get("id", "")
    try:
        ident = forms.question_id()
        payload: dict = {"id": ident, "version": forms.question_version()}
        if action == "prepare":
            _check_assignment(typed["department"], typed["due"])
            payload.update(department=typed["department"], due=typed["due"])
        elif action == "withdraw":
            payload["department"] = None
        elif action == "forward":  # the department's proposal taken: a written reply, out of the day
            payload["department"] = (day().desk.get(ident) or {}).get("prep_department")
        else:
            payload.update(accept=action == "accept", note=typed["note"] if action == "return" else None)
        verb = {"accept": "review", "return": "review", "forward": "forward"}.get(action, "prepare")
        done, change = day().desk.act(verb, payload, role=role, name=name)
    except DomainError as error:
        return _page(_describe(error), ident, typed, STATUS.get(error.code, 400))
    announce(change)
    said = {
        "prepare": gettext("Đã giao câu hỏi %(code)s cho %(department)s chuẩn bị trả lời, hạn %(due)s."),
        "withdraw": gettext("Đã rút giao chuẩn bị trả lời câu hỏi %(code)s."),
        "accept": gettext("Đã chấp nhận trả lời chuẩn bị của câu hỏi %(code)s."),
        "return": gettext("Đã trả lại trả lời chuẩn bị của câu hỏi %(code)s cho cơ quan để sửa."),
        "forward": gettext(
            "Đã chuyển câu hỏi %(code)s cho %(department)s trả lời bằng văn bản, hạn %(deadline)s; "
            "câu hỏi rời hàng đợi của MC."
        ),
    }[action]
    names = replies.department_names(day())
    department = done.get("prep_department") or done.get("department") or ""
    flash(
        said
        % {
            "code": done["code"],
            "department": names.get(department, department),
            "due": replies.day_month_year(done.get("prep_due")),
            "deadline": replies.day_month_year(done.get("deadline")),
        }
    )
    return _back(f"q-{done['code']}")


def _check_assignment(department: str, due: str) -> None:
    """A known department and a real due date, before anything is stored."""
    if department not in replies.department_names(day()):
        raise DomainError("question.bad_department")
    if not due.strip():
        raise DomainError("question.bad_due")
    try:
        questions.deadline(due)
    except DomainError:
        raise DomainError("question.bad_due") from None


def _bulk():
    """Several ticked questions to one department with one due date: each through ``Desk.act``;
    says how many were assigned and which were not, with the reason."""
    role, name = _by()
    typed = {k: request.form.get(k, "")[:200] for k in ("department", "due")}
    picks = []  # (id, version) of each ticked question: "<id>:<version>"
    for value in request.form.getlist("pick")[:BULK_LIMIT]:
        ident, _, version = value.rpartition(":")
        if questions.valid_id(ident) and version.isdigit() and len(version) < 10:
            picks.append((ident, version))
    try:
        if not picks:
            raise DomainError("preparation.none_ticked")
        _check_assignment(typed["department"], typed["due"])
    except DomainError as error:
        text = (
            gettext("Chưa chọn câu hỏi nào để giao.") if error.code == "preparation.none_ticked" else _describe(error)
        )
        return _page(text, "bulk", typed, 400)
    done, failed = [], []
    for ident, version in dict(picks).items():
        payload = {"id": ident, "version": int(version), "department": typed["department"], "due": typed["due"]}
        try:
            written, change = day().desk.act("prepare", payload, role=role, name=name)
        except DomainError as error:
            question = day().desk.get(ident)
            failed.append((question["code"] if question else "?", _describe(error)))
            continue
        announce(change)
        done.append(written["code"])
    names = replies.department_names(day())
    if done:
        flash(
            gettext(
                "Đã giao %(n)s câu hỏi cho %(department)s chuẩn bị trả lời, hạn %(due)s.",
                n=len(done),
                department=names.get(typed["department"], typed["department"]),
                due=replies.day_month_year(questions.deadline(typed["due"])),
            )
        )
    for code, reason in failed:
        flash(gettext("Chưa giao được câu hỏi %(code)s: %(reason)s", code=code, reason=reason), "error")
    return _back("assign")


# ---------------------------------------------------------------- a department, through its link


@bp.post("/co-quan/<token>/chuan-bi")
def department_draft(token: str):
    """A department writes (or rewrites) its prepared answer, or proposes to answer in writing."""
    dept = replies_view._department(token)
    typed = request.form.get("text", "")
    written = request.form.get("written") == "1"
    ident = request.form.get("id", "")
    try:
        ident = forms.question_id()
        question = day().desk.get(ident)
        # another department's question, or none at all: the same answer
        if (
            question is None
            or question.get("prep_department") != dept["id"]
            or question["status"] not in preparation.OPEN_STATUSES
        ):
            raise DomainError("question.not_your_department")
        payload = {
            "id": ident,
            "version": forms.question_version(),
            "text": typed,
            "written": written,
            "department": dept["id"],
        }
        done, change = day().desk.act("draft", payload, role="department", name=dept["name"])
    except DomainError as error:
        return replies_view._department_page(
            dept, token, messages.describe(error), ident, typed, STATUS.get(error.code, 400), written=written
        )
    announce(change)
    if written:
        flash(gettext("Đã gửi đề nghị trả lời bằng văn bản câu hỏi %(code)s. Tổ thư ký sẽ xem xét.", code=done["code"]))
    else:
        flash(gettext("Đã gửi trả lời chuẩn bị câu hỏi %(code)s. Tổ thư ký sẽ duyệt.", code=done["code"]))
    return redirect(url_for("replies.department", token=token) + f"#p-{done['code']}", code=303)
