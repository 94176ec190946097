"""The side-by-side benchmark of issue 7: live (eventlet, gevent) against Node's socket.io.

    python bench/run.py --phones 2000,5000,10000 --staff 60

One Redis (temporary directory, free port, appendonly yes, appendfsync always); each server in
turn on it (a key prefix of its own per run), driven by the same generator (``live.tools.loadgen``, the
one ``live loadtest`` uses), measured the same way; then BENCHMARKS.md: a table per number of
phones with each figure's ratio to the reference, and the issue's targets met or not.

Not part of the test suite; it takes minutes and both cores.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip  # noqa: F401  (documents that page sizes are gzip as sent: the server compresses)
import http.client
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import report  # noqa: E402

from live.tools.loadgen import REHEARSAL_LIMITS, Options, Rehearsal, percentiles  # noqa: E402
from live.tools.loadtest import store_links  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")
ROLES = ("mc", "moderator", "projector", "chair")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float = 60.0, proc: subprocess.Popen | None = None) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited ({proc.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not answer")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class Redis:
    """redis-server as docs/deployment.md runs it: append-only, fsync on every write."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        args = [
            shutil.which("redis-server") or "redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
            "--dir", str(directory), "--appendonly", "yes", "--appendfsync", "always", "--save", "",
            "--maxmemory-policy", "noeviction", "--tcp-backlog", "2048", "--maxclients", "20000",
        ]  # fmt: skip
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        end = time.monotonic() + 10
        while time.monotonic() < end:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def version(self) -> str:
        out = subprocess.run(
            [shutil.which("redis-server") or "redis-server", "--version"], capture_output=True, text=True
        )
        return out.stdout.split()[2].replace("v=", "") if out.stdout else "?"

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


class Target:
    """One server under test: started, killed with -9 and started again, stopped."""

    def __init__(self, name: str, redis: Redis, prefix: str, logs: Path) -> None:
        self.name, self.redis, self.prefix = name, redis, prefix
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = logs / f"{name}-{prefix}.log"
        self.proc: subprocess.Popen | None = None

    def command(self) -> list[str]:
        if self.name == "reference":
            return ["node", str(HERE / "reference" / "server.js"), "--port", str(self.port),
                    "--redis", self.redis.url, "--prefix", self.prefix]  # fmt: skip
        mode = self.name.split("-", 1)[1]
        return [sys.executable, "-m", "live", "serve", "--demo=conference", "--host", "127.0.0.1", "--port", str(self.port),
                "--redis-url", self.redis.url, "--public-url", self.url, "--async-mode", mode]  # fmt: skip

    def start(self) -> float:
        """Start; the Unix time it answered."""
        env = {**os.environ, "LIVE_REDIS_PREFIX": self.prefix, "LIVE_RATE_LIMITS": REHEARSAL_LIMITS,
               "PYTHONWARNINGS": "ignore", "LIVE_LOG_LEVEL": "WARNING"}  # fmt: skip
        self.proc = subprocess.Popen(self.command(), cwd=ROOT, env=env, stdout=open(self.log, "ab"),
                                     stderr=subprocess.STDOUT)  # fmt: skip
        wait_http(self.url + "/healthz", proc=self.proc)
        return time.time()

    def links(self) -> dict[str, str]:
        if self.name == "reference":
            return {role: f"{self.url}/k/{role}" for role in ROLES}
        _, links = store_links({"REDIS_URL": self.redis.url, "REDIS_PREFIX": self.prefix}, self.url)
        return links

    def kill9(self) -> None:
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


class Screens:
    """bench/screens.py: the staff screens of the kill -9 measurement, connected and ready."""

    def __init__(self, target: Target, staff: int) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(HERE / "screens.py"), target.url, json.dumps(target.links()), str(staff)],
            stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONWARNINGS": "ignore"},
        )  # fmt: skip
        line = self.proc.stdout.readline().strip()
        if line != "ready":
            self.stop()
            raise RuntimeError(f"bench/screens.py: {line or 'exited'}")

    def synced_at(self) -> float | None:
        """The Unix time the last screen held a new snapshot after the restart, or None."""
        result = json.loads(self.proc.stdout.readline() or "{}")
        if "error" in result:
            print(f"bench/screens.py: {result}", file=sys.stderr, flush=True)
        return result.get("synced_at")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
        self.proc.wait(10)


