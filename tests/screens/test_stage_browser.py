"""The question on the stage, in real Chromium: the MC's queue, the chairman's screen, the projector.

Phones at three bridge points are real Socket.IO clients holding a device cookie; the secretariat
is a real Socket.IO client with the moderator's link; the MC tablet (1280×800), the projector and
the chairman's screen (1920×1080) are real pages against a real ``live serve`` (eventlet) on the
Cao Bằng demo conference. Screenshots land in test-artifacts/ (mc-queue.png, mc-on-screen.png,
chair-question.png, projector-question.png, projector-question-long.png,
projector-question-short.png, projector-question-720p.png).
"""

from __future__ import annotations

import random
import re
import uuid

import pytest
from browser import HD_VIEWPORT, MC_VIEWPORT, screenshot, wait_until
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.timeout(150)]

HALL, QUANG_LAM, NAM_QUANG = "hall", "1304", "1297"
SITES = 57
FAST = 2000  # ms: what the hall expects between a tap on the tablet and the projector

SCHOLARSHIP = "Tỉnh có học bổng cho sinh viên nghèo theo học nghề tại Cao Bằng không ạ?"
DORMITORY = "Trường cao đẳng nghề có ký túc xá cho học sinh ở xã xa không?"
LOAN = "Thanh niên dân tộc thiểu số muốn vay vốn khởi nghiệp nuôi bò thì cần thủ tục gì?"
COOPERATIVE = "Tỉnh có hỗ trợ thanh niên lập hợp tác xã trồng hồi không?"
WIFI = "Khi nào nhà văn hóa các xóm có wifi miễn phí cho thanh niên học trực tuyến?"
UNVETTED = "CÂU HỎI CHƯA DUYỆT: không bao giờ được lên màn hình"


def qid() -> str:
    return str(uuid.uuid4())


class Desk:
    """The secretariat's console (a real Socket.IO client) and the phones it receives from."""

    def __init__(self, server, connect_staff, connect_phone, sites=(HALL, QUANG_LAM, NAM_QUANG)) -> None:
        self.moderator = connect_staff(server, "moderator")
        self.phones = {site: connect_phone(server, site=site) for site in sites}

    def ask(self, site: str, text: str, **extra) -> str:
        """A young person at ``site`` sends a question from a phone; its id."""
        reply = self.phones[site].call("question.submit", {"id": qid(), "site": site, "text": text, **extra})
        assert reply["ok"], reply
        return reply["id"]

    def fresh(self, ident: str) -> dict:
        return next(q for q in self.moderator.call("questions.get")["questions"] if q["id"] == ident)

    def act(self, action: str, ident: str, **args) -> dict:
        q = self.fresh(ident)
        reply = self.moderator.call(f"question.{action}", {"id": ident, "version": q["version"], **args})
        assert reply["ok"], reply
        return reply["question"]

    def approve(self, ident: str, theme: str | None = None, department: str | None = None, notes: str = "") -> dict:
        """Vet a question: its theme and answering department, the chairman's notes, then approve."""
        assigned = {k: v for k, v in (("theme", theme), ("department", department)) if v}
        if assigned:
            self.act("assign", ident, **assigned)
        if notes:
            self.act("note", ident, notes=notes)
        return self.act("approve", ident)


def item(screen, ident: str):
    return screen.page.locator(f"#queue .q-item[data-id='{ident}']")


def show(mc, ident: str) -> None:
    item(mc, ident).get_by_role("button", name="Trình chiếu", exact=True).click()


def tap(screen, name: str) -> None:
    screen.page.get_by_role("button", name=name, exact=True).click()


def site_count(chair, site: str):
    return chair.page.locator(f"#sites-answered li[data-site='{site}']")


