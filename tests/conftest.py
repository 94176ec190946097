"""Fixtures for a conference day with real parts: a real server process on a free port, real
Socket.IO clients, real Chromium. Each server gets its own temporary data directory."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

# the browser and screens fixtures (tests/browser.py): one Chromium for the whole session
pytest_plugins = ["browser", "redisserver", "quick"]

ROOT = Path(__file__).resolve().parent.parent
# the tests live in one folder per layer (tests/core, tests/web, ...); a few share helpers across
# folders (``from test_qr import decode``), so every folder is importable wherever pytest starts
sys.path[1:1] = [
    str(folder)
    for folder in sorted(Path(__file__).parent.iterdir())
    if (folder / "__init__.py").exists() is False and folder.is_dir() and folder.name not in ("corpora", "__pycache__")
]
ARTIFACTS = ROOT / "test-artifacts"
ASYNC_MODES = ("eventlet", "gevent")


def stop_process(proc: subprocess.Popen | None) -> None:
    """Ask a child process to stop (SIGTERM), and kill it if it has not within 5 s."""
    if proc and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    """A ``live serve`` process we can stop, kill -9 and start again on the same data."""

    data_dir: Path
    async_mode: str = "eventlet"
    demo: bool | str = True
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen | None = None
    log_path: Path | None = None
    env: dict = field(default_factory=dict)  # extra LIVE_* settings, e.g. {"LIVE_RATE_LIMITS": "device=2/60"}
    public: str | None = None  # the public URL when it is not this address (e.g. https behind a proxy)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 20.0) -> Server:
        self.log_path = self.data_dir / f"server-{self.port}-{int(time.time() * 1000)}.log"
        args = [
            sys.executable, "-m", "live", "serve",
            "--host", "127.0.0.1", "--port", str(self.port),
            "--data-dir", str(self.data_dir), "--public-url", self.public or self.url,
            "--async-mode", self.async_mode,
        ]  # fmt: skip
        if self.demo:  # the plan alone (True), or with the month before its day ("month")
            args.append("--demo=month" if self.demo == "month" else "--demo=conference")
        env = {**os.environ, "PYTHONWARNINGS": "ignore", "PYTHONUNBUFFERED": "1", **self.env}
        self.proc = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=open(self.log_path, "wb"), stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log()}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=1) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"server did not start: {self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path and self.log_path.exists() else ""

    def stop(self) -> None:
        stop_process(self.proc)

    def kill9(self) -> None:
        """Kill the process the hard way: no shutdown code runs."""
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(5)

    def restart(self) -> Server:
        self.stop()
        return self.start()

    def links(self) -> dict[str, str]:
        """``live links`` for this server's data directory: role → URL (runs the real command)."""
        out = subprocess.run(
            [sys.executable, "-m", "live", "links", "--data-dir", str(self.data_dir), "--public-url", self.url],
            cwd=ROOT, capture_output=True, text=True, check=True, env={**os.environ, **self.env},
        )  # fmt: skip
        self._links = dict(line.split("\t", 1) for line in out.stdout.strip().splitlines())
        return dict(self._links)

    def link(self, role: str) -> str:
        """One role's link, from the last ``links()`` (a link changes only when the admin renews it)."""
        if not getattr(self, "_links", None):
            self.links()
        return self._links[role]

    def health(self) -> dict:
        with urllib.request.urlopen(self.url + "/healthz", timeout=2) as r:
            return json.loads(r.read())


@pytest.fixture
def make_server(tmp_path):
    """Start servers on demand; every one is stopped after the test."""
    servers: list[Server] = []

    def make(
        async_mode: str = "eventlet",
        demo: bool = True,
        data_dir: Path | None = None,
        env: dict | None = None,
        public: str | None = None,
    ) -> Server:
        directory = data_dir or tmp_path / f"data-{len(servers)}"
        directory.mkdir(parents=True, exist_ok=True)
        server = Server(data_dir=directory, async_mode=async_mode, demo=demo, env=env or {}, public=public).start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


@pytest.fixture(params=ASYNC_MODES)
def async_mode(request) -> str:
    return request.param


