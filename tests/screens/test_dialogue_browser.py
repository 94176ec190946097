"""The dialogue's public page and asking from home in real Chromium against a real ``live serve``.

A young person opens /doi-thoai on a phone (390×844) from the province's portal, follows "Đặt câu
hỏi từ nhà", types "quang lam" without diacritics, picks Xã Quảng Lâm, sends a question from the
same phone page a hall's QR code opens, and gets a receipt with a tracking code; the question
reaches the secretariat's console tagged with Xã Quảng Lâm. The list filters as one types (and
says so when nothing matches), and the same page works without JavaScript. Screenshots at the real
sizes (phone 390×844, desktop 1366×768) go to /tmp/shots/ and test-artifacts/.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from browser import _CSP_REPORTER, Screen
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}
QUESTION = "Em ở Quảng Lâm, xin hỏi tỉnh có lớp dạy nghề miễn phí cho thanh niên không ạ?"
SHOTS = Path("/tmp/shots")


def device(browser, server, viewport=PHONE, role="phone", javascript=True) -> Screen:
    """A browser context of its own, recording console errors, CSP violations and foreign requests."""
    mobile = viewport == PHONE
    context = browser.new_context(
        viewport=viewport, locale="vi-VN", has_touch=mobile, is_mobile=mobile, java_script_enabled=javascript
    )
    context.add_init_script(_CSP_REPORTER)
    page = context.new_page()
    page.set_default_timeout(10_000)
    screen = Screen(role=role, base_url=server.url, context=context, page=page)
    page.on("console", lambda m: m.type == "error" and screen.console_errors.append(m.text))
    page.on("pageerror", lambda e: screen.page_errors.append(str(e)))
    page.on("request", lambda r: screen.urls.append(r.url))
    page.on("dialog", lambda d: screen.page_errors.append(f"dialog: {d.message}") or d.dismiss())
    return screen


def shot(screen: Screen, artifacts: Path, name: str, full_page: bool = False) -> None:
    SHOTS.mkdir(exist_ok=True)
    screen.page.screenshot(path=str(SHOTS / name), full_page=full_page, animations="disabled", caret="hide")
    shutil.copy(SHOTS / name, artifacts / name)


def names(page) -> list[str]:
    return page.locator("#site-links .name").all_inner_texts()


def test_from_the_public_page_to_a_question_asked_from_home(make_server, browser, screens, connect_staff, artifacts):
    server = make_server()
    secretariat = connect_staff(server, "moderator")
    opened: list[Screen] = []
    try:
        run(server, browser, screens, secretariat, opened, artifacts)
    finally:
        for screen in opened:
            screen.context.close()


def run(server, browser, screens, secretariat, opened, artifacts):
    phone = device(browser, server)
    opened.append(phone)
    page = phone.page

    # ---- the public page, linked from the province's portal: no link or PIN needed
    page.goto(f"{server.url}/doi-thoai")
    expect(page.locator("h1")).to_have_text("Hội nghị đối thoại giữa Chủ tịch UBND tỉnh với thanh niên năm 2025")
    expect(page.locator("#date")).to_have_text("28/08/2025")
    expect(page.locator("#window-state")).to_have_text("Đang nhận câu hỏi")
    expect(page.locator(".agenda .at")).to_have_text(
        ["08:00", "08:15", "08:20", "08:30", "08:40", "10:40", "10:55", "11:00"]
    )
    expect(page.locator("#site-list li")).to_have_count(56)
    # nothing wider than the phone: no sideways scrolling
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    shot(phone, artifacts, "dialogue-phone.png")
    shot(phone, artifacts, "dialogue-phone-full.png", full_page=True)

    # ---- "ask from home": the commune typed without diacritics
    page.get_by_role("link", name="Đặt câu hỏi từ nhà").click()
    expect(page).to_have_url(re.compile(r"/hoi$"))
    expect(page.locator("#site-links li")).to_have_count(57)
    search = page.get_by_label(re.compile("Tìm xã, phường của bạn"))
    search.press_sequentially("thuc phan", delay=20)
    assert names(page) == ["Phường Thục Phán"]
    search.fill("")
    search.press_sequentially("khong co xa nay", delay=10)
    expect(page.locator("#site-links li")).to_have_count(0)
    expect(page.locator("#result-count")).to_have_text(
        "Không tìm thấy xã, phường nào khớp với “khong co xa nay”. Hãy gõ ít chữ hơn, hoặc gõ mã xã."
    )
    search.fill("")
    expect(page.locator("#site-links li")).to_have_count(57)
    search.press_sequentially("quang lam", delay=20)
    expect(page.locator("#site-links li")).to_have_count(1)
    expect(page.locator("#result-count")).to_have_text("Tìm thấy 1 kết quả.")
    assert names(page) == ["Xã Quảng Lâm"]
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    shot(phone, artifacts, "ask-home-phone.png")

    # ---- the commune's own question form: the same intake as its QR code
    page.get_by_role("link", name=re.compile("Xã Quảng Lâm")).click()
    expect(page).to_have_url(re.compile(r"/q/1304$"))
    expect(page.locator(".site")).to_have_text("Điểm cầu: Xã Quảng Lâm")
    expect(page.locator("#conn")).to_have_text("Đã kết nối")
    page.get_by_label("Câu hỏi của bạn").fill(QUESTION)
    page.get_by_role("button", name="Gửi câu hỏi").click()
    expect(page.locator("#result .code")).to_have_text(re.compile(r"^[2-9A-Z]{6}$"))
    code = page.locator("#result .code").inner_text()
    expect(page.locator("#mine li.q")).to_have_count(1)
    shot(phone, artifacts, "ask-home-receipt.png")

    # ---- it reaches the secretariat: the socket's push, and the console in Chromium
    added = secretariat.wait_for(lambda e, d: e == "question.added" and d["question"]["text"] == QUESTION)["question"]
    assert added["site"] == "1304" and added["code"] == code
    console = screens.open(server, "moderator", DESKTOP)
    row = console.page.locator(f"#feed li.q[data-id='{added['id']}']")
    expect(row.locator(".q-text")).to_have_text(QUESTION)
    expect(row.locator(".q-site")).to_have_text("Xã Quảng Lâm")

    # ---- the desktop views of both pages
    desktop = device(browser, server, DESKTOP, role="desktop")
    opened.append(desktop)
    desktop.page.goto(f"{server.url}/doi-thoai")
    expect(desktop.page.locator("#site-list li")).to_have_count(56)
    shot(desktop, artifacts, "dialogue-desktop.png")
    shot(desktop, artifacts, "dialogue-desktop-full.png", full_page=True)
    desktop.page.goto(f"{server.url}/hoi")
    shot(desktop, artifacts, "ask-home-desktop.png")

    problems = screens.problems() + phone.problems() + desktop.problems()
    assert not problems, "\n".join(problems)


def test_asking_from_home_works_without_javascript(make_server, browser, artifacts):
    server = make_server()
    phone = device(browser, server, javascript=False)
    try:
        page = phone.page
        page.goto(f"{server.url}/doi-thoai")
        page.get_by_role("link", name="Đặt câu hỏi từ nhà").click()
        page.get_by_label(re.compile("Tìm xã, phường của bạn")).fill("QUANG LAM")
        page.get_by_role("button", name="Tìm").click()
        expect(page).to_have_url(re.compile(r"/hoi\?tim=QUANG\+LAM$"))
        assert names(page) == ["Xã Quảng Lâm"]
        expect(page.locator("#result-count")).to_have_text("Tìm thấy 1 kết quả.")
        expect(page.get_by_role("link", name=re.compile("Xã Quảng Lâm"))).to_have_attribute("href", "/q/1304")
        shot(phone, artifacts, "ask-home-nojs-phone.png")
        assert not phone.problems(), phone.problems()
    finally:
        phone.context.close()
