"""The shared store: Redis, for several server processes on one or more machines.

Every key lives under one prefix (``live`` by default), so a rehearsal and the real day can share
one Redis apart:

- ``<prefix>:d:<key>``: a document, as JSON;
- ``<prefix>:seq``: the sequence number of the last change;
- ``<prefix>:keys``: every document key (a sorted set, all scores 0, for ``scan`` by prefix);
- ``<prefix>:changed``: every document key scored by the sequence number of its last write (for
  ``changes``).

A transaction is optimistic: WATCH the documents, read them, call ``fn``, then write them, bump
the sequence number and index them in one script inside MULTI/EXEC. When another process wrote one
of the documents in between, EXEC fails and ``fn`` runs again on the new values, so no update is
lost. An acknowledgement is as durable as Redis's append-only file makes it (``appendfsync
always`` in production; see docs/deployment.md). When Redis cannot be reached, every call raises
``StoreUnavailable``, which clients are told to retry.
"""

from __future__ import annotations

import logging

import redis
from redis.exceptions import RedisError, WatchError

from live.core.errors import StoreUnavailable
from live.formats import wire
from live.store.base import Store, Transaction

log = logging.getLogger("live.store")

# KEYS: seq, keys, changed, then one document key per written document.
# ARGV: the document names (without prefix) and their JSON, alternating.
WRITE = """
local seq = redis.call('INCR', KEYS[1])
for i = 1, #ARGV, 2 do
  local name = ARGV[i]
  redis.call('SET', KEYS[3 + (i + 1) / 2], ARGV[i + 1])
  redis.call('ZADD', KEYS[2], 0, name)
  redis.call('ZADD', KEYS[3], seq, name)
end
return seq
"""

# KEYS: seq, keys, changed, then one document key per insert. ARGV: names and JSON, alternating.
# Writes each document whose key is free, each with its own seq; returns per insert the seq it was
# written at, or the JSON already there (left as it was).
INSERT = """
local out = {}
for i = 1, #ARGV, 2 do
  local key = KEYS[3 + (i + 1) / 2]
  local existing = redis.call('GET', key)
  if existing then
    table.insert(out, existing)
  else
    local seq = redis.call('INCR', KEYS[1])
    redis.call('SET', key, ARGV[i + 1])
    redis.call('ZADD', KEYS[2], 0, ARGV[i])
    redis.call('ZADD', KEYS[3], seq, ARGV[i])
    table.insert(out, seq)
  end
end
return out
"""

# KEYS: seq, changed. ARGV: since, the documents' key prefix. Returns {seq, name, at, json, ...}.
CHANGES = """
local seq = tonumber(redis.call('GET', KEYS[1]) or '0')
local out = {seq}
if seq <= tonumber(ARGV[1]) then return out end
local names = redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. ARGV[1], '+inf', 'WITHSCORES')
for i = 1, #names, 2 do
  local value = redis.call('GET', ARGV[2] .. names[i])
  if value then
    table.insert(out, names[i])
    table.insert(out, names[i + 1])
    table.insert(out, value)
  end
end
return out
"""

# KEYS: keys. ARGV: the lexicographic range, the documents' key prefix. Returns {name, json, ...}.
SCAN = """
local names = redis.call('ZRANGEBYLEX', KEYS[1], ARGV[1], ARGV[2])
local out = {}
for _, name in ipairs(names) do
  local value = redis.call('GET', ARGV[3] .. name)
  if value then
    table.insert(out, name)
    table.insert(out, value)
  end
end
return out
"""


