"""An answer given in the hall reaches every asker, in real Chromium (issue 26, item 2).

A young person asks from a phone at Xã Quảng Lâm (390×844); a second phone asks the same in other
words and a third asks something off the dialogue's subject. The secretariat approves the first,
merges the second into it and rejects the third as off the subject; the MC answers the first in the
hall. On the reports page the secretariat writes the answer's summary and publishes it → the first
phone's "Câu hỏi của tôi" shows it without a reload and its live region says so; the second phone
shows that its question joined the first (its code and words) and the same answer; the third shows
its reason in polite words. The lookup by tracking code and the public answers page show the answer
as given in the hall. Texts are compared with what the server stored (``textContent``).

Screenshots land in test-artifacts/ (answers-phone.png, answers-joined.png, answers-rejected.png,
answers-reports.png, answers-lookup.png).
"""

from __future__ import annotations

import re

import pytest
from browser import screenshot
from playwright.sync_api import expect
from test_replies_browser import device

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]

DESKTOP = {"width": 1440, "height": 900}
QUESTION = "Em muốn hỏi tỉnh có hỗ trợ vay vốn khởi nghiệp cho thanh niên nông thôn không ạ?"
TWIN = "tinh co cho tn nong thon vay von khoi nghiep k?"
OFF_TOPIC = "Cho em hỏi kết quả bóng đá tối qua?"
SUMMARY = (
    "Đồng chí Phó Chủ tịch UBND tỉnh trả lời: thanh niên nông thôn được vay đến 100 triệu đồng"
    " qua Ngân hàng Chính sách xã hội,\nhồ sơ nộp tại Đoàn xã."
)
OFF_TOPIC_WORDS = "Câu hỏi chưa được đưa ra hội nghị vì nằm ngoài nội dung buổi đối thoại. Bạn có thể gửi câu hỏi khác."


def ask(browser, server, extra, site: str, text: str):
    """A phone of its own opens its site's page and asks; returns (screen, code, id, its list item)."""
    phone = device(browser, server)
    extra.append(phone)
    page = phone.page
    page.goto(f"{server.url}/q/{site}")
    expect(page.locator("#conn")).to_have_text("Đã kết nối")
    page.get_by_label("Câu hỏi của bạn").fill(text)
    page.get_by_role("button", name="Gửi câu hỏi").click()
    expect(page.locator("#result .code")).to_have_text(re.compile(r"^[2-9A-Z]{6}$"))
    code = page.locator("#result .code").inner_text()
    item = page.locator("#mine li.q").first
    ident = item.get_attribute("data-id")
    return phone, code, ident, page.locator(f"#mine li.q[data-id='{ident}']")


def acting(desk):
    """``do(who, action, id, **args)``: one staff action on a question at its current version (read
    through the secretariat ``desk``), asserted done; returns the question as the actor sees it."""

    def do(who, action: str, ident: str, **args) -> dict:
        current = next(q for q in desk.call("questions.get")["questions"] if q["id"] == ident)
        reply = who.call(f"question.{action}", {"id": ident, "version": current["version"], **args})
        assert reply["ok"], reply
        return reply["question"]

    return do


def test_a_hall_answer_reaches_the_asker_the_merged_asker_and_the_public_pages(
    make_server, browser, screens, connect_staff, artifacts
):
    server = make_server()
    extra = []
    try:
        run(server, browser, screens, connect_staff, extra, artifacts)
    finally:
        for screen in extra:
            screen.context.close()


