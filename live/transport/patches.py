"""Every place live reaches into a dependency, in one list, and the versions it was tested on.

live's speed comes from replacing parts of python-engineio, python-socketio, gevent and eventlet
(live/transport/direct.py, live/transport/shortway.py, live/realtime/fanout.py, live/__main__.py):
a release that renames one of them would break phones in front of a province with no test of
ours noticing. So:

- ``TESTED`` holds, for each such dependency, the range the suite passed on; pyproject.toml's
  bounds and constraints-lowest.txt say the same (tests/deploy/test_dependencies.py checks that).
- ``PATCHES`` names each patched, overridden or privately read name with the upstream version
  whose code it mirrors; a test checks that each name still exists in what is installed.
- ``apply(mode)`` makes the module-level replacements and ``no_routing_for_socket_events(app)`` the
  one on the Flask application: the only monkey patches outside gevent's and eventlet's own (which
  ``live.__main__`` starts with); subclasses that override a method stay beside their own code and
  are named here. ``check()`` runs first in ``live serve`` and refuses, in one line, to start on
  versions outside ``TESTED``.

The first minimums below are where the code began to work: python-engineio 4.12.0-4.13.1 sent no
heartbeat with live's ``schedule_ping`` (``last_ping`` was None until the first ping);
python-socketio 5.14.0-5.16.0 had no ``RedisManager.json``, so ``Fanout``'s listener died; gevent
before 26.5 printed a traceback at exit with greenlet 3.5.1 and later.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import operator
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass

# distribution → (lowest tested, first untested): the same half-open range as pyproject.toml
TESTED: dict[str, tuple[str, str]] = {
    "python-engineio": ("4.13.2", "4.16"),
    "python-socketio": ("5.16.1", "5.19"),
    "flask-socketio": ("5.5.0", "5.8"),
    "gevent": ("26.5.0", "27"),
    "eventlet": ("0.40.3", "0.42"),
    "wsproto": ("1.2.0", "2"),
    "flask": ("3.1.1", "4"),
}
# memory.py relies on CPython's three-generation collector (3.14 brings an incremental one);
# direct.read_headers on http.client's private limits
PYTHON: tuple[tuple[int, int], tuple[int, int]] = ((3, 11), (3, 14))


@dataclass(frozen=True)
class Patch:
    """One name of a dependency live replaces, overrides or reads though it is not public."""

    package: str  # the distribution, as in TESTED ("python" for the interpreter)
    module: str  # where the name lives upstream
    name: str  # the attribute path in that module
    kind: str  # replaced | overridden | read
    mirrors: str  # the upstream version whose code or behaviour live follows
    where: str  # the place in live


PATCHES: tuple[Patch, ...] = (
    # python-engineio: live's own WebSocket and heartbeat (live/transport/direct.py)
    Patch("python-engineio", "engineio.socket", "Socket", "replaced", "4.15.1", "patches.apply"),
    Patch("python-engineio", "engineio.socket", "Socket.schedule_ping", "overridden", "4.15.1", "direct.Socket"),
    Patch("python-engineio", "engineio.socket", "Socket._send_ping", "overridden", "4.15.1", "direct.Heartbeat"),
    Patch("python-engineio", "engineio.socket", "Socket._websocket_handler", "overridden", "4.15.1", "direct.Socket"),
    Patch("python-engineio", "engineio.socket", "Socket.receive", "overridden", "4.15.1", "direct.Socket"),
    Patch("python-engineio", "engineio.socket", "Socket.send", "overridden", "4.15.1", "direct.Socket"),
    Patch("python-engineio", "engineio.socket", "Socket.close", "overridden", "4.15.1", "direct.Socket"),
    Patch("python-engineio", "engineio.socket", "Socket.poll", "overridden", "4.15.1", "direct.Socket"),
    Patch("python-engineio", "engineio.socket", "Socket.handle_get_request", "overridden", "4.15.1", "direct.Socket"),
    Patch("python-engineio", "engineio.socket", "Socket.handle_post_request", "overridden", "4.15.1", "direct.Socket"),
    Patch("python-engineio", "engineio.socket", "Socket.check_ping_timeout", "read", "4.15.1", "direct.Socket"),
    Patch("python-engineio", "engineio.async_drivers.gevent", "_async", "replaced", "4.15.1", "patches.apply"),
    Patch("python-engineio", "engineio.async_drivers.eventlet", "_async", "replaced", "4.15.1", "patches.apply"),
    Patch("python-engineio", "engineio.server", "Server.get_queue_empty_exception", "read", "4.15.1", "direct"),
    # python-socketio: the short way for events, and the Redis message queue
    Patch("python-socketio", "socketio.pubsub_manager", "Packet", "replaced", "5.18.1", "patches.apply"),
    Patch("python-socketio", "socketio.packet", "Packet.data_is_binary", "overridden", "5.18.1", "shortway.Packet"),
    Patch("python-socketio", "socketio.server", "Server._send_packet", "read", "5.18.1", "shortway.Events"),
    Patch("python-socketio", "socketio.manager", "Manager.sid_from_eio_sid", "read", "5.18.1", "shortway.Events"),
    Patch("python-socketio", "socketio.manager", "Manager.is_connected", "read", "5.18.1", "shortway.Events"),
    Patch("python-socketio", "socketio.redis_manager", "RedisManager._publish", "overridden", "5.18.1", "fanout"),
    Patch("python-socketio", "socketio.pubsub_manager", "PubSubManager._handle_emit", "overridden", "5.18.1", "fanout"),
    Patch("python-socketio", "socketio.redis_manager", "RedisManager._listen", "overridden", "5.18.1", "fanout"),
    Patch(
        "python-socketio",
        "socketio.redis_manager",
        "RedisManager._redis_listen_with_retries",
        "overridden",
        "5.18.1",
        "fanout.Fanout (copied, shorter retries)",
    ),
    # Flask-SocketIO: the environ keys its middleware sets (read by web.auth, app, realtime.handlers)
    Patch("flask-socketio", "flask_socketio", "SocketIO", "read", "5.7.0", "environ 'flask.app', 'saved_session'"),
    # Flask: the URL adapter of a socket event's context (no_routing_for_socket_events)
    Patch("flask", "flask", "Flask.create_url_adapter", "replaced", "3.1.3", "patches.no_routing_for_socket_events"),
    # gevent: the request reader and the hub
    Patch("gevent", "gevent.pywsgi", "WSGIHandler.MessageClass", "overridden", "26.9.0", "__main__.run Handler"),
    Patch("gevent", "gevent.pywsgi", "OldMessage", "read", "26.9.0", "direct.read_headers"),
    # eventlet: the connection's buffers and the WebSocket taken over from its WSGI server
    Patch("eventlet", "eventlet.wsgi", "HttpProtocol.rbufsize", "overridden", "0.41.3", "__main__.run Protocol"),
    Patch("eventlet", "eventlet.wsgi", "WSGI_LOCAL", "read", "0.41.3", "direct.WebSocketWSGI"),
    # wsproto: the handshake's accept token (an undocumented module)
    Patch("wsproto", "wsproto.utilities", "generate_accept_token", "read", "1.3.2", "direct, tools.eio_client"),
    # CPython: http.client's private limits; gc.freeze resetting the counters (memory.py)
    Patch("python", "http.client", "_MAXLINE", "read", "3.11", "direct.read_headers"),
    Patch("python", "http.client", "_MAXHEADERS", "read", "3.11", "direct.read_headers"),
    Patch("python", "gc", "freeze", "read", "3.11", "memory.tend"),
)


def _release(version: str) -> tuple[int, ...]:
    """The release numbers of a version ("26.9.0" → (26, 9, 0)); what follows them is ignored."""
    found = re.match(r"\d+(\.\d+)*", version)
    return tuple(int(part) for part in found.group(0).split(".")) if found else ()


def _inside(version: str, low: str, high: str) -> bool:
    def padded(parts: tuple[int, ...]) -> tuple[int, ...]:
        return parts + (0,) * (4 - len(parts))

    return padded(_release(low)) <= padded(_release(version)) < padded(_release(high))


def problems(
    version: Callable[[str], str] = importlib.metadata.version,
    python: tuple[int, ...] = tuple(sys.version_info[:2]),
) -> list[str]:
    """Each dependency installed outside the range it was tested on, as a few words."""
    found = []
    if not PYTHON[0] <= tuple(python[:2]) < PYTHON[1]:
        low, high = (".".join(map(str, v)) for v in PYTHON)
        found.append(f"Python {'.'.join(map(str, python[:2]))} (>={low},<{high})")
    for package, (low, high) in TESTED.items():
        try:
            have = version(package)
        except importlib.metadata.PackageNotFoundError:
            found.append(f"{package} ? (>={low},<{high})")
            continue
        if not _inside(have, low, high):
            found.append(f"{package} {have} (>={low},<{high})")
    return found


def refusal(found: list[str]) -> str:
    """The one line ``live serve`` stops with."""
    return (
        "live: phiên bản thư viện chưa được kiểm thử / untested library versions: "
        + "; ".join(found)
        + " — cài lại / reinstall: pip install --require-hashes -r requirements.lock"
    )


def check() -> str | None:
    """The line to stop with when a dependency is outside the tested range, else None."""
    found = problems()
    return refusal(found) if found else None


def missing() -> list[str]:
    """Each patched name that the installed dependencies no longer have (a renamed internal)."""
    gone = []
    for patch in PATCHES:
        try:
            operator.attrgetter(patch.name)(importlib.import_module(patch.module))
        except (ImportError, AttributeError):
            gone.append(f"{patch.module}.{patch.name}")
    return gone


def apply(mode: str) -> None:
    """The module-level replacements, once, before the server starts (``live.__main__.run``)."""
    import engineio.socket
    import socketio.pubsub_manager

    from live.transport import direct, shortway

    # python-socketio's message queue asks its own Packet class whether each broadcast holds
    # bytes, whatever the server's packet class: the same question, answered the quicker way
    socketio.pubsub_manager.Packet = shortway.Packet
    if mode in ("eventlet", "gevent"):
        engineio.socket.Socket = direct.Socket  # engineio.server looks the class up per connection
        driver = importlib.import_module(f"engineio.async_drivers.{mode}")
        driver._async["websocket"] = direct.WebSocketWSGI  # the WebSocket transport of that mode
        direct.install(mode)


def no_routing_for_socket_events(app) -> None:
    """Flask-SocketIO runs each event in a request context made from its connection's environ,
    and Flask matches that environ's URL (/socket.io/) against every route each time, for
    nothing: no event handler builds or reads a URL. After the connect (``saved_session`` in the
    environ, see live.web.auth.SessionInterface), an event's context gets no URL adapter."""
    create_url_adapter = app.create_url_adapter

    def create(request):
        if request is not None and "saved_session" in request.environ:
            return None
        return create_url_adapter(request)

    app.create_url_adapter = create
