"""The sites file as the secretariat keeps it in Excel: CSV and XLSX in, site dicts out.

Pure: no server. Every refusal names the row as Excel shows it (the header is row 1) and carries
a Vietnamese sentence; every good file gives sites that ``conference.validate`` accepts unchanged.
"""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
import zipfile
from importlib import resources

import openpyxl
import pytest
from corpora import naughty_strings

from live.core import conference
from live.core.errors import DomainError
from live.core.text import clean
from live.formats import sitefile
from live.formats.sitefile import read_sites, write_csv, write_xlsx
from live.services import demo
from live.web import messages

CAO_BANG = str(resources.files("live").joinpath("data/cao-bang-2025-communes.csv"))


def xlsx(rows: list[list], formats: dict[tuple[int, int], str] | None = None, errors=()) -> bytes:
    """A workbook as Excel would save it: ``rows`` from A1, cell number formats, error cells."""
    book = openpyxl.Workbook()
    sheet = book.active
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is not None:
                sheet.cell(row=r, column=c, value=value)
    for (r, c), number_format in (formats or {}).items():
        sheet.cell(row=r, column=c).number_format = number_format
    for r, c in errors:
        sheet.cell(row=r, column=c).data_type = "e"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def refused(data: bytes, filename: str = "diem-cau.csv") -> DomainError:
    with pytest.raises(DomainError) as caught:
        read_sites(data, filename)
    error = caught.value
    assert error.code in messages.MESSAGES, error.code
    sentence = messages.describe(error)
    assert "%(" not in sentence, sentence  # every placeholder filled
    if "row" in error.params:
        assert f"òng {error.params['row']}" in sentence, sentence  # "Dòng 5" or "… ở dòng 5"
    return error


def valid(sites: list[dict]) -> list[dict]:
    """What the conference stores for these sites: must be them, unchanged."""
    return conference.validate({"title": "Hội nghị", "sites": sites})["sites"]


# ---------------------------------------------------------------- good files


def test_a_csv_saved_by_vietnamese_excel_with_bom_and_semicolons():
    text = (
        "mã;mã hành chính;tên điểm cầu;loại\r\n"
        "hall;;Trung tâm Hội nghị tỉnh;hội trường\r\n"
        ";01273;Phường Thục Phán;phường\r\n"
        ';1304;"Xã Quảng Lâm; điểm cầu phụ";Xã\r\n'
    )
    sites = read_sites(b"\xef\xbb\xbf" + text.encode(), "Diem cau.CSV")
    assert sites == [
        {"id": "hall", "code": "", "name": "Trung tâm Hội nghị tỉnh", "kind": "hall"},
        {"id": "01273", "code": "01273", "name": "Phường Thục Phán", "kind": "ward"},
        {"id": "1304", "code": "1304", "name": "Xã Quảng Lâm; điểm cầu phụ", "kind": "commune"},
    ]
    assert valid(sites) == sites


def test_the_cao_bang_communes_file_imports_as_it_is():
    with open(CAO_BANG, "rb") as f:
        sites = read_sites(f.read(), "cao-bang-2025-communes.csv")
    assert sites == demo.communes()
    assert len(sites) == 56
    assert sites[0] == {"id": "1273", "code": "1273", "name": "Phường Thục Phán", "kind": "ward"}
    assert {site["kind"] for site in sites} == {"ward", "commune"}
    assert valid(sites) == sites


def test_english_headings_any_case_and_decomposed_vietnamese():
    nfd = unicodedata.normalize("NFD", "Xã Nguyên Bình")
    text = f"Name,KIND,Admin_Code\n{nfd},Commune,1726\nPhường Tân Giang,ward,1288\n"
    sites = read_sites(text.encode(), "sites.csv")
    assert sites[0] == {"id": "1726", "code": "1726", "name": "Xã Nguyên Bình", "kind": "commune"}
    assert sites[0]["name"] == unicodedata.normalize("NFC", nfd)
    assert sites[1]["kind"] == "ward"


