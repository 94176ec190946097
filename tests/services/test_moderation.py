"""The secretariat's queue and the MC, over real sockets: moderation, conflicts, merging, the
stage, the audit log, and the rule that nothing unapproved ever reaches a screen."""

from __future__ import annotations

import random
import string
import uuid

import pytest
from conftest import session_cookie


def qid() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def day(server, connect_staff, connect_phone):
    """A conference day: the secretariat, the MC, the chairman, the projector, a phone per site."""

    class Day:
        pass

    d = Day()
    d.server = server
    d.moderator = connect_staff(server, "moderator")
    d.mc = connect_staff(server, "mc")
    d.chair = connect_staff(server, "chair")
    d.projector = connect_staff(server, "projector")
    d.phones = {site: connect_phone(server, site=site) for site in ("hall", "1304", "1297")}

    def ask(site: str, text: str, **extra) -> dict:
        reply = d.phones[site].call("question.submit", {"id": qid(), "site": site, "text": text, **extra})
        assert reply["ok"], reply
        return fresh(reply["id"])

    def fresh(ident: str) -> dict:
        return next(q for q in d.moderator.call("questions.get")["questions"] if q["id"] == ident)

    def act(who, action: str, question: dict, **args) -> dict:
        return who.call(f"question.{action}", {"id": question["id"], "version": question["version"], **args})

    d.ask, d.fresh, d.act = ask, fresh, act
    return d


def texts_seen(client) -> str:
    """Everything a client received, as one string: to prove a text never reached it."""
    return repr(client.received)


def test_approve_assign_show_answer_the_story_of_one_question(day):
    q = day.ask(
        "1304",
        "Tỉnh có chính sách hỗ trợ thanh niên khởi nghiệp không?",
        group="hoc_sinh_sinh_vien",
        consent={"group": "1"},
    )
    q = day.act(day.moderator, "assign", q, theme="t2", department="d3")["question"]
    q = day.act(day.moderator, "note", q, notes="Sở KH&ĐT: quỹ hỗ trợ 2025")["question"]
    reply = day.act(day.moderator, "approve", q)
    assert reply["ok"] and reply["question"]["status"] == "approved"
    q = reply["question"]

    queued = day.mc.wait_for(lambda e, d: e == "question.changed" and d["question"] and d["id"] == q["id"])
    assert queued["question"]["origin"] == "Xã Quảng Lâm — học sinh, sinh viên"
    assert queued["question"]["notes"] == "Sở KH&ĐT: quỹ hỗ trợ 2025" and queued["question"]["department"] == "d3"

    shown = day.act(day.mc, "show", q)
    assert shown["ok"] and shown["question"]["status"] == "on_screen"
    current = day.projector.wait_for(lambda e, d: e == "question.current" and d["question"])["question"]
    assert current == {
        "id": q["id"],
        "text": "Tỉnh có chính sách hỗ trợ thanh niên khởi nghiệp không?",
        "site": "1304",
        "site_name": "Xã Quảng Lâm",
        "group": "hoc_sinh_sinh_vien",
        "origin": "Xã Quảng Lâm — học sinh, sinh viên",
    }
    status = day.phones["1304"].wait_for(lambda e, d: e == "question.status" and d["status"] == "on_screen")
    # every phone, the asker's and its neighbours', shows "being answered now": the projector's payload
    for phone in day.phones.values():
        on_phone = phone.wait_for(lambda e, d: e == "question.current" and d["question"])
        assert on_phone == {"seq": shown["seq"], "question": current} == day.projector.last("question.current")
    assert status["id"] == q["id"]
    assert day.projector.call("state.get")["state"]["current_question"]["id"] == q["id"]

    answered = day.act(day.mc, "answer", shown["question"])
    assert answered["ok"] and answered["question"]["status"] == "answered"
    assert day.projector.wait_for(lambda e, d: e == "question.current" and d["question"] is None)
    day.phones["1304"].wait_for(lambda e, d: e == "question.status" and d["status"] == "answered")
    assert day.projector.call("state.get")["state"]["current_question"] is None


def test_a_question_is_forwarded_to_a_named_department_for_a_written_reply(day):
    q = day.act(day.moderator, "approve", day.ask("hall", "Đề nghị sửa đường vào trường THPT"))["question"]
    assert day.act(day.mc, "forward", q)["code"] == "question.bad_department"
    assert day.act(day.mc, "forward", q, department="d99")["code"] == "question.bad_department"
    reply = day.act(day.mc, "forward", q, department="d5")
    assert reply["ok"] and reply["question"]["status"] == "forwarded" and reply["question"]["department"] == "d5"
    day.phones["hall"].wait_for(lambda e, d: e == "question.status" and d["status"] == "forwarded")
    # the chairman's count of questions answered per site hears of it, with the department
    left = day.chair.wait_for(
        lambda e, d: (
            e == "question.changed" and d["id"] == q["id"] and d["question"] and d["question"]["status"] == "forwarded"
        )
    )
    assert left["question"]["department"] == "d5" and left["question"]["site"] == "hall"


