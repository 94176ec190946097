"""The record of the day: the tables (every question, per site, per theme, the agenda, the audit
log), the XLSX and CSV files read back, and the reports page of a real server where the
secretariat downloads them and writes the summaries of the answers given on the spot."""

from __future__ import annotations

import csv
import io
import re
import zipfile

import docx
import openpyxl
import pytest
import requests
from afterday import FORMULA, XML_FORBIDDEN, hostile_strings, ooxml_unescape, play_a_morning, qid, scripted_day

from live.core import questions
from live.core.errors import DomainError
from live.formats import exports
from live.services import demo
from live.web import report

TEXT = {"s", "inlineStr"}  # a string cell as openpyxl reads it back (an empty one is inline)
SHEETS = ["Câu hỏi", "Theo điểm cầu", "Theo nhóm vấn đề", "Chương trình", "Nhật ký thao tác"]


@pytest.fixture
def story(tmp_path):
    return scripted_day(tmp_path)


def tables_of(story) -> list[report.Table]:
    day = story.day
    return report.day_tables(day.conference(), day.desk.all(), day.desk.audit(), day.agenda_report())


def by_code(table: report.Table) -> dict[str, dict[str, object]]:
    return {row[0]: dict(zip(table.headers, row, strict=True)) for row in table.rows}


def read_xlsx(body: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(body))


def read_csv(body: bytes) -> list[list[str]]:
    assert body.startswith("\ufeff".encode())  # the BOM: Excel opens it as UTF-8
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


# ---------------------------------------------------------------- the tables


def test_every_question_is_a_row_with_its_origin_its_path_and_its_history(story):
    rows = by_code(tables_of(story)[0])
    q = {name: story.fresh(name) for name in story.q}
    assert len(rows) == 7
    scholarship = rows[q["scholarship"]["code"]]
    assert {k: scholarship[k] for k in list(scholarship)[:10]} == {
        "Mã theo dõi": q["scholarship"]["code"],
        "Mã điểm cầu": "1304",
        "Điểm cầu": "Xã Quảng Lâm",
        "Kênh": "Gửi qua mã QR",
        "Nhóm thanh niên": "Học sinh, sinh viên",
        "Người hỏi": "Nông Thị Hoa",
        "Nhóm vấn đề": "Giáo dục, đào tạo nghề và học bổng",
        "Cơ quan trả lời": "Sở Giáo dục và Đào tạo",
        "Trạng thái": "đã trả lời",
        "Lý do từ chối": "",
    }
    # the consent the controller must be able to show: each purpose, the notice version, the time
    assert scholarship["Sự đồng ý của người hỏi"] == (
        "họ tên: phiên bản 1, 28/08/2025 08:00:00; đối tượng: phiên bản 1, 28/08/2025 08:00:00"
    )
    assert scholarship["Nhận lúc"] == "28/08/2025 08:00:00"
    assert scholarship["Trình chiếu lúc"] == "28/08/2025 08:21:00"
    assert scholarship["Trả lời lúc"] == "28/08/2025 08:24:00"
    assert scholarship["Câu hỏi trùng đã gộp"] == f"{q['scholarship_again']['code']} (Phường Thục Phán)"
    assert scholarship["Tóm tắt trả lời"] == q["scholarship"]["summary"]
    history = scholarship["Lịch sử xử lý"].split("\n")
    assert history[0].startswith("28/08/2025 08:21:00 — Phân nhóm vấn đề, cơ quan trả lời — Tổ thư ký (Lan)")
    assert [line.split(" — ")[1] for line in history] == [
        "Phân nhóm vấn đề, cơ quan trả lời",
        "Duyệt",
        "Trình chiếu",
        "Đã trả lời tại hội nghị",
        "Tóm tắt nội dung trả lời",
    ]
    assert "Người dẫn chương trình (MC)" in history[2] and "1756" not in scholarship["Lịch sử xử lý"]

    duplicate = rows[q["scholarship_again"]["code"]]
    assert duplicate["Trạng thái"] == "đã gộp" and duplicate["Gộp vào câu hỏi"] == q["scholarship"]["code"]
    assert duplicate["Kênh"] == "Phiếu giấy" and duplicate["Nhóm thanh niên"] == "Thanh niên chưa có việc làm"
    assert q["scholarship"]["code"] in duplicate["Lịch sử xử lý"]  # "gộp vào: <code>", not an id

    loan = rows[q["loan"]["code"]]
    assert loan["Kênh"] == "Phát biểu trực tiếp" and loan["Người hỏi"] == "Ẩn danh"
    assert loan["Trạng thái"] == "chuyển trả lời bằng văn bản"
    assert loan["Cơ quan trả lời"] == "Ngân hàng Chính sách xã hội tỉnh" and loan["Hạn trả lời"] == "15/09/2025"
    assert loan["Chuyển văn bản lúc"] == "28/08/2025 08:27:00" and loan["Nội dung"] == q["loan"]["text"]

    formula = rows[q["formula"]["code"]]
    assert formula["Trạng thái"] == "từ chối" and formula["Lý do từ chối"] == "Không phù hợp"
    assert formula["Nội dung"].startswith("=HYPERLINK(") and formula["Người hỏi"] == "@SUM(A1)"
    assert rows[q["waiting"]["code"]]["Trạng thái"] == "đã nhận"


