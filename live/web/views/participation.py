"""Participation by group, as totals per site (live/core/participation.py): the facilitators and the
secretariat type each site's figures here; the province's sums and a CSV follow.

Plain forms: a facilitator's laptop in a commune hall opens it from the bridge points' list
(``/site``), the secretariat from the reports page. No person's group is ever asked here.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from live.core import participation as totals
from live.core.errors import DomainError
from live.formats import exports
from live.services import participation
from live.web import forms, messages
from live.web.auth import current_roles, day, screen

bp = Blueprint("participation", __name__)
# each category of live/core/participation.py, as the catalogue translates it (a test keeps them equal)
LABELS = {
    "total": _l("Tổng số thanh niên dự"),
    "cong_chuc": _l("Công chức, viên chức"),
    "luc_luong_vu_trang": _l("Lực lượng vũ trang"),
    "cong_nhan": _l("Công nhân"),
    "hoc_sinh_sinh_vien": _l("Học sinh, sinh viên"),
    "kinh_te_gioi": _l("Thanh niên làm kinh tế giỏi"),
    "chua_co_viec_lam": _l("Thanh niên chưa có việc làm"),
    "dan_toc_thieu_so": _l("Thanh niên dân tộc thiểu số"),
    "ton_giao": _l("Thanh niên có đạo"),
    "khuyet_tat": _l("Thanh niên khuyết tật"),
}


def _labels() -> list[tuple[str, str]]:
    return [(category, str(LABELS.get(category, label))) for category, label in totals.CATEGORIES]


def _page(error: str | None = None, at: str = "", typed: dict | None = None, status: int = 200):
    rows, sums = participation.table(day().store)
    only = request.args.get("site", "")
    shown = [r for r in rows if r["site"]["id"] == only] or rows if only else rows
    body = render_template(
        "participation.html",
        screen="participation",
        snapshot=day().snapshot(),
        rows=shown,
        every=len(rows),
        sums=sums,
        labels=_labels(),
        counted=sum(1 for r in rows if r["at"] is not None),
        zone=current_app.config.get("TIMEZONE") or exports.TIMEZONE,
        local_time=exports.local_time,
        only=only if len(shown) == 1 and only else "",
        error=error,
        at=at,
        typed=typed or {},
        is_staff=bool(current_roles() & {"moderator", "admin"}),
    )
    return body, status


@bp.get("/tham-gia")
@screen("participation")
def page():
    """Every site's totals, a form per site; ``?site=<id>`` shows one site's form only."""
    return _page()


@bp.post("/tham-gia/<site>")
@screen("participation")
def save(site: str):
    roles = current_roles()
    role = next((r for r in ("admin", "moderator", "site") if r in roles), "site")
    name = forms.staff_name()
    typed = {category: request.form.get(category, "")[:20] for category, _label in totals.CATEGORIES}
    try:
        participation.record(day().store, site[:64], request.form, by=name, role=role, now=day().now())
    except DomainError as error:
        if error.code == "participation.unknown_site":
            abort(404)
        if "category" in error.params:
            error.params["category"] = str(LABELS.get(error.params["category"], ""))
        return _page(messages.describe(error), site, typed, 400)
    names = day().desk.site_names()
    flash(gettext("Đã lưu số thanh niên tham gia của %(site)s.", site=names.get(site, site)))
    only = request.args.get("site") or None  # a facilitator's page of one site stays that page
    return redirect(url_for("participation.page", site=only) + f"#site-{site}", code=303)


@bp.get("/tham-gia.csv")
@screen("participation")
def table_csv():
    """The totals as a table to paste into the province's report."""
    rows, sums = participation.table(day().store)
    labels = _labels()
    headers = [gettext("Mã điểm cầu"), gettext("Điểm cầu"), *(label for _c, label in labels)]
    body = [[r["site"]["id"], r["site"]["name"], *(r["counts"][c] if r["counts"][c] is not None else "" for c, _l in labels)]
            for r in rows]  # fmt: skip
    body.append(["", gettext("Tổng cộng"), *(sums[c] for c, _l in labels)])
    return current_app.response_class(
        exports.table_csv(headers, body),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=tham-gia.csv", "Cache-Control": "private, no-store"},
    )
