"""Every Socket.IO event a client may send, in one registry: who may send it, the arguments its
payload takes, and which handler of the real-time adapter runs it.

The real-time adapter (``live.realtime.handlers``) registers one handler per event from this table
and refuses to start if an event has no handler or a handler no event; every event is checked
against ``roles`` before its handler runs. The services check the arguments named here: the clock
and floor commands their types (``check_args``), a question's actions the names it may carry
(``Desk.act``, whose values the question's lifecycle checks).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from live.core.access import PUBLIC, ROLES
from live.core.errors import DomainError

Args = Mapping[str, tuple[type, bool]]  # argument → (its type, whether it is required)
ANY: tuple[type, bool] = (object, False)  # a question action's argument: its lifecycle checks the value


@dataclass(frozen=True)
class Event:
    """One event: its name (``noun.verb``), the roles that may send it, its handler's name in the
    real-time adapter, and its arguments (``None``: the service reads the payload itself)."""

    name: str
    roles: frozenset[str]
    handler: str
    args: Args | None = None
    socket: bool = True  # False: not a socket event (a department's reply comes through its page)


REGISTRY: dict[str, Event] = {}


def register(name: str, roles: set[str], handler: str, args: Args | None = None, *, socket: bool = True) -> None:
    """Add ``name`` to the registry; a name registered twice, or an unknown role, is a bug."""
    if name in REGISTRY:
        raise ValueError(f"event {name!r} registered twice")
    if not roles <= set(ROLES) | {PUBLIC}:
        raise ValueError(f"event {name!r} names an unknown role")
    REGISTRY[name] = Event(name, frozenset(roles), handler, dict(args) if args is not None else None, socket)


def may(roles: set[str] | frozenset[str], name: str) -> bool:
    """Whether any of ``roles`` may send ``name``; unknown events are denied."""
    found = REGISTRY.get(name)
    return bool(found and found.socket and found.roles & set(roles))


def socket_events() -> list[Event]:
    """The events a client may send over its socket, in the registry's order."""
    return [e for e in REGISTRY.values() if e.socket]


def handled_by(handler: str) -> list[str]:
    """The names of the events one handler runs."""
    return [e.name for e in REGISTRY.values() if e.handler == handler]


def question_actions() -> dict[str, tuple[str, ...]]:
    """Every action on a question (its event is ``question.<action>``) → the arguments it takes."""
    return {e.name.split(".", 1)[1]: tuple(e.args or ()) for e in REGISTRY.values() if e.handler == "question.act"}


def check_args(name: str, payload: Any) -> dict:
    """A command's arguments, type-checked against the registry; unknown or missing ones refused."""
    spec = REGISTRY[name].args or {}
    if payload is None:
        payload = {}
    if not isinstance(payload, dict):
        raise DomainError("request.malformed")
    unknown = set(payload) - set(spec)
    if unknown:
        raise DomainError("request.unknown_field", field=str(sorted(map(str, unknown))[0])[:40])
    args = {}
    for arg, (kind, required) in spec.items():
        if arg not in payload or payload[arg] is None:
            if required:
                raise DomainError("request.missing_field", field=arg)
            continue
        value = payload[arg]
        if not isinstance(value, kind) or isinstance(value, bool):
            raise DomainError("request.bad_field", field=arg)
        args[arg] = value
    return args


EVERYONE = set(ROLES)
RUN_CLOCK = {"mc", "admin"}
DESK = {"moderator", "admin"}  # the secretariat: sees every question, enters questions from the floor
ROLL = {"mc", "moderator", "admin"}  # who sees the roll call of the bridge points
SITE = {"site", "admin"}  # a bridge point's own screen

