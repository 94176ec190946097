"""Questions coming in from phones and from the floor, over real sockets to a real server.

The promises under test: a question a phone was told "received" is on disk and is never lost;
a retry never makes a second copy; bad input is refused with a Vietnamese sentence and stores
nothing; one fast phone is slowed alone, never its whole hall.
"""

from __future__ import annotations

import concurrent.futures
import unicodedata
import uuid

import pytest
import socketio
from conftest import device_cookie, session_cookie
from corpora import naughty_strings


def qid() -> str:
    return str(uuid.uuid4())


def ask(phone, text="Xin hỏi về học bổng cho sinh viên dân tộc thiểu số?", site="hall", **extra) -> dict:
    payload = {"id": extra.pop("id", None) or qid(), "site": site, "text": text, **extra}
    reply = phone.call("question.submit", payload)
    reply["sent"] = payload
    return reply


def desk_questions(moderator) -> list[dict]:
    reply = moderator.call("questions.get")
    assert reply["ok"], reply
    return reply["questions"]


def test_a_question_from_a_phone_reaches_the_secretariat_tagged_with_its_site(server, connect_phone, connect_staff):
    moderator = connect_staff(server, "moderator")
    phone = connect_phone(server, site="1304")

    reply = ask(
        phone,
        site="1304",
        name="Nông Thị Hoa",
        group="hoc_sinh_sinh_vien",
        theme="t2",
        consent={"name": "1", "group": "1"},
    )

    assert reply["ok"] is True, reply
    assert reply["status"] == "received" and reply["repeated"] is False
    assert len(reply["code"]) == 6 and reply["code"].isalnum()
    added = moderator.wait_for(lambda e, d: e == "question.added")["question"]
    assert added["id"] == reply["id"] and added["site"] == "1304" and added["channel"] == "qr"
    assert added["name"] == "Nông Thị Hoa" and added["group"] == "hoc_sinh_sinh_vien" and added["theme"] == "t2"
    assert added["consent"]["name"]["version"] == added["consent"]["group"]["version"] == "1"
    assert added["status"] == "received" and "device" not in added and "fold" not in added
    assert [q["id"] for q in desk_questions(moderator)] == [reply["id"]]


def test_a_retry_of_the_same_question_is_acknowledged_again_and_stored_once(server, connect_phone, connect_staff):
    moderator = connect_staff(server, "moderator")
    phone = connect_phone(server)
    first = ask(phone)
    again = phone.call("question.submit", first["sent"])
    # a retry after a reload may even come from a new connection, with the text edited meanwhile
    other = connect_phone(server)
    changed = other.call("question.submit", {**first["sent"], "text": "Một câu khác"})

    assert again == {**again, "ok": True, "id": first["id"], "code": first["code"], "repeated": True}
    assert changed["ok"] and changed["repeated"] and changed["code"] == first["code"]
    stored = desk_questions(moderator)
    assert len(stored) == 1 and stored[0]["text"] == first["sent"]["text"]
    assert len([1 for e, _ in moderator.received if e == "question.added"]) == 1


def test_the_same_id_sent_from_many_connections_at_once_is_stored_once(server, connect_phone, connect_staff):
    moderator = connect_staff(server, "moderator")
    phones = [connect_phone(server) for _ in range(8)]
    payload = {"id": qid(), "site": "hall", "text": "Cùng một câu hỏi gửi lại nhiều lần"}

    with concurrent.futures.ThreadPoolExecutor(len(phones)) as pool:
        replies = list(pool.map(lambda p: p.call("question.submit", payload), phones))

    assert all(r["ok"] for r in replies), replies
    assert sorted(r["repeated"] for r in replies) == [False] + [True] * 7
    assert len(desk_questions(moderator)) == 1


