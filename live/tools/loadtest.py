"""``live loadtest``: rehearse the day's load against your own server, then wipe the rehearsal.

The rehearsal runs against a server started on a store of its own (``LIVE_DATA_DIR`` or
``LIVE_REDIS_PREFIX``), so that nothing of it reaches the real day. ``live loadtest`` reads the
secret links from that store (or takes them with ``--link``), runs the load (``live.tools.loadgen``)
and prints what a deployer needs: connected, acknowledged, lost, latencies. It exits 1 when any
question was lost or could not be checked.

``live loadtest --wipe`` with the same store options deletes that store afterwards: only when no
server uses it any more, and only when every question in it came from the load test (ids
``lt-…``), so that it can never delete a real conference.

It never writes into the real day's store: given a store (``--data-dir``, ``--redis-url``, or the
links read from one), it refuses to run when that store holds any question the load test did not
send. A rehearsal of the day itself, by people on the real server, is the admin's rehearsal mode
(``/admin/tap-duot``), whose data is marked and wiped there.
"""

from __future__ import annotations

import argparse
import asyncio
import glob
import json
import os
import sys
import time

from live.tools import loadgen
from live.tools.loadgen import ID_PREFIX, REHEARSAL_LIMITS, LoadtestError, Options, Rehearsal, percentiles

QUESTION_KEYS = "q:"  # desk.PREFIX, without importing the server's modules


# ---------------------------------------------------------------- the run


async def rehearse(options: Options, log=None) -> dict:
    """Connect, load, drain, verify; the result as a JSON-able dict (see ``format_report``)."""
    run = Rehearsal(options)
    if log is not None:
        run.log = log
    try:
        await run.setup()
        connect_time = await run.connect()
        started = time.time()
        await run.run(options.duration, options.rate, options.show_every)
        connected = {"phones": run.stats.phones_connected, "staff": run.stats.staff_connected}
        await run.drain(options.drain)
        verification = await run.verify()
        run.end_progress()
        return result(run, verification, connect_time=connect_time, connected=connected, since=started)
    finally:
        await run.close()


def result(run: Rehearsal, verification: dict, *, connect_time: float, connected: dict, since: float) -> dict:
    """What happened, in numbers: the report's content."""
    s = run.stats
    never = run.pending() + sum(s.rejected.values())
    missing = len(verification["missing"])
    lost = never + missing
    fanout = {}
    for who in ("phones", "staff"):
        latencies, delivered, expected = s.fanout(who, since=since)
        fanout[who] = {"latency": percentiles(latencies), "delivered": delivered, "expected": expected}
    latencies, delivered, expected = s.asker(since=since)
    fanout["asker"] = {"latency": percentiles(latencies), "delivered": delivered, "expected": expected}
    return {
        "url": run.options.url,
        "phones": len(run.phones),
        "staff": len(run.staff),
        "duration": run.options.duration,
        "rate": run.options.rate,
        "connect_seconds": round(connect_time, 3),
        "connected": {
            "phones": connected["phones"],
            "staff": connected["staff"],
            "phones_never": sum(1 for p in run.phones if not p.ever),
            "reconnects": s.reconnects,
            "disconnects": s.disconnects,
            "failed_attempts": dict(s.failed),
            "dropped": dict(s.dropped),
        },
        "questions": {
            "sent": s.sent,
            "acknowledged": s.acked,
            "found": s.acked - missing - verification["unverified"],
            "lost": lost,
            "never_acknowledged": never,
            "missing": verification["missing"][:20],
            "unverified": verification["unverified"],
            "resent": s.resent,
            "repeated": s.repeated,
            "limited": dict(s.limited),
            "rejected": dict(s.rejected),
            "retryable": dict(s.retryable),
        },
        "ack_latency": percentiles(s.ack_latency),
        "fanout": fanout,
        "mc": {"actions": len(s.actions), "errors": dict(s.mc_errors)},
        "ok": lost == 0 and verification["unverified"] == 0,
    }


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value * 1000:.0f} ms"


def _latency(p: dict | None) -> str:
    if not p:
        return "không đo được / none measured"
    return f"p50 {_ms(p['p50'])} · p95 {_ms(p['p95'])} · p99 {_ms(p['p99'])} · max {_ms(p['max'])} (n={p['n']})"


