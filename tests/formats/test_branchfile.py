"""Reading a branch list (pure: bytes in, rows out): CSV as Excel saves it (BOM, ";", UTF-16),
XLSX, empty rows, headings written many ways, and every row's problem named with its Excel row:
unknown communes, groups and themes, sensitive groups, missing cells; formula-looking text stays text."""

from __future__ import annotations

import io

import openpyxl
import pytest

from live.core.errors import DomainError
from live.formats import branchfile

SITES = [
    {"id": "hall", "code": "", "name": "Trung tâm Hội nghị tỉnh", "kind": "hall"},
    {"id": "1304", "code": "01304", "name": "Xã Quảng Lâm", "kind": "commune"},
    {"id": "1288", "code": "1288", "name": "Phường Tân Giang", "kind": "ward"},
]
THEMES = [{"id": "t1", "name": "Giáo dục, đào tạo nghề và học bổng"}, {"id": "t2", "name": "Việc làm"}]
HEAD = ["Xã/phường (điểm cầu)", "Chi đoàn / đơn vị", "Nội dung câu hỏi", "Họ tên", "Đối tượng", "Nhóm vấn đề"]


def read(data: bytes, name: str = "ds.csv"):
    return branchfile.read_rows(data, name, sites=SITES, themes=THEMES)


def csv_of(rows, sep=";", bom=True, encoding="utf-8") -> bytes:
    text = "\r\n".join(sep.join(row) for row in rows) + "\r\n"
    return (("\ufeff" if bom else "") + text).encode(encoding)


def xlsx_of(rows) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def problems(found) -> list[tuple[int, str]]:
    return [(p.row, p.error.code) for p in found[1]]


def test_a_semicolon_csv_with_bom_as_vietnamese_excel_saves_it():
    rows, errors = read(
        csv_of(
            [
                HEAD,
                [
                    "quang lam",
                    "Chi đoàn thôn Nà Pò",
                    "Xã có lớp dạy nghề không?",
                    "Nông Thị Hoa",
                    "công nhân",
                    "viec lam",
                ],
                ["", "", "", "", "", ""],  # an empty row is skipped, its number kept
                ["01304", " Chi  đoàn  B ", "Câu hai?", "", "", "t1"],
                ["Tân Giang", "Đoàn phường", "Câu ba?", "", "Học sinh, sinh viên", "giao duc dao tao nghe va hoc bong"],
            ]
        )
    )
    assert errors == []
    assert [(r["row"], r["site"], r["branch"], r["group"], r["theme"]) for r in rows] == [
        (2, "1304", "Chi đoàn thôn Nà Pò", "cong_nhan", "t2"),
        (4, "1304", "Chi đoàn B", None, "t1"),
        (5, "1288", "Đoàn phường", "hoc_sinh_sinh_vien", "t1"),
    ]
    assert rows[0]["name"] == "Nông Thị Hoa" and rows[1]["name"] == ""


def test_utf16_and_comma_csv_and_xlsx_read_the_same():
    table = [HEAD[:3], ["hall", "Đoàn khối", "Tỉnh có hỗ trợ, khởi nghiệp không?"]]
    want = [
        {"row": 2, "site": "hall", "branch": "Đoàn khối", "text": table[1][2], "name": "", "group": None, "theme": None}
    ]
    comma = ("\r\n".join(",".join(f'"{c}"' for c in row) for row in table) + "\r\n").encode()
    assert read(comma) == (want, [])
    assert read(csv_of(table, sep="\t", bom=False, encoding="utf-16"), "ds.txt") == (want, [])
    assert read(xlsx_of(table), "ds.xlsx") == (want, [])


def test_title_rows_above_the_header_and_stt_columns_are_skipped():
    data = xlsx_of(
        [["DANH SÁCH CÂU HỎI CỦA ĐOÀN VIÊN, THANH NIÊN"], [], ["STT", *HEAD[:3]], [1, "1304", "CĐ A", "Câu một?"]]
    )
    rows, errors = read(data, "ds.xlsx")
    assert errors == [] and rows[0]["row"] == 4 and rows[0]["site"] == "1304"


def test_formula_looking_text_is_kept_as_text():
    rows, errors = read(csv_of([HEAD[:3], ["1304", "CĐ", '=HYPERLINK("x") có phải lừa đảo?'], ["1304", "CĐ", "'=1+1"]]))
    assert errors == []
    assert rows[0]["text"] == '=HYPERLINK("x") có phải lừa đảo?'
    assert rows[1]["text"] == "=1+1"  # the ' that our own CSV puts before a risky value is taken off
    sheet = xlsx_of([HEAD[:3], ["1304", "CĐ", "=SUM(A1)"]])
    book = openpyxl.load_workbook(io.BytesIO(sheet))
    assert book.active["C2"].data_type == "f"  # openpyxl wrote a formula; its cached value is empty
    rows, errors = read(sheet, "ds.xlsx")
    assert problems((rows, errors)) == [(2, "branches.empty_cell")]


