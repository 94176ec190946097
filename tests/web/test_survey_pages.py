"""The survey's pages over HTTP (Flask's test client, a real SQLite store, the demo conference): the
admin sets the questions (3–5, refused in Vietnamese) and opens it; a phone answers without any
script, once; a second send and a second visit say it was sent; closed, a polite sentence; the
phone page links to it only while open; pending free texts stay out of the reports page and the
XLSX until the secretariat reads them."""

from __future__ import annotations

import html
import io
import re

import openpyxl
import pytest
from test_admin import PUBLIC_URL, CheckedClient, csrf_of, open_link

import live

FORM = {
    "text-1": "Bạn hài lòng với hội nghị?",
    "kind-1": "rating",
    "text-2": "Đường truyền ở điểm cầu?",
    "kind-2": "rating",
    "text-3": "Câu trả lời có rõ không?",
    "kind-3": "rating",
    "text-4": "Ý kiến khác của bạn",
    "kind-4": "text",
}


@pytest.fixture
def app(tmp_path):
    app = live.create_app(
        {"DATA_DIR": str(tmp_path / "data"), "DEMO": True, "ASYNC_MODE": "threading", "PUBLIC_URL": PUBLIC_URL}
    )
    app.test_client_class = CheckedClient
    yield app
    app.extensions["live.day"].store.close()


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def set_and_open(app, form: dict | None = None) -> object:
    admin = open_link(app, "admin")
    token = csrf_of(admin.get("/khao-sat-quan-ly").get_data(as_text=True))
    assert admin.post("/khao-sat-quan-ly", data={"csrf_token": token, **(form or FORM)}).status_code == 303
    assert admin.post("/khao-sat-quan-ly/mo", data={"csrf_token": token}).status_code == 303
    return admin


def answer(phone, site: str, **fields):
    token = csrf_of(phone.get(f"/khao-sat/{site}").get_data(as_text=True))
    return phone.post(f"/khao-sat/{site}", data={"csrf_token": token, **fields})


def test_only_the_admin_sets_the_survey_and_the_secretariat_reads_it(app):
    assert app.test_client().get("/khao-sat-quan-ly").status_code == 403
    for role in ("moderator", "mc", "chair", "projector", "site"):
        assert open_link(app, role).get("/khao-sat-quan-ly").status_code == 403, role
    assert open_link(app, "admin").get("/khao-sat-quan-ly").status_code == 200
    for role in ("moderator", "admin"):
        assert open_link(app, role).get("/khao-sat-y-kien").status_code == 200, role
    for role in ("mc", "chair", "projector", "site"):
        assert open_link(app, role).get("/khao-sat-y-kien").status_code == 403, role
    assert app.test_client().post("/khao-sat-quan-ly/mo").status_code in (400, 403)
    admin = open_link(app, "admin")
    assert admin.post("/khao-sat-quan-ly/mo", data={}).status_code == 400  # no CSRF token


def test_the_admin_is_told_in_vietnamese_what_is_wrong_with_the_questions(app):
    admin = open_link(app, "admin")
    token = csrf_of(admin.get("/khao-sat-quan-ly").get_data(as_text=True))
    two = admin.post(
        "/khao-sat-quan-ly",
        data={"csrf_token": token, "text-1": "A?", "kind-1": "rating", "text-2": "B?", "kind-2": "rating"},
    )
    assert two.status_code == 400
    assert "Phiếu khảo sát cần từ 3 đến 5 câu hỏi. Vui lòng nhập thêm câu hỏi." in text_of(two)
    assert 'value="B?"' in two.get_data(as_text=True)  # what was typed stays
    texts = {**FORM, "kind-3": "text"}
    assert "Phiếu khảo sát chỉ có một câu ý kiến tự do" in text_of(
        admin.post("/khao-sat-quan-ly", data={"csrf_token": token, **texts})
    )
    opened = admin.post("/khao-sat-quan-ly/mo", data={"csrf_token": token})
    assert opened.status_code == 400 and "Vui lòng lưu các câu hỏi trước khi mở phiếu khảo sát." in text_of(opened)


