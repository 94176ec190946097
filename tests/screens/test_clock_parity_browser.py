"""The screens compute the clock in JavaScript (static/js/common.js) from the state the server
sends; that arithmetic must agree with live/core/clock.py. Random days are played through the pure
clock and every state is evaluated both ways, in real Chromium, at several moments."""

from __future__ import annotations

import random

import pytest

from live.core import clock as c

pytestmark = pytest.mark.browser

ITEMS = [c.Item("a1", "Đón tiếp đại biểu", 900), c.Item("a2", "Khai mạc", 300), c.Item("a3", "Đối thoại", 7200)]
T0 = 1_756_339_200.0  # 28/08/2025 07:00 ICT


def random_day(seed: int) -> list[tuple[c.AgendaClock, float]]:
    """Play a random MC's day; return every state with the moment it was reached."""
    rng = random.Random(seed)
    state, now, states = c.AgendaClock(), T0, []
    actions = ["start", "pause", "next", "previous", "jump", "adjust", "finish"]
    for _ in range(25):
        now += rng.uniform(1, 600)
        action = rng.choice(actions)
        try:
            if action == "start":
                state = c.start(state, ITEMS, now)
            elif action == "pause":
                state = c.pause(state, now)
            elif action == "next":
                state = c.next_item(state, ITEMS, now)
            elif action == "previous":
                state = c.previous_item(state, ITEMS, now)
            elif action == "jump":
                state = c.jump(state, ITEMS, rng.choice(ITEMS).id, now)
            elif action == "adjust":
                state = c.adjust(state, ITEMS, rng.choice([-300, -60, 60, 300]), now)
            else:
                state = c.finish(state, now)
        except c.DomainError:
            continue
        states.append((state, now))
    return states


def test_screens_compute_the_clock_like_the_server(make_server, screens):
    server = make_server()
    page = screens.open(server, "projector").page
    agenda = [{"id": i.id, "title": i.title, "planned": i.planned} for i in ITEMS]
    cases, expected = [], []
    for seed in range(12):
        for state, reached in random_day(seed):
            for later in (0.0, 30.5, 1000.0):
                now = reached + later
                cases.append({"clock": state.to_dict(), "now": now})
                expected.append(
                    {
                        "status": c.status(state),
                        "remaining": c.remaining(state, ITEMS, now),
                        "phase": c.phase(state, ITEMS, now, 60),
                        "drift": c.drift(state, ITEMS, now),
                    }
                )
    got = page.evaluate(
        """([agenda, cases]) => cases.map(({clock, now}) => {
            const snap = {agenda, clock};
            const left = Live.clock.remaining(snap, now);
            return {status: Live.clock.status(clock), remaining: left,
                    phase: Live.clock.phaseFor(left, 60), drift: Live.clock.drift(snap, now)};
        })""",
        [agenda, cases],
    )
    assert len(got) == len(expected) > 300
    for js, py in zip(got, expected, strict=True):
        assert js["status"] == py["status"]
        assert js["phase"] == py["phase"]
        for key in ("remaining", "drift"):
            if py[key] is None:
                assert js[key] is None
            else:
                assert js[key] == pytest.approx(py[key], abs=1e-6)
    screens.assert_clean()
