"""The secretariat's console in real Chromium (1440×900), as the tổ thư ký works with it.

Young people's phones are real Socket.IO clients at their bridge points; the moderators' screens
are real pages, each in its own browser context (its own device), against a real ``live serve``
(eventlet) on the Cao Bằng demo conference. Every test also checks that no screen logged a
console error or CSP violation, threw, or reached another origin.

Screenshots land in test-artifacts/ (moderator.png, moderator-queue.png, moderator-floor.png,
moderator-conflict.png) for a person to look at.
"""

from __future__ import annotations

import re
import uuid

import pytest
from browser import screenshot, wait_until
from playwright.sync_api import expect

from live.core import questions

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]

DESKTOP = {"width": 1440, "height": 900}
HALL, QUANG_LAM, NAM_QUANG = "hall", "1304", "1297"
HALL_NAME = "Trung tâm Hội nghị tỉnh (điểm cầu chính)"
HOC_BONG = "Xin hỏi về học bổng cho sinh viên dân tộc thiểu số học đại học?"
VON_VAY = "Tỉnh có chính sách hỗ trợ vốn vay khởi nghiệp cho thanh niên nông thôn không ạ?"
DAO_TAO = "Em muốn hỏi về đào tạo nghề cho thanh niên chưa có việc làm."
CONFLICT = "Câu hỏi vừa được người khác thay đổi. Màn hình đã cập nhật; vui lòng xem lại rồi thao tác lại."
AGREED = {"name": "1", "group": "1"}  # both consent boxes ticked on the phone


def ask(phone, text=HOC_BONG, site=HALL, **extra) -> dict:
    """A young person sends a question from their phone; returns the acknowledgement."""
    payload = {"id": str(uuid.uuid4()), "site": site, "text": text, **extra}
    reply = phone.call("question.submit", payload)
    assert reply["ok"], reply
    return reply


def desk(staff) -> dict[str, dict]:
    """Every question as the server holds it now, by id (read by a staff client)."""
    reply = staff.call("questions.get")
    assert reply["ok"], reply
    return {q["id"]: q for q in reply["questions"]}


def open_console(screens, server, **kwargs):
    screen = screens.open(server, "moderator", DESKTOP, **kwargs)
    expect(screen.page.locator("#desk")).to_have_attribute("data-loaded", "yes")
    return screen


def row(screen, ident: str):
    return screen.page.locator(f"#feed li.q[data-id='{ident}']")


def rows(screen):
    return screen.page.locator("#feed li.q")


def press(screen, *keys: str) -> None:
    """Keyboard shortcuts, typed with the focus on the list (as after a click on a row)."""
    for key in keys:
        screen.page.keyboard.press(key)


def pick(screen, ident: str) -> None:
    row(screen, ident).locator(".q-text").click()
    expect(row(screen, ident)).to_have_attribute("aria-selected", "true")
    expect(screen.page.locator("#detail")).to_have_attribute("data-id", ident)


def count(screen, status: str) -> str:
    return screen.text(f"#counts [data-count='{status}']")


# ---------------------------------------------------------------- the feed


