"""A rehearsal on the real server: started and ended by the admin, then wiped in one action.

Starting one saves the day's shared documents it will disturb (the agenda clock, the speaker timer,
the floor, the stage, and the participation totals per site) in the rehearsal's document and starts
the first four afresh; from then on the desk marks every question and audit entry with the
rehearsal's id (``live.services.desk``), and the screens show only what the rehearsal made
(``live.core.rehearsal.visible``). Ending it puts the saved documents
back; what it made stays in the store, marked, and out of every screen and every figure of the day.

Wiping ends it if it runs, then replaces every marked question by a tombstone
(``personal.tombstone(..., DELETED_REHEARSAL)``) and every marked audit entry by an empty marker,
in batches of atomic transactions. Each batch writes only what is still marked, so a wipe that
stopped halfway (a crash, ``kill -9``) is completed by running it again. The conference, its sites,
the links, the PINs and the departments' links are never touched.
"""

from __future__ import annotations

import uuid

from live.core import clock, floor, personal, rooms
from live.core import rehearsal as rules
from live.core.errors import DomainError
from live.services import participation, supports, survey
from live.services.change import CLOCK, FLOOR, SPEAKER, Change
from live.services.desk import AUDIT, PREFIX, STAGE

KEY = rules.KEY
SHARED = (CLOCK, SPEAKER, FLOOR, STAGE)  # the day's documents a rehearsal disturbs, saved and put back
# the participation totals per site (live/services/participation.py) are saved and put back too: a
# facilitator rehearsing the form overwrites the site's real figures
SAVED_TOO = participation.PREFIX
BATCH = 200  # documents per transaction of a wipe: each one short, so the day's screens never wait long


def _fresh(key: str, now: float) -> dict:
    """A shared document as it is on a day nothing happened yet (the store has no delete)."""
    if key == CLOCK:
        return clock.AgendaClock().to_dict()
    if key == SPEAKER:
        return clock.SpeakerTimer().to_dict()
    if key == FLOOR:
        return floor.Floor().to_dict()
    return {"question": None, "since": now}


def state(day) -> dict:
    """What the admin's page shows: the running rehearsal, the last one, what is left to wipe."""
    doc = day.store.get(KEY) or {}
    questions_left = sum(1 for q in day.store.scan(PREFIX).values() if rules.wiped_question(q))
    entries_left = sum(1 for e in day.store.scan(AUDIT).values() if rules.wiped_entry(e, 0.0) is not None)
    return {
        "running": rules.running(doc),
        "since": doc.get("since") if rules.running(doc) else None,
        "by": doc.get("by") if rules.running(doc) else None,
        "last": doc.get("last"),
        "wiped_at": doc.get("wiped_at"),
        "questions": questions_left,
        "entries": entries_left,
    }


def start(day, by: str = "") -> Change:
    """Begin a rehearsal: the clock, the speaker timer, the floor and the stage are saved and start
    afresh; refused (``rehearsal.running``) while one runs."""
    now = day.now()
    ident = uuid.uuid4().hex[:16]
    totals = tuple(day.store.scan(SAVED_TOO))

    def fn(docs):
        saved = {key: docs[key] for key in (*SHARED, *totals)}
        out = {KEY: rules.started(docs[KEY], ident, now, by, saved)}
        out.update({key: _fresh(key, now) for key in SHARED})
        return out

    _, seq = day.store.transact((KEY, *SHARED, *totals), fn)
    return resync(day, seq)


def end(day) -> Change:
    """End the running rehearsal and put back the day as it was; what it made stays, marked, out
    of sight until it is wiped. Refused (``rehearsal.not_running``) when none runs."""
    seq = _end(day)
    if seq is None:
        raise DomainError("rehearsal.not_running")
    return resync(day, seq)