def page_kb(base: str) -> float | None:
    """The phone page and what it links (styles, scripts) as a first visit fetches them, gzip, in KB."""
    parts = urllib.request.urlparse(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    total = 0

    def get(path: str) -> bytes:
        nonlocal total
        conn.request("GET", path, headers={"Accept-Encoding": "gzip", "Accept": "*/*"})
        response = conn.getresponse()
        body = response.read()
        head = f"HTTP/1.1 {response.status} {response.reason}\r\n" + "".join(
            f"{k}: {v}\r\n" for k, v in response.getheaders()
        )
        total += len(head) + 2 + len(body)
        if response.getheader("Content-Encoding") == "gzip":
            import zlib

            body = zlib.decompress(body, 16 + zlib.MAX_WBITS)
        return body

    html = get("/q/hall").decode("utf-8", "replace")
    for path in re.findall(r'(?:src|href)="(/static/[^"]+)"', html):
        get(path)
    conn.close()
    return total / 1024


async def measure(target: Target, phones: int, staff: int, args) -> dict:
    """Every figure for one server at one number of phones."""
    pid = target.proc.pid
    options = Options(url=target.url, links=target.links(), phones=phones, staff=staff, progress=args.progress,
                      connect_rate=args.connect_rate, drain=30)  # fmt: skip
    run = Rehearsal(options)
    run.log = lambda line: print(line, file=sys.stderr, flush=True)
    loop = asyncio.get_running_loop()
    out: dict = {}
    try:
        await run.setup()
        await asyncio.sleep(2)
        before = rss_kb(pid)
        out["connect_s"] = await run.connect(timeout=300)
        out["connected"] = run.stats.phones_connected
        await asyncio.sleep(5)
        out["kb_per_conn"] = (rss_kb(pid) - before) / max(1, run.stats.phones_connected)

        # idle: nothing changes; only Socket.IO heartbeats (not events) may reach the phones
        idle_before = sum(run.stats.received.values())
        await asyncio.sleep(args.idle)
        out["idle_messages"] = sum(run.stats.received.values()) - idle_before

        # fan-out: the moderator approves, the MC shows (and answers the one before)
        run.burst(args.shows + 2)
        await run.drain(30)
        await asyncio.sleep(1)
        since, cpu = time.time(), cpu_seconds(pid)
        for _ in range(args.shows):
            await run.mc_step()
            await asyncio.sleep(args.show_gap)
        cpu = cpu_seconds(pid) - cpu
        delivered = 0
        for who in ("staff", "phones"):
            latencies, got, _expected = run.stats.fanout(who, since=since)
            delivered += got
            p = percentiles(latencies) or {}
            for k in ("p50", "p95", "p99", "max"):
                out[f"{who}_{k}"] = p.get(k)
        asker, got, _ = run.stats.asker(since=since)
        delivered += got
        out["asker_p99"] = (percentiles(asker) or {}).get("p99")
        out["cpu_ms_per_msg"] = cpu * 1000 / delivered if delivered else None
        out["delivered"] = delivered

        # sustained durable submissions
        count, seconds = await run.closed_loop(args.concurrency, args.submit_seconds)
        out["submissions_per_s"] = count / seconds
        await asyncio.sleep(2)

        # a burst: this many phones send at the same instant
        n = min(args.burst, phones)
        first = len(run.stats.ack_latency)
        run.burst(n)
        await run.drain(60)
        out["burst"] = n
        out["burst_p99"] = (percentiles(run.stats.ack_latency[first:]) or {}).get("p99")
        out["burst_lost"] = run.pending()

        verification = await run.verify()
        out["lost"] = run.pending() + len(verification["missing"]) + verification["unverified"]

        # kill -9 and restart: every staff screen resynced (a fresh snapshot), every phone back. The
        # staff screens are measured in a process of their own (bench/screens.py: on the day they are
        # other devices; here they would wait for the generator's core); the generator's step aside
        screens = await loop.run_in_executor(None, Screens, target, staff)
        try:
            for screen in run.staff:
                screen.stop()
            target.kill9()
            end = time.time() + 10
            while run.stats.phones_connected and time.time() < end:
                await asyncio.sleep(0.05)
            listening = await loop.run_in_executor(None, target.start)
            phones_at = None
            end = time.time() + 120
            while time.time() < end and phones_at is None:
                await asyncio.sleep(0.02)
                if run.stats.phones_connected >= len(run.phones):
                    phones_at = time.time()
            staff_at = await loop.run_in_executor(None, screens.synced_at)
        finally:
            screens.stop()
        # 0 if they were back before the bench saw /healthz answer: the connections that waited in
        # the listening socket's queue while the server started are served at once, staff first
        out["resync_staff"] = max(0.0, staff_at - listening) if staff_at else None
        out["resync_phones"] = phones_at - listening if phones_at else None
        out["rss_mb"] = rss_kb(target.proc.pid) / 1024
    finally:
        run.end_progress()
        await run.close()
    return out


OPEN_FILES = 65536  # what docs/deployment.md gives the service (LimitNOFILE)


def open_files(wanted: int = OPEN_FILES) -> int:
    """Give this run and every process it starts the deployment's open-file limit when the system
    lets us (root may raise the hard limit): 10,000 phones hold 20,000 descriptors under gevent."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    for limit in ((max(wanted, soft), max(wanted, hard)), (hard, hard)):
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, limit)
            break
        except (ValueError, OSError):
            continue
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def machine(redis: Redis) -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    mem = next(int(line.split()[1]) for line in open("/proc/meminfo") if line.startswith("MemTotal"))
    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    lock = json.loads((HERE / "reference" / "package-lock.json").read_text())["packages"]
    versions = {p: metadata.version(p) for p in ("Flask-SocketIO", "python-socketio", "python-engineio",
                                                  "eventlet", "gevent", "redis", "wsproto", "orjson")}  # fmt: skip
    versions["socket.io (npm)"] = lock["node_modules/socket.io"]["version"]
    versions["redis (npm)"] = lock["node_modules/redis"]["version"]
    versions["redis-server"] = redis.version()
    return {
        "cpu": cpu, "cores": os.cpu_count(), "ram_gb": round(mem / 1024 / 1024, 1), "kernel": platform.release(),
        "python": platform.python_version(), "node": node, "versions": versions, "open_files": open_files(),
    }  # fmt: skip


def write(path: Path, results: dict, info: dict, command: str, args) -> None:
    lines = [
        "# Benchmarks",
        "",
        "live against a reference server written with Node's `socket.io` doing the same job (bench/reference/),",
        "on the same machine, the same Redis (append-only, fsync on every write), driven by the same generator",
        "(`live.tools.loadgen`, the one `live loadtest` uses). Written by `bench/run.py`; see README, Benchmarks.",
        "",
        f"Command: `{command}`",
        "",
        f"Machine: {info['cpu']}, {info['cores']} cores, {info['ram_gb']} GB RAM, Linux {info['kernel']}, "
        f"Python {info['python']}, Node {info['node']}; "
        + ", ".join(f"{k} {v}" for k, v in info["versions"].items())
        + f". Open-file limit {info.get('open_files', '?'):,}. The generator runs on the same cores as the server.",
        "",
        "How each figure is measured: fan-out latency from the moment the MC's `question.show`/`question.answer`",
        "is sent to the kernel's receive timestamp of each client's `question.current` (staff screens, phones)",
        f"or `question.status` (the asker's phone), {args.shows} actions {args.show_gap} s apart; server CPU from "
        "/proc/<pid>/stat during those actions divided by the messages delivered; memory per idle phone = RSS "
        "after every phone connected and 5 s idle minus RSS before, divided by the phones; durable submissions "
        f"per second = questions acknowledged ÷ time, {args.concurrency} phones each sending its next question as soon as "
        f"the last is acknowledged, for {args.submit_seconds:g} s; "
        f"the burst: {args.burst} phones (or all, if fewer) send at the same instant; resync = from the restarted "
        "server answering /healthz to every staff screen holding a new `state.snapshot` (the staff screens of this "
        "step in a process of their own, bench/screens.py: on the day they are other devices; 0 when they were back "
        "before the bench saw /healthz answer) / every phone connected; "
        f"idle = Socket.IO events phones received over {args.idle:g} s with nothing changing (heartbeats are not events).",
        "",
    ]
    largest = None
    for phones, figures in results.items():
        lines += [f"## {phones:,} phones, {args.staff} staff screens", "", report.table(figures), ""]
        largest = phones
    if largest is not None:
        figures = results[largest]
        ref = figures.get("reference", {})
        for name in figures:
            if name != "reference":
                lines += [f"### Targets of issue 7 at {largest:,} phones: {name}", "",
                          report.targets_table(name, figures[name], ref), ""]  # fmt: skip
    path.write_text("\n".join(lines))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--phones", default="2000,5000,10000")
    parser.add_argument("--staff", type=int, default=60)
    parser.add_argument("--servers", default="live-eventlet,live-gevent,reference")
    parser.add_argument("--shows", type=int, default=10)
    parser.add_argument("--show-gap", type=float, default=1.0)
    parser.add_argument("--idle", type=float, default=30.0)
    parser.add_argument(
        "--concurrency", type=int, default=500, help="questions in flight while measuring submissions/s"
    )
    parser.add_argument("--submit-seconds", type=float, default=10.0)
    parser.add_argument("--burst", type=int, default=5000)
    parser.add_argument("--connect-rate", type=float, default=1000.0)
    parser.add_argument("--out", default=str(ROOT / "BENCHMARKS.md"))
    parser.add_argument(
        "--server-timeout",
        type=float,
        default=900.0,
        help="seconds one server may take at one size before it is marked failed",
    )
    parser.add_argument("--no-progress", dest="progress", action="store_false")
    args = parser.parse_args()
    if "reference" in args.servers and not (HERE / "reference" / "node_modules").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=HERE / "reference", check=True)
    command = "python bench/run.py " + " ".join(sys.argv[1:])
    work = Path(tempfile.mkdtemp(prefix="live-bench-"))
    redis = Redis(work)
    results: dict[int, dict[str, dict]] = {}
    try:
        info = machine(redis)
        for phones in (int(n) for n in args.phones.split(",")):
            results[phones] = {}
            for name in args.servers.split(","):
                target = Target(name, redis, f"bench-{name}-{phones}", work)
                print(f"== {name}, {phones} phones, {args.staff} staff", file=sys.stderr, flush=True)
                target.start()
                try:
                    # the page's bytes do not depend on the load: read them before it, on a quiet server
                    page = page_kb(target.url) if name != "reference" else None
                    try:
                        figures = asyncio.run(
                            asyncio.wait_for(measure(target, phones, args.staff, args), args.server_timeout)
                        )
                    except Exception as error:  # one server failing must not cost the whole run
                        print(f"{name} at {phones}: {type(error).__name__}: {error}", file=sys.stderr, flush=True)
                        figures = {"error": f"{type(error).__name__}: {error}"}
                    if page is not None:
                        figures["page_kb"] = page
                finally:
                    target.stop()
                results[phones][name] = figures
                print(json.dumps({name: figures}), file=sys.stderr, flush=True)
                (work / "results.json").write_text(json.dumps(results, indent=1))
        write(Path(args.out), results, info, command, args)
    finally:
        redis.stop()
    print(f"written: {args.out} (raw figures: {work / 'results.json'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
