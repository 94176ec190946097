"""live: the real-time server for the dialogue conference between a chairman and the youth.

The folders are the layers, each importing only those below it (held by the import-linter
contracts in pyproject.toml and tests/deploy/test_layers.py):

    tools/      the load generator and ``live loadtest``; the server never imports them
    app.py      the application factory: wires the web and real-time adapters to the services
    realtime/   the Socket.IO adapter: the event registry's handlers, broadcasts, several processes
    web/        the Flask adapter: settings, sessions, languages, headers, the views
    services/   load → one transition → save → what to announce
    store/      the Store interface; SQLite and Redis behind one contract
    formats/    bytes in, bytes out: site files, exports, the notice (DOCX), QR, the wire's JSON
    core/       pure rules: no Flask, Socket.IO, storage or I/O
    transport/  the only place that touches engineio, socketio, gevent and eventlet internals
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def create_app(config: dict | None = None) -> Flask:
    """Build the application (``live.app.create_app``); kept here so ``live:create_app()`` works."""
    from live.app import create_app as factory

    return factory(config)
