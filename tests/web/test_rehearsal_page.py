"""The admin's rehearsal page (/admin/tap-duot) through Flask's test client: only the admin opens it
or acts on it, every form needs its CSRF token, a wipe needs its box ticked, a second start or an
end with none running is refused in Vietnamese, and never a 500."""

from __future__ import annotations

import uuid

import pytest
from test_admin import CheckedClient, csrf_of, open_link

import live
from live.services.desk import PREFIX

PUBLIC_URL = "http://127.0.0.1:5000"
PAGE = "/admin/tap-duot/"


@pytest.fixture
def app(tmp_path):
    app = live.create_app(
        {"DATA_DIR": str(tmp_path / "data"), "DEMO": True, "ASYNC_MODE": "threading", "PUBLIC_URL": PUBLIC_URL}
    )
    app.test_client_class = CheckedClient
    yield app
    app.extensions["live.day"].store.close()


@pytest.fixture
def day(app):
    return app.extensions["live.day"]


def post(client, path: str, **fields):
    token = csrf_of(client.get(PAGE).get_data(as_text=True))
    return client.post(PAGE + path, data={"csrf_token": token, **fields})


def ask(day, text: str) -> dict:
    question, _, _ = day.desk.submit(
        {"id": str(uuid.uuid4()), "site": "1304", "text": text}, device="dev-1", address="10.0.0.1"
    )
    return question


@pytest.mark.parametrize("role", ["moderator", "mc", "chair", "projector", "site"])
def test_only_the_admin_opens_the_page_or_acts(app, day, role):
    client = open_link(app, role)
    assert client.get(PAGE).status_code == 403
    admin = open_link(app, "admin")
    token = csrf_of(admin.get(PAGE).get_data(as_text=True))
    for path in ("bat-dau", "ket-thuc", "xoa"):
        assert client.post(PAGE + path, data={"csrf_token": token, "confirm": "1"}).status_code in (400, 403)
    assert app.test_client().get(PAGE).status_code == 403  # a visitor with no link
    assert day.desk.rehearsal() is None


def test_the_admin_starts_ends_and_wipes_from_the_page(app, day):
    admin = open_link(app, "admin")
    page = admin.get("/admin/").get_data(as_text=True)
    assert 'href="/admin/tap-duot/"' in page  # linked from the admin page
    html = admin.get(PAGE).get_data(as_text=True)
    assert "Bắt đầu tập dượt" in html and "Không có buổi tập dượt nào đang diễn ra." in html
    assert 'id="rehearsal-banner" class="rehearsal-banner" role="status" hidden' in html

    started = post(admin, "bat-dau")
    assert started.status_code == 303
    html = admin.get(PAGE).get_data(as_text=True)
    assert "Đã bắt đầu tập dượt" in html and "Đang tập dượt" in html and "Kết thúc tập dượt" in html
    assert 'id="rehearsal-banner" class="rehearsal-banner" role="status">' in html  # shown
    again = post(admin, "bat-dau")
    assert again.status_code == 409 and "Buổi tập dượt đang diễn ra" in again.get_data(as_text=True)
    phone = app.test_client().get("/q/1304").get_data(as_text=True)
    assert 'id="rehearsal-banner" class="rehearsal-banner" role="status">' in phone  # the phone's banner too

    tried = ask(day, "[Tập dượt] Câu hỏi thử?")
    assert day.store.get(PREFIX + tried["id"])["rehearsal"] == day.desk.rehearsal()
    refused = post(admin, "xoa")  # the box not ticked: nothing wiped
    assert refused.status_code == 400 and "Hãy đánh dấu ô xác nhận" in refused.get_data(as_text=True)
    assert day.desk.rehearsal() is not None and "text" in day.store.get(PREFIX + tried["id"])

    ended = post(admin, "ket-thuc")
    assert ended.status_code == 303
    html = admin.get(PAGE).get_data(as_text=True)
    assert "Còn 1 câu hỏi và 0 thao tác" in html and "Buổi tập dượt gần nhất" in html
    none = post(admin, "ket-thuc")
    assert none.status_code == 409 and "Không có buổi tập dượt nào đang diễn ra." in none.get_data(as_text=True)

    wiped = post(admin, "xoa", confirm="1")
    assert wiped.status_code == 303
    html = admin.get(PAGE).get_data(as_text=True)
    assert "Đã xoá toàn bộ dữ liệu tập dượt: 1 câu hỏi, 0 thao tác." in html and "Còn 0 câu hỏi" in html
    assert day.store.get(PREFIX + tried["id"])["deleted"] == "rehearsal"


def test_every_form_needs_its_csrf_token(app, day):
    admin = open_link(app, "admin")
    for path in ("bat-dau", "ket-thuc", "xoa"):
        response = admin.post(PAGE + path, data={"confirm": "1"})
        assert response.status_code == 400
    assert admin.post(PAGE + "bat-dau", data={"csrf_token": "forged"}).status_code == 400
    assert day.desk.rehearsal() is None


def test_a_get_changes_nothing_and_bad_input_is_refused_cleanly(app, day):
    admin = open_link(app, "admin")
    for path in ("bat-dau", "ket-thuc", "xoa"):
        assert admin.get(PAGE + path).status_code == 405
    assert post(admin, "xoa", confirm="yes").status_code == 400  # only the box's own value confirms
    assert post(admin, "xoa", confirm="1" * 5000).status_code == 400
    assert day.desk.rehearsal() is None
