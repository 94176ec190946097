"""The branches' lists: importing the questions a Youth Union's branches collected before the day.

Every row goes through the phones' own rules (``questions.validate_submission``: NFC, lengths,
text with letters) and the file is checked whole before anything is written: one bad row and
nothing is stored, every problem named with its Excel row. A good file is then written in batches,
each one atomic (``store.insert_many``), under ids derived from the rows themselves (``row_ids``):
importing the same file again, or again after the server died between two batches, stores each row
exactly once: the rows already there are counted, never written twice (a deleted one stays deleted).

A stored question carries ``channel: "branch"``, ``phase: "before"``, the branch (``branch``) and
the staff name that imported it (``entered_by``). A name or group in the list was given to the
branch, which must have collected the asker's consent on its form: the consent is recorded as given
under today's notice ``via: "branch"`` (as the secretariat's floor entries record ``via:
"secretariat"``).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from live.core import questions, rooms
from live.core import rehearsal as rehearsals
from live.core import window as windows
from live.core.errors import DomainError
from live.core.wordlist import Compiled
from live.formats import branchfile
from live.formats.branchfile import Problem
from live.services import desk as desks
from live.services import wordlist as wordlists
from live.services.change import CONFERENCE, Change

CHANNEL = "branch"
PHASE = windows.BEFORE  # collected before the day, even when imported on it (live/core/window.py)
BATCH = 200  # rows per atomic write: a few thousand questions are a handful of writes
ID_PREFIX = "br-"
IMPORT = "import"  # the audit entry of one file imported


@dataclass
class Result:
    """What an import did: the questions written now, and the rows that were there already."""

    added: int = 0
    existing: int = 0
    change: Change | None = None
    rows: int = 0
    named: int = 0  # of those written now: how many carry a name or a group (given to the branch)


@dataclass
class Refused(Exception):
    """The file was not imported: every row's problem, in row order (nothing was stored)."""

    problems: list[Problem] = field(default_factory=list)


def row_ids(rows: list[dict], rehearsal: str | None = None) -> list[str]:
    """Each row's question id: a digest of what it says (site, branch, text, name, group, theme)
    and of how many identical rows came before it, so the same file always makes the same ids and
    two identical rows stay two questions. A rehearsal's import makes its own."""
    seen: dict[str, int] = {}
    out = []
    for row in rows:
        content = "\x1f".join(str(row.get(name) or "") for name in ("site", "branch", "text", "name", "group", "theme"))
        base = hashlib.sha256(f"{rehearsal or ''}\x1e{content}".encode()).hexdigest()
        n = seen.get(base, 0)
        seen[base] = n + 1
        out.append(ID_PREFIX + hashlib.sha256(f"{base}\x1e{n}".encode()).hexdigest()[:40])
    return out


def records(
    rows: list[dict], ids: list[str], *, conference: dict | None, now: float, by: str, words: Compiled | None = None
) -> list[dict]:
    """The question documents for the rows, checked by the phones' rules; ``Refused`` naming every
    row that fails them. ``words``: the word lists, whose findings each question keeps as ``flags``."""
    doc = conference or {}
    sites = {site["id"] for site in doc.get("sites", [])}
    themes = {theme["id"] for theme in doc.get("themes", [])}
    out, problems = [], []
    for row, ident in zip(rows, ids, strict=True):
        fields = {key: row[key] for key in ("site", "text", "name", "group", "theme") if row.get(key)}
        fields["id"] = ident
        fields["consent"] = questions.secretariat_consents(fields)
        try:
            record = questions.validate_submission(fields, sites=sites, themes=themes, now=now)
        except DomainError as error:
            problems.append(Problem(row["row"], error))
            continue
        consent = {purpose: dict(given, via=CHANNEL) for purpose, given in record["consent"].items()}
        out.append(
            dict(
                record,
                consent=consent,
                channel=CHANNEL,
                phase=PHASE,
                branch=row["branch"],
                device=None,
                entered_by=by,
            )
        )
        flags = words.match(record["text"], record.get("fold")) if words is not None else {}
        if flags:
            out[-1]["flags"] = flags
    if problems:
        raise Refused(problems)
    return out


def import_file(
    day,
    data: bytes,
    filename: str,
    *,
    by: str,
    role: str = "moderator",
    batch: int = BATCH,
    between: Callable[[int], None] | None = None,
) -> Result:
    """Import a branch list into ``day``'s store: all its rows, or nothing and ``Refused``.

    ``between(n)`` runs after each batch written (``n`` batches so far): the tests stop the
    process there."""
    store = day.store
    conference = store.get(CONFERENCE) or {}
    rows, problems = branchfile.read_rows(
        data, filename, sites=conference.get("sites", []), themes=conference.get("themes", [])
    )
    rehearsal = rehearsals.running(store.get(rehearsals.KEY))
    ids = row_ids(rows, rehearsal)
    try:
        made = records(rows, ids, conference=conference, now=day.now(), by=by, words=wordlists.compiled(store))
    except Refused as refused:
        problems = problems + refused.problems
        made = []
    if problems:
        raise Refused(sorted(problems, key=lambda p: p.row))
    if rehearsal is not None:
        made = [dict(record, **{rehearsals.MARK: rehearsal}) for record in made]
    result = Result(rows=len(made))
    emits = []
    last = 0
    for start in range(0, len(made), batch):
        chunk = made[start : start + batch]
        written = store.insert_many([(desks.key(record["id"]), record) for record in chunk])
        for record, (_, seq) in zip(chunk, written, strict=True):
            if seq is None:
                result.existing += 1
                continue
            result.added += 1
            result.named += bool(record["name"] or record["group"])
            last = max(last, seq)
            emits.append(("question.added", {"seq": seq, "question": desks.staff_view(record)}, rooms.desk()))
        if between is not None:
            between(start // batch + 1)
    if result.added:  # one entry for the file in the audit log: who imported how many, never the rows
        entry = {
            "at": day.now(), "role": role, "name": by, "action": IMPORT, "question": None, "code": None,
            "before": {}, "after": {"imported": result.added, "existing": result.existing},
        }  # fmt: skip
        if rehearsal is not None:
            entry[rehearsals.MARK] = rehearsal
        entry_key = f"{desks.AUDIT}{time.time_ns():020d}:{IMPORT}"
        store.transact((entry_key,), lambda _docs: {entry_key: entry})
    if emits:
        result.change = Change(last, emits)
    return result
