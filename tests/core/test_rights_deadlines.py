"""The deadlines of a request about personal data (live/core/rights.py): an answer within 2 working
days (Saturdays and Sundays skipped; holidays are not known), done within 15 days, and which requests
are late or nearly so. Dates are passed in."""

from __future__ import annotations

import datetime as dt

import pytest

from live.core import rights
from live.core.errors import DomainError

D = dt.date


@pytest.mark.parametrize(
    ("received", "answer"),
    [
        (D(2026, 12, 4), D(2026, 12, 8)),  # Friday → Tuesday
        (D(2026, 12, 5), D(2026, 12, 8)),  # Saturday → Tuesday
        (D(2026, 12, 6), D(2026, 12, 8)),  # Sunday → Tuesday
        (D(2026, 12, 7), D(2026, 12, 9)),  # Monday → Wednesday
        (D(2026, 12, 9), D(2026, 12, 11)),  # Wednesday → Friday
        (D(2026, 12, 10), D(2026, 12, 14)),  # Thursday → Monday
        (D(2026, 12, 31), D(2027, 1, 4)),  # across the new year (1/1 is a holiday live does not know)
    ],
)
def test_an_answer_is_due_two_working_days_after(received, answer):
    assert rights.answer_by(received) == answer


def test_done_fifteen_days_after_across_a_month():
    assert rights.done_by(D(2026, 12, 4)) == D(2026, 12, 19)
    assert rights.done_by(D(2026, 12, 20)) == D(2027, 1, 4)
    assert rights.deadlines(D(2026, 12, 4)) == {"answer_by": "2026-12-08", "done_by": "2026-12-19"}


def test_zero_working_days_is_the_same_day_and_negative_is_refused():
    assert rights.add_working_days(D(2026, 12, 5), 0) == D(2026, 12, 5)
    with pytest.raises(ValueError):
        rights.add_working_days(D(2026, 12, 5), -1)


@pytest.mark.parametrize(
    ("today", "answer", "done"),
    [
        (D(2026, 12, 4), None, None),  # received today
        (D(2026, 12, 7), "soon", None),  # the day before the answer's deadline
        (D(2026, 12, 8), "soon", None),  # its last day
        (D(2026, 12, 9), "overdue", None),
        (D(2026, 12, 18), "overdue", "soon"),
        (D(2026, 12, 20), "overdue", "overdue"),
    ],
)
def test_late_and_nearly_late_requests_are_flagged(today, answer, done):
    request = rights.deadlines(D(2026, 12, 4))
    assert rights.urgency(request, today) == {"answer": answer, "done": done}


def test_a_deadline_met_is_never_flagged():
    request = {**rights.deadlines(D(2026, 12, 4)), "answered_at": 1.0}
    assert rights.urgency(request, D(2026, 12, 30)) == {"answer": None, "done": "overdue"}
    assert rights.urgency({**request, "done_at": 2.0}, D(2026, 12, 30)) == {"answer": None, "done": None}
    assert not rights.is_open({"done_at": 2.0}) and rights.is_open({"done_at": None})


@pytest.mark.parametrize(
    ("question", "target", "allowed"),
    [
        ({"status": "received"}, None, True),
        ({"status": "approved"}, None, True),
        ({"status": "approved", "shown_at": 5.0}, None, True),  # taken off screen unanswered
        ({"status": "rejected"}, None, True),
        ({"status": "on_screen"}, None, False),
        ({"status": "answered"}, None, False),
        ({"status": "forwarded"}, None, False),
        ({"status": "merged", "merged_into": "t"}, {"id": "t", "status": "approved"}, True),
        ({"status": "merged", "merged_into": "t"}, {"id": "t", "status": "on_screen"}, False),
        ({"status": "merged", "merged_into": "t"}, {"id": "t", "status": "answered"}, False),
        ({"status": "merged", "merged_into": "t"}, {"id": "t", "status": "forwarded"}, False),
        ({"status": "merged", "merged_into": "t"}, None, True),  # its target is gone
    ],
)
def test_only_a_question_not_yet_answered_may_be_deleted(question, target, allowed):
    assert rights.deletable(question, target) is allowed


def test_the_received_date_as_typed():
    today = D(2026, 12, 7)
    assert rights.received_date("", today) == today
    assert rights.received_date(" 04/12/2026 ", today) == D(2026, 12, 4)
    for bad in ("08/12/2026", "2026-12-04", "31/02/2026", "04/12/2024", 5, "x" * 100):
        with pytest.raises(DomainError) as refused:
            rights.received_date(bad, today)
        assert refused.value.code == "rights.bad_date"


def test_a_note_is_one_clean_paragraph_of_limited_length():
    assert rights.note("  gọi\nlúc 9 giờ\u200b ") == "gọi lúc 9 giờ"
    assert rights.note(None) == ""
    with pytest.raises(DomainError):
        rights.note("x" * (rights.NOTE_LIMIT + 1))
