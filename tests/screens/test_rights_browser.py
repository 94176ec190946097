"""An asker deletes her question by tracking code, in real Chromium (issue 23, item 5).

A young person at Xã Quảng Lâm (390×844) sends a question with her name, ticking the name box → the
secretariat approves it in its console and it joins the MC's queue → on her phone she follows the
link under "Câu hỏi của tôi" to /du-lieu-cua-toi in a second tab, types the tracking code, and sees
everything held: the text, the commune, the time, her name, the consent with the notice's version →
she asks to delete it, sees it once more, and confirms → the secretariat's console, the MC's queue
and her own phone's list lose it without a reload → the secretariat's register of requests shows the
request as done, and holds neither her name nor the text → she asks again and phones the secretariat to
withdraw her name, which it records and does from the register → she deletes that question too while a
second console is disconnected, which drops it once it is back.

Screenshots land in test-artifacts/ (rights-held.png, rights-confirm.png, rights-deleted.png,
rights-register.png).
"""

from __future__ import annotations

import re

import pytest
from browser import _CSP_REPORTER, MC_VIEWPORT, Screen, screenshot
from playwright.sync_api import expect

from live.core.privacy import NOTICE_VERSION

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}
QUESTION = "Em muốn hỏi xã có kế hoạch mở lớp dạy nghề may cho thanh niên trong năm tới không ạ?"
NAME = "Nông Thị Mai"
THIRD = "Xã có mở lớp tin học miễn phí cho thanh niên vào buổi tối không?"
SECOND = "Tỉnh có hỗ trợ vốn cho thanh niên khởi nghiệp trồng cây dược liệu không ạ?"


def phone_of(browser, server) -> Screen:
    context = browser.new_context(viewport=PHONE, locale="vi-VN", has_touch=True, is_mobile=True)
    context.add_init_script(_CSP_REPORTER)
    page = context.new_page()
    page.set_default_timeout(10_000)
    screen = Screen(role="phone", base_url=server.url, context=context, page=page)
    watch(screen, page)
    return screen


def watch(screen: Screen, page) -> None:
    page.on("console", lambda m: m.type == "error" and screen.console_errors.append(m.text))
    page.on("pageerror", lambda e: screen.page_errors.append(str(e)))
    page.on("request", lambda r: screen.urls.append(r.url))
    page.on("dialog", lambda d: screen.page_errors.append(f"dialog: {d.message}") or d.dismiss())


def test_an_asker_deletes_her_question_and_every_screen_follows(make_server, browser, screens, artifacts):
    server = make_server()
    phone = phone_of(browser, server)
    try:
        run(server, browser, screens, phone, artifacts)
    finally:
        phone.context.close()


