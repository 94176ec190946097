"""The word lists in real Chromium: from the secretariat's console to /tu-khoa/, a sentence tried,
a list saved and refused with its line named; then questions from phones arrive on an open console
with a red "Giữ lại" chip (banned) or an amber "Cần xem" chip (suspect), the detail saying why, the
filter "Giữ lại" showing the held ones, and a held question approved by a person, one by one. The asker's phone hears nothing of it.
Screenshots: test-artifacts/wordlist-*.png and /tmp/shots/wordlist-*.png (desktop and phone sizes)."""

from __future__ import annotations

import re
import shutil
import uuid
from pathlib import Path

import pytest
from browser import screenshot
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
SHOTS = Path("/tmp/shots")


def shot(screen, artifacts, name):
    path = screenshot(screen, artifacts, name)
    if SHOTS.is_dir():  # where the helper looks at them
        shutil.copy(path, SHOTS / name)


def test_the_secretariat_edits_the_lists_and_sees_held_questions(make_server, screens, connect_phone, artifacts):
    server = make_server()
    console = screens.open(server, "moderator", DESKTOP)
    editor = screens.open(server, "moderator", DESKTOP)
    page = editor.page

    page.locator("#desk-pages summary").click()  # the other pages of the secretariat
    page.locator("#wordlist-link").click()
    expect(page).to_have_url(re.compile(r"/tu-khoa/$"))
    expect(page.locator("h1")).to_have_text("Từ khoá cần chú ý")
    expect(page.locator("#wordlist-source")).to_have_text("Đang dùng danh sách ban đầu của phần mềm.")

    # a sentence to try against the starting list: teen code and diacritics do not hide a word
    page.locator("#trial").fill("D.M, ib em nhé")
    page.locator("#trial-form button").click()
    expect(page.locator("#trial-result .trial-banned .word")).to_have_text(["đm"])
    expect(page.locator("#trial-result .trial-suspect .word")).to_have_text(["ib"])
    page.locator("#trial").fill("Thanh niên làm du lịch ở Bảo Lạc")
    page.locator("#trial-form button").click()
    expect(page.locator("#trial-result")).to_have_text("Không có từ nào trong danh sách.")

    # a line too long: refused, named, what was typed kept
    suspect = page.locator("#list-suspect")
    suspect.fill(suspect.input_value() + "\n" + "quá dài " * 10)
    page.locator("#wordlist-submit").click()
    expect(page.locator("#wordlist-error")).to_contain_text("Từ cần xem, dòng")
    expect(page.locator("#wordlist-error")).to_contain_text("tối đa 60 ký tự")
    shot(editor, artifacts, "wordlist-refused.png")

    # saved: one banned word added to the starting list, one suspect phrase
    suspect.fill(suspect.input_value().rsplit("\n", 1)[0] + "\ncán bộ lười")
    banned = page.locator("#list-banned")
    banned.fill(banned.input_value() + "\nđồ vô dụng\nDO VO DUNG")
    page.locator("#wordlist-by").fill("Lan")
    page.locator("#wordlist-submit").click()
    expect(page.locator("#wordlist-saved")).to_contain_text("Đã lưu danh sách:")
    expect(page.locator("#wordlist-source")).to_contain_text("Danh sách do Lan lưu lúc")
    expect(page.locator("#list-banned")).to_have_value(re.compile(r"\nđồ vô dụng$"))  # the duplicate merged
    shot(editor, artifacts, "wordlist-desktop.png")
    page.screenshot(path=str(artifacts / "wordlist-desktop-full.png"), full_page=True)

    # questions from a phone: held, flagged, clean
    phone = connect_phone(server, site="hall")
    asked = {}
    for text in ("Đồ vô dụng, cán bộ lười!", "Sao cán bộ luoiii vậy ạ?", "Tỉnh có học bổng du học không ạ?"):
        reply = phone.call("question.submit", {"id": str(uuid.uuid4()), "site": "hall", "text": text})
        assert reply["ok"], reply
        asked[text] = reply
    heard = repr(phone.received) + repr(list(asked.values()))
    assert "vô dụng" not in heard.replace("Đồ vô dụng, cán bộ lười!", "") and "flags" not in heard

    feed = console.page
    held = feed.locator("li.q", has_text="Đồ vô dụng")
    expect(held.locator(".q-flag.flag-banned")).to_have_text("Giữ lại: đồ vô dụng")
    expect(held.locator(".q-flag.flag-suspect")).to_have_text("Cần xem: cán bộ lười")
    looked = feed.locator("li.q", has_text="luoiii")
    expect(looked.locator(".q-flag.flag-suspect")).to_have_text("Cần xem: cán bộ lười")
    expect(looked.locator(".q-flag.flag-banned")).to_have_count(0)
    expect(feed.locator("li.q", has_text="du học").locator(".q-flag")).to_have_count(0)
    held.click()
    expect(feed.locator("#d-flags")).to_be_visible()
    expect(feed.locator("#d-flags")).to_contain_text("Giữ lại để một người quyết định")
    expect(feed.locator("#d-flags")).to_contain_text("đồ vô dụng")
    # the chip "Giữ lại": only the held questions still waiting
    chip = feed.locator('#counts .chip[data-status="held"]')
    expect(chip.locator(".chip-n")).to_have_text("1")
    chip.click()
    expect(feed.locator("li.q")).to_have_count(1)
    expect(feed.locator("li.q .q-text")).to_have_text("Đồ vô dụng, cán bộ lười!")
    shot(console, artifacts, "wordlist-console.png")
    # a person's decision, one by one: approving it is allowed
    feed.locator('#detail [data-do="approve"]').click()
    expect(chip.locator(".chip-n")).to_have_text("0")  # approved: no longer held
    feed.locator('#counts .chip[data-status="all"]').click()
    expect(held.locator(".badge")).to_have_text("Đã duyệt")
    feed.locator("li.q", has_text="du học").click()
    expect(feed.locator("#d-flags")).to_be_hidden()

    # the page at a phone's size
    small = screens.open(server, "moderator", PHONE)
    small.page.goto(server.url + "/tu-khoa/?thu=vcl")
    expect(small.page.locator("#trial-result .trial-banned .word")).to_have_text(["vcl"])
    shot(small, artifacts, "wordlist-phone.png")
    screens.assert_clean(allow=[r"status of 400 \(BAD REQUEST\)"])  # the refused list's page
