"""The admin page: edit the conference, export and import it, role links, reset after a rehearsal."""

from __future__ import annotations

import datetime as dt
import logging
import math
import re
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext

from live.core import access
from live.core.conference import LIST_FIELDS, SITE_KINDS, day_month_year, fingerprint, from_file, to_file
from live.core.errors import Conflict, DomainError
from live.formats import exports, sitefile
from live.services import replies
from live.web import messages, report
from live.web.announce import announce
from live.web.auth import current_roles, day, grant, grant_pin, screen
from live.web.i18n import ROLE_NAMES

bp = Blueprint("admin", __name__, url_prefix="/admin")
log = logging.getLogger("live.access")

SCALARS = ("title", "organiser", "theme", "date", "start_time", "venue", "warning_seconds", "speaker_warning_seconds")
_ROW_KEY = re.compile(r"^(agenda|themes|departments|sites)-(\d{1,5})-(\w+)$")
BLANK_ROWS = 3


def _send(change) -> None:
    announce(change)


def form_to_data(form) -> dict:
    """The admin form as a conference document (unvalidated); blank and deleted rows dropped."""
    data: dict = {key: form.get(key, "") for key in SCALARS}
    data["maket"] = form.get("maket", "").splitlines()
    rows: dict[str, dict[int, dict]] = {name: {} for name in LIST_FIELDS}
    for key, value in form.items():
        match = _ROW_KEY.match(key)
        if match:
            name, index, column = match.group(1), int(match.group(2)), match.group(3)
            rows[name].setdefault(index, {})[column] = value
    for name, columns in LIST_FIELDS.items():
        kept = []
        for index, row in rows[name].items():
            if row.get("delete"):
                continue
            values = {c: row.get(c, "").strip() for c in columns}
            if not any(v for c, v in values.items() if c not in ("id", "kind")):
                continue
            try:
                order = float(row.get("order") or index + 1)
            except ValueError:
                order = index + 1
            if not math.isfinite(order):  # "nan" would make the sort order arbitrary
                order = index + 1
            kept.append((order, index, values))
        kept.sort(key=lambda t: (t[0], t[1]))
        data[name] = [values for _, _, values in kept]
    return data


def _input_name(error: DomainError) -> str:
    """The form input a refused field points at: ``agenda[3].minutes`` → ``agenda-2-minutes``."""
    path = str(error.params.get("field") or "")
    match = re.fullmatch(r"(agenda|themes|departments|sites)\[(\d+)\]\.(\w+)", path)
    if match:
        return f"{match.group(1)}-{int(match.group(2)) - 1}-{match.group(3)}"
    if path.startswith("maket"):
        return "maket"
    return path if path in SCALARS else ""


def _render(data: dict, error: str | None = None, status: int = 200, invalid: str = "", base: str | None = None):
    links = access.links(current_app.config["PUBLIC_URL"], day().tokens())
    date = data.get("date") or ""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
        try:
            data = {**data, "date": day_month_year(date)}
        except ValueError:
            pass  # an impossible date someone typed (2025-02-31): show it back as typed
    body = render_template(
        "admin.html",
        screen="admin",
        conf=data,
        error=error,
        invalid=invalid,
        base=base if base is not None else fingerprint(day().conference()),
        links=links,
        department_links=replies.links(current_app.config["PUBLIC_URL"], day()),
        pins={role: _when(at) for role, at in day().pins_set().items()},
        roles=access.ROLES,
        kinds=SITE_KINDS,
        blank_rows=BLANK_ROWS,
        report=day().agenda_report(),
        snapshot=day().snapshot(),
        supports_enabled=day().supports.enabled(),
    )
    return body, status


@bp.get("/")
@screen("admin")
def page():
    return _render(day().conference() or {"title": "", "agenda": [], "themes": [], "departments": [], "sites": []})


