"""The script (kịch bản) in real Chromium, from the secretariat's console to the MC's tablet.

Young people ask from phones at three bridge points (real Socket.IO clients); the secretariat
approves the questions of "Giáo dục, đào tạo nghề và học bổng". The Youth Union secretary opens the
script from the console, selects three of them, moves the last one up, and downloads the script
through the browser: python-docx reads it back in that order, LibreOffice renders it to PDF (a
fresh profile; its first page as PNG when poppler's ``pdftoppm`` is there, to look at). The MC's
tablet shows the queue in the script's order, and follows a change made on the script page
without a reload. Screenshots: test-artifacts/script-*.png (desktop 1366×768, phone 390×844).
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import uuid

import docx
import pytest
from browser import MC_VIEWPORT, screenshot
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
SCHOLARSHIP = "Tỉnh có học bổng cho sinh viên dân tộc thiểu số học đại học không ạ?"
DORMITORY = "Trường cao đẳng nghề có ký túc xá cho học sinh ở xã xa không?"
TEACHERS = "Khi nào các điểm trường vùng cao có đủ giáo viên tiếng Anh?"
LEFT_OUT = "Xã có mở lớp dạy nghề may cho thanh niên không?"
WAITING = "Câu hỏi chưa duyệt: không bao giờ vào kịch bản."


class Desk:
    """Phones at three sites and the secretariat's socket, as on the day."""

    def __init__(self, server, connect_staff, connect_phone) -> None:
        self.moderator = connect_staff(server, "moderator")
        self.phones = {site: connect_phone(server, site=site) for site in ("hall", "1304", "1297")}

    def ask(self, site: str, text: str, **extra) -> str:
        reply = self.phones[site].call(
            "question.submit", {"id": str(uuid.uuid4()), "site": site, "text": text, **extra}
        )
        assert reply["ok"], reply
        return reply["id"]

    def get(self, ident: str) -> dict:
        return next(q for q in self.moderator.call("questions.get")["questions"] if q["id"] == ident)

    def act(self, action: str, ident: str, **args) -> None:
        reply = self.moderator.call(f"question.{action}", {"id": ident, "version": self.get(ident)["version"], **args})
        assert reply["ok"], reply


def render_pdf(path, out, name: str):
    """The DOCX rendered by LibreOffice in a fresh profile: the PDF's path."""
    soffice = shutil.which("soffice") or "/usr/bin/soffice"
    subprocess.run(
        [
            soffice, f"-env:UserInstallation=file://{out}/lo-{uuid.uuid4().hex}", "--headless",
            "--convert-to", "pdf", "--outdir", str(out), str(path),
        ],
        check=True, timeout=120, capture_output=True,
    )  # fmt: skip
    pdf = out / (path.stem + ".pdf")
    assert pdf.exists(), f"LibreOffice made no PDF of {name}"
    return pdf


def pages(pdf) -> int:
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True, timeout=60).stdout
        return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    return len(re.findall(rb"/Type\s*/Page\b", pdf.read_bytes()))


