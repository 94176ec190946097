"""A bulk action reaches the screens one message per batch (live/services/desk.py ``Desk.announce``):
a secretary approves 450 questions at once, and the other consoles and the MC's tablet each get
three ``questions.changed`` (200 + 200 + 50), not 450 messages; its undo the same; a single action
still comes as ``question.changed``. Real ``live serve`` processes (eventlet and gevent), real
Socket.IO clients holding the moderator's and the MC's sessions."""

from __future__ import annotations

import uuid

from conftest import settled

from live.services.bulk import BATCH

MANY = 450
SIZES = [BATCH, BATCH, MANY - 2 * BATCH]  # the store transactions a bulk on MANY questions makes


def enter(moderator, n: int) -> list[dict]:
    """The secretariat types in ``n`` paper questions from Quảng Lâm; as the console lists them."""
    made = []
    for i in range(n):
        text = f"Đề nghị tỉnh hỗ trợ thanh niên xã Quảng Lâm khởi nghiệp, ý kiến số {i}"
        reply = moderator.call(
            "question.enter", {"id": str(uuid.uuid4()), "site": "1304", "text": text, "channel": "paper"}
        )
        assert reply["ok"], reply
        made.append(reply["id"])
    listed = {q["id"]: q for q in moderator.call("questions.get")["questions"]}
    return [listed[ident] for ident in made]


def items(questions: list[dict]) -> list[dict]:
    return [{"id": q["id"], "version": q["version"]} for q in questions]


def heard(client, since: int, event: str) -> list[dict]:
    """What ``client`` got of ``event`` after its first ``since`` messages."""
    return [data for name, data in list(client.received)[since:] if name == event]


def bulk(moderator, listeners, payload: dict, event: str = "questions.bulk") -> tuple[dict, list[int]]:
    """One bulk action (or its undo) by the secretary; the answer, and where each listener's
    messages stood before it (every message it caused has arrived when this returns)."""
    marks = [len(client.received) for client in listeners]
    reply = moderator.call(event, payload, timeout=30)
    assert reply["ok"] is True, reply
    settled(*listeners)
    return reply, marks


def test_a_bulk_on_450_questions_reaches_the_console_and_the_mc_as_three_messages(server, connect_staff):
    moderator = connect_staff(server, "moderator")
    console = connect_staff(server, "moderator")  # the other secretary's console
    mc = connect_staff(server, "mc")
    listed = enter(moderator, MANY)

    reply, (at_console, at_mc) = bulk(moderator, [console, mc], {"action": "approve", "items": items(listed)})

    assert len(reply["done"]) == MANY
    # the other console: three messages holding every question, each with its new version
    batches = heard(console, at_console, "questions.changed")
    assert [len(b["questions"]) for b in batches] == SIZES
    assert [b["seq"] for b in batches] == sorted(b["seq"] for b in batches) and batches[-1]["seq"] == reply["seq"]
    approved = {q["id"]: q for b in batches for q in b["questions"]}
    assert {ident: q["version"] for ident, q in approved.items()} == {q["id"]: q["version"] + 1 for q in listed}
    assert {q["status"] for q in approved.values()} == {"approved"}
    assert heard(console, at_console, "question.changed") == []
    # the MC's tablet: three messages that bring the 450 into its queue, never one by one
    batches = heard(mc, at_mc, "questions.changed")
    assert [len(b["changes"]) for b in batches] == SIZES
    queued = {c["id"]: c["question"] for b in batches for c in b["changes"]}
    assert set(queued) == {q["id"] for q in listed}
    assert {q["status"] for q in queued.values()} == {"approved"}
    assert {q["origin"] for q in queued.values()} == {"Xã Quảng Lâm"}
    assert heard(mc, at_mc, "question.changed") == []

    # a bulk rejection, from the versions the console was sent, takes them out of the MC's queue
    now = list(approved.values())
    reply, (at_console, at_mc) = bulk(
        moderator, [console, mc], {"action": "reject", "items": items(now), "reason": "off_topic"}
    )

    assert len(reply["done"]) == MANY
    batches = heard(mc, at_mc, "questions.changed")
    assert [len(b["changes"]) for b in batches] == SIZES
    assert {c["id"] for b in batches for c in b["changes"]} == {q["id"] for q in listed}
    assert {c["question"] for b in batches for c in b["changes"]} == {None}  # never a rejected question's text
    batches = heard(console, at_console, "questions.changed")
    assert {q["status"] for b in batches for q in b["questions"]} == {"rejected"}
    assert sum(len(b["questions"]) for b in batches) == MANY


def test_an_undo_arrives_batched_too(server, connect_staff):
    moderator = connect_staff(server, "moderator")
    console = connect_staff(server, "moderator")
    mc = connect_staff(server, "mc")
    listed = enter(moderator, MANY)
    done, _ = bulk(moderator, [console, mc], {"action": "approve", "items": items(listed)})

    undone, (at_console, at_mc) = bulk(moderator, [console, mc], {"bulk": done["bulk"]}, event="questions.undo")

    assert len(undone["done"]) == MANY
    batches = heard(console, at_console, "questions.changed")
    assert [len(b["questions"]) for b in batches] == SIZES
    back = {q["id"]: q for b in batches for q in b["questions"]}
    assert {ident: q["version"] for ident, q in back.items()} == {q["id"]: q["version"] + 2 for q in listed}
    assert {q["status"] for q in back.values()} == {"received"}
    batches = heard(mc, at_mc, "questions.changed")
    assert [len(b["changes"]) for b in batches] == SIZES
    assert {c["question"] for b in batches for c in b["changes"]} == {None}
    assert heard(console, at_console, "question.changed") == heard(mc, at_mc, "question.changed") == []


def test_a_single_approval_still_arrives_as_question_changed(server, connect_staff):
    moderator = connect_staff(server, "moderator")
    console = connect_staff(server, "moderator")
    mc = connect_staff(server, "mc")
    (question,) = enter(moderator, 1)
    marks = [len(console.received), len(mc.received)]

    reply = moderator.call("question.approve", items([question])[0])

    assert reply["ok"] is True, reply
    settled(console, mc)
    (seen,) = heard(console, marks[0], "question.changed")
    assert seen["question"]["id"] == question["id"] and seen["question"]["status"] == "approved"
    (queued,) = heard(mc, marks[1], "question.changed")
    assert queued["id"] == question["id"] and queued["question"]["status"] == "approved"
    assert heard(console, marks[0], "questions.changed") == heard(mc, marks[1], "questions.changed") == []
