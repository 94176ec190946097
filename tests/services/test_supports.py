"""Me too ("Tôi cũng muốn hỏi") over real sockets: one count per device whatever it sends, merges
counted once, the rate limit, the admin's switch, the same polite refusal for every question that
is not open, and the counts the staff screens and phones are pushed."""

from __future__ import annotations

import re
import time
import uuid

import pytest
import requests
from conftest import device_cookie

from live.core.errors import DomainError
from live.services import supports
from live.services.supports import handle_of
from live.store.sqlite import SqliteStore

CLOSED = "Câu hỏi này chưa mở để cùng hỏi."


def qid() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def day(server, connect_staff, connect_phone):
    """The secretariat, the MC, the projector, and phones in the hall and at a commune."""

    class Day:
        pass

    d = Day()
    d.server = server
    d.moderator = connect_staff(server, "moderator")
    d.mc = connect_staff(server, "mc")
    d.projector = connect_staff(server, "projector")
    d.asker = connect_phone(server, site="1304")
    d.phone = lambda site="hall": connect_phone(server, site=site)

    def ask(text: str, site: str = "1304", approve: bool = True, **extra) -> dict:
        reply = d.asker.call("question.submit", {"id": qid(), "site": site, "text": text, **extra})
        assert reply["ok"], reply
        question = fresh(reply["id"])
        if approve:
            question = act("approve", question)
        return question

    def fresh(ident: str) -> dict:
        return next(q for q in d.moderator.call("questions.get")["questions"] if q["id"] == ident)

    def act(action: str, question: dict, who=None, **args) -> dict:
        reply = (who or d.moderator).call(
            f"question.{action}", {"id": question["id"], "version": question["version"], **args}
        )
        assert reply["ok"], reply
        return reply["question"]

    def listed(phone, **payload) -> dict:
        reply = phone.call("questions.public", payload)
        assert reply["ok"], reply
        return reply

    def handle(phone, text: str) -> str:
        return next(q["handle"] for q in listed(phone)["questions"] if q["text"] == text)

    d.ask, d.fresh, d.act, d.listed, d.handle = ask, fresh, act, listed, handle
    return d


def test_a_phone_lists_the_approved_questions_and_presses_me_too_once(day):
    approved = day.ask("Xin hỏi về học bổng cho sinh viên dân tộc thiểu số?", theme="t2")
    day.ask("Câu hỏi còn chờ duyệt về việc làm?", approve=False)
    phone = day.phone()
    listed = day.listed(phone)
    assert listed["enabled"] is True
    [item] = listed["questions"]
    assert item["text"] == approved["text"] and item["count"] == 0 and item["status"] == "approved"
    assert item["origin"] == "Xã Quảng Lâm" and item["site"] == "1304" and item["theme"]
    assert set(item) == {"handle", "text", "origin", "site", "theme", "status", "count"}
    assert approved["id"] not in repr(listed) and approved["code"] not in repr(listed)
    assert re.fullmatch(r"[A-Za-z0-9_-]{16}", item["handle"])

    first = phone.call("question.support", {"handle": item["handle"]})
    assert first == {"ok": True, "count": 1, "supported": True, "repeated": False}
    # a second tap, a retry after a lost acknowledgement: counted once
    again = phone.call("question.support", {"handle": item["handle"]})
    assert again == {"ok": True, "count": 1, "supported": True, "repeated": True}
    other = day.phone("1297")
    assert other.call("question.support", {"handle": item["handle"]})["count"] == 2
    counts = day.moderator.call("supports.get")
    assert counts == {"ok": True, "enabled": True, "counts": {approved["id"]: 2}}
    assert day.listed(phone)["questions"][0]["count"] == 2


def test_two_sockets_of_one_device_count_once(day, connect_phone):
    approved = day.ask("Thủ tục vay vốn khởi nghiệp cho thanh niên nông thôn thế nào?")
    cookie = device_cookie(day.server, "1297")
    tabs = [connect_phone(day.server, site="1297", cookie=cookie) for _ in range(2)]
    handle = day.handle(tabs[0], approved["text"])
    answers = [tab.call("question.support", {"handle": handle}) for tab in tabs]
    assert [a["count"] for a in answers] == [1, 1]
    assert sorted(a["repeated"] for a in answers) == [False, True]


