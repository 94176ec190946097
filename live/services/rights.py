"""The asker's rights by tracking code, and the secretariat's register of requests.

What a question holds of its asker is shown to whoever has its tracking code (the asker's page,
``/du-lieu-cua-toi``), or to the secretariat acting on the asker's request. Two actions change it,
each one transaction of the store, so nothing is ever half done:

- **withdraw the name**: the name and its consent leave the question, and the copy a question it
  was merged into keeps of it (``personal.without_name``);
- **delete the question**, only while it is not yet answered (``rights.deletable``): its document
  becomes a tombstone (``personal.tombstone``), every audit entry about it is scrubbed
  (``personal.scrubbed_entry``), it leaves the origins of the question it was merged into, and the
  questions merged into it go back to the secretariat (reopened: they lost the question they
  followed). The tombstone replaces the document, so every process's replica, every list and
  every export made afterwards lose it; the staff screens and the asker's phone are told at once
  (``question.removed``).

Every request is a document ``request:<id>`` in the register: what was asked (``rights.KINDS``),
the tracking code, how it came, when, both deadlines, when it was answered and done, by whom, and
a note. It holds no question text and no name. What the asker does on the page is recorded as
received, answered and done at once.
"""

from __future__ import annotations

import datetime as dt
import secrets
import time
from zoneinfo import ZoneInfo

from live.core import personal, questions, rooms
from live.core import rehearsal as rehearsals
from live.core import rights as rules
from live.core.errors import DomainError
from live.formats.exports import TIMEZONE
from live.services import desk as desks
from live.services import replies
from live.services.change import Change

PREFIX = "request:"
ASKER = "asker"  # the role in the audit log of what the asker did on the page
HISTORY_LIMIT = 50  # the steps one request keeps (a register entry, not a log)


def key(request_id: str) -> str:
    return PREFIX + request_id


def _local(timestamp: float | None, zone: str, fmt: str = "%d/%m/%Y %H:%M") -> str:
    if timestamp is None:
        return ""
    return dt.datetime.fromtimestamp(timestamp, ZoneInfo(zone)).strftime(fmt)


# ---------------------------------------------------------------- what is held


def _current(day, question: dict | None) -> bool:
    """Whether ``question`` is one the asker may reach: a real day's question, or the running
    rehearsal's (a real asker keeps her rights while the staff rehearse); never a tombstone, nor
    a question of a rehearsal that ended."""
    if question is None or personal.is_tombstone(question):
        return False
    mark = rehearsals.mark_of(question)
    return mark is None or mark == day.desk.rehearsal()


def find(day, code: str | None) -> list[dict]:
    """The questions with this tracking code (almost always one; two ids may share a code), the
    deleted ones left out, as this process's replica holds them after catching up."""
    if code is None:
        return []
    day.replica.refresh()
    found = [q for q in day.replica.scan(desks.PREFIX).values() if q.get("code") == code and _current(day, q)]
    return sorted(found, key=lambda q: (q.get("received_at") or 0, q["id"]))


def _get(day, ident: str | None) -> dict | None:
    found = day.store.get(desks.key(ident)) if ident else None
    return found if _current(day, found) else None


def _target(day, question: dict) -> dict | None:
    return questions.followed(question, lambda ident: _get(day, ident))


def held(day, question: dict, zone: str = TIMEZONE) -> dict:
    """Everything live holds about ``question`` and its asker, as the asker's page shows it."""
    target = _target(day, question)
    names = day.desk.site_names()
    consent = question.get("consent") if isinstance(question.get("consent"), dict) else {}
    answered = replies.answered_for(question, target)
    return {
        "id": question["id"],
        "code": question["code"],
        "version": question.get("version"),
        "text": question.get("text") or "",
        "original_text": question.get("original_text"),
        "site": names.get(question.get("site"), question.get("site") or ""),
        "channel": question.get("channel") or "qr",
        "received_at": _local(question.get("received_at"), zone),
        "name": question.get("name") or None,
        "group": questions.group_label(question.get("group")),
        "consents": [
            {
                "purpose": purpose,
                "version": given.get("version", ""),
                "at": _local(given.get("at"), zone),
                "via": given.get("via"),
            }
            for purpose, given in sorted(consent.items())
            if isinstance(given, dict)
        ],
        "device": bool(question.get("device")),
        "status": questions.public_status(question),
        "merged": bool(question.get("merged_into")),
        "reply": replies.public_reply(answered, day.desk.department_names()) is not None,
        "deletable": rules.deletable(question, target),
    }


