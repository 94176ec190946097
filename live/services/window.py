"""The question window: the admin sets when questions are received (the rule in live/core/window.py)."""

from __future__ import annotations

import logging

from live.core import rooms
from live.core import window as rules
from live.formats.exports import TIMEZONE
from live.services.change import Change

log = logging.getLogger("live.window")


def periods(store) -> list[rules.Period]:
    """The periods set now (none: always open)."""
    return rules.periods(store.get(rules.KEY))


def setting(store) -> dict:
    """The stored document: ``{"periods", "set_at", "by"}``, or an empty one."""
    return store.get(rules.KEY) or {"periods": [], "set_at": None, "by": None}


def set_periods(store, text: object, *, now: float, by: str, zone: str = TIMEZONE) -> tuple[list[rules.Period], Change]:
    """Replace the periods with those typed in ``text`` (one a line; empty: always open).

    Raises the ``window.*`` errors of ``rules.parse`` and stores nothing then. The phones open now
    are told the new window (``window.changed``), so their pages say at once whether a question
    would be received; nothing is sent to them otherwise."""
    found = rules.parse(text, zone)
    doc = rules.document(found, now=now, by=by)
    _, seq = store.transact((rules.KEY,), lambda _docs: {rules.KEY: doc})
    log.info("question window set periods=%d", len(found))
    told = {"seq": seq, **rules.public(found, zone)}
    return found, Change(seq, [("window.changed", told, rooms.phones())])
