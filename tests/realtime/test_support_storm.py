"""Me too under pressure: two processes sharing a real Redis count each device once; kill -9 of the
server in the middle of a storm of presses loses no acknowledged press; and whatever a phone sends,
no phone ever receives the words of a question the secretariat has not approved."""

from __future__ import annotations

import random
import threading
import uuid

import pytest
from browser import wait_until
from conftest import device_cookie
from corpora import naughty_strings

LIMITS = "device=100000/0.001,site=100000/0.001,address=100000/0.001"  # storms, not the limiter


def qid() -> str:
    return str(uuid.uuid4())


def approved_questions(server, connect_staff, connect_phone, texts: list[str]) -> tuple[object, list[dict]]:
    """The secretariat approves one question per text, asked from a phone at 1304."""
    moderator = connect_staff(server, "moderator")
    asker = connect_phone(server, site="1304")
    found = []
    for text in texts:
        reply = asker.call("question.submit", {"id": qid(), "site": "1304", "text": text})
        assert reply["ok"], reply
        question = next(q for q in moderator.call("questions.get")["questions"] if q["id"] == reply["id"])
        approved = moderator.call("question.approve", {"id": question["id"], "version": question["version"]})
        assert approved["ok"], approved
        found.append(approved["question"])
    return moderator, found


def handles_of(phone) -> dict[str, str]:
    """text → handle, as the phone's list shows them."""
    listed = phone.call("questions.public", {})
    assert listed["ok"], listed
    return {q["text"]: q["handle"] for q in listed["questions"]}


@pytest.fixture
def cluster(make_server, make_redis, async_mode):
    def start(n: int = 2):
        redis = make_redis()
        env = {"LIVE_REDIS_URL": redis.url, "LIVE_RATE_LIMITS": LIMITS}
        return redis, [make_server(async_mode, env=env) for _ in range(n)]

    return start


