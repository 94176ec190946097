"""The participation page after the day (/tong-hop-tham-gia): one printable page and its XLSX for
the Youth Union's annual report (Decree 13/2021, Art. 12). Per site and per theme what became of
the questions and the supports they drew, the sites never heard, the survey's results, and the
attendance totals by group when the sites entered them (/tham-gia).

The real day only: a rehearsal's questions, supports and survey answers never count here, even
while one runs. How merges count: live/core/outcomes.py.
"""

from __future__ import annotations

from flask import Blueprint, Response, render_template

from live.core import outcomes, personal
from live.core import participation as totals
from live.core import rehearsal as rehearsals
from live.formats import exports
from live.services import participation, supports
from live.services import survey as survey_service
from live.web import afterday, report
from live.web.auth import day, screen
from live.web.views.participation import LABELS

bp = Blueprint("afterday", __name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def real_day_supports() -> dict[str, int]:
    """question id → how many devices pressed "me too" on it during the real day (its own presses);
    after the retention purge, the counts the purge kept (per question, a merged one's with the one it
    joined: live/services/supports.py)."""
    replica = day().replica
    replica.refresh()
    devices: dict[str, set[str]] = {}
    for press in replica.scan(supports.PREFIX).values():
        if personal.is_tombstone(press) or rehearsals.mark_of(press) is not None:
            continue
        if isinstance(press.get("question"), str) and isinstance(press.get("device"), str):
            devices.setdefault(press["question"], set()).add(press["device"])
    counts = {ident: len(found) for ident, found in devices.items()}
    for ident, n in ((replica.get(supports.FINAL) or {}).get("counts") or {}).items():
        counts[ident] = counts.get(ident, 0) + int(n)
    return counts


def attendance_labels() -> list[tuple[str, str]]:
    """The attendance page's categories, as the catalogue translates them."""
    return [(category, str(LABELS.get(category, label))) for category, label in totals.CATEGORIES]


def _gathered() -> dict:
    """Everything the page and the workbook show."""
    doc = day().conference() or {}
    found = day().desk.real_day()
    pressed = real_day_supports()
    site_ids = [s["id"] for s in doc.get("sites", [])]
    theme_ids = [t["id"] for t in doc.get("themes", [])]
    silent, unanswered = outcomes.unheard(found, site_ids)
    survey = survey_service.current(day().store)
    results = survey_service.results(day().store, site_ids)
    rows, sums = participation.table(day().store)
    return {
        "doc": doc,
        "names": report.Names.of(doc),
        "sites": outcomes.per_site(found, site_ids, pressed),
        "themes": outcomes.per_theme(found, theme_ids, pressed),
        "silent": silent,
        "unanswered": unanswered,
        "survey": survey,
        "results": results,
        "attendance": {"rows": rows, "sums": sums, "counted": sum(1 for r in rows if r["at"] is not None)},
    }


def _tables(data: dict) -> list[report.Table]:
    doc = data["doc"]
    tables = [
        afterday.sites_table(doc, data["sites"]),
        afterday.themes_table(doc, data["themes"]),
        afterday.unheard_table(doc, data["silent"], data["unanswered"]),
    ]
    if data["survey"]["questions"]:
        tables += afterday.survey_tables(doc, data["survey"]["questions"], data["results"])
    if data["attendance"]["counted"]:
        attendance = data["attendance"]
        tables.append(afterday.attendance_table(attendance["rows"], attendance["sums"], attendance_labels()))
    return tables


@bp.get("/tong-hop-tham-gia")
@screen("reports")
def page():
    """The whole page, to read on screen or print (A4)."""
    data = _gathered()
    return render_template(
        "afterday.html",
        screen="afterday",
        snapshot=day().snapshot(),
        headers=afterday.count_headers(),
        columns=outcomes.COLUMNS,
        total_sites=outcomes.total(data["sites"].values()),
        total_themes=outcomes.total(data["themes"].values()),
        labels=attendance_labels(),
        site_names=day().desk.site_names(),
        date=report.day_month_year(data["doc"].get("date")),
        **data,
    )


@bp.get("/tong-hop-tham-gia.xlsx")
@screen("reports")
def workbook():
    """The same page as a workbook, a sheet per table."""
    date = (day().conference() or {}).get("date") or ""
    name = f"tong-hop-tham-gia-{date}.xlsx" if date else "tong-hop-tham-gia.xlsx"
    return Response(
        exports.workbook_xlsx(_tables(_gathered())),
        mimetype=XLSX,
        headers={"Content-Disposition": f"attachment; filename={name}", "Cache-Control": "no-store"},
    )