def run(server, browser, screens, connect_staff, extra, artifacts):
    desk, mc = connect_staff(server, "moderator"), connect_staff(server, "mc")
    do = acting(desk)

    asker, code, ident, item = ask(browser, server, extra, "1304", QUESTION)
    joiner, twin_code, twin, twin_item = ask(browser, server, extra, "1297", TWIN)
    refused, _, bad, bad_item = ask(browser, server, extra, "1304", OFF_TOPIC)
    news = asker.page.locator("#mine-news")
    assert news.text_content() == ""  # nothing said on the first render

    # ---- the secretariat approves, merges the twin in and rejects the off-topic one; the MC answers
    do(desk, "approve", ident)
    expect(item.locator(".b")).to_have_text("Đã duyệt")
    expect(news).to_have_text(f"Câu hỏi mã {code}: Đã duyệt")
    do(desk, "note", bad, notes="Ghi chú nội bộ: không đưa ra")
    do(desk, "reject", bad, reason="off_topic")
    do(desk, "merge", twin, into=ident)
    do(mc, "answer", ident)
    expect(item.locator(".b")).to_have_text("Đã trả lời")
    expect(news).to_have_text(f"Câu hỏi mã {code}: Đã trả lời")

    # the rejected one: its reason in polite words, never the secretariat's note
    expect(bad_item.locator(".b")).to_have_text("Chưa được đưa ra hội nghị")
    expect(bad_item.locator(".why")).to_have_text(OFF_TOPIC_WORDS)
    expect(refused.page.locator("body")).not_to_contain_text("Ghi chú nội bộ")
    bad_item.scroll_into_view_if_needed()
    screenshot(refused, artifacts, "answers-rejected.png")

    # the merged one: the question it joined, its code and (approved) its words
    expect(twin_item.locator(".b")).to_have_text("Đã gộp với câu hỏi cùng nội dung")
    expect(twin_item.locator(".joined")).to_contain_text(f"câu hỏi mã {code}")
    expect(twin_item.locator(".jt")).to_have_text(f"Câu hỏi chung: “{QUESTION}”")
    expect(twin_item.locator(".js")).to_have_text("Câu hỏi chung: Đã trả lời")
    assert twin_item.locator(".hall").count() == 0  # nothing published yet

    # ---- the reports page: the summary written, then published
    console = screens.open(server, "moderator", DESKTOP)
    page = console.page
    page.goto(f"{server.url}/reports/")
    entry = page.locator(f"#q-{ident}")
    expect(entry.locator(".summary-question")).to_have_text(QUESTION)
    entry.get_by_label("Tóm tắt nội dung trả lời").fill(SUMMARY)
    entry.get_by_role("button", name="Lưu tóm tắt").click()
    entry = page.locator(f"#q-{ident}")
    expect(entry.locator(f"#published-{ident}")).to_have_text("Chưa công bố cho người hỏi")
    expect(page.locator("#unpublished-count")).to_have_text("1 tóm tắt chưa công bố cho người hỏi.")
    assert item.locator(".hall").count() == 0  # saved, not published: the phone shows nothing yet
    entry.get_by_role("button", name="Công bố cho người hỏi").click()
    entry = page.locator(f"#q-{ident}")
    expect(entry.locator(".flash.ok")).to_have_text(
        f"Đã công bố tóm tắt trả lời của câu hỏi {code}: người hỏi đã thấy trên điện thoại."
    )
    expect(entry.locator(f"#published-{ident}")).to_have_text("Đã công bố cho người hỏi")
    expect(entry.get_by_role("button", name="Thu hồi")).to_be_visible()
    expect(page.locator("#unpublished-count")).to_have_text("0 tóm tắt chưa công bố cho người hỏi.")
    entry.scroll_into_view_if_needed()
    screenshot(console, artifacts, "answers-reports.png")
    stored = next(q for q in desk.call("questions.get")["questions"] if q["id"] == ident)
    assert stored["summary"] == SUMMARY and stored["summary_published_at"]

    # ---- the asker's phone shows it, live, and its live region said so
    hall = item.locator(".hall")
    expect(hall).to_have_count(1)
    assert hall.locator(".rt").text_content() == SUMMARY
    expect(hall.locator(".rh")).to_contain_text("Trả lời tại hội nghị (tổ thư ký tóm tắt, công bố ngày")
    expect(news).to_have_text(f"Câu hỏi mã {code}: Đã có câu trả lời.")
    assert asker.page.evaluate("() => getComputedStyle(document.getElementById('mine-news')).clip") != "auto"
    asker.page.locator("#mine-h").scroll_into_view_if_needed()
    screenshot(asker, artifacts, "answers-phone.png")

    # the merged asker gets the same answer
    expect(twin_item.locator(".hall .rt")).to_have_count(1)
    assert twin_item.locator(".hall .rt").text_content() == SUMMARY
    twin_item.scroll_into_view_if_needed()
    screenshot(joiner, artifacts, "answers-joined.png")

    # ---- the lookup by tracking code, from the phone's own link, and the public answers page
    hall.get_by_role("link", name="Xem tại trang tra cứu").click()
    expect(asker.page).to_have_url(re.compile(rf"/tra-cuu\?ma={code}$"))
    expect(asker.page.locator("#status")).to_have_text("Đã trả lời")
    assert asker.page.locator("#answer").text_content() == SUMMARY
    asker.page.goto(f"{server.url}/tra-cuu?ma={twin_code}")
    expect(asker.page.locator("#joined")).to_contain_text(code)
    assert asker.page.locator("#answer").text_content() == SUMMARY
    screenshot(asker, artifacts, "answers-lookup.png")
    asker.page.goto(f"{server.url}/tra-loi")
    article = asker.page.locator(f"article[data-code='{code}']")
    expect(article.locator(".hall-h")).to_contain_text("Trả lời tại hội nghị")
    assert article.locator(".hall-text").text_content() == SUMMARY
    assert article.locator(".written-text").count() == 0
    expect(asker.page.locator("body")).not_to_contain_text(OFF_TOPIC)
    asker.page.goto(f"{server.url}/")
    expect(asker.page.locator("#home-answers")).to_have_attribute("href", "/tra-loi")

    problems = screens.problems() + [p for s in extra for p in s.problems()]
    assert not problems, "\n".join(problems)
