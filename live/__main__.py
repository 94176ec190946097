"""The ``live`` command: ``live serve``, ``live links``, ``live purge``. Monkey patching happens here, first."""

from __future__ import annotations

import os
import sys


def _async_mode(argv: list[str]) -> str:
    """The async mode asked for, read before anything else is imported."""
    for i, arg in enumerate(argv):
        if arg == "--async-mode" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--async-mode="):
            return arg.split("=", 1)[1]
    return os.environ.get("LIVE_ASYNC_MODE") or settings_default()


def settings_default() -> str:
    from live.web.config import DEFAULTS  # imports nothing that monkey patching must precede

    return DEFAULTS["ASYNC_MODE"]


def _patch(argv: list[str]) -> None:
    if len(argv) < 2 or argv[1] != "serve":
        return
    mode = _async_mode(argv)
    if mode == "eventlet":
        import warnings

        # known and documented (README, Configuration); the benchmark decides the default mode
        warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
        import eventlet

        eventlet.monkey_patch()
    elif mode == "gevent":
        from gevent import monkey

        monkey.patch_all()


import argparse  # noqa: E402  (argparse and config import nothing that monkey patching must precede)

from live.web import config as settings  # noqa: E402


def _store_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", help="thư mục dữ liệu (mặc định ./instance; LIVE_DATA_DIR)")
    parser.add_argument(
        "--redis-url",
        help="dùng chung Redis giữa nhiều tiến trình, ví dụ redis://127.0.0.1:6379/0 (LIVE_REDIS_URL)",
    )
    parser.add_argument("--public-url", help="địa chỉ các thiết bị dùng để vào máy chủ (LIVE_PUBLIC_URL)")


def _config(args: argparse.Namespace) -> dict:
    config = settings.from_env()
    for key in ("host", "port", "data_dir", "public_url", "async_mode", "redis_url"):
        value = getattr(args, key, None)
        if value not in (None, ""):
            config[key.upper()] = value
    if getattr(args, "demo", None):
        config["DEMO"] = args.demo
    return config


def serve(args: argparse.Namespace) -> int:
    """Start the real-time server and print every screen's link to this console."""
    from live import create_app
    from live.app import MISSING_ASSETS, assets
    from live.core import access
    from live.transport import patches

    if assets() is None:  # a package installed without its screens: say so, rather than serve 500s
        print(MISSING_ASSETS, file=sys.stderr)
        return 2
    untested = patches.check()  # versions outside the range the patches were tested on
    if untested:
        print(untested, file=sys.stderr)
        return 2
    config = _config(args)
    if config["ASYNC_MODE"] not in settings.ASYNC_MODES:
        print(f"live: chế độ không hỗ trợ: {config['ASYNC_MODE']}", file=sys.stderr)
        return 2
    app = create_app(config)
    socketio = app.extensions["live.socketio"]
    day = app.extensions["live.day"]
    base = app.config["PUBLIC_URL"]
    day.remember_public_url(base)
    print(f"live: {app.config['ASYNC_MODE']} · store {day.store.backend} · {base}", flush=True)
    for warning in day.store.durability():
        print(f"live: CẢNH BÁO / WARNING: {warning}", file=sys.stderr, flush=True)
    print("Liên kết các màn hình (giữ bí mật / keep secret):", flush=True)
    for role, url in access.links(base, day.tokens()):
        print(f"  {role}\t{url}", flush=True)
    print(f"  health\t{base}/healthz", flush=True)
    run(app, socketio, config["HOST"], int(config["PORT"]), int(config.get("BACKLOG") or 4096))
    return 0


MAX_CONNECTIONS = 100_000  # eventlet's server would otherwise stop accepting at 1024
# Each open socket keeps its HTTP read (and with eventlet, write) buffer for as long as it lives,
# though after the WebSocket upgrade neither is used: 1 KB holds a phone's handshake, and a longer
# request or response is simply read or written in more pieces (2 KB cost eventlet 2.5 KB more
# per idle phone: 41.4 against 38.9 KB at 2,000 phones, gevent 34.3 against 33.4).
CONNECTION_BUFFER = 1024


