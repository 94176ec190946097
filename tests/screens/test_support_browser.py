"""A young person's phone in real Chromium supports an approved question ("Tôi cũng muốn hỏi"):
the list of approved questions of its site (and of all sites), by theme, with counts; the press
shows "Bạn đã cùng hỏi" and the count rises on a second phone within a second or two; a reload
keeps it; the admin's switch hides the buttons at once; the question, once answered and its
summary published, shows its answer under "Câu hỏi bạn đã cùng hỏi". At 390×844 and 360×740, on
eventlet and gevent, with a hostile text shown as text. Screenshots in test-artifacts/.
"""

from __future__ import annotations

import re
import uuid

import pytest
import requests
from browser import _CSP_REPORTER, Screen, screenshot
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]

HERE, ELSEWHERE = "1304", "1297"
IMG = "<img src=x onerror=alert(2) />"
_TRAPS = """
window.__ran = [];
for (const name of ["alert", "confirm", "prompt", "print", "open"]) {
  window[name] = (...args) => { window.__ran.push(name + ":" + String(args[0])); };
}
"""


@pytest.fixture
def open_phone(browser):
    opened: list[Screen] = []

    def open_(server, site: str = HERE, viewport: dict | None = None) -> Screen:
        context = browser.new_context(
            viewport=viewport or {"width": 390, "height": 844}, locale="vi-VN", has_touch=True, is_mobile=True
        )
        context.add_init_script(_CSP_REPORTER)
        context.add_init_script(_TRAPS)
        page = context.new_page()
        page.set_default_timeout(10_000)
        phone = Screen(role="phone", base_url=server.url, context=context, page=page)
        page.on("console", lambda m: m.type == "error" and phone.console_errors.append(m.text))
        page.on("pageerror", lambda e: phone.page_errors.append(str(e)))
        page.on("request", lambda r: phone.urls.append(r.url))
        page.on("websocket", lambda ws: phone.urls.append(ws.url))
        opened.append(phone)
        page.goto(f"{server.url}/q/{site}")
        expect(page.locator("#conn")).to_have_text("Đã kết nối")
        return phone

    yield open_
    for phone in opened:
        phone.context.close()


class Desk:
    """The secretariat and the MC (real Socket.IO clients), and a phone at another commune that asks."""

    def __init__(self, server, connect_staff, connect_phone) -> None:
        self.moderator = connect_staff(server, "moderator")
        self.mc = connect_staff(server, "mc")
        self.asker = connect_phone(server, site=HERE)

    def ask(self, text: str, site: str = HERE, theme: str | None = None, approve: bool = True) -> dict:
        sent = {"id": str(uuid.uuid4()), "site": site, "text": text, **({"theme": theme} if theme else {})}
        assert self.asker.call("question.submit", sent)["ok"]
        question = next(q for q in self.moderator.call("questions.get")["questions"] if q["id"] == sent["id"])
        if approve:
            question = self.act(self.moderator, "approve", question)
        return question

    def act(self, who, action: str, question: dict, **args) -> dict:
        reply = who.call(f"question.{action}", {"id": question["id"], "version": question["version"], **args})
        assert reply["ok"], reply
        return reply["question"]


def card(phone: Screen, text: str):
    return phone.page.locator("#supports-list li.sq").filter(has_text=text)


