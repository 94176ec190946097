"""Socket.IO room names, built in one place from the audience they reach."""

from __future__ import annotations


def screens() -> str:
    """Every staff screen, projector and site screen: they all show the agenda and its clock."""
    return "screens"


def role(name: str) -> str:
    """Every connection opened with ``name``'s link (for revocation and role-shaped messages)."""
    return f"role:{name}"


def desk() -> str:
    """The secretariat's consoles (and the admin): every question, as it arrives."""
    return "desk"


def roll() -> str:
    """Who watches the roll call of the bridge points: MC, secretariat, admin."""
    return "roll"


def phones() -> str:
    """Every young person's phone."""
    return "phones"


def device(device_id: str) -> str:
    """One phone (by its signed device cookie): the statuses of its own questions."""
    return f"device:{device_id}"


def of_phones(room: str) -> bool:
    """Whether ``room`` holds phones (thousands of them) rather than staff and site screens."""
    return room == phones() or room.startswith("device:")


def site(site_id: str) -> str:
    """One bridge point's site screens."""
    return f"site:{site_id}"


def queue() -> str:
    """The MC's and the chairman's screens: the approved queue, never unapproved text."""
    return "queue"
