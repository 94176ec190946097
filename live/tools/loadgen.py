"""The load generator behind ``live loadtest`` and ``bench/``: phones, staff screens and the MC.

N phones (each with its own device cookie from the phone page, spread over the conference's
sites) send questions at a rate; M staff screens (MC, moderator, projector, chairman, by their
secret links) stay connected; every few seconds the moderator approves a question and the MC puts
it on screen, then answers it. Every client is a lean ``eio_client.Client`` in one asyncio loop.

What is measured, and how:

- **connected**: phones and staff screens with an open Socket.IO connection (and reconnections);
- **acknowledged / lost**: every question has an id made here (``lt-<run>-<phone>-<n>``); lost
  means never acknowledged by the end, or acknowledged and then not found by its phone's
  ``question.mine`` afterwards;
- **fan-out latency**: from the moment the MC's ``question.show`` / ``question.answer`` is sent to
  the moment each phone's and each staff screen's ``question.current`` with that action's ``seq``
  arrived (the kernel's receive timestamp), phones and staff apart.
"""

from __future__ import annotations

import asyncio
import http.client
import math
import os
import random
import re
import secrets
import sys
import threading
import time
from array import array
from collections import Counter, deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from live.tools.eio_client import Client, Endpoint

ID_PREFIX = "lt-"  # every question the load test sends: how --wipe tells a rehearsal store
DEVICE_COOKIE = "live_device"
STAFF_ROLES = ("mc", "moderator", "projector", "chair")
STAFF_SCREENS = {"mc": "mc", "moderator": "moderator", "projector": "projector", "chair": "chair", "admin": "admin"}
REHEARSAL_LIMITS = "device=1000/0.01,site=100000/0.0001,address=100000/0.0001"
QUESTION = (
    "[Tập dượt / rehearsal] Xin Chủ tịch cho biết tỉnh có kế hoạch gì để hỗ trợ thanh niên ở các xã "
    "vùng cao khởi nghiệp, học nghề và tìm việc làm tại địa phương, nhất là thanh niên dân tộc thiểu số "
    "vừa hoàn thành nghĩa vụ quân sự trở về? Câu hỏi số {n} từ điện thoại {phone}."
)


ASKER_STATUS = {"show": "on_screen", "answer": "answered"}  # what the asker's phone hears after the MC


def percentiles(values) -> dict | None:
    """p50, p95, p99 and max (nearest rank), in seconds; None when there is nothing to measure."""
    if not len(values):
        return None
    ordered = sorted(values)

    def rank(p: float) -> float:
        return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]

    return {"p50": rank(50), "p95": rank(95), "p99": rank(99), "max": ordered[-1], "n": len(ordered)}


# ---------------------------------------------------------------- HTTP: cookies


def _cookie(response: http.client.HTTPResponse, name: str | None = None) -> str | None:
    for header, value in response.getheaders():
        if header.lower() == "set-cookie":
            pair = value.split(";", 1)[0].strip()
            if name is None or pair.startswith(name + "="):
                return pair
    return None


class Http:
    """Plain GETs over kept-alive connections, one per thread (the few requests before the load)."""

    def __init__(self, base: str, verify: bool = True, threads: int = 8) -> None:
        self.base = base.rstrip("/")
        self.parts = urlsplit(self.base)
        self.verify = verify
        self.local = threading.local()
        self.pool = ThreadPoolExecutor(threads, thread_name_prefix="loadtest-http")

    def _connection(self, fresh: bool = False) -> http.client.HTTPConnection:
        conn = getattr(self.local, "conn", None)
        if conn is None or fresh:
            if conn is not None:
                conn.close()
            if self.parts.scheme == "https":
                import ssl

                context = ssl.create_default_context()
                if not self.verify:
                    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
                conn = http.client.HTTPSConnection(self.parts.hostname, self.parts.port, timeout=30, context=context)
            else:
                conn = http.client.HTTPConnection(self.parts.hostname, self.parts.port, timeout=30)
            self.local.conn = conn
        return conn

    def get(self, path: str, headers: dict | None = None) -> tuple[int, dict, bytes, str | None]:
        """(status, headers, body, the first Set-Cookie pair) of one GET; retried once on a dropped connection."""
        for attempt in (0, 1):
            conn = self._connection(fresh=attempt > 0)
            try:
                conn.request("GET", path, headers=headers or {})
                response = conn.getresponse()
                body = response.read()
                cookie = _cookie(response, DEVICE_COOKIE) or _cookie(response)
                return response.status, dict(response.getheaders()), body, cookie
            except (OSError, http.client.HTTPException):
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def device_cookie(self, site: str) -> str:
        status, _, _, cookie = self.get(f"{self.parts.path.rstrip('/')}/q/{site}")
        if status != 200 or not cookie or not cookie.startswith(DEVICE_COOKIE + "="):
            raise LoadtestError(f"trang điện thoại /q/{site} trả về {status}, không có cookie thiết bị")
        return cookie

    def close(self) -> None:
        self.pool.shutdown(wait=False)


