"""What each error code says to a person, in Vietnamese first (English in the catalogue)."""

from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from live.core.errors import DomainError

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

STATUS_NAMES = {
    "received": _l("đã nhận"),
    "approved": _l("đã duyệt"),
    "rejected": _l("từ chối"),
    "merged": _l("đã gộp"),
    "on_screen": _l("đang trình chiếu"),
    "answered": _l("đã trả lời"),
    "forwarded": _l("chuyển trả lời bằng văn bản"),
}

ACTION_NAMES = {
    "approve": _l("Duyệt"),
    "reject": _l("Từ chối"),
    "merge": _l("Gộp câu hỏi trùng"),
    "reopen": _l("Mở lại"),
    "edit": _l("Sửa nội dung"),
    "assign": _l("Phân nhóm vấn đề, cơ quan trả lời"),
    "note": _l("Ghi chú cho Chủ tịch"),
    "order": _l("Xếp thứ tự"),
    "show": _l("Trình chiếu"),
    "hide": _l("Tắt trình chiếu"),
    "answer": _l("Đã trả lời tại hội nghị"),
    "forward": _l("Chuyển trả lời bằng văn bản"),
    "summarize": _l("Tóm tắt nội dung trả lời"),
    "route": _l("Đổi cơ quan hoặc hạn trả lời"),
    "reply": _l("Gửi văn bản trả lời"),
    "publish": _l("Duyệt công bố trả lời"),
    "send_back": _l("Trả lại cơ quan để sửa"),
    "withdraw": _l("Gỡ công bố trả lời"),
    "publish_summary": _l("Công bố tóm tắt trả lời cho người hỏi"),
    "withdraw_summary": _l("Thu hồi tóm tắt trả lời đã công bố"),
    "prepare": _l("Giao cơ quan chuẩn bị trả lời"),
    "draft": _l("Gửi trả lời chuẩn bị"),
    "review": _l("Duyệt trả lời chuẩn bị"),
    "script": _l("Chọn vào kịch bản"),
    "delete": _l("Xoá câu hỏi theo yêu cầu của người hỏi"),  # live/services/rights.py
    "withdraw_name": _l("Rút tên theo yêu cầu của người hỏi"),  # live/services/rights.py
    "withdraw_group": _l("Rút đối tượng theo yêu cầu của người hỏi"),
    "purge": _l("Xoá dữ liệu cá nhân hết hạn"),  # live/services/retention.py
    "import": _l("Nhập danh sách câu hỏi của chi đoàn"),  # live/services/branches.py
    # live/services/bulk.py: one audit entry for many questions
    "bulk_approve": _l("Duyệt nhiều câu hỏi"),
    "bulk_reject": _l("Từ chối nhiều câu hỏi"),
    "bulk_assign": _l("Phân nhóm vấn đề, cơ quan trả lời cho nhiều câu hỏi"),
    "bulk_prepare": _l("Giao chuẩn bị trả lời cho nhiều câu hỏi"),
    "bulk_merge": _l("Gộp nhiều câu hỏi vào một"),
    "bulk_undo": _l("Hoàn tác thao tác trên nhiều câu hỏi"),
}

# the fields of a question as the audit log names them
QUESTION_FIELDS = {
    "status": _l("trạng thái"),
    "text": _l("nội dung"),
    "original_text": _l("nội dung gốc"),
    "theme": _l("nhóm vấn đề"),
    "department": _l("cơ quan trả lời"),
    "notes": _l("ghi chú"),
    "rank": _l("thứ tự"),
    "reason": _l("lý do"),
    "merged_into": _l("gộp vào"),
    "origins": _l("nơi hỏi"),
    "shown_at": _l("giờ trình chiếu"),
    "answered_at": _l("giờ trả lời"),
    "forwarded_at": _l("giờ chuyển"),
    "deadline": _l("hạn trả lời"),
    "summary": _l("tóm tắt trả lời"),
    "summary_published_at": _l("giờ công bố tóm tắt trả lời"),
    "reply_text": _l("nội dung trả lời"),
    "reply_state": _l("trạng thái trả lời"),
    "reply_at": _l("giờ gửi trả lời"),
    "reply_by": _l("cơ quan gửi trả lời"),
    "reply_note": _l("ý kiến trả lại"),
    "published_at": _l("giờ công bố"),
    "prep_department": _l("cơ quan chuẩn bị"),
    "prep_due": _l("hạn chuẩn bị"),
    "prep_state": _l("trạng thái chuẩn bị"),
    "prep_text": _l("trả lời chuẩn bị"),
    "prep_at": _l("giờ gửi trả lời chuẩn bị"),
    "prep_note": _l("ý kiến về trả lời chuẩn bị"),
    "prep_written": _l("đề nghị trả lời bằng văn bản"),
    "prep_assigned_at": _l("giờ giao chuẩn bị"),
    "script": _l("trong kịch bản"),
    "purged": _l("số câu hỏi đã xoá dữ liệu người hỏi"),  # a purge's audit entry
    "imported": _l("số câu hỏi mới đã nhập"),  # a branch list's audit entry
    "existing": _l("số câu đã có từ trước"),
}

