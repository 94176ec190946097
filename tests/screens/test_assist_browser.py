"""A bridge point's facilitator enters questions for young people, in real Chromium.

At Xã Quảng Lâm a young man without a smartphone asks his question in Tày. The commune's
facilitator opens the site screen's form "Nhập câu hỏi hộ bạn trẻ" on her laptop, picks Tày,
writes the Vietnamese and, beside it, his own words, and gives him the tracking code on paper. The
secretariat's console shows the question with both texts and says it came through the
facilitator; the MC's roll call counts it for Xã Quảng Lâm. When the hall's network drops, the
question waits in the laptop's outbox, survives a reload, and is sent once when the network is
back; an acknowledgement lost on the way is answered by the same code.

Screenshots land in test-artifacts/ (assist-form-1920.png, assist-sent-1920.png,
assist-console.png, assist-offline-1366.png) for a person to look at.
"""

from __future__ import annotations

import re

import pytest
from browser import HD_VIEWPORT, screenshot
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]

QUANG_LAM = "1304"
CONSOLE = {"width": 1440, "height": 900}
TAY_VI = "Thanh niên ở bản muốn vay vốn nuôi bò thì hỏi ở đâu ạ?"
TAY_WORDS = "Lục báo dú bản muốn vay chèn liệng mò thì thăm tẳng đâu?"
CODE = re.compile(r"[2-9A-HJ-NP-Z]{6}")


def open_site(screens, server, viewport=HD_VIEWPORT, prepare=None):
    """The technician's link, then the commune's own site screen."""
    screen = screens.open(server, "site", viewport, wait=False, prepare=prepare)
    screen.page.goto(f"{server.url}/site/{QUANG_LAM}")
    screen.wait_synced()
    return screen


def desk(staff) -> list[dict]:
    reply = staff.call("questions.get")
    assert reply["ok"], reply
    return reply["questions"]


def test_a_facilitator_enters_a_question_asked_in_tay_and_the_console_shows_both_texts(
    make_server, screens, connect_staff, artifacts
):
    server = make_server()
    mc = connect_staff(server, "mc")
    before = mc.call("roll.get")["roll"][QUANG_LAM]["questions"]
    console = screens.open(server, "moderator", CONSOLE)
    expect(console.page.locator("#desk")).to_have_attribute("data-loaded", "yes")

    site = open_site(screens, server)
    page = site.page
    page.get_by_role("button", name="Nhập câu hỏi hộ bạn trẻ").click()
    form = page.locator("#assist")
    expect(form).to_be_visible()
    expect(page.locator("#assist-text")).to_be_focused()
    # Vietnamese first: the original words' box appears once another language is picked
    expect(page.locator("#assist-original")).to_be_hidden()
    page.get_by_label("Bạn trẻ hỏi bằng tiếng").select_option(label="Tày")
    expect(page.locator("#assist-original")).to_be_visible()
    # nothing to send without the Vietnamese text: said on the form, nothing sent
    page.get_by_role("button", name="Gửi câu hỏi").click()
    expect(page.locator("#assist-error")).to_have_text("Hãy nhập câu hỏi bằng tiếng Việt.")
    expect(page.locator("#assist-text")).to_be_focused()
    # the name only once the young person agreed
    expect(page.locator("#assist-name")).to_be_disabled()
    page.keyboard.type(TAY_VI)
    page.get_by_label("Lời gốc của bạn trẻ").fill(TAY_WORDS)
    page.get_by_label("Bạn trẻ đồng ý ghi họ tên cùng câu hỏi").check()
    expect(page.locator("#assist-name")).to_be_focused()
    page.keyboard.type("Nông Văn Páo")
    page.get_by_label("Nhóm vấn đề").select_option(label="Văn hóa, thể thao và đời sống tinh thần")
    screenshot(site, artifacts, "assist-form-1920.png")

    page.keyboard.press("Control+Enter")  # sent from the keyboard
    status = page.locator("#assist-status")
    expect(status).to_have_text(re.compile(r"^Đã gửi\. Mã theo dõi: [2-9A-Z]{6} — hãy ghi mã này cho bạn trẻ"))
    code = CODE.search(status.inner_text()).group(0)
    expect(page.locator("#assist-list li").first).to_contain_text(code)
    expect(page.locator("#assist-list li").first).to_contain_text(f"{TAY_VI} (Tày)")
    expect(page.locator("#assist-text")).to_have_value("")
    expect(page.locator("#assist-lookup")).to_have_text(f"{server.url}/tra-cuu")
    screenshot(site, artifacts, "assist-sent-1920.png")

    stored = desk(connect_staff(server, "moderator"))
    assert len(stored) == 1
    q = stored[0]
    assert (q["site"], q["channel"], q["assisted_by"], q["language"]) == (QUANG_LAM, "facilitator", "site", "tay")
    assert (q["text"], q["original"], q["name"], q["code"], q["theme"]) == (
        TAY_VI,
        TAY_WORDS,
        "Nông Văn Páo",
        code,
        "t5",
    )
    assert q["consent"]["name"]["via"] == "facilitator"

    # the console: the row says it was asked in Tày, the detail has both texts
    row = console.page.locator(f"#feed li.q[data-id='{q['id']}']")
    expect(row.locator(".q-ch")).to_have_text("Hỗ trợ")
    expect(row.locator(".q-ch")).to_have_attribute("title", "Qua cán bộ hỗ trợ ở điểm cầu")
    expect(row.locator(".q-lang")).to_have_text("Hỏi bằng tiếng Tày")
    expect(row.locator(".q-lang")).to_have_attribute("title", f"Lời gốc: {TAY_WORDS}")
    row.locator(".q-text").click()
    expect(console.page.locator("#detail")).to_have_attribute("data-id", q["id"])
    expect(console.page.locator("#d-text")).to_have_text(TAY_VI)
    expect(console.page.locator("#d-said-head")).to_have_text("Qua cán bộ hỗ trợ · Hỏi bằng tiếng Tày")
    expect(console.page.locator("#d-said-text")).to_have_text(TAY_WORDS)
    expect(console.page.locator("#d-meta")).to_contain_text("Qua cán bộ hỗ trợ ở điểm cầu")
    screenshot(console, artifacts, "assist-console.png")

    # the roll call counts it for Xã Quảng Lâm
    mc.wait_for(lambda e, d: e == "roll.changed" and d.get("site") == QUANG_LAM and d.get("questions") == before + 1)
    assert mc.call("roll.get")["roll"][QUANG_LAM]["questions"] == before + 1

    # closed with Esc, the screen is the hall's screen again
    page.keyboard.press("Escape")
    expect(form).to_be_hidden()
    screens.assert_clean()


