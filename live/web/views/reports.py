"""After the day: the secretariat downloads the record (XLSX, CSV, a ZIP of everything) and the
conclusion notice draft (DOCX), and writes the summary of each answer given on the spot."""

from __future__ import annotations

import io
import zipfile

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext

from live.core import questions
from live.core.errors import DomainError
from live.core.text import clean
from live.formats import exports, notice
from live.services import survey
from live.web import afterday, messages, report
from live.web.announce import announce
from live.web.auth import current_roles, day, screen

bp = Blueprint("reports", __name__, url_prefix="/reports")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
NAME_LIMIT = 40
# what the asker's name and the download's Content-Disposition need: no cache of a day's record
PRIVATE = {"Cache-Control": "no-store"}


def _zone() -> str:
    return current_app.config.get("TIMEZONE") or exports.TIMEZONE


def _survey() -> tuple[dict, dict]:
    """The survey and its results per site and overall (the running rehearsal's while one runs)."""
    sites = [s["id"] for s in (day().conference() or {}).get("sites", [])]
    return survey.current(day().store), survey.results(day().store, sites, day().desk.rehearsal())


def _tables() -> list[report.Table]:
    """Every table of the day; the survey's two after them when the conference has a survey."""
    desk = day().desk
    tables = report.day_tables(day().conference(), desk.all(), desk.audit(), day().agenda_report(), _zone())
    found, results = _survey()
    if found["questions"]:
        tables += afterday.survey_tables(day().conference(), found["questions"], results)
    return tables


def _file_name(stem: str, ext: str) -> str:
    """``bao-cao-2025-08-28.xlsx``: ASCII, dated by the conference."""
    date = (day().conference() or {}).get("date") or ""
    return f"{stem}-{date}.{ext}" if date else f"{stem}.{ext}"


def _download(body: bytes, mime: str, name: str) -> Response:
    return Response(body, mimetype=mime, headers={"Content-Disposition": f"attachment; filename={name}", **PRIVATE})


def _answered() -> list[dict]:
    """The questions answered on the spot, in the order they were answered."""
    found = [q for q in day().desk.all() if q.get("status") == questions.ANSWERED]
    return sorted(found, key=lambda q: (q.get("answered_at") or 0, q["id"]))


def _render(error: str | None = None, failed: dict | None = None, status: int = 200):
    """The page; ``failed`` keeps what was typed for the question whose summary was refused."""
    tables = _tables()
    names = report.Names.of(day().conference())
    answered = _answered()
    saved = request.args.get("saved", "") if status == 200 else ""
    saved = saved if any(q["id"] == saved for q in answered) else ""  # else the confirmation shows on top
    found, results = _survey()
    body = render_template(
        "reports.html",
        screen="reports",
        snapshot=day().snapshot(),
        tables=tables,
        previews=tables[1:4],
        answered=answered,
        names=names,
        error=error,
        failed=failed or {},
        limit=questions.SUMMARY_LIMIT,
        is_admin="admin" in current_roles(),
        saved=saved,
        survey=found,
        results=results,
        site_names=day().desk.site_names(),
        pending_texts=sum(
            1
            for r in survey.responses(day().store, day().desk.rehearsal()).values()
            if r.get("text") and not r.get("review")
        ),  # fmt: skip
    )
    return body, status


@bp.get("/")
@screen("reports")
def page():
    return _render()


@bp.get("/<slug>.csv")
@screen("reports")
def table_csv(slug: str):
    """One table of the day as CSV (UTF-8 with BOM for Excel; a formula stays text)."""
    table = next((t for t in _tables() if t.slug == slug), None)
    if table is None:
        return Response(status=404)
    return _download(exports.table_csv(table.headers, table.rows), "text/csv", _file_name(slug, "csv"))


@bp.get("/bao-cao.xlsx")
@screen("reports")
def workbook():
    """Every table of the day in one workbook, a sheet each."""
    return _download(exports.workbook_xlsx(_tables()), XLSX, _file_name("bao-cao", "xlsx"))