def format_report(r: dict) -> str:
    """The report a deployer reads: Vietnamese first, English after each label."""
    c, q = r["connected"], r["questions"]
    lines = [
        f"live loadtest · {r['url']} · {r['phones']} điện thoại/phones · {r['staff']} màn hình/staff screens"
        f" · {r['duration']:.0f} s · {r['rate']:g} câu hỏi/giây (questions/s)",
        f"  kết nối (connected)     điện thoại/phones {c['phones']}/{r['phones']} · màn hình/staff {c['staff']}/{r['staff']}"
        f" · kết nối lại/reconnects {c['reconnects']} · mất kết nối/disconnects {c['disconnects']}"
        f" · tất cả kết nối sau/all connected in {r['connect_seconds']:.1f} s",
    ]
    if c["phones_never"]:
        lines.append(f"  chưa từng kết nối (never connected): {c['phones_never']} điện thoại/phones")
    if c["failed_attempts"]:
        failed = ", ".join(f"{k} ×{n}" for k, n in sorted(c["failed_attempts"].items(), key=lambda kv: -kv[1])[:5])
        lines.append(f"  lần kết nối thất bại (failed attempts): {failed}")
    if c.get("dropped"):
        dropped = ", ".join(f"{k} ×{n}" for k, n in sorted(c["dropped"].items(), key=lambda kv: -kv[1])[:5])
        lines.append(f"  lý do mất kết nối (why connections closed): {dropped}")
    lines += [
        f"  câu hỏi (questions)     gửi/sent {q['sent']} · đã nhận/acknowledged {q['acknowledged']}"
        f" · tìm thấy sau/found afterwards {q['found']} · MẤT/LOST {q['lost']}"
        f" (chưa nhận/never acknowledged {q['never_acknowledged']}, mất sau khi nhận/acknowledged but missing "
        f"{q['lost'] - q['never_acknowledged']})",
        f"  xác nhận (ack latency)  {_latency(r['ack_latency'])}",
    ]
    if q["unverified"]:
        lines.append(f"  KHÔNG KIỂM TRA ĐƯỢC (could not check): {q['unverified']} câu hỏi đã nhận (server unreachable)")
    if q["limited"]:
        lines.append("  " + loadgen.limited_warning(__import__("collections").Counter(q["limited"])))
    if q["rejected"]:
        lines.append(f"  bị từ chối (refused for good): {q['rejected']}")
    if q["retryable"]:
        lines.append(f"  từ chối tạm thời, đã gửi lại (retryable refusals, sent again): {q['retryable']}")
    labels = (
        ("staff", "tới màn hình (to staff)  "),
        ("phones", "tới điện thoại (phones)  "),
        ("asker", "tới người hỏi (asker)    "),
    )
    for who, label in labels:
        f = r["fanout"][who]
        if who == "phones" and f["expected"] and not f["delivered"]:
            lines.append(
                f"  {label} máy chủ không gửi question.current tới điện thoại / the server broadcasts nothing to phones"
            )
            continue
        lines.append(f"  {label} {_latency(f['latency'])} · nhận/delivered {f['delivered']}/{f['expected']}")
    if r["mc"]["errors"]:
        lines.append(f"  MC: {r['mc']['actions']} thao tác/actions · lỗi/errors {r['mc']['errors']}")
    verdict = (
        "KẾT QUẢ: ĐẠT — không mất câu hỏi nào / RESULT: OK — nothing lost"
        if r["ok"]
        else "KẾT QUẢ: KHÔNG ĐẠT — có câu hỏi bị mất hoặc không kiểm tra được / RESULT: FAILED — questions lost or unchecked"
    )
    lines.append(verdict)
    return "\n".join(lines)


# ---------------------------------------------------------------- the store: links, wipe


def store_links(config: dict, base: str | None) -> tuple[str, dict[str, str]]:
    """The server's address and every role's link, read from the rehearsal's store."""
    from live.services.day import SERVER, TOKENS
    from live.store import open_store

    store = open_store(config)
    try:
        tokens = store.get(TOKENS) or {}
        announced = (store.get(SERVER) or {}).get("public_url")
    finally:
        store.close()
    base = (base or announced or "").rstrip("/")
    if not base:
        raise LoadtestError("không biết địa chỉ máy chủ: cho URL, ví dụ live loadtest http://127.0.0.1:5000")
    return base, {role: f"{base}/k/{token}" for role, token in tokens.items()}


def real_questions(config: dict) -> int:
    """How many questions in the store named by ``config`` the load test did not send (a deleted
    one counts too: it belonged to a real day)."""
    from live.store import open_store

    store = open_store(config)
    try:
        found = store.scan(QUESTION_KEYS)
    finally:
        store.close()
    return sum(1 for k in found if not k[len(QUESTION_KEYS) :].startswith(ID_PREFIX))


