"""What every service shares: the names of the store's documents, and what a transition announces."""

from __future__ import annotations

from dataclasses import dataclass, field

CONFERENCE, CLOCK, SPEAKER, TOKENS, SERVER = "conference", "clock", "speaker", "tokens", "server"
FLOOR = "floor"
PINS, PIN_GUARD = "pins", "pin-guard"  # role → {hash, set_at}; the attempts of PIN sign-in (live/core/pins.py)


@dataclass
class Change:
    """What a service did: the new sequence number and the messages to send."""

    seq: int
    emits: list[tuple[str, dict, str]] = field(default_factory=list)  # (event, payload, room)
