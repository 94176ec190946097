"""Preparing answers before the day, end to end in real Chromium.

Three questions from phones at Xã Quảng Lâm are approved. On its console (1366×768) the secretariat
opens "Chuẩn bị trả lời", ticks two of them and assigns both at once to Sở Giáo dục và Đào tạo, then
brings one's due date to yesterday: it is flagged QUÁ HẠN. The department's officer opens its own
link (390×844), sees both with their due dates, writes the prepared answer of one and proposes to
answer the other in writing. The secretariat sends the proposal back with a note and accepts the
prepared answer; the officer reads the note. The MC's queue marks the question with a prepared
answer; the chairman's screen shows it among the next questions, then beside the notes once the MC
shows it, and marks "chưa duyệt" a proposal sent again and not yet reviewed, live. Nothing prepared
reaches the projector or a phone. Screenshots in test-artifacts/ and /tmp/shots/ (preparation-*.png).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import time
import uuid
from pathlib import Path

import pytest
from browser import _CSP_REPORTER, Screen, screenshot, wait_until
from corpora import naughty_strings
from playwright.sync_api import expect

from live.services import replies

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}
QUANG_LAM = "1304"
DEPARTMENT, DEPARTMENT_NAME = "d5", "Sở Giáo dục và Đào tạo"
TEXTS = (
    "Tỉnh có học bổng cho sinh viên dân tộc thiểu số học nghề không ạ?",
    "Trường học ở xã vùng cao bao giờ có phòng máy tính?",
    "Thanh niên khởi nghiệp được vay vốn ưu đãi thế nào?",
)
PREPARED = "Ý chính: năm 2026 tỉnh dành 120 suất học bổng học nghề, mỗi suất 10 triệu đồng."
WRITTEN = "Cần số liệu của từng huyện: đề nghị trả lời bằng văn bản trong 15 ngày."
NOTE = "Xin chuẩn bị trả lời trực tiếp: Chủ tịch muốn nêu tại hội nghị."
SHOTS = Path("/tmp/shots")
HOSTILE = ("<script>alert(0)</script>", "<img src=x onerror=alert(2) />", '{{ "".__class__', "%s%s%s%s%s")


def hostile_lines() -> list[str]:
    """A few script, markup and template strings from the Big List of Naughty Strings."""
    corpus = naughty_strings()
    return [next(s for s in corpus if s.startswith(start)) for start in HOSTILE]


def day_offset(n: int) -> str:
    return (replies.local_date(time.time()) + dt.timedelta(days=n)).strftime("%d/%m/%Y")


def officer_screen(browser, server) -> Screen:
    """The department's officer: a phone-sized window of its own, recording what goes wrong."""
    context = browser.new_context(viewport=PHONE, locale="vi-VN", has_touch=True, is_mobile=True)
    context.add_init_script(_CSP_REPORTER)
    page = context.new_page()
    page.set_default_timeout(10_000)
    screen = Screen(role="department", base_url=server.url, context=context, page=page)
    page.on("console", lambda m: m.type == "error" and screen.console_errors.append(m.text))
    page.on("pageerror", lambda e: screen.page_errors.append(str(e)))
    page.on("request", lambda r: screen.urls.append(r.url))
    return screen


def shot(screen: Screen, artifacts: Path, name: str) -> None:
    path = screenshot(screen, artifacts, name)
    SHOTS.mkdir(exist_ok=True)
    shutil.copy(path, SHOTS / name)


