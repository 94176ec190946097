"""A bridge point's own screen in real Chromium, as the commune hall sees it on its TV.

The technician at Xã Quảng Lâm opens the site link on the laptop wired to the hall's TV, finds his
commune in the list by typing it without diacritics, and opens its site screen: the commune's QR
code (a phone must be able to read it off the screen), the agenda item and its clock once the MC
starts the day, the question on screen, and the "ask to speak" button that the MC answers. The MC is
a real Socket.IO client holding the MC's link; the server is a real ``live serve`` process.

Screenshots land in test-artifacts/ (site-running-1920.png, site-requested-1920.png,
site-floor-1920.png, site-question-1280.png) for a person to look at.
"""

from __future__ import annotations

import re

import pytest
from browser import HD_VIEWPORT, parse_clock, screenshot, wait_until
from playwright.sync_api import expect
from test_qr import decode
from test_qr_sheet import grey_pixels

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

TV_720 = {"width": 1280, "height": 720}
ITEM_1 = "Đón tiếp đại biểu"


def tap(screen, name: str) -> None:
    screen.page.get_by_role("button", name=name, exact=True).click()


def next_message(staff, event: str, predicate, after: int, timeout: float = 5.0):
    """The first ``event`` the client received after its ``after``-th message that ``predicate`` accepts."""

    def found():
        for name, data in staff.received[after:]:
            if name == event and predicate(data):
                return data
        return None

    return wait_until(found, timeout=timeout, message=f"{event} after message {after}")


def requested(floor: dict, site: str) -> bool:
    return any(r["site"] == site for r in floor["requests"])


# every element of the screen inside the window, and every word of the QR card inside the card
_OVERFLOW = """() => {
  const out = (r, box) => r.width > 0 && (r.top < box.top - 1 || r.bottom > box.bottom + 1 || r.left < box.left - 1 || r.right > box.right + 1);
  const screen = {top: 0, left: 0, bottom: innerHeight, right: innerWidth};
  const card = document.querySelector('.site-card').getBoundingClientRect();
  return [...document.querySelectorAll('#site *')].filter((el) => out(el.getBoundingClientRect(), screen))
    .concat([...document.querySelectorAll('.site-card *')].filter((el) => out(el.getBoundingClientRect(), card)))
    .map((el) => el.id || el.className || el.tagName);
}"""


def assert_fits(page) -> None:
    overflow = page.evaluate(_OVERFLOW)
    assert overflow == [], overflow


