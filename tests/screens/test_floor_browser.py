"""Bridge points asking to speak and the roll call, in real Chromium, as the hall sees them.

A bridge point's site screen is a real Socket.IO client holding the ``site`` role's link
(``auth={"screen": "site", "site": "1304"}``); the MC tablet (1280×800), the projector and the
chairman's screen (1920×1080) are real pages against a real ``live serve`` (eventlet) on the Cao Bằng
demo conference (57 sites). Screenshots land in test-artifacts/ (mc-floor.png, projector-floor.png,
chair-floor.png, mc-roll.png).
"""

from __future__ import annotations

import re
import uuid

import pytest
from browser import HD_VIEWPORT, MC_VIEWPORT, screenshot, wait_until
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

QUANG_LAM, NAM_QUANG = "1304", "1297"
SITES = 57
HHMM = r"\d\d:\d\d"


def tap(screen, name: str, within: str | None = None) -> None:
    """Tap the button a person would find by its words (inside ``within`` when given)."""
    root = screen.page.locator(within) if within else screen.page
    root.get_by_role("button", name=name, exact=True).click()


def request_row(screen, site: str):
    return screen.page.locator(f"#floor-requests li[data-site='{site}']")


def roll_cell(screen, site: str):
    return screen.page.locator(f"#roll-grid li[data-site='{site}']")


# ---------------------------------------------------------------- asking to speak


def test_a_bridge_point_asks_to_speak_and_the_mc_gives_it_the_floor(make_server, screens, connect_staff, artifacts):
    server = make_server()
    mc = screens.open(server, "mc", MC_VIEWPORT)
    projector = screens.open(server, "projector", HD_VIEWPORT)
    chair = screens.open(server, "chair", HD_VIEWPORT)
    tap(mc, "Bắt đầu")  # the day runs: the questions come during the agenda
    expect(projector.page.locator("#projector")).to_have_attribute("data-mode", "stage")
    expect(mc.page.locator("#floor-empty")).to_have_text("Chưa có điểm cầu nào xin phát biểu.")

    # two bridge points ask to speak from their site screens, Nam Quang first
    nam_quang = connect_staff(server, "site", site=NAM_QUANG)
    quang_lam = connect_staff(server, "site", site=QUANG_LAM)
    assert nam_quang.call("floor.request")["ok"]
    assert quang_lam.call("floor.request")["ok"]
    again = quang_lam.call("floor.request")
    assert again["ok"] is False and again["code"] == "floor.already_requested"
    assert again["message"] == "Điểm cầu này đã xin phát biểu và đang chờ MC mời."

    # the MC sees them in the order they asked, with the time (24 h); so does the chairman
    rows = mc.page.locator("#floor-requests li")
    expect(rows).to_have_count(2)
    expect(rows.locator(".floor-name")).to_have_text(["Xã Nam Quang", "Xã Quảng Lâm"])
    expect(rows.locator(".floor-at").first).to_have_text(re.compile(rf"^xin lúc {HHMM}$"))
    expect(mc.page.locator("#floor-empty")).to_be_hidden()
    expect(chair.page.locator("#floor-requests li .floor-name")).to_have_text(["Xã Nam Quang", "Xã Quảng Lâm"])
    expect(chair.page.locator("#floor-requests button")).to_have_count(0)  # read-only

    # "Mời phát biểu" on Quảng Lâm: the projector names it, with the speaker timer running
    request_row(mc, QUANG_LAM).get_by_role("button", name="Mời phát biểu").click()
    banner = projector.page.locator("#floor-banner")
    expect(banner).to_be_visible()
    expect(banner).to_have_text("Điểm cầu Xã Quảng Lâm đang phát biểu")
    expect(banner.locator("strong")).to_have_text("Xã Quảng Lâm")
    speaker = projector.page.locator("#stage [data-speaker]")
    expect(speaker).to_be_visible()
    expect(speaker).to_have_attribute("data-status", "running")
    before = projector.speaker()
    wait_until(lambda: projector.speaker() != before, timeout=2.5, message="the speaker timer runs")
    expect(projector.page.locator("#stage [data-clock]")).to_be_visible()  # the agenda clock stays

    # the MC sees who speaks and since when; Nam Quang still waits
    expect(mc.page.locator("#floor-holder")).to_be_visible()
    expect(mc.page.locator("#floor-holder-name")).to_have_text("Xã Quảng Lâm")
    expect(mc.page.locator("#floor-holder-since")).to_have_text(re.compile(rf"^từ {HHMM}$"))
    expect(rows.locator(".floor-name")).to_have_text(["Xã Nam Quang"])
    expect(mc.page.locator(".mc-speaker [data-speaker]")).to_be_visible()
    # the chairman's screen says the same
    expect(chair.page.locator("#floor-line")).to_have_text("Điểm cầu Xã Quảng Lâm đang phát biểu")
    expect(chair.page.locator("#floor-requests li .floor-name")).to_have_text(["Xã Nam Quang"])
    screenshot(mc, artifacts, "mc-floor.png")
    screenshot(projector, artifacts, "projector-floor.png")
    screenshot(chair, artifacts, "chair-floor.png")

    # giving the floor to Nam Quang while Quảng Lâm speaks asks first; "Hủy" keeps Quảng Lâm
    request_row(mc, NAM_QUANG).get_by_role("button", name="Mời phát biểu").click()
    expect(mc.page.locator("#confirm-text")).to_have_text(
        "Xã Quảng Lâm đang phát biểu. Mời Xã Nam Quang phát biểu thay?"
    )
    tap(mc, "Hủy")
    expect(banner).to_have_text("Điểm cầu Xã Quảng Lâm đang phát biểu")

    # "Kết thúc phát biểu": the projector's banner goes away, the speaker timer stops
    tap(mc, "Kết thúc phát biểu")
    expect(banner).to_be_hidden()
    expect(mc.page.locator("#floor-holder")).to_be_hidden()
    expect(chair.page.locator("#floor-line")).to_be_hidden()
    expect(projector.page.locator("#projector")).to_have_attribute("data-mode", "stage")

    # "Bỏ qua" declines Nam Quang: nobody waits any more
    request_row(mc, NAM_QUANG).get_by_role("button", name="Bỏ qua").click()
    expect(rows).to_have_count(0)
    expect(mc.page.locator("#floor-empty")).to_be_visible()
    expect(chair.page.locator("#floor-empty")).to_be_visible()
    screens.assert_clean()