def session_cookie(link: str, verify: bool = True) -> str:
    """Follow a role's secret link once, like its screen's browser, and keep the session cookie."""
    http_ = Http(link, verify=verify, threads=1)
    try:
        status, _, _, cookie = http_.get(urlsplit(link).path)
    finally:
        http_.close()
    if status not in (302, 303) or not cookie:
        raise LoadtestError(f"liên kết {_hide(link)} trả về {status}: liên kết đã đổi hoặc sai máy chủ?")
    return cookie


def _hide(link: str) -> str:
    """A secret link as it may be printed: its token cut short."""
    return re.sub(r"/k/([^/]{4})[^/]*", r"/k/\1…", link)


class LoadtestError(Exception):
    """Something the deployer must fix before the rehearsal can run; the message says what."""


# ---------------------------------------------------------------- the clients


class Stats:
    """Everything counted during a run, in one place, for the progress line and the report."""

    def __init__(self) -> None:
        self.phones_connected = 0
        self.staff_connected = 0
        self.phone_connects = 0
        self.staff_connects = 0
        self.reconnects = 0
        self.disconnects = 0
        self.failed: Counter[str] = Counter()  # connection attempts that did not open, by reason
        self.dropped: Counter[str] = Counter()  # open connections that closed, by reason
        self.sent = 0  # questions sent a first time
        self.resent = 0
        self.acked = 0
        self.repeated = 0
        self.limited: Counter[str] = Counter()
        self.rejected: Counter[str] = Counter()  # final refusals: a question that will never be stored
        self.retryable: Counter[str] = Counter()  # store.unavailable, server.error: sent again
        self.ack_latency = array("d")
        self.received: Counter[str] = Counter()  # events phones received, by name
        self.staff_received: Counter[str] = Counter()
        self.actions: dict[int, dict] = {}  # seq → {action, at, phones, staff}: what the MC did
        self.arrivals: dict[int, dict[str, array]] = {}  # seq → {"phones": [...], "staff": [...]}
        self.status_at: dict[tuple[str, str], float] = {}  # (question id, status) → when its asker heard
        self.mc_errors: Counter[str] = Counter()
        self.snapshots = 0

    def arrived(self, who: str, seq, at: float) -> None:
        if isinstance(seq, int):
            self.arrivals.setdefault(seq, {"phones": array("d"), "staff": array("d")})[who].append(at)

    def asker(self, since: float = 0.0) -> tuple[array, int, int]:
        """Latencies of ``question.status`` to the phone that asked the question the MC acted on."""
        latencies = array("d")
        expected = 0
        for action in self.actions.values():
            status = ASKER_STATUS.get(action["action"])
            if action["at"] < since or status is None:
                continue
            expected += 1
            at = self.status_at.get((action["id"], status))
            if at is not None:
                latencies.append(max(0.0, at - action["at"]))
        return latencies, len(latencies), expected

    def fanout(self, who: str, since: float = 0.0) -> tuple[array, int, int]:
        """Latencies of ``who`` ("phones" or "staff") for the MC's actions, and delivered/expected."""
        latencies = array("d")
        delivered = expected = 0
        for seq, action in self.actions.items():
            if action["at"] < since:
                continue
            times = self.arrivals.get(seq, {}).get(who, ())
            latencies.extend(max(0.0, t - action["at"]) for t in times)
            delivered += len(times)
            expected += action[who]
        return latencies, delivered, expected


