"""Group commit: many threads' inserts written together, one round trip and one fsync per batch.

A phone's question is acknowledged only once it is on disk. Written one by one, each question
costs the store a round trip and (SQLite, Redis with ``appendfsync always``) an fsync, and under a
burst each waits for a connection while thousands of others hold theirs: a few hundred
acknowledgements per second at best, and time-outs once the burst outgrows the pool. Here the
first caller to find no batch being written writes everything waiting (its own insert included);
the others wait for it. A batch is one store call, so the time a burst takes grows with the
number of batches, not the number of questions.

Works with real threads and with eventlet's or gevent's monkey-patched ones.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

Insert = tuple[str, dict]
Result = tuple[dict, "int | None"]  # (the document now stored, its seq; None: it was there already)

MAX_BATCH = 500


class _Waiter:
    """One insert, and a lock its caller waits on until the batch writer releases it (a plain
    lock: the cheapest thing to wait on with green threads; an Event is a Condition and more)."""

    __slots__ = ("item", "result", "error", "done", "_lock")

    def __init__(self, item: Insert) -> None:
        self.item = item
        self.result: Result | None = None
        self.error: BaseException | None = None
        self.done = False
        self._lock = threading.Lock()
        self._lock.acquire()

    def finish(self) -> None:
        self.done = True
        self._lock.release()

    def wait(self, timeout: float) -> bool:
        if self._lock.acquire(timeout=timeout):
            self._lock.release()
        return self.done


class GroupCommit:
    """``insert(key, doc)`` through ``write(batch)``, which inserts a list in one atomic call."""

    def __init__(self, write: Callable[[list[Insert]], list[Result]], max_batch: int = MAX_BATCH) -> None:
        self._write = write
        self._max = max_batch
        self._queue: list[_Waiter] = []
        self._queue_lock = threading.Lock()  # held only to add to or take from the queue
        self._writer = threading.Lock()  # held by the one caller writing a batch

    def insert(self, key: str, doc: dict) -> Result:
        waiter = _Waiter((key, doc))
        with self._queue_lock:
            self._queue.append(waiter)
        while True:
            if self._writer.acquire(blocking=False):
                try:
                    # let the callers already running (green threads: every event read so far)
                    # queue theirs first, so that they share this batch
                    time.sleep(0)
                    self._drain()  # writes ours too: it was queued before we took the lock
                finally:
                    self._writer.release()
                # someone who queued while we were writing, and found the lock taken, relies on
                # the writer looking once more after letting go: write theirs too
                with self._queue_lock:
                    if not self._queue:
                        break
            elif waiter.wait(1.0):  # the writer holding the lock writes ours (1 s: a safety net only)
                break
        if waiter.error is not None:
            raise waiter.error
        return waiter.result

    def _drain(self) -> None:
        while True:
            with self._queue_lock:
                batch, self._queue = self._queue[: self._max], self._queue[self._max :]
            if not batch:
                return
            try:
                results = self._write([w.item for w in batch])
            except BaseException as error:  # every insert of the batch failed: nothing was written
                for w in batch:
                    w.error = error
                    w.finish()
                if not isinstance(error, Exception):
                    raise
                continue
            for w, result in zip(batch, results, strict=True):
                w.result = result
                w.finish()
