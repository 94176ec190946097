"""PINs per role: what a PIN may be, and how guessing is limited, per role and per address.

Pure: state in, state out, ``now`` passed in. The service (``Day.pin_sign_in``) keeps the guard in
the store, so every process counts the same attempts.

An attempt is counted as a failure *before* its PIN is checked and forgiven once it turns out
right (``begin`` then ``succeed``). Checking a PIN costs a slow hash; counting first means a
burst of concurrent guesses gets at most ``ROLE_LIMIT`` hash checks per role, not one per request.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from live.core.errors import DomainError

PIN_MIN, PIN_MAX = 6, 12
ROLE_LIMIT = 5  # wrong PINs for one role within WINDOW lock that role's PIN sign-in, for everyone
ADDRESS_LIMIT = 10  # wrong PINs from one address within WINDOW (any roles) lock that address
WINDOW = 600.0  # seconds
LOCK = 600.0  # seconds
MAX_ADDRESSES = 1000  # addresses remembered at once; the quietest are forgotten first

_PIN = re.compile(rf"[0-9]{{{PIN_MIN},{PIN_MAX}}}")


def check_format(text: object) -> str:
    """The PIN as typed, spaces removed, when it is 6–12 ASCII digits; ``pin.format`` otherwise."""
    if not isinstance(text, str) or len(text) > 100:
        raise DomainError("pin.format", min=PIN_MIN, max=PIN_MAX)
    pin = "".join(text.split())
    if not _PIN.fullmatch(pin):
        raise DomainError("pin.format", min=PIN_MIN, max=PIN_MAX)
    return pin


def too_simple(pin: str) -> bool:
    """One digit repeated, or a run up or down (123456, 987654): the first PINs anyone tries."""
    steps = {(int(b) - int(a)) % 10 for a, b in zip(pin, pin[1:], strict=False)}
    return len(steps) == 1 and steps <= {0, 1, 9}


def new_pin(text: object, again: object) -> str:
    """The PIN an admin sets: the right format, typed twice the same, not trivially guessed."""
    pin = check_format(text)
    if not isinstance(again, str) or "".join(again.split()) != pin:
        raise DomainError("pin.mismatch")
    if too_simple(pin):
        raise DomainError("pin.too_simple")
    return pin


@dataclass(frozen=True)
class Lock:
    """PIN sign-in refused until ``until``: for a whole role, or for one address."""

    scope: str  # "role" or "address"
    until: float


@dataclass(frozen=True)
class Tally:
    """Recent wrong PINs (their times) and the end of a lockout, for one role or one address."""

    failures: tuple[float, ...] = ()
    locked_until: float = 0.0

    def recent(self, now: float) -> Tally:
        return replace(self, failures=tuple(t for t in self.failures if now - WINDOW < t <= now))

    def idle(self, now: float) -> bool:
        return not self.failures and self.locked_until <= now

    @classmethod
    def from_dict(cls, data: object) -> Tally:
        if not isinstance(data, Mapping):
            return cls()
        failures = data.get("failures")
        times = tuple(float(t) for t in failures if isinstance(t, int | float)) if isinstance(failures, list) else ()
        until = data.get("locked_until")
        return cls(times, float(until) if isinstance(until, int | float) else 0.0)

    def to_dict(self) -> dict:
        return {"failures": list(self.failures), "locked_until": self.locked_until}


@dataclass(frozen=True)
class Guard:
    """Every role's and every address's tally: the state the service keeps in the store."""

    roles: Mapping[str, Tally] = field(default_factory=dict)
    addresses: Mapping[str, Tally] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: object) -> Guard:
        if not isinstance(data, Mapping):
            return cls()

        def tallies(part: object) -> dict[str, Tally]:
            if not isinstance(part, Mapping):
                return {}
            return {str(k): Tally.from_dict(v) for k, v in part.items()}

        return cls(tallies(data.get("roles")), tallies(data.get("addresses")))

    def to_dict(self) -> dict:
        return {
            "roles": {k: t.to_dict() for k, t in self.roles.items()},
            "addresses": {k: t.to_dict() for k, t in self.addresses.items()},
        }


def prune(guard: Guard, now: float) -> Guard:
    """Forget failures older than the window and lockouts that ended; keep at most MAX_ADDRESSES."""

    def clean(part: Mapping[str, Tally]) -> dict[str, Tally]:
        out = {}
        for key, tally in part.items():
            tally = tally.recent(now)
            if tally.locked_until <= now:
                tally = replace(tally, locked_until=0.0)
            if not tally.idle(now):
                out[key] = tally
        return out

    addresses = clean(guard.addresses)
    if len(addresses) > MAX_ADDRESSES:

        def last_seen(item: tuple[str, Tally]) -> float:
            return max((*item[1].failures, item[1].locked_until - LOCK))

        addresses = dict(sorted(addresses.items(), key=last_seen)[-MAX_ADDRESSES:])
    return Guard(clean(guard.roles), addresses)


def locked(guard: Guard, role: str, address: str, now: float) -> Lock | None:
    """The lockout in force for ``role`` from ``address``, the one that ends last; None if free."""
    found = []
    role_until = guard.roles.get(role, Tally()).locked_until
    if role_until > now:
        found.append(Lock("role", role_until))
    address_until = guard.addresses.get(address, Tally()).locked_until
    if address_until > now:
        found.append(Lock("address", address_until))
    return max(found, key=lambda lock: lock.until) if found else None


def begin(guard: Guard, role: str, address: str, now: float) -> tuple[Guard, Lock | None, tuple[Lock, ...]]:
    """Start an attempt: ``(guard, lock, new_locks)``.

    While a lockout is in force, ``lock`` says until when and the guard is unchanged (the PIN must
    not be checked). Otherwise the attempt is counted as a failure at ``now``; ``new_locks`` are
    the lockouts this failure starts (it was the ROLE_LIMIT-th for the role, or the
    ADDRESS_LIMIT-th for the address). ``succeed`` takes it back if the PIN was right.
    """
    guard = prune(guard, now)
    lock = locked(guard, role, address, now)
    if lock is not None:
        return guard, lock, ()
    new: list[Lock] = []

    def count(tally: Tally, limit: int, scope: str) -> Tally:
        tally = replace(tally, failures=(*tally.failures, now))
        if len(tally.failures) >= limit:
            tally = replace(tally, locked_until=now + LOCK)
            new.append(Lock(scope, now + LOCK))
        return tally

    roles = {**guard.roles, role: count(guard.roles.get(role, Tally()), ROLE_LIMIT, "role")}
    addresses = {**guard.addresses, address: count(guard.addresses.get(address, Tally()), ADDRESS_LIMIT, "address")}
    return Guard(roles, addresses), None, tuple(new)


def succeed(guard: Guard, role: str, address: str, at: float) -> Guard:
    """The attempt begun at ``at`` had the right PIN: it was no failure, and locks nobody out."""

    def forgive(tally: Tally | None, limit: int) -> Tally | None:
        if tally is None:
            return None
        failures = list(tally.failures)
        if at in failures:
            failures.remove(at)
        until = tally.locked_until
        if until == at + LOCK and len(failures) < limit:
            until = 0.0
        return Tally(tuple(failures), until)

    roles, addresses = dict(guard.roles), dict(guard.addresses)
    for part, key, limit in ((roles, role, ROLE_LIMIT), (addresses, address, ADDRESS_LIMIT)):
        tally = forgive(part.get(key), limit)
        if tally is not None:
            part[key] = tally
    return Guard(roles, addresses)