def test_the_mc_calls_on_a_site_that_did_not_ask_before_the_day_starts(make_server, screens, artifacts):
    """Before "Bắt đầu" the projector shows the maket; a bridge point given the floor (a rehearsal)
    still shows, with its timer and without an empty agenda clock."""
    server = make_server()
    mc = screens.open(server, "mc", MC_VIEWPORT)
    projector = screens.open(server, "projector", HD_VIEWPORT)
    expect(projector.page.locator("#projector")).to_have_attribute("data-mode", "maket")

    mc.page.locator("#floor-site").select_option(label="Phường Thục Phán")
    tap(mc, "Mời", within="#floor-call")
    banner = projector.page.locator("#floor-banner")
    expect(banner).to_have_text("Điểm cầu Phường Thục Phán đang phát biểu")
    expect(projector.page.locator("#projector")).to_have_attribute("data-mode", "stage")
    expect(projector.page.locator("#stage [data-clock]")).to_be_hidden()
    expect(projector.page.locator("#stage [data-speaker]")).to_be_visible()
    screenshot(projector, artifacts, "projector-floor-maket.png")

    tap(mc, "Kết thúc phát biểu")
    expect(banner).to_be_hidden()
    expect(projector.page.locator("#projector")).to_have_attribute("data-mode", "maket")
    screens.assert_clean()


# ---------------------------------------------------------------- the roll call


