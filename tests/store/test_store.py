"""The contract every store backend keeps (``live.store.base.Store``).

One suite, run against each backend through the ``store`` fixture: what the services rely on —
a transaction is all or nothing, every change bumps one sequence number by exactly one, nothing
acknowledged is lost on restart, and concurrent writers never lose an update.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from live.core.errors import DomainError, StoreUnavailable
from live.store import SqliteStore, Store, open_store
from live.store.redis import RedisStore

BACKENDS = ["sqlite", "redis"]


def _open(backend: str, where: Path, redis_url: str) -> Store:
    if backend == "sqlite":
        return SqliteStore(str(where))
    if backend == "redis":  # the test's own prefix in the session's Redis: the same data on reopen
        return RedisStore(redis_url, prefix=f"test-{where.parent.name}")
    raise AssertionError(f"unknown backend {backend}")


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def reopen(backend, tmp_path, request):
    """``reopen()`` → a new connection to the same data (a restarted server, a second process)."""
    opened: list[Store] = []
    url = request.getfixturevalue("redis_server").url if backend == "redis" else ""

    def open_again() -> Store:
        store = _open(backend, tmp_path / "data", url)
        opened.append(store)
        return store

    yield open_again
    for store in opened:
        try:
            store.close()
        except Exception:
            pass


@pytest.fixture
def store(reopen) -> Store:
    return reopen()


def bump(key: str = "counter"):
    def fn(docs):
        return {key: {"n": (docs[key] or {"n": 0})["n"] + 1}}

    return fn


# ---------------------------------------------------------------- reading and writing


def test_a_new_store_is_empty(store):
    assert store.get("conference") is None
    assert store.seq() == 0
    assert store.ping() is True
    assert store.backend != "?"


def test_put_then_get(store):
    doc = {"title": "Hội nghị đối thoại", "agenda": [{"id": "a1", "minutes": 7.5}], "empty": None, "ok": True}
    seq = store.put("conference", doc)
    assert seq == 1
    assert store.get("conference") == doc
    assert store.get("clock") is None


def test_vietnamese_and_odd_text_round_trip_exactly(store):
    doc = {"t": "Hội nghị 🎉 \u202e\x00 \"'\\ <script>", "k": {"nested": ["ă", "đ", 1, 2.5]}}
    store.put("x", doc)
    assert store.get("x") == doc


def test_get_returns_a_copy_callers_cannot_change_the_store(store):
    store.put("conference", {"title": "A", "agenda": []})
    got = store.get("conference")
    got["title"] = "B"
    got["agenda"].append(1)
    assert store.get("conference") == {"title": "A", "agenda": []}


def test_put_replaces_the_whole_document(store):
    store.put("conference", {"title": "A", "venue": "Hội trường"})
    store.put("conference", {"title": "B"})
    assert store.get("conference") == {"title": "B"}


def test_transact_sees_missing_keys_as_none_and_returns_what_it_wrote(store):
    seen = {}

    def fn(docs):
        seen.update(docs)
        return {"clock": {"current": "a1"}}

    written, seq = store.transact(("clock", "speaker"), fn)
    assert seen == {"clock": None, "speaker": None}
    assert written == {"clock": {"current": "a1"}}
    assert seq == store.seq() == 1
    assert store.get("clock") == {"current": "a1"}
    assert store.get("speaker") is None


def test_transact_writes_several_documents_together(store):
    store.transact(("conference", "clock"), lambda docs: {"conference": {"title": "A"}, "clock": {"current": None}})
    assert store.get("conference") == {"title": "A"}
    assert store.get("clock") == {"current": None}
    assert store.seq() == 1


# ---------------------------------------------------------------- all or nothing


def test_a_refused_transaction_writes_nothing_and_keeps_seq(store):
    store.put("conference", {"title": "A"})
    store.put("clock", {"current": "a1"})
    before = store.seq()

    def refuse(docs):
        raise DomainError("clock.not_running")

    with pytest.raises(DomainError) as info:
        store.transact(("conference", "clock"), refuse)
    assert info.value.code == "clock.not_running"
    assert store.seq() == before
    assert store.get("conference") == {"title": "A"}
    assert store.get("clock") == {"current": "a1"}


def test_a_transaction_that_fails_half_way_writes_nothing(store):
    store.put("conference", {"title": "A"})
    before = store.seq()

    def half(docs):
        # the first document could be written before the second fails to serialise
        return {"conference": {"title": "B"}, "clock": {"bad": object()}}

    with pytest.raises((TypeError, ValueError)):  # not JSON
        store.transact(("conference", "clock"), half)
    assert store.get("conference") == {"title": "A"}
    assert store.get("clock") is None
    assert store.seq() == before
    # and the store still works afterwards
    assert store.put("clock", {"current": None}) == before + 1


def test_writing_a_key_outside_the_transaction_is_refused_and_writes_nothing(store):
    store.put("conference", {"title": "A"})
    before = store.seq()
    with pytest.raises(KeyError):
        store.transact(("conference",), lambda docs: {"conference": {"title": "B"}, "tokens": {"admin": "x"}})
    assert store.get("conference") == {"title": "A"}
    assert store.get("tokens") is None
    assert store.seq() == before


def test_seq_increases_by_one_per_transaction(store):
    seqs = []
    for _ in range(5):
        seqs.append(store.transact(("counter",), bump())[1])
    seqs.append(store.put("other", {"n": 1}))
    assert seqs == [1, 2, 3, 4, 5, 6]
    assert store.seq() == 6
    assert store.get("counter") == {"n": 5}


def test_a_transaction_that_writes_nothing_is_not_a_change(store):
    """Start-up checks (tokens present? demo loaded?) write nothing on a restart: no new seq,
    so screens holding the last snapshot are not told to reload."""
    store.put("conference", {"title": "A"})
    written, seq = store.transact(("conference",), lambda docs: {})
    assert written == {}
    assert seq == store.seq() == 1
    assert store.put("conference", {"title": "B"}) == 2


# ---------------------------------------------------------------- durability


def test_everything_acknowledged_survives_close_and_reopen(store, reopen):
    store.put("conference", {"title": "Hội nghị đối thoại với thanh niên năm 2025"})
    for _ in range(3):
        store.transact(("counter",), bump())
    store.close()

    again = reopen()
    assert again.get("conference") == {"title": "Hội nghị đối thoại với thanh niên năm 2025"}
    assert again.get("counter") == {"n": 3}
    assert again.seq() == 4
    assert again.transact(("counter",), bump())[1] == 5


def test_a_second_connection_sees_the_first_ones_writes(store, reopen):
    other = reopen()
    store.put("conference", {"title": "A"})
    assert other.get("conference") == {"title": "A"}
    assert other.seq() == store.seq() == 1


def test_scan_returns_every_document_under_a_prefix_in_key_order(store):
    store.transact(
        ("q:b", "q:a", "qq", "p:a"), lambda docs: {"q:b": {"n": 2}, "q:a": {"n": 1}, "qq": {"n": 3}, "p:a": {}}
    )
    store.put("q:ă", {"n": 4})
    assert store.scan("q:") == {"q:a": {"n": 1}, "q:b": {"n": 2}, "q:ă": {"n": 4}}
    assert list(store.scan("q:")) == ["q:a", "q:b", "q:ă"]
    assert store.scan("nothing:") == {}


def test_scan_sees_a_refused_transaction_as_never_written(store):
    def refuse(docs):
        raise DomainError("test.refused")

    with pytest.raises(DomainError):
        store.transact(("q:x",), refuse)
    assert store.scan("q:") == {}


def test_ping_says_false_once_closed(store):
    assert store.ping() is True
    store.close()
    assert store.ping() is False


def test_open_store_picks_sqlite_in_data_dir(tmp_path):
    store = open_store({"DATA_DIR": str(tmp_path / "d")})
    try:
        assert store.backend == "sqlite"
        store.put("x", {"n": 1})
        assert (tmp_path / "d").is_dir() and any((tmp_path / "d").iterdir())
    finally:
        store.close()


# ---------------------------------------------------------------- concurrency


def _hammer(stores: list[Store], threads: int = 8, each: int = 40) -> list[int]:
    seqs: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(threads)

    def work(i: int) -> None:
        store = stores[i % len(stores)]
        try:
            start.wait()
            for _ in range(each):
                _, seq = store.transact(("counter",), bump())
                with lock:
                    seqs.append(seq)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    workers = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert not errors, errors
    assert not any(w.is_alive() for w in workers)
    return seqs


def test_concurrent_transactions_lose_no_update(store):
    seqs = _hammer([store])
    assert store.get("counter") == {"n": 8 * 40}
    assert sorted(seqs) == list(range(1, 8 * 40 + 1)), "every transaction got its own sequence number"
    assert store.seq() == 8 * 40


def test_concurrent_transactions_through_two_connections_lose_no_update(store, reopen):
    other = reopen()
    seqs = _hammer([store, other], threads=6, each=30)
    assert store.get("counter") == other.get("counter") == {"n": 6 * 30}
    assert sorted(seqs) == list(range(1, 6 * 30 + 1))


# ---------------------------------------------------------------- changes since a sequence number


def test_changes_since_a_seq_are_the_documents_written_after_it(store):
    """What a process's in-memory copy asks for: only what changed since it last looked."""
    assert store.changes(0) == ({}, 0)
    store.put("conference", {"title": "A"})
    store.transact(("q:1", "counts"), lambda docs: {"q:1": {"text": "Câu hỏi"}, "counts": {"hall": 1}})
    store.put("conference", {"title": "B"})
    assert store.changes(0) == (
        {"conference": (3, {"title": "B"}), "q:1": (2, {"text": "Câu hỏi"}), "counts": (2, {"hall": 1})},
        3,
    )
    assert store.changes(2) == ({"conference": (3, {"title": "B"})}, 3)
    assert store.changes(3) == ({}, 3)
    store.transact(("conference",), lambda docs: {})  # writes nothing: no change to report
    assert store.changes(3) == ({}, 3)