def test_departments_prepare_answers_the_secretariat_reviews_the_chairman_reads_them(
    make_server, browser, screens, connect_staff, connect_phone, artifacts
):
    server = make_server()
    desk = connect_staff(server, "moderator")
    phone = connect_phone(server, site=QUANG_LAM)
    projector_socket = connect_staff(server, "projector")
    ids = []
    for text in TEXTS:
        reply = phone.call("question.submit", {"id": str(uuid.uuid4()), "site": QUANG_LAM, "text": text, "theme": "t2"})
        assert reply["ok"], reply
        ids.append(reply["id"])

    def fresh(ident: str) -> dict:
        return next(q for q in desk.call("questions.get")["questions"] if q["id"] == ident)

    for ident in ids:
        assert desk.call("question.approve", {"id": ident, "version": fresh(ident)["version"]})["ok"]
    first, second, third = (fresh(i) for i in ids)
    officer = officer_screen(browser, server)
    try:
        run(server, screens, desk, officer, fresh, first, second, third, artifacts)
    finally:
        officer.context.close()
    # ---- nothing prepared ever reached a phone or the projector, whatever the day sent them
    for client in (phone, projector_socket):
        sent = json.dumps(client.received, ensure_ascii=False)
        assert PREPARED not in sent and WRITTEN not in sent and "prep_" not in sent
    screens.assert_clean(allow=[r"status of 400"])  # the refused send-back without a note, on purpose
    assert not officer.problems()


