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

from live.core.errors import StoreUnavailable

Insert = tuple[str, dict]
Result = tuple[dict, "int | None"]  # (the document now stored, its seq; None: it was there already)

MAX_BATCH = 500


class _Batch:
    """The inserts queued while no one was writing, and one lock their callers wait on until the
    writer releases it (a plain lock: the cheapest thing to wait on with green threads, and one
    per batch rather than one per insert)."""

    __slots__ = ("items", "results", "error", "done", "_lock")

    def __init__(self) -> None:
        self.items: list[Insert] = []
        self.results: list[Result] = []
        self.error: BaseException | None = None
        self.done = False
        self._lock = threading.Lock()
        self._lock.acquire()

    def finish(self) -> None:
        self.done = True
        self._lock.release()

    def wait(self) -> None:
        # no time-out: with green threads each one costs a timer, a fifth of the CPU in a burst;
        # the writer always finishes what it took (see GroupCommit._drain)
        self._lock.acquire()
        self._lock.release()


class GroupCommit:
    """``insert(key, doc)`` through ``write(batch)``, which inserts a list in one atomic call."""

    def __init__(self, write: Callable[[list[Insert]], list[Result]], max_batch: int = MAX_BATCH) -> None:
        self._write = write
        self._max = max_batch
        self._batches: list[_Batch] = []  # waiting to be written, oldest first; the last one open
        self._queue_lock = threading.Lock()  # held only to join or take a batch
        self._writer = threading.Lock()  # held by the one caller writing batches

    def insert(self, key: str, doc: dict) -> Result:
        with self._queue_lock:
            if not self._batches or len(self._batches[-1].items) >= self._max:
                self._batches.append(_Batch())
            batch = self._batches[-1]
            place = len(batch.items)
            batch.items.append((key, doc))
        while True:
            if self._writer.acquire(blocking=False):
                try:
                    # let the callers already running (green threads: every event read so far)
                    # join this batch first
                    time.sleep(0)
                    self._drain()  # writes ours too: it joined before we took the lock
                finally:
                    self._writer.release()
                # someone who joined while we were writing, and found the lock taken, relies on
                # the writer looking once more after letting go: write theirs too
                with self._queue_lock:
                    if not self._batches:
                        break
            else:  # the writer holding the lock writes ours
                batch.wait()
                break
        if batch.error is not None:
            raise batch.error
        return batch.results[place]

    def _drain(self) -> None:
        while True:
            with self._queue_lock:
                if not self._batches:
                    return
                batch = self._batches.pop(0)
            try:
                batch.results = self._write(batch.items)
            except Exception as error:  # every insert of the batch failed: nothing was written
                batch.error = error
            except BaseException:  # this thread is being stopped: fail what waits, then stop
                with self._queue_lock:
                    stranded, self._batches = [batch, *self._batches], []
                for other in stranded:
                    other.error = StoreUnavailable()
                    other.finish()
                raise
            batch.finish()