def test_statistics_per_site_and_per_theme_add_up(story):
    _questions, sites, themes, _agenda, _audit = tables_of(story)
    per_site = {row[1]: row[2:] for row in sites.rows}
    conference = story.day.conference()
    assert len(sites.rows) == len(conference["sites"]) + 1  # every bridge point, 0 included, then the total
    #                                received, approved, on the spot, forwarded, rejected, merged, waiting
    assert per_site["Xã Quảng Lâm"] == [2, 2, 1, 0, 0, 0, 0]
    assert per_site["Phường Nùng Trí Cao"] == [2, 1, 1, 0, 1, 0, 0]
    assert per_site["Phường Thục Phán"] == [1, 0, 0, 0, 0, 1, 0]
    assert per_site["Trung tâm Hội nghị tỉnh (điểm cầu chính)"] == [1, 1, 0, 1, 0, 0, 0]
    assert per_site["Xã Nam Quang"] == [1, 0, 0, 0, 0, 0, 1]
    assert per_site["Phường Tân Giang"] == [0] * 7
    assert sites.rows[-1][:2] == ["", "Tổng cộng"] and per_site["Tổng cộng"] == [7, 4, 2, 1, 1, 1, 1]
    columns = list(zip(*(row[2:] for row in sites.rows[:-1]), strict=True))
    assert [sum(c) for c in columns] == per_site["Tổng cộng"]
    received, approved, _spot, _fwd, rejected, merged, waiting = per_site["Tổng cộng"]
    assert received == approved + rejected + merged + waiting

    per_theme = {row[0]: row[1:] for row in themes.rows}
    assert list(per_theme)[:6] == [t["name"] for t in conference["themes"]]
    assert per_theme["Việc làm, khởi nghiệp và vốn vay"] == [2, 2, 1, 1, 0, 0, 0]
    assert per_theme["Chưa xếp nhóm"] == [3, 0, 0, 0, 1, 1, 1]
    assert per_theme["Tổng cộng"] == per_site["Tổng cộng"]


def test_the_agenda_planned_against_actual_in_minutes(story):
    agenda = tables_of(story)[3]
    rows = {row[1]: row for row in agenda.rows}
    # the welcome ran a minute over; the opening speech is running; the rest has not started
    assert rows["Đón tiếp đại biểu"][2:8] == [15.0, 0.0, 16.0, 1.0, "28/08/2025 08:00:00", "28/08/2025 08:16:00"]
    assert rows["Tuyên bố lý do, giới thiệu đại biểu"][2:6] == [5.0, 0.0, 5.0, 0.0]
    assert rows["Phát biểu khai mạc Hội nghị"][6:] == ["28/08/2025 08:21:00", ""]
    assert rows["Bế mạc, chụp ảnh lưu niệm"][2:8] == [10.0, 0.0, 0.0, "", "", ""]  # no difference yet
    total = agenda.rows[-1]
    assert total[1] == "Tổng cộng" and total[2] == 190.0
    assert total[5] == round(sum(r[5] for r in agenda.rows[:-1] if r[5] != ""), 1)


