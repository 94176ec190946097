"""A burst of questions at the same instant, as when the MC says "mời các bạn đặt câu hỏi": every
phone gets its acknowledgement, every acknowledged question is stored once, the secretariat sees
each one on every server process with its likely duplicates after it, and nothing is lost. The
questions of that moment go to the store together (group commit) and the broadcasts between
processes go out together (live.realtime.fanout): these tests hold what that must not break.

Each test runs on eventlet and on gevent, on the embedded store and on a real Redis shared by two
processes."""

from __future__ import annotations

import os
import threading
import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from live.transport.direct import unmask

LIMITS = "device=100000/0.001,site=100000/0.001,address=100000/0.001"  # the burst, not the limiter
PHONES, EACH = 40, 3
SITES = ("hall", "1304", "1297", "1273")
TEXT = "Xin hỏi tỉnh có chính sách gì hỗ trợ thanh niên xã {site} khởi nghiệp, câu số {n}?"


@pytest.fixture(params=["sqlite", "redis"])
def servers(request, make_server, async_mode):
    """One server on the embedded store, or two processes sharing a real Redis."""
    if request.param == "sqlite":
        return [make_server(async_mode, env={"LIVE_RATE_LIMITS": LIMITS})]
    redis = request.getfixturevalue("make_redis")()
    env = {"LIVE_REDIS_URL": redis.url, "LIVE_RATE_LIMITS": LIMITS}
    return [make_server(async_mode, env=env), make_server(async_mode, env=env)]


def test_a_burst_is_acknowledged_stored_once_and_compared_after(servers, connect_staff, connect_phone):
    moderators = [connect_staff(s, "moderator") for s in servers]
    phones = [connect_phone(servers[i % len(servers)], site=SITES[i % len(SITES)]) for i in range(PHONES)]
    sent: dict[str, dict] = {}
    own: dict[int, list[str]] = {}
    acks: dict[str, dict] = {}
    start = threading.Barrier(PHONES)
    errors = []

    def ask(i: int) -> None:
        phone = phones[i]
        batch = [
            {
                "id": str(uuid.uuid4()),
                "site": SITES[i % len(SITES)],
                "text": TEXT.format(site=SITES[i % len(SITES)], n=n),
            }
            for n in range(EACH)
        ]
        for q in batch:
            sent[q["id"]] = q
        own[i] = [q["id"] for q in batch]
        start.wait(10)
        try:
            # all at once, without waiting for each acknowledgement (a phone retrying its outbox)
            waits = []
            for q in batch:
                done, box = threading.Event(), {}
                phone.client.emit(
                    "question.submit", q, callback=lambda r, box=box, done=done: (box.update(r), done.set())
                )
                waits.append((q["id"], box, done))
            for ident, box, done in waits:
                assert done.wait(30), "an acknowledgement never came"
                acks[ident] = dict(box)
        except Exception as error:  # pragma: no cover (reported below)
            errors.append(error)

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(PHONES)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert len(acks) == PHONES * EACH and all(a["ok"] and not a["repeated"] for a in acks.values()), acks
    assert len({a["code"] for a in acks.values()}) == PHONES * EACH, "every question has its own code"

    # each phone finds each of its questions (stored, durably, once), on whichever process
    for i, phone in enumerate(phones):
        reply = phone.call("question.mine", {"ids": own[i]})
        assert reply["ok"] and sorted(q["id"] for q in reply["questions"]) == sorted(own[i])
    for moderator in moderators:
        listed = moderator.call("questions.get")["questions"]
        assert sorted(q["id"] for q in listed) == sorted(sent), "the secretariat sees every one, once"
        for ident in sent:
            moderator.wait_for(lambda e, d, ident=ident: e == "question.added" and d["question"]["id"] == ident, 30)
    # then each one's likely duplicates among those in before it, pushed to the desk on every
    # process: all look-alikes here, so only the first each process compared can have none
    for moderator in moderators:
        alone = 0
        for ident in sent:
            found = moderator.wait_for(lambda e, d, ident=ident: e == "question.similar" and d["id"] == ident, 30)
            assert all(s["id"] in sent and s["id"] != ident for s in found["similar"])
            alone += not found["similar"]
        assert alone <= len(servers), "look-alikes of each other are suggested as likely duplicates"


def test_a_resent_question_during_a_burst_is_acknowledged_as_the_same_one(servers, connect_phone):
    """The outbox sends again when an acknowledgement is slow: the copy, on either process, is
    answered with the stored question and nothing new is written."""
    phone = connect_phone(servers[0], site="1304")
    other = connect_phone(servers[-1], site="1304")
    q = {"id": str(uuid.uuid4()), "site": "1304", "text": "Học bổng cho sinh viên nghèo?"}
    first = phone.call("question.submit", q, timeout=10)
    again = other.call("question.submit", {**q, "text": "khác hẳn"}, timeout=10)
    assert first["ok"] and not first["repeated"]
    assert again["ok"] and again["repeated"] and again["code"] == first["code"]


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=300), mask=st.binary(min_size=4, max_size=4))
def test_websocket_frames_are_unmasked_exactly_as_eventlet_does(data, mask):
    """Every frame a browser sends is masked; live unmasks it with one big XOR where eventlet
    goes byte by byte in Python (a third of the CPU under a storm of questions). The two agree."""
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from eventlet.websocket import RFC6455WebSocket
    original = RFC6455WebSocket.__dict__["_apply_mask"]
    original = original.__func__ if isinstance(original, staticmethod) else original
    assert unmask(data, mask) == original(data, tuple(mask), None, 0)
