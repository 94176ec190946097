"""Errors are values with stable dotted codes; handlers turn them into ``{ok: false, code}``."""

from __future__ import annotations


class DomainError(Exception):
    """A refused action, named by a stable code such as ``clock.not_running``.

    ``params`` carries the details a message needs (a field name, a row number); it never
    carries an exception text or anything that would leak internals to a client.
    """

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params

    def as_dict(self) -> dict:
        return {"ok": False, "code": self.code, "params": self.params}


class Conflict(DomainError):
    """Someone else changed the same thing first; the caller may reload and try again."""

    def __init__(self, key: str) -> None:
        super().__init__("store.conflict", key=key)


class StoreUnavailable(DomainError):
    """The store cannot be reached right now; the client should retry."""

    def __init__(self) -> None:
        super().__init__("store.unavailable")
