"""The garbage collector, arranged for a process that holds thousands of connections all day.

CPython collects its oldest generation whenever a quarter more objects have survived into it
since the last such collection: while 10,000 phones reconnect after a restart that is a full walk
of everything the process holds every few seconds, 0.2–0.4 s each with every connection waiting
(measured: 1.4 s of the 11.7 s the server spent on the reconnect, and the staff screens stalled
behind each pause).

Here the oldest generation is never collected on CPython's schedule. Everything alive at start-up
is frozen (moved out of the collector's sight), and every ``PERIOD`` seconds ``tend`` collects
what arrived since and freezes what is left. The walk takes as long as the period's new objects
are many, and CPython's own count of them misleads: every object freed, frozen ones included,
counts as one fewer young object, so objects that replace others (the waiter, bound method and
tuples gevent makes each time a connection's reader waits again: about 6 per message read, the
previous ones freed) pile up in the youngest generation without ever starting its collection.
Measured at 10,000 idle phones: 60,000 young objects counted as 95, a 62 ms walk every 30 s, one
staff action in forty 163 ms late; every 5 s a heartbeat wave still left 30,000 (30 ms); every
second it is a few milliseconds. A period that brought a storm (10,000 phones: about 600,000
objects, a walk of 0.38 s) has only its young generations collected before it is frozen: the
cyclic garbage among the survivors stays. Measured: 191 objects after 10,000 phones reconnected,
268 after 2,000 phones connected and all went.

A frozen object that is later released is still freed by its reference count (a phone's objects
once it has gone); only garbage held in a reference cycle whose objects were frozen stays.
"""

from __future__ import annotations

import gc
import logging
import time

log = logging.getLogger("live.memory")

PERIOD = 1.0  # seconds between collections of what arrived since the last (the pause grows with it)
# Collections of the middle generation since the last period up to which the oldest is walked
# too: each moves at most a few thousand objects into it (so ~60,000 at most, ~0.6 µs each)
WALKS = 8
_seen = 0  # the oldest generation's counter (middle collections since a full one) at the last tend
NEVER = 1 << 30  # a threshold the oldest generation's counter never reaches
SLOW = 0.05  # seconds: a collection this long is logged


def settle() -> None:
    """At start-up: collect, freeze what is left, and stop CPython's own full collections."""
    global _seen
    gc.collect()
    gc.freeze()
    _seen = gc.get_count()[2]
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, NEVER)


def tend(clock=time.perf_counter) -> tuple[int, float]:
    """Collect what arrived since the last call (everything older is frozen), only its young
    generations if more than ``WALKS`` collections of the middle one moved objects into the
    oldest, and freeze what is left; returns (objects collected, seconds taken)."""
    global _seen
    began = clock()
    generation = 2 if gc.get_count()[2] - _seen <= WALKS else 1
    found = gc.collect(generation)
    gc.freeze()
    _seen = gc.get_count()[2]  # after the freeze, which sets the counters to 0 (CPython 3.11)
    took = clock() - began
    if took >= SLOW:
        log.info("garbage collection (generations 0-%d): %d objects freed in %.0f ms", generation, found, took * 1000)
    return found, took


def keep_tidy(sleep) -> None:
    """Run ``tend`` every ``PERIOD`` seconds, for ever (a background task of the server)."""
    while True:
        sleep(PERIOD)
        try:
            tend()
        except Exception:  # noqa: BLE001 (the collector must outlive one failure)
            log.exception("garbage collection failed")
