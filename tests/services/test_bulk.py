"""The secretariat acts on many questions at once (live/services/bulk.py): approve, reject with a
reason, set the theme and department, assign for preparation, merge into one; each question
checked as a single action is (those changed meanwhile are skipped, never overwritten), one audit
entry for the whole bulk, and undo within the minute. Over real sockets on real server processes,
on SQLite and on two processes sharing a real Redis; the minute and the batches with the Day's
clock passed in, on SQLite and on Redis."""

from __future__ import annotations

import csv
import io
import uuid

import pytest
import requests
from test_preparation import TODAY, Clock, at

from live.core import rooms
from live.services import bulk as bulks
from live.services import rehearsal as rehearsals
from live.services.day import Day
from live.store import SqliteStore
from live.store.redis import RedisStore


def qid() -> str:
    return str(uuid.uuid4())


def items(*found: dict) -> list[dict]:
    return [{"id": q["id"], "version": q["version"]} for q in found]


@pytest.fixture
def desk(make_server, connect_staff, connect_phone):
    """One server: two secretaries, the MC, the admin, and a phone at Quảng Lâm."""

    class Desk:
        pass

    d = Desk()
    d.server = make_server("gevent")
    d.moderator = connect_staff(d.server, "moderator")
    d.other = connect_staff(d.server, "moderator")
    d.mc = connect_staff(d.server, "mc")
    d.phone = connect_phone(d.server, site="1304")

    def ask(text: str) -> dict:
        reply = d.phone.call("question.submit", {"id": qid(), "site": "1304", "text": text})
        assert reply["ok"], reply
        return fresh(reply["id"])

    def fresh(ident: str) -> dict:
        return next(q for q in d.moderator.call("questions.get")["questions"] if q["id"] == ident)

    d.ask, d.fresh = ask, fresh
    d.admin = lambda: connect_staff(d.server, "admin")
    return d


def test_bulk_approve_skips_what_changed_meanwhile_and_reaches_every_screen(desk):
    a, b, c = (desk.ask(f"Câu hỏi {n} về việc làm cho thanh niên nông thôn") for n in "ABC")
    edited = desk.ask("Câu hỏi về học bổng cho sinh viên nghèo")
    rejected = desk.ask("Câu hỏi không phù hợp")
    # another secretary acts on two of them after this console drew its list
    assert desk.other.call("question.edit", {**items(edited)[0], "text": "Học bổng cho sinh viên nghèo?"})["ok"]
    assert desk.other.call("question.reject", {**items(rejected)[0], "reason": "off_topic"})["ok"]
    rejected = desk.fresh(rejected["id"])  # seen rejected: no longer one to approve
    gone = {"id": qid(), "version": 1}

    reply = desk.moderator.call(
        "questions.bulk", {"action": "approve", "items": items(a, b, c, edited, rejected) + [gone]}
    )

    assert reply["ok"] is True, reply
    assert reply["done"] == [a["id"], b["id"], c["id"]]
    assert reply["skipped"] == [
        {"id": edited["id"], "code": edited["code"], "reason": "conflict"},
        {"id": rejected["id"], "code": rejected["code"], "reason": "bad_transition"},
        {"id": gone["id"], "code": None, "reason": "not_found"},
    ]
    assert len(reply["bulk"]) == 32 and reply["undo_until"] > 0
    # nothing overwritten: the other secretary's edit and rejection stand
    assert desk.fresh(edited["id"])["status"] == "received"
    assert desk.fresh(edited["id"])["text"] == "Học bổng cho sinh viên nghèo?"
    assert desk.fresh(rejected["id"])["status"] == "rejected"
    # the MC's queue and the other console hear of the batch as one message each, in the selection's
    # order; the asker's phone of each approved question
    queued = desk.mc.wait_for(lambda e, d: e == "questions.changed" and d["seq"] == reply["seq"])
    assert [change["id"] for change in queued["changes"]] == [a["id"], b["id"], c["id"]]
    for change in queued["changes"]:
        assert change["question"]["status"] == "approved" and change["question"]["origin"] == "Xã Quảng Lâm"
    console = desk.other.wait_for(lambda e, d: e == "questions.changed" and d["seq"] == reply["seq"])
    assert [q["id"] for q in console["questions"]] == [a["id"], b["id"], c["id"]]
    assert {q["status"] for q in console["questions"]} == {"approved"}
    for q in (a, b, c):
        desk.phone.wait_for(
            lambda e, d, q=q: e == "question.status" and d["id"] == q["id"] and d["status"] == "approved"
        )
    # the queue keeps the selection's order
    ranks = {q["id"]: q["rank"] for q in desk.moderator.call("questions.get")["questions"]}
    assert ranks[a["id"]] < ranks[b["id"]] < ranks[c["id"]]

    entries = [e for e in desk.admin().call("audit.get")["entries"] if e["action"].startswith("bulk_")]
    assert len(entries) == 1
    assert entries[0]["questions"] == [a["id"], b["id"], c["id"]]
    assert entries[0]["codes"] == [a["code"], b["code"], c["code"]]
    assert entries[0]["role"] == "moderator" and entries[0]["action"] == "bulk_approve"
    with requests.Session() as admin:  # one line in the audit log, every code; each question's history has it
        admin.get(desk.server.link("admin"), timeout=5)
        audit = admin.get(desk.server.url + "/admin/audit.csv", timeout=5).content.decode("utf-8-sig")
        line = next(row for row in csv.reader(io.StringIO(audit)) if row[3] == "Duyệt nhiều câu hỏi")
        assert line[4] == f"{a['code']}, {b['code']}, {c['code']}" and line[6] == "trạng thái: đã duyệt"
        export = admin.get(desk.server.url + "/reports/cau-hoi.csv", timeout=5).content.decode("utf-8-sig")
        rows = {row[0]: row for row in csv.reader(io.StringIO(export))}
        assert "Duyệt nhiều câu hỏi" in " ".join(rows[b["code"]])
        assert "Duyệt nhiều câu hỏi" not in " ".join(rows[edited["code"]])


