"""The staff screens (MC, projector, chairman, secretariat), the secret-link entrance and the PIN
sign-in page."""

from __future__ import annotations

import datetime as dt
import logging
import math
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, make_response, redirect, render_template, request, url_for

from live.core import access, pins
from live.core.errors import DomainError
from live.formats import exports
from live.web import i18n, messages
from live.web.auth import current_roles, day, grant, grant_pin, screen
from live.web.views import preparation, window

bp = Blueprint("screens", __name__)
FIRST_ROWS = 300  # the console's first page (static/js/moderator.js FIRST_PAGE)
log = logging.getLogger("live.access")


def _page(template: str, name: str):
    return render_template(template, screen=name, snapshot=day().snapshot())


@bp.get("/")
def index():
    """The public front page: the conference's title; staff reach their screens by link."""
    roles = current_roles()
    taking = window.public_state(day().now())  # whether questions are received now (live/core/window.py)
    return render_template(
        "index.html", snapshot=day().snapshot(), roles=sorted(roles), screens=access.HOME, window=taking
    )


@bp.get("/k/<token>")
def enter(token: str):
    """Follow a secret link: remember the role in the session, then leave the secret behind."""
    role = access.role_for_token(day().tokens(), token)
    if role is None:
        log.warning("bad link from %s", request.remote_addr)
        abort(404)
    grant(role, day().tokens()[role])
    log.info("link used role=%s from %s", role, request.remote_addr)
    return redirect(url_for(access.HOME[role]), code=303)


def _unlock_time(until: float) -> str:
    """HH:MM (24-hour, the conference's zone) at which a lockout has ended: rounded up, so that
    trying again at that minute works."""
    zone = ZoneInfo(current_app.config.get("TIMEZONE") or exports.TIMEZONE)
    return dt.datetime.fromtimestamp(math.ceil(until / 60) * 60, zone).strftime("%H:%M")


def _pin_page(role: str = "", error: str | None = None, status: int = 200):
    chosen = role if role in access.ROLES else ""
    return render_template("pin.html", screen="pin", roles=access.ROLES, chosen=chosen, error=error), status


def _locked(role: str, lock: pins.Lock):
    if lock.scope == "role":
        error = DomainError("pin.locked", role=str(i18n.ROLE_NAMES[role]), until=_unlock_time(lock.until))
    else:
        error = DomainError("pin.locked_address", until=_unlock_time(lock.until))
    body, status = _pin_page(role, messages.describe(error), 429)
    return body, status, {"Retry-After": str(max(1, math.ceil(lock.until - day().now())))}


@bp.get("/dang-nhap")
def sign_in_page():
    """The PIN sign-in page: a role and the PIN the admin gave it."""
    return _pin_page(request.args.get("role", ""))


@bp.post("/dang-nhap")
def sign_in():
    """Sign in with a role's PIN, within the limits per role and per address (``live.core.pins``)."""
    role = request.form.get("role", "")
    address = request.remote_addr or "-"
    if role not in access.ROLES:
        log.warning("pin refused: unknown role %r from %s", role[:20], address)
        return _pin_page("", messages.describe(DomainError("access.unknown_role")), 400)
    try:
        attempt = day().pin_sign_in(role, request.form.get("pin", ""), address)
    except DomainError as error:  # not 6–12 digits: nothing checked, nothing counted
        log.warning("pin refused: not a PIN role=%s from %s", role, address)
        return _pin_page(role, messages.describe(error), 400)
    if attempt.mark is not None:
        grant_pin(role, attempt.mark)
        log.info("pin used role=%s from %s", role, address)
        return redirect(url_for(access.HOME[role]), code=303)
    if attempt.lock is not None:
        log.warning("pin refused while locked role=%s scope=%s from %s", role, attempt.lock.scope, address)
        return _locked(role, attempt.lock)
    log.warning("pin refused role=%s from %s", role, address)
    for lock in attempt.new_locks:
        log.warning(
            "pin lockout role=%s scope=%s from %s until=%s", role, lock.scope, address, _unlock_time(lock.until)
        )
    if attempt.new_locks:
        return _locked(role, max(attempt.new_locks, key=lambda lock: lock.until))
    # the same sentence whether the role has no PIN or another one: nothing to learn from it
    return _pin_page(role, messages.describe(DomainError("pin.refused")), 403)


@bp.get("/mc")
@screen("mc")
def mc():
    return _page("mc.html", "mc")


@bp.get("/projector")
@screen("projector")
def projector():
    return _page("projector.html", "projector")


@bp.get("/chair")
@screen("chair")
def chair():
    return _page("chair.html", "chair")


@bp.get("/moderator")
@screen("moderator")
def moderator():
    # the newest questions come with the page, so its first rows show before the socket is up (the
    # console then loads every page over the socket); the due date a bulk assignment offers
    first = day().desk.desk_page({"limit": FIRST_ROWS, "before": None})
    return render_template(
        "moderator.html",
        screen="moderator",
        snapshot=day().snapshot(),
        first_page=first["questions"],
        default_due=preparation.due_offered(),
    )


@bp.get("/lang/<code>")
def language(code: str):
    """Switch the interface language and go back to the page the visitor came from."""
    target = request.args.get("next") or "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        target = "/"
    response = make_response(redirect(target, code=303))
    if code in i18n.LANGUAGES:
        response.set_cookie(i18n.COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response