def test_vietnamese_typed_in_decomposed_form_is_stored_composed_and_control_characters_dropped(
    server, connect_phone, connect_staff
):
    moderator = connect_staff(server, "moderator")
    phone = connect_phone(server)
    text = "Học bổng cho sinh viên dân tộc thiểu số?"
    reply = ask(
        phone,
        text=unicodedata.normalize("NFD", text) + "\u0007\u200b",
        name="  Lò\u0000 Văn   Minh ",
        consent={"name": "1"},
    )

    assert reply["ok"], reply
    stored = desk_questions(moderator)[0]
    assert stored["text"] == text and unicodedata.is_normalized("NFC", stored["text"])
    assert stored["name"] == "Lò Văn Minh"


BAD_INPUT = [
    ({"text": ""}, "question.empty"),
    ({"text": "   \n\t  "}, "question.empty"),
    ({"text": None}, "question.empty"),
    ({"text": "?!…"}, "question.no_letters"),
    ({"text": "a" * 1001}, "question.too_long"),
    ({"text": 42}, "question.malformed"),
    ({"text": ["a"]}, "question.malformed"),
    ({"name": "x" * 81, "consent": {"name": "1"}}, "question.name_too_long"),
    ({"site": "9999"}, "question.unknown_site"),
    ({"site": None}, "question.unknown_site"),
    ({"group": "chairman", "consent": {"group": "1"}}, "question.unknown_group"),
    ({"consent": {"name": True}}, "question.bad_consent"),
    ({"theme": "t99"}, "question.unknown_theme"),
    ({"id": "short"}, "question.bad_id"),
    ({"id": "../../etc/passwd-xxxxxxxxxxxx"}, "question.bad_id"),
    ({"status": "approved"}, "question.unknown_field"),
    ({"channel": "paper"}, "question.unknown_field"),
    ({"__proto__": {"x": 1}}, "question.unknown_field"),
]


def test_bad_input_is_refused_in_vietnamese_and_stores_nothing(server, connect_phone, connect_staff):
    moderator = connect_staff(server, "moderator")
    phone = connect_phone(server)
    for change, code in BAD_INPUT:
        reply = phone.call("question.submit", {"id": qid(), "site": "hall", "text": "Câu hỏi hợp lệ", **change})
        assert reply["ok"] is False and reply["code"] == code, (change, reply)
        assert reply["message"] and "retry" not in reply and "Traceback" not in reply["message"]
    assert desk_questions(moderator) == []


def test_a_message_over_the_size_limit_drops_only_that_phone(server, connect_phone, connect_staff):
    moderator = connect_staff(server, "moderator")
    phone = connect_phone(server)
    with pytest.raises(socketio.exceptions.TimeoutError):
        phone.client.call("question.submit", {"id": qid(), "site": "hall", "text": "a" * 300_000}, timeout=3)
    assert desk_questions(moderator) == []
    assert ask(connect_phone(server))["ok"]
    assert server.health()["status"] == "ok"


def test_payloads_that_are_not_questions_are_refused(server, connect_phone):
    phone = connect_phone(server)
    for payload in (None, [], "text", 7, {"id": qid()}):
        reply = phone.client.call("question.submit", payload, timeout=5)
        assert reply["ok"] is False and reply["code"].startswith("question."), reply
    assert phone.client.call("question.submit", ({"id": qid()}, "two"), timeout=5)["ok"] is False


def test_a_phone_may_do_nothing_but_ask_and_a_staff_screen_may_not_pose_as_a_phone(
    server, connect_phone, connect_staff
):
    phone = connect_phone(server)
    for event, payload in [
        ("questions.get", {}),
        ("question.enter", {"id": qid(), "site": "hall", "channel": "paper", "text": "x"}),
        ("clock.start", {}),
        ("state.get", {}),
        ("roll.get", {}),
        ("floor.request", {}),
        ("floor.give", {"site": "hall"}),
    ]:
        assert phone.call(event, payload)["code"] == "auth.denied", event
    moderator = connect_staff(server, "moderator")
    assert moderator.call("question.submit", {"id": qid(), "site": "hall", "text": "x"})["code"] == "auth.denied"
    assert desk_questions(moderator) == []


