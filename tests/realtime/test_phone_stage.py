"""Every phone shows the question being answered at the conference now ("Đang trả lời tại hội
nghị"), over real sockets: exactly what the projector shows and nothing private, at connection
and on every change; also from a process whose stage another process changed (shared Redis)."""

from __future__ import annotations

import uuid

from conftest import device_cookie
from itsdangerous import URLSafeSerializer

PUBLIC = {"id", "text", "site", "site_name", "group", "origin"}  # what the projector may show
NAME = "Nông Thị Bảo Mật"
NOTES = "Ghi chú riêng cho Chủ tịch: số liệu chưa công bố"
TEXT = "Thanh niên dân tộc thiểu số muốn vay vốn khởi nghiệp nuôi bò thì cần thủ tục gì?"


def device_of(cookie: str) -> str:
    """The phone's own id inside its signed device cookie (read, not verified)."""
    return URLSafeSerializer("unused", salt="live.device").loads_unsafe(cookie.split("=", 1)[1])[1]


def stage(client) -> list[dict]:
    """Every ``question.current`` a client received, in order."""
    return [data for event, data in list(client.received) if event == "question.current"]


def vetted(moderator, question_id: str, **args) -> dict:
    """The secretariat assigns, notes and approves one question; its staff view."""
    question = next(q for q in moderator.call("questions.get")["questions"] if q["id"] == question_id)
    for action, extra in (("assign", {"theme": "t2", "department": "d3"}), ("note", {"notes": NOTES}), ("approve", {})):
        reply = moderator.call(f"question.{action}", {"id": question_id, "version": question["version"], **extra})
        assert reply["ok"], reply
        question = reply["question"]
    return question


def test_a_phone_shows_the_projectors_question_and_never_the_askers_name_device_or_notes(
    server, connect_staff, connect_phone
):
    moderator, mc, projector = (connect_staff(server, role) for role in ("moderator", "mc", "projector"))
    cookie = device_cookie(server, "1304")
    asker = connect_phone(server, site="1304", cookie=cookie)
    neighbour = connect_phone(server, site="1297")  # another commune's hall, open all along
    # a phone opened before anything is on screen learns that at once
    assert [d["question"] for d in stage(neighbour)] == [None]

    sent = asker.call("question.submit", {"id": str(uuid.uuid4()), "site": "1304", "text": TEXT, "name": NAME,
                                          "group": "cong_nhan", "theme": "t2",
                                          "consent": {"name": "1", "group": "1"}})  # fmt: skip
    assert sent["ok"], sent
    question = vetted(moderator, sent["id"])
    department = next(d["name"] for d in projector.call("state.get")["state"]["departments"] if d["id"] == "d3")
    shown = mc.call("question.show", {"id": question["id"], "version": question["version"]})
    assert shown["ok"], shown
    on_projector = projector.wait_for(lambda e, d: e == "question.current" and d["seq"] == shown["seq"])
    on_phone = neighbour.wait_for(lambda e, d: e == "question.current" and d["seq"] == shown["seq"])
    assert on_phone == on_projector
    assert set(on_phone) == {"seq", "question"} and set(on_phone["question"]) == PUBLIC
    assert on_phone["question"] == {
        "id": sent["id"],
        "text": TEXT,
        "site": "1304",
        "site_name": "Xã Quảng Lâm",
        "group": "cong_nhan",
        "origin": "Xã Quảng Lâm — công nhân",
    }

    # a phone whose page opens while the question is on screen gets it at connection
    late = connect_phone(server, site="hall")
    at_connect = late.wait_for(lambda e, d: e == "question.current")
    assert set(at_connect) == {"seq", "question"} and at_connect["seq"] >= shown["seq"]
    assert at_connect["question"] == on_projector["question"]

    answered = mc.call("question.answer", {"id": question["id"], "version": shown["question"]["version"]})
    assert answered["ok"], answered
    for phone in (asker, neighbour, late):
        assert phone.wait_for(lambda e, d: e == "question.current" and d["seq"] == answered["seq"]) == {
            "seq": answered["seq"],
            "question": None,
        }
    assert [d["question"] for d in stage(connect_phone(server, site="1304"))] == [None]

    private = (NAME, NOTES, department, device_of(cookie), question["code"])
    for phone in (asker, neighbour, late):
        for message in stage(phone):
            assert set(message) == {"seq", "question"}
            assert message["question"] is None or set(message["question"]) == PUBLIC
            for secret in private:
                assert secret not in repr(message), (secret, message)


def test_a_phone_on_another_process_learns_the_stage_that_process_did_not_change(
    make_server, make_redis, async_mode, connect_staff, connect_phone
):
    """Process B holds only phones (its memory learns nothing by itself): a phone that opens its
    page on B after the MC put a question on screen through A is shown that question."""
    redis = make_redis()
    a, b = (make_server(async_mode, env={"LIVE_REDIS_URL": redis.url}) for _ in range(2))
    moderator, mc = connect_staff(a, "moderator"), connect_staff(a, "mc")
    early = connect_phone(b, site="1304")
    assert [d["question"] for d in stage(early)] == [None]

    sent = early.call("question.submit", {"id": str(uuid.uuid4()), "site": "1304", "text": TEXT})
    assert sent["ok"], sent
    question = vetted(moderator, sent["id"])
    shown = mc.call("question.show", {"id": question["id"], "version": question["version"]})
    assert shown["ok"], shown
    # through the message queue to the phone already on B, and at connection to the next one
    assert early.wait_for(lambda e, d: e == "question.current" and d["question"])["question"]["text"] == TEXT
    late = connect_phone(b, site="hall")
    at_connect = late.wait_for(lambda e, d: e == "question.current")
    assert at_connect["seq"] >= shown["seq"] and at_connect["question"]["id"] == sent["id"]

    answered = mc.call("question.answer", {"id": question["id"], "version": shown["question"]["version"]})
    assert answered["ok"], answered
    late.wait_for(lambda e, d: e == "question.current" and d["question"] is None)
    assert [d["question"] for d in stage(connect_phone(b, site="1297"))] == [None]