def test_changes_come_through_another_connection_and_after_reopen(store, reopen):
    store.put("clock", {"current": "a1"})
    other = reopen()
    other.put("clock", {"current": "a2"})
    assert store.changes(1) == ({"clock": (2, {"current": "a2"})}, 2)
    store.close()
    assert reopen().changes(0) == ({"clock": (2, {"current": "a2"})}, 2)


def test_open_store_picks_redis_when_a_url_is_given(redis_server, tmp_path):
    store = open_store({"DATA_DIR": str(tmp_path / "d"), "REDIS_URL": redis_server.url, "REDIS_PREFIX": "t-open"})
    try:
        assert store.backend == "redis"
        store.put("x", {"n": 1})
        assert not (tmp_path / "d").exists(), "nothing is written to the data directory"
        assert store.durability() == [], "the tests' Redis persists append-only with an fsync per write"
    finally:
        store.close()


def test_an_unreachable_redis_is_a_retryable_refusal_not_a_crash(make_redis):
    redis = make_redis()
    store = RedisStore(redis.url, prefix="t-down")
    store.put("q:1", {"text": "trước"})
    redis.kill9()
    for call in (lambda: store.get("q:1"), lambda: store.put("q:2", {}), store.seq, lambda: store.changes(0)):
        with pytest.raises(StoreUnavailable):
            call()
    assert store.ping() is False
    redis.start()  # the same port and append-only file
    assert store.get("q:1") == {"text": "trước"}
    assert store.put("q:2", {"text": "sau"}) == 2
    store.close()