@pytest.mark.parametrize("cookie", [None, "live_device=forged.value", "live_device=" + "a" * 500])
def test_a_phone_without_a_genuine_device_cookie_cannot_connect(server, cookie):
    client = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(
            server.url,
            headers={"Cookie": cookie} if cookie else {},
            auth={"screen": "phone", "site": "hall"},
            transports=["websocket"],
            wait_timeout=5,
        )


def test_one_fast_phone_is_slowed_alone_not_its_hall(make_server, connect_phone, connect_staff):
    server = make_server(env={"LIVE_RATE_LIMITS": "device=2/60"})
    moderator = connect_staff(server, "moderator")
    fast = connect_phone(server, site="1304")
    first, second, third = (ask(fast, text=f"Câu hỏi số {n}", site="1304") for n in range(3))

    assert first["ok"] and second["ok"]
    assert third["ok"] is False and third["code"] == "limit.device" and third["retry"] is True
    assert 1 <= third["retry_after"] <= 60 and "giây" in third["message"]
    # a retry of a question already stored is acknowledged, limit or not
    assert fast.call("question.submit", first["sent"])["ok"]
    # the neighbour on the same address and at the same site is not slowed
    neighbour = connect_phone(server, site="1304")
    assert ask(neighbour, site="1304")["ok"]
    assert len(desk_questions(moderator)) == 3


def test_a_phone_keeps_its_limit_across_reconnections_it_is_known_by_its_cookie(make_server, connect_phone):
    server = make_server(env={"LIVE_RATE_LIMITS": "device=1/60"})
    cookie = device_cookie(server, "hall")
    assert ask(connect_phone(server, cookie=cookie))["ok"]
    assert ask(connect_phone(server, cookie=cookie))["code"] == "limit.device"


def test_a_site_limit_slows_one_flooding_hall_while_others_go_on(make_server, connect_phone, connect_staff):
    server = make_server(env={"LIVE_RATE_LIMITS": "site=3/60"})
    moderator = connect_staff(server, "moderator")
    replies = [ask(connect_phone(server, site="1304"), site="1304") for _ in range(4)]

    assert [r["ok"] for r in replies] == [True, True, True, False]
    assert replies[-1]["code"] == "limit.site" and replies[-1]["retry"] is True
    assert ask(connect_phone(server, site="1297"), site="1297")["ok"]
    assert len(desk_questions(moderator)) == 4


def test_two_hundred_phones_behind_one_address_all_get_their_questions_in(server, connect_staff):
    moderator = connect_staff(server, "moderator")

    def one_phone(n: int) -> dict:
        site = ["hall", "1304", "1297", "1294"][n % 4]
        cookie = device_cookie(server, site)
        client = socketio.Client(reconnection=False)
        client.connect(
            server.url, headers={"Cookie": cookie}, auth={"screen": "phone"}, transports=["websocket"], wait_timeout=10
        )
        try:
            payload = {"id": qid(), "site": site, "text": f"Câu hỏi của bạn số {n} về việc làm"}
            reply = client.call("question.submit", payload, timeout=20)
            return {**reply, "text": payload["text"]}
        finally:
            client.disconnect()

    with concurrent.futures.ThreadPoolExecutor(40) as pool:
        replies = list(pool.map(one_phone, range(200)))

    assert [r for r in replies if not r["ok"]] == []
    stored = desk_questions(moderator)
    assert len(stored) == 200
    assert {q["text"] for q in stored} == {r["text"] for r in replies}


