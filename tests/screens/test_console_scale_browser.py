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


def started_with(make_server, n: int):
    """A server whose store holds ``n`` waiting questions (written while it was stopped), and their ids."""
    server = make_server()
    server.stop()
    ids = fill_store(server.data_dir, n)
    server.start()
    return server, ids


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
    server, _ = started_with(make_server, 300)
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
    server, ids = started_with(make_server, 20000)
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


def test_rows_never_move_while_questions_arrive_and_a_bar_brings_them_in(
    make_server, screens, connect_phone, connect_staff
):
    server, ids = started_with(make_server, 40)
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


def sign(screen, name: str) -> None:
    """The reviewer's name for the audit log (the console reconnects to carry it)."""
    page = screen.page
    page.locator("#me").fill(name)
    page.locator("#me").press("Enter")
    page.locator("#me").blur()
    expect(page.locator("#conn")).to_have_class("conn conn-ok")


def tick_range(page, first: str, last: str) -> None:
    """Tick one row, then Shift+click another: every row between them is ticked."""
    row(page, first).locator(".q-pick").click()
    row(page, last).locator(".q-pick").click(modifiers=["Shift"])


def test_two_secretaries_bulk_approve_overlapping_selections_and_nothing_is_overwritten(
    make_server, screens, connect_staff, artifacts
):
    server, ids = started_with(make_server, 12)
    ids = ids[::-1]  # as the list shows them: newest first
    lan, minh = open_console(screens, server), open_console(screens, server)
    sign(lan, "Lan")
    sign(minh, "Minh")
    tick_range(lan.page, ids[0], ids[5])
    tick_range(minh.page, ids[3], ids[8])
    expect(lan.page.locator("#bulk-n")).to_have_text("Đã chọn 6 câu")
    expect(minh.page.locator("#bulk-n")).to_have_text("Đã chọn 6 câu")
    # Lan approves first; Minh's console sees it, and marks what changed after he ticked it
    lan.page.locator("[data-bulk=approve]").click()
    expect(lan.page.locator("#bulk-result-text")).to_have_text("Đã duyệt 6 câu.")
    expect(row(minh.page, ids[4]).locator(".q-conflict")).to_have_text("Đã thay đổi sau khi chọn")
    minh.page.locator("[data-bulk=approve]").click()
    codes = [row(minh.page, i).locator(".q-code").inner_text() for i in ids[3:6]]
    expect(minh.page.locator("#bulk-result-text")).to_have_text(
        "Đã duyệt 3 câu. Bỏ qua 3 câu vì người khác đã thay đổi sau khi bạn chọn, không ghi đè: "
        + ", ".join(codes)
        + "."
    )
    # the three skipped stay ticked for Minh to look at
    expect(minh.page.locator("#bulk-n")).to_have_text("Đã chọn 3 câu")
    screenshot(minh, artifacts, "console-bulk.png")

    staff = connect_staff(server, "moderator")
    held = desk(staff)
    assert [held[i]["status"] for i in ids] == ["approved"] * 9 + ["received"] * 3
    assert all(held[i]["version"] == 2 for i in ids[:9]), [held[i]["version"] for i in ids]  # each approved once
    entries = connect_staff(server, "admin").call("audit.get")["entries"]
    bulks = {e["name"]: e for e in entries if e.get("action") == "bulk_approve"}
    assert sorted(bulks["Lan"]["questions"]) == sorted(ids[:6])
    assert sorted(bulks["Minh"]["questions"]) == sorted(ids[6:9])

    # both at the same moment, on the same three: each question is approved once, the other told
    for screen in (lan, minh):
        screen.page.keyboard.press("Escape")
        tick_range(screen.page, ids[9], ids[11])
    lan.page.locator("[data-bulk=approve]").click()
    minh.page.locator("[data-bulk=approve]").click()
    for screen in (lan, minh):
        expect(screen.page.locator("#bulk-result-text")).to_contain_text("3 câu")
    said = sorted((s.page.locator("#bulk-result-text").inner_text() for s in (lan, minh)), key=len)
    assert said[0] == "Đã duyệt 3 câu.", said
    assert said[1].startswith(
        "Không có câu nào được thay đổi. Bỏ qua 3 câu vì người khác đã thay đổi sau khi bạn chọn"
    ), said
    held = desk(staff)
    assert all(held[i]["status"] == "approved" and held[i]["version"] == 2 for i in ids[9:]), held
    screens.assert_clean()


def keys(page, *pressed: str) -> None:
    for key in pressed:
        page.keyboard.press(key)


