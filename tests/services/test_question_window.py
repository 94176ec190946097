"""The question window in the desk (live/services/desk.py, live/services/window.py) on SQLite and on
Redis: a closed window refuses a phone's new question and stores nothing, a retry of a question
stored before it closed is still acknowledged, the secretariat's floor entry is never limited, and
every question records its phase. Time is passed in."""

from __future__ import annotations

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import pytest

from live.core.errors import DomainError
from live.services import window
from live.services.day import Day
from live.store import SqliteStore
from live.store.redis import RedisStore

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
# the demo conference is on 28/08/2025: questions before it, then on the day
PERIODS = "01/08/2025 08:00 - 20/08/2025 16:00\n28/08/2025 07:00 - 28/08/2025 11:30"


def at(day: str, clock: str = "00:00") -> float:
    return dt.datetime.strptime(f"{day} {clock}", "%d/%m/%Y %H:%M").replace(tzinfo=ZONE).timestamp()


class Clock:
    def __init__(self, t: float) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def qid() -> str:
    return str(uuid.uuid4())


def question(text: str = "Xin hỏi về học bổng cho sinh viên dân tộc thiểu số?") -> dict:
    return {"id": qid(), "site": "1304", "text": text}


@pytest.fixture(params=["sqlite", "redis"])
def store(request, tmp_path):
    if request.param == "sqlite":
        opened = SqliteStore(str(tmp_path / "data"))
    else:
        opened = RedisStore(request.getfixturevalue("redis_server").url, prefix=f"test-{tmp_path.name}")
    yield opened
    opened.close()


def refused(fn, *args, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as caught:
        fn(*args, **kwargs)
    return caught.value


def test_without_a_window_questions_are_received_at_any_time(store):
    clock = Clock(at("01/01/2025", "03:00"))
    day = Day(store, now=clock)
    day.setup(demo=True)
    stored, repeated, _ = day.desk.submit(question(), device="d1", address="10.0.0.1")
    assert not repeated and stored["phase"] == "before"


def test_a_closed_window_refuses_a_new_question_stores_nothing_and_acknowledges_a_retry(store):
    clock = Clock(at("10/08/2025", "09:00"))
    day = Day(store, now=clock)
    day.setup(demo=True)
    window.set_periods(day.store, PERIODS, now=clock(), by="admin")

    early = question()
    stored, repeated, change = day.desk.submit(early, device="d1", address="10.0.0.1")
    assert not repeated and change is not None and stored["phase"] == "before"

    clock.t = at("20/08/2025", "16:00")  # the pre-collection deadline: closed from this minute
    late = question("Câu hỏi gửi sau hạn chót tổng hợp?")
    error = refused(day.desk.submit, late, device="d2", address="10.0.0.2")
    assert (error.code, dict(error.params)) == ("question.window_closed", {"opens": "28/08/2025 07:00"})
    assert [q["id"] for q in day.desk.all()] == [early["id"]]

    # the phone's outbox sends the stored question again: acknowledged, nothing new stored
    again, repeated, change = day.desk.submit(early, device="d1", address="10.0.0.1")
    assert repeated and change is None and again["code"] == stored["code"]
    # also when this process never saw it (another process took it in): the store answers
    other = Day(store, now=clock)
    again, repeated, _ = other.desk.submit(early, device="d1", address="10.0.0.1")
    assert repeated and again["code"] == stored["code"]

    # the secretariat types a paper question in at any time
    paper = {"id": qid(), "site": "1304", "channel": "paper", "text": "Câu hỏi trên phiếu giấy?"}
    entered, repeated, _ = day.desk.enter(paper, by="moderator")
    assert not repeated and entered["channel"] == "paper" and entered["phase"] == "before"

    clock.t = at("28/08/2025", "08:00")  # the day: open again
    on_day, repeated, _ = day.desk.submit(late, device="d2", address="10.0.0.2")
    assert not repeated and on_day["phase"] == "day"

    clock.t = at("28/08/2025", "11:30")
    error = refused(day.desk.submit, question("Sau khi kết thúc?"), device="d3", address="10.0.0.3")
    assert (error.code, dict(error.params)) == ("question.window_closed", {})
    clock.t = at("29/08/2025", "09:00")
    after, _, _ = day.desk.enter({**paper, "id": qid()}, by="moderator")
    assert after["phase"] == "after"
    assert len(day.desk.all()) == 4


def test_a_window_set_through_another_process_is_followed(store):
    clock = Clock(at("25/08/2025", "09:00"))
    day, admin = Day(store, now=clock), Day(store, now=clock)
    day.setup(demo=True)
    day.desk.submit(question(), device="d1", address="10.0.0.1")  # this process learnt "no window"

    window.set_periods(admin.store, PERIODS, now=clock(), by="admin")  # closed now
    day.replica.refresh()  # what every process does as changes reach it: no read per question
    error = refused(day.desk.submit, question("Câu khác?"), device="d1", address="10.0.0.1")
    assert error.code == "question.window_closed"
    # opened by another process: followed at once (the store decides before anyone is refused)
    window.set_periods(admin.store, "25/08/2025 08:00 - 25/08/2025 10:00", now=clock(), by="admin")
    stored, repeated, _ = day.desk.submit(question("Câu thứ ba?"), device="d1", address="10.0.0.1")
    assert not repeated and len(day.desk.all()) == 2


def test_setting_the_window_tells_the_phones_and_bad_input_stores_nothing(store):
    clock = Clock(at("10/08/2025", "09:00"))
    day = Day(store, now=clock)
    day.setup(demo=True)
    found, change = window.set_periods(day.store, PERIODS, now=clock(), by="admin")
    assert len(found) == 2 and window.periods(day.store) == found
    [(event, told, room)] = change.emits
    assert event == "window.changed" and room.startswith("phones")
    assert [(p["opens_date"], p["until_time"]) for p in told["periods"]] == [
        ("01/08/2025", "16:00"),
        ("28/08/2025", "11:30"),
    ]

    error = refused(window.set_periods, day.store, "28/08/2025 07:00 - 27/08/2025 11:30", now=clock(), by="admin")
    assert (error.code, dict(error.params)) == ("window.end_before_start", {"line": 1})
    assert window.periods(day.store) == found  # the old window stays

    window.set_periods(day.store, "", now=clock(), by="admin")  # nothing: always open again
    assert window.periods(day.store) == []
