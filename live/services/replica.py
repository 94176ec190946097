"""This process's copy of the store, in memory, kept current from the store's changes.

Screens that connect or reconnect (sixty staff screens after a restart, thousands of phones after
a network drop) are answered from here: one cheap ``changes(since)`` call brings the copy up to
date, whatever other processes wrote, and the snapshot is built from memory, not from per-client
reads. The store stays the authority: every transaction reads and writes the store itself, and
what it wrote is learnt here at once.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable

from live.store.base import Store, Transaction


class Replica:
    """Every document, as of the last refresh or local write, with the seq it was written at."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._docs: dict[str, tuple[int, dict]] = {}
        self.seq = 0  # every change up to here is in memory (later local writes may be too)
        self.version = 0  # bumps whenever a document in memory changes: the key of derived caches
        self._lock = threading.Lock()
        self._asked = itertools.count(1)  # a ticket per call of refresh(); next() is atomic
        self._served = 0  # every call with a ticket up to here has seen a read that began after it
        self._watchers: list[tuple[str, Callable[[str, dict], None]]] = []

    def watch(self, prefix: str, fn: Callable[[str, dict], None]) -> None:
        """Call ``fn(key, document)`` for every newer document under ``prefix`` that arrives."""
        self._watchers.append((prefix, fn))

    def refresh(self) -> int:
        """Catch up with every change made by any process up to this call; returns the seq.

        Callers at the same moment share one read of the store: whoever waited for the lock while
        a read that began after its own call completed takes that read's result. So ten thousand
        phones reconnecting at once cost a handful of round trips to Redis, not ten thousand, and
        each still sees every change made before it asked."""
        ticket = next(self._asked)
        with self._lock:
            if self._served >= ticket:
                return self.seq
            upto = next(self._asked) - 1  # every call up to here began before this read
            found, seq = self.store.changes(self.seq)
            self._merge(found)
            self.seq = max(self.seq, seq)
            self._served = upto
            return self.seq

    def learn(self, written: dict[str, dict], seq: int) -> None:
        """What a transaction of this process wrote, at ``seq``."""
        if written:
            with self._lock:
                self._merge({key: (seq, doc) for key, doc in written.items()})
                if seq == self.seq + 1:  # the very next change: nothing in between can be missing
                    self.seq = seq

    def _merge(self, found: dict[str, tuple[int, dict]]) -> None:
        changed = False
        for key, (at, doc) in found.items():
            known = self._docs.get(key)
            if known is not None and known[0] >= at:
                continue  # a write of ours already newer than what a refresh brought
            self._docs[key] = (at, doc)
            changed = True
            for prefix, fn in self._watchers:
                if key.startswith(prefix):
                    fn(key, doc)
        if changed:
            self.version += 1

    def get(self, key: str) -> dict | None:
        """The document in memory (shared: never change it)."""
        found = self._docs.get(key)
        return found[1] if found else None

    def scan(self, prefix: str) -> dict[str, dict]:
        """Every document in memory under ``prefix``, in key order (shared: never change them)."""
        return {key: self._docs[key][1] for key in sorted(k for k in self._docs if k.startswith(prefix))}


class Replicated(Store):
    """A store whose transactions also teach this process's replica what they wrote."""

    def __init__(self, store: Store) -> None:
        self.inner = store
        self.backend = store.backend
        self.replica = Replica(store)

    def get(self, key: str) -> dict | None:
        return self.inner.get(key)

    def transact(self, keys: tuple[str, ...], fn: Transaction) -> tuple[dict[str, dict], int]:
        written, seq = self.inner.transact(keys, fn)
        self.replica.learn(written, seq)
        return written, seq

    def insert_many(self, docs: list[tuple[str, dict]]) -> list[tuple[dict, int | None]]:
        out = self.inner.insert_many(docs)
        for (key, _), (doc, seq) in zip(docs, out, strict=True):
            if seq is not None:
                self.replica.learn({key: doc}, seq)
        return out

    def changes(self, since: int) -> tuple[dict[str, tuple[int, dict]], int]:
        return self.inner.changes(since)

    def scan(self, prefix: str) -> dict[str, dict]:
        return self.inner.scan(prefix)

    def seq(self) -> int:
        return self.inner.seq()

    def ping(self) -> bool:
        return self.inner.ping()

    def durability(self) -> list[str]:
        return self.inner.durability()

    def close(self) -> None:
        self.inner.close()