def test_two_moderators_on_one_question_the_second_gets_a_conflict_not_an_overwrite(day, connect_staff):
    other = connect_staff(day.server, "moderator")
    q = day.ask("hall", "Câu hỏi về việc làm cho thanh niên")

    first = day.act(day.moderator, "edit", q, text="Câu hỏi về việc làm cho thanh niên nông thôn")
    second = day.act(other, "reject", q, reason="off_topic")

    assert first["ok"]
    assert second["ok"] is False and second["code"] == "question.conflict"
    assert second["params"]["version"] == first["question"]["version"] and "người khác" in second["message"]
    now = day.fresh(q["id"])
    assert now["status"] == "received" and now["text"].endswith("nông thôn")
    assert now["original_text"] == "Câu hỏi về việc làm cho thanh niên"


def test_merging_keeps_every_origin_and_asker_and_their_phones_follow_the_answer(day):
    kept = day.ask("1304", "Học bổng cho sinh viên nghèo?", name="Hoa", consent={"name": "1"})
    duplicate = day.ask("1297", "hoc bong cho sv ngheo?", name="Minh", group="cong_nhan", consent={"name": "1"})

    day.moderator.wait_for(lambda e, d: e == "question.added" and d["question"]["id"] == duplicate["id"])
    # its likely duplicates follow the acknowledgement, pushed to the desk
    found = day.moderator.wait_for(lambda e, d: e == "question.similar" and d["id"] == duplicate["id"])
    assert [s["id"] for s in found["similar"]] == [kept["id"]]
    assert day.moderator.call("question.similar", {"id": duplicate["id"]})["similar"][0]["id"] == kept["id"]

    assert day.act(day.moderator, "merge", duplicate, into=duplicate["id"])["code"] == "question.bad_merge"
    merged = day.act(day.moderator, "merge", duplicate, into=kept["id"])
    assert merged["ok"] and merged["question"]["status"] == "merged"
    target = day.fresh(kept["id"])
    assert [(o["site"], o["name"], o["group"]) for o in target["origins"]] == [("1297", "Minh", None)]

    target = day.act(day.moderator, "approve", target)["question"]
    day.act(day.mc, "answer", target)
    # the merged question's asker learns the question it joined was answered, and the site is counted as heard
    day.phones["1297"].wait_for(
        lambda e, d: (
            e == "question.status"
            and d["id"] == duplicate["id"]
            and d["status"] == "merged"
            and d["joined"]["status"] == "answered"
        )
    )
    mine = day.phones["1297"].call("question.mine", {"ids": [duplicate["id"]]})["questions"]
    assert (mine[0]["status"], mine[0]["joined"]["code"], mine[0]["joined"]["status"]) == (
        "merged",
        kept["code"],
        "answered",
    )


def test_reopening_a_merged_question_takes_its_origin_back(day):
    kept = day.ask("1304", "Học bổng cho sinh viên nghèo?")
    duplicate = day.ask("1297", "Học bổng cho sinh viên nghèo")
    duplicate = day.act(day.moderator, "merge", duplicate, into=kept["id"])["question"]
    reopened = day.act(day.moderator, "reopen", duplicate)
    assert reopened["ok"] and reopened["question"]["status"] == "received"
    assert day.fresh(kept["id"])["origins"] == []


@pytest.mark.parametrize("status", ["received", "rejected", "merged", "answered", "forwarded"])
def test_only_an_approved_question_can_be_shown(day, status):
    other = day.ask("hall", "Một câu hỏi khác hẳn về nước sạch")
    q = day.ask("1304", "Câu hỏi chưa được duyệt về đất đai")
    if status == "rejected":
        q = day.act(day.moderator, "reject", q, reason="inappropriate")["question"]
    elif status == "merged":
        q = day.act(day.moderator, "merge", q, into=other["id"])["question"]
    elif status in ("answered", "forwarded"):
        q = day.act(day.moderator, "approve", q)["question"]
        extra = {"department": "d1"} if status == "forwarded" else {}
        q = day.act(day.mc, status[:-2] if status == "forwarded" else "answer", q, **extra)["question"]
    reply = day.act(day.mc, "show", q)
    assert reply["ok"] is False and reply["code"] == "question.bad_transition"
    assert day.projector.call("state.get")["state"]["current_question"] is None


