"""The phone page's form posted without its script (Flask's test client, a real SQLite store): a
question is stored exactly once by the form's id, like a socket's ``question.submit``; a refused one
comes back in the form with the reason; nothing is ever read from, or echoed into, the address."""

from __future__ import annotations

import html
import re
import uuid

import pytest
from corpora import naughty_strings
from test_admin import PUBLIC_URL, CheckedClient, csrf_of, open_link
from test_window_page import PERIODS, Clock, at, save

import live
from live.core import privacy, questions
from live.web.auth import device_in

LIMITS = "device=100000/0.001,site=100000/0.001,address=100000/0.001"
PAGE = "/q/1304"
TEXT = "Xin hỏi tỉnh có hỗ trợ vốn cho thanh niên khởi nghiệp ở xã không?"
NAME = "Hoàng Thị Mai"


def make_app(tmp_path, limits: str = LIMITS):
    app = live.create_app(
        {
            "DATA_DIR": str(tmp_path / "data"),
            "DEMO": True,
            "ASYNC_MODE": "threading",
            "PUBLIC_URL": PUBLIC_URL,
            "RATE_LIMITS": limits,
        }
    )
    app.test_client_class = CheckedClient
    return app


@pytest.fixture
def app(tmp_path):
    app = make_app(tmp_path)
    yield app
    app.extensions["live.day"].store.close()


@pytest.fixture
def day(app):
    return app.extensions["live.day"]


@pytest.fixture
def phone(app):
    return app.test_client()


def form_of(page: str) -> dict:
    """The hidden fields of the question form: its CSRF token and the id made for this render."""
    ident = re.search(r'<input type="hidden" name="id" value="([^"]*)">', page)
    assert ident, "the form must carry an id"
    return {"csrf_token": csrf_of(page), "id": ident.group(1)}


def send(phone, page: str | None = None, **fields):
    page = page if page is not None else phone.get(PAGE).get_data(as_text=True)
    return phone.post(PAGE, data={**form_of(page), **fields})


def stored(day) -> list[dict]:
    """Every question of site 1304 in the store."""
    return [q for q in day.desk.for_desk() if q["site"] == "1304"]


def receipt(page: str) -> str | None:
    match = re.search(r'<div class="msg ok" id="posted"><p>.*?<strong class="code">([A-Z0-9]+)</strong>', page)
    return match.group(1) if match else None


def alert(page: str) -> str:
    match = re.search(r'<p class="msg err" role="alert" id="posted-problem">(.*?)</p>', page, re.S)
    assert match, "a refusal must be said in an alert"
    return html.unescape(match.group(1))


def typed_text(page: str) -> str:
    match = re.search(r'<textarea id="text" name="text"[^>]*>(.*?)</textarea>', page, re.S)
    assert match
    return html.unescape(match.group(1))


def test_the_form_posts_to_the_page_itself_with_a_new_id_each_time(phone):
    page = phone.get(PAGE).get_data(as_text=True)
    assert re.search(r'<form id="ask" method="post" action="/q/1304#ask"', page)
    again = phone.get(PAGE).get_data(as_text=True)
    assert questions.valid_id(form_of(page)["id"]) and form_of(page)["id"] != form_of(again)["id"]
    # the button says the page is getting ready until static/js/phone.js removes that line
    assert 'id="send-note"' in page and "Trang đang tải — bạn vẫn gửi được" in page


def test_a_posted_question_is_stored_once_and_the_page_says_its_code(phone, day):
    first_page = phone.get(PAGE).get_data(as_text=True)
    response = send(phone, first_page, text=TEXT)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    code = receipt(page)
    assert code and "Giữ mã này để xem câu hỏi của bạn đi đến đâu" in html.unescape(page)
    assert f'href="/tra-cuu?ma={code}"' in page
    [question] = stored(day)
    assert question["text"] == TEXT and question["code"] == code and question["channel"] == "qr"
    assert question["name"] == "" and question["consent"] == {}
    # the question comes back for static/js/phone.js to put in "Câu hỏi của tôi"
    block = re.search(r'<script type="application/json" id="live-phone-posted">(.*?)</script>', page).group(1)
    assert f'"code": "{code}"' in block and form_of(first_page)["id"] in block
    # a fresh, empty form with a new id
    assert typed_text(page) == "" and form_of(page)["id"] != form_of(first_page)["id"]
    # a double tap, or the browser sending the POST again: the same question, the same code
    again = send(phone, first_page, text=TEXT)
    assert receipt(again.get_data(as_text=True)) == code
    assert len(stored(day)) == 1


