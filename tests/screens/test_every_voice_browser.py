"""Issue 26's story in real Chromium: a young person supports a question ("Tôi cũng muốn hỏi"), the
secretariat merges it into another question asking the same, the MC answers that one in the hall
and the secretariat publishes the answer's summary. Without a reload:

- the asker of the merged question sees that it joined the other one, then the answer;
- the asker of the question it joined sees the answer;
- the phone that supported it sees the answer under the questions it supported, and the count of
  the joined question holds that phone once, though it pressed both.

Phones are 390×844 Chromium pages; the secretariat and the MC are real Socket.IO clients.
Screenshots: test-artifacts/voice-supporter.png, voice-merged-asker.png.
"""

from __future__ import annotations

import pytest
from browser import screenshot
from playwright.sync_api import expect
from test_answers_browser import acting, ask
from test_support_browser import card

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]

FIRST = "Em muốn hỏi tỉnh có hỗ trợ thanh niên học nghề miễn phí không ạ?"
SECOND = "Thanh niên nông thôn có được học nghề miễn phí không?"
SUMMARY = "Thanh niên nông thôn được học nghề miễn phí đến 3 tháng tại các trung tâm giáo dục nghề nghiệp của tỉnh."


def test_a_supported_question_merged_then_answered_reaches_its_askers_and_its_supporter(
    make_server, browser, connect_staff, artifacts
):
    server = make_server()
    extra = []
    try:
        run(server, browser, connect_staff, extra, artifacts)
    finally:
        for screen in extra:
            screen.context.close()


def run(server, browser, connect_staff, extra, artifacts):
    desk, mc = connect_staff(server, "moderator"), connect_staff(server, "mc")
    do = acting(desk)

    merged_asker, merged_code, merged, merged_item = ask(browser, server, extra, "1304", FIRST)
    kept_asker, kept_code, kept, kept_item = ask(browser, server, extra, "1297", SECOND)
    do(desk, "approve", merged)
    do(desk, "approve", kept)

    # a third phone at Quảng Lâm supports the first question, then (all sites) the second too
    supporter, _, _, _ = ask(browser, server, extra, "1304", "Xã có mở lớp tin học cho thanh niên không?")
    page = supporter.page
    card(supporter, FIRST).get_by_role("button", name="Tôi cũng muốn hỏi").click()
    expect(card(supporter, FIRST).locator(".sqc")).to_have_text("1 bạn cùng hỏi")
    page.get_by_role("button", name="Tất cả điểm cầu").click()
    card(supporter, SECOND).get_by_role("button", name="Tôi cũng muốn hỏi").click()
    expect(card(supporter, SECOND).locator(".sqc")).to_have_text("1 bạn cùng hỏi")
    assert desk.call("supports.get")["counts"] == {merged: 1, kept: 1}

    # the secretariat merges the first into the second: one device, counted once
    do(desk, "merge", merged, into=kept)
    expect(merged_item.locator(".b")).to_have_text("Đã gộp với câu hỏi cùng nội dung")
    expect(merged_item.locator(".joined")).to_contain_text(f"câu hỏi mã {kept_code}")
    expect(card(supporter, FIRST)).to_have_count(0, timeout=3000)
    expect(card(supporter, SECOND).locator(".sqc")).to_have_text("1 bạn cùng hỏi")
    assert desk.call("supports.get")["counts"] == {kept: 1}

    # the MC answers it in the hall; the secretariat writes the summary and publishes it
    do(mc, "show", kept)
    do(mc, "answer", kept)
    expect(kept_item.locator(".b")).to_have_text("Đã trả lời")
    mine = page.locator("#supports-mine li").filter(has_text=SECOND)
    expect(mine.locator(".b")).to_have_text("Đã trả lời", timeout=5000)  # it left the list: answered
    assert mine.locator("blockquote").count() == 0  # nothing published yet
    do(desk, "summarize", kept, summary=SUMMARY)
    do(desk, "publish_summary", kept)

    # every one of them sees the answer, live
    expect(kept_item.locator(".hall .rt")).to_have_text(SUMMARY)
    expect(merged_item.locator(".hall .rt")).to_have_text(SUMMARY)
    merged_item.scroll_into_view_if_needed()
    screenshot(merged_asker, artifacts, "voice-merged-asker.png")
    expect(mine).to_have_count(1)
    expect(mine.locator("blockquote")).to_have_text(SUMMARY, timeout=5000)  # pushed, no reload
    mine.scroll_into_view_if_needed()
    screenshot(supporter, artifacts, "voice-supporter.png")
    # the supporter never learns the askers' tracking codes (they open the askers' rights page)
    assert merged_code not in page.content() and kept_code not in page.content()
    problems = [p for s in extra for p in s.problems()]
    assert not problems, "\n".join(problems)
