"""``live loadtest`` keeps to a store of its own (issue 23, item 6): pointed at the real day's store
it refuses before sending anything, and a load test run against a rehearsal server leaves the real
day's server and store exactly as they were."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid

from browser import wait_until
from conftest import ROOT

from live.store import open_store

REHEARSAL = {"LIVE_RATE_LIMITS": "device=1000/0.01,site=100000/0.0001,address=100000/0.0001"}


def loadtest(url: str, data_dir, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "live", "loadtest", url, "--data-dir", str(data_dir), "--no-progress", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def questions_in(data_dir) -> dict[str, dict]:
    store = open_store({"DATA_DIR": str(data_dir)})
    try:
        return store.scan("q:")
    finally:
        store.close()


def test_the_load_test_never_writes_into_the_real_days_store(make_server, connect_phone, tmp_path):
    day = make_server()
    real = {"id": str(uuid.uuid4()), "site": "hall", "text": "Câu hỏi thật của ngày hội nghị"}
    phone = connect_phone(day, site="hall")
    assert phone.call("question.submit", real)["ok"]
    phone.close()
    wait_until(lambda: day.health()["connections"] == 0, message="the phone gone")
    seq = day.health()["seq"]

    # pointed at the real day: refused before a single phone connects
    refused = loadtest(day.url, day.data_dir, "--phones", "5", "--duration", "2")
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "kho của một hội nghị thật" in refused.stderr and "store of its own" in refused.stderr
    assert day.health()["seq"] == seq and day.health()["connections"] == 0
    # with the links given by hand, naming the day's store still refuses
    mc = day.links()["mc"]
    named = loadtest(day.url, day.data_dir, "--link", f"mc={mc}", "--phones", "5", "--duration", "2")
    assert named.returncode == 2 and day.health()["seq"] == seq

    # a rehearsal server on a store of its own: the load test runs there, the day's store stays as it was
    rehearsal = make_server(env=REHEARSAL, data_dir=tmp_path / "rehearsal")
    out = tmp_path / "report.json"
    ran = loadtest(rehearsal.url, rehearsal.data_dir, "--phones", "10", "--staff", "2", "--rate", "10",
                   "--duration", "2", "--show-every", "0", "--drain", "5", "--json", str(out))  # fmt: skip
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert json.loads(out.read_text())["questions"]["acknowledged"] > 0
    assert day.health()["seq"] == seq
    stored = questions_in(day.data_dir)
    assert [q["id"] for q in stored.values()] == [real["id"]]
    assert all(k.startswith("q:lt-") for k in questions_in(rehearsal.data_dir))
