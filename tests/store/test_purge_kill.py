"""A purge killed with SIGKILL half-way, then ``live purge`` run again: on Redis and on SQLite the
second run completes, and no name, device link or consent is left in the store, nor on its disk
(SQLite's file and write-ahead log; Redis's append-only file once it is rewritten)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from conftest import ROOT

from live.core import personal
from live.core.privacy import NOTICE_VERSION
from live.services.day import Day
from live.services.desk import AUDIT, PREFIX
from live.store import SqliteStore
from live.store.redis import RedisStore

ASKERS = ("Nông Thị Hoa", "Lò Văn Sáng", "Triệu Thị Mai", "Hoàng Văn Nam")

# the real purge, one question per batch, killed by its own hand once the first batch is written
KILLED_PURGE = """
import os, signal, time
from live.services import retention
from live.store import open_store
from live.web import config

store = open_store(config.from_env())

def die(batches):
    print(f"batch {batches} written", flush=True)
    os.kill(os.getpid(), signal.SIGKILL)

retention.purge(store, time.time(), role="system", name="test", batch=1, after_batch=die)
print("not killed", flush=True)
"""


def run(args: list[str], env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("LIVE_")}
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=60,
        env={**clean, "PYTHONWARNINGS": "ignore", **env},
    )  # fmt: skip


def encodings(text: str) -> list[bytes]:
    """How a string may sit on disk: UTF-8, or JSON's \\u escapes."""
    return [text.encode(), json.dumps(text).strip('"').encode()]


def a_day_of_askers(store) -> list[str]:
    """The demo conference (28/08/2025: its 60 days are long over) with named, consenting askers
    on phones and on paper, a duplicate merged, and an audit entry that copied a name."""
    day = Day(store)
    day.setup(demo=True)
    devices = []
    ids = []
    for n, name in enumerate(ASKERS[:3]):
        device = f"thiet-bi-{uuid.uuid4().hex}"
        devices.append(device)
        record, _, _ = day.desk.submit(
            {"id": str(uuid.uuid4()), "site": "1304", "text": f"Câu hỏi số {n + 1} về việc làm cho thanh niên?",
             "name": name, "group": "cong_nhan", "consent": {"name": NOTICE_VERSION, "group": NOTICE_VERSION}},
            device=device, address="10.0.0.1",
        )  # fmt: skip
        ids.append(record["id"])
    paper, _, _ = day.desk.enter(
        {"id": str(uuid.uuid4()), "site": "hall", "channel": "paper", "name": ASKERS[3],
         "text": "Câu hỏi số 1 về việc làm cho thanh niên ạ?"},
        by="Thư ký Lan",
    )  # fmt: skip
    day.desk.act("merge", {"id": paper["id"], "version": paper["version"], "into": ids[0]}, role="moderator")
    store.put(
        f"{AUDIT}{time.time_ns():020d}:{ids[1][:12]}",
        {"at": time.time(), "role": "moderator", "name": "Lan", "action": "edit", "question": ids[1],
         "code": "AAAAAA", "before": {"name": ASKERS[1]}, "after": {"name": None}},
    )  # fmt: skip
    return devices


def assert_nothing_left(store, devices: list[str]) -> None:
    everything = json.dumps(store.scan(""), ensure_ascii=False)
    for secret in (*ASKERS, *devices):
        assert secret not in everything
    found = store.scan(PREFIX)
    assert len(found) == 4
    for q in found.values():
        assert (q["name"], q["device"], q["consent"]) == (None, None, None)
        assert q["text"].startswith("Câu hỏi số")  # the record keeps the texts
        assert all(o["name"] is None and o["consent"] is None for o in q.get("origins") or [])
    audit = [e for e in store.scan(AUDIT).values() if e["action"] == "edit"]
    assert audit[0]["before"] == {"name": personal.REMOVED}


