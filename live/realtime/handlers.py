"""Socket.IO handlers: validate → authorise → service → acknowledge → emit.

Every event a client may send is named in ``access.EVENTS``; a handler is registered for each by
an explicit call from the factory. A connection is authorised once at the handshake (its screen
and the roles its session holds) and every event is checked again against the table.
"""

from __future__ import annotations

import collections
import functools
import logging
import re
import time
from dataclasses import dataclass

from flask import request, session
from flask_socketio import ConnectionRefusedError, SocketIO
from socketio import packet as sio_packet

from live.core import access, floor, questions, rooms
from live.core.errors import DomainError
from live.core.text import clean
from live.formats import wire
from live.services import desk
from live.services.day import COMMAND_ARGS, PINS, TOKENS, Change, Day, pin_hashes
from live.transport import direct
from live.web import messages
from live.web.auth import current_roles, device_in

log = logging.getLogger("live.realtime")


class Packet(sio_packet.Packet):
    """python-socketio's packet, with a quicker look for bytes in what is sent.

    Every packet built to be sent asks whether its data holds bytes (to send them as binary
    attachments). The library answers by building a list at every level of the payload and
    folding it, with no early exit: a tenth of the server's CPU during a storm of questions,
    for payloads that never hold bytes here. Same answer, one walk that stops at the first.
    """

    @classmethod
    def data_is_binary(cls, data) -> bool:
        pending = [data]
        while pending:
            item = pending.pop()
            if isinstance(item, (str, int, float)) or item is None:
                continue
            if isinstance(item, dict):
                pending.extend(item.values())
            elif isinstance(item, list):
                pending.extend(item)
            elif isinstance(item, (bytes, bytearray)):
                return True
        return False


class Events:
    """The short way for what nearly every message is: an event with an acknowledgement on the
    default namespace, ``42<id>["name", payload]``, answered ``3<id>[reply]``.

    python-socketio reads such a message through an Engine.IO packet, a Socket.IO packet, five
    calls of dispatch and two more packets for the acknowledgement: at 2,000 questions a second
    about an eighth of the server's time. Here the handler ``guarded`` registered runs on the
    message's text, in the connection's reader as before (``direct.Socket._serve``), and its
    acknowledgement is encoded once. Anything else (another namespace, no acknowledgement, an
    event registered some other way, a connection not yet connected, text that is not JSON)
    gets ``None`` before anything runs, and takes python-socketio's way.
    """

    _EVENT = re.compile(r"42(\d{1,15})\[")

    def __init__(self, server, handlers: dict) -> None:
        self.server = server  # the python-socketio server
        self.handlers = handlers  # event name → run(sid, *args), as guarded() registered them

    def __call__(self, eio_sid: str, text: str) -> str | None:
        """The acknowledgement to send (a Socket.IO packet's text; "" when it went already), or
        None: not this way."""
        found = self._EVENT.match(text)
        if found is None:
            return None
        try:
            data = wire.loads(text[found.end() - 1 :])
        except (ValueError, RecursionError):  # python-socketio's way logs it and reads on
            return None
        run = self.handlers.get(data[0]) if type(data) is list and data and type(data[0]) is str else None
        if run is None:
            return None
        manager = self.server.manager
        sid = manager.sid_from_eio_sid(eio_sid, "/")
        if sid is None or not manager.is_connected(sid, "/"):
            return None
        reply = run(sid, *data[1:])
        ident = int(found[1])
        args = [] if reply is None else list(reply) if isinstance(reply, tuple) else [reply]
        if Packet.data_is_binary(args):  # never so far: python-socketio sends attachments
            ack = self.server.packet_class(sio_packet.ACK, namespace="/", id=ident, data=args)
            self.server._send_packet(eio_sid, ack)
            return ""
        return f"3{ident}{wire.dumps(args)}"


@dataclass(frozen=True)
class Connection:
    """What the server knows of one open socket: its screen, roles, and (phones) its device."""

    screen: str
    roles: frozenset[str]
    site: str | None = None
    device: str | None = None
    name: str = ""  # the person at a staff screen, as they typed it (for the audit log)
    address: str = ""
    grants: tuple[tuple[str, str], ...] = ()  # (role, fingerprint of the link or PIN that granted it)


