"""A rehearsal on the real day's server, in real Chromium (issue 23, item 6).

The admin starts a rehearsal from its page: the projector, the console, the MC and a phone show the
"TẬP DƯỢT" banner, and the question of the real day received the week before leaves their sight. A
phone (390×844) sends two questions; the secretariat approves one in its console and the MC puts it
on the projector. The admin wipes the rehearsal: every screen drops its questions and its banner,
the projector shows the real question it showed before, and the reports page, the conclusion
notice (DOCX, read back with python-docx) and the CSV export hold none of the rehearsal. A real
question sent afterwards counts. Screenshots: test-artifacts/rehearsal-*.png.
"""

from __future__ import annotations

import csv
import io
import re
import uuid

import docx
import pytest
from browser import _CSP_REPORTER, HD_VIEWPORT, Screen, screenshot, wait_until
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}
SITE = "1304"
REAL = "Tỉnh có chính sách hỗ trợ vốn vay khởi nghiệp cho thanh niên nông thôn không ạ?"
TRIED = "Buổi tập: xin hỏi về học bổng cho sinh viên vùng cao?"
TRIED_TOO = "Buổi tập: câu hỏi thứ hai về việc làm?"
AFTER = "Em muốn hỏi về đào tạo nghề cho thanh niên chưa có việc làm."
BANNER = "TẬP DƯỢT Dữ liệu lúc này chỉ để thử và sẽ bị xoá"


def open_phone(browser, server) -> Screen:
    context = browser.new_context(viewport=PHONE, locale="vi-VN", has_touch=True, is_mobile=True)
    context.add_init_script(_CSP_REPORTER)
    page = context.new_page()
    page.set_default_timeout(10_000)
    phone = Screen(role="phone", base_url=server.url, context=context, page=page)
    page.on("console", lambda m: m.type == "error" and phone.console_errors.append(m.text))
    page.on("pageerror", lambda e: phone.page_errors.append(str(e)))
    page.goto(f"{server.url}/q/{SITE}")
    expect(page.locator("#conn")).to_have_text("Đã kết nối")
    return phone


def send(phone: Screen, text: str) -> None:
    phone.page.get_by_label("Câu hỏi của bạn").fill(text)
    phone.page.get_by_role("button", name="Gửi câu hỏi").click()
    expect(phone.page.locator("#result .msg.ok")).to_contain_text("Đã nhận câu hỏi. Mã theo dõi:")


def on_desk(moderator) -> dict[str, dict]:
    reply = moderator.call("questions.get")
    assert reply["ok"], reply
    return {q["text"]: q for q in reply["questions"]}


def banner(screen: Screen):
    return screen.page.locator("#rehearsal-banner")


def questions_csv(page) -> str:
    got = page.request.get(page.url.split("/reports/")[0] + "/reports/cau-hoi.csv")
    assert got.ok
    return got.body().decode("utf-8-sig")


