"""The console's list a page at a time (live/services/desk.py Desk.desk_page): newest first, by a
cursor so that a question arriving or deleted between two pages never makes another one skipped,
without empty fields; and the whole list, in full, to the callers that ask for it without a page.
On SQLite and on Redis, with the Day's clock passed in; over a real socket for the refusals."""

from __future__ import annotations

import uuid

import pytest
from test_preparation import TODAY, Clock, at, store  # noqa: F401  (the store fixture: SQLite and Redis)

from live.services.day import Day


@pytest.fixture
def clock() -> Clock:
    return Clock(at(TODAY))


@pytest.fixture
def day(store, clock) -> Day:  # noqa: F811
    made = Day(store, now=clock)
    made.setup(demo=True)
    return made


def enter(day, clock, n: int, first: int = 0) -> list[str]:
    made = []
    for i in range(first, first + n):
        clock.t += 1 if i % 3 else 0  # some arrive in the same second: the id breaks the tie
        payload = {"id": str(uuid.uuid4()), "site": "1304", "text": f"Câu hỏi về việc làm số {i}", "channel": "paper"}
        made.append(day.desk.enter(payload, by="moderator")[0]["id"])
    return made


def pages(day, limit: int, between=None) -> list[list[dict]]:
    found, before = [], None
    while True:
        page = day.desk.desk_page({"limit": limit, "before": before})
        found.append(page["questions"])
        if between:
            between(len(found))
        if not page["more"]:
            assert page["next"] is None
            return found
        before = page["next"]


def test_pages_hold_every_question_once_newest_first_without_empty_fields(day, clock):
    made = enter(day, clock, 25)
    got = pages(day, 10)
    assert [len(p) for p in got] == [10, 10, 5]
    ids = [q["id"] for p in got for q in p]
    full = day.desk.for_desk()
    assert ids == [q["id"] for q in reversed(full)]  # the whole list is oldest first
    assert sorted(ids) == sorted(made)
    first = got[0][0]
    assert "reason" not in first and "merged_into" not in first  # empty: left out
    assert full[-1]["reason"] is None  # the whole list keeps every field
    assert {k: v for k, v in full[-1].items() if v is not None} == first


def test_a_question_arriving_or_deleted_between_pages_never_makes_one_skipped(day, clock):
    made = enter(day, clock, 30)

    def meanwhile(n):
        if n == 1:
            enter(day, clock, 2, first=100)  # newer: they come to the console as pushes, not in later pages
            question = day.desk.get(made[-3])  # one of the first page's, deleted at its asker's request
            day.store.transact(
                (f"q:{question['id']}",),
                lambda docs: {f"q:{question['id']}": {"id": question["id"], "deleted_at": clock.t, "deleted": "asker"}},
            )

    ids = [q["id"] for p in pages(day, 8, meanwhile) for q in p]
    assert len(ids) == len(set(ids))
    assert set(made) - {made[-3]} <= set(ids)


def test_a_bad_page_request_is_refused_as_malformed(day):
    from live.core.errors import DomainError

    for payload in ({"limit": 0}, {"limit": 5001}, {"limit": "10"}, {"limit": True}, {"limit": 10, "before": "x"},
                    {"limit": 10, "before": [1, 2]}, {"limit": 10, "before": [1.0, "a" * 81]}, {"limit": 10, "more": 1}):  # fmt: skip
        with pytest.raises(DomainError) as refused:
            day.desk.desk_page(payload)
        assert refused.value.code == "question.malformed", payload


def test_over_a_socket_a_page_and_a_refusal(make_server, connect_staff, connect_phone):
    server = make_server("gevent")
    moderator = connect_staff(server, "moderator")
    phone = connect_phone(server, site="1304")
    for i in range(3):
        assert phone.call(
            "question.submit", {"id": str(uuid.uuid4()), "site": "1304", "text": f"Câu hỏi số {i} về việc làm?"}
        )["ok"]
    page = moderator.call("questions.get", {"limit": 2, "before": None})
    assert page["ok"] and len(page["questions"]) == 2 and page["more"] is True
    rest = moderator.call("questions.get", {"limit": 2, "before": page["next"]})
    assert rest["ok"] and len(rest["questions"]) == 1 and rest["more"] is False
    refused = moderator.call("questions.get", {"limit": -1})
    assert refused["ok"] is False and refused["code"] == "question.malformed"
    assert "message" in refused
