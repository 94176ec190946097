"""Messages written straight to an idle WebSocket (live/transport/direct.py): a broadcast to thousands of
phones is framed once and sent with one system call per phone, and nothing a screen or a phone
is sent may be lost, cut, duplicated or reordered on the way. Real servers (eventlet and gevent),
real sockets; a screen that stops reading fills the kernel's buffers so the slow path runs too."""

from __future__ import annotations

import json
import logging
import os
import queue
import select
import socket
import threading
import time
import types
import uuid

import engineio.base_server
import engineio.packet
import pytest
import websocket
from conftest import device_cookie, session_cookie
from hypothesis import given, settings
from hypothesis import strategies as st
from wsproto.frame_protocol import FrameProtocol

from live.core import rooms
from live.realtime import broadcast as realtime
from live.services.day import Change
from live.transport import direct
from live.transport.direct import INVALID_TEXT, PROTOCOL_ERROR, TOO_BIG, Heartbeat, Reader, frame

LIMITS = "device=100000/0.001,site=100000/0.001,address=100000/0.001"


@given(st.text(max_size=300), st.integers(1, 400))
def test_a_frame_is_what_a_websocket_library_writes(piece, times):
    text = piece * times  # up to ~120,000 characters: every length encoding
    assert frame(text) == bytes(FrameProtocol(client=False, extensions=[]).send_data(text, fin=True))


