"""Me too ("Tôi cũng muốn hỏi") on the staff screens, in real Chromium.

Three questions are approved; young people at the bridge points press "me too" on their phones
(real Socket.IO clients). The secretariat's console shows "3 cùng hỏi" on the row and in the
detail, and can sort by "Nhiều người cùng hỏi nhất"; the MC's tablet and the chairman's screen show
the count beside each queued question and can put the most supported first (the script's order
stays the default); the projector shows "3 bạn trẻ cùng muốn hỏi" under the question on screen, and
never the count of the question before. Counts update live as more phones press.

Screenshots land in test-artifacts/ (support-console.png, support-mc.png, support-chair.png,
support-projector.png) for a person to look at.
"""

from __future__ import annotations

import uuid

import pytest
from browser import HD_VIEWPORT, MC_VIEWPORT, screenshot
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]

CONSOLE = {"width": 1440, "height": 900}
HOC_NGHE = "Thanh niên được hỗ trợ học nghề miễn phí như thế nào?"
VON_VAY = "Tỉnh có chính sách hỗ trợ vốn vay khởi nghiệp cho thanh niên nông thôn không ạ?"
INTERNET = "Khi nào bản em có sóng điện thoại và internet ổn định?"


def test_counts_appear_and_update_on_the_console_the_mc_the_chairman_and_the_projector(
    make_server, screens, connect_staff, connect_phone, artifacts
):
    server = make_server()
    moderator = connect_staff(server, "moderator")
    mc_client = connect_staff(server, "mc")
    asker = connect_phone(server, site="1304")
    asked = {}
    for text in (HOC_NGHE, VON_VAY, INTERNET):  # approved in this order: the script's order
        reply = asker.call("question.submit", {"id": str(uuid.uuid4()), "site": "1304", "text": text, "theme": "t2"})
        assert reply["ok"], reply
        approved = moderator.call("question.approve", {"id": reply["id"], "version": 1})
        assert approved["ok"], approved
        asked[text] = reply["id"]

    def press(text: str, phones: int, site: str = "hall") -> None:
        for _ in range(phones):
            phone = connect_phone(server, site=site)
            listed = phone.call("questions.public", {})["questions"]
            handle = next(q["handle"] for q in listed if q["text"] == text)
            assert phone.call("question.support", {"handle": handle})["ok"]

    console = screens.open(server, "moderator", CONSOLE)
    expect(console.page.locator("#desk")).to_have_attribute("data-loaded", "yes")
    mc = screens.open(server, "mc", MC_VIEWPORT)
    mc.page.locator("#tab-questions").click()
    chair = screens.open(server, "chair", HD_VIEWPORT)
    projector = screens.open(server, "projector", HD_VIEWPORT)

    press(VON_VAY, 3)
    press(INTERNET, 1, site="1304")

    def row(text: str):
        return console.page.locator(f"#feed li.q[data-id='{asked[text]}']")

    def mc_item(text: str):
        return mc.page.locator(f"#queue .q-item[data-id='{asked[text]}']")

    # the console: on the row, and in the detail
    expect(row(VON_VAY).locator(".q-support")).to_have_text("3 cùng hỏi")
    expect(row(INTERNET).locator(".q-support")).to_have_text("1 cùng hỏi")
    expect(row(HOC_NGHE).locator(".q-support")).to_have_count(0)
    row(VON_VAY).locator(".q-text").click()
    expect(console.page.locator("#d-supports")).to_have_text("3 bạn trẻ cùng muốn hỏi")
    # the MC's queue and the chairman's next questions, in the script's order by default
    expect(mc_item(VON_VAY).locator(".q-support")).to_have_text("3 cùng hỏi")
    expect(mc.page.locator("#queue .q-item .q-text")).to_have_text([HOC_NGHE, VON_VAY, INTERNET])
    expect(chair.page.locator(f".next-item[data-id='{asked[VON_VAY]}'] .q-support")).to_have_text("3 cùng hỏi")
    expect(chair.page.locator(".next-item .next-text")).to_have_text([HOC_NGHE, VON_VAY, INTERNET])

    # more phones press: every screen follows (at most a second later)
    press(VON_VAY, 2, site="1304")
    expect(row(VON_VAY).locator(".q-support")).to_have_text("5 cùng hỏi")
    expect(console.page.locator("#d-supports")).to_have_text("5 bạn trẻ cùng muốn hỏi")
    expect(mc_item(VON_VAY).locator(".q-support")).to_have_text("5 cùng hỏi")
    expect(chair.page.locator(f".next-item[data-id='{asked[VON_VAY]}'] .q-support")).to_have_text("5 cùng hỏi")

    # sorting by support: the console, the MC and the chairman
    console.page.locator("#sort").select_option("support")
    expect(console.page.locator("#feed li.q .q-text")).to_have_text([VON_VAY, INTERNET, HOC_NGHE])
    screenshot(console, artifacts, "support-console.png")
    mc.page.get_by_label("Nhiều người cùng hỏi nhất lên trước").check()
    expect(mc.page.locator("#queue .q-item .q-text")).to_have_text([VON_VAY, INTERNET, HOC_NGHE])
    expect(mc_item(VON_VAY).locator(".q-up")).to_be_disabled()  # the script's order is not moved from here
    screenshot(mc, artifacts, "support-mc.png")
    chair.page.get_by_label("Nhiều người cùng hỏi nhất lên trước").check()
    expect(chair.page.locator(".next-item .next-text")).to_have_text([VON_VAY, INTERNET, HOC_NGHE])
    expect(chair.page.locator(".next-item.is-next .next-text")).to_have_text(HOC_NGHE)  # still the script's next
    screenshot(chair, artifacts, "support-chair.png")
    # back to the script's order
    mc.page.get_by_label("Nhiều người cùng hỏi nhất lên trước").uncheck()
    expect(mc.page.locator("#queue .q-item .q-text")).to_have_text([HOC_NGHE, VON_VAY, INTERNET])

    # the projector: the count under the question on screen, updated live, never the one before's
    shown = mc_client.call("question.show", {"id": asked[VON_VAY], "version": 2})
    assert shown["ok"], shown
    line = projector.page.locator("#question-supports")
    expect(projector.page.locator("#question-text")).to_have_text(VON_VAY)
    expect(line).to_have_text("5 bạn trẻ cùng muốn hỏi")
    press(VON_VAY, 1)
    expect(line).to_have_text("6 bạn trẻ cùng muốn hỏi")
    screenshot(projector, artifacts, "support-projector.png")
    version = {q["id"]: q["version"] for q in moderator.call("questions.get")["questions"]}
    assert mc_client.call("question.show", {"id": asked[HOC_NGHE], "version": version[asked[HOC_NGHE]]})["ok"]
    expect(projector.page.locator("#question-text")).to_have_text(HOC_NGHE)
    expect(line).to_be_hidden()
    version = {q["id"]: q["version"] for q in moderator.call("questions.get")["questions"]}
    assert mc_client.call("question.show", {"id": asked[INTERNET], "version": version[asked[INTERNET]]})["ok"]
    expect(projector.page.locator("#question-text")).to_have_text(INTERNET)
    expect(line).to_have_text("1 bạn trẻ cùng muốn hỏi")
    screens.assert_clean()
