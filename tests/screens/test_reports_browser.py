"""The secretariat's reports page in real Chromium: from the console to the page, a summary
written and saved, the statistics on screen, and the notice draft downloaded and read back."""

from __future__ import annotations

import io
import re

import docx
import openpyxl
import pytest
from afterday import play_a_morning
from browser import screenshot
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SUMMARY = "Ngân hàng CSXH cho vay tới 100 triệu đồng; hồ sơ nộp tại UBND xã <b>trước 30/9</b>."


def test_the_secretariat_writes_a_summary_and_downloads_the_notice_draft(
    make_server, screens, connect_staff, connect_phone, artifacts
):
    server = make_server()
    asked = play_a_morning(server, connect_staff, connect_phone)
    console = screens.open(server, "moderator", {"width": 1440, "height": 900})
    page = console.page

    page.locator("#desk-pages summary").click()  # the other pages of the secretariat
    page.locator("#reports-link").click()
    expect(page).to_have_url(re.compile(r"/reports/$"))
    expect(page.locator("h1")).to_have_text("Báo cáo sau hội nghị")
    expect(page.locator("#summary-count")).to_have_text("Còn 1/1 câu chưa có tóm tắt.")
    # the statistics, ready to paste into a report
    quang_lam = page.locator("table[data-table=theo-diem-cau] tr", has_text="Xã Quảng Lâm")
    expect(quang_lam.locator("td")).to_have_text(["1304", "Xã Quảng Lâm", "2", "1", "1", "0", "1", "0", "0"])
    expect(page.locator("table[data-table=chuong-trinh] tr.total td").nth(1)).to_have_text("Tổng cộng")

    item = page.locator(f"#q-{asked['grant']['id']}")
    expect(item.locator(".summary-question")).to_have_text(asked["grant"]["text"])
    page.locator("#me").fill("Lan")
    page.locator("#me").dispatch_event("change")
    item.locator("textarea").fill(SUMMARY)
    item.get_by_role("button", name="Lưu tóm tắt").click()
    # the confirmation shows where the secretary is, not at the top of a long page
    expect(item.locator(".flash.ok")).to_have_text(f"Đã lưu tóm tắt trả lời của câu hỏi {asked['grant']['code']}.")
    expect(page.locator("#summary-count")).to_have_text("Còn 0/1 câu chưa có tóm tắt.")
    expect(page.locator(f"#q-{asked['grant']['id']} textarea")).to_have_value(SUMMARY)  # as typed, not markup
    screenshot(console, artifacts, "reports-page.png")
    entry = connect_staff(server, "admin").call("audit.get")["entries"][-1]
    assert (entry["action"], entry["name"], entry["after"]["summary"]) == ("summarize", "Lan", SUMMARY)

    with page.expect_download() as got:
        page.locator("#dl-docx").click()
    download = got.value
    assert download.suggested_filename == "thong-bao-ket-luan-2025-08-28.docx"
    document = docx.Document(download.path())
    texts = [p.text for p in document.paragraphs]
    assert "THÔNG BÁO" in texts
    assert f"Nội dung trả lời (Ngân hàng Chính sách xã hội tỉnh): {SUMMARY}" in texts
    header = [p.text for p in document.tables[0].rows[0].cells[1].paragraphs if p.text]
    assert header[:2] == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]

    with page.expect_download() as got:
        page.locator("#dl-xlsx").click()
    book = openpyxl.load_workbook(io.BytesIO(open(got.value.path(), "rb").read()))
    assert book.sheetnames == ["Câu hỏi", "Theo điểm cầu", "Theo nhóm vấn đề", "Chương trình", "Nhật ký thao tác"]
    screens.assert_clean()