class Connections:
    """Who is connected on this process: socket id → connection."""

    def __init__(self) -> None:
        self._by_sid: dict[str, Connection] = {}
        self._granted: dict[str, Connection] = {}  # the staff screens: what a revocation may drop

    def add(self, sid: str, screen: str, roles: set[str], **extra) -> None:
        connection = Connection(screen, frozenset(roles), **extra)
        self._by_sid[sid] = connection
        if connection.grants:
            self._granted[sid] = connection

    def granted(self) -> list[tuple[str, Connection]]:
        """Every staff connection on this process, with the grants it connected with."""
        return list(self._granted.items())

    def __contains__(self, sid: str) -> bool:
        return sid in self._by_sid

    def get(self, sid: str) -> Connection:
        return self._by_sid.get(sid) or Connection("", frozenset())

    def remove(self, sid: str) -> None:
        self._by_sid.pop(sid, None)
        self._granted.pop(sid, None)

    def roles(self, sid: str) -> frozenset[str]:
        return self.get(sid).roles

    def count(self) -> int:
        return len(self._by_sid)


# the rooms a staff screen joins beside "screens" and its roles' rooms
STAFF_ROOMS = {
    "moderator": (rooms.desk(), rooms.roll()),
    "admin": (rooms.desk(), rooms.roll()),
    "mc": (rooms.roll(), rooms.queue()),
    "chair": (rooms.queue(),),
}
NAME_LIMIT = 40


def broadcast(socketio: SocketIO, change: Change) -> None:
    """Send what a service said to send, to the rooms it named: staff and site screens first, so
    the projector, the MC and the chairman never wait behind thousands of phones. Each room's
    message is encoded once for all its sockets (python-socketio shares one packet when no
    callback is asked for); each client still gets its own messages in the order listed."""
    staff = True
    for event, payload, room in sorted(change.emits, key=lambda emit: rooms.of_phones(emit[2])):
        if staff and rooms.of_phones(room):
            staff = False
            direct.flush()  # what the staff screens were sent goes out before the phones' turn
        socketio.emit(event, payload, to=room)


def resync(socketio: SocketIO, day: Day) -> None:
    """After this process missed broadcasts (its message queue was cut off): every screen and
    phone connected here gets the state again, or is told to ask for it."""
    try:
        snapshot = day.snapshot()
        queue = {"seq": snapshot["seq"], **day.desk.queue()}
    except DomainError:
        log.error("resync postponed: the store is unavailable")
        return
    socketio.emit("state.snapshot", snapshot, to=rooms.screens(), ignore_queue=True)
    socketio.emit("queue.snapshot", queue, to=rooms.queue(), ignore_queue=True)
    socketio.emit("resync", {"seq": snapshot["seq"]}, to=[rooms.desk(), rooms.roll()], ignore_queue=True)
    # last, and only what a phone shows: the question being answered, and its own questions'
    # statuses, which it asks for again
    current = {"seq": snapshot["seq"], "question": snapshot["current_question"]}
    direct.flush()
    socketio.emit("question.current", current, to=rooms.phones(), ignore_queue=True)
    socketio.emit("resync", {"seq": snapshot["seq"]}, to=rooms.phones(), ignore_queue=True)


PRESENCE_RENEW = 5.0  # seconds between a process's "still here" in the shared roll call
REVOCATION_POLL = 0.5  # seconds between two looks at the links and PINs: a revoked screen drops within 2 s