def _one(day, code: str | None, ident: str) -> dict:
    """The question ``ident`` if it carries ``code``; the same refusal for every other case."""
    if code is None or not isinstance(ident, str) or not questions._QUESTION_ID.fullmatch(ident):
        raise DomainError("rights.not_found")
    question = _get(day, ident)
    if question is None or question.get("code") != code:
        raise DomainError("rights.not_found")
    return question


# ---------------------------------------------------------------- the register


def _new_request(
    kind: str, code: str | None, via: str, received: dt.date, now: float, who: str, note: str = ""
) -> dict:
    ident = f"{time.time_ns():020d}-{secrets.token_hex(3)}"
    return {
        "id": ident,
        "kind": kind,
        "code": code,
        "via": via,
        "received_on": received.isoformat(),
        "received_at": now,
        **rules.deadlines(received),
        "answered_at": None,
        "done_at": None,
        "by": who,
        "note": note,
        "steps": [],
    }


def _step(request: dict, now: float, what: str, who: str) -> dict:
    steps = list(request.get("steps") or [])[-(HISTORY_LIMIT - 1) :]
    return {**request, "steps": [*steps, {"at": now, "what": what, "by": who}]}


def _done(request: dict, now: float, what: str, who: str) -> dict:
    """``request`` answered (if it was not) and done by ``what``, now."""
    new = _step(request, now, what, who)
    return {**new, "answered_at": request.get("answered_at") or now, "done_at": request.get("done_at") or now}


def _marked(request: dict, question: dict | None) -> dict:
    """A request about a rehearsal's question carries that rehearsal's mark: the real day's
    register leaves it out once the rehearsal is over."""
    mark = rehearsals.mark_of(question)
    return {**request, rehearsals.MARK: mark} if mark else request


def _who(role: str, name: str) -> str:
    return f"{role}:{name}" if name else role


def record(day, payload: dict, *, role: str, name: str = "", zone: str = TIMEZONE) -> dict:
    """A request the secretariat received by phone, on paper or in person, into the register."""
    now = day.now()
    kind = rules.kind(payload.get("kind"))
    code = replies.normal_code(payload.get("code")) if (payload.get("code") or "").strip() else None
    if (payload.get("code") or "").strip() and code is None:
        raise DomainError("rights.bad_code")
    if code is None and kind != rules.OTHER:
        raise DomainError("rights.code_required")
    request = _new_request(
        kind,
        code,
        rules.via(payload.get("via")),
        rules.received_date(payload.get("received"), replies.local_date(now, zone)),
        now,
        _who(role, name),
        rules.note(payload.get("note")),
    )
    request = _step(request, now, "recorded", _who(role, name))
    day.store.transact((key(request["id"]),), lambda docs: {key(request["id"]): request})
    return request


def get_request(day, request_id: str) -> dict | None:
    if not isinstance(request_id, str) or len(request_id) > 40:
        return None
    return day.store.get(key(request_id))


def mark(day, request_id: str, what: str, *, role: str, name: str = "") -> dict:
    """The secretariat marks a request answered (the asker was told) or done."""
    if what not in ("answered", "done"):
        raise DomainError("rights.bad_action")
    now = day.now()
    k = key(request_id)

    def fn(docs):
        request = docs[k]
        if request is None:
            raise DomainError("rights.no_request")
        if request.get(f"{what}_at"):
            return {}
        new = _step(request, now, what, _who(role, name))
        new[f"{what}_at"] = now
        if what == "done" and not new.get("answered_at"):
            new["answered_at"] = now
        return {k: new}

    day.store.transact((k,), fn)
    return day.store.get(k)


