"""The secretariat's console with thousands of questions, in real Chromium (issue 25): a compact
list of at least 12 rows at 1440×900 with the frequent actions on each row, a virtual list that
stays whole and quick with 20,000 questions, rows that never move under the reader's eyes (a bar
brings in what arrived above), ticks and bulk actions with their undo, two secretaries on
overlapping selections, and the keyboard flow by keys alone.

Screenshots land in test-artifacts/ (console-1440.png, console-1366.png, console-bulk.png).
"""

from __future__ import annotations

import time
import uuid

import pytest
from browser import screenshot
from playwright.sync_api import expect

from live.core import questions
from live.store import open_store

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

DESKTOP = {"width": 1440, "height": 900}
LAPTOP = {"width": 1366, "height": 768}
WORDS = ["học bổng", "việc làm", "vốn vay", "chuyển đổi số", "y tế", "thể thao", "nông nghiệp", "đào tạo nghề"]


def fill_store(data_dir, n: int, *, start: float | None = None) -> list[str]:
    """Write ``n`` waiting questions straight into a stopped server's store; returns their ids, oldest first."""
    store = open_store({"DATA_DIR": str(data_dir)})
    sites = [s["id"] for s in store.get("conference")["sites"]]
    records = {}
    start = time.time() - 4 * 3600 if start is None else start
    ids = []
    for i in range(n):
        ident = f"load-{i:06d}-{uuid.uuid4().hex[:8]}"
        site = sites[i % len(sites)]
        text = f"Câu hỏi số {i} về {WORDS[i % len(WORDS)]} của thanh niên xã, mong lãnh đạo tỉnh trả lời?"
        payload = {"id": ident, "site": site, "text": text, "name": f"Người hỏi {i}" if i % 3 else ""}
        record = questions.validate_submission(payload, sites=set(sites), themes=set(), now=start + i)
        records["q:" + ident] = dict(record, channel="qr", device=None)
        ids.append(ident)
    for chunk in range(0, n, 2000):
        part = {k: records[k] for k in list(records)[chunk : chunk + 2000]}
        store.transact(tuple(part), lambda docs, part=part: part)
    store.close()
    return ids


def open_console(screens, server, viewport=DESKTOP):
    screen = screens.open(server, "moderator", viewport)
    expect(screen.page.locator("#desk")).to_have_attribute("data-loaded", "yes")
    return screen


def rows_in_view(page) -> list[str]:
    """The ids of the rows a person sees whole in the list's window."""
    return page.evaluate(
        """() => {
          const feed = document.querySelector("#feed");
          const box = feed.getBoundingClientRect();
          return Array.from(feed.querySelectorAll("li.q"))
            .filter((li) => { const r = li.getBoundingClientRect(); return r.top >= box.top - 1 && r.bottom <= box.bottom + 1; })
            .map((li) => li.dataset.id);
        }"""
    )


def test_at_least_twelve_rows_show_at_1440_by_900_and_the_screens_look_right(make_server, screens, artifacts):
    server = make_server()
    server.stop()
    fill_store(server.data_dir, 300)
    server.start()
    console = open_console(screens, server)
    page = console.page
    expect(page.locator("#shown")).to_have_text("300 câu hỏi")
    screenshot(console, artifacts, "console-1440.png")
    assert len(rows_in_view(page)) >= 12, rows_in_view(page)
    laptop = open_console(screens, server, LAPTOP)
    assert len(rows_in_view(laptop.page)) >= 8
    screenshot(laptop, artifacts, "console-1366.png")
    screens.assert_clean()


def desk(staff) -> dict[str, dict]:
    reply = staff.call("questions.get")
    assert reply["ok"], reply
    return {q["id"]: q for q in reply["questions"]}


def ask(phone, text: str, site: str = "hall") -> dict:
    reply = phone.call("question.submit", {"id": str(uuid.uuid4()), "site": site, "text": text})
    assert reply["ok"], reply
    return reply


def row(page, ident: str):
    return page.locator(f"#feed li.q[data-id='{ident}']")