class RevocationWatch:
    """Drops this process's staff sockets whose link was renewed or whose PIN changed.

    Polls the replica rather than trusting the local call: a link renewed through another process
    reaches this one only through the store. One task per process, started with the first staff
    socket; each connection is checked once, and all again whenever the links or PINs change.
    """

    def __init__(self, socketio: SocketIO, day: Day, connections: Connections) -> None:
        self.socketio, self.day, self.connections = socketio, day, connections
        self.started = False
        self._seen: tuple[dict, dict] | None = None
        self._checked: set[str] = set()
        self._failing = False

    def start(self) -> None:
        if not self.started:
            self.started = True
            self.socketio.start_background_task(self._run)

    def _run(self) -> None:
        while True:
            self.socketio.sleep(REVOCATION_POLL)
            try:
                self.check()
            except Exception as error:  # noqa: BLE001 (the store is away, or anything: never die)
                if not self._failing:
                    log.error("revocation watch paused (%s): retrying", type(error).__name__)
                    self._failing = True
                continue
            if self._failing:
                log.warning("revocation watch resumed")
                self._failing = False

    def check(self) -> list[str]:
        """One look: refresh the replica, drop the sockets that lost a role; returns their ids."""
        replica = self.day.replica
        replica.refresh()
        current = (replica.get(TOKENS) or {}, pin_hashes(replica.get(PINS)))
        if current != self._seen:
            self._seen, self._checked = current, set()
        granted = self.connections.granted()
        self._checked &= {sid for sid, _ in granted}  # forget the sockets that went away
        suspects = []
        for sid, connection in granted:
            if sid in self._checked:
                continue
            if connection.roles <= access.valid_roles(dict(connection.grants), *current):
                self._checked.add(sid)
            else:
                suspects.append((sid, connection))
        if not suspects:
            return []
        # this process's replica may be a moment older than what a new socket was checked with:
        # confirm against the store itself before dropping anyone
        tokens, pins = self.day.tokens(), self.day.pin_hashes()
        dropped = []
        for sid, connection in suspects:
            valid = access.valid_roles(dict(connection.grants), tokens, pins)
            if connection.roles <= valid:
                continue
            lost = sorted(connection.roles - valid)
            log.warning("revoked: dropping sid=%s screen=%s roles=%s", sid, connection.screen, ",".join(lost))
            # the page reloads on this and shows why; a client that ignores it is dropped anyway
            self.socketio.emit("access.revoked", {"role": lost[0]}, to=sid, ignore_queue=True)
            self.socketio.server.disconnect(sid, namespace="/", ignore_queue=True)
            self.connections.remove(sid)
            dropped.append(sid)
        return dropped


SUGGEST_BATCH = 50  # new questions compared per refresh of the replica
SUGGEST_IDLE = 0.1  # seconds between looks at an empty queue
SUGGEST_BUSY_GAP = 0.01  # while questions are arriving: one comparison per this many seconds
SUGGEST_LAG = 30.0  # seconds: no question waits longer for its comparison, storm or not


class Suggester:
    """The likely duplicates of each new question, sent to the secretariat as ``question.similar``
    once the asker's phone has its acknowledgement.

    Comparing a question with every other costs milliseconds on a day of look-alike questions;
    done before the acknowledgement, a burst of thousands waited seconds for it. Here a burst is
    acknowledged first and compared after, in one background task, in order; the moderator can
    still ask for any question's duplicates at once (``question.similar``).

    While questions are still arriving (``arriving``: submissions being handled right now) the
    comparisons go slowly, one every ``SUGGEST_BUSY_GAP``, so that a storm's acknowledgements
    have the processor; they catch up when it passes, and none waits longer than ``SUGGEST_LAG``.
    """

    def __init__(self, socketio: SocketIO, day: Day) -> None:
        self.socketio, self.day = socketio, day
        self.pending: collections.deque[tuple[str, float]] = collections.deque()
        self.arriving = 0
        self._task = None

    def add(self, question_id: str) -> None:
        self.pending.append((question_id, time.monotonic()))
        if self._task is None:
            self._task = self.socketio.start_background_task(self._forever)

    def _forever(self) -> None:
        while True:
            if not self.pending:
                self.socketio.sleep(SUGGEST_IDLE)
                continue
            try:
                self.day.desk.replica.refresh()  # what other processes took in, once per batch
            except DomainError:
                pass  # the store is unreachable: compare with what this process knows
            for _ in range(min(SUGGEST_BATCH, len(self.pending))):
                if self.arriving and time.monotonic() - self.pending[0][1] < SUGGEST_LAG:
                    self.socketio.sleep(SUGGEST_BUSY_GAP)  # a storm: its acknowledgements first
                self.run_one(self.pending.popleft()[0])
                self.socketio.sleep(0)  # acknowledgements and broadcasts go first

    def run_one(self, question_id: str) -> None:
        try:
            found = self.day.desk.suggest(question_id)
        except Exception:  # one question's comparison must never stop the others'
            log.exception("similar questions not found for %s", question_id)
            return
        if found is not None:
            self.socketio.emit("question.similar", {"id": question_id, "similar": found}, to=rooms.desk())


