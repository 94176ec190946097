"""An acknowledgement means "on disk": kill -9 the server mid-item, start it again on the same data,
and the day goes on exactly where the MC left it. Run on eventlet and gevent."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request

from conftest import ROOT, session_cookie

from live.core import clock


def snapshot_after(staff, start: int, timeout: float = 15.0) -> dict:
    """The first ``state.snapshot`` a client received after message number ``start``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for name, data in list(staff.received)[start:]:
            if name == "state.snapshot":
                return data
        time.sleep(0.02)
    raise AssertionError("no state.snapshot after the restart")


def wait_connected(staff, timeout: float = 5.0) -> None:
    """Until the client's reconnection is complete (the snapshot may arrive just before)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if staff.client.connected and "/" in staff.client.namespaces:
            return
        time.sleep(0.02)
    raise AssertionError("the client did not reconnect")


def press(mc, event: str, payload: dict | None = None) -> int:
    ack = mc.call(event, payload)
    assert ack["ok"] is True, (event, ack)
    return ack["seq"]


def items(snap: dict) -> list[clock.Item]:
    return [clock.Item(item["id"], item["title"], item["planned"]) for item in snap["agenda"]]


def remaining(snap: dict) -> float:
    """What a screen shows on the agenda clock, from the state it was sent, at the server's time."""
    return clock.remaining(clock.AgendaClock.from_dict(snap["clock"]), items(snap), snap["server_time"])


def speaker_remaining(snap: dict) -> float:
    return clock.speaker_remaining(clock.SpeakerTimer.from_dict(snap["speaker"]), snap["server_time"])


def test_kill9_mid_item_keeps_every_acknowledged_change(make_server, async_mode, connect_staff):
    server = make_server(async_mode)
    mc = connect_staff(server, "mc")
    press(mc, "clock.start")
    press(mc, "clock.adjust", {"seconds": 120})
    press(mc, "clock.pause")
    press(mc, "clock.start")
    press(mc, "clock.next")
    press(mc, "clock.adjust", {"seconds": -60})
    press(mc, "speaker.start", {"seconds": 180})
    last = press(mc, "clock.adjust", {"seconds": 30})
    before = mc.call("state.get")["state"]
    assert before["seq"] == last
    assert before["clock"]["current"] == "a2" and before["clock"]["running_since"] is not None
    seen = len(mc.received)

    server.kill9()
    server.start()

    # a projector switched on after the restart sees the day as the MC left it
    after = snapshot_after(connect_staff(server, "projector"), 0)
    assert after["seq"] == last
    assert after["clock"] == before["clock"]
    assert after["speaker"] == before["speaker"]
    assert after["clock"]["runs"]["a1"]["extra"] == 120
    assert after["clock"]["runs"]["a2"]["extra"] == -30

    # the clocks kept running while the server was down: what is left went down by the time that passed
    passed = after["server_time"] - before["server_time"]
    assert passed > 0
    assert abs(remaining(after) - (remaining(before) - passed)) < 0.5
    assert abs(speaker_remaining(after) - (speaker_remaining(before) - passed)) < 0.5
    assert remaining(after) < remaining(before)

    # the MC's screen, left open, comes back by itself with the same state and can go on
    back = snapshot_after(mc, seen)
    assert back["seq"] == last and back["clock"] == before["clock"]
    wait_connected(mc)
    assert press(mc, "clock.pause") == last + 1
    assert server.health()["seq"] == last + 1


def test_burst_of_adjustments_then_kill9_loses_nothing(make_server, async_mode, connect_staff):
    server = make_server(async_mode)
    mc = connect_staff(server, "mc")
    first = press(mc, "clock.start")
    total = 0
    seqs = []
    for n in range(50):
        seconds = 1 + n % 9
        seqs.append(press(mc, "clock.adjust", {"seconds": seconds}))
        total += seconds
    assert seqs == list(range(first + 1, first + 51))
    server.kill9()  # right after the last acknowledgement

    server.start()
    after = snapshot_after(connect_staff(server, "projector"), 0)
    assert after["clock"]["runs"]["a1"]["extra"] == total
    assert after["seq"] == seqs[-1]
    assert after["clock"]["current"] == "a1" and after["clock"]["running_since"] is not None


def _links_without_public_url(server) -> str:
    return subprocess.run(
        [sys.executable, "-m", "live", "links", "--data-dir", str(server.data_dir)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_links_and_sessions_survive_restarts(make_server, async_mode):
    server = make_server(async_mode)
    links = server.links()
    printed = _links_without_public_url(server)
    cookie = session_cookie(links["mc"])  # a screen signed in before the restarts

    server.kill9()
    server.start()
    assert server.links() == links
    assert _links_without_public_url(server) == printed

    server.restart()
    assert server.links() == links
    assert _links_without_public_url(server) == printed
    assert printed.splitlines()[2] == f"mc\t{links['mc']}"

    # the MC's browser stays signed in, and the link still opens the MC screen
    request = urllib.request.Request(server.url + "/mc", headers={"Cookie": cookie})
    with urllib.request.urlopen(request, timeout=5) as page:
        assert page.status == 200
    assert session_cookie(links["mc"]).startswith("live_session=")
