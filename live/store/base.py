"""The storage interface every backend implements, and that one contract test suite runs against."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping

Docs = Mapping[str, "dict | None"]
Transaction = Callable[[Docs], "dict[str, dict]"]


class Store(ABC):
    """Named JSON documents, changed atomically; every change bumps one global sequence number.

    ``transact(keys, fn)`` reads the documents under ``keys``, calls ``fn`` with them (``None`` for
    a missing one) and writes what ``fn`` returns, all or nothing, durably, before it returns. ``fn``
    may raise ``DomainError`` to refuse; then nothing is written. ``fn`` may be called more than
    once when another writer got there first, so it must be pure.

    Each transaction that writes something bumps the sequence number by exactly one; one that
    writes nothing (``fn`` returns ``{}``) leaves it as it is and returns it. Writing a key not in
    ``keys`` raises ``KeyError`` and writes nothing. ``tests/test_store.py`` is the contract.
    """

    backend: str = "?"

    @abstractmethod
    def get(self, key: str) -> dict | None:
        """The current document under ``key``, or ``None``."""

    @abstractmethod
    def transact(self, keys: tuple[str, ...], fn: Transaction) -> tuple[dict[str, dict], int]:
        """Apply ``fn`` atomically; return the documents written and the new sequence number."""

    @abstractmethod
    def scan(self, prefix: str) -> dict[str, dict]:
        """Every document whose key starts with ``prefix``, by key, in key order."""

    @abstractmethod
    def changes(self, since: int) -> tuple[dict[str, tuple[int, dict]], int]:
        """Every document written after sequence number ``since``, as ``key → (seq, document)``
        with the sequence number of its last write, and the current sequence number, read at one
        instant. ``changes(0)`` is everything. A process keeps its in-memory copy current with it
        (``live.services.replica``)."""

    @abstractmethod
    def seq(self) -> int:
        """The sequence number of the last change."""

    @abstractmethod
    def ping(self) -> bool:
        """Whether the store answers right now."""

    def durability(self) -> list[str]:
        """Warnings, in Vietnamese, about settings that could lose an acknowledged change."""
        return []

    def close(self) -> None:  # noqa: B027  (a backend without connections has nothing to release)
        """Release connections."""

    def compact(self) -> None:  # noqa: B027  (a backend that keeps no old copies has nothing to do)
        """After personal data was overwritten (a purge, a deletion): ask the backend to drop the
        old copies it may still keep on disk (SQLite's write-ahead log, Redis's append-only file).
        Best effort: never raises for a backend that cannot."""

    def insert_many(self, docs: list[tuple[str, dict]]) -> list[tuple[dict, int | None]]:
        """Write each document whose key is free, in order, in one atomic step; each one written
        bumps the sequence number by one. For each: (the document now stored, the seq it was
        written at), or (the document already there, None), which is left as it was."""
        out: list[tuple[dict, int | None]] = []
        for key, doc in docs:

            def fn(found, key=key, doc=doc):
                return {} if found[key] is not None else {key: doc}

            written, seq = self.transact((key,), fn)
            out.append((doc, seq) if written else (self.get(key), None))
        return out

    def insert(self, key: str, doc: dict) -> tuple[dict, int | None]:
        """``insert_many`` for one document, batched with the other threads' inserts (group
        commit: live.store.group), so a burst costs one write and one fsync per batch."""
        group = self.__dict__.get("_group")
        if group is None:
            from live.store.group import GroupCommit

            group = self.__dict__.setdefault("_group", GroupCommit(lambda docs: self.insert_many(docs)))
        return group.insert(key, doc)

    def put(self, key: str, value: dict) -> int:
        """Replace one document; returns the new sequence number."""
        return self.transact((key,), lambda _docs: {key: value})[1]
