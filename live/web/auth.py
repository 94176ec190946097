"""The signed session's grants, read against the current role tokens, for pages and sockets."""

from __future__ import annotations

import functools
import logging
import secrets

from flask import abort, current_app, request, session
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature, URLSafeSerializer
from werkzeug.http import parse_cookie

from live.core import access

log = logging.getLogger("live.access")


def day():
    return current_app.extensions["live.day"]


def grants() -> dict[str, str]:
    """What the session remembers: role → fingerprint of the link or PIN that granted it."""
    found = session.get("grants")
    return dict(found) if isinstance(found, dict) else {}


def current_roles() -> set[str]:
    """The roles this browser holds through links, or PINs, that are still valid."""
    held = grants()
    # only a session that signed in with a PIN reads the PINs (most screens came by link)
    pins = day().pin_hashes() if access.uses_pin(held) else None
    return access.valid_roles(held, day().tokens(), pins)


def _remember(role: str, mark: str) -> None:
    held = grants()
    held[role] = mark
    session["grants"] = held
    session.permanent = True


def grant(role: str, token: str) -> None:
    """Remember in the session that this browser opened ``role``'s link."""
    _remember(role, access.fingerprint(token))


def grant_pin(role: str, mark: str) -> None:
    """Remember in the session that this browser signed in as ``role`` with its PIN
    (``mark`` is ``access.pin_mark`` of the PIN's stored hash)."""
    _remember(role, mark)


def screen(name: str):
    """Decorator: the page opens only for a role allowed on screen ``name``; 403 otherwise."""

    def wrap(view):
        @functools.wraps(view)
        def guarded(*args, **kwargs):
            roles = current_roles()
            if not access.may_open(roles, name):
                log.warning("denied page=%s roles=%s", name, ",".join(sorted(roles)) or "-")
                abort(403)
            return view(*args, **kwargs)

        return guarded

    return wrap


DEVICE_COOKIE = "live_device"
DEVICE_AGE = 365 * 24 * 3600


def _devices(app=None) -> URLSafeSerializer:
    """One serializer per app (secret key), not one per phone connecting."""
    app = app or current_app
    found = app.extensions.get("live.devices")
    if found is None or found[0] != app.secret_key:
        found = app.extensions["live.devices"] = (
            app.secret_key,
            URLSafeSerializer(app.secret_key, salt="live.device"),
        )
    return found[1]


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, not read again for each Socket.IO event.

    Flask-SocketIO runs every event in a request context made from the connection's environ,
    and Flask opens the session cookie for each one (parsing the cookies, building a signing
    serializer, verifying the signature), only for Flask-SocketIO to replace it at once with
    the copy it saved at connect (``saved_session`` in that environ). Each event then opens
    nothing; the connect itself, and every page, read the real cookie.
    """

    def open_session(self, app, request):
        if "saved_session" in request.environ:
            return self.session_class()
        return super().open_session(app, request)


def device_id() -> str | None:
    """The phone's own id from its signed device cookie, or None when it has none or forged one."""
    return _device(current_app, request.cookies.get(DEVICE_COOKIE))


def device_in(app, environ) -> str | None:
    """``device_id`` of a request's environ, outside any Flask context (a Socket.IO handshake)."""
    return _device(app, parse_cookie(environ).get(DEVICE_COOKIE))


def _device(app, value: str | None) -> str | None:
    if not value or len(value) > 200:
        return None
    try:
        ident = _devices(app).loads(value)
    except BadSignature:
        return None
    return ident if isinstance(ident, str) else None


def new_device() -> str:
    """A new phone's device id, before ``give_device`` sets it in its cookie."""
    return secrets.token_urlsafe(16)


def give_device(response, ident: str | None = None) -> None:
    """Set a signed device cookie on a phone that has none: its questions and its rate limit
    (``ident``: the id a question it posted was just stored under; a new one otherwise)."""
    if device_id() is None:
        response.set_cookie(
            DEVICE_COOKIE,
            _devices().dumps(ident or new_device()),
            max_age=DEVICE_AGE,
            httponly=True,
            samesite="Lax",
            secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
        )
