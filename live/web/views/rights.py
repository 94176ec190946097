"""The asker's rights by tracking code (``/du-lieu-cua-toi``, public, no link) and the secretariat's
register of requests (``/yeu-cau-du-lieu/``, the secretariat and the admin).

The asker's page takes the code in a form (POST, CSRF-protected like every form), never in the
address: a code in an address stays in the browser's history and in proxies' logs. The lookups of
one address that find nothing are rate-limited (``rights.LOOKUP_RULE``), and a code that never
existed and a deleted question's code get the same answer. Plain HTML forms; no script.
"""

from __future__ import annotations

import logging

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from live.core import limits
from live.core import rights as rules
from live.core.errors import DomainError
from live.formats.exports import TIMEZONE
from live.services import replies, rights
from live.web import forms, messages
from live.web.announce import announce
from live.web.auth import day, screen
from live.web.i18n import ROLE_NAMES

bp = Blueprint("rights", __name__)
log = logging.getLogger("live.access")

PUBLIC_ACTIONS = ("xem", "quay_lai", "rut_ten", "rut_doi_tuong", "xoa", "xoa_xac_nhan")
REGISTER_ACTIONS = ("answered", "done", "withdraw", "withdraw_group", "delete")
STATUS = {
    "rights.not_found": 404,
    "rights.answered": 409,
    "rights.no_name": 409,
    "rights.no_group": 409,
    "store.conflict": 409,
}


def _zone() -> str:
    return current_app.config.get("TIMEZONE") or TIMEZONE


def _lookups() -> limits.Buckets:
    """The lookups that found nothing, per address, in this process."""
    found = current_app.extensions.get("live.rights.lookups")
    if found is None:
        found = current_app.extensions["live.rights.lookups"] = limits.Buckets(rules.LOOKUP_RULE)
    return found


def _address() -> str:
    return request.remote_addr or "?"


# ---------------------------------------------------------------- the asker


def _page(state: str, *, typed: str = "", code: str | None = None, status: int = 200, **values):
    body = render_template(
        "rights.html",
        screen="rights",
        snapshot=forms.page_info(),
        state=state,
        typed=typed[:40],
        code=code,
        purposes=PURPOSES,
        channels=CHANNELS,
        rule=DELETE_RULE,
        **values,
    )
    return body, status, {"X-Robots-Tag": "noindex, nofollow"}


PURPOSES = {"name": _l("ghi họ tên kèm câu hỏi"), "group": _l("hiển thị đối tượng thanh niên cạnh tên xã")}
CHANNELS = {
    "qr": _l("gửi từ điện thoại (mã QR)"),
    "paper": _l("phiếu giấy, tổ thư ký nhập"),
    "spoken": _l("phát biểu trực tiếp, tổ thư ký nhập"),
    "facilitator": _l("qua cán bộ hỗ trợ ở điểm cầu, tổ thư ký nhập"),
    "branch": _l("danh sách của chi đoàn, tổ thư ký nhập"),
}


DELETE_RULE = _l(
    "Bạn có thể xoá câu hỏi khi câu hỏi chưa được trình chiếu, chưa được trả lời tại hội nghị và chưa được chuyển"
    " cơ quan trả lời bằng văn bản (nếu câu hỏi đã được gộp với một câu hỏi cùng nội dung: khi câu hỏi đó cũng"
    " chưa được trả lời). Sau đó câu hỏi là một phần của hồ sơ hội nghị và không xoá được; bạn vẫn rút được tên."
)


@bp.get("/du-lieu-cua-toi")
def mine():
    """The form: the tracking code from the receipt (an address's ``?ma=`` only fills it in)."""
    typed = request.args.get("ma", "")
    return _page("form", typed=typed if replies.normal_code(typed) else "")


