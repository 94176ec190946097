"""How a view announces what a service changed, without knowing Socket.IO: the factory gives the
application the real-time adapter's broadcast (``live.realtime.broadcast``)."""

from __future__ import annotations

from flask import current_app

from live.services.change import Change


def announce(change: Change) -> None:
    """Send what the service said to send, to the rooms it named."""
    current_app.extensions["live.announce"](change)


def taken_in(question: dict) -> None:
    """What follows a question a view took in (its likely duplicates, its site's roll-call count),
    as after a socket's ``question.submit``."""
    current_app.extensions["live.taken_in"](question)
