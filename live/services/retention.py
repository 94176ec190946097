"""The retention period and the purge of personal data once it is due (live/core/retention.py).

The period lives in a document of its own (``retention``: ``{"days", "set_at", "by"}``), not in
the conference file, so importing next year's conference does not reset it.

A purge reads every question and audit entry from the store itself, then rewrites the ones that
still hold something of an asker in batches of ``BATCH`` keys, each batch one atomic transaction
that reads the documents again and writes only what still needs it. A purge killed half-way
leaves every batch it finished purged and the others as they were; run again, it finds the rest
and completes. When it is done it records one audit entry (``action: "purge"``: how many, when,
by whom) and one log line with the counts only, and asks the store to drop its old copies
(``Store.compact``: SQLite's write-ahead log, Redis's append-only file).

The survey's responses (live/services/survey.py) hold no personal data but, possibly, in their free
text: the purge removes every free text and keeps the ratings.

A press of "me too" (live/services/supports.py) links a device to a question: the purge replaces
each by the time it was purged and keeps only the count per question.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from live.core import personal
from live.core import retention as rules
from live.formats.exports import TIMEZONE
from live.services import supports, survey
from live.services.change import CONFERENCE
from live.services.desk import AUDIT, PREFIX
from live.store.base import Store

log = logging.getLogger("live.retention")

SETTING = "retention"  # {"days", "set_at", "by"}
BATCH = 200  # keys per transaction
RECENT = 10  # purges listed on the admin page


@dataclass(frozen=True)
class Purged:
    """What one call of ``purge`` did."""

    due_at: float
    due: bool  # whether the purge was due: nothing is touched before
    questions: int = 0  # questions anonymised
    entries: int = 0  # audit entries whose copies of asker data were removed
    survey_texts: int = 0  # survey responses whose free text was removed (their ratings stay)


def setting(store: Store) -> dict:
    """The retention period: ``{"days", "set_at", "by", "default"}`` (``default``: never set)."""
    doc = store.get(SETTING)
    return {
        "days": rules.setting_days(doc),
        "set_at": (doc or {}).get("set_at"),
        "by": (doc or {}).get("by"),
        "default": doc is None,
    }


def set_days(store: Store, value: object, *, now: float, by: str) -> dict:
    """Set the period (``retention.bad_days`` unless 1–3650 whole days); returns the new setting."""
    period = rules.days(value)
    doc = {"days": period, "set_at": now, "by": by}
    store.transact((SETTING,), lambda _docs: {SETTING: doc})
    log.info("retention period set days=%d", period)
    return setting(store)


def due_at(store: Store, found: Iterable[dict], now: float, zone: str = TIMEZONE) -> float:
    """When the purge is due for these questions (every question of the store)."""
    return rules.due_at(store.get(CONFERENCE), found, setting(store)["days"], now, zone)


def holding(found: Iterable[dict]) -> int:
    """How many of these questions still hold something of their asker."""
    return sum(1 for q in found if personal.holds_asker_data(q))


def purges(audit: Iterable[dict], limit: int = RECENT) -> list[dict]:
    """The last purges recorded in the audit log, newest first: ``{"at", "count", "role", "name"}``."""
    found = [
        {"at": e.get("at"), "count": e.get("count", 0), "role": e.get("role"), "name": e.get("name") or ""}
        for e in audit
        if e.get("action") == rules.PURGE
    ]
    found.sort(key=lambda e: e["at"] or 0, reverse=True)
    return found[:limit]


def _batches(keys: list[str], size: int) -> Iterable[tuple[str, ...]]:
    for start in range(0, len(keys), size):
        yield tuple(keys[start : start + size])


def purge(
    store: Store,
    now: float,
    *,
    role: str,
    name: str = "",
    zone: str = TIMEZONE,
    batch: int = BATCH,
    after_batch: Callable[[int], None] | None = None,
) -> Purged:
    """Anonymise every question and audit entry still holding asker data, if the purge is due.

    Idempotent: what was purged is left as it is, so a purge interrupted at any point and run
    again completes. ``after_batch(n)`` is called after each batch written (n: batches so far).
    """
    found = store.scan(PREFIX)
    due = due_at(store, found.values(), now, zone)
    if not rules.is_due(due, now):
        return Purged(due_at=due, due=False)
    started = time.monotonic()
    question_keys = [k for k, q in found.items() if personal.holds_asker_data(q)]
    audit_keys = [k for k, e in store.scan(AUDIT).items() if rules.holds_asker_data(e)]
    survey_keys = [k for k, r in survey.every_response(store).items() if r.get("text")]
    done = 0

    def questions_fn(docs):
        out = {}
        for k, doc in docs.items():
            new = personal.anonymised(doc, now) if doc is not None else None
            if new is not None:
                out[k] = new
        return out

    def audit_fn(docs):
        out = {}
        for k, doc in docs.items():
            new = rules.purged_entry(doc) if doc is not None else None
            if new is not None:
                out[k] = new
        return out

    def survey_fn(docs):
        out = {}
        for k, doc in docs.items():
            new = survey.without_text(doc, now)
            if new is not None:
                out[k] = new
        return out

    counts = {"questions": 0, "entries": 0, "survey_texts": 0}
    steps = (
        ("questions", question_keys, questions_fn),
        ("entries", audit_keys, audit_fn),
        ("survey_texts", survey_keys, survey_fn),
    )
    for kind, keys, fn in steps:
        for chunk in _batches(keys, max(1, batch)):
            written, _ = store.transact(chunk, fn)
            counts[kind] += len(written)
            done += 1
            if after_batch is not None:
                after_batch(done)
    # a press of "me too" links a device to a question: only the counts stay (live/services/supports.py)
    presses = supports.purge(store, found, now, batch=batch, after_batch=after_batch and (lambda _n: after_batch(done)))
    if presses:
        log.info("purge replaced supports=%d by their counts", presses)
    # recorded even when nothing was left: a purge run again after an interruption says it completed
    entry = rules.purge_entry(counts["questions"], now, role=role, name=name, entries=counts["entries"])
    entry_key = f"{AUDIT}{time.time_ns():020d}:{rules.PURGE}"
    store.transact((entry_key,), lambda _docs: {entry_key: entry})
    getattr(store, "inner", store).compact()
    log.info(
        "purge done questions=%d audit_entries=%d batches=%d seconds=%.2f",
        counts["questions"],
        counts["entries"],
        done,
        time.monotonic() - started,
    )
    if counts["survey_texts"]:
        log.info("purge removed survey_free_texts=%d", counts["survey_texts"])
    return Purged(
        due_at=due,
        due=True,
        questions=counts["questions"],
        entries=counts["entries"],
        survey_texts=counts["survey_texts"],
    )


def pending(store: Store, found: Iterable[dict], audit: Iterable[dict], now: float, zone: str = TIMEZONE) -> bool:
    """Whether a purge would do something now: it is due, and a question or an audit entry still
    holds asker data. Cheap while the due date is ahead: nothing is inspected for asker data then."""
    found = list(found)
    if not rules.is_due(due_at(store, found, now, zone), now):
        return False
    if holding(found) > 0 or any(rules.holds_asker_data(e) for e in audit):
        return True
    if supports.holding(store):
        return True
    return survey.holding_text(survey.every_response(store).values()) > 0