@pytest.mark.parametrize("size", [0, 125, 126, 65535, 65536, 200_000])
def test_every_length_encoding_matches(size):
    text = "ệ" * (size // 3) + "a" * (size % 3)
    assert frame(text) == bytes(FrameProtocol(client=False, extensions=[]).send_data(text, fin=True))
    data = bytes(range(256)) * (size // 256 + 1)
    assert frame(data[:size]) == bytes(FrameProtocol(client=False, extensions=[]).send_data(data[:size], fin=True))


def raw_screen(server, role: str, screen: str, receive_buffer: int = 2048) -> websocket.WebSocket:
    """A staff screen on a bare WebSocket whose side of the connection holds almost nothing: when
    it does not read, the server's socket buffer fills after a few messages."""
    url = "ws" + server.url.removeprefix("http") + "/socket.io/?EIO=4&transport=websocket"
    ws = websocket.create_connection(
        url,
        header=[f"Cookie: {session_cookie(server.link(role))}"],
        origin=server.url,
        timeout=20,
        sockopt=((socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer),),
    )
    assert ws.recv().startswith("0{")
    ws.send(json.dumps({"screen": screen}).join(("40", "")))
    return ws


def added(received) -> list[str]:
    return [data["question"]["id"] for name, data in received if name == "question.added"]


def ask_together(phones, count: int) -> None:
    """``count`` questions of ~1 KB from the phones at once, each acknowledged."""
    errors: list[BaseException] = []

    def ask(phone, n: int) -> None:
        try:
            for i in range(count // len(phones)):
                text = f"Câu hỏi {n}-{i}-{uuid.uuid4().hex[:6]}: " + "Thanh niên xã vùng cao cần hỗ trợ vốn vay. " * 22
                ack = phone.call("question.submit", {"id": str(uuid.uuid4()), "site": "hall", "text": text[:990]})
                assert ack["ok"] is True, ack
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=ask, args=(phone, n)) for n, phone in enumerate(phones)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors, errors


def test_a_screen_that_stops_reading_gets_everything_in_order_when_it_reads_again(
    make_server, async_mode, connect_staff, connect_phone
):
    server = make_server(async_mode, env={"LIVE_RATE_LIMITS": LIMITS})
    watching = connect_staff(server, "moderator")  # reads all along: the order to expect
    slow = raw_screen(server, "moderator", "moderator")  # reads nothing until the end
    phones = [connect_phone(server, cookie=device_cookie(server)) for _ in range(3)]
    ask_together(phones, 90)
    # the slow screen asks for the whole queue (~100 KB each answer) twenty times without reading:
    # megabytes wait for it, in the kernel and in the server's queue, while more questions arrive
    for n in range(1, 21):
        slow.send(f'42{n}["questions.get",{{}}]')
    ask_together(phones, 60)
    expected = added(watching.received)
    deadline = time.monotonic() + 20
    while len(expected) < 150 and time.monotonic() < deadline:
        time.sleep(0.05)
        expected = added(watching.received)
    assert len(expected) == 150

    # all of it arrives, whole, once each, in the order sent
    answers: list[int] = []
    received: list[tuple[str, object]] = []
    deadline = time.monotonic() + 60
    while len(answers) < 20 or len(added(received)) < 150:
        assert time.monotonic() < deadline, f"{len(answers)} answers, {len(added(received))} questions"
        message = slow.recv()
        assert message, "the server closed the connection"
        if message == "2":
            slow.send("3")
        elif message.startswith("43"):
            number, _, body = message[2:].partition("[")
            reply = json.loads("[" + body)[0]  # a cut or interleaved frame fails here
            assert reply["ok"] is True and len(reply["questions"]) >= 90
            answers.append(int(number))
        elif message.startswith("42"):
            name, *data = json.loads(message[2:])
            received.append((name, data[0] if data else None))
    assert answers == list(range(1, 21))
    assert added(received) == expected
    slow.close()
    assert b"Traceback" not in server.log().encode()


def test_a_quiet_screen_stays_connected_past_the_heartbeat_and_a_silent_one_is_dropped(
    make_server, async_mode, connect_staff
):
    """With nothing queued for a long time (every message went the short way), the screen's
    connection stays open as long as it answers the heartbeat; a client that stops answering is
    closed by the server within the heartbeat's timeout."""
    server = make_server(async_mode, env={"LIVE_PING_INTERVAL": "1", "LIVE_PING_TIMEOUT": "1"})
    projector = connect_staff(server, "projector")
    mc = connect_staff(server, "mc")
    silent = raw_screen(server, "projector", "projector", receive_buffer=65536)
    sid = projector.client.get_sid()
    time.sleep(5)  # five heartbeats, each written the short way
    assert projector.client.connected and projector.client.get_sid() == sid
    before = len(projector.received)
    assert mc.call("clock.start", {})["ok"] is True
    projector.wait_for(lambda name, data: name == "clock.changed" and len(projector.received) > before)
    # the bare WebSocket never answered a ping: the server has closed it
    port = silent.sock.getsockname()[1]
    silent.settimeout(5)
    closed = False
    try:
        while True:
            message = silent.recv()
            if not message:
                closed = True
                break
    except (websocket.WebSocketConnectionClosedException, OSError):
        closed = True
    assert closed
    let_go(server, port)


def holds(server, port: int) -> bool:
    """Whether the server's process still has a socket for the connection from local ``port``: a
    task blocked on a connection whose client is gone keeps it, and its memory, for the day."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as lines:
            for line in list(lines)[1:]:
                fields = line.split()
                local, remote = fields[1].rsplit(":", 1)[1], fields[2].rsplit(":", 1)[1]
                if int(local, 16) == server.port and int(remote, 16) == port:
                    inodes.add(f"socket:[{fields[9]}]")
    held = set()
    for fd in os.listdir(f"/proc/{server.proc.pid}/fd"):
        try:
            held.add(os.readlink(f"/proc/{server.proc.pid}/fd/{fd}"))
        except OSError:
            pass  # closed meanwhile
    return bool(inodes & held)


def let_go(server, port: int, within: float = 10) -> None:
    deadline = time.monotonic() + within
    while holds(server, port):
        assert time.monotonic() < deadline, "the server still holds the connection of a client that went silent"
        time.sleep(0.1)


def test_a_client_that_stops_reading_and_answering_is_let_go_with_megabytes_waiting_for_it(
    make_server, async_mode, connect_staff, connect_phone
):
    """The server writes to a screen that has stopped reading until the kernel's buffers are full
    and its writer waits; when the screen also misses the heartbeat, the connection is shut down:
    the waiting writer and the reader wake, and the task and file descriptor go."""
    server = make_server(
        async_mode, env={"LIVE_PING_INTERVAL": "1", "LIVE_PING_TIMEOUT": "1", "LIVE_RATE_LIMITS": LIMITS}
    )
    stuck = raw_screen(server, "moderator", "moderator")
    phones = [connect_phone(server, cookie=device_cookie(server)) for _ in range(3)]
    ask_together(phones, 60)
    for n in range(1, 61):  # ~100 KB each answer: more than the kernel buffers (4 MB at most), never read
        stuck.send(f'42{n}["questions.get",{{}}]')
    port = stuck.sock.getsockname()[1]
    assert holds(server, port)
    let_go(server, port)
    watching = connect_staff(server, "moderator")  # the server goes on serving
    assert watching.call("questions.get", {})["ok"] is True
    assert b"Traceback" not in server.log().encode()


def test_a_staff_screen_never_waits_at_the_phones_gate(monkeypatch):
    """Phones opening their connections queue for a few places; a staff screen's handshake, and
    a phone's later requests on its open session, go straight through."""
    import live.transport.direct as direct

    monkeypatch.setattr(direct, "_handshake_gate", direct.Gate(1, threading.Event))
    inside = threading.Event()
    leave = threading.Event()
    served: list[str] = []

    def app(environ, start_response):
        served.append(environ["who"])
        if environ["who"] == "first phone":
            inside.set()
            leave.wait(10)
        return [b""]

    gate = direct.PhoneGate(app)

    def request(who, cookie, query="EIO=4&transport=websocket"):
        environ = {"who": who, "PATH_INFO": "/socket.io/", "QUERY_STRING": query, "HTTP_COOKIE": cookie}
        return threading.Thread(target=gate, args=(environ, None))

    first = request("first phone", "live_device=a")
    first.start()
    inside.wait(5)
    second = request("second phone", "live_device=b")
    second.start()
    staff = request("staff", "live_session=s; live_device=c")
    staff.start()
    staff.join(5)
    polling = request("phone with a session", "live_device=d", "EIO=4&transport=polling&sid=x")
    polling.start()
    polling.join(5)
    assert served == ["first phone", "staff", "phone with a session"], "the second phone waits its turn"
    leave.set()
    second.join(5)
    assert served[-1] == "second phone"


def raw_phone(server, cookie: str) -> websocket.WebSocket:
    """A phone's WebSocket, opened and given its open packet, its Socket.IO CONNECT not sent."""
    url = "ws" + server.url.removeprefix("http") + "/socket.io/?EIO=4&transport=websocket"
    ws = websocket.create_connection(url, header=[f"Cookie: {cookie}"], origin=server.url, timeout=20)
    assert ws.recv().startswith("0{")
    return ws


def test_phones_that_never_send_their_connect_give_their_places_up_and_staff_never_wait(server):
    """A reconnect storm is served phone by phone to the end of each one's CONNECT, a bounded
    number at a time, so the staff screens are not queued behind ten thousand handshakes. A phone
    that opens its WebSocket and goes quiet holds its place only a moment."""
    cookie = device_cookie(server)
    stalled = [raw_phone(server, cookie) for _ in range(direct.PHONE_HANDSHAKES)]  # every place held
    staff = raw_screen(server, "mc", "mc")  # straight in, places or not
    assert any(staff.recv().startswith("40") for _ in range(10))
    asked = time.monotonic()
    late = raw_phone(server, cookie)  # in once a quiet phone gives its place up (PLACE_HOLD)
    assert time.monotonic() - asked > 0.5, "every place was held: the next phone had to wait"
    late.send('40{"screen":"phone"}')
    assert any(late.recv().startswith("40") for _ in range(3))
    for ws in [*stalled, staff, late]:
        ws.close()


def test_the_gate_lets_phones_in_in_the_order_they_came_and_passes_on_the_place_of_one_that_gave_up():
    """Green threads, as the server runs them: a waiter killed before or after its place came."""
    import gevent
    from gevent.event import Event

    from live.transport.direct import Gate

    gate = Gate(2, Event)
    inside: list[int] = []
    holds = [Event() for _ in range(7)]

    def phone(n: int) -> None:
        gate.enter()
        inside.append(n)
        holds[n].wait()
        gate.leave()

    tasks = [gevent.spawn(phone, n) for n in range(7)]
    gevent.idle()  # every green thread that can run has run, and waits
    assert inside == [0, 1], "two places"
    tasks[2].kill(block=False)  # gave up while waiting, before its turn came
    holds[0].set()
    gevent.idle()
    assert inside == [0, 1, 3]
    tasks[4].kill(block=False)  # gives up just as phone 1 leaves: the place it was handed goes on to 5
    gate.leave()  # phone 1 leaving (its own leave below is then given back by phone 6)
    gevent.idle()
    assert inside == [0, 1, 3, 5]
    for hold in holds:
        hold.set()
    gevent.joinall(tasks, timeout=2)
    assert inside == [0, 1, 3, 5, 6]
    assert gate.free == 3 and not gate.waiting  # the two places, and the one phone 1 gave back twice


# ---------------------------------------------------------------- what a browser sends

messages = st.one_of(st.text(max_size=400), st.binary(max_size=400))


def client_frames(message, parts: int, ping: bool) -> bytes:
    """What a WebSocket client library writes for ``message``: masked, split into ``parts``
    fragments, with a ping between two of them when asked (control frames may come in between)."""
    protocol = FrameProtocol(client=True, extensions=[])
    step = max(1, len(message) // parts) if message else 1
    pieces = [message[i : i + step] for i in range(0, len(message), step)] or [message]
    out = b""
    for i, piece in enumerate(pieces):
        out += bytes(protocol.send_data(piece, fin=i == len(pieces) - 1))
        if ping and i == 0:
            out += bytes(protocol.ping(b"beat"))
    return out


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(messages, st.integers(1, 4), st.booleans()), max_size=6), st.integers(1, 50))
def test_the_reader_gets_every_message_a_websocket_library_sends_however_the_bytes_arrive(sent, chunk):
    wire = b"".join(client_frames(message, parts, ping) for message, parts, ping in sent)
    reader = Reader(limit=10_000)
    events = []
    for i in range(0, len(wire), chunk):
        events += reader.feed(wire[i : i + chunk])
    assert [e[1] for e in events if e[0] == "message"] == [message for message, _, _ in sent]
    assert [e for e in events if e[0] == "ping"] == [("ping", b"beat")] * sum(ping for _, _, ping in sent)
    assert not reader.done


def test_the_reader_refuses_what_breaks_the_protocol_and_reads_nothing_after():
    masked = FrameProtocol(client=True, extensions=[])
    # a frame the client did not mask
    assert Reader(100).feed(frame("hello")) == [("error", PROTOCOL_ERROR)]
    # a message over the limit is refused from its header, before its payload arrives
    header = bytes(masked.send_data("a" * 10_000_000, fin=True))[:14]
    assert Reader(65_536).feed(header) == [("error", TOO_BIG)]
    # the limit counts every fragment of one message
    two = bytes(masked.send_data("a" * 60, fin=False)) + bytes(masked.send_data("a" * 60, fin=True))
    assert Reader(100).feed(two) == [("error", TOO_BIG)]
    # text that is not UTF-8
    bad = bytes(FrameProtocol(client=True, extensions=[]).send_data(b"\xff\xfe", fin=True))
    bad = bytes((0x81,)) + bad[1:]  # the same payload, sent as a text frame
    assert Reader(100).feed(bad) == [("error", INVALID_TEXT)]
    # a continuation of nothing
    protocol = FrameProtocol(client=True, extensions=[])
    first = bytes(protocol.send_data("a", fin=False))
    cont = bytes(protocol.send_data("b", fin=True))
    assert Reader(100).feed(cont) == [("error", PROTOCOL_ERROR)]
    # the client closes: its code, and nothing read after
    closing = bytes(FrameProtocol(client=True, extensions=[]).close(1001, "bye"))
    reader = Reader(100)
    assert reader.feed(first + cont + closing + first) == [("message", "ab"), ("close", 1001)]
    assert reader.done and reader.feed(first + cont) == []


def test_thousands_of_empty_fragments_and_pongs_in_one_read_are_no_trouble():
    protocol = FrameProtocol(client=True, extensions=[])
    wire = bytes(protocol.send_data("a", fin=False))
    wire += b"".join(bytes(protocol.send_data("", fin=False)) + bytes(protocol.pong(b"")) for _ in range(5000))
    wire += bytes(protocol.send_data("b", fin=True))
    assert Reader(100).feed(wire) == [("message", "ab")]


def upgrade(server, extra: str = "") -> bytes:
    """A WebSocket handshake by hand; returns the server's answer (its head)."""
    cookie = device_cookie(server)
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(
            (
                "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
                f"Host: 127.0.0.1:{server.port}\r\nOrigin: {server.url}\r\nCookie: {cookie}\r\n"
                f"Upgrade: websocket\r\nConnection: Upgrade\r\n{extra}\r\n"
            ).encode()
        )
        head = b""
        while b"\r\n\r\n" not in head:
            data = sock.recv(4096)
            if not data:
                break
            head += data
        return head


def test_the_handshake_answers_without_compression_and_refuses_a_broken_upgrade(server):
    """Browsers offer permessage-deflate; accepting it would cost a zlib state per phone for
    messages of a few hundred bytes. A request that is no proper upgrade gets a 400, no trace."""
    head = upgrade(
        server,
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n",
    )
    assert head.startswith(b"HTTP/1.1 101 ")
    assert b"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n" in head  # RFC 6455's own example
    assert b"extensions" not in head.lower()
    assert upgrade(server, "Sec-WebSocket-Version: 13\r\n").startswith(b"HTTP/1.1 400 ")  # no key
    assert b"Traceback" not in server.log().encode()


def test_a_screen_that_leaves_is_let_go_without_its_goodbye_read_as_a_new_request(server, connect_staff):
    """A client leaving sends "41", "1" and its WebSocket close; the server ends the connection
    at "1". Under gevent the close that followed used to be read as the next HTTP request (an
    "Invalid HTTP method" line in the log) and python-socketio's client waited 3 s each time."""
    ports = []
    for role in ("mc", "moderator", "projector"):
        staff = connect_staff(server, role)
        ports.append(staff.client.eio.ws.sock.getsockname()[1])
        started = time.monotonic()
        staff.close()
        assert time.monotonic() - started < 2
    # the server has let each connection go: what it read of it, it has read (and logged)
    for port in ports:
        let_go(server, port)
    log = server.log()
    assert "Invalid HTTP method" not in log and "Expected GET method" not in log


def open_files(pid: int) -> int:
    import os

    return len(os.listdir(f"/proc/{pid}/fd"))


def test_an_open_phone_connection_costs_the_server_one_file_descriptor(server):
    """A province's phones must fit under the process's open-files limit: one descriptor each
    (simple-websocket under gevent held a duplicate of every socket)."""
    url = "ws" + server.url.removeprefix("http") + "/socket.io/?EIO=4&transport=websocket"
    cookie = device_cookie(server)
    before = open_files(server.proc.pid)
    phones = []
    for _ in range(20):
        ws = websocket.create_connection(url, header=[f"Cookie: {cookie}"], origin=server.url, timeout=10)
        assert ws.recv().startswith("0{")
        ws.send('40{"screen":"phone"}')
        phones.append(ws)
    for ws in phones:  # every one connected: its stage and its acknowledgement
        assert any(ws.recv().startswith("40") for _ in range(2))
    assert open_files(server.proc.pid) - before <= 20 + 2
    for ws in phones:
        ws.close()


class FakeSocket:
    def __init__(self) -> None:
        self.closing = self.closed = False
        self.last_ping = None
        self.sent: list = []

    def send(self, pkt) -> None:
        self.sent.append(pkt)


class FakeServer:
    ping_interval = 25

    def __init__(self) -> None:
        self.tasks = 0

    def start_background_task(self, target):
        self.tasks += 1


def test_one_heartbeat_pings_each_socket_once_per_interval_a_few_hundred_at_a_time():
    """After a restart every socket of the province connects within seconds: their PINGs fall
    due together, and the one heartbeat task sends them a few hundred at a time, letting the
    broadcasts and acknowledgements run in between. A socket that closed is not pinged."""
    server = FakeServer()
    heart = Heartbeat(server)
    sockets = [FakeSocket() for _ in range(450)]
    for sock in sockets:
        heart.add(sock)
    sockets[7].closed = True
    assert server.tasks == 1
    start = heart.due[0][0]
    assert heart.beat(start - 1) == 1.0  # nothing due yet (never sleeps more than a second)
    assert heart.beat(start + 1, most=200) == 0.0  # more due: come back at once
    assert heart.beat(start + 1, most=200) == 0.0
    assert heart.beat(start + 1, most=200) > 0 or not heart.due
    assert [len(sock.sent) for sock in sockets] == [0 if i == 7 else 1 for i in range(450)]
    assert all(sock.last_ping for i, sock in enumerate(sockets) if i != 7)


# ---------------------------------------------------------------- request headers (gevent)

TOKEN = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
header_lines = st.one_of(
    st.builds(
        "{}:{}{}".format,
        st.text(TOKEN, min_size=1, max_size=20),
        st.sampled_from(["", " ", "  ", "\t"]),
        st.text(st.characters(min_codepoint=32, max_codepoint=255, exclude_characters="\x7f"), max_size=60),
    ),
    st.text(st.characters(min_codepoint=32, max_codepoint=255), max_size=30),  # anything: no colon, a space in the name
    st.builds(" {}".format, st.text(TOKEN, max_size=10)),  # a folded continuation
)


@settings(max_examples=300, deadline=None)
@given(st.lists(header_lines, max_size=12), st.sampled_from(["\r\n", "\n"]))
def test_request_headers_read_as_the_email_parser_reads_them(lines, end):
    """pywsgi reads headers with http.client's email parser (70 µs a handshake); live reads the
    usual ones itself and hands anything unusual to that parser: the same headers either way."""
    import http.client
    import io

    from gevent.pywsgi import OldMessage

    from live.transport.direct import read_headers

    raw = "".join(line + end for line in lines).encode("latin-1") + end.encode()
    ours = read_headers(io.BufferedReader(io.BytesIO(raw)))
    theirs = http.client.parse_headers(io.BufferedReader(io.BytesIO(raw)), _class=OldMessage)
    assert ours.items() == theirs.items()
    assert list(ours.headers) == list(theirs.headers)
    assert ours.status == theirs.status


def test_request_headers_keep_http_clients_limits():
    import http.client
    import io

    from live.transport.direct import read_headers

    assert read_headers(io.BufferedReader(io.BytesIO(b"X: " + b"a" * 70000 + b"\r\n\r\n"))).status == "Line too long"
    for reader in (read_headers, http.client.parse_headers):  # the blank line counts as one of the 100
        with pytest.raises(http.client.HTTPException):
            reader(io.BufferedReader(io.BytesIO(b"X: a\r\n" * 100 + b"\r\n")))
        assert reader(io.BufferedReader(io.BytesIO(b"X: a\r\n" * 99 + b"\r\n"))).get_all("x") == ["a"] * 99


# ---------------------------------------------------------------- a staff screen's messages of one moment


class QueueServer:
    """What an engineio socket asks of its server, with a real queue and tasks run when asked."""

    ping_interval, ping_timeout = 25, 20
    logger = logging.getLogger("test")
    reason = engineio.base_server.BaseServer.reason

    def __init__(self) -> None:
        self.tasks: list = []

    def create_queue(self):
        return queue.Queue()

    def get_queue_empty_exception(self):
        return queue.Empty

    def start_background_task(self, target):
        self.tasks.append(target)

    def _trigger_event(self, *args, **kwargs):
        return None


def open_socket(server, phone: bool):
    """A live socket whose WebSocket is one end of a socket pair; returns it and the other end."""
    ours, theirs = socket.socketpair()
    ours.setblocking(False)
    theirs.settimeout(2)
    sock = direct.Socket(server, uuid.uuid4().hex)
    sock._raw = sock._green = ours
    sock.connected = sock.upgraded = True
    sock._phone = phone
    sock._ws = types.SimpleNamespace(closed=False, close=lambda: None)
    return sock, theirs


def read_frames(end, count: int) -> list[str]:
    reader, got = Reader(1 << 20, masked=False), []
    while len(got) < count:
        got += [value for kind, value in reader.feed(end.recv(65536)) if kind == "message"]
    return got


def message(text: str) -> engineio.packet.Packet:
    return engineio.packet.Packet(engineio.packet.MESSAGE, text)


def test_a_staff_screen_gets_a_moments_messages_together_in_order_and_a_phone_at_once(monkeypatch):
    """A burst of questions sends every secretariat console a message per question: a staff
    socket holds what it is sent until the running task lets the others run, then writes it
    all with one system call, in order; a phone's message goes out at once."""
    later: list = []
    monkeypatch.setattr(direct, "_later", later.append)
    server = QueueServer()
    staff, staff_end = open_socket(server, phone=False)
    phone, phone_end = open_socket(server, phone=True)
    for n in range(50):
        staff.send(message(f"câu hỏi {n}"))
    phone.send(message("đã nhận"))
    assert read_frames(phone_end, 1) == ["4đã nhận"]
    staff_end.setblocking(False)
    with pytest.raises(BlockingIOError):  # nothing written yet
        staff_end.recv(1)
    assert len(later) == 1  # one flush for the moment, however many messages
    later.pop()()
    staff_end.settimeout(2)
    assert read_frames(staff_end, 50) == [f"4câu hỏi {n}" for n in range(50)]


def test_a_broadcast_to_the_phones_writes_the_staff_screens_messages_first(monkeypatch):
    """Staff screens come before thousands of phones even when their messages wait for the end of
    the moment: the broadcast writes them before it starts on the phones."""
    monkeypatch.setattr(direct, "_later", lambda fn: None)  # the moment does not end here
    server = QueueServer()
    staff, staff_end = open_socket(server, phone=False)
    phone, _phone_end = open_socket(server, phone=True)
    seen: dict = {}

    class Emitter:  # socketio.emit as broadcast uses it: the room's socket is sent the event
        def emit(self, event, payload, to):
            if to == rooms.phones():
                seen["staff written before the phones"] = bool(select.select([staff_end], [], [], 0)[0])
                phone.send(message(event))
            else:
                staff.send(message(event))

    phones_first = [("question.current", {}, rooms.phones()), ("question.current", {}, rooms.screens())]
    realtime.broadcast(Emitter(), Change(1, phones_first))
    assert seen == {"staff written before the phones": True}
    assert read_frames(staff_end, 1) == ["4question.current"]


def test_what_a_staff_screen_was_sent_is_written_before_its_socket_closes(monkeypatch):
    later: list = []
    monkeypatch.setattr(direct, "_later", later.append)
    server = QueueServer()
    staff, _end = open_socket(server, phone=False)
    staff.send(message("một"))
    staff.send(message("hai"))
    staff.close(wait=False)
    packets = []
    while not staff.queue.empty():
        packets.append(staff.queue.get())
    assert type(packets[0]).__name__ == "_Rest"
    assert Reader(1 << 20, masked=False).feed(packets[0].data) == [("message", "4một"), ("message", "4hai")]
    assert packets[-1] is None  # then the end
    later.pop()()  # the moment's flush finds nothing left to write


# ---------------------------------------------------------------- live loadtest's WebSocket frames


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=3000), min_size=1, max_size=6), st.integers(1, 4000))
def test_the_loadtest_clients_read_a_servers_frames_and_send_frames_a_server_reads(texts, chunk):
    """``live loadtest`` reads the server's frames with the server's own reader (unmasked) and
    sends masked frames that a WebSocket library reads back as they were written."""
    data = b"".join(frame(t) for t in texts)
    reader, got = Reader(1 << 26, masked=False), []
    for at in range(0, len(data), chunk):
        got += reader.feed(data[at : at + chunk])
    assert got == [("message", t) for t in texts]
    server = FrameProtocol(client=False, extensions=[])
    server.receive_bytes(b"".join(direct.masked(direct.OP_TEXT, t.encode()) for t in texts))
    assert [f.payload for f in server.received_frames()] == texts
    assert Reader(1 << 26, masked=False).feed(direct.masked(direct.OP_TEXT, b"x")) == [("error", PROTOCOL_ERROR)]


