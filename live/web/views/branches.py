"""The secretariat's page for the branches' lists: the template to download, the upload, the result
(live/services/branches.py; the file's reading in live/formats/branchfile.py).

A good file: "N new questions; M were there already", and the secretariat's consoles show the new
ones at once. A bad one: nothing stored, and every row's problem listed with its Excel row number.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext

from live.core.errors import DomainError
from live.formats import branchfile
from live.services import branches
from live.web import forms, messages
from live.web.announce import announce
from live.web.auth import day, screen

bp = Blueprint("branches", __name__, url_prefix="/nhap-danh-sach")
log = logging.getLogger("live.branches")

SHOWN_PROBLEMS = 300  # a wholly wrong file lists its first rows' problems, then how many more
TEMPLATES = {
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", branchfile.template_xlsx),
    "csv": ("text/csv", branchfile.template_csv),
}


def _render(*, problems: list[str] | None = None, more: int = 0, error: str | None = None, status: int = 200):
    doc = day().conference() or {}
    body = render_template(
        "branches.html",
        screen="branches",
        snapshot=day().snapshot(),
        sites=doc.get("sites", []),
        themes=doc.get("themes", []),
        problems=problems or [],
        more=more,
        error=error,
        max_mb=branchfile.MAX_BYTES // (1024 * 1024),
        max_rows=branchfile.MAX_ROWS,
    )
    return body, status


@bp.get("/")
@screen("branches")
def page():
    return _render()


@bp.get("/mau.<fmt>")
@screen("branches")
def template(fmt: str):
    """The empty list with its Vietnamese headings and one example row."""
    if fmt not in TEMPLATES:
        return Response(status=404)
    mime, write = TEMPLATES[fmt]
    doc = day().conference() or {}
    return Response(
        write(doc.get("sites", []), doc.get("themes", [])),
        mimetype=mime,
        headers={
            "Content-Disposition": f"attachment; filename=mau-danh-sach-cau-hoi.{fmt}",
            "Cache-Control": "no-store",
        },
    )


def _staff_name() -> str:
    return forms.staff_name() or forms.staff_role()


@bp.post("/")
@screen("branches")
def upload():
    """Import one file: every row, or none and every row's problem."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _render(error=messages.describe(DomainError("branches.no_file")), status=400)
    name = upload.filename[:80]
    try:
        result = branches.import_file(
            day(),
            upload.read(branchfile.MAX_BYTES + 1),
            upload.filename,
            by=_staff_name(),
            role=forms.staff_role(),
        )
    except branches.Refused as refused:
        lines = [
            gettext("Dòng %(row)s: %(problem)s", row=p.row, problem=messages.describe(p.error))
            for p in refused.problems[:SHOWN_PROBLEMS]
        ]
        log.info("branch list refused file=%r problems=%d", name, len(refused.problems))
        return _render(problems=lines, more=max(0, len(refused.problems) - SHOWN_PROBLEMS), status=400)
    except DomainError as error:
        return _render(error=messages.describe(error), status=400)
    if result.change is not None:
        announce(result.change)
    log.info("branch list imported file=%r added=%d existing=%d", name, result.added, result.existing)
    flash(
        gettext(
            "Đã nhập %(added)s câu hỏi mới từ tệp %(name)s; %(existing)s câu đã có từ trước (không nhập lại).",
            added=result.added,
            existing=result.existing,
            name=name,
        )
    )
    if result.named:
        flash(
            gettext(
                "%(count)s câu hỏi mới có họ tên hoặc đối tượng: chi đoàn phải có sự đồng ý của người hỏi "
                "(trên phiếu thu thập câu hỏi). Nếu chưa có, hãy rút họ tên, đối tượng theo mã theo dõi "
                "ở trang Yêu cầu về dữ liệu cá nhân.",
                count=result.named,
            ),
            "info",
        )
    return redirect(url_for("branches.page"), code=303)