def test_the_audit_log_reads_newest_first_with_names_not_ids(story):
    audit = tables_of(story)[4]
    assert audit.headers == ["Thời gian", "Vai trò", "Người thao tác", "Thao tác", "Mã câu hỏi", "Trước", "Sau"]
    assert audit.rows[0][3] == "Tóm tắt nội dung trả lời" and audit.rows[-1][3] == "Phân nhóm vấn đề, cơ quan trả lời"
    forward = next(row for row in audit.rows if row[3] == "Chuyển trả lời bằng văn bản")
    assert "hạn trả lời: 15/09/2025" in forward[6] and "trạng thái: chuyển trả lời bằng văn bản" in forward[6]
    assign = next(row for row in audit.rows if row[3] == "Phân nhóm vấn đề, cơ quan trả lời" and row[4] == forward[4])
    assert "cơ quan trả lời: Ngân hàng Chính sách xã hội tỉnh" in assign[6]  # a name, not "d16"
    assert "nhóm vấn đề: Việc làm, khởi nghiệp và vốn vay" in assign[6]


# ---------------------------------------------------------------- the files


def test_the_workbook_has_a_sheet_per_table_and_user_text_stays_text(story):
    tables = tables_of(story)
    book = read_xlsx(exports.workbook_xlsx(tables))
    assert book.sheetnames == SHEETS
    for table, sheet in zip(tables, book.worksheets, strict=True):
        values = [[cell.value for cell in row] for row in sheet.iter_rows()]
        assert values[0] == table.headers
        assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref
        assert len(values) == len(table.rows) + 1
        for row, cells in zip(table.rows, sheet.iter_rows(min_row=2), strict=True):
            for value, cell in zip(row, cells, strict=True):
                if isinstance(value, (int, float)):
                    assert cell.data_type == "n" and cell.value == value  # counts add up in Excel
                else:
                    assert cell.data_type in TEXT and ooxml_unescape(cell.value or "") == value
    questions_sheet = book["Câu hỏi"]
    formula = next(r for r in questions_sheet.iter_rows(min_row=2) if str(r[14].value).startswith("=HYPERLINK"))
    assert formula[14].data_type in TEXT and formula[5].value == "@SUM(A1)" and formula[5].data_type in TEXT
    # readable as it opens: the text columns are wide, the codes narrow
    widths = questions_sheet.column_dimensions
    assert widths["O"].width >= 50 and widths["A"].width <= 12


def test_each_table_as_csv_is_formula_safe(story):
    for table in tables_of(story):
        rows = read_csv(exports.table_csv(table.headers, table.rows))
        assert rows[0] == table.headers and len(rows) == len(table.rows) + 1
        for row, written in zip(table.rows, rows[1:], strict=True):
            for value, cell in zip(row, written, strict=True):
                raw = str(value)
                assert cell == ("'" + raw if raw.startswith((*FORMULA, "'")) else raw), (raw, cell)


def hostile_records() -> list[dict]:
    """Every string of the corpora a phone may send, stored as the desk stores it: as the text,
    the asker's name and the secretariat's summary."""
    doc = demo.conference()
    sites = [s["id"] for s in doc["sites"]]
    records = []
    for n, raw in enumerate(hostile_strings()):
        try:
            record = questions.validate_submission(
                {"id": f"hostile-{n:010d}-xxxxxx", "site": sites[n % len(sites)], "text": raw, "name": raw[:80],
                 "consent": {"name": "1"}},
                sites=set(sites), themes={"t1"}, now=1756342800.0 + n,
            )  # fmt: skip
        except DomainError:
            continue  # refused at the door: never stored, so never exported
        summary = questions.long_text(raw, questions.SUMMARY_LIMIT, "question.bad_summary")
        records.append({**record, "channel": "qr", "status": "answered", "summary": summary})
    return records


