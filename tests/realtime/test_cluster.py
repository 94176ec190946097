"""Several server processes sharing one real Redis: every screen on every process sees the same
day, concurrent changes lose nothing, and kill -9 of a process or of Redis loses no acknowledged
question. Each test runs on eventlet and on gevent."""

from __future__ import annotations

import threading
import time
import uuid
from urllib.parse import urlparse

import pytest
from browser import wait_until
from conftest import Server
from test_durability import remaining, snapshot_after, wait_connected

LIMITS = "device=100000/0.001,site=100000/0.001,address=100000/0.001"  # bursts, not the limiter


@pytest.fixture
def cluster(make_server, make_redis, async_mode):
    """``cluster(n)`` → (Redis, [n servers]) sharing that Redis; the first loads the demo."""

    def start(n: int = 3):
        redis = make_redis()
        env = {"LIVE_REDIS_URL": redis.url, "LIVE_RATE_LIMITS": LIMITS}
        return redis, [make_server(async_mode, env=env) for _ in range(n)]

    return start


def qid() -> str:
    return str(uuid.uuid4())


def question(text: str, site: str = "hall") -> dict:
    return {"id": qid(), "site": site, "text": text}


def desk_ids(moderator) -> list[str]:
    reply = moderator.call("questions.get")
    assert reply["ok"] is True, reply
    return [q["id"] for q in reply["questions"]]


def test_three_processes_serve_one_day(cluster, connect_staff, connect_phone):
    """A phone on A, the secretariat on B, the MC on C, the projector on B: all consistent."""
    _redis, (a, b, c) = cluster(3)
    paths = [{role: urlparse(url).path for role, url in s.links().items()} for s in (a, b, c)]
    assert paths[0] == paths[1] == paths[2], "one set of role links for the whole day"

    moderator = connect_staff(b, "moderator")
    mc = connect_staff(c, "mc")
    projector = connect_staff(b, "projector")
    site_screen = connect_staff(a, "site", site="1304")
    phone = connect_phone(a, site="1304")  # its device cookie is signed with the shared key

    mc.wait_for(lambda n, d: n == "roll.changed" and d["site"] == "1304" and d.get("connected") == 1)
    assert connect_staff(c, "mc").call("roll.get")["roll"]["1304"]["connected"] == 1

    sent = question("Xin hỏi về việc làm cho thanh niên sau khi sáp nhập xã?", site="1304")
    ack = phone.call("question.submit", sent)
    assert ack["ok"] is True and ack["repeated"] is False
    added = moderator.wait_for(lambda n, d: n == "question.added" and d["question"]["id"] == sent["id"])
    assert added["question"]["site"] == "1304"
    mc.wait_for(lambda n, d: n == "roll.changed" and d.get("questions") == 1)

    q = added["question"]
    approved = moderator.call("question.approve", {"id": q["id"], "version": q["version"]})
    assert approved["ok"] is True, approved
    queued = mc.wait_for(lambda n, d: n == "question.changed" and (d.get("question") or {}).get("id") == q["id"])
    assert queued["question"]["status"] == "approved"

    shown = mc.call("question.show", {"id": q["id"], "version": queued["question"]["version"]})
    assert shown["ok"] is True, shown
    current = projector.wait_for(lambda n, d: n == "question.current" and d["question"])
    assert current["question"]["text"] == sent["text"]
    assert current["question"]["site_name"] == "Xã Quảng Lâm"  # the demo's commune 1304
    phone.wait_for(lambda n, d: n == "question.status" and d["id"] == sent["id"] and d["status"] == "on_screen")

    # the bridge point's screen closes on A: the MC on C sees it gone, with the time
    site_screen.close()
    gone = mc.wait_for(lambda n, d: n == "roll.changed" and d["site"] == "1304" and d.get("connected") == 0)
    assert gone["last_seen"] is not None

    # a screen opened now on any process starts from the same state
    for server in (a, b, c):
        snap = connect_staff(server, "chair").wait_for(lambda n, d: n == "state.snapshot")
        assert snap["current_question"]["id"] == sent["id"]
        assert snap["seq"] >= shown["seq"]


