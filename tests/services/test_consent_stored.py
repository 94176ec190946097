"""Anonymous by default (issue 23), through the service, the stores and a real server.

A name a phone sends without its consent box ticked is never stored, whatever the phone sends; a
stored name carries the notice version it was given under; the sensitive youth groups stored on
earlier days are taken out when the server starts, in both stores, once.
"""

from __future__ import annotations

import csv
import io
import logging
import uuid

import pytest
import requests

from live.core.privacy import NOTICE_VERSION
from live.services.day import Day
from live.services.desk import PREFIX
from live.store import SqliteStore
from live.store.redis import RedisStore

NAME = "Nông Thị Hoa"


def qid() -> str:
    return str(uuid.uuid4())


def open_store(backend: str, tmp_path, request):
    if backend == "sqlite":
        return SqliteStore(str(tmp_path / "data"))
    return RedisStore(request.getfixturevalue("redis_server").url, prefix=f"test-{tmp_path.name}")


# ---------------------------------------------------------------- the stores of earlier days


def legacy_question(group: str | None, **extra) -> dict:
    """A question as an earlier version stored it: a group, a name, no consent."""
    ident = qid()
    return {"id": ident, "code": "K7Q2MX", "site": "1304", "text": "Học bổng?", "fold": "hoc bong?", "name": NAME,
            "group": group, "theme": None, "status": "received", "version": 1, "received_at": 1.0,
            "updated_at": 1.0, "channel": "qr", **extra}  # fmt: skip


@pytest.mark.parametrize("backend", ["sqlite", "redis"])
def test_the_sensitive_groups_stored_before_are_removed_at_start_once(backend, tmp_path, request, caplog):
    store = open_store(backend, tmp_path, request)
    sensitive = legacy_question("dan_toc_thieu_so")
    religion = legacy_question("ton_giao")
    merged = legacy_question("cong_nhan", origins=[{"id": religion["id"], "code": "P3W8RT", "site": "1297",
                                                     "name": "", "group": "khuyet_tat"}])  # fmt: skip
    kept = legacy_question("kinh_te_gioi")
    for question in (sensitive, religion, merged, kept):
        store.put(PREFIX + question["id"], question)
    seq = store.seq()

    with caplog.at_level(logging.INFO, logger="live.desk"):
        Day(store).setup(demo=True)
    after = {q["id"]: q for q in store.scan(PREFIX).values()}
    assert after[sensitive["id"]]["group"] is None and after[religion["id"]]["group"] is None
    assert after[merged["id"]]["group"] == "cong_nhan" and after[merged["id"]]["origins"][0]["group"] is None
    assert after[kept["id"]] == kept
    assert after[sensitive["id"]]["name"] == NAME  # the migration takes out the group, nothing else
    assert store.seq() == seq + 2  # the set-up, then all three questions in one transaction
    logged = [r.getMessage() for r in caplog.records if r.name == "live.desk"]
    assert logged == ["removed the sensitive youth group from 3 stored questions"]
    assert NAME not in caplog.text and sensitive["id"] not in caplog.text

    caplog.clear()
    with caplog.at_level(logging.INFO, logger="live.desk"):
        Day(store).setup(demo=True)  # the next start: nothing left to do, nothing written
    assert store.seq() == seq + 2 and not [r for r in caplog.records if r.name == "live.desk"]
    store.close()


# ---------------------------------------------------------------- in the service


def test_the_secretariat_records_a_name_it_typed_in_as_given_to_it(tmp_path):
    day = Day(SqliteStore(str(tmp_path)), now=lambda: 1_796_608_800.0)
    day.setup(demo=True)
    entry = {"id": qid(), "site": "1304", "channel": "spoken", "text": "Hỏi về việc làm?", "name": NAME}
    record, _, _ = day.desk.enter(dict(entry, group="cong_nhan"), by="Lan")
    assert (record["name"], record["group"]) == (NAME, "cong_nhan")
    given = {"version": NOTICE_VERSION, "at": 1_796_608_800.0, "via": "secretariat"}
    assert record["consent"] == {"name": given, "group": given}
    anonymous, _, _ = day.desk.enter(dict(entry, id=qid(), name=""), by="Lan")
    assert anonymous["consent"] == {} and anonymous["name"] == ""


# ---------------------------------------------------------------- on a real server


def questions_csv(server) -> list[dict]:
    secretariat = requests.Session()
    secretariat.get(server.link("moderator"), timeout=10)
    got = secretariat.get(server.url + "/reports/cau-hoi.csv", timeout=10)
    assert got.status_code == 200
    return list(csv.DictReader(io.StringIO(got.content.decode("utf-8-sig"), newline="")))


def test_a_name_sent_without_consent_is_stored_nowhere(server, connect_phone, connect_staff):
    moderator = connect_staff(server, "moderator")
    phone = connect_phone(server, site="1304")
    anonymous = {"id": qid(), "site": "1304", "text": "Xin hỏi về học bổng?", "name": NAME, "group": "cong_nhan"}
    named = {"id": qid(), "site": "1304", "text": "Xin hỏi về vốn vay?", "name": NAME, "consent": {"name": "1"}}

    first = phone.call("question.submit", anonymous)
    second = phone.call("question.submit", named)
    assert first["ok"] and second["ok"], (first, second)
    # the outbox sends it again (its acknowledgement was lost): acknowledged as a repeat, unchanged
    again = phone.call("question.submit", {**anonymous, "consent": {"name": "1"}})
    assert again["ok"] and again["repeated"] and again["code"] == first["code"]

    stored = {q["id"]: q for q in moderator.call("questions.get")["questions"]}
    assert (stored[first["id"]]["name"], stored[first["id"]]["group"], stored[first["id"]]["consent"]) == ("", None, {})
    assert stored[second["id"]]["name"] == NAME
    assert stored[second["id"]]["consent"]["name"]["version"] == "1"
    assert "group" not in stored[second["id"]]["consent"]

    rows = {row["Mã theo dõi"]: row for row in questions_csv(server)}
    assert rows[first["code"]]["Người hỏi"] == "Ẩn danh" and rows[first["code"]]["Nhóm thanh niên"] == ""
    assert rows[second["code"]]["Người hỏi"] == NAME
    assert rows[second["code"]]["Sự đồng ý của người hỏi"].startswith("họ tên: phiên bản 1, ")
    assert rows[first["code"]]["Sự đồng ý của người hỏi"] == ""
    assert NAME not in str(rows[first["code"]])


def test_a_malformed_consent_is_refused_in_vietnamese(server, connect_phone, connect_staff):
    moderator = connect_staff(server, "moderator")
    phone = connect_phone(server)
    reply = phone.call("question.submit", {"id": qid(), "site": "hall", "text": "Câu hỏi?", "consent": {"phone": "1"}})
    assert reply["ok"] is False and reply["code"] == "question.bad_consent" and "retry" not in reply
    assert reply["message"].startswith("Lựa chọn đồng ý")
    entered = moderator.call(
        "question.enter", {"id": qid(), "site": "hall", "channel": "paper", "text": "Câu hỏi?", "consent": {}}
    )
    assert entered["code"] == "question.bad_consent"
    assert moderator.call("questions.get")["questions"] == []
