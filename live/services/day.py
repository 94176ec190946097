"""Services: load, apply one transition, save, and say what to broadcast to which rooms.

Handlers (HTTP and Socket.IO) call these after validating and authorising; they never set a state
field themselves. Every change is written durably before the service returns, so an
acknowledgement always means "on disk".
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from werkzeug.security import check_password_hash, generate_password_hash

from live.core import access, clock, events, floor, pins, rehearsal, rooms
from live.core import conference as conf
from live.core.errors import Conflict, DomainError
from live.services.change import CLOCK, CONFERENCE, FLOOR, PIN_GUARD, PINS, SERVER, SPEAKER, TOKENS, Change
from live.services.desk import Desk
from live.services.replica import Replicated
from live.services.supports import Supports

log = logging.getLogger("live.desk")

FLOOR_SECONDS = 180  # a bridge point given the floor speaks for 3 minutes unless the MC says otherwise


@dataclass(frozen=True)
class PinAttempt:
    """How one PIN sign-in went: ``mark`` to grant when the PIN was right; otherwise ``lock``
    when a lockout was in force (nothing checked), and the lockouts this failure started."""

    role: str
    mark: str | None = None
    lock: pins.Lock | None = None
    new_locks: tuple[pins.Lock, ...] = ()


def _here(fn: Callable[..., Any], *args: Any) -> Any:
    return fn(*args)


@functools.cache
def _decoy_hash() -> str:
    """A hash to check a PIN against when the role has none: a refusal takes the same time."""
    return generate_password_hash(access.new_token())


def _args(name: str, payload: Any, handler: str) -> dict:
    """The arguments of one of the registry's commands run by ``handler`` (live/core/events.py)."""
    found = events.REGISTRY.get(name)
    if found is None or found.handler != handler:
        raise DomainError("request.unknown_event")
    return events.check_args(name, payload)


