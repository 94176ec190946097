"""What each error code says to a person, in Vietnamese first (English in the catalogue)."""

from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from .errors import DomainError

FIELDS = {
    "title": _l("Tên hội nghị"),
    "organiser": _l("Cơ quan tổ chức"),
    "theme": _l("Chủ đề"),
    "date": _l("Ngày"),
    "start_time": _l("Giờ bắt đầu"),
    "venue": _l("Địa điểm"),
    "maket": _l("Maket"),
    "warning_seconds": _l("Thời gian cảnh báo (giây)"),
    "speaker_warning_seconds": _l("Cảnh báo khi phát biểu (giây)"),
    "agenda": _l("Chương trình"),
    "themes": _l("Nhóm vấn đề"),
    "departments": _l("Cơ quan trả lời"),
    "sites": _l("Điểm cầu"),
}

# the columns of the lists, as the admin page and the file name them
COLUMNS = {
    "id": _l("mã"),
    "title": _l("nội dung"),
    "minutes": _l("số phút"),
    "name": _l("tên"),
    "code": _l("mã hành chính"),
    "kind": _l("loại"),
}

SITE_KIND_NAMES = {
    "hall": _l("hội trường chính (hall)"),
    "commune": _l("xã (commune)"),
    "ward": _l("phường (ward)"),
}

MESSAGES = {
    "clock.no_items": _l("Chương trình chưa có mục nào."),
    "clock.already_running": _l("Đồng hồ đang chạy."),
    "clock.not_running": _l("Đồng hồ không chạy."),
    "clock.finished": _l("Chương trình đã kết thúc. Chọn một mục để mở lại."),
    "clock.no_next": _l("Đây là mục cuối cùng của chương trình."),
    "clock.no_previous": _l("Đây là mục đầu tiên của chương trình."),
    "clock.unknown_item": _l("Không có mục này trong chương trình."),
    "clock.already_current": _l("Mục này đang diễn ra."),
    "clock.not_started": _l("Chương trình chưa bắt đầu."),
    "clock.bad_adjust": _l("Số giây thêm hoặc bớt không hợp lệ."),
    "speaker.bad_duration": _l("Thời gian phát biểu phải từ 1 giây đến 60 phút."),
    "speaker.already_running": _l("Đồng hồ phát biểu đang chạy."),
    "speaker.not_running": _l("Đồng hồ phát biểu không chạy."),
    "conference.not_a_document": _l("Tệp không chứa một hội nghị (cần các mục title, agenda, sites…)."),
    "conference.unknown_field": _l("Trường không được hỗ trợ: %(field)s."),
    "conference.not_text": _l("%(field)s phải là chữ."),
    "conference.required": _l("Chưa nhập %(field)s."),
    "conference.too_long": _l("%(field)s dài quá %(limit)s ký tự."),
    "conference.bad_date": _l("%(field)s phải có dạng dd/mm/yyyy, ví dụ 28/08/2025."),
    "conference.bad_time": _l("%(field)s phải có dạng giờ 24h HH:MM, ví dụ 14:00."),
    "conference.bad_number": _l("%(field)s phải là số nguyên từ %(low)s đến %(high)s."),
    "conference.bad_minutes": _l("%(field)s: thời lượng phải là số phút lớn hơn 0 và không quá 600."),
    "conference.not_a_list": _l("%(field)s phải là một danh sách."),
    "conference.too_many": _l("%(field)s có quá %(limit)s dòng."),
    "conference.bad_row": _l("%(field)s, dòng %(row)s: không đúng định dạng."),
    "conference.bad_id": _l("%(field)s: mã chỉ gồm chữ không dấu, số, - và _ (tối đa 40 ký tự)."),
    "conference.duplicate_id": _l("%(field)s: mã “%(id)s” bị trùng."),
    "conference.bad_kind": _l("%(field)s phải là một trong: %(kinds)s."),
    "conference.not_utf8": _l("Tệp phải được lưu với mã UTF-8."),
    "conference.file_too_large": _l("Tệp quá lớn."),
    "conference.bad_file": _l("Tệp YAML/JSON bị lỗi cú pháp ở dòng %(line)s."),
    "conference.no_file": _l("Chưa chọn tệp để nhập."),
    "request.malformed": _l("Yêu cầu không đúng định dạng."),
    "request.unknown_field": _l("Trường không được hỗ trợ: %(field)s."),
    "request.missing_field": _l("Thiếu trường %(field)s."),
    "request.bad_field": _l("Giá trị của %(field)s không hợp lệ."),
    "request.unknown_event": _l("Thao tác không được hỗ trợ."),
    "auth.denied": _l("Bạn không có quyền thực hiện thao tác này."),
    "access.unknown_role": _l("Vai trò không tồn tại."),
    "store.conflict": _l("Dữ liệu vừa được người khác thay đổi. Vui lòng tải lại và thử lại."),
    "store.unavailable": _l("Máy chủ tạm thời không lưu được dữ liệu. Vui lòng thử lại."),
    "server.error": _l("Đã có lỗi trên máy chủ. Thao tác chưa được thực hiện; vui lòng thử lại."),
}


def field_label(path: str) -> str:
    """``agenda[3].minutes`` → "Chương trình, dòng 3, minutes" for a person to find it."""
    head, _, rest = path.partition("[")
    label = str(FIELDS.get(head, head))
    if rest:
        row, _, sub = rest.partition("]")
        label = gettext("%(list)s, dòng %(row)s", list=label, row=row)
        if sub.startswith("."):
            label += f", {COLUMNS.get(sub[1:], sub[1:])}"
    return label


def describe(error: DomainError) -> str:
    """The sentence a person reads for ``error``."""
    template = MESSAGES.get(error.code)
    if template is None:
        return gettext("Thao tác không thực hiện được (%(code)s).", code=error.code)
    params = dict(error.params)
    if "field" in params:
        params["field"] = field_label(str(params["field"]))
    if "kinds" in params:
        params["kinds"] = ", ".join(str(SITE_KIND_NAMES.get(k.strip(), k)) for k in str(params["kinds"]).split(","))
    try:
        return str(template) % params if params else str(template)
    except (KeyError, TypeError, ValueError):
        return str(template)


def reply(error: DomainError) -> dict:
    """The acknowledgement a client gets for a refused action: code, params, and the sentence."""
    return {**error.as_dict(), "message": describe(error)}