def test_bulk_reject_assign_prepare_and_merge_with_their_arguments(desk):
    qs = [desk.ask(f"Đề nghị sửa đường liên xã số {n}") for n in range(4)]

    # an argument that would fail every question refuses the whole bulk, with the single action's code
    bad = desk.moderator.call("questions.bulk", {"action": "reject", "items": items(*qs), "reason": "vì sao"})
    assert bad["ok"] is False and bad["code"] == "question.bad_reason" and "lý do" in bad["message"]
    for action, args, code in (
        ("assign", {}, "question.bad_argument"),
        ("assign", {"theme": "t99"}, "question.unknown_theme"),
        ("prepare", {"department": "d3", "due": "31/02/2025"}, "question.bad_deadline"),
        ("prepare", {"department": "d3"}, "question.bad_due"),
        ("prepare", {"department": "d99", "due": "20/08/2025"}, "question.bad_department"),
        ("merge", {"into": qs[0]["id"]}, "question.bad_merge"),  # the target among the items
        ("approve", {"reason": "other"}, "question.bad_argument"),
        ("publish", {}, "question.unknown_action"),
    ):
        refused = desk.moderator.call("questions.bulk", {"action": action, "items": items(*qs), **args})
        assert refused["ok"] is False and refused["code"] == code, (action, refused)
    for broken in ([], [{"id": qs[0]["id"]}], items(qs[0], qs[0]), [{"id": "x", "version": 1}]):
        refused = desk.moderator.call("questions.bulk", {"action": "approve", "items": broken})
        assert refused["code"] == "bulk.bad_items" and refused["message"]
    assert {desk.fresh(q["id"])["version"] for q in qs} == {qs[0]["version"]}  # nothing stored

    done = desk.moderator.call("questions.bulk", {"action": "assign", "items": items(*qs), "theme": "t2"})
    assert done["done"] == [q["id"] for q in qs]
    qs = [desk.fresh(q["id"]) for q in qs]
    assert {q["theme"] for q in qs} == {"t2"} and {q["department"] for q in qs} == {None}

    done = desk.moderator.call(
        "questions.bulk", {"action": "prepare", "items": items(*qs[:2]), "department": "d3", "due": "20/08/2025"}
    )
    assert done["done"] == [qs[0]["id"], qs[1]["id"]]
    prepared = desk.fresh(qs[0]["id"])
    assert prepared["prep_department"] == "d3" and prepared["prep_due"] == "2025-08-20"
    assert prepared["prep_state"] == "assigned" and prepared["department"] == "d3"

    target = desk.fresh(qs[3]["id"])
    merged = desk.moderator.call(
        "questions.bulk",
        {"action": "merge", "items": items(*(desk.fresh(q["id"]) for q in qs[:2])), "into": target["id"]},
    )
    assert merged["done"] == [qs[0]["id"], qs[1]["id"]]
    target = desk.fresh(target["id"])
    assert [o["id"] for o in target["origins"]] == [qs[0]["id"], qs[1]["id"]]
    assert desk.fresh(qs[0]["id"])["merged_into"] == target["id"]

    rejected = desk.moderator.call(
        "questions.bulk", {"action": "reject", "items": items(desk.fresh(qs[2]["id"])), "reason": "duplicate"}
    )
    assert rejected["done"] == [qs[2]["id"]]
    assert desk.fresh(qs[2]["id"])["status"] == "rejected" and desk.fresh(qs[2]["id"])["reason"] == "duplicate"
    # a rejected question is no merge target
    refused = desk.moderator.call(
        "questions.bulk", {"action": "merge", "items": items(desk.fresh(qs[3]["id"])), "into": qs[2]["id"]}
    )
    assert refused["code"] == "question.bad_merge"