@bp.post("/")
@screen("admin")
def save():
    data = form_to_data(request.form)
    base = request.form.get("base") or None
    try:
        _send(day().replace_conference(data, expected=base))
    except Conflict:
        # someone else saved meanwhile: keep what this admin typed; saving again overwrites theirs
        message = gettext(
            "Hội nghị vừa được người khác lưu. Nội dung bạn nhập vẫn còn trên trang: bấm Lưu lần nữa "
            "để ghi đè, hoặc tải lại trang để xem bản mới."
        )
        return _render(data, message, 409)
    except DomainError as error:
        # the form shows what was typed; the input at fault is marked and focused
        return _render(data, messages.describe(error), 400, _input_name(error), base=base)
    flash(gettext("Đã lưu hội nghị."))
    return redirect(url_for("admin.page"), code=303)


@bp.get("/conference.<fmt>")
@screen("admin")
def export(fmt: str):
    """Download the conference as the file a province edits and imports next year."""
    if fmt not in ("yaml", "json"):
        return Response(status=404)
    text = to_file(day().conference() or {}, fmt)
    mime = "application/json" if fmt == "json" else "application/yaml"
    return Response(
        text,
        mimetype=mime,
        headers={"Content-Disposition": f"attachment; filename=hoi-nghi.{fmt}"},
    )


@bp.post("/import")
@screen("admin")
def import_file():
    upload = request.files.get("file")
    current = day().conference() or {}
    if upload is None or not upload.filename:
        return _render(current, messages.describe(DomainError("conference.no_file")), 400)
    try:
        doc = from_file(upload.read())
        _send(day().replace_conference(doc))
    except DomainError as error:
        return _render(current, messages.describe(error), 400)
    flash(gettext("Đã nhập hội nghị từ tệp %(name)s.", name=upload.filename[:80]))
    return redirect(url_for("admin.page"), code=303)


SITE_FILES = {
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", sitefile.write_xlsx),
    "csv": ("text/csv", sitefile.write_csv),
}


@bp.get("/sites.<fmt>")
@screen("admin")
def export_sites(fmt: str):
    """Download the sites as the spreadsheet the secretariat fills in and imports again."""
    if fmt not in SITE_FILES:
        return Response(status=404)
    mime, write = SITE_FILES[fmt]
    return Response(
        write((day().conference() or {}).get("sites", [])),
        mimetype=mime,
        headers={"Content-Disposition": f"attachment; filename=diem-cau.{fmt}", "Cache-Control": "no-store"},
    )


@bp.post("/sites/import")
@screen("admin")
def import_sites():
    """Replace the sites with a CSV or XLSX file's rows: all of them, or none and the row at fault."""
    upload = request.files.get("file")
    current = day().conference() or {}
    # the page's fingerprint; without one, at least the read-modify-write below loses no one's save
    base = request.form.get("base") or fingerprint(current)
    if upload is None or not upload.filename:
        return _render(current, messages.describe(DomainError("sites.no_file")), 400)
    try:
        sites = sitefile.read_sites(upload.read(sitefile.MAX_BYTES + 1), upload.filename)
        _send(day().replace_conference({**current, "sites": sites}, expected=base))
    except Conflict:
        message = gettext(
            "Danh sách điểm cầu chưa được nhập: hội nghị vừa được người khác lưu. "
            "Trang đã hiện bản mới; hãy kiểm tra rồi nhập tệp lại."
        )
        return _render(day().conference() or {}, message, 409)
    except DomainError as error:
        return _render(current, messages.describe(error), 400)
    flash(gettext("Đã nhập %(count)s điểm cầu từ tệp %(name)s.", count=len(sites), name=upload.filename[:80]))
    return redirect(url_for("admin.page"), code=303)


def _audit_table() -> report.Table:
    """The audit log as a person reads it, newest first (live/web/report.py)."""
    zone = current_app.config.get("TIMEZONE") or exports.TIMEZONE
    return report.audit_table(day().desk.audit(), day().conference(), zone, day().desk.all())


@bp.get("/audit")
@screen("admin")
def audit():
    """Every moderation and MC action, newest first: who, when, what, before → after."""
    table = _audit_table()
    return render_template(
        "audit.html", screen="audit", headers=table.headers, rows=table.rows, snapshot=day().snapshot()
    )


@bp.get("/audit.<fmt>")
@screen("admin")
def audit_file(fmt: str):
    table = _audit_table()
    if fmt == "csv":
        body, mime = exports.table_csv(table.headers, table.rows), "text/csv"
    elif fmt == "xlsx":
        body = exports.workbook_xlsx([table])
        mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        return Response(status=404)
    return Response(body, mimetype=mime, headers={"Content-Disposition": f"attachment; filename=nhat-ky.{fmt}"})


