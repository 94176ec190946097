"""The staff screens in real Chromium, as the people in the hall see them.

The MC runs the agenda clock from a tablet (1280×800); the projector (1920×1080) and the chairman's
screen (1920×1080) follow. Every screen opens in its own browser context by its role's secret link,
against a real ``live serve`` process (eventlet) on the Cao Bằng demo conference. Every test also
checks that no screen logged a console error or CSP violation, threw, or reached another origin.

Screenshots land in test-artifacts/ (projector-maket.png, projector-running.png,
projector-overrun.png, mc.png, chair.png) for a person to look at.
"""

from __future__ import annotations

import re
import time

import pytest
from browser import HD_VIEWPORT, MC_VIEWPORT, parse_clock, screenshot, wait_until
from playwright.sync_api import expect

from live.services import demo

pytestmark = [pytest.mark.browser, pytest.mark.timeout(90)]

ITEM_1 = "Đón tiếp đại biểu"  # 15 minutes
ITEM_2 = "Tuyên bố lý do, giới thiệu đại biểu"  # 5 minutes
ITEM_4 = demo.AGENDA[3][0]  # the documentary, 10 minutes
AMBER = "rgb(251, 191, 36)"
RED = "rgb(248, 113, 113)"
# while the server is down on purpose, Chromium reports the refused connections on the console
OUTAGE = [
    r"ERR_CONNECTION_REFUSED",
    r"WebSocket connection to .* failed",
    r"ERR_CONNECTION_RESET",
    r"ERR_EMPTY_RESPONSE",
]


def tap(screen, name: str) -> None:
    """Tap the button a person would find by its words."""
    screen.page.get_by_role("button", name=name, exact=True).click()


def same_on_all(screens, read, timeout: float = 3.0, message: str = ""):
    """Wait until ``read(screen)`` gives one value on every screen; return it."""

    def agree():
        values = {read(s) for s in screens}
        return (values.pop(),) if len(values) == 1 else None

    return wait_until(agree, timeout=timeout, message=message or "the same on every screen")[0]


def mmss(seconds: int) -> str:
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


def show_item(screens, title: str, timeout: float = 2.0) -> None:
    for screen in screens:
        expect(screen.page.locator("[data-field=item-title]")).to_have_text(title, timeout=timeout * 1000)


# ---------------------------------------------------------------- 1. the day, as the MC runs it


