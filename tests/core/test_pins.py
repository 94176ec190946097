"""PINs per role, pure: what a PIN may be, and how guessing is limited per role and per address.

Time is passed in (``now``), never slept: "ten minutes later" is ``T + 600``.
"""

from __future__ import annotations

import pytest

from live.core import access, pins
from live.core.errors import DomainError
from live.core.pins import ADDRESS_LIMIT, LOCK, ROLE_LIMIT, WINDOW, Guard

T = 1_756_339_200.0  # 28/08/2025 07:00 in Hà Nội: the morning of the conference
HALL = "192.168.1.20"


def fail(guard: Guard, role: str, address: str, now: float, times: int = 1) -> Guard:
    """``times`` wrong PINs, one a second from ``now``."""
    for i in range(times):
        guard, lock, _new = pins.begin(guard, role, address, now + i)
        assert lock is None, f"attempt {i + 1} was refused before being checked"
    return guard


def roundtrip(guard: Guard) -> Guard:
    """What the service stores and reads back between two requests."""
    return Guard.from_dict(guard.to_dict())


# ---------------------------------------------------------------- what a PIN may be


@pytest.mark.parametrize("typed", ["482913", "048291", "482913057164", " 482 913 "])
def test_six_to_twelve_digits_are_a_pin(typed):
    assert pins.check_format(typed) == typed.replace(" ", "")


@pytest.mark.parametrize(
    "typed",
    ["", "48291", "4829130571649", "48291a", "４８２９１３", "٤٨٢٩١٣", "482913\x00", "-48291", None, 482913, "4" * 200],
)
def test_anything_else_is_refused_as_a_format_error(typed):
    with pytest.raises(DomainError) as refused:
        pins.check_format(typed)
    assert refused.value.code == "pin.format"
    assert refused.value.params == {"min": 6, "max": 12}


@pytest.mark.parametrize("pin", ["000000", "111111111", "123456", "234567890", "987654", "654321098", "901234"])
def test_the_first_pins_anyone_tries_are_refused_to_the_admin(pin):
    with pytest.raises(DomainError) as refused:
        pins.new_pin(pin, pin)
    assert refused.value.code == "pin.too_simple"


def test_the_admin_types_the_pin_twice():
    assert pins.new_pin("482913", "482 913") == "482913"
    with pytest.raises(DomainError) as refused:
        pins.new_pin("482913", "482914")
    assert refused.value.code == "pin.mismatch"


def test_a_pin_grant_is_revoked_by_a_new_hash_and_independent_of_the_link():
    tokens = {"mc": "link-secret", "chair": "other"}
    grants = {"mc": access.pin_mark("scrypt$old"), "chair": access.fingerprint("other")}
    assert access.valid_roles(grants, tokens, {"mc": "scrypt$old"}) == {"mc", "chair"}
    assert access.valid_roles(grants, tokens, {"mc": "scrypt$new"}) == {"chair"}, "a changed PIN revokes"
    assert access.valid_roles(grants, tokens, {}) == {"chair"}, "a cleared PIN revokes"
    assert access.valid_roles(grants, {**tokens, "mc": "renewed"}, {"mc": "scrypt$old"}) == {"mc", "chair"}
    # a PIN grant never passes for a link, nor the other way round
    assert access.valid_roles({"mc": access.fingerprint("link-secret")}, tokens, {"mc": "link-secret"}) == {"mc"}
    assert access.valid_roles({"mc": access.pin_mark("link-secret")}, tokens, None) == set()
    assert access.uses_pin(grants) and not access.uses_pin({"chair": access.fingerprint("other")})


# ---------------------------------------------------------------- per role


def test_five_wrong_pins_for_a_role_lock_it_for_ten_minutes_for_everyone():
    guard = fail(Guard(), "mc", HALL, T, ROLE_LIMIT - 1)
    guard, lock, new = pins.begin(roundtrip(guard), "mc", "10.0.0.7", T + 60)
    assert lock is None and new == (pins.Lock("role", T + 60 + LOCK),)

    # anyone, from anywhere, is refused for that role until the lock ends, with its end
    for address in (HALL, "10.0.0.7", "203.0.113.9"):
        same, lock, new = pins.begin(roundtrip(guard), "mc", address, T + 61)
        assert lock == pins.Lock("role", T + 60 + LOCK) and new == ()
        assert same == pins.prune(guard, T + 61), "an attempt while locked counts nothing"
    # other roles are not locked
    assert pins.begin(guard, "chair", HALL, T + 61)[1] is None
    # ten minutes later the role signs in again, with a fresh count
    guard, lock, _ = pins.begin(guard, "mc", HALL, T + 60 + LOCK)
    assert lock is None
    assert len(guard.roles["mc"].failures) == 1