REPLY_STATE_NAMES = {
    "submitted": _l("chờ duyệt"),
    "published": _l("đã công bố"),
    "returned": _l("trả lại để sửa"),
}

PREP_STATE_NAMES = {  # a prepared answer's state (live/core/questions.py)
    "assigned": _l("chưa chuẩn bị"),
    "prepared": _l("đã gửi, chờ duyệt"),
    "written": _l("đề nghị trả lời bằng văn bản"),
    "accepted": _l("đã được chấp nhận"),
    "returned": _l("trả lại để sửa"),
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
    # the sites file (live/formats/sitefile.py): rows and columns as the person sees them in Excel
    "sites.no_file": _l("Chưa chọn tệp danh sách điểm cầu."),
    "sites.too_large": _l("Tệp danh sách điểm cầu quá lớn (tối đa %(limit)s MB)."),
    "sites.empty_file": _l("Tệp danh sách điểm cầu không có dữ liệu."),
    "sites.bad_type": _l("Danh sách điểm cầu phải là tệp Excel (.xlsx) hoặc CSV (.csv)."),
    "sites.old_excel": _l(
        "Tệp Excel 97–2003 (.xls) không đọc được: trong Excel chọn Lưu thành (Save As) → Sổ làm việc Excel (.xlsx) rồi nhập lại."
    ),
    "sites.bad_xlsx": _l("Không đọc được tệp Excel: tệp bị hỏng hoặc không phải tệp .xlsx."),
    "sites.not_utf8": _l(
        "Tệp CSV phải được lưu với mã UTF-8: trong Excel chọn Lưu thành (Save As) → CSV UTF-8 (Comma delimited), hoặc nhập tệp .xlsx."
    ),
    "sites.bad_csv": _l("Tệp CSV bị lỗi định dạng ở dòng %(row)s."),
    "sites.no_name_column": _l(
        "Dòng %(row)s: không tìm thấy cột tên điểm cầu. Dòng tiêu đề cần các cột: mã, mã hành chính, tên điểm cầu, loại."
    ),
    "sites.unknown_column": _l(
        "Dòng %(row)s, cột %(column)s: tiêu đề “%(value)s” không được hỗ trợ. Các cột dùng được: mã, mã hành chính, tên điểm cầu, loại (cột STT và Ghi chú được bỏ qua)."
    ),
    "sites.duplicate_column": _l("Dòng %(row)s, cột %(column)s: cột “%(value)s” bị lặp lại."),
    "sites.stray_cell": _l(
        "Dòng %(row)s, cột %(column)s: có dữ liệu ở cột không có tiêu đề. Thêm tiêu đề cho cột, hoặc đặt tên có dấu phẩy trong dấu ngoặc kép."
    ),
    "sites.empty_name": _l("Dòng %(row)s, cột %(column)s: chưa có tên điểm cầu."),
    "sites.too_long": _l("Dòng %(row)s, cột %(column)s: dài quá %(limit)s ký tự."),
    "sites.bad_id": _l(
        "Dòng %(row)s, cột %(column)s: mã “%(value)s” chỉ được gồm chữ không dấu, số, - và _ (tối đa 40 ký tự)."
    ),
    "sites.bad_kind": _l(
        "Dòng %(row)s, cột %(column)s: loại “%(value)s” không hợp lệ; dùng hội trường, xã hoặc phường."
    ),
    "sites.duplicate_id": _l("Dòng %(row)s: mã “%(value)s” trùng với dòng %(first)s."),
    "sites.duplicate_code": _l("Dòng %(row)s: mã hành chính “%(value)s” trùng với dòng %(first)s."),
    "sites.formula_error": _l("Dòng %(row)s, cột %(column)s: ô có lỗi công thức (%(value)s)."),
    "sites.date_cell": _l(
        "Dòng %(row)s, cột %(column)s: Excel đã đổi giá trị thành ngày tháng; định dạng cột là Văn bản (Text) rồi gõ lại."
    ),
    "sites.too_many": _l("Dòng %(row)s: danh sách có quá %(limit)s điểm cầu."),
    "sites.no_rows": _l("Tệp không có điểm cầu nào: các điểm cầu bắt đầu từ dòng %(row)s, ngay dưới dòng tiêu đề."),
    # the branches' lists (live/formats/branchfile.py); a row's problem is shown after "Dòng N:"
    "branches.no_file": _l("Chưa chọn tệp danh sách câu hỏi."),
    "branches.too_large": _l("Tệp danh sách câu hỏi quá lớn (tối đa %(limit)s MB)."),
    "branches.empty_file": _l("Tệp danh sách câu hỏi không có dữ liệu."),
    "branches.bad_type": _l("Danh sách câu hỏi phải là tệp Excel (.xlsx) hoặc CSV (.csv)."),
    "branches.old_excel": _l(
        "Tệp Excel 97–2003 (.xls) không đọc được: trong Excel chọn Lưu thành (Save As) → Sổ làm việc Excel (.xlsx) rồi nhập lại."
    ),
    "branches.bad_xlsx": _l("Không đọc được tệp Excel: tệp bị hỏng hoặc không phải tệp .xlsx."),
    "branches.not_utf8": _l(
        "Tệp CSV phải được lưu với mã UTF-8: trong Excel chọn Lưu thành (Save As) → CSV UTF-8 (Comma delimited), hoặc nhập tệp .xlsx."
    ),
    "branches.bad_csv": _l("Tệp CSV bị lỗi định dạng ở dòng %(row)s."),
    "branches.no_text_column": _l(
        "Dòng %(row)s: không tìm thấy cột nội dung câu hỏi. Hãy dùng tệp mẫu: xã/phường, chi đoàn / đơn vị, nội dung câu hỏi, họ tên, đối tượng, nhóm vấn đề."
    ),
    "branches.missing_column": _l("Dòng %(row)s: thiếu cột “%(column)s”. Hãy dùng tệp mẫu."),
    "branches.unknown_column": _l(
        "Dòng %(row)s, cột %(column)s: tiêu đề “%(value)s” không được hỗ trợ. Hãy dùng các cột của tệp mẫu (cột STT và Ghi chú được bỏ qua)."
    ),
    "branches.duplicate_column": _l("Dòng %(row)s, cột %(column)s: cột “%(value)s” bị lặp lại."),
    "branches.too_many": _l("Dòng %(row)s: một tệp có tối đa %(limit)s câu hỏi; hãy chia thành nhiều tệp."),
    "branches.no_rows": _l("Tệp không có câu hỏi nào: các câu hỏi bắt đầu từ dòng %(row)s, ngay dưới dòng tiêu đề."),
    "branches.stray_cell": _l(
        "cột %(column)s có dữ liệu nhưng không có tiêu đề. Thêm tiêu đề cho cột, hoặc đặt nội dung có dấu phẩy trong dấu ngoặc kép."
    ),
    "branches.empty_cell": _l("cột %(column)s còn trống."),
    "branches.too_long": _l("cột %(column)s dài quá %(limit)s ký tự."),
    "branches.formula_error": _l("cột %(column)s: ô có lỗi công thức (%(value)s)."),
    "branches.date_cell": _l(
        "cột %(column)s: Excel đã đổi giá trị thành ngày tháng; định dạng cột là Văn bản (Text) rồi gõ lại."
    ),
    "branches.unknown_commune": _l("xã/phường “%(value)s” không có trong danh sách điểm cầu của hội nghị."),
    "branches.ambiguous_commune": _l("“%(value)s” trùng tên với nhiều điểm cầu; hãy ghi mã điểm cầu."),
    "branches.unknown_group": _l("đối tượng “%(value)s” không có trong danh sách đối tượng thanh niên."),
    "branches.sensitive_group": _l(
        "“%(value)s” là dữ liệu cá nhân nhạy cảm, không được thu thập; hãy xoá ô này hoặc chọn một đối tượng trong danh sách."
    ),
    "branches.unknown_theme": _l("nhóm vấn đề “%(value)s” không có trong hội nghị."),
    "question.empty": _l("Bạn chưa nhập câu hỏi."),
    "question.malformed": _l("Câu hỏi gửi lên không đúng định dạng. Vui lòng tải lại trang và gửi lại."),
    "question.too_long": _l("Câu hỏi dài quá %(limit)s ký tự. Vui lòng rút gọn."),
    "question.no_letters": _l("Câu hỏi cần có chữ hoặc số."),
    "question.name_too_long": _l("Họ tên dài quá %(limit)s ký tự."),
    "question.unknown_field": _l("Trường không được hỗ trợ: %(field)s."),
    "question.bad_id": _l("Mã câu hỏi do điện thoại tạo không hợp lệ. Vui lòng tải lại trang và gửi lại."),
    "question.unknown_site": _l("Điểm cầu không có trong hội nghị. Vui lòng quét lại mã QR của điểm cầu."),
    "question.unknown_group": _l("Đối tượng thanh niên không có trong danh sách."),
    "question.bad_consent": _l("Lựa chọn đồng ý gửi lên không đúng định dạng. Vui lòng tải lại trang và gửi lại."),
    "question.unknown_theme": _l("Nhóm vấn đề không có trong danh sách."),
    "question.unknown_language": _l("Ngôn ngữ hỏi không có trong danh sách."),
    "question.original_too_long": _l("Lời gốc của bạn trẻ dài quá %(limit)s ký tự. Vui lòng rút gọn."),
    "question.bad_channel": _l("Cần chọn câu hỏi nhận qua phiếu giấy hay phát biểu trực tiếp."),
    "question.bad_department": _l("Cơ quan trả lời không có trong danh sách."),
    "question.unknown_action": _l("Thao tác không được hỗ trợ."),
    "question.bad_argument": _l("Thao tác không nhận tham số này."),
    "question.conflict": _l(
        "Câu hỏi vừa được người khác thay đổi. Màn hình đã cập nhật; vui lòng xem lại rồi thao tác lại."
    ),
    "question.bad_transition": _l("Không thể thực hiện thao tác này với câu hỏi ở trạng thái hiện tại."),
    "question.bad_reason": _l("Cần chọn lý do từ chối."),
    "question.bad_merge": _l("Không thể gộp câu hỏi này vào câu hỏi đã chọn."),
    "question.not_found": _l("Không tìm thấy câu hỏi."),
    "retention.bad_days": _l("Thời hạn lưu phải là số ngày nguyên từ %(low)s đến %(high)s."),
    # the question window (live/core/window.py); window.over is question.window_closed with no period to come
    "question.window_closed": _l(
        "Hội nghị chưa nhận câu hỏi lúc này: câu hỏi được nhận từ %(opens)s. Câu hỏi chưa được gửi."
    ),
    "window.over": _l("Đã hết thời gian nhận câu hỏi của hội nghị. Câu hỏi chưa được gửi."),
    "window.bad_line": _l(
        "Dòng %(line)s: cần viết “dd/mm/yyyy HH:MM - dd/mm/yyyy HH:MM”, ví dụ 20/05/2026 08:00 - 19/06/2026 16:00."
    ),
    "window.bad_time": _l("Dòng %(line)s: ngày hoặc giờ không có thật."),
    "window.end_before_start": _l("Dòng %(line)s: thời điểm đóng phải sau thời điểm mở."),
    "window.overlap": _l("Dòng %(line)s: trùng thời gian với dòng %(other)s."),
    "window.too_many": _l("Tối đa %(limit)s khoảng thời gian."),
    # the word lists (live/core/wordlist.py); %(tier)s names the list: "Từ cấm", "Từ cần xem", "Từ được phép"
    "wordlist.malformed": _l("Danh sách từ khoá gửi lên không đúng định dạng. Vui lòng tải lại trang."),
    "wordlist.too_long": _l("%(tier)s, dòng %(line)s: mỗi mục tối đa %(limit)s ký tự."),
    "wordlist.too_many_words": _l("%(tier)s, dòng %(line)s: mỗi mục tối đa %(limit)s từ."),
    "wordlist.no_letters": _l("%(tier)s, dòng %(line)s: mục này không có chữ cái hay chữ số nào."),
    "wordlist.too_many": _l("%(tier)s: tối đa %(limit)s mục."),
    "participation.bad_number": _l(
        "“%(category)s” phải là một số nguyên từ 0 đến 100000, hoặc để trống nếu không đếm."
    ),
    "participation.more_than_total": _l("“%(category)s” không thể lớn hơn tổng số thanh niên dự."),
    "question.deleted": _l("Câu hỏi này đã được xoá theo yêu cầu; không gửi lại."),
    "question.bad_version": _l("Thiếu phiên bản câu hỏi bạn đang xem. Vui lòng tải lại trang."),
    "question.bad_order": _l("Không thể xếp câu hỏi sau một câu chưa có trong hàng đợi."),
    "question.bad_notes": _l("Ghi chú cho Chủ tịch phải là chữ, tối đa %(limit)s ký tự."),
    "question.bad_deadline": _l("Hạn trả lời phải là một ngày, viết dd/mm/yyyy."),
    "question.bad_summary": _l("Tóm tắt trả lời phải là chữ, tối đa %(limit)s ký tự."),
    "question.bad_reply": _l("Cần nhập nội dung trả lời, tối đa %(limit)s ký tự."),
    "question.bad_note": _l("Cần ghi lý do trả lại, tối đa %(limit)s ký tự."),
    "question.not_your_department": _l("Câu hỏi này không giao cho cơ quan của bạn trả lời."),
    "question.bad_due": _l("Hạn chuẩn bị phải là một ngày, viết dd/mm/yyyy."),
    "question.bad_prepared": _l("Cần nhập nội dung trả lời chuẩn bị, tối đa %(limit)s ký tự."),
    "question.prep_state": _l("Câu hỏi này chưa có trả lời chuẩn bị để duyệt."),
    "question.reply_state": _l("Không thể thực hiện thao tác này với văn bản trả lời ở trạng thái hiện tại."),
    "question.no_summary": _l("Cần viết tóm tắt trả lời trước khi công bố cho người hỏi."),
    "question.summary_state": _l(
        "Tóm tắt trả lời này đã ở trạng thái đó (đã công bố hoặc đã thu hồi). Vui lòng tải lại trang."
    ),
    "bulk.bad_items": _l("Cần chọn từ 1 đến %(limit)s câu hỏi, mỗi câu một lần. Vui lòng tải lại trang."),
    "bulk.undo_gone": _l("Không còn thao tác này để hoàn tác."),
    "bulk.undo_expired": _l("Chỉ hoàn tác được trong %(seconds)s giây sau thao tác."),
    "limit.device": _l("Bạn gửi hơi nhanh. Câu hỏi sẽ được gửi lại tự động sau %(retry_after)s giây."),
    "limit.site": _l("Điểm cầu đang gửi rất nhiều câu hỏi. Câu hỏi sẽ được gửi lại tự động sau %(retry_after)s giây."),
    "limit.address": _l(
        "Mạng này đang gửi rất nhiều câu hỏi. Câu hỏi sẽ được gửi lại tự động sau %(retry_after)s giây."
    ),
    "auth.device": _l("Trình duyệt chưa có mã thiết bị. Vui lòng tải lại trang."),
    "auth.unknown_site": _l("Điểm cầu không có trong hội nghị."),
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
    # ---- the bridge points' floor (live/core/floor.py)
    "floor.already_requested": _l("Điểm cầu này đã xin phát biểu và đang chờ MC mời."),
    "floor.already_holding": _l("Điểm cầu này đang phát biểu."),
    "floor.not_requested": _l("Điểm cầu này không có trong danh sách xin phát biểu."),
    "floor.nobody": _l("Hiện không có điểm cầu nào đang phát biểu."),
    "floor.queue_full": _l("Danh sách xin phát biểu đã có %(limit)s điểm cầu. Vui lòng chờ MC mời bớt."),
    "floor.unknown_site": _l("Không có điểm cầu này trong hội nghị."),
    # ---- end of the floor
    # ---- QR codes of the sites (live/formats/qr.py)
    "qr.bad_url": _l("Địa chỉ công khai của máy chủ không hợp lệ; cần dạng http://192.168.1.10:5000."),
    "qr.local_url": _l("Địa chỉ %(host)s là địa chỉ nội bộ của máy chủ: điện thoại không mở được."),
    "qr.bad_size": _l("Kích thước mã QR không hợp lệ."),
    # ---- end of the QR codes
    # ---- PINs per role (live/core/pins.py)
    "pin.format": _l("Mã PIN gồm từ %(min)s đến %(max)s chữ số."),
    "pin.mismatch": _l("Hai lần nhập mã PIN không giống nhau. Vui lòng nhập lại."),
    "pin.too_simple": _l("Mã PIN quá dễ đoán (một chữ số lặp lại hoặc dãy số liên tiếp). Vui lòng chọn mã khác."),
    "pin.refused": _l("Mã PIN không đúng, hoặc vai trò này chưa được đặt mã PIN."),
    "pin.locked": _l(
        "Đăng nhập bằng mã PIN cho vai trò %(role)s đang tạm khóa vì nhập sai nhiều lần. Mở lại lúc %(until)s."
    ),
    "pin.locked_address": _l(
        "Thiết bị này đã nhập sai mã PIN nhiều lần nên tạm thời không đăng nhập được. Mở lại lúc %(until)s."
    ),
    # ---- end of the PINs
    # ---- the asker's rights and the register of requests (live/core/rights.py)
    "rights.not_found": _l("Không có câu hỏi nào với mã theo dõi này."),
    "rights.answered": _l(
        "Câu hỏi đã được trình chiếu, trả lời hoặc chuyển trả lời nên không xoá được; bạn vẫn có thể rút tên."
    ),
    "rights.no_name": _l("Câu hỏi này không lưu họ tên nào."),
    "rights.no_group": _l("Câu hỏi này không lưu đối tượng nào."),
    "rights.bad_kind": _l("Cần chọn loại yêu cầu."),
    "rights.bad_via": _l("Cần chọn yêu cầu nhận qua điện thoại, đơn giấy hay trực tiếp."),
    "rights.bad_code": _l("Mã theo dõi gồm 6 chữ cái và chữ số, ví dụ K7Q2MX."),
    "rights.code_required": _l("Cần nhập mã theo dõi của câu hỏi (chỉ yêu cầu “Khác” mới bỏ trống được)."),
    "rights.bad_date": _l("Ngày nhận phải có dạng dd/mm/yyyy, không sau hôm nay và không quá một năm trước."),
    "rights.bad_note": _l("Ghi chú dài quá %(limit)s ký tự."),
    "rights.no_request": _l("Không tìm thấy yêu cầu này trong sổ."),
    "rights.bad_action": _l("Thao tác không được hỗ trợ."),
    # ---- end of the asker's rights
    # ---- me too (live/services/supports.py): the same sentence for an unknown and an unapproved question
    "support.closed": _l("Câu hỏi này chưa mở để cùng hỏi."),
    "support.off": _l("Ban tổ chức đã tắt chức năng “Tôi cũng muốn hỏi”."),
    "support.limit": _l("Bạn bấm hơi nhanh. Lượt cùng hỏi sẽ được gửi lại tự động sau %(retry_after)s giây."),
    # ---- end of me too
    # ---- a rehearsal (live/services/rehearsal.py)
    "rehearsal.running": _l("Buổi tập dượt đang diễn ra. Hãy kết thúc hoặc xoá buổi tập dượt này trước."),
    "rehearsal.not_running": _l("Không có buổi tập dượt nào đang diễn ra."),
    "rehearsal.unconfirmed": _l("Hãy đánh dấu ô xác nhận trước khi xoá dữ liệu tập dượt."),
    # ---- end of the rehearsal
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
    if error.code == "question.window_closed" and "opens" not in error.params:
        template = MESSAGES["window.over"]  # no period to come: the dialogue no longer takes questions
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


# refusals a client should try again later, not show as final: it keeps what it was sending
RETRYABLE = {"limit.device", "limit.site", "limit.address", "support.limit", "store.unavailable", "server.error"}


def reply(error: DomainError) -> dict:
    """The acknowledgement a client gets for a refused action: code, params, and the sentence."""
    answer = {**error.as_dict(), "message": describe(error)}
    if error.code in RETRYABLE:
        answer["retry"] = True
        if "retry_after" in error.params:
            answer["retry_after"] = error.params["retry_after"]
    return answer
