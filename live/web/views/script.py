"""The script (kịch bản), the chairman's pack and the departments' packs.

The Youth Union secretary (the moderator, or the admin) selects approved questions into the script
and orders them within each theme on ``/kich-ban``; every change goes through ``Desk.act`` and is
announced, so the MC's queue (ordered by theme, then rank) follows the script at once. The admin
writes the MC's lines for each agenda item on the admin page. Three documents download as DOCX
(live/formats/script.py); a department downloads its own pack through its secret link.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from live.core import questions
from live.core.errors import DomainError
from live.formats import script as documents
from live.services import replies
from live.services import script as service
from live.web import forms, messages
from live.web.announce import announce
from live.web.auth import current_roles, day, screen

bp = Blueprint("script", __name__)
log = logging.getLogger("live.access")

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
STATUS = {"question.conflict": 409, "script.not_approved": 409}
PREP_STATES = {
    questions.ASSIGNED: _l("Đã giao cơ quan, chưa có trả lời chuẩn bị"),
    questions.PREPARED: _l("Có trả lời chuẩn bị, chờ duyệt"),
    questions.WRITTEN: _l("Cơ quan đề nghị trả lời bằng văn bản"),
    questions.ACCEPTED: _l("Trả lời chuẩn bị đã duyệt"),
    questions.RETURNED: _l("Trả lời chuẩn bị bị trả lại để sửa"),
}
# the refusals of this page's own rules (the question's lifecycle says the rest: live/web/messages.py)
REFUSALS = {
    "script.not_approved": _l(
        "Câu hỏi %(question)s chưa được duyệt. Hãy duyệt câu hỏi trên màn hình Tổ thư ký trước khi chọn vào kịch bản."
    ),
    "script.not_in_script": _l("Câu hỏi %(question)s không có trong kịch bản."),
    "script.unknown_item": _l("Chương trình vừa được thay đổi. Hãy tải lại trang rồi nhập lời dẫn lần nữa."),
    "script.line_too_long": _l("Lời dẫn của mục “%(item)s” dài quá %(limit)s ký tự."),
}


def _describe(error: DomainError) -> str:
    template = REFUSALS.get(error.code)
    if template is None:
        return messages.describe(error)
    return str(template) % {"question": "", "item": "", "limit": service.LINE_LIMIT, **error.params}


def _download(body: bytes, name: str) -> Response:
    headers = {"Content-Disposition": f"attachment; filename={name}", "Cache-Control": "no-store"}
    return Response(body, mimetype=DOCX, headers=headers)


# ---------------------------------------------------------------- the script page


def _render(error: str | None = None, status: int = 200, at: str = ""):
    search = request.args.get("tim", "")[: service.SEARCH_LIMIT]
    body = render_template(
        "script.html",
        screen="script",
        snapshot=day().snapshot(),
        board=service.board(day(), search),
        search=search,
        departments=service.departments_with_questions(day()),
        prep_states=PREP_STATES,
        shown=service.OTHERS_SHOWN,
        error=error,
        at=at,
        is_admin="admin" in current_roles(),
    )
    return body, status


@bp.get("/kich-ban")
@screen("script")
def page():
    """The script by theme: its questions in order, and the approved ones to choose from."""
    return _render()


def _act(action: str, payload: dict):
    """One change through the desk, announced; a refusal shows the page again with its reason."""
    role, name = forms.actor()
    done, change = day().desk.act(action, payload, role=role, name=name)
    announce(change)
    return done


def _form_question() -> tuple[dict, int]:
    question = day().desk.get(forms.question_id())
    if question is None:
        raise DomainError("question.not_found")
    return question, forms.question_version()


def _back(code: str):
    return redirect(url_for("script.page", tim=request.form.get("tim") or None) + f"#q-{code}", code=303)


@bp.post("/kich-ban/chon")
@screen("script")
def select():
    """Select an approved question into the script (at the end of its theme's part), or take it out."""
    selected = request.form.get("selected") == "1"
    ident = request.form.get("id", "")
    try:
        question, version = _form_question()
        if question["status"] not in documents.IN_SCRIPT:
            raise DomainError("script.not_approved", question=question["code"])
        done = _act("script", {"id": question["id"], "version": version, "selected": selected})
    except DomainError as error:
        return _render(_describe(error), STATUS.get(error.code, 400), ident)
    if selected:
        flash(gettext("Đã chọn câu hỏi %(code)s vào kịch bản.", code=done["code"]))
    else:
        flash(gettext("Đã bỏ câu hỏi %(code)s khỏi kịch bản.", code=done["code"]))
    return _back(done["code"])


@bp.post("/kich-ban/thu-tu")
@screen("script")
def order():
    """Move a script question up or down: it goes right after ``after`` (empty: first of its theme)."""
    after = request.form.get("after", "")
    ident = request.form.get("id", "")
    try:
        question, version = _form_question()
        if not question.get("script"):
            raise DomainError("script.not_in_script", question=question["code"])
        if question["status"] not in documents.IN_SCRIPT:
            raise DomainError("script.not_approved", question=question["code"])
        done = _act("order", {"id": question["id"], "version": version, "after": after or None})
    except DomainError as error:
        return _render(_describe(error), STATUS.get(error.code, 400), ident)
    flash(gettext("Đã đổi thứ tự câu hỏi %(code)s trong kịch bản.", code=done["code"]))
    return _back(done["code"])


# ---------------------------------------------------------------- the documents


@bp.get("/kich-ban/kich-ban.docx")
@screen("script")
def script_docx():
    """The script: the agenda with the MC's lines, then the questions by theme in order."""
    return _download(service.script_docx(day()), service.file_name(day(), "kich-ban"))


@bp.get("/kich-ban/chu-tich.docx")
@screen("script")
def chair_docx():
    """The chairman's briefing pack: the script without the MC's lines, with the secretariat's notes."""
    body = service.script_docx(day(), documents.CHAIR)
    return _download(body, service.file_name(day(), "tai-lieu-chu-tich"))


def _department_pack(department: dict) -> Response:
    body = service.department_docx(day(), department["id"])
    return _download(body, service.file_name(day(), f"tai-lieu-{service.slug(department['name'])}"))


@bp.get("/kich-ban/co-quan/<department>.docx")
@screen("script")
def department_docx(department: str):
    """One department's pack: its questions, their due dates and what it prepared so far."""
    found = next((d for d in replies.departments(day()) if d["id"] == department), None)
    if found is None:
        abort(404)
    return _department_pack(found)


@bp.get("/co-quan/<token>/tai-lieu.docx")
def own_pack(token: str):
    """A department's own pack, through its secret link (the same link as its replies page)."""
    found = replies.department_for(day(), token)
    if found is None:
        log.warning("bad department link from %s", request.remote_addr)
        abort(404)
    response = _department_pack(found)
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


# ---------------------------------------------------------------- the MC's lines (admin page)


@bp.app_template_global("mc_line_rows")
def mc_line_rows() -> list[dict]:
    """The agenda items with their start times and MC's lines, for the admin page's section
    (what was typed, when the save was refused)."""
    rows = service.agenda_rows(day())
    typed = getattr(g, "mc_lines_typed", None)
    if typed is not None:
        rows = [dict(row, line=typed.get(row["id"], row["line"])) for row in rows]
    return rows


@bp.post("/kich-ban/loi-dan")
@screen("admin")
def save_mc_lines():
    """Save the MC's lines of every agenda item (the admin page's section)."""
    from live.web.views.admin import _render as admin_page  # the admin page shows the refusal

    typed = {
        key.removeprefix("line-"): value[: 4 * service.LINE_LIMIT]
        for key, value in request.form.items()
        if key.startswith("line-")
    }
    agenda = (day().conference() or {}).get("agenda", [])
    try:
        service.save_lines(day().store, typed, agenda, now=day().now(), by="admin")
    except DomainError as error:
        g.mc_lines_typed = typed
        return admin_page(day().conference() or {}, _describe(error), 400)
    flash(gettext("Đã lưu lời dẫn của MC."))
    return redirect(url_for("admin.page") + "#mc-lines", code=303)