def register(day, zone: str = TIMEZONE) -> dict:
    """Every request for the register page: the open ones first, the nearest deadline first."""
    day.replica.refresh()
    today = replies.local_date(day.now(), zone)
    rehearsal = day.desk.rehearsal()
    rows = []
    for request in day.replica.scan(PREFIX).values():
        if rehearsals.mark_of(request) not in (None, rehearsal):
            continue  # about a rehearsal's question, once that rehearsal is over
        flags = rules.urgency(request, today)
        rows.append(
            {
                **request,
                "received": replies.day_month_year(request.get("received_on")),
                "answer_by_text": replies.day_month_year(request.get("answer_by")),
                "done_by_text": replies.day_month_year(request.get("done_by")),
                "answered": _local(request.get("answered_at"), zone),
                "done": _local(request.get("done_at"), zone),
                "urgency": flags,
                "late": rules.OVERDUE in flags.values(),
                "soon": rules.SOON in flags.values(),
                "open": rules.is_open(request),
                "rehearsal": rehearsals.mark_of(request) is not None,
                "history": [
                    {"at": _local(step.get("at"), zone), "what": step.get("what"), "by": step.get("by") or ""}
                    for step in request.get("steps") or []
                ],
            }
        )
    open_rows = sorted(
        (r for r in rows if r["open"]),
        key=lambda r: (
            not r["late"],
            not r["soon"],
            r.get("answer_by") if not r.get("answered_at") else r.get("done_by"),
            r["id"],
        ),
    )
    closed = sorted((r for r in rows if not r["open"]), key=lambda r: r.get("done_at") or 0, reverse=True)
    rows = open_rows + closed
    open_rows = [r for r in rows if r["open"]]
    return {
        "rows": rows,
        "open": len(open_rows),
        "late": sum(1 for r in open_rows if r["late"]),
        "soon": sum(1 for r in open_rows if r["soon"] and not r["late"]),
    }


def seen(
    day, code: str, *, request_id: str | None = None, role: str = ASKER, name: str = "", zone: str = TIMEZONE
) -> dict:
    """The asker saw what is held (the page records it: received, answered and done at once);
    from the register, the request it answers is marked answered."""
    now = day.now()
    if request_id is None:
        found = find(day, code)
        request = _new_request(rules.SEE, code, rules.SELF, replies.local_date(now, zone), now, role)
        request = _done(_marked(request, found[0] if found else None), now, "seen", role)
        day.store.transact((key(request["id"]),), lambda docs: {key(request["id"]): request})
        return request
    k = key(request_id)

    def fn(docs):
        request = docs[k]
        if request is None:
            raise DomainError("rights.no_request")
        if request.get("answered_at"):
            return {}
        return {k: {**_step(request, now, "seen", _who(role, name)), "answered_at": now}}

    day.store.transact((k,), fn)
    return day.store.get(k)


# ---------------------------------------------------------------- the actions


def _request_key(request_id: str | None) -> tuple[str, str | None]:
    """The register entry an action completes: the one the secretariat acts on, or a new one
    (its key made before the transaction, which writes only the keys it was given)."""
    if request_id is None:
        return key(f"{time.time_ns():020d}-{secrets.token_hex(3)}"), None
    return key(request_id), request_id


def _request_for(docs: dict, k: str, request_id: str | None, kind: str, question: dict, now: float, who: tuple) -> dict:
    role, name, zone = who
    code = question["code"]
    if request_id is None:
        fresh = {
            **_new_request(kind, code, rules.SELF, replies.local_date(now, zone), now, role),
            "id": k[len(PREFIX) :],
        }
        return _done(_marked(fresh, question), now, kind, role)
    request = docs.get(k)
    if request is None:
        raise DomainError("rights.no_request")
    if request.get("code") != code:
        raise DomainError("rights.not_found")
    return _done(request, now, kind, _who(role, name))


def _audit_keys(count: int, ident: str) -> list[str]:
    base = time.time_ns()
    return [f"{desks.AUDIT}{base + n:020d}:{ident[:12]}" for n in range(count)]


def _audit(now: float, role: str, name: str, action: str, question: dict, code, before=None, after=None) -> dict:
    """An audit entry, marked with the rehearsal its question was made in (wiped with it)."""
    mark = rehearsals.mark_of(question)
    return {
        **({rehearsals.MARK: mark} if mark else {}),
        "at": now,
        "role": role,
        "name": name,
        "action": action,
        "question": question["id"],
        "code": code,
        "before": before or {},
        "after": after or {},
    }


class _Moved(Exception):
    """What the action read changed before its transaction: look again."""


ATTEMPTS = 5


def _compact(day) -> None:
    """The old copies the backend may keep on disk go too (SQLite's log, Redis's AOF): best effort."""
    getattr(day.store, "inner", day.store).compact()