@pytest.mark.parametrize("viewport", [{"width": 390, "height": 844}, {"width": 360, "height": 740}], ids=["390", "360"])
def test_a_phone_supports_a_question_and_a_second_phone_sees_the_count_rise(
    server, open_phone, connect_staff, connect_phone, artifacts, viewport
):
    desk = Desk(server, connect_staff, connect_phone)
    jobs = desk.ask("Tỉnh có chương trình giới thiệu việc làm cho thanh niên không?", theme="t2")
    hostile = desk.ask(f"Xin hỏi {IMG} về học bổng?", theme="t1")
    elsewhere = desk.ask("Khi nào xã Nam Quang có sân bóng?", site=ELSEWHERE)
    secret = desk.ask("Câu hỏi còn chờ duyệt BIMAT?", approve=False)

    phone = open_phone(server, viewport=viewport)
    other = open_phone(server, viewport=viewport)
    page = phone.page
    section = page.locator("#supports")
    expect(section).to_be_visible()
    expect(section.get_by_role("heading", name="Câu hỏi đã duyệt")).to_be_visible()
    expect(card(phone, jobs["text"])).to_have_count(1)
    assert card(phone, hostile["text"]).locator(".sqt").text_content() == hostile["text"]  # as text
    assert page.locator("#supports-list img").count() == 0
    expect(card(phone, elsewhere["text"])).to_have_count(0)  # another commune's: under "all sites"
    assert "BIMAT" not in page.content() and secret["code"] not in page.content()
    assert page.locator("#supports-list .sgh").count() == 2  # two themes, each its heading

    button = card(phone, jobs["text"]).get_by_role("button", name="Tôi cũng muốn hỏi")
    expect(button).to_have_attribute("aria-pressed", "false")
    button.click()
    pressed = card(phone, jobs["text"]).get_by_role("button", name="Bạn đã cùng hỏi")
    expect(pressed).to_have_attribute("aria-pressed", "true")
    expect(card(phone, jobs["text"]).locator(".sqc")).to_have_text("1 bạn cùng hỏi")
    # the second phone's count rises within a second or two, without a reload
    expect(card(other, jobs["text"]).locator(".sqc")).to_have_text("1 bạn cùng hỏi", timeout=3000)
    expect(card(other, jobs["text"]).get_by_role("button")).to_have_attribute("aria-pressed", "false")
    card(other, jobs["text"]).get_by_role("button").click()
    expect(card(phone, jobs["text"]).locator(".sqc")).to_have_text("2 bạn cùng hỏi", timeout=3000)
    counts = desk.moderator.call("supports.get")["counts"]
    assert counts == {jobs["id"]: 2}

    # a reload keeps "Bạn đã cùng hỏi"; a second press changes nothing
    page.reload()
    expect(page.locator("#conn")).to_have_text("Đã kết nối")
    expect(card(phone, jobs["text"]).get_by_role("button")).to_have_text("Bạn đã cùng hỏi")
    expect(card(phone, jobs["text"]).locator(".sqc")).to_have_text("2 bạn cùng hỏi")
    card(phone, jobs["text"]).get_by_role("button").click()
    assert desk.moderator.call("supports.get")["counts"] == {jobs["id"]: 2}

    # all sites: the other commune's question too
    page.get_by_role("button", name="Tất cả điểm cầu").click()
    expect(card(phone, elsewhere["text"])).to_have_count(1)
    expect(page.get_by_role("button", name="Tất cả điểm cầu")).to_have_attribute("aria-pressed", "true")
    name = f"support-{viewport['width']}.png"
    screenshot(phone, artifacts, name)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= viewport["width"], f"{width}px wide at {viewport['width']}"
    assert page.evaluate("() => window.__ran") == []
    for p in (phone, other):
        assert not p.problems(), p.problems()


def test_the_switch_hides_the_buttons_and_an_answer_reaches_the_supporter(
    server, open_phone, connect_staff, connect_phone, artifacts
):
    desk = Desk(server, connect_staff, connect_phone)
    question = desk.ask("Thanh niên được hỗ trợ học nghề như thế nào?")
    phone = open_phone(server)
    page = phone.page
    card(phone, question["text"]).get_by_role("button", name="Tôi cũng muốn hỏi").click()
    expect(card(phone, question["text"]).locator(".sqc")).to_have_text("1 bạn cùng hỏi")

    admin = requests.Session()
    form = admin.get(server.link("admin"), timeout=5).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    assert (
        admin.post(f"{server.url}/admin/supports", data={"csrf_token": token}, allow_redirects=False).status_code == 303
    )
    expect(page.locator("#supports-off")).to_be_visible(timeout=3000)
    expect(page.locator("#supports-list button.me-too")).to_have_count(0)
    data = {"csrf_token": token, "enabled": "1"}
    assert admin.post(f"{server.url}/admin/supports", data=data, allow_redirects=False).status_code == 303
    expect(page.locator("#supports-list button.me-too")).to_have_count(1, timeout=3000)

    # shown, answered, its summary published: it leaves the list, and its answer shows below
    shown = desk.act(desk.mc, "show", question)
    answered = desk.act(desk.mc, "answer", shown)
    summary = "Tỉnh hỗ trợ học phí học nghề cho thanh niên nông thôn."
    summed = desk.act(desk.moderator, "summarize", answered, summary=summary)
    desk.act(desk.moderator, "publish_summary", summed)
    expect(card(phone, question["text"])).to_have_count(0, timeout=3000)
    page.reload()
    expect(page.locator("#conn")).to_have_text("Đã kết nối")
    mine = page.locator("#supports-mine li").filter(has_text=question["text"])
    expect(mine).to_have_count(1)
    expect(mine.locator(".b")).to_have_text("Đã trả lời")
    expect(mine.locator("blockquote")).to_have_text(summary)
    screenshot(phone, artifacts, "support-answered.png")
    assert not phone.problems(), phone.problems()
