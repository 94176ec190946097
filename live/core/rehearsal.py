"""A rehearsal: the day run for practice on the real server, then wiped. Pure rules.

While a rehearsal runs, everything made in it (questions, audit entries) carries its id under
``MARK``, and the screens show only what it made: real questions are neither shown nor touched, so
wiping it cannot change the real day. Once it ended, what it made stays out of every screen and
every figure of the day (the notice, the exports, the roll call) until it is wiped.

The rehearsal's document (``rehearsal``) holds, while one runs, its id, when it began, who began
it, and the day's shared documents as they were before it (the clock, the speaker timer, the floor,
the stage), which ending or wiping it puts back.
"""

from __future__ import annotations

from typing import Any

from live.core.errors import DomainError

KEY = "rehearsal"  # the store's document of the running rehearsal
MARK = "rehearsal"  # the key of a question or an audit entry made during a rehearsal: its id
WIPED = "wiped"  # the key of an audit entry's marker once its rehearsal was wiped


def running(doc: dict | None) -> str | None:
    """The id of the rehearsal running now, or None."""
    ident = (doc or {}).get("id")
    return ident if isinstance(ident, str) and ident else None


def mark_of(item: dict | None) -> str | None:
    """The rehearsal ``item`` was made in, or None for the real day's."""
    found = (item or {}).get(MARK)
    return found if isinstance(found, str) and found else None


def visible(item: dict | None, current: str | None) -> bool:
    """Whether a question or audit entry belongs to what the screens show now: the running
    rehearsal's own items while one runs, the real day's otherwise."""
    return mark_of(item) == current


def started(doc: dict | None, ident: str, now: float, by: str, saved: dict[str, Any]) -> dict:
    """The rehearsal document once ``ident`` began, keeping the shared documents as they were."""
    if running(doc) is not None:
        raise DomainError("rehearsal.running")
    return {"id": ident, "since": now, "by": by, "saved": dict(saved), "last": (doc or {}).get("last")}


def ended(doc: dict | None, now: float, *, wiped: bool = False) -> dict:
    """The rehearsal document once the running one ended (``wiped``: once a wipe is done); the
    last rehearsal's id and times stay, for the admin's page."""
    previous = doc or {}
    current = running(previous)
    last = {"id": current, "since": previous.get("since"), "ended_at": now} if current else previous.get("last")
    new: dict = {"id": None, "last": last}
    if wiped:
        new["wiped_at"] = now
    elif previous.get("wiped_at") and not current:
        new["wiped_at"] = previous["wiped_at"]
    return new


def wiped_question(question: dict | None) -> bool:
    """Whether a stored question is one a wipe replaces by a tombstone (made in a rehearsal, not
    yet replaced)."""
    return question is not None and mark_of(question) is not None and "text" in question


def wiped_entry(entry: dict, now: float) -> dict | None:
    """What replaces an audit entry made in a rehearsal: when, and that it was wiped; nothing of
    who did what to which question. None when it holds nothing to wipe (already wiped, or real)."""
    if mark_of(entry) is None or set(entry) <= {"at", MARK, WIPED}:
        return None
    return {"at": entry.get("at"), MARK: mark_of(entry), WIPED: now}


def is_wiped_entry(entry: dict | None) -> bool:
    """Whether an audit entry is the marker a wipe left."""
    return entry is not None and WIPED in entry