def test_questions_from_three_sites_arrive_live_tagged_and_can_be_searched_and_filtered(
    make_server, screens, connect_phone, artifacts
):
    server = make_server()
    console = open_console(screens, server)
    expect(console.page.locator("#feed-empty")).to_have_text("Chưa có câu hỏi nào.")

    # three bridge points send questions while the console is open: each row appears by itself
    first = ask(
        connect_phone(server, HALL), HOC_BONG, HALL, name="Nông Thị Hoa", group="hoc_sinh_sinh_vien", theme="t1",
        consent=AGREED,
    )  # fmt: skip
    second = ask(connect_phone(server, QUANG_LAM), VON_VAY, QUANG_LAM, group="kinh_te_gioi", consent=AGREED)
    third = ask(connect_phone(server, NAM_QUANG), DAO_TAO, NAM_QUANG, name="Lục Văn Đạt", consent=AGREED)
    expect(rows(console)).to_have_count(3)

    # newest first; every row says when, how, from where, who, what, and its tracking code
    expect(rows(console).locator(".q-site")).to_have_text(["Xã Nam Quang", "Xã Quảng Lâm", HALL_NAME])
    hoa = row(console, first["id"])
    expect(hoa.locator(".q-text")).to_have_text(HOC_BONG)
    expect(hoa.locator(".q-name")).to_have_text("Nông Thị Hoa")
    expect(hoa.locator(".q-group")).to_have_text("Học sinh, sinh viên")
    expect(hoa.locator(".q-theme")).to_have_text("Giáo dục, đào tạo nghề và học bổng")
    expect(hoa.locator(".q-ch")).to_have_text("QR")
    expect(hoa.locator(".q-code")).to_have_text(first["code"])
    expect(hoa.locator(".badge")).to_have_text("Chờ duyệt")
    # the demo's day (28/08/2025) is past: a question received today came after it, and the
    # console gives its day (dd/mm) rather than its hour, with the phase in the detail
    expect(hoa.locator("time.q-day.ph-after")).to_have_text(re.compile(r"^\d\d/\d\d$"))
    expect(row(console, second["id"]).locator(".q-name")).to_have_text("Ẩn danh")
    expect(row(console, second["id"]).locator(".q-theme")).to_have_text("Chưa xếp nhóm")
    assert count(console, "all") == "3" and count(console, "received") == "3" and count(console, "approved") == "0"

    # the search ignores diacritics and case: "hoc bong" finds "học bổng", "dao tao" finds "đào tạo"
    search = console.page.locator("#search")
    for typed, found in [
        ("hoc bong", [first]),
        ("HỌC BỔNG", [first]),
        ("dao tao nghe", [third]),
        ("von vay khoi nghiep", [second]),
        ("nghe von", []),  # every word must be there
        ("quang lam", [second]),  # the site's name is searched too
        (first["code"].lower(), [first]),  # and the tracking code
    ]:
        search.fill(typed)
        expect(rows(console)).to_have_count(len(found))
        for reply in found:
            expect(row(console, reply["id"])).to_be_visible()
    expect(console.page.locator("#feed-empty")).to_be_hidden()
    search.fill("không có câu nào như thế")
    expect(console.page.locator("#feed-empty")).to_have_text("Không có câu hỏi nào khớp với bộ lọc.")
    search.fill("")
    expect(rows(console)).to_have_count(3)

    # filters by site, theme and answering department; "/" jumps to the search box
    console.page.locator("#filter-site").select_option(label="Xã Quảng Lâm")
    expect(rows(console)).to_have_count(1)
    expect(row(console, second["id"])).to_be_visible()
    console.page.locator("#filter-site").select_option("")
    console.page.locator("#filter-theme").select_option(label="Giáo dục, đào tạo nghề và học bổng")
    expect(rows(console)).to_have_count(1)
    console.page.locator("#filter-theme").select_option(label="Chưa xếp nhóm")
    expect(rows(console)).to_have_count(2)
    console.page.locator("#filter-theme").select_option("")
    console.page.locator("#filter-department").select_option(label="Sở Giáo dục và Đào tạo")
    expect(rows(console)).to_have_count(0)
    console.page.locator("#filter-department").select_option("")
    console.page.locator("#sort").select_option("oldest")
    expect(rows(console).locator(".q-site")).to_have_text([HALL_NAME, "Xã Quảng Lâm", "Xã Nam Quang"])
    console.page.locator("#feed").focus()
    press(console, "/")
    expect(search).to_be_focused()

    screens.assert_clean()


# ---------------------------------------------------------------- moderating


