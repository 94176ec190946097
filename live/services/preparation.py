"""Departments preparing answers before the day: what the secretariat and each department read.

The secretariat assigns a question to a department to prepare an answer by a due date
(``question.prepare``); the question stays in the dialogue. The department writes talking points for
the chairman, or proposes to answer in writing instead (``question.draft``), through its own link
(the same link as its written replies, ``replies.tokens``); the secretariat accepts it or sends it
back with a note (``question.review``). The lifecycle is in ``live/core/questions.py``.

Everything here reads the day through ``Day`` and changes nothing: cards, the department's list,
the secretariat's board and the questions still to assign. Only questions of the real day, or of
the running rehearsal, ever appear (``Desk.all`` filters them), and never the asker's name.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from live.core import questions
from live.core.text import fold
from live.formats.exports import TIMEZONE
from live.services import replies

# a question can be prepared, and its preparation reviewed, while it is still in the dialogue
OPEN_STATUSES = (questions.RECEIVED, questions.APPROVED, questions.ON_SCREEN)
SOON_DAYS = replies.SOON_DAYS  # a due date this close (or passed) is flagged to the secretariat
OVERDUE, SOON = replies.OVERDUE, replies.SOON
DEFAULT_LEAD = 3  # an assignment is due 3 days before the conference by default
LATE_DAYS = 7  # …or a week from today when that is already past
CANDIDATES_SHOWN = 100  # the questions to assign, listed at most (the rest counted, found by search)

# ---------------------------------------------------------------- pure: due dates


def owes(question: dict) -> bool:
    """Whether the department still has to write (or rewrite) its prepared answer."""
    return question.get("prep_state") in questions.PREP_OWED


def urgency(question: dict, today: dt.date) -> str | None:
    """``overdue`` or ``soon`` (≤ 3 days) while the department still owes its prepared answer."""
    if not owes(question) or question.get("status") not in OPEN_STATUSES:
        return None
    return replies.flag(replies.days_left(question.get("prep_due"), today))


def default_due(conference_date: str | None, today: dt.date) -> dt.date:
    """The due date the assignment form offers: 3 days before the conference (not before today),
    or a week from today once the conference's date has passed or is unknown."""
    try:
        day = dt.date.fromisoformat(conference_date) if conference_date else None
    except ValueError:
        day = None
    if day is None or day < today:
        return today + dt.timedelta(days=LATE_DAYS)
    return max(today, day - dt.timedelta(days=DEFAULT_LEAD))


# ---------------------------------------------------------------- reading the day


def _open(day) -> list[dict]:
    return [q for q in day.desk.all() if q.get("status") in OPEN_STATUSES]


def assigned(day) -> list[dict]:
    """Every question still in the dialogue that a department prepares an answer for."""
    return [q for q in _open(day) if q.get("prep_department")]


def card(
    question: dict, day, today: dt.date, names: dict[str, str], themes: dict[str, str], zone: str = TIMEZONE
) -> dict:
    """A question assigned for preparation as the department and the secretariat read it: never
    the asker's name or device."""
    sites = day.desk.site_names()
    origin = questions.public_origin(sites.get(question.get("site"), question.get("site") or ""), question)
    department = question.get("prep_department") or ""
    return {
        "id": question["id"],
        "code": question["code"],
        "version": question["version"],
        "text": question["text"],
        "origin": origin,
        "status": question.get("status"),
        "theme": question.get("theme"),
        "theme_name": themes.get(question.get("theme") or "", ""),
        "department": department,
        "department_name": names.get(department, department),
        "answering": question.get("department") or "",  # the answering department, if assigned
        "due": replies.day_month_year(question.get("prep_due")),
        "due_iso": question.get("prep_due") or "",
        "days_left": replies.days_left(question.get("prep_due"), today),
        "urgency": urgency(question, today),
        "prep_state": question.get("prep_state"),
        "prep_written": bool(question.get("prep_written")),
        "prep_text": question.get("prep_text") or "",
        "prep_note": question.get("prep_note") or "",
        "prep_at": _local(question.get("prep_at"), zone),
    }