def test_whatever_a_client_sends_an_unapproved_question_never_reaches_a_screen(day, connect_staff):
    secret = "Nội dung chưa duyệt không được lên màn hình"
    q = day.ask("1304", secret)
    admin = connect_staff(day.server, "admin")
    rng = random.Random(7)
    attempts = [
        {"id": q["id"], "version": q["version"]},
        {"id": q["id"], "version": q["version"], "status": "approved"},
        {"id": q["id"], "version": q["version"] + 1},
        {"id": q["id"]},
        {"id": q["id"], "version": "1"},
        {"id": q["id"], "version": True},
        {"id": qid(), "version": 1},
        {"id": q["id"], "version": q["version"], "text": "x"},
        [q["id"]],
        q["id"],
        None,
    ] + [{"id": "".join(rng.choices(string.printable, k=rng.randint(0, 70))), "version": 1} for _ in range(20)]
    for who in (day.mc, admin, day.projector, day.chair, day.phones["1304"]):
        for payload in attempts:
            reply = who.client.call("question.show", payload, timeout=5)
            assert reply["ok"] is False, (payload, reply)
    for event in ("state.snapshot", "question.current", "question.changed", "queue.snapshot"):
        for screen in (day.projector, day.chair, day.mc):
            assert secret not in repr([d for e, d in screen.received if e == event])
    assert day.projector.call("state.get")["state"]["current_question"] is None
    assert day.fresh(q["id"])["status"] == "received"


def test_showing_a_question_takes_the_previous_one_off_screen(day):
    a = day.act(day.moderator, "approve", day.ask("hall", "Câu thứ nhất về du lịch cộng đồng"))["question"]
    b = day.act(day.moderator, "approve", day.ask("1304", "Câu thứ hai về chuyển đổi số"))["question"]
    day.act(day.mc, "show", a)
    shown = day.act(day.mc, "show", b)
    assert shown["ok"]
    assert day.fresh(a["id"])["status"] == "approved" and day.fresh(b["id"])["status"] == "on_screen"
    assert day.projector.call("state.get")["state"]["current_question"]["id"] == b["id"]
    hidden = day.act(day.mc, "hide", shown["question"])
    assert hidden["ok"] and day.projector.call("state.get")["state"]["current_question"] is None


def test_the_mc_and_the_chairman_see_only_the_approved_queue_in_theme_order(day, connect_staff):
    received = day.ask("hall", "Chưa duyệt: không được thấy ở MC")
    late = day.act(
        day.moderator,
        "approve",
        day.act(day.moderator, "assign", day.ask("1304", "Câu hỏi A về y tế"), theme="t3")["question"],
    )["question"]
    early = day.act(
        day.moderator,
        "approve",
        day.act(day.moderator, "assign", day.ask("1297", "Câu hỏi B về việc làm"), theme="t1")["question"],
    )["question"]
    none = day.act(day.moderator, "approve", day.ask("hall", "Câu hỏi C chưa có nhóm"))["question"]

    mc = connect_staff(day.server, "mc")
    snapshot = mc.wait_for(lambda e, d: e == "queue.snapshot")
    assert [q["id"] for q in snapshot["questions"]] == [early["id"], late["id"], none["id"]]
    assert received["text"] not in repr(snapshot)

    # move C to the front of theme t1, then B after C
    assert day.act(day.mc, "order", none, after=None)["ok"]
    in_t1 = day.act(day.moderator, "assign", day.fresh(none["id"]), theme="t1")["question"]
    assert day.act(day.moderator, "order", day.fresh(early["id"]), after=in_t1["id"])["ok"]
    order = [
        q["id"] for q in connect_staff(day.server, "chair").wait_for(lambda e, d: e == "queue.snapshot")["questions"]
    ]
    assert order == [in_t1["id"], early["id"], late["id"]]
    assert day.act(day.mc, "order", late, after=received["id"])["code"] == "question.bad_order"

    # a question leaving the queue is announced as removed, without its text
    day.act(day.moderator, "reopen", day.fresh(late["id"]))
    removed = day.chair.wait_for(
        lambda e, d: e == "question.changed" and d["id"] == late["id"] and d["question"] is None
    )
    assert "Câu hỏi A" not in repr(removed)


def test_who_may_do_what_on_the_queue(day):
    q = day.ask("hall", "Câu hỏi để thử quyền")
    for who, action, args in [
        (day.mc, "approve", {}),
        (day.chair, "approve", {}),
        (day.projector, "approve", {}),
        (day.phones["hall"], "approve", {}),
        (day.moderator, "show", {}),
        (day.chair, "show", {}),
        (day.moderator, "answer", {}),
        (day.mc, "edit", {"text": "x"}),
        (day.mc, "reject", {"reason": "other"}),
    ]:
        assert day.act(who, action, q, **args)["code"] == "auth.denied", (action, who)
    assert day.moderator.call("audit.get")["code"] == "auth.denied"
    assert day.fresh(q["id"])["version"] == q["version"]


