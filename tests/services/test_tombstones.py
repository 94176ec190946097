"""A deleted question (its document replaced by a tombstone) is gone from everything the desk
serves, in this process and in another one sharing the store, and a retry does not bring it back."""

from __future__ import annotations

import uuid

import pytest

from live.core import personal
from live.core.errors import DomainError
from live.services.day import Day
from live.services.desk import PREFIX
from live.store import SqliteStore


def qid() -> str:
    return str(uuid.uuid4())


def test_a_tombstoned_question_is_gone_everywhere_and_a_retry_is_refused(tmp_path):
    store = SqliteStore(str(tmp_path))
    day, other = Day(store, now=lambda: 1_796_608_800.0), Day(store, now=lambda: 1_796_608_800.0)
    day.setup(demo=True)
    kept = {"id": qid(), "site": "1304", "text": "Xin hỏi về học bổng cho sinh viên nghèo?"}
    gone = {"id": qid(), "site": "1304", "text": "Xin hỏi về học bổng cho sinh viên nghèo ạ?"}
    for payload in (kept, gone):
        day.desk.submit(payload, device="dev-1", address="10.0.0.1")
    other.replica.refresh()  # the roll call's counts come from the replica its caller keeps current
    assert day.desk.counts() == {"1304": 2} and other.desk.counts() == {"1304": 2}
    assert [s["id"] for s in day.desk.similar({"id": kept["id"]})] == [gone["id"]]  # a likely duplicate

    store.put(PREFIX + gone["id"], personal.tombstone(gone["id"], 1_796_608_900.0, personal.DELETED_BY_ASKER))
    for desk in (day.desk, other.desk):
        desk.replica.refresh()
        assert [q["id"] for q in desk.all()] == [kept["id"]]
        assert desk.counts() == {"1304": 1}
        assert desk.get(gone["id"]) is None
        assert [q["id"] for q in desk.mine({"ids": [kept["id"], gone["id"]]})] == [kept["id"]]
        assert desk.similar({"id": kept["id"]}) == []
        with pytest.raises(DomainError) as refused:
            desk.submit(gone, device="dev-1", address="10.0.0.1")
        assert refused.value.code == "question.deleted"
        with pytest.raises(DomainError) as refused:
            desk.act("approve", {"id": gone["id"], "version": 1}, role="moderator")
        assert refused.value.code == "question.not_found"
    store.close()
