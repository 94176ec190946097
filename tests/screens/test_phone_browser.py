"""A young person's phone in real Chromium: the question form at /q/<site>, as a cheap Android
phone on a weak network would use it (390×844; 360 px for the layout check).

Every question the page takes is kept in an outbox in localStorage until the server has stored
it; retries (after a reload, an outage, a kill -9) reuse its id, so the secretariat sees it
exactly once. The secretariat is a real Socket.IO client holding the moderator's link.

Screenshots land in test-artifacts/ (phone-form.png, phone-receipt.png, phone-pending.png,
phone-mine.png, phone-statuses.png), and the first load's bytes in phone-first-load.json.
"""

from __future__ import annotations

import json
import unicodedata

import pytest
from browser import _CSP_REPORTER, Screen, screenshot, wait_until
from conftest import settled as received_all
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

PHONE = {"width": 390, "height": 844}
NARROW = {"width": 360, "height": 740}
SITE, SITE_NAME = "1304", "Xã Quảng Lâm"
TITLE = "Hội nghị đối thoại giữa Chủ tịch UBND tỉnh với thanh niên năm 2025"
QUESTION = "Học bổng cho sinh viên dân tộc thiểu số?"
BUDGET = 60 * 1024  # the first load, over the wire, all told
# what the page says offline and of a question kept in its outbox: only what phone.js really does
OFFLINE = (
    "Chưa có kết nối. Câu hỏi bạn gửi được giữ trên điện thoại này và sẽ được gửi khi có mạng, "
    "lúc trang này đang mở hoặc lần tới bạn mở lại trang này."
)
QUEUED = (
    "Câu hỏi đã được giữ trên điện thoại này. Câu hỏi sẽ được gửi khi có kết nối, "
    "lúc trang này đang mở hoặc lần tới bạn mở lại trang này (trên cùng trình duyệt)."
)
# while the network or the server is down on purpose, Chromium reports the failed connections
OUTAGE = [
    r"ERR_CONNECTION_REFUSED",
    r"ERR_INTERNET_DISCONNECTED",
    r"WebSocket connection to .* failed",
    r"ERR_CONNECTION_RESET",
    r"ERR_EMPTY_RESPONSE",
]


@pytest.fixture
def phones(browser):
    """``phones.open(server)`` → a phone on the page of site 1304, in a context of its own."""
    opened: list[Screen] = []

    class Phones:
        def open(self, server, site: str = SITE, viewport: dict = PHONE, before=None) -> Screen:
            context = browser.new_context(viewport=viewport, locale="vi-VN", has_touch=True, is_mobile=True)
            context.add_init_script(_CSP_REPORTER)
            page = context.new_page()
            page.set_default_timeout(10_000)
            phone = Screen(role="phone", base_url=server.url, context=context, page=page)
            page.on("console", lambda m: m.type == "error" and phone.console_errors.append(m.text))
            page.on("pageerror", lambda e: phone.page_errors.append(str(e)))
            page.on("request", lambda r: phone.urls.append(r.url))
            page.on("websocket", lambda ws: phone.urls.append(ws.url))
            opened.append(phone)
            if before is not None:
                before(page)
            page.goto(f"{server.url}/q/{site}")
            connected(phone)
            return phone

    yield Phones()
    for phone in opened:
        phone.context.close()


def connected(phone: Screen) -> None:
    expect(phone.page.locator("#conn")).to_have_text("Đã kết nối")


def ask(phone: Screen, text: str, name: str = "", group: str = "", theme: str = "") -> None:
    page = phone.page
    page.get_by_label("Câu hỏi của bạn").fill(text)
    if name:  # each behind its own consent box (issue 23)
        page.locator("#consent-name").check()
        page.get_by_label("Họ và tên").fill(name)
    if group:
        page.locator("#consent-group").check()
        page.get_by_label("Bạn thuộc đối tượng").select_option(label=group)
    if theme:
        page.get_by_label("Nhóm vấn đề").select_option(label=theme)
    page.get_by_role("button", name="Gửi câu hỏi").click()


def result(phone: Screen):
    return phone.page.get_by_role("status")


