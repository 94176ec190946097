"""Socket.IO room names, built in one place from the audience they reach."""

from __future__ import annotations


def screens() -> str:
    """Every staff screen and projector: they all show the agenda and its clock."""
    return "screens"


def role(name: str) -> str:
    """Every connection opened with ``name``'s link (for revocation and role-shaped messages)."""
    return f"role:{name}"
