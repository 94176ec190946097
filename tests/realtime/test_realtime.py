"""The clock over real sockets: a real ``live serve`` process (eventlet and gevent), real Socket.IO
clients holding real role sessions. What the MC presses reaches every screen; what a screen may
not do is refused at the door; garbage never takes the server down."""

from __future__ import annotations

import json
import re
import threading
import time
import uuid

import requests
import socketio
from conftest import device_cookie, session_cookie

from live.core import access, events

VIETNAMESE = re.compile(r"[àáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ]", re.IGNORECASE)

SCREENS = ("projector", "chair", "moderator")
CLOCK_EVENTS = [name for name in events.REGISTRY if name.startswith(("clock.", "speaker."))]
# a payload each command would accept from the MC
VALID = {"clock.jump": {"item": "a3"}, "clock.adjust": {"seconds": 60}, "speaker.start": {"seconds": 180}}


# ---------------------------------------------------------------- helpers


def snapshot(staff) -> dict:
    """The ``state.snapshot`` a screen got when it connected."""
    return staff.wait_for(lambda name, _data: name == "state.snapshot")


def state(staff) -> dict:
    ack = staff.call("state.get")
    assert ack["ok"] is True, ack
    return ack["state"]


def changes(staff) -> list[dict]:
    return [data for name, data in list(staff.received) if name == "clock.changed"]


def settle(*staff) -> None:
    """A round trip on each client's own socket: whatever the server sent it before is now received.

    The server emits a command's broadcast before it acknowledges the command, and each socket
    delivers in order, so after this any broadcast caused by an earlier command has arrived.
    """
    for one in staff:
        assert one.call("time.sync")["ok"] is True


def do(mc, event: str, payload: dict | None = None) -> dict:
    """The MC presses a button; returns the ``clock.changed`` the MC's own screen got for it."""
    ack = mc.call(event, payload)
    assert ack["ok"] is True, (event, ack)
    return mc.wait_for(lambda name, data: name == "clock.changed" and data["seq"] == ack["seq"])


def assert_refused(ack: dict, code: str) -> None:
    assert ack["ok"] is False, ack
    assert ack["code"] == code, ack
    message = ack["message"]
    assert isinstance(message, str) and message and message != code
    assert VIETNAMESE.search(message), f"not a Vietnamese sentence: {message!r}"
    assert "Traceback" not in message and "Error" not in message


def timing(st: dict) -> tuple:
    """What a refused command must not touch."""
    return st["seq"], st["clock"], st["speaker"]


def try_connect(server, cookie: str | None, auth) -> bool:
    """Open a Socket.IO connection over a WebSocket; whether the server let it in."""
    client = socketio.Client(reconnection=False)
    got: list = []
    client.on("*", lambda event, data=None: got.append(event))
    try:
        client.connect(
            server.url,
            headers={"Cookie": cookie} if cookie else {},
            auth=auth,
            transports=["websocket"],
            wait_timeout=5,
        )
    except socketio.exceptions.ConnectionError:
        assert "state.snapshot" not in got
        return False
    client.disconnect()
    return True


def try_connect_polling(server, cookie: str, auth: dict) -> str:
    """The same handshake over HTTP long-polling, the way a browser starts, spoken by hand.

    (The Python client's polling disconnect can lose its close packet and then waits a whole
    ping interval, so the protocol is spoken directly: it is three requests.)
    Returns the first Socket.IO packet the server answers the namespace connect with.
    """
    headers = {"Cookie": cookie}
    base = f"{server.url}/socket.io/?EIO=4&transport=polling"
    opened = requests.get(base, headers=headers, timeout=5)
    assert opened.status_code == 200 and opened.text.startswith("0"), opened.text[:80]
    base += "&sid=" + json.loads(opened.text[1:])["sid"]
    assert requests.post(base, headers=headers, data="40" + json.dumps(auth), timeout=5).text == "OK"
    packets = requests.get(base, headers=headers, timeout=5).text.split("\x1e")
    requests.post(base, headers=headers, data="1", timeout=5)  # engine.io close
    return packets


