"""How long live keeps what a question holds of its asker, and when it is purged: pure functions.

**The rule.** Personal data is kept for its purpose, and the purpose ends when the conference's
written replies are published. The purpose ends at the end (24:00, in the conference's time zone)
of the latest of these days:

- the conference's day (the conference document's ``date``);
- the day the last written reply was published (a question's ``published_at``);
- the reply deadline of every forwarded question whose reply is not yet published (``deadline``):
  an asker waiting for a reply is still being served, until the deadline at least.

The purge is due ``days`` days after that (the retention period the admin sets, ``DEFAULT_DAYS``
when unset): from 00:00 on the due date, a purge anonymises every question (``personal.anonymised``:
the text stays for the record; the name, the device link and the consents go). A conference with
no date and no reply yet counts from the day the last question was received, so a due date always
exists. A reply published or a deadline moved later moves the due date later; what was already
purged stays purged.

The audit log copies a question's changed fields into its entries; ``purged_entry`` puts
``personal.REMOVED`` where those copies hold something of the asker.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from live.core import personal, questions
from live.core.conference import TIMEZONE
from live.core.errors import DomainError

ZONE = TIMEZONE  # the conference's time zone unless the deployment says otherwise
DEFAULT_DAYS = 60  # a default, not a legal period: each province decides its own (docs/privacy.md)
MIN_DAYS, MAX_DAYS = 1, 3650
# what an audit entry's before/after may copy of the asker, and what an origin there holds of one
# (the same fields a purge takes out of the question itself: live/core/personal.py)
AUDIT_ASKER_FIELDS = (*personal.ASKER_FIELDS, "consent")
ORIGIN_ASKER_FIELDS = (*personal.ORIGIN_ASKER_FIELDS, "consent")
PURGE = "purge"  # the audit action of a purge


def days(value: Any) -> int:
    """The retention period as the admin typed it ("60", " 90 ") → days; ``retention.bad_days``
    unless it is a whole number from ``MIN_DAYS`` to ``MAX_DAYS``."""
    if isinstance(value, bool):
        raise DomainError("retention.bad_days", low=MIN_DAYS, high=MAX_DAYS)
    if isinstance(value, str):
        text = value.strip()
        if not text.isascii() or not text.isdigit() or len(text) > 6:
            raise DomainError("retention.bad_days", low=MIN_DAYS, high=MAX_DAYS)
        value = int(text)
    if not isinstance(value, int) or not MIN_DAYS <= value <= MAX_DAYS:
        raise DomainError("retention.bad_days", low=MIN_DAYS, high=MAX_DAYS)
    return value


def setting_days(doc: dict | None) -> int:
    """The period a stored setting (``{"days", "set_at", "by"}``) gives, else the default."""
    try:
        return days((doc or {}).get("days"))
    except DomainError:
        return DEFAULT_DAYS


def _local_day(timestamp: float, zone: str) -> dt.date:
    return dt.datetime.fromtimestamp(timestamp, ZoneInfo(zone)).date()


def _iso_day(value: Any) -> dt.date | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _number(value: Any) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value == value:
        return float(value)
    return None


def last_day(conference: dict | None, found: Iterable[dict], zone: str = ZONE) -> dt.date | None:
    """The last day of the data's purpose (see the module's rule); None when there is nothing to
    count from (no conference date, no reply, no question)."""
    candidates: list[dt.date] = []
    day = _iso_day((conference or {}).get("date"))
    if day is not None:
        candidates.append(day)
    received: list[float] = []
    for q in found:
        if personal.is_tombstone(q):
            continue
        published = _number(q.get("published_at"))
        if published is not None:
            candidates.append(_local_day(published, zone))
        if q.get("status") == questions.FORWARDED and q.get("reply_state") != questions.PUBLISHED:
            deadline = _iso_day(q.get("deadline"))
            if deadline is not None:
                candidates.append(deadline)
        at = _number(q.get("received_at"))
        if at is not None:
            received.append(at)
    if not candidates and received:
        candidates.append(_local_day(max(received), zone))
    return max(candidates) if candidates else None


def due_at(conference: dict | None, found: Iterable[dict], period: int, now: float, zone: str = ZONE) -> float:
    """When the purge is due: 00:00 (in ``zone``) ``period`` days after the end of the purpose's
    last day. With nothing to count from, ``period`` days after the end of today (``now``)."""
    last = last_day(conference, found, zone) or _local_day(now, zone)
    due = last + dt.timedelta(days=1 + period)
    return dt.datetime(due.year, due.month, due.day, tzinfo=ZoneInfo(zone)).timestamp()


def is_due(due: float, now: float) -> bool:
    return now >= due


def day_month_year(timestamp: float, zone: str = ZONE) -> str:
    """A moment's date as written in Vietnam: ``28/10/2025``."""
    return _local_day(timestamp, zone).strftime("%d/%m/%Y")


def _origin(origin: Any) -> Any:
    if not isinstance(origin, dict):
        return origin
    return {k: (personal.removed(v) if k in ORIGIN_ASKER_FIELDS else v) for k, v in origin.items()}


def _asker_free(field: str, value: Any) -> Any:
    if field in AUDIT_ASKER_FIELDS:
        return personal.removed(value)
    if field == "origins" and isinstance(value, list):
        return [_origin(o) for o in value]
    return value


def purged_entry(entry: dict) -> dict | None:
    """An audit entry whose before/after no longer hold anything of an asker: their name, consent
    and device, and those of the questions merged into theirs (``origins``), each replaced by
    ``personal.REMOVED``; who acted, when, and the rest of the change stay. None when there was
    nothing to remove (a purge run again writes nothing)."""
    return personal.scrub_sides(entry, _asker_free)


def holds_asker_data(entry: dict) -> bool:
    """Whether an audit entry still copies something of an asker (``purged_entry`` would change it)."""
    return purged_entry(entry) is not None


def purge_entry(count: int, now: float, *, role: str, name: str = "", entries: int = 0) -> dict:
    """The audit entry recording one purge: how many questions were anonymised and how many audit
    entries had data removed; nothing of whose."""
    return {
        "at": now,
        "role": role,
        "name": name,
        "action": PURGE,
        "question": None,
        "code": None,
        "count": count,
        "entries": entries,
        "before": {},
        "after": {"purged": count},
    }