def test_the_secretariat_approves_rejects_edits_assigns_and_prepares_notes(
    make_server, screens, connect_phone, connect_staff
):
    server = make_server()
    admin = connect_staff(server, "admin")
    console = open_console(screens, server)
    page = console.page
    # the person's name goes into the audit log with every action
    page.locator("#me").fill("Hoàng Thư Ký")
    page.locator("#me").press("Enter")
    page.locator("#feed").focus()
    expect(page.locator("#conn")).to_have_class(re.compile(r"conn-ok"))

    a = ask(connect_phone(server, HALL), HOC_BONG, HALL)
    b = ask(connect_phone(server, QUANG_LAM), "Câu hỏi quảng cáo bán hàng không liên quan", QUANG_LAM)
    c = ask(connect_phone(server, NAM_QUANG), DAO_TAO, NAM_QUANG)
    expect(rows(console)).to_have_count(3)

    # A approves the selected question
    pick(console, a["id"])
    expect(page.locator("#d-version")).to_have_text("phiên bản 1")
    press(console, "a")
    expect(row(console, a["id"]).locator(".badge")).to_have_text("Đã duyệt")
    expect(page.locator("#d-version")).to_have_text("phiên bản 2")
    wait_until(lambda: desk(admin)[a["id"]]["status"] == "approved", message="approved on the server")
    assert count(console, "approved") == "1" and count(console, "received") == "2"

    # R, then 3: rejected as inappropriate; the reason shows on the row
    pick(console, b["id"])
    press(console, "r")
    expect(page.locator("#d-reject")).to_have_class(re.compile(r"\barmed\b"))
    press(console, "3")
    expect(row(console, b["id"]).locator(".badge")).to_have_text("Đã từ chối")
    expect(row(console, b["id"]).locator(".q-reason")).to_have_text("Không phù hợp")
    assert desk(admin)[b["id"]]["reason"] == "inappropriate"
    # ... and reopened: nothing is ever lost
    page.get_by_role("button", name="Mở lại O").click()
    expect(row(console, b["id"]).locator(".badge")).to_have_text("Chờ duyệt")
    # then rejected with the buttons, as off-topic
    page.get_by_role("button", name="2 Không đúng chủ đề").click()
    expect(row(console, b["id"]).locator(".q-reason")).to_have_text("Không đúng chủ đề")

    # E edits the text; the original is kept and one click away
    pick(console, c["id"])
    press(console, "e")
    edit = page.locator("#edit-text")
    expect(edit).to_be_focused()
    expect(edit).to_have_value(DAO_TAO)
    edit.fill("Tỉnh có chương trình đào tạo nghề miễn phí cho thanh niên chưa có việc làm không?")
    edit.press("Control+Enter")
    expect(page.locator("#d-edit")).to_be_hidden()
    edited = row(console, c["id"])
    expect(edited.locator(".q-text")).to_contain_text("đào tạo nghề miễn phí")
    expect(edited.locator(".q-edited")).to_have_text("đã sửa")
    expect(edited.locator(".q-edited")).to_have_attribute("title", f"Câu gốc: {DAO_TAO}")
    page.locator("#d-original summary").click()
    expect(page.locator("#d-original-text")).to_have_text(DAO_TAO)
    stored = desk(admin)[c["id"]]
    assert stored["original_text"] == DAO_TAO and stored["text"].startswith("Tỉnh có chương trình")

    # theme and answering department from the conference's lists, filtered as typed (static/js/picker.js)
    page.locator("#d-theme").click()
    page.locator("input.picker-input").fill("viec lam")
    page.locator(".picker-option", has_text="Việc làm, khởi nghiệp và vốn vay").click()
    expect(edited.locator(".q-theme")).to_have_text("Việc làm, khởi nghiệp và vốn vay")
    page.locator("#d-department").click()
    page.locator("input.picker-input").fill("noi vu")
    page.locator("input.picker-input").press("Enter")
    expect(edited.locator(".q-dept")).to_have_text("Sở Nội vụ")
    stored = desk(admin)[c["id"]]
    assert (stored["theme"], stored["department"]) == ("t2", "d1")

    # prepared notes for the chairman
    page.locator("#notes").fill("Năm 2025 tỉnh hỗ trợ 1.200 suất học nghề; Sở Nội vụ trả lời.")
    page.get_by_role("button", name="Lưu ghi chú").click()
    expect(page.locator("#notes-state")).to_have_text("Đã lưu ghi chú.")
    assert desk(admin)[c["id"]]["notes"].startswith("Năm 2025 tỉnh hỗ trợ")

    # approve, then forward to a department for a written reply
    page.locator("#feed").focus()
    press(console, "a")
    expect(edited.locator(".badge")).to_have_text("Đã duyệt")
    page.locator("#forward-dept").select_option(label="Sở Nội vụ")
    page.get_by_role("button", name="Chuyển cơ quan", exact=True).click()
    expect(edited.locator(".badge")).to_have_text("Trả lời bằng văn bản")
    assert desk(admin)[c["id"]]["status"] == "forwarded"

    # the status chips filter the list
    page.locator("#counts [data-status=approved]").click()
    expect(rows(console)).to_have_count(1)
    expect(row(console, a["id"])).to_be_visible()
    page.locator("#counts [data-status=all]").click()
    expect(rows(console)).to_have_count(3)

    # under "Chờ duyệt", an approved question leaves the list and the next one is selected
    d = ask(connect_phone(server, HALL), "Câu hỏi thứ tư về thể thao?", HALL)
    e = ask(connect_phone(server, HALL), "Câu hỏi thứ năm về y tế?", HALL)
    page.locator("#counts [data-status=received]").click()
    expect(rows(console)).to_have_count(2)
    pick(console, e["id"])
    press(console, "a")
    expect(rows(console)).to_have_count(1)
    expect(page.locator("#detail")).to_have_attribute("data-id", d["id"])
    expect(row(console, d["id"])).to_have_attribute("aria-selected", "true")
    page.locator("#counts [data-status=all]").click()

    # the audit log names the person who did each thing
    entries = admin.call("audit.get")["entries"]
    assert {(e["action"], e["name"]) for e in entries} >= {("approve", "Hoàng Thư Ký"), ("edit", "Hoàng Thư Ký")}
    screens.assert_clean()