def tops(page) -> dict[str, float]:
    """Where each row in view is on the screen (its top, in CSS pixels)."""
    return page.evaluate(
        """() => Object.fromEntries(Array.from(document.querySelectorAll("#feed li.q"), (li) => [li.dataset.id, li.getBoundingClientRect().top]))"""
    )


def test_twenty_thousand_questions_make_a_virtual_list_that_stays_whole(make_server, screens):
    server = make_server()
    server.stop()
    ids = fill_store(server.data_dir, 20000)
    server.start()
    console = open_console(screens, server)
    page = console.page
    expect(page.locator("#counts [data-count=all]")).to_have_text("20000")
    expect(page.locator("#shown")).to_have_text("20.000 câu hỏi")
    assert page.locator("#feed li.q").count() < 80  # only the rows in view and a few around are made
    # the newest first; End goes to the oldest, and the list scrolls all the way
    assert rows_in_view(page)[0] == ids[-1]
    page.locator("#feed").focus()
    page.keyboard.press("End")
    expect(row(page, ids[0])).to_have_attribute("aria-selected", "true")
    assert ids[0] in rows_in_view(page)
    expect(page.locator("#detail")).to_have_attribute("data-id", ids[0])
    page.keyboard.press("ArrowUp")
    expect(page.locator("#detail")).to_have_attribute("data-id", ids[1])
    # a search over all of them; then a filter; a tracking code alone
    page.locator("#search").fill("so 19999")
    expect(page.locator("#shown")).to_have_text("1 câu hỏi")
    expect(page.locator("#feed li.q")).to_have_count(1)
    page.locator("#search").fill("hoc bong")
    expect(page.locator("#shown")).to_have_text("2.500 câu hỏi")
    page.locator("#counts .chip[data-status=approved]").click()
    expect(page.locator("#feed-empty")).to_have_text("Không có câu hỏi nào khớp với bộ lọc.")
    screens.assert_clean()


def test_rows_never_move_while_questions_arrive_and_a_bar_brings_them_in(make_server, screens, connect_phone, connect_staff):
    server = make_server()
    server.stop()
    ids = fill_store(server.data_dir, 40)
    server.start()
    console = open_console(screens, server)
    page = console.page
    before = tops(page)
    in_view = rows_in_view(page)
    phone = connect_phone(server, "hall")
    new = [ask(phone, f"Câu hỏi mới thứ {n} về việc làm cho thanh niên?")["id"] for n in range(3)]
    expect(page.locator("#fresh")).to_have_text("↑ 3 câu hỏi mới — bấm để xem (phím Home)")
    expect(page.locator("#counts [data-count=all]")).to_have_text("43")
    after = tops(page)
    assert rows_in_view(page) == in_view
    assert all(abs(after[i] - before[i]) < 1 for i in in_view), (before, after)

    # someone else approves a row in view while this secretary filters the waiting ones: it stays put
    page.locator("#counts .chip[data-status=received]").click()
    expect(page.locator("#fresh-wrap")).to_be_hidden()  # a new filter starts at the top, the new ones in it
    assert rows_in_view(page)[:3] == new[::-1]
    other = connect_staff(server, "moderator")
    target = ids[-2]
    held = desk(other)[target]
    before = tops(page)
    assert other.call("question.approve", {"id": target, "version": held["version"]})["ok"]
    expect(row(page, target)).to_have_attribute("data-status", "approved")
    expect(row(page, target)).to_have_class("q left")
    assert abs(tops(page)[target] - before[target]) < 1
    # the person's own filter change takes it out
    page.locator("#counts .chip[data-status=received]").click()
    expect(row(page, target)).to_have_count(0)

    # the bar brings the new ones in: the list goes to the top and the newest is open
    page.locator("#counts .chip[data-status=all]").click()
    page.locator("#feed").evaluate("list => { list.scrollTop = 600; list.dispatchEvent(new Event('scroll')); }")
    ask(phone, "Thêm một câu hỏi nữa về học bổng?")
    expect(page.locator("#fresh")).to_have_text("↑ 1 câu hỏi mới — bấm để xem (phím Home)")
    page.locator("#fresh").click()
    expect(page.locator("#fresh-wrap")).to_be_hidden()
    expect(page.locator("#feed li.q").first).to_have_attribute("aria-selected", "true")
    screens.assert_clean()