def outbox(phone: Screen) -> list[dict]:
    return json.loads(phone.page.evaluate("() => localStorage.getItem('live.outbox') || '[]'"))


def mine(phone: Screen) -> list[dict]:
    return json.loads(phone.page.evaluate("() => localStorage.getItem('live.mine') || '[]'"))


def desk_copies(moderator, text: str) -> list[dict]:
    """The questions with ``text`` the secretariat sees."""
    reply = moderator.call("questions.get")
    assert reply["ok"], reply
    return [q for q in reply["questions"] if q["text"] == text]


def added(moderator, text: str) -> list[dict]:
    """The ``question.added`` pushes for ``text`` the secretariat received."""
    return [
        d["question"] for e, d in list(moderator.received) if e == "question.added" and d["question"]["text"] == text
    ]


def receipt_code(phone: Screen, timeout: float = 10) -> str:
    box = phone.page.locator("#result .msg.ok")
    expect(box).to_contain_text("Đã nhận câu hỏi. Mã theo dõi:", timeout=timeout * 1000)
    return box.locator(".code").inner_text()


# ---------------------------------------------------------------- 1. Vietnamese as phones type it


def test_decomposed_vietnamese_is_counted_and_stored_composed(make_server, phones, connect_staff, artifacts):
    server = make_server()
    moderator = connect_staff(server, "moderator")
    phone = phones.open(server)
    page = phone.page

    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.locator(".site")).to_have_text(f"Điểm cầu: {SITE_NAME}")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    # anonymous by default: the name and the group wait behind their own unticked boxes (issue 23)
    expect(page.get_by_label("Họ và tên")).to_be_disabled()
    expect(page.get_by_label("Bạn thuộc đối tượng")).to_be_disabled()
    expect(page.locator("#consent-name")).not_to_be_checked()
    screenshot(phone, artifacts, "phone-form.png")

    # a VNI/Telex keyboard on an old phone sends decomposed letters: "ọ" is "o" + dot + hook
    nfd = unicodedata.normalize("NFD", QUESTION)
    assert len(nfd) > len(QUESTION)
    box = page.get_by_label("Câu hỏi của bạn")
    box.click()
    page.keyboard.type(nfd)
    assert box.input_value() == nfd, "the textarea holds what was typed, decomposed"
    expect(page.locator("#count")).to_have_text(f"{len(QUESTION)}/1000")

    page.locator("#consent-name").check()
    page.get_by_label("Họ và tên").fill(unicodedata.normalize("NFD", "Lục Thị Hồng"))
    page.locator("#consent-group").check()
    page.get_by_label("Bạn thuộc đối tượng").select_option(label="Học sinh, sinh viên")
    page.get_by_label("Nhóm vấn đề").select_option(label="Giáo dục, đào tạo nghề và học bổng")
    page.get_by_role("button", name="Gửi câu hỏi").click()

    code = receipt_code(phone)
    expect(box).to_have_value("")  # the form is ready for the next question
    expect(page.locator("#count")).to_have_text("0/1000")
    expect(page.locator("#consent-name")).not_to_be_checked()  # and asks for consent again
    expect(page.get_by_label("Họ và tên")).to_be_disabled()
    [stored] = wait_until(lambda: desk_copies(moderator, QUESTION), message="the question on the desk")
    assert stored["text"] == QUESTION == unicodedata.normalize("NFC", stored["text"])
    assert stored["name"] == "Lục Thị Hồng"
    assert (stored["group"], stored["theme"], stored["site"], stored["channel"]) == (
        "hoc_sinh_sinh_vien",
        "t1",
        SITE,
        "qr",
    )
    assert stored["code"] == code
    wait_until(lambda: added(moderator, QUESTION), message="question.added reached the desk")
    screenshot(phone, artifacts, "phone-receipt.png")

    # "my questions" lists it with its code and status, and keeps it across a reload
    item = page.locator("#mine li")
    expect(item).to_have_count(1)
    expect(item.locator(".qt")).to_have_text(QUESTION)
    expect(item).to_contain_text(f"Mã theo dõi: {code}")
    expect(item.locator(".b")).to_have_text("Đã nhận")
    page.reload()
    connected(phone)
    expect(page.locator("#mine li .b")).to_have_text("Đã nhận")
    assert phone.problems() == []