@bp.post("/links/<role>")
@screen("admin")
def regenerate(role: str):
    """Make a new secret link for a role; the old link stops working."""
    try:
        _send(day().regenerate(role))
    except DomainError as error:
        return _render(day().conference() or {}, messages.describe(error), 400)
    if role == "admin":
        grant("admin", day().tokens()["admin"])  # keep the admin who asked signed in
    flash(gettext("Đã tạo liên kết mới cho vai trò %(role)s.", role=str(ROLE_NAMES[role])))
    return redirect(url_for("admin.page") + "#links", code=303)


@bp.post("/departments/<department>/link")
@screen("admin")
def regenerate_department(department: str):
    """Make a new secret link for an answering department; its old link stops working."""
    try:
        replies.regenerate(day(), department)
    except DomainError as error:
        return _render(day().conference() or {}, messages.describe(error), 400)
    name = replies.department_names(day())[department]
    flash(gettext("Đã tạo liên kết mới cho %(department)s; liên kết cũ không còn mở được.", department=name))
    return redirect(url_for("admin.page") + "#department-links", code=303)


def _when(timestamp: float) -> str:
    """``09:12 28/08/2025``: 24-hour time and day in the conference's zone."""
    zone = ZoneInfo(current_app.config.get("TIMEZONE") or exports.TIMEZONE)
    return dt.datetime.fromtimestamp(timestamp, zone).strftime("%H:%M %d/%m/%Y")


@bp.post("/pins/<role>")
@screen("admin")
def set_pin(role: str):
    """Set or change a role's PIN; the sessions its old PIN opened stop working."""
    try:
        _send(day().set_pin(role, request.form.get("pin", ""), request.form.get("again", "")))
    except DomainError as error:  # never shows back what was typed
        invalid = f"pin-{role}" if error.code != "access.unknown_role" else ""
        return _render(day().conference() or {}, messages.describe(error), 400, invalid)
    _keep_admin(role)
    log.info("pin set role=%s", role)
    flash(gettext("Đã đặt mã PIN cho vai trò %(role)s.", role=str(ROLE_NAMES[role])))
    return redirect(url_for("admin.page") + "#pins", code=303)


@bp.post("/pins/<role>/clear")
@screen("admin")
def clear_pin(role: str):
    """Remove a role's PIN: it no longer signs in, and the sessions it opened stop working."""
    try:
        _send(day().clear_pin(role))
    except DomainError as error:
        return _render(day().conference() or {}, messages.describe(error), 400)
    log.info("pin cleared role=%s", role)
    flash(gettext("Đã xóa mã PIN của vai trò %(role)s.", role=str(ROLE_NAMES[role])))
    return redirect(url_for("admin.page") + "#pins", code=303)


def _keep_admin(role: str) -> None:
    """An admin who signed in with the admin PIN and changed it stays signed in."""
    stored = day().pin_hashes().get("admin") if role == "admin" else None
    if stored is not None and "admin" not in current_roles():
        grant_pin("admin", access.pin_mark(stored))


@bp.post("/supports")
@screen("admin")
def set_supports():
    """Let the phones press "Tôi cũng muốn hỏi", or not: every phone and screen hears it at once."""
    on = request.form.get("enabled") == "1"
    _send(day().supports.set_enabled(on, by="admin"))
    log.info("supports enabled=%s", on)
    if on:
        flash(gettext("Đã bật “Tôi cũng muốn hỏi” trên điện thoại."))
    else:
        flash(gettext("Đã tắt “Tôi cũng muốn hỏi”: điện thoại không bấm được nữa."))
    return redirect(url_for("admin.page") + "#supports", code=303)


@bp.post("/clock/reset")
@screen("admin")
def reset_clock():
    """Clear the agenda clock after a rehearsal."""
    _send(day().command("clock.reset", {}))
    _send(day().command("speaker.reset", {}))
    flash(gettext("Đã đặt lại đồng hồ chương trình."))
    return redirect(url_for("admin.page"), code=303)