class Day:
    """The conference day held in one store: the conference, the clock, the speaker timer, links."""

    def __init__(self, store, now: Callable[[], float] = time.time, limiter=None) -> None:
        self.store = store if isinstance(store, Replicated) else Replicated(store)
        self.replica = self.store.replica
        self.now = now
        # runs a PIN's hash (scrypt: ~0.1 s of one core, the GIL released); ``__main__.run`` makes
        # it a native thread under eventlet and gevent, where the loop would stop every connection
        self.in_thread: Callable[..., Any] = _here
        self.desk = Desk(self.store, now, limiter)
        self.supports = Supports(self.desk)  # "me too" on approved questions (live/services/supports.py)
        self._snapshot: tuple[int, dict] | None = None  # (replica version, the state without seq and time)

    # ------------------------------------------------------------ set-up

    def setup(self, *, demo: bool | str = False, secret_key: str | None = None) -> None:
        """Make role tokens and the session key once; load the demo into an empty store (``True``
        or ``"conference"``: the plan alone; ``"month"``: the plan two weeks ahead and its month
        before, see live/services/demo.py); take the sensitive youth groups out of the questions
        stored before they were removed."""
        from live.services import demo as demo_data

        month = demo == "month"
        loaded = []

        def init(docs):  # run again when another process wrote first: what this run saw decides
            loaded.clear()
            out = {}
            tokens = docs[TOKENS] or {}
            missing = [role for role in access.ROLES if role not in tokens]
            if missing:
                out[TOKENS] = {**tokens, **{role: access.new_token() for role in missing}}
            if docs[SERVER] is None:
                out[SERVER] = {"secret_key": access.new_token() + access.new_token()}
            if demo and docs[CONFERENCE] is None:
                out[CONFERENCE] = demo_data.conference(demo_data.ahead(self.now())) if month else demo_data.conference()
                loaded.append(True)
            return out

        self.store.transact((TOKENS, SERVER, CONFERENCE), init)
        if month and loaded:  # this process loaded the demo into the empty store: its month before too
            demo_data.month_before(self)
        removed = self.desk.forget_removed_groups()
        if removed:
            log.info("removed the sensitive youth group from %d stored questions", removed)

    def secret_key(self) -> str:
        return (self.store.get(SERVER) or {})["secret_key"]

    def remember_public_url(self, url: str) -> None:
        """Keep the address ``serve`` announced, so ``live links`` prints the same links."""
        if (self.store.get(SERVER) or {}).get("public_url") != url:
            self.store.transact((SERVER,), lambda docs: {SERVER: {**(docs[SERVER] or {}), "public_url": url}})

    def public_url(self) -> str | None:
        return (self.store.get(SERVER) or {}).get("public_url")

    def tokens(self) -> dict[str, str]:
        return self.store.get(TOKENS) or {}

    def regenerate(self, role: str) -> Change:
        """A new secret link for ``role``; the old one and every session it opened stop working."""
        if role not in access.ROLES:
            raise DomainError("access.unknown_role")

        def fn(docs):
            return {TOKENS: {**(docs[TOKENS] or {}), role: access.new_token()}}

        _, seq = self.store.transact((TOKENS,), fn)
        return Change(seq, [("access.revoked", {"role": role}, rooms.role(role))])

    # ------------------------------------------------------------ PINs per role

    def pin_hashes(self) -> dict[str, str]:
        """role → the stored hash of its PIN, for the roles that have one."""
        return pin_hashes(self.store.get(PINS))

    def pins_set(self) -> dict[str, float]:
        """role → when its PIN was set, for the roles that have one (never the PIN or its hash)."""
        return {
            role: float(record.get("set_at") or 0)
            for role, record in (self.store.get(PINS) or {}).items()
            if isinstance(record, dict) and record.get("hash")
        }

    def set_pin(self, role: str, pin: Any, again: Any) -> Change:
        """Set (or change) ``role``'s PIN; every session opened with its old PIN stops working.

        Only a salted hash is stored. Nothing is broadcast: each process drops the sockets the old
        PIN opened (``realtime``'s revocation watch)."""
        if role not in access.ROLES:
            raise DomainError("access.unknown_role")
        hashed = self.in_thread(generate_password_hash, pins.new_pin(pin, again))
        now = self.now()

        def fn(docs):
            return {PINS: {**(docs[PINS] or {}), role: {"hash": hashed, "set_at": now}}}

        _, seq = self.store.transact((PINS,), fn)
        return Change(seq)

    def clear_pin(self, role: str) -> Change:
        """Remove ``role``'s PIN: it no longer signs in, and the sessions it opened stop working."""
        if role not in access.ROLES:
            raise DomainError("access.unknown_role")

        def fn(docs):
            current = dict(docs[PINS] or {})
            if role not in current:
                return {}
            del current[role]
            return {PINS: current}

        _, seq = self.store.transact((PINS,), fn)
        return Change(seq)

    def pin_sign_in(self, role: str, pin: Any, address: str) -> PinAttempt:
        """Check a PIN typed for ``role`` from ``address``, within the limits of ``live.core.pins``.

        A PIN of the wrong shape is refused (``pin.format``) without being counted. A role without
        a PIN is refused exactly like a wrong PIN, after the same work."""
        if role not in access.ROLES:
            raise DomainError("access.unknown_role")
        typed = pins.check_format(pin)
        now = self.now()
        outcome: dict = {}

        def start(docs):
            guard, lock, new = pins.begin(pins.Guard.from_dict(docs[PIN_GUARD]), role, address, now)
            outcome.update(lock=lock, new=new)
            return {} if lock is not None else {PIN_GUARD: guard.to_dict()}

        self.store.transact((PIN_GUARD,), start)
        if outcome["lock"] is not None:
            return PinAttempt(role, lock=outcome["lock"])
        stored = pin_hashes(self.store.get(PINS)).get(role)
        right = self.in_thread(check_password_hash, stored or self.in_thread(_decoy_hash), typed) and stored is not None
        if not right:
            return PinAttempt(role, new_locks=outcome["new"])

        def forgive(docs):
            return {PIN_GUARD: pins.succeed(pins.Guard.from_dict(docs[PIN_GUARD]), role, address, now).to_dict()}

        self.store.transact((PIN_GUARD,), forgive)
        return PinAttempt(role, mark=access.pin_mark(stored))

    # ------------------------------------------------------------ reading

    def conference(self) -> dict | None:
        return self.store.get(CONFERENCE)

    def snapshot(self) -> dict:
        """Everything a staff screen shows, as state: clients compute clocks from it.

        Served from this process's memory: one ``changes`` call catches up with what any process
        wrote, and the state is rebuilt only when something changed since the last snapshot.
        """
        seq = self.replica.refresh()
        version = self.replica.version
        if self._snapshot is None or self._snapshot[0] != version:
            self._snapshot = (version, self._state())
        return {"seq": seq, "server_time": self.now(), **self._snapshot[1]}

    def _state(self) -> dict:
        replica = self.replica
        doc = replica.get(CONFERENCE) or {}
        return {
            "conference": public_conference(doc),
            "agenda": [{"id": i.id, "title": i.title, "planned": i.planned} for i in conf.agenda_items(doc)],
            "clock": clock.AgendaClock.from_dict(replica.get(CLOCK)).to_dict(),
            "speaker": clock.SpeakerTimer.from_dict(replica.get(SPEAKER)).to_dict(),
            "sites": [{k: site.get(k, "") for k in ("id", "code", "name", "kind")} for site in doc.get("sites", [])],
            "themes": [{"id": t["id"], "name": t["name"]} for t in doc.get("themes", [])],
            "departments": [{"id": d["id"], "name": d["name"]} for d in doc.get("departments", [])],
            "floor": floor.Floor.from_dict(replica.get(FLOOR)).to_dict(),
            "current_question": self.desk.current(),
            # every screen shows a "TẬP DƯỢT" banner while a rehearsal runs (live/services/rehearsal.py)
            "rehearsal": _rehearsal(replica.get(rehearsal.KEY)),
        }

    def agenda_report(self) -> list[dict]:
        doc = self.conference() or {}
        return clock.report(clock.AgendaClock.from_dict(self.store.get(CLOCK)), conf.agenda_items(doc), self.now())

    # ------------------------------------------------------------ the clock

    def command(self, name: str, payload: Any) -> Change:
        """Apply one clock or speaker command for the MC; broadcast the new timing state."""
        args = _args(name, payload, "clock")
        now = self.now()

        def fn(docs):
            items = conf.agenda_items(docs[CONFERENCE] or {})
            state = clock.AgendaClock.from_dict(docs[CLOCK])
            timer = clock.SpeakerTimer.from_dict(docs[SPEAKER])
            if name.startswith("speaker."):
                return {SPEAKER: _speaker(name, timer, args, now).to_dict()}
            return {CLOCK: _clock(name, state, items, args, now).to_dict()}

        written, seq = self.store.transact((CONFERENCE, CLOCK, SPEAKER), fn)
        payload = {"seq": seq, "server_time": now, **{k: v for k, v in written.items()}}
        return Change(seq, [("clock.changed", payload, rooms.screens())])

    # ------------------------------------------------------------ the bridge points

    def floor_command(self, name: str, payload: Any, site: str | None = None) -> Change:
        """Asking to speak (``site`` is the asking site screen's) and the MC giving the floor.

        Giving the floor starts the speaker timer with the site's name; ending it stops it.
        """
        args = _args(name, payload, "floor")
        now = self.now()

        def fn(docs):
            names = {s["id"]: s["name"] for s in (docs[CONFERENCE] or {}).get("sites", [])}
            target = site if name in ("floor.request", "floor.cancel") else args.get("site")
            if name != "floor.end" and target not in names:
                raise DomainError("floor.unknown_site")
            state = floor.Floor.from_dict(docs[FLOOR])
            timer = clock.SpeakerTimer.from_dict(docs[SPEAKER])
            out = {}
            if name == "floor.request":
                state = floor.request(state, target, now)
            elif name == "floor.cancel":
                state = floor.cancel(state, target)
            elif name == "floor.dismiss":
                state = floor.dismiss(state, target)
            elif name == "floor.give":
                state = floor.give(state, target, now)
                seconds = args.get("seconds", FLOOR_SECONDS)
                out[SPEAKER] = clock.speaker_start(timer, now, seconds, label=names[target]).to_dict()
            else:
                state = floor.end(state)
                if timer.running:
                    out[SPEAKER] = clock.speaker_stop(timer, now).to_dict()
            out[FLOOR] = state.to_dict()
            return out

        written, seq = self.store.transact((CONFERENCE, FLOOR, SPEAKER), fn)
        emits = [("floor.changed", {"seq": seq, "server_time": now, "floor": written[FLOOR]}, rooms.screens())]
        if SPEAKER in written:
            emits.append(
                ("clock.changed", {"seq": seq, "server_time": now, SPEAKER: written[SPEAKER]}, rooms.screens())
            )
        return Change(seq, emits)

    # ------------------------------------------------------------ the conference

    def replace_conference(self, data: Any, expected: str | None = None) -> Change:
        """Validate and store a whole conference (admin form or imported file).

        ``expected`` is the fingerprint of the conference the editor started from: when someone
        else saved in between, ``store.conflict`` is raised and nothing is written.
        """
        doc = conf.validate(data)
        items = conf.agenda_items(doc)

        def fn(docs):
            if expected is not None and conf.fingerprint(docs[CONFERENCE]) != expected:
                raise Conflict(CONFERENCE)
            state = clock.prune(clock.AgendaClock.from_dict(docs[CLOCK]), items)
            return {CONFERENCE: doc, CLOCK: state.to_dict()}

        _, seq = self.store.transact((CONFERENCE, CLOCK), fn)
        return Change(seq, [("state.snapshot", self.snapshot(), rooms.screens())])