# ---------------------------------------------------------------- 2. nothing lost, nothing doubled


def test_offline_question_waits_then_arrives_once_across_two_quick_reloads(
    make_server, phones, connect_staff, artifacts
):
    server = make_server()
    moderator = connect_staff(server, "moderator")
    phone = phones.open(server)
    page = phone.page
    text = "Xã em chưa có sóng 4G ổn định, tỉnh có kế hoạch gì cho thanh niên học trực tuyến không ạ?"

    phone.context.set_offline(True)
    expect(page.locator("#conn")).to_have_text(OFFLINE)
    ask(phone, text)
    expect(result(phone)).to_have_text(QUEUED)
    expect(page.locator("#mine li .b")).to_have_text("Đang gửi…")
    expect(page.get_by_label("Câu hỏi của bạn")).to_have_value("")
    screenshot(phone, artifacts, "phone-pending.png")
    [kept] = outbox(phone)
    assert kept["text"] == text
    # offline, the page has no connection: once the server has let its socket go, it has handled
    # everything the page sent on it, and the page cannot open another until the network is back
    wait_until(lambda: server.health()["connections"] == 1, message="only the desk connected")
    assert desk_copies(moderator, text) == []

    # the network comes back and the young person, impatient, reloads twice at once
    phone.context.set_offline(False)
    page.reload(wait_until="commit")
    for attempt in range(5):
        try:
            page.reload()
            break
        except PlaywrightError as error:  # Chromium swapped the page under the reload: reload again
            if "Not attached to an active page" not in str(error) or attempt == 4:
                raise
            page.wait_for_timeout(200)
    connected(phone)
    # acknowledged by whichever page was open then: if it was the first, the receipt went with it
    # and this page shows the question under "Câu hỏi của tôi" with its code
    expect(page.locator("#mine li .b")).to_have_text("Đã nhận", timeout=15_000)
    [settled] = mine(phone)
    code = settled["code"]
    expect(page.locator("#mine li")).to_contain_text(code)

    [stored] = wait_until(lambda: desk_copies(moderator, text), message="the question on the desk")
    assert stored["id"] == kept["id"], "a retry must reuse the phone's id"
    assert stored["code"] == code
    assert outbox(phone) == []  # this page sends it no more
    # the pages before the reloads are gone: the server has read what they sent before their goodbye
    wait_until(lambda: server.health()["connections"] == 2, message="only this page and the desk connected")
    received_all(moderator)  # and what it stored was pushed to the desk before this marker
    assert len(desk_copies(moderator, text)) == 1
    assert len(added(moderator, text)) == 1
    assert [q["id"] for q in mine(phone)] == [kept["id"]]
    expect(page.locator("#mine li .b")).to_have_text("Đã nhận")
    assert phone.problems(allow=OUTAGE) == []


def test_question_sent_while_the_server_is_down_arrives_once_after_restart(server, phones, connect_staff, artifacts):
    phone = phones.open(server)
    page = phone.page
    text = "Thanh niên khởi nghiệp ở vùng cao được vay vốn ưu đãi bao nhiêu?"

    server.kill9()
    expect(page.locator("#conn")).to_have_text(OFFLINE, timeout=15_000)
    ask(phone, text, name="Hoàng Văn Nam", group="Thanh niên làm kinh tế giỏi")
    expect(page.locator("#mine li .b")).to_have_text("Đang gửi…")
    assert len(outbox(phone)) == 1

    server.restart()
    moderator = connect_staff(server, "moderator")
    code = receipt_code(phone, timeout=20)
    connected(phone)
    [stored] = wait_until(lambda: desk_copies(moderator, text), message="the question on the desk")
    assert (stored["code"], stored["name"], stored["group"]) == (code, "Hoàng Văn Nam", "kinh_te_gioi")

    # a second question, then "my questions" shows both, newest first
    ask(phone, "Tỉnh có hỗ trợ thanh niên học nghề sau khi xuất ngũ không?")
    second = receipt_code(phone)
    items = page.locator("#mine li")
    expect(items).to_have_count(2)
    expect(items.nth(0)).to_contain_text(second)
    expect(items.nth(1)).to_contain_text(code)
    assert len(desk_copies(moderator, text)) == 1
    items.nth(1).scroll_into_view_if_needed()
    screenshot(phone, artifacts, "phone-mine.png")
    assert phone.problems(allow=OUTAGE) == []


