"""Shared helpers for tests that drive real Chromium through Playwright.

One browser per test session; every screen opens in a context of its own (its own cookies, as on
its own device) by following its role's secret link from ``server.links()``. Each screen records
what would worry a person watching it: console errors (CSP violations among them), uncaught page
errors, and any request or WebSocket to another origin than the server.

conftest.py loads this module as a plugin (``pytest_plugins = ["browser"]``; this directory is on
``sys.path`` in pytest's default "prepend" import mode however pytest is started), so every test
file shares one Chromium.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
MC_VIEWPORT = {"width": 1280, "height": 800}  # the MC's tablet, landscape
HD_VIEWPORT = {"width": 1920, "height": 1080}  # the projector and the chairman's screen
DEFAULT_VIEWPORT = {"width": 1280, "height": 800}

# Report CSP violations to the console, so the console listener sees every one of them even where
# Chromium would only count it. Playwright adds this script outside the page's CSP.
_CSP_REPORTER = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"}`);
});
"""


def chromium_path() -> str:
    """Chromium from Debian (``apt-get install chromium``); ``LIVE_CHROMIUM`` overrides."""
    return os.environ.get("LIVE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session", name="browser")
def browser_fixture():
    """Headless Chromium for the whole session (Playwright's own browser builds are not used)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@dataclass
class Screen:
    """One staff screen open in its own browser context, and what it did that it should not."""

    role: str
    base_url: str
    context: object
    page: object
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)

    # ------------------------------------------------------------ reading the screen

    def text(self, selector: str) -> str:
        return self.page.locator(selector).inner_text().strip()

    def title(self) -> str:
        return self.text("[data-field=item-title]")

    def remaining(self) -> str:
        return self.text("[data-field=remaining]")

    def seconds(self) -> int:
        return parse_clock(self.remaining())

    def speaker(self) -> str:
        return self.text("[data-field=speaker-remaining]")

    def clock_attr(self, name: str) -> str | None:
        return self.page.locator("[data-clock]").get_attribute(name)

    def wait_synced(self, timeout: float = 10.0) -> None:
        """Connected, and the clock offset measured against the server."""
        # a function, not an expression: an expression would be eval()ed, which the CSP refuses
        self.page.wait_for_function(
            "() => document.body.dataset.clockOffset !== undefined && document.querySelector('#conn.conn-ok') !== null",
            timeout=timeout * 1000,
        )

    def reload(self, wait: bool = False) -> None:
        self.page.reload()
        if wait:
            self.wait_synced()

    # ------------------------------------------------------------ what must not happen

    def foreign_urls(self) -> list[str]:
        """Requests and WebSockets that went anywhere but the server."""
        http, ws = self.base_url + "/", "ws" + self.base_url.removeprefix("http") + "/"
        return [url for url in self.urls if not (url.startswith(http) or url.startswith(ws))]

    def problems(self, allow: Iterable[str] = ()) -> list[str]:
        """Console errors, page errors and foreign requests; ``allow`` holds regexes to forgive."""
        patterns = [re.compile(p) for p in allow]
        errors = [e for e in self.console_errors if not any(p.search(e) for p in patterns)]
        return (
            [f"{self.role}: console error: {e}" for e in errors]
            + [f"{self.role}: page error: {e}" for e in self.page_errors]
            + [f"{self.role}: request to another origin: {u}" for u in self.foreign_urls()]
        )


def open_screen(
    browser,
    server,
    role: str,
    viewport: dict | None = None,
    prepare: Callable[[object], None] | None = None,
    wait: bool = True,
    **context_options,
) -> Screen:
    """Open ``role``'s screen as its device would: a fresh context follows the role's secret link.

    ``prepare(context)`` runs before the first page loads (to install a fake clock, say);
    ``wait`` waits until the screen is connected and has measured its clock offset.
    """
    context = browser.new_context(viewport=viewport or DEFAULT_VIEWPORT, **context_options)
    if prepare is not None:
        prepare(context)
    context.add_init_script(_CSP_REPORTER)
    page = context.new_page()
    page.set_default_timeout(10_000)
    screen = Screen(role=role, base_url=server.url, context=context, page=page)
    page.on("console", lambda m: m.type == "error" and screen.console_errors.append(m.text))
    page.on("pageerror", lambda e: screen.page_errors.append(str(e)))
    page.on("request", lambda r: screen.urls.append(r.url))
    page.on("websocket", lambda ws: screen.urls.append(ws.url))
    page.goto(server.link(role))
    if wait:
        screen.wait_synced()
    return screen


class Screens:
    """Opens screens for one test and closes their contexts after it."""

    def __init__(self, browser) -> None:
        self.browser = browser
        self.opened: list[Screen] = []

    def open(self, server, role: str, viewport: dict | None = None, **kwargs) -> Screen:
        screen = open_screen(self.browser, server, role, viewport, **kwargs)
        self.opened.append(screen)
        return screen

    def problems(self, allow: Iterable[str] = ()) -> list[str]:
        return [p for s in self.opened for p in s.problems(allow)]

    def assert_clean(self, allow: Iterable[str] = ()) -> None:
        """No console error, CSP violation, page error or foreign request on any screen opened."""
        problems = self.problems(allow)
        assert not problems, "\n".join(problems)

    def close(self) -> None:
        for screen in self.opened:
            try:
                screen.context.close()
            except Exception:
                pass


@pytest.fixture(name="screens")
def screens_fixture(browser):
    """``screens.open(server, role, viewport)`` → a connected :class:`Screen`; closed after the test."""
    opened = Screens(browser)
    yield opened
    opened.close()


# ---------------------------------------------------------------- helpers


_CLOCK = re.compile(r"^(\+)?(?:(\d+):)?(\d{1,2}):(\d{2})$")


def parse_clock(text: str) -> int:
    """``"14:58"`` → 898; ``"1:02:05"`` → 3725; ``"+00:35"`` (overrun) → -35."""
    m = _CLOCK.match(text.strip())
    if not m:
        raise ValueError(f"not a clock: {text!r}")
    over, h, mm, ss = m.groups()
    seconds = int(h or 0) * 3600 + int(mm) * 60 + int(ss)
    return -seconds if over else seconds


def wait_until(predicate: Callable[[], object], timeout: float = 3.0, interval: float = 0.05, message: str = ""):
    """Poll ``predicate`` until it returns something truthy; its last value or error explains a failure."""
    deadline = time.monotonic() + timeout
    last: object = None
    while True:
        try:
            last = predicate()
            if last:
                return last
        except Exception as error:  # a screen between two renders: try again
            last = error
        if time.monotonic() >= deadline:
            raise AssertionError(f"{message or 'condition'} not met within {timeout}s (last: {last!r})")
        time.sleep(interval)


def screenshot(screen: Screen, artifacts: Path, name: str) -> Path:
    """Save what ``screen`` shows now as ``artifacts/name`` (PNG, the viewport's size)."""
    path = artifacts / name
    screen.page.screenshot(path=str(path), animations="disabled", caret="hide")
    return path