def test_two_moderators_on_one_question_the_second_is_told_and_nothing_is_overwritten(
    make_server, screens, connect_phone, connect_staff, artifacts
):
    server = make_server()
    admin = connect_staff(server, "admin")
    first = open_console(screens, server)
    # the second moderator's network is slow: what the server pushes reaches them late
    held: list = []
    hold = {"on": False}
    routes: list = []

    def slow_network(ws):
        routes.append(ws)
        upstream = ws.connect_to_server()

        def deliver(message):
            if hold["on"] and isinstance(message, str) and '"question.changed"' in message:
                held.append(message)
            else:
                ws.send(message)

        upstream.on_message(deliver)

    second = open_console(
        screens, server, prepare=lambda ctx: ctx.route_web_socket(re.compile(r"/socket\.io/"), slow_network)
    )
    q = ask(connect_phone(server, QUANG_LAM), VON_VAY, QUANG_LAM)
    q2 = ask(connect_phone(server, QUANG_LAM), DAO_TAO, QUANG_LAM)
    for screen in (first, second):
        expect(rows(screen)).to_have_count(2)
        pick(screen, q["id"])

    # both look at version 1; the first approves; the second, not yet told, rejects it
    hold["on"] = True
    press(first, "a")
    expect(row(first, q["id"]).locator(".badge")).to_have_text("Đã duyệt")
    expect(row(second, q["id"]).locator(".badge")).to_have_text("Chờ duyệt")
    second.page.get_by_role("button", name="1 Trùng lặp").click()

    # the second is told on that row and in the detail, and sees the first one's result
    conflict = row(second, q["id"]).locator(".q-conflict")
    expect(conflict).to_have_text("Người khác vừa thay đổi")
    expect(conflict).to_have_attribute("title", CONFLICT)
    expect(second.page.locator("#d-conflict")).to_have_text(CONFLICT)
    expect(row(second, q["id"]).locator(".badge")).to_have_text("Đã duyệt")  # fetched again, push or not
    expect(second.page.locator("#d-version")).to_have_text("phiên bản 2")
    # the late push arrives after all: it changes nothing, and nothing rolls back
    hold["on"] = False
    assert held, "the approval's push was held back"
    for message in held:
        routes[-1].send(message)
    # a later message on the same socket, seen on the page: the late push was read before it
    later = ask(connect_phone(server, NAM_QUANG), "Câu hỏi đến sau, về sân chơi cho thiếu nhi?", NAM_QUANG)
    expect(row(second, later["id"])).to_have_count(1)
    expect(row(second, q["id"]).locator(".badge")).to_have_text("Đã duyệt")
    stored = desk(admin)[q["id"]]
    assert (stored["status"], stored["reason"], stored["version"]) == ("approved", None, 2)
    screenshot(second, artifacts, "moderator-conflict.png")

    # editing: both open the text; the first saves; the second's save is refused and kept
    pick(first, q2["id"])
    pick(second, q2["id"])
    press(second, "e")
    second.page.locator("#edit-text").fill("Đào tạo nghề cho thanh niên (bản của người thứ hai)")
    press(first, "e")
    first.page.locator("#edit-text").fill("Đào tạo nghề cho thanh niên (bản của người thứ nhất)")
    first.page.locator("#edit-text").press("Control+Enter")
    expect(row(first, q2["id"]).locator(".q-text")).to_contain_text("người thứ nhất")
    expect(row(second, q2["id"]).locator(".q-text")).to_contain_text("người thứ nhất")
    expect(second.page.locator("#edit-other")).to_contain_text("người thứ nhất")  # seen while typing
    second.page.locator("#edit-text").press("Control+Enter")
    expect(row(second, q2["id"]).locator(".q-conflict")).to_have_attribute("title", CONFLICT)
    expect(second.page.locator("#edit-text")).to_have_value("Đào tạo nghề cho thanh niên (bản của người thứ hai)")
    assert "người thứ nhất" in desk(admin)[q2["id"]]["text"]
    # having seen the other version, saving again is deliberate: it goes through, the message goes
    second.page.locator("#edit-text").press("Control+Enter")
    expect(row(second, q2["id"]).locator(".q-text")).to_contain_text("người thứ hai")
    expect(row(second, q2["id"]).locator(".q-conflict")).to_have_count(0)
    expect(row(first, q2["id"]).locator(".q-text")).to_contain_text("người thứ hai")
    assert desk(admin)[q2["id"]]["original_text"] == DAO_TAO  # the young person's words, kept once

    screens.assert_clean()