def test_undo_puts_back_what_was_not_changed_since_and_only_once(desk):
    qs = [desk.ask(f"Hỗ trợ thanh niên khởi nghiệp, ý {n}") for n in range(3)]
    reply = desk.moderator.call("questions.bulk", {"action": "approve", "items": items(*qs)})
    assert reply["done"] == [q["id"] for q in qs]
    moved = desk.fresh(qs[2]["id"])
    assert desk.other.call("question.note", {**items(moved)[0], "notes": "Sở KH&ĐT trả lời"})["ok"]

    undone = desk.other.call("questions.undo", {"bulk": reply["bulk"]})

    assert undone["ok"] is True, undone
    assert undone["done"] == [qs[0]["id"], qs[1]["id"]]
    assert undone["skipped"] == [{"id": qs[2]["id"], "code": qs[2]["code"], "reason": "conflict"}]
    # the MC's queue loses both in one message
    queued = desk.mc.wait_for(lambda e, d: e == "questions.changed" and d["seq"] == undone["seq"])
    assert queued["changes"] == [{"id": q["id"], "question": None} for q in qs[:2]]
    for q in qs[:2]:
        back = desk.fresh(q["id"])
        assert back["status"] == "received" and back["rank"] is None
        assert back["version"] == q["version"] + 2  # versions only grow: an old view is a conflict
        desk.phone.wait_for(
            lambda e, d, q=q: e == "question.status" and d["id"] == q["id"] and d["status"] == "received"
        )
    assert desk.fresh(qs[2]["id"])["status"] == "approved"  # changed since: kept as the other secretary left it
    again = desk.moderator.call("questions.undo", {"bulk": reply["bulk"]})
    assert again["ok"] is False and again["code"] == "bulk.undo_gone" and again["message"]
    entries = [e for e in desk.admin().call("audit.get")["entries"] if e["action"] == "bulk_undo"]
    assert len(entries) == 1 and entries[0]["questions"] == [qs[0]["id"], qs[1]["id"]]
    assert entries[0]["bulk"] == reply["bulk"] and entries[0]["undone"] == "bulk_approve"