def test_a_bridge_point_shows_its_code_the_clock_and_asks_to_speak(server, screens, connect_staff, artifacts):
    """On eventlet and on gevent."""
    mc = connect_staff(server, "mc")

    # the technician's link opens the list of the 57 sites; he types his commune without diacritics
    tech = screens.open(server, "site", HD_VIEWPORT, wait=False)
    page = tech.page
    expect(page.locator(".site-row")).to_have_count(57)
    page.get_by_label("Tìm điểm cầu").fill("quang lam")
    page.get_by_role("button", name="Tìm", exact=True).click()
    expect(page.locator(".site-row")).to_have_count(1)
    page.get_by_role("link", name=re.compile("Xã Quảng Lâm")).click()
    expect(page).to_have_url(f"{server.url}/site/1304")
    tech.wait_synced()

    # the MC's roll call sees the commune connect
    next_message(mc, "roll.changed", lambda d: d["site"] == "1304" and d["connected"], after=0)

    # its name, its address typed out, and a code a phone reads off the screen
    expect(page.locator("#site-name")).to_have_text("Xã Quảng Lâm")
    expect(page.locator("#site-url")).to_have_text(f"{server.url}/q/1304")
    expect(page.get_by_text("Quét mã QR bằng điện thoại để gửi câu hỏi tới Chủ tịch")).to_be_visible()
    (code,) = decode(grey_pixels(page.locator("#site-qr").screenshot()))
    assert code.text == f"{server.url}/q/1304"
    size = page.locator("#site-qr svg").bounding_box()
    assert size["height"] >= 0.45 * HD_VIEWPORT["height"], size  # the largest thing on the screen
    expect(page.locator("[data-field=item-title]")).to_have_text("Chương trình chưa bắt đầu")
    expect(page.locator("[data-field=remaining]")).to_be_hidden()

    # the MC starts the day: the commune's screen shows the first item and its clock, running
    assert mc.call("clock.start")["ok"]
    expect(page.locator("[data-field=item-title]")).to_have_text(ITEM_1)
    expect(page.locator("[data-field=item-number]")).to_have_text("Mục 1/8")
    expect(page.locator("[data-clock]")).to_have_attribute("data-status", "running")
    first = tech.seconds()
    assert 14 * 60 + 55 <= first <= 15 * 60, tech.remaining()
    wait_until(lambda: tech.seconds() < first, timeout=2.5, message="the clock counts down")
    assert_fits(page)
    screenshot(tech, artifacts, "site-running-1920.png")

    # "Xin phát biểu": the MC hears of it at once, and the screen says the commune is waiting
    seen = len(mc.received)
    tap(tech, "Xin phát biểu")
    change = next_message(mc, "floor.changed", lambda d: requested(d["floor"], "1304"), after=seen)
    assert change["floor"]["holder"] is None
    expect(page.get_by_text("Đang chờ MC mời phát biểu")).to_be_visible()
    expect(page.locator("#floor-position")).to_have_text("(thứ 1 trong hàng chờ)")
    expect(page.get_by_role("button", name="Xin phát biểu", exact=True)).to_be_hidden()
    screenshot(tech, artifacts, "site-requested-1920.png")

    # "Hủy" takes the request back
    seen = len(mc.received)
    tap(tech, "Hủy")
    next_message(mc, "floor.changed", lambda d: not requested(d["floor"], "1304"), after=seen)
    expect(page.get_by_role("button", name="Xin phát biểu", exact=True)).to_be_visible()
    expect(page.get_by_text("Đang chờ MC mời phát biểu")).to_be_hidden()

    # asked again, the MC gives the commune the floor: the screen says so, with the speaker's time
    seen = len(mc.received)
    tap(tech, "Xin phát biểu")
    next_message(mc, "floor.changed", lambda d: requested(d["floor"], "1304"), after=seen)
    assert mc.call("floor.give", {"site": "1304"})["ok"]
    expect(page.get_by_text("Điểm cầu đang được phát biểu")).to_be_visible()
    expect(page.locator("[data-speaker]")).to_be_visible()
    wait_until(lambda: 2 * 60 + 50 <= parse_clock(tech.speaker()) <= 3 * 60, timeout=3, message="3 minutes to speak")
    expect(page.get_by_role("button", name="Xin phát biểu", exact=True)).to_be_hidden()
    assert_fits(page)
    screenshot(tech, artifacts, "site-floor-1920.png")

    # the MC ends it: the commune may ask again
    assert mc.call("floor.end")["ok"]
    expect(page.get_by_role("button", name="Xin phát biểu", exact=True)).to_be_visible()
    expect(page.get_by_text("Điểm cầu đang được phát biểu")).to_be_hidden()
    screens.assert_clean()


def test_the_question_on_screen_and_a_small_tv(make_server, screens, connect_staff, artifacts):
    server = make_server()
    mc = connect_staff(server, "mc")
    assert mc.call("clock.start")["ok"]
    tech = screens.open(server, "site", TV_720, wait=False)
    page = tech.page
    page.goto(f"{server.url}/site/hall")
    tech.wait_synced()
    expect(page.locator("#site-name")).to_have_text("Trung tâm Hội nghị tỉnh (điểm cầu chính)")
    expect(page.locator("[data-field=item-title]")).to_have_text(ITEM_1)
    expect(page.locator("#current-question")).to_be_hidden()

    # question.current as protocol.md defines it (the secretariat's "show" command that sends it is
    # not built yet): the screen shows the question and where it came from, then clears it
    question = {
        "id": "q-1",
        "text": "Tỉnh có chính sách gì hỗ trợ thanh niên vùng cao học nghề và tìm việc làm sau khi ra trường?",
        "site": "1304",
        "origin": "Xã Quảng Lâm — sinh viên",
    }
    deliver = "(message) => Live.socket.listeners('question.current').forEach((fn) => fn(message))"
    page.evaluate(deliver, {"question": question})
    expect(page.locator("#question-text")).to_have_text(question["text"])
    expect(page.locator("#question-origin")).to_have_text(question["origin"])
    expect(page.locator("[data-field=remaining]")).to_be_visible()
    assert_fits(page)  # a 1280×720 TV, the longest name, the loopback warning and a question
    (code,) = decode(grey_pixels(page.locator("#site-qr").screenshot()))
    assert code.text == f"{server.url}/q/hall"
    screenshot(tech, artifacts, "site-question-1280.png")
    page.evaluate(deliver, {"question": None})
    expect(page.locator("#current-question")).to_be_hidden()
    screens.assert_clean()
