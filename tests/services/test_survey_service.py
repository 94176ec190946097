"""The survey in a real SQLite store (live/services/survey.py) on the scripted day of tests/afterday.py:
one response per device however often it sends, nothing received while closed, questions locked
once anyone answered, anonymous keys, a rehearsal's answers apart from the real day's, free texts
hidden until the secretariat reads them, and the retention purge removing the free texts only."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from afterday import scripted_day

from live.core.errors import DomainError
from live.services import rehearsal, retention
from live.services import survey as service

QUESTIONS = [
    {"text": "Bạn hài lòng với hội nghị?", "kind": "rating"},
    {"text": "Đường truyền ở điểm cầu?", "kind": "rating"},
    {"text": "Câu trả lời có rõ không?", "kind": "rating"},
    {"text": "Ý kiến khác của bạn", "kind": "text"},
]
SECRET = "a-server-secret"
SITES = ["hall", "1304", "1297"]


@pytest.fixture
def story(tmp_path):
    s = scripted_day(tmp_path)
    service.set_questions(s.day.store, QUESTIONS, now=s.clock.now, by="admin")
    return s


def refused(fn, *args, **kwargs) -> str:
    with pytest.raises(DomainError) as error:
        fn(*args, **kwargs)
    return error.value.code


def test_nothing_is_received_while_closed_and_each_device_answers_once(story):
    store = story.day.store
    assert refused(service.respond, store, SECRET, "device-1", "1304", {"s1": "5"}) == "survey.closed"
    assert service.responses(store) == {}
    service.open_survey(store, now=story.clock.now, by="admin")

    first, fresh = service.respond(store, SECRET, "device-1", "1304", {"s1": "5", "s4": "Rất bổ ích"})
    assert fresh and first == {"site": "1304", "ratings": {"s1": 5}, "text": "Rất bổ ích"}
    again, fresh = service.respond(store, SECRET, "device-1", "hall", {"s1": "1", "s2": "1"})
    assert not fresh and again == first  # the second send changes nothing
    assert service.sent(store, SECRET, "device-1") and not service.sent(store, SECRET, "device-2")
    assert refused(service.respond, store, SECRET, None, "1304", {"s1": "5"}) == "survey.no_device"
    assert refused(service.respond, store, SECRET, "device-2", "1304", {"s1": "9"}) == "survey.bad_rating"
    service.respond(store, SECRET, "device-2", "hall", {"s1": "3", "s2": "4"})
    assert len(service.responses(store)) == 2

    # anonymous: no device id in the key or the document, nor any question or time
    for key, doc in service.responses(store).items():
        assert "device" not in key and "device" not in str(doc)
        assert set(doc) <= {"site", "ratings", "text"}

    service.close_survey(store, now=story.clock.now, by="admin")
    assert refused(service.respond, store, SECRET, "device-3", "1304", {"s1": "5"}) == "survey.closed"
    assert service.current(store)["closed_at"] == story.clock.now


def test_the_questions_change_until_someone_answers(story):
    store = story.day.store
    changed = [*QUESTIONS[:3], {"text": "Góp ý thêm", "kind": "text"}]
    assert (
        service.set_questions(store, changed, now=story.clock.now, by="admin")["questions"][3]["text"] == "Góp ý thêm"
    )
    assert refused(service.set_questions, store, QUESTIONS[:2], now=story.clock.now, by="admin") == "survey.too_few"
    service.open_survey(store, now=story.clock.now, by="admin")
    service.respond(store, SECRET, "device-1", "1304", {"s1": "4"})
    assert refused(service.set_questions, store, QUESTIONS, now=story.clock.now, by="admin") == "survey.answered"
    assert service.current(store)["questions"][3]["text"] == "Góp ý thêm"


def test_a_rehearsals_answers_never_count_for_the_real_day(story):
    day = story.day
    service.open_survey(day.store, now=story.clock.now, by="admin")
    rehearsal.start(day, by="admin")
    practice = day.desk.rehearsal()
    assert practice
    _doc, fresh = service.respond(day.store, SECRET, "device-1", "1304", {"s1": "1"}, practice)
    assert fresh
    assert service.responses(day.store) == {} and len(service.responses(day.store, practice)) == 1
    # the same phone answers the real survey afterwards
    assert service.respond(day.store, SECRET, "device-1", "1304", {"s1": "5"})[1]
    assert service.results(day.store, SITES)["overall"]["ratings"]["s1"]["mean"] == 5.0


def test_a_free_text_waits_for_the_secretariat_and_the_ratings_count_at_once(story):
    store = story.day.store
    service.open_survey(store, now=story.clock.now, by="admin")
    service.respond(store, SECRET, "device-1", "1304", {"s1": "5", "s4": "Xin thêm hội nghị"})
    service.respond(store, SECRET, "device-2", "1304", {"s1": "2", "s4": "Tên tôi là Nông Thị Hoa"})
    results = service.results(store, SITES)
    assert results["overall"]["count"] == 2 and results["overall"]["ratings"]["s1"]["mean"] == 3.5
    assert results["overall"]["texts"] == []  # both pending
    (first, _r1), (second, _r2) = service.texts(service.responses(store))
    keys = {service.responses(store)[first]["text"]: first, service.responses(store)[second]["text"]: second}
    service.review(store, keys["Xin thêm hội nghị"], "read", now=story.clock.now, by="moderator")
    service.review(store, keys["Tên tôi là Nông Thị Hoa"], "hidden", now=story.clock.now, by="moderator")
    assert service.results(store, SITES)["sites"]["1304"]["texts"] == ["Xin thêm hội nghị"]
    assert refused(service.review, store, keys["Xin thêm hội nghị"], "publish", now=0, by="x") == "survey.bad_review"
    assert refused(service.review, store, "survey-r:day:nothing", "read", now=0, by="x") == "survey.not_found"
    assert refused(service.review, store, "q:someone", "read", now=0, by="x") == "survey.not_found"


def test_the_purge_removes_every_free_text_and_keeps_the_ratings(story):
    store = story.day.store
    service.open_survey(store, now=story.clock.now, by="admin")
    service.respond(store, SECRET, "device-1", "1304", {"s1": "5", "s4": "Tên tôi là Nông Thị Hoa"})
    service.respond(store, SECRET, "device-2", "hall", {"s2": "3"})
    later = dt.datetime(2026, 1, 1, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")).timestamp()
    assert retention.pending(store, story.day.desk.all(), story.day.desk.audit(), later)
    done = retention.purge(store, later, role="system")
    assert done.survey_texts == 1
    assert "Nông Thị Hoa" not in str(store.scan(""))
    results = service.results(store, SITES)
    assert results["overall"]["count"] == 2 and results["overall"]["ratings"]["s1"]["mean"] == 5.0
    assert retention.purge(store, later, role="system").survey_texts == 0  # run again: nothing left