def wait_until(predicate, timeout: float = 5.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


# ---------------------------------------------------------------- the MC starts the day


def test_mc_start_reaches_every_screen_and_late_screens_get_the_state(server, connect_staff):
    screens = {role: connect_staff(server, role) for role in SCREENS}
    mc = connect_staff(server, "mc")
    for one in [*screens.values(), mc]:
        first = snapshot(one)
        assert first["clock"]["current"] is None
        assert [item["id"] for item in first["agenda"]][:2] == ["a1", "a2"]

    before = time.time()
    ack = mc.call("clock.start")
    assert ack["ok"] is True and ack["seq"] > first["seq"]

    received = {}
    for role, one in {**screens, "mc": mc}.items():
        received[role] = one.wait_for(lambda name, _data: name == "clock.changed")
        assert received[role]["seq"] == ack["seq"], role
    # every screen shows the same thing: the first item, running since the press
    assert all(data == received["mc"] for data in received.values())
    started = received["mc"]["clock"]
    assert started["current"] == "a1"
    assert started["running_since"] is not None
    assert before - 1 <= started["running_since"] <= time.time() + 1
    assert started["day_started_at"] == started["running_since"]
    assert started["runs"]["a1"]["started_at"] == started["running_since"]

    # a projector switched on later sees the running day straight away
    late = connect_staff(server, "projector")
    snap = snapshot(late)
    assert snap["seq"] == ack["seq"]
    assert snap["clock"] == started
    assert snap["conference"]["title"]
    assert abs(snap["server_time"] - time.time()) < 2


# ---------------------------------------------------------------- the whole command set


def test_mc_runs_the_whole_agenda_clock(server, connect_staff):
    mc = connect_staff(server, "mc")
    projector = connect_staff(server, "projector")
    seq = snapshot(mc)["seq"]
    snapshot(projector)

    def press(event, payload=None):
        nonlocal seq
        changed = do(mc, event, payload)
        assert changed["seq"] == seq + 1, "every acknowledged command is exactly one change"
        seq = changed["seq"]
        return changed

    c = press("clock.start")["clock"]
    assert c["current"] == "a1" and c["running_since"] is not None

    c = press("clock.pause")["clock"]
    assert c["current"] == "a1" and c["running_since"] is None
    spent = c["runs"]["a1"]["elapsed"]
    assert spent > 0

    c = press("clock.start")["clock"]  # resume: same item, time kept
    assert c["current"] == "a1" and c["running_since"] is not None
    assert c["runs"]["a1"]["elapsed"] == spent
    assert c["day_started_at"] == c["runs"]["a1"]["started_at"]

    assert press("clock.adjust", {"seconds": 120})["clock"]["runs"]["a1"]["extra"] == 120
    assert press("clock.adjust", {"seconds": -30})["clock"]["runs"]["a1"]["extra"] == 90

    c = press("clock.next")["clock"]
    assert c["current"] == "a2" and c["running_since"] is not None
    assert c["runs"]["a1"]["ended_at"] is not None

    c = press("clock.previous")["clock"]
    assert c["current"] == "a1" and c["runs"]["a1"]["extra"] == 90, "going back keeps the added time"
    assert c["runs"]["a1"]["ended_at"] is None

    c = press("clock.jump", {"item": "a5"})["clock"]
    assert c["current"] == "a5" and c["running_since"] is not None
    assert c["runs"]["a1"]["ended_at"] is not None

    s = press("speaker.start", {"seconds": 180})["speaker"]
    assert s["duration"] == 180 and s["running_since"] is not None and s["elapsed"] == 0

    s = press("speaker.stop")["speaker"]
    assert s["duration"] == 180 and s["running_since"] is None and s["elapsed"] > 0
    used = s["elapsed"]

    s = press("speaker.start")["speaker"]  # resume the same answer
    assert s["duration"] == 180 and s["running_since"] is not None and s["elapsed"] == used

    s = press("speaker.start", {"seconds": 120})["speaker"]  # a fresh answer
    assert s["duration"] == 120 and s["elapsed"] == 0

    s = press("speaker.reset")["speaker"]
    assert s["duration"] == 0 and s["running_since"] is None

    c = press("clock.finish")["clock"]
    assert c["current"] is None and c["finished_at"] is not None and c["running_since"] is None
    assert c["runs"]["a5"]["ended_at"] == c["finished_at"]

    # the projector saw every change, in order, and ends where the MC ends
    settle(projector)
    seen = changes(projector)
    assert [data["seq"] for data in seen] == [data["seq"] for data in changes(mc)]
    final = state(projector)
    assert final["seq"] == seq
    assert final["clock"] == c and final["speaker"] == s


REFUSED = [
    # (what happened before, the command, its payload, the code)
    ([], "clock.pause", {}, "clock.not_running"),
    ([], "clock.adjust", {"seconds": 60}, "clock.not_started"),
    ([], "clock.finish", {}, "clock.not_started"),
    ([], "clock.previous", {}, "clock.no_previous"),
    ([], "speaker.stop", {}, "speaker.not_running"),
    ([], "speaker.start", {}, "speaker.bad_duration"),
    ([("clock.start", {})], "clock.start", {}, "clock.already_running"),
    ([("clock.start", {})], "clock.previous", {}, "clock.no_previous"),
    ([("clock.start", {})], "clock.jump", {"item": "khong-co"}, "clock.unknown_item"),
    ([("clock.start", {})], "clock.jump", {"item": "a1"}, "clock.already_current"),
    ([("clock.start", {})], "clock.adjust", {"seconds": 0}, "clock.bad_adjust"),
    ([("clock.start", {})], "clock.adjust", {"seconds": 5 * 3600}, "clock.bad_adjust"),
    ([("clock.start", {}), ("clock.pause", {})], "clock.pause", {}, "clock.not_running"),
    ([("clock.jump", {"item": "a8"})], "clock.next", {}, "clock.no_next"),
    ([("clock.start", {}), ("clock.finish", {})], "clock.start", {}, "clock.finished"),
    ([("clock.start", {}), ("clock.finish", {})], "clock.next", {}, "clock.no_next"),
    ([("clock.start", {}), ("clock.finish", {})], "clock.adjust", {"seconds": 60}, "clock.not_started"),
    ([("speaker.start", {"seconds": 60})], "speaker.start", {}, "speaker.already_running"),
    ([], "speaker.start", {"seconds": 0}, "speaker.bad_duration"),
    ([], "speaker.start", {"seconds": 3601}, "speaker.bad_duration"),
]


def test_refused_transitions_change_nothing_and_broadcast_nothing(server, connect_staff):
    admin = connect_staff(server, "admin")
    mc = connect_staff(server, "mc")
    projector = connect_staff(server, "projector")
    snapshot(projector)
    for before, event, payload, code in REFUSED:
        do(admin, "clock.reset")
        do(admin, "speaker.reset")
        for setup_event, setup_payload in before:
            do(mc, setup_event, setup_payload)
        settle(projector)
        seen = len(changes(projector))
        kept = timing(state(mc))

        assert_refused(mc.call(event, payload), code)

        settle(projector, mc)
        assert len(changes(projector)) == seen, f"{event} after {before} was broadcast"
        assert timing(state(mc)) == kept, f"{event} after {before} changed the state"
    assert server.health()["seq"] == kept[0]


# ---------------------------------------------------------------- who may do what


def test_screens_cannot_run_the_clock_and_only_admin_resets_it(server, connect_staff):
    mc = connect_staff(server, "mc")
    do(mc, "clock.start")
    do(mc, "speaker.start", {"seconds": 180})
    do(mc, "speaker.stop")
    screens = {role: connect_staff(server, role) for role in SCREENS}
    admin = connect_staff(server, "admin")
    everyone = [mc, *screens.values(), admin]

    # every screen may ask the server's time (to correct its own clock) and read the state
    for one in everyone:
        before = time.time()
        ack = one.call("time.sync")
        after = time.time()
        assert ack["ok"] is True and isinstance(ack["t"], float)
        # same machine, same clock: the server's answer lies within the round trip
        assert before - 0.05 <= ack["t"] <= after + 0.05, (before, ack["t"], after)
        assert state(one)["clock"]["current"] == "a1"
    settle(*everyone)
    seen = {id(one): len(changes(one)) for one in everyone}
    kept = timing(state(mc))

    for role, one in screens.items():
        for event in CLOCK_EVENTS:
            ack = one.call(event, VALID.get(event, {}))
            assert ack["ok"] is False and ack["code"] == "auth.denied", (role, event, ack)
            assert_refused(ack, "auth.denied")
    assert_refused(mc.call("clock.reset"), "auth.denied")

    settle(*everyone)
    assert {id(one): len(changes(one)) for one in everyone} == seen, "a refused command was broadcast"
    assert timing(state(mc)) == kept
    assert server.health()["seq"] == kept[0]

    # the admin may reset after a rehearsal, and every screen sees the day back at the start
    reset = do(admin, "clock.reset")
    assert reset["clock"] == {
        "current": None,
        "running_since": None,
        "day_started_at": None,
        "finished_at": None,
        "runs": {},
    }
    for one in everyone:
        assert (
            one.wait_for(lambda name, data: name == "clock.changed" and data["seq"] == reset["seq"])["clock"]
            == reset["clock"]
        )
    # and the admin, rehearsing on the MC screen, may run the clock like the MC
    rehearsal = connect_staff(server, "admin", screen="mc")
    assert do(rehearsal, "clock.start")["clock"]["current"] == "a1"


def test_handshake_refuses_connections_without_a_valid_session_for_the_screen(server):
    links = {role: link for role, link in server.links().items() if role in access.ROLES}  # not the departments'
    cookies = {role: session_cookie(link) for role, link in links.items()}

    refused = [
        (None, {"screen": "projector"}),  # no session at all
        (None, None),
        ("live_session=forged.value.here", {"screen": "projector"}),
        (cookies["projector"] + "x", {"screen": "projector"}),  # a tampered signature
        (cookies["projector"], {"screen": "mc"}),  # a projector may not open the MC's screen
        (cookies["projector"], {"screen": "admin"}),
        (cookies["chair"], {"screen": "projector"}),
        (cookies["moderator"], {"screen": "chair"}),
        (cookies["mc"], {"screen": "admin"}),
        (cookies["mc"], None),  # no screen named
        (cookies["mc"], {"screen": ["mc"]}),
        (cookies["mc"], {"screen": "unknown"}),
    ]
    for cookie, auth in refused:
        assert try_connect(server, cookie, auth) is False, (cookie and cookie[:20], auth)
    # a browser starting on long-polling is refused the same way, and is sent nothing
    assert try_connect_polling(server, cookies["projector"], {"screen": "mc"}) == ['44{"message":"auth.denied"}']

    # the same sessions do open the screens they are for
    assert try_connect(server, cookies["projector"], {"screen": "projector"}) is True
    assert try_connect(server, cookies["admin"], {"screen": "projector"}) is True
    packets = try_connect_polling(server, cookies["mc"], {"screen": "mc"})
    assert packets[0].startswith('42["state.snapshot",') and packets[-1].startswith("40{")

    wait_until(lambda: server.health()["connections"] == 0, what="no connection left open")
    assert "denied connect" in server.log()
    assert "Traceback" not in server.log()


MALFORMED = [
    ("clock.adjust", [60], "request.malformed"),
    ("clock.adjust", "60", "request.malformed"),
    ("clock.adjust", 60, "request.malformed"),
    ("clock.start", ["x"], "request.malformed"),
    ("clock.adjust", ({"seconds": 60}, {"seconds": 60}), "request.malformed"),  # two arguments
    ("clock.adjust", {}, "request.missing_field"),
    ("clock.adjust", {"seconds": None}, "request.missing_field"),
    ("clock.jump", {}, "request.missing_field"),
    ("clock.adjust", {"seconds": "60"}, "request.bad_field"),
    ("clock.adjust", {"seconds": True}, "request.bad_field"),
    ("clock.adjust", {"seconds": 60.0}, "request.bad_field"),
    ("clock.adjust", {"seconds": [60]}, "request.bad_field"),
    ("clock.adjust", {"seconds": {"value": 60}}, "request.bad_field"),
    ("clock.jump", {"item": 2}, "request.bad_field"),
    ("clock.jump", {"item": ["a2"]}, "request.bad_field"),
    ("speaker.start", {"seconds": "180"}, "request.bad_field"),
    ("speaker.start", {"seconds": False}, "request.bad_field"),
    ("clock.adjust", {"seconds": 60, "item": "a1"}, "request.unknown_field"),
    ("clock.start", {"force": True}, "request.unknown_field"),
    ("clock.pause", {"__proto__": {}}, "request.unknown_field"),
    ("clock.adjust", {"seconds": 10**30}, "clock.bad_adjust"),
    ("speaker.start", {"seconds": -(10**30)}, "speaker.bad_duration"),
    ("clock.jump", {"item": "x" * 10_000}, "clock.unknown_item"),
    ("clock.explode", {}, "request.unknown_event"),
    ("admin.delete_everything", None, "request.unknown_event"),
    ("message", "hello", "request.unknown_event"),
    ("connect", {"screen": "admin"}, "request.unknown_event"),  # reserved names sent as events
    ("disconnect", None, "request.unknown_event"),
]


def test_malformed_payloads_get_a_clean_error_and_never_crash_the_server(server, connect_staff):
    mc = connect_staff(server, "mc")
    projector = connect_staff(server, "projector")
    do(mc, "clock.start")
    settle(projector)
    seen = len(changes(projector))
    kept = timing(state(mc))

    for event, payload, code in MALFORMED:
        ack = mc.call(event, payload)
        assert_refused(ack, code)
        assert server.proc.poll() is None, f"server died on {event} {payload!r}"

    settle(projector, mc)
    assert len(changes(projector)) == seen
    assert timing(state(mc)) == kept
    health = server.health()
    assert health["status"] == "ok" and health["seq"] == kept[0]
    assert health["connections"] == 2, "an event named like a reserved one must not drop the connection"
    log = server.log()
    assert "Traceback" not in log and "event failed" not in log
    # the MC's session still works after all that
    assert do(mc, "clock.pause")["clock"]["running_since"] is None


# ---------------------------------------------------------------- two MCs at once


def test_two_mcs_pressing_at_once_lose_no_update(server, connect_staff):
    first = connect_staff(server, "mc")
    second = connect_staff(server, "mc")
    projector = connect_staff(server, "projector")
    start = do(first, "clock.start")
    presses = 20
    gate = threading.Barrier(presses)
    acks: list[dict] = []
    failures: list[BaseException] = []

    def press(client):
        try:
            gate.wait(5)
            acks.append(client.call("clock.adjust", {"seconds": 60}, timeout=10))
        except BaseException as error:  # noqa: BLE001 - reported below
            failures.append(error)

    threads = [threading.Thread(target=press, args=((first, second)[i % 2],)) for i in range(presses)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert not failures, failures
    assert len(acks) == presses and all(ack["ok"] for ack in acks), acks
    seqs = sorted(ack["seq"] for ack in acks)
    assert seqs == list(range(start["seq"] + 1, start["seq"] + presses + 1)), "each press is its own change"

    assert state(first)["clock"]["runs"]["a1"]["extra"] == presses * 60
    # every screen ends on the last change with the full total
    for one in (first, second, projector):
        last = one.wait_for(lambda name, data: name == "clock.changed" and data["seq"] == seqs[-1])
        assert last["clock"]["runs"]["a1"]["extra"] == presses * 60
        assert sorted(d["seq"] for d in changes(one) if d["seq"] > start["seq"]) == seqs


# ---------------------------------------------------------------- revoking a link


def regenerate(server, role: str) -> None:
    """What the admin does on the admin page: press "new link" for ``role``."""
    with requests.Session() as browser:
        page = browser.get(server.links()["admin"], timeout=5)
        assert page.status_code == 200 and page.url.endswith("/admin/")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        done = browser.post(
            f"{server.url}/admin/links/{role}", data={"csrf_token": token}, allow_redirects=False, timeout=5
        )
        assert done.status_code == 303, done.status_code


def test_a_regenerated_link_locks_out_the_old_one(server, connect_staff):
    old_link = server.links()["mc"]
    old_cookie = session_cookie(old_link)
    mc = connect_staff(server, "mc")
    projector = connect_staff(server, "projector")

    regenerate(server, "mc")

    revoked = mc.wait_for(lambda name, _data: name == "access.revoked")
    assert revoked == {"role": "mc"}
    settle(projector)
    assert projector.last("access.revoked") is None, "only the revoked role is told"
    new_link = server.links()["mc"]
    assert new_link != old_link
    assert requests.get(old_link, allow_redirects=False, timeout=5).status_code == 404
    assert requests.get(f"{server.url}/mc", headers={"Cookie": old_cookie}, timeout=5).status_code == 403
    assert try_connect(server, old_cookie, {"screen": "mc"}) is False
    # the new link works; other roles are untouched
    assert do(connect_staff(server, "mc"), "clock.start")["clock"]["current"] == "a1"
    assert state(projector)["clock"]["current"] == "a1"


def test_a_refusal_is_in_the_language_the_page_was_opened_in(server, connect_phone):
    """Events run without Flask's contexts; a refusal's sentence is still rendered in the
    language the phone's page chose (its cookie), Vietnamese by default."""
    cookie = device_cookie(server)
    english = connect_phone(server, cookie=f"{cookie}; live_lang=en")
    vietnamese = connect_phone(server, cookie=cookie)
    question = {"id": uuid.uuid4().hex, "site": "hall", "text": "   "}
    assert english.call("question.submit", question)["message"] == "You have not typed a question."
    assert vietnamese.call("question.submit", question)["message"] == "Bạn chưa nhập câu hỏi."
