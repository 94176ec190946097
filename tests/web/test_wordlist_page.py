"""The word lists page over HTTP (Flask's test client, a real SQLite store, the demo conference):
who may open it, CSRF, the counts, a save that merges duplicates, a bad list answered in
Vietnamese with nothing stored, the sentence to try, the way back to the starting list, and
hostile input answered, never a 500."""

from __future__ import annotations

import html

import pytest
from corpora import naughty_strings
from test_admin import PUBLIC_URL, CheckedClient, csrf_of, open_link

import live
from live.services import wordlist

PAGE = "/tu-khoa/"


@pytest.fixture
def app(tmp_path):
    app = live.create_app(
        {"DATA_DIR": str(tmp_path / "data"), "DEMO": True, "ASYNC_MODE": "threading", "PUBLIC_URL": PUBLIC_URL}
    )
    app.test_client_class = CheckedClient
    yield app
    app.extensions["live.day"].store.close()


def stored(app):
    return app.extensions["live.day"].store.get(wordlist.KEY)


def save(client, banned="", suspect="", allow="", by="Lan"):
    token = csrf_of(client.get(PAGE).get_data(as_text=True))
    data = {"csrf_token": token, "banned": banned, "suspect": suspect, "allow": allow, "by": by}
    return client.post(PAGE, data=data)


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_only_the_secretariat_opens_the_page(app):
    assert app.test_client().get(PAGE).status_code == 403
    for role in ("mc", "chair", "projector", "site"):
        assert open_link(app, role).get(PAGE).status_code == 403, role
    for role in ("moderator", "admin"):
        assert open_link(app, role).get(PAGE).status_code == 200, role
    assert app.test_client().post(PAGE, data={"banned": "x"}).status_code in (400, 403)
    assert open_link(app, "moderator").post(PAGE, data={"banned": "x"}).status_code == 400  # no CSRF token
    assert stored(app) is None


def test_the_console_links_to_it(app):
    assert PAGE in open_link(app, "moderator").get("/moderator").get_data(as_text=True)


def test_the_page_shows_the_shipped_list_and_its_counts(app):
    page = text_of(open_link(app, "moderator").get(PAGE))
    shipped = wordlist.shipped()
    assert f'<strong id="count-banned">{len(shipped["banned"])}</strong>' in page
    assert "Đang dùng danh sách ban đầu của phần mềm." in page
    assert "du lịch" in page and "vcl" in page


def test_a_save_merges_duplicates_and_counts_each_tier(app):
    client = open_link(app, "moderator")
    response = save(client, banned="lười\nLƯỜI\n  luoi  \nvcl", suspect="cán bộ\nCán Bộ", allow="cán bộ trẻ")
    assert response.status_code == 303
    page = text_of(client.get(PAGE))
    assert "Đã lưu danh sách: 2 từ cấm, 1 từ cần xem, 1 từ được phép." in page
    assert "câu hỏi đã nhận không được kiểm tra lại" in page
    assert '<strong id="count-banned">2</strong>' in page
    assert "Danh sách do Lan lưu lúc" in page
    assert stored(app)["banned"] == ["lười", "vcl"] and stored(app)["by"] == "Lan"


def test_a_bad_list_names_the_list_and_line_and_stores_nothing(app):
    client = open_link(app, "moderator")
    response = save(client, banned="lười", suspect="ok\n\n" + "x" * 61)
    assert response.status_code == 400
    page = text_of(response)
    assert "Từ cần xem, dòng 3: mỗi mục tối đa 60 ký tự." in page
    assert "x" * 61 in page  # what was typed is kept to correct
    assert stored(app) is None
    response = save(client, allow="!!!")
    assert response.status_code == 400 and "Từ được phép, dòng 1" in text_of(response)
    response = save(client, banned="\n".join(f"từ {n}" for n in range(2001)))
    assert response.status_code == 400 and "Từ cấm: tối đa 2000 mục." in text_of(response)
    assert stored(app) is None


def test_a_sentence_to_try(app):
    client = open_link(app, "moderator")
    page = text_of(client.get(PAGE, query_string={"thu": "Đ.M, inbox em nhé"}))
    assert 'class="trial-banned"' in page and '<span class="word">đm</span>' in page
    assert '<span class="word">inbox</span>' in page
    page = text_of(client.get(PAGE, query_string={"thu": "Em đi du lịch ở Bảo Lạc"}))
    assert "Không có từ nào trong danh sách." in page


def test_back_to_the_starting_list(app):
    client = open_link(app, "admin")
    save(client, banned="lười")
    assert stored(app)["banned"] == ["lười"]
    token = csrf_of(client.get(PAGE).get_data(as_text=True))
    assert client.post(PAGE + "ban-dau", data={"csrf_token": token}).status_code == 303
    assert "Đang dùng danh sách ban đầu của phần mềm." in text_of(client.get(PAGE))
    assert wordlist.setting(app.extensions["live.day"].store)["shipped"] is True


def test_hostile_input_is_answered_never_a_500(app):
    client = open_link(app, "moderator")
    strings = naughty_strings()
    for text in strings[::7]:
        assert client.get(PAGE, query_string={"thu": text}).status_code == 200
    response = save(client, banned="\n".join(strings[:300]), suspect="<script>alert(1)</script>", by="<b>x</b>" * 200)
    assert response.status_code in (303, 400)
    page = client.get(PAGE).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    response = save(client, banned="a" * (wordlist.TEXT_LIMIT + 10))
    assert response.status_code == 400