# ---------------------------------------------------------------- duplicates


def test_a_likely_duplicate_is_suggested_and_merged_in_one_click(make_server, screens, connect_phone, connect_staff):
    server = make_server()
    admin = connect_staff(server, "admin")
    console = open_console(screens, server)
    original = ask(connect_phone(server, HALL), "Xin hỏi về học bổng cho sinh viên dân tộc thiểu số?", HALL)
    expect(rows(console)).to_have_count(1)
    expect(row(console, original["id"]).locator(".q-dup")).to_have_count(0)

    # the same question from another commune, in other words: "Có thể trùng với" the first
    again = ask(connect_phone(server, QUANG_LAM), "Cho em hỏi học bổng cho sinh viên dân tộc thiểu số ạ?", QUANG_LAM)
    suggestion = row(console, again["id"]).locator(".q-dup")
    expect(suggestion).to_contain_text("Có thể trùng với:")
    expect(suggestion.locator(".dup-text")).to_have_text("Xin hỏi về học bổng cho sinh viên dân tộc thiểu số?")
    expect(suggestion.locator(".dup-meta")).to_contain_text(original["code"])
    expect(suggestion.locator(".dup-meta")).to_contain_text(re.compile(r"giống \d+%"))

    # one click merges the new one into the first; the first keeps both askers
    suggestion.get_by_role("button", name="Gộp vào câu này").click()
    expect(row(console, again["id"]).locator(".badge")).to_have_text("Đã gộp")
    expect(row(console, again["id"]).locator(".q-reason")).to_have_text(f"Đã gộp vào câu hỏi {original['code']}")
    expect(row(console, original["id"]).locator(".q-plus")).to_have_text("+1 câu cùng ý")
    stored = desk(admin)
    assert stored[again["id"]]["merged_into"] == original["id"]
    assert [o["id"] for o in stored[original["id"]]["origins"]] == [again["id"]]

    # a third one, merged by its tracking code typed in the console
    third = ask(connect_phone(server, NAM_QUANG), "Học bổng cho học sinh vùng cao có không?", NAM_QUANG)
    pick(console, third["id"])
    press(console, "m")
    console.page.locator("#merge-code").fill(original["code"].lower())
    console.page.locator("#merge-form").get_by_role("button", name="Gộp", exact=True).click()
    expect(row(console, third["id"]).locator(".badge")).to_have_text("Đã gộp")
    expect(row(console, original["id"]).locator(".q-plus")).to_have_text("+2 câu cùng ý")
    pick(console, original["id"])
    expect(console.page.locator("#d-origins")).to_contain_text("Cùng ý với 2 câu hỏi khác")
    screens.assert_clean()


# ---------------------------------------------------------------- the queue