def test_only_the_secretariat_may_act_in_bulk(desk, connect_staff):
    q = desk.ask("Câu hỏi về nhà ở xã hội cho công nhân trẻ")
    for role in ("mc", "chair", "projector"):
        refused = connect_staff(desk.server, role).call("questions.bulk", {"action": "approve", "items": items(q)})
        assert refused["ok"] is False and refused["code"] == "auth.denied"
    refused = desk.phone.call("questions.undo", {"bulk": "0" * 32})
    assert refused["code"] == "auth.denied"
    assert desk.fresh(q["id"])["status"] == "received"


def test_a_bulk_on_one_process_reaches_the_screens_of_another_through_redis(make_server, make_redis, connect_staff):
    redis = make_redis()
    env = {"LIVE_REDIS_URL": redis.url}
    first, second = make_server("gevent", env=env), make_server("gevent", env=env)
    moderator, mc = connect_staff(first, "moderator"), connect_staff(second, "mc")
    other = connect_staff(second, "moderator")
    made = []
    for n in range(30):
        reply = moderator.call(
            "question.enter", {"id": qid(), "site": "hall", "text": f"Câu hỏi {n}", "channel": "paper"}
        )
        assert reply["ok"], reply
        made.append(reply["id"])
    listed = {q["id"]: q for q in other.call("questions.get")["questions"]}
    stale = listed[made[0]]
    assert other.call("question.edit", {"id": stale["id"], "version": stale["version"], "text": "Câu hỏi 0 sửa"})["ok"]

    reply = moderator.call("questions.bulk", {"action": "approve", "items": items(*(listed[i] for i in made))})

    assert reply["done"] == made[1:] and reply["skipped"][0]["reason"] == "conflict"
    # the MC on the other process gets the batch as one message
    queued = mc.wait_for(lambda e, d: e == "questions.changed" and d["seq"] == reply["seq"])
    assert [change["id"] for change in queued["changes"]] == made[1:]
    assert {change["question"]["status"] for change in queued["changes"]} == {"approved"}
    assert not [d for e, d in mc.received if e == "question.changed" and d["question"]]  # not one by one
    undone = other.call("questions.undo", {"bulk": reply["bulk"]})  # undone through the other process
    assert undone["done"] == made[1:]
    assert {q["status"] for q in moderator.call("questions.get")["questions"]} == {"received"}


# ------------------------------------------------------------ the Day's clock, the batches, the held


@pytest.fixture(params=["sqlite", "redis"])
def store(request, tmp_path):
    if request.param == "sqlite":
        opened = SqliteStore(str(tmp_path / "data"))
    else:
        opened = RedisStore(request.getfixturevalue("redis_server").url, prefix=f"bulk-{tmp_path.name}")
    yield opened
    opened.close()


@pytest.fixture
def clock() -> Clock:
    return Clock(at(TODAY))


@pytest.fixture
def day(store, clock) -> Day:
    made = Day(store, now=clock)
    made.setup(demo=True)
    return made


def enter(day, n: int, text: str = "Câu hỏi về việc làm số") -> list[dict]:
    payloads = [
        {"id": qid(), "site": "1304", "text": f"{text} {i}", "name": "Nguyễn Văn An", "channel": "paper"}
        for i in range(n)
    ]
    return [day.desk.enter(p, by="moderator")[0] for p in payloads]


def test_undo_is_refused_after_the_minute_and_the_before_documents_are_forgotten(day, clock):
    qs = enter(day, 3)
    worker = bulks.Bulk(day.desk)
    reply, _ = worker.act({"action": "reject", "items": items(*qs), "reason": "off_topic"}, role="moderator")
    kept = day.store.get(bulks.part_key(reply["bulk"], 0))
    assert kept["before"][qs[0]["id"]]["name"] == "Nguyễn Văn An"  # kept for the minute only

    clock.t += bulks.UNDO_SECONDS + 1
    with pytest.raises(Exception) as refused:
        worker.undo({"bulk": reply["bulk"]}, role="moderator")
    assert refused.value.code == "bulk.undo_expired"
    assert worker.forget_expired() == 1
    assert "before" not in day.store.get(bulks.part_key(reply["bulk"], 0))
    assert "Nguyễn Văn An" not in repr(day.store.scan(bulks.PART)) + repr(day.store.get(bulks.INDEX))
    with pytest.raises(Exception) as gone:
        worker.undo({"bulk": reply["bulk"]}, role="moderator")
    assert gone.value.code == "bulk.undo_gone"
    assert {day.desk.get(q["id"])["status"] for q in qs} == {"rejected"}