def run(server, browser, screens, phone, artifacts):
    # ---- she asks, with her name, from the phone at Xã Quảng Lâm
    asker = phone.page
    asker.goto(f"{server.url}/q/1304")
    expect(asker.locator("#conn")).to_have_text("Đã kết nối")
    asker.get_by_label("Câu hỏi của bạn").fill(QUESTION)
    asker.locator("#consent-name").check()
    asker.get_by_label("Họ và tên").fill(NAME)
    asker.get_by_role("button", name="Gửi câu hỏi").click()
    expect(asker.locator("#result .code")).to_have_text(re.compile(r"^[2-9A-Z]{6}$"))
    code = asker.locator("#result .code").inner_text()
    mine = asker.locator("#mine li.q")
    expect(mine).to_have_count(1)
    ident = mine.first.get_attribute("data-id")

    # ---- the secretariat approves it: it joins the MC's queue
    console = screens.open(server, "moderator", DESKTOP)
    page = console.page
    expect(page.locator("#desk")).to_have_attribute("data-loaded", "yes")
    row = page.locator(f"#feed li.q[data-id='{ident}']")
    row.locator(".q-text").click()
    page.locator("button[data-do=approve]").click()
    expect(row.locator(".badge")).to_have_text("Đã duyệt")
    mc = screens.open(server, "mc", MC_VIEWPORT)
    queued = mc.page.locator(f"#queue .q-item[data-id='{ident}']")
    expect(queued).to_have_count(1)

    # ---- on her phone, in a second tab, she opens her data by the tracking code
    expect(asker.locator("#rights-link")).to_be_visible()
    rights = phone.context.new_page()
    rights.set_default_timeout(10_000)
    watch(phone, rights)
    rights.goto(asker.locator("#rights-link").evaluate("a => a.href"))
    rights.get_by_label("Mã theo dõi").fill(code.lower())
    rights.get_by_role("button", name="Xem dữ liệu").click()
    held = rights.locator(f"article.held[data-id='{ident}']")
    expect(held.locator(".qtext").first).to_have_text(QUESTION)
    expect(held.locator("#held-name")).to_have_text(NAME)
    expect(held.locator("#held-consents")).to_contain_text(f"phiên bản {NOTICE_VERSION}")
    expect(held).to_contain_text("Xã Quảng Lâm")
    expect(held.locator("#held-status")).to_have_text("Đã duyệt")  # as the phone and the lookup say it
    assert rights.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    rights.screenshot(path=str(artifacts / "rights-held.png"), full_page=True)

    # ---- she asks to delete it, sees it once more, and confirms
    held.get_by_role("button", name="Xoá câu hỏi…").click()
    expect(rights.locator("#confirm .qtext")).to_have_text(QUESTION)
    rights.screenshot(path=str(artifacts / "rights-confirm.png"))
    expect(row).to_have_count(1)  # nothing is deleted before she confirms
    rights.get_by_role("button", name="Xoá vĩnh viễn").click()
    expect(rights.locator("#deleted")).to_contain_text(code)
    expect(rights.locator("body")).not_to_contain_text(QUESTION)
    rights.screenshot(path=str(artifacts / "rights-deleted.png"))

    # ---- every screen follows, without a reload
    expect(row).to_have_count(0)
    expect(queued).to_have_count(0)
    expect(mine).to_have_count(0)
    expect(asker.locator("#mine-empty")).to_be_visible()
    expect(page.locator("#feed")).not_to_contain_text(QUESTION)

    # ---- the same code finds nothing any more, as a code that never existed
    rights.get_by_label("Mã theo dõi").fill(code)
    rights.get_by_role("button", name="Xem dữ liệu").click()
    expect(rights.locator("#none")).to_have_text(f"Không có câu hỏi nào với mã {code}.")

    # ---- the secretariat's register shows the request, done, with no name and no text
    page.locator("#desk-pages summary").click()  # the other pages of the secretariat
    page.locator("#rights-link").click()
    request = page.locator(f"#requests tr[data-code='{code}']")
    expect(request).to_have_count(2)  # she looked (seen), then deleted
    deleted = page.locator(f"#requests tr[data-code='{code}'][data-kind='xoa']")
    expect(deleted).to_have_attribute("data-state", "done")
    expect(deleted.locator(".state")).to_contain_text("Đã xong lúc")
    expect(page.locator("#register")).not_to_contain_text(NAME)
    expect(page.locator("#register")).not_to_contain_text(QUESTION)
    screenshot(console, artifacts, "rights-register.png")

    # ---- she asks again, then phones the secretariat to withdraw her name: recorded and done there
    asker.get_by_label("Câu hỏi của bạn").fill(SECOND)
    asker.locator("#consent-name").check()
    asker.get_by_label("Họ và tên").fill(NAME)
    asker.get_by_role("button", name="Gửi câu hỏi").click()
    expect(asker.locator("#result .code")).not_to_have_text(code)
    second = asker.locator("#result .code").inner_text()
    page.locator("#me").fill("Hoàng Thư Ký")
    page.locator("#r-kind").select_option(label="Rút tên hoặc đối tượng")
    page.locator("#r-code").fill(second)
    page.locator("#r-via").select_option(label="Gọi điện thoại")
    page.locator("#r-save").click()
    expect(page.locator("#request")).to_have_attribute("data-open", "yes")
    expect(page.locator("#request .held .qtext")).to_have_text(SECOND)
    expect(page.locator("#request .held")).to_contain_text(NAME)
    page.get_by_role("button", name="Rút tên theo yêu cầu").click()
    expect(page.locator("#request")).to_have_attribute("data-open", "no")
    expect(page.locator("#request .held")).not_to_contain_text(NAME)
    screenshot(console, artifacts, "rights-request.png")

    # ---- a console that was away when she deleted her second question drops it when it comes back
    asker.get_by_label("Câu hỏi của bạn").fill(THIRD)
    asker.get_by_role("button", name="Gửi câu hỏi").click()
    expect(asker.locator("#mine li.q")).to_have_count(2)
    away = screens.open(server, "moderator", DESKTOP)
    expect(away.page.locator("#desk")).to_have_attribute("data-loaded", "yes")
    kept = away.page.locator("#feed li.q").filter(has_text=SECOND)
    expect(kept).to_have_count(1)
    away.page.evaluate("() => Live.socket.disconnect()")
    rights.get_by_label("Mã theo dõi").fill(second)
    rights.get_by_role("button", name="Xem dữ liệu").click()
    rights.get_by_role("button", name="Xoá câu hỏi…").click()
    rights.get_by_role("button", name="Xoá vĩnh viễn").click()
    expect(rights.locator("#deleted")).to_contain_text(second)
    expect(kept).to_have_count(1)  # it heard nothing
    away.page.evaluate("() => Live.socket.connect()")
    expect(kept).to_have_count(0)
    expect(away.page.locator("#feed li.q").filter(has_text=THIRD)).to_have_count(1)  # the rest stays

    problems = screens.problems() + phone.problems()
    assert not problems, "\n".join(problems)
