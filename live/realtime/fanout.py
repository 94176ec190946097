"""Between server processes: Flask-SocketIO's Redis message queue, and the roll call they share.

Every broadcast a process makes reaches its own clients at once and the other processes through
Redis pub/sub. Pub/sub keeps nothing: a process that was cut off from Redis missed what the others
sent meanwhile. So when its listener subscribes again it tells its own screens and phones to
resync (``on_resubscribe``), and it retries within two seconds rather than python-socketio's
backoff of up to a minute.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from collections.abc import Callable, Iterable

import redis
import socketio
from redis.exceptions import RedisError

from live.core import rooms
from live.core.floor import Presence
from live.formats import wire
from live.transport import direct

log = logging.getLogger("live.fanout")

RETRY_FIRST, RETRY_MAX = 0.25, 2.0


class Fanout(socketio.RedisManager):
    """The Redis message queue, quick to come back and resync after Redis was away."""

    def __init__(self, url: str, channel: str, on_resubscribe: Callable[[], None] | None = None) -> None:
        super().__init__(url, channel=channel, redis_options={"socket_keepalive": True, "socket_connect_timeout": 2})
        self.on_resubscribe = on_resubscribe
        self._outbox: list[dict] = []
        self._flushing = False

    # Every broadcast reaches this process's clients at once (python-socketio's emit), and the
    # other processes through Redis. One PUBLISH per broadcast cost a round trip each, and a
    # burst of questions (two broadcasts each) queued thousands of them: the broadcasts made
    # meanwhile go out together, in order, as one message, and each process skips its own
    # messages without decoding them.

    def _publish(self, data):
        self._outbox.append(data)
        if not self._flushing:
            self._flushing = True
            self.server.start_background_task(self._flush)

    def _flush(self) -> None:
        try:
            while self._outbox:
                self.server.sleep(0)  # let this moment's other broadcasts join the batch
                batch, self._outbox = self._outbox, []
                super()._publish({"method": "batch", "host_id": self.host_id, "messages": batch})
        finally:
            self._flushing = False

    def _handle_emit(self, message):
        if rooms.of_phones(str(message.get("room"))):
            direct.flush()  # the staff screens' messages first (live.transport.direct)
        return super()._handle_emit(message)

    def _listen(self):
        # this process's own batches, known by how they start, are skipped without being decoded
        mine = self.json.dumps({"method": "batch", "host_id": self.host_id})[:-1].encode()
        for data in super()._listen():
            if isinstance(data, bytes) and data.startswith(mine):
                continue
            try:
                message = wire.read(data)
            except ValueError:
                continue
            if not isinstance(message, dict):
                continue
            if message.get("method") != "batch":
                yield message
            elif message.get("host_id") != self.host_id:  # our own broadcasts went out already
                yield from (m for m in message.get("messages") or [] if isinstance(m, dict))

    def _redis_listen_with_retries(self):  # replaces python-socketio's: shorter retries, then resync
        retry = RETRY_FIRST
        subscribed = lost = False
        while True:
            try:
                if not subscribed:
                    self._redis_connect()
                    self.pubsub.subscribe(self.channel)
                    subscribed = True
                    retry = RETRY_FIRST
                    if lost:
                        lost = False
                        log.warning("message queue back: telling this process's screens to resync")
                        if self.on_resubscribe is not None:
                            self.server.start_background_task(self.on_resubscribe)
                yield from self.pubsub.listen()
            except Exception as error:  # noqa: BLE001 (any failure: connect again, never die)
                if not lost:
                    log.error("message queue lost (%s): retrying every %.2g s", type(error).__name__, RETRY_MAX)
                subscribed, lost = False, True
                time.sleep(retry)
                retry = min(retry * 2, RETRY_MAX)


class SharedPresence:
    """The roll call across processes: each keeps its own site screens in a Redis hash that
    expires unless the process renews it, so a process killed with -9 drops out within
    ``ttl`` seconds. Reads add up every live process's counts."""

    def __init__(self, url: str, prefix: str, process: str, ttl: int = 15) -> None:
        self.local = Presence()
        self.process = process
        self.ttl = ttl
        self._redis = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5, socket_keepalive=True)
        self._procs = f"{prefix}:presence"
        self._mine = f"{prefix}:presence:{process}"
        self._left = f"{prefix}:presence:left"

    def connect(self, sid: str, site: str, now: float) -> int:
        n = self.local.connect(sid, site, now)
        self._publish()
        return n

    def disconnect(self, sid: str, now: float) -> str | None:
        site = self.local.disconnect(sid, now)
        if site is not None:
            if not self.local.connected(site):
                self._quietly(lambda: self._redis.hset(self._left, site, repr(now)))
            self._publish()
        return site

    def renew(self) -> None:
        """Called every few seconds: this process is alive, with these site screens."""
        self._publish()

    def _publish(self) -> None:
        counts = {site: self.local.connected(site) for site in self.local.sites()}

        def write():
            with self._redis.pipeline() as pipe:
                pipe.delete(self._mine)
                if counts:
                    pipe.hset(self._mine, mapping=counts)
                    pipe.expire(self._mine, self.ttl)
                pipe.sadd(self._procs, self.process)
                pipe.execute()

        self._quietly(write)

    def view(self, site_ids: Iterable[str]) -> dict[str, dict]:
        ids = list(site_ids)
        mine = self.local.view(ids)
        try:
            processes = [p.decode() for p in self._redis.smembers(self._procs)]
            with self._redis.pipeline() as pipe:
                for process in processes:
                    pipe.hgetall(f"{self._procs}:{process}")
                pipe.hgetall(self._left)
                *hashes, left = pipe.execute()
        except RedisError as error:
            log.error("roll call from this process only: redis %s", type(error).__name__)
            return mine
        counts: dict[str, int] = {}
        for process, found in zip(processes, hashes, strict=True):
            if not found and process != self.process:
                self._quietly(lambda p=process: self._redis.srem(self._procs, p))  # expired: gone
            for site, n in found.items():
                counts[site.decode()] = counts.get(site.decode(), 0) + int(n)
        for site in ids:  # this process's own screens count even if Redis lost its hash
            counts[site] = max(counts.get(site, 0), mine[site]["connected"])
        seen = {site.decode(): float(at) for site, at in left.items()}
        return {
            site: {"connected": counts.get(site, 0), "last_seen": None if counts.get(site) else seen.get(site)}
            for site in ids
        }

    def _quietly(self, fn: Callable[[], object]) -> None:
        try:
            fn()
        except RedisError as error:
            log.error("roll call not shared: redis %s", type(error).__name__)


def channel(prefix: str) -> str:
    return f"{prefix}-socketio"


def new_process_id() -> str:
    """This server process among the others: its machine, its pid, and a random tail."""
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