def test_a_rate_limited_question_waits_politely_and_goes_in_by_itself(make_server, phones, connect_staff):
    server = make_server(env={"LIVE_RATE_LIMITS": "device=1/3"})  # one at once, then one every 3 seconds
    moderator = connect_staff(server, "moderator")
    phone = phones.open(server)
    page = phone.page
    first, second = "Câu hỏi thứ nhất về việc làm?", "Câu hỏi thứ hai về học nghề?"

    ask(phone, first)
    receipt_code(phone)
    ask(phone, second)
    expect(result(phone)).to_contain_text("Bạn gửi hơi nhanh. Câu hỏi sẽ được gửi lại tự động sau")
    expect(page.locator("#mine li").first.locator(".b")).to_have_text("Đang gửi…")
    receipt_code(phone, timeout=10)
    expect(page.locator("#mine li .b")).to_have_text(["Đã nhận", "Đã nhận"])
    assert [len(desk_copies(moderator, t)) for t in (first, second)] == [1, 1]
    assert phone.problems() == []


def test_my_questions_show_each_status_apart_and_follow_the_server(make_server, phones, artifacts):
    server = make_server()
    phone = phones.open(server)
    page = phone.page
    ask(phone, "Câu hỏi thật, đã gửi?")
    code = receipt_code(phone)
    # the receipt says what the code is for, and the page links to where it is looked up
    expect(page.locator("#result .msg.ok")).to_contain_text(
        "Giữ mã này để xem câu hỏi của bạn đi đến đâu và câu trả lời"
    )
    expect(page.locator("#lookup-link")).to_have_attribute("href", "/tra-cuu")
    expect(page.locator("#answers-link")).to_have_attribute("href", "/tra-loi")

    [real] = mine(phone)
    real["status"] = "answered"  # a stale belief: the server will say otherwise
    # questions this phone sent earlier (ids the server does not know keep what the phone knew)
    minute = 60_000
    statuses = ["received", "approved", "on_screen", "answered", "forwarded"]
    earlier = [
        {"id": f"earlier-question-{n:04d}", "site": SITE, "text": f"Câu hỏi {n}", "code": f"AAAA{n}{n}", "status": s}
        | {"at": real["at"] - (6 - n) * minute}
        for n, s in enumerate(statuses, 1)
    ]
    pending = {"id": "pending-question-0001", "site": SITE, "text": "Chưa gửi", "name": "", "group": "", "theme": ""}
    pending["at"] = real["at"] - 10 * minute
    page.evaluate(
        "([m, o]) => { localStorage.setItem('live.mine', JSON.stringify(m)); localStorage.setItem('live.outbox', JSON.stringify(o)); }",
        [[real, *earlier], [pending]],
    )
    # no server for a moment (its address refused): the page shows what the phone keeps
    page.route_web_socket("**/socket.io/**", lambda ws: ws.close())
    page.route("**/socket.io/**", lambda route: route.abort())
    page.reload()
    expect(page.locator("#conn")).to_have_text(OFFLINE)
    badges = page.locator("#mine li .b")
    expect(badges).to_have_text(
        [
            "Đã trả lời",
            "Chuyển trả lời bằng văn bản",
            "Đã trả lời",
            "Đang trình chiếu",
            "Đã duyệt",
            "Đã nhận",
            "Đang gửi…",
        ]
    )
    colours = {b.evaluate("e => getComputedStyle(e).backgroundColor + getComputedStyle(e).color") for b in badges.all()}
    assert len(colours) == 6, "each status has a badge of its own"
    page.locator("#mine-h").evaluate("e => e.scrollIntoView()")
    screenshot(phone, artifacts, "phone-statuses.png")
    assert phone.problems(allow=OUTAGE + [r"ERR_FAILED"]) == []

    # with the server there, the phone asks about its questions on connecting and believes it
    # (the same storage in a fresh context: the blocked one cannot be unblocked)
    again = phones.open(server)
    again.page.evaluate("(m) => localStorage.setItem('live.mine', JSON.stringify(m))", [real, *earlier])
    again.page.reload()
    connected(again)
    first = again.page.locator("#mine li").first
    expect(first).to_contain_text(code)
    expect(first.locator(".b")).to_have_text("Đã nhận")
    expect(again.page.locator("#mine li .b").nth(1)).to_have_text("Chuyển trả lời bằng văn bản")
    assert again.problems() == []


