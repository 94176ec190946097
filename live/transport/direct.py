"""Engine.IO sockets that write a WebSocket message straight to the connection when they can.

python-engineio hands every outgoing packet to a per-socket queue that the socket's own writer
task empties: one queue put, one task switch, a queue get with its timer, and a WebSocket frame
built for each socket, even when one broadcast sends the same bytes to 10,000 phones. py-spy
showed that path as four fifths of the server's CPU during a broadcast (about 80 µs per phone).

Here a packet whose socket is idle (WebSocket open, nothing queued, the writer not in the middle
of a send) is framed once for all the sockets it goes to and written with one non-blocking
``send``. Everything else takes engineio's own path, so each client still gets its messages in
the order they were sent:

- something already queued, or the writer busy → the packet joins the queue behind it;
- the kernel's buffer for a slow phone full → the packet is queued, or, if only part of the frame
  went out, the rest is queued first and the writer finishes it before anything else;
- an error on the socket → the packet is queued, and the writer meets the error and closes.

The writer task itself writes through the same framing (``WebSocket.send``), each frame whole.

The WebSocket is ours too (``WebSocketWSGI``, ``WebSocket``, ``Reader``): read in the connection's
own task, one file descriptor, no compression, the same under eventlet and gevent.

Phones queue for a few places while their connection opens (``PhoneGate`` for the handshake,
``Socket.receive`` for the Socket.IO CONNECT); staff screens never do, so after a restart the
projectors and the MC are back before thousands of phones.

Only plain TCP sockets in non-blocking mode take the short path (eventlet's and gevent's green
sockets); a TLS socket or the threading mode always goes through engineio.
"""

from __future__ import annotations

import collections
import http.client
import importlib
import io
import logging
import os
import time
from socket import SHUT_RDWR

import engineio.exceptions
import engineio.packet
import engineio.socket
from wsproto.utilities import generate_accept_token

_TEXT, _BINARY = 0x81, 0x82  # FIN + opcode; a server's frames are never masked (RFC 6455, 5.1)


def frame(message: str | bytes) -> bytes:
    """One unmasked WebSocket frame holding ``message``: text for a str, binary for bytes."""
    if isinstance(message, str):
        payload, first = message.encode("utf-8"), _TEXT
    else:
        payload, first = bytes(message), _BINARY
    size = len(payload)
    if size < 126:
        header = bytes((first, size))
    elif size < 65536:
        header = bytes((first, 126)) + size.to_bytes(2, "big")
    else:
        header = bytes((first, 127)) + size.to_bytes(8, "big")
    return header + payload


def _framed(pkt) -> bytes:
    data = pkt._frame = frame(pkt.encode())  # the same Packet goes to every socket of a room
    return data


# A staff screen's messages of one moment go out together. In a burst of questions each one is
# sent to every secretariat console and every roll call (about fifty sockets at a provincial
# hall): one system call per message and socket was most of a question's cost. A staff socket
# collects what it is sent until the running task lets the others run, then writes it with one
# ``send``; a broadcast to the phones writes them first (``flush``), so staff screens still come
# before thousands of phones. Phones write at once: a phone gets a message now and then.
_later = None  # schedules a call for when the running task yields (``install``)
_dirty: list = []  # staff sockets holding messages of this moment


def flush() -> None:
    """Write every staff socket's messages of this moment now."""
    global _dirty
    while _dirty:
        dirty, _dirty = _dirty, []
        for socket in dirty:
            try:
                socket._flush()
            except Exception:  # noqa: BLE001 (one socket's failure must not keep the others' messages)
                logging.getLogger("live.direct").exception("writing a staff screen's messages failed")


class _Rest:
    """The part of a frame the kernel did not take: the writer sends it before anything else."""

    __slots__ = ("data",)

    def __init__(self, data: bytes) -> None:
        self.data = data


def _sockets(ws):
    """(green socket, raw non-blocking socket) under a WebSocket of ours, or None."""
    green = getattr(ws, "socket", None)
    raw = getattr(green, "fd", None)  # eventlet's GreenSocket
    if raw is None:
        raw = getattr(green, "_sock", None)  # gevent's socket
    if raw is None or hasattr(green, "cipher") or hasattr(raw, "cipher"):
        return None
    try:
        if raw.gettimeout() != 0.0:
            return None
    except OSError:
        return None
    return green, raw


