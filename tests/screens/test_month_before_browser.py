"""The month before the day, as issue 24 tells it, in real Chromium against a real ``live serve``.

1. The admin dates the dialogue two weeks ahead and opens the question window; a young person asks
   from home (the public page, the commune found without diacritics), a phone asks over its socket,
   and the Youth Union imports a branch's list.
2. The admin closes the window until the day: a phone is refused politely, and the outbox's retry of
   a question stored before is still acknowledged.
3. The secretariat assigns preparation; one question's due date passes and it is flagged; the
   department writes both prepared answers through its link; the secretariat accepts one.
4. The Youth Union's secretary selects and orders the script, downloads it (python-docx reads it
   back, LibreOffice renders it to PDF, its first page is kept as an image to look at).
5. On the day (the admin sets the date to today) the window reopens and the MC's queue follows the
   script. 6. The MC shows a question: the chairman reads its prepared answer. 7. A question sent on
   the day joins the queue where the secretariat puts it.

Screenshots in test-artifacts/month-*.png.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import time
import uuid
from zoneinfo import ZoneInfo

import docx
import pytest
from browser import _CSP_REPORTER, MC_VIEWPORT, Screen, screenshot
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}
JOBS = "t2"  # "Việc làm, khởi nghiệp và vốn vay"
HOME = "Thanh niên khởi nghiệp trồng dược liệu được vay vốn ưu đãi tối đa bao nhiêu?"
SOCKET = "Tỉnh có chương trình kết nối việc làm cho sinh viên mới ra trường không?"
BRANCH = "Thanh niên xuất ngũ trở về được hỗ trợ học nghề và việc làm thế nào?"
REFUSED = "Câu hỏi gửi khi đã hết hạn tổng hợp?"
ON_THE_DAY = "Bao giờ tỉnh mở sàn giao dịch việc làm cho thanh niên ở các xã vùng cao?"
PREPARED_HOME = "Vay tối đa 100 triệu đồng; dưới 100 triệu không cần tài sản bảo đảm."
PREPARED_SOCKET = "Sàn giao dịch việc làm mỗi tháng; 35 doanh nghiệp nhận thực tập có lương."
DEPARTMENT, DEPARTMENT_NAME = "d1", "Sở Nội vụ"


def local(moment: float) -> str:
    return dt.datetime.fromtimestamp(moment, ZONE).strftime("%d/%m/%Y %H:%M")


def day(offset: int = 0) -> dt.date:
    return dt.datetime.now(ZONE).date() + dt.timedelta(days=offset)


def dmy(date: dt.date) -> str:
    return date.strftime("%d/%m/%Y")


def branch_file() -> bytes:
    head = "Xã/phường (điểm cầu),Chi đoàn / đơn vị,Nội dung câu hỏi,Họ tên (nếu người hỏi đồng ý),Đối tượng,Nhóm vấn đề"
    rows = [
        f'Xã Nam Quang,Chi đoàn thôn Bản Giới,"{BRANCH}",,Lực lượng vũ trang,"Việc làm, khởi nghiệp và vốn vay"',
        'nam quang,Chi đoàn thôn Bản Giới,"Xã có mở lớp tin học miễn phí cho thanh niên không?",,,',
    ]
    return ("\n".join([head, *rows]) + "\n").encode("utf-8")


def set_window(admin, periods: str) -> None:
    admin.goto(admin.url.split("/admin")[0] + "/admin/thoi-gian-nhan-cau-hoi/")
    admin.get_by_label(re.compile("Mỗi dòng một khoảng thời gian")).fill(periods)
    admin.get_by_role("button", name="Lưu thời gian nhận câu hỏi").click()
    expect(admin.locator(".flash.ok")).to_contain_text("Đã lưu thời gian nhận câu hỏi")


def set_date(admin, date: dt.date) -> None:
    admin.goto(admin.url.split("/admin")[0] + "/admin/")
    admin.locator("#conference-form input[name=date]").fill(dmy(date))
    admin.locator("#save").click()
    expect(admin.locator(".flash.ok").first).to_be_visible()


def test_the_month_before_the_day_from_the_first_question_to_the_script_and_the_day(
    make_server, screens, connect_staff, connect_phone, artifacts, tmp_path
):
    server = make_server()
    desk = connect_staff(server, "moderator")
    phone = connect_phone(server, site="1297")

    def stored(text: str) -> dict:
        found = [q for q in desk.call("questions.get")["questions"] if q["text"] == text]
        assert len(found) == 1, (text, found)
        return found[0]

    def act(action: str, text: str, **args) -> None:
        q = stored(text)
        reply = desk.call(f"question.{action}", {"id": q["id"], "version": q["version"], **args})
        assert reply["ok"], reply

    # ---- 1. the plan is published: the day two weeks ahead, questions received until the deadline
    admin_screen = screens.open(server, "admin", DESKTOP)
    admin = admin_screen.page
    the_day = day(14)
    set_date(admin, the_day)
    now = time.time()
    set_window(admin, f"{local(now - 3600)} - {local(now + 7 * 86400)}")

    home = public(screens, server).page
    home.goto(f"{server.url}/doi-thoai")
    expect(home.locator("#date")).to_have_text(dmy(the_day))
    expect(home.locator("#window-state")).to_contain_text("Đang nhận câu hỏi")
    home.get_by_role("link", name="Đặt câu hỏi từ nhà").click()
    home.get_by_label(re.compile("Tìm xã, phường của bạn")).fill("quang lam")
    home.get_by_role("link", name=re.compile("Xã Quảng Lâm")).click()
    expect(home.locator("#conn")).to_have_text("Đã kết nối")
    home.get_by_label("Câu hỏi của bạn").fill(HOME)
    home.locator("#theme").select_option(JOBS)
    home.get_by_role("button", name="Gửi câu hỏi").click()
    expect(home.locator("#result .code")).to_have_text(re.compile(r"^[2-9A-Z]{6}$"))
    home.screenshot(path=str(artifacts / "month-home-receipt.png"))

    socket_id = str(uuid.uuid4())
    sent = {"id": socket_id, "site": "1297", "text": SOCKET, "theme": JOBS}
    assert phone.call("question.submit", sent)["ok"]

    branches = screens.open(server, "moderator", DESKTOP).page
    branches.goto(f"{server.url}/nhap-danh-sach/")
    path = tmp_path / "chi-doan-ban-gioi.csv"
    path.write_bytes(branch_file())
    branches.locator("#branch-file").set_input_files(str(path))
    branches.locator("#branch-by").fill("Bí thư Đoàn xã Nam Quang")
    branches.locator("#branch-submit").click()
    expect(branches.locator("#import-result")).to_have_text(
        "Đã nhập 2 câu hỏi mới từ tệp chi-doan-ban-gioi.csv; 0 câu đã có từ trước (không nhập lại)."
    )
    assert {stored(t)["phase"] for t in (HOME, SOCKET, BRANCH)} == {"before"}
    assert [stored(t)["channel"] for t in (HOME, SOCKET, BRANCH)] == ["qr", "qr", "branch"]

    # ---- 2. the branches' deadline: closed until the day; a phone is refused, a retry still answered
    now = time.time()
    set_window(admin, f"{local(now - 3600)} - {local(now - 60)}\n{dmy(the_day)} 07:00 - {dmy(the_day)} 11:30")
    expect(admin.locator("#window-now")).to_contain_text("mở lại từ 07:00")
    home.reload()
    expect(home.locator("#window-state")).to_contain_text("mở lại từ 07:00 ngày " + dmy(the_day))
    home.get_by_label("Câu hỏi của bạn").fill(REFUSED)
    home.get_by_role("button", name="Gửi câu hỏi").click()
    expect(home.get_by_role("status")).to_contain_text("Câu hỏi chưa được gửi.")
    expect(home.get_by_label("Câu hỏi của bạn")).to_have_value(REFUSED)
    home.screenshot(path=str(artifacts / "month-phone-refused.png"))
    again = phone.call("question.submit", sent)  # the outbox's retry of a question stored before
    assert again["ok"] and again["id"] == socket_id
    assert not [q for q in desk.call("questions.get")["questions"] if q["text"] == REFUSED]

    # ---- 3. preparation: two questions to a department, one overdue; it writes both; one accepted
    for text in (HOME, SOCKET, BRANCH):
        act("approve", text)
    console = screens.open(server, "moderator", DESKTOP)
    page = console.page
    page.goto(f"{server.url}/chuan-bi")
    home_q, socket_q = stored(HOME), stored(SOCKET)
    for q in (home_q, socket_q):
        page.locator(f"#c-{q['code']} input[name=pick]").check()
    page.locator("#bulk-department").select_option(label=DEPARTMENT_NAME)
    page.locator("#bulk-due").fill(dmy(day(5)))
    page.get_by_role("button", name="Giao các câu đã chọn").click()
    expect(page.locator(".flash.ok")).to_contain_text(f"Đã giao 2 câu hỏi cho {DEPARTMENT_NAME}")
    card = page.locator(f"#q-{home_q['code']}")
    card.locator("summary").click()
    card.get_by_label("Hạn chuẩn bị (dd/mm/yyyy)").fill(dmy(day(-1)))
    card.get_by_role("button", name="Lưu").click()
    flagged = page.locator(f"#flagged li[data-code='{home_q['code']}']")
    expect(flagged).to_contain_text("QUÁ HẠN 1 ngày")
    screenshot(console, artifacts, "month-preparation-flagged.png")

    link = admin_links(admin, server)[DEPARTMENT]
    office = public(screens, server).page
    office.goto(link)
    expect(office.locator(f"#p-{home_q['code']} .deadline")).to_contain_text("QUÁ HẠN 1 ngày")
    for q, text in ((home_q, PREPARED_HOME), (socket_q, PREPARED_SOCKET)):
        office.locator(f"#p-{q['code']} textarea").fill(text)
        office.locator(f"#p-{q['code']}").get_by_role("button", name="Gửi trả lời chuẩn bị").click()
        expect(office.locator(f"#p-{q['code']} .pstate")).to_have_text("Đã gửi, chờ duyệt")
    office.screenshot(path=str(artifacts / "month-department.png"), full_page=True)
    page.reload()
    page.locator(f"#r-{home_q['code']}").get_by_role("button", name="Chấp nhận").click()
    expect(page.locator(f"#q-{home_q['code']} .pstate")).to_have_text("Đã được chấp nhận")
    expect(page.locator("#flagged")).not_to_contain_text(home_q["code"])  # written: no longer owed

    # ---- 4. the script: selected, ordered, downloaded, read back, rendered to PDF
    page.goto(f"{server.url}/kich-ban")
    theme = page.locator(f"section[data-theme='{JOBS}']")
    for text in (HOME, SOCKET, BRANCH):
        ident = stored(text)["id"]
        theme.locator(f"li.s-other[data-id='{ident}']").get_by_role("button", name="Chọn vào kịch bản").click()
        expect(theme.locator(f"ol.s-script li[data-id='{ident}']")).to_be_visible()
    theme.locator(f"li[data-id='{socket_q['id']}']").get_by_role("button", name=re.compile("^Chuyển lên")).click()
    script = theme.locator("ol.s-script li.s-q .s-text")
    expect(script).to_have_text([SOCKET, HOME, BRANCH])
    screenshot(console, artifacts, "month-script.png")
    with page.expect_download() as got:
        page.locator("#download-script").click()
    saved = tmp_path / got.value.suggested_filename
    got.value.save_as(str(saved))
    paragraphs = [p.text for p in docx.Document(io.BytesIO(saved.read_bytes())).paragraphs]
    asked = [p.split("): ", 1)[1] for p in paragraphs if p.startswith("Câu ")]
    assert asked == [SOCKET, HOME, BRANCH]
    said = "\n".join(paragraphs)
    assert PREPARED_HOME in said and PREPARED_SOCKET in said and f"Cơ quan trả lời: {DEPARTMENT_NAME}" in said
    pdf = render_pdf(saved, tmp_path)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, timeout=60).stdout
    assert "KỊCH BẢN" in text and "Việc làm, khởi nghiệp và vốn vay" in text
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-r", "70", "-png", "-f", "1", "-l", "2", str(pdf), str(artifacts / "month-script-pdf")], check=True, timeout=60)  # fmt: skip

    # ---- 5. the day: the date is today, the window reopens, the MC's queue follows the script
    set_date(admin, day(0))
    now = time.time()
    set_window(admin, f"{local(now - 3600)} - {local(now + 3600)}")
    mc = screens.open(server, "mc", MC_VIEWPORT)
    mc.page.get_by_role("tab", name=re.compile(r"^Câu hỏi")).click()
    queue = mc.page.locator(f"#queue .q-group[data-theme='{JOBS}'] .q-item .q-text")
    expect(queue).to_have_text([SOCKET, HOME, BRANCH])
    prepared = mc.page.locator(f"#queue .q-item[data-id='{home_q['id']}'] .prep-chip")
    expect(prepared).to_have_text("Có trả lời chuẩn bị")

    # ---- 6. the MC shows the question asked from home: the chairman reads its prepared answer
    chair = screens.open(server, "chair", DESKTOP)
    mc.page.locator(f"#queue .q-item[data-id='{home_q['id']}'] .q-show").click()
    expect(chair.page.locator("#question-text")).to_have_text(HOME)
    expect(chair.page.locator("#question-prep")).to_have_text(PREPARED_HOME)
    expect(chair.page.locator("#question-prep-title")).to_have_text(f"Trả lời chuẩn bị của {DEPARTMENT_NAME}")
    screenshot(chair, artifacts, "month-chair.png")

    # ---- 7. a question sent on the day joins the queue where the secretariat puts it
    home.reload()
    expect(home.locator("#window-state")).to_contain_text("Đang nhận câu hỏi")
    home.get_by_label("Câu hỏi của bạn").fill(ON_THE_DAY)
    home.locator("#theme").select_option(JOBS)
    home.get_by_role("button", name="Gửi câu hỏi").click()
    expect(home.locator("#result .msg.ok")).to_contain_text("Đã nhận câu hỏi")
    assert stored(ON_THE_DAY)["phase"] == "day"
    act("approve", ON_THE_DAY)
    expect(queue).to_have_text([SOCKET, HOME, BRANCH, ON_THE_DAY])  # approved: the end of its theme
    act("order", ON_THE_DAY, after=socket_q["id"])
    expect(queue).to_have_text([SOCKET, ON_THE_DAY, HOME, BRANCH])
    screenshot(mc, artifacts, "month-mc-queue.png")
    screens.assert_clean(allow=[r"status of 400"])  # nothing refused on purpose but the closed window's


def public(screens, server) -> Screen:
    """A phone-sized browser of someone who has no link: a young person, a department's officer."""
    context = screens.browser.new_context(viewport=PHONE, locale="vi-VN", has_touch=True, is_mobile=True)
    context.add_init_script(_CSP_REPORTER)
    page = context.new_page()
    page.set_default_timeout(10_000)
    screen = Screen(role="phone", base_url=server.url, context=context, page=page)
    page.on("console", lambda m: m.type == "error" and screen.console_errors.append(m.text))
    page.on("pageerror", lambda e: screen.page_errors.append(str(e)))
    page.on("request", lambda r: screen.urls.append(r.url))
    screens.opened.append(screen)  # closed after the test, and checked by assert_clean
    return screen


def admin_links(admin, server) -> dict[str, str]:
    """Each department's secret link, as the admin page lists them."""
    admin.goto(f"{server.url}/admin/")
    rows = admin.locator("#department-links tr[data-department]")
    return {r.get_attribute("data-department"): r.locator("code").inner_text() for r in rows.all()}


def render_pdf(path, out):
    """The DOCX rendered to PDF by LibreOffice in a fresh profile."""
    soffice = shutil.which("soffice") or "/usr/bin/soffice"
    profile = f"-env:UserInstallation=file://{out}/lo-{uuid.uuid4().hex}"
    subprocess.run(
        [soffice, profile, "--headless", "--convert-to", "pdf", "--outdir", str(out), str(path)],
        check=True, timeout=120, capture_output=True,
    )  # fmt: skip
    pdf = out / (path.stem + ".pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    return pdf
