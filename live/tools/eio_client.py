"""A lean Socket.IO v5 client over Engine.IO v4 WebSocket, for ``live loadtest`` and ``bench/``.

Thousands of these live in one asyncio loop: no thread and no task per connection, only a socket,
a frame reader and a few fields. The WebSocket is the server's own frame code (``live.transport.direct``:
``Reader`` for the server's frames, ``masked`` for ours) behind a handshake written here: with
``wsproto``, reading the frames cost the generator more than the server spent sending them, and a
rehearsal measured the generator. On top of it this module speaks just what a phone or a staff
screen needs:

- Engine.IO: the server's open packet ``0{"sid", "pingInterval", …}``, its ping ``2`` answered
  with ``3``, ``1`` close;
- Socket.IO, default namespace: ``40<auth json>`` to connect, ``40{"sid"}`` or ``44{"message"}``
  back, events ``42["name", data]``, events that want an answer ``42<n>["name", data]`` and the
  answers ``43<n>[data]``.

On plain TCP each read is stamped by the kernel (``SO_TIMESTAMPNS``) when the packet arrived, so a
latency measured with it does not include the time this busy process took to get to the socket.
Over TLS the stamp is taken when the bytes reach Python.
"""

from __future__ import annotations

import asyncio
import base64
import os
import socket
import ssl
import struct
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from wsproto.utilities import generate_accept_token

from live.formats import wire
from live.transport.direct import OP_CLOSE, OP_PONG, OP_TEXT, Reader, masked

SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)  # Linux; 35 on every architecture we run on
_TIMESPEC = struct.Struct("@qq")
_CMSG_SPACE = socket.CMSG_SPACE(_TIMESPEC.size)
READ_SIZE = 65536
MESSAGE_LIMIT = 1 << 26  # a staff screen's snapshot or question list is at most a few megabytes
HEAD_LIMIT = 65536  # the server's answer to the handshake

# what ``on_close`` is told
CLOSED, REFUSED, FAILED = "closed", "refused", "failed"


class Endpoint:
    """Where the server is: scheme, host, port and the Socket.IO path, parsed once and shared."""

    __slots__ = ("secure", "host", "port", "path", "ssl", "family", "address")

    def __init__(self, base_url: str, path: str = "/socket.io/", verify: bool = True) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https"):
            raise ValueError(f"not an http(s) address: {base_url!r}")
        self.secure = parts.scheme == "https"
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or (443 if self.secure else 80)
        prefix = parts.path.rstrip("/")
        self.path = f"{prefix}{path}?EIO=4&transport=websocket"
        self.ssl = None
        if self.secure:
            self.ssl = ssl.create_default_context()
            if not verify:
                self.ssl.check_hostname = False
                self.ssl.verify_mode = ssl.CERT_NONE
        info = socket.getaddrinfo(self.host, self.port, type=socket.SOCK_STREAM)[0]
        self.family, self.address = info[0], info[4]

    @property
    def host_header(self) -> str:
        default = 443 if self.secure else 80
        return self.host if self.port == default else f"{self.host}:{self.port}"