# Phones whose Socket.IO connection is being opened at the same moment. After a restart every
# phone and screen of the province reconnects at once; served in turn, the sixty staff screens
# would wait behind thousands of phones. A phone's first message (its Socket.IO CONNECT: the
# session, the rooms, the stage it is sent) is handled only while it holds one of these places; a
# staff screen never waits for one. Held only while the server works on it, never across a round
# trip to the phone, so a phone that stalls cannot keep others out.
PHONE_CONNECTS = 32

# Phones between the start of their handshake and the end of their Socket.IO CONNECT. Without this
# bound a reconnect storm went breadth-first: ten thousand handshakes were answered before the first
# CONNECT was, every task of them in the run queue ahead of the staff screens' (py-spy: 5 s with 76
# phones connected, the staff back after 7 s). A place is held across one round trip to the phone
# (the open packet out, its CONNECT in), so there are enough for phones a Wi-Fi hop away, and one
# that does not answer within ``PLACE_HOLD`` seconds gives its place up.
PHONE_HANDSHAKES = 128
PLACE_HOLD = 2.0


class Gate:
    """A few places, handed on in the order phones came: entering and leaving cost the same
    however many wait (a ``threading.Semaphore`` over green locks takes a Condition and its
    lock twice for each, and its waiters contend for that lock). For green threads only: no
    other thread ever runs between a check here and what follows it."""

    def __init__(self, places: int, event) -> None:
        self.free = places
        self.waiting: collections.deque = collections.deque()
        self.event = event  # the async mode's Event class

    def enter(self) -> None:
        if self.free > 0 and not self.waiting:
            self.free -= 1
            return
        ready = self.event()
        self.waiting.append(ready)
        try:
            ready.wait()
        except BaseException:  # killed while waiting: a place already handed over is passed on
            if ready.is_set():
                self.leave()
            else:
                self.waiting.remove(ready)
            raise

    def leave(self) -> None:
        if self.waiting:
            self.waiting.popleft().set()  # the place goes straight to the next in line
        else:
            self.free += 1


_phone_gate: Gate | None = None  # around a phone's Socket.IO CONNECT
_handshake_gate: Gate | None = None  # around its HTTP handshake and WebSocket upgrade


def _is_phone(environ) -> bool:
    """A phone's request: the device cookie the phone page sets, and no staff session."""
    cookies = environ.get("HTTP_COOKIE", "")
    return "live_device=" in cookies and "live_session=" not in cookies


class _Place:
    """One place at a gate, taken now and given back once, whoever gives it back first."""

    __slots__ = ("gate",)

    def __init__(self, gate: Gate) -> None:
        gate.enter()
        self.gate = gate

    def __call__(self) -> None:
        gate, self.gate = self.gate, None
        if gate is not None:
            gate.leave()


_holds: collections.deque = collections.deque()  # (monotonic deadline, socket) of places held
_reaping = False


def _hold(server, socket) -> None:
    """``socket`` keeps its handshake place until its CONNECT, or ``PLACE_HOLD`` seconds."""
    global _reaping
    _holds.append((time.monotonic() + PLACE_HOLD, socket))
    if not _reaping:
        _reaping = True
        server.start_background_task(_reap, server)


def _reap(server) -> None:
    global _reaping
    try:
        while _holds:
            now = time.monotonic()
            while _holds and _holds[0][0] <= now:
                _holds.popleft()[1]._let_go()
            server.sleep(0.25)
    finally:
        _reaping = False


class PhoneGate:
    """WSGI middleware: a phone's Engine.IO handshake (a request to the Socket.IO path without a
    session id) holds a place at the handshake gate until its Socket.IO CONNECT is handled (a
    WebSocket opened straight away), or until its answer is written (long-polling)."""

    def __init__(self, app) -> None:
        self.app = app

    def __call__(self, environ, start_response):
        gate = _handshake_gate
        if (
            gate is None
            or not environ.get("PATH_INFO", "").startswith("/socket.io")
            or "sid=" in environ.get("QUERY_STRING", "")
            or not _is_phone(environ)
        ):
            return self.app(environ, start_response)
        place = environ["live.place"] = _Place(gate)
        try:
            return self.app(environ, start_response)
        finally:
            place()