def test_a_posted_question_reaches_the_secretariat(app, phone, day):
    sent = []
    app.extensions["live.announce"] = sent.append
    send(phone, text=TEXT)
    added = [data["question"] for change in sent for event, data, room in change.emits if event == "question.added"]
    assert [q["text"] for q in added] == [TEXT] and [room for c in sent for _e, _d, room in c.emits] == ["desk"]


def test_a_phone_without_a_device_cookie_gets_one_with_its_question(app, day):
    phone = app.test_client()
    page = phone.get(PAGE).get_data(as_text=True)
    phone.delete_cookie("live_device")
    response = send(phone, page, text=TEXT)
    assert receipt(response.get_data(as_text=True))
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("live_device="))
    assert "HttpOnly" in cookie
    [question] = stored(day)
    # the question is counted against the device the cookie now names (its limits, its questions)
    assert day.desk.get(question["id"])["device"] == device_in(app, {"HTTP_COOKIE": cookie.split(";")[0]})


def test_names_and_groups_are_kept_only_with_their_ticks(phone, day):
    send(phone, text="Câu hỏi thứ nhất về việc làm?", name=NAME, group="cong_nhan")
    send(phone, text="Câu hỏi thứ hai về học bổng?", consent_name="on", name=NAME)
    send(phone, text="Câu hỏi thứ ba về nhà ở?", consent_group="on", group="cong_nhan", name=NAME)
    by_text = {q["text"]: q for q in stored(day)}
    first, second, third = (
        by_text[t]
        for t in ("Câu hỏi thứ nhất về việc làm?", "Câu hỏi thứ hai về học bổng?", "Câu hỏi thứ ba về nhà ở?")
    )
    assert first["name"] == "" and first["group"] is None and first["consent"] == {}
    assert second["name"] == NAME and set(second["consent"]) == {"name"}
    assert second["consent"]["name"]["version"] == privacy.NOTICE_VERSION
    assert third["name"] == "" and third["group"] == "cong_nhan" and set(third["consent"]) == {"group"}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"text": "   "}, "Bạn chưa nhập câu hỏi."),
        ({"text": "x" * (questions.QUESTION_LIMIT + 1)}, f"Câu hỏi dài quá {questions.QUESTION_LIMIT} ký tự."),
        ({"text": TEXT, "consent_name": "on", "name": "N" * 200}, "Họ tên dài quá"),
        ({"text": TEXT, "consent_group": "on", "group": "hacker"}, "Đối tượng thanh niên không có trong danh sách."),
        ({"text": TEXT, "theme": "no-such-theme"}, "Nhóm vấn đề không có trong danh sách."),
        ({"text": TEXT, "id": "short"}, "Mã câu hỏi do điện thoại tạo không hợp lệ."),
    ],
)
def test_a_refused_question_comes_back_in_the_form_and_nothing_is_stored(phone, day, fields, message):
    page = phone.get(PAGE).get_data(as_text=True)
    response = phone.post(PAGE, data={**form_of(page), **fields})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert message in alert(body) and receipt(body) is None
    assert typed_text(body) == fields["text"]
    if fields.get("consent_name"):
        assert 'name="consent_name" checked' in body and f'value="{fields["name"]}"' in body
    if "id" in fields:  # a broken id is replaced; otherwise the same id, so a second tap stores once
        assert questions.valid_id(form_of(body)["id"])
    else:
        assert form_of(body)["id"] == form_of(page)["id"]
    assert stored(day) == [] and "live-phone-posted" not in body


def test_a_refused_question_sent_again_once_corrected_is_stored(phone, day):
    refused = send(phone, text="").get_data(as_text=True)
    page = send(phone, refused, text=TEXT).get_data(as_text=True)
    assert receipt(page) and [q["text"] for q in stored(day)] == [TEXT]