@pytest.mark.parametrize(
    "header",
    ["Mã, Mã hành chính, Tên điểm cầu, Loại", "MA,MA HANH CHINH,TEN DIEM CAU,LOAI", "id,code,name,kind",
     "mã (id),mã hành chính (admin_code),tên điểm cầu (name),loại (hall/commune/ward)"],
)  # fmt: skip
def test_headings_are_read_without_regard_to_case_or_diacritics(header):
    sites = read_sites(f"{header}\nq1,1304,Xã Quảng Lâm,xã\n".encode(), "x.csv")
    assert sites == [{"id": "q1", "code": "1304", "name": "Xã Quảng Lâm", "kind": "commune"}]


def test_ids_come_from_the_code_the_hall_or_the_name():
    text = (
        "tên,mã hành chính,loại\n"
        "Trung tâm Hội nghị tỉnh,,hội trường\n"
        "Xã Hòa An,1654,xã\n"
        "Trường Cao đẳng Sư phạm Cao Bằng,,\n"
        "Trường Cao đẳng Sư phạm Cao Bằng,,\n"
        "Đồn Biên phòng Trà Lĩnh,,\n"
        "北京,,\n"
    )
    sites = read_sites(text.encode(), "x.csv")
    assert [s["id"] for s in sites] == [
        "hall",
        "1654",
        "truong-cao-dang-su-pham-cao-bang",
        "truong-cao-dang-su-pham-cao-bang-2",
        "don-bien-phong-tra-linh",
        "site",
    ]
    assert valid(sites) == sites


def test_an_empty_kind_is_read_from_the_name():
    sites = read_sites("tên,loại\nPhường Tân Giang,\nXã Lý Bôn,\nBản Giốc,\n".encode(), "x.csv")
    assert [s["kind"] for s in sites] == ["ward", "commune", "commune"]


def test_blank_rows_title_rows_and_ordinal_columns_are_skipped():
    text = (
        "DANH SÁCH ĐIỂM CẦU,,,\n"
        ",,,\n"
        "STT,Tên điểm cầu,Mã hành chính,Ghi chú\n"
        "1,Xã Quảng Lâm,1304,đã kiểm tra đường truyền\n"
        ",,,\n"
        "2,Xã Nam Quang,1297,\n"
        ",,,\n"
    )
    sites = read_sites(text.encode(), "x.csv")
    assert [s["name"] for s in sites] == ["Xã Quảng Lâm", "Xã Nam Quang"]
    # a row after the blank one is still named by its Excel row
    bad = text.replace("2,Xã Nam Quang,1297,", "2,,1297,")
    assert refused(bad.encode()).params["row"] == 6


def test_an_excel_sep_line_and_a_utf16_unicode_text_file():
    sites = read_sites("sep=;\ntên;loại\nXã Lý Bôn;xã\n".encode(), "x.csv")
    assert sites[0]["name"] == "Xã Lý Bôn"
    assert refused("sep=;\ntên;loại\n;xã\n".encode()).params["row"] == 2  # Excel hides the sep line
    unicode_text = "tên\tmã hành chính\nXã Bảo Lâm\t1290\n".encode("utf-16")
    assert read_sites(unicode_text, "diem-cau.txt") == [
        {"id": "1290", "code": "1290", "name": "Xã Bảo Lâm", "kind": "commune"}
    ]


def test_an_xlsx_made_in_excel():
    data = xlsx(
        [
            ["DANH SÁCH ĐIỂM CẦU HỘI NGHỊ ĐỐI THOẠI 2025"],
            [],
            ["STT", "Mã", "Mã hành chính", "Tên điểm cầu", "Loại"],
            [1, "hall", None, "Trung tâm Hội nghị tỉnh", "Hội trường"],
            [2, None, "01273", "Phường Thục Phán", "Phường"],
            [3, None, "1304", "  Xã Quảng Lâm\n", "xã"],
        ]
    )
    sites = read_sites(data, "diem-cau.xlsx")
    assert sites == [
        {"id": "hall", "code": "", "name": "Trung tâm Hội nghị tỉnh", "kind": "hall"},
        {"id": "01273", "code": "01273", "name": "Phường Thục Phán", "kind": "ward"},
        {"id": "1304", "code": "1304", "name": "Xã Quảng Lâm", "kind": "commune"},
    ]