def test_questions_from_the_floor_are_entered_by_the_secretariat_with_site_and_channel(
    server, connect_staff, connect_phone
):
    moderator = connect_staff(server, "moderator")
    other = connect_staff(server, "admin")
    entry = {"id": qid(), "site": "1297", "channel": "paper", "text": "Phiếu giấy: đề nghị mở lớp tin học", "name": ""}

    reply = moderator.call("question.enter", entry)
    again = moderator.call("question.enter", entry)

    assert reply["ok"] and not reply["repeated"] and again["repeated"]
    added = other.wait_for(lambda e, d: e == "question.added")["question"]
    assert added["channel"] == "paper" and added["site"] == "1297"
    assert moderator.call("question.enter", {**entry, "id": qid(), "channel": "qr"})["code"] == "question.bad_channel"
    assert moderator.call("question.enter", {**entry, "id": qid(), "channel": None})["code"] == "question.bad_channel"
    assert moderator.call("question.enter", {**entry, "id": qid(), "text": " "})["code"] == "question.empty"
    for role in ("mc", "chair", "projector"):
        assert connect_staff(server, role).call("question.enter", {**entry, "id": qid()})["code"] == "auth.denied"
    spoken = moderator.call("question.enter", {**entry, "id": qid(), "channel": "spoken", "site": "hall"})
    assert spoken["ok"]
    # a question a bridge point's facilitator passed on for a young person without a smartphone
    relayed = moderator.call("question.enter", {**entry, "id": qid(), "channel": "facilitator", "site": "1304"})
    assert relayed["ok"]
    assert [q["channel"] for q in desk_questions(moderator)] == ["paper", "spoken", "facilitator"]


def test_my_questions_come_back_to_the_phone_that_asked_them(server, connect_phone):
    phone = connect_phone(server)
    mine = [ask(phone, text=f"Câu hỏi {n}") for n in range(2)]

    reply = phone.call("question.mine", {"ids": [q["id"] for q in mine] + [qid()]})

    assert reply["ok"]
    assert [(q["id"], q["code"], q["status"]) for q in reply["questions"]] == [
        (q["id"], q["code"], "received") for q in mine
    ]
    assert phone.call("question.mine", {"ids": [qid() for _ in range(51)]})["ok"] is False
    assert phone.call("question.mine", {"ids": "all"})["ok"] is False
    assert phone.call("question.mine", {"ids": ["../x"]})["code"] == "question.bad_id"


def test_every_acknowledged_question_survives_kill_9(make_server, connect_phone, connect_staff):
    server = make_server(env={"LIVE_RATE_LIMITS": "device=1000/0.01"})
    phone = connect_phone(server)
    acknowledged = [ask(phone, text=f"Câu hỏi {n}") for n in range(40)]
    assert all(r["ok"] for r in acknowledged)

    server.kill9()
    server.start()

    stored = desk_questions(connect_staff(server, "moderator"))
    assert sorted(q["id"] for q in stored) == sorted(r["id"] for r in acknowledged)


def test_hostile_strings_are_stored_exactly_as_cleaned(make_server, connect_phone, connect_staff):
    server = make_server(env={"LIVE_RATE_LIMITS": "device=100000/0.001,site=100000/0.001"})
    moderator = connect_staff(server, "moderator")
    phone = connect_phone(server)
    expected = {}
    for text in naughty_strings():
        reply = phone.call("question.submit", {"id": qid(), "site": "hall", "text": text})
        if reply["ok"]:
            expected[reply["id"]] = text
        else:
            assert reply["code"] in ("question.empty", "question.no_letters", "question.too_long"), reply
    stored = {q["id"]: q["text"] for q in desk_questions(moderator)}
    assert stored.keys() == expected.keys() and len(stored) > 400
    for ident, text in expected.items():
        assert stored[ident] == clean_question(text)


def clean_question(text: str) -> str:
    from live.core.questions import question_text

    return question_text(text)


def site_screen(server, site: str):
    client = socketio.Client(reconnection=False)
    received: list = []
    client.on("*", lambda event, data=None: received.append((event, data)))
    client.connect(
        server.url,
        headers={"Cookie": session_cookie(server.link("site"))},
        auth={"screen": "site", "site": site},
        transports=["websocket"],
        wait_timeout=5,
    )
    return client, received