def run(server, screens, desk, officer, fresh, first, second, third, artifacts):
    # ---- the secretariat, from its console, assigns two questions at once
    console = screens.open(server, "moderator", DESKTOP)
    page = console.page
    expect(page.locator("#desk")).to_have_attribute("data-loaded", "yes")
    page.locator("#me").fill("Hoàng Thư Ký")
    page.locator("#me").press("Enter")
    page.locator("#desk-pages summary").click()  # the other pages of the secretariat
    page.locator("#preparation-link").click()
    expect(page).to_have_url(re.compile(r"/chuan-bi$"))
    expect(page.locator("#candidates-count")).to_have_text("3 câu hỏi chưa giao chuẩn bị")
    for q in (first, second):
        page.locator(f"#c-{q['code']} input[name=pick]").check()
    page.locator("#bulk-department").select_option(label=DEPARTMENT_NAME)
    page.locator("#bulk-due").fill(day_offset(10))
    page.get_by_role("button", name="Giao các câu đã chọn").click()
    expect(page.locator(".flash.ok")).to_have_text(
        f"Đã giao 2 câu hỏi cho {DEPARTMENT_NAME} chuẩn bị trả lời, hạn {day_offset(10)}."
    )
    expect(page.locator("#candidates-count")).to_have_text("1 câu hỏi chưa giao chuẩn bị")
    assert (fresh(first["id"])["prep_department"], fresh(first["id"])["status"]) == (DEPARTMENT, "approved")

    # ---- one is due yesterday: flagged QUÁ HẠN at the top
    card = page.locator(f"#q-{first['code']}")
    card.locator("summary").click()
    card.get_by_label("Hạn chuẩn bị (dd/mm/yyyy)").fill(day_offset(-1))
    card.get_by_role("button", name="Lưu").click()
    flagged = page.locator(f"#flagged li[data-code='{first['code']}']")
    expect(flagged).to_have_attribute("data-urgency", "overdue")
    expect(flagged).to_contain_text(f"Hạn chuẩn bị: {day_offset(-1)} · QUÁ HẠN 1 ngày")
    expect(page.locator(f"#flagged li[data-code='{second['code']}']")).to_have_count(0)
    assert fresh(first["id"])["prep_due"] == (replies.local_date(time.time()) - dt.timedelta(days=1)).isoformat()
    shot(console, artifacts, "preparation-secretariat-card.png")
    page.evaluate("() => window.scrollTo(0, 0)")
    shot(console, artifacts, "preparation-secretariat.png")

    # ---- the department opens its own link (from the admin page) and sees both with due dates
    admin = screens.open(server, "admin", DESKTOP)
    link = admin.page.locator(f"#department-links tr[data-department='{DEPARTMENT}'] code").inner_text()
    office = officer.page
    office.goto(link)
    expect(office.locator("#prep-count")).to_have_text(
        "2 câu hỏi giao cơ quan chuẩn bị trả lời · 2 câu chưa chuẩn bị hoặc cần sửa"
    )
    mine = office.locator("#prep-cards > li")
    expect(mine).to_have_count(2)
    expect(mine.nth(0)).to_have_attribute("data-code", first["code"])  # overdue first
    expect(mine.nth(0).locator(".deadline")).to_have_text(f"Hạn chuẩn bị: {day_offset(-1)} · QUÁ HẠN 1 ngày")
    expect(mine.nth(1).locator(".deadline")).to_have_text(f"Hạn chuẩn bị: {day_offset(10)} · còn 10 ngày")
    expect(mine.nth(0).locator(".pstate")).to_have_text("Chưa chuẩn bị")
    expect(mine.nth(0).locator(".qtext")).to_have_text(first["text"])
    shot(officer, artifacts, "preparation-department.png")

    # ---- it writes the prepared answer of one, and proposes to answer the other in writing
    one = office.locator(f"#p-{first['code']}")
    one.locator("textarea").fill(PREPARED)
    one.get_by_role("button", name="Gửi trả lời chuẩn bị").click()
    expect(office.locator(".flash.ok")).to_have_text(
        f"Đã gửi trả lời chuẩn bị câu hỏi {first['code']}. Tổ thư ký sẽ duyệt."
    )
    other = office.locator(f"#p-{second['code']}")
    other.locator("textarea").fill(WRITTEN)
    other.get_by_label("Đề nghị trả lời bằng văn bản thay vì trả lời trực tiếp").check()
    other.get_by_role("button", name="Gửi trả lời chuẩn bị").click()
    expect(office.locator(f"#p-{second['code']} .pstate")).to_have_text("Đề nghị trả lời bằng văn bản")
    expect(office.locator(f"#p-{first['code']} .pstate")).to_have_text("Đã gửi, chờ duyệt")
    assert (fresh(first["id"])["prep_state"], fresh(second["id"])["prep_state"]) == ("prepared", "written")

    # ---- the MC's queue marks the question with a prepared answer (not the written proposal)
    mc = screens.open(server, "mc", DESKTOP)
    mc.page.locator("#tab-questions").click()
    item = mc.page.locator(f"#queue .q-item[data-id='{first['id']}']")
    expect(item.locator(".prep-chip")).to_have_text("Có trả lời chuẩn bị")
    expect(mc.page.locator(f"#queue .q-item[data-id='{third['id']}'] .prep-chip")).to_have_count(0)

    # ---- the secretariat sends the proposal back with a note and accepts the prepared answer
    page.reload()
    review = page.locator("#review")
    expect(review.locator(f"#r-{first['code']} .prep-text")).to_have_text(PREPARED)
    expect(review.locator(f"#r-{second['code']} .prep-text")).to_have_text(WRITTEN)
    back = review.locator(f"#r-{second['code']}")
    back.get_by_role("button", name="Trả lại").click()  # without a note: refused, nothing stored
    expect(page.locator("#form-error")).to_have_text("Cần ghi lý do trả lại, tối đa 2000 ký tự.")
    assert fresh(second["id"])["prep_state"] == "written"
    page.locator(f"#r-{second['code']} textarea[name=note]").fill(NOTE)
    page.locator(f"#r-{second['code']}").get_by_role("button", name="Trả lại").click()
    expect(page.locator(".flash.ok")).to_have_text(
        f"Đã trả lại trả lời chuẩn bị của câu hỏi {second['code']} cho cơ quan để sửa."
    )
    page.locator(f"#r-{first['code']}").get_by_role("button", name="Chấp nhận").click()
    expect(page.locator(".flash.ok")).to_have_text(f"Đã chấp nhận trả lời chuẩn bị của câu hỏi {first['code']}.")
    expect(page.locator(f"#q-{first['code']} .pstate")).to_have_text("Đã được chấp nhận")
    expect(page.locator(f"#q-{second['code']} .pstate")).to_have_text("Bị trả lại để sửa")
    expect(page.locator("#flagged")).not_to_contain_text(first["code"])  # no longer owed
    office.reload()
    expect(office.locator(f"#p-{second['code']} .note-text")).to_have_text(NOTE)
    expect(office.locator(f"#p-{first['code']} .pstate")).to_have_text("Đã được chấp nhận")
    office.locator(f"#p-{second['code']}").scroll_into_view_if_needed()
    shot(officer, artifacts, "preparation-department-returned.png")

    # ---- the console's card shows the preparation, live
    page.goto(server.url + "/moderator")
    expect(page.locator(f"#feed li.q[data-id='{first['id']}'] .prep-chip")).to_have_text(
        f"Chuẩn bị: {DEPARTMENT_NAME} · đã chấp nhận"
    )

    # ---- the chairman reads it among the next questions, then beside the notes when it is shown
    chair = screens.open(server, "chair", DESKTOP)
    upcoming = chair.page.locator(f"#next .next-item[data-id='{first['id']}'] .next-prep")
    expect(upcoming).to_contain_text(f"Trả lời chuẩn bị của {DEPARTMENT_NAME}: {PREPARED}")
    expect(upcoming.locator(".prep-unreviewed")).to_have_count(0)  # accepted
    expect(chair.page.locator(f"#next .next-item[data-id='{second['id']}'] .next-prep")).to_have_count(0)
    projector = screens.open(server, "projector", DESKTOP)
    item.locator(".q-show").click()
    expect(chair.page.locator("#question-text")).to_have_text(first["text"])
    expect(chair.page.locator("#question-prep")).to_have_text(PREPARED)
    expect(chair.page.locator("#question-prep-title")).to_have_text(f"Trả lời chuẩn bị của {DEPARTMENT_NAME}")
    expect(chair.page.locator("#question-prep-unreviewed")).to_be_hidden()
    expect(projector.page.locator("body")).to_contain_text(first["text"])
    assert PREPARED not in projector.page.locator("body").inner_text()
    expect(mc.page.locator("#on-screen-prep")).to_be_visible()
    shot(mc, artifacts, "preparation-mc.png")

    # ---- the officer proposes the written reply again: the chairman sees it at once, "chưa duyệt"
    again = office.locator(f"#p-{second['code']}")
    again.locator("textarea").fill(WRITTEN + " Số liệu sẽ có sau 10 ngày.\n" + "\n".join(hostile_lines()))
    again.get_by_label("Đề nghị trả lời bằng văn bản thay vì trả lời trực tiếp").check()
    again.get_by_role("button", name="Gửi lại").click()
    expect(office.locator(f"#p-{second['code']} .pstate")).to_have_text("Đề nghị trả lời bằng văn bản")
    pending = chair.page.locator(f"#next .next-item[data-id='{second['id']}'] .next-prep")
    expect(pending).to_contain_text(f"{DEPARTMENT_NAME} đề nghị trả lời bằng văn bản")
    expect(pending.locator(".prep-unreviewed")).to_have_text("chưa duyệt")
    stored = fresh(second["id"])["prep_text"]
    assert all(line in stored for line in hostile_lines())
    # shown exactly as stored (text, not markup) to the chairman, the department and the secretariat
    wait_until(lambda: pending.text_content().endswith(": " + stored), message="the chairman reads it as stored")
    assert office.locator(f"#p-{second['code']} textarea").input_value() == stored
    wait_until(lambda: chair.page.locator("#question-prep").is_visible(), message="the prepared answer stays")
    shot(chair, artifacts, "preparation-chair.png")
    chair.page.locator("#next").scroll_into_view_if_needed()
    shot(chair, artifacts, "preparation-chair-next.png")
    page.goto(server.url + "/chuan-bi")
    shot(console, artifacts, "preparation-review.png")
    assert page.locator(f"#r-{second['code']} .prep-text").text_content() == stored