def test_every_question_not_open_is_refused_with_the_same_sentence(day):
    phone = day.phone()
    received = day.ask("Câu hỏi mới nhận, chưa duyệt?", approve=False)
    rejected = day.act("reject", day.ask("Câu hỏi bị từ chối sau khi duyệt?"), reason="off_topic")
    waiting = day.ask("Câu hỏi chờ duyệt mà câu khác gộp vào?", approve=False)
    merged = day.act("merge", day.ask("Câu hỏi gộp vào câu chưa duyệt?", approve=False), into=waiting["id"])
    answered = day.ask("Câu hỏi đã được trả lời tại hội trường?")
    handles = {q["text"]: day.handle(phone, q["text"]) for q in (answered,)}
    day.act("show", answered, who=day.mc)
    answered = day.act("answer", day.fresh(answered["id"]), who=day.mc)
    secret_handles = [
        handle_of_server(day, received["id"]),
        handle_of_server(day, rejected["id"]),
        handle_of_server(day, merged["id"]),  # merged into a question not approved
        handles[answered["text"]],
        "A" * 16,
        received["id"][:16],
        received["code"],
    ]
    for handle in secret_handles:
        reply = phone.call("question.support", {"handle": handle})
        assert reply["ok"] is False and reply["code"] == "support.closed" and reply["message"] == CLOSED, reply
    for payload in (None, {}, {"handle": 5}, {"handle": ["x"]}, {"handle": "x" * 10_000}, "x"):
        reply = phone.call("question.support", payload)
        assert reply["ok"] is False and reply["code"] in ("support.closed", "request.malformed"), reply
    assert day.moderator.call("supports.get")["counts"] == {}


def handle_of_server(day, question_id: str) -> str:
    """The handle the server would give a question (computed from its secret, as a test may)."""
    store = SqliteStore(str(day.server.data_dir))
    try:
        return handle_of(store.get("server")["secret_key"], question_id)
    finally:
        store.close()


def test_a_merged_question_lends_its_supports_each_device_once(day):
    target = day.ask("Tỉnh có hỗ trợ thanh niên khởi nghiệp không?")
    duplicate = day.ask("Tỉnh có chính sách hỗ trợ thanh niên khởi nghiệp?")
    both, only_dup, only_target = day.phone(), day.phone("1297"), day.phone("1304")
    t, d = day.handle(both, target["text"]), day.handle(both, duplicate["text"])
    for phone, handle in ((both, t), (both, d), (only_dup, d), (only_target, t)):
        assert phone.call("question.support", {"handle": handle})["ok"]
    before = day.moderator.call("supports.get")["counts"]
    assert before == {target["id"]: 2, duplicate["id"]: 2}
    day.act("merge", day.fresh(duplicate["id"]), into=target["id"])
    after = day.moderator.call("supports.get")["counts"]
    assert after == {target["id"]: 3}  # both phones' presses once, the others' once each
    listed = day.listed(both, supported=[t, d])
    assert [(q["text"], q["count"]) for q in listed["questions"]] == [(target["text"], 3)]
    outcome = {o["handle"]: o for o in listed["outcomes"]}
    assert outcome[d]["into"] == t and outcome[d]["status"] == "approved"
    # the merged question's old handle now presses its target
    late = day.phone("1297")
    assert late.call("question.support", {"handle": d}) == {
        "ok": True,
        "count": 4,
        "supported": True,
        "repeated": False,
    }
    assert day.moderator.call("supports.get")["counts"] == {target["id"]: 4}


def test_outcomes_are_told_only_for_what_this_device_pressed(day):
    question = day.ask("Khi nào xã có điểm truy cập internet miễn phí cho thanh niên?")
    presser, stranger = day.phone(), day.phone()
    handle = day.handle(presser, question["text"])
    assert presser.call("question.support", {"handle": handle})["ok"]
    day.act("show", question, who=day.mc)
    day.act("answer", day.fresh(question["id"]), who=day.mc)
    mine = day.listed(presser, supported=[handle])
    assert mine["questions"] == [] and [o["status"] for o in mine["outcomes"]] == ["answered"]
    assert day.listed(stranger, supported=[handle])["outcomes"] == []


def test_a_province_s_more_generous_limits_apply_to_presses_too(make_server, connect_phone, connect_staff):
    """``LIVE_RATE_LIMITS`` looser than the presses' own rules (a load test's) lets presses through too;
    a stricter one (``device=2/60`` for questions) leaves the presses' own rules in force."""
    server = make_server(env={"LIVE_RATE_LIMITS": "device=2/60"})
    moderator = connect_staff(server, "moderator")
    askers = [connect_phone(server, site="1304") for _ in range(3)]
    for n, asker in enumerate(askers):
        reply = asker.call("question.submit", {"id": qid(), "site": "1304", "text": f"Câu hỏi số {n} về việc làm?"})
        assert reply["ok"], reply
    for q in moderator.call("questions.get")["questions"]:
        assert moderator.call("question.approve", {"id": q["id"], "version": q["version"]})["ok"]
    phone = connect_phone(server)
    handles = [q["handle"] for q in phone.call("questions.public", {})["questions"]]
    assert len(handles) == 3
    assert all(phone.call("question.support", {"handle": h})["ok"] for h in handles)


