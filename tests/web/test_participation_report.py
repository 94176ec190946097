"""The participation page after the day (/tong-hop-tham-gia) and its XLSX on the scripted day of
tests/afterday.py, opened by the app on the same store: per site and per theme what became of the
questions with merges followed, the "me too" supports, the sites never heard, the survey's results
and the attendance totals; a rehearsal's questions and presses never counted; printable on A4."""

from __future__ import annotations

import datetime as dt
import html
import io
import re
import uuid
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from afterday import scripted_day
from test_admin import PUBLIC_URL, CheckedClient, open_link

import live
from live.services import participation, rehearsal, retention, supports
from live.services import survey as survey_service

PAGE = "/tong-hop-tham-gia"


def press(store, question_id: str, device: str, **extra) -> None:
    store.insert(supports.key(question_id, device), {"question": question_id, "device": device, **extra})


@pytest.fixture
def app(tmp_path):
    story = scripted_day(tmp_path)
    day, store = story.day, story.day.store
    scholarship, again, jobs = (story.q[k]["id"] for k in ("scholarship", "scholarship_again", "jobs"))
    for device in ("p1", "p2"):
        press(store, scholarship, device)
    press(store, again, "p1")  # the same phone on the duplicate: once for each site
    press(store, jobs, "p3")
    participation.record(
        store, "1304", {"total": "120", "dan_toc_thieu_so": "80"}, by="Hà", role="site", now=story.clock.now
    )
    survey_service.set_questions(
        store,
        [
            {"text": "Hài lòng?", "kind": "rating"},
            {"text": "Âm thanh?", "kind": "rating"},
            {"text": "Góp ý", "kind": "text"},
        ],
        now=story.clock.now,
        by="admin",
    )
    survey_service.open_survey(store, now=story.clock.now, by="admin")
    survey_service.respond(store, "k", "d1", "1304", {"s1": "4", "s3": "Chưa đọc thì không hiện"})
    # a rehearsal left running: its question and its press never count here
    rehearsal.start(day, by="admin")
    practice, _retry, _change = day.desk.submit(
        {"id": str(uuid.uuid4()), "site": "1297", "text": "Câu hỏi tập dượt"}, device="p9", address="10.0.0.9"
    )
    press(store, practice["id"], "p9", rehearsal=day.desk.rehearsal())
    store.close()
    app = live.create_app(
        {"DATA_DIR": str(tmp_path), "DEMO": True, "ASYNC_MODE": "threading", "PUBLIC_URL": PUBLIC_URL}
    )
    app.test_client_class = CheckedClient
    yield app
    app.extensions["live.day"].store.close()


def cells(page: str, attribute: str, value: str) -> list[str]:
    row = re.search(rf'<tr {attribute}="{value}">(.*?)</tr>', page, re.S).group(1)
    return re.findall(r'data-col="\w+">(\d+)<', row)


def test_the_page_counts_per_site_and_theme_following_merges(app):
    assert app.test_client().get(PAGE).status_code == 403
    for role in ("mc", "chair", "projector", "site"):
        assert open_link(app, role).get(PAGE).status_code == 403, role
    client = open_link(app, "moderator")
    page = client.get(PAGE).get_data(as_text=True)
    # received, approved, answered on air, forwarded, supports
    assert cells(page, "data-site", "1304") == ["2", "2", "1", "0", "2"]
    assert cells(page, "data-site", "1273") == ["1", "1", "1", "0", "1"]  # merged into an answered question
    assert cells(page, "data-site", "hall") == ["1", "1", "0", "1", "0"]
    assert cells(page, "data-site", "1279") == ["2", "1", "1", "0", "1"]
    assert cells(page, "data-site", "1297") == ["1", "0", "0", "0", "0"]  # the rehearsal's question left out
    total = re.search(r'data-table="sites".*?<tr class="total">(.*?)</tr>', page, re.S).group(1)
    assert re.findall(r'data-col="\w+">(\d+)<', total) == ["7", "5", "3", "1", "4"]
    assert cells(page, "data-theme", "t1") == ["2", "2", "2", "0", "3"]  # the duplicate joins the scholarship's theme
    silent = re.findall(r'<li data-site="([^"]+)">', re.search(r'<ul id="silent">(.*?)</ul>', page, re.S).group(1))
    assert "1304" not in silent and "1273" not in silent and len(silent) > 5
    unanswered = re.findall(
        r'<li data-site="([^"]+)">', re.search(r'<ul id="unanswered">(.*?)</ul>', page, re.S).group(1)
    )
    assert sorted(unanswered) == ["1297", "hall"]
    text = html.unescape(page)
    assert "Số phiếu đã nhận: 1" in text and "Chưa đọc thì không hiện" not in text
    assert "Tổng số thanh niên dự" in text and 'id="attendance-link"' in page
    assert 'href="/static/css/afterday.css' in page  # its print rules (A4, no navigation)
    # linked both ways with the reports page and the attendance page
    assert PAGE in client.get("/reports/").get_data(as_text=True)
    assert PAGE in client.get("/tham-gia").get_data(as_text=True)


def test_the_workbook_holds_every_table_of_the_page(app):
    client = open_link(app, "admin")
    response = client.get(PAGE + ".xlsx")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == [
        "Tham gia theo điểm cầu",
        "Tham gia theo nhóm vấn đề",
        "Điểm cầu chưa được lắng nghe",
        "Khảo sát",
        "Ý kiến khảo sát",
        "Số thanh niên dự",
    ]
    sites = {row[0]: row for row in book["Tham gia theo điểm cầu"].iter_rows(min_row=2, values_only=True)}
    assert sites["1304"][2:] == (2, 2, 1, 0, 2)
    assert list(book["Tham gia theo điểm cầu"].iter_rows(values_only=True))[-1][1:] == ("Tổng cộng", 7, 5, 3, 1, 4)
    unheard = {row[0]: row[2] for row in book["Điểm cầu chưa được lắng nghe"].iter_rows(min_row=2, values_only=True)}
    assert unheard["1297"] == "Có câu hỏi nhưng chưa câu nào được trả lời" and "1304" not in unheard
    assert list(book["Ý kiến khảo sát"].iter_rows(min_row=2, values_only=True)) == []
    survey = list(book["Khảo sát"].iter_rows(min_row=2, values_only=True))
    assert survey[0][1:6] == ("Toàn tỉnh", 1, "Câu 1. Hài lòng?", 1, 4)


def test_the_supports_stay_counted_after_the_purge_of_personal_data(app):
    later = dt.datetime(2026, 1, 1, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")).timestamp()
    done = retention.purge(app.extensions["live.day"].store, later, role="system")
    assert done.due and done.survey_texts == 1
    page = open_link(app, "moderator").get(PAGE).get_data(as_text=True)
    # the purge kept each question's count, a merged one's with the question it joined, each device once
    assert cells(page, "data-site", "1304")[4] == "2" and cells(page, "data-site", "1273")[4] == "0"
    assert cells(page, "data-site", "1279")[4] == "1"
    assert "Chưa đọc thì không hiện" not in str(app.extensions["live.day"].store.scan(""))