BEATS = 200  # PINGs sent in a row before the heartbeat task lets the others run (after a restart
# every socket of the province connected within seconds, so their PINGs fall due together)


class Heartbeat:
    """The server's PING to every socket, from one task. engineio starts a task per socket per
    ping interval that sleeps the interval and sends one PING: ten thousand sleeping tasks, each
    with its stack and its timer, for one message a socket every 25 s. Every socket waits the same
    interval, so sockets due in the order they were scheduled sit in one queue in due order."""

    def __init__(self, server) -> None:
        self.server = server
        self.due: collections.deque = collections.deque()
        self.started = False

    def add(self, socket) -> None:
        self.due.append((time.monotonic() + self.server.ping_interval, socket))
        if not self.started:
            self.started = True
            self.server.start_background_task(self._forever)

    def beat(self, now: float, most: int = BEATS) -> float:
        """Send up to ``most`` of the PINGs due by ``now`` (monotonic); returns the seconds until
        the next is due (0 when more are due already: the task lets others run, then goes on)."""
        due = self.due
        while due and due[0][0] <= now and most > 0:
            _, socket = due.popleft()
            most -= 1
            if not socket.closing and not socket.closed:
                socket.last_ping = time.time()
                socket.send(engineio.packet.Packet(engineio.packet.PING))
        return max(0.0, min(1.0, due[0][0] - now)) if due else 1.0

    def _forever(self) -> None:
        while True:
            try:
                wait = self.beat(time.monotonic())
            except Exception:  # noqa: BLE001 (one socket's failure must not stop every heartbeat)
                wait = 0.1
            self.server.sleep(wait)


