"""The embedded store: SQLite from the standard library, durable on disk, no server needed."""

from __future__ import annotations

import json
import os
import sqlite3
import threading

from .base import Store, Transaction

SCHEMA = """
CREATE TABLE IF NOT EXISTS docs (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT OR IGNORE INTO meta (key, value) VALUES ('seq', 0);
"""


class SqliteStore(Store):
    """Documents in one SQLite file (WAL, fsync on every commit: acknowledged means on disk)."""

    backend = "sqlite"

    def __init__(self, data_dir: str) -> None:
        os.makedirs(data_dir, exist_ok=True)
        self.path = os.path.join(data_dir, "live.sqlite3")
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=10)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(SCHEMA)

    def get(self, key: str) -> dict | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM docs WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def transact(self, keys: tuple[str, ...], fn: Transaction) -> tuple[dict[str, dict], int]:
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                docs = {}
                for key in keys:
                    row = db.execute("SELECT value FROM docs WHERE key = ?", (key,)).fetchone()
                    docs[key] = json.loads(row[0]) if row else None
                written = fn(docs)
                for key, value in written.items():
                    if key not in keys:
                        raise KeyError(f"transaction wrote {key!r} outside its keys")
                    db.execute(
                        "INSERT INTO docs (key, value) VALUES (?, ?) "
                        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                        (key, json.dumps(value, ensure_ascii=False, separators=(",", ":"))),
                    )
                if written:  # a transaction that writes nothing is not a change
                    db.execute("UPDATE meta SET value = value + 1 WHERE key = 'seq'")
                seq = db.execute("SELECT value FROM meta WHERE key = 'seq'").fetchone()[0]
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return dict(written), seq

    def scan(self, prefix: str) -> dict[str, dict]:
        # keys are compared as text: every key starting with prefix sorts in [prefix, prefix + U+10FFFF)
        with self._lock:
            rows = self._db.execute(
                "SELECT key, value FROM docs WHERE key >= ? AND key < ? ORDER BY key",
                (prefix, prefix + "\U0010ffff"),
            ).fetchall()
        return {key: json.loads(value) for key, value in rows if key.startswith(prefix)}

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

    def close(self) -> None:
        with self._lock:
            self._db.close()
