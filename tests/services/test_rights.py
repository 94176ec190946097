"""The asker's rights by tracking code, through the service, on SQLite and on Redis (issue 23, item 5).

Withdrawing the name takes it out of the question and of the copy kept by the question it was merged
into; deleting a question not yet answered leaves a tombstone, scrubs the audit log's copies, cleans
the origins of the question it was merged into, reopens the questions merged into it, and records
the request; an answered question is refused; a second process (its own replica over the same
store) sees the question gone; the CSV export made afterwards holds nothing of it.
"""

from __future__ import annotations

import csv
import io
import json
import re
import uuid

import pytest

import live
from live.core import personal, rooms
from live.core import rights as rules
from live.core.errors import DomainError
from live.services import desk as desks
from live.services import rights
from live.services.day import Day
from live.store import SqliteStore
from live.store.redis import RedisStore

LIMITS = "device=100000/0.001,site=100000/0.001,address=100000/0.001"
NAME = "Hoàng Thị Lan"
TEXT = "Xin hỏi xã Quảng Lâm có kế hoạch mở lớp dạy nghề may cho thanh niên không?"


@pytest.fixture(params=["sqlite", "redis"])
def backend(request, tmp_path):
    config = {"DATA_DIR": str(tmp_path / "data")}
    if request.param == "redis":
        config = {"REDIS_URL": request.getfixturevalue("redis_server").url, "REDIS_PREFIX": f"rights-{tmp_path.name}"}
    return config


@pytest.fixture
def app(backend):
    app = live.create_app(
        {
            **backend,
            "DEMO": True,
            "ASYNC_MODE": "threading",
            "PUBLIC_URL": "http://127.0.0.1:5000",
            "RATE_LIMITS": LIMITS,
        }
    )
    yield app
    app.extensions["live.day"].store.close()


@pytest.fixture
def day(app):
    return app.extensions["live.day"]


def second_process(backend) -> Day:
    """Another process over the same store: its own connection and its own replica."""
    if backend.get("REDIS_URL"):
        return Day(RedisStore(backend["REDIS_URL"], prefix=backend["REDIS_PREFIX"]))
    return Day(SqliteStore(backend["DATA_DIR"]))


def ask(day, text=TEXT, name=NAME, device=None, site="1304") -> dict:
    ident = str(uuid.uuid4())
    payload = {"id": ident, "site": site, "text": text, "name": name, "consent": {"name": "1"} if name else None}
    question, _, _ = day.desk.submit(payload, device=device or f"phone-{ident[:8]}", address="10.0.0.9")
    return question


def act(day, action, question, **args):
    current = day.desk.get(question["id"])
    return day.desk.act(action, {"id": question["id"], "version": current["version"], **args}, role="moderator")[0]


def everything(day) -> str:
    """Every document of the store, as text: where a name or a text would show if it were left."""
    store = day.store
    found = {}
    for prefix in ("q:", "audit:", "request:"):
        found.update(store.scan(prefix))
    return json.dumps(found, ensure_ascii=False)


def secretariat(app):
    client = app.test_client()
    assert client.get(f"/k/{app.extensions['live.day'].tokens()['moderator']}").status_code == 303
    return client


def test_withdrawing_the_name_takes_it_out_with_its_consent_and_from_the_merged_copy(day):
    mine = ask(day)
    other = ask(day, text="Xã có kế hoạch mở lớp dạy nghề may cho thanh niên không ạ?", name="Lý Văn Tú")
    act(day, "merge", mine, into=other["id"])
    assert NAME in json.dumps(day.desk.get(other["id"])["origins"], ensure_ascii=False)

    question, change, request = rights.withdraw_name(day, mine["code"], mine["id"])
    assert question["name"] is None and "name" not in (question["consent"] or {})
    assert question["text"] == TEXT  # the question stays, without the name
    assert NAME not in everything(day)
    assert day.desk.get(other["id"])["name"] == "Lý Văn Tú"  # someone else's name is not touched
    assert request["kind"] == rules.WITHDRAW and request["via"] == rules.SELF
    assert request["answered_at"] and request["done_at"] and request["code"] == mine["code"]
    assert any(e[0] == "question.changed" and e[2] == rooms.desk() for e in change.emits)

    with pytest.raises(DomainError) as refused:
        rights.withdraw_name(day, mine["code"], mine["id"])
    assert refused.value.code == "rights.no_name"


