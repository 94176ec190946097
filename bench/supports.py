"""Me too at scale (issue 26 item 7): 10,000 phones each press "Tôi cũng muốn hỏi" within 10 s.

How to run (a few minutes on 2 cores; needs redis-server):

    .venv/bin/python bench/supports.py --phones 10000 --staff 60 --out /tmp/supports.md
    .venv/bin/python bench/supports.py --phones 10000 --staff 60 --append   # also onto BENCHMARKS.md

One Redis (append-only, fsync on every write) and ONE live server (gevent, ``--demo=conference``),
started by bench/run.py's ``Redis`` and ``Target``; the phones and staff screens are
``live.tools.loadgen``'s (each phone with its own device cookie from the phone page, spread over the
conference's sites). Then, in order:

1. a few phones ask questions and the secretariat approves 20 of them;
2. every phone asks for its list (``questions.public``, its own site), a few hundred at a time, as
   the phone page does when it opens;
3. the storm: each phone presses "me too" once, at a random moment of the same 10 s, on one of the
   approved questions (a few questions draw most presses); one phone in ten presses a second time
   (a retry: it must be answered ``repeated``). Meanwhile the MC answers the question on screen and
   shows a newly approved one every second (`--mc-every`), so the staff screens' fan-out is measured during it
   (from the MC's emit to each staff screen's ``question.current``), and each approval reaches the
   phones' lists;
4. the counts: every first press acknowledged is counted once (the staff's ``supports.get`` and a
   phone's ``questions.public``, per question, against the acknowledgements), no press refused, every
   second press answered ``repeated``; what each phone last heard (``supports.changed``) against the
   final counts; and the gap between two ``supports.changed`` at each phone (at most one a second).

Times are the kernel's receive stamps (live.tools.eio_client) against the Unix time of the emit. Not
part of the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import time
from array import array
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from console import commit, host, staff_p99_of_benchmarks  # noqa: E402
from run import Redis, Target, cpu_seconds  # noqa: E402

from live.tools.loadgen import Options, Phone, Rehearsal, percentiles  # noqa: E402

WINDOW = 10.0  # seconds in which every phone presses
QUESTIONS = 20  # approved before the storm
RETRY_SHARE = 0.1  # phones that press a second time
LIST_CONCURRENCY = 300  # phones asking for their list at once


class SupportPhone(Phone):
    """A loadgen phone that also keeps what "me too" told it."""

    __slots__ = ("changes", "seen", "press")

    def __init__(self, run: Rehearsal, index: int, site: str, cookie: str) -> None:
        super().__init__(run, index, site, cookie)
        self.changes = array("d")  # when each supports.changed arrived
        self.seen: dict[str, int] = {}  # handle → the last count it heard
        self.press: dict | None = None  # its first press: handle, sent, acked at, reply

    def _on_event(self, client, name: str, data, at: float) -> None:
        super()._on_event(client, name, data, at)
        if name == "supports.changed" and isinstance(data, dict):
            self.changes.append(at)
            counts = data.get("counts")
            if isinstance(counts, dict):
                self.seen.update(counts)
            for item in data.get("questions") or []:
                if isinstance(item, dict) and isinstance(item.get("handle"), str):
                    self.seen[item["handle"]] = item.get("count", 0)


def call(phone: Phone, event: str, payload: dict, timeout: float = 30.0):
    """Send from a phone, await its answer: (reply or None, the kernel's receive stamp)."""
    loop = phone.run.loop
    future = loop.create_future()

    def done(reply, at):
        if not future.done():
            future.set_result((reply, at))

    if phone.client is None or not phone.client.emit(event, payload, done):
        future.set_result((None, time.time()))
    return asyncio.wait_for(future, timeout)


async def approve(run: Rehearsal, count: int, log) -> list[str]:
    """Phones ask ``count`` + 40 questions; the moderator approves ``count`` (the rest the MC shows later)."""
    askers = random.sample(run.phones, count + 40)
    for phone in askers:
        phone.submit()
    await run.drain(30)
    moderator = run.moderator
    deadline = time.time() + 15
    while len(moderator.recent) < count + 40 and time.time() < deadline:
        await asyncio.sleep(0.05)
    approved = []
    for _ in range(count):
        ident, version = moderator.recent.popleft()
        reply, _ = await moderator.call("question.approve", {"id": ident, "version": version})
        if reply and reply.get("ok"):
            approved.append(ident)
    log(f"approved {len(approved)} questions; {len(moderator.recent)} left for the MC to show during the storm")
    return approved


async def lists(run: Rehearsal) -> dict:
    """Every phone asks for its site's list once, ``LIST_CONCURRENCY`` at a time."""
    gate = asyncio.Semaphore(LIST_CONCURRENCY)
    latencies = array("d")
    handles: set[str] = set()
    failed = 0

    async def one(phone: SupportPhone) -> None:
        nonlocal failed
        async with gate:
            sent = time.time()
            try:
                reply, at = await call(phone, "questions.public", {"site": phone.site, "supported": []})
            except TimeoutError:
                reply, at = None, time.time()
            if not reply or not reply.get("ok"):
                failed += 1
                return
            latencies.append(at - sent)
            for item in reply["questions"]:
                handles.add(item["handle"])
                phone.seen[item["handle"]] = item["count"]

    started = time.time()
    await asyncio.gather(*(one(p) for p in run.phones))
    return {"seconds": time.time() - started, "latency": percentiles(latencies), "failed": failed, "handles": handles}


async def everything(run: Rehearsal) -> list[dict]:
    """Every approved question as a phone sees them (all sites)."""
    reply, _ = await call(run.phones[0], "questions.public", {"site": None, "supported": []})
    return reply["questions"]


async def storm(run: Rehearsal, handles: list[str], log) -> dict:
    """Each phone presses once within ``WINDOW`` s; one in ten again. The MC shows one a second."""
    rng = random.Random(26)
    weights = [1.0 / (n + 1) for n in range(len(handles))]  # a few questions draw most presses
    first = array("d")
    second = array("d")
    outcome = {"ok": 0, "repeated_first": 0, "refused": {}, "no_answer": 0, "second_repeated": 0, "second_other": 0}
    start = time.time() + 0.5
    end = start + WINDOW
    mc = run.spawn_mc(run.mc_every, end + 1.0)

    async def press(phone: SupportPhone, handle: str, at: float, again: bool) -> None:
        await asyncio.sleep(max(0.0, at - time.time()))
        sent = time.time()
        try:
            reply, received = await call(phone, "question.support", {"handle": handle})
        except TimeoutError:
            reply, received = None, time.time()
        if again:
            second.append(received - sent)
            key = "second_repeated" if reply and reply.get("ok") and reply.get("repeated") else "second_other"
            outcome[key] += 1
            return
        phone.press = {"handle": handle, "reply": reply}
        first.append(received - sent)
        if reply is None:
            outcome["no_answer"] += 1
        elif reply.get("ok"):
            outcome["ok"] += 1
            if reply.get("repeated"):
                outcome["repeated_first"] += 1
        else:
            code = reply.get("code") or "?"
            outcome["refused"][code] = outcome["refused"].get(code, 0) + 1

    tasks = [asyncio.sleep(end - time.time())]
    for phone in run.phones if not run.control else ():
        handle = rng.choices(handles, weights)[0]
        at = start + rng.random() * WINDOW
        tasks.append(press(phone, handle, at, False))
        if rng.random() < RETRY_SHARE:
            tasks.append(press(phone, handle, min(end, at + 0.2 + rng.random() * 2), True))
    cpu = cpu_seconds(run.target_pid)
    await asyncio.gather(*tasks)
    acked_by = time.time()
    await mc
    cpu = cpu_seconds(run.target_pid) - cpu
    log(f"storm: {outcome}; last acknowledgement {acked_by - start:.2f} s after the start")
    return {
        "start": start,
        "end": end,
        "acked_by": acked_by,
        "first": percentiles(first),
        "second": percentiles(second),
        "outcome": outcome,
        "cpu_s": cpu,
        "wall_s": acked_by - start,
    }


def time_mc(run: Rehearsal) -> array:
    """The MC's own acknowledgements of show and answer (written to disk, then broadcast), emit → answer."""
    mc, acks = run.mc, array("d")
    plain = mc.call

    async def timed(event: str, payload: dict, timeout: float = 10.0):
        sent = time.time()
        reply, at = await plain(event, payload, timeout)
        if event in ("question.show", "question.answer") and reply and reply.get("ok"):
            acks.append(at - sent)
        return reply, at

    mc.call = timed
    return acks


def gaps(run: Rehearsal, since: float) -> dict:
    """The gaps between two supports.changed at each phone, and how many each phone got."""
    all_gaps = array("d")
    per_phone = []
    for phone in run.phones:
        times = sorted(t for t in phone.changes if t >= since)
        per_phone.append(len(times))
        all_gaps.extend(b - a for a, b in zip(times, times[1:], strict=False))
    under = sum(1 for g in all_gaps if g < 0.95)
    return {
        "gaps": percentiles(all_gaps),
        "min": min(all_gaps) if all_gaps else None,
        "under_095": under,
        "n": len(all_gaps),
        "messages_per_phone": percentiles(array("d", per_phone)),
    }


async def measure(target: Target, args, log) -> dict:
    options = Options(url=target.url, links=target.links(), phones=args.phones, staff=args.staff,
                      connect_rate=args.connect_rate, progress=False, seed=26)  # fmt: skip
    run = Rehearsal(options)
    run.log = log
    run.target_pid = target.proc.pid  # type: ignore[attr-defined]
    run.control = args.control  # type: ignore[attr-defined]
    run.mc_every = args.mc_every  # type: ignore[attr-defined]
    out: dict = {"phones": args.phones, "staff": args.staff, "control": args.control, "mc_every": args.mc_every}
    await run.setup()
    run.phones = [SupportPhone(run, p.index, p.site, p.headers[0][1].decode()) for p in run.phones]
    took = await run.connect(timeout=300)
    out["connect_s"] = took
    out["connected"] = run.stats.phones_connected
    log(f"{run.stats.phones_connected} phones and {run.stats.staff_connected} staff screens connected in {took:.1f} s")
    try:
        approved = await approve(run, QUESTIONS, log)
        out["approved"] = len(approved)
        listed = await lists(run)
        log(f"lists: {listed['seconds']:.1f} s, {listed['failed']} failed")
        out["lists"] = {k: v for k, v in listed.items() if k != "handles"}
        handles = [q["handle"] for q in await everything(run)]
        out["handles"] = len(handles)
        moderator = next(s for s in run.staff if s.role == "moderator")
        before, _ = await moderator.call("supports.get", {})
        out["counts_before"] = sum((before or {}).get("counts", {}).values())
        mc_acks = time_mc(run)
        out["storm"] = await storm(run, handles, log)
        out["mc_ack"] = percentiles(mc_acks)
        await asyncio.sleep(2.5)  # the last batched counts reach every phone (one look a second)
        after, _ = await moderator.call("supports.get", {})
        counts = after["counts"]
        public = {q["handle"]: q["count"] for q in await everything(run)}
        expected: dict[str, int] = {}
        for phone in run.phones:
            if phone.press and phone.press["reply"] and phone.press["reply"].get("ok"):
                expected[phone.press["handle"]] = expected.get(phone.press["handle"], 0) + 1
        out["counted"] = sum(counts.values())
        out["expected"] = sum(expected.values())
        out["per_question_equal"] = all(public.get(h, 0) == n for h, n in expected.items())
        out["public_total"] = sum(public.get(h, 0) for h in handles)
        stale = 0
        for phone in run.phones:
            stale += sum(1 for h in handles if h in public and phone.seen.get(h, public[h]) != public[h])
        out["phones_stale_counts"] = stale
        out["gaps"] = gaps(run, out["storm"]["start"])
        latencies, delivered, expected_staff = run.stats.fanout("staff", since=out["storm"]["start"])
        out["staff_fanout"] = {"latency": percentiles(latencies), "delivered": delivered, "expected": expected_staff}
        phones_lat, p_delivered, p_expected = run.stats.fanout("phones", since=out["storm"]["start"])
        out["phones_fanout"] = {"latency": percentiles(phones_lat), "delivered": p_delivered, "expected": p_expected}
        out["mc_errors"] = dict(run.stats.mc_errors)
        out["load_at_end"] = os.getloadavg()
    finally:
        await run.close()
    return out


def ms(seconds: float | None) -> str:
    return "n/a" if seconds is None else f"{seconds * 1000:,.0f} ms"


def verdict(ok: bool | None) -> str:
    return "–" if ok is None else ("**met**" if ok else "**not met**")


def section(r: dict, command: str) -> str:
    h, s, g = r["host"], r["storm"], r["gaps"]
    staff = r["staff_fanout"]["latency"] or {}
    staff_ok = staff.get("p99") is not None and staff["p99"] * 1000 <= r["staff_p99"]
    exact = (
        r["counted"] == r["expected"] == s["outcome"]["ok"] - s["outcome"]["repeated_first"] and r["per_question_equal"]
    )
    first = s["first"] or {}
    second = s["second"] or {}
    gap_ok = g["min"] is not None and g["min"] >= 0.95
    what = "the same run without a press (control)" if r.get("control") else f"press within {WINDOW:.0f} s"
    lines = [
        f"## Me too: {r['phones']:,} phones {what} (issue 26 item 7) — {r['commit']}",
        "",
        f"`{command}` on {h['cpu']}, {h['cores']} cores, {h['ram_gb']} GB RAM, Linux {h['kernel']}, Python "
        f"{h['python']}, redis-server {h['redis']}; one live server (gevent, `--demo=conference`), Redis append-only "
        f"with fsync on every write; the generator ({r['phones']:,} phones and {r['staff']} staff screens in one "
        f"asyncio process) and the server share the cores; load average {r['load_before'][0]:.1f} before, "
        f"{r['load_at_end'][0]:.1f} at the end. The run took {r['run_s']:.0f} s.",
        "",
        "| figure | measured | target | |",
        "|---|---|---|---|",
        f"| first presses acknowledged / counted (staff's `supports.get`) | {s['outcome']['ok'] - s['outcome']['repeated_first']:,} "
        f"/ {r['counted']:,} | each once | {verdict(exact)} |",
        f"| presses refused or unanswered | {sum(s['outcome']['refused'].values()) + s['outcome']['no_answer']} | 0 | "
        f"{verdict(not s['outcome']['refused'] and not s['outcome']['no_answer'])} |",
        f"| second presses answered `repeated` | {s['outcome']['second_repeated']:,} of "
        f"{s['outcome']['second_repeated'] + s['outcome']['second_other']:,} | all | "
        f"{verdict(s['outcome']['second_other'] == 0)} |",
        f"| press → acknowledged (durable), p50 / p95 / p99 / max | {ms(first.get('p50'))} / {ms(first.get('p95'))} / "
        f"{ms(first.get('p99'))} / {ms(first.get('max'))} | – | – |",
        f"| the last acknowledgement, after the window's start | {s['wall_s']:.2f} s | ≤ {WINDOW:.0f} s + a little | – |",
        f"| staff fan-out during the storm, p50 / p99 / max | {ms(staff.get('p50'))} / {ms(staff.get('p99'))} / "
        f"{ms(staff.get('max'))} | p99 ≤ {r['staff_p99']:.0f} ms | {verdict(staff_ok)} |",
        f"| gap between two `supports.changed` at a phone, min / p50 | {ms(g['min'])} / {ms((g['gaps'] or {}).get('p50'))} "
        f"| one a second (≥ 0.95 s with receive jitter) | {verdict(gap_ok)} |",
        f"| phones whose last heard count differs from the final one (question × phone) | {r['phones_stale_counts']:,} | 0 | "
        f"{verdict(r['phones_stale_counts'] == 0)} |",
        "",
        f"How: {r['phones']:,} phones connected in {r['connect_s']:.1f} s ({r['connected']:,} up); {r['approved']} "
        f"questions asked from phones and approved first ({r['handles']} listed when the storm began). Every phone asked "
        f"for its site's list (`questions.public`, {LIST_CONCURRENCY} at a time): {r['lists']['seconds']:.1f} s for all, "
        f"p50 / p99 {ms((r['lists']['latency'] or {}).get('p50'))} / {ms((r['lists']['latency'] or {}).get('p99'))}, "
        f"{r['lists']['failed']} failed. Then each phone pressed once at a random moment of the same {WINDOW:.0f} s, "
        f"on one of the questions (weights 1, 1/2, 1/3, …: a few draw most presses); "
        f"{s['outcome']['second_repeated'] + s['outcome']['second_other']:,} pressed again 0.2–2.2 s later "
        f"(p99 {ms(second.get('p99'))}). The server used {s['cpu_s']:.1f} s of CPU in those {s['wall_s']:.1f} s. "
        f"Counted: the staff's `supports.get` sums to {r['counted']:,}, a phone's list to {r['public_total']:,}, and "
        f"per question the list equals the presses acknowledged: {'yes' if r['per_question_equal'] else 'no'}. "
        f"Meanwhile the MC answered the question on screen and showed a newly approved one every {r['mc_every']} s "
        f"({staff.get('n', 0)} staff arrivals measured; the MC's own acknowledgement, written and broadcast, p50 / p99 "
        f"{ms((r['mc_ack'] or {}).get('p50'))} / {ms((r['mc_ack'] or {}).get('p99'))}; phones' `question.current` p99 "
        f"{ms((r['phones_fanout']['latency'] or {}).get('p99'))}); MC errors {r['mc_errors'] or 'none'}. "
        f"Each phone got {(g['messages_per_phone'] or {}).get('p50', 0):.0f} `supports.changed` (median, max "
        f"{(g['messages_per_phone'] or {}).get('max', 0):.0f}) from the storm's start to 2.5 s after its last "
        f"acknowledgement; {g['under_095']} of {g['n']:,} gaps were under 0.95 s. The staff p99 compared with is "
        f"BENCHMARKS.md's “{r['staff_p99_from']}”.",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--phones", type=int, default=10000)
    parser.add_argument("--staff", type=int, default=60)
    parser.add_argument("--connect-rate", type=float, default=500.0)
    parser.add_argument("--mc-every", type=float, default=1.0, help="seconds between two steps of the MC")
    parser.add_argument("--control", action="store_true", help="the same run without a press: the staff fan-out alone")
    parser.add_argument("--out", default="/tmp/supports.md")
    parser.add_argument("--append", action="store_true", help="also append the section to BENCHMARKS.md")
    args = parser.parse_args()
    command = ".venv/bin/python bench/supports.py " + " ".join(sys.argv[1:])

    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    work = Path(tempfile.mkdtemp(prefix="live-supports-"))
    redis = Redis(work)
    target = Target("live-gevent", redis, "bench-supports", work)
    began = time.time()
    load_before = os.getloadavg()
    try:
        target.start()
        results = asyncio.run(measure(target, args, log))
    finally:
        target.stop()
        redis.stop()
    results["run_s"] = time.time() - began
    results["load_before"] = load_before
    results["host"] = host(redis)
    results["commit"] = commit()
    results["staff_p99"], results["staff_p99_from"] = staff_p99_of_benchmarks()
    (work / "results.json").write_text(json.dumps(results, indent=1, default=str))
    text = section(results, command)
    Path(args.out).write_text(text, encoding="utf-8")
    if args.append:
        with open(ROOT / "BENCHMARKS.md", "a", encoding="utf-8") as f:
            f.write("\n" + text)
    print(text)
    print(f"written: {args.out} (raw figures: {work / 'results.json'})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
