"""The admin's retention page over HTTP (Flask's test client, a real SQLite store, the day's clock
passed in): the period and its default, the due date, the count of questions still holding
personal data, "purge now" before and after the due date, the record of each purge, and the
exports made after it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from test_admin import PUBLIC_URL, CheckedClient, csrf_of, form_fields, open_link

import live
from live.core.privacy import NOTICE_VERSION

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
NAMES = ("Nông Thị Hoa", "Lò Văn Sáng")
PAGE = "/admin/thoi-han-luu/"


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
    """The day's clock, on the demo conference's day (28/08/2025) until a test moves it."""
    clock = Clock(at("28/08/2025", "09:00"))
    day = app.extensions["live.day"]
    day.now = day.desk.now = clock
    return clock


@pytest.fixture
def day(app, clock):
    day = app.extensions["live.day"]
    for n, name in enumerate(NAMES):
        day.desk.submit(
            {"id": str(uuid.uuid4()), "site": "1304", "text": f"Câu hỏi {n + 1} về học bổng cho sinh viên?",
             "name": name, "consent": {"name": NOTICE_VERSION}},
            device=f"device-{n}", address="10.0.0.1",
        )  # fmt: skip
    day.desk.submit({"id": str(uuid.uuid4()), "site": "hall", "text": "Câu hỏi ẩn danh?"}, device="d", address="x")
    return day


@pytest.fixture
def admin(app):
    return open_link(app, "admin")


def text_of(html: str, ident: str) -> str:
    """The text inside the element with id ``ident`` (tags dropped, spaces squeezed)."""
    import re

    match = re.search(rf'id="{ident}"[^>]*>(.*?)</(dd|p|table)>', html, re.S)
    assert match, ident
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def test_the_admin_page_links_to_it_and_it_shows_the_default_period_and_the_due_date(admin, day):
    assert f'href="{PAGE}"' in admin.get("/admin/").get_data(as_text=True)
    html = admin.get(PAGE).get_data(as_text=True)
    assert text_of(html, "retention-days") == "60 ngày — mặc định; tỉnh cần tự quyết định thời hạn này"
    assert text_of(html, "retention-last-day").startswith("28/08/2025")
    assert text_of(html, "retention-due") == "từ 00:00 ngày 28/10/2025 chưa đến hạn"
    assert text_of(html, "retention-holding") == "3"  # two names and three phones' device links
    assert text_of(html, "purges") == "Chưa lần nào."
    assert "Xoá dữ liệu cá nhân đã hết hạn ngay" in html


@pytest.mark.parametrize("role", ["moderator", "mc", "chair", "projector", "site"])
def test_only_the_admin_opens_it(app, day, role):
    client = open_link(app, role)
    assert client.get(PAGE).status_code == 403
    assert app.test_client().get(PAGE).status_code == 403
    seq = day.store.seq()
    assert client.post(PAGE + "xoa-ngay", data={"csrf_token": "x"}).status_code in (400, 403)
    assert day.store.seq() == seq


def test_the_admin_sets_the_period_and_the_due_date_follows(admin, day, clock):
    fields = form_fields(admin.get(PAGE).get_data(as_text=True), "retention-form")
    clock.now = at("29/08/2025", "10:15")
    response = admin.post(PAGE, data={**fields, "days": "30"})
    assert response.status_code == 303
    html = admin.get(PAGE).get_data(as_text=True)
    assert "Đã lưu thời hạn lưu: 30 ngày." in html
    assert text_of(html, "retention-days") == "30 ngày — đặt lúc 10:15 29/08/2025"
    assert text_of(html, "retention-due") == "từ 00:00 ngày 28/09/2025 chưa đến hạn"
    assert day.store.get("retention") == {"days": 30, "set_at": clock.now, "by": "admin"}


@pytest.mark.parametrize("typed", ["0", "3651", "-1", "30,5", "ba mươi", "", "1" * 30])
def test_a_bad_period_is_explained_kept_in_the_form_and_stores_nothing(admin, day, typed):
    page = admin.get(PAGE).get_data(as_text=True)
    seq = day.store.seq()
    response = admin.post(PAGE, data={"csrf_token": csrf_of(page), "days": typed})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Thời hạn lưu phải là số ngày nguyên từ 1 đến 3650." in html
    assert 'aria-invalid="true"' in html
    assert day.store.seq() == seq and day.store.get("retention") is None


def test_without_its_csrf_token_nothing_is_set_or_purged(admin, day, clock):
    clock.now = at("01/01/2026")
    seq = day.store.seq()
    assert admin.post(PAGE, data={"days": "5"}).status_code == 400
    assert admin.post(PAGE + "xoa-ngay").status_code == 400
    assert day.store.seq() == seq


def test_purge_now_before_the_due_date_purges_nothing_and_says_when(admin, day, clock):
    clock.now = at("27/10/2025", "23:59")
    seq = day.store.seq()
    page = admin.get(PAGE).get_data(as_text=True)
    response = admin.post(PAGE + "xoa-ngay", data={"csrf_token": csrf_of(page)}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Chưa đến hạn xoá: dữ liệu cá nhân được xoá từ 00:00 ngày 28/10/2025. Không có gì bị xoá." in html
    assert text_of(html, "retention-holding") == "3"
    assert day.store.seq() == seq


def test_purge_now_once_due_anonymises_records_it_and_the_exports_hold_no_name(app, admin, day, clock):
    reports = open_link(app, "moderator")
    before = reports.get("/reports/cau-hoi.csv").get_data().decode("utf-8-sig")
    assert all(name in before for name in NAMES)

    clock.now = at("28/10/2025", "08:30")
    page = admin.get(PAGE).get_data(as_text=True)
    assert "đã đến hạn" in text_of(page, "retention-due")
    response = admin.post(PAGE + "xoa-ngay", data={"csrf_token": csrf_of(page)}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Đã xoá dữ liệu cá nhân của 3 câu hỏi." in html
    assert text_of(html, "retention-holding") == "0"
    assert text_of(html, "purges").endswith("08:30 28/10/2025 3 Quản trị")

    audit = admin.get("/admin/audit").get_data(as_text=True)
    assert "Xoá dữ liệu cá nhân hết hạn" in audit and "số câu hỏi đã xoá dữ liệu người hỏi: 3" in audit

    rows = list(csv.DictReader(io.StringIO(reports.get("/reports/cau-hoi.csv").get_data().decode("utf-8-sig"))))
    assert {r["Người hỏi"] for r in rows} == {"Ẩn danh"} and len(rows) == 3
    assert {r["Nội dung"] for r in rows} >= {"Câu hỏi 1 về học bổng cho sinh viên?", "Câu hỏi ẩn danh?"}
    workbook = openpyxl.load_workbook(io.BytesIO(reports.get("/reports/bao-cao.xlsx").get_data()))
    cells = " ".join(str(c) for ws in workbook.worksheets for row in ws.iter_rows(values_only=True) for c in row if c)
    for name in NAMES:
        assert name not in cells
    # a second press finds nothing left and says so
    page = admin.get(PAGE).get_data(as_text=True)
    html = admin.post(PAGE + "xoa-ngay", data={"csrf_token": csrf_of(page)}, follow_redirects=True).get_data(
        as_text=True
    )
    assert "Đã xoá dữ liệu cá nhân của 0 câu hỏi." in html


def test_the_page_in_english(admin, day):
    admin.set_cookie("live_lang", "en")
    html = admin.get(PAGE).get_data(as_text=True)
    assert "Purge expired personal data now" in html
    assert "60 days" in text_of(html, "retention-days")