def test_the_approved_queue_by_theme_is_reordered_without_dragging(
    make_server, screens, connect_phone, connect_staff, artifacts
):
    server = make_server()
    console = open_console(screens, server)
    page = console.page
    texts = [
        ("Học bổng cho sinh viên dân tộc thiểu số?", "t1"),
        ("Đào tạo nghề cho thanh niên nông thôn?", "t1"),
        ("Có lớp tiếng Anh miễn phí cho học sinh vùng cao không?", "t1"),
        ("Vốn vay khởi nghiệp cho thanh niên?", "t2"),
    ]
    asked = [
        ask(connect_phone(server, site), text, site, theme=theme)
        for (text, theme), site in zip(texts, [HALL, QUANG_LAM, NAM_QUANG, HALL], strict=True)
    ]
    expect(rows(console)).to_have_count(4)
    for reply in asked:
        pick(console, reply["id"])
        press(console, "a")
        expect(row(console, reply["id"]).locator(".badge")).to_have_text("Đã duyệt")

    page.locator("#tab-queue").click()
    expect(page.locator("#queue-n")).to_have_text("4")
    groups = page.locator("#queue .qgroup h3")
    expect(groups).to_have_text(
        [re.compile("^Giáo dục, đào tạo nghề và học bổng"), re.compile("^Việc làm, khởi nghiệp và vốn vay")]
    )
    line = page.locator("#queue .qgroup[data-theme=t1] .qitem")
    expect(line).to_have_count(3)

    def order():
        return [page.locator("#queue .qgroup[data-theme=t1] .qitem").nth(i).get_attribute("data-id") for i in range(3)]

    before = order()
    # ▼ on the first moves it after the second
    page.locator(f"#queue .qitem[data-id='{before[0]}'] [data-act=down]").click()
    wait_until(lambda: order() == [before[1], before[0], before[2]], message="moved down")
    # ▲ on the last moves it first... in two steps
    page.locator(f"#queue .qitem[data-id='{before[2]}'] [data-act=up]").click()
    wait_until(lambda: order() == [before[1], before[2], before[0]], message="moved up")
    page.locator(f"#queue .qitem[data-id='{before[2]}'] [data-act=up]").click()
    wait_until(lambda: order() == [before[2], before[1], before[0]], message="moved first")
    expect(page.locator(f"#queue .qitem[data-id='{before[2]}'] [data-act=up]")).to_be_disabled()

    # the MC's queue has the same order (theme, then rank)
    mc_queue = connect_staff(server, "mc").wait_for(lambda e, d: e == "queue.snapshot")["questions"]
    assert [q["id"] for q in mc_queue] == [before[2], before[1], before[0], asked[3]["id"]]

    # "move to theme": the last one goes to the jobs theme
    page.locator(f"#queue .qitem[data-id='{before[0]}'] select").select_option(label="Việc làm, khởi nghiệp và vốn vay")
    expect(page.locator("#queue .qgroup[data-theme=t2] .qitem")).to_have_count(2)
    expect(page.locator("#queue .qgroup[data-theme=t1] .qitem")).to_have_count(2)
    screenshot(console, artifacts, "moderator-queue.png")
    screens.assert_clean()


# ---------------------------------------------------------------- questions from the floor


