"""The branches' lists: the questions a Youth Union branch collected before the day, in a CSV or XLSX.

Pure code: bytes and the conference's sites, themes and groups in; rows out, each with the Excel
row number (the header is row 1) and what it names, resolved: the site's id, the branch, the text,
the name, the group's id, the theme's id. Every row is read: the problems of all the rows come back
together (``Problem``: the row and a ``DomainError`` without the row), so the secretariat fixes the
file once. A problem with the whole file (not a spreadsheet, no text column) raises
``DomainError("branches.…")``.

The reading itself is sitefile's (encodings, BOM, separators, the header among the first ten rows,
XLSX cached values, formula errors, size limits): the same rules for every spreadsheet the
secretariat brings.

Columns (headings matched without diacritics or case): the commune (the site's id, its
administrative code, or its name), the branch or organisation, the question, and optionally the
name, the group (a label of ``questions.GROUP_LABELS`` or its id) and the theme (its name or id).
Sensitive groups (``questions.REMOVED_GROUPS``) are refused, never stored.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from live.core import questions
from live.core.errors import DomainError
from live.core.text import clean, fold
from live.formats import sitefile
from live.formats.sitefile import _csv_risky, _has_data, _heading, _letter, _rows, _text

MAX_BYTES = sitefile.MAX_BYTES
MAX_ROWS = 5000  # one province's pre-collection is a few thousand questions at most
BRANCH_LIMIT = 200
HEADER_SCAN = sitefile.HEADER_SCAN

FIELDS = ("commune", "branch", "text", "name", "group", "theme")
REQUIRED = ("commune", "branch", "text")
HEADERS = (  # what the template says
    "Xã/phường (điểm cầu)",
    "Chi đoàn / đơn vị",
    "Nội dung câu hỏi",
    "Họ tên (nếu người hỏi đồng ý)",
    "Đối tượng",
    "Nhóm vấn đề",
)
_ALIASES = {
    "commune": ("xa phuong (diem cau)", "xa phuong", "xa", "phuong", "diem cau", "ma diem cau", "commune", "site"),
    "branch": ("chi doan don vi", "chi doan", "don vi", "to chuc", "branch", "organisation", "organization"),
    "text": ("noi dung cau hoi", "cau hoi", "noi dung", "question", "text"),
    "name": ("ho ten (neu nguoi hoi dong y)", "ho ten", "ho va ten", "ten nguoi hoi", "name"),
    "group": ("doi tuong", "doi tuong thanh nien", "group"),
    "theme": ("nhom van de", "linh vuc", "chu de", "theme"),
}
_HEADING = {alias: field for field, aliases in _ALIASES.items() for alias in aliases}
_IGNORED = {"stt", "tt", "so tt", "so thu tu", "thu tu", "#", "ghi chu", "note", "notes"}
_SENSITIVE_WORDS = {"dan toc thieu so", "dan toc", "ton giao", "khuyet tat", "nguoi khuyet tat"}
_PREFIXES = ("xa ", "phuong ", "thi tran ", "dac khu ")
# sitefile's file-level codes, said of a branch list
_RENAMED = {
    "too_large", "empty_file", "bad_type", "old_excel", "bad_xlsx", "not_utf8", "bad_csv",
    "formula_error", "date_cell",
}  # fmt: skip


@dataclass(frozen=True)
class Problem:
    """What is wrong with one row: its Excel number and the error (its params never hold the row)."""

    row: int
    error: DomainError


def _renamed(error: DomainError) -> DomainError:
    kind = error.code.partition(".")[2]
    if error.code.startswith("sites.") and kind in _RENAMED:
        return DomainError("branches." + kind, **error.params)
    return error


def _key(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", fold(text)).split())


def _field_of(heading: str) -> str | None:
    plain = " ".join(re.sub(r"[()]", " ", heading).split())
    for candidate in (heading, plain, re.sub(r"\s*\([^)]*\)\s*", " ", heading).strip()):
        if candidate in _HEADING:
            return _HEADING[candidate]
        if candidate.replace("(", "").replace(")", "") in _HEADING:
            return _HEADING[candidate.replace("(", "").replace(")", "")]
    return None


# ---------------------------------------------------------------- resolving names


class Lookup:
    """The conference's sites, themes and groups, findable as people write them."""

    def __init__(self, sites: Iterable[dict], themes: Iterable[dict]) -> None:
        self.sites: dict[str, set[str]] = {}
        for site in sites:
            names = {site["id"], site["id"].lower(), _key(site["name"])}
            code = str(site.get("code") or "")
            if code:
                names.add(code.lstrip("0") or "0" if code.isdigit() else _key(code))
            folded = _key(site["name"])
            for prefix in _PREFIXES:
                if folded.startswith(prefix):
                    names.add(folded[len(prefix) :])
            for name in names:
                self.sites.setdefault(name, set()).add(site["id"])
        self.themes: dict[str, str] = {}
        for theme in themes:
            self.themes.setdefault(_key(theme["name"]), theme["id"])
            self.themes[theme["id"]] = theme["id"]
        self.groups = {gid: gid for gid in questions.GROUP_LABELS}
        self.groups.update({_key(label): gid for gid, label in questions.GROUP_LABELS.items()})

    def site(self, value: str) -> str:
        for key in (value, value.lower(), value.lstrip("0") or "0" if value.isdigit() else None, _key(value)):
            found = self.sites.get(key) if key else None
            if found:
                if len(found) > 1:
                    raise DomainError("branches.ambiguous_commune", value=_short(value))
                return next(iter(found))
        raise DomainError("branches.unknown_commune", value=_short(value))

    def group(self, value: str) -> str | None:
        if not value:
            return None
        folded = _key(value)
        if (
            value in questions.REMOVED_GROUPS
            or folded in _SENSITIVE_WORDS
            or folded.replace(" ", "_") in (questions.REMOVED_GROUPS)
        ):
            raise DomainError("branches.sensitive_group", value=_short(value))
        found = self.groups.get(value) or self.groups.get(folded)
        if found is None:
            raise DomainError("branches.unknown_group", value=_short(value))
        return found

    def theme(self, value: str) -> str | None:
        if not value:
            return None
        found = self.themes.get(value) or self.themes.get(_key(value))
        if found is None:
            raise DomainError("branches.unknown_theme", value=_short(value))
        return found


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:59] + "…"