def test_numbers_in_an_xlsx_become_text_without_point_zero():
    data = xlsx(
        [
            ["mã", "mã hành chính", "tên điểm cầu", "loại"],
            [1, 1304, "Xã Quảng Lâm", "xã"],
            [2.0, 1297.0, "Xã Nam Quang", "xã"],
            [None, "01294", "Xã Lý Bôn", "xã"],  # a text cell keeps its leading zero
            [None, 1290, "Xã Bảo Lâm", "xã"],  # a number shown as 01290 by its format
            [None, 12.5, 2025, "xã"],
        ],
        formats={(5, 2): "00000"},
    )
    sites = read_sites(data, "x.xlsx")
    assert [(s["id"], s["code"]) for s in sites] == [
        ("1", "1304"),
        ("2", "1297"),
        ("01294", "01294"),
        ("01290", "01290"),
        ("2025", "12.5"),
    ]
    assert sites[4]["name"] == "2025"


def test_a_file_named_csv_that_is_really_a_workbook_is_read_as_one():
    data = xlsx([["tên"], ["Xã Ca Thành"]])
    assert read_sites(data, "diem-cau.csv")[0]["name"] == "Xã Ca Thành"


# ---------------------------------------------------------------- writing, and back


@pytest.mark.parametrize("write, name", [(write_csv, "diem-cau.csv"), (write_xlsx, "diem-cau.xlsx")])
def test_the_downloaded_file_imports_back_unchanged(write, name):
    sites = demo.conference()["sites"]
    assert read_sites(write(sites), name) == sites


def test_the_template_is_in_vietnamese():
    text = write_csv(demo.conference()["sites"][:2]).decode("utf-8")
    assert text.startswith("\ufeffmã,mã hành chính,tên điểm cầu,loại\r\n")
    assert "hall,,Trung tâm Hội nghị tỉnh (điểm cầu chính),hội trường" in text
    sheet = openpyxl.load_workbook(io.BytesIO(write_xlsx(demo.conference()["sites"]))).worksheets[0]
    assert [c.value for c in sheet[1]] == ["mã", "mã hành chính", "tên điểm cầu", "loại"]
    assert [c.value for c in sheet[3]] == ["1273", "1273", "Phường Thục Phán", "phường"]
    assert {c.data_type for c in sheet[3]} == {"s"}  # codes are text: 01273 keeps its zero
    # with no sites yet it is an empty template: the header, and a file that says it holds no sites
    assert refused(write_xlsx([]), "mau.xlsx").code == "sites.no_rows"
    assert refused(write_csv([]), "mau.csv").code == "sites.no_rows"


def test_a_name_is_never_written_as_a_formula():
    sites = [
        {"id": "a", "code": "", "name": '=HYPERLINK("http://evil.example","Xã A")', "kind": "commune"},
        {"id": "b", "code": "", "name": "+84 912 345 678", "kind": "commune"},
        {"id": "c", "code": "", "name": "#REF!", "kind": "commune"},
        {"id": "d", "code": "", "name": "'quoted'", "kind": "commune"},
    ]
    text = write_csv(sites).decode("utf-8")
    assert "a,,\"'=HYPERLINK(" in text  # the CSV cell starts with ': Excel shows it as text
    assert "'+84" in text and "'#REF!" in text and "''quoted'" in text
    sheet = openpyxl.load_workbook(io.BytesIO(write_xlsx(sites))).worksheets[0]
    assert sheet["C2"].data_type == "s" and sheet["C2"].value.startswith("=HYPERLINK")
    for write, name in ((write_csv, "x.csv"), (write_xlsx, "x.xlsx")):
        assert read_sites(write(sites), name) == sites


