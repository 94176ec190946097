"""When questions are received (the question window) and the phase of every question: pure, time passed in.

**The window** is a list of periods, each open from one moment to another in the conference's time
zone, as the admin types them, one a line: ``20/05/2026 08:00 - 19/06/2026 16:00`` (for example from
the plan's publication to the pre-collection deadline, then the day itself). A question from a phone
is received only inside a period (``start <= now < end``). No period set means always open, as
before the window existed. The stored document (key ``window``) holds the periods as timestamps:
``{"periods": [[start, end], ...], "set_at", "by"}``.

**The phase** of a question says when it came: ``before`` the conference's day, on the ``day`` (its
date, the conference document's ``date``, in the conference's time zone) or ``after`` it (a written
reply's follow-up, a late paper question). A conference with no date counts everything as ``day``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from live.core.conference import TIMEZONE
from live.core.errors import DomainError

KEY = "window"
ZONE = TIMEZONE
MAX_PERIODS = 20
BEFORE, DAY, AFTER = "before", "day", "after"
PHASES = (BEFORE, DAY, AFTER)

Period = tuple[float, float]

_MOMENT = r"(\d{1,2})/(\d{1,2})/(\d{4})\s+(\d{1,2})[:hH](\d{2})"
# "20/05/2026 08:00 - 19/06/2026 16:00" (also "–", "—", "đến", "to")
_LINE = re.compile(rf"^\s*{_MOMENT}\s*(?:-|–|—|đến|den|to)\s*{_MOMENT}\s*$", re.IGNORECASE)


def _moment(parts: Sequence[str], line: int, zone: str) -> float:
    day, month, year, hour, minute = (int(p) for p in parts)
    if not 2000 <= year <= 2100:
        raise DomainError("window.bad_time", line=line)
    try:
        moment = dt.datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(zone))
    except ValueError:
        raise DomainError("window.bad_time", line=line) from None
    return moment.timestamp()


def parse(text: Any, zone: str = ZONE) -> list[Period]:
    """The periods as the admin typed them, one a line, sorted; blank lines are skipped.

    Raises ``window.bad_line`` (not "dd/mm/yyyy HH:MM - dd/mm/yyyy HH:MM"), ``window.bad_time``
    (no such day or time), ``window.end_before_start``, ``window.overlap`` (with the line it
    overlaps) or ``window.too_many``, each naming the line."""
    if not isinstance(text, str):
        raise DomainError("window.bad_line", line=1)
    found: list[tuple[float, float, int]] = []
    for number, raw in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        if not raw.strip():
            continue
        match = _LINE.match(raw)
        if match is None:
            raise DomainError("window.bad_line", line=number)
        start = _moment(match.groups()[:5], number, zone)
        end = _moment(match.groups()[5:], number, zone)
        if end <= start:
            raise DomainError("window.end_before_start", line=number)
        found.append((start, end, number))
        if len(found) > MAX_PERIODS:
            raise DomainError("window.too_many", limit=MAX_PERIODS)
    found.sort()
    for (_s, end, first), (start, _e, second) in zip(found, found[1:], strict=False):
        if start < end:
            raise DomainError("window.overlap", line=max(first, second), other=min(first, second))
    return [(start, end) for start, end, _n in found]


def periods(doc: dict | None) -> list[Period]:
    """The periods a stored window document holds (anything malformed left out), sorted."""
    found = []
    for item in (doc or {}).get("periods") or []:
        if (
            isinstance(item, (list, tuple))
            and len(item) == 2
            and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in item)
            and item[0] < item[1]
        ):
            found.append((float(item[0]), float(item[1])))
    return sorted(found)


def document(found: Sequence[Period], *, now: float, by: str) -> dict:
    return {"periods": [[start, end] for start, end in found], "set_at": now, "by": by}


@dataclass(frozen=True)
class State:
    """Whether questions are received at one moment.

    ``kind``: ``always`` (no period set), ``open`` (until ``until``), ``not_yet`` (no period has
    begun; opens at ``opens``), ``paused`` (between two periods; opens again at ``opens``) or
    ``over`` (every period has ended)."""

    kind: str
    until: float | None = None
    opens: float | None = None

    @property
    def open(self) -> bool:
        return self.kind in ("always", "open")


def state(found: Sequence[Period], now: float) -> State:
    if not found:
        return State("always")
    ordered = sorted(found)
    for index, (start, end) in enumerate(ordered):
        if start <= now < end:
            until = end
            for later_start, later_end in ordered[index + 1 :]:  # periods that touch run on
                if later_start > until:
                    break
                until = max(until, later_end)
            return State("open", until=until)
    upcoming = [start for start, _end in ordered if start > now]
    if not upcoming:
        return State("over")
    begun = any(end <= now for _start, end in ordered)
    return State("paused" if begun else "not_yet", opens=min(upcoming))


def local(timestamp: float, zone: str = ZONE) -> tuple[str, str]:
    """(``HH:MM``, ``dd/mm/yyyy``) of a moment in the conference's time zone."""
    moment = dt.datetime.fromtimestamp(timestamp, ZoneInfo(zone))
    return moment.strftime("%H:%M"), moment.strftime("%d/%m/%Y")


def moment_text(timestamp: float, zone: str = ZONE) -> str:
    """``dd/mm/yyyy HH:MM``, as the admin types it."""
    time, date = local(timestamp, zone)
    return f"{date} {time}"


def to_text(found: Sequence[Period], zone: str = ZONE) -> str:
    """The periods as the admin's form shows them, one a line."""
    return "\n".join(f"{moment_text(start, zone)} - {moment_text(end, zone)}" for start, end in found)


def refusal(found: Sequence[Period], now: float, zone: str = ZONE) -> DomainError | None:
    """The error a new question from a phone gets at ``now``, or None when the window is open:
    ``question.window_closed`` with ``opens`` ("dd/mm/yyyy HH:MM") when a period is still to come."""
    current = state(found, now)
    if current.open:
        return None
    if current.opens is None:
        return DomainError("question.window_closed")
    return DomainError("question.window_closed", opens=moment_text(current.opens, zone))


def public(found: Sequence[Period], zone: str = ZONE) -> dict:
    """The window as a phone may show it and work out by itself as time passes: each period in
    milliseconds, with the time and date it opens and the time and date its run of periods ends."""
    ordered = sorted(found)
    out = []
    for index, (start, end) in enumerate(ordered):
        until = end
        for later_start, later_end in ordered[index + 1 :]:
            if later_start > until:
                break
            until = max(until, later_end)
        opens_time, opens_date = local(start, zone)
        until_time, until_date = local(until, zone)
        out.append(
            {
                "start": int(start * 1000),
                "end": int(end * 1000),
                "opens_time": opens_time,
                "opens_date": opens_date,
                "until_time": until_time,
                "until_date": until_date,
            }
        )
    return {"periods": out}


def phase(received_at: Any, date: Any, zone: str = ZONE) -> str:
    """``before``, ``day`` or ``after`` the conference's date for a question received at
    ``received_at``; ``day`` when either is unknown."""
    if not isinstance(received_at, (int, float)) or isinstance(received_at, bool) or not isinstance(date, str):
        return DAY
    try:
        conference_day = dt.date.fromisoformat(date)
    except ValueError:
        return DAY
    received = dt.datetime.fromtimestamp(received_at, ZoneInfo(zone)).date()
    if received < conference_day:
        return BEFORE
    return DAY if received == conference_day else AFTER
