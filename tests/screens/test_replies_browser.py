"""A written reply end to end in real Chromium, as the day after the conference goes.

A young person asks from a phone at Xã Quảng Lâm (390×844) → the secretariat approves it in its
console and forwards it to Sở Giáo dục và Đào tạo (no deadline typed: 15 days) → on the replies page
the secretariat brings the deadline to two days from now (flagged) → the admin page gives the
department's own link → the department's officer (a phone-sized window of its own) writes the reply →
the secretariat sends it back with a note → the officer reads the note and rewrites it, with hostile
strings from tests/corpora in it → the secretariat publishes it → the asker's phone shows the reply
under its question in "Câu hỏi của tôi", live, and again after a reload; the lookup by tracking
code and the public answers page show it. Nothing of the reply reaches the phone, the lookup or the
public page before it is published. Every text is compared with what the server stored
(``textContent``: exactly, not as HTML).

Screenshots land in test-artifacts/ (replies-department.png, replies-secretariat.png,
replies-phone.png, replies-public.png).
"""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest
from browser import _CSP_REPORTER, Screen, screenshot, wait_until
from corpora import naughty_strings
from playwright.sync_api import expect

from live.services import replies

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}
QUESTION = "Em muốn hỏi tỉnh có học bổng cho sinh viên dân tộc thiểu số học nghề không ạ?"
QUANG_LAM = "Xã Quảng Lâm — học sinh, sinh viên"
DEPARTMENT, DEPARTMENT_NAME = "d5", "Sở Giáo dục và Đào tạo"
THEME = "Giáo dục, đào tạo nghề và học bổng"
FIRST = "Sở Giáo dục và Đào tạo trả lời: tỉnh đang xây dựng đề án học bổng."
NOTE = "Đề nghị nêu rõ số suất và thời gian nhận hồ sơ."
HOSTILE = ("<script>alert(0)</script>", "<img src=x onerror=alert(2) />", '{{ "".__class__', "%s%s%s%s%s")


def hostile_lines() -> list[str]:
    """A few script, markup and template strings from the Big List of Naughty Strings."""
    corpus = naughty_strings()
    found = [next(s for s in corpus if s.startswith(start)) for start in HOSTILE]
    return found


def in_days(n: int) -> str:
    return (replies.local_date(time.time()) + dt.timedelta(days=n)).strftime("%d/%m/%Y")


def device(browser, server, viewport=PHONE, role="phone") -> Screen:
    """A browser context of its own (a phone, the officer's computer), recording what goes wrong."""
    context = browser.new_context(viewport=viewport, locale="vi-VN", has_touch=True, is_mobile=viewport == PHONE)
    context.add_init_script(_CSP_REPORTER)
    page = context.new_page()
    page.set_default_timeout(10_000)
    screen = Screen(role=role, base_url=server.url, context=context, page=page)
    page.on("console", lambda m: m.type == "error" and screen.console_errors.append(m.text))
    page.on("pageerror", lambda e: screen.page_errors.append(str(e)))
    page.on("request", lambda r: screen.urls.append(r.url))
    page.on("dialog", lambda d: screen.page_errors.append(f"dialog: {d.message}") or d.dismiss())
    return screen


def stored(staff, ident: str) -> dict:
    reply = staff.call("questions.get")
    assert reply["ok"], reply
    return next(q for q in reply["questions"] if q["id"] == ident)


def test_a_written_reply_from_the_department_to_the_askers_phone(
    make_server, browser, screens, connect_staff, artifacts
):
    server = make_server()
    desk = connect_staff(server, "admin")  # reads what the server stored
    extra: list[Screen] = []
    try:
        run(server, browser, screens, desk, extra, artifacts)
    finally:
        for screen in extra:
            screen.context.close()


