"""The question window in real Chromium against a real ``live serve``: the admin sets a window that
has already closed, a phone (390×844) reads "Đã hết thời gian nhận câu hỏi" and, sending anyway, is
refused politely in Vietnamese with its question given back; the admin opens the window, the phone
page says so by itself, and the same question goes in with its receipt. Screenshots go to
``test-artifacts/`` (window-admin.png, window-phone-closed.png, window-phone-refused.png,
window-phone-open.png)."""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from zoneinfo import ZoneInfo

import pytest
from browser import _CSP_REPORTER, Screen
from playwright.sync_api import expect
from test_phone_browser import OFFLINE

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
PHONE = {"width": 390, "height": 844}
QUESTION = "Xin hỏi tỉnh có hỗ trợ vốn vay khởi nghiệp cho thanh niên nông thôn không?"
CLOSED = "01/03/2026 08:00 - 15/03/2026 16:00"


def local(moment: float) -> str:
    return dt.datetime.fromtimestamp(moment, ZONE).strftime("%d/%m/%Y %H:%M")


def watch(page, problems: list[str]) -> None:
    page.on("pageerror", lambda error: problems.append(f"{page.url}: {error}"))
    page.on("console", lambda m: m.type == "error" and problems.append(f"{page.url}: console: {m.text}"))


def test_a_closed_window_refuses_a_phone_politely_and_an_open_one_takes_its_question(
    make_server, browser, connect_staff, artifacts
):
    server = make_server()
    moderator = connect_staff(server, "moderator")
    links = server.links()
    problems: list[str] = []

    admin = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN").new_page()
    watch(admin, problems)
    admin.goto(links["admin"])
    admin.locator("#window-link").click()
    expect(admin).to_have_url(re.compile(r"/admin/thoi-gian-nhan-cau-hoi/$"))
    expect(admin.locator("#window-now")).to_have_text("Đang nhận câu hỏi")
    admin.get_by_label(re.compile("Mỗi dòng một khoảng thời gian")).fill(CLOSED)
    admin.get_by_role("button", name="Lưu thời gian nhận câu hỏi").click()
    expect(admin.locator(".flash.ok")).to_have_text("Đã lưu thời gian nhận câu hỏi: 1 khoảng thời gian.")
    expect(admin.locator("#window-now")).to_have_text("Đã hết thời gian nhận câu hỏi")
    expect(admin.locator("#window-periods tbody tr")).to_have_text(
        re.compile(r"01/03/2026 08:00\s*15/03/2026 16:00\s*đã qua")
    )
    admin.screenshot(path=str(artifacts / "window-admin.png"), full_page=True)

    context = browser.new_context(viewport=PHONE, locale="vi-VN", has_touch=True, is_mobile=True)
    context.add_init_script(_CSP_REPORTER)
    page = context.new_page()
    page.set_default_timeout(10_000)
    phone = Screen(role="phone", base_url=server.url, context=context, page=page)
    page.on("console", lambda m: m.type == "error" and phone.console_errors.append(m.text))
    page.on("pageerror", lambda e: phone.page_errors.append(str(e)))
    page.goto(f"{server.url}/q/1304")
    expect(page.locator("#conn")).to_have_text("Đã kết nối")
    expect(page.locator("#when")).to_contain_text("Ngày 28/08/2025, 08:00")
    state = page.locator("#window-state")
    expect(state).to_have_text("Đã hết thời gian nhận câu hỏi")
    expect(state).to_be_in_viewport()
    page.screenshot(path=str(artifacts / "window-phone-closed.png"))

    # sending anyway: refused in Vietnamese, the question given back to send later, nothing stored
    page.get_by_label("Câu hỏi của bạn").fill(QUESTION)
    page.get_by_role("button", name="Gửi câu hỏi").click()
    expect(page.get_by_role("status")).to_have_text(
        "Đã hết thời gian nhận câu hỏi của hội nghị. Câu hỏi chưa được gửi. Câu hỏi đã được đặt lại vào ô để bạn sửa."
    )
    expect(page.get_by_label("Câu hỏi của bạn")).to_have_value(QUESTION)
    assert json.loads(page.evaluate("() => localStorage.getItem('live.outbox') || '[]'")) == []  # no endless retry
    page.screenshot(path=str(artifacts / "window-phone-refused.png"), full_page=True)
    assert [q for q in moderator.call("questions.get")["questions"] if q["text"] == QUESTION] == []

    # the admin opens the window from an hour ago to tomorrow: the open phone page says so by itself
    opens, closes = time.time() - 3600, time.time() + 86400
    admin.get_by_label(re.compile("Mỗi dòng một khoảng thời gian")).fill(f"{CLOSED}\n{local(opens)} - {local(closes)}")
    admin.get_by_role("button", name="Lưu thời gian nhận câu hỏi").click()
    until = dt.datetime.fromtimestamp(closes, ZONE)
    sentence = f"Đang nhận câu hỏi đến {until:%H:%M} ngày {until:%d/%m/%Y}"
    expect(admin.locator("#window-now")).to_have_text(sentence)
    expect(state).to_have_text(sentence)
    expect(state).to_have_class(re.compile("is-open"))

    page.get_by_role("button", name="Gửi câu hỏi").click()
    box = page.locator("#result .msg.ok")
    expect(box).to_contain_text("Đã nhận câu hỏi. Mã theo dõi:")
    page.screenshot(path=str(artifacts / "window-phone-open.png"))
    stored = [q for q in moderator.call("questions.get")["questions"] if q["text"] == QUESTION]
    assert len(stored) == 1 and stored[0]["code"] == box.locator(".code").inner_text()

    # the admin closes the window again while this phone is away: it missed the change, so its page
    # still says open; a question sent then is refused, and the page says what the server said
    context.set_offline(True)
    expect(page.locator("#conn")).to_have_text(OFFLINE)
    admin.get_by_label(re.compile("Mỗi dòng một khoảng thời gian")).fill(CLOSED)
    admin.get_by_role("button", name="Lưu thời gian nhận câu hỏi").click()
    expect(admin.locator("#window-now")).to_have_text("Đã hết thời gian nhận câu hỏi")
    context.set_offline(False)
    expect(page.locator("#conn")).to_have_text("Đã kết nối", timeout=20_000)
    expect(state).to_have_text(sentence)
    later = "Câu hỏi thứ hai, gửi sau khi đã đóng?"
    page.get_by_label("Câu hỏi của bạn").fill(later)
    page.get_by_role("button", name="Gửi câu hỏi").click()
    expect(page.get_by_role("status")).to_contain_text("Đã hết thời gian nhận câu hỏi của hội nghị.")
    expect(state).to_have_text("Đã hết thời gian nhận câu hỏi")
    expect(state).to_have_class(re.compile("is-closed"))
    assert [q for q in moderator.call("questions.get")["questions"] if q["text"] == later] == []
    outage = (r"ERR_INTERNET_DISCONNECTED", r"WebSocket connection to .* failed")
    assert phone.problems(allow=outage) == []
    assert problems == []
    context.close()
