"""Who is connected to this process: each socket's screen, roles, site and device."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Connection:
    """What the server knows of one open socket: its screen, roles, and (phones) its device."""

    screen: str
    roles: frozenset[str]
    site: str | None = None
    device: str | None = None
    name: str = ""  # the person at a staff screen, as they typed it (for the audit log)
    address: str = ""
    grants: tuple[tuple[str, str], ...] = ()  # (role, fingerprint of the link or PIN that granted it)


class Connections:
    """Who is connected on this process: socket id → connection."""

    def __init__(self) -> None:
        self._by_sid: dict[str, Connection] = {}
        self._granted: dict[str, Connection] = {}  # the staff screens: what a revocation may drop

    def add(self, sid: str, screen: str, roles: set[str], **extra) -> None:
        connection = Connection(screen, frozenset(roles), **extra)
        self._by_sid[sid] = connection
        if connection.grants:
            self._granted[sid] = connection

    def granted(self) -> list[tuple[str, Connection]]:
        """Every staff connection on this process, with the grants it connected with."""
        return list(self._granted.items())

    def __contains__(self, sid: str) -> bool:
        return sid in self._by_sid

    def get(self, sid: str) -> Connection:
        return self._by_sid.get(sid) or Connection("", frozenset())

    def remove(self, sid: str) -> None:
        self._by_sid.pop(sid, None)
        self._granted.pop(sid, None)

    def roles(self, sid: str) -> frozenset[str]:
        return self.get(sid).roles

    def count(self) -> int:
        return len(self._by_sid)