def fit(projector) -> dict:
    """The question box on the projector: its size, its content's size, the font size chosen."""
    return projector.page.locator("#question-box").evaluate(
        """(box) => ({
            scrollHeight: box.scrollHeight, clientHeight: box.clientHeight,
            scrollWidth: box.scrollWidth, clientWidth: box.clientWidth,
            fontSize: parseFloat(getComputedStyle(box.querySelector('.question-text')).fontSize),
            lines: Math.round(box.querySelector('.question-text').getBoundingClientRect().height
                / parseFloat(getComputedStyle(box.querySelector('.question-text')).lineHeight)),
        })"""
    )


def fits(projector) -> dict:
    box = fit(projector)
    assert box["clientHeight"] > 200, box
    assert box["scrollHeight"] <= box["clientHeight"], f"the question overflows its box: {box}"
    assert box["scrollWidth"] <= box["clientWidth"], f"the question overflows its box: {box}"
    return box


# ---------------------------------------------------------------- the conference day


def test_the_mc_puts_questions_on_screen_theme_by_theme(make_server, screens, connect_staff, connect_phone, artifacts):
    server = make_server()
    desk = Desk(server, connect_staff, connect_phone)

    # questions come in from three bridge points; the secretariat vets most of them
    scholarship = desk.ask(QUANG_LAM, SCHOLARSHIP, group="hoc_sinh_sinh_vien", consent={"group": "1"})
    # a name with its consent, a group without: the group is dropped, and the name stays off the screens
    loan = desk.ask(NAM_QUANG, LOAN, group="cong_nhan", name="Nông Văn Minh", consent={"name": "1"})
    wifi = desk.ask(HALL, WIFI)
    dormitory = desk.ask(NAM_QUANG, DORMITORY, group="hoc_sinh_sinh_vien", consent={"group": "1"})
    cooperative = desk.ask(HALL, COOPERATIVE, group="kinh_te_gioi", consent={"group": "1"})
    unvetted = desk.ask(QUANG_LAM, UNVETTED)
    desk.approve(scholarship, "t1", "d5", notes="Nghị quyết 12/2024 của HĐND tỉnh: 50 suất mỗi năm.\nLiên hệ Sở GD&ĐT.")
    desk.approve(loan, "t2", "d16")
    desk.approve(wifi, "t3", "d3")
    desk.approve(dormitory, "t1")  # no answering department yet
    desk.approve(cooperative, "t2", "d4")

    mc = screens.open(server, "mc", MC_VIEWPORT)
    projector = screens.open(server, "projector", HD_VIEWPORT)
    chair = screens.open(server, "chair", HD_VIEWPORT)
    tap(mc, "Bắt đầu")  # the day runs

    # the MC's question tab: the approved queue by theme, in the conference's theme order
    tab = mc.page.get_by_role("tab", name=re.compile(r"^Câu hỏi"))
    expect(tab).to_contain_text("(5)")
    tab.click()
    groups = mc.page.locator("#queue .q-group")
    expect(groups.locator(".q-group-name > span:nth-child(2)")).to_have_text(
        [
            "Giáo dục, đào tạo nghề và học bổng",
            "Việc làm, khởi nghiệp và vốn vay",
            "Chuyển đổi số, khoa học và công nghệ",
        ]
    )
    expect(groups.nth(0).locator(".q-item")).to_have_count(2)
    expect(groups.nth(0).locator(".q-group-count")).to_have_text("2 câu hỏi")
    first = item(mc, scholarship)
    expect(first.locator(".q-origin")).to_have_text("Xã Quảng Lâm — học sinh, sinh viên")
    expect(first.locator(".q-dept")).to_have_text("Cơ quan trả lời: Sở Giáo dục và Đào tạo")
    expect(first.locator(".q-text")).to_have_text(SCHOLARSHIP)
    expect(item(mc, dormitory).locator(".q-dept")).to_have_text("Chưa phân công cơ quan trả lời")
    expect(item(mc, wifi).locator(".q-origin")).to_have_text("Trung tâm Hội nghị tỉnh (điểm cầu chính)")
    expect(first).to_have_class(re.compile(r"\bis-next\b"))  # nothing shown yet: the first one is next
    expect(first.locator(".q-badge")).to_have_text("Tiếp theo")
    # the MC and the chairman never see a question the secretariat has not approved
    assert UNVETTED not in mc.page.content() and UNVETTED not in chair.page.content()
    expect(chair.page.locator("#question-text")).to_have_text("")
    expect(chair.page.locator("#next .next-item").first.locator(".next-origin")).to_have_text(
        "Xã Quảng Lâm — học sinh, sinh viên"
    )
    expect(chair.page.locator("#sites-summary")).to_have_text(f"0/{SITES} điểm cầu đã được trả lời")
    expect(chair.page.locator("#sites-answered li.unheard")).to_have_count(SITES)
    expect(first.get_by_role("button", name="Trình chiếu")).to_be_enabled()  # rested after "Bắt đầu"
    screenshot(mc, artifacts, "mc-queue.png")

    # "Trình chiếu": within 2 s the projector and the chairman show the question and where it came from
    show(mc, scholarship)
    expect(projector.page.locator("#question-text")).to_have_text(SCHOLARSHIP, timeout=FAST)
    expect(projector.page.locator("#question-origin")).to_have_text("Xã Quảng Lâm — học sinh, sinh viên")
    expect(projector.page.locator("#current-question")).to_be_visible()
    expect(chair.page.locator("#question-text")).to_have_text(SCHOLARSHIP, timeout=FAST)
    expect(chair.page.locator("#question-origin")).to_have_text("Xã Quảng Lâm — học sinh, sinh viên")
    expect(chair.page.locator("#question-dept")).to_have_text("Sở Giáo dục và Đào tạo")
    expect(chair.page.locator("#question-notes")).to_have_text(
        "Nghị quyết 12/2024 của HĐND tỉnh: 50 suất mỗi năm.\nLiên hệ Sở GD&ĐT."
    )
    # the MC sees it on screen, with its buttons; the next one of the same theme is highlighted
    on_screen = mc.page.locator("#on-screen")
    expect(on_screen.locator("#on-screen-text")).to_have_text(SCHOLARSHIP)
    expect(first).to_have_attribute("data-status", "on_screen")
    expect(first.get_by_role("button", name="Trình chiếu")).to_have_count(0)
    expect(item(mc, dormitory)).to_have_class(re.compile(r"\bis-next\b"))
    expect(mc.page.locator("#tab-live")).to_be_visible()
    expect(chair.page.locator("#next .next-item.is-next .next-origin")).to_have_text(
        "Xã Nam Quang — học sinh, sinh viên"
    )
    expect(mc.page.locator("#btn-answer")).to_be_enabled()
    screenshot(mc, artifacts, "mc-on-screen.png")
    screenshot(chair, artifacts, "chair-question.png")
    screenshot(projector, artifacts, "projector-question.png")

    # "Đã trả lời": the projector goes back to the agenda; Quảng Lâm has had one answer
    tap(mc, "Đã trả lời")
    expect(projector.page.locator("#current-question")).to_be_hidden(timeout=FAST)
    expect(projector.page.locator("#projector")).to_have_attribute("data-question", "off")
    expect(projector.page.locator("[data-field=item-title]")).to_be_visible()
    expect(site_count(chair, QUANG_LAM)).to_have_attribute("data-count", "1", timeout=FAST)
    expect(site_count(chair, QUANG_LAM)).not_to_have_class(re.compile(r"\bunheard\b"))
    expect(chair.page.locator("#sites-answered li").last).to_have_attribute("data-site", QUANG_LAM)
    expect(chair.page.locator("#sites-summary")).to_have_text(f"1/{SITES} điểm cầu đã được trả lời")
    expect(chair.page.locator("#chair-question-empty")).to_be_visible()
    expect(item(mc, scholarship)).to_have_count(0)
    expect(item(mc, dormitory)).to_have_class(re.compile(r"\bis-next\b"))  # the same theme goes on
    expect(mc.page.locator("#on-screen-empty")).to_be_visible()

    # the next one goes up; it is forwarded for a written reply: the MC picks the department
    show(mc, dormitory)
    expect(projector.page.locator("#question-origin")).to_have_text("Xã Nam Quang — học sinh, sinh viên", timeout=FAST)
    tap(mc, "Chuyển văn bản")
    dialog = mc.page.locator("#forward-dialog")
    expect(dialog).to_be_visible()
    department = mc.page.get_by_label("Cơ quan trả lời", exact=True)
    expect(department).to_have_value("")  # none was assigned
    expect(dialog.get_by_role("button", name="Chuyển", exact=True)).to_be_disabled()
    department.select_option(label="Sở Giáo dục và Đào tạo")
    dialog.get_by_role("button", name="Chuyển", exact=True).click()
    expect(dialog).to_be_hidden()
    expect(projector.page.locator("#current-question")).to_be_hidden(timeout=FAST)
    expect(site_count(chair, NAM_QUANG)).to_have_attribute("data-count", "1", timeout=FAST)
    reply = desk.fresh(dormitory)
    assert reply["status"] == "forwarded" and reply["department"] == "d5"

    # the first theme is exhausted: the next theme follows
    expect(item(mc, loan)).to_have_class(re.compile(r"\bis-next\b"))
    expect(mc.page.locator("#queue .q-group")).to_have_count(2)

    # the MC moves the cooperative question above the loan within its theme
    theme2 = mc.page.locator("#queue .q-group").first.locator(".q-item")
    expect(theme2).to_have_count(2)
    expect(theme2.nth(0)).to_have_attribute("data-id", loan)
    item(mc, cooperative).get_by_role("button", name="Đưa lên").click()
    expect(theme2.nth(0)).to_have_attribute("data-id", cooperative)
    expect(theme2.nth(1)).to_have_attribute("data-id", loan)
    expect(item(mc, cooperative).get_by_role("button", name="Đưa lên")).to_be_disabled()
    expect(chair.page.locator("#next .next-item").first).to_have_attribute("data-id", cooperative)

    # showing a question, then the forward dialog offers the assigned department by default
    show(mc, loan)
    expect(projector.page.locator("#question-text")).to_have_text(LOAN, timeout=FAST)
    expect(projector.page.locator("#question-origin")).to_have_text("Xã Nam Quang")  # the commune alone
    tap(mc, "Chuyển văn bản")
    expect(department).to_have_value("d16")
    tap(mc, "Hủy")
    expect(dialog).to_be_hidden()
    # "Tắt": off the screen unanswered, back in the queue
    tap(mc, "Tắt")
    expect(projector.page.locator("#current-question")).to_be_hidden(timeout=FAST)
    expect(item(mc, loan)).to_have_attribute("data-status", "approved")
    assert desk.fresh(loan)["status"] == "approved"

    # someone else changed the question first and this tablet missed the news: the MC's tap is
    # refused with the server's sentence, and nothing reaches the projector
    mc.page.evaluate("() => Live.socket.off('question.changed')")
    desk.act("edit", wifi, text=WIFI + " (sửa chính tả)")
    show(mc, wifi)
    expect(mc.page.locator("#toast")).to_have_text(
        "Câu hỏi vừa được người khác thay đổi. Màn hình đã cập nhật; vui lòng xem lại rồi thao tác lại."
    )
    expect(projector.page.locator("#current-question")).to_be_hidden()
    assert desk.fresh(wifi)["status"] == "approved"

    # a reloaded chairman's screen counts the same
    chair.reload(wait=True)
    expect(site_count(chair, QUANG_LAM)).to_have_attribute("data-count", "1")
    expect(site_count(chair, NAM_QUANG)).to_have_attribute("data-count", "1")
    expect(site_count(chair, HALL)).to_have_class(re.compile(r"\bunheard\b"))
    assert UNVETTED not in projector.page.content()
    assert unvetted not in mc.page.content()
    screens.assert_clean()