def _end(day) -> int | None:
    """Put back what the running rehearsal saved, in one transaction; None when none ran."""
    now = day.now()
    ran = []
    saved = (day.store.get(KEY) or {}).get("saved") or {}
    totals = tuple(sorted({*day.store.scan(SAVED_TOO), *(k for k in saved if k.startswith(SAVED_TOO))}))

    def fn(docs):
        doc = docs[KEY]
        if rules.running(doc) is None:
            return {}
        ran.append(True)
        saved = doc.get("saved") or {}
        out = {key: saved.get(key) or _fresh(key, now) for key in SHARED}
        # a site's totals as they were; {} (not counted) where the rehearsal made the first ones
        out.update({key: saved.get(key) or {} for key in totals if docs[key] != (saved.get(key) or {})})
        out[KEY] = rules.ended(doc, now)
        return out

    _, seq = day.store.transact((KEY, *SHARED, *totals), fn)
    return seq if ran else None


def wipe(day) -> tuple[dict[str, int], Change]:
    """Remove everything every rehearsal made, and end the running one: (how many questions and
    audit entries were wiped, what to send). Running it again wipes only what is left."""
    _end(day)  # first: nothing made from here on is marked (in this process at once)
    now = day.now()
    done = {"questions": 0, "entries": 0}
    marked = [k for k, q in day.store.scan(PREFIX).items() if rules.wiped_question(q)]
    for batch in _batches(marked):

        def tombstones(docs):
            return {
                k: personal.tombstone(doc["id"], now, personal.DELETED_REHEARSAL)
                for k, doc in docs.items()
                if rules.wiped_question(doc)
            }

        written, _ = day.store.transact(batch, tombstones)
        done["questions"] += len(written)
    entries = [k for k, e in day.store.scan(AUDIT).items() if rules.wiped_entry(e, now) is not None]
    for batch in _batches(entries):

        def markers(docs):
            found = {k: rules.wiped_entry(doc, now) for k, doc in docs.items() if doc is not None}
            return {k: doc for k, doc in found.items() if doc is not None}

        written, _ = day.store.transact(batch, markers)
        done["entries"] += len(written)
    # the rehearsal's "me too" presses (a device's tag beside a question) and its survey's free
    # texts: what links a phone to something, or may name someone, goes with the rest
    presses = [k for k, p in day.store.scan(supports.PREFIX).items() if supports.held(p) and rules.mark_of(p)]
    texts = [k for k, r in survey.every_response(day.store).items() if r.get("text") and rules.mark_of(r)]
    for batch in _batches(presses):
        day.store.transact(batch, lambda docs: supports.without_device(docs, now))
    for batch in _batches(texts):

        def untexted(docs):
            found = {k: survey.without_text(doc, now) for k, doc in docs.items()}
            return {k: doc for k, doc in found.items() if doc is not None}

        day.store.transact(batch, untexted)
    # last: the page says "wiped" only once nothing is left
    _, seq = day.store.transact((KEY,), lambda docs: {KEY: rules.ended(docs[KEY], now, wiped=True)})
    return done, resync(day, seq)


def _batches(keys: list[str]) -> list[tuple[str, ...]]:
    return [tuple(keys[i : i + BATCH]) for i in range(0, len(keys), BATCH)]


def resync(day, seq: int) -> Change:
    """What every screen needs after a rehearsal began, ended or was wiped: the whole state again
    (the banner, the clock, the stage), the MC's and chairman's queue, the secretariat's list and
    the roll call loaded afresh, and the phones told."""
    snapshot = day.snapshot()
    seq = max(seq, snapshot["seq"])
    running = snapshot.get("rehearsal") is not None
    told = {"seq": seq, "rehearsal": running}
    return Change(
        seq,
        [
            ("state.snapshot", snapshot, rooms.screens()),
            ("queue.snapshot", {"seq": seq, **day.desk.queue()}, rooms.queue()),
            ("rehearsal.changed", told, rooms.desk()),
            ("resync", {"seq": seq}, rooms.roll()),
            ("question.current", {"seq": seq, "question": snapshot["current_question"]}, rooms.phones()),
            ("rehearsal.changed", told, rooms.phones()),
        ],
    )