def run(server, browser, screens, desk, extra, artifacts):
    # ---- a young person asks from the phone at Xã Quảng Lâm
    phone = device(browser, server)
    extra.append(phone)
    asker = phone.page
    asker.goto(f"{server.url}/q/1304")
    expect(asker.locator("#conn")).to_have_text("Đã kết nối")
    asker.get_by_label("Câu hỏi của bạn").fill(QUESTION)
    asker.locator("#consent-name").check()  # she agrees to both: her name still reaches no public page
    asker.get_by_label("Họ và tên").fill("Nông Thị Mai")
    asker.locator("#consent-group").check()
    asker.get_by_label("Bạn thuộc đối tượng").select_option(label="Học sinh, sinh viên")
    asker.get_by_label("Nhóm vấn đề").select_option(label=THEME)
    asker.get_by_role("button", name="Gửi câu hỏi").click()
    expect(asker.locator("#result .code")).to_have_text(re.compile(r"^[2-9A-Z]{6}$"))
    code = asker.locator("#result .code").inner_text()
    mine = asker.locator("#mine li.q")
    expect(mine).to_have_count(1)
    ident = mine.first.get_attribute("data-id")
    item = asker.locator(f"#mine li.q[data-id='{ident}']")

    # ---- the secretariat approves it and forwards it to the department (no deadline typed)
    console = screens.open(server, "moderator", DESKTOP)
    page = console.page
    expect(page.locator("#desk")).to_have_attribute("data-loaded", "yes")
    page.locator("#me").fill("Hoàng Thư Ký")
    page.locator("#me").press("Enter")
    row = page.locator(f"#feed li.q[data-id='{ident}']")
    row.locator(".q-text").click()
    expect(page.locator("#detail")).to_have_attribute("data-id", ident)
    page.locator("button[data-do=approve]").click()
    expect(row.locator(".badge")).to_have_text("Đã duyệt")
    page.locator("#forward-dept").select_option(label=DEPARTMENT_NAME)
    page.get_by_role("button", name="Chuyển cơ quan").click()
    expect(row.locator(".badge")).to_have_text("Trả lời bằng văn bản")
    expect(item.locator(".b")).to_have_text("Chuyển trả lời bằng văn bản")
    assert stored(desk, ident)["deadline"] == (replies.local_date(time.time()) + dt.timedelta(days=15)).isoformat()

    # ---- the replies page, from the console's link: 15 days; brought to 2 days, it is flagged
    page.locator("#desk-pages summary").click()  # the other pages of the secretariat
    page.get_by_role("link", name=re.compile("Trả lời bằng văn bản")).click()
    expect(page).to_have_url(re.compile(r"/tra-loi-van-ban$"))
    card = page.locator(f"#q-{code}")
    expect(card.locator(".deadline")).to_have_text(f"Hạn trả lời: {in_days(15)} · còn 15 ngày")
    expect(card.locator(".rstate")).to_have_text("Chưa trả lời")
    expect(card.locator(".origin-text")).to_have_text(QUANG_LAM)
    expect(page.locator("#flagged")).not_to_contain_text(code)
    card.locator("summary").click()
    card.get_by_label("Hạn trả lời (dd/mm/yyyy)").fill(in_days(2))
    card.get_by_role("button", name="Lưu").click()
    expect(page.locator(".flash.ok")).to_have_text(f"Đã lưu cơ quan và hạn trả lời câu hỏi {code}.")
    expect(page.locator(f"#flagged li[data-code='{code}']")).to_contain_text(f"{in_days(2)} · còn 2 ngày")
    expect(page.locator(f"#flagged li[data-code='{code}']")).to_have_attribute("data-urgency", "soon")
    assert stored(desk, ident)["deadline"] == (replies.local_date(time.time()) + dt.timedelta(days=2)).isoformat()

    # ---- the admin page gives the department's own link
    admin = screens.open(server, "admin")
    link = admin.page.locator(f"#department-links tr[data-department='{DEPARTMENT}'] code").inner_text()
    assert re.fullmatch(re.escape(server.url) + r"/co-quan/[A-Za-z0-9_-]{32}", link), link

    # ---- the officer opens it on a phone-sized window and writes the reply
    officer = device(browser, server, role="department")
    extra.append(officer)
    office = officer.page
    office.goto(link)
    expect(office.locator("h1")).to_have_text(DEPARTMENT_NAME)
    task = office.locator(f"#q-{code}")
    expect(task.locator(".qtext")).to_have_text(QUESTION)
    expect(task.locator(".origin-text")).to_have_text(QUANG_LAM)
    expect(task.locator(".deadline")).to_have_text(f"Hạn trả lời: {in_days(2)} · còn 2 ngày")
    expect(office.locator("body")).not_to_contain_text("Nông Thị Mai")
    task.get_by_label("Nội dung trả lời").fill(FIRST)
    task.get_by_role("button", name="Gửi trả lời").click()
    expect(office.locator(".flash.ok")).to_have_text(
        f"Đã gửi trả lời câu hỏi {code}. Tổ thư ký sẽ duyệt trước khi công bố."
    )
    expect(task.locator(".rstate")).to_have_text("Đã gửi, chờ tổ thư ký duyệt")

    # not published: nothing of it on the phone, the lookup or the public page
    assert item.locator(".reply").count() == 0
    outside = phone.context.new_page()
    outside.goto(f"{server.url}/tra-cuu?ma={code}")
    expect(outside.locator("#forwarded")).to_have_text(
        f"Chuyển {DEPARTMENT_NAME} trả lời bằng văn bản, hạn {in_days(2)}."
    )
    expect(outside.locator("body")).not_to_contain_text(FIRST)
    outside.goto(f"{server.url}/tra-loi")
    expect(outside.locator("#none")).to_have_text("Chưa có trả lời nào được công bố.")

    # ---- the secretariat sends it back with a note
    page.reload()
    card = page.locator(f"#q-{code}")
    expect(card.locator(".reply-text")).to_have_text(FIRST)
    expect(page.locator("#flagged")).not_to_contain_text(code)  # the department has answered
    card.get_by_label("Ý kiến trả lại cho cơ quan").fill(NOTE)
    card.get_by_role("button", name="Trả lại để sửa").click()
    expect(page.locator(".flash.ok")).to_have_text(f"Đã trả lại trả lời câu hỏi {code} cho cơ quan để sửa.")
    expect(page.locator(f"#flagged li[data-code='{code}']")).to_be_visible()  # owed again, and due soon

    # ---- the officer reads the note and rewrites the reply, hostile strings and all
    office.reload()
    task = office.locator(f"#q-{code}")
    expect(task.locator(".rstate")).to_have_text("Tổ thư ký trả lại để sửa")
    expect(task.locator(".note-text")).to_have_text(NOTE)
    expect(task.get_by_label("Nội dung trả lời")).to_have_value(FIRST)
    second = "\n".join(
        ["Sở Giáo dục và Đào tạo trả lời:", "Năm 2025 có 200 suất học bổng, nhận hồ sơ đến 30/10/2025.", ""]
        + hostile_lines()
    )
    task.get_by_label("Nội dung trả lời").fill(second)
    task.get_by_role("button", name="Gửi lại trả lời").click()
    expect(task.locator(".rstate")).to_have_text("Đã gửi, chờ tổ thư ký duyệt")
    screenshot(officer, artifacts, "replies-department.png")
    final = stored(desk, ident)["reply_text"]
    assert final == second  # nothing in these lines is cleaned away

    # ---- the secretariat publishes it
    page.reload()
    card = page.locator(f"#q-{code}")
    assert card.locator(".reply-text").text_content() == final
    card.get_by_role("button", name="Duyệt công bố").click()
    expect(page.locator(".flash.ok")).to_have_text(
        f"Đã công bố trả lời câu hỏi {code}: người hỏi và trang công khai đã thấy."
    )
    expect(card.locator(".rstate")).to_have_text("Đã công bố")
    screenshot(console, artifacts, "replies-secretariat.png")
    audit = [e for e in desk.call("audit.get")["entries"] if e["question"] == ident]
    assert [e["action"] for e in audit] == ["approve", "forward", "route", "reply", "send_back", "reply", "publish"]
    assert {e["name"] for e in audit if e["role"] != "department"} == {"Hoàng Thư Ký"}
    assert {e["name"] for e in audit if e["role"] == "department"} == {DEPARTMENT_NAME}

    # ---- the asker's phone shows it under the question, live
    reply = item.locator(".reply")
    expect(reply).to_have_count(1)
    published = dt.datetime.fromtimestamp(stored(desk, ident)["published_at"]).strftime("%d/%m/%Y")
    expect(reply.locator(".rh")).to_have_text(f"Trả lời bằng văn bản của {DEPARTMENT_NAME}, công bố ngày {published}:")
    assert reply.locator(".rt").text_content() == final
    expect(item.locator(".qm")).to_contain_text(f"Mã theo dõi: {code}")
    reply.scroll_into_view_if_needed()
    screenshot(phone, artifacts, "replies-phone.png")
    asker.reload()
    expect(item.locator(".reply .rt")).to_have_count(1)
    assert item.locator(".reply .rt").text_content() == final

    # ---- the lookup by tracking code, from the phone's own link
    item.get_by_role("link", name="Xem tại trang tra cứu").click()
    expect(asker).to_have_url(re.compile(rf"/tra-cuu\?ma={code}$"))
    assert asker.locator(".answer .reply-text").text_content() == final
    expect(asker.locator(".answer .qtext")).to_have_text(QUESTION)
    expect(asker.locator(".answer .origin-text")).to_have_text(QUANG_LAM)
    expect(asker.locator(".answer")).to_contain_text(f"Trả lời bằng văn bản của {DEPARTMENT_NAME}")
    expect(asker.locator("body")).not_to_contain_text("Nông Thị Mai")

    # ---- the public page, under its theme
    outside.goto(f"{server.url}/tra-loi")
    answer = outside.locator(f"#theme-t1 article[data-code='{code}']")
    expect(answer.locator(".qtext")).to_have_text(QUESTION)
    expect(answer.locator(".origin-text")).to_have_text(QUANG_LAM)
    assert answer.locator(".reply-text").text_content() == final
    expect(outside.locator("#theme-h-t1")).to_have_text(THEME)
    expect(outside.locator("body")).not_to_contain_text("Nông Thị Mai")
    outside.set_viewport_size(PHONE)
    wait_until(lambda: outside.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"])
    outside.screenshot(path=str(artifacts / "replies-public.png"), full_page=True)

    # nothing ran, nothing went elsewhere
    problems = screens.problems() + phone.problems() + officer.problems()
    assert not problems, "\n".join(problems)
