"""Bridge points asking to speak, the MC giving the floor, and the roll call, told as one morning.

Every call passes ``now`` explicitly: 09:00 ICT on 28 August 2025, the questions session of the
Cao Bằng conference. Nothing sleeps and nothing reads the real clock. The sites are real ones from
the demo: Xã Quảng Lâm (1304), Xã Nam Quang (1297), Phường Thục Phán (1273) and the hall.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from live.core import floor as f
from live.core.errors import DomainError
from live.core.floor import Floor, Presence, Request
from live.web import messages

ICT = timezone(timedelta(hours=7))
T0 = datetime(2025, 8, 28, 9, 0, tzinfo=ICT).timestamp()
QUANG_LAM, NAM_QUANG, THUC_PHAN, HALL = "1304", "1297", "1273", "hall"
SITES = (HALL, QUANG_LAM, NAM_QUANG, THUC_PHAN)


def at(minutes: float = 0, seconds: float = 0) -> float:
    return T0 + minutes * 60 + seconds


@contextmanager
def refused(code: str):
    with pytest.raises(DomainError) as info:
        yield info
    assert info.value.code == code


def queue(floor: Floor) -> list[str]:
    return [r.site for r in floor.requests]


# ---------------------------------------------------------------- asking to speak


def test_requests_keep_the_order_they_arrived_in():
    floor = f.request(Floor(), NAM_QUANG, at(1))
    floor = f.request(floor, QUANG_LAM, at(2))
    floor = f.request(floor, THUC_PHAN, at(3))
    assert queue(floor) == [NAM_QUANG, QUANG_LAM, THUC_PHAN]
    assert floor.requests[1] == Request(QUANG_LAM, at(2))
    assert f.position(floor, QUANG_LAM) == 2
    assert f.position(floor, HALL) is None
    assert floor.holder is None


def test_a_site_asks_only_once():
    floor = f.request(Floor(), QUANG_LAM, at(1))
    with refused("floor.already_requested"):
        f.request(floor, QUANG_LAM, at(2))
    assert floor.requests == (Request(QUANG_LAM, at(1)),), "the first request keeps its time"


def test_the_site_that_speaks_cannot_ask_again():
    floor = f.give(Floor(), QUANG_LAM, at(1))
    with refused("floor.already_holding"):
        f.request(floor, QUANG_LAM, at(2))


def test_a_site_cancels_its_request():
    floor = f.request(f.request(Floor(), NAM_QUANG, at(1)), QUANG_LAM, at(2))
    floor = f.cancel(floor, NAM_QUANG)
    assert queue(floor) == [QUANG_LAM]
    with refused("floor.not_requested"):
        f.cancel(floor, NAM_QUANG)


def test_unknown_sites_are_refused_when_the_list_is_given():
    with refused("floor.unknown_site") as info:
        f.request(Floor(), "9999", at(1), sites=SITES)
    assert info.value.params == {"site": "9999"}
    with refused("floor.unknown_site"):
        f.give(Floor(), "9999", at(1), sites=SITES)
    assert queue(f.request(Floor(), QUANG_LAM, at(1), sites=SITES)) == [QUANG_LAM]


def test_the_queue_is_capped():
    floor = Floor()
    for i in range(f.MAX_REQUESTS):
        floor = f.request(floor, f"s{i}", at(0, i))
    with refused("floor.queue_full") as info:
        f.request(floor, "one-more", at(5))
    assert info.value.params == {"limit": f.MAX_REQUESTS}
    # once the MC handles one, the next site may ask
    floor = f.give(floor, "s0", at(6))
    assert f.request(floor, "one-more", at(7)).requests[-1] == Request("one-more", at(7))


# ---------------------------------------------------------------- the MC gives the floor


def test_giving_the_floor_takes_the_site_out_of_the_queue():
    floor = f.request(f.request(Floor(), NAM_QUANG, at(1)), QUANG_LAM, at(2))
    floor = f.give(floor, QUANG_LAM, at(3))
    assert (floor.holder, floor.since) == (QUANG_LAM, at(3))
    assert queue(floor) == [NAM_QUANG]


def test_the_mc_may_call_on_a_site_that_did_not_ask():
    floor = f.give(Floor(), HALL, at(1))
    assert floor.holder == HALL and floor.requests == ()


def test_giving_the_floor_to_another_site_replaces_the_speaker():
    floor = f.request(f.give(Floor(), QUANG_LAM, at(1)), NAM_QUANG, at(2))
    floor = f.give(floor, NAM_QUANG, at(4))
    assert (floor.holder, floor.since) == (NAM_QUANG, at(4))
    assert queue(floor) == [], "the site that spoke before is not queued again"
    with refused("floor.already_holding"):
        f.give(floor, NAM_QUANG, at(5))


def test_the_mc_declines_a_request():
    floor = f.request(f.request(Floor(), NAM_QUANG, at(1)), QUANG_LAM, at(2))
    floor = f.dismiss(floor, NAM_QUANG)
    assert queue(floor) == [QUANG_LAM]
    with refused("floor.not_requested"):
        f.dismiss(floor, NAM_QUANG)
    with refused("floor.not_requested"):
        f.dismiss(f.give(floor, THUC_PHAN, at(3)), THUC_PHAN)


def test_ending_the_floor_keeps_the_queue():
    floor = f.request(f.give(Floor(), QUANG_LAM, at(1)), NAM_QUANG, at(2))
    floor = f.end(floor)
    assert (floor.holder, floor.since) == (None, None)
    assert queue(floor) == [NAM_QUANG]
    with refused("floor.nobody"):
        f.end(floor)
    # and the site that just spoke may ask again
    assert queue(f.request(floor, QUANG_LAM, at(3))) == [NAM_QUANG, QUANG_LAM]


def test_sites_removed_from_the_conference_disappear():
    floor = f.request(f.request(f.give(Floor(), QUANG_LAM, at(1)), NAM_QUANG, at(2)), THUC_PHAN, at(3))
    pruned = f.prune(floor, [HALL, THUC_PHAN, QUANG_LAM])
    assert pruned.holder == QUANG_LAM and queue(pruned) == [THUC_PHAN]
    pruned = f.prune(floor, [HALL, NAM_QUANG])
    assert (pruned.holder, pruned.since) == (None, None)
    assert queue(pruned) == [NAM_QUANG]


# ---------------------------------------------------------------- the stored form


def test_the_json_is_the_protocols_floor():
    floor = f.request(f.give(Floor(), QUANG_LAM, at(1)), NAM_QUANG, at(2))
    data = floor.to_dict()
    assert data == {
        "holder": {"site": QUANG_LAM, "since": at(1)},
        "requests": [{"site": NAM_QUANG, "at": at(2)}],
    }
    assert Floor.from_dict(json.loads(json.dumps(data))) == floor
    assert Floor().to_dict() == {"holder": None, "requests": []}
    assert Floor.from_dict(None) == Floor() == Floor.from_dict({})
    assert Floor.from_dict({"holder": None, "requests": []}) == Floor()


def test_every_refusal_has_a_vietnamese_sentence(app_context):
    codes = ["floor.already_requested", "floor.already_holding", "floor.not_requested", "floor.nobody"]
    codes += ["floor.queue_full", "floor.unknown_site"]
    for code in codes:
        assert code in messages.MESSAGES, code
        sentence = messages.describe(DomainError(code, site=QUANG_LAM, limit=f.MAX_REQUESTS))
        assert sentence and code not in sentence
    assert "200" in messages.describe(DomainError("floor.queue_full", limit=200))
    assert messages.describe(DomainError("floor.already_holding")) == "Điểm cầu này đang phát biểu."


@pytest.fixture
def app_context():
    from flask import Flask
    from flask_babel import Babel

    app = Flask(__name__)
    Babel(app)
    with app.test_request_context():
        yield


# ---------------------------------------------------------------- properties


OPS = st.lists(
    st.tuples(
        st.sampled_from(["request", "cancel", "give", "dismiss", "end", "prune"]),
        st.sampled_from(SITES),
        st.floats(min_value=0, max_value=3600, allow_nan=False),
    ),
    max_size=60,
)


def apply(floor: Floor, op: str, site: str, now: float) -> Floor:
    if op == "request":
        return f.request(floor, site, now)
    if op == "cancel":
        return f.cancel(floor, site)
    if op == "give":
        return f.give(floor, site, now)
    if op == "dismiss":
        return f.dismiss(floor, site)
    if op == "end":
        return f.end(floor)
    return f.prune(floor, [s for s in SITES if s != site])


@settings(max_examples=400, deadline=None)
@given(OPS)
def test_any_sequence_keeps_the_queue_sound(ops):
    floor = Floor()
    for op, site, delta in ops:
        now = at(0, delta)
        before = floor
        try:
            floor = apply(floor, op, site, now)
        except DomainError as error:
            assert error.code.startswith("floor.")
            assert floor == before
            continue
        sites = queue(floor)
        assert len(sites) == len(set(sites)), "every site at most once in the queue"
        assert floor.holder not in sites, "the speaker is never also waiting"
        assert (floor.holder is None) == (floor.since is None)
        # order is preserved: what stayed keeps its relative order; a new request goes last
        kept = [s for s in queue(before) if s in sites]
        assert sites[: len(kept)] == kept
        if op == "request":
            assert sites == [*queue(before), site] and floor.requests[-1].at == now
        else:
            assert len(sites) <= len(queue(before))
        assert Floor.from_dict(json.loads(json.dumps(floor.to_dict()))) == floor


@settings(max_examples=200, deadline=None)
@given(OPS)
def test_refusals_are_exactly_the_documented_ones(ops):
    floor = Floor()
    for op, site, delta in ops:
        now = at(0, delta)
        expected = None
        if op == "request" and floor.holder == site:
            expected = "floor.already_holding"
        elif op == "request" and floor.requested(site):
            expected = "floor.already_requested"
        elif op in ("cancel", "dismiss") and not floor.requested(site):
            expected = "floor.not_requested"
        elif op == "give" and floor.holder == site:
            expected = "floor.already_holding"
        elif op == "end" and floor.holder is None:
            expected = "floor.nobody"
        if expected:
            with refused(expected):
                apply(floor, op, site, now)
        else:
            floor = apply(floor, op, site, now)


# ---------------------------------------------------------------- the roll call


def test_a_site_is_connected_while_one_of_its_screens_is():
    presence = Presence()
    assert presence.view([QUANG_LAM]) == {QUANG_LAM: {"connected": 0, "last_seen": None}}, "not seen yet"
    assert presence.connect("sid-a", QUANG_LAM, at(0)) == 1
    assert presence.connect("sid-b", QUANG_LAM, at(1)) == 2  # a second screen in the same hall
    assert presence.view([QUANG_LAM])[QUANG_LAM] == {"connected": 2, "last_seen": None}
    assert presence.disconnect("sid-a", at(10)) == QUANG_LAM
    assert presence.view([QUANG_LAM])[QUANG_LAM] == {"connected": 1, "last_seen": None}
    assert presence.disconnect("sid-b", at(14)) == QUANG_LAM
    assert presence.view([QUANG_LAM])[QUANG_LAM] == {"connected": 0, "last_seen": at(14)}, "mất kết nối lúc 09:14"
    # back again: connected, and last_seen is no longer shown
    presence.connect("sid-c", QUANG_LAM, at(20))
    assert presence.entry(QUANG_LAM) == {"connected": 1, "last_seen": None}


def test_the_roll_lists_the_sites_asked_for():
    presence = Presence()
    presence.connect("sid-a", QUANG_LAM, at(0))
    presence.connect("sid-h", HALL, at(0))
    presence.disconnect("sid-h", at(5))
    view = presence.view(SITES)
    assert list(view) == list(SITES)
    assert view[QUANG_LAM]["connected"] == 1 and view[NAM_QUANG]["connected"] == 0
    assert view[HALL] == {"connected": 0, "last_seen": at(5)}
    assert presence.view([]) == {}


def test_connections_that_are_not_site_screens_are_ignored():
    presence = Presence()
    assert presence.disconnect("an-mc-tablet", at(1)) is None
    presence.connect("sid-a", QUANG_LAM, at(0))
    presence.connect("sid-a", QUANG_LAM, at(1))  # announced twice: still one screen
    assert presence.connected(QUANG_LAM) == 1
    assert presence.disconnect("sid-a", at(2)) == QUANG_LAM
    assert presence.disconnect("sid-a", at(3)) is None, "a second disconnect changes nothing"
    assert presence.entry(QUANG_LAM) == {"connected": 0, "last_seen": at(2)}


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.sampled_from(["s1", "s2", "s3", "s4", "s5"]), st.sampled_from(SITES))))
def test_the_count_is_the_number_of_open_screens(events):
    presence, open_ = Presence(), {}
    for i, (up, sid, site) in enumerate(events):
        if up:
            presence.connect(sid, site, at(0, i))
            open_[sid] = site
        else:
            assert presence.disconnect(sid, at(0, i)) == open_.pop(sid, None)
        for s in SITES:
            n = sum(1 for v in open_.values() if v == s)
            entry = presence.entry(s)
            assert entry["connected"] == n
            assert (entry["last_seen"] is None) or n == 0