def _look(day, code: str | None, ident: str) -> tuple[dict, dict[str, dict]]:
    """The question, as the store holds it now, and every other question that keeps a copy of it
    among its origins (the one it was merged into, and any that question was merged into in turn),
    as this process's replica holds them after catching up."""
    day.replica.refresh()
    question = _one(day, code, ident)
    holders = {
        k: q
        for k, q in day.replica.scan(desks.PREFIX).items()
        if k != desks.key(ident)
        and not personal.is_tombstone(q)
        and any(isinstance(o, dict) and o.get("id") == ident for o in q.get("origins") or [])
    }
    return question, holders


def _unmoved(docs, question: dict, holders: dict[str, dict], code: str) -> dict:
    """The question as the transaction reads it; ``_Moved`` when it, or a question holding a copy
    of it, changed since the look (a merge, an action): the look then starts again."""
    current = docs[desks.key(question["id"])]
    if current is None or personal.is_tombstone(current) or current.get("code") != code:
        raise DomainError("rights.not_found")
    if current != question or any(docs[k] != doc for k, doc in holders.items()):
        raise _Moved()
    return current


def _holder(doc: dict, origins: list, now: float) -> dict:
    return {**doc, "origins": origins, "version": (doc.get("version") or 0) + 1, "updated_at": now}


def withdraw_name(
    day,
    code: str | None,
    ident: str,
    *,
    role: str = ASKER,
    name: str = "",
    request_id: str | None = None,
    zone: str = TIMEZONE,
    purpose: str = "name",
) -> tuple[dict, Change, dict]:
    """Take the asker's name (or, with ``purpose="group"``, their youth group) and its consent out
    of the question, and out of every copy kept by a question it was merged into; returns the
    question, what to announce, the register entry."""
    refusal = f"rights.no_{purpose}"
    for _attempt in range(ATTEMPTS):
        question, holders = _look(day, code, ident)
        if personal.without(question, purpose) is None:
            raise DomainError(refusal)
        now = day.now()
        audit_key = _audit_keys(1, ident)[0]
        pending, known = _request_key(request_id)
        keys = (desks.key(ident), *holders, audit_key, pending)

        def fn(docs, question=question, holders=holders, now=now, audit_key=audit_key, pending=pending, known=known):
            current = _unmoved(docs, question, holders, code)
            new = personal.without(current, purpose)
            if new is None:
                raise DomainError(refusal)
            out = {desks.key(ident): {**new, "version": (current.get("version") or 0) + 1, "updated_at": now}}
            for k, doc in holders.items():
                origins = [
                    (personal.without(o, purpose) or o) if isinstance(o, dict) and o.get("id") == ident else o
                    for o in doc.get("origins") or []
                ]
                if origins != doc.get("origins"):
                    out[k] = _holder(doc, origins, now)
            out[audit_key] = _audit(now, role, name, f"withdraw_{purpose}", current, code)
            out[pending] = _request_for(docs, pending, known, rules.WITHDRAW, current, now, (role, name, zone))
            return out

        try:
            written, seq = day.store.transact(keys, fn)
        except _Moved:
            continue
        _compact(day)
        return written[desks.key(ident)], _announce(day, seq, written, []), written[pending]
    raise DomainError("store.conflict")


def delete(
    day,
    code: str | None,
    ident: str,
    *,
    role: str = ASKER,
    name: str = "",
    request_id: str | None = None,
    zone: str = TIMEZONE,
) -> tuple[Change, dict]:
    """Delete a question not yet answered, in one transaction (see the module's docstring)."""
    for _attempt in range(ATTEMPTS):
        question, holders = _look(day, code, ident)
        if not rules.deletable(question, _target(day, question)):
            raise DomainError("rights.answered")
        # every audit entry about it, as of this version of the question: an action on it since
        # changes the question, and the transaction then starts again with the new entries
        about = [k for k, e in day.replica.scan(desks.AUDIT).items() if e.get("question") == ident]
        followers = [
            o["id"]
            for o in question.get("origins") or []
            if isinstance(o, dict) and (_get(day, o["id"]) or {}).get("merged_into") == ident
        ]
        new_audit = _audit_keys(1 + len(followers), ident)
        pending, known = _request_key(request_id)
        target_key = desks.key(question["merged_into"]) if question.get("merged_into") else None
        keys = tuple(
            dict.fromkeys(
                k
                for k in (
                    desks.key(ident),
                    target_key,
                    *holders,
                    *(desks.key(f) for f in followers),
                    desks.STAGE,
                    *about,
                    *new_audit,
                    pending,
                )
                if k
            )
        )
        plan = _Deletion(question, holders, target_key, followers, about, new_audit, (pending, known))
        try:
            written, seq = day.store.transact(keys, plan.fn(code, (role, name, zone), day.now()))
        except _Moved:
            continue
        _compact(day)
        return _announce(day, seq, written, [question]), written[pending]
    raise DomainError("store.conflict")


