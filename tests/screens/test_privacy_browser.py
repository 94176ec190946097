"""The privacy notice in real Chromium, on a phone (390×844) and a desktop (1440×900): a young person
follows the link from the lookup page, reads the notice in Vietnamese, switches to English; nothing is
wider than the screen, nothing is blocked by the policy, nothing is fetched from another origin.

Screenshots land in test-artifacts/: privacy-phone.png and privacy-desktop.png (the first screen),
privacy-<size>-full.png and privacy-<size>-en-full.png (the whole page, Vietnamese and English).
"""

from __future__ import annotations

import pytest
from browser import _CSP_REPORTER, Screen, screenshot
from playwright.sync_api import expect

from live.core import privacy

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}
ORGANISER = "Ủy ban nhân dân tỉnh Cao Bằng"


def visitor(browser, server, viewport: dict, role: str) -> Screen:
    """A browser context of its own, as a visitor's device, recording what goes wrong."""
    phone = viewport == PHONE
    context = browser.new_context(viewport=viewport, locale="vi-VN", has_touch=phone, is_mobile=phone)
    context.add_init_script(_CSP_REPORTER)
    page = context.new_page()
    page.set_default_timeout(10_000)
    screen = Screen(role=role, base_url=server.url, context=context, page=page)
    page.on("console", lambda m: m.type == "error" and screen.console_errors.append(m.text))
    page.on("pageerror", lambda e: screen.page_errors.append(str(e)))
    page.on("request", lambda r: screen.urls.append(r.url))
    return screen


def overflow(page) -> int:
    """How many pixels the page is wider than its window (0: nothing to scroll sideways)."""
    return page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_the_notice_reads_well_on_a_phone_and_a_desktop(make_server, browser, artifacts, size):
    server = make_server()
    viewport = PHONE if size == "phone" else DESKTOP
    screen = visitor(browser, server, viewport, f"privacy-{size}")
    page = screen.page
    try:
        page.goto(f"{server.url}/tra-cuu")
        page.locator("#privacy-link").click()
        expect(page).to_have_url(server.url + privacy.NOTICE_PATH)
        expect(page.locator("html")).to_have_attribute("lang", "vi")
        expect(page.locator("h1")).to_have_text("Thông báo về dữ liệu cá nhân và quyền của bạn")
        expect(page.locator("#ai .controller")).to_have_text(ORGANISER)
        expect(page.locator("#notice-version")).to_have_text(privacy.NOTICE_VERSION)
        expect(page.locator("#retention")).to_be_visible()
        assert overflow(page) <= 0, "the notice is wider than the screen"
        screenshot(screen, artifacts, f"privacy-{size}.png")
        page.screenshot(path=str(artifacts / f"privacy-{size}-full.png"), full_page=True, animations="disabled")

        page.get_by_role("link", name="English").click()
        expect(page).to_have_url(server.url + privacy.NOTICE_PATH)
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.locator("h1")).to_have_text("Privacy notice: your data and your rights")
        expect(page.locator("#ai .controller")).to_have_text(ORGANISER)
        assert overflow(page) <= 0, "the English notice is wider than the screen"
        page.screenshot(path=str(artifacts / f"privacy-{size}-en-full.png"), full_page=True, animations="disabled")

        # the tracking-code lookup it points to opens from the notice itself
        page.locator("#quyen").get_by_role("link", name="Lookup").click()
        expect(page).to_have_url(server.url + "/tra-cuu")
        problems = screen.problems()
        assert not problems, "\n".join(problems)
    finally:
        screen.context.close()