def test_the_keyboard_flow_never_changes_what_was_not_chosen(make_server, screens, connect_staff):
    server, ids = started_with(make_server, 8)
    ids = ids[::-1]  # newest first, as listed
    console = open_console(screens, server)
    page = console.page
    staff = connect_staff(server, "moderator")
    before = desk(staff)

    def changed() -> dict[str, dict]:
        now = desk(staff)
        return {i: now[i] for i in ids if now[i]["version"] != before[i]["version"]}

    page.locator("#feed").focus()
    keys(page, "ArrowDown", "ArrowDown", "ArrowDown")  # the third question
    expect(page.locator("#detail")).to_have_attribute("data-id", ids[2])
    # T: a list filtered as typed, without diacritics; Enter chooses
    keys(page, "t")
    picker = page.locator("input.picker-input")
    expect(picker).to_be_focused()
    picker.press_sequentially("viec lam")
    keys(page, "Enter")
    expect(page.locator("#d-theme")).to_have_text("Việc làm, khởi nghiệp và vốn vay")
    assert {i: q["theme"] for i, q in changed().items()} == {ids[2]: "t2"}
    before = desk(staff)
    # arrows after choosing move between questions and change nothing
    keys(page, "ArrowDown", "ArrowDown", "ArrowUp")
    expect(page.locator("#detail")).to_have_attribute("data-id", ids[3])
    # D, then arrows inside the list, then Esc: nothing changes
    keys(page, "d")
    expect(picker).to_be_focused()
    picker.press_sequentially("so")
    keys(page, "ArrowDown", "ArrowDown", "ArrowUp", "Escape")
    expect(picker).to_have_count(0)
    keys(page, "ArrowDown")
    expect(page.locator("#detail")).to_have_attribute("data-id", ids[4])
    assert changed() == {}
    # "Sở Y" is Sở Y tế, never Sở Nội vụ
    keys(page, "d")
    picker.press_sequentially("Sở Y")
    keys(page, "Enter")
    expect(page.locator("#d-department")).to_have_text("Sở Y tế")
    assert {i: q["department"] for i, q in changed().items()} == {ids[4]: "d7"}
    before = desk(staff)
    # a select among the filters: arrows move between questions, the filter stays
    page.locator("#filter-theme").focus()
    keys(page, "ArrowDown")
    expect(page.locator("#detail")).to_have_attribute("data-id", ids[5])
    assert page.locator("#filter-theme").input_value() == ""
    # ticks by keys: X, then Shift+↓ twice; T chooses for the three; A approves them; U undoes
    keys(page, "x", "Shift+ArrowDown", "Shift+ArrowDown")
    expect(page.locator("#bulk-n")).to_have_text("Đã chọn 3 câu")
    keys(page, "t")
    picker.press_sequentially("y te")
    keys(page, "Enter")
    expect(page.locator("#bulk-result-text")).to_have_text("Đã cập nhật 3 câu.")
    assert {i: q["theme"] for i, q in changed().items()} == {i: "t6" for i in ids[5:8]}
    keys(page, "x", "Shift+ArrowUp", "Shift+ArrowUp")  # the ticks went with the bulk: tick them again
    expect(page.locator("#bulk-n")).to_have_text("Đã chọn 3 câu")
    keys(page, "a")
    expect(page.locator("#bulk-result-text")).to_have_text("Đã duyệt 3 câu.")
    assert [desk(staff)[i]["status"] for i in ids[5:8]] == ["approved"] * 3
    keys(page, "u")
    expect(page.locator("#bulk-result-text")).to_have_text("Đã hoàn tác 3 câu.")
    now = desk(staff)
    assert [now[i]["status"] for i in ids[5:8]] == ["received"] * 3
    assert [now[i]["theme"] for i in ids[5:8]] == ["t6"] * 3  # the undo took back the approval only
    # R then 2: the open question is rejected as off the topic; Esc leaves R without a change
    keys(page, "ArrowUp")
    keys(page, "r", "Escape", "ArrowUp")
    expect(page.locator("#detail")).to_have_attribute("data-id", ids[3])
    keys(page, "r", "2")
    expect(row(page, ids[3])).to_have_attribute("data-status", "rejected")
    assert desk(staff)[ids[3]]["reason"] == "off_topic"
    screens.assert_clean()


TOPICS = [("học bổng", "giao duc"), ("việc làm", "viec lam"), ("vốn vay", "von vay"), ("chuyển đổi số", "chuyen doi"),
          ("y tế", "y te"), ("thể thao", "the thao"), ("nông nghiệp", "nong nghiep"), ("đào tạo nghề", "giao duc")]  # fmt: skip
THEME_OF = {
    "giao duc": "t1",
    "viec lam": "t2",
    "von vay": "t2",
    "chuyen doi": "t3",
    "nong nghiep": "t4",
    "the thao": "t5",
    "y te": "t6",
}


def test_one_secretary_triages_three_hundred_waiting_questions_by_keyboard_in_a_few_bulk_actions(
    make_server, screens, connect_staff
):
    server, ids = started_with(make_server, 300)
    console = open_console(screens, server)
    page = console.page
    page.locator("#feed").focus()
    pressed = 0
    for topic, theme in TOPICS:
        # / to search, the topic, Esc back to the list, Shift+X ticks the list, T chooses the theme, A approves
        keys(page, "/")
        page.keyboard.type(f'"{topic}"')
        expect(page.locator("#shown")).to_have_text(
            "38 câu hỏi" if topic in ("học bổng", "việc làm", "vốn vay", "chuyển đổi số") else "37 câu hỏi"
        )
        keys(page, "Escape", "Shift+X", "t")
        page.keyboard.type(theme)
        keys(page, "Enter")
        expect(page.locator("#bulk-result-text")).to_contain_text("Đã cập nhật")
        keys(page, "Shift+X", "a")
        expect(page.locator("#bulk-result-text")).to_contain_text("Đã duyệt")
        keys(page, "/", "Control+a", "Backspace", "Escape")
        pressed += 3 + len(topic) + 2 + 3 + len(theme) + 1 + 2 + 4
    expect(page.locator("#counts [data-count=received]")).to_have_text("0")
    expect(page.locator("#counts [data-count=approved]")).to_have_text("300")
    held = desk(connect_staff(server, "moderator"))
    for i, ident in enumerate(ids):
        assert held[ident]["theme"] == THEME_OF[TOPICS[i % len(TOPICS)][1]], (i, held[ident])
    assert pressed < 300  # fewer keys than questions: 16 bulk actions
    screens.assert_clean()