def _local(timestamp: float | None, zone: str = TIMEZONE) -> str:
    if timestamp is None:
        return ""
    return dt.datetime.fromtimestamp(timestamp, ZoneInfo(zone)).strftime("%d/%m/%Y %H:%M")


def _by_due(c: dict) -> tuple:
    return (c["days_left"] if c["days_left"] is not None else 10**6, c["code"])


def _themes(day) -> dict[str, str]:
    return {t["id"]: t["name"] for t in (day.conference() or {}).get("themes", [])}


def for_department(day, department: str, zone: str = TIMEZONE) -> list[dict]:
    """The questions ``department`` prepares: the ones it still owes first, nearest due date first."""
    today = replies.local_date(day.now(), zone)
    names, themes = replies.department_names(day), _themes(day)
    cards = [card(q, day, today, names, themes, zone) for q in assigned(day) if q.get("prep_department") == department]
    cards.sort(key=lambda c: (not owes(c), c["prep_state"] == questions.ACCEPTED, *_by_due(c)))
    return cards


def board(day, zone: str = TIMEZONE) -> dict:
    """The secretariat's view: the due dates passed or coming up first, the prepared answers and
    written proposals to review, then every assignment by department (the conference's order; a
    department no longer listed comes last), and the counts."""
    today = replies.local_date(day.now(), zone)
    names, themes = replies.department_names(day), _themes(day)
    cards = sorted((card(q, day, today, names, themes, zone) for q in assigned(day)), key=_by_due)
    order = {ident: n for n, ident in enumerate(names)}
    groups: dict[str, list[dict]] = {}
    for c in cards:
        groups.setdefault(c["department"], []).append(c)
    grouped = [
        {"id": ident, "name": names.get(ident, ident), "cards": items}
        for ident, items in sorted(groups.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0]))
    ]
    states = [c["prep_state"] for c in cards]
    return {
        "groups": grouped,
        "flagged": [c for c in cards if c["urgency"]],
        "review": [c for c in cards if c["prep_state"] in (questions.PREPARED, questions.WRITTEN)],
        "counts": {
            "all": len(cards),
            "owed": sum(owes(c) for c in cards),
            "prepared": states.count(questions.PREPARED),
            "written": states.count(questions.WRITTEN),
            "accepted": states.count(questions.ACCEPTED),
            "overdue": sum(c["urgency"] == OVERDUE for c in cards),
            "soon": sum(c["urgency"] == SOON for c in cards),
        },
    }


def candidates(day, *, search: str = "", theme: str = "", limit: int = CANDIDATES_SHOWN, zone: str = TIMEZONE) -> dict:
    """The questions still in the dialogue that no department prepares yet, by theme in the
    conference's order (approved before received, oldest first), found by their folded text or
    tracking code and by theme; at most ``limit`` of them, with how many matched in all."""
    today = replies.local_date(day.now(), zone)
    names, themes = replies.department_names(day), _themes(day)
    order = {ident: n for n, ident in enumerate(themes)}
    wanted = fold(search).split() if search else []
    found = []
    for q in _open(day):
        if q.get("prep_department"):
            continue
        if theme and (q.get("theme") or "-") != theme:
            continue
        if wanted:
            haystack = fold(q["text"]) + " " + q["code"].lower()
            if not all(word in haystack for word in wanted):
                continue
        found.append(q)
    found.sort(
        key=lambda q: (
            order.get(q.get("theme"), len(order)),
            q.get("status") == questions.RECEIVED,
            q["received_at"],
            q["id"],
        )
    )
    shown = [card(q, day, today, names, themes, zone) for q in found[:limit]]
    groups: list[dict] = []
    for c in shown:
        if groups and groups[-1]["id"] == (c["theme"] or ""):
            groups[-1]["cards"].append(c)
        else:
            groups.append({"id": c["theme"] or "", "name": c["theme_name"], "cards": [c]})
    return {"groups": groups, "shown": len(shown), "total": len(found)}
