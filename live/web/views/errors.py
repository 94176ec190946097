"""Error pages in the visitor's language: no stack trace, no version string, ever."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from live.core.errors import StoreUnavailable

log = logging.getLogger("live.http")


def _wants_json() -> bool:
    return request.path.startswith(("/api/", "/healthz")) or request.accept_mimetypes.best == "application/json"


def _respond(code: int, heading: str, message: str):
    if _wants_json():
        return jsonify({"ok": False, "code": f"http.{code}", "message": message}), code
    return render_template("error.html", code=code, heading=heading, message=message), code


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        log.warning("csrf refused path=%s", request.path)
        return _respond(400, _("Phiên làm việc đã hết hạn"), _("Vui lòng tải lại trang rồi thử lại."))

    @app.errorhandler(StoreUnavailable)
    def store_unavailable(error):
        return _respond(
            503,
            _("Máy chủ tạm thời gián đoạn"),
            _("Máy chủ tạm thời không đọc hoặc lưu được dữ liệu. Vui lòng thử lại sau ít giây."),
        )

    @app.errorhandler(HTTPException)
    def http_error(error):
        texts = {
            400: (_("Yêu cầu không hợp lệ"), _("Máy chủ không hiểu yêu cầu này.")),
            403: (
                _("Không có quyền truy cập"),
                _("Màn hình này chỉ mở được bằng liên kết riêng hoặc mã PIN còn hiệu lực. Hãy hỏi quản trị viên."),
            ),
            404: (_("Không tìm thấy"), _("Địa chỉ này không tồn tại hoặc liên kết đã được thay mới.")),
            405: (_("Thao tác không được hỗ trợ"), _("Địa chỉ này không nhận thao tác đó.")),
            413: (_("Tệp quá lớn"), _("Tệp gửi lên vượt quá giới hạn cho phép.")),
        }
        heading, message = texts.get(error.code, (_("Có lỗi"), _("Yêu cầu không thực hiện được.")))
        return _respond(error.code or 500, heading, message)

    @app.errorhandler(Exception)
    def server_error(error):
        log.exception("unhandled error path=%s", request.path)
        return _respond(500, _("Lỗi máy chủ"), _("Đã có lỗi trên máy chủ. Vui lòng thử lại sau ít phút."))