class _Deletion:
    """What a deletion read before its transaction, and the transaction itself."""

    def __init__(self, question, holders, target_key, followers, about, new_audit, request) -> None:
        self.question, self.holders, self.target_key = question, holders, target_key
        self.followers, self.about, self.new_audit, self.request = followers, about, new_audit, request

    def fn(self, code: str, who: tuple, now: float):
        ident = self.question["id"]
        role, name, _zone = who
        pending, request_id = self.request

        def fn(docs):
            current = _unmoved(docs, self.question, self.holders, code)
            target = docs.get(self.target_key) if self.target_key else None
            if not rules.deletable(current, target):
                raise DomainError("rights.answered")
            if (docs[desks.STAGE] or {}).get("question") == ident and current.get("status") == questions.ON_SCREEN:
                raise DomainError("rights.answered")
            out = {desks.key(ident): personal.tombstone(ident, now, personal.DELETED_BY_ASKER)}
            # the questions it was merged into no longer count it, nor those that followed it there
            gone = {ident, *self.followers}
            for k, doc in self.holders.items():
                origins = [o for o in doc.get("origins") or [] if not (isinstance(o, dict) and o.get("id") in gone)]
                out[k] = _holder(doc, origins, now)
            for k in self.about:
                entry = docs.get(k)
                scrubbed = personal.scrubbed_entry(entry) if entry else None
                if scrubbed is not None:
                    out[k] = scrubbed
            entries = iter(self.new_audit)
            out[next(entries)] = _audit(now, role, name, "delete", current, personal.REMOVED)
            # the questions merged into it lost the question they followed: back to the secretariat
            for follower in self.followers:
                doc = docs[desks.key(follower)]
                if doc is None or personal.is_tombstone(doc) or doc.get("merged_into") != ident:
                    next(entries)
                    continue
                reopened = questions.transition(doc, "reopen", now, expected_version=None)
                before = {"status": doc["status"], "merged_into": doc["merged_into"]}
                after = {"status": reopened["status"], "merged_into": None}
                out[desks.key(follower)] = reopened
                out[next(entries)] = _audit(now, role, name, "reopen", doc, doc.get("code"), before, after)
            out[pending] = _request_for(docs, pending, request_id, rules.DELETE, current, now, who)
            return out

        return fn


# ---------------------------------------------------------------- what the screens are told


def _announce(day, seq: int, written: dict, deleted: list[dict]) -> Change:
    """Every screen follows: a deleted question leaves the secretariat's consoles, the MC's and
    the chairman's queue and its asker's phone; a changed one is sent again, as the desk does."""
    day.replica.refresh()
    names = day.desk.site_names()
    departments = day.desk.department_names()
    emits = []
    for question in deleted:
        gone = {"seq": seq, "id": question["id"]}
        emits.append(("question.removed", gone, rooms.desk()))
        emits.append(("question.changed", {"seq": seq, "id": question["id"], "question": None}, rooms.queue()))
        if question.get("device"):
            emits.append(("question.removed", {"id": question["id"]}, rooms.device(question["device"])))
        counts = day.desk.counts()
        emits.append(
            ("roll.changed", {"site": question["site"], "questions": counts.get(question["site"], 0)}, rooms.roll())
        )
    visible = desks.QUEUE_STATUSES + (questions.ANSWERED, questions.FORWARDED)
    for k, question in written.items():
        if not k.startswith(desks.PREFIX) or personal.is_tombstone(question):
            continue
        emits.append(("question.changed", {"seq": seq, "question": desks.staff_view(question)}, rooms.desk()))
        view = desks.queue_view(question, names) if question["status"] in visible else None
        emits.append(("question.changed", {"seq": seq, "id": question["id"], "question": view}, rooms.queue()))
        if question.get("device"):
            target = _target(day, question)
            status = {
                "id": question["id"],
                "code": question["code"],
                **replies.public_outcome(question, target, departments),
            }
            emits.append(("question.status", status, rooms.device(question["device"])))
    return Change(seq, emits)