@dataclass
class Options:
    """What one rehearsal does; the command line fills it, bench/run.py too."""

    url: str
    links: dict[str, str] = field(default_factory=dict)  # role → secret link
    phones: int = 100
    staff: int = 4
    rate: float = 5.0  # questions per second from all phones together
    duration: float = 30.0
    show_every: float = 5.0
    sites: list[str] = field(default_factory=list)  # empty: the conference's, from a staff snapshot
    connect_rate: float = 500.0  # new phone connections per second while ramping up
    drain: float = 15.0  # seconds to wait for the last acknowledgements
    verify: bool = True  # TLS certificates
    progress: bool = True
    seed: int | None = None


# reconnection delays (first, most), in seconds: the staff screens' pages (static/js/common.js);
# phones try sooner than the phone page (Socket.IO's 1 s, 5 s), the harder case for the server
STAFF_RECONNECT = (0.25, 0.5)
PHONE_RECONNECT = (0.5, 5.0)


def _backoff(attempt: int, first: float, most: float) -> float:
    """The Socket.IO client's reconnection delay: doubling, capped, randomised by ±50 %."""
    return min(most, first * 2 ** min(attempt, 10)) * random.uniform(0.5, 1.5)


class Phone:
    """A young person's phone: its cookie, its connection, its questions (as small as it can be)."""

    __slots__ = (
        "run",
        "index",
        "site",
        "headers",
        "client",
        "n",
        "pending",
        "acked",
        "attempt",
        "alive",
        "up",
        "ever",
        "stage",
    )

    def __init__(self, run: Rehearsal, index: int, site: str, cookie: str) -> None:
        self.run, self.index, self.site = run, index, site
        self.headers = [(b"cookie", cookie.encode())]
        self.client: Client | None = None
        self.n = 0
        self.pending: dict[str, float] | None = None  # id → when first sent
        self.acked: list[str] | None = None
        self.attempt = 0
        self.alive = True
        self.up = False
        self.ever = False
        self.stage = -1  # the seq of the last question.current counted (a reconnect repeats it)

    def connected(self) -> bool:
        return self.up

    def connect(self) -> None:
        run = self.run
        self.client = Client(
            run.endpoint,
            self.headers,
            {"screen": "phone", "site": self.site},
            on_connect=self._on_connect,
            on_event=self._on_event,
            on_close=self._on_close,
        )
        run.spawn(self.client.open())

    def _on_connect(self, _client: Client) -> None:
        stats = self.run.stats
        self.up = True
        self.ever = True
        stats.phones_connected += 1
        stats.phone_connects += 1
        if self.attempt:
            stats.reconnects += 1
        self.attempt = 0
        for ident in list(self.pending or ()):  # what was sent but not acknowledged: send it again
            self._send(ident, again=True)

    def _on_event(self, _client: Client, name: str, data, at: float) -> None:
        stats = self.run.stats
        stats.received[name] += 1
        if not isinstance(data, dict):
            return
        if name == "question.current":
            seq = data.get("seq")
            if isinstance(seq, int) and seq > self.stage:  # each change once per phone
                self.stage = seq
                stats.arrived("phones", seq, at)
        elif name == "question.status" and isinstance(data.get("id"), str):
            stats.status_at.setdefault((data["id"], str(data.get("status"))), at)

    def _on_close(self, client: Client, why: str, detail: str) -> None:
        if client is not self.client:
            return
        stats = self.run.stats
        if self.up:
            self.up = False
            stats.phones_connected -= 1
            stats.disconnects += 1
            stats.dropped[detail.split(":", 1)[0][:60] or why] += 1
        else:
            stats.failed[detail.split(":", 1)[0][:60] or why] += 1
        if self.alive:
            self.attempt += 1
            self.run.loop.call_later(_backoff(self.attempt - 1, *PHONE_RECONNECT), self._reconnect)

    def _reconnect(self) -> None:
        if self.alive:
            self.connect()

    def submit(self) -> str:
        self.n += 1
        ident = f"{ID_PREFIX}{self.run.token}-{self.index:06d}-{self.n:04d}"
        if self.pending is None:
            self.pending = {}
        self.pending[ident] = time.time()
        self.run.stats.sent += 1
        self._send(ident)
        return ident

    def _send(self, ident: str, again: bool = False) -> None:
        if again:
            self.run.stats.resent += 1
        payload = {"id": ident, "site": self.site, "text": QUESTION.format(n=self.n, phone=self.index)}
        if self.client is not None:
            self.client.emit("question.submit", payload, lambda reply, at: self._acked(ident, reply, at))

    def _acked(self, ident: str, reply, at: float) -> None:
        stats = self.run.stats
        if self.pending is None or ident not in self.pending:
            return
        if reply is None:  # the connection went away: sent again on reconnection
            return
        if reply.get("ok"):
            sent = self.pending.pop(ident)
            stats.acked += 1
            stats.repeated += bool(reply.get("repeated"))
            stats.ack_latency.append(max(0.0, at - sent))
            if self.acked is None:
                self.acked = []
            self.acked.append(ident)
            if self.run.refill is not None:
                self.run.refill(self)
            return
        code = str(reply.get("code") or "?")
        if code.startswith("limit."):
            stats.limited[code] += 1
        elif reply.get("retry"):
            stats.retryable[code] += 1
        else:
            stats.rejected[code] += 1
            self.pending.pop(ident, None)
            return
        # like the phone page's outbox: the server's retry_after, else a back-off that grows with the wait
        waited = time.time() - self.pending[ident]
        wait = float(reply.get("retry_after") or min(30.0, max(1.0, waited / 2)))
        self.run.loop.call_later(wait * random.uniform(1.0, 1.5), self._retry, ident)

    def _retry(self, ident: str) -> None:
        if self.pending and ident in self.pending and self.connected():
            self._send(ident, again=True)

    def stop(self) -> None:
        self.alive = False
        if self.client is not None:
            self.client.on_close = None
            self.client.close()