def no_delay(sock) -> None:
    """Send each small message at once (TCP_NODELAY). Without it, an acknowledgement written
    right after a broadcast to the same screen waits for the client's delayed ACK: about 40 ms
    per tap for an MC pressing buttons one after another. Linux copies the option from the
    listening socket to every socket it accepts."""
    import socket

    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def open_files_limit() -> int:
    """Raise this process's limit on open files to what the system allows it (``ulimit -Hn``):
    every phone holds a socket (two under gevent, whose WebSocket keeps a duplicate), and the
    usual soft limit of 1,024 would refuse the 500th phone. Returns the limit now in force."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
        except (ValueError, OSError):
            pass
    return soft


def run(app, socketio, host: str, port: int, backlog: int) -> None:
    """Serve until stopped, with a listen backlog a reconnect storm of thousands of phones needs."""
    mode = app.config["ASYNC_MODE"]
    open_files_limit()
    from live.transport import patches

    patches.apply(mode)  # every module-level patch of a dependency, in one place
    if mode in ("eventlet", "gevent"):
        from live.transport import direct, memory

        app.extensions["live.day"].in_thread = direct.native(mode)  # a PIN's hash: not on the loop
        app.wsgi_app = direct.PhoneGate(app.wsgi_app)  # outside Flask-SocketIO's middleware
        socketio.start_background_task(memory.keep_tidy, socketio.sleep)
    if mode == "eventlet":
        import eventlet
        import eventlet.wsgi

        class Protocol(eventlet.wsgi.HttpProtocol):
            rbufsize = wbufsize = CONNECTION_BUFFER  # eventlet's own: 8 KB + 16 KB per socket

        listener = eventlet.listen((host, port), backlog=backlog)
        no_delay(listener)
        memory.settle()
        eventlet.wsgi.server(listener, app, log_output=False, max_size=MAX_CONNECTIONS, debug=False, protocol=Protocol)
    elif mode == "gevent":
        from gevent import pywsgi

        # plain pywsgi even if gevent-websocket is installed: the WebSocket is live's (direct.py)
        class Handler(pywsgi.WSGIHandler):
            def __init__(self, sock, address, server, rfile=None):
                # gevent's own read buffer is 8 KB per socket
                super().__init__(sock, address, server, rfile or sock.makefile("rb", CONNECTION_BUFFER))

            def MessageClass(self, fp, *_args):  # noqa: N802 (pywsgi's name)
                return direct.read_headers(fp)

        server = pywsgi.WSGIServer((host, port), app, handler_class=Handler, log=None, backlog=backlog)
        server.init_socket()
        no_delay(server.socket)
        memory.settle()
        server.serve_forever()
    else:  # threading: for debugging only
        socketio.run(app, host=host, port=port, debug=False, use_reloader=False, allow_unsafe_werkzeug=True)


def links(args: argparse.Namespace) -> int:
    """Print one line per screen: role, a tab, the full URL."""
    from live.core import access
    from live.services import replies
    from live.services.day import Day
    from live.store import open_store

    config = _config(args)
    store = open_store(config)
    day = Day(store)
    day.setup(demo=False)
    # the address ``serve`` last announced, unless this command is told another
    base = settings.public_url(config) if (args.public_url or args.port or config.get("PUBLIC_URL")) else None
    for role, url in access.links(base or day.public_url() or settings.public_url(config), day.tokens()):
        print(f"{role}\t{url}")
    # each answering department's own link for its written replies (live/services/replies.py)
    for department, url in replies.links(base or day.public_url() or settings.public_url(config), day):
        print(f"co-quan:{department['id']}\t{url}")
    store.close()
    return 0


def purge(args: argparse.Namespace) -> int:
    """Purge the askers' personal data if its retention period is over; else say when it will be
    (live/services/retention.py). The server's own task does the same every hour."""
    import time

    from live.core import retention as rules
    from live.services import retention
    from live.services.desk import PREFIX
    from live.store import open_store

    config = _config(args)
    store = open_store(config)
    try:
        now = time.time()
        found = list(store.scan(PREFIX).values())
        period = retention.setting(store)["days"]
        holding = retention.holding(found)
        due = retention.due_at(store, found, now)
        if args.check or not rules.is_due(due, now):
            when = rules.day_month_year(due)
            print(
                f"live purge: {'đã đến hạn' if rules.is_due(due, now) else 'chưa đến hạn'} — dữ liệu cá nhân "
                f"của {holding} câu hỏi được xoá từ 00:00 ngày {when} (thời hạn lưu {period} ngày). / "
                f"{'due' if rules.is_due(due, now) else 'not due yet'}: the personal data of {holding} "
                f"questions is purged from 00:00 on {when} (retention {period} days).",
                flush=True,
            )
            return 0
        done = retention.purge(store, now, role="system", name="live purge")
        print(
            f"live purge: đã xoá dữ liệu cá nhân của {done.questions} câu hỏi và {done.entries} mục nhật ký "
            f"(hết hạn từ {rules.day_month_year(done.due_at)}). / purged the personal data of "
            f"{done.questions} questions and {done.entries} audit entries (due since "
            f"{rules.day_month_year(done.due_at)}).",
            flush=True,
        )
        return 0
    finally:
        store.close()


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="live", description="Máy chủ thời gian thực cho hội nghị đối thoại với thanh niên."
    )
    commands = root.add_subparsers(dest="command", required=True)
    run = commands.add_parser("serve", help="chạy máy chủ")
    run.add_argument("--host", help="địa chỉ lắng nghe (mặc định 0.0.0.0)")
    run.add_argument("--port", type=int, help="cổng (mặc định 5000)")
    run.add_argument("--async-mode", choices=settings.ASYNC_MODES, help="gevent (mặc định) hoặc eventlet")
    run.add_argument(
        "--demo",
        nargs="?",
        const="month",
        choices=("month", "conference"),
        help="nạp hội nghị mẫu Cao Bằng khi kho dữ liệu trống: cả tháng trước ngày hội nghị (mặc định),"
        " hoặc --demo=conference: chỉ hội nghị theo kế hoạch 2025, chưa có câu hỏi",
    )
    _store_options(run)
    run.set_defaults(func=serve)
    show = commands.add_parser("links", help="in liên kết bí mật của từng màn hình")
    _store_options(show)
    show.add_argument("--port", type=int, help="cổng máy chủ, để dựng địa chỉ khi không có --public-url")
    show.set_defaults(func=links)
    wipe = commands.add_parser(
        "purge",
        help="xoá dữ liệu cá nhân đã hết thời hạn lưu (tên, liên kết thiết bị, đồng ý) / purge expired personal data",
    )
    _store_options(wipe)
    when = wipe.add_mutually_exclusive_group()
    when.add_argument("--now", action="store_true", help="xoá ngay những gì đã đến hạn (mặc định)")
    when.add_argument("--check", action="store_true", help="chỉ in ngày đến hạn và số câu hỏi còn dữ liệu cá nhân")
    wipe.set_defaults(func=purge)
    from live.tools.loadtest import (
        add_parser as add_loadtest,  # the load rehearsal (issue 7): options in live/tools/loadtest.py
    )

    add_loadtest(commands)
    return root


def main(argv: list[str] | None = None) -> int:
    from live.core.errors import StoreUnavailable

    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except settings.ConfigError as error:
        print(f"live: {error}", file=sys.stderr)
        return 2
    except StoreUnavailable:
        print(
            "live: không kết nối được kho dữ liệu (Redis). Kiểm tra --redis-url / LIVE_REDIS_URL "
            "và rằng redis-server đang chạy.",
            file=sys.stderr,
        )
        return 3


def entry() -> int:
    """The console script: patch for the async server first, then run the command."""
    _patch(sys.argv)
    return main()


if __name__ == "__main__":
    sys.exit(entry())