def test_a_phone_answers_once_without_a_script_and_is_thanked(app):
    phone = app.test_client()
    closed = phone.get("/khao-sat/1304")
    assert closed.status_code == 200 and "Phiếu khảo sát hiện không nhận ý kiến." in text_of(closed)
    assert 'id="survey-link"' not in phone.get("/q/1304").get_data(as_text=True)

    admin = set_and_open(app)
    page = phone.get("/q/1304").get_data(as_text=True)
    assert 'id="survey-link"' in page and "/khao-sat/1304" in page
    form = phone.get("/khao-sat/1304")
    assert form.headers["Cache-Control"] == "no-store" and "<script" not in form.get_data(as_text=True)
    assert text_of(form).count('type="radio"') == 15 and "Bạn hài lòng với hội nghị?" in text_of(form)

    bad = answer(phone, "1304", s1="7")
    assert bad.status_code == 400 and "Mỗi câu chấm điểm chỉ nhận một số từ 1 đến 5." in text_of(bad)
    empty = answer(phone, "1304", s4="   ")
    assert empty.status_code == 400 and "Bạn chưa trả lời câu nào." in text_of(empty)

    sent = answer(phone, "1304", s1="5", s2="4", s4="Rất bổ ích")
    assert sent.status_code == 303 and sent.headers["Location"].endswith("/khao-sat/1304?da-gui=1")
    assert "Đã gửi, cảm ơn bạn!" in text_of(phone.get(sent.headers["Location"]))
    visit = text_of(phone.get("/khao-sat/1304"))
    assert "Điện thoại này đã gửi phiếu khảo sát. Cảm ơn bạn!" in visit and 'id="survey-form"' not in visit

    token = csrf_of(phone.get("/q/1304").get_data(as_text=True))
    twice = phone.post("/khao-sat/1304", data={"csrf_token": token, "s1": "1"})
    assert twice.status_code == 303 and twice.headers["Location"].endswith("da-gui=truoc")
    assert "đã được gửi trước đó" in text_of(phone.get(twice.headers["Location"]))
    assert len(app.extensions["live.day"].store.scan("survey-r:")) == 1

    # the questions are locked now
    token = csrf_of(admin.get("/khao-sat-quan-ly").get_data(as_text=True))
    locked = admin.post("/khao-sat-quan-ly", data={"csrf_token": token, **FORM, "text-1": "Khác?"})
    assert (
        locked.status_code == 400
        and "Đã có người trả lời phiếu khảo sát nên không thể sửa các câu hỏi nữa" in text_of(locked)
    )

    other = app.test_client()
    opened_before = csrf_of(other.get("/khao-sat/1297").get_data(as_text=True))  # the form open on a phone
    assert admin.post("/khao-sat-quan-ly/dong", data={"csrf_token": token}).status_code == 303
    assert "Phiếu khảo sát hiện không nhận ý kiến." in text_of(other.get("/khao-sat/1297"))
    late = other.post("/khao-sat/1297", data={"csrf_token": opened_before, "s1": "5"})
    assert late.status_code == 409 and "Phiếu khảo sát hiện không nhận ý kiến." in text_of(late)
    assert 'id="survey-link"' not in other.get("/q/1297").get_data(as_text=True)
    assert app.test_client().get("/khao-sat/nowhere").status_code == 404


def sheets(client, path: str) -> dict[str, list[tuple]]:
    book = openpyxl.load_workbook(io.BytesIO(client.get(path).data))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


def test_pending_free_text_is_hidden_from_the_results_until_the_secretariat_reads_it(app):
    set_and_open(app)
    answer(app.test_client(), "1304", s1="5", s2="3", s4="Mong có thêm hội nghị như thế này")
    answer(app.test_client(), "1304", s1="4", s4="Số điện thoại của tôi là 0912345678")
    answer(app.test_client(), "hall", s1="2", s3="1")

    secretariat = open_link(app, "moderator")
    reports = text_of(secretariat.get("/reports/"))
    assert "Số phiếu đã nhận: 3" in reports and "2 ý kiến chờ đọc" in reports
    assert "Mong có thêm" not in reports and "0912345678" not in reports
    overall = re.search(r'<tr data-question="s1">(.*?)</tr>', reports).group(1)
    assert re.findall(r'class="num[^"]*">([^<]*)<', overall) == ["3", "3.67", "0", "1", "0", "1", "1"]
    book = sheets(secretariat, "/reports/bao-cao.xlsx")
    assert "Mong có thêm" not in str(book) and book["Ý kiến khảo sát"][1:] == []
    survey_rows = book["Khảo sát"]
    assert survey_rows[1][:7] == (None, "Toàn tỉnh", 3, "Câu 1. Bạn hài lòng với hội nghị?", 3, 3.67, 0)
    per_site = {(r[1], r[3][:6]): r for r in survey_rows[1:]}
    assert per_site[("Xã Quảng Lâm", "Câu 1.")][2] == 2 and per_site[("Xã Quảng Lâm", "Câu 1.")][5] == 4.5

    review = secretariat.get("/khao-sat-y-kien")
    page = review.get_data(as_text=True)
    assert "Chờ đọc: 2" in text_of(review)
    items = re.findall(
        r'<p class="survey-text">([^<]*)</p>\s*<form[^>]*>\s*<input[^>]*>\s*<input type="hidden" name="key" value="([^"]+)">',
        page,
    )
    keys = {html.unescape(text): key for text, key in items}
    token = csrf_of(page)
    assert (
        secretariat.post(
            "/khao-sat-y-kien",
            data={"csrf_token": token, "key": keys["Mong có thêm hội nghị như thế này"], "verdict": "read"},
        ).status_code
        == 303
    )
    assert (
        secretariat.post(
            "/khao-sat-y-kien",
            data={"csrf_token": token, "key": keys["Số điện thoại của tôi là 0912345678"], "verdict": "hidden"},
        ).status_code
        == 303
    )
    assert "Chờ đọc: 0" in text_of(secretariat.get("/khao-sat-y-kien"))

    reports = text_of(secretariat.get("/reports/"))
    assert "Mong có thêm hội nghị như thế này" in reports and "0912345678" not in reports
    book = sheets(secretariat, "/reports/bao-cao.xlsx")
    assert book["Ý kiến khảo sát"][1:] == [("1304", "Xã Quảng Lâm", "Mong có thêm hội nghị như thế này")]
    assert "0912345678" not in str(book)
    afterday = text_of(secretariat.get("/tong-hop-tham-gia"))
    assert "Mong có thêm hội nghị như thế này" in afterday and "0912345678" not in afterday
