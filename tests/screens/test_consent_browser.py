"""Anonymous by default (issue 23), in real Chromium: the phone's consent boxes, and the sensitive
youth groups gone from every screen.

A phone (390×844) sends a question without ticking a box: its name field is disabled, and a name
forced into the form by a script is not stored. With the box ticked, the name is stored with the
notice version it was given under. The secretariat is a real Socket.IO client with the moderator's
link. Screenshots: test-artifacts/phone-consent-unticked.png, phone-consent.png.
"""

from __future__ import annotations

import uuid

import pytest
from browser import _CSP_REPORTER, HD_VIEWPORT, Screen, screenshot, wait_until
from playwright.sync_api import expect

from live.core import privacy

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

PHONE = {"width": 390, "height": 844}
SITE = "1304"
NAME = "Lục Thị Hồng"
SENSITIVE = ("Dân tộc thiểu số", "Tín đồ tôn giáo", "Người khuyết tật")


def open_phone(browser, server, site: str = SITE) -> Screen:
    context = browser.new_context(viewport=PHONE, locale="vi-VN", has_touch=True, is_mobile=True)
    context.add_init_script(_CSP_REPORTER)
    page = context.new_page()
    page.set_default_timeout(10_000)
    phone = Screen(role="phone", base_url=server.url, context=context, page=page)
    page.on("console", lambda m: m.type == "error" and phone.console_errors.append(m.text))
    page.on("pageerror", lambda e: phone.page_errors.append(str(e)))
    page.goto(f"{server.url}/q/{site}")
    expect(page.locator("#conn")).to_have_text("Đã kết nối")
    return phone


def stored(moderator, text: str) -> dict:
    def found():
        return [q for q in moderator.call("questions.get")["questions"] if q["text"] == text]

    return wait_until(found, message="the question on the desk")[0]


def send(phone: Screen, text: str) -> None:
    phone.page.get_by_label("Câu hỏi của bạn").fill(text)
    phone.page.get_by_role("button", name="Gửi câu hỏi").click()
    expect(phone.page.locator("#result .msg.ok")).to_contain_text("Đã nhận câu hỏi. Mã theo dõi:")


def test_a_name_is_stored_only_with_its_consent(browser, make_server, connect_staff, artifacts):
    server = make_server()
    moderator = connect_staff(server, "moderator")
    phone = open_phone(browser, server)
    page = phone.page
    name, group = page.get_by_label("Họ và tên"), page.get_by_label("Bạn thuộc đối tượng")
    agree_name, agree_group = page.locator("#consent-name"), page.locator("#consent-group")

    # nothing ticked: the name and the group cannot be filled in
    expect(agree_name).not_to_be_checked()
    expect(agree_group).not_to_be_checked()
    expect(name).to_be_disabled()
    expect(group).to_be_disabled()
    expect(page.locator("#notice-link")).to_have_attribute("href", privacy.NOTICE_PATH)
    page.locator("fieldset.consent").scroll_into_view_if_needed()
    screenshot(phone, artifacts, "phone-consent-unticked.png")
    agree_name.check()
    agree_group.check()
    expect(name).to_be_enabled()
    expect(group).to_be_enabled()
    name.fill(NAME)
    group.select_option(label="Học sinh, sinh viên")
    page.get_by_label("Câu hỏi của bạn").fill("Tỉnh có học bổng cho học sinh vùng cao không?")
    page.locator("fieldset.consent").scroll_into_view_if_needed()
    screenshot(phone, artifacts, "phone-consent.png")
    agree_name.uncheck()
    agree_group.uncheck()
    expect(name).to_be_disabled()
    expect(group).to_be_disabled()

    # (1) a script forces a name and a group into the unticked form: neither is stored
    page.evaluate(
        """([n]) => {
            const name = document.getElementById("name"), group = document.getElementById("group");
            name.disabled = false; name.value = n;
            group.disabled = false; group.value = "cong_nhan";
        }""",
        [NAME],
    )
    anonymous_text = "Xin hỏi về việc làm cho thanh niên sau khi học nghề?"
    send(phone, anonymous_text)
    anonymous = stored(moderator, anonymous_text)
    assert (anonymous["name"], anonymous["group"], anonymous["consent"]) == ("", None, {})

    # a payload with a name and no consent, straight onto the phone's own socket: still no name
    raw_text = "Câu hỏi gửi thẳng lên máy chủ, không đánh dấu ô nào?"
    page.evaluate(
        """([text, name, id]) => new Promise((resolve) => {
            const s = io({ auth: { screen: "phone", site: "1304" }, transports: ["websocket"] });
            s.emit("question.submit", { id, site: "1304", text, name, group: "cong_nhan" }, (ack) => { s.close(); resolve(ack); });
        })""",
        [raw_text, NAME, str(uuid.uuid4())],
    )
    raw = stored(moderator, raw_text)
    assert (raw["name"], raw["group"], raw["consent"]) == ("", None, {})

    # (2) with the box ticked, the name is stored with the notice version it was given under
    agree_name.check()
    name.fill(NAME)
    named_text = "Em muốn được mời phát biểu về vốn vay khởi nghiệp."
    send(phone, named_text)
    named = stored(moderator, named_text)
    assert named["name"] == NAME and named["group"] is None
    assert named["consent"]["name"]["version"] == privacy.NOTICE_VERSION == "2"
    assert set(named["consent"]) == {"name"}
    # the form is ready for the next question, anonymous again
    expect(agree_name).not_to_be_checked()
    expect(name).to_be_disabled()
    assert phone.problems() == []
    phone.context.close()


def test_the_sensitive_groups_appear_on_no_screen(browser, make_server, screens, connect_staff):
    server = make_server()
    phone = open_phone(browser, server)
    console = screens.open(server, "moderator", HD_VIEWPORT)
    expect(console.page.locator("#desk")).to_have_attribute("data-loaded", "yes")
    projector = screens.open(server, "projector", HD_VIEWPORT)

    # a question with a group on the projector, so its origin line is drawn
    moderator, mc = connect_staff(server, "moderator"), connect_staff(server, "mc")
    ident = str(uuid.uuid4())
    sender = connect_staff(server, "moderator")
    entered = sender.call("question.enter", {"id": ident, "site": SITE, "channel": "spoken",
                                             "text": "Hỏi về đường vào xã?", "group": "cong_nhan"})  # fmt: skip
    assert entered["ok"], entered
    question = next(q for q in moderator.call("questions.get")["questions"] if q["id"] == ident)
    question = moderator.call("question.approve", {"id": ident, "version": question["version"]})["question"]
    assert mc.call("question.show", {"id": ident, "version": question["version"]})["ok"]
    expect(projector.page.locator("#question-origin")).to_have_text("Xã Quảng Lâm — công nhân")

    for screen in (phone, console, projector):
        html = screen.page.content()
        for label in SENSITIVE:
            assert label not in html, (screen.role, label)
            assert label.lower() not in html.lower(), (screen.role, label)
    options = phone.page.locator("#group option")
    labels = [options.nth(i).inner_text() for i in range(options.count())]
    assert "Học sinh, sinh viên" in labels and not set(SENSITIVE) & set(labels)
    screens.assert_clean()
    phone.context.close()