def test_withdrawing_the_group_keeps_the_name_and_its_consent(app, day):
    ident = str(uuid.uuid4())
    payload = {"id": ident, "site": "1304", "text": TEXT, "name": NAME, "group": "cong_nhan",
               "consent": {"name": "1", "group": "1"}}  # fmt: skip
    mine, _, _ = day.desk.submit(payload, device="phone-g", address="10.0.0.9")
    assert mine["group"] == "cong_nhan"

    question, _change, request = rights.withdraw_name(day, mine["code"], mine["id"], purpose="group")
    assert question["group"] is None and set(question["consent"]) == {"name"} and question["name"] == NAME
    assert request["kind"] == rules.WITHDRAW
    audit = [e for e in day.desk.audit() if e.get("question") == mine["id"]]
    assert audit[-1]["action"] == "withdraw_group"
    with pytest.raises(DomainError) as refused:
        rights.withdraw_name(day, mine["code"], mine["id"], purpose="group")
    assert refused.value.code == "rights.no_group"

    # on the asker's page: the button is there while a group is held, and gone after
    client = app.test_client()
    page = client.get("/du-lieu-cua-toi").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    other = dict(payload, id=str(uuid.uuid4()))
    theirs, _, _ = day.desk.submit(other, device="phone-h", address="10.0.0.9")
    seen = client.post("/du-lieu-cua-toi", data={"csrf_token": token, "ma": theirs["code"]}).get_data(as_text=True)
    assert 'value="rut_doi_tuong"' in seen
    done = client.post(
        "/du-lieu-cua-toi",
        data={"csrf_token": token, "ma": theirs["code"], "id": theirs["id"], "action": "rut_doi_tuong"},
    ).get_data(as_text=True)
    assert "Đã rút đối tượng của bạn khỏi câu hỏi." in done and 'value="rut_doi_tuong"' not in done
    assert day.desk.get(theirs["id"])["group"] is None


def test_a_deletion_leaves_a_tombstone_scrubs_the_audit_and_cleans_the_origins(day, backend):
    mine = ask(day, device="phone-of-lan")
    target = ask(day, text="Thanh niên xã muốn học nghề may thì đăng ký ở đâu?", name="")
    follower = ask(day, text="Có lớp dạy nghề may miễn phí cho thanh niên không?", name="")
    act(day, "edit", mine, text=TEXT + " Em cảm ơn.")
    act(day, "merge", follower, into=mine["id"])  # another asker's question follows mine
    act(day, "merge", mine, into=target["id"])  # and mine follows a third one
    audit_before = [e for e in day.desk.audit() if e["question"] == mine["id"]]
    assert len(audit_before) == 2 and TEXT in json.dumps(audit_before, ensure_ascii=False)

    change, request = rights.delete(day, mine["code"], mine["id"])

    stored = day.store.get(desks.key(mine["id"]))
    assert personal.is_tombstone(stored) and stored["deleted"] == personal.DELETED_BY_ASKER
    assert set(stored) == {"id", "deleted_at", "deleted"}
    assert day.desk.get(mine["id"]) is None and rights.find(day, mine["code"]) == []
    text = everything(day)
    assert TEXT not in text and NAME not in text and "phone-of-lan" not in text
    # the audit entries stay (who did what, when), with every copy of the question removed
    scrubbed = [e for e in day.desk.audit() if e["question"] == mine["id"]]
    assert {e["action"] for e in scrubbed} == {"edit", "merge", "delete"}
    assert all(personal.is_removed(e["code"]) for e in scrubbed)
    edit = next(e for e in scrubbed if e["action"] == "edit")
    assert personal.is_removed(edit["after"]["text"]) and personal.is_removed(edit["before"]["text"])
    # the question it followed no longer counts it, nor the one that followed it there
    assert day.desk.get(target["id"])["origins"] == []
    # the question that followed it is back with the secretariat
    back = day.desk.get(follower["id"])
    assert back["status"] == "received" and back["merged_into"] is None
    assert request["kind"] == rules.DELETE and request["done_at"] and mine["code"] == request["code"]
    # the screens are told: the consoles, the queue, the phone, the roll call
    sent = {(event, room) for event, _payload, room in change.emits}
    assert ("question.removed", rooms.desk()) in sent
    assert ("question.removed", rooms.device("phone-of-lan")) in sent
    assert ("question.changed", rooms.queue()) in sent and ("roll.changed", rooms.roll()) in sent

    # another process, its own replica over the same store, sees it gone too
    other = second_process(backend)
    try:
        assert other.desk.get(mine["id"]) is None
        assert mine["id"] not in {q["id"] for q in other.desk.all()}
        assert other.desk.counts().get("1304") == day.desk.counts().get("1304")
    finally:
        other.store.close()


def test_a_deleted_question_is_gone_from_the_export(app, day):
    mine = ask(day)
    kept = ask(day, text="Xin hỏi về hỗ trợ vốn khởi nghiệp cho thanh niên?", name="")
    rights.delete(day, mine["code"], mine["id"])
    client = secretariat(app)
    response = client.get("/reports/cau-hoi.csv")
    assert response.status_code == 200
    exported = response.get_data().decode("utf-8-sig")
    assert kept["code"] in exported
    assert mine["code"] not in exported and TEXT not in exported and NAME not in exported
    assert len(list(csv.reader(io.StringIO(exported)))) >= 2