def test_a_redis_that_does_not_persist_is_reported(make_redis):
    redis = make_redis(appendonly=False)
    store = RedisStore(redis.url, prefix="t-aof")
    try:
        assert any("appendonly" in warning for warning in store.durability())
    finally:
        store.close()


# ---------------------------------------------------------------- inserting new documents (questions)


def test_insert_many_writes_each_free_key_with_its_own_seq_and_keeps_what_was_there(store):
    store.put("q:old", {"text": "đã có"})
    out = store.insert_many([("q:a", {"text": "Học bổng"}), ("q:old", {"text": "khác"}), ("q:b", {"text": "Việc làm"})])
    assert out == [({"text": "Học bổng"}, 2), ({"text": "đã có"}, None), ({"text": "Việc làm"}, 3)]
    assert store.get("q:old") == {"text": "đã có"}, "an insert never overwrites"
    assert store.seq() == 3
    assert store.changes(1)[0] == {"q:a": (2, {"text": "Học bổng"}), "q:b": (3, {"text": "Việc làm"})}
    assert store.scan("q:") == {"q:a": {"text": "Học bổng"}, "q:b": {"text": "Việc làm"}, "q:old": {"text": "đã có"}}


def test_the_same_key_twice_in_one_batch_is_written_once(store):
    out = store.insert_many([("q:a", {"n": 1}), ("q:a", {"n": 2})])
    assert out == [({"n": 1}, 1), ({"n": 1}, None)]
    assert store.get("q:a") == {"n": 1} and store.seq() == 1


