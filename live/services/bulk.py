"""One action on many questions at once (the secretariat's selection or filtered list), and its undo.

Each question is checked exactly as ``Desk.act`` checks one (its version, its status, the
lifecycle in ``live/core/questions.py``), but one refusal never stops the others: the answer lists
the questions done and those skipped with why (``conflict``: changed meanwhile, never overwritten).
The questions are written in batches of ``BATCH``, one atomic store transaction each, so a bulk on a
thousand questions is durable batch by batch; each batch is announced as one message per audience
(``Desk.announce(..., batch=True)``), sent once the whole bulk has been written.

The whole bulk is one audit entry (``action: "bulk_<action>"``, the ids and tracking codes), which
each batch's transaction extends. What undo needs, each question as it was before, is kept beside
it in one document per batch (``bulk:<id>:<n>``) for ``UNDO_SECONDS`` only: undo, a timer of the
process that made it, or the next bulk overwrites it with a document that holds no asker data
(``bulks`` lists the bulks whose documents still hold some).
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from live.core import personal, questions
from live.core import rehearsal as rehearsals
from live.core.errors import DomainError
from live.services.change import CONFERENCE, Change
from live.services.desk import AUDIT, Desk, key

# each action a bulk may do → the arguments it takes (as the single action, ``question.<action>``)
ACTIONS: dict[str, tuple[str, ...]] = {
    "approve": (),
    "reject": ("reason",),
    "assign": ("theme", "department"),
    "prepare": ("department", "due"),
    "merge": ("into",),
}
MAX_ITEMS = 2000
BATCH = 200  # questions per store transaction
UNDO_SECONDS = 60
INDEX = "bulks"  # bulk id → {at, parts}: the bulks whose before-documents may still hold asker data
PART = "bulk:"
MERGE_TARGETS = (questions.RECEIVED, questions.APPROVED)
_PROBE_ID = "bulk-probe-0000000000"  # a question id no phone makes: the arguments are checked on it


def part_key(bulk: str, n: int) -> str:
    return f"{PART}{bulk}:{n:03d}"


def _reason(error: DomainError) -> str:
    """A refusal's code as a skipped question's reason: ``question.conflict`` → ``conflict``."""
    return error.code.split(".", 1)[-1]


def _items(value: Any) -> list[tuple[str, int]]:
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_ITEMS:
        raise DomainError("bulk.bad_items", limit=MAX_ITEMS)
    found: dict[str, int] = {}
    for item in value:
        ident = item.get("id") if isinstance(item, dict) else None
        version = item.get("version") if isinstance(item, dict) else None
        if (
            not isinstance(ident, str)
            or not questions._QUESTION_ID.fullmatch(ident)
            or not isinstance(version, int)
            or isinstance(version, bool)
            or ident in found
            or set(item) - {"id", "version"}
        ):
            raise DomainError("bulk.bad_items", limit=MAX_ITEMS)
        found[ident] = version
    return list(found.items())


def _context(action: str, args: dict, doc: dict | None) -> dict:
    """What the lifecycle checks an argument against (the conference's themes and departments)."""
    doc = doc or {}
    themes = {t["id"] for t in doc.get("themes", [])}
    departments = {d["id"] for d in doc.get("departments", [])}
    if action == "assign":
        return {k: v for k, v in (("themes", themes), ("departments", departments)) if k[:-1] in args}
    if action == "prepare":
        return {"departments": departments}
    return {}


class Bulk:
    """Bulk actions on the desk's questions, and their undo within the minute."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self.store = desk.store

    # ------------------------------------------------------------ the action

    def act(self, payload: Any, *, role: str, name: str = "") -> tuple[dict, list[Change]]:
        """Apply one action to every question listed: (the answer, what each batch announces)."""
        if not isinstance(payload, dict):
            raise DomainError("question.malformed")
        action = payload.get("action")
        if action not in ACTIONS:
            raise DomainError("question.unknown_action", action=str(action)[:40])
        unknown = sorted(set(map(str, payload)) - {"action", "items", *ACTIONS[action]})
        if unknown:
            raise DomainError("question.bad_argument", action=action, argument=unknown[0][:40])
        items = _items(payload.get("items"))
        args = {k: payload[k] for k in ACTIONS[action] if k in payload}
        now = self.desk.now()
        self._check_arguments(action, args, now, [ident for ident, _ in items])
        self.forget_expired()
        bulk = uuid.uuid4().hex
        audit_key = f"{AUDIT}{time.time_ns():020d}:bulk-{bulk[:12]}"
        done: list[str] = []
        skipped: list[dict] = []
        changes: list[Change] = []
        parts = 0
        for start in range(0, len(items), BATCH):
            batch = items[start : start + BATCH]
            outcome = self._batch(action, args, batch, start, now, bulk, parts, audit_key, role, name)
            if isinstance(outcome, DomainError):  # the merge target went away meanwhile: the rest is skipped
                skipped += [{"id": ident, "code": None, "reason": _reason(outcome)} for ident, _ in batch]
                continue
            written, seq, mine, refused = outcome
            skipped += refused
            if mine:
                done += mine
                parts += 1
                changes.append(self.desk.announce(seq, written, batch=True))
        answer = {
            "ok": True,
            "bulk": bulk if done else None,
            "done": done,
            "skipped": skipped,
            "undo_until": now + UNDO_SECONDS if done else None,
            "seq": changes[-1].seq if changes else self.store.seq(),
        }
        return answer, changes

    def _check_arguments(self, action: str, args: dict, now: float, ids: list[str]) -> None:
        """Refuse the whole bulk for an argument that would fail every question (a reason, a
        department, a date, a merge target), with the single action's code."""
        context = _context(action, args, self.store.get(CONFERENCE))
        probe = {"id": _PROBE_ID, "status": questions.RECEIVED, "version": 0}
        if action == "assign" and not args:
            raise DomainError("question.bad_argument", action=action, argument="")
        questions.transition(probe, action, now, expected_version=None, **args, **context)
        if action == "merge":
            target = self.desk.get(args["into"])
            if target is None or target["status"] not in MERGE_TARGETS or args["into"] in ids:
                raise DomainError("question.bad_merge")

    def _batch(self, action, args, batch, start, now, bulk, part, audit_key, role, name):
        """One transaction: the questions of ``batch`` that pass, the audit entry extended, and
        their before-documents kept for undo. Returns (written, seq, done ids, skipped) or the
        error that refused the whole batch."""
        into = args.get("into")
        keys = (
            *(key(ident) for ident, _ in batch),
            *((key(into),) if into else ()),
            # the conference (a large document) only for the actions that check against it
            *((CONFERENCE,) if action in ("assign", "prepare") else ()),
            rehearsals.KEY, audit_key, part_key(bulk, part), INDEX,
        )  # fmt: skip
        verdict: dict = {}

        def fn(docs):
            rehearsal = rehearsals.running(docs[rehearsals.KEY])
            context = _context(action, args, docs[CONFERENCE]) if CONFERENCE in keys else {}
            target = docs[key(into)] if into else None
            if into and (
                target is None
                or personal.is_tombstone(target)
                or not rehearsals.visible(target, rehearsal)
                or target["status"] not in MERGE_TARGETS
            ):
                raise DomainError("question.bad_merge")
            out: dict[str, dict] = {}
            before: dict[str, dict] = {}
            refused: list[dict] = []
            origins = list((target or {}).get("origins") or [])
            for n, (ident, version) in enumerate(batch):
                question = docs[key(ident)]
                if question is None or personal.is_tombstone(question) or not rehearsals.visible(question, rehearsal):
                    refused.append({"id": ident, "code": None, "reason": "not_found"})
                    continue
                if action == "approve" and (question.get("flags") or {}).get("banned"):
                    # a question a word list holds is approved one by one, by a person who read it
                    refused.append({"id": ident, "code": question["code"], "reason": "held"})
                    continue
                base = question
                if action == "approve" and question.get("rank") is None:  # the queue keeps the selection's order
                    base = {**question, "rank": float(now) + (start + n) * 1e-4}
                try:
                    new = questions.transition(base, action, now, expected_version=version, **args, **context)
                    if target is not None:
                        questions.check_merge_target(question, target)
                except DomainError as error:
                    refused.append({"id": ident, "code": question["code"], "reason": _reason(error)})
                    continue
                out[key(ident)] = new
                before[ident] = question
                if target is not None:
                    mine = {k: question.get(k) for k in ("id", "code", "site", "name", "group", "consent")}
                    origins = [o for o in origins if o["id"] != ident] + [mine] + list(question.get("origins") or [])
            verdict["refused"] = refused
            if not out:
                return {}
            if target is not None:
                out[key(into)] = {**target, "origins": origins}
            entry = docs[audit_key] or {
                "at": now, "role": role, "name": name, "action": f"bulk_{action}", "bulk": bulk,
                "questions": [], "codes": [], "before": {}, "after": _after(action, args),
            }  # fmt: skip
            out[audit_key] = {
                **entry,
                "questions": entry["questions"] + list(before),
                "codes": entry["codes"] + [q["code"] for q in before.values()],
            }
            out[part_key(bulk, part)] = {
                "at": now, "bulk": bulk, "action": action, "into": into, "audit": audit_key,
                "before": before, "after": {ident: out[key(ident)]["version"] for ident in before},
            }  # fmt: skip
            if rehearsal is not None:
                out[audit_key][rehearsals.MARK] = rehearsal
                out[part_key(bulk, part)][rehearsals.MARK] = rehearsal
            index = dict(docs[INDEX] or {})
            index[bulk] = {"at": now, "parts": part + 1}
            out[INDEX] = index
            return out

        try:
            written, seq = self.store.transact(keys, fn)
        except DomainError as error:
            return error
        done = [ident for ident, _ in batch if key(ident) in written]
        return written, seq, done, verdict["refused"]

    # ------------------------------------------------------------ undo

    def undo(self, payload: Any, *, role: str, name: str = "") -> tuple[dict, list[Change]]:
        """Put back every question a bulk changed, unless changed since (those are skipped)."""
        bulk = payload.get("bulk") if isinstance(payload, dict) else None
        if not isinstance(bulk, str) or len(bulk) != 32 or set(payload) - {"bulk"}:
            raise DomainError("bulk.undo_gone")
        now = self.desk.now()
        known = (self.store.get(INDEX) or {}).get(bulk)
        if known is None:
            raise DomainError("bulk.undo_gone")
        if now - known["at"] > UNDO_SECONDS:
            raise DomainError("bulk.undo_expired", seconds=UNDO_SECONDS)
        audit_key = f"{AUDIT}{time.time_ns():020d}:undo-{bulk[:12]}"
        done: list[str] = []
        skipped: list[dict] = []
        changes: list[Change] = []
        for n in range(known["parts"]):
            outcome = self._undo_part(bulk, n, now, audit_key, role, name)
            if outcome is None:
                continue
            written, seq, mine, refused = outcome
            done += mine
            skipped += refused
            if written:
                changes.append(self.desk.announce(seq, written, batch=True))
        if not done and not skipped:
            raise DomainError("bulk.undo_gone")
        self._drop(bulk)
        seq = changes[-1].seq if changes else self.store.seq()
        return {"ok": True, "bulk": bulk, "done": done, "skipped": skipped, "seq": seq}, changes

    def _undo_part(self, bulk: str, n: int, now: float, audit_key: str, role: str, name: str):
        kept = self.store.get(part_key(bulk, n)) or {}
        ids = list(kept.get("before") or {})
        if not ids:
            return None  # undone already, or forgotten
        into = kept.get("into")
        keys = (
            *(key(ident) for ident in ids),
            *((key(into),) if into else ()),
            rehearsals.KEY, audit_key, part_key(bulk, n),
        )  # fmt: skip
        verdict: dict = {"done": [], "refused": []}

        def fn(docs):
            part = docs[part_key(bulk, n)] or {}
            if part.get("before") is None or set(part["before"]) != set(ids):
                raise DomainError("bulk.undo_gone")  # another undo got there first
            if rehearsals.mark_of(part) != rehearsals.running(docs[rehearsals.KEY]):
                raise DomainError("bulk.undo_gone")  # a rehearsal began or ended since
            out: dict[str, dict] = {}
            refused = []
            gone: set[str] = set()
            for ident in ids:
                current = docs[key(ident)]
                old = part["before"][ident]
                if current is None or personal.is_tombstone(current):
                    refused.append({"id": ident, "code": old.get("code"), "reason": "not_found"})
                    continue
                if current.get("version") != part["after"][ident]:
                    refused.append({"id": ident, "code": current["code"], "reason": "conflict"})
                    continue
                # versions only grow: a console holding the old version must not act on it again
                out[key(ident)] = {**old, "version": current["version"] + 1, "updated_at": now}
                gone |= {ident, *(o["id"] for o in old.get("origins") or [])}
            target = docs[key(into)] if into else None
            if target is not None and not personal.is_tombstone(target) and gone:
                origins = [o for o in target.get("origins") or [] if o["id"] not in gone]
                out[key(into)] = {**target, "origins": origins, "version": target["version"] + 1, "updated_at": now}
            verdict["done"] = [ident for ident in ids if key(ident) in out]
            verdict["refused"] = refused
            restored = [part["before"][ident] for ident in verdict["done"]]
            if restored:
                entry = docs[audit_key] or {
                    "at": now, "role": role, "name": name, "action": "bulk_undo", "bulk": bulk,
                    "undone": f"bulk_{part.get('action')}", "questions": [], "codes": [],
                }  # fmt: skip
                out[audit_key] = {
                    **entry,
                    "questions": entry["questions"] + [q["id"] for q in restored],
                    "codes": entry["codes"] + [q["code"] for q in restored],
                }
                if rehearsals.mark_of(part) is not None:
                    out[audit_key][rehearsals.MARK] = rehearsals.mark_of(part)
            # the before-documents hold askers' names: not kept a moment longer than needed
            out[part_key(bulk, n)] = {"at": part.get("at"), "bulk": bulk, "undone_at": now}
            return out

        try:
            written, seq = self.store.transact(keys, fn)
        except DomainError:
            return None
        questions_written = {k: v for k, v in written.items() if k.startswith(key(""))}
        return questions_written, seq, verdict["done"], verdict["refused"]

    # ------------------------------------------------------------ forgetting

    def _drop(self, bulk: str) -> None:
        def fn(docs):
            index = dict(docs[INDEX] or {})
            return {INDEX: {k: v for k, v in index.items() if k != bulk}} if bulk in index else {}

        self.store.transact((INDEX,), fn)

    def forget_expired(self, now: float | None = None) -> int:
        """Overwrite the before-documents of every bulk older than the minute (they hold askers'
        names) with documents that hold none; returns how many bulks were forgotten."""
        now = self.desk.now() if now is None else now
        index = self.store.get(INDEX) or {}
        old = {b: v for b, v in index.items() if now - v.get("at", 0) > UNDO_SECONDS}
        if not old:
            return 0
        parts = {b: [part_key(b, n) for n in range(v.get("parts", 0))] for b, v in old.items()}
        keys = (INDEX, *(k for found in parts.values() for k in found))

        def fn(docs):
            current = dict(docs[INDEX] or {})
            out: dict[str, dict] = {}
            for b, found in parts.items():
                if b not in current or current[b].get("parts", 0) > len(found):
                    continue  # grew meanwhile: next time
                for k in found:
                    out[k] = {"at": (docs[k] or {}).get("at"), "bulk": b, "expired_at": now}
                del current[b]
            if out:
                out[INDEX] = current
            return out

        written, _ = self.store.transact(keys, fn)
        return sum(b not in written[INDEX] for b in old) if INDEX in written else 0


def _after(action: str, args: dict) -> dict:
    """What the bulk set, for the audit log's "after" column (its fields as a single action's)."""
    if action == "approve":
        return {"status": questions.APPROVED}
    if action == "reject":
        return {"status": questions.REJECTED, "reason": args.get("reason")}
    if action == "merge":
        return {"status": questions.MERGED, "merged_into": args.get("into")}
    if action == "prepare":
        return {
            "prep_department": args.get("department") or None,
            "prep_due": questions.deadline(args.get("due")) if args.get("department") else None,
        }
    return dict(args)