def test_concurrent_changes_through_two_processes_lose_no_update(cluster, connect_staff):
    _redis, (a, b) = cluster(2)
    mc_a, mc_b = connect_staff(a, "mc"), connect_staff(b, "mc")
    assert mc_a.call("clock.start")["ok"] is True
    assert mc_a.call("clock.pause")["ok"] is True
    before = remaining(mc_a.call("state.get")["state"])

    seqs: list[int] = []
    lock = threading.Lock()

    def press(mc) -> None:
        for _ in range(20):
            reply = mc.call("clock.adjust", {"seconds": 10}, timeout=10)
            assert reply["ok"] is True, reply
            with lock:
                seqs.append(reply["seq"])

    workers = [threading.Thread(target=press, args=(mc,)) for mc in (mc_a, mc_b)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert len(seqs) == 40 and len(set(seqs)) == 40, "every change got its own sequence number"
    for mc in (mc_a, mc_b):
        assert remaining(mc.call("state.get")["state"]) == pytest.approx(before + 400, abs=0.5)


def test_two_secretaries_on_two_processes_cannot_both_act_on_one_version(cluster, connect_staff, connect_phone):
    _redis, (a, b) = cluster(2)
    phone = connect_phone(a)
    sent = question("Xin hỏi về đường giao thông nông thôn?")
    assert phone.call("question.submit", sent)["ok"] is True
    one, two = connect_staff(a, "moderator"), connect_staff(b, "moderator")
    version = next(q for q in one.call("questions.get")["questions"] if q["id"] == sent["id"])["version"]
    replies = []
    workers = [
        threading.Thread(target=lambda: replies.append(one.call("question.approve", {"id": sent["id"], "version": version}))),
        threading.Thread(target=lambda: replies.append(two.call("question.reject", {"id": sent["id"], "version": version, "reason": "duplicate"}))),
    ]  # fmt: skip
    for w in workers:
        w.start()
    for w in workers:
        w.join(10)
    assert sorted(r["ok"] for r in replies) == [False, True]
    assert next(r for r in replies if not r["ok"])["code"] == "question.conflict"


class Burst:
    """Phones sending questions like the phone page's outbox: each question has its id from the
    start and is sent again, with the same id, until the server acknowledges it."""

    def __init__(self, connect_phone, servers: list[Server], phones_per_server: int = 4) -> None:
        self.connect_phone = connect_phone
        self.servers = servers
        self.phones_per_server = phones_per_server
        self.acked: dict[str, dict] = {}
        self.refusals: list[dict] = []
        self.lock = threading.Lock()
        self.stop = threading.Event()

    def phone_loop(self, server: Server, n: int) -> None:
        phone = None
        i = 0
        while not self.stop.is_set():
            payload = question(f"Câu hỏi số {n}-{i} gửi trong lúc máy chủ bận")
            i += 1
            try:
                if phone is None:
                    phone = self.connect_phone(server)
                reply = phone.call("question.submit", payload, timeout=3)
            except Exception:  # the process died under us: this question was never acknowledged
                phone = None
                time.sleep(0.1)
                continue
            with self.lock:
                if reply.get("ok"):
                    self.acked[payload["id"]] = payload
                else:
                    self.refusals.append(reply)
            time.sleep(0.01)

    def run(self):
        threads = [
            threading.Thread(target=self.phone_loop, args=(server, f"{k}{j}"), daemon=True)
            for k, server in enumerate(self.servers)
            for j in range(self.phones_per_server)
        ]
        for t in threads:
            t.start()
        return threads

    def finish(self, threads) -> None:
        self.stop.set()
        for t in threads:
            t.join(15)


def running(burst: Burst, more: int = 20, timeout: float = 20.0) -> None:
    """Until the burst has ``more`` questions acknowledged than now: it is really running."""
    start = len(burst.acked)
    wait_until(lambda: len(burst.acked) >= start + more, timeout=timeout, message=f"{more} more acknowledged")


def wait_for_count(moderator, n: int, timeout: float = 15.0) -> list[str]:
    deadline = time.monotonic() + timeout
    while True:
        ids = desk_ids(moderator)
        if len(ids) >= n or time.monotonic() > deadline:
            return ids
        time.sleep(0.1)


def test_kill9_of_one_process_during_a_burst_loses_no_acknowledged_question(cluster, connect_staff, connect_phone):
    _redis, (a, b, c) = cluster(3)
    projector = connect_staff(a, "projector")  # reconnects by itself when A comes back
    burst = Burst(connect_phone, [a, b])
    threads = burst.run()
    running(burst)
    a.kill9()
    time.sleep(1.0)  # the burst goes on against a dead process: its phones fail and try again
    a.start()  # the same port; its phones and screens come back to it
    # its four phones and the projector are back, and the burst goes on through them
    wait_until(lambda: a.health()["connections"] >= 5, timeout=15, message="A's phones and projector back")
    running(burst)
    burst.finish(threads)

    moderator = connect_staff(c, "moderator")
    ids = desk_ids(moderator)
    assert len(burst.acked) > 20, "the burst really ran"
    assert set(burst.acked) <= set(ids), "every acknowledged question is stored"
    assert len(ids) == len(set(ids)), "each once"
    counts = moderator.call("roll.get")["roll"]
    assert sum(site["questions"] for site in counts.values()) == len(ids), "the per-site counts agree"

    # the projector on the restarted process is back in sync, and follows changes made on C
    wait_connected(projector, timeout=10)
    mc = connect_staff(c, "mc")
    start = len(projector.received)
    press = mc.call("clock.start")
    assert press["ok"] is True
    change = projector.wait_for(lambda n, d: n == "clock.changed" and d["seq"] == press["seq"], timeout=5)
    assert change["clock"]["running_since"] is not None
    assert len(projector.received) > start


def test_kill9_of_redis_during_a_burst_loses_nothing_and_says_retry(cluster, connect_staff, connect_phone):
    redis, (a, b) = cluster(2)
    projector_b = connect_staff(b, "projector")
    burst = Burst(connect_phone, [a, b])
    threads = burst.run()
    running(burst)
    redis.kill9()
    wait_until(lambda: len(burst.refusals) >= 8, timeout=15, message="submissions refused while Redis is away")
    with burst.lock:
        during = list(burst.refusals)
    # while Redis is away: a refusal that says "try again", never a false "received"
    assert during, "submissions were refused while Redis was down"
    assert {r["code"] for r in during} == {"store.unavailable"}
    assert all(r["retry"] is True for r in during)
    assert a.proc.poll() is None and b.proc.poll() is None, "no process crashed"

    redis.start()  # the same port and append-only file
    running(burst)  # acknowledged again now that Redis is back
    burst.finish(threads)

    moderator = connect_staff(a, "moderator")
    ids = desk_ids(moderator)
    assert len(burst.acked) > 20
    assert set(burst.acked) <= set(ids), "every acknowledged question survived Redis's kill -9"
    assert len(ids) == len(set(ids))

    # the message queue is back: a change made on A reaches the projector on B
    mc = connect_staff(a, "mc")
    mark = len(projector_b.received)
    press = mc.call("clock.start")
    assert press["ok"] is True, press
    projector_b.wait_for(lambda n, d: n == "clock.changed" and d["seq"] == press["seq"], timeout=8)
    assert len(projector_b.received) > mark


def test_a_process_that_missed_broadcasts_resyncs_its_screens(cluster, connect_staff):
    """Redis goes away just after a change (its broadcast to other processes is lost): when the
    message queue comes back, every screen gets the state again."""
    redis, (a, b) = cluster(2)
    projector = connect_staff(b, "projector")
    mc = connect_staff(a, "mc")
    redis.kill9()
    wait_until(lambda: "message queue lost" in b.log(), timeout=10, message="B losing its message queue")
    redis.start()
    mark = len(projector.received)
    snap = snapshot_after(projector, mark, timeout=10)  # pushed by B when its listener is back
    assert snap["seq"] == mc.call("state.get")["state"]["seq"]


def test_serve_warns_loudly_when_redis_does_not_persist(make_server, make_redis):
    redis = make_redis(appendonly=False)
    server = make_server("eventlet", env={"LIVE_REDIS_URL": redis.url})
    assert "CẢNH BÁO / WARNING" in server.log() and "appendonly" in server.log()
    assert server.health()["store"] == "redis"


def test_serve_says_so_when_redis_is_not_there(tmp_path):
    import subprocess
    import sys

    from conftest import ROOT, free_port

    dead = f"redis://127.0.0.1:{free_port()}/0"
    out = subprocess.run(
        [sys.executable, "-m", "live", "serve", "--redis-url", dead, "--port", str(free_port())],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert out.returncode == 3
    assert "không kết nối được kho dữ liệu (Redis)" in out.stderr
    assert "Traceback" not in out.stderr
