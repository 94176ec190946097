"""BENCHMARKS.md from measured figures: pure functions, tested in tests/test_loadtest.py."""

from __future__ import annotations

# (key, label, unit): the rows of the table, in order
ROWS = (
    ("staff_p50", "staff fan-out p50", "ms"),
    ("staff_p95", "staff fan-out p95", "ms"),
    ("staff_p99", "staff fan-out p99", "ms"),
    ("staff_max", "staff fan-out max", "ms"),
    ("phones_p50", "phone fan-out p50", "ms"),
    ("phones_p95", "phone fan-out p95", "ms"),
    ("phones_p99", "phone fan-out p99", "ms"),
    ("phones_max", "phone fan-out max", "ms"),
    ("asker_p99", "asker's status p99", "ms"),
    ("cpu_ms_per_msg", "server CPU per delivered message", "µs"),
    ("kb_per_conn", "memory per idle phone connection", "KB"),
    ("connect_s", "time to connect every phone", "s"),
    ("submissions_per_s", "durable submissions per second", "/s"),
    ("burst_p99", "burst: acknowledgement p99", "ms"),
    ("burst_lost", "burst: lost", ""),
    ("resync_staff", "kill -9 → every staff screen resynced", "s"),
    ("resync_phones", "kill -9 → every phone reconnected", "s"),
    ("idle_messages", "events to idle phones", ""),
    ("page_kb", "phone page first load (gzip)", "KB"),
)


def fmt(value, unit: str) -> str:
    if value is None:
        return "n/a"
    if unit == "ms":
        return f"{value * 1000:.0f} ms"
    if unit == "µs":
        return f"{value * 1000:.0f} µs"  # value in ms
    if unit == "s":
        return f"{value:.2f} s"
    if unit == "KB":
        return f"{value:.1f} KB"
    if unit == "/s":
        return f"{value:,.0f}/s"
    return f"{value:g}" if isinstance(value, float) else str(value)


def ratio(value, reference) -> str:
    if value is None or not reference:
        return "–"
    return f"{value / reference:.2f}×"


def table(figures: dict[str, dict], reference: str = "reference") -> str:
    """One Markdown table: a column per server, then each other server's ratio to the reference."""
    names = list(figures)
    others = [n for n in names if n != reference]
    head = ["figure", *names, *(f"{n} ÷ {reference}" for n in others if reference in figures)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for key, label, unit in ROWS:
        if all(figures[n].get(key) is None for n in names):
            continue
        cells = [label, *(fmt(figures[n].get(key), unit) for n in names)]
        if reference in figures:
            cells += [ratio(figures[n].get(key), figures[reference].get(key)) for n in others]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def targets(live: dict, ref: dict) -> list[dict]:
    """Issue 7's targets: each with its figure and met (True/False, None when not measured)."""

    def check(key, label, met, figure):
        return {"key": key, "target": label, "met": met, "figure": figure}

    def known(*values):
        return all(v is not None for v in values)

    ref_all = max((v for v in (ref.get("staff_p99"), ref.get("phones_p99")) if v is not None), default=None)
    s99, p99 = live.get("staff_p99"), live.get("phones_p99")
    out = [
        check(
            "staff_p99",
            "staff screens get each change within p99 ≤ 50 ms, faster than the reference's broadcast to everyone",
            (s99 <= 0.050 and (ref_all is None or s99 < ref_all)) if known(s99) else None,
            f"{fmt(s99, 'ms')} (reference to everyone: {fmt(ref_all, 'ms')})",
        ),
        check(
            "phones_p99",
            "fan-out to phones: p99 at most 2× the reference's",
            (p99 <= 2 * ref["phones_p99"]) if known(p99, ref.get("phones_p99")) else None,
            f"{fmt(p99, 'ms')} vs 2 × {fmt(ref.get('phones_p99'), 'ms')}",
        ),
        check(
            "submissions_per_s",
            "at least 2,500 durable submissions per second per process",
            live["submissions_per_s"] >= 2500 if known(live.get("submissions_per_s")) else None,
            fmt(live.get("submissions_per_s"), "/s"),
        ),
        check(
            "burst",
            "a 5,000-phone burst fully acknowledged with p99 ≤ 2 s and none lost",
            (live["burst_p99"] <= 2.0 and live.get("burst_lost") == 0) if known(live.get("burst_p99")) else None,
            f"p99 {fmt(live.get('burst_p99'), 'ms')}, lost {live.get('burst_lost')}",
        ),
        check(
            "resync",
            "after kill -9 and restart: staff screens resynced within 2 s, every phone within 8 s",
            (live["resync_staff"] <= 2.0 and live["resync_phones"] <= 8.0)
            if known(live.get("resync_staff"), live.get("resync_phones"))
            else None,
            f"staff {fmt(live.get('resync_staff'), 's')}, phones {fmt(live.get('resync_phones'), 's')}",
        ),
        check(
            "kb_per_conn",
            "at most 40 KB of server memory per idle phone connection",
            live["kb_per_conn"] <= 40 if known(live.get("kb_per_conn")) else None,
            fmt(live.get("kb_per_conn"), "KB"),
        ),
        check(
            "idle_messages",
            "no messages to idle phones while nothing changes, apart from the heartbeat",
            live["idle_messages"] == 0 if known(live.get("idle_messages")) else None,
            f"{live.get('idle_messages')} events",
        ),
        check(
            "page_kb",
            "the phone page's first load at most 60 KB over the wire",
            live["page_kb"] <= 60 if known(live.get("page_kb")) else None,
            fmt(live.get("page_kb"), "KB"),
        ),
    ]
    return out


def targets_table(live_name: str, live: dict, ref: dict) -> str:
    lines = [f"| target ({live_name}) | figure | met |", "|---|---|---|"]
    for t in targets(live, ref):
        mark = {True: "**met**", False: "**not met**", None: "not measured"}[t["met"]]
        lines.append(f"| {t['target']} | {t['figure']} | {mark} |")
    return "\n".join(lines)