def test_one_device_pressing_too_fast_is_slowed_alone(tmp_path):
    day, _clock, _ids = small_day(tmp_path / "data")
    ids = []
    for n in range(31):
        record, _, _ = day.desk.submit(
            {"id": qid(), "site": "hall", "text": f"Câu hỏi thứ {n} về học nghề?"}, device=f"asker-{n}", address="a"
        )
        question, _ = day.desk.act("approve", {"id": record["id"], "version": record["version"]}, role="moderator")
        ids.append(question["id"])
    for question_id in ids[:30]:
        press(day, question_id, "fast")
    with pytest.raises(DomainError) as refused:
        press(day, ids[30], "fast")
    assert refused.value.code == "support.limit" and refused.value.params["retry_after"] == 2
    assert press(day, ids[0], "fast")["count"] == 1  # a press it made before is answered, not refused
    assert press(day, ids[30], "neighbour")["count"] == 1  # the phone beside it is not slowed


def test_the_admin_turns_me_too_off_and_on(day):
    question = day.ask("Thanh niên được hỗ trợ học nghề như thế nào?")
    phone = day.phone()
    handle = day.handle(phone, question["text"])
    admin = requests.Session()
    page = admin.get(day.server.link("admin"), timeout=5).text
    assert "Cho phép bạn trẻ bấm" in page and 'name="enabled" value="1" checked' in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    url = f"{day.server.url}/admin/supports"
    assert (
        admin.post(url, data={"csrf_token": token}, allow_redirects=False, timeout=5).status_code == 303
    )  # box unticked: off
    off = phone.wait_for(lambda e, d: e == "supports.changed" and d.get("enabled") is False)
    assert off == {"enabled": False}
    day.moderator.wait_for(lambda e, d: e == "supports.changed" and d.get("enabled") is False)
    reply = phone.call("question.support", {"handle": handle})
    assert reply["ok"] is False and reply["code"] == "support.off"
    assert day.listed(phone)["enabled"] is False and day.moderator.call("supports.get")["enabled"] is False
    assert (
        admin.post(url, data={"csrf_token": token, "enabled": "1"}, allow_redirects=False, timeout=5).status_code == 303
    )
    phone.wait_for(lambda e, d: e == "supports.changed" and d.get("enabled") is True)
    assert phone.call("question.support", {"handle": handle})["ok"]


def test_counts_are_pushed_batched_to_staff_by_id_and_to_phones_by_handle(day):
    question = day.ask("Xã có sân bóng cho thanh niên không?")
    watcher = day.phone()
    watcher.received = Timed()
    handle = day.handle(watcher, question["text"])
    day.moderator.call("supports.get")
    pressers = [day.phone() for _ in range(5)]
    for p in pressers:
        assert p.call("question.support", {"handle": handle})["ok"]
    staff = day.projector.wait_for(
        lambda e, d: e == "supports.changed" and d.get("counts", {}).get(question["id"]) == 5
    )
    assert set(staff["counts"]) == {question["id"]}
    pushed = watcher.wait_for(lambda e, d: e == "supports.changed" and d.get("counts", {}).get(handle) == 5)
    assert question["id"] not in repr(watcher.received) and question["code"] not in repr(watcher.received)
    assert pushed["counts"] == {handle: 5}
    # at most one counts message per second at a phone, however the presses came
    times = [t for t, (e, _d) in zip(watcher.received.times, watcher.received, strict=True) if e == "supports.changed"]
    assert all(b - a >= 0.9 for a, b in zip(times, times[1:], strict=False))
    # a question approved later reaches the phones' list in the same batched message
    later = day.ask("Đoàn xã có tổ chức giao lưu văn nghệ không?")
    added = watcher.wait_for(lambda e, d: e == "supports.changed" and d.get("questions"))
    assert [q["text"] for q in added["questions"]] == [later["text"]]
    day.act("reject", day.fresh(later["id"]), reason="off_topic")
    removed = watcher.wait_for(lambda e, d: e == "supports.changed" and d.get("removed"))
    assert removed["removed"] == [added["questions"][0]["handle"]]
    assert "off_topic" not in repr(watcher.received)


class Timed(list):
    """A client's messages, with when each arrived."""

    def __init__(self) -> None:
        super().__init__()
        self.times: list[float] = []

    def append(self, item) -> None:
        self.times.append(time.monotonic())
        super().append(item)