class Socket(engineio.socket.Socket):
    """An Engine.IO socket with the short path above; engineio creates one per connection."""

    _green = None
    _raw = None
    _writing = False  # the writer took packets from the queue and may still be sending them
    _phone = None  # whether a phone opened it (read from its first request)
    _admitted = False  # its first message was handled
    _place = None  # its place at the handshake gate, until its CONNECT is handled
    _ws = None  # the WebSocket, when this socket writes to it without engineio's writer task
    _batch = None  # a staff screen's frames waiting for the end of this moment (see flush), or
    # a phone's while its CONNECT is handled

    def handle_get_request(self, environ, start_response):
        if self._phone is None:
            self._phone = _is_phone(environ)
        self._place = environ.pop("live.place", None)
        return super().handle_get_request(environ, start_response)

    def handle_post_request(self, environ):
        if self._phone is None:
            self._phone = _is_phone(environ)
        return super().handle_post_request(environ)

    def schedule_ping(self):
        if self.last_ping:  # the PONG to the last PING came (or this is the first): the next one
            self.last_ping = None
            heartbeat = self.server.__dict__.get("_live_heartbeat")
            if heartbeat is None:
                heartbeat = self.server._live_heartbeat = Heartbeat(self.server)
            heartbeat.add(self)

    def receive(self, pkt):
        if pkt.packet_type == engineio.packet.MESSAGE and self.last_ping:
            # a client whose messages still arrive is there, even if its PONG waits behind them
            # (its events are handled in order, in its own reader)
            self.last_ping = time.time()
        gate = _phone_gate
        if self._admitted or not self._phone or gate is None or pkt.packet_type != engineio.packet.MESSAGE:
            return super().receive(pkt)
        self._admitted = True
        gate.enter()
        if self._raw is not None and self._batch is None:
            self._batch = []  # what its CONNECT sends (the stage, the answer) goes out in one write
        try:
            return super().receive(pkt)
        finally:
            gate.leave()
            self._let_go()  # connected: the next phone may start its handshake
            if self._batch is not None:
                self._flush()

    def _websocket_handler(self, ws):
        found = _sockets(ws)
        direct = found is not None and not self.connected and isinstance(ws, WebSocket)
        if self._place is not None:
            if direct:  # held until its CONNECT is handled (receive), or for PLACE_HOLD at most
                _hold(self.server, self)
            else:  # the upgrade is done: the next phone may start its handshake
                self._let_go()
        if found is not None:
            self._green, self._raw = found
        try:
            if direct:
                return self._serve(ws)
            return super()._websocket_handler(ws)  # an upgrade from polling, or TLS: engineio's
        finally:
            self._raw = None
            self._let_go()

    def _let_go(self) -> None:
        place, self._place = self._place, None
        if place is not None:
            place()

    def _serve(self, ws):
        """engineio's handler for a connection opened straight as a WebSocket, without its writer
        task. engineio keeps a task per socket, blocked on the socket's queue with a timer, for
        the rare packet the short path cannot write (the phone's buffer full); a blocked task is
        about 6 KB of an idle phone's memory, and starting it a tenth of the cost of a connection.
        Here a writer starts only when something is queued, and ends once the queue is empty."""
        server = self.server
        # No read timeout (a timer for every wait, ~8 % of a question's cost): a peer that went
        # away without a word stops answering PINGs, and ``close`` shuts the socket down, which
        # wakes this reader and a writer stuck on a full buffer
        ws.raw = self._raw
        self.connected = self.upgraded = True
        self._ws = ws
        self._writing = True  # the OPEN packet engineio queued before the WebSocket opened
        self._drain(ws.greet())  # after the 101, in the same write
        limit = server.max_http_buffer_size
        events = server.__dict__.get("live_events")
        while True:
            data = ws.wait()
            if data is None or len(data) > limit:
                break
            try:
                if (
                    events is not None
                    and type(data) is str
                    and data[:2] == "42"
                    and (self._admitted or not self._phone)
                ):
                    if self.last_ping:  # as receive() does
                        self.last_ping = time.time()
                    ack = events(self.sid, data)
                    if ack is not None:
                        if ack:
                            self.send(engineio.packet.Packet(engineio.packet.MESSAGE, data=ack))
                        continue
                self.receive(engineio.packet.Packet(encoded_packet=data))
            except engineio.exceptions.UnknownPacketError:
                pass
            except engineio.exceptions.SocketIsClosedError:
                break
            except Exception:  # noqa: BLE001 (engineio's own handler logs it and closes too)
                server.logger.exception("Unknown receive error")
                break
        if self._writing:
            self.queue.put(None)  # the writer still sending ends with the WebSocket closed
        else:
            ws.close()
        self.close(wait=False, abort=True, reason=server.reason.TRANSPORT_CLOSE)
        return []

    def _kick(self) -> None:
        """Start a writer for what is queued, unless one is already at it."""
        if self._ws is not None and not self._writing:
            self._writing = True
            self.server.start_background_task(self._drain)

    def _drain(self, first: bytes = b"") -> None:
        """Write what is queued, in order (after ``first``); end when nothing is left (or at None:
        the end)."""
        ws, empty = self._ws, self.server.get_queue_empty_exception()
        try:
            while True:
                try:
                    pkt = self.queue.get(block=False)
                except empty:
                    if first:
                        self._sendall(first)
                    return
                self.queue.task_done()
                if pkt is None:
                    ws.close()
                    return
                if type(pkt) is _Rest:
                    data = pkt.data
                else:
                    data = pkt.__dict__.get("_frame") or frame(pkt.encode())
                if first:
                    data, first = first + data, b""
                self._sendall(data)
        except OSError:
            ws.shutdown()
            while not self.queue.empty():  # nothing more can be written: nobody waits for it
                self.queue.get(block=False)
                self.queue.task_done()
        finally:
            self._writing = False

    def _sendall(self, data: bytes) -> None:
        """``data``, all of it, waiting for the phone if need be (gevent's ``sendall`` asks the
        kernel for the socket's buffer size each time; most writes fit at once)."""
        raw = self._raw
        sent = 0
        if raw is not None:
            try:
                sent = raw.send(data)
            except BlockingIOError:
                sent = 0
            if sent == len(data):
                return
        self._green.sendall(data[sent:] if sent else data)

    def close(self, wait=True, abort=False, reason=None):
        if self._batch is not None:
            self._unbatch()  # written before the end
        if self._ws is None:
            return super().close(wait=wait, abort=abort, reason=reason)
        super().close(wait=False, abort=abort, reason=reason)
        ws = self._ws
        if ws.closed:
            return None
        if reason == self.server.reason.PING_TIMEOUT:
            ws.shutdown()  # the client stopped answering: nothing more reaches it
            return None
        # what is queued, then the end (None), by a writer. Besides a missed heartbeat (above),
        # engineio closes a connection itself only when the server stops; python-socketio's
        # disconnect leaves the connection to the client (and its heartbeat)
        self._kick()
        if wait:
            self.queue.join()
        return None

    def send(self, pkt):
        batch = self._batch
        if batch is not None:  # a staff screen's messages of this moment: this one joins them
            if not pkt.binary:
                batch.append(pkt.__dict__.get("_frame") or _framed(pkt))
                return None
            self._unbatch()
        raw = self._raw
        if raw is None or self._writing or not self.upgraded or self.upgrading or pkt.binary or not self.queue.empty():
            super().send(pkt)
            if self._ws is not None:
                self._kick()
            return None
        if not self.check_ping_timeout():
            return None
        data = pkt.__dict__.get("_frame") or _framed(pkt)
        if self._phone is False and _later is not None:
            self._batch = [data]
            if not _dirty:
                _later(flush)
            _dirty.append(self)
            return None
        self._write(raw, data, pkt)
        return None

    def _write(self, raw, data: bytes, pkt=None) -> None:
        """``data`` with one non-blocking ``send``; what the kernel did not take is queued."""
        try:
            sent = raw.send(data)
        except BlockingIOError:
            sent = 0
        except OSError:
            sent = 0  # the writer meets the same error and closes the socket
        if sent == len(data):
            return
        self.queue.put(pkt if sent == 0 and pkt is not None else _Rest(data[sent:]))
        self._kick()

    def _flush(self) -> None:
        """Write this moment's messages, together."""
        batch, self._batch = self._batch, None
        raw = self._raw
        if not batch or raw is None or self.closed:
            return  # the connection ended meanwhile: nobody reads them
        data = batch[0] if len(batch) == 1 else b"".join(batch)
        if self._writing or not self.queue.empty():
            self.queue.put(_Rest(data))
            self._kick()
        else:
            self._write(raw, data)

    def _unbatch(self) -> None:
        """This moment's messages into the queue, ahead of what comes next."""
        batch, self._batch = self._batch, None
        if batch:
            self.queue.put(_Rest(b"".join(batch)))
            self._kick()

    def poll(self):
        self._writing = False
        while True:
            try:
                packets = super().poll()
            except engineio.exceptions.QueueEmpty:
                # engineio's writer gives up after a ping interval and timeout with nothing
                # queued; here the queue is empty because messages went the short way, and
                # the server's own ping check (engineio's service task) closes a dead socket
                if self._raw is None or self.closed:
                    raise
                continue
            self._writing = True
            if not packets or type(packets[0]) is not _Rest:
                return packets
            try:
                self._sendall(packets[0].data)
            except OSError:
                return []  # the writer closes the WebSocket
            if len(packets) > 1:
                return packets[1:]
            self._writing = False


