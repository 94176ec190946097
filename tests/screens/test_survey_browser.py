"""The survey after the day and the participation page in real Chromium.

The admin (1440×900) sets four questions (three ratings and a free text) and opens the survey. Two
phones (Chromium, 390×844) find it from their question page and answer without any script: one
types a free text made of script and markup strings from tests/corpora, and is thanked, and told
on a second visit that it was sent. Sixty more phones (plain HTTP) each send one hostile string.
The secretariat reads every free text on its page (each shown exactly as stored, as text), keeps
half and leaves half out of the report; the reports page shows the results per site and only the
texts kept; the participation page prints on A4 (print media and a PDF).

Nothing may run: the tripwire of test_hostile_browser.py (dialogs, alert/confirm/prompt/print/open,
elements and attributes the pages never make), every free text's element holds text only, and no
page asks the server for anything but its own paths (a hostile <img src=x> would ask for /x).

Screenshots: test-artifacts/survey-admin.png, survey-phone.png, survey-phone-sent.png,
survey-review.png, survey-reports.png, participation-summary.png, participation-print.png;
participation.pdf.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
import requests
from browser import _CSP_REPORTER, Screen, screenshot
from playwright.sync_api import expect
from test_hostile_browser import PHONE, Watch, phone_batch, tripped

from live.core.text import clean

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

DESKTOP = {"width": 1440, "height": 900}
QUESTIONS = (
    ("Bạn hài lòng với hội nghị hôm nay?", "Chấm điểm từ 1 đến 5"),
    ("Âm thanh, hình ảnh ở điểm cầu của bạn thế nào?", "Chấm điểm từ 1 đến 5"),
    ("Câu trả lời của lãnh đạo có rõ ràng không?", "Chấm điểm từ 1 đến 5"),
    ("Bạn muốn góp ý thêm điều gì?", "Ý kiến tự do"),
)
OWN_PATHS = re.compile(
    r"^/(static/.+|socket\.io/|k/[\w-]+|q/(hall|1304)|khao-sat/(hall|1304)|khao-sat-quan-ly(/mo)?|khao-sat-y-kien"
    r"|admin/?|reports/?|tong-hop-tham-gia|moderator|favicon\.ico)$"
)


def open_phone(watch: Watch, server, site: str) -> Screen:
    """A phone on the site's question page, with the tripwire (as test_hostile_browser.py's)."""
    context = watch.screens.browser.new_context(viewport=PHONE, locale="vi-VN", has_touch=True, is_mobile=True)
    watch.prepare(context)
    context.add_init_script(_CSP_REPORTER)
    page = context.new_page()
    page.set_default_timeout(10_000)
    phone = Screen(role=f"phone-{site}", base_url=server.url, context=context, page=page)
    page.on("console", lambda m: m.type == "error" and phone.console_errors.append(m.text))
    page.on("pageerror", lambda e: phone.page_errors.append(str(e)))
    page.on("request", lambda r: phone.urls.append(r.url))
    watch.screens.opened.append(phone)
    page.goto(f"{server.url}/q/{site}")
    return phone


def answer_by_http(server, site: str, **fields) -> None:
    """A phone that sends the form as a browser without scripts would."""
    phone = requests.Session()
    form = phone.get(f"{server.url}/khao-sat/{site}", timeout=10).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    sent = phone.post(
        f"{server.url}/khao-sat/{site}", data={"csrf_token": token, **fields}, timeout=10, allow_redirects=False
    )
    assert sent.status_code == 303, (sent.status_code, fields)


def texts_shown(screen: Screen, selector: str) -> list[str]:
    """The textContent of each element, refusing any element inside one (text became markup)."""
    found = screen.page.evaluate(
        "(sel) => Array.from(document.querySelectorAll(sel), (n) => [n.textContent, n.childElementCount])", selector
    )
    assert all(children == 0 for _text, children in found), [t for t, c in found if c][:5]
    return [text for text, _children in found]


def test_the_survey_from_the_admin_to_the_phones_to_the_report(make_server, screens, artifacts):
    server = make_server("gevent")
    watch = Watch(screens)

    # the admin sets four questions and opens the survey
    admin = watch.open(server, "admin", DESKTOP)
    page = admin.page
    page.goto(server.url + "/khao-sat-quan-ly")
    expect(page.locator("#survey-status")).to_contain_text("Đang đóng")
    expect(page.locator("#survey-open")).to_be_disabled()  # no questions yet
    page.get_by_label("Câu 1", exact=True).fill(QUESTIONS[0][0])
    page.get_by_role("button", name="Lưu các câu hỏi").click()
    expect(page.locator("#survey-error")).to_have_text(
        "Phiếu khảo sát cần từ 3 đến 5 câu hỏi. Vui lòng nhập thêm câu hỏi."
    )
    for n, (text, kind) in enumerate(QUESTIONS, start=1):
        page.get_by_label(f"Câu {n}", exact=True).fill(text)
        page.locator(f"#kind-{n}").select_option(label=kind)
    page.get_by_role("button", name="Lưu các câu hỏi").click()
    expect(page.locator("#survey-saved")).to_have_text("Đã lưu các câu hỏi của phiếu khảo sát.")
    page.get_by_role("button", name="Mở phiếu khảo sát").click()
    expect(page.locator("#survey-status")).to_contain_text("Đang mở")
    screenshot(admin, artifacts, "survey-admin.png")

    # a phone at Quảng Lâm finds the survey on its question page and answers it without a script
    hostile = [s for s in phone_batch() if "\x00" not in s]
    typed = "\n".join(hostile[:12])[:2000]
    first = open_phone(watch, server, "1304")
    first.page.locator("#survey-link a").click()
    expect(first.page.locator("#survey-h")).to_have_text("Phiếu khảo sát")
    assert first.page.locator("script").count() == 0  # no script on this page at all
    first.page.locator("#f-s1 label", has_text="5").click()
    first.page.locator("#f-s2 label", has_text="4").click()
    first.page.get_by_label(re.compile("Bạn muốn góp ý thêm")).fill(typed)
    screenshot(first, artifacts, "survey-phone.png")
    first.page.get_by_role("button", name="Gửi phiếu khảo sát").click()
    expect(first.page.locator("#survey-sent")).to_contain_text("Đã gửi, cảm ơn bạn!")
    screenshot(first, artifacts, "survey-phone-sent.png")
    first.page.goto(f"{server.url}/khao-sat/1304")
    expect(first.page.locator("#survey-sent")).to_have_text("Điện thoại này đã gửi phiếu khảo sát. Cảm ơn bạn!")
    expect(first.page.locator("#survey-form")).to_have_count(0)

    # a phone in the hall leaves a rating blank and writes nothing
    second = open_phone(watch, server, "hall")
    second.page.goto(f"{server.url}/khao-sat/hall")
    second.page.locator("#f-s1 label", has_text="2").click()
    second.page.locator("#f-s3 label", has_text="3").click()
    second.page.get_by_role("button", name="Gửi phiếu khảo sát").click()
    expect(second.page.locator("#survey-sent")).to_contain_text("Đã gửi, cảm ơn bạn!")

    # sixty more phones, each with one hostile string as its free text
    many = hostile[12:72]
    for n, text in enumerate(many):
        answer_by_http(server, "1304" if n % 2 else "hall", s1=str(n % 5 + 1), s4=text)
    written = [typed, *many]
    expected = sorted(c for c in (clean(t, multiline=True) for t in written) if c)  # as the server stores them

    # the secretariat reads every free text: exactly as stored, as text; keeps half, leaves half out
    secretariat = watch.open(server, "moderator", DESKTOP)
    review = secretariat.page
    review.goto(server.url + "/reports/")
    expect(review.locator("#survey-pending")).to_have_text(f"{len(expected)} ý kiến chờ đọc")
    expect(review.locator("#survey-texts-empty")).to_be_visible()  # nothing released yet
    review.locator("#survey-review-link").click()
    assert sorted(texts_shown(secretariat, ".review-item .survey-text")) == expected
    screenshot(secretariat, artifacts, "survey-review.png")
    kept = []
    for n in range(len(expected)):
        item = review.locator(".review-item.state-pending").first
        text = item.locator(".survey-text").text_content()
        verdict = "Đã đọc" if n % 2 == 0 or text == clean(typed, multiline=True) else "Không đưa vào báo cáo"
        if verdict == "Đã đọc":
            kept.append(text)
        item.get_by_role("button", name=verdict, exact=True).click()
        expect(review.locator("#review-done")).to_be_visible()
    expect(review.locator("#pending-count strong")).to_have_text("Chờ đọc: 0")

    # the reports page: the results per site, and the texts kept, as text
    review.goto(server.url + "/reports/#survey")
    expect(review.locator("#survey-count")).to_have_text(f"Số phiếu đã nhận: {len(written) + 1}")
    sites = review.locator("#survey-sites tbody tr")
    expect(sites).to_have_count(2)
    expect(review.locator("#survey-sites tr[data-site='1304'] td").first).to_have_text("Xã Quảng Lâm")
    assert sorted(texts_shown(secretariat, "#survey-texts .survey-text")) == sorted(kept)
    review.locator("#survey").scroll_into_view_if_needed()
    screenshot(secretariat, artifacts, "survey-reports.png")

    # the participation page, printed
    review.locator("#afterday-link").click()
    expect(review.locator("h1")).to_have_text("Tổng hợp kết quả tham gia")
    assert sorted(texts_shown(secretariat, "#survey-texts .survey-text")) == sorted(kept)
    screenshot(secretariat, artifacts, "participation-summary.png")
    review.emulate_media(media="print")
    expect(review.locator(".bar")).to_be_hidden()
    expect(review.locator(".print-title")).to_be_visible()
    screenshot(secretariat, artifacts, "participation-print.png")
    pdf = review.pdf(path=str(artifacts / "participation.pdf"), format="A4")
    assert pdf.startswith(b"%PDF")
    review.emulate_media(media="screen")

    pages = [admin, first, second, secretariat]
    hits = [f"{s.role}: {hit}" for s in pages for hit in tripped(s)]
    stray = [f"{s.role}: {u}" for s in pages for u in s.urls if urlsplit(u).netloc == urlsplit(server.url).netloc
             and not OWN_PATHS.match(urlsplit(u).path)]  # fmt: skip
    assert not watch.dialogs, watch.dialogs
    assert not hits, hits[:20]
    assert not stray, stray[:20]
    # the refused save is answered 400 (a form with an error), which Chromium logs: nothing else
    screens.assert_clean(allow=[r"status of 400 \(BAD REQUEST\)"])