def test_every_hostile_string_stays_literal_text_in_the_workbook_and_the_csv():
    records = hostile_records()
    assert len(records) > 8000
    table = report.questions_table(demo.conference(), records)
    text, name, summary = (table.headers.index(h) for h in ("Nội dung", "Người hỏi", "Tóm tắt trả lời"))
    sheet = read_xlsx(exports.workbook_xlsx([table])).active
    written = read_csv(exports.table_csv(table.headers, table.rows))[1:]
    risky = 0
    for record, cells, line in zip(records, sheet.iter_rows(min_row=2), written, strict=True):
        for column, stored in (
            (text, record["text"]),
            (name, record["name"] or "Ẩn danh"),
            (summary, record["summary"]),
        ):
            cell = cells[column]
            assert cell.data_type in TEXT, stored  # "=HYPERLINK(…)" is a string, never a formula
            assert ooxml_unescape(cell.value or "") == stored
            risky += stored.startswith(FORMULA)
            assert line[column] == ("'" + stored if stored.startswith((*FORMULA, "'")) else stored)
    assert risky > 50


# ---------------------------------------------------------------- the reports page, on a real server


def signed_in(server, role: str) -> requests.Session:
    session = requests.Session()
    session.get(server.link(role), timeout=10)
    return session


def csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_the_secretariat_summarises_and_downloads_the_day_from_a_real_server(server, connect_staff, connect_phone):
    asked = play_a_morning(server, connect_staff, connect_phone)
    admin_socket = connect_staff(server, "admin")
    secretariat = signed_in(server, "moderator")
    page = secretariat.get(server.url + "/reports/", timeout=10)
    assert page.status_code == 200
    assert "Còn 1/1 câu chưa có tóm tắt." in page.text and asked["grant"]["text"] in page.text
    assert page.headers["Content-Security-Policy"] and "<script>" not in page.text

    summary = "Ngân hàng CSXH cho vay tới 100 triệu đồng,\nlãi suất ưu đãi; hồ sơ tại UBND xã."
    saved = secretariat.post(
        server.url + "/reports/summary",
        data={"csrf_token": csrf(page.text), "id": asked["grant"]["id"], "version": asked["grant"]["version"],
              "summary": summary, "name": "Lan\u0000 Anh"},
        timeout=10,
    )  # fmt: skip
    assert saved.status_code == 200 and saved.url.endswith(
        f"/reports/?saved={asked['grant']['id']}#q-{asked['grant']['id']}"
    )
    assert f"Đã lưu tóm tắt trả lời của câu hỏi {asked['grant']['code']}." in saved.text
    assert "Còn 0/1 câu chưa có tóm tắt." in saved.text
    stored = next(q for q in admin_socket.call("questions.get")["questions"] if q["id"] == asked["grant"]["id"])
    assert stored["summary"] == summary
    entry = admin_socket.call("audit.get")["entries"][-1]
    assert (entry["action"], entry["role"], entry["name"]) == ("summarize", "moderator", "Lan Anh")

    # the workbook: five sheets, the merged, rejected, forwarded and answered questions as they are
    got = secretariat.get(server.url + "/reports/bao-cao.xlsx", timeout=20)
    assert got.status_code == 200 and got.headers["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    assert "bao-cao-2025-08-28.xlsx" in got.headers["Content-Disposition"]
    book = read_xlsx(got.content)
    assert book.sheetnames == SHEETS
    rows = {r[0]: r for r in book["Câu hỏi"].iter_rows(min_row=2, values_only=True)}
    grant = rows[asked["grant"]["code"]]
    assert grant[1:9] == ("1304", "Xã Quảng Lâm", "Gửi qua mã QR", "Thanh niên làm kinh tế giỏi", "Lò Văn Sáng",
                          "Việc làm, khởi nghiệp và vốn vay", "Ngân hàng Chính sách xã hội tỉnh", "đã trả lời")  # fmt: skip
    assert grant[18] == summary
    road = rows[asked["road"]["code"]]
    assert road[3] == "Phiếu giấy" and road[8] == "chuyển trả lời bằng văn bản" and road[19] == "30/09/2025"
    formula = book["Câu hỏi"].cell(row=list(rows).index(asked["formula"]["code"]) + 2, column=15)
    assert formula.data_type in TEXT and formula.value.startswith("=HYPERLINK(")
    sites = {r[1]: r[2:] for r in book["Theo điểm cầu"].iter_rows(min_row=2, values_only=True)}
    assert sites["Xã Quảng Lâm"] == (2, 1, 1, 0, 1, 0, 0) and sites["Tổng cộng"] == (3, 2, 1, 1, 1, 0, 0)
    agenda = list(book["Chương trình"].iter_rows(min_row=2, values_only=True))
    assert agenda[0][1] == "Đón tiếp đại biểu" and agenda[0][2] == 15.0 and agenda[-1][1] == "Tổng cộng"

    # each CSV, formula-safe
    for slug, first in (("cau-hoi", "Mã theo dõi"), ("theo-diem-cau", "Mã điểm cầu"),
                        ("theo-nhom-van-de", "Nhóm vấn đề"), ("chuong-trinh", "STT"), ("nhat-ky", "Thời gian")):  # fmt: skip
        got = secretariat.get(f"{server.url}/reports/{slug}.csv", timeout=10)
        assert got.status_code == 200 and got.headers["Content-Type"].startswith("text/csv")
        assert read_csv(got.content)[0][0] == first
    questions_csv = read_csv(secretariat.get(server.url + "/reports/cau-hoi.csv", timeout=10).content)
    assert "'" + asked["formula"]["text"] in [row[14] for row in questions_csv]
    assert secretariat.get(server.url + "/reports/khong-co.csv", timeout=10).status_code == 404

    # the notice draft and the bundle of everything
    got = secretariat.get(server.url + "/reports/thong-bao-ket-luan.docx", timeout=20)
    assert got.status_code == 200 and got.headers["Cache-Control"] == "no-store"
    texts = [p.text for p in docx.Document(io.BytesIO(got.content)).paragraphs]
    assert f"Nội dung trả lời (Ngân hàng Chính sách xã hội tỉnh): {summary}" in texts
    assert "1. Sở Xây dựng:" in texts
    bundle = zipfile.ZipFile(io.BytesIO(secretariat.get(server.url + "/reports/ngay-hoi-nghi.zip", timeout=30).content))
    assert sorted(bundle.namelist()) == sorted(
        [f"{n}-2025-08-28.{e}" for n, e in (("bao-cao", "xlsx"), ("thong-bao-ket-luan", "docx"), ("cau-hoi", "csv"),
         ("theo-diem-cau", "csv"), ("theo-nhom-van-de", "csv"), ("chuong-trinh", "csv"), ("nhat-ky", "csv"))]
    )  # fmt: skip

    # the admin opens it too; the MC, the projector and a stranger do not
    assert signed_in(server, "admin").get(server.url + "/reports/", timeout=10).status_code == 200
    for role in ("mc", "projector", "chair", "site"):
        assert signed_in(server, role).get(server.url + "/reports/bao-cao.xlsx", timeout=10).status_code == 403
    assert requests.get(server.url + "/reports/thong-bao-ket-luan.docx", timeout=10).status_code == 403
    # the console and the admin page link to it
    assert 'id="reports-link" href="/reports/"' in secretariat.get(server.url + "/moderator", timeout=10).text
    assert (
        'href="/reports/" id="reports-link"' in signed_in(server, "admin").get(server.url + "/admin/", timeout=10).text
    )


def test_a_summary_saved_over_a_changed_question_is_refused_and_what_was_typed_stays(
    make_server, connect_staff, connect_phone
):
    server = make_server()
    asked = play_a_morning(server, connect_staff, connect_phone)
    grant = asked["grant"]
    secretariat = signed_in(server, "moderator")
    token = csrf(secretariat.get(server.url + "/reports/", timeout=10).text)
    # a colleague saves a summary first, from the console
    other = connect_staff(server, "moderator").call(
        "question.summarize", {"id": grant["id"], "version": grant["version"], "summary": "Bản của đồng nghiệp."}
    )
    assert other["ok"], other

    def post(**fields):
        data = {
            "csrf_token": token,
            "id": grant["id"],
            "version": grant["version"],
            "summary": "Bản của tôi.",
            **fields,
        }
        return secretariat.post(server.url + "/reports/summary", data=data, timeout=10)

    refused = post()
    assert refused.status_code == 409
    assert f"Câu hỏi {grant['code']} vừa được người khác thay đổi." in refused.text
    assert ">Bản của tôi.</textarea>" in refused.text  # what was typed is still in the box
    assert "Bản của đồng nghiệp." in refused.text  # and what is saved is shown beside it
    # saving again from that page carries the current version: it overwrites deliberately
    again = post(version=grant["version"] + 1)
    assert again.status_code == 200 and "Đã lưu tóm tắt" in again.text

    fresh = connect_staff(server, "admin").call("questions.get")["questions"]
    version = next(q for q in fresh if q["id"] == grant["id"])["version"]
    too_long = post(version=version, summary="x" * (questions.SUMMARY_LIMIT + 1))
    assert too_long.status_code == 400 and "Tóm tắt trả lời phải là chữ, tối đa 4000 ký tự." in too_long.text
    assert post(version="", summary="y").status_code == 400
    unknown = post(id=qid(), version=1)
    assert unknown.status_code == 400 and "Không tìm thấy câu hỏi." in unknown.text
    road = post(id=asked["road"]["id"], version=asked["road"]["version"] + 5)
    assert road.status_code == 409
    no_token = secretariat.post(server.url + "/reports/summary", data={"id": grant["id"], "summary": "z"}, timeout=10)
    assert no_token.status_code == 400
    stored = next(
        q for q in connect_staff(server, "admin").call("questions.get")["questions"] if q["id"] == grant["id"]
    )
    assert stored["summary"] == "Bản của tôi." and stored["version"] == version  # nothing half-stored


def test_hostile_questions_names_and_summaries_through_a_real_server_stay_literal(make_server, connect_staff):
    """A spread of the corpora entered from the floor, answered and summarised on a real server:
    the downloads carry them exactly as stored."""
    strings = hostile_strings()
    picked = [s for s in strings if s.startswith(FORMULA)][:40] + strings[:: max(1, len(strings) // 120)]
    server = make_server()
    admin = connect_staff(server, "admin")
    stored = {}
    for raw in picked:
        payload = {"id": qid(), "site": "1304", "text": raw, "name": raw[:80], "channel": "spoken"}
        entered = admin.call("question.enter", payload)
        if not entered["ok"]:
            continue  # refused at the door with a clear code (empty, no letters…): nothing stored
        question = {"id": entered["id"], "version": 1}
        for action, args in (("approve", {}), ("answer", {}), ("summarize", {"summary": raw})):
            reply = admin.call(f"question.{action}", {"id": question["id"], "version": question["version"], **args})
            if not reply["ok"]:
                assert action == "summarize" and reply["code"] == "question.bad_summary", reply
                break
            question = reply["question"]
        stored[question["code"]] = question
    assert len(stored) > 100
    secretariat = signed_in(server, "moderator")
    book = read_xlsx(secretariat.get(server.url + "/reports/bao-cao.xlsx", timeout=60).content)
    written = {r[0].value: r for r in book["Câu hỏi"].iter_rows(min_row=2)}
    lines = {r[0]: r for r in read_csv(secretariat.get(server.url + "/reports/cau-hoi.csv", timeout=60).content)[1:]}
    for code, question in stored.items():
        for column, value in (
            (5, question["name"] or "Ẩn danh"),
            (14, question["text"]),
            (18, question.get("summary") or ""),
        ):
            cell = written[code][column]
            assert cell.data_type in TEXT and ooxml_unescape(cell.value or "") == value
            assert lines[code][column] == ("'" + value if value.startswith((*FORMULA, "'")) else value)
    texts = "\n".join(
        p.text for p in docx.Document(io.BytesIO(secretariat.get(server.url + "/reports/thong-bao-ket-luan.docx", timeout=60).content)).paragraphs
    )  # fmt: skip
    for question in stored.values():
        assert XML_FORBIDDEN.sub("", question["text"]) in texts
        if question.get("summary"):
            assert XML_FORBIDDEN.sub("", question["summary"]) in texts