# ---------------------------------------------------------------- request headers

_TOKEN = frozenset("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


def read_headers(fp):
    """A request's headers for gevent's pywsgi, as ``http.client.parse_headers`` reads them (its
    limits: 65,536 bytes a line, 100 lines) but without the email parser, a fifth of a phone's
    connection in a reconnect storm (70 µs a browser's handshake, where this takes about 20).
    Anything unusual (a folded line, a name that is not a token) goes to the email parser after
    all, so both read the same headers."""
    from gevent.pywsgi import OldMessage

    lines = []
    while True:
        line = fp.readline(http.client._MAXLINE + 1)
        if len(line) > http.client._MAXLINE:
            message = OldMessage()
            message.status = "Line too long"  # what gevent's own reader answers: 400
            return message
        lines.append(line)
        if len(lines) > http.client._MAXHEADERS:
            raise http.client.HTTPException(f"got more than {http.client._MAXHEADERS} headers")
        if line in (b"\r\n", b"\n", b""):
            break
    message = OldMessage()
    for line in lines[:-1]:
        text = line.decode("iso-8859-1")
        name, colon, value = text.partition(":")
        if not colon or not name or not _TOKEN.issuperset(name):
            return http.client.parse_headers(io.BufferedReader(io.BytesIO(b"".join(lines))), _class=OldMessage)
        message.set_raw(name, value.lstrip(" \t").rstrip("\r\n"))
    return message


# ---------------------------------------------------------------- the WebSocket itself

_CONTINUATION, _OP_TEXT, _OP_BINARY, _OP_CLOSE, _OP_PING, _OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA
OP_TEXT, OP_CLOSE, OP_PONG = _OP_TEXT, _OP_CLOSE, _OP_PONG
PROTOCOL_ERROR, INVALID_TEXT, TOO_BIG = 1002, 1007, 1009  # close codes (RFC 6455, 7.4.1)


def unmask(data: bytes, mask: bytes) -> bytes:
    """A client frame's payload XORed with its 4-byte mask (RFC 6455, 5.3), as one big integer:
    microseconds, where a loop over the bytes in Python costs a tenth of a millisecond a question."""
    size = len(data)
    if not size:
        return b""
    stream = (mask * (size // 4 + 1))[:size]
    return (int.from_bytes(data, "big") ^ int.from_bytes(stream, "big")).to_bytes(size, "big")


def control(opcode: int, payload: bytes = b"") -> bytes:
    """A server's control frame (close, ping, pong): never masked, at most 125 bytes."""
    return bytes((0x80 | opcode, len(payload))) + payload


def closing(code: int, reason: str = "") -> bytes:
    return control(_OP_CLOSE, code.to_bytes(2, "big") + reason.encode("utf-8")[:123])


def masked(opcode: int, payload: bytes) -> bytes:
    """A client's frame, whole and masked (RFC 6455, 5.3): what ``live loadtest``'s phones send."""
    key, size = os.urandom(4), len(payload)
    if size < 126:
        header = bytes((0x80 | opcode, 0x80 | size))
    elif size < 65536:
        header = bytes((0x80 | opcode, 0x80 | 126)) + size.to_bytes(2, "big")
    else:
        header = bytes((0x80 | opcode, 0x80 | 127)) + size.to_bytes(8, "big")
    return header + key + unmask(payload, key)


_MORE = ("more",)  # a frame was read that completes nothing yet


class Reader:
    """The frames a browser sends, read from the bytes as they come (pure: no socket); with
    ``masked=False``, the frames a server sends (``live loadtest``'s clients read them so).

    ``feed(data)`` returns what the bytes completed, in order: ``("message", str | bytes)``,
    ``("ping", payload)``, ``("close", code)`` when the client closes, or ``("error", code)``
    when it broke the protocol (unmasked or reserved bits set: 1002; a message over ``limit``
    bytes: 1009, noticed from its header, before the payload is read; text that is not UTF-8:
    1007). Nothing is read after a close or an error. No extension is ever negotiated here, so
    the reserved bits must be clear. A server's frames are never masked: one that is, is an error.
    """

    def __init__(self, limit: int, masked: bool = True) -> None:
        self.limit = limit
        self.masked = masked
        self._buffer = bytearray()
        self._parts: list[bytes] = []
        self._kind = 0  # the opcode of the fragmented message being put together, or 0
        self._size = 0
        self.done = False

    def feed(self, data: bytes) -> list[tuple]:
        if self.done:
            return []
        self._buffer += data
        out: list[tuple] = []
        while not self.done:
            event = self._next()
            if event is None:
                break
            if event is _MORE:  # a pong, or one fragment of a message: read on
                continue
            if event[0] in ("close", "error"):
                self.done = True
                self._buffer = bytearray()
            out.append(event)
        return out

    def _next(self) -> tuple | None:
        buffer = self._buffer
        if len(buffer) < 2:
            return None
        first, second = buffer[0], buffer[1]
        fin, opcode, size = first & 0x80, first & 0x0F, second & 0x7F
        if first & 0x70 or bool(second & 0x80) is not self.masked:  # reserved bits, or the mask wrong
            return ("error", PROTOCOL_ERROR)
        at = 2
        if size == 126:
            if len(buffer) < 4:
                return None
            size, at = int.from_bytes(buffer[2:4], "big"), 4
        elif size == 127:
            if len(buffer) < 10:
                return None
            size, at = int.from_bytes(buffer[2:10], "big"), 10
        if opcode >= _OP_CLOSE:
            if not fin or size > 125 or opcode not in (_OP_CLOSE, _OP_PING, _OP_PONG):
                return ("error", PROTOCOL_ERROR)
        elif opcode not in (_CONTINUATION, _OP_TEXT, _OP_BINARY):
            return ("error", PROTOCOL_ERROR)
        elif (opcode == _CONTINUATION) != bool(self._kind):  # a continuation of nothing, or a new
            return ("error", PROTOCOL_ERROR)  # message in the middle of another
        elif self._size + size > self.limit:
            return ("error", TOO_BIG)
        if self.masked:
            if len(buffer) < at + 4 + size:
                return None
            payload = unmask(bytes(buffer[at + 4 : at + 4 + size]), bytes(buffer[at : at + 4]))
            del buffer[: at + 4 + size]
        else:
            if len(buffer) < at + size:
                return None
            payload = bytes(buffer[at : at + size])
            del buffer[: at + size]
        if opcode == _OP_CLOSE:
            return ("close", int.from_bytes(payload[:2], "big") if len(payload) >= 2 else 1005)
        if opcode == _OP_PING:
            return ("ping", payload)
        if opcode == _OP_PONG:
            return _MORE
        self._parts.append(payload)
        self._size += size
        if opcode != _CONTINUATION:
            self._kind = opcode
        if not fin:
            return _MORE
        message, kind = b"".join(self._parts), self._kind
        self._parts, self._kind, self._size = [], 0, 0
        if kind == _OP_BINARY:
            return ("message", message)
        try:
            return ("message", message.decode("utf-8"))
        except UnicodeDecodeError:
            return ("error", INVALID_TEXT)


class WebSocket:
    """One open WebSocket as engineio uses it (``wait``, ``send``, ``close``), read in the
    connection's own task: no reader task beside it, no duplicate of the socket (simple-websocket
    under gevent runs a task and holds a second file descriptor per connection), and no
    compression (browsers offer permessage-deflate; a zlib state per phone costs tens of KB)."""

    raw = None  # the non-blocking socket under ``socket`` when no read timeout is set (Socket._serve)

    def __init__(self, sock, limit: int) -> None:
        self.socket = sock  # engineio sets its read timeout (ping interval + timeout) here, or not
        self.reader = Reader(limit)
        self.messages: collections.deque = collections.deque()
        self.closed = False
        self.greeting = b""  # the 101 answer, written with the first frame (or before reading)

    def greet(self) -> bytes:
        """The 101 answer not written yet (for the caller to write first), or b""."""
        greeting, self.greeting = self.greeting, b""
        return greeting

    def wait(self):
        """The next message, or None once the connection is closed."""
        if self.greeting:
            self._write(b"")
        while not self.messages:
            if self.closed or self.reader.done:
                return None
            try:
                data = self.socket.recv(65536)
            except OSError:
                data = b""
            if not data:
                self.closed = True
                return None
            for event in self.reader.feed(data):
                kind = event[0]
                if kind == "message":
                    self.messages.append(event[1])
                elif kind == "ping":
                    self._write(control(_OP_PONG, event[1]))
                else:  # the client closed (answered in kind), or broke the protocol (told why)
                    self.close(1000 if kind == "close" else event[1])
        return self.messages.popleft()

    def send(self, message) -> None:
        if self.closed:
            raise OSError("WebSocket closed")
        self.socket.sendall(self.greet() + frame(message))

    def close(self, code: int = 1000) -> None:
        if self.closed:
            return
        self.closed = True
        if self.raw is None:
            self._write(closing(code))  # within the socket's timeout
            return
        try:
            self.raw.send(self.greet() + closing(code))  # never waits: a client that stopped reading gets none
        except OSError:
            pass
        self.shutdown()

    def shutdown(self) -> None:
        """Closed now: the tasks reading or writing it wake (FIN follows what is sent already)."""
        self.closed = True
        try:
            self.socket.shutdown(SHUT_RDWR)
        except OSError:
            pass

    def _write(self, data: bytes) -> None:
        try:
            self.socket.sendall(self.greet() + data)
        except OSError:
            self.closed = True


def _raw_socket(environ):
    """The connection's (green) socket under a WSGI request, from eventlet's or gevent's server."""
    found = environ.get("eventlet.input")
    if found is not None:
        return found.get_socket()
    stream = environ.get("wsgi.input")
    stream = getattr(stream, "rfile", stream)  # gevent: pywsgi's Input around the buffered file
    return getattr(getattr(stream, "raw", None), "_sock", None)


class WebSocketWSGI:
    """engineio's WebSocket transport (``server._async['websocket']``): the upgrade answered
    here, then ``handler(ws)`` for the life of the connection."""

    def __init__(self, handler, server) -> None:
        self.handler, self.server = handler, server

    def __call__(self, environ, start_response):
        key = environ.get("HTTP_SEC_WEBSOCKET_KEY", "")
        tokens = {part.strip().lower() for part in environ.get("HTTP_CONNECTION", "").split(",")}
        sock = _raw_socket(environ)
        if (
            environ.get("HTTP_UPGRADE", "").lower() != "websocket"
            or "upgrade" not in tokens
            or environ.get("HTTP_SEC_WEBSOCKET_VERSION") != "13"
            or not 16 <= len(key) <= 64
            or sock is None
        ):
            start_response("400 Bad Request", [("Connection", "close"), ("Content-Type", "text/plain")])
            return [b"WebSocket upgrade expected"]
        accept = generate_accept_token(key.encode("latin-1"))
        if "eventlet.set_idle" in environ:  # a graceful stop need not wait for this connection
            environ["eventlet.set_idle"]()
        ws = WebSocket(sock, self.server.max_http_buffer_size + 1024)
        ws.greeting = (  # written with the OPEN packet: one write instead of two
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Accept: " + accept + b"\r\n\r\n"
        )
        try:
            self.handler(ws)
        except OSError:
            pass
        finally:
            ws.close()
        if "eventlet.input" in environ:  # eventlet's server writes no response of its own
            import eventlet.wsgi

            eventlet.wsgi.WSGI_LOCAL.already_handled = True
        else:  # gevent's server reads the next request unless the request stream is closed
            stream = environ.get("wsgi.input")  # pywsgi's Input, or (no body) the stream itself
            rfile = getattr(stream, "rfile", stream)
            if rfile is not None:
                rfile.close()
        return []


def serve_events(server, events) -> None:
    """Let ``events(eio_sid, text)`` answer a connected client's Socket.IO events on ``server``
    (an engineio server) before engineio and python-socketio read them: it returns the reply to
    send, "" when it sent it, or None to leave the message to them (``live.transport.shortway.Events``)."""
    server.live_events = events


def install(mode: str | None = None) -> None:
    """The phones' gates and the loop's callbacks, for eventlet and gevent (green threads); the
    classes above are put in engineio's place by ``patches.apply``, which calls this."""
    global _phone_gate, _handshake_gate, _later
    if mode in ("eventlet", "gevent"):
        driver = importlib.import_module(f"engineio.async_drivers.{mode}")
        _phone_gate = Gate(PHONE_CONNECTS, driver._async["event"])
        _handshake_gate = Gate(PHONE_HANDSHAKES, driver._async["event"])
        _later = _later_in(mode)


def native(mode: str):
    """``run(fn, *args)``: ``fn(*args)`` in a native thread of the mode's pool, the calling green
    thread waiting for it while the others run. For work that releases the GIL (a PIN's scrypt
    hash, 0.1 s of a core during which every connection of the process would otherwise wait)."""
    if mode == "gevent":
        import gevent

        return lambda fn, *args: gevent.get_hub().threadpool.apply(fn, args)
    import eventlet.tpool

    return eventlet.tpool.execute


def _later_in(mode: str):
    """``later(fn)``: call ``fn`` from the event loop once the running task lets the others run."""
    if mode == "gevent":
        import gevent

        return lambda fn: gevent.get_hub().loop.run_callback(fn)
    import eventlet.hubs

    return lambda fn: eventlet.hubs.get_hub().schedule_call_global(0, fn)