class Staff:
    """One staff screen opened by its role's link; the MC's and a moderator's also act."""

    def __init__(self, run: Rehearsal, role: str, cookie: str, index: int) -> None:
        self.run, self.role, self.index = run, role, index
        self.headers = [(b"cookie", cookie.encode())]
        self.client: Client | None = None
        self.attempt = 0
        self.alive = True
        self.up = False
        self.synced = asyncio.Event()  # a state.snapshot arrived since the last (re)connection
        self.synced_at = 0.0  # when the last one arrived (the kernel's receive stamp)
        self.recent: deque[tuple[str, int]] = deque(maxlen=200)  # (id, version) from question.added
        self.sites: list[str] = []

    def connect(self) -> None:
        self.synced.clear()
        self.client = Client(
            self.run.endpoint,
            self.headers,
            {"screen": STAFF_SCREENS[self.role], "name": f"loadtest {self.role} {self.index}"},
            on_connect=self._on_connect,
            on_event=self._on_event,
            on_close=self._on_close,
        )
        self.run.spawn(self.client.open())

    def _on_connect(self, _client: Client) -> None:
        stats = self.run.stats
        self.up = True
        stats.staff_connected += 1
        stats.staff_connects += 1
        if self.attempt:
            stats.reconnects += 1
        self.attempt = 0

    def _on_event(self, _client: Client, name: str, data, at: float) -> None:
        stats = self.run.stats
        stats.staff_received[name] += 1
        if not isinstance(data, dict):
            return
        if name == "question.current":
            stats.arrived("staff", data.get("seq"), at)
        elif name == "state.snapshot":
            stats.snapshots += 1
            self.sites = [s["id"] for s in data.get("sites") or [] if isinstance(s, dict) and s.get("id")]
            self.synced_at = at
            self.synced.set()
        elif name == "question.added":
            question = data.get("question") or {}
            if str(question.get("id", "")).startswith(ID_PREFIX + self.run.token):
                self.recent.append((question["id"], question.get("version") or 1))

    def _on_close(self, client: Client, why: str, detail: str) -> None:
        if client is not self.client:
            return
        stats = self.run.stats
        self.synced.clear()
        if self.up:
            self.up = False
            stats.staff_connected -= 1
            stats.disconnects += 1
            stats.dropped[detail.split(":", 1)[0][:60] or why] += 1
        else:
            stats.failed[detail.split(":", 1)[0][:60] or why] += 1
        if self.alive:
            self.attempt += 1
            self.run.loop.call_later(_backoff(self.attempt - 1, *STAFF_RECONNECT), self._reconnect)

    def _reconnect(self) -> None:
        if self.alive:
            self.connect()

    async def call(self, event: str, payload: dict, timeout: float = 10.0):
        """Send an event and wait for its answer (None when it never came)."""
        future = self.run.loop.create_future()

        def done(reply, at):
            if not future.done():
                future.set_result((reply, at))

        if self.client is None or not self.client.emit(event, payload, done):
            return None, time.time()
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            return None, time.time()

    def stop(self) -> None:
        self.alive = False
        if self.client is not None:
            self.client.on_close = None
            self.client.close()


