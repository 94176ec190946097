"""The staff screens (MC, projector, chairman, secretariat) and the secret-link entrance."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import Blueprint, abort, make_response, redirect, render_template, request, url_for

from .. import access, i18n
from ..auth import current_roles, day, grant, screen

bp = Blueprint("screens", __name__)
log = logging.getLogger("live.access")


def _page(template: str, name: str):
    return render_template(template, screen=name, snapshot=day().snapshot())


@bp.get("/")
def index():
    """The public front page: the conference's title; staff reach their screens by link."""
    roles = current_roles()
    return render_template("index.html", snapshot=day().snapshot(), roles=sorted(roles), screens=access.HOME)


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
    return _page("moderator.html", "moderator")


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