def test_the_phone_follows_its_question_live_from_received_to_answered(make_server, phones, connect_staff):
    server = make_server()
    moderator, mc = connect_staff(server, "moderator"), connect_staff(server, "mc")
    phone = phones.open(server)
    ask(phone, "Tỉnh có hỗ trợ thanh niên khởi nghiệp không?")
    code = receipt_code(phone)
    badge = phone.page.locator("#mine li").first.locator(".b")
    expect(badge).to_have_text("Đã nhận")

    [question] = desk_copies(moderator, "Tỉnh có hỗ trợ thanh niên khởi nghiệp không?")
    assert question["code"] == code
    steps = [
        (moderator, "approve", {}, "Đã duyệt"),
        (mc, "show", {}, "Đang trình chiếu"),
        (mc, "answer", {}, "Đã trả lời"),
    ]
    for who, action, args, shown in steps:
        reply = who.call(f"question.{action}", {"id": question["id"], "version": question["version"], **args})
        assert reply["ok"], reply
        question = reply["question"]
        expect(badge).to_have_text(shown, timeout=3000)
    # after a reload the phone asks the server again and shows its word
    phone.page.reload()
    connected(phone)
    expect(phone.page.locator("#mine li").first.locator(".b")).to_have_text("Đã trả lời")
    assert phone.problems() == []


# ---------------------------------------------------------------- 3. what the page refuses


def test_empty_and_too_long_questions_are_refused_on_the_phone(make_server, phones, connect_staff):
    server = make_server()
    moderator = connect_staff(server, "moderator")
    phone = phones.open(server)
    page = phone.page
    box = page.get_by_label("Câu hỏi của bạn")

    ask(phone, "   \n\t  ")
    expect(result(phone)).to_have_text("Vui lòng nhập câu hỏi.")
    expect(box).to_be_focused()
    assert outbox(phone) == [] and mine(phone) == []

    # 1000 letters typed decomposed are 3000 UTF-16 units, yet 1000 characters: allowed
    thousand = unicodedata.normalize("NFD", "ệ") * 1000
    box.fill(thousand)
    expect(page.locator("#count")).to_have_text("1000/1000 · còn 0 ký tự")
    expect(page.locator("#count")).to_have_class("count near")
    box.press("End")
    page.keyboard.type("a")
    expect(page.locator("#count")).to_have_text("1001/1000 · quá 1 ký tự")
    expect(page.locator("#count")).to_have_class("count over")
    expect(box).to_have_attribute("aria-invalid", "true")
    page.get_by_role("button", name="Gửi câu hỏi").click()
    expect(result(phone)).to_have_text("Câu hỏi dài quá 1000 ký tự. Vui lòng rút gọn.")
    assert outbox(phone) == [] and mine(phone) == []
    assert len(box.input_value()) == 3001, "what was typed stays, to be shortened"

    box.press("Backspace")
    expect(page.locator("#count")).to_have_text("1000/1000 · còn 0 ký tự")
    page.get_by_role("button", name="Gửi câu hỏi").click()
    receipt_code(phone)
    [stored] = desk_copies(moderator, "ệ" * 1000)
    assert len(stored["text"]) == 1000
    assert phone.problems() == []


