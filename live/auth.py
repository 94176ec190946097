"""The signed session's grants, read against the current role tokens, for pages and sockets."""

from __future__ import annotations

import functools
import logging

from flask import abort, current_app, session

from . import access

log = logging.getLogger("live.access")


def day():
    return current_app.extensions["live.day"]


def current_roles() -> set[str]:
    """The roles this browser holds through links that are still valid."""
    return access.valid_roles(session.get("grants") or {}, day().tokens())


def grant(role: str, token: str) -> None:
    """Remember in the session that this browser opened ``role``'s link."""
    grants = dict(session.get("grants") or {})
    grants[role] = access.fingerprint(token)
    session["grants"] = grants
    session.permanent = True


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