ROLL_GAP = 0.5  # seconds: the roll call's count of a site's questions is sent at most this often


class RollCounts:
    """How many questions each site has sent, on the roll call (``roll.changed``). A burst of
    questions from the whole province would send every MC and secretariat screen one message per
    question; here the first count goes out at once, and those that change meanwhile follow
    together, each site's latest count once, ``ROLL_GAP`` later."""

    def __init__(self, socketio: SocketIO, day: Day) -> None:
        self.socketio, self.day = socketio, day
        self.sites: set[str] = set()
        self._task = None

    def touch(self, site: str) -> None:
        self.sites.add(site)
        if self._task is None:
            self._task = self.socketio.start_background_task(self._send)

    def _send(self) -> None:
        try:
            while self.sites:
                sites, self.sites = self.sites, set()
                counts = self.day.desk.counts()
                for site in sorted(sites):
                    self.socketio.emit(
                        "roll.changed", {"site": site, "questions": counts.get(site, 0)}, to=rooms.roll()
                    )
                self.socketio.sleep(ROLL_GAP)
        except Exception:  # noqa: BLE001 (the roll call's counts come again with the next question)
            log.exception("roll call counts not sent")
        finally:
            self._task = None


def register(socketio: SocketIO, day: Day, presence=None) -> Connections:
    """Attach every handler to ``socketio``. ``presence`` is the roll call (this process's own
    by default; ``fanout.SharedPresence`` when processes share Redis)."""
    connections = Connections()
    revocations = RevocationWatch(socketio, day, connections)
    suggester = Suggester(socketio, day)
    roll_counts = RollCounts(socketio, day)
    if presence is None:
        presence = floor.Presence()
    elif hasattr(presence, "renew"):

        def renew_forever():
            while True:
                socketio.sleep(PRESENCE_RENEW)
                presence.renew()

        socketio.start_background_task(renew_forever)

    def site_ids() -> list[str]:
        return [site["id"] for site in (day.conference() or {}).get("sites", [])]

    def roll_line(site: str) -> dict:
        return {"site": site, **presence.view([site])[site]}

    def refuse(screen, roles, why="auth.denied"):
        log.warning("denied connect screen=%r roles=%s", str(screen)[:20], ",".join(sorted(roles)) or "-")
        raise ConnectionRefusedError(why)

    def join(sid, room) -> None:
        socketio.server.enter_room(sid, room, namespace="/")

    def connect(sid, environ=None, auth=None, *_rest):
        """A Socket.IO CONNECT, registered straight on the server like every event (``guarded``):
        a phone's needs nothing of Flask (its device cookie is read from the handshake); a staff
        screen's reads its session in a request context made from the handshake."""
        if sid in connections or not isinstance(environ, dict):  # an event named "connect"
            return refusal(sid, DomainError("request.unknown_event"))
        try:
            return _open(sid, environ, auth if isinstance(auth, dict) else {})
        except ConnectionRefusedError:
            raise
        except Exception:  # noqa: BLE001 (any bug: the screen is refused and tries again, the log has the trace)
            log.exception("connect failed sid=%s", sid)
            connections.remove(sid)  # a refused connection has no disconnect to clean up after it
            presence.disconnect(sid, time.time())
            raise ConnectionRefusedError("server.error") from None

    def _open(sid, environ, auth):
        screen = auth.get("screen")
        if screen == "phone":
            return _open_phone(sid, environ)
        with environ["flask.app"].request_context(environ):
            try:
                roles = current_roles()
            except DomainError as error:
                refuse(screen, set(), error.code)
            if not isinstance(screen, str) or not access.may_open(roles, screen) or screen == "phone":
                refuse(screen, roles)
            try:
                return _open_screen(sid, screen, roles, auth)
            except DomainError as error:  # the store is unreachable: the screen tries again shortly
                connections.remove(sid)
                presence.disconnect(sid, time.time())
                refuse(screen, roles, error.code)

    def _open_phone(sid, environ):
        device = device_in(environ["flask.app"], environ)
        if device is None:  # the phone page sets the cookie; without it there is no page
            refuse("phone", set(), "auth.device")
        connections.add(sid, "phone", {access.PUBLIC}, device=device, address=environ.get("REMOTE_ADDR") or "")
        join(sid, rooms.phones())
        join(sid, rooms.device(device))
        # After joining, the question being answered now (what the projector shows, or null);
        # any later stage change arrives as a broadcast. Sent, not asked for: one small message
        # and no round trip, where asking would cost each of 10,000 reconnecting phones a
        # request and an acknowledgement (and state.get, the staff snapshot, is not a phone's).
        # The refresh is one changes(since) call, a read of the store's seq when nothing changed:
        # without it a process that just started, or whose stage another process changed, would
        # show the phone an old question, and the broadcast it missed before joining never comes.
        try:
            seq = day.replica.refresh()
        except DomainError:  # the store is away, so the stage cannot change: the phone keeps what it shows
            return None
        current = {"seq": seq, "question": day.desk.current()}
        socketio.server.emit("question.current", current, to=sid, namespace="/", ignore_queue=True)
        return None

    def _open_screen(sid, screen, roles, auth):
        site = None
        if screen == "site":
            site = auth.get("site")
            if not isinstance(site, str) or site not in site_ids():
                refuse(screen, roles, "auth.unknown_site")
        name = auth.get("name")
        name = " ".join(clean(name).split())[:NAME_LIMIT] if isinstance(name, str) and len(name) < 1000 else ""
        held = session.get("grants") or {}
        marks = tuple((role, held[role]) for role in sorted(roles) if isinstance(held.get(role), str))
        connections.add(sid, screen, roles, site=site, address=request.remote_addr or "", name=name, grants=marks)
        revocations.start()
        join(sid, rooms.screens())
        for room in STAFF_ROOMS.get(screen, ()):
            join(sid, room)
        for role in roles:
            join(sid, rooms.role(role))
        # after joining: every change made from now on reaches this screen as a broadcast
        snapshot = day.snapshot()
        socketio.emit("state.snapshot", snapshot, to=sid, ignore_queue=True)
        if rooms.queue() in STAFF_ROOMS.get(screen, ()):
            queue = {"seq": snapshot["seq"], **day.desk.queue()}
            socketio.emit("queue.snapshot", queue, to=sid, ignore_queue=True)
        if site is not None:
            join(sid, rooms.site(site))
            presence.connect(sid, site, time.time())
            socketio.emit("roll.changed", roll_line(site), to=rooms.roll())
        return None

    def disconnect(sid, *_args):
        if socketio.server.manager.is_connected(sid, "/"):  # an event named "disconnect"
            return refusal(sid, DomainError("request.unknown_event"))
        connections.remove(sid)
        site = presence.disconnect(sid, time.time())
        if site is not None:
            socketio.emit("roll.changed", roll_line(site), to=rooms.roll())
        return None

    socketio.server.on("connect", connect, namespace="/")
    socketio.server.on("disconnect", disconnect, namespace="/")

    def refusal(sid, error: DomainError) -> dict:
        """The acknowledgement of a refused event, in the language the screen's page was opened in:
        the sentence is rendered in a request context made from the connection's handshake."""
        environ = socketio.server.get_environ(sid) or {}
        app = environ.get("flask.app")
        if app is None:  # the connection is gone: nobody reads the sentence
            return error.as_dict()
        with app.request_context(environ):
            return messages.reply(error)

    quick: dict = {}  # every guarded handler, for the short way (Events)
    direct.serve_events(socketio.server.eio, Events(socketio.server, quick))

    def guarded(name, handler):
        """Register ``handler(sid, payload)`` for ``name`` straight on the Socket.IO server.

        Flask-SocketIO would build a Flask request and application context for every event; the
        handlers need only the socket's id (``connections`` knows the rest), so an event runs
        without them and only a refusal, whose sentence is translated, enters a request context.
        Events run in the connection's own reader, one after another (``async_handlers=False``):
        each client's events are handled in the order it sent them, and a client that sends
        faster than the server answers waits on its own socket instead of piling tasks up here.
        """

        def run(sid, *args):
            if not access.may(connections.roles(sid), name):
                log.warning("denied event=%s sid=%s", name, sid)
                return refusal(sid, DomainError("auth.denied"))
            if len(args) > 1:  # a client sent several arguments: every event takes one payload
                return refusal(sid, DomainError("request.malformed"))
            try:
                return handler(sid, args[0] if args else None)
            except DomainError as error:
                return refusal(sid, error)
            except Exception:  # noqa: BLE001 (any bug: the client gets an answer, the log the trace)
                log.exception("event failed event=%s sid=%s", name, sid)
                return refusal(sid, DomainError("server.error"))

        socketio.server.on(name, run, namespace="/")
        quick[name] = run

    def time_sync(_sid, _payload=None):
        return {"ok": True, "t": time.time()}

    def state_get(_sid, _payload=None):
        return {"ok": True, "state": day.snapshot()}

    def command(name, _sid, payload):
        change = day.command(name, payload)
        broadcast(socketio, change)
        return {"ok": True, "seq": change.seq}

    def floor_command(name, sid, payload):
        change = day.floor_command(name, payload, site=connections.get(sid).site)
        broadcast(socketio, change)
        return {"ok": True, "seq": change.seq}

    def stored(result):
        question, repeated, change = result
        if change is not None:
            broadcast(socketio, change)
            suggester.add(question["id"])
            roll_counts.touch(question["site"])
        return {"ok": True, "id": question["id"], "code": question["code"], "repeated": repeated}, question

    def question_submit(sid, payload):
        me = connections.get(sid)
        suggester.arriving += 1
        try:
            reply, question = stored(day.desk.submit(payload, device=me.device, address=me.address))
        finally:
            suggester.arriving -= 1
        # a merged question's own status reads "received" here; question.mine follows its target
        return {**reply, "status": questions.public_status(question)}

    def question_enter(sid, payload):
        by = "moderator" if "moderator" in connections.roles(sid) else "admin"
        return stored(day.desk.enter(payload, by=by))[0]

    def question_mine(_sid, payload):
        return {"ok": True, "questions": day.desk.mine(payload)}

    def questions_get(_sid, _payload=None):
        return {"ok": True, "questions": day.desk.for_desk()}

    def question_act(action, sid, payload):
        me = connections.get(sid)
        role = next((r for r in ("admin", "mc", "moderator") if r in me.roles), "")
        question, change = day.desk.act(action, payload, role=role, name=me.name)
        broadcast(socketio, change)
        return {"ok": True, "seq": change.seq, "question": desk.staff_view(question)}

    def question_similar(_sid, payload):
        return {"ok": True, "similar": day.desk.similar(payload)}

    def audit_get(_sid, _payload=None):
        return {"ok": True, "entries": day.desk.audit()}

    def roll_get(_sid, _payload=None):
        ids = site_ids()
        counts = day.desk.counts()
        view = presence.view(ids)
        return {"ok": True, "roll": {site: {**view[site], "questions": counts.get(site, 0)} for site in ids}}

    guarded("time.sync", time_sync)
    guarded("state.get", state_get)
    for name in COMMAND_ARGS:
        if name.startswith("floor."):
            guarded(name, functools.partial(floor_command, name))
        else:
            guarded(name, functools.partial(command, name))
    guarded("question.submit", question_submit)
    guarded("question.enter", question_enter)
    guarded("question.mine", question_mine)
    guarded("questions.get", questions_get)
    guarded("roll.get", roll_get)
    for action in desk.SOCKET_ACTIONS:
        guarded(f"question.{action}", functools.partial(question_act, action))
    guarded("question.similar", question_similar)
    guarded("audit.get", audit_get)

    @socketio.on("*")
    def unknown_event(event, *_args):
        # an event nobody handles still gets an answer, so the client is not left waiting
        log.warning("unknown event=%r sid=%s", str(event)[:40], request.sid)
        return messages.reply(DomainError("request.unknown_event"))

    @socketio.on_error_default
    def on_error(error):
        log.exception("event failed sid=%s", getattr(request, "sid", "-"))
        return messages.reply(DomainError("server.error"))

    handled = {"time.sync", "state.get", "question.submit", "question.enter", "question.mine", "questions.get"}
    handled |= {"roll.get", "question.similar", "audit.get", *(f"question.{a}" for a in desk.SOCKET_ACTIONS)}
    unknown = set(access.EVENTS) - handled - set(COMMAND_ARGS)
    if unknown:
        raise RuntimeError(f"events without a handler: {sorted(unknown)}")
    return connections