def test_a_refusal_from_the_server_is_shown_and_the_question_given_back(make_server, phones, connect_staff):
    server = make_server()
    moderator = connect_staff(server, "moderator")
    phone = phones.open(server)
    page = phone.page

    ask(phone, "??? !!!", name="Vi")  # the phone sends it; the server wants a letter or a digit
    expect(result(phone)).to_have_text(
        "Câu hỏi cần có chữ hoặc số. Câu hỏi đã được đặt lại vào ô để bạn sửa.", timeout=10_000
    )
    expect(page.get_by_label("Câu hỏi của bạn")).to_have_value("??? !!!")
    expect(page.get_by_label("Họ và tên")).to_have_value("Vi")
    expect(page.locator("#consent-name")).to_be_checked()  # given back with its consent, ready to send again
    expect(page.get_by_label("Họ và tên")).to_be_enabled()
    expect(page.get_by_label("Câu hỏi của bạn")).to_be_focused()
    assert outbox(phone) == [] and mine(phone) == []
    expect(page.locator("#mine li")).to_have_count(0)
    assert desk_copies(moderator, "??? !!!") == []
    assert phone.problems() == []


# ---------------------------------------------------------------- 4. small screens, screen readers, weight


def test_page_fits_360px_every_field_is_labelled_and_targets_are_big(make_server, phones):
    server = make_server()
    phone = phones.open(server, viewport=NARROW)
    page = phone.page
    # a long unbroken word (a link pasted from Zalo, say) must not widen the page
    ask(phone, "Xin hỏi về https://caobang.gov.vn/" + "tin-tuc-thanh-nien-" * 12 + " ạ?")
    receipt_code(phone)

    assert page.evaluate("() => document.documentElement.scrollWidth") <= NARROW["width"]
    viewport = page.locator("meta[name=viewport]").get_attribute("content")
    assert "user-scalable=no" not in viewport and "maximum-scale" not in viewport

    fields = {
        "Câu hỏi của bạn": "textarea",
        "Họ và tên": "input",
        "Bạn thuộc đối tượng": "select",
        "Nhóm vấn đề": "select",
    }
    for label, tag in fields.items():
        field = page.get_by_label(label)
        expect(field).to_have_count(1)
        assert field.evaluate("e => e.tagName.toLowerCase()") == tag
    unlabelled = page.evaluate(
        "() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')].filter(e => !e.labels.length).map(e => e.id)"
    )
    assert unlabelled == []
    expect(page.get_by_label("Bạn thuộc đối tượng").locator("option")).to_have_count(8)  # none sensitive
    expect(page.get_by_label("Nhóm vấn đề").locator("option")).to_have_count(7)
    expect(page.get_by_role("status")).to_have_attribute("aria-live", "polite")

    targets = [
        page.get_by_label("Câu hỏi của bạn"),
        page.get_by_label("Họ và tên"),
        page.get_by_label("Bạn thuộc đối tượng"),
        page.get_by_label("Nhóm vấn đề"),
        page.get_by_role("button", name="Gửi câu hỏi"),
        page.get_by_role("link", name="English"),
        page.locator("label[for=consent-name]"),
        page.locator("label[for=consent-group]"),
    ]
    for target in targets:
        box = target.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44, (target, box)
    assert phone.problems() == []


def test_first_load_is_light(make_server, phones, artifacts):
    server = make_server()
    bodies: dict[str, int] = {}

    def count(page):
        page.on("requestfinished", lambda r: bodies.__setitem__(r.url, r.sizes()["responseBodySize"]))

    phone = phones.open(server, before=count)  # a fresh context: nothing cached
    phone.page.wait_for_load_state("networkidle")
    total = sum(bodies.values())
    (artifacts / "phone-first-load.json").write_text(
        json.dumps({"total": total, "budget": BUDGET, "responses": bodies}, indent=2) + "\n", encoding="utf-8"
    )
    assert not any(url.endswith((".woff", ".woff2", ".ttf")) for url in bodies), "no web fonts"
    assert not any("common.js" in url or "live.css" in url for url in bodies), "the staff screens' files stay off"
    assert total <= BUDGET, f"first load {total} bytes > {BUDGET}: {json.dumps(bodies, indent=1)}"