def test_a_thousand_questions_commit_in_batches_with_one_audit_entry(day, clock):
    qs = enter(day, 450)
    before = day.store.seq()
    reply, changes = bulks.Bulk(day.desk).act({"action": "approve", "items": items(*qs)}, role="admin", name="Lan")
    assert len(reply["done"]) == 450 and reply["skipped"] == []
    assert day.store.seq() - before == 3 == len(changes)  # 200 + 200 + 50, each one transaction
    # each batch announced as one message to the consoles and one to the MC and chairman
    for change, size in zip(changes, (200, 200, 50), strict=True):
        staff = [(event, payload) for event, payload, room in change.emits if room in (rooms.desk(), rooms.queue())]
        assert [event for event, _ in staff] == ["questions.changed", "questions.changed"]
        assert len(staff[0][1]["questions"]) == size == len(staff[1][1]["changes"])
    entries = [e for e in day.desk.audit() if e.get("bulk") == reply["bulk"]]
    assert len(entries) == 1
    assert entries[0]["questions"] == [q["id"] for q in qs] and entries[0]["name"] == "Lan"
    assert entries[0]["at"] == clock.t and entries[0]["after"] == {"status": "approved"}
    undone, changes = bulks.Bulk(day.desk).undo({"bulk": reply["bulk"]}, role="admin")
    assert len(undone["done"]) == 450 and len(changes) == 3
    assert {day.desk.get(q["id"])["status"] for q in qs} == {"received"}
    assert all("before" not in doc for doc in day.store.scan(bulks.PART).values())


def test_a_held_question_is_never_approved_in_bulk_but_may_be_one_by_one(day):
    held, plain = enter(day, 2)

    def flag(docs):
        return {f"q:{held['id']}": {**docs[f"q:{held['id']}"], "flags": {"banned": ["từ cấm"]}}}

    day.store.transact((f"q:{held['id']}",), flag)
    held = day.desk.get(held["id"])
    reply, _ = bulks.Bulk(day.desk).act({"action": "approve", "items": items(held, plain)}, role="moderator")
    assert reply["done"] == [plain["id"]]
    assert reply["skipped"] == [{"id": held["id"], "code": held["code"], "reason": "held"}]
    # rejecting it in bulk is allowed, and approving it one by one too
    one, _ = day.desk.act("approve", {"id": held["id"], "version": held["version"]}, role="moderator")
    assert one["status"] == "approved"


def test_a_rehearsal_bulk_never_touches_the_real_days_questions(day):
    real = enter(day, 1)[0]
    rehearsals.start(day, by="admin")
    practice = enter(day, 1, "Câu hỏi tập dượt")[0]
    reply, _ = bulks.Bulk(day.desk).act({"action": "approve", "items": items(real, practice)}, role="moderator")
    assert reply["done"] == [practice["id"]]
    assert reply["skipped"] == [{"id": real["id"], "code": None, "reason": "not_found"}]
    entry = next(e for e in day.desk.audit() if e.get("bulk") == reply["bulk"])
    assert entry["rehearsal"] == day.desk.rehearsal()
    rehearsals.end(day)
    assert day.desk.get(real["id"])["status"] == "received"
    with pytest.raises(Exception) as gone:  # the rehearsal's bulk is not undone on the real day
        bulks.Bulk(day.desk).undo({"bulk": reply["bulk"]}, role="moderator")
    assert gone.value.code == "bulk.undo_gone"