def test_the_address_is_never_read_nor_echoed(phone, day):
    response = phone.get(f"{PAGE}?text=Bí+mật+của+tôi&name=Nguyễn+Văn+Lộ&consent_name=on&id={uuid.uuid4()}")
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    assert "Bí mật" not in page and "Nguyễn Văn Lộ" not in page and typed_text(page) == ""
    assert stored(day) == []


def test_a_closed_window_refuses_with_its_reason_and_keeps_the_question(app, phone, day):
    clock = Clock(at("31/07/2025", "20:00"))
    day.now = day.desk.now = clock
    save(open_link(app, "admin"), PERIODS)
    response = send(phone, text=TEXT)
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert "08:00" in alert(body) and "01/08/2025" in alert(body)
    assert typed_text(body) == TEXT and stored(day) == []
    clock.now = at("10/08/2025", "09:00")  # open: the same form, sent again, goes through
    assert receipt(send(phone, body, text=TEXT).get_data(as_text=True))


def test_too_fast_is_refused_with_when_to_try_again(tmp_path):
    app = make_app(tmp_path, limits="device=1/600,site=100000/0.001,address=100000/0.001")
    phone = app.test_client()
    assert receipt(send(phone, text=TEXT).get_data(as_text=True))
    response = send(phone, text="Một câu hỏi nữa về học nghề?")
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
    body = response.get_data(as_text=True)
    message = alert(body)
    # the script's "sent again by itself" would not be true here
    assert "bấm “Gửi câu hỏi” lần nữa" in message and "tự động" not in message
    assert typed_text(body) == "Một câu hỏi nữa về học nghề?"
    assert len([q for q in app.extensions["live.day"].desk.for_desk() if q["site"] == "1304"]) == 1
    app.extensions["live.day"].store.close()


def test_without_its_token_a_post_from_elsewhere_stores_nothing_and_keeps_the_question(phone, day):
    page = phone.get(PAGE).get_data(as_text=True)
    ident = form_of(page)["id"]
    for headers in ({}, {"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.example"}):
        response = phone.post(PAGE, data={"id": ident, "text": TEXT}, headers=headers)
        assert response.status_code == 400
        body = response.get_data(as_text=True)
        assert "Câu hỏi vẫn ở trong ô" in alert(body) and typed_text(body) == TEXT
        assert stored(day) == []
    # the message's page carries a fresh token: the second tap goes through
    assert receipt(phone.post(PAGE, data={**form_of(body), "text": TEXT}).get_data(as_text=True))


def test_a_phone_whose_session_was_lost_still_posts_from_its_own_page(app, day):
    phone = app.test_client()
    page = phone.get(PAGE).get_data(as_text=True)
    phone.delete_cookie("live_session")  # the in-app browser was closed: the token's session is gone
    fields = {"id": form_of(page)["id"], "csrf_token": form_of(page)["csrf_token"], "text": TEXT}
    response = phone.post(PAGE, data=fields, headers={"Sec-Fetch-Site": "same-origin"})
    assert receipt(response.get_data(as_text=True))
    other = app.test_client()
    response = other.post(PAGE, data={**fields, "id": str(uuid.uuid4())}, headers={"Origin": PUBLIC_URL})
    assert receipt(response.get_data(as_text=True))
    assert len(stored(day)) == 2


def test_an_unknown_site_is_not_found(phone):
    token = form_of(phone.get(PAGE).get_data(as_text=True))
    assert phone.post("/q/no-such-site", data={**token, "text": TEXT}).status_code == 404
    refused = phone.post("/q/no-such-site", data={"text": TEXT})  # nothing of ours to keep: the usual refusal
    assert refused.status_code == 400 and "Phiên làm việc đã hết hạn" in refused.get_data(as_text=True)


def test_hostile_strings_never_break_the_page(phone, day):
    page = phone.get(PAGE).get_data(as_text=True)
    for text in naughty_strings():
        response = phone.post(PAGE, data={**form_of(page), "text": text, "consent_name": "on", "name": text[:40]})
        assert response.status_code in (200, 400), (text, response.status_code)
        body = response.get_data(as_text=True)
        assert body.rstrip().endswith("</html>") and body.count('<form id="ask"') == 1, text
        if "<" in text:
            assert text not in body, text  # never unescaped into the page
        if response.status_code == 400:
            assert stored(day) == [] or receipt(body) is None
        page = body