@bp.get("/thong-bao-ket-luan.docx")
@screen("reports")
def notice_draft():
    """The draft of the chairman's conclusion notice (Decree 30/2020 format), to finish in Word."""
    body = notice.draft(day().conference(), day().desk.all(), day().now())
    return _download(body, DOCX, _file_name("thong-bao-ket-luan", "docx"))


@bp.get("/ngay-hoi-nghi.zip")
@screen("reports")
def bundle():
    """Everything of the day in one file: the workbook, each CSV and the notice draft."""
    tables = _tables()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(_file_name("bao-cao", "xlsx"), exports.workbook_xlsx(tables))
        for table in tables:
            archive.writestr(_file_name(table.slug, "csv"), exports.table_csv(table.headers, table.rows))
        draft = notice.draft(day().conference(), day().desk.all(), day().now())
        archive.writestr(_file_name("thong-bao-ket-luan", "docx"), draft)
    return _download(out.getvalue(), "application/zip", _file_name("ngay-hoi-nghi", "zip"))


@bp.post("/summary")
@screen("reports")
def summarize():
    """Save the summary of one answer given on the spot; refused if someone changed it first."""
    form = request.form
    ident = form.get("id", "")
    typed = form.get("summary", "")
    try:
        version = int(form.get("version", ""))
    except ValueError:
        version = None
    roles = current_roles()
    role = "moderator" if "moderator" in roles else "admin"
    name = " ".join(clean(form.get("name", "")[:1000]).split())[:NAME_LIMIT]
    try:
        _question, change = day().desk.act(
            "summarize", {"id": ident, "version": version, "summary": typed}, role=role, name=name
        )
    except DomainError as error:
        current = day().desk.get(ident) if isinstance(ident, str) and len(ident) <= 64 else None
        failed = {"id": ident, "summary": typed[: 4 * questions.SUMMARY_LIMIT], "current": current}
        if error.code == "question.conflict":
            message = gettext(
                "Câu hỏi %(code)s vừa được người khác thay đổi. Nội dung bạn nhập vẫn còn trong ô; bản đang lưu "
                "hiện bên dưới. Bấm Lưu lần nữa để ghi đè.",
                code=(current or {}).get("code", ""),
            )
            return _render(message, failed, 409)
        return _render(messages.describe(error), failed, 400)
    announce(change)
    flash(gettext("Đã lưu tóm tắt trả lời của câu hỏi %(code)s.", code=_question.get("code", "")))
    return redirect(url_for("reports.page", saved=ident) + f"#q-{ident}", code=303)


SUMMARY_ACTIONS = {"publish": "publish_summary", "withdraw": "withdraw_summary"}


@bp.post("/summary/<action>")
@screen("reports")
def summary_act(action: str):
    """Publish one answer's summary to its askers (their phones, the lookup, the answers page), or
    withdraw it; refused if someone changed the question first."""
    if action not in SUMMARY_ACTIONS:
        return Response(status=404)
    form = request.form
    ident = form.get("id", "")
    try:
        version = int(form.get("version", ""))
    except ValueError:
        version = None
    role = "moderator" if "moderator" in current_roles() else "admin"
    name = " ".join(clean(form.get("name", "")[:1000]).split())[:NAME_LIMIT]
    try:
        done, change = day().desk.act(SUMMARY_ACTIONS[action], {"id": ident, "version": version}, role=role, name=name)
    except DomainError as error:
        if error.code == "question.conflict":
            current = day().desk.get(ident) or {}
            message = gettext(
                "Câu hỏi %(code)s vừa được người khác thay đổi. Vui lòng xem lại tóm tắt rồi bấm lần nữa.",
                code=current.get("code", ""),
            )
            return _render(message, None, 409)
        return _render(messages.describe(error), None, 400)
    announce(change)
    said = {
        "publish": gettext("Đã công bố tóm tắt trả lời của câu hỏi %(code)s: người hỏi đã thấy trên điện thoại."),
        "withdraw": gettext("Đã thu hồi tóm tắt trả lời của câu hỏi %(code)s."),
    }[action]
    flash(said % {"code": done.get("code", "")})
    return redirect(url_for("reports.page", saved=ident) + f"#q-{ident}", code=303)