class _TlsProtocol(asyncio.Protocol):
    """Carries a TLS connection's bytes to its client (stamped on arrival in Python)."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def data_received(self, data: bytes) -> None:
        self.client._received(data, time.time())

    def connection_lost(self, exc) -> None:
        self.client._lost(FAILED if exc else CLOSED, str(exc or "eof"))


class Client:
    """One Socket.IO connection. Callbacks: ``on_connect(client)``, ``on_event(client, name, data,
    at)`` (``at``: Unix time the bytes arrived) and ``on_close(client, why, detail)``."""

    __slots__ = (
        "endpoint", "headers", "auth", "on_connect", "on_event", "on_close",
        "reader", "_head", "_key", "sock", "transport", "_out", "_writing", "_acks", "_next_ack",
        "state", "last_seen", "ping_timeout", "loop", "opened_at", "__weakref__",
    )  # fmt: skip

    def __init__(
        self,
        endpoint: Endpoint,
        headers: list[tuple[bytes, bytes]],
        auth: dict,
        on_connect: Callable | None = None,
        on_event: Callable | None = None,
        on_close: Callable | None = None,
    ) -> None:
        self.endpoint, self.headers, self.auth = endpoint, headers, auth
        self.on_connect, self.on_event, self.on_close = on_connect, on_event, on_close
        self.reader: Reader | None = None  # once the server accepted the WebSocket
        self._head: bytearray | None = None  # its answer to the handshake, while it comes
        self._key = b""
        self.sock: socket.socket | None = None
        self.transport = None
        self._out = bytearray()
        self._writing = False
        self._acks: dict[int, Callable] = {}
        self._next_ack = 0
        self.state = "new"  # new → opening → connected → closed
        self.last_seen = 0.0
        self.ping_timeout = 45.0
        self.loop: asyncio.AbstractEventLoop | None = None
        self.opened_at = 0.0

    # ------------------------------------------------------------ opening

    async def open(self, timeout: float = 20.0) -> None:
        """Open the TCP (or TLS) connection and send the WebSocket handshake; returns when sent.
        The Socket.IO connection completes later (``on_connect`` or ``on_close``)."""
        self.loop = asyncio.get_running_loop()
        self.state = "opening"
        self.opened_at = self.last_seen = time.time()
        end = self.endpoint
        try:
            if end.secure:
                self.transport, _ = await asyncio.wait_for(
                    self.loop.create_connection(
                        lambda: _TlsProtocol(self), end.host, end.port, ssl=end.ssl, server_hostname=end.host
                    ),
                    timeout,
                )
            else:
                sock = socket.socket(end.family, socket.SOCK_STREAM)
                sock.setblocking(False)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                try:
                    sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
                except OSError:
                    pass
                self.sock = sock
                await asyncio.wait_for(self.loop.sock_connect(sock, end.address), timeout)
                self.loop.add_reader(sock.fileno(), self._readable)
        except (TimeoutError, OSError) as error:
            self._lost(FAILED, f"{type(error).__name__}: {error}")
            return
        if self.state != "opening":
            return
        self._key = base64.b64encode(os.urandom(16))
        self._head = bytearray()
        lines = [
            f"GET {end.path} HTTP/1.1".encode(), b"Host: " + end.host_header.encode(), b"Upgrade: websocket",
            b"Connection: Upgrade", b"Sec-WebSocket-Key: " + self._key, b"Sec-WebSocket-Version: 13",
            *(name + b": " + value for name, value in self.headers),
        ]  # fmt: skip
        self._write(b"\r\n".join(lines) + b"\r\n\r\n")

    # ------------------------------------------------------------ bytes in

    def _readable(self) -> None:
        sock = self.sock
        if sock is None:
            return
        try:
            data, ancillary, _flags, _addr = sock.recvmsg(READ_SIZE, _CMSG_SPACE)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as error:
            self._lost(FAILED, f"{type(error).__name__}: {error}")
            return
        if not data:
            self._lost(CLOSED, "eof")
            return
        at = 0.0
        for level, kind, payload in ancillary:
            if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(payload) >= _TIMESPEC.size:
                seconds, nanos = _TIMESPEC.unpack_from(payload)
                at = seconds + nanos / 1e9
        self._received(data, at or time.time())

    def _received(self, data: bytes, at: float) -> None:
        if self.state == "closed":
            return
        self.last_seen = at
        if self.reader is None:
            data = self._accepted(data)
            if not data:
                return
        try:
            for kind, value in self.reader.feed(data):
                if kind == "message":
                    if isinstance(value, str):
                        self._packet(value, at)
                elif kind == "ping":
                    self._write(masked(OP_PONG, value))
                elif kind == "close":
                    self._lost(CLOSED, f"websocket close {value}")
                else:
                    self._lost(FAILED, f"websocket protocol error {value}")
                if self.state == "closed":
                    return
        except Exception as error:  # noqa: BLE001 (a message it cannot take closes this one connection only)
            self._lost(FAILED, f"{type(error).__name__}: {error}")

    def _accepted(self, data: bytes) -> bytes:
        """The server's answer to the handshake, read as it comes: once whole and a yes, the
        bytes after it (the first frames); nothing while it is incomplete or after a refusal."""
        head = self._head
        if head is None:
            return b""
        head += data
        end = head.find(b"\r\n\r\n")
        if end < 0:
            if len(head) > HEAD_LIMIT:
                self._lost(FAILED, "handshake answer too long")
            return b""
        lines = bytes(head[:end]).decode("latin-1").split("\r\n")
        rest, self._head = bytes(head[end + 4 :]), None
        status = lines[0].split(" ", 2)
        code = status[1] if len(status) > 1 else "?"
        if code != "101":
            self._lost(REFUSED, f"http {code}")
            return b""
        fields = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            fields[name.strip().lower()] = value.strip()
        if fields.get("sec-websocket-accept", "").encode() != generate_accept_token(self._key):
            self._lost(FAILED, "bad Sec-WebSocket-Accept")
            return b""
        self.reader = Reader(MESSAGE_LIMIT, masked=False)
        return rest

    def _packet(self, text: str, at: float) -> None:
        kind = text[:1]
        if kind == "4":  # a Socket.IO packet
            self._socketio(text[1:], at)
        elif kind == "2":
            self._send_text("3" + text[1:])
        elif kind == "0":
            try:
                opened = wire.read(text[1:])
                self.ping_timeout = (opened.get("pingInterval", 25000) + opened.get("pingTimeout", 20000)) / 1000
            except ValueError:
                pass
            self._send_text("40" + wire.dumps(self.auth))
        elif kind == "1":
            self._lost(CLOSED, "engine.io close")

    def _socketio(self, text: str, at: float) -> None:
        kind, rest = text[:1], text[1:]
        if rest.startswith("/"):  # a namespace other than the default: not ours
            return
        digits = 0
        while digits < len(rest) and rest[digits].isdigit():
            digits += 1
        ident = int(rest[:digits]) if digits else None
        body = rest[digits:]
        if kind == "2":
            try:
                name, *args = wire.read(body)
            except ValueError:
                return
            if self.on_event is not None:
                self.on_event(self, name, args[0] if args else None, at)
        elif kind == "3":
            callback = self._acks.pop(ident, None) if ident is not None else None
            if callback is not None:
                try:
                    args = wire.read(body)
                except ValueError:
                    args = []
                callback(args[0] if args else None, at)
        elif kind == "0":
            self.state = "connected"
            if self.on_connect is not None:
                self.on_connect(self)
        elif kind == "4":
            try:
                message = wire.read(body).get("message", "")
            except (ValueError, AttributeError):
                message = body[:80]
            self._lost(REFUSED, str(message))
        elif kind == "1":
            self._lost(CLOSED, "socket.io disconnect")

    # ------------------------------------------------------------ bytes out

    def emit(self, event: str, data, ack: Callable | None = None) -> bool:
        """Send an event; ``ack(reply, at)`` is called with the server's answer. False when closed."""
        if self.state != "connected":
            return False
        body = wire.dumps([event, data])
        if ack is None:
            return self._send_text("42" + body)
        self._next_ack += 1
        self._acks[self._next_ack] = ack
        return self._send_text(f"42{self._next_ack}{body}")

    def _send_text(self, text: str) -> bool:
        if self.reader is None or self.state == "closed":
            return False
        self._write(masked(OP_TEXT, text.encode("utf-8")))
        return self.state != "closed"

    def _write(self, data: bytes) -> None:
        if self.transport is not None:
            self.transport.write(data)
            return
        if self.sock is None:
            return
        if self._writing:
            self._out += data
            return
        try:
            sent = self.sock.send(data)
        except (BlockingIOError, InterruptedError):
            sent = 0
        except OSError as error:
            self._lost(FAILED, f"{type(error).__name__}: {error}")
            return
        if sent < len(data):
            self._out += data[sent:]
            self._writing = True
            self.loop.add_writer(self.sock.fileno(), self._writable)

    def _writable(self) -> None:
        try:
            sent = self.sock.send(self._out)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as error:
            self._lost(FAILED, f"{type(error).__name__}: {error}")
            return
        del self._out[:sent]
        if not self._out:
            self._writing = False
            self.loop.remove_writer(self.sock.fileno())

    # ------------------------------------------------------------ closing

    def stale(self, now: float) -> bool:
        """Nothing heard for longer than the server's ping interval plus its timeout."""
        return self.state in ("opening", "connected") and now - self.last_seen > self.ping_timeout

    def close(self) -> None:
        """Close from this side (a polite WebSocket close when possible); ``on_close`` is not called."""
        callback, self.on_close = self.on_close, None
        if self.reader is not None and self.state == "connected":
            self._send_text("41")
            self._write(masked(OP_CLOSE, (1000).to_bytes(2, "big")))
        self._lost(CLOSED, "closed by us")
        self.on_close = callback

    def _lost(self, why: str, detail: str) -> None:
        if self.state == "closed":
            return
        self.state = "closed"
        if self.sock is not None:
            try:
                if self.loop is not None:
                    self.loop.remove_reader(self.sock.fileno())
                    if self._writing:
                        self.loop.remove_writer(self.sock.fileno())
            except (ValueError, OSError):
                pass
            self.sock.close()
            self.sock = None
        if self.transport is not None:
            self.transport.abort()
            self.transport = None
        self.reader = self._head = None
        self._out = bytearray()
        acks, self._acks = self._acks, {}
        for callback in acks.values():  # the answers that will never come
            callback(None, time.time())
        if self.on_close is not None:
            self.on_close(self, why, detail)