# ---------------------------------------------------------------- reading


def read_rows(data: bytes, filename: str, *, sites: Iterable[dict], themes: Iterable[dict]) -> tuple[list, list]:
    """(rows, problems) of a branch list: each row ``{"row", "site", "branch", "text", "name",
    "group", "theme"}`` resolved against the conference; every row's problem, in row order.
    A problem with the whole file raises ``DomainError("branches.…")``."""
    if len(data) > MAX_BYTES:
        raise DomainError("branches.too_large", limit=MAX_BYTES // (1024 * 1024))
    if not data.strip():
        raise DomainError("branches.empty_file")
    lookup = Lookup(sites, themes)
    try:
        rows = _rows(data, (filename or "").strip().lower())
    except DomainError as error:
        raise _renamed(error) from None
    try:
        return _read(rows, lookup)
    except DomainError as error:
        raise _renamed(error) from None
    finally:
        close = getattr(rows, "close", None)
        if close:
            close()


def _header(rows: Iterator[tuple[int, list]]) -> tuple[int, dict[str, tuple[int, str]], set[int]]:
    first = None
    for number, cells in rows:
        headings = [_heading(cell) for cell in cells]
        if any(headings):
            first = first or number
            if "text" in {_field_of(h) for h in headings if h}:
                return number, *_columns(number, cells, headings)
        if number >= HEADER_SCAN:
            break
    if first is None:
        raise DomainError("branches.empty_file")
    raise DomainError("branches.no_text_column", row=first)


def _columns(number: int, cells: list, headings: list[str]) -> tuple[dict[str, tuple[int, str]], set[int]]:
    columns: dict[str, tuple[int, str]] = {}
    ignored = set()
    for index, heading in enumerate(headings):
        if not heading:
            continue
        if heading in _IGNORED:
            ignored.add(index)
            continue
        shown = clean(cells[index] if isinstance(cells[index], str) else str(cells[index]))[:40]
        field = _field_of(heading)
        if field is None:
            raise DomainError("branches.unknown_column", row=number, column=_letter(index), value=shown)
        if field in columns:
            raise DomainError("branches.duplicate_column", row=number, column=_letter(index), value=shown)
        columns[field] = (index, f"{_letter(index)} ({shown})")
    missing = [field for field in REQUIRED if field not in columns]
    if missing:
        raise DomainError("branches.missing_column", row=number, column=HEADERS[FIELDS.index(missing[0])])
    return columns, ignored


def _read(rows: Iterator[tuple[int, list]], lookup: Lookup) -> tuple[list, list]:
    header, columns, ignored = _header(rows)
    known = {index for index, _ in columns.values()} | ignored
    found: list[dict] = []
    problems: list[Problem] = []
    for number, cells in rows:
        try:
            values = {}
            for field, (index, label) in columns.items():
                raw = cells[index] if index < len(cells) else None
                try:
                    values[field] = _text(raw, {"column": label})
                except DomainError as error:
                    raise _renamed(error) from None
            stray = next((i for i, cell in enumerate(cells) if i not in known and _has_data(cell)), None)
            if not any(values.values()) and stray is None:
                continue  # an empty row
            if len(found) + len(problems) >= MAX_ROWS:
                raise DomainError("branches.too_many", row=number, limit=MAX_ROWS)
            if stray is not None:
                raise DomainError("branches.stray_cell", column=_letter(stray))
            found.append(_row(number, values, columns, lookup))
        except DomainError as error:
            if error.code == "branches.too_many":
                raise
            problems.append(Problem(number, error))
    if not found and not problems:
        raise DomainError("branches.no_rows", row=header + 1)
    return found, problems


def _row(number: int, values: dict, columns: dict, lookup: Lookup) -> dict:
    for field in REQUIRED:
        if not values.get(field):
            raise DomainError("branches.empty_cell", column=columns[field][1])
    branch = " ".join(values["branch"].split())
    if len(branch) > BRANCH_LIMIT:
        raise DomainError("branches.too_long", column=columns["branch"][1], limit=BRANCH_LIMIT)
    return {
        "row": number,
        "site": lookup.site(values["commune"]),
        "branch": branch,
        "text": values["text"],
        "name": values.get("name", ""),
        "group": lookup.group(values.get("group", "")),
        "theme": lookup.theme(values.get("theme", "")),
    }


# ---------------------------------------------------------------- the template


EXAMPLE = (
    "Xã Hưng Đạo",
    "Chi đoàn thôn Nà Cạn",
    "Xã có kế hoạch hỗ trợ thanh niên vay vốn khởi nghiệp trồng cây dược liệu không?",
    "",
    "Thanh niên làm kinh tế giỏi",
    "",
)


def _example(sites: list[dict], themes: list[dict]) -> list[str]:
    row = list(EXAMPLE)
    communes = [site for site in sites if site.get("kind") != "hall"] or sites
    if communes:
        row[0] = communes[0]["name"]
    if themes:
        row[5] = themes[0]["name"]
    return row


def template_csv(sites: list[dict], themes: list[dict]) -> bytes:
    """An empty branch list with its Vietnamese header and one example row, as UTF-8 CSV with BOM."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADERS)
    writer.writerow(["'" + value if _csv_risky(value) else value for value in _example(sites, themes)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def template_xlsx(sites: list[dict], themes: list[dict]) -> bytes:
    """The same as an Excel workbook: text columns, a list of the groups, a second sheet naming the
    communes and themes the server knows."""
    import openpyxl
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Câu hỏi"
    for index, (heading, width) in enumerate(zip(HEADERS, (26, 28, 70, 24, 28, 26), strict=True)):
        letter = _letter(index)
        sheet.column_dimensions[letter].width = width
        cell = sheet.cell(row=1, column=index + 1, value=heading)
        cell.font = Font(bold=True)
    for index, value in enumerate(_example(sites, themes)):
        cell = sheet.cell(row=2, column=index + 1)
        cell.value = value
        cell.data_type = "s"
        cell.number_format = "@"
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    groups = DataValidation(
        type="list",
        formula1='"' + ",".join(label.replace(",", "") for label in questions.GROUP_LABELS.values()) + '"',
        allow_blank=True,
        showErrorMessage=False,
    )
    sheet.add_data_validation(groups)
    groups.add(f"E2:E{MAX_ROWS + 1}")
    lists = book.create_sheet("Danh mục")
    lists.append(["Xã/phường (điểm cầu)", "Mã", "Nhóm vấn đề", "Đối tượng"])
    for cell in lists[1]:
        cell.font = Font(bold=True)
    labels = list(questions.GROUP_LABELS.values())
    for n in range(max(len(sites), len(themes), len(labels))):
        lists.append(
            [
                sites[n]["name"] if n < len(sites) else None,
                sites[n]["id"] if n < len(sites) else None,
                themes[n]["name"] if n < len(themes) else None,
                labels[n] if n < len(labels) else None,
            ]
        )
    for letter, width in zip("ABCD", (34, 16, 34, 30), strict=True):
        lists.column_dimensions[letter].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
