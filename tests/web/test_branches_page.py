"""The branches' lists page over HTTP (Flask's test client, a real SQLite store, the demo conference):
who may open it, the templates, CSRF, a good file counted once, a broken one naming its rows and
storing nothing, and hostile uploads answered with a message, never a 500."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from test_admin import PUBLIC_URL, CheckedClient, csrf_of, open_link

import live

PAGE = "/nhap-danh-sach/"
GOOD = (
    "Xã/phường (điểm cầu),Chi đoàn / đơn vị,Nội dung câu hỏi,Họ tên,Đối tượng,Nhóm vấn đề\r\n"
    "Quang Lam,Chi đoàn thôn Bản Ngần,Xã có hỗ trợ vay vốn khởi nghiệp không?,Nông Thị Hoa,Công nhân,t2\r\n"
    "1297,Chi đoàn trường THPT,Học bổng cho học sinh nghèo năm nay thế nào?,,,"
    "Giáo dục đào tạo nghề và học bổng\r\n"
)


@pytest.fixture
def app(tmp_path):
    app = live.create_app(
        {"DATA_DIR": str(tmp_path / "data"), "DEMO": True, "ASYNC_MODE": "threading", "PUBLIC_URL": PUBLIC_URL}
    )
    app.test_client_class = CheckedClient
    yield app
    app.extensions["live.day"].store.close()


def upload(client, data: bytes, name: str = "ds.csv", by: str = "Lan"):
    token = csrf_of(client.get(PAGE).get_data(as_text=True))
    return client.post(
        PAGE,
        data={"csrf_token": token, "by": by, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def branch_questions(app) -> list[dict]:
    return [q for q in app.extensions["live.day"].desk.all() if q.get("channel") == "branch"]


def test_only_the_secretariat_opens_the_page(app):
    assert app.test_client().get(PAGE).status_code == 403
    for role in ("mc", "chair", "projector", "site"):
        assert open_link(app, role).get(PAGE).status_code == 403, role
    for role in ("moderator", "admin"):
        assert open_link(app, role).get(PAGE).status_code == 200, role
    assert app.test_client().get(PAGE + "mau.xlsx").status_code == 403
    assert app.test_client().post(PAGE, data={}).status_code in (400, 403)
    assert branch_questions(app) == []


def test_the_console_and_the_admin_page_link_to_it(app):
    assert PAGE in open_link(app, "moderator").get("/moderator").get_data(as_text=True)
    assert PAGE in open_link(app, "admin").get("/admin/").get_data(as_text=True)


def test_the_templates_download_with_vietnamese_headings(app):
    client = open_link(app, "moderator")
    csv = client.get(PAGE + "mau.csv")
    assert csv.status_code == 200 and "attachment" in csv.headers["Content-Disposition"]
    assert csv.data.decode("utf-8-sig").startswith("Xã/phường (điểm cầu),Chi đoàn / đơn vị,Nội dung câu hỏi")
    xlsx = client.get(PAGE + "mau.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.data)).worksheets[0]
    assert [c.value for c in sheet[1]][:3] == ["Xã/phường (điểm cầu)", "Chi đoàn / đơn vị", "Nội dung câu hỏi"]
    assert client.get(PAGE + "mau.pdf").status_code == 404


def test_a_post_without_the_csrf_token_is_refused(app):
    client = open_link(app, "moderator")
    response = client.post(
        PAGE, data={"file": (io.BytesIO(GOOD.encode()), "ds.csv")}, content_type="multipart/form-data"
    )
    assert response.status_code == 400
    assert branch_questions(app) == []


def test_a_good_file_is_imported_once(app):
    client = open_link(app, "moderator")
    response = upload(client, GOOD.encode())
    assert response.status_code == 303
    page = client.get(PAGE).get_data(as_text=True)
    assert "Đã nhập 2 câu hỏi mới từ tệp ds.csv; 0 câu đã có từ trước (không nhập lại)." in page
    assert "1 câu hỏi mới có họ tên hoặc đối tượng: chi đoàn phải có sự đồng ý của người hỏi" in page
    found = branch_questions(app)
    assert sorted(q["site"] for q in found) == ["1297", "1304"]
    hoa = next(q for q in found if q["site"] == "1304")
    assert hoa["name"] == "Nông Thị Hoa" and hoa["group"] == "cong_nhan" and hoa["theme"] == "t2"
    assert hoa["branch"] == "Chi đoàn thôn Bản Ngần" and hoa["entered_by"] == "Lan" and hoa["phase"] == "before"
    assert hoa["consent"]["name"]["via"] == "branch"
    other = next(q for q in found if q["site"] == "1297")
    assert other["theme"] == "t1" and other["name"] == "" and other["consent"] == {}

    upload(client, GOOD.encode())
    page = client.get(PAGE).get_data(as_text=True)
    assert "Đã nhập 0 câu hỏi mới từ tệp ds.csv; 2 câu đã có từ trước (không nhập lại)." in page
    assert "có họ tên hoặc đối tượng" not in page
    assert len(branch_questions(app)) == 2


def test_a_broken_file_names_every_row_and_stores_nothing(app):
    client = open_link(app, "admin")
    broken = GOOD + (
        "Xã Không Có,Chi đoàn A,Câu hỏi một?,,,\r\n"
        "1304,Chi đoàn B,Câu hỏi hai?,,Tôn giáo,\r\n"
        "1304,,Câu hỏi ba?,,,\r\n"
        f"1304,Chi đoàn C,{'x' * 1001},,,\r\n"
    )
    response = upload(client, broken.encode())
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    problems = re.findall(r"<li>(Dòng \d+:[^<]*)</li>", page)
    assert [p.split(":")[0] for p in problems] == ["Dòng 4", "Dòng 5", "Dòng 6", "Dòng 7"]
    assert "không có trong danh sách điểm cầu" in problems[0]
    assert "nhạy cảm" in problems[1]
    assert "còn trống" in problems[2]
    assert "1000 ký tự" in problems[3]
    assert "Chưa nhập câu hỏi nào" in page
    assert branch_questions(app) == []


@pytest.mark.parametrize(
    ("data", "name", "says"),
    [
        (b"", "ds.csv", "không có dữ liệu"),
        (b"\xd0\xcf\x11\xe0" + b"\0" * 100, "ds.xls", "Excel 97"),
        (b"PK\x03\x04garbage", "ds.xlsx", "Không đọc được tệp Excel"),
        ("Tên;Tuổi\r\nAn;20\r\n".encode(), "ds.csv", "không tìm thấy cột nội dung"),
        ("Nội dung câu hỏi\r\nAi?\r\n".encode("cp1258", "replace"), "ds.csv", "UTF-8"),
        (GOOD.encode("utf-16"), "ds.pdf", "phải là tệp Excel"),
        ("Nội dung câu hỏi\r\nAi?\r\n".encode(), "ds.csv", "thiếu cột"),
    ],
)
def test_bad_files_get_a_message_never_a_500(app, data, name, says):
    client = open_link(app, "moderator")
    response = upload(client, data, name)
    assert response.status_code == 400
    assert says in response.get_data(as_text=True)
    assert branch_questions(app) == []


def test_the_export_names_the_channel(app):
    from live.web import report

    assert str(report.CHANNEL_NAMES["branch"]) == "Danh sách chi đoàn"


def test_no_file_and_a_file_too_large_are_told_apart(app):
    client = open_link(app, "moderator")
    token = csrf_of(client.get(PAGE).get_data(as_text=True))
    response = client.post(PAGE, data={"csrf_token": token}, content_type="multipart/form-data")
    assert response.status_code == 400 and "Chưa chọn tệp danh sách câu hỏi." in response.get_data(as_text=True)
    big = GOOD.encode() + b"1304,CD,x\r\n" * (5 * 1024 * 1024 // 11)
    response = upload(client, big)
    assert response.status_code == 400 and "tối đa 5 MB" in response.get_data(as_text=True)
    huge = upload(client, b"x" * (9 * 1024 * 1024))  # over the server's limit for any request
    assert huge.status_code == 413
    assert branch_questions(app) == []