def test_a_rehearsal_is_run_then_wiped_and_the_real_day_holds_none_of_it(
    browser, make_server, screens, connect_staff, connect_phone, artifacts
):
    server = make_server()
    moderator = connect_staff(server, "moderator")
    # the real day: a question received the week before, approved and on the projector
    real = connect_phone(server, site=SITE).call(
        "question.submit", {"id": str(uuid.uuid4()), "site": SITE, "text": REAL}
    )
    assert real["ok"], real
    mc_socket = connect_staff(server, "mc")
    assert moderator.call("question.approve", {"id": real["id"], "version": 1})["ok"]
    assert mc_socket.call("question.show", {"id": real["id"], "version": 2})["ok"]

    admin = screens.open(server, "admin", DESKTOP)
    projector = screens.open(server, "projector", HD_VIEWPORT)
    console = screens.open(server, "moderator", DESKTOP)
    mc = screens.open(server, "mc", DESKTOP)
    chair = screens.open(server, "chair", HD_VIEWPORT)
    tv = screens.open(server, "site", HD_VIEWPORT, wait=False)  # a bridge point's TV
    tv.page.goto(f"{server.url}/site/{SITE}")
    tv.wait_synced()
    expect(projector.page.locator("#question-text")).to_have_text(REAL)
    for screen in (projector, console, mc, chair, tv):
        expect(banner(screen)).to_be_hidden()

    # the admin starts the rehearsal from its own page
    admin.page.locator("#rehearsal-link").click()
    expect(admin.page).to_have_url(re.compile(r"/admin/tap-duot/$"))
    admin.page.get_by_role("button", name="Bắt đầu tập dượt").click()
    expect(admin.page.locator(".flash.ok")).to_have_text(
        "Đã bắt đầu tập dượt. Mọi màn hình đang hiện dòng chữ TẬP DƯỢT."
    )
    for screen in (projector, console, mc, chair, tv, admin):
        expect(banner(screen)).to_be_visible()
        expect(banner(screen)).to_have_text(BANNER)
    expect(projector.page.locator("#current-question")).to_be_hidden()  # the real question leaves the stage
    expect(console.page.locator("#feed li.q")).to_have_count(0)  # and the console: the rehearsal's own list
    phone = open_phone(browser, server)
    expect(banner(phone)).to_be_visible()

    # a rehearsal as on the day: a phone asks, the secretariat approves, the MC shows it
    send(phone, TRIED)
    send(phone, TRIED_TOO)
    tried = wait_until(lambda: on_desk(moderator).get(TRIED), message="the rehearsal's question on the desk")
    row = console.page.locator(f"#feed li.q[data-id='{tried['id']}']")
    expect(console.page.locator("#feed li.q")).to_have_count(2)
    row.locator(".q-text").click()
    expect(console.page.locator("#detail")).to_have_attribute("data-id", tried["id"])
    console.page.keyboard.press("a")
    expect(row.locator(".badge")).to_have_text("Đã duyệt")
    mc.page.get_by_role("tab", name=re.compile(r"^Câu hỏi")).click()
    item = mc.page.locator(f"#queue .q-item[data-id='{tried['id']}']")
    item.get_by_role("button", name="Trình chiếu", exact=True).click()
    expect(projector.page.locator("#question-text")).to_have_text(TRIED)
    expect(phone.page.locator("#mine li")).to_have_count(2)
    screenshot(projector, artifacts, "rehearsal-projector.png")
    screenshot(console, artifacts, "rehearsal-console.png")
    screenshot(phone, artifacts, "rehearsal-phone.png")
    screenshot(mc, artifacts, "rehearsal-mc.png")
    screenshot(tv, artifacts, "rehearsal-site.png")

    # the admin wipes it: a box to tick first
    admin.page.reload()
    admin.page.get_by_role("button", name="Xoá toàn bộ dữ liệu tập dượt").click()
    expect(admin.page.locator(".flash.error")).to_have_text("Hãy đánh dấu ô xác nhận trước khi xoá dữ liệu tập dượt.")
    expect(projector.page.locator("#question-text")).to_have_text(TRIED)  # nothing happened
    admin.page.locator("#wipe-confirm").check()
    admin.page.get_by_role("button", name="Xoá toàn bộ dữ liệu tập dượt").click()
    expect(admin.page.locator(".flash.ok")).to_have_text(
        "Đã xoá toàn bộ dữ liệu tập dượt: 2 câu hỏi, 2 thao tác. Hội nghị, điểm cầu và liên kết được giữ nguyên."
    )
    screenshot(admin, artifacts, "rehearsal-admin.png")

    # every screen: no banner, no rehearsal question; the real question back on the projector
    for screen in (projector, console, mc, chair, tv, admin, phone):
        expect(banner(screen)).to_be_hidden()
    expect(projector.page.locator("#question-text")).to_have_text(REAL)
    expect(console.page.locator("#feed li.q")).to_have_count(1)
    expect(console.page.locator(f"#feed li.q[data-id='{real['id']}']")).to_be_visible()
    expect(mc.page.locator(f"#queue .q-item[data-id='{tried['id']}']")).to_have_count(0)
    expect(phone.page.locator("#mine li")).to_have_count(0)  # the phone's list forgets them too
    expect(phone.page.locator("#supports")).not_to_contain_text(TRIED_TOO)  # and its approved questions
    for screen in (projector, console, mc, chair, tv, phone):
        shown = screen.page.locator("body").inner_text()  # what the screen shows (a hidden panel is no longer drawn)
        assert TRIED not in shown and TRIED_TOO not in shown
    assert set(on_desk(moderator)) == {REAL}
    assert {e["action"] for e in connect_staff(server, "admin").call("audit.get")["entries"]} == {"approve", "show"}

    # a real question afterwards, from the same phone, counts
    send(phone, AFTER)
    expect(console.page.locator("#feed li.q")).to_have_count(2)
    expect(phone.page.locator("#mine li")).to_have_count(1)

    # the reports page, the conclusion notice and the CSV export of the real day
    reports = screens.open(server, "moderator", DESKTOP)
    reports.page.goto(server.url + "/reports/")
    expect(reports.page.locator("h1")).to_have_text("Báo cáo sau hội nghị")
    quang_lam = reports.page.locator("table[data-table=theo-diem-cau] tr", has_text="Xã Quảng Lâm")
    expect(quang_lam.locator("td").nth(2)).to_have_text("2")  # the real question and the one after
    html = reports.page.content()
    assert TRIED not in html and TRIED_TOO not in html
    with reports.page.expect_download() as got:
        reports.page.locator("#dl-docx").click()
    document = docx.Document(got.value.path())
    text = "\n".join(p.text for p in document.paragraphs) + "\n".join(
        cell.text for table in document.tables for row in table.rows for cell in row.cells
    )
    assert REAL in text and TRIED not in text and TRIED_TOO not in text
    rows = list(csv.DictReader(io.StringIO(questions_csv(reports.page), newline="")))
    assert sorted(r["Nội dung"] for r in rows) == sorted([REAL, AFTER])
    assert not [p for p in admin.problems() if "400 (BAD REQUEST)" not in p]  # the refused wipe's page
    assert not [p for s in screens.opened if s is not admin for p in s.problems()] and not phone.problems()