def test_the_roll_call_follows_the_site_screens(make_server, screens, connect_staff, artifacts):
    server = make_server()
    mc = screens.open(server, "mc", MC_VIEWPORT)
    count = mc.page.locator("#roll-count")
    cell = roll_cell(mc, QUANG_LAM)
    expect(mc.page.locator("#roll-grid li")).to_have_count(SITES)
    expect(count).to_have_text(f"0/{SITES} điểm cầu đang kết nối")
    expect(cell).to_have_attribute("data-state", "never")
    expect(cell.locator(".roll-state")).to_have_text("Chưa kết nối")
    expect(cell.locator(".roll-dot")).to_have_text("○")

    # Quảng Lâm's site screen connects: its dot turns green, with words, within 2 s
    first = connect_staff(server, "site", site=QUANG_LAM)
    expect(cell).to_have_attribute("data-state", "connected", timeout=2000)
    expect(cell.locator(".roll-dot")).to_have_text("●")
    expect(cell.locator(".roll-state")).to_have_text("Đang kết nối")
    expect(cell.locator(".roll-dot")).to_have_css("color", "rgb(22, 163, 74)")
    expect(count).to_have_text(f"1/{SITES} điểm cầu đang kết nối", timeout=2000)

    # a second screen in the same hall, then the first goes away: still connected
    second = connect_staff(server, "site", site=QUANG_LAM)
    expect(cell.locator(".roll-state")).to_have_text("Đang kết nối · 2 màn hình", timeout=2000)
    first.close()
    expect(cell.locator(".roll-state")).to_have_text("Đang kết nối", timeout=2000)
    expect(count).to_have_text(f"1/{SITES} điểm cầu đang kết nối")

    # a question from Quảng Lâm (entered from paper by the secretariat) counts on its cell
    desk = connect_staff(server, "moderator")
    entered = desk.call(
        "question.enter",
        {"id": uuid.uuid4().hex, "site": QUANG_LAM, "channel": "paper", "text": "Tỉnh có học bổng học nghề không?"},
    )
    assert entered["ok"], entered
    expect(cell.locator(".roll-questions")).to_have_text("1 câu hỏi", timeout=2000)

    # the last screen goes away: grey dot, "Mất kết nối lúc HH:MM", within 2 s
    second.close()
    expect(cell).to_have_attribute("data-state", "lost", timeout=2000)
    expect(cell.locator(".roll-dot")).to_have_text("○")
    expect(cell.locator(".roll-state")).to_have_text(re.compile(rf"^Mất kết nối lúc {HHMM}$"))
    expect(count).to_have_text(f"0/{SITES} điểm cầu đang kết nối", timeout=2000)

    # a reloaded MC page asks the server again and shows the same
    connect_staff(server, "site", site=NAM_QUANG)
    mc.reload(wait=True)
    expect(roll_cell(mc, QUANG_LAM)).to_have_attribute("data-state", "lost")
    expect(roll_cell(mc, QUANG_LAM).locator(".roll-questions")).to_have_text("1 câu hỏi")
    expect(roll_cell(mc, NAM_QUANG)).to_have_attribute("data-state", "connected")
    expect(count).to_have_text(f"1/{SITES} điểm cầu đang kết nối")

    # "Chỉ hiện điểm mất kết nối": the connected ones step aside
    mc.page.get_by_label("Chỉ hiện điểm mất kết nối").check()
    expect(roll_cell(mc, NAM_QUANG)).to_be_hidden()
    expect(roll_cell(mc, QUANG_LAM)).to_be_visible()
    expect(mc.page.locator("#roll-grid li:visible")).to_have_count(SITES - 1)
    mc.page.get_by_label("Chỉ hiện điểm mất kết nối").uncheck()
    expect(roll_cell(mc, NAM_QUANG)).to_be_visible()
    roll_cell(mc, QUANG_LAM).scroll_into_view_if_needed()
    screenshot(mc, artifacts, "mc-roll.png")
    screens.assert_clean()