# every screen: the server's time, and the whole state again
register("time.sync", EVERYONE, "time.sync")
register("state.get", EVERYONE, "state.get")
# the MC runs the agenda clock and the speaker timer (the admin may reset the day after a rehearsal)
register("clock.start", RUN_CLOCK, "clock", {})
register("clock.pause", RUN_CLOCK, "clock", {})
register("clock.next", RUN_CLOCK, "clock", {})
register("clock.previous", RUN_CLOCK, "clock", {})
register("clock.jump", RUN_CLOCK, "clock", {"item": (str, True)})
register("clock.adjust", RUN_CLOCK, "clock", {"seconds": (int, True)})
register("clock.finish", RUN_CLOCK, "clock", {})
register("clock.reset", {"admin"}, "clock", {})
register("speaker.start", RUN_CLOCK, "clock", {"seconds": (int, False)})
register("speaker.stop", RUN_CLOCK, "clock", {})
register("speaker.reset", RUN_CLOCK, "clock", {})
# a young person's phone (no link: the connection's only role is PUBLIC)
register("question.submit", {PUBLIC}, "question.submit")
register("question.mine", {PUBLIC}, "question.mine")
# "me too" on an approved question, and the list of them (live/services/supports.py); the staff
# screens' counts per question
register("question.support", {PUBLIC}, "question.support")
register("questions.public", {PUBLIC}, "questions.public")
register("supports.get", {"moderator", "admin", "mc", "chair", "projector"}, "supports.get")
# the secretariat
register("questions.get", DESK, "questions.get")
register("question.enter", DESK, "question.enter")
register("question.approve", DESK, "question.act", {})
register("question.reject", DESK, "question.act", {"reason": ANY})
register("question.merge", DESK, "question.act", {"into": ANY})
register("question.reopen", DESK, "question.act", {})
register("question.edit", DESK, "question.act", {"text": ANY})
register("question.assign", DESK, "question.act", {"theme": ANY, "department": ANY})
register("question.note", DESK, "question.act", {"notes": ANY})
register("question.similar", DESK, "question.similar")
# one action on many questions at once, and its undo within the minute (live/services/bulk.py)
register("questions.bulk", DESK, "questions.bulk")
register("questions.undo", DESK, "questions.bulk")
register("question.order", DESK | RUN_CLOCK, "question.act", {"after": ANY})
# the MC puts questions on screen and closes them
register("question.show", RUN_CLOCK, "question.act", {})
register("question.hide", RUN_CLOCK, "question.act", {})
register("question.answer", RUN_CLOCK, "question.act", {})
register("question.forward", RUN_CLOCK | DESK, "question.act", {"department": ANY, "deadline": ANY})
# after the day: the secretariat keeps the record and approves the written replies; a department
# writes its reply through its own link's page (live/web/views/replies.py), not a socket
register("question.summarize", DESK, "question.act", {"summary": ANY})
register("question.route", DESK, "question.act", {"department": ANY, "deadline": ANY})
register("question.reply", set(), "question.act", {"text": ANY, "department": ANY}, socket=False)
register("question.publish", DESK, "question.act", {})
register("question.send_back", DESK, "question.act", {"note": ANY})
register("question.withdraw", DESK, "question.act", {})
# a hall answer's summary, published to its askers (phones, the lookup, the answers page) or taken down
register("question.publish_summary", DESK, "question.act", {})
register("question.withdraw_summary", DESK, "question.act", {})
# before the day: a department prepares an answer (through its own link's page, not a socket), the
# secretariat assigns and reviews the preparation and selects the script (live/web/views/preparation.py)
register("question.prepare", DESK, "question.act", {"department": ANY, "due": ANY})
register("question.draft", set(), "question.act", {"text": ANY, "written": ANY, "department": ANY}, socket=False)
register("question.review", DESK, "question.act", {"accept": ANY, "note": ANY})
register("question.script", DESK, "question.act", {"selected": ANY})
register("audit.get", {"admin"}, "audit.get")
# the bridge points: roll call and asking to speak
register("roll.get", ROLL, "roll.get")
register("floor.request", SITE, "floor", {})
register("floor.cancel", SITE, "floor", {})
register("floor.give", RUN_CLOCK, "floor", {"site": (str, True), "seconds": (int, False)})
register("floor.dismiss", RUN_CLOCK, "floor", {"site": (str, True)})
register("floor.end", RUN_CLOCK, "floor", {})
# a bridge point's facilitator types in a question for a young person (Desk.assist): for the screen's own site
register("question.assist", SITE, "question.assist")
