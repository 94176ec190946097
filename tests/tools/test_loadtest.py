"""``live loadtest`` against a real server: a rehearsal that loses nothing, one whose server dies,
one whose server is killed and comes back, and the wipe that leaves no rehearsal behind."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from browser import wait_until
from conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))

REHEARSAL = {"LIVE_RATE_LIMITS": "device=1000/0.01,site=100000/0.0001,address=100000/0.0001"}


def loadtest(server, out: Path, *args: str) -> subprocess.Popen:
    """``live loadtest`` against ``server``, links read from its data directory like a deployer would."""
    return subprocess.Popen(
        [sys.executable, "-m", "live", "loadtest", server.url, "--data-dir", str(server.data_dir),
         "--json", str(out), *args],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def finish(proc: subprocess.Popen, timeout: float = 120) -> tuple[int, str, str]:
    stdout, stderr = proc.communicate(timeout=timeout)
    return proc.returncode, stdout, stderr


def sending(server, phones: int, staff: int, questions: int = 10, timeout: float = 30) -> None:
    """Until the load test's phones and screens are all connected and its questions are being
    stored: then the run is under way."""
    wait_until(lambda: server.health()["connections"] >= phones + staff, timeout=timeout, message="all connected")
    start = server.health()["seq"]
    wait_until(lambda: server.health()["seq"] >= start + questions, timeout=timeout, message="questions arriving")


def test_fifty_phones_and_three_screens_lose_nothing_and_the_wipe_leaves_nothing(make_server, async_mode, tmp_path):
    server = make_server(async_mode, env=REHEARSAL)
    out = tmp_path / "report.json"
    proc = loadtest(server, out, "--phones", "50", "--staff", "3", "--rate", "15", "--duration", "6",
                    "--show-every", "1.5")  # fmt: skip
    code, stdout, stderr = finish(proc)
    assert code == 0, stdout + stderr
    report = json.loads(out.read_text())
    assert report["connected"]["phones"] == 50 and report["connected"]["staff"] == 3
    q = report["questions"]
    assert q["sent"] >= 60 and q["acknowledged"] == q["sent"] == q["found"]
    assert q["lost"] == 0 and q["unverified"] == 0 and not q["limited"]
    staff = report["fanout"]["staff"]
    assert staff["latency"]["n"] == staff["delivered"] == staff["expected"] > 0
    assert report["fanout"]["asker"]["delivered"] == report["fanout"]["asker"]["expected"] > 0
    assert report["ack_latency"]["p99"] > 0
    assert "RESULT: OK" in stdout and "MẤT/LOST 0" in stdout

    # the rehearsal is over: a wipe while the server runs refuses, after it stops deletes everything
    wipe = [sys.executable, "-m", "live", "loadtest", "--wipe", "--data-dir", str(server.data_dir)]
    busy = subprocess.run(wipe, cwd=ROOT, capture_output=True, text=True)
    assert busy.returncode == 1 and "dừng máy chủ" in busy.stderr
    assert (server.data_dir / "live.sqlite3").exists()
    server.stop()
    done = subprocess.run(wipe, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert not list(server.data_dir.glob("live.sqlite3*"))
    fresh = make_server(async_mode, data_dir=server.data_dir)
    assert fresh.health()["seq"] <= 3  # a new conference: nothing of the rehearsal's questions


def test_the_wipe_refuses_a_store_with_real_questions(server, connect_phone):
    phone = connect_phone(server, site="hall")
    assert phone.call("question.submit", {"id": "a-real-question-0001", "site": "hall", "text": "Câu hỏi thật"})["ok"]
    server.stop()
    wipe = subprocess.run(
        [sys.executable, "-m", "live", "loadtest", "--wipe", "--data-dir", str(server.data_dir)],
        cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    assert wipe.returncode == 1 and "không phải kho tập dượt" in wipe.stderr
    assert (server.data_dir / "live.sqlite3").exists()


def test_a_server_that_dies_mid_run_is_reported_as_losses(make_server, async_mode, tmp_path):
    server = make_server(async_mode, env=REHEARSAL)
    out = tmp_path / "report.json"
    proc = loadtest(server, out, "--phones", "30", "--staff", "2", "--rate", "20", "--duration", "6",
                    "--show-every", "0", "--drain", "2", "--no-progress")  # fmt: skip
    sending(server, phones=30, staff=2)
    server.kill9()
    code, stdout, stderr = finish(proc)
    assert code == 1, stdout + stderr
    report = json.loads(out.read_text())
    assert report["connected"]["phones"] == 0 and report["connected"]["disconnects"] >= 30
    q = report["questions"]
    assert q["lost"] + q["unverified"] > 0 and q["found"] < q["acknowledged"] + 1
    assert "KHÔNG ĐẠT" in stdout and "RESULT: FAILED" in stdout


def test_kill_9_and_restart_mid_run_loses_nothing_and_counts_the_reconnections(make_server, async_mode, tmp_path):
    server = make_server(async_mode, env=REHEARSAL)
    out = tmp_path / "report.json"
    proc = loadtest(server, out, "--phones", "30", "--staff", "2", "--rate", "20", "--duration", "14",
                    "--show-every", "0", "--no-progress")  # fmt: skip
    sending(server, phones=30, staff=2)
    server.kill9()
    server.start()
    code, stdout, stderr = finish(proc)
    assert code == 0, stdout + stderr
    report = json.loads(out.read_text())
    assert report["connected"]["reconnects"] >= 32 and report["connected"]["phones"] == 30
    q = report["questions"]
    assert q["lost"] == 0 and q["acknowledged"] == q["sent"] == q["found"]


def test_the_benchmark_table_marks_each_target_met_or_not():
    import report as bench_report

    figures = {
        "live-gevent": {"staff_p99": 0.031, "phones_p99": 0.30, "submissions_per_s": 3100, "burst_p99": 1.2,
                        "burst_lost": 0, "resync_staff": 1.1, "resync_phones": 9.5, "kb_per_conn": 38.0,
                        "idle_messages": 0, "page_kb": 31.0},
        "reference": {"staff_p99": 0.12, "phones_p99": 0.12, "submissions_per_s": 4000, "burst_p99": 0.5,
                      "burst_lost": 0, "resync_staff": 0.5, "resync_phones": 2.0, "kb_per_conn": 14.0,
                      "idle_messages": 0, "page_kb": None},
    }  # fmt: skip
    marks = {t["key"]: t for t in bench_report.targets(figures["live-gevent"], figures["reference"])}
    assert marks["staff_p99"]["met"] is True  # 31 ms ≤ 50 ms and faster than the reference's 120 ms
    assert marks["phones_p99"]["met"] is False  # 300 ms > 2 × 120 ms
    assert marks["submissions_per_s"]["met"] is True
    assert marks["burst"]["met"] is True
    assert marks["resync"]["met"] is False  # phones took 9.5 s > 8 s
    assert marks["kb_per_conn"]["met"] is True
    assert marks["idle_messages"]["met"] is True
    assert marks["page_kb"]["met"] is True
    table = bench_report.table(figures, reference="reference")
    assert "| staff fan-out p99 | 31 ms | 120 ms |" in table.replace("  ", " ")
    assert "0.26×" in table  # 31 / 120
