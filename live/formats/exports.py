"""Tables the secretariat downloads: CSV (UTF-8 with BOM, for Excel) and XLSX, safe to open.

A cell that starts like a formula is written so that Excel shows it as text: a young person's
question "=HYPERLINK(…)" must never become a link or a calculation in a government office.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from live.core.conference import TIMEZONE  # the one time zone; callers import it from here too
from live.formats.sitefile import _csv_risky, _ooxml_escape


def local_time(timestamp: float | None, zone: str = TIMEZONE) -> str:
    """``dd/mm/yyyy HH:MM:SS`` in the conference's time zone (24-hour), or "" for None."""
    if timestamp is None:
        return ""
    return dt.datetime.fromtimestamp(timestamp, ZoneInfo(zone)).strftime("%d/%m/%Y %H:%M:%S")


def table_csv(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        cells = ["" if value is None else str(value) for value in row]
        writer.writerow(["'" + cell if _csv_risky(cell) else cell for cell in cells])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def table_xlsx(title: str, headers: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """One table as a workbook of one sheet."""
    return workbook_xlsx([Sheet(title, list(headers), list(rows))])


@dataclass(frozen=True)
class Sheet:
    """One sheet of a workbook: its title, headers, rows and (optionally) column widths."""

    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[object]]
    widths: Sequence[int] | None = None  # in characters; None: from the content


_SHEET_FORBIDDEN = re.compile(r"[\\/?*\[\]:]")
_MIN_WIDTH, _MAX_WIDTH = 8, 60


def _sheet_title(title: str, taken: set[str]) -> str:
    """A title Excel accepts (31 characters, none of \\ / ? * [ ] :), unique in the workbook."""
    base = _SHEET_FORBIDDEN.sub(" ", str(title)).strip()[:31] or "Sheet"
    name, n = base, 2
    while name.casefold() in taken:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name.casefold())
    return name


def _fitted_widths(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> list[int]:
    """Column widths from the longest first line of the header and the first 500 rows."""
    widths = [len(str(h)) + 2 for h in headers]
    for row in rows[:500]:
        for i, value in enumerate(row[: len(widths)]):
            first = "" if value is None else str(value).split("\n", 1)[0]
            widths[i] = max(widths[i], len(first) + 2)
    return [min(max(w, _MIN_WIDTH), _MAX_WIDTH) for w in widths]


def workbook_xlsx(sheets: Iterable[Sheet]) -> bytes:
    """A workbook with one sheet per table, safe to open and readable as it opens.

    Numbers (int, float) are numbers, for sums in a report; everything else is written as a
    string cell, so a young person's "=HYPERLINK(…)" stays text. Headers are bold, frozen and
    filterable; long text wraps within the column's width; each sheet prints on A4 landscape.
    """
    import openpyxl
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = openpyxl.Workbook()
    book.remove(book.active)
    taken: set[str] = set()
    heading_fill = PatternFill("solid", fgColor="DDE4EE")
    wrap = Alignment(wrap_text=True, vertical="top")
    for table in sheets:
        sheet = book.create_sheet(_sheet_title(table.title, taken))
        rows = list(table.rows)
        for index, heading in enumerate(table.headers, start=1):
            cell = sheet.cell(row=1, column=index)
            cell.value = _ooxml_escape(str(heading))
            cell.data_type = "s"
            cell.font = Font(bold=True)
            cell.fill = heading_fill
            cell.alignment = wrap
        for number, row in enumerate(rows, start=2):
            for index, value in enumerate(row, start=1):
                cell = sheet.cell(row=number, column=index)
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    cell.value = value
                    cell.alignment = Alignment(vertical="top")
                else:
                    cell.value = _ooxml_escape("" if value is None else str(value))
                    cell.data_type = "s"  # text, never a formula
                    cell.alignment = wrap
        widths = list(table.widths) if table.widths else _fitted_widths(table.headers, rows)
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.freeze_panes = "A2"
        if table.headers:
            sheet.auto_filter.ref = f"A1:{get_column_letter(len(table.headers))}{len(rows) + 1}"
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
        sheet.print_title_rows = "1:1"
    if not book.worksheets:
        book.create_sheet("Sheet")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