# ---------------------------------------------------------------- any length fits the projector


def long_question(length: int = 1000) -> str:
    """A real-looking question of exactly ``length`` characters (the limit a phone may send)."""
    sentences = [
        "Kính thưa đồng chí Chủ tịch, em là sinh viên năm cuối ngành nông nghiệp ở xã Quảng Lâm.",
        "Gia đình em có ba sào ruộng bậc thang và muốn chuyển sang trồng cây dược liệu theo chuỗi liên kết.",
        "Xin hỏi tỉnh có chính sách hỗ trợ giống, phân bón và bao tiêu sản phẩm cho thanh niên không?",
        "Nếu vay vốn Ngân hàng Chính sách xã hội thì mức vay tối đa, lãi suất và thời hạn là bao nhiêu?",
        "Thủ tục có cần tài sản thế chấp không, và ai hướng dẫn chúng em lập phương án sản xuất?",
    ]
    text = ""
    i = 0
    while len(text) < length:
        text += sentences[i % len(sentences)] + " "
        i += 1
    return text[: length - 1].rstrip() + "?"


def test_any_question_fits_the_projector_from_one_line_to_a_thousand_characters(
    make_server, screens, connect_staff, connect_phone, artifacts
):
    server = make_server()
    desk = Desk(server, connect_staff, connect_phone, sites=(QUANG_LAM,))
    mc = connect_staff(server, "mc")
    long_text = long_question()
    assert len(long_text) == 1000
    long_id = desk.ask(QUANG_LAM, long_text, group="hoc_sinh_sinh_vien", consent={"group": "1"})
    short_id = desk.ask(QUANG_LAM, "Có học bổng không?")
    for ident in (long_id, short_id):
        desk.approve(ident, "t4", "d4")

    projector = screens.open(server, "projector", HD_VIEWPORT)
    operator = screens.open(server, "mc", MC_VIEWPORT)
    tap(operator, "Bắt đầu")
    operator.page.locator("[data-cmd='speaker.start'][data-seconds='180']").click()  # the answer is timed

    def put_on_screen(ident: str) -> None:
        q = desk.fresh(ident)
        assert mc.call("question.show", {"id": ident, "version": q["version"]})["ok"]

    # a thousand characters: the whole text fits the box (no overflow), in letters still readable
    put_on_screen(long_id)
    expect(projector.page.locator("#question-text")).to_have_text(long_text, timeout=FAST)
    expect(projector.page.locator("[data-speaker]").first).to_be_visible()
    wait_until(lambda: fit(projector)["scrollHeight"] <= fit(projector)["clientHeight"], message="the text fits")
    long_fit = fits(projector)
    assert long_fit["fontSize"] >= 28, long_fit
    assert long_fit["lines"] >= 8, long_fit
    screenshot(projector, artifacts, "projector-question-long.png")

    # the same on a 1280×720 projector, after the window changes size
    projector.page.set_viewport_size({"width": 1280, "height": 720})
    wait_until(lambda: fit(projector)["clientWidth"] < 1280, message="the layout follows the window")
    wait_until(lambda: fit(projector)["fontSize"] < long_fit["fontSize"], message="the text shrinks")
    small = fits(projector)
    assert small["fontSize"] >= 18, small
    screenshot(projector, artifacts, "projector-question-720p.png")
    projector.page.set_viewport_size(HD_VIEWPORT)
    wait_until(lambda: fit(projector)["fontSize"] == long_fit["fontSize"], message="back to full size")

    # a one-line question is big: a headline, on one line
    put_on_screen(short_id)
    expect(projector.page.locator("#question-text")).to_have_text("Có học bổng không?", timeout=FAST)
    wait_until(lambda: fit(projector)["fontSize"] >= 80, message="a short question is big")
    short = fits(projector)
    assert short["lines"] == 1, short
    expect(projector.page.locator("#question-origin")).to_have_text("Xã Quảng Lâm")
    screenshot(projector, artifacts, "projector-question-short.png")

    # the text size buttons (A+) change the base size: the question still fits
    projector.page.locator("[data-textsize='0.1']").click(force=True)
    wait_until(lambda: fit(projector)["scrollHeight"] <= fit(projector)["clientHeight"], message="still fits")
    put_on_screen(long_id)
    expect(projector.page.locator("#question-text")).to_have_text(long_text, timeout=FAST)
    fits(projector)
    screens.assert_clean()