def _open_by(path: str) -> list[int]:
    """The processes on this machine that hold ``path`` open (Linux /proc)."""
    pids = []
    target = os.path.realpath(path)
    for fd_dir in glob.glob("/proc/[0-9]*/fd"):
        try:
            for fd in os.listdir(fd_dir):
                if os.path.realpath(os.path.join(fd_dir, fd)) == target:
                    pids.append(int(fd_dir.split("/")[2]))
                    break
        except OSError:
            continue
    return pids


def wipe(config: dict) -> tuple[bool, str]:
    """Delete the rehearsal's store; (done, what was done or why not)."""
    from live.store import open_store

    store = open_store(config)
    try:
        found = store.scan(QUESTION_KEYS)
        if config.get("REDIS_URL"):
            in_use = _redis_listeners(config)
        else:
            in_use = [pid for pid in _open_by(store.path) if pid != os.getpid()]
    finally:
        store.close()
    others = [k for k in found if not k[len(QUESTION_KEYS) :].startswith(ID_PREFIX)]
    where = _where(config)
    if in_use:
        return False, (
            f"live loadtest: {where} đang được máy chủ sử dụng ({in_use}): dừng máy chủ tập dượt trước khi xoá. "
            "Không xoá gì. / A server still uses this store: stop it first. Nothing deleted."
        )
    if others:
        return False, (
            f"live loadtest: {where} có {len(others)} câu hỏi không do live loadtest gửi: đây không phải kho "
            "tập dượt, không xoá gì. / It holds questions the load test did not send: not a rehearsal store, "
            "nothing deleted. (Nếu chắc chắn, xoá tay / if you are sure, delete it by hand: docs/deployment.md §9.)"
        )
    removed = _delete(config, store)
    return True, f"live loadtest: đã xoá kho tập dượt {where}: {removed} / rehearsal store wiped."


def _where(config: dict) -> str:
    if config.get("REDIS_URL"):
        return f"Redis, tiền tố/prefix {config.get('REDIS_PREFIX') or 'live'!r}"
    return f"thư mục/data dir {os.path.abspath(config['DATA_DIR'])}"


def _redis_listeners(config: dict) -> int:
    """How many server processes listen on the rehearsal's message-queue channel."""
    import redis

    from live.realtime.fanout import channel

    client = redis.Redis.from_url(config["REDIS_URL"], socket_connect_timeout=2)
    try:
        return sum(int(n) for _, n in client.pubsub_numsub(channel(config.get("REDIS_PREFIX") or "live")))
    finally:
        client.close()


def _delete(config: dict, store) -> str:
    if config.get("REDIS_URL"):
        import redis

        client = redis.Redis.from_url(config["REDIS_URL"])
        prefix = config.get("REDIS_PREFIX") or "live"
        pattern = "".join("\\" + ch if ch in "*?[]\\" else ch for ch in prefix) + ":*"
        keys = n = 0
        batch = []
        for key in client.scan_iter(match=pattern, count=1000):
            batch.append(key)
            if len(batch) >= 500:
                n += client.unlink(*batch)
                batch = []
            keys += 1
        if batch:
            n += client.unlink(*batch)
        client.close()
        return f"{n} khoá/keys"
    removed = []
    for suffix in ("", "-wal", "-shm", "-journal"):
        path = store.path + suffix
        if os.path.exists(path):
            os.remove(path)
            removed.append(os.path.basename(path))
    return ", ".join(removed) or "không còn gì / nothing left"


# ---------------------------------------------------------------- the command