@pytest.mark.parametrize("action", ["show", "answer", "forward"])
def test_a_question_on_screen_answered_or_forwarded_cannot_be_deleted(day, action):
    mine = ask(day)
    act(day, "approve", mine)
    current = day.desk.get(mine["id"])
    args = {"department": "d1"} if action == "forward" else {}
    day.desk.act(action, {"id": mine["id"], "version": current["version"], **args}, role="mc")
    with pytest.raises(DomainError) as refused:
        rights.delete(day, mine["code"], mine["id"])
    assert refused.value.code == "rights.answered"
    assert day.desk.get(mine["id"])["text"] == TEXT
    # the name may still be withdrawn
    question, _change, _request = rights.withdraw_name(day, mine["code"], mine["id"])
    assert question["name"] is None


def test_a_question_merged_into_an_answered_one_cannot_be_deleted(day):
    mine = ask(day)
    target = ask(day, text="Xã có mở lớp dạy nghề may không?", name="")
    act(day, "approve", target)
    act(day, "merge", mine, into=target["id"])
    current = day.desk.get(target["id"])
    day.desk.act("answer", {"id": target["id"], "version": current["version"]}, role="mc")
    with pytest.raises(DomainError) as refused:
        rights.delete(day, mine["code"], mine["id"])
    assert refused.value.code == "rights.answered"


def test_a_rejected_question_may_be_deleted(day):
    mine = ask(day)
    act(day, "reject", mine, reason="off_topic")
    rights.delete(day, mine["code"], mine["id"])
    assert day.desk.get(mine["id"]) is None


def test_the_wrong_code_or_an_unknown_id_is_refused_alike(day):
    mine = ask(day)
    other = ask(day, text="Câu hỏi khác về việc làm cho thanh niên?")
    for code, ident in ((other["code"], mine["id"]), (mine["code"], str(uuid.uuid4())), (mine["code"], "x")):
        with pytest.raises(DomainError) as refused:
            rights.delete(day, code, ident)
        assert refused.value.code == "rights.not_found"
    rights.delete(day, mine["code"], mine["id"])
    with pytest.raises(DomainError) as again:
        rights.delete(day, mine["code"], mine["id"])
    assert again.value.code == "rights.not_found"


def test_a_phone_retry_of_a_deleted_question_is_refused(day):
    ident = str(uuid.uuid4())
    payload = {"id": ident, "site": "1304", "text": TEXT}
    question, _, _ = day.desk.submit(payload, device="phone-1", address="10.0.0.9")
    rights.delete(day, question["code"], ident)
    with pytest.raises(DomainError) as refused:
        day.desk.submit(payload, device="phone-1", address="10.0.0.9")
    assert refused.value.code == "question.deleted"


def test_the_register_holds_no_text_and_no_name_and_sorts_the_late_first(day):
    mine = ask(day)
    rights.seen(day, mine["code"])
    rights.withdraw_name(day, mine["code"], mine["id"])
    recorded = rights.record(
        day, {"kind": "xoa", "code": mine["code"].lower(), "via": "dien_thoai", "received": "", "note": "gọi lúc 9 giờ"},
        role="moderator", name="Chị Mai",
    )  # fmt: skip
    assert recorded["code"] == mine["code"] and recorded["via"] == rules.PHONE and not recorded["done_at"]
    board = rights.register(day)
    assert board["open"] == 1 and [r["kind"] for r in board["rows"]][0] == rules.DELETE
    assert TEXT not in json.dumps(board["rows"], ensure_ascii=False)
    assert NAME not in json.dumps(day.store.scan(rights.PREFIX), ensure_ascii=False)

    # acting from the register completes that request, not a new one
    _change, request = rights.delete(
        day, mine["code"], mine["id"], role="moderator", name="Chị Mai", request_id=recorded["id"]
    )
    assert request["id"] == recorded["id"] and request["done_at"] and request["answered_at"]
    assert rights.register(day)["open"] == 0
    assert len(day.store.scan(rights.PREFIX)) == 3  # seen, withdrawn, and the recorded one


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"kind": "xoa", "via": "dien_thoai"}, "rights.code_required"),
        ({"kind": "khac", "code": "K7Q2M0", "via": "giay"}, "rights.bad_code"),
        ({"kind": "xoa", "code": "K7Q2MX", "via": "tu_thuc_hien"}, "rights.bad_via"),
        ({"kind": "boom", "code": "K7Q2MX", "via": "giay"}, "rights.bad_kind"),
        ({"kind": "khac", "via": "giay", "received": "31/02/2026"}, "rights.bad_date"),
        ({"kind": "khac", "via": "giay", "note": "x" * 501}, "rights.bad_note"),
    ],
)
def test_a_bad_record_is_refused_and_nothing_is_stored(day, payload, code):
    with pytest.raises(DomainError) as refused:
        rights.record(day, payload, role="moderator")
    assert refused.value.code == code
    assert day.store.scan(rights.PREFIX) == {}