def test_wrong_pins_spread_over_more_than_the_window_never_lock():
    guard = Guard()
    for i in range(3 * ROLE_LIMIT):
        # each from its own address, one every third of the window: never five in ten minutes
        guard, lock, new = pins.begin(roundtrip(guard), "site", f"10.0.{i}.1", T + i * WINDOW / 3)
        assert lock is None and new == ()


def test_a_right_pin_is_no_failure_so_a_whole_province_of_technicians_can_sign_in():
    guard = Guard()
    for i in range(56):  # every bridge point's technician signs in with the site PIN at 7 o'clock
        guard, lock, _new = pins.begin(roundtrip(guard), "site", f"10.1.{i}.2", T + i)
        assert lock is None
        guard = pins.succeed(guard, "site", f"10.1.{i}.2", T + i)
    assert pins.locked(guard, "site", "10.1.0.2", T + 60) is None
    assert pins.prune(guard, T + 60) == Guard()


def test_a_right_pin_as_the_fifth_attempt_takes_back_the_lock_it_would_have_started():
    guard = fail(Guard(), "chair", HALL, T, ROLE_LIMIT - 1)
    guard, lock, new = pins.begin(guard, "chair", HALL, T + 30)
    assert new and pins.locked(guard, "chair", HALL, T + 30) is not None  # counted before the check
    guard = pins.succeed(roundtrip(guard), "chair", HALL, T + 30)
    assert pins.locked(guard, "chair", HALL, T + 31) is None
    assert len(guard.roles["chair"].failures) == ROLE_LIMIT - 1


def test_concurrent_guesses_get_at_most_five_checks_per_role():
    """Counted before the check: a burst of 100 simultaneous guesses gets 5 hash checks, not 100."""
    guard, checked = Guard(), 0
    for i in range(100):
        guard, lock, _ = pins.begin(guard, "admin", f"198.51.100.{i}", T)
        checked += lock is None
    assert checked == ROLE_LIMIT


# ---------------------------------------------------------------- per address


def test_one_address_trying_every_role_is_locked_itself():
    guard = Guard()
    roles = [r for r in access.ROLES]
    for i in range(ADDRESS_LIMIT - 1):
        guard, lock, new = pins.begin(guard, roles[i % len(roles)], HALL, T + i)
        assert lock is None and new == ()
    guard, lock, new = pins.begin(roundtrip(guard), roles[(ADDRESS_LIMIT - 1) % len(roles)], HALL, T + 20)
    assert pins.Lock("address", T + 20 + LOCK) in new
    # that address is refused for every role; other addresses are not
    lock = pins.locked(guard, "projector", HALL, T + 21)
    assert lock == pins.Lock("address", T + 20 + LOCK)
    assert pins.locked(guard, "projector", "10.0.0.8", T + 21) is None
    assert pins.locked(guard, "projector", HALL, T + 20 + LOCK) is None


def test_when_both_are_locked_the_later_end_is_told():
    guard = fail(Guard(), "mc", HALL, T, ROLE_LIMIT)  # the role locks at T+4
    guard = fail(guard, "chair", HALL, T + 100, ROLE_LIMIT)  # chair locks at T+104, and the address at T+104
    assert pins.locked(guard, "mc", HALL, T + 105) == pins.Lock("address", T + 104 + LOCK)
    assert pins.locked(guard, "mc", "10.0.0.9", T + 105) == pins.Lock("role", T + 4 + LOCK)


def test_the_remembered_addresses_are_bounded_and_forgotten_after_the_window():
    guard = Guard()
    for i in range(pins.MAX_ADDRESSES + 50):
        guard, _lock, _ = pins.begin(guard, "moderator", f"a{i}", T + i * 0.001)
        guard = pins.succeed(guard, "moderator", f"a{i}", T + i * 0.001) if i % 2 else guard
    guard = pins.prune(guard, T + 10)
    assert len(guard.addresses) <= pins.MAX_ADDRESSES
    assert pins.prune(guard, T + 10 + WINDOW + LOCK).addresses == {}


def test_a_damaged_guard_document_reads_as_an_empty_one():
    for junk in (None, [], "x", {"roles": 3}, {"roles": {"mc": {"failures": "x", "locked_until": "soon"}}}):
        guard = Guard.from_dict(junk)
        assert pins.begin(guard, "mc", HALL, T)[1] is None