def add_parser(commands) -> argparse.ArgumentParser:
    """The ``loadtest`` subcommand's options (called from ``live/__main__.py``)."""
    p = commands.add_parser("loadtest", help="tập dượt tải: điện thoại, màn hình, MC giả lập; --wipe xoá kho tập dượt")
    p.add_argument("url", nargs="?", help="địa chỉ máy chủ tập dượt (mặc định: địa chỉ serve đã in, đọc từ kho)")
    p.add_argument("--phones", type=int, default=100, help="số điện thoại (mặc định 100)")
    p.add_argument("--staff", type=int, default=4, help="số màn hình: mc, moderator, projector, chair lần lượt (4)")
    p.add_argument("--rate", type=float, default=5.0, help="câu hỏi mỗi giây từ mọi điện thoại cộng lại (5)")
    p.add_argument("--duration", type=float, default=60.0, help="số giây gửi câu hỏi (60)")
    p.add_argument("--show-every", type=float, default=5.0, help="MC trình chiếu một câu hỏi mỗi … giây (5; 0: không)")
    p.add_argument("--link", action="append", default=[], metavar="ROLE=URL", help="liên kết bí mật của một vai trò")
    p.add_argument("--site", action="append", default=[], help="chỉ dùng các điểm cầu này (mặc định: mọi điểm cầu)")
    p.add_argument("--connect-rate", type=float, default=500.0, help="điện thoại kết nối mới mỗi giây (500)")
    p.add_argument("--drain", type=float, default=15.0, help="giây chờ các xác nhận cuối (15)")
    p.add_argument("--insecure", action="store_true", help="không kiểm tra chứng chỉ HTTPS (máy chủ tập dượt tự ký)")
    p.add_argument("--json", metavar="FILE", help="ghi kết quả dạng JSON vào FILE")
    p.add_argument("--no-progress", action="store_true", help="không in dòng tiến độ")
    p.add_argument("--wipe", action="store_true", help="xoá kho tập dượt (máy chủ đã dừng), rồi thoát")
    p.add_argument("--data-dir", help="kho tập dượt (LIVE_DATA_DIR): đọc liên kết, hoặc xoá với --wipe")
    p.add_argument("--redis-url", help="Redis của kho tập dượt (LIVE_REDIS_URL)")
    p.add_argument("--redis-prefix", help="tiền tố của kho tập dượt trong Redis (LIVE_REDIS_PREFIX), ví dụ tapdung")
    p.set_defaults(func=command)
    return p


def _store_config(args: argparse.Namespace) -> dict:
    from live.web import config as settings

    config = settings.from_env()
    if args.data_dir:
        config["DATA_DIR"] = args.data_dir
    if args.redis_url:
        config["REDIS_URL"] = args.redis_url
    if args.redis_prefix:
        config["REDIS_PREFIX"] = args.redis_prefix
    return config


def command(args: argparse.Namespace) -> int:
    """``live loadtest``: 0 nothing lost, 1 questions lost or unchecked, 2 cannot run."""
    config = _store_config(args)
    if args.wipe:
        if not (args.data_dir or args.redis_url or os.environ.get("LIVE_DATA_DIR") or config.get("REDIS_URL")):
            print("live loadtest --wipe: chỉ rõ kho tập dượt: --data-dir DIR hoặc --redis-url URL --redis-prefix P",
                  file=sys.stderr)  # fmt: skip
            return 2
        done, message = wipe(config)
        print(message, file=sys.stdout if done else sys.stderr)
        return 0 if done else 1
    links = {}
    for item in args.link:
        role, sep, url = item.partition("=")
        if not sep or not url.startswith(("http://", "https://")):
            print(f"live loadtest: --link phải có dạng ROLE=URL (đang là {item[:40]!r})", file=sys.stderr)
            return 2
        links[role.strip()] = url.strip()
    base = args.url
    named = bool(args.data_dir or args.redis_url or os.environ.get("LIVE_DATA_DIR") or config.get("REDIS_URL"))
    if named or not links:
        real = real_questions(config)
        if real:
            print(
                f"live loadtest: {_where(config)} có {real} câu hỏi không do live loadtest gửi: đây là kho của một "
                "hội nghị thật, không chạy thử tải vào đó. Chạy một máy chủ tập dượt trên kho riêng (LIVE_DATA_DIR "
                "hoặc LIVE_REDIS_PREFIX khác). / This store holds a real conference's questions: the load test "
                "does not run against it. Start a rehearsal server on a store of its own.",
                file=sys.stderr,
            )
            return 2
    if not links:
        base, links = store_links(config, base)
    if not base:
        base = links[next(iter(links))].split("/k/", 1)[0]
    options = Options(
        url=base.rstrip("/"),
        links=links,
        phones=args.phones,
        staff=args.staff,
        rate=args.rate,
        duration=args.duration,
        show_every=args.show_every,
        sites=args.site,
        connect_rate=args.connect_rate,
        drain=args.drain,
        verify=not args.insecure,
        progress=not args.no_progress,
    )
    try:
        report = asyncio.run(rehearse(options))
    except LoadtestError as error:
        print(f"live loadtest: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"live loadtest: không kết nối được {options.url} ({error})", file=sys.stderr)
        return 2
    print(format_report(report), flush=True)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(report, out, ensure_ascii=False, indent=1)
    return 0 if report["ok"] else 1


__all__ = ["REHEARSAL_LIMITS", "add_parser", "command", "format_report", "rehearse", "wipe"]
