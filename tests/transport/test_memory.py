"""The garbage collector's arrangement (live/transport/memory.py): no full collection on CPython's schedule,
and what arrives is collected and frozen every period, so a reconnect storm costs one short walk.
In this process, with the collector's state restored after each test."""

from __future__ import annotations

import gc
import weakref

import pytest

from live.transport import memory


@pytest.fixture(autouse=True)
def restore_collector():
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)
    gc.collect()


class Box:
    pass


class Node:
    def __init__(self) -> None:
        self.other = self


def test_after_start_up_only_the_young_generations_are_collected_on_cpythons_schedule():
    before = gc.get_threshold()
    memory.settle()
    assert gc.get_freeze_count() > 0, "what start-up built is out of the collector's sight"
    young, middle, oldest = gc.get_threshold()
    assert (young, middle) == before[:2]
    assert oldest == memory.NEVER
    walked: list[int] = []

    def seen(phase, info):
        if phase == "start":
            walked.append(info["generation"])

    gc.callbacks.append(seen)
    try:
        # far more than a quarter of what is unfrozen survives: CPython would walk everything
        survivors = [Node() for _ in range(200_000)]
    finally:
        gc.callbacks.remove(seen)
    assert len(survivors) == 200_000 and walked, "the young generations were collected"
    assert 2 not in walked, "no full collection"


def test_a_cycle_dropped_after_start_up_is_freed_at_the_next_tend_and_nothing_alive_is_lost():
    memory.settle()
    dropped = Node()
    gone = weakref.ref(dropped)
    kept = Node()
    kept.payload = ["câu hỏi"] * 3
    del dropped
    assert any(found is kept for found in gc.get_objects())
    found, took = memory.tend(clock=iter([10.0, 10.002]).__next__)
    assert gone() is None and found >= 1
    assert took == pytest.approx(0.002)
    assert kept.payload == ["câu hỏi"] * 3, "alive and untouched"
    assert all(found is not kept for found in gc.get_objects()), "frozen: no later collection walks it"


def test_a_frozen_object_released_later_is_still_freed_by_its_reference_count():
    memory.settle()
    watched = Box()  # no cycle: a phone's objects once it has gone, as measured
    watched.items = [Box() for _ in range(100)]
    alive = weakref.ref(watched)
    memory.tend()
    frozen = gc.get_freeze_count()
    del watched
    assert alive() is None
    assert gc.get_freeze_count() <= frozen - 100


def test_a_slow_collection_is_logged(caplog):
    memory.settle()
    with caplog.at_level("INFO", logger="live.memory"):
        memory.tend(clock=iter([0.0, 0.2]).__next__)
        memory.tend(clock=iter([0.0, 0.001]).__next__)
    assert [r.getMessage() for r in caplog.records] == [caplog.records[0].getMessage()]
    assert "200 ms" in caplog.records[0].getMessage()


def test_the_background_task_tends_every_period_and_survives_a_failure(monkeypatch):
    calls: list[str] = []
    slept: list[float] = []

    def tend():
        calls.append("tend")
        if len(calls) == 2:
            raise RuntimeError("one bad pass")

    class Stop(Exception):
        pass

    def sleep(seconds):
        slept.append(seconds)
        if len(slept) > 3:
            raise Stop

    monkeypatch.setattr(memory, "tend", tend)
    with pytest.raises(Stop):
        memory.keep_tidy(sleep)
    assert calls == ["tend"] * 3, "the failure on the second pass did not stop the third"
    assert slept == [memory.PERIOD] * 4


def test_after_a_storm_only_the_young_are_walked_and_the_survivors_frozen(monkeypatch):
    """Many objects survived since the last period: no long walk; a cycle dropped while still
    young is collected, the storm's survivors are frozen as they are."""
    memory.settle()
    memory.tend()
    monkeypatch.setattr(memory, "WALKS", 1)
    storm = [Node() for _ in range(5000)]
    gc.collect(1)
    gc.collect(1)  # the storm's objects survived into the oldest generation
    old_cycle = storm.pop()
    old_gone = weakref.ref(old_cycle)
    del old_cycle
    young = Node()
    young_gone = weakref.ref(young)
    del young
    memory.tend()
    assert young_gone() is None, "the young generations were collected"
    assert old_gone() is not None, "the storm's garbage was frozen, not walked"
    assert all(found is not storm[0] for found in gc.get_objects())


def test_every_storm_is_walked_young_only_and_a_quiet_period_in_full(monkeypatch):
    """Storm after storm, none costs a full walk (the count of middle collections is taken after
    the freeze, which resets it: read before, the second storm was walked in full, 0.3 s at
    10,000 phones); a quiet period after them is walked in full (its cyclic garbage freed)."""
    memory.settle()
    monkeypatch.setattr(memory, "WALKS", 2)
    walked: list[int] = []

    def record(phase, info):
        if phase == "start":
            walked.append(info["generation"])

    def tend() -> list[int]:
        walked.clear()
        gc.callbacks.append(record)
        try:
            memory.tend()
        finally:
            gc.callbacks.remove(record)
        return list(walked)

    kept = []
    for storm in range(3):
        kept.append([Node() for _ in range(2000)])
        for _ in range(4):  # more collections of the middle generation than WALKS
            gc.collect(1)
        assert tend() == [1], f"storm {storm} was walked in full"
    cycle = Node()
    gone = weakref.ref(cycle)
    gc.collect(1)  # one middle collection: the cycle is in the oldest generation
    del cycle
    assert tend() == [2], "a quiet period is walked in full"
    assert gone() is None