def test_a_handle_is_opaque_and_the_same_on_every_process():
    """A handle is made from the server's secret: stable, unlike the id or its tracking code."""
    from live.core import questions  # noqa: PLC0415

    ident = qid()
    assert handle_of("s1", ident) == handle_of("s1", ident) != handle_of("s2", ident)
    assert ident[:8] not in handle_of("s1", ident) and questions.tracking_code(ident) not in handle_of("s1", ident)


# ---------------------------------------------------------------- in process: the purge keeps only the counts


def small_day(tmp_path):
    """The demo conference on an SQLite store, in this process, with two approved questions."""
    from afterday import Clock  # noqa: PLC0415

    from live.services.day import Day  # noqa: PLC0415

    clock = Clock()
    day = Day(SqliteStore(str(tmp_path)), now=clock)
    day.setup(demo=True)
    ids = []
    for text in ("Tỉnh có học bổng cho sinh viên dân tộc thiểu số không?", "Học bổng cho sinh viên dân tộc?"):
        record, _, _ = day.desk.submit({"id": qid(), "site": "1304", "text": text}, device="asker", address="10.0.0.1")
        question, _ = day.desk.act("approve", {"id": record["id"], "version": record["version"]}, role="moderator")
        ids.append(question["id"])
    return day, clock, ids


def press(day, question_id: str, device: str) -> dict:
    answer, _ = day.supports.support({"handle": day.supports.handle(question_id)}, device=device, address="10.0.0.9")
    return answer


def test_a_purge_replaces_the_presses_by_their_counts_once_even_when_interrupted(tmp_path):
    from live.services import retention  # noqa: PLC0415
    from live.services.day import Day  # noqa: PLC0415

    day, clock, (first, second) = small_day(tmp_path / "data")
    for question_id, device in ((first, "phone-a"), (first, "phone-b"), (second, "phone-b"), (second, "phone-c")):
        press(day, question_id, device)
    merged = day.desk.get(second)
    day.desk.act("merge", {"id": second, "version": merged["version"], "into": first}, role="moderator")
    assert day.supports.counts() == {first: 3}
    later = clock.now + 400 * 86400
    store = day.store
    tags = [day.supports.tag(d) for d in ("phone-a", "phone-b", "phone-c")]
    assert all(tag in str(store.scan(supports.PREFIX)) for tag in tags)

    class Killed(Exception):
        pass

    def kill_after_first(_n):
        raise Killed

    with pytest.raises(Killed):  # killed after its counts and the first press: run again, it completes
        supports.purge(store, store.scan("q:"), later, batch=1, after_batch=kill_after_first)
    assert retention.pending(store, day.desk.all(), day.desk.audit(), later)
    assert retention.purge(store, later, role="system").due
    assert not supports.holding(store)
    assert supports.SALT in str(store.scan("supports")) and "key" not in store.get(supports.SALT)
    after = str(store.scan(supports.PREFIX))
    assert not retention.pending(store, day.desk.all(), day.desk.audit(), later)
    # the keys keep the tags, made with a salt no longer stored: no device leads to them any more
    assert "phone-" not in after and all(day.supports.tag(d) not in after for d in ("phone-a", "phone-b", "phone-c"))
    day.replica.refresh()
    assert day.supports.counts() == {first: 3} and day.supports.count(first) == 3
    again = Day(SqliteStore(str(tmp_path / "data")), now=clock)  # another process, after a restart
    again.replica.refresh()
    assert again.supports.counts() == {first: 3}
    retention.purge(store, later + 1, role="system")  # a second purge changes nothing
    third = Day(SqliteStore(str(tmp_path / "data")), now=clock)
    third.replica.refresh()
    assert third.supports.counts() == {first: 3}


def test_a_press_during_a_rehearsal_counts_for_the_rehearsal_only(tmp_path):
    from live.services import rehearsal  # noqa: PLC0415

    day, _clock, (first, _second) = small_day(tmp_path / "data")
    press(day, first, "phone-a")
    rehearsal.start(day, by="admin")
    with pytest.raises(DomainError) as refused:  # the real day's question is not open in a rehearsal
        press(day, first, "phone-b")
    assert refused.value.code == "support.closed"
    assert day.supports.counts() == {}
    record, _, _ = day.desk.submit({"id": qid(), "site": "hall", "text": "Câu hỏi tập dượt?"}, device="x", address="a")
    practice, _ = day.desk.act("approve", {"id": record["id"], "version": record["version"]}, role="moderator")
    press(day, practice["id"], "phone-b")
    assert day.store.get(supports.key(practice["id"], day.supports.tag("phone-b")))["rehearsal"]
    assert day.supports.counts() == {practice["id"]: 1}
    rehearsal.end(day)
    assert day.supports.counts() == {first: 1}