def test_mc_runs_the_day_and_every_screen_follows(make_server, screens, artifacts):
    server = make_server()
    mc = screens.open(server, "mc", MC_VIEWPORT)
    projector = screens.open(server, "projector", HD_VIEWPORT)
    chair = screens.open(server, "chair", HD_VIEWPORT)
    followers = [projector, chair]
    everyone = [mc, projector, chair]

    # before the day: the projector shows the maket, the backdrop's lines, and no clock
    maket = demo.conference()["maket"]
    expect(projector.page.locator("#maket-lines li")).to_have_text(maket)
    expect(projector.page.locator("#maket")).to_be_visible()
    expect(projector.page.locator("#stage")).to_be_hidden()
    expect(projector.page.get_by_text("HỘI NGHỊ", exact=True)).to_be_visible()
    expect(projector.page.locator("#maket").get_by_text(demo.THEME)).to_be_visible()
    screenshot(projector, artifacts, "projector-maket.png")

    # the MC taps "Bắt đầu": within a couple of seconds the projector and the chair show item 1
    tap(mc, "Bắt đầu")
    show_item(followers, ITEM_1)
    expect(projector.page.locator("#maket")).to_be_hidden()
    for screen in followers:
        expect(screen.page.locator("[data-field=item-number]")).to_have_text("Mục 1/8")
        assert 14 * 60 + 55 <= screen.seconds() <= 15 * 60, screen.remaining()
    # ... and it runs
    before = projector.seconds()
    wait_until(lambda: projector.seconds() < before, timeout=2.5, message="projector counts down")
    screenshot(projector, artifacts, "projector-running.png")

    # pause: every screen shows the same frozen time
    expect(mc.page.locator("#btn-toggle")).to_have_text("Tạm dừng")
    tap(mc, "Tạm dừng")
    for screen in everyone:
        expect(screen.page.locator("[data-clock]")).to_have_attribute("data-status", "paused")
    frozen = same_on_all(everyone, lambda s: s.remaining(), message="one frozen time")
    assert 14 * 60 <= parse_clock(frozen) < 15 * 60
    time.sleep(1.3)
    assert [s.remaining() for s in everyone] == [frozen] * 3, "a paused clock must not move"
    expect(mc.page.locator("#btn-toggle")).to_have_text("Tiếp tục")

    # +1 phút adds a minute on every screen
    tap(mc, "+1 phút")
    for screen in everyone:
        expect(screen.page.locator("[data-field=remaining]")).to_have_text(mmss(parse_clock(frozen) + 60))
    expect(mc.page.locator("[data-field=planned]")).to_have_text("Thời lượng: 16:00")

    # Mục tiếp: every screen moves to item 2, running from its full five minutes
    tap(mc, "Mục tiếp ▶")
    show_item(everyone, ITEM_2)
    for screen in everyone:
        expect(screen.page.locator("[data-field=item-number]")).to_have_text("Mục 2/8")
        expect(screen.page.locator("[data-clock]")).to_have_attribute("data-status", "running")
        assert 4 * 60 + 55 <= screen.seconds() <= 5 * 60, screen.remaining()
    expect(mc.page.locator("#agenda li[data-id=a1]")).to_have_class(re.compile(r"\bdone\b"))

    # tapping an agenda item asks first; "Hủy" leaves the clock where it was
    mc.page.locator("#agenda li[data-id=a3] button").click()
    dialog = mc.page.locator("#confirm")
    expect(dialog).to_be_visible()
    tap(mc, "Hủy")
    expect(dialog).to_be_hidden()
    # a later command from the same tablet, seen on every screen: a jump sent before it is in too
    before = [s.seconds() for s in everyone]
    tap(mc, "+1 phút")
    for screen, seconds in zip(everyone, before, strict=True):
        wait_until(lambda s=screen, t=seconds: s.seconds() >= t + 50, message=f"{screen.role} a minute more")
    assert [s.title() for s in everyone] == [ITEM_2] * 3

    # ... and "Đồng ý" jumps there on every screen
    mc.page.locator("#agenda li[data-id=a4] button").click()
    expect(dialog).to_be_visible()
    expect(mc.page.locator("#confirm-text")).to_contain_text(ITEM_4)
    tap(mc, "Đồng ý")
    show_item(everyone, ITEM_4)
    expect(mc.page.locator("#agenda li[data-id=a4]")).to_have_attribute("aria-current", "step")

    # the MC sees how far the day runs from the plan: items 1-3 took seconds, so well ahead
    drift = mc.page.locator("[data-field=drift]")
    expect(drift).to_have_text(re.compile(r"^Sớm \d+ phút so với kế hoạch$"))
    expect(drift).to_have_attribute("data-drift", "ahead")
    screens.assert_clean()


# ---------------------------------------------------------------- 2. amber, then red


def test_warning_then_overrun_colours(make_server, screens, artifacts):
    server = make_server()
    mc = screens.open(server, "mc", MC_VIEWPORT)
    projector = screens.open(server, "projector", HD_VIEWPORT)
    clock = projector.page.locator("[data-clock]")
    remaining = projector.page.locator("[data-field=remaining]")
    phase = projector.page.locator("[data-field=phase]")

    tap(mc, "Bắt đầu")
    show_item([projector], ITEM_1)
    tap(mc, "Mục tiếp ▶")
    show_item([projector], ITEM_2)
    expect(clock).to_have_attribute("data-phase", "normal")

    # four minutes off the five-minute item: it is in its last (warning) minute
    for _ in range(4):
        tap(mc, "−1 phút")
    expect(mc.page.locator("[data-field=planned]")).to_have_text("Thời lượng: 01:00")
    expect(clock).to_have_attribute("data-phase", "warning")
    expect(remaining).to_have_css("color", AMBER)
    expect(phase).to_have_text("Sắp hết giờ")
    assert 50 <= parse_clock(remaining.inner_text()) <= 60

    # one more: no time left, the clock turns red and counts up with a "+"
    tap(mc, "−1 phút")
    expect(clock).to_have_attribute("data-phase", "overrun")
    expect(remaining).to_have_css("color", RED)
    expect(remaining).to_have_text(re.compile(r"^\+\d\d:\d\d$"))
    expect(phase).to_have_text("Quá giờ")
    over = -projector.seconds()
    wait_until(lambda: -projector.seconds() >= over + 1, timeout=2.5, message="the overrun counts up")
    assert projector.remaining().startswith("+")
    expect(mc.page.locator("[data-clock]")).to_have_attribute("data-phase", "overrun")
    expect(remaining).to_have_css("color", RED)  # red for the picture (the screenshot ends any transition)
    screenshot(projector, artifacts, "projector-overrun.png")
    screens.assert_clean()


