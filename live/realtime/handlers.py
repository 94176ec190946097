"""Socket.IO handlers: validate → authorise → service → acknowledge → emit.

Every event a client may send is named once, in ``live.core.events.REGISTRY``, with the roles that
may send it and the handler that runs it; ``register`` attaches one handler per event from that
table and refuses to start if one is missing. A connection is authorised once at the handshake
(its screen and the roles its session holds) and every event is checked again against the table.
"""

from __future__ import annotations

import logging
import re
import time

from flask import request, session
from flask_socketio import ConnectionRefusedError, SocketIO

from live.core import access, events, floor, questions, rooms
from live.core.errors import DomainError
from live.core.text import clean
from live.formats import wire
from live.realtime.broadcast import broadcast
from live.realtime.connections import Connections
from live.realtime.support_counts import SupportCounts
from live.realtime.tasks import PRESENCE_RENEW, RevocationWatch, RollCounts, Suggester
from live.services import desk
from live.services.bulk import UNDO_SECONDS, Bulk
from live.services.day import Day
from live.transport import direct
from live.transport.shortway import Events
from live.web import messages
from live.web.auth import current_roles, device_in

log = logging.getLogger("live.realtime")

# the rooms a staff screen joins beside "screens" and its roles' rooms
STAFF_ROOMS = {
    "moderator": (rooms.desk(), rooms.roll()),
    "admin": (rooms.desk(), rooms.roll()),
    "mc": (rooms.roll(), rooms.queue()),
    "chair": (rooms.queue(),),
}
NAME_LIMIT = 40
_LOGGABLE = re.compile(r"[a-z][a-z0-9_.-]{0,39}")  # an event's or a screen's name, never what a person typed


def loggable(value) -> str:
    """What a client named, for the log only if it reads as a name (``question.submit``): a
    client could put a question's text or a person's name there."""
    return value if isinstance(value, str) and _LOGGABLE.fullmatch(value) else "?"


def register(socketio: SocketIO, day: Day, presence=None) -> Handlers:
    """Attach every handler to ``socketio``. ``presence`` is the roll call (this process's own
    by default; ``fanout.SharedPresence`` when processes share Redis)."""
    handlers = Handlers(socketio, day, presence)
    handlers.attach()
    return handlers