def test_marking_answered_then_done(day):
    recorded = rights.record(day, {"kind": "khac", "via": "truc_tiep"}, role="moderator")
    answered = rights.mark(day, recorded["id"], "answered", role="moderator", name="Anh Hùng")
    assert answered["answered_at"] and not answered["done_at"]
    done = rights.mark(day, recorded["id"], "done", role="moderator")
    assert done["done_at"] and done["answered_at"] == answered["answered_at"]
    assert [s["what"] for s in done["steps"]] == ["recorded", "answered", "done"]
    assert re.fullmatch(r"\d{20}-[0-9a-f]{6}", done["id"])


def test_a_real_asker_keeps_her_rights_while_the_staff_rehearse(day):
    from live.services import rehearsal

    real = ask(day)
    rehearsal.start(day, by="Quản trị")
    rehearsed = ask(day, text="Câu hỏi thử của buổi tập dượt?", name="Người Tập")
    assert [q["id"] for q in rights.find(day, real["code"])] == [real["id"]]
    rights.delete(day, rehearsed["code"], rehearsed["id"])
    rights.delete(day, real["code"], real["id"])
    entries = {e["question"]: e for e in day.store.scan(desks.AUDIT).values() if e.get("action") == "delete"}
    assert "rehearsal" in entries[rehearsed["id"]] and "rehearsal" not in entries[real["id"]]
    assert {r["code"] for r in rights.register(day)["rows"]} == {real["code"], rehearsed["code"]}
    rehearsal.end(day)
    # the real day's register leaves out what the rehearsal did
    assert [r["code"] for r in rights.register(day)["rows"]] == [real["code"]]


def test_nothing_of_a_deleted_question_is_left_in_the_sqlite_files(tmp_path):
    """SQLite's file and its write-ahead log (Redis's AOF rewrite is tested with the purge)."""
    from pathlib import Path

    day = Day(SqliteStore(str(tmp_path / "disk")))
    day.setup(demo=True)
    marker = "Khuổi Pâng ngõ 7 học nghề"
    mine = ask(day, text=f"Xin hỏi về lớp học nghề ở {marker}?", name="Triệu Thị Vân")
    act(day, "edit", mine, text=f"Xin hỏi về lớp học nghề ở {marker} năm tới?")
    rights.delete(day, mine["code"], mine["id"])
    forms = [s.encode() for s in (marker, "Triệu Thị Vân")]
    forms += [json.dumps(s)[1:-1].encode() for s in (marker, "Triệu Thị Vân")]  # as JSON escapes it
    files = [path for path in Path(tmp_path / "disk").rglob("*") if path.is_file()]
    assert files
    for path in files:
        data = path.read_bytes()
        assert not any(form in data for form in forms), f"{path.name} still holds the deleted question"
    day.store.close()


def test_a_chain_of_merges_keeps_no_copy_of_the_name_or_the_question(day):
    mine = ask(day)
    middle = ask(day, text="Xã có lớp dạy nghề may không?", name="")
    last = ask(day, text="Thanh niên muốn học may thì hỏi ở đâu?", name="")
    act(day, "merge", mine, into=middle["id"])
    act(day, "merge", middle, into=last["id"])  # the last one now keeps a copy of mine too
    assert mine["id"] in {o["id"] for o in day.desk.get(last["id"])["origins"]}

    rights.withdraw_name(day, mine["code"], mine["id"])
    assert NAME not in everything(day)
    rights.delete(day, mine["code"], mine["id"])
    for other in (middle, last):
        assert mine["id"] not in {o["id"] for o in day.desk.get(other["id"])["origins"]}
    assert day.desk.get(middle["id"])["status"] == "merged"  # someone else's merge stays as it was


def test_an_action_between_the_look_and_the_deletion_is_taken_into_account(day, monkeypatch):
    mine = ask(day)
    transact = day.store.transact
    calls = []

    def meanwhile(keys, fn):
        if not calls:  # the secretariat writes a note on it just before the deletion's transaction
            calls.append("note")
            act(day, "note", mine, notes=f"Ghi chú về: {TEXT}")
        return transact(keys, fn)

    monkeypatch.setattr(day.store, "transact", meanwhile)
    rights.delete(day, mine["code"], mine["id"])
    monkeypatch.undo()
    assert calls and day.desk.get(mine["id"]) is None
    notes = [e for e in day.desk.audit() if e["question"] == mine["id"] and e["action"] == "note"]
    assert len(notes) == 1 and personal.is_removed(notes[0]["after"]["notes"])
    assert TEXT not in everything(day)