def test_bad_arguments_are_refused_and_change_nothing(day):
    q = day.ask("hall", "Câu hỏi để thử tham số")
    for action, args, code in [
        ("reject", {}, "question.bad_reason"),
        ("reject", {"reason": "ugly"}, "question.bad_reason"),
        ("edit", {"text": " "}, "question.empty"),
        ("edit", {"text": "x" * 1001}, "question.too_long"),
        ("assign", {}, "question.bad_argument"),
        ("assign", {"theme": "t99"}, "question.unknown_theme"),
        ("assign", {"department": "d99"}, "question.bad_department"),
        ("note", {"notes": "x" * 2001}, "question.bad_notes"),
        ("approve", {"status": "approved"}, "question.bad_argument"),
        ("merge", {"into": qid()}, "question.bad_merge"),
    ]:
        assert day.act(day.moderator, action, q, **args)["code"] == code, (action, args)
    assert day.moderator.call("question.approve", {"id": q["id"]})["code"] == "question.bad_version"
    assert day.moderator.call("question.approve", {"id": qid(), "version": 1})["code"] == "question.not_found"
    assert day.fresh(q["id"]) == q


def test_every_action_is_in_the_append_only_audit_log_with_who_and_what(day, connect_staff):
    import socketio

    named = socketio.Client(reconnection=False)
    named.connect(
        day.server.url,
        headers={"Cookie": session_cookie(day.server.link("moderator"))},
        auth={"screen": "moderator", "name": "Lan\u0000 Anh\n"},
        transports=["websocket"],
        wait_timeout=5,
    )
    q = day.ask("1304", "Câu hỏi cho nhật ký")
    edited = named.call(
        "question.edit", {"id": q["id"], "version": q["version"], "text": "Câu hỏi cho nhật ký (đã sửa)"}
    )
    approved = named.call("question.approve", {"id": q["id"], "version": edited["question"]["version"]})
    day.act(day.mc, "show", approved["question"])
    named.disconnect()

    entries = connect_staff(day.server, "admin").call("audit.get")["entries"]
    assert [(e["action"], e["role"]) for e in entries] == [
        ("edit", "moderator"),
        ("approve", "moderator"),
        ("show", "mc"),
    ]
    edit = entries[0]
    assert edit["name"] == "Lan Anh" and edit["question"] == q["id"] and edit["code"] == q["code"]
    assert edit["before"]["text"] == "Câu hỏi cho nhật ký" and edit["after"]["text"].endswith("(đã sửa)")
    assert entries[1]["before"]["status"] == "received" and entries[1]["after"]["status"] == "approved"
    assert entries[0]["at"] <= entries[1]["at"] <= entries[2]["at"]


def test_the_admin_reads_and_downloads_the_audit_log(day):
    import io

    import openpyxl
    import requests

    q = day.ask("1304", '=HYPERLINK("http://evil")  câu hỏi có công thức')
    day.act(day.moderator, "reject", q, reason="inappropriate")
    with requests.Session() as admin:
        admin.get(day.server.link("admin"), timeout=5)
        page = admin.get(day.server.url + "/admin/audit", timeout=5)
        assert page.status_code == 200 and "Từ chối" in page.text and q["code"] in page.text
        assert "đã nhận" in page.text and "từ chối" in page.text
        csv_text = admin.get(day.server.url + "/admin/audit.csv", timeout=5).content.decode("utf-8-sig")
        assert csv_text.splitlines()[0].startswith("Thời gian,Vai trò")
        assert q["code"] in csv_text
        book = openpyxl.load_workbook(io.BytesIO(admin.get(day.server.url + "/admin/audit.xlsx", timeout=5).content))
        rows = list(book.active.iter_rows(values_only=True))
        assert rows[1][3] == "Từ chối" and rows[1][4] == q["code"]
        assert "/" in rows[1][0] and ":" in rows[1][0]  # dd/mm/yyyy HH:MM:SS
    with requests.Session() as moderator:
        moderator.get(day.server.link("moderator"), timeout=5)
        assert moderator.get(day.server.url + "/admin/audit", timeout=5).status_code == 403
        assert moderator.get(day.server.url + "/admin/audit.csv", timeout=5).status_code == 403


def test_the_mc_is_answered_with_the_queue_view_never_the_secretariats_flags(day):
    q = day.ask(
        "1304", "Em inbox trang của Tỉnh đoàn để đăng ký học nghề được không?", name="Lan", consent={"name": "1"}
    )
    assert q["flags"] == {"suspect": ["inbox"]}  # the word list's flag, for the secretariat
    q = day.act(day.moderator, "approve", q)["question"]
    assert q["flags"] and q["consent"]  # the secretariat's answer: the whole staff view
    shown = day.act(day.mc, "show", q)["question"]
    assert shown["status"] == "on_screen" and shown["origin"] == "Xã Quảng Lâm"
    assert "flags" not in shown and "consent" not in shown