class Handlers:
    """One process's Socket.IO adapter: the connect and disconnect of every socket, and one
    handler per event of the registry, each a method named after what it does."""

    def __init__(self, socketio: SocketIO, day: Day, presence=None) -> None:
        self.socketio, self.day = socketio, day
        self.connections = Connections()
        self.revocations = RevocationWatch(socketio, day, self.connections)
        self.suggester = Suggester(socketio, day)
        self.roll_counts = RollCounts(socketio, day)
        self.support_counts = SupportCounts(socketio, day)  # "me too" counts, at most once a second
        self.bulk = Bulk(day.desk)
        if presence is None:
            presence = floor.Presence()
        elif hasattr(presence, "renew"):
            socketio.start_background_task(self._renew_presence, presence)
        self.presence = presence
        self.quick: dict = {}  # every event's guarded handler, for the short way (Events)

    def _renew_presence(self, presence) -> None:
        while True:
            self.socketio.sleep(PRESENCE_RENEW)
            presence.renew()

    # ------------------------------------------------------------ the registry

    def attach(self) -> None:
        """Register connect, disconnect and a guarded handler for every event of the registry."""
        server = self.socketio.server
        server.on("connect", self.connect, namespace="/")
        server.on("disconnect", self.disconnect, namespace="/")
        direct.serve_events(server.eio, Events(server, self.quick, wire.loads, wire.dumps))
        table = self.table()
        missing = {e.handler for e in events.socket_events()} - set(table)
        if missing:
            raise RuntimeError(f"events without a handler: {sorted(missing)}")
        unused = set(table) - {e.handler for e in events.socket_events()}
        if unused:
            raise RuntimeError(f"handlers without an event: {sorted(unused)}")
        for event in events.socket_events():
            self.guard(event.name, table[event.handler])
        self.socketio.on("*")(self.unknown_event)
        self.socketio.on_error_default(self.on_error)

    def table(self) -> dict:
        """Each handler named in the registry → the method that runs it: ``(sid, name, payload)``."""
        return {
            "time.sync": self.time_sync,
            "state.get": self.state_get,
            "clock": self.clock_command,
            "floor": self.floor_command,
            "question.submit": self.question_submit,
            "question.enter": self.question_enter,
            "question.assist": self.question_assist,
            "question.mine": self.question_mine,
            "question.support": self.question_support,
            "questions.public": self.questions_public,
            "supports.get": self.supports_get,
            "questions.get": self.questions_get,
            "question.act": self.question_act,
            "question.similar": self.question_similar,
            "questions.bulk": self.questions_bulk,
            "audit.get": self.audit_get,
            "roll.get": self.roll_get,
        }

    def guard(self, name: str, handler) -> None:
        """Register ``handler`` for ``name`` straight on the Socket.IO server.

        Flask-SocketIO would build a Flask request and application context for every event; the
        handlers need only the socket's id (``connections`` knows the rest), so an event runs
        without them and only a refusal, whose sentence is translated, enters a request context.
        Events run in the connection's own reader, one after another (``async_handlers=False``):
        each client's events are handled in the order it sent them, and a client that sends
        faster than the server answers waits on its own socket instead of piling tasks up here.
        """

        def run(sid, *args):
            if not events.may(self.connections.roles(sid), name):
                log.warning("denied event=%s sid=%s", name, sid)
                return self.refusal(sid, DomainError("auth.denied"))
            if len(args) > 1:  # a client sent several arguments: every event takes one payload
                return self.refusal(sid, DomainError("request.malformed"))
            try:
                return handler(sid, name, args[0] if args else None)
            except DomainError as error:
                return self.refusal(sid, error)
            except Exception:  # noqa: BLE001 (any bug: the client gets an answer, the log the trace)
                log.exception("event failed event=%s sid=%s", name, sid)
                return self.refusal(sid, DomainError("server.error"))

        self.socketio.server.on(name, run, namespace="/")
        self.quick[name] = run

    def refusal(self, sid, error: DomainError) -> dict:
        """The acknowledgement of a refused event, in the language the screen's page was opened in:
        the sentence is rendered in a request context made from the connection's handshake."""
        environ = self.socketio.server.get_environ(sid) or {}
        app = environ.get("flask.app")
        if app is None:  # the connection is gone: nobody reads the sentence
            return error.as_dict()
        with app.request_context(environ):
            return messages.reply(error)

    def unknown_event(self, event, *_args):
        # an event nobody handles still gets an answer, so the client is not left waiting
        log.warning("unknown event=%s sid=%s", loggable(event), request.sid)
        return messages.reply(DomainError("request.unknown_event"))

    def on_error(self, _error):
        log.exception("event failed sid=%s", getattr(request, "sid", "-"))
        return messages.reply(DomainError("server.error"))

    # ------------------------------------------------------------ connect and disconnect

    def site_ids(self) -> list[str]:
        return [site["id"] for site in (self.day.conference() or {}).get("sites", [])]

    def roll_line(self, site: str) -> dict:
        return {"site": site, **self.presence.view([site])[site]}

    def refuse(self, screen, roles, why="auth.denied"):
        log.warning("denied connect screen=%s roles=%s", loggable(screen), ",".join(sorted(roles)) or "-")
        raise ConnectionRefusedError(why)

    def join(self, sid, room) -> None:
        self.socketio.server.enter_room(sid, room, namespace="/")

    def forget(self, sid) -> None:
        """A refused connection has no disconnect to clean up after it."""
        self.connections.remove(sid)
        self.presence.disconnect(sid, time.time())

    def connect(self, sid, environ=None, auth=None, *_rest):
        """A Socket.IO CONNECT, registered straight on the server like every event (``guard``):
        a phone's needs nothing of Flask (its device cookie is read from the handshake); a staff
        screen's reads its session in a request context made from the handshake."""
        if sid in self.connections or not isinstance(environ, dict):  # an event named "connect"
            return self.refusal(sid, DomainError("request.unknown_event"))
        try:
            return self.open(sid, environ, auth if isinstance(auth, dict) else {})
        except ConnectionRefusedError:
            raise
        except Exception:  # noqa: BLE001 (any bug: the screen is refused and tries again, the log has the trace)
            log.exception("connect failed sid=%s", sid)
            self.forget(sid)
            raise ConnectionRefusedError("server.error") from None

    def open(self, sid, environ, auth):
        screen = auth.get("screen")
        if screen == "phone":
            return self.open_phone(sid, environ)
        with environ["flask.app"].request_context(environ):
            try:
                roles = current_roles()
            except DomainError as error:
                self.refuse(screen, set(), error.code)
            if not isinstance(screen, str) or not access.may_open(roles, screen) or screen == "phone":
                self.refuse(screen, roles)
            try:
                return self.open_screen(sid, screen, roles, auth)
            except DomainError as error:  # the store is unreachable: the screen tries again shortly
                self.forget(sid)
                self.refuse(screen, roles, error.code)

    def open_phone(self, sid, environ):
        device = device_in(environ["flask.app"], environ)
        if device is None:  # the phone page sets the cookie; without it there is no page
            self.refuse("phone", set(), "auth.device")
        self.connections.add(sid, "phone", {access.PUBLIC}, device=device, address=environ.get("REMOTE_ADDR") or "")
        self.join(sid, rooms.phones())
        self.join(sid, rooms.device(device))
        # After joining, the question being answered now (what the projector shows, or null);
        # any later stage change arrives as a broadcast. Sent, not asked for: one small message
        # and no round trip, where asking would cost each of 10,000 reconnecting phones a
        # request and an acknowledgement (and state.get, the staff snapshot, is not a phone's).
        # The refresh is one changes(since) call, a read of the store's seq when nothing changed:
        # without it a process that just started, or whose stage another process changed, would
        # show the phone an old question, and the broadcast it missed before joining never comes.
        try:
            seq = self.day.replica.refresh()
        except DomainError:  # the store is away, so the stage cannot change: the phone keeps what it shows
            return None
        current = {"seq": seq, "question": self.day.desk.current()}
        self.socketio.server.emit("question.current", current, to=sid, namespace="/", ignore_queue=True)
        return None

    def open_screen(self, sid, screen, roles, auth):
        site = None
        if screen == "site":
            site = auth.get("site")
            if not isinstance(site, str) or site not in self.site_ids():
                self.refuse(screen, roles, "auth.unknown_site")
        name = auth.get("name")
        name = " ".join(clean(name).split())[:NAME_LIMIT] if isinstance(name, str) and len(name) < 1000 else ""
        held = session.get("grants") or {}
        marks = tuple((role, held[role]) for role in sorted(roles) if isinstance(held.get(role), str))
        address = request.remote_addr or ""
        self.connections.add(sid, screen, roles, site=site, address=address, name=name, grants=marks)
        self.revocations.start()
        self.join(sid, rooms.screens())
        for room in STAFF_ROOMS.get(screen, ()):
            self.join(sid, room)
        for role in roles:
            self.join(sid, rooms.role(role))
        # after joining: every change made from now on reaches this screen as a broadcast
        snapshot = self.day.snapshot()
        self.socketio.emit("state.snapshot", snapshot, to=sid, ignore_queue=True)
        if rooms.queue() in STAFF_ROOMS.get(screen, ()):
            queue = {"seq": snapshot["seq"], **self.day.desk.queue()}
            self.socketio.emit("queue.snapshot", queue, to=sid, ignore_queue=True)
        if site is not None:
            self.join(sid, rooms.site(site))
            self.presence.connect(sid, site, time.time())
            self.socketio.emit("roll.changed", self.roll_line(site), to=rooms.roll())
        return None

    def disconnect(self, sid, *_args):
        if self.socketio.server.manager.is_connected(sid, "/"):  # an event named "disconnect"
            return self.refusal(sid, DomainError("request.unknown_event"))
        self.connections.remove(sid)
        site = self.presence.disconnect(sid, time.time())
        if site is not None:
            self.socketio.emit("roll.changed", self.roll_line(site), to=rooms.roll())
        return None

    # ------------------------------------------------------------ the handlers

    def time_sync(self, _sid, _name, _payload):
        return {"ok": True, "t": time.time()}

    def state_get(self, _sid, _name, _payload):
        return {"ok": True, "state": self.day.snapshot()}

    def clock_command(self, _sid, name, payload):
        change = self.day.command(name, payload)
        broadcast(self.socketio, change)
        return {"ok": True, "seq": change.seq}

    def floor_command(self, sid, name, payload):
        change = self.day.floor_command(name, payload, site=self.connections.get(sid).site)
        broadcast(self.socketio, change)
        return {"ok": True, "seq": change.seq}

    def stored(self, result):
        question, repeated, change = result
        if change is not None:
            broadcast(self.socketio, change)
            self.taken_in(question)
        return {"ok": True, "id": question["id"], "code": question["code"], "repeated": repeated}, question

    def taken_in(self, question: dict) -> None:
        """What follows a new question once it is announced, however it came (a socket, or the
        phone page's form posted without its script: live/web/views/phone.py): its likely
        duplicates for the secretariat, and its site's count on the roll call."""
        self.suggester.add(question["id"])
        self.roll_counts.touch(question["site"])

    def question_submit(self, sid, _name, payload):
        me = self.connections.get(sid)
        self.suggester.arriving += 1
        try:
            reply, question = self.stored(self.day.desk.submit(payload, device=me.device, address=me.address))
        finally:
            self.suggester.arriving -= 1
        # a merged question reads "merged" here (the question it joined follows through question.mine)
        return {**reply, "status": questions.public_status(question)}

    def question_enter(self, sid, _name, payload):
        by = "moderator" if "moderator" in self.connections.roles(sid) else "admin"
        return self.stored(self.day.desk.enter(payload, by=by))[0]

    def question_assist(self, sid, _name, payload):
        # the site is the connection's (its handshake named it and open_screen checked it)
        return self.stored(self.day.desk.assist(payload, site=self.connections.get(sid).site))[0]

    def question_mine(self, _sid, _name, payload):
        return {"ok": True, "questions": self.day.desk.mine(payload)}

    def question_support(self, sid, _name, payload):
        self.support_counts.start()
        me = self.connections.get(sid)
        answer, repeated = self.day.supports.support(payload, device=me.device, address=me.address)
        return {"ok": True, **answer, "supported": True, "repeated": repeated}

    def questions_public(self, sid, _name, payload):
        self.support_counts.start()  # from now on this process pushes the counts that change
        return {"ok": True, **self.day.supports.public(payload, device=self.connections.get(sid).device)}

    def supports_get(self, _sid, _name, _payload):
        self.support_counts.start()
        self.day.replica.refresh()
        supports = self.day.supports
        return {"ok": True, "enabled": supports.enabled(), "counts": supports.counts()}

    def questions_get(self, _sid, _name, payload):
        return {"ok": True, **self.day.desk.desk_page(payload)}

    def question_act(self, sid, name, payload):
        me = self.connections.get(sid)
        role = next((r for r in ("admin", "mc", "moderator") if r in me.roles), "")
        action = name.split(".", 1)[1]
        question, change = self.day.desk.act(action, payload, role=role, name=me.name)
        broadcast(self.socketio, change)
        # the MC gets the question as its queue shows it (never the secretariat's flags or the asker's consents)
        secretariat = "moderator" in me.roles or "admin" in me.roles
        view = desk.staff_view(question) if secretariat else desk.queue_view(question, self.day.desk.site_names())
        return {"ok": True, "seq": change.seq, "question": view}

    def questions_bulk(self, sid, name, payload):
        """A bulk action (``questions.bulk``) or its undo (``questions.undo``): each batch's change
        is broadcast once all are written; the before-documents are forgotten once the minute is over."""
        me = self.connections.get(sid)
        role = next((r for r in ("admin", "moderator") if r in me.roles), "")
        run = self.bulk.act if name == "questions.bulk" else self.bulk.undo
        answer, changes = run(payload, role=role, name=me.name)
        for change in changes:
            broadcast(self.socketio, change)
        if name == "questions.bulk" and answer["bulk"]:
            self.socketio.start_background_task(self._forget_bulks)
        return answer

    def _forget_bulks(self) -> None:
        self.socketio.sleep(UNDO_SECONDS + 1)
        try:
            self.bulk.forget_expired()
        except DomainError:  # the store is away: the next bulk forgets them
            log.warning("bulk undo documents not forgotten yet: the store is unavailable")

    def question_similar(self, _sid, _name, payload):
        return {"ok": True, "similar": self.day.desk.similar(payload)}

    def audit_get(self, _sid, _name, _payload):
        return {"ok": True, "entries": self.day.desk.audit()}

    def roll_get(self, _sid, _name, _payload):
        ids = self.site_ids()
        counts = self.day.desk.counts()
        view = self.presence.view(ids)
        return {"ok": True, "roll": {site: {**view[site], "questions": counts.get(site, 0)} for site in ids}}
