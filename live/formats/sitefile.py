"""The sites (bridge points) as the secretariat keeps them in Excel: read a CSV or XLSX, write both.

Pure code: bytes in, site dicts ``{id, code, name, kind}`` out, or a ``DomainError("sites.…")``
that names the row as the person sees it in Excel (the header is row 1, the first site row 2) and,
where it helps, the column (``B (tên điểm cầu)``) and the value. A file is taken whole or not at
all. The result still goes through ``conference.validate``; everything that would refuse is caught
here first, so that a message always carries the spreadsheet's own row number.

Decisions:

- CSV must be UTF-8 (with or without BOM) or UTF-16 with a BOM (Excel's "Unicode Text"). An ANSI
  file (Windows-1258, or a TCVN3 font file read as Windows-1252) decodes to *something* whatever
  its bytes, so guessing would store mojibake; it is refused with the way to save it as UTF-8.
- The separator is the one of ``,``, ``;`` or tab that the header line uses most (Vietnamese Excel
  writes ``;``); an Excel ``sep=;`` first line is honoured.
- The header is the first row, within the first ten, that names a "name" column: title rows
  above it ("DANH SÁCH ĐIỂM CẦU") are skipped. "STT" and "Ghi chú" columns are ignored; any other
  unknown heading is refused, never guessed.
- XLSX: the first worksheet, cached values (``data_only``), read-only. A number becomes text
  without ``.0`` and keeps its leading zeros when the cell's format is ``00000``. A date cell is
  refused: it is a code that Excel turned into a date.
- Writing: the CSV escapes a leading ``= + - @ '`` with ``'`` so a name never runs as a formula when
  the file is opened in Excel, and reading undoes exactly that. The XLSX keeps every value as text
  and uses OOXML's ``_xHHHH_`` escape for what XML cannot carry.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from typing import Any

from live.core.conference import LIMITS, SITE_KINDS
from live.core.errors import DomainError
from live.core.text import clean, fold

MAX_BYTES = 5 * 1024 * 1024  # a national list of ten thousand sites is well under 1 MB
MAX_UNPACKED = 50 * 1024 * 1024  # what an XLSX (a zip) may expand to: no zip bombs
MAX_ROWS = LIMITS["sites"]
HEADER_SCAN = 10
LIMIT = {"id": 40, "code": 20, "name": 300}

HEADERS = ("mã", "mã hành chính", "tên điểm cầu", "loại")  # what the template file says
KIND_WORDS = {"hall": "hội trường", "commune": "xã", "ward": "phường"}
_FIELDS = ("id", "code", "name", "kind")

# headings people write, folded (lower case, no diacritics, "_" and "-" as spaces)
_ALIASES = {
    "id": ("ma", "id", "ma diem cau", "site id"),
    "code": ("ma hanh chinh", "admin code", "code", "ma hc", "ma dvhc", "ma don vi hanh chinh"),
    "name": ("ten", "ten diem cau", "name", "diem cau", "ten don vi", "ten don vi hanh chinh", "ten xa phuong"),
    "kind": ("loai", "kind", "loai diem cau", "cap", "type"),
}
_HEADING = {alias: field for field, aliases in _ALIASES.items() for alias in aliases}
_IGNORED = {"stt", "tt", "so tt", "so thu tu", "thu tu", "#", "ghi chu", "note", "notes"}
_KINDS = {
    **{kind: kind for kind in SITE_KINDS},
    "hoi truong": "hall",
    "hoi truong chinh": "hall",
    "diem cau chinh": "hall",
    "xa": "commune",
    "phuong": "ward",
}
_FORMULA_ERRORS = {
    "#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
    "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!",
}  # fmt: skip
_ID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")  # conference.validate's rule for ids
_CSV_RISKY = ("=", "+", "-", "@", "'")  # what makes Excel read a CSV cell as a formula (and ' itself)
_OOXML_ESCAPE = re.compile(r"_x[0-9A-Fa-f]{4}_")
_XML_UNSAFE = re.compile("[\ufffe\uffff]")  # noncharacters: text may hold them, XML may not


# ---------------------------------------------------------------- reading


class _FormulaError(str):
    """A cell whose formula failed (``#REF!``): refused only if the column is read."""


def read_sites(data: bytes, filename: str) -> list[dict]:
    """The sites in a CSV or XLSX file, or ``DomainError("sites.…")`` naming the row at fault."""
    if len(data) > MAX_BYTES:
        raise DomainError("sites.too_large", limit=MAX_BYTES // (1024 * 1024))
    if not data.strip():
        raise DomainError("sites.empty_file")
    rows = _rows(data, (filename or "").strip().lower())
    try:
        return _sites(rows)
    finally:
        rows.close()  # an XLSX keeps its zip open until its rows are closed


def _rows(data: bytes, filename: str) -> Iterator[tuple[int, list]]:
    """(Excel row number, cell values) for every row of the file, by its content and name."""
    suffix = filename.rpartition(".")[2] if "." in filename else ""
    if data.startswith(b"\xd0\xcf\x11\xe0") or suffix == "xls":
        raise DomainError("sites.old_excel")
    if data.startswith(b"PK\x03\x04") and suffix in ("xlsx", "xlsm", "csv", ""):
        return _xlsx_rows(data)
    if suffix in ("xlsx", "xlsm"):
        raise DomainError("sites.bad_xlsx")
    if suffix in ("csv", "txt", ""):
        return _csv_rows(data)
    raise DomainError("sites.bad_type")


def _csv_text(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    else:
        encoding = "utf-8-sig"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise DomainError("sites.not_utf8") from None


def _separator(line: str) -> str:
    """The separator the header line uses most, outside quotes."""
    counts = dict.fromkeys((",", ";", "\t"), 0)
    quoted = False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def _csv_rows(data: bytes) -> Iterator[tuple[int, list]]:
    text = _csv_text(data)
    lines = text.splitlines(keepends=True)
    first = next((line for line in lines if line.strip()), "")
    hint = re.fullmatch(r"sep=(.)", first.strip())
    if hint:  # Excel's own hint line; Excel does not show it as a row
        lines.remove(first)
        separator = hint.group(1)
    else:
        separator = _separator(first)
    reader = csv.reader(lines, delimiter=separator, strict=False)
    number = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error:
            raise DomainError("sites.bad_csv", row=number + 1) from None
        number += 1
        yield number, [_csv_cell(cell) for cell in cells]


def _csv_risky(text: str) -> bool:
    """Whether Excel would read ``text`` in a CSV as a formula (or a formula's error)."""
    return text.startswith(_CSV_RISKY) or text.upper() in _FORMULA_ERRORS


def _csv_cell(raw: str) -> str:
    """A CSV cell: a formula's error as Excel saved it is refused later; the ``'`` that
    ``write_csv`` puts before a risky value is taken off again."""
    text = clean(raw)
    if text.upper() in _FORMULA_ERRORS:
        return _FormulaError(text)
    return text[1:] if text.startswith("'") and _csv_risky(text[1:]) else text


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list]]:
    import openpyxl  # only when a spreadsheet arrives

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise DomainError("sites.bad_xlsx") from None
    if len(members) > 10_000 or sum(m.file_size for m in members) > MAX_UNPACKED:
        raise DomainError("sites.too_large", limit=MAX_BYTES // (1024 * 1024))
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # a third-party parser on a hostile file: any failure means "not a workbook"
        raise DomainError("sites.bad_xlsx") from None
    try:
        if not book.worksheets:
            raise DomainError("sites.empty_file")
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # the stored dimension may be wrong; read every row there is
        rows = sheet.iter_rows(min_row=1)
        number = 0
        while True:
            try:
                cells = next(rows)
            except StopIteration:
                return
            except Exception:  # broken XML inside the zip shows only when its rows are read
                raise DomainError("sites.bad_xlsx") from None
            number += 1
            yield number, [_xlsx_value(cell) for cell in cells]
    finally:
        book.close()


def _xlsx_value(cell) -> Any:
    value = cell.value
    if value is None:
        return None
    if getattr(cell, "data_type", None) == "e":
        return _FormulaError(value)
    if isinstance(value, str):
        return _ooxml_unescape(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer():
        number_format = getattr(cell, "number_format", "") or ""
        if re.fullmatch(r"0+", number_format) and value >= 0:
            return str(int(value)).zfill(len(number_format))  # 1304 shown as 01304
    return value


def _ooxml_unescape(text: str) -> str:
    """Excel writes a character XML cannot carry as ``_xHHHH_`` (and a literal ``_x`` as ``_x005F_x``)."""
    if "_x" not in text:
        return text
    return _OOXML_ESCAPE.sub(lambda m: chr(int(m.group(0)[2:6], 16)), text)


def _text(value: Any, where: dict) -> str:
    """A cell as text: numbers without ``.0``, dates and formula errors refused."""
    if value is None:
        return ""
    if isinstance(value, _FormulaError):
        raise DomainError("sites.formula_error", **where, value=str(value)[:20])
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise DomainError("sites.formula_error", **where, value=str(value))
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, (dt.date, dt.time, dt.timedelta)):
        raise DomainError("sites.date_cell", **where)
    return clean(str(value))


def _letter(index: int) -> str:
    """Excel's name of column ``index`` (0 → A, 26 → AA)."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _heading(value: Any) -> str:
    text = clean(value if isinstance(value, str) else "" if value is None else str(value))
    return " ".join(re.sub(r"[^\w()#]+", " ", fold(text).replace("_", " ")).split())  # "Tên xã/phường"


def _field_of(heading: str) -> str | None:
    """The field a heading names: "Tên điểm cầu", "Loại (hall/commune/ward)", "admin_code"…"""
    candidates = [heading, re.sub(r"\s*\([^)]*\)\s*", " ", heading).strip(), *re.findall(r"\(([^)]*)\)", heading)]
    for candidate in candidates:
        if candidate.strip() in _HEADING:
            return _HEADING[candidate.strip()]
    return None


def _header(rows: Iterator[tuple[int, list]]) -> tuple[int, list[str], dict[str, tuple[int, str]]]:
    """The header row (the first of the first ten that names a "name" column): its number, its
    folded headings, and field → (column index, "B (tên điểm cầu)")."""
    first: int | None = None
    for number, cells in rows:
        headings = [_heading(cell) for cell in cells]
        if any(headings):
            first = first or number
            if "name" in {_field_of(h) for h in headings if h}:
                return number, headings, _columns(number, cells, headings)
        if number >= HEADER_SCAN:
            break
    if first is None:
        raise DomainError("sites.empty_file")
    raise DomainError("sites.no_name_column", row=first)


def _columns(number: int, cells: list, headings: list[str]) -> dict[str, tuple[int, str]]:
    columns: dict[str, tuple[int, str]] = {}
    for index, heading in enumerate(headings):
        if not heading or heading in _IGNORED:
            continue
        shown = clean(cells[index] if isinstance(cells[index], str) else str(cells[index]))[:40]
        label = f"{_letter(index)} ({shown})"
        field = _field_of(heading)
        if field is None:
            raise DomainError("sites.unknown_column", row=number, column=_letter(index), value=shown)
        if field in columns:
            raise DomainError("sites.duplicate_column", row=number, column=_letter(index), value=shown)
        columns[field] = (index, label)
    return columns


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:59] + "…"


def _sites(rows: Iterator[tuple[int, list]]) -> list[dict]:
    header, headings, columns = _header(rows)
    known = {index for index, _ in columns.values()} | {i for i, heading in enumerate(headings) if heading in _IGNORED}
    sites: list[dict] = []
    ids: dict[str, int] = {}
    codes: dict[str, int] = {}
    for number, cells in rows:
        # data under no heading is a shifted row (an unquoted "," in a name) or a forgotten column
        stray = next((i for i, cell in enumerate(cells) if i not in known and _has_data(cell)), None)
        if stray is not None:
            raise DomainError("sites.stray_cell", row=number, column=_letter(stray))
        values = {}
        for field, (index, label) in columns.items():
            raw = cells[index] if index < len(cells) else None
            values[field] = _text(raw, {"row": number, "column": label})
        if not any(values.values()):
            continue
        if len(sites) == MAX_ROWS:
            raise DomainError("sites.too_many", row=number, limit=MAX_ROWS)
        sites.append(_site(number, values, columns, ids, codes))
    if not sites:
        raise DomainError("sites.no_rows", row=header + 1)
    _give_ids(sites)
    return [{field: site[field] for field in _FIELDS} for site in sites]


def _has_data(value: Any) -> bool:
    return value is not None and (not isinstance(value, str) or bool(clean(value)))


def _site(number: int, values: dict, columns: dict, ids: dict, codes: dict) -> dict:
    def label(field: str) -> str:
        return columns[field][1]

    ident, code, name, kind_text = (values.get(field, "") for field in _FIELDS)
    if ident and not _ID.match(ident):
        raise DomainError("sites.bad_id", row=number, column=label("id"), value=_short(ident))
    if len(code) > LIMIT["code"]:
        raise DomainError("sites.too_long", row=number, column=label("code"), limit=LIMIT["code"])
    if not name:
        raise DomainError("sites.empty_name", row=number, column=label("name"))
    if len(name) > LIMIT["name"]:
        raise DomainError("sites.too_long", row=number, column=label("name"), limit=LIMIT["name"])
    if kind_text:
        kind = _kind(kind_text)
        if kind is None:
            raise DomainError("sites.bad_kind", row=number, column=label("kind"), value=_short(kind_text))
    else:
        kind = _kind_from_name(name)
    if ident:
        if ident in ids:
            raise DomainError("sites.duplicate_id", row=number, value=ident, first=ids[ident])
        ids[ident] = number
    if code:
        key = (code.lstrip("0") or "0") if code.isdigit() else fold(code)  # 01304 and 1304 are one code
        if key in codes:
            raise DomainError("sites.duplicate_code", row=number, value=_short(code), first=codes[key])
        codes[key] = number
    return {"id": ident, "code": code, "name": name, "kind": kind}


def _kind(text: str) -> str | None:
    folded = " ".join(fold(text).split())
    plain = re.sub(r"\s*\([^)]*\)\s*", " ", folded).strip()
    return _KINDS.get(folded) or _KINDS.get(plain)


def _kind_from_name(name: str) -> str:
    """An empty kind cell: "Phường Tân Giang" is a ward; anything else a commune, as the form assumes."""
    return "ward" if fold(name).startswith("phuong ") else "commune"


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-")[:40].rstrip("-")


def _give_ids(sites: list[dict]) -> None:
    """Rows without an id get their administrative code, "hall", or a slug of their name."""
    taken = {site["id"] for site in sites if site["id"]}
    for site in sites:
        if site["id"]:
            continue
        if _ID.match(site["code"]):
            base = site["code"]
        elif site["kind"] == "hall" and not site["code"]:
            base = "hall"
        else:
            base = _slug(site["name"]) or "site"
        candidate, n = base, 2
        while candidate in taken:
            suffix = f"-{n}"
            candidate, n = base[: 40 - len(suffix)] + suffix, n + 1
        site["id"] = candidate
        taken.add(candidate)


# ---------------------------------------------------------------- writing


def _rows_out(sites: Iterable[dict]) -> Iterator[list[str]]:
    for site in sites:
        yield [site.get("id", ""), site.get("code", ""), site.get("name", ""), KIND_WORDS.get(site.get("kind"), "")]


def write_csv(sites: Iterable[dict]) -> bytes:
    """The sites as a UTF-8 CSV (with the BOM Excel needs to see Vietnamese), header in Vietnamese."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADERS)
    for row in _rows_out(sites):
        writer.writerow(["'" + value if _csv_risky(value) else value for value in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _ooxml_escape(text: str) -> str:
    text = _OOXML_ESCAPE.sub(lambda m: "_x005F" + m.group(0), text)
    return _XML_UNSAFE.sub(lambda m: f"_x{ord(m.group(0)):04X}_", text)


def write_xlsx(sites: Iterable[dict]) -> bytes:
    """The sites as an Excel workbook the secretariat fills in: text columns, a list for the kind."""
    import openpyxl
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Điểm cầu"
    for index, (heading, width) in enumerate(zip(HEADERS, (14, 18, 48, 14), strict=True)):
        letter = _letter(index)
        sheet.column_dimensions[letter].width = width
        sheet.column_dimensions[letter].number_format = "@"  # a code typed later stays text: 01304
        cell = sheet.cell(row=1, column=index + 1, value=heading)
        cell.font = Font(bold=True)
    for number, row in enumerate(_rows_out(sites), start=2):
        for index, value in enumerate(row):
            cell = sheet.cell(row=number, column=index + 1)
            cell.value = _ooxml_escape(value)
            cell.data_type = "s"  # "=1+1" as a name is text, never a formula
            cell.number_format = "@"
    sheet.freeze_panes = "A2"
    kinds = DataValidation(
        type="list",
        formula1='"' + ",".join(KIND_WORDS.values()) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Loại điểm cầu",
        error="Chọn hội trường, xã hoặc phường.",
    )
    sheet.add_data_validation(kinds)
    kinds.add(f"D2:D{MAX_ROWS + 1}")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