# ---------------------------------------------------------------- nothing unvetted on screen


def test_an_unapproved_question_can_never_be_shown(make_server, screens, connect_staff, connect_phone):
    server = make_server()
    desk = Desk(server, connect_staff, connect_phone)
    projector = screens.open(server, "projector", HD_VIEWPORT)
    chair = screens.open(server, "chair", HD_VIEWPORT)
    mc = connect_staff(server, "mc")

    received = desk.ask(QUANG_LAM, "Chưa duyệt: lời lẽ chưa kiểm tra")
    rejected = desk.ask(NAM_QUANG, "Bị từ chối: nội dung không phù hợp")
    desk.act("reject", rejected, reason="inappropriate")
    kept = desk.ask(HALL, "Học bổng cho sinh viên nghèo có không?")
    merged = desk.ask(QUANG_LAM, "Bị gộp: hoc bong cho sv ngheo co ko?")
    desk.act("merge", merged, into=kept)
    withdrawn = desk.ask(HALL, "Đã duyệt rồi mở lại: chưa được chiếu")
    desk.approve(withdrawn)
    desk.act("reopen", withdrawn)
    secrets = {
        received: "Chưa duyệt",
        rejected: "Bị từ chối",
        merged: "Bị gộp",
        withdrawn: "Đã duyệt rồi mở lại",
    }

    def refused(payload, code=None) -> dict:
        reply = mc.call("question.show", payload)
        assert reply["ok"] is False, (payload, reply)
        assert reply["message"], reply  # a sentence for a person, never a stack trace
        if code:
            assert reply["code"] == code, (payload, reply)
        return reply

    for ident in secrets:
        q = desk.fresh(ident)
        refused({"id": ident, "version": q["version"]}, "question.bad_transition")
        refused({"id": ident, "version": q["version"] + 1}, "question.conflict")
        refused({"id": ident, "version": q["version"], "status": "approved"}, "question.bad_argument")
        refused({"id": ident, "version": q["version"], "force": True}, "question.bad_argument")
    rng = random.Random(4)
    for _ in range(10):
        refused({"id": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "version": 1}, "question.not_found")
    for bad in ("", "x", "../../q:1", "a" * 65, None, 42, ["id"], {"id": received}):
        refused({"id": bad, "version": 1})
    for bad_version in (None, "1", 1.0, True, [], {}):
        refused({"id": received, "version": bad_version})
    for payload in (None, [], "show", 42, {"version": 1}):
        refused(payload)

    # the projector never displayed any of them; the chairman's screen never had their text
    page = projector.page
    expect(page.locator("#current-question")).to_be_hidden()
    expect(page.locator("#projector")).to_have_attribute("data-question", "off")
    assert page.locator("#question-text").inner_text() == ""
    assert page.evaluate("() => Live.state.current_question") is None
    for text in secrets.values():
        assert text not in page.content() and text not in chair.page.content()
    assert all(q["status"] != "on_screen" for q in desk.moderator.call("questions.get")["questions"])

    # once approved, the question the duplicate was merged into is shown; the others still are not
    desk.approve(kept)
    assert mc.call("question.show", {"id": kept, "version": desk.fresh(kept)["version"]})["ok"]
    expect(page.locator("#question-text")).to_have_text("Học bổng cho sinh viên nghèo có không?", timeout=FAST)
    for text in secrets.values():
        assert text not in page.content()
    screens.assert_clean()