def test_the_roll_call_counts_site_screens_and_questions(server, connect_staff, connect_phone):
    mc = connect_staff(server, "mc")
    before = mc.call("roll.get")["roll"]
    assert len(before) == 57 and before["1304"] == {"connected": 0, "last_seen": None, "questions": 0}

    screen, _ = site_screen(server, "1304")
    mc.wait_for(lambda e, d: e == "roll.changed" and d["site"] == "1304" and d.get("connected") == 1)
    ask(connect_phone(server, site="1304"), site="1304")
    mc.wait_for(lambda e, d: e == "roll.changed" and d["site"] == "1304" and d.get("questions") == 1)
    screen.disconnect()
    gone = mc.wait_for(lambda e, d: e == "roll.changed" and d["site"] == "1304" and d.get("connected") == 0)

    assert gone["last_seen"] is not None
    roll = mc.call("roll.get")["roll"]
    assert roll["1304"]["questions"] == 1 and roll["1304"]["connected"] == 0
    assert connect_staff(server, "chair").call("roll.get")["code"] == "auth.denied"


def test_a_burst_from_one_hall_reaches_the_roll_call_as_its_latest_count_not_a_message_each(
    make_server, connect_staff, connect_phone
):
    """Sixty phones of one hall asking at once would send the MC and every secretariat console
    sixty roll-call messages; they get the hall's count at once, then its latest count together."""
    server = make_server(env={"LIVE_RATE_LIMITS": "device=100/0.01,site=1000/0.01"})
    mc = connect_staff(server, "mc")
    phones = [connect_phone(server, site="1304") for _ in range(3)]
    for n in range(60):
        assert ask(phones[n % 3], text=f"Câu hỏi số {n} về việc làm?", site="1304")["ok"]
    mc.wait_for(lambda e, d: e == "roll.changed" and d["site"] == "1304" and d.get("questions") == 60)
    counts = [d["questions"] for e, d in mc.received if e == "roll.changed" and "questions" in d]
    assert counts == sorted(counts) and counts[-1] == 60
    assert len(counts) < 60 / 2
    assert mc.call("roll.get")["roll"]["1304"]["questions"] == 60


def test_a_site_screen_for_an_unknown_site_or_without_its_link_is_refused(server):
    with pytest.raises(socketio.exceptions.ConnectionError):
        site_screen(server, "9999")
    client = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(server.url, auth={"screen": "site", "site": "1304"}, transports=["websocket"], wait_timeout=5)


def test_a_bridge_point_asks_to_speak_and_the_mc_gives_it_the_floor(server, connect_staff):
    mc = connect_staff(server, "mc")
    projector = connect_staff(server, "projector")
    screen, _ = site_screen(server, "1304")

    assert screen.call("floor.request", {}, timeout=5)["ok"]
    assert screen.call("floor.request", {}, timeout=5)["code"] == "floor.already_requested"
    changed = projector.wait_for(lambda e, d: e == "floor.changed" and d["floor"]["requests"])
    assert [r["site"] for r in changed["floor"]["requests"]] == ["1304"]

    assert mc.call("floor.give", {"site": "1304"})["ok"]
    given = projector.wait_for(lambda e, d: e == "floor.changed" and d["floor"]["holder"])
    assert given["floor"]["holder"]["site"] == "1304" and given["floor"]["requests"] == []
    speaker = projector.wait_for(lambda e, d: e == "clock.changed" and d.get("speaker", {}).get("running_since"))
    assert speaker["speaker"]["label"] == "Xã Quảng Lâm" and speaker["speaker"]["duration"] == 180

    assert mc.call("floor.end")["ok"]
    projector.wait_for(lambda e, d: e == "floor.changed" and d["floor"]["holder"] is None)
    assert mc.call("floor.end")["code"] == "floor.nobody"
    assert mc.call("floor.give", {"site": "9999"})["code"] == "floor.unknown_site"
    assert screen.call("floor.give", {"site": "1304"}, timeout=5)["code"] == "auth.denied"
    assert mc.call("floor.request")["code"] == "auth.denied"
    screen.disconnect()
