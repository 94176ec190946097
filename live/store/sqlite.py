"""The embedded store: SQLite from the standard library, durable on disk, no server needed."""

from __future__ import annotations

import os
import sqlite3
import threading

from live.formats import wire
from live.store.base import Store, Transaction

SCHEMA = """
CREATE TABLE IF NOT EXISTS docs (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    seq INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT OR IGNORE INTO meta (key, value) VALUES ('seq', 0);
"""


class SqliteStore(Store):
    """Documents in one SQLite file (WAL, fsync on every commit: acknowledged means on disk).

    ``secure_delete`` is on: the old value of an overwritten document (a purged name) is zeroed
    in the database file, not left in a free page; ``compact`` then checkpoints the write-ahead log
    into the file and truncates it, so the old pages leave the log too.
    """

    backend = "sqlite"

    def __init__(self, data_dir: str) -> None:
        os.makedirs(data_dir, exist_ok=True)
        self.path = os.path.join(data_dir, "live.sqlite3")
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=10)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA secure_delete=ON")
        self._db.executescript(SCHEMA)
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(docs)")}
        if "seq" not in columns:  # a data directory from before changes() existed
            self._db.execute("ALTER TABLE docs ADD COLUMN seq INTEGER NOT NULL DEFAULT 0")
        self._db.execute("CREATE INDEX IF NOT EXISTS docs_seq ON docs (seq)")

    def get(self, key: str) -> dict | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM docs WHERE key = ?", (key,)).fetchone()
        return wire.read(row[0]) if row else None

    def transact(self, keys: tuple[str, ...], fn: Transaction) -> tuple[dict[str, dict], int]:
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                docs = {}
                for key in keys:
                    row = db.execute("SELECT value FROM docs WHERE key = ?", (key,)).fetchone()
                    docs[key] = wire.read(row[0]) if row else None
                written = fn(docs)
                outside = [key for key in written if key not in keys]
                if outside:
                    raise KeyError(f"transaction wrote {outside[0]!r} outside its keys")
                if written:  # a transaction that writes nothing is not a change
                    db.execute("UPDATE meta SET value = value + 1 WHERE key = 'seq'")
                seq = db.execute("SELECT value FROM meta WHERE key = 'seq'").fetchone()[0]
                for key, value in written.items():
                    db.execute(
                        "INSERT INTO docs (key, value, seq) VALUES (?, ?, ?) "
                        "ON CONFLICT(key) DO UPDATE SET value = excluded.value, seq = excluded.seq",
                        (key, wire.dumps(value), seq),
                    )
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return dict(written), seq

    def insert_many(self, docs: list[tuple[str, dict]]) -> list[tuple[dict, int | None]]:
        """One SQLite transaction, so one fsync, for the whole batch."""
        out: list[tuple[dict, int | None]] = []
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                seq = db.execute("SELECT value FROM meta WHERE key = 'seq'").fetchone()[0]
                for key, doc in docs:
                    row = db.execute("SELECT value FROM docs WHERE key = ?", (key,)).fetchone()
                    if row is not None:
                        out.append((wire.read(row[0]), None))
                        continue
                    seq += 1
                    db.execute(
                        "INSERT INTO docs (key, value, seq) VALUES (?, ?, ?)",
                        (key, wire.dumps(doc), seq),
                    )
                    out.append((doc, seq))
                db.execute("UPDATE meta SET value = ? WHERE key = 'seq'", (seq,))
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return out

    def scan(self, prefix: str) -> dict[str, dict]:
        # keys are compared as text: every key starting with prefix sorts in [prefix, prefix + U+10FFFF)
        with self._lock:
            rows = self._db.execute(
                "SELECT key, value FROM docs WHERE key >= ? AND key < ? ORDER BY key",
                (prefix, prefix + "\U0010ffff"),
            ).fetchall()
        return {key: wire.read(value) for key, value in rows if key.startswith(prefix)}

    def changes(self, since: int) -> tuple[dict[str, tuple[int, dict]], int]:
        with self._lock:
            seq = self._db.execute("SELECT value FROM meta WHERE key = 'seq'").fetchone()[0]
            if seq <= since:
                return {}, seq
            rows = self._db.execute("SELECT key, value, seq FROM docs WHERE seq > ?", (since,)).fetchall()
        return {key: (at, wire.read(value)) for key, value, at in rows}, seq

    def seq(self) -> int:
        with self._lock:
            return self._db.execute("SELECT value FROM meta WHERE key = 'seq'").fetchone()[0]

    def ping(self) -> bool:
        try:
            with self._lock:
                self._db.execute("SELECT 1").fetchone()
            return True
        except sqlite3.Error:
            return False

    def compact(self) -> None:
        """Move the write-ahead log into the database file and truncate it to nothing."""
        try:
            with self._lock:
                self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        except sqlite3.Error:
            pass  # a reader holds the log: the next checkpoint moves it

    def close(self) -> None:
        with self._lock:
            self._db.close()