def answers(ws, count: int) -> list[str]:
    """The next ``count`` acknowledgements on a raw connection (broadcasts and PINGs skipped)."""
    got = []
    while len(got) < count:
        text = ws.recv()
        if text.startswith("43"):
            got.append(text)
    return got


def test_events_are_answered_in_order_the_way_python_socketio_answers_them(server):
    """Nearly every message is an event with an acknowledgement, answered the short way
    (live.transport.shortway.Events); whatever the short way does not take goes python-socketio's way, in the
    same order, and the answers read exactly as python-socketio writes them."""
    cookie = device_cookie(server)
    early = raw_phone(server, cookie)
    early.send('4201["time.sync"]')  # before its CONNECT: not answered, as python-socketio does
    early.send('40{"screen":"phone"}')
    assert any(early.recv().startswith("40") for _ in range(3))
    early.send('4202["time.sync"]')  # not a phone's event: refused, in words
    assert answers(early, 1)[0].startswith('432[{"ok":false,"code":"auth.denied"')  # 02 read as 2
    early.close()

    phone = raw_phone(server, cookie)
    phone.send('40{"screen":"phone"}')
    assert any(phone.recv().startswith("40") for _ in range(3))
    question = {"id": str(uuid.uuid4()), "site": "hall", "text": "Học bổng cho sinh viên vùng cao?"}
    phone.send("421" + json.dumps(["question.submit", question]))
    phone.send('42["time.sync"]')  # no acknowledgement asked: python-socketio's way, no answer
    phone.send('422["time.sync",')  # not JSON: python-socketio's way, logged, the connection kept
    phone.send("422" + "[" * 20_000 + "]" * 20_000)  # nested too deep to read: the same
    phone.send("423" + json.dumps(["question.submit", question]))  # the same question again
    phone.send('424["question.mine",{"ids":[]},"a second payload"]')
    phone.send('42/other,5["time.sync"]')  # another namespace: never answered
    phone.send(
        "4212345678901234567" + json.dumps(["question.submit", question])
    )  # an id longer than the short way reads
    one, three, four, long = answers(phone, 4)
    first = json.loads(one[3:])[0]
    assert one.startswith("431[") and first["ok"] and first["code"] and first["status"]
    assert three.startswith("433[") and json.loads(three[3:])[0] == {**first, "repeated": True}
    assert four.startswith("434[") and json.loads(four[3:])[0]["code"] == "request.malformed"
    assert long.startswith("4312345678901234567["), long
    assert json.loads(long[19:])[0] == {**first, "repeated": True}
    phone.close()