def hostile_names() -> list[str]:
    names, seen = [], set()
    for line in naughty_strings():
        name = clean(line)[:300]
        if name and name not in seen:
            seen.add(name)
            names.append(name)
    return names


@pytest.mark.parametrize("write, name", [(write_csv, "x.csv"), (write_xlsx, "x.xlsx")])
def test_hostile_names_survive_the_round_trip_exactly(write, name):
    names = hostile_names()
    sites = valid([{"name": n, "kind": "commune"} for n in names])
    back = read_sites(write(sites), name)
    assert [s["name"] for s in back] == names
    assert back == sites
    assert valid(back) == back


# ---------------------------------------------------------------- refusals, each naming its row


def csv_file(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


HEADER = "mã,mã hành chính,tên điểm cầu,loại"


def windows_1258(text: str) -> bytes:
    """What Excel on a Vietnamese Windows saves as "CSV (Comma delimited)": tones as combining marks."""
    out = b""
    for ch in text:
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            out += unicodedata.normalize("NFD", ch).encode("cp1258")
    return out


@pytest.mark.parametrize(
    "data, code, params",
    [
        (csv_file(HEADER, "a,1,Xã A,xã", "b,2,,xã"), "sites.empty_name", {"row": 3, "column": "C (tên điểm cầu)"}),
        (csv_file(HEADER, "a,1,Xã A,thị trấn"), "sites.bad_kind", {"row": 2, "value": "thị trấn"}),
        (csv_file(HEADER, "a,1,Xã A,xã", "b,2,Xã B,xã", "a,3,Xã C,xã"), "sites.duplicate_id",
         {"row": 4, "value": "a", "first": 2}),
        (csv_file(HEADER, ",1304,Xã A,xã", ",01304,Xã B,xã"), "sites.duplicate_code",
         {"row": 3, "value": "01304", "first": 2}),
        (csv_file(HEADER, "xã a,1,Xã A,xã"), "sites.bad_id", {"row": 2, "column": "A (mã)", "value": "xã a"}),
        (csv_file(HEADER, "a,1," + "X" * 301 + ",xã"), "sites.too_long", {"row": 2, "limit": 300}),
        (csv_file(HEADER, "a," + "1" * 21 + ",Xã A,xã"), "sites.too_long", {"row": 2, "limit": 20}),
        (csv_file("mã,mã hành chính,loại", "a,1,xã"), "sites.no_name_column", {"row": 1}),
        (csv_file("tên,huyện", "Xã A,Hòa An"), "sites.unknown_column", {"row": 1, "column": "B", "value": "huyện"}),
        (csv_file("tên,name", "Xã A,Xã A"), "sites.duplicate_column", {"row": 1, "column": "B"}),
        (csv_file("tên,loại", "Xã A, huyện Hòa An,xã"), "sites.stray_cell", {"row": 2, "column": "C"}),
        (csv_file("tên,loại", "#REF!,xã"), "sites.formula_error", {"row": 2, "value": "#REF!"}),
        (csv_file(HEADER), "sites.no_rows", {"row": 2}),
        (csv_file("", " "), "sites.empty_file", {}),
        (b"", "sites.empty_file", {}),
        (windows_1258("tên,loại\nXã Hòa An,xã\n"), "sites.not_utf8", {}),
        (b"a,b\n\"" + b"x" * 200_000 + b'"\n', "sites.bad_csv", {"row": 2}),
    ],
    ids=["empty-name", "unknown-kind", "duplicate-id", "duplicate-code", "bad-id", "long-name", "long-code",
         "no-name-column", "unknown-column", "duplicate-column", "stray-cell", "formula-error-csv", "no-rows",
         "blank-file", "empty-file", "not-utf8", "bad-csv"],
)  # fmt: skip
def test_a_broken_csv_is_refused_naming_the_row(data, code, params):
    error = refused(data)
    assert error.code == code
    assert params.items() <= error.params.items(), error.params


def test_too_many_rows():
    lines = [HEADER] + [f",{n},Xã {n},xã" for n in range(1, sitefile.MAX_ROWS + 2)]
    error = refused(csv_file(*lines))
    assert (error.code, error.params["row"], error.params["limit"]) == ("sites.too_many", 10_002, 10_000)
    assert len(read_sites(csv_file(*lines[:-1]), "x.csv")) == sitefile.MAX_ROWS


def test_a_file_too_large():
    error = refused(b"x" * (sitefile.MAX_BYTES + 1))
    assert error.code == "sites.too_large" and error.params["limit"] == 5


@pytest.mark.parametrize(
    "data, filename, code",
    [
        (b"%PDF-1.7 ...", "danh-sach.pdf", "sites.bad_type"),
        ("tên\nXã A\n".encode(), "danh-sach.ods", "sites.bad_type"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "danh-sach.xls", "sites.old_excel"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "danh-sach.xlsx", "sites.old_excel"),
        ("tên\nXã A\n".encode(), "danh-sach.xlsx", "sites.bad_xlsx"),
        (b"PK\x03\x04 this is not a zip", "danh-sach.xlsx", "sites.bad_xlsx"),
    ],
)
def test_not_a_csv_or_xlsx_file(data, filename, code):
    assert refused(data, filename).code == code


def test_a_zip_that_is_no_workbook_and_a_zip_bomb():
    plain = io.BytesIO()
    with zipfile.ZipFile(plain, "w") as archive:
        archive.writestr("hello.txt", "xin chào")
    assert refused(plain.getvalue(), "x.xlsx").code == "sites.bad_xlsx"
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (sitefile.MAX_UNPACKED + 1))
    assert len(bomb.getvalue()) < sitefile.MAX_BYTES
    assert refused(bomb.getvalue(), "x.xlsx").code == "sites.too_large"