# ---------------------------------------------------------------- 3. a device whose clock is wrong


def test_skewed_device_clock_shows_the_same_time(make_server, screens):
    """A projector PC whose clock runs 5 minutes fast (or slow) still shows the right countdown.

    Playwright's ``context.clock.install(time=...)`` moves the page's ``Date`` (and timers) to a
    fake time that then flows at the real pace, before any page script runs: exactly a device
    whose wall clock is wrong. The screen corrects it with the offset it measures (common.js).
    """
    server = make_server()
    mc = screens.open(server, "mc", MC_VIEWPORT)
    right = screens.open(server, "projector")

    def skewed(seconds):
        return lambda context: context.clock.install(time=time.time() + seconds)

    fast = screens.open(server, "projector", prepare=skewed(300))
    slow = screens.open(server, "chair", prepare=skewed(-300))

    # the premise: these devices' clocks really are 5 minutes off ...
    for screen, skew in ((fast, 300), (slow, -300), (right, 0)):
        device = screen.page.evaluate("Date.now()") / 1000
        assert abs(device - time.time() - skew) < 5, (screen.role, device - time.time())
        # ... and each screen's idea of the server's time is right all the same
        assert abs(screen.page.evaluate("Live.serverNow()") - time.time()) < 0.5

    tap(mc, "Bắt đầu")
    show_item([right, fast, slow], ITEM_1)
    for _ in range(3):
        a, b, c = right.seconds(), fast.seconds(), slow.seconds()
        assert abs(a - b) <= 1 and abs(a - c) <= 1, (a, b, c)
        assert 14 * 60 + 50 <= a <= 15 * 60
        time.sleep(0.4)
    screens.assert_clean()


# ---------------------------------------------------------------- 4. reload, and a server killed


def test_reload_and_server_crash_recover_by_themselves(make_server, screens):
    server = make_server()
    mc = screens.open(server, "mc", MC_VIEWPORT)
    projector = screens.open(server, "projector", HD_VIEWPORT)
    tap(mc, "Bắt đầu")
    show_item([projector], ITEM_1)
    tap(mc, "Mục tiếp ▶")
    show_item([projector], ITEM_2)

    def expected():
        """What the projector should show, from what the MC shows (the MC stays up throughout)."""
        return mc.seconds()

    # the projector's page reloaded mid-item comes straight back to the same item and time
    projector.reload()
    expect(projector.page.locator("[data-field=item-title]")).to_have_text(ITEM_2)
    assert abs(projector.seconds() - expected()) <= 2, (projector.remaining(), mc.remaining())
    projector.wait_synced()
    assert abs(projector.seconds() - expected()) <= 2

    # kill -9: the screens say they lost the server and keep counting from what they know
    server.kill9()
    expect(projector.page.locator("#conn")).to_have_class(re.compile(r"\bconn-lost\b"))
    expect(mc.page.locator("#conn")).to_have_text("Mất kết nối — đang kết nối lại…")
    left = projector.seconds()
    wait_until(lambda: projector.seconds() < left, timeout=2.5, message="the projector counts down offline")

    # a tap while the server is down is refused at once, not queued to fire after the restart
    tap(mc, "+5 phút")
    expect(mc.page.locator("#toast")).to_have_text("Mất kết nối — đang kết nối lại…")

    # the same server again on the same port: both reconnect with no one touching them
    server.start()
    for screen in (projector, mc):
        expect(screen.page.locator("#conn")).to_have_class(re.compile(r"\bconn-ok\b"), timeout=10_000)
    expect(projector.page.locator("[data-field=item-title]")).to_have_text(ITEM_2)
    assert abs(projector.seconds() - expected()) <= 2, (projector.remaining(), mc.remaining())
    expect(mc.page.locator("[data-field=planned]")).to_have_text("Thời lượng: 05:00")  # no +5 replayed
    # and the projector is live again, not just ticking on its own
    tap(mc, "Mục tiếp ▶")
    show_item([projector], demo.AGENDA[2][0])
    screens.assert_clean(allow=OUTAGE)


