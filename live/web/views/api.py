"""Machine endpoints: health and time."""

from __future__ import annotations

import time

from flask import Blueprint, current_app, jsonify

from live.web.auth import day

bp = Blueprint("api", __name__)


@bp.get("/healthz")
def healthz():
    """Liveness for monitors: the store answers, and which store it is."""
    store = day().store
    ok = store.ping()
    body = {
        "status": "ok" if ok else "degraded",
        "store": store.backend,
        "store_ok": ok,
        "seq": store.seq() if ok else None,
        "async_mode": current_app.config["ASYNC_MODE"],
        "connections": current_app.extensions["live.connections"].count(),
        "time": time.time(),
    }
    return jsonify(body), 200 if ok else 503
