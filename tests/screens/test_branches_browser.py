"""The branches' lists in real Chromium: from the secretariat's console to the import page, the
Excel template downloaded and filled in, the upload counted, the questions appearing on another
secretary's open console (tagged with their commune and "Danh sách chi đoàn") without a reload, a
file with a wrong row refused whole with its row named, and the same file again storing nothing.
Screenshots: test-artifacts/branches-*.png."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from browser import screenshot
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1440, "height": 900}
QUESTIONS = [
    (
        "Quảng Lâm",
        "Chi đoàn thôn Nà Pò",
        "Xã có mở lớp dạy nghề may cho thanh niên không?",
        "Nông Thị Hoa",
        "Công nhân",
    ),
    ("1297", "Chi đoàn trường THPT Nam Quang", "Học sinh nghèo được xét học bổng thế nào?", "", ""),
    ("Phường Tân Giang", "Đoàn phường Tân Giang", "Khi nào phường có sân bóng cho thanh niên?", "", ""),
]


def filled(template: bytes, rows) -> bytes:
    """The downloaded template with its example row replaced by ``rows``, saved as Excel would."""
    book = openpyxl.load_workbook(io.BytesIO(template))
    sheet = book.worksheets[0]
    sheet.delete_rows(2)
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_secretariat_imports_a_branch_list_once(make_server, screens, artifacts, tmp_path):
    server = make_server()
    console = screens.open(server, "moderator", DESKTOP)  # a second secretary, watching the feed
    importer = screens.open(server, "moderator", DESKTOP)
    page = importer.page

    page.locator("#desk-pages summary").click()  # the other pages of the secretariat
    page.locator("#branches-link").click()
    expect(page).to_have_url(re.compile(r"/nhap-danh-sach/$"))
    expect(page.locator("h1")).to_have_text("Nhập danh sách câu hỏi của các chi đoàn")
    with page.expect_download() as got:
        page.locator("#template-xlsx").click()
    assert got.value.suggested_filename == "mau-danh-sach-cau-hoi.xlsx"
    template = open(got.value.path(), "rb").read()
    headings = [c.value for c in openpyxl.load_workbook(io.BytesIO(template)).worksheets[0][1]]
    assert headings[:3] == ["Xã/phường (điểm cầu)", "Chi đoàn / đơn vị", "Nội dung câu hỏi"]

    # a wrong commune in one row: nothing is imported, and the row is named
    wrong = tmp_path / "sai.xlsx"
    wrong.write_bytes(filled(template, [*QUESTIONS, ("Xã Không Có", "Chi đoàn X", "Câu hỏi?", "", "")]))
    page.locator("#branch-file").set_input_files(str(wrong))
    page.locator("#branch-by").fill("Lan")
    page.locator("#branch-submit").click()
    expect(page.locator("#import-problems li")).to_have_text(
        ["Dòng 5: xã/phường “Xã Không Có” không có trong danh sách điểm cầu của hội nghị."]
    )
    screenshot(importer, artifacts, "branches-refused.png")
    expect(console.page.locator("li.q .q-ch.ch-branch")).to_have_count(0)

    good = tmp_path / "danh-sach.xlsx"
    good.write_bytes(filled(template, QUESTIONS))
    page.locator("#branch-file").set_input_files(str(good))
    page.locator("#branch-by").fill("Lan")
    page.locator("#branch-submit").click()
    expect(page.locator("#import-result")).to_have_text(
        "Đã nhập 3 câu hỏi mới từ tệp danh-sach.xlsx; 0 câu đã có từ trước (không nhập lại)."
    )
    expect(page.locator("#import-consent")).to_contain_text("1 câu hỏi mới có họ tên hoặc đối tượng")
    screenshot(importer, artifacts, "branches-imported.png")

    # the other console shows them at once, with their commune and channel
    feed = console.page
    rows = feed.locator("li.q", has=feed.locator(".q-ch.ch-branch"))
    expect(rows).to_have_count(3)
    hoa = feed.locator("li.q", has_text=QUESTIONS[0][2])
    expect(hoa.locator(".q-ch")).to_have_text("Chi đoàn")
    expect(hoa.locator(".q-site")).to_have_text("Xã Quảng Lâm")
    expect(hoa.locator(".q-name")).to_have_text("Nông Thị Hoa")
    expect(feed.locator("li.q", has_text=QUESTIONS[2][2]).locator(".q-site")).to_have_text("Phường Tân Giang")
    hoa.click()
    expect(feed.locator("#d-meta")).to_contain_text("Xã Quảng Lâm · Danh sách chi đoàn · Chi đoàn thôn Nà Pò")
    # collected before the day: the console says so, and gives the day it came rather than the hour
    expect(feed.locator("#d-meta")).to_contain_text("Trước ngày hội nghị")
    expect(hoa.locator("time.q-day.ph-before")).to_have_text(re.compile(r"^\d\d/\d\d$"))
    screenshot(console, artifacts, "branches-console.png")

    # the same file again: nothing new (the name typed before is remembered on this computer)
    expect(page.locator("#branch-by")).to_have_value("Lan")
    page.locator("#branch-file").set_input_files(str(good))
    page.locator("#branch-submit").click()
    expect(page.locator("#import-result")).to_have_text(
        "Đã nhập 0 câu hỏi mới từ tệp danh-sach.xlsx; 3 câu đã có từ trước (không nhập lại)."
    )
    feed.reload()
    expect(feed.locator("li.q", has=feed.locator(".q-ch.ch-branch"))).to_have_count(3)
    screens.assert_clean(allow=[r"status of 400 \(BAD REQUEST\)"])  # the refused file's page