def test_a_question_from_the_floor_is_entered_once_even_when_pressed_twice_or_retried(
    make_server, screens, connect_staff, artifacts
):
    server = make_server()
    admin = connect_staff(server, "admin")
    # the first acknowledgement of an entry is lost on the way back, as on a bad Wi-Fi
    dropped: list = []

    def lossy(ws):
        upstream = ws.connect_to_server()

        def deliver(message):
            if not dropped and isinstance(message, str) and '"repeated":false' in message:
                dropped.append(message)
                return
            ws.send(message)

        upstream.on_message(deliver)

    console = open_console(
        screens, server, prepare=lambda ctx: ctx.route_web_socket(re.compile(r"/socket\.io/"), lossy)
    )
    page = console.page
    page.locator("#tab-floor").click()

    # the site is found by typing without diacritics
    page.locator("#floor-site-q").fill("quang lam")
    expect(page.locator("#floor-site option")).to_have_count(1)
    expect(page.locator("#floor-site")).to_have_value(QUANG_LAM)
    page.get_by_label("Phát biểu trực tiếp").check()
    page.locator("#floor-text").fill("Xã có kế hoạch xây sân bóng cho thanh niên không?")
    page.locator("#floor-name").fill("Hoàng Văn Nam")
    # the youth groups are the server's own list (translated in the template)
    groups = page.locator("#floor-group option")
    assert [groups.nth(i).get_attribute("value") for i in range(groups.count())] == [""] + [
        ident for ident, _ in questions.YOUTH_GROUPS
    ]
    page.locator("#floor-group").select_option("cong_nhan")
    page.locator("#floor-theme").select_option(label="Văn hóa, thể thao và đời sống tinh thần")
    screenshot(console, artifacts, "moderator-floor.png")

    # pressed twice: sent once; its acknowledgement is lost, so the console says to try again
    page.locator("#floor-send").dblclick()
    expect(page.locator("#floor-result")).to_have_text("Máy chủ chưa trả lời. Vui lòng thử lại.", timeout=10_000)
    assert len(dropped) == 1
    stored = [q for q in desk(admin).values()]
    assert len(stored) == 1, stored
    # ... and trying again names the same question: still one
    page.locator("#floor-send").click()
    expect(page.locator("#floor-result")).to_have_text(
        f"Câu hỏi này đã được nhập trước đó. Mã theo dõi: {stored[0]['code']}"
    )
    stored = list(desk(admin).values())
    assert len(stored) == 1
    q = stored[0]
    assert (q["site"], q["channel"], q["name"], q["group"], q["theme"]) == (
        QUANG_LAM,
        "spoken",
        "Hoàng Văn Nam",
        "cong_nhan",
        "t5",
    )
    assert q["consent"]["name"]["via"] == q["consent"]["group"]["via"] == "secretariat"  # given to the secretariat
    entered = row(console, q["id"])
    expect(entered.locator(".q-ch")).to_have_text("Phát biểu")
    expect(entered.locator(".q-site")).to_have_text("Xã Quảng Lâm")

    # the form is ready for the next paper from the same site: a new question, a new id
    expect(page.locator("#floor-text")).to_have_value("")
    expect(page.locator("#floor-site")).to_have_value(QUANG_LAM)
    page.get_by_label("Phiếu giấy").check()
    page.locator("#floor-text").fill("Đề nghị mở thêm lớp tin học cho thanh niên xã.")
    page.locator("#floor-send").click()
    expect(page.locator("#floor-result")).to_have_text(re.compile(r"^Đã nhập câu hỏi\. Mã theo dõi: \w{6}$"))
    assert len(desk(admin)) == 2
    expect(rows(console)).to_have_count(2)

    # one a bridge point's facilitator passed on for a young person without a smartphone
    page.get_by_label("Qua cán bộ hỗ trợ ở điểm cầu").check()
    page.locator("#floor-text").fill("Thanh niên không có điện thoại thông minh hỏi về lớp học nghề.")
    page.locator("#floor-send").click()
    expect(page.locator("#floor-result")).to_have_text(re.compile(r"^Đã nhập câu hỏi\. Mã theo dõi: \w{6}$"))
    relayed = next(q for q in desk(admin).values() if q["channel"] == "facilitator")
    expect(row(console, relayed["id"]).locator(".q-ch")).to_have_text("Hỗ trợ")
    assert len(desk(admin)) == 3

    # nothing to send without a site or a text: said on the form, nothing sent
    page.locator("#floor-text").fill("   ")
    page.locator("#floor-send").click()
    expect(page.locator("#floor-result")).to_have_text("Hãy nhập câu hỏi.")
    assert len(desk(admin)) == 3
    screens.assert_clean()


# ---------------------------------------------------------------- how it looks


def test_the_console_screenshot(make_server, screens, connect_phone, artifacts):
    server = make_server()
    console = open_console(screens, server)
    sample = [
        (HALL, HOC_BONG, {"name": "Nông Thị Hoa", "group": "hoc_sinh_sinh_vien", "theme": "t1", "consent": AGREED}),
        (QUANG_LAM, VON_VAY, {"group": "kinh_te_gioi", "theme": "t2", "consent": AGREED}),
        (NAM_QUANG, DAO_TAO, {"name": "Lục Văn Đạt", "group": "chua_co_viec_lam", "consent": AGREED}),
        ("1273", "Xã có điểm truy cập internet miễn phí cho thanh niên không?", {"theme": "t3"}),
        (
            "1294",
            "Em muốn hỏi về chính sách hỗ trợ thanh niên trồng cây dược liệu.",
            {"name": "Hà Thị Mai", "group": "cong_nhan", "consent": AGREED},
        ),
        ("1290", "Bao giờ trạm y tế xã có bác sĩ trẻ về công tác?", {"theme": "t6"}),
        (QUANG_LAM, "Cho em hỏi học bổng cho sinh viên dân tộc thiểu số học đại học ạ?", {}),
    ]
    replies = [ask(connect_phone(server, site), text, site, **extra) for site, text, extra in sample]
    expect(rows(console)).to_have_count(len(sample))
    pick(console, replies[0]["id"])
    press(console, "a")
    pick(console, replies[-1]["id"])
    expect(row(console, replies[-1]["id"]).locator(".q-dup")).to_be_visible()
    console.page.locator("#feed").evaluate("list => { list.scrollTop = 0; }")
    screenshot(console, artifacts, "moderator.png")
    screens.assert_clean()