def test_every_rows_problem_is_named_with_its_excel_row():
    found = read(
        csv_of(
            [
                HEAD,
                ["Xã Không Có", "CĐ", "Câu một?", "", "", ""],
                ["1304", "CĐ", "Câu hai?", "", "Tôn giáo", ""],
                ["1304", "CĐ", "Câu ba?", "", "dan_toc_thieu_so", ""],
                ["1304", "CĐ", "Câu bốn?", "", "Người cao tuổi", ""],
                ["1304", "CĐ", "Câu năm?", "", "", "Thuế"],
                ["1304", "", "Câu sáu?", "", "", ""],
                ["1304", "CĐ", "", "", "", ""],
                ["1304", "CĐ" * 101, "Câu tám?", "", "", ""],
                ["1304", "CĐ", "Câu chín?", "", "", "", "lạc cột"],
                ["1304", "CĐ", "Câu mười?", "", "#REF!", ""],
                ["1304", "CĐ", "Câu đúng?", "", "", ""],
            ]
        )
    )
    assert problems(found) == [
        (2, "branches.unknown_commune"),
        (3, "branches.sensitive_group"),
        (4, "branches.sensitive_group"),
        (5, "branches.unknown_group"),
        (6, "branches.unknown_theme"),
        (7, "branches.empty_cell"),
        (8, "branches.empty_cell"),
        (9, "branches.too_long"),
        (10, "branches.stray_cell"),
        (11, "branches.formula_error"),
    ]
    assert [r["row"] for r in found[0]] == [12]
    assert found[1][0].error.params == {"value": "Xã Không Có"}
    assert found[1][6].error.params["column"] == "C (Nội dung câu hỏi)"


def test_a_name_shared_by_two_sites_asks_for_the_code():
    sites = [*SITES, {"id": "9999", "code": "9999", "name": "Phường Quảng Lâm", "kind": "ward"}]
    rows, errors = branchfile.read_rows(
        csv_of([HEAD[:3], ["Quảng Lâm", "CĐ", "Câu?"]]), "a.csv", sites=sites, themes=[]
    )
    assert [(p.row, p.error.code) for p in errors] == [(2, "branches.ambiguous_commune")]
    rows, errors = branchfile.read_rows(
        csv_of([HEAD[:3], ["xa quang lam", "CĐ", "Câu?"]]), "a.csv", sites=sites, themes=[]
    )
    assert errors == [] and rows[0]["site"] == "1304"


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (b"", "ds.csv", "branches.empty_file"),
        (b"x" * (branchfile.MAX_BYTES + 1), "ds.csv", "branches.too_large"),
        (b"\xd0\xcf\x11\xe0rest", "ds.xls", "branches.old_excel"),
        (b"PK\x03\x04broken", "ds.xlsx", "branches.bad_xlsx"),
        ("Nội dung câu hỏi\r\n".encode("utf-16-le"), "ds.csv", "branches.not_utf8"),
        (b"a,b\r\n1,2\r\n", "ds.pdf", "branches.bad_type"),
        (csv_of([["Tên", "Tuổi"], ["An", "20"]]), "ds.csv", "branches.no_text_column"),
        (csv_of([["Nội dung câu hỏi", "Đối tượng"], ["Câu?", ""]]), "ds.csv", "branches.missing_column"),
        (csv_of([[*HEAD[:3], "Số điện thoại"], ["1304", "CĐ", "Câu?", "09"]]), "ds.csv", "branches.unknown_column"),
        (csv_of([[*HEAD[:3], "Câu hỏi"]]), "ds.csv", "branches.duplicate_column"),
        (csv_of([HEAD[:3], ["", "", ""]]), "ds.csv", "branches.no_rows"),
    ],
)
def test_a_file_that_is_no_branch_list_is_refused_whole(data, name, code):
    with pytest.raises(DomainError) as refused:
        read(data, name)
    assert refused.value.code == code


def test_too_many_rows_are_refused_at_the_first_row_over():
    rows = [HEAD[:3]] + [["1304", "CĐ", f"Câu {n}?"] for n in range(branchfile.MAX_ROWS + 1)]
    with pytest.raises(DomainError) as refused:
        read(csv_of(rows))
    assert refused.value.code == "branches.too_many" and refused.value.params["row"] == branchfile.MAX_ROWS + 2


def test_the_templates_read_back_as_their_example_row():
    for data, name in (
        (branchfile.template_csv(SITES, THEMES), "mau.csv"),
        (branchfile.template_xlsx(SITES, THEMES), "mau.xlsx"),
    ):
        rows, errors = read(data, name)
        assert errors == [] and len(rows) == 1, name
        assert rows[0]["site"] == "1304" and rows[0]["theme"] == "t1" and rows[0]["group"] == "kinh_te_gioi"
    book = openpyxl.load_workbook(io.BytesIO(branchfile.template_xlsx(SITES, THEMES)))
    assert [c.value for c in book.worksheets[0][1]] == list(branchfile.HEADERS)
    assert book.worksheets[1]["A2"].value == "Trung tâm Hội nghị tỉnh"
