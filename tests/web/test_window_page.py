"""The admin's question window page over HTTP (Flask's test client, a real SQLite store, the day's
clock passed in), and what the phone page, the front page and the questions export show of it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import uuid
from zoneinfo import ZoneInfo

import pytest
from test_admin import PUBLIC_URL, CheckedClient, csrf_of, form_fields, open_link

import live

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
PAGE = "/admin/thoi-gian-nhan-cau-hoi/"
# the demo conference is on 28/08/2025 at 08:00
PERIODS = "01/08/2025 08:00 - 20/08/2025 16:00\n28/08/2025 07:00 - 28/08/2025 11:30"


def at(day: str, clock: str = "00:00") -> float:
    return dt.datetime.strptime(f"{day} {clock}", "%d/%m/%Y %H:%M").replace(tzinfo=ZONE).timestamp()


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def app(tmp_path):
    app = live.create_app(
        {"DATA_DIR": str(tmp_path / "data"), "DEMO": True, "ASYNC_MODE": "threading", "PUBLIC_URL": PUBLIC_URL}
    )
    app.test_client_class = CheckedClient
    yield app
    app.extensions["live.day"].store.close()


@pytest.fixture
def clock(app):
    clock = Clock(at("10/08/2025", "09:00"))
    day = app.extensions["live.day"]
    day.now = day.desk.now = clock
    return clock


@pytest.fixture
def day(app, clock):
    return app.extensions["live.day"]


@pytest.fixture
def admin(app):
    return open_link(app, "admin")


def text_of(html: str, ident: str) -> str:
    match = re.search(rf'id="{ident}"[^>]*>(.*?)</(p|table|dd)>', html, re.S)
    assert match, ident
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def save(admin, typed: str):
    fields = form_fields(admin.get(PAGE).get_data(as_text=True), "window-form")
    return admin.post(PAGE, data={**fields, "periods": typed})


def test_the_admin_page_links_to_it_and_without_a_window_questions_come_at_any_time(admin, day):
    assert f'href="{PAGE}"' in admin.get("/admin/").get_data(as_text=True)
    html = admin.get(PAGE).get_data(as_text=True)
    assert text_of(html, "window-now") == "Đang nhận câu hỏi"
    assert text_of(html, "window-periods") == "Chưa đặt khoảng thời gian nào: câu hỏi được nhận bất cứ lúc nào."


def test_the_admin_sets_the_periods_and_the_page_shows_them(admin, day, clock):
    response = save(admin, PERIODS)
    assert response.status_code == 303
    html = admin.get(PAGE).get_data(as_text=True)
    assert "Đã lưu thời gian nhận câu hỏi: 2 khoảng thời gian." in html
    assert text_of(html, "window-now") == "Đang nhận câu hỏi đến 16:00 ngày 20/08/2025"
    assert text_of(html, "window-periods") == (
        "Mở từ Đóng lúc Tình trạng 01/08/2025 08:00 20/08/2025 16:00 đang mở 28/08/2025 07:00 28/08/2025 11:30 sắp tới"
    )
    assert form_fields(html, "window-form")["periods"] == PERIODS  # as typed, to edit again
    assert day.store.get("window")["periods"] == [
        [at("01/08/2025", "08:00"), at("20/08/2025", "16:00")],
        [at("28/08/2025", "07:00"), at("28/08/2025", "11:30")],
    ]
    clock.now = at("21/08/2025", "09:00")
    assert text_of(admin.get(PAGE).get_data(as_text=True), "window-now") == (
        "Tạm dừng nhận câu hỏi: mở lại từ 07:00 ngày 28/08/2025"
    )
    # emptied: always open again
    assert save(admin, "").status_code == 303
    html = admin.get(PAGE).get_data(as_text=True)
    assert "câu hỏi được nhận bất cứ lúc nào" in html and day.store.get("window")["periods"] == []


@pytest.mark.parametrize("role", ["moderator", "mc", "chair", "projector", "site"])
def test_only_the_admin_opens_it(app, day, role):
    client = open_link(app, role)
    assert client.get(PAGE).status_code == 403
    assert app.test_client().get(PAGE).status_code == 403
    seq = day.store.seq()
    assert client.post(PAGE, data={"csrf_token": "x", "periods": ""}).status_code in (400, 403)
    assert day.store.seq() == seq and day.store.get("window") is None


def test_without_its_csrf_token_nothing_is_set(admin, day):
    seq = day.store.seq()
    assert admin.post(PAGE, data={"periods": PERIODS}).status_code == 400
    assert day.store.seq() == seq and day.store.get("window") is None


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("01/08/2025 08:00", "Dòng 1: cần viết “dd/mm/yyyy HH:MM - dd/mm/yyyy HH:MM”"),
        ("01/08/2025 08:00 - 20/08/2025 16:00\n\nngày mai", "Dòng 3: cần viết"),
        ("30/02/2025 08:00 - 20/08/2025 16:00", "Dòng 1: ngày hoặc giờ không có thật."),
        ("20/08/2025 16:00 - 01/08/2025 08:00", "Dòng 1: thời điểm đóng phải sau thời điểm mở."),
        (PERIODS + "\n10/08/2025 08:00 - 11/08/2025 08:00", "Dòng 3: trùng thời gian với dòng 1."),
        ("x" * 5000, "Nội dung quá dài: tối đa 20 khoảng thời gian."),
        ("<script>alert(1)</script>", "Dòng 1: cần viết"),
    ],
)
def test_bad_input_is_explained_kept_in_the_form_and_stores_nothing(admin, day, typed, message):
    page = admin.get(PAGE).get_data(as_text=True)
    seq = day.store.seq()
    response = admin.post(PAGE, data={"csrf_token": csrf_of(page), "periods": typed})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html and 'aria-invalid="true"' in html
    assert "<script>alert" not in html
    if len(typed) < 4000:
        assert form_fields(html, "window-form")["periods"] == typed
    assert day.store.seq() == seq and day.store.get("window") is None


def test_the_phone_page_and_the_front_page_say_when_and_whether_questions_are_received(app, admin, day, clock):
    phone = app.test_client()
    html = phone.get("/q/1304").get_data(as_text=True)
    assert text_of(html, "when").startswith("Ngày 28/08/2025, 08:00 · ")
    assert text_of(html, "window-state") == "Đang nhận câu hỏi"
    save(admin, PERIODS)
    cases = [
        (at("31/07/2025", "20:00"), "Chưa mở nhận câu hỏi: mở từ 08:00 ngày 01/08/2025"),
        (at("10/08/2025", "09:00"), "Đang nhận câu hỏi đến 16:00 ngày 20/08/2025"),
        (at("20/08/2025", "16:00"), "Tạm dừng nhận câu hỏi: mở lại từ 07:00 ngày 28/08/2025"),
        (at("28/08/2025", "07:00"), "Đang nhận câu hỏi đến 11:30 ngày 28/08/2025"),
        (at("28/08/2025", "11:30"), "Đã hết thời gian nhận câu hỏi"),
    ]
    for now, sentence in cases:
        clock.now = now
        assert text_of(phone.get("/q/1304").get_data(as_text=True), "window-state") == sentence
        front = app.test_client().get("/").get_data(as_text=True)
        assert text_of(front, "window-state") == sentence
        assert text_of(front, "when").startswith("Ngày 28/08/2025, 08:00 · ")


def test_the_pages_in_english(app, admin, day, clock):
    save(admin, PERIODS)
    admin.set_cookie("live_lang", "en")
    assert text_of(admin.get(PAGE).get_data(as_text=True), "window-now") == "Taking questions until 16:00 on 20/08/2025"
    phone = app.test_client()
    phone.set_cookie("live_lang", "en")
    clock.now = at("29/08/2025", "09:00")
    assert text_of(phone.get("/q/1304").get_data(as_text=True), "window-state") == "Questions are no longer taken"


def test_the_questions_export_gives_each_questions_phase(app, day, clock):
    for when in (at("10/08/2025", "09:00"), at("28/08/2025", "09:00"), at("29/08/2025", "09:00")):
        clock.now = when
        day.desk.enter(
            {"id": str(uuid.uuid4()), "site": "1304", "channel": "paper", "text": "Câu hỏi trên phiếu?"}, by="moderator"
        )
    reports = open_link(app, "moderator")
    rows = list(csv.reader(io.StringIO(reports.get("/reports/cau-hoi.csv").get_data().decode("utf-8-sig"))))
    # appended after the consents (columns are appended, so those before keep their places)
    phase = rows[0].index("Giai đoạn")
    assert rows[0][phase - 1] == "Sự đồng ý của người hỏi"
    assert sorted(r[phase] for r in rows[1:]) == ["Sau hội nghị", "Trước hội nghị", "Tại hội nghị"]
