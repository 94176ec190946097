"""The admin edits the conference in real Chromium; the projector follows without a reload.

A real ``live serve`` process (eventlet), a real browser, the secret links as ``live links``
prints them. Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

NEW_TITLE = "Hội nghị đối thoại với thanh niên Cao Bằng — tổng duyệt"
NEW_MAKET = "TỔNG DUYỆT"
NEW_ITEM = "Giao lưu văn nghệ chào mừng"


@pytest.fixture
def chromium(browser):
    """The session's Chromium (tests/browser.py): one Playwright per test process."""
    return browser


def watch(page, problems: list[str]) -> None:
    """Record what a person would see as broken: script errors, console errors, failed requests."""
    page.on("pageerror", lambda error: problems.append(f"{page.url}: {error}"))
    page.on("console", lambda m: m.type == "error" and problems.append(f"{page.url}: console: {m.text}"))
    page.on("requestfailed", lambda r: problems.append(f"{page.url}: failed {r.url} {r.failure}"))


def test_admin_edit_reaches_the_projector_without_reload(make_server, connect_staff, chromium, artifacts):
    server = make_server()
    links = server.links()
    problems: list[str] = []

    # the projector in the hall, already showing the maket
    projector = chromium.new_context(viewport={"width": 1280, "height": 720}, locale="vi-VN").new_page()
    watch(projector, problems)
    projector.goto(links["projector"])
    expect(projector).to_have_url(re.compile(r"/projector$"))
    expect(projector.locator("#maket-lines li").first).to_have_text("ỦY BAN NHÂN DÂN TỈNH CAO BẰNG")
    projector.wait_for_function("() => document.body.dataset.seq !== undefined")
    projector.evaluate("() => { window.__sameDocument = true; }")
    seq_before = int(projector.evaluate("() => document.body.dataset.seq"))

    # the secretary on a laptop
    admin = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN").new_page()
    watch(admin, problems)
    admin.goto(links["admin"])
    expect(admin).to_have_url(re.compile(r"/admin/?$"))
    assert links["admin"] not in admin.url, "the secret leaves the address bar"
    expect(admin.locator("input[name=title]")).to_have_value(re.compile("^Hội nghị đối thoại"))

    admin.locator("input[name=title]").fill(NEW_TITLE)
    maket = admin.locator("textarea[name=maket]")
    maket.fill(maket.input_value().rstrip("\n") + "\n" + NEW_MAKET)
    blank = admin.locator("#agenda tr.new-row").first
    blank.locator("input[name$='-title']").fill(NEW_ITEM)
    blank.locator("input[name$='-minutes']").fill("12")
    admin.locator("input[name=date]").fill("31/02/2025")  # a slip of the finger first
    admin.locator("#save").click()

    # refused: the message names the field, the cursor is in it, nothing typed is lost
    expect(admin.locator("#form-error")).to_contain_text("Ngày phải có dạng dd/mm/yyyy")
    expect(admin.locator("input[name=date]")).to_be_focused()
    expect(admin.locator("input[name=date]")).to_have_value("31/02/2025")
    expect(admin.locator("input[name=title]")).to_have_value(NEW_TITLE)
    expect(admin.locator("#agenda input[name$='-title']").nth(8)).to_have_value(NEW_ITEM)
    admin.screenshot(path=str(artifacts / "admin-error.png"))
    expect(projector.locator("#stage-title")).not_to_have_text(NEW_TITLE)

    admin.locator("input[name=date]").fill("28/08/2025")
    admin.locator("#save").click()
    expect(admin.locator(".flash.ok")).to_have_text("Đã lưu hội nghị.")
    expect(admin.locator("#form-error")).to_have_count(0)
    expect(admin.locator("input[name=title]")).to_have_value(NEW_TITLE)
    expect(admin.locator("#agenda input[name$='-title']").nth(8)).to_have_value(NEW_ITEM)
    admin.screenshot(path=str(artifacts / "admin.png"))
    admin.locator("#agenda").screenshot(path=str(artifacts / "admin-agenda.png"))

    # the projector got state.snapshot: new maket line and title, the new item in its agenda
    expect(projector.locator("#maket-lines li").last).to_have_text(NEW_MAKET)
    expect(projector.locator("#stage-title")).to_have_text(NEW_TITLE)
    projector.wait_for_function(
        "(title) => Live.state.agenda.some((item) => item.title === title && item.planned === 720)", arg=NEW_ITEM
    )
    assert int(projector.evaluate("() => document.body.dataset.seq")) > seq_before
    assert projector.evaluate("() => window.__sameDocument") is True, "the projector did not reload"
    projector.screenshot(path=str(artifacts / "admin-projector-maket.png"))

    # the MC jumps to the new item: the projector puts it on stage, under the new title
    mc = connect_staff(server, "mc")
    agenda = mc.call("state.get")["state"]["agenda"]
    new_item = next(item for item in agenda if item["title"] == NEW_ITEM)
    assert mc.call("clock.jump", {"item": new_item["id"]})["ok"] is True
    expect(projector.locator("#projector")).to_have_attribute("data-mode", "stage")
    expect(projector.locator("[data-field=item-title]")).to_have_text(NEW_ITEM)
    expect(projector.locator("[data-field=item-number]")).to_contain_text("9")
    expect(projector.locator("#stage-title")).to_be_visible()
    # the maket fades out (a 0.4 s transition) before the hall sees the stage
    projector.wait_for_function("() => getComputedStyle(document.querySelector('#maket')).opacity === '0'")
    projector.screenshot(path=str(artifacts / "admin-projector-stage.png"))
    assert projector.evaluate("() => window.__sameDocument") is True

    # the refused save is answered 400 on purpose; Chromium logs that as a console error
    expected = "/admin/: console: Failed to load resource: the server responded with a status of 400"
    assert [p for p in problems if expected not in p] == [], problems
    assert sum(expected in p for p in problems) <= 1
    assert "Traceback" not in server.log()