# ---------------------------------------------------------------- 5. the speaker timer


def test_speaker_timer_on_projector_and_chair(make_server, screens, artifacts):
    server = make_server()
    mc = screens.open(server, "mc", MC_VIEWPORT)
    projector = screens.open(server, "projector", HD_VIEWPORT)
    chair = screens.open(server, "chair", HD_VIEWPORT)
    speaker_boxes = [s.page.locator("[data-speaker]") for s in (projector, chair)]
    for box in speaker_boxes:
        expect(box).to_be_hidden()

    tap(mc, "Bắt đầu")
    show_item([projector, chair], ITEM_1)
    tap(mc, "3 phút")
    for screen, box in zip((projector, chair), speaker_boxes, strict=True):
        expect(box).to_be_visible()
        expect(box.get_by_text("Thời gian phát biểu")).to_be_visible()
        wait_until(lambda s=screen: 170 <= parse_clock(s.speaker()) <= 180, message=f"{screen.role} speaker ~03:00")
    # it runs, and the MC can stop it: both screens then hold the same time
    start = parse_clock(projector.speaker())
    wait_until(lambda: parse_clock(projector.speaker()) < start, timeout=2.5, message="speaker counts down")
    screenshot(chair, artifacts, "chair.png")
    screenshot(mc, artifacts, "mc.png")
    tap(mc, "Dừng")
    held = same_on_all([projector, chair, mc], lambda s: s.speaker(), message="one stopped speaker time")
    time.sleep(1.2)
    assert projector.speaker() == chair.speaker() == held
    tap(mc, "Xóa")
    for box in speaker_boxes:
        expect(box).to_be_hidden()
    screens.assert_clean()


# ---------------------------------------------------------------- 6. nothing on the console, nothing abroad


def test_every_screen_is_clean(make_server, screens):
    """No console error, CSP violation, page error or request to another origin, on any screen."""
    server = make_server()
    mc = screens.open(server, "mc", MC_VIEWPORT)
    others = [screens.open(server, role, HD_VIEWPORT) for role in ("projector", "chair", "moderator")]
    tap(mc, "Bắt đầu")
    tap(mc, "2 phút")
    show_item(others, ITEM_1)
    for screen in others[:2]:  # the secretariat's screen has no speaker timer
        expect(screen.page.locator("[data-field=speaker-remaining]")).to_have_text(re.compile(r"^0[12]:\d\d$"))
    projector = others[0]
    projector.page.locator("#projector .textsize").hover()
    projector.page.get_by_role("button", name="Chữ lớn hơn").click()
    scale = projector.page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--scale')")
    assert scale.strip() == "1.1"
    # every screen has drawn its clock again since: whatever the tap or a tick logs, it has logged
    shown = [s.remaining() for s in [mc, *others]]
    for screen, was in zip([mc, *others], shown, strict=True):
        wait_until(lambda s=screen, w=was: s.remaining() != w, message=f"{screen.role} ticks")
    for screen in [mc, *others]:
        assert any(u.startswith(server.url + "/static/") for u in screen.urls)  # the listener listens
    screens.assert_clean()

    # the watch itself works: an inline script is refused by the CSP and reported
    probe = screens.opened[-1]
    probe.page.evaluate("const s = document.createElement('script'); s.textContent = '1'; document.body.append(s)")
    wait_until(lambda: probe.console_errors, timeout=2, message="a CSP violation is seen")
    assert any("CSP" in e or "Content Security Policy" in e for e in probe.console_errors), probe.console_errors


# ---------------------------------------------------------------- 7. English


def test_mc_in_english(make_server, screens):
    server = make_server()
    mc = screens.open(server, "mc", MC_VIEWPORT)
    expect(mc.page.locator("html")).to_have_attribute("lang", "vi")
    mc.page.get_by_role("link", name="English").click()
    mc.page.wait_for_url(server.url + "/mc")
    expect(mc.page.locator("html")).to_have_attribute("lang", "en")
    mc.wait_synced()
    # The English catalogue is being written separately; until it lands the words may still be
    # Vietnamese, so only the language the page declares is checked here, and that it still works.
    mc.page.locator("#btn-toggle").click()
    expect(mc.page.locator("[data-clock]")).to_have_attribute("data-status", "running")
    screens.assert_clean()
