"""Socket.IO handlers: validate → authorise → service → acknowledge → emit.

Every event a client may send is named in ``access.EVENTS``; a handler is registered for each by
an explicit call from the factory. A connection is authorised once at the handshake (its screen
and the roles its session holds) and every event is checked again against the table.
"""

from __future__ import annotations

import functools
import logging
import time

from flask import request
from flask_socketio import ConnectionRefusedError, SocketIO, join_room

from . import access, messages, rooms
from .auth import current_roles
from .errors import DomainError
from .services import COMMAND_ARGS, Change, Day

log = logging.getLogger("live.realtime")


class Connections:
    """Who is connected on this process: socket id → (screen, roles)."""

    def __init__(self) -> None:
        self._by_sid: dict[str, tuple[str, frozenset[str]]] = {}

    def add(self, sid: str, screen: str, roles: set[str]) -> None:
        self._by_sid[sid] = (screen, frozenset(roles))

    def __contains__(self, sid: str) -> bool:
        return sid in self._by_sid

    def remove(self, sid: str) -> None:
        self._by_sid.pop(sid, None)

    def roles(self, sid: str) -> frozenset[str]:
        return self._by_sid.get(sid, ("", frozenset()))[1]

    def count(self) -> int:
        return len(self._by_sid)


def broadcast(socketio: SocketIO, change: Change) -> None:
    """Send what a service said to send, to the rooms it named."""
    for event, payload, room in change.emits:
        socketio.emit(event, payload, to=room)


def register(socketio: SocketIO, day: Day) -> Connections:
    """Attach every handler to ``socketio``."""
    connections = Connections()

    @socketio.on("connect")
    def connect(auth=None):
        if request.sid in connections:  # an event named "connect" sent on an open connection
            return messages.reply(DomainError("request.unknown_event"))
        screen = auth.get("screen") if isinstance(auth, dict) else None
        roles = current_roles()
        if not isinstance(screen, str) or not access.may_open(roles, screen):
            log.warning("denied connect screen=%r roles=%s", str(screen)[:20], ",".join(sorted(roles)) or "-")
            raise ConnectionRefusedError("auth.denied")
        connections.add(request.sid, screen, roles)
        join_room(rooms.screens())
        for role in roles:
            join_room(rooms.role(role))
        socketio.emit("state.snapshot", day.snapshot(), to=request.sid)

    @socketio.on("disconnect")
    def disconnect(*_args):
        if socketio.server.manager.is_connected(request.sid, "/"):  # an event named "disconnect"
            return messages.reply(DomainError("request.unknown_event"))
        connections.remove(request.sid)

    def guarded(name, handler):
        def run(*args):
            if not access.may(connections.roles(request.sid), name):
                log.warning("denied event=%s sid=%s", name, request.sid)
                return messages.reply(DomainError("auth.denied"))
            if len(args) > 1:  # a client sent several arguments: every event takes one payload
                return messages.reply(DomainError("request.malformed"))
            try:
                return handler(args[0] if args else None)
            except DomainError as error:
                return messages.reply(error)

        socketio.on_event(name, run)

    def time_sync(_payload=None):
        return {"ok": True, "t": time.time()}

    def state_get(_payload=None):
        return {"ok": True, "state": day.snapshot()}

    def command(name, payload):
        change = day.command(name, payload)
        broadcast(socketio, change)
        return {"ok": True, "seq": change.seq}

    guarded("time.sync", time_sync)
    guarded("state.get", state_get)
    for name in COMMAND_ARGS:
        guarded(name, functools.partial(command, name))

    @socketio.on("*")
    def unknown_event(event, *_args):
        # an event nobody handles still gets an answer, so the client is not left waiting
        log.warning("unknown event=%r sid=%s", str(event)[:40], request.sid)
        return messages.reply(DomainError("request.unknown_event"))

    @socketio.on_error_default
    def on_error(error):
        log.exception("event failed sid=%s", getattr(request, "sid", "-"))
        return messages.reply(DomainError("server.error"))

    unknown = set(access.EVENTS) - {"time.sync", "state.get", *COMMAND_ARGS}
    if unknown:
        raise RuntimeError(f"events without a handler: {sorted(unknown)}")
    return connections