def test_two_processes_count_each_device_once_and_push_the_same_counts(cluster, connect_staff, connect_phone):
    _redis, (a, b) = cluster(2)
    moderator, [question] = approved_questions(a, connect_staff, connect_phone, ["Xã có điểm tư vấn việc làm không?"])
    watchers = [connect_phone(server) for server in (a, b)]
    handle = handles_of(watchers[1])[question["text"]]  # B learnt the approval from the store
    assert handle == handles_of(watchers[0])[question["text"]], "one handle on every process"
    projector_b = connect_staff(b, "projector")
    assert projector_b.call("supports.get")["counts"] == {}
    cookies = [device_cookie(a, "1297") for _ in range(12)]
    answers: list[dict] = []

    def press(cookie: str, server) -> None:
        phone = connect_phone(server, site="1297", cookie=cookie)
        answers.append(phone.call("question.support", {"handle": handle}))

    # each device presses on both processes at once (two tabs, or a retry after a reconnect elsewhere)
    threads = [threading.Thread(target=press, args=(c, s)) for c in cookies for s in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(answers) == 24 and all(x["ok"] for x in answers), answers
    assert sum(not x["repeated"] for x in answers) == 12, "each device counted once across processes"
    for staff in (moderator, projector_b):
        wait_until(lambda s=staff: s.call("supports.get")["counts"] == {question["id"]: 12}, timeout=5)
    for phone in watchers:
        phone.wait_for(lambda e, d: e == "supports.changed" and d.get("counts", {}).get(handle) == 12, timeout=10)
    projector_b.wait_for(lambda e, d: e == "supports.changed" and d.get("counts", {}).get(question["id"]) == 12)


def test_kill9_during_a_support_storm_keeps_every_acknowledged_press(
    make_server, async_mode, connect_staff, connect_phone
):
    server = make_server(async_mode, env={"LIVE_RATE_LIMITS": LIMITS})
    texts = [
        "Thanh niên có được vay vốn học nghề không?",
        "Khi nào xã có sân thể thao?",
        "Có lớp tin học miễn phí không?",
    ]
    _moderator, questions = approved_questions(server, connect_staff, connect_phone, texts)
    by_text = handles_of(connect_phone(server))
    handles = list(by_text.values())
    question_of = {by_text[q["text"]]: q["id"] for q in questions}  # handle → id, for the staff's counts
    cookies = [device_cookie(server, "hall") for _ in range(60)]
    acked: set[tuple[str, str]] = set()
    stop = threading.Event()
    lock = threading.Lock()

    def storm(mine: list[str]) -> None:
        for cookie in mine:
            for handle in handles:
                if stop.is_set():
                    return
                try:
                    phone = connect_phone(server, cookie=cookie)
                    reply = phone.call("question.support", {"handle": handle}, timeout=5)
                    phone.close()
                except Exception:  # noqa: BLE001 (the server died under it: not acknowledged)
                    continue
                if reply.get("ok"):
                    with lock:
                        acked.add((cookie, handle))

    threads = [threading.Thread(target=storm, args=(cookies[k::4],), daemon=True) for k in range(4)]
    for t in threads:
        t.start()
    wait_until(lambda: len(acked) >= 40, timeout=30, message="40 presses acknowledged")
    server.kill9()
    stop.set()
    for t in threads:
        t.join(15)
    server.start()
    staff = connect_staff(server, "moderator")
    counts = staff.call("supports.get")["counts"]
    assert set(counts) <= {q["id"] for q in questions}
    phone = connect_phone(server)
    listed = {q["handle"]: q["count"] for q in phone.call("questions.public", {})["questions"]}
    for handle in handles:
        acknowledged = sum(1 for _c, h in acked if h == handle)
        assert listed[handle] >= acknowledged, "every acknowledged press survives kill -9"
    assert sum(counts.values()) == sum(listed.values())
    # every device presses everything again (its outbox resends after the restart): each counted once
    for cookie in cookies[:20]:
        again = connect_phone(server, cookie=cookie)
        for handle in handles:
            reply = again.call("question.support", {"handle": handle})
            assert reply["ok"], reply
            if (cookie, handle) in acked:
                assert reply["repeated"] is True, "an acknowledged press is there after the restart"
        again.close()
    counts = staff.call("supports.get")["counts"]
    final = {handle: counts.get(question_of[handle], 0) for handle in handles}
    for handle in handles:
        pressed = {c for c, h in acked if h == handle} | set(cookies[:20])
        assert final[handle] >= len(pressed)
        assert final[handle] <= len(cookies), "never more than one per device"


# ---------------------------------------------------------------- nothing unapproved reaches a phone

PUBLIC_EVENTS = ("questions.public", "question.support", "question.mine", "state.get", "supports.get", "time.sync")


def test_an_unapproved_question_never_reaches_a_phone_whatever_it_sends(make_server, connect_staff, connect_phone):
    server = make_server("gevent", env={"LIVE_RATE_LIMITS": LIMITS})
    moderator, [open_question] = approved_questions(
        server, connect_staff, connect_phone, ["Câu hỏi đã duyệt, ai cũng xem được?"]
    )
    asker = connect_phone(server, site="1304")
    secrets = {}
    for marker in ("CHUADUYET", "TUCHOI", "DAGOP"):
        reply = asker.call(
            "question.submit", {"id": qid(), "site": "1304", "text": f"Câu hỏi bí mật {marker} không được lộ?"}
        )
        assert reply["ok"], reply
        secrets[marker] = next(q for q in moderator.call("questions.get")["questions"] if q["id"] == reply["id"])
    q = secrets["TUCHOI"]
    assert moderator.call("question.reject", {"id": q["id"], "version": q["version"], "reason": "other"})["ok"]
    q = secrets["DAGOP"]
    assert moderator.call("question.merge", {"id": q["id"], "version": q["version"], "into": open_question["id"]})["ok"]

    phones = [connect_phone(server, site=site) for site in ("hall", "1304", "1297")]
    known = handles_of(phones[0])
    ids = [q["id"] for q in secrets.values()]
    codes = [q["code"] for q in secrets.values()]
    strings = naughty_strings()
    rng = random.Random(26)
    shapes = [
        lambda: None,
        lambda: rng.choice(strings),
        lambda: rng.randint(-(2**63), 2**63),
        lambda: [rng.choice(strings) for _ in range(3)],
        lambda: {"handle": rng.choice(ids + codes + strings + [i[:16] for i in ids])},
        lambda: {"handle": rng.choice(list(known.values())), "extra": rng.choice(strings)},
        lambda: {
            "site": rng.choice(["1304", None, *strings[:50]]),
            "supported": rng.sample(ids + codes + list(known.values()), 3),
        },
        lambda: {"supported": [rng.choice(ids + codes + strings) for _ in range(rng.randint(0, 250))]},
        # question.mine answers whoever knows a question's id: only its asker's phone made it
        lambda: {"ids": [qid(), *codes, rng.choice(strings)]},
        lambda: {"ids": [rng.choice(strings) for _ in range(60)]},
        lambda: {"site": {"$ne": None}},
        lambda: {"supported": {"handle": ids[0]}},
        lambda: {"__proto__": {"admin": True}, "handle": ids[0]},
    ]
    replies = []
    for n in range(len(PUBLIC_EVENTS) * len(shapes) * 4):
        phone = phones[n % len(phones)]
        event = PUBLIC_EVENTS[n % len(PUBLIC_EVENTS)]
        payload = shapes[(n // len(PUBLIC_EVENTS)) % len(shapes)]()
        if event == "question.mine" and isinstance(payload, dict) and set(payload) & {"handle", "supported"}:
            payload = {"ids": payload.get("supported") or [payload.get("handle")]}
            payload["ids"] = [i for i in payload["ids"] if i not in ids]
        reply = phone.call(event, payload, timeout=10)
        assert isinstance(reply, dict), reply
        replies.append(reply)
    # what the batched pushes carried meanwhile has arrived too (the next look is within a second)
    supporter = phones[1]
    assert supporter.call("question.support", {"handle": known[open_question["text"]]})["ok"]
    phones[0].wait_for(lambda e, d: e == "supports.changed" and d.get("counts"), timeout=10)
    everything = repr([phone.received for phone in phones]) + repr(replies)
    for marker, question in secrets.items():
        assert marker not in everything, f"the {marker} question's words reached a phone"
        assert question["id"] not in everything and question["code"] not in everything
    assert open_question["id"] not in everything and open_question["code"] not in everything
