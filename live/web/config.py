"""Settings from arguments and the environment (``LIVE_*``); no secret lives in code."""

from __future__ import annotations

import os
import socket

ASYNC_MODES = ("eventlet", "gevent", "threading")

DEFAULTS = {
    "HOST": "0.0.0.0",
    "PORT": 5000,
    "DATA_DIR": "instance",
    "PUBLIC_URL": "",
    "ASYNC_MODE": "gevent",  # the benchmark's choice (BENCHMARKS.md); eventlet is deprecated upstream
    "DEMO": False,
    "SECRET_KEY": None,
    "LOG_LEVEL": "INFO",
    # questions from phones, "scope=burst/seconds" (see live/core/limits.py); empty: the defaults
    "RATE_LIMITS": "",
    # several processes share one Redis: the store, and the message queue between them
    "REDIS_URL": "",
    "REDIS_PREFIX": "live",
    # reverse proxies in front whose X-Forwarded-For / -Proto are trusted (1 behind nginx)
    "PROXY_HOPS": 0,
    # the listen backlog: a reconnect storm of thousands of phones must not be refused
    "BACKLOG": 4096,
    # Engine.IO heartbeat, seconds: the server pings every PING_INTERVAL and drops a client that
    # has not answered PING_TIMEOUT later (the Socket.IO defaults: 25 and 20)
    "PING_INTERVAL": 25,
    "PING_TIMEOUT": 20,
    # more origins allowed to open a Socket.IO connection, besides the public URL (comma-separated)
    "ALLOWED_ORIGINS": "",
}


class ConfigError(ValueError):
    """A setting that cannot be used; its message, in Vietnamese, names the setting."""


def from_env(environ: os._Environ | dict | None = None) -> dict:
    """The settings the environment gives, over the defaults."""
    env = os.environ if environ is None else environ
    config = dict(DEFAULTS)
    for key in DEFAULTS:
        value = env.get(f"LIVE_{key}")
        if value is None or value == "":
            continue
        if key in ("PORT", "PROXY_HOPS", "BACKLOG", "PING_INTERVAL", "PING_TIMEOUT"):
            if not value.strip().isdigit():
                raise ConfigError(f"LIVE_{key} phải là một số nguyên không âm (đang là {value[:40]!r})")
            value = int(value)
        elif key == "DEMO":  # 1 (like --demo): the month before the day; "conference": the plan alone
            value = value.strip().lower()
            value = (
                "conference"
                if value == "conference"
                else "month"
                if value in ("1", "true", "yes", "on", "month")
                else False
            )
        config[key] = value
    return config


def lan_address() -> str:
    """This machine's address on its local network (no packet is sent), or 127.0.0.1."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("10.255.255.255", 1))
        return probe.getsockname()[0]
    except OSError:
        return "127.0.0.1"
    finally:
        probe.close()


def public_url(config: dict) -> str:
    """The base URL other devices reach this server at: ``PUBLIC_URL``, else the LAN address."""
    if config.get("PUBLIC_URL"):
        return config["PUBLIC_URL"].rstrip("/")
    host = config.get("HOST") or "0.0.0.0"
    if host in ("0.0.0.0", "::", ""):
        host = lan_address()
    return f"http://{host}:{config.get('PORT', 5000)}"


def allowed_origins(config: dict) -> list[str]:
    """The origins whose pages may open a Socket.IO connection: the public URL, this server's own
    address on the machine itself, and any ``ALLOWED_ORIGINS``. Never ``*``."""
    origins = [public_url(config)]
    port = config.get("PORT", 5000)
    origins += [f"http://127.0.0.1:{port}", f"http://localhost:{port}"]
    origins += [o.strip().rstrip("/") for o in (config.get("ALLOWED_ORIGINS") or "").split(",") if o.strip()]
    return list(dict.fromkeys(o for o in origins if o != "*"))