def test_the_secretary_builds_the_script_and_the_mc_follows_it(
    make_server, screens, connect_staff, connect_phone, artifacts, tmp_path
):
    server = make_server()
    desk = Desk(server, connect_staff, connect_phone)
    scholarship = desk.ask(
        "1304", SCHOLARSHIP, name="Nông Thị Hoa", group="hoc_sinh_sinh_vien", consent={"name": "1", "group": "1"}
    )
    dormitory = desk.ask("1297", DORMITORY, group="cong_nhan")  # no consent: no group
    teachers = desk.ask("hall", TEACHERS)
    left_out = desk.ask("1304", LEFT_OUT)
    waiting = desk.ask("1297", WAITING)
    for ident, department in ((scholarship, "d5"), (dormitory, "d5"), (teachers, None), (left_out, "d2")):
        desk.act("assign", ident, theme="t1", **({"department": department} if department else {}))
        desk.act("approve", ident)
    desk.act("assign", waiting, theme="t1")

    # the MC's tablet is open all along
    mc = screens.open(server, "mc", MC_VIEWPORT)
    mc.page.get_by_role("tab", name=re.compile(r"^Câu hỏi")).click()
    first_theme = mc.page.locator("#queue .q-group").first.locator(".q-item .q-text")
    expect(first_theme).to_have_count(4)

    # ---- from the console to the script page
    console = screens.open(server, "moderator", DESKTOP)
    page = console.page
    page.locator("#desk-pages summary").click()  # the other pages of the secretariat
    page.locator("#script-link").click()
    expect(page).to_have_url(re.compile(r"/kich-ban$"))
    expect(page.locator("h1")).to_have_text("Kịch bản hội nghị")
    page.locator("#me").fill("Bí thư Tỉnh đoàn")
    page.locator("#me").dispatch_event("change")
    theme = page.locator("section[data-theme='t1']")
    expect(theme.locator(".s-received")).to_contain_text("1 câu hỏi của nhóm này đang chờ duyệt")
    assert WAITING not in page.content()

    def choose(ident: str) -> None:
        theme.locator(f"li.s-other[data-id='{ident}']").get_by_role("button", name="Chọn vào kịch bản").click()
        expect(theme.locator(f"ol.s-script li[data-id='{ident}']")).to_be_visible()

    for ident in (dormitory, scholarship, teachers):
        choose(ident)
    script = theme.locator("ol.s-script li.s-q")
    expect(script.locator(".s-text")).to_have_text([DORMITORY, SCHOLARSHIP, TEACHERS])
    expect(script.locator(".s-n")).to_have_text(["1", "2", "3"])
    item = theme.locator(f"li[data-id='{scholarship}']")
    expect(item.locator(".s-origin")).to_have_text(
        "Điểm cầu: Xã Quảng Lâm — học sinh, sinh viên · Người hỏi: Nông Thị Hoa"
    )
    expect(item.locator(".s-dept")).to_have_text("Cơ quan trả lời: Sở Giáo dục và Đào tạo")
    expect(theme.locator(f"li[data-id='{dormitory}'] .s-origin")).to_have_text("Điểm cầu: Xã Nam Quang")
    # the MC's queue follows at once: the script first, the question left out after it
    expect(first_theme).to_have_text([DORMITORY, SCHOLARSHIP, TEACHERS, LEFT_OUT])

    # ---- the teachers' question goes up twice, the dormitory down once
    theme.locator(f"li[data-id='{teachers}']").get_by_role("button", name=re.compile("^Chuyển lên")).click()
    expect(script.locator(".s-text")).to_have_text([DORMITORY, TEACHERS, SCHOLARSHIP])
    theme.locator(f"li[data-id='{teachers}']").get_by_role("button", name=re.compile("^Chuyển lên")).click()
    expect(script.locator(".s-text")).to_have_text([TEACHERS, DORMITORY, SCHOLARSHIP])
    theme.locator(f"li[data-id='{dormitory}']").get_by_role("button", name=re.compile("^Chuyển xuống")).click()
    expect(script.locator(".s-text")).to_have_text([TEACHERS, SCHOLARSHIP, DORMITORY])
    expect(page.locator("#done")).to_contain_text("Đã đổi thứ tự câu hỏi")
    expect(first_theme).to_have_text([TEACHERS, SCHOLARSHIP, DORMITORY, LEFT_OUT])
    screenshot(console, artifacts, "script-desktop.png")
    page.screenshot(path=str(artifacts / "script-desktop-full.png"), full_page=True)

    # ---- the script through the browser's download
    with page.expect_download() as got:
        page.locator("#download-script").click()
    assert got.value.suggested_filename == "kich-ban-hoi-nghi-doi-thoai-2025.docx"
    path = tmp_path / got.value.suggested_filename
    got.value.save_as(str(path))
    document = docx.Document(io.BytesIO(path.read_bytes()))
    paragraphs = [p.text for p in document.paragraphs]
    assert "KỊCH BẢN" in paragraphs and "I. CHƯƠNG TRÌNH" in paragraphs
    assert "1. Nhóm vấn đề “Giáo dục, đào tạo nghề và học bổng”: 3 câu hỏi" in paragraphs
    asked = [p.split("): ", 1)[1] for p in paragraphs if p.startswith("Câu ")]
    assert asked == [TEACHERS, SCHOLARSHIP, DORMITORY]
    assert "Người hỏi: Nông Thị Hoa" in paragraphs and LEFT_OUT not in "\n".join(paragraphs)
    with page.expect_download() as got:
        page.locator("#download-chair").click()
    assert got.value.suggested_filename == "tai-lieu-chu-tich-hoi-nghi-doi-thoai-2025.docx"
    with page.expect_download() as got:
        page.locator("a[data-department='d5']").click()
    assert got.value.suggested_filename == "tai-lieu-so-giao-duc-va-dao-tao-hoi-nghi-doi-thoai-2025.docx"

    # ---- LibreOffice renders it: A4 pages, the first one as an image to look at
    pdf = render_pdf(path, tmp_path, "the script")
    assert pages(pdf) >= 1
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-r", "80", "-png", "-f", "1", "-l", "1", str(pdf), str(artifacts / "script-docx")],
            check=True, timeout=60,
        )  # fmt: skip
        assert list(artifacts.glob("script-docx*.png"))

    # ---- taken out on the script page: the MC's tablet follows without a reload
    theme.locator(f"li[data-id='{scholarship}']").get_by_role("button", name="Bỏ khỏi kịch bản").click()
    expect(script.locator(".s-text")).to_have_text([TEACHERS, DORMITORY])
    expect(first_theme).to_have_text([TEACHERS, DORMITORY, SCHOLARSHIP, LEFT_OUT])
    screenshot(mc, artifacts, "script-mc-queue.png")

    # ---- the page on a phone
    phone = screens.open(server, "moderator", PHONE)
    phone.page.goto(server.url + "/kich-ban")
    expect(phone.page.locator("section[data-theme='t1'] ol.s-script li")).to_have_count(2)
    width = phone.page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is wider than the phone: {width}px"
    screenshot(phone, artifacts, "script-phone.png")
    screens.assert_clean()
