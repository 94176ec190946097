"""Languages: Vietnamese by default, English on request; dd/mm/yyyy and 24-hour time."""

from __future__ import annotations

from flask import Flask, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

LANGUAGES = {"vi": "Tiếng Việt", "en": "English"}
COOKIE = "live_lang"

ROLE_NAMES = {
    "admin": _l("Quản trị"),
    "moderator": _l("Tổ thư ký"),
    "mc": _l("Người dẫn chương trình (MC)"),
    "chair": _l("Chủ tịch"),
    "projector": _l("Màn hình trình chiếu"),
    "site": _l("Màn hình điểm cầu"),
    "qr-sheet": _l("Bảng mã QR để in"),
    "department": _l("Cơ quan trả lời"),  # not a role with a link: a department writes through its own
    "system": _l("Hệ thống (tự động)"),  # not a role with a link: the purge by `live purge` or the server's task
    "asker": _l("Người hỏi (bằng mã theo dõi)"),  # not a role with a link: the asker's own page (/du-lieu-cua-toi)
}


def select_locale() -> str:
    """The language the visitor chose (cookie), else Vietnamese."""
    chosen = request.cookies.get(COOKIE) if request else None
    return chosen if chosen in LANGUAGES else "vi"


def js_strings() -> dict[str, str]:
    """The sentences the screens' scripts show, in the visitor's language."""
    return {
        "connected": _("Đã kết nối"),
        "reconnecting": _("Mất kết nối — đang kết nối lại…"),
        "timeout": _("Máy chủ chưa trả lời. Vui lòng thử lại."),
        "failed": _("Thao tác không thực hiện được."),
        "not_started": _("Chương trình chưa bắt đầu"),
        "finished": _("Chương trình đã kết thúc"),
        "item_of": _("Mục {i}/{n}"),
        "status_idle": _("Chưa bắt đầu"),
        "status_running": _("Đang chạy"),
        "status_paused": _("Đang tạm dừng"),
        "status_finished": _("Đã kết thúc"),
        "overrun": _("Quá giờ"),
        "warning": _("Sắp hết giờ"),
        "planned": _("Thời lượng: {d}"),
        "minutes": _("{n} phút"),
        "on_time": _("Đúng kế hoạch"),
        "behind": _("Chậm {n} phút so với kế hoạch"),
        "ahead": _("Sớm {n} phút so với kế hoạch"),
        "start": _("Bắt đầu"),
        "pause": _("Tạm dừng"),
        "resume": _("Tiếp tục"),
        "stop": _("Dừng"),
        "confirm_jump": _("Chuyển sang mục “{t}”?"),
        "confirm_finish": _("Kết thúc chương trình?"),
        "actual": _("thực tế {d}"),
    }


def init_app(app: Flask) -> None:
    @app.context_processor
    def languages():
        return {
            "languages": LANGUAGES,
            "current_language": select_locale(),
            "js_strings": js_strings,
            "role_names": ROLE_NAMES,
        }