class Rehearsal:
    """One load test: build it, ``await setup()``, ``await connect()``, then the phases you want."""

    def __init__(self, options: Options) -> None:
        self.options = options
        self.endpoint = Endpoint(options.url, verify=options.verify)
        self.token = secrets.token_hex(4)
        self.stats = Stats()
        self.phones: list[Phone] = []
        self.staff: list[Staff] = []
        self.loop: asyncio.AbstractEventLoop | None = None
        self._tasks: set[asyncio.Task] = set()
        self.started = time.time()
        self.shown: tuple[str, int] | None = None  # the question the MC has on screen
        self.log: Callable[[str], None] = lambda line: print(line, file=sys.stderr, flush=True)
        self.limited_warned = False
        self._watch: asyncio.Task | None = None
        self.refill: Callable[[Phone], None] | None = None  # closed loop: called when a phone's question is acked

    def spawn(self, coroutine) -> None:
        task = self.loop.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @property
    def mc(self) -> Staff | None:
        return next((s for s in self.staff if s.role == "mc"), None)

    @property
    def moderator(self) -> Staff | None:
        return next((s for s in self.staff if s.role in ("moderator", "admin")), None)

    # ------------------------------------------------------------ setting up

    async def setup(self) -> None:
        """Follow the links, open the staff screens, learn the sites, fetch every phone's cookie."""
        self.loop = asyncio.get_running_loop()
        self._watch = self.loop.create_task(self._watch_stale())
        opts = self.options
        roles = [r for r in STAFF_ROLES if r in opts.links] or [r for r in ("admin",) if r in opts.links]
        if opts.staff and not roles:
            raise LoadtestError("không có liên kết màn hình nào (--link mc=… hoặc --data-dir / --redis-url)")
        cookies = {}
        for role in roles:
            cookies[role] = await self.loop.run_in_executor(None, session_cookie, opts.links[role], opts.verify)
        for i in range(opts.staff):
            self.staff.append(Staff(self, roles[i % len(roles)], cookies[roles[i % len(roles)]], i))
        for screen in self.staff:
            screen.connect()
        if self.staff:
            try:
                await asyncio.wait_for(asyncio.gather(*(s.synced.wait() for s in self.staff)), 30)
            except TimeoutError:
                pass
        sites = opts.sites or next((s.sites for s in self.staff if s.sites), [])
        if not sites:
            raise LoadtestError("không biết các điểm cầu: không màn hình nào nhận được state.snapshot (--site …)")
        http_ = Http(opts.url, verify=opts.verify)
        try:
            order = [sites[i % len(sites)] for i in range(opts.phones)]
            futures = [self.loop.run_in_executor(http_.pool, http_.device_cookie, site) for site in order]
            done = 0
            for i, future in enumerate(futures):
                cookie = await future
                self.phones.append(Phone(self, i, order[i], cookie))
                done += 1
                if opts.progress and (done % 500 == 0 or done == len(futures)):
                    self._progress(f"cookie thiết bị / device cookies {done}/{len(futures)}")
        finally:
            http_.close()

    async def connect(self, timeout: float = 120.0) -> float:
        """Connect every phone (``connect_rate`` a second); the seconds it took for all."""
        start = time.time()
        step = 1.0 / max(1.0, self.options.connect_rate)
        for n, phone in enumerate(self.phones):
            phone.connect()
            if n % 50 == 49:
                await asyncio.sleep(max(0.0, start + (n + 1) * step - time.time()))
        while self.stats.phones_connected < len(self.phones) and time.time() - start < timeout:
            await asyncio.sleep(0.05)
            self.tick()
        return time.time() - start

    async def _watch_stale(self) -> None:
        """Drop connections the server went silent on (its heartbeat stopped), like a browser does."""
        while True:
            await asyncio.sleep(2.0)
            now = time.time()
            for holder in (*self.phones, *self.staff):
                client = holder.client
                if client is not None and client.stale(now):
                    client._lost("failed", "ping timeout")

    # ------------------------------------------------------------ the load

    async def run(self, duration: float, rate: float, show_every: float) -> None:
        """Phones send ``rate`` questions a second for ``duration`` s while the MC shows one every ``show_every`` s."""
        end = time.time() + duration
        mc = self.spawn_mc(show_every, end) if show_every > 0 else None
        order = list(range(len(self.phones)))
        random.shuffle(order)
        cursor, owed, last = 0, 0.0, time.time()
        while time.time() < end:
            await asyncio.sleep(0.05)
            now = time.time()
            owed += rate * (now - last)
            last = now
            tries = 0
            while owed >= 1 and self.phones and tries < len(order):
                phone = self.phones[order[cursor % len(order)]]
                cursor += 1
                tries += 1
                if phone.connected():
                    phone.submit()
                    owed -= 1
            owed = min(owed, rate)  # phones that are down do not pile up a debt
            self.tick()
        if mc is not None:
            await mc

    async def closed_loop(self, concurrency: int, duration: float) -> tuple[int, float]:
        """``concurrency`` phones each send their next question as soon as the last one is acknowledged,
        for ``duration`` s: the server's sustained durable throughput (questions acked, seconds)."""
        end = time.time() + duration
        acked = self.stats.acked

        def again(phone: Phone) -> None:
            if time.time() < end and phone.connected():
                phone.submit()

        self.refill = again
        start = time.time()
        try:
            for phone in random.sample(self.phones, min(concurrency, len(self.phones))):
                phone.submit()
            while time.time() < end:
                await asyncio.sleep(0.1)
                self.tick()
        finally:
            self.refill = None
        count = self.stats.acked - acked
        await self.drain(self.options.drain)
        return count, time.time() - start

    def burst(self, count: int) -> None:
        """``count`` phones each send one question at the same instant."""
        for phone in random.sample(self.phones, min(count, len(self.phones))):
            phone.submit()

    def spawn_mc(self, every: float, until: float) -> asyncio.Task:
        return self.loop.create_task(self._mc(every, until))

    async def _mc(self, every: float, until: float) -> None:
        while time.time() + every <= until + 0.01:
            await asyncio.sleep(every)
            await self.mc_step()

    async def mc_step(self) -> bool:
        """Answer what is on screen, then approve the newest question and show it. True when shown."""
        mc, moderator = self.mc, self.moderator
        if mc is None or moderator is None or not mc.up or not moderator.up:
            self.stats.mc_errors["screens.down"] += 1
            return False
        if self.shown is not None:
            ident, version = self.shown
            self.shown = None
            await self._act(mc, "answer", {"id": ident, "version": version})
        if not moderator.recent:
            self.stats.mc_errors["no_question"] += 1
            return False
        ident, version = moderator.recent.pop()
        reply = await self._act(moderator, "approve", {"id": ident, "version": version}, measured=False)
        if not reply:
            return False
        reply = await self._act(mc, "show", {"id": ident, "version": reply["question"]["version"]})
        if not reply:
            return False
        self.shown = (ident, reply["question"]["version"])
        return True

    async def _act(self, screen: Staff, action: str, payload: dict, measured: bool = True) -> dict | None:
        phones, staff = self.stats.phones_connected, self.stats.staff_connected
        at = time.time()
        reply, _ = await screen.call(f"question.{action}", payload)
        if not reply or not reply.get("ok"):
            code = (reply or {}).get("code") or "no_answer"
            if code == "question.conflict" and isinstance((reply.get("params") or {}).get("version"), int):
                retry = {**payload, "version": reply["params"]["version"]}
                return await self._act(screen, action, retry, measured)
            self.stats.mc_errors[f"{action}:{code}"] += 1
            return None
        if measured and isinstance(reply.get("seq"), int):
            self.stats.actions[reply["seq"]] = {
                "action": action, "id": payload["id"], "at": at, "phones": phones, "staff": staff
            }  # fmt: skip
        return reply

    async def drain(self, timeout: float) -> None:
        """Wait until every question sent is acknowledged (or refused for good), at most ``timeout`` s."""
        end = time.time() + timeout
        while time.time() < end and self.pending():
            await asyncio.sleep(0.1)
            self.tick()

    def pending(self) -> int:
        return sum(len(p.pending) for p in self.phones if p.pending)

    async def verify(self, concurrency: int = 100) -> dict:
        """Each phone asks for its acknowledged questions (``question.mine``): which are not found."""
        gate = asyncio.Semaphore(concurrency)
        missing: list[str] = []
        unverified = 0

        async def check(phone: Phone) -> None:
            nonlocal unverified
            ids = list(phone.acked or ())
            for start in range(0, len(ids), 50):
                chunk = ids[start : start + 50]
                async with gate:
                    reply = await self._mine(phone, chunk)
                if reply is None:
                    unverified += len(chunk)
                    continue
                found = {q.get("id") for q in reply.get("questions") or [] if isinstance(q, dict)}
                missing.extend(i for i in chunk if i not in found)

        await asyncio.gather(*(check(p) for p in self.phones if p.acked))
        return {"missing": missing, "unverified": unverified}

    async def _mine(self, phone: Phone, ids: list[str]) -> dict | None:
        for _ in range(3):
            if not phone.connected():
                await asyncio.sleep(1.0)
                continue
            future = self.loop.create_future()
            phone.client.emit(
                "question.mine", {"ids": ids}, lambda reply, at, f=future: f.done() or f.set_result(reply)
            )
            try:
                reply = await asyncio.wait_for(future, 15)
            except TimeoutError:
                continue
            if isinstance(reply, dict) and reply.get("ok"):
                return reply
        return None

    async def close(self) -> None:
        for holder in (*self.phones, *self.staff):
            holder.stop()
        if self._watch is not None:
            self._watch.cancel()
        await asyncio.sleep(0)

    # ------------------------------------------------------------ progress

    def tick(self) -> None:
        """Every call may print the progress line (once a second on a terminal, every 5 s otherwise)."""
        now = time.time()
        opts = self.options
        if self.stats.limited and not self.limited_warned:
            self.limited_warned = True
            self.log(limited_warning(self.stats.limited))
        if not opts.progress:
            return
        every = 1.0 if _tty() else 5.0
        if now - getattr(self, "_last_progress", 0.0) < every:
            return
        self._last_progress = now
        s = self.stats
        phones = percentiles(s.fanout("phones", since=now - 30)[0])
        staff = percentiles(s.fanout("staff", since=now - 30)[0])
        line = (
            f"{now - self.started:5.0f}s · điện thoại/phones {s.phones_connected}/{len(self.phones)}"
            f" · màn hình/staff {s.staff_connected}/{len(self.staff)} · gửi/sent {s.sent}"
            f" · nhận/acked {s.acked} · chờ/pending {self.pending()} · giới hạn/limited {sum(s.limited.values())}"
            f" · kết nối lại/reconnects {s.reconnects} · trình chiếu/shows {len(s.actions)}"
            f" · p99 {_ms(phones and phones['p99'])}/{_ms(staff and staff['p99'])}"
        )
        self._progress(line)

    def _progress(self, line: str) -> None:
        if not self.options.progress:
            return
        if _tty():
            sys.stderr.write("\r\x1b[2K" + line[: os.get_terminal_size(2).columns - 1])
            sys.stderr.flush()
        else:
            print(line, file=sys.stderr, flush=True)

    def end_progress(self) -> None:
        if self.options.progress and _tty():
            sys.stderr.write("\n")
            sys.stderr.flush()


def _tty() -> bool:
    return sys.stderr.isatty()


def _ms(seconds: float | None) -> str:
    return "–" if seconds is None else f"{seconds * 1000:.0f}ms"


def limited_warning(limited: Counter) -> str:
    scopes = ", ".join(f"{code} ×{n}" for code, n in limited.most_common())
    return (
        f"live loadtest: MÁY CHỦ ĐANG GIỚI HẠN TỐC ĐỘ / THE SERVER IS RATE LIMITING ({scopes}). "
        "Mọi điện thoại giả lập gửi từ một địa chỉ: khởi động máy chủ tập dượt với "
        f"LIVE_RATE_LIMITS={REHEARSAL_LIMITS} (xem README, live loadtest)."
    )