class RedisStore(Store):
    """Documents in Redis under ``prefix``; safe to share between any number of processes."""

    backend = "redis"

    def __init__(self, url: str, prefix: str = "live", max_connections: int = 64) -> None:
        self.url = url
        self.prefix = prefix
        # a bounded pool: a storm of requests waits for a connection instead of opening thousands
        pool = redis.BlockingConnectionPool.from_url(
            url,
            max_connections=max_connections,
            timeout=5,
            socket_connect_timeout=2,
            socket_timeout=5,
            socket_keepalive=True,
            health_check_interval=15,
        )
        self._redis = redis.Redis(connection_pool=pool)
        self._write = self._redis.register_script(WRITE)
        self._insert = self._redis.register_script(INSERT)
        self._changes = self._redis.register_script(CHANGES)
        self._scan = self._redis.register_script(SCAN)
        self._seq_key = f"{prefix}:seq"
        self._keys_key = f"{prefix}:keys"
        self._changed_key = f"{prefix}:changed"
        self._doc_prefix = f"{prefix}:d:"
        self._closed = False

    def _doc(self, key: str) -> str:
        return self._doc_prefix + key

    def get(self, key: str) -> dict | None:
        try:
            value = self._redis.get(self._doc(key))
        except RedisError as error:
            raise self._unavailable(error) from None
        return wire.read(value) if value is not None else None

    def transact(self, keys: tuple[str, ...], fn: Transaction) -> tuple[dict[str, dict], int]:
        names = [self._doc(key) for key in keys]
        try:
            with self._redis.pipeline() as pipe:
                while True:
                    try:
                        pipe.watch(*names)
                        values = pipe.mget(names) if names else []
                        docs = {
                            key: wire.read(v) if v is not None else None for key, v in zip(keys, values, strict=True)
                        }
                        written = fn(docs)
                        outside = [key for key in written if key not in keys]
                        if outside:
                            raise KeyError(f"transaction wrote {outside[0]!r} outside its keys")
                        if not written:
                            pipe.unwatch()
                            return {}, int(self._redis.get(self._seq_key) or 0)
                        argv = []
                        for key, value in written.items():
                            argv += [key, wire.dumps(value)]
                        pipe.multi()
                        self._write(
                            keys=[self._seq_key, self._keys_key, self._changed_key, *map(self._doc, written)],
                            args=argv,
                            client=pipe,
                        )
                        (seq,) = pipe.execute()
                        return dict(written), int(seq)
                    except WatchError:
                        continue  # another process wrote one of our documents first: read again
        except RedisError as error:
            raise self._unavailable(error) from None

    def insert_many(self, docs: list[tuple[str, dict]]) -> list[tuple[dict, int | None]]:
        """One script call for the whole batch: no WATCH, nothing to retry, one fsync."""
        if not docs:
            return []
        argv = []
        for key, doc in docs:
            argv += [key, wire.dumps(doc)]
        try:
            out = self._insert(
                keys=[self._seq_key, self._keys_key, self._changed_key, *(self._doc(key) for key, _ in docs)],
                args=argv,
            )
        except RedisError as error:
            raise self._unavailable(error) from None
        return [
            (doc, int(found)) if isinstance(found, int) else (wire.read(found), None)
            for (_, doc), found in zip(docs, out, strict=True)
        ]

    def changes(self, since: int) -> tuple[dict[str, tuple[int, dict]], int]:
        try:
            out = self._changes(keys=[self._seq_key, self._changed_key], args=[since, self._doc_prefix])
        except RedisError as error:
            raise self._unavailable(error) from None
        found = {}
        for i in range(1, len(out), 3):
            found[out[i].decode()] = (int(float(out[i + 1])), wire.read(out[i + 2]))
        return found, int(out[0])

    def scan(self, prefix: str) -> dict[str, dict]:
        low = b"[" + prefix.encode()
        high = b"[" + prefix.encode() + b"\xff"  # no UTF-8 key contains the byte 0xff
        try:
            out = self._scan(keys=[self._keys_key], args=[low, high, self._doc_prefix])
        except RedisError as error:
            raise self._unavailable(error) from None
        return {out[i].decode(): wire.read(out[i + 1]) for i in range(0, len(out), 2)}

    def seq(self) -> int:
        try:
            return int(self._redis.get(self._seq_key) or 0)
        except RedisError as error:
            raise self._unavailable(error) from None

    def ping(self) -> bool:
        if self._closed:
            return False
        try:
            return bool(self._redis.ping())
        except RedisError:
            return False

    def durability(self) -> list[str]:
        """Whether Redis keeps an append-only file, fsynced on every write or every second."""
        try:
            info = self._redis.info("persistence")
        except RedisError as error:
            return [f"Không đọc được cấu hình lưu trữ của Redis ({type(error).__name__})."]
        warnings = []
        if not info.get("aof_enabled"):
            warnings.append(
                "Redis KHÔNG ghi nhật ký append-only (appendonly no): khi Redis khởi động lại, câu hỏi "
                "đã báo “đã nhận” có thể mất. Đặt appendonly yes, appendfsync always (docs/deployment.md)."
            )
        try:
            policy = self._redis.config_get("maxmemory-policy").get("maxmemory-policy")
            fsync = self._redis.config_get("appendfsync").get("appendfsync")
        except RedisError:  # CONFIG may be renamed or disabled on a managed Redis
            return warnings
        if info.get("aof_enabled") and fsync == "no":
            warnings.append("Redis đặt appendfsync no: mất điện có thể mất nhiều giây dữ liệu đã báo nhận.")
        if policy and policy != "noeviction":
            warnings.append(f"Redis đặt maxmemory-policy {policy}: khi đầy bộ nhớ, Redis có thể xoá câu hỏi.")
        return warnings

    def compact(self) -> None:
        """Ask Redis to rewrite its append-only file in the background (BGREWRITEAOF), so that the
        old values of overwritten documents leave it; when AOF is off there is nothing to rewrite.
        A rewrite already running, or a managed Redis that renamed the command, is only logged."""
        try:
            if self._redis.info("persistence").get("aof_enabled"):
                self._redis.bgrewriteaof()
        except RedisError as error:
            log.warning("redis append-only file not rewritten: %s", type(error).__name__)

    def _unavailable(self, error: Exception) -> StoreUnavailable:
        log.error("redis unavailable: %s", type(error).__name__)
        return StoreUnavailable()

    def close(self) -> None:
        self._closed = True
        self._redis.close()
        self._redis.connection_pool.disconnect()
