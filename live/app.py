"""The application factory: settings, store, extensions, screens, real-time handlers."""

from __future__ import annotations

import functools
import os
from typing import TYPE_CHECKING

from live.web import config as settings

if TYPE_CHECKING:
    from flask import Flask

PACKAGE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(PACKAGE)  # a source checkout, when live runs from one (pip install -e .)
MISSING_ASSETS = (
    "live: thiếu giao diện (templates/, static/) trong gói cài đặt — cài lại live"
    " / live: the package has no templates/ or static/ — reinstall live"
)


def assets(package: str = PACKAGE, root: str = ROOT) -> tuple[str, str] | None:
    """The screens' templates and static folders: inside the package (the wheel carries the
    checkout's top-level templates/ and static/ as live/templates and live/static), else at the
    top of the source checkout the package runs from (an editable install; a checkout has its
    pyproject.toml, site-packages has not). None when neither place has them."""
    places = [package]
    if os.path.isfile(os.path.join(root, "pyproject.toml")):
        places.append(root)
    for base in places:
        templates, static = os.path.join(base, "templates"), os.path.join(base, "static")
        if os.path.isfile(os.path.join(templates, "base.html")) and os.path.isdir(static):
            return templates, static
    return None


def create_app(config: dict | None = None) -> Flask:
    """Build the application: settings, store, extensions, screens, real-time handlers."""
    from flask import Flask
    from flask_socketio import SocketIO

    from live.core import limits
    from live.formats import wire
    from live.realtime import broadcast, handlers, tasks
    from live.services.day import Day
    from live.store import open_store
    from live.transport import patches
    from live.transport.shortway import Packet
    from live.web import auth, i18n, security, static_files
    from live.web.extensions import babel, compress, csrf
    from live.web.views import admin, api, errors, phone, privacy, rehearsal, reports, screens, sites
    from live.web.views import afterday as afterday_view
    from live.web.views import branches as branches_view
    from live.web.views import dialogue as dialogue_view
    from live.web.views import participation as participation_view
    from live.web.views import preparation as preparation_view
    from live.web.views import replies as written_replies
    from live.web.views import retention as retention_view
    from live.web.views import rights as rights_view
    from live.web.views import script as script_view
    from live.web.views import survey as survey_view
    from live.web.views import window as window_view
    from live.web.views import wordlist as wordlist_view

    folders = assets()
    if folders is None:
        raise RuntimeError(MISSING_ASSETS)  # not an application that answers every page with a 500
    app = Flask(__name__, template_folder=folders[0], static_folder=folders[1])
    app.config.update(settings.from_env())
    app.config.update(config or {})
    app.config["PUBLIC_URL"] = settings.public_url(app.config)

    store = open_store(app.config)
    day = Day(store, limiter=limits.Limiter(limits.parse_rules(app.config.get("RATE_LIMITS") or "")))
    day.setup(demo=app.config["DEMO"])  # True or "conference": the plan alone; "month": its month before
    app.config["SECRET_KEY"] = app.config.get("SECRET_KEY") or day.secret_key()
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=app.config["PUBLIC_URL"].startswith("https://"),
        SESSION_COOKIE_NAME="live_session",
        PERMANENT_SESSION_LIFETIME=7 * 24 * 3600,
        MAX_CONTENT_LENGTH=8 * 1024 * 1024,
        # a national conference's admin form carries thousands of sites
        MAX_FORM_MEMORY_SIZE=8 * 1024 * 1024,
        MAX_FORM_PARTS=100_000,
        WTF_CSRF_TIME_LIMIT=None,
        BABEL_DEFAULT_LOCALE="vi",
        BABEL_TRANSLATION_DIRECTORIES=os.path.join(PACKAGE, "translations"),
        TEMPLATES_AUTO_RELOAD=False,
        # a phone on weak 3G loads its page in about a third of the bytes (gzip is in every browser)
        COMPRESS_ALGORITHM=["gzip"],
        COMPRESS_LEVEL=6,
    )
    app.json.ensure_ascii = False  # Vietnamese as UTF-8 in JSON, not six bytes per letter
    app.session_interface = auth.SessionInterface()  # the cookie read at connect, not per event
    patches.no_routing_for_socket_events(app)
    app.extensions["live.day"] = day
    security.init_logging(app.config.get("LOG_LEVEL", "INFO"))

    babel.init_app(app, locale_selector=i18n.select_locale)
    csrf.init_app(app)
    compress.init_app(app)
    static_files.init_app(app)  # static files gzipped once, not per request
    i18n.init_app(app)
    security.init_app(app)

    errors.init_app(app)
    app.register_blueprint(screens.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(phone.bp)
    app.register_blueprint(sites.bp)
    app.register_blueprint(reports.bp)
    app.register_blueprint(written_replies.bp)
    app.register_blueprint(privacy.bp)
    app.register_blueprint(rehearsal.bp)
    app.register_blueprint(rights_view.bp)  # the asker's rights by tracking code, the register of requests
    app.register_blueprint(participation_view.bp)
    app.register_blueprint(retention_view.bp)  # the retention period and the purge of expired personal data
    app.register_blueprint(window_view.bp)  # the question window: when questions from phones are received
    app.register_blueprint(branches_view.bp)  # the branches' lists of questions collected before the day
    app.register_blueprint(dialogue_view.bp)  # the dialogue's public page, asking from home
    app.register_blueprint(preparation_view.bp)  # departments preparing answers before the day
    app.register_blueprint(script_view.bp)  # the script (kịch bản) and the packs
    app.register_blueprint(wordlist_view.bp)  # the word lists that hold or flag questions at intake
    app.register_blueprint(survey_view.bp)  # the survey after the day: the phones, the admin, the free texts read
    app.register_blueprint(afterday_view.bp)  # the participation page after the day, printable and in XLSX

    if app.config.get("PROXY_HOPS"):  # behind nginx: the phone's address, and https, from its headers
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["PROXY_HOPS"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    options = {}
    presence = None
    if app.config.get("REDIS_URL"):  # several processes: broadcasts and the roll call go through Redis
        from live.realtime import fanout

        prefix = app.config.get("REDIS_PREFIX") or "live"
        options["client_manager"] = fanout.Fanout(
            app.config["REDIS_URL"], fanout.channel(prefix), on_resubscribe=lambda: broadcast.resync(socketio, day)
        )
        presence = fanout.SharedPresence(app.config["REDIS_URL"], prefix, fanout.new_process_id())
    socketio = SocketIO(
        app,
        async_mode=app.config["ASYNC_MODE"],
        # the handshake is refused from any page but ours: the public URL, never "*"
        cors_allowed_origins=settings.allowed_origins(app.config),
        max_http_buffer_size=64 * 1024,
        # each connection's events run in its own reader, in order (see live.realtime.handlers)
        async_handlers=False,
        serializer=Packet,
        json=wire,  # orjson (live.formats.wire)
        ping_interval=max(1, int(app.config.get("PING_INTERVAL") or 25)),
        ping_timeout=max(1, int(app.config.get("PING_TIMEOUT") or 20)),
        logger=False,
        engineio_logger=False,
        **options,
    )
    adapter = handlers.register(socketio, day, presence)
    app.extensions["live.connections"] = adapter.connections
    app.extensions["live.taken_in"] = adapter.taken_in  # live.web.announce.taken_in
    tasks.RetentionTask(socketio, day, app.config.get("TIMEZONE")).start()  # expired personal data purged hourly
    app.extensions["live.socketio"] = socketio
    app.extensions["live.announce"] = functools.partial(broadcast.broadcast, socketio)  # live.web.announce
    return app
