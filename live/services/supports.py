"""Me too ("Tôi cũng muốn hỏi"): a young person supports an approved question from their phone.

One document per press, ``sup:<question id>:<device>``, written once with ``store.insert`` (the
same device pressing again, or retrying after a lost acknowledgement, finds it there: exactly once,
like a submission). The counts are derived in memory from the replica, so ten thousand phones
pressing at once never contend for one shared key. A question merged into another lends its
supports to the one it joined, and a device that supported both is counted once.

Phones never learn a question's id (its tracking code is computed from it, and the code opens the
asker's rights page): each approved question is named to them by an opaque handle, an HMAC of its
id under the server's secret, mapped back here in memory. Only approved questions (approved, on
screen) are listed or may be supported; any other handle, known or not, gets the same refusal.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Iterable
from typing import Any

from live.core import access, limits, personal, questions, rooms
from live.core import rehearsal as rehearsals
from live.core.errors import DomainError
from live.services import replies
from live.services.change import CONFERENCE, SERVER, Change

PREFIX = "sup:"
QUESTIONS = "q:"  # the questions' documents (live/services/desk.py)
SETTING = "supports"  # {"enabled", "set_at", "by"}: the admin's switch; no document means on
FINAL = "supports-final"  # {"counts": {question id: n}, "at"}: what a purge kept of the presses
# {"key": random}: a press names its device by an HMAC under this key, never by the device's id; the
# purge replaces it, after which nobody can tell which device made which press
SALT = "supports-salt"
OPEN = (questions.APPROVED, questions.ON_SCREEN)
HANDLE_LENGTH = 16
PUBLIC_LIMIT = 200  # questions in one answer of questions.public
SUPPORTED_LIMIT = 200  # handles a phone may ask the outcome of at once
COUNTS_MAX_AGE = 1.0  # seconds: a list asked for during a storm reuses counts this young
# A young person presses "me too" on a handful of questions while reading the list; a hall behind
# one address presses together. The more generous of these and the questions' own limits applies.
RULES = {"device": limits.Rule(burst=30, every=2.0), "address": limits.Rule(burst=5000, every=0.005)}


def key(question_id: str, tag: str) -> str:
    """A press's document: the question and the device's tag (``Supports.tag``), never its id."""
    return f"{PREFIX}{question_id}:{tag}"


def handle_of(secret: str, question_id: str) -> str:
    """The opaque public name of a question: nothing of its id (nor its tracking code) shows."""
    digest = hmac.new(secret.encode(), b"live.support\0" + question_id.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode()[:HANDLE_LENGTH]


def held(press: dict | None) -> bool:
    """Whether a press document still links a device to a question (a purged one no longer does)."""
    return isinstance(press, dict) and isinstance(press.get("device"), str)


def without_device(docs: dict[str, dict | None], now: float) -> dict[str, dict]:
    """The presses among ``docs`` with their device's tag taken out (a rehearsal's keep their
    mark): what a wipe writes in one transaction."""
    out = {}
    for k, doc in docs.items():
        if held(doc):
            mark = rehearsals.mark_of(doc)
            out[k] = {"purged_at": now, **({rehearsals.MARK: mark} if mark is not None else {})}
    return out


def _closed() -> DomainError:
    # the same refusal for an unknown handle and a question not approved: nothing says it exists
    return DomainError("support.closed")


def _rules(questions_limiter: limits.Limiter | None) -> dict[str, limits.Rule]:
    """Per device and per address: ours, or the questions' own when they are more generous (a
    load test's or a province's configured limits then apply to presses too)."""
    out = dict(RULES)
    for scope, rule in RULES.items():
        other = (
            questions_limiter.buckets[scope].rule if questions_limiter and scope in questions_limiter.buckets else None
        )
        if other is not None and other.burst >= rule.burst and other.every <= rule.every:
            out[scope] = other
    return out


class Supports:
    """The supports of every question, counted per question from the presses in memory."""

    def __init__(self, desk) -> None:
        self.desk = desk
        self.store = desk.store
        self.replica = desk.replica
        self.limiter = limits.Limiter(_rules(getattr(desk, "limiter", None)))
        self.version = 0  # bumps whenever a press, a question or the switch changes: the broadcast's cue
        self._pressed: dict[str, set[str]] | None = None  # question id → devices (see devices())
        self._pressed_for: str | None = None  # the rehearsal running when the presses were gathered
        self._secret: str | None = None
        self._salt: str | None = None
        self._handles: dict[str, str] = {}  # question id → handle
        self._ids: dict[str, str] = {}  # handle → question id
        # every question learnt reaches _learn_question (the replica starts empty): the ids whose
        # handles are not made yet
        self._unnamed: set[str] = set()
        self._questions_version = 0
        self._listing: tuple[tuple, list[tuple[str, dict]]] | None = None
        self._counts: tuple[int, float, dict[str, int]] | None = None  # (version, when, counts)
        self.replica.watch(PREFIX, self._learn_press)
        self.replica.watch(QUESTIONS, self._learn_question)
        self.replica.watch(SETTING, self._learn_setting)  # the switch, the salt, the purge's counts

    # ------------------------------------------------------------ what the replica brings

    def _learn_press(self, press_key: str, press: dict) -> None:
        self.version += 1
        if self._pressed is None:
            return  # not gathered yet: devices() starts from the whole replica
        _, question_id, device = press_key.split(":", 2)
        if not held(press) or not rehearsals.visible(press, self._pressed_for):
            self._pressed.get(question_id, set()).discard(device)
        else:
            self._pressed.setdefault(question_id, set()).add(device)

    def _learn_question(self, _key: str, question: dict) -> None:
        self.version += 1
        self._questions_version += 1
        ident = question.get("id")
        if ident and ident not in self._handles:
            self._unnamed.add(ident)

    def _learn_setting(self, setting_key: str, _doc: dict) -> None:
        self.version += 1
        if setting_key == SALT:
            self._salt = None  # a purge replaced it: the next press makes a new one

    # ------------------------------------------------------------ handles

    def secret(self) -> str:
        if self._secret is None:
            self._secret = (self.replica.get(SERVER) or self.store.get(SERVER) or {})["secret_key"]
        return self._secret

    def tag(self, device: str) -> str:
        """What a press calls its device: an HMAC of the device's id under the salt (``SALT``)."""
        if self._salt is None:
            doc = self.replica.get(SALT) or self.store.get(SALT) or {}
            if not doc.get("key"):

                def fn(docs):  # every process uses the first salt written
                    return {} if (docs[SALT] or {}).get("key") else {SALT: {"key": access.new_token()}}

                self.store.transact((SALT,), fn)
                doc = self.store.get(SALT) or {}
            self._salt = doc["key"]
        digest = hmac.new(self._salt.encode(), device.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode()[:22]

    def handle(self, question_id: str) -> str:
        found = self._handles.get(question_id)
        if found is None:
            found = self._handles[question_id] = handle_of(self.secret(), question_id)
            self._ids[found] = question_id
        return found

    def question_for(self, handle: Any) -> str | None:
        """The id of the question ``handle`` names, among every question this process knows."""
        if not isinstance(handle, str) or len(handle) != HANDLE_LENGTH:
            return None
        while self._unnamed:
            self.handle(self._unnamed.pop())
        return self._ids.get(handle)

    # ------------------------------------------------------------ counting

    def rehearsal(self) -> str | None:
        return self.desk.rehearsal()

    def devices(self) -> dict[str, set[str]]:
        """question id → the devices that pressed "me too" on it (the running rehearsal's while
        one runs, the real day's otherwise); kept up to date as presses arrive (shared: read only)."""
        rehearsal = self.rehearsal()
        if self._pressed is None or self._pressed_for != rehearsal:
            found: dict[str, set[str]] = {}
            for press in self.replica.scan(PREFIX).values():
                if not held(press) or not rehearsals.visible(press, rehearsal):
                    continue
                found.setdefault(press["question"], set()).add(press["device"])
            self._pressed, self._pressed_for = found, rehearsal
        return self._pressed

    def question(self, question_id: str | None) -> dict | None:
        """A question of the day the screens show now, from memory, or None."""
        found = self.replica.get(QUESTIONS + question_id) if question_id else None
        if found is None or personal.is_tombstone(found) or not rehearsals.visible(found, self.rehearsal()):
            return None
        return found

    def counts(self) -> dict[str, int]:
        """question id → how many devices support it, for every question that is not merged: its
        own presses and those of the questions merged into it, each device once."""
        together: dict[str, set[str]] = {}
        for question_id, devices in list(self.devices().items()):
            question = self.question(question_id)
            if question is None or not devices:
                continue
            if question.get("status") == questions.MERGED:
                target = self.question(question.get("merged_into"))
                if target is None or target.get("status") == questions.MERGED:
                    continue
                question_id = target["id"]
            together.setdefault(question_id, set()).update(devices)
        counts = {question_id: len(devices) for question_id, devices in together.items()}
        if self.rehearsal() is None:  # what a purge kept of presses since deleted
            for question_id, n in ((self.replica.get(FINAL) or {}).get("counts") or {}).items():
                counts[question_id] = counts.get(question_id, 0) + n
        self._counts = (self.version, time.monotonic(), counts)
        return counts

    def recent_counts(self) -> dict[str, int]:
        """``counts()``, reused while nothing changed or for ``COUNTS_MAX_AGE`` during a storm (the
        changes follow as ``supports.changed``)."""
        cached = self._counts
        if cached is not None and (cached[0] == self.version or time.monotonic() - cached[1] < COUNTS_MAX_AGE):
            return cached[2]
        return self.counts()

    def count(self, question_id: str) -> int:
        """How many devices support one question (its own and its merged questions' presses)."""
        question = self.question(question_id)
        if question is None:
            return 0
        pressed = self.devices()
        own = pressed.get(question_id, set())
        merged = [pressed[o["id"]] for o in question.get("origins") or [] if o.get("id") in pressed]
        n = len(own.union(*merged)) if merged else len(own)  # no copy of thousands per press without merges
        final = (self.replica.get(FINAL) or {}).get("counts") or {} if self.rehearsal() is None else {}
        return n + int(final.get(question_id, 0))

    # ------------------------------------------------------------ the admin's switch

    def enabled(self) -> bool:
        """Whether phones may press "me too" (as this process last learnt it)."""
        return (self.replica.get(SETTING) or {}).get("enabled") is not False

    def set_enabled(self, on: Any, *, by: str) -> Change:
        """Turn the feature on or off for the conference; every screen and phone hears it."""
        if not isinstance(on, bool):
            raise DomainError("request.bad_field", field="enabled")
        now = self.desk.now()
        _, seq = self.store.transact((SETTING,), lambda _docs: {SETTING: {"enabled": on, "set_at": now, "by": by}})
        payload = {"enabled": on}
        return Change(
            seq, [("supports.changed", payload, rooms.screens()), ("supports.changed", payload, rooms.phones())]
        )

    # ------------------------------------------------------------ a press

    def _target(self, question_id: str) -> str | None:
        """The question a press on ``question_id`` supports: itself when approved, the one it was
        merged into when that is approved; None when neither is open."""
        question = self.question(question_id)
        if question is not None and question.get("status") == questions.MERGED:
            question = self.question(question.get("merged_into"))
        if question is None or question.get("status") not in OPEN:
            return None
        return question["id"]

    def support(self, payload: Any, *, device: str, address: str) -> tuple[dict, bool]:
        """One device's "me too" on the question a handle names: ({count, handle}, whether it was
        pressed before). Written to disk before this returns; pressing again changes nothing."""
        handle = payload.get("handle") if isinstance(payload, dict) else None
        if not isinstance(payload, dict) or set(payload) - {"handle"}:
            raise DomainError("request.malformed")
        question_id = self.question_for(handle)
        if question_id is None:
            self.replica.refresh()  # a question another process took in a moment ago
            question_id = self.question_for(handle)
        if question_id is None:
            raise _closed()
        target = self._target(question_id)
        if target is None:
            self.replica.refresh()  # approved a moment ago through another process
            target = self._target(question_id)
        if target is None:
            raise _closed()
        tag = self.tag(device)
        press_key = key(target, tag)
        if self._pressed_here(press_key):  # pressed before (a retry, a second tap): from memory
            return {"count": self.count(target)}, True
        if not self.enabled() and (self.store.get(SETTING) or {}).get("enabled") is False:
            raise DomainError("support.off")
        now = self.desk.now()
        refused = self.limiter.check(now, device=device, address=address)
        if refused is not None:
            if self.store.get(press_key) is not None:  # another process wrote it a moment ago
                return {"count": self.count(target)}, True
            raise DomainError("support.limit", retry_after=refused[1])
        record = {"question": target, "device": tag, "at": now}
        rehearsal = self.rehearsal()
        if rehearsal is not None:
            record[rehearsals.MARK] = rehearsal
        _, seq = self.store.insert(press_key, record)
        return {"count": self.count(target)}, seq is None

    def _pressed_here(self, press_key: str) -> bool:
        return held(self.replica.get(press_key))

    # ------------------------------------------------------------ the phone's list

    def listing(self) -> list[tuple[str, dict]]:
        """Every approved question, by theme in the conference's order, then as the MC's queue
        orders them: (its id, what a phone may see of it without its count). Read only."""
        doc = self.replica.get(CONFERENCE)
        stamp = (self._questions_version, id(doc), self.rehearsal())
        if self._listing is not None and self._listing[0] == stamp:
            return self._listing[1]
        conference = doc or {}
        order = {t["id"]: n for n, t in enumerate(conference.get("themes", []))}
        themes = {t["id"]: t["name"] for t in conference.get("themes", [])}
        names = self.desk.site_names()
        found = [q for q in self.desk.stored().values() if q.get("status") in OPEN]
        found.sort(key=lambda q: (order.get(q.get("theme"), len(order)), q.get("rank") or 0, q["id"]))
        listing = [
            (
                q["id"],
                {
                    "handle": self.handle(q["id"]),
                    "text": q["text"],
                    "origin": questions.public_origin(names.get(q["site"], q["site"]), q),
                    "site": q["site"],
                    "theme": themes.get(q.get("theme"), ""),
                    "status": q["status"],
                },
            )
            for q in found
        ]
        self._listing = (stamp, listing)
        return listing

    def public(self, payload: Any, *, device: str) -> dict:
        """What a phone asks for (``questions.public``): the approved questions of a site (or all),
        with their counts, and the outcome of those this device supported."""
        if payload is None:
            payload = {}
        if not isinstance(payload, dict) or set(payload) - {"site", "supported"}:
            raise DomainError("request.malformed")
        site, supported = payload.get("site"), payload.get("supported") or []
        if site is not None and (not isinstance(site, str) or len(site) > 64):
            raise DomainError("request.bad_field", field="site")
        if not isinstance(supported, list) or len(supported) > SUPPORTED_LIMIT:
            raise DomainError("request.bad_field", field="supported")
        listing = [entry for entry in self.listing() if site is None or entry[1]["site"] == site]
        counts = self.recent_counts()
        shown = [{**item, "count": counts.get(question_id, 0)} for question_id, item in listing[:PUBLIC_LIMIT]]
        return {
            "enabled": self.enabled(),
            "questions": shown,
            "total": len(listing),
            "outcomes": self.outcomes(supported, device),
        }

    def outcomes(self, handles: Iterable[Any], device: str) -> list[dict]:
        """What became of the questions this device supported (only those it did press): the
        status an asker sees, the answer given in the hall and the written reply once published,
        following a merge to the question it joined."""
        departments = self.desk.department_names()
        tag = self.tag(device)
        found = []
        for handle in dict.fromkeys(h for h in handles if isinstance(h, str)):
            question = self.question(self.question_for(handle))
            if question is None:
                continue
            target = questions.followed(question, self.question)  # the end of a chain of merges
            pressed = self._pressed_here(key(question["id"], tag)) or (
                target is not None and self._pressed_here(key(target["id"], tag))
            )
            if not pressed:
                continue  # only what this device supported: a handle alone tells nothing
            found.append(self.outcome(question, target, departments, handle))
        return found

    def outcome(self, question: dict, target: dict | None, departments: dict[str, str], handle: str) -> dict:
        """What a supporter may know of a question they pressed on: the status an asker sees, the
        answer given in the hall and the written reply once published, following a merge."""
        answered = replies.answered_for(question, target)
        outcome = {
            "handle": handle,
            "status": questions.public_status(answered),  # the question it joined, when merged
            "summary": replies.public_summary(answered),  # the answer given in the hall, once published
            "reply": replies.public_reply(answered, departments),
        }
        if answered is not question:
            outcome["into"] = self.handle(answered["id"])
        return outcome


# ---------------------------------------------------------------- the purge of personal data


def holding(store) -> bool:
    """Whether any press still links a device to a question."""
    return any(held(press) for press in store.scan(PREFIX).values())


def purge(store, found: dict[str, dict], now: float, *, batch: int, after_batch=None) -> int:
    """Replace every press by the time it was purged, and the salt its key's tag was made with,
    keeping only the counts (``FINAL``: per real
    question, merges counted once per device, added to what an earlier purge kept). Returns how
    many presses were purged. Idempotent: run again after an interruption, it finds what is left."""
    presses = {k: p for k, p in store.scan(PREFIX).items() if held(p)}
    if not presses:
        return 0
    # the presses an interrupted purge counted already but did not replace yet: not counted again
    counted = set((store.get(FINAL) or {}).get("pending") or [])
    together: dict[str, set[str]] = {}
    for press_key, press in presses.items():
        if press_key in counted or rehearsals.mark_of(press) is not None:
            continue  # counted by the interrupted run; or a rehearsal's, which counts for nothing
        question = found.get(QUESTIONS + press["question"]) or {}
        target = question.get("merged_into") if question.get("status") == questions.MERGED else None
        together.setdefault(target or press["question"], set()).add(press["device"])
    keys = sorted(presses)

    def keep(docs):
        merged = dict((docs[FINAL] or {}).get("counts") or {})
        for question_id, devices in together.items():
            merged[question_id] = merged.get(question_id, 0) + len(devices)
        return {FINAL: {"counts": merged, "at": now, "pending": sorted(counted | set(keys))}}

    store.transact((FINAL,), keep)  # the counts first, with the presses they came from
    done = 0
    size = max(1, batch)
    for start in range(0, len(keys), size):
        chunk = tuple(keys[start : start + size])
        store.transact(chunk, lambda docs: {k: {"purged_at": now} for k, doc in docs.items() if held(doc)})
        done += len(chunk)
        if after_batch is not None:
            after_batch(done)
    # last, the salt: without it no device's id leads to its presses' keys any more
    store.transact((SALT, FINAL), lambda docs: {
        SALT: {"purged_at": now},
        FINAL: {k: v for k, v in (docs[FINAL] or {}).items() if k != "pending"},
    })  # fmt: skip
    return len(keys)