def test_the_outbox_survives_a_reload_while_offline_and_sends_once_when_back(
    make_server, screens, connect_staff, artifacts
):
    server = make_server()
    moderator = connect_staff(server, "moderator")
    net = {"offline": False, "drop_ack": False, "dropped": 0}
    sockets: list = []

    def websocket(ws):
        if net["offline"]:  # the connection opens and drops at once, as on a network that is gone
            ws.connect_to_server().close()
            return
        sockets.append(ws)
        upstream = ws.connect_to_server()

        def deliver(message):
            # the first acknowledgement of a passed-on question is lost on the way back
            if net["drop_ack"] and isinstance(message, str) and '"repeated":false' in message:
                net["drop_ack"] = False
                net["dropped"] += 1
                return
            ws.send(message)

        upstream.on_message(deliver)

    def polling(route):
        return route.abort() if net["offline"] else route.continue_()

    def prepare(context):
        context.route_web_socket(re.compile(r"/socket\.io/"), websocket)
        context.route(re.compile(r"/socket\.io/"), polling)

    site = open_site(screens, server, {"width": 1366, "height": 768}, prepare=prepare)  # a commune laptop
    page = site.page

    # the hall's network drops
    net["offline"] = True
    for ws in sockets:
        ws.close()
    expect(page.locator("#conn")).to_have_class(re.compile("conn-lost"))
    page.get_by_role("button", name="Nhập câu hỏi hộ bạn trẻ").click()
    page.locator("#assist-text").fill("Xã có lớp dạy nghề may cho thanh niên không ạ?")
    page.get_by_role("button", name="Gửi câu hỏi").click()
    expect(page.locator("#assist-status")).to_have_text("Đã lưu trên máy này, sẽ tự gửi khi có kết nối.")
    expect(page.locator("#assist-badge")).to_have_text("1 câu chờ gửi")
    screenshot(site, artifacts, "assist-offline-1366.png")

    # the laptop reloads the page while still offline: the question is still waiting
    page.reload()
    expect(page.locator("#assist-badge")).to_have_text("1 câu chờ gửi")
    assert desk(moderator) == []

    # the network is back: sent once, its code kept on the laptop
    net["offline"] = False
    expect(page.locator("#assist-badge")).to_be_hidden(timeout=10_000)
    page.get_by_role("button", name="Nhập câu hỏi hộ bạn trẻ").click()
    expect(page.locator("#assist-list li")).to_have_count(1)
    stored = desk(moderator)
    assert len(stored) == 1 and stored[0]["text"] == "Xã có lớp dạy nghề may cho thanh niên không ạ?"
    expect(page.locator("#assist-list li").first).to_contain_text(stored[0]["code"])

    # an acknowledgement lost on the way: the outbox keeps it; after a reload the same id is sent
    # again and answered with the same code, stored once
    net["drop_ack"] = True
    page.locator("#assist-text").fill("Đề nghị mở thêm lớp tin học cho thanh niên xã.")
    page.get_by_role("button", name="Gửi câu hỏi").click()
    # (the routes run while Playwright waits: a wait on the page, not a sleep)
    for _ in range(100):
        if net["dropped"] == 1 and len(desk(moderator)) == 2:
            break
        page.wait_for_timeout(50)
    assert net["dropped"] == 1 and len(desk(moderator)) == 2
    expect(page.locator("#assist-badge")).to_have_text("1 câu chờ gửi")
    page.reload()
    expect(page.locator("#assist-badge")).to_be_hidden(timeout=10_000)
    stored = desk(moderator)
    assert len(stored) == 2
    second = next(q for q in stored if q["text"].startswith("Đề nghị"))
    page.get_by_role("button", name="Nhập câu hỏi hộ bạn trẻ").click()
    expect(page.locator("#assist-status")).to_have_text(
        f"Câu hỏi này đã được gửi trước đó. Mã theo dõi: {second['code']}"
    )
    expect(page.locator("#assist-list li")).to_have_count(2)
    expect(page.locator("#assist-list li").first).to_contain_text(second["code"])
    added = [d for e, d in moderator.received if e == "question.added"]
    assert len(added) == 2
    screens.assert_clean(allow=[r"socket\.io", r"WebSocket", r"ERR_FAILED", r"net::"])
