"""Tables the secretariat downloads: CSV (UTF-8 with BOM, for Excel) and XLSX, safe to open.

A cell that starts like a formula is written so that Excel shows it as text: a young person's
question "=HYPERLINK(…)" must never become a link or a calculation in a government office.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from zoneinfo import ZoneInfo

from .sitefile import _csv_risky, _ooxml_escape

TIMEZONE = "Asia/Ho_Chi_Minh"


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
    import openpyxl
    from openpyxl.styles import Alignment, Font

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title[:31]
    for index, heading in enumerate(headers, start=1):
        sheet.cell(row=1, column=index, value=heading).font = Font(bold=True)
    for number, row in enumerate(rows, start=2):
        for index, value in enumerate(row, start=1):
            cell = sheet.cell(row=number, column=index)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                cell.value = value
            else:
                cell.value = _ooxml_escape("" if value is None else str(value))
                cell.data_type = "s"  # text, never a formula
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