@bp.post("/du-lieu-cua-toi")
def mine_act():
    """See what is held, withdraw the name, or delete the question (asked, then confirmed)."""
    action = request.form.get("action", "xem")
    if action not in PUBLIC_ACTIONS:
        action = "xem"
    typed = request.form.get("ma", "")
    code = replies.normal_code(typed)
    if code is None:
        return _page("bad", typed=typed, status=400)
    now = day().now()
    wait = _lookups().wait(_address(), now)
    if wait > 0:
        minutes = max(1, int(-(-wait // 60)))
        log.warning("rights: lookups refused, too many codes that found nothing from one address")
        return _page("limited", typed=typed, code=code, minutes=minutes, status=429)
    found = rights.find(day(), code)
    if not found:
        return _missed(typed, code, now)
    ident = request.form.get("id", "")
    done = None
    try:
        if action == "xem":
            rights.seen(day(), code, zone=_zone())
        elif action == "rut_ten":
            _question, change, _request = rights.withdraw_name(day(), code, ident, zone=_zone())
            announce(change)
            log.info("rights: a name withdrawn on the asker's page")  # never the code or the question
            done = gettext("Đã rút tên của bạn khỏi câu hỏi. Câu hỏi vẫn được giữ, không kèm tên.")
            found = rights.find(day(), code)
        elif action == "rut_doi_tuong":
            _question, change, _request = rights.withdraw_name(day(), code, ident, zone=_zone(), purpose="group")
            announce(change)
            log.info("rights: a group withdrawn on the asker's page")
            done = gettext("Đã rút đối tượng của bạn khỏi câu hỏi. Câu hỏi vẫn được giữ, không kèm đối tượng.")
            found = rights.find(day(), code)
        elif action == "xoa":
            target = next((q for q in found if q["id"] == ident), None)
            if target is None:
                return _missed(typed, code, now)
            return _page("confirm", typed=typed, code=code, item=rights.held(day(), target, _zone()))
        elif action == "xoa_xac_nhan":
            change, _request = rights.delete(day(), code, ident, zone=_zone())
            announce(change)
            log.info("rights: a question deleted on the asker's page")
            found = rights.find(day(), code)
            if not found:
                return _page("deleted", code=code)
            done = gettext("Đã xoá câu hỏi.")
    except DomainError as error:
        if error.code == "rights.not_found":
            return _missed(typed, code, now)
        items = [rights.held(day(), q, _zone()) for q in rights.find(day(), code)]
        return _page(
            "found",
            typed=typed,
            code=code,
            items=items,
            error=messages.describe(error),
            status=STATUS.get(error.code, 400),
        )
    items = [rights.held(day(), q, _zone()) for q in found]
    return _page("found", typed=typed, code=code, items=items, done=done)


def _missed(typed: str, code: str, now: float):
    """A code that finds nothing (never sent, or deleted): counted against the address."""
    _lookups().take(_address(), now)
    return _page("none", typed=typed, code=code)  # an answer ("no such question"), as /tra-cuu gives


# ---------------------------------------------------------------- the secretariat's register


def _staff() -> tuple[str, str]:
    return forms.actor()


def _register(error: str | None = None, typed: dict | None = None, status: int = 200):
    body = render_template(
        "rights_register.html",
        screen="rights_register",
        snapshot=forms.page_info(),
        register=rights.register(day(), _zone()),
        kinds=KIND_NAMES,
        vias=VIA_NAMES,
        error=error,
        typed=typed or {},
        today=replies.local_date(day().now(), _zone()).strftime("%d/%m/%Y"),
    )
    return body, status


KIND_NAMES = {
    rules.SEE: _l("Xem dữ liệu"),
    rules.WITHDRAW: _l("Rút tên hoặc đối tượng"),
    rules.DELETE: _l("Xoá câu hỏi"),
    rules.OTHER: _l("Khác"),
}
STEP_NAMES = {
    "recorded": _l("ghi vào sổ"),
    "seen": _l("xem dữ liệu"),
    "answered": _l("đã trả lời người yêu cầu"),
    "done": _l("đánh dấu đã xong"),
    rules.SEE: _l("xem dữ liệu"),
    rules.WITHDRAW: _l("rút tên hoặc đối tượng"),
    rules.DELETE: _l("xoá câu hỏi"),
}
VIA_NAMES = {
    rules.SELF: _l("Người hỏi tự thực hiện trên trang"),
    rules.PHONE: _l("Gọi điện thoại"),
    rules.PAPER: _l("Đơn, thư giấy"),
    rules.IN_PERSON: _l("Đến trực tiếp"),
}


@bp.get("/yeu-cau-du-lieu/")
@screen("rights")
def register():
    """Every request about personal data: deadlines passed or near first."""
    return _register()


@bp.post("/yeu-cau-du-lieu/")
@screen("rights")
def record():
    """A request that came by phone, on paper or in person, recorded by the secretariat."""
    typed = {k: request.form.get(k, "")[:600] for k in ("kind", "code", "via", "received", "note")}
    role, name = _staff()
    try:
        done = rights.record(day(), typed, role=role, name=name, zone=_zone())
    except DomainError as error:
        return _register(messages.describe(error), typed, 400)
    flash(gettext("Đã ghi yêu cầu vào sổ."))
    return redirect(url_for("rights.request_page", request_id=done["id"]), code=303)


def _request_page(request_id: str, *, confirm: str | None = None, error: str | None = None, status: int = 200):
    found = rights.get_request(day(), request_id)
    if found is None:
        abort(404)
    row = next((r for r in rights.register(day(), _zone())["rows"] if r["id"] == request_id), None)
    items = [rights.held(day(), q, _zone()) for q in rights.find(day(), found.get("code"))]
    body = render_template(
        "rights_register.html",
        screen="rights_register",
        snapshot=forms.page_info(),
        one=row,
        items=items,
        confirm=next((i for i in items if i["id"] == confirm), None),
        statuses=messages.STATUS_NAMES,
        purposes=PURPOSES,
        channels=CHANNELS,
        kinds=KIND_NAMES,
        vias=VIA_NAMES,
        steps=STEP_NAMES,
        roles=ROLE_NAMES,
        rule=DELETE_RULE,
        error=error,
        typed={},
    )
    return body, status


@bp.get("/yeu-cau-du-lieu/<request_id>")
@screen("rights")
def request_page(request_id: str):
    """One request: what its code holds, and the actions the asker asked for."""
    return _request_page(request_id)


@bp.post("/yeu-cau-du-lieu/<request_id>/<action>")
@screen("rights")
def request_act(request_id: str, action: str):
    """Mark a request answered or done, or withdraw the name / delete the question on its behalf."""
    if action not in REGISTER_ACTIONS:
        abort(404)
    found = rights.get_request(day(), request_id)
    if found is None:
        abort(404)
    role, name = _staff()
    ident = request.form.get("id", "")
    try:
        if action in ("answered", "done"):
            rights.mark(day(), request_id, action, role=role, name=name)
            said = (
                gettext("Đã ghi: đã trả lời người yêu cầu.")
                if action == "answered"
                else gettext("Đã ghi: yêu cầu đã xong.")
            )
        elif action == "withdraw":
            _q, change, _r = rights.withdraw_name(
                day(), found.get("code"), ident, role=role, name=name, request_id=request_id, zone=_zone()
            )
            announce(change)
            said = gettext("Đã rút tên khỏi câu hỏi %(code)s; yêu cầu đã xong.", code=found.get("code"))
        elif action == "withdraw_group":
            _q, change, _r = rights.withdraw_name(
                day(), found.get("code"), ident, role=role, name=name, request_id=request_id, zone=_zone(),
                purpose="group",
            )  # fmt: skip
            announce(change)
            said = gettext("Đã rút đối tượng khỏi câu hỏi %(code)s; yêu cầu đã xong.", code=found.get("code"))
        else:
            if request.form.get("confirm") != "1":
                return _request_page(request_id, confirm=ident)
            change, _r = rights.delete(
                day(), found.get("code"), ident, role=role, name=name, request_id=request_id, zone=_zone()
            )
            announce(change)
            said = gettext("Đã xoá câu hỏi %(code)s; yêu cầu đã xong.", code=found.get("code"))
    except DomainError as error:
        return _request_page(request_id, error=messages.describe(error), status=STATUS.get(error.code, 400))
    flash(said)
    return redirect(url_for("rights.request_page", request_id=request_id), code=303)