def _clock(name: str, state: clock.AgendaClock, items, args: dict, now: float) -> clock.AgendaClock:
    if name == "clock.start":
        return clock.start(state, items, now)
    if name == "clock.pause":
        return clock.pause(state, now)
    if name == "clock.next":
        return clock.next_item(state, items, now)
    if name == "clock.previous":
        return clock.previous_item(state, items, now)
    if name == "clock.jump":
        return clock.jump(state, items, args["item"], now)
    if name == "clock.adjust":
        return clock.adjust(state, items, args["seconds"], now)
    if name == "clock.finish":
        return clock.finish(state, now)
    return clock.reset(state)


def _speaker(name: str, timer: clock.SpeakerTimer, args: dict, now: float) -> clock.SpeakerTimer:
    if name == "speaker.start":
        return clock.speaker_start(timer, now, args.get("seconds"))
    if name == "speaker.stop":
        return clock.speaker_stop(timer, now)
    return clock.speaker_reset(timer)


def _rehearsal(doc: dict | None) -> dict | None:
    """The running rehearsal as the screens see it: since when, or None."""
    return {"since": doc["since"]} if rehearsal.running(doc) else None


def pin_hashes(doc: dict | None) -> dict[str, str]:
    """The ``pins`` document as role → hash."""
    return {
        role: record["hash"]
        for role, record in (doc or {}).items()
        if isinstance(record, dict) and isinstance(record.get("hash"), str)
    }


def public_conference(doc: dict) -> dict:
    """The conference as every screen may show it: no secrets, dates as dd/mm/yyyy."""
    date = doc.get("date") or ""
    return {
        "title": doc.get("title", ""),
        "organiser": doc.get("organiser", ""),
        "theme": doc.get("theme", ""),
        "date": dt.date.fromisoformat(date).strftime("%d/%m/%Y") if date else "",
        "start_time": doc.get("start_time", ""),
        "venue": doc.get("venue", ""),
        "maket": doc.get("maket", []),
        "warning": doc.get("warning_seconds", clock.DEFAULT_WARNING),
        "speaker_warning": doc.get("speaker_warning_seconds", clock.DEFAULT_SPEAKER_WARNING),
    }