@pytest.fixture
def server(make_server, async_mode) -> Server:
    """A demo conference server, once with eventlet and once with gevent."""
    return make_server(async_mode)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def session_cookie(link: str) -> str:
    """Follow a secret role link like a browser would and return the session cookie it sets."""
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        opener.open(link, timeout=5)
    except urllib.error.HTTPError as redirect:
        assert redirect.code == 303, redirect.code
        cookie = redirect.headers["Set-Cookie"]
        return cookie.split(";", 1)[0]
    raise AssertionError("a role link must redirect")


@dataclass
class Staff:
    """A real Socket.IO client holding one role's session, recording what it receives."""

    client: object
    received: list = field(default_factory=list)

    def call(self, event: str, payload: dict | None = None, timeout: float = 5) -> dict:
        return self.client.call(event, payload or {}, timeout=timeout)

    def last(self, event: str):
        for name, data in reversed(self.received):
            if name == event:
                return data
        return None

    def wait_for(self, predicate, timeout: float = 5.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name, data in list(self.received):
                if predicate(name, data):
                    return data
            time.sleep(0.02)
        raise AssertionError(f"nothing matched in {len(self.received)} messages")

    def close(self) -> None:
        self.client.disconnect()


@pytest.fixture
def connect_staff():
    """``connect_staff(server, role, screen=None)`` → a connected Staff client."""
    import socketio

    clients: list[Staff] = []

    def connect(
        server: Server, role: str, screen: str | None = None, transports=("websocket",), site: str | None = None
    ) -> Staff:
        """``site`` opens a site screen for that bridge point (``connect_staff(server, "site", site="1304")``)."""
        cookie = session_cookie(server.link(role))
        client = socketio.Client(reconnection=True, reconnection_delay=0.2, reconnection_delay_max=1)
        staff = Staff(client)
        client.on("*", lambda event, data=None: staff.received.append((event, data)))
        client.connect(
            server.url,
            headers={"Cookie": cookie},
            auth={"screen": screen or role, **({"site": site} if site is not None else {})},
            transports=list(transports),
            wait_timeout=5,
        )
        clients.append(staff)
        return staff

    yield connect
    for staff in clients:
        try:
            staff.close()
        except Exception:
            pass


def device_cookie(server: Server, site: str = "hall") -> str:
    """Open a site's phone page like a phone would and return the device cookie it sets."""
    with urllib.request.urlopen(f"{server.url}/q/{site}", timeout=5) as response:
        for header in response.headers.get_all("Set-Cookie") or []:
            if header.startswith("live_device="):
                return header.split(";", 1)[0]
    raise AssertionError("the phone page must set a device cookie")


@pytest.fixture
def connect_phone():
    """``connect_phone(server, site="hall", cookie=None)`` → a young person's phone, connected.

    Without ``cookie`` the phone first opens the site's page and gets its own device cookie.
    """
    import socketio

    clients: list[Staff] = []

    def connect(server: Server, site: str = "hall", cookie: str | None = None, transports=("websocket",)) -> Staff:
        client = socketio.Client(reconnection=False)
        phone = Staff(client)
        client.on("*", lambda event, data=None: phone.received.append((event, data)))
        client.connect(
            server.url,
            headers={"Cookie": cookie or device_cookie(server, site)},
            auth={"screen": "phone", "site": site},
            transports=list(transports),
            wait_timeout=5,
        )
        clients.append(phone)
        return phone

    yield connect
    for phone in clients:
        try:
            phone.close()
        except Exception:
            pass


def settled(*clients: Staff) -> None:
    """Until every message the server sent these clients before now has arrived: the marker to
    wait for before asserting that something was *not* sent (a fixed sleep passes vacuously when
    the server is slow).

    The server handles one connection's events in order and writes one connection's messages in
    order, so the answer to a ``time.sync`` asked now comes after every broadcast the server made
    to that client before it read the question, from any connection's event it had handled by
    then. It says nothing of what another process sends through Redis, nor of what a background
    task (likely duplicates, the roll call's counts) sends later. A client that may not ask
    (a phone) is refused: the refusal is an answer, and comes in the same order."""
    for client in clients:
        assert "ok" in client.call("time.sync")