def kill_mid_purge_then_purge(env: dict, store_factory) -> None:
    killed = run(["-c", KILLED_PURGE], env)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert killed.stdout == "batch 1 written\n"
    store = store_factory()
    try:
        questions = list(store.scan(PREFIX).values())
        # killed half-way: one question purged, the others untouched, no purge recorded
        assert sum(personal.holds_asker_data(q) for q in questions) == 3
        assert not any(e["action"] == "purge" for e in store.scan(AUDIT).values())
    finally:
        store.close()

    again = run(["-m", "live", "purge"], env)
    assert again.returncode == 0, again.stderr
    assert "đã xoá dữ liệu cá nhân của 3 câu hỏi và 1 mục nhật ký" in again.stdout
    assert "purged the personal data of 3 questions and 1 audit entries" in again.stdout
    for name in ASKERS:
        assert name not in again.stdout + again.stderr

    last = run(["-m", "live", "purge", "--check"], env)
    assert last.returncode == 0 and "dữ liệu cá nhân của 0 câu hỏi" in last.stdout


def test_sqlite_a_purge_killed_mid_way_completes_when_run_again_and_leaves_nothing_on_disk(tmp_path):
    data = tmp_path / "data"
    store = SqliteStore(str(data))
    devices = a_day_of_askers(store)
    store.close()
    assert any(ASKERS[0].encode() in p.read_bytes() for p in data.iterdir())

    kill_mid_purge_then_purge({"LIVE_DATA_DIR": str(data)}, lambda: SqliteStore(str(data)))

    store = SqliteStore(str(data))
    assert_nothing_left(store, devices)
    purges = [e for e in store.scan(AUDIT).values() if e["action"] == "purge"]
    assert [(e["count"], e["role"], e["name"]) for e in purges] == [(3, "system", "live purge")]
    store.close()
    # secure_delete zeroed the old values, the checkpoint emptied the write-ahead log
    for path in data.iterdir():
        raw = path.read_bytes()
        for secret in (*ASKERS, *devices):
            for form in encodings(secret):
                assert form not in raw, (path.name, secret)


def test_redis_a_purge_killed_mid_way_completes_when_run_again_and_the_aof_is_rewritten(make_redis):
    redis_server = make_redis()
    prefix = f"purge-kill-{uuid.uuid4().hex[:8]}"
    store = RedisStore(redis_server.url, prefix=prefix)
    devices = a_day_of_askers(store)
    store.close()
    aof = Path(redis_server.directory) / "appendonlydir"
    assert any(ASKERS[0].encode() in p.read_bytes() for p in aof.iterdir())

    env = {"LIVE_REDIS_URL": redis_server.url, "LIVE_REDIS_PREFIX": prefix}
    kill_mid_purge_then_purge(env, lambda: RedisStore(redis_server.url, prefix=prefix))

    store = RedisStore(redis_server.url, prefix=prefix)
    assert_nothing_left(store, devices)
    # the purge asked for an append-only file rewrite: once done, the old values are gone from disk
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        info = store._redis.info("persistence")
        if not info["aof_rewrite_in_progress"] and not info["aof_rewrite_scheduled"]:
            break
        time.sleep(0.1)
    else:
        pytest.fail("the append-only file was not rewritten")
    assert store._redis.info("persistence")["aof_last_bgrewrite_status"] == "ok"
    store.close()
    for path in aof.iterdir():
        raw = path.read_bytes()
        for secret in (*ASKERS, *devices):
            for form in encodings(secret):
                assert form not in raw, (path.name, secret)


def test_live_purge_before_the_due_date_says_when_and_touches_nothing(tmp_path):
    data = tmp_path / "data"
    store = SqliteStore(str(data))
    a_day_of_askers(store)
    store.put("conference", {**store.get("conference"), "date": "2099-08-28"})
    store.put("retention", {"days": 30, "set_at": 1.0, "by": "admin"})
    seq = store.seq()
    store.close()
    said = run(["-m", "live", "purge", "--now"], {"LIVE_DATA_DIR": str(data)})
    assert said.returncode == 0, said.stderr
    assert said.stdout == (
        "live purge: chưa đến hạn — dữ liệu cá nhân của 4 câu hỏi được xoá từ 00:00 ngày 28/09/2099 "
        "(thời hạn lưu 30 ngày). / not due yet: the personal data of 4 questions is purged from 00:00 on "
        "28/09/2099 (retention 30 days).\n"
    )
    store = SqliteStore(str(data))
    assert store.seq() == seq
    store.close()