def test_inserted_documents_survive_close_and_reopen(store, reopen):
    store.insert_many([(f"q:{i}", {"i": i}) for i in range(50)])
    store.close()
    again = reopen()
    assert again.scan("q:") == {f"q:{i}": {"i": i} for i in range(50)}
    assert again.seq() == 50


def test_concurrent_inserts_are_batched_and_each_caller_gets_its_own_answer(store, reopen):
    """Group commit: 16 threads × 25 inserts, some of them the same key from two threads at once;
    every new key is written exactly once with a seq of its own, every caller learns whether it
    wrote or found its key, and the store did it in fewer writes than there were inserts."""
    other = reopen()
    calls = []
    inner = store.insert_many

    def counted(docs):
        calls.append(len(docs))
        return inner(docs)

    store.insert_many = counted
    results: dict[int, list] = {}
    errors = []

    def work(t: int) -> None:
        try:
            target = store if t % 4 else other  # a second connection too: another process
            results[t] = [target.insert(f"q:{(t // 2) * 100 + i}", {"t": t, "i": i}) for i in range(25)]
        except Exception as error:  # pragma: no cover (reported below)
            errors.append(error)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    written = [(doc, seq) for out in results.values() for doc, seq in out if seq is not None]
    found = [doc for out in results.values() for doc, seq in out if seq is None]
    assert len(written) == 8 * 25 and len(found) == 8 * 25, "each pair of threads shares its 25 keys"
    assert sorted(seq for _, seq in written) == list(range(1, 201)), "a seq of its own for each"
    stored = store.scan("q:")
    assert len(stored) == 200 and all(doc in stored.values() for doc in found)
    assert sum(calls) == 12 * 25 and len(calls) < 12 * 25, "threads' inserts went out together"


def test_a_failed_batch_fails_every_insert_in_it_and_writes_nothing(store):
    def broken(_docs):
        raise StoreUnavailable()

    store.insert_many = broken
    with pytest.raises(StoreUnavailable):
        store.insert("q:a", {"n": 1})
    del store.insert_many  # the store's own again
    assert store.get("q:a") is None and store.seq() == 0
    assert store.insert("q:a", {"n": 1}) == ({"n": 1}, 1)


def test_callers_of_refresh_at_the_same_moment_share_one_read_and_see_every_earlier_change(store):
    """Ten thousand phones reconnecting at once each need the stage as of their connection, not
    a read of their own: whoever arrives while a read is under way waits for the next one, which
    serves them all; nobody is answered from a read that began before it asked."""
    from live.services.replica import Replica

    replica = Replica(store)
    reads: list[int] = []
    hold = threading.Event()
    read = store.changes

    def slow_changes(since):
        reads.append(since)
        hold.wait(10)
        return read(since)

    store.changes = slow_changes
    first = threading.Thread(target=replica.refresh)
    first.start()
    while not reads:  # the first read is under way, and holds the replica
        threading.Event().wait(0.01)
    written = store.put("stage", {"question": "q-1"})
    asked = lambda: int(repr(replica._asked)[6:-1])  # noqa: E731 - the next ticket number
    before = asked()
    seen: list[int] = []
    later = [threading.Thread(target=lambda: seen.append(replica.refresh())) for _ in range(20)]
    for thread in later:
        thread.start()
    while asked() < before + 20:  # all twenty asked, after the write
        threading.Event().wait(0.01)
    hold.set()
    for thread in [first, *later]:
        thread.join(10)
    assert len(seen) == 20 and min(seen) >= written
    assert replica.get("stage") == {"question": "q-1"}
    assert len(reads) == 2, "the twenty shared one read"