def test_formula_error_and_date_cells_in_an_xlsx():
    rows = [["tên điểm cầu", "mã hành chính", "ghi chú"], ["Xã A", "1304", None], ["#N/A", "1297", None]]
    error = refused(xlsx(rows, errors=[(3, 1)]), "x.xlsx")
    assert (error.code, error.params["row"], error.params["column"], error.params["value"]) == (
        "sites.formula_error",
        3,
        "A (tên điểm cầu)",
        "#N/A",
    )
    # an error in a column that is not read (notes) does not matter
    rows[2] = ["Xã B", "1297", "#DIV/0!"]
    assert len(read_sites(xlsx(rows, errors=[(3, 3)]), "x.xlsx")) == 2
    # "01-03" typed into a General cell becomes a date: refused, with the way out
    rows[2] = ["Xã B", dt.datetime(2025, 3, 1), None]
    error = refused(xlsx(rows), "x.xlsx")
    assert (error.code, error.params["row"], error.params["column"]) == ("sites.date_cell", 3, "B (mã hành chính)")
    assert "Văn bản (Text)" in messages.describe(error)


def test_xlsx_refusals_name_excel_rows_below_title_rows():
    data = xlsx([["DANH SÁCH"], [], ["Tên", "Loại"], ["Xã A", "xã"], [], ["Xã B", "huyện"]])
    error = refused(data, "x.xlsx")
    assert (error.code, error.params["row"], error.params["column"]) == ("sites.bad_kind", 6, "B (Loại)")
    assert messages.describe(error).startswith("Dòng 6, cột B (Loại): loại “huyện” không hợp lệ")


def test_an_xlsx_header_only_or_with_no_name_column():
    assert refused(xlsx([["Tên điểm cầu", "Loại"]]), "x.xlsx").code == "sites.no_rows"
    error = refused(xlsx([["Mã", "Loại"], ["a", "xã"]]), "x.xlsx")
    assert (error.code, error.params["row"]) == ("sites.no_name_column", 1)
