"""The dialogue's public page (/doi-thoai) and asking from home (/hoi) over HTTP: Flask's test client,
a real SQLite store with the demo conference (Cao Bằng 2025), the day's clock passed in. Nobody
holds a link: both pages are public."""

from __future__ import annotations

import datetime as dt
import html
import re
import time
import unicodedata
import uuid
from urllib.parse import parse_qs, quote
from zoneinfo import ZoneInfo

import pytest
from test_admin import PUBLIC_URL, CheckedClient

import live
from live.services import rehearsal
from live.services import window as window_service

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>{{ 7*7 }}'


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
def visitor(app):
    """A young person's browser: no link, no PIN, no cookie."""
    return app.test_client()


def words(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def by_id(page: str, ident: str) -> str:
    match = re.search(rf'id="{ident}"[^>]*>(.*?)</(p|dd|h1|ul|table|section)>', page, re.S)
    assert match, ident
    return words(match.group(1))


def column(page: str, cls: str) -> list[str]:
    return [words(cell) for cell in re.findall(rf'<td class="{cls}">(.*?)</td>', page, re.S)]


def site_links(page: str) -> list[tuple[str, str]]:
    """(href, name) of every commune listed on /hoi."""
    return [
        (href, html.unescape(name))
        for href, name in re.findall(r'<li><a href="([^"]+)" data-id="[^"]*"><span class="name">([^<]*)</span>', page)
    ]


def edit_conference(day, **changes) -> None:
    doc = {**day.conference(), **changes}
    day.replace_conference(doc)


def publish(day, text: str, *, theme: str = "t1", site: str = "1304", department: str = "d1", reply: str = "") -> dict:
    """A question from a phone, approved, forwarded, answered by its department and published."""
    qid = str(uuid.uuid4())
    question, _, _ = day.desk.submit(
        {"id": qid, "site": site, "text": text, "theme": theme}, device=f"phone-{qid[:8]}", address="10.0.0.9"
    )
    question, _ = day.desk.act("approve", {"id": qid, "version": question["version"]}, role="moderator")
    payload = {"id": qid, "version": question["version"], "department": department}
    question, _ = day.desk.act("forward", payload, role="mc")
    payload = {"id": qid, "version": question["version"], "text": reply or f"Trả lời: {text}", "department": department}
    question, _ = day.desk.act("reply", payload, role="department", name="Sở")
    question, _ = day.desk.act("publish", {"id": qid, "version": question["version"]}, role="moderator", name="Hoa")
    return question


# ---------------------------------------------------------------- the dialogue's page


def test_the_dialogue_page_says_what_when_and_where_without_any_link(visitor, day):
    response = visitor.get("/doi-thoai")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert by_id(page, "title") == "Hội nghị đối thoại giữa Chủ tịch UBND tỉnh với thanh niên năm 2025"
    assert by_id(page, "organiser") == "Ủy ban nhân dân tỉnh Cao Bằng"
    assert by_id(page, "theme") == "Chủ đề: Nâng cao chất lượng nguồn nhân lực trẻ trên địa bàn tỉnh Cao Bằng"
    assert by_id(page, "date") == "28/08/2025" and by_id(page, "start") == "08:00"
    assert by_id(page, "venue").startswith("Phòng họp tầng 2, Trung tâm Hội nghị tỉnh")
    # how to ask: from home, the tracking code's lookup, the privacy notice
    assert 'href="/hoi"' in page and "Đặt câu hỏi từ nhà" in page
    assert 'href="/tra-cuu"' in page and "quét mã QR" in page
    assert 'href="/quyen-rieng-tu"' in page
    assert "<script" not in page  # a page that needs no script at all


def test_each_agenda_item_starts_after_the_minutes_of_those_before_it(visitor, day):
    page = visitor.get("/doi-thoai").get_data(as_text=True)
    assert column(page, "at") == ["08:00", "08:15", "08:20", "08:30", "08:40", "10:40", "10:55", "11:00"]
    assert column(page, "len") == ["15 phút", "5 phút", "10 phút", "10 phút", "120 phút", "15 phút", "5 phút", "10 phút"]  # fmt: skip
    assert column(page, "what")[4] == "Chủ tịch UBND tỉnh và lãnh đạo các sở, ban, ngành trả lời theo nhóm vấn đề"
    assert by_id(page, "ends") == "Dự kiến kết thúc lúc 11:10."


def test_half_minutes_and_an_evening_start_are_counted_on_a_24_hour_clock(visitor, day):
    agenda = [
        {"title": "Khai mạc", "minutes": 7.5},
        {"title": "Đối thoại", "minutes": 90},
        {"title": "Bế mạc", "minutes": 5},
    ]
    edit_conference(day, start_time="19:30", agenda=agenda)
    page = visitor.get("/doi-thoai").get_data(as_text=True)
    assert column(page, "at") == ["19:30", "19:37", "21:07"]
    assert column(page, "len") == ["7,5 phút", "90 phút", "5 phút"]
    assert by_id(page, "ends") == "Dự kiến kết thúc lúc 21:12."
    # no start time: the durations alone
    edit_conference(day, start_time="")
    page = visitor.get("/doi-thoai").get_data(as_text=True)
    assert column(page, "at") == [] and column(page, "len") == ["7,5 phút", "90 phút", "5 phút"]
    assert 'id="ends"' not in page and 'id="start"' not in page


def test_the_window_is_told_on_both_pages_as_the_phone_tells_it(visitor, day, clock):
    window_service.set_periods(
        day.store, "01/08/2025 08:00 - 20/08/2025 16:00\n28/08/2025 07:00 - 28/08/2025 11:30", now=clock.now, by="admin"
    )
    phone = visitor.get("/q/1304").get_data(as_text=True)
    sentence = "Đang nhận câu hỏi đến 16:00 ngày 20/08/2025"
    assert by_id(phone, "window-state") == sentence
    for path in ("/doi-thoai", "/hoi"):
        page = visitor.get(path).get_data(as_text=True)
        assert by_id(page, "window-state") == sentence
        assert 'class="window-state is-open"' in page and 'id="closed-hint"' not in page
    clock.now = at("21/08/2025", "09:00")
    paused = "Tạm dừng nhận câu hỏi: mở lại từ 07:00 ngày 28/08/2025"
    assert by_id(visitor.get("/doi-thoai").get_data(as_text=True), "window-state") == paused
    clock.now = at("29/08/2025", "09:00")
    for path in ("/doi-thoai", "/hoi"):
        page = visitor.get(path).get_data(as_text=True)
        assert by_id(page, "window-state") == "Đã hết thời gian nhận câu hỏi"
        assert 'class="window-state is-closed"' in page
    # closed, the page still lists the communes and says where questions stand
    page = visitor.get("/hoi").get_data(as_text=True)
    assert "câu hỏi chỉ được nhận trong thời gian nhận câu hỏi" in by_id(page, "closed-hint")
    assert len(site_links(page)) == 57


def test_the_bridge_points_are_the_hall_then_the_communes_by_name(visitor, day):
    page = visitor.get("/doi-thoai").get_data(as_text=True)
    assert "Các điểm cầu (57)" in words(page)
    assert "Điểm cầu chính: Trung tâm Hội nghị tỉnh (điểm cầu chính)" in words(page)
    listed = [html.unescape(n) for n in re.findall(r"<li>([^<]*)</li>", by_section(page, "sites"))]
    assert len(listed) == 56 and listed[:3] == ["Phường Nùng Trí Cao", "Phường Tân Giang", "Phường Thục Phán"]
    assert listed.index("Xã Đàm Thuỷ") < listed.index("Xã Đình Phong") < listed.index("Xã Hạ Lang")  # Đ as D
    assert listed.index("Xã Quang Hán") < listed.index("Xã Quảng Lâm") < listed.index("Xã Quang Long")


def by_section(page: str, ident: str) -> str:
    """One top-level section of /doi-thoai (the answers' section holds a section per theme)."""
    start = page.index(f'<section id="{ident}"')
    ends = [page.find(mark, start + 1) for mark in ('<section id="', '<p class="privacy-link"')]
    return page[start : min(e for e in ends if e > 0)]


def thousands_of_sites(day, n: int = 3321) -> None:
    """A province-wide conference: the hall and ``n`` communes, Xã Quảng Lâm among them."""
    sites = [{"id": "hall", "code": "", "name": "Hội trường tỉnh", "kind": "hall"}]
    sites += [{"id": f"s{k}", "code": f"{10000 + k}", "name": f"Xã Số {k}", "kind": "commune"} for k in range(1, n)]
    sites.append({"id": "ql", "code": "01304", "name": "Xã Quảng Lâm", "kind": "commune"})
    edit_conference(day, sites=sites)


def test_with_thousands_of_sites_both_pages_stay_small_and_searchable(visitor, day):
    thousands_of_sites(day)
    started = time.perf_counter()
    page = visitor.get("/doi-thoai").get_data(as_text=True)
    assert by_id(page, "site-count") == "3321 điểm cầu tại các xã, phường."
    assert 'id="site-list"' not in page and "Xã Số 17" not in page
    assert 'action="/hoi"' in by_section(page, "sites") and 'name="tim"' in page
    assert len(page) < 40_000
    home = visitor.get("/hoi").get_data(as_text=True)
    assert len(site_links(home)) == 50
    assert by_id(home, "result-count") == "Có 3322 kết quả: đây là 50 kết quả đầu, gõ thêm để thu hẹp."
    found = visitor.get("/hoi?tim=quang+lam").get_data(as_text=True)
    assert site_links(found) == [("/q/ql", "Xã Quảng Lâm")]
    assert by_id(found, "result-count") == "Tìm thấy 1 kết quả."
    assert site_links(visitor.get("/hoi?tim=11234").get_data(as_text=True)) == [("/q/s1234", "Xã Số 1234")]
    assert time.perf_counter() - started < 5


def test_the_newest_published_answers_by_theme_and_a_link_to_all(visitor, day, clock):
    page = visitor.get("/doi-thoai").get_data(as_text=True)
    assert by_id(page, "no-answers") == "Chưa có trả lời nào được công bố."
    first = publish(day, "Tỉnh có học bổng cho học sinh dân tộc thiểu số không?", reply="Có 200 suất mỗi năm.")
    clock.now += 60
    publish(day, "Trạm y tế xã có bác sĩ trẻ không?", theme="t6", site="1297", department="d7")
    page = visitor.get("/doi-thoai").get_data(as_text=True)
    answers = by_section(page, "answers")
    assert "Có 200 suất mỗi năm." in answers and first["code"] in answers
    assert answers.index("Giáo dục, đào tạo nghề và học bổng") < answers.index("Y tế và chăm sóc sức khỏe thanh niên")
    assert "Xã Quảng Lâm" in answers and "Xã Nam Quang" in answers
    assert "Trả lời bằng văn bản của Sở Nội vụ, công bố ngày 10/08/2025" in words(answers)
    assert 'href="/tra-loi"' in answers and 'id="newest"' not in answers
    for k in range(22):
        clock.now += 60
        publish(day, f"Câu hỏi số {k} về việc làm cho thanh niên?", theme="t2")
    answers = by_section(visitor.get("/doi-thoai").get_data(as_text=True), "answers")
    assert answers.count('<article class="answer"') == 20
    assert by_id(answers, "newest") == "20 trả lời mới nhất trong số 24."
    assert "Câu hỏi số 21 về" in answers and "Có 200 suất mỗi năm." not in answers  # the oldest left to /tra-loi


def test_a_rehearsal_never_shows_on_the_dialogue_page(visitor, day):
    publish(day, "Câu hỏi thật của ngày hội nghị?")
    rehearsal.start(day, by="Quản trị")
    publish(day, "Câu hỏi tập dượt không được công khai?")
    page = visitor.get("/doi-thoai").get_data(as_text=True)
    assert "Câu hỏi thật của ngày hội nghị?" in page
    assert "Câu hỏi tập dượt" not in page and "Trả lời: Câu hỏi tập dượt" not in page
    assert '<div id="rehearsal-banner" class="rehearsal-banner" role="status" hidden>' in page  # no banner either


# ---------------------------------------------------------------- asking from home


def test_asking_from_home_lists_every_commune_then_the_hall_each_to_its_question_form(visitor, day):
    response = visitor.get("/hoi")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    listed = site_links(page)
    assert len(listed) == 57 and by_id(page, "result-count") == "Tìm thấy 57 kết quả."
    assert listed[0] == ("/q/1279", "Phường Nùng Trí Cao")
    assert listed[-1] == ("/q/hall", "Trung tâm Hội nghị tỉnh (điểm cầu chính)")  # last: for the hall's people
    assert "Hội trường chính: dành cho người dự tại hội trường" in page
    assert ("/q/1304", "Xã Quảng Lâm") in listed
    # each link opens the phone page itself: the same form, outbox and receipt
    form = visitor.get("/q/1304")
    assert form.status_code == 200 and 'id="ask"' in form.get_data(as_text=True)
    assert 'href="/quyen-rieng-tu"' in page and 'href="/tra-cuu"' in page
    assert 'src="/static/js/ask_home.js"' in page


@pytest.mark.parametrize(
    "typed, names",
    [
        ("quang lam", ["Xã Quảng Lâm"]),
        ("QUANG LAM", ["Xã Quảng Lâm"]),
        ("Quảng Lâm", ["Xã Quảng Lâm"]),
        (unicodedata.normalize("NFD", "quảng lâm"), ["Xã Quảng Lâm"]),  # a VNI keyboard's decomposed marks
        ("thuc phan", ["Phường Thục Phán"]),
        ("  lam   quang ", ["Xã Quảng Lâm"]),  # every word, in any order
        ("dam thuy", ["Xã Đàm Thuỷ"]),  # đ → d
        ("1304", ["Xã Quảng Lâm"]),  # its administrative code
        ("phuong", ["Phường Nùng Trí Cao", "Phường Tân Giang", "Phường Thục Phán"]),
        ("hoi nghi", ["Trung tâm Hội nghị tỉnh (điểm cầu chính)"]),
    ],
)
def test_the_search_ignores_diacritics_case_and_order(visitor, day, typed, names):
    page = visitor.get("/hoi", query_string={"tim": typed}).get_data(as_text=True)
    assert [name for _, name in site_links(page)] == names
    assert by_id(page, "result-count") == f"Tìm thấy {len(names)} kết quả."


def test_nothing_found_says_so_in_vietnamese(visitor, day):
    response = visitor.get("/hoi?tim=xyz+khong+co")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert site_links(page) == []
    assert by_id(page, "result-count") == (
        "Không tìm thấy xã, phường nào khớp với “xyz khong co”. Hãy gõ ít chữ hơn, hoặc gõ mã xã."
    )


@pytest.mark.parametrize(
    "query",
    [
        "tim=" + "x" * 101,
        "tim=" + quote("quảng lâm " * 5000),
        "tim=" + quote("\x00\x01\u202e\ufeffquang"),
        "tim=%00%ff%ED%A0%80",  # not UTF-8, a lone surrogate's bytes
        "tim=" + quote("🇻🇳" * 30),
        "tim=" + quote("' OR 1=1 --"),
        "tim=" + quote("{{ 7*7 }}"),
        "tim=a&tim=b&tim=",
        "tim",
    ],
)
def test_bad_or_huge_searches_never_break_the_page(visitor, day, query):
    response = visitor.get("/hoi?" + query)
    page = response.get_data(as_text=True)
    typed = parse_qs(query, keep_blank_values=True).get("tim", [""])[0]
    if len(typed) > 100:
        assert response.status_code == 400
        assert by_id(page, "search-error") == "Từ khóa tìm kiếm quá dài: tối đa 100 ký tự."
        assert len(site_links(page)) == 57  # the whole list instead
    else:
        assert response.status_code == 200
    assert "49" not in by_id(page, "result-count")


def test_control_characters_are_cleaned_from_the_search(visitor, day):
    page = visitor.get("/hoi", query_string={"tim": "\x00quang\u200b lam\x07"}).get_data(as_text=True)
    assert [name for _, name in site_links(page)] == ["Xã Quảng Lâm"]


def test_hostile_conference_texts_are_shown_as_text(visitor, day):
    sites = [*day.conference()["sites"], {"id": "evil", "code": "666", "name": f"Xã {HOSTILE}", "kind": "commune"}]
    agenda = [{"title": HOSTILE, "minutes": 10}]
    edit_conference(day, title=HOSTILE, organiser=HOSTILE, theme=HOSTILE, venue=HOSTILE, agenda=agenda, sites=sites)
    escaped = html.escape(HOSTILE, quote=False)
    page = visitor.get("/doi-thoai").get_data(as_text=True)
    assert "<script>alert" not in page and "<img src=x" not in page and "49" not in page
    assert escaped.replace('"', "&#34;") in page or escaped in page
    assert by_id(page, "title") == HOSTILE
    home = visitor.get("/hoi?tim=" + "xa <script>").get_data(as_text=True)
    assert "<script>alert" not in home and "<img src=x" not in home
    assert [name for _, name in site_links(home)] == [f"Xã {HOSTILE}"]
    assert html.unescape(home).count(HOSTILE) >= 2  # the list and the embedded data


def test_the_front_page_links_to_both(visitor, day):
    page = visitor.get("/").get_data(as_text=True)
    assert re.search(r'<a [^>]*href="/hoi"[^>]*>Đặt câu hỏi từ nhà</a>', page)
    assert 'href="/doi-thoai"' in page


def test_both_pages_in_english(visitor, day):
    visitor.get("/lang/en")
    page = visitor.get("/doi-thoai").get_data(as_text=True)
    assert "How to ask" in page and "Ask from home" in page and "120 min" in page
    assert "Expected to end at 11:10." in page
    home = visitor.get("/hoi?tim=quang+lam").get_data(as_text=True)
    assert "Find your commune or ward" in home and "1 found." in home


def test_the_first_visit_after_a_restart_names_where_each_answered_question_came_from(app, day, tmp_path):
    publish(day, "Tỉnh có học bổng cho học sinh nghèo không?")
    day.store.close()
    again = live.create_app(
        {"DATA_DIR": str(tmp_path / "data"), "DEMO": False, "ASYNC_MODE": "threading", "PUBLIC_URL": PUBLIC_URL}
    )
    again.test_client_class = CheckedClient
    try:
        answers = by_section(again.test_client().get("/doi-thoai").get_data(as_text=True), "answers")
        assert re.search(r'<span class="origin-text">Xã Quảng Lâm</span>', answers), answers
    finally:
        again.extensions["live.day"].store.close()


def test_a_server_without_a_conference_still_answers_both_pages(tmp_path):
    empty = live.create_app(
        {"DATA_DIR": str(tmp_path / "empty"), "DEMO": False, "ASYNC_MODE": "threading", "PUBLIC_URL": PUBLIC_URL}
    )
    empty.test_client_class = CheckedClient
    try:
        visitor = empty.test_client()
        page = visitor.get("/doi-thoai").get_data(as_text=True)
        assert by_id(page, "title") == "Hội nghị đối thoại"
        assert by_id(page, "no-sites") == "Hội nghị chưa có điểm cầu nào: chưa thể gửi câu hỏi."
        home = visitor.get("/hoi?tim=quang").get_data(as_text=True)
        assert by_id(home, "result-count") == "Hội nghị chưa có điểm cầu nào: chưa thể gửi câu hỏi."
        assert site_links(home) == []
    finally:
        empty.extensions["live.day"].store.close()
