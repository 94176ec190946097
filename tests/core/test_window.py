"""The question window and the phase of a question (live/core/window.py): pure, time passed in."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from live.core import window
from live.core.errors import DomainError

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
BEFORE_DAY = "20/05/2026 08:00 - 19/06/2026 16:00"
ON_DAY = "22/06/2026 07:00 - 22/06/2026 11:30"


def at(day: str, clock: str = "00:00") -> float:
    """A moment in Việt Nam: ``at("19/06/2026", "16:00")``."""
    return dt.datetime.strptime(f"{day} {clock}", "%d/%m/%Y %H:%M").replace(tzinfo=ZONE).timestamp()


def code(text: str) -> tuple[str, dict]:
    with pytest.raises(DomainError) as caught:
        window.parse(text)
    return caught.value.code, dict(caught.value.params)


def test_periods_are_read_in_vietnamese_time_one_a_line_and_sorted():
    found = window.parse(f"{ON_DAY}\n\n  {BEFORE_DAY}  \n")
    assert found == [
        (at("20/05/2026", "08:00"), at("19/06/2026", "16:00")),
        (at("22/06/2026", "07:00"), at("22/06/2026", "11:30")),
    ]
    # 16:00 in Việt Nam is 09:00 UTC
    assert dt.datetime.fromtimestamp(found[0][1], dt.UTC).strftime("%H:%M") == "09:00"
    assert window.to_text(found) == f"{BEFORE_DAY}\n{ON_DAY}"
    assert window.parse(window.to_text(found)) == found


def test_other_ways_of_writing_a_period_are_understood():
    assert window.parse("1/6/2026 8h00 đến 2/6/2026 17:30") == [(at("01/06/2026", "08:00"), at("02/06/2026", "17:30"))]
    assert window.parse("01/06/2026 08:00 – 02/06/2026 17:30") == window.parse("01/06/2026 08:00-02/06/2026 17:30")


def test_nothing_typed_means_always_open():
    assert window.parse("") == []
    assert window.parse(" \n \n") == []
    assert window.state([], at("01/01/2030")).kind == "always"
    assert window.refusal([], at("01/01/2030")) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20/05/2026 08:00", ("window.bad_line", {"line": 1})),
        (f"{BEFORE_DAY}\n20/05/2026 8 giờ - 21/05/2026 9 giờ", ("window.bad_line", {"line": 2})),
        ("31/06/2026 08:00 - 01/07/2026 08:00", ("window.bad_time", {"line": 1})),
        ("01/06/2026 24:00 - 02/06/2026 08:00", ("window.bad_time", {"line": 1})),
        ("01/06/1999 08:00 - 02/06/2026 08:00", ("window.bad_time", {"line": 1})),
        ("02/06/2026 08:00 - 01/06/2026 08:00", ("window.end_before_start", {"line": 1})),
        ("02/06/2026 08:00 - 02/06/2026 08:00", ("window.end_before_start", {"line": 1})),
        (f"{BEFORE_DAY}\n01/06/2026 08:00 - 02/06/2026 08:00", ("window.overlap", {"line": 2, "other": 1})),
    ],
)
def test_bad_input_names_the_line_and_the_problem(text, expected):
    assert code(text) == expected


def test_too_many_periods_are_refused():
    lines = [f"{d:02d}/06/2026 08:00 - {d:02d}/06/2026 09:00" for d in range(1, window.MAX_PERIODS + 2)]
    assert code("\n".join(lines)) == ("window.too_many", {"limit": window.MAX_PERIODS})
    assert len(window.parse("\n".join(lines[:-1]))) == window.MAX_PERIODS


def test_not_text_is_refused():
    with pytest.raises(DomainError):
        window.parse(None)


def test_state_at_each_moment_of_the_month_before_and_the_day():
    found = window.parse(f"{BEFORE_DAY}\n{ON_DAY}")
    first = window.state(found, at("19/05/2026", "23:59"))
    assert (first.kind, first.opens, first.open) == ("not_yet", at("20/05/2026", "08:00"), False)
    opening = window.state(found, at("20/05/2026", "08:00"))  # from the minute it opens
    assert (opening.kind, opening.until) == ("open", at("19/06/2026", "16:00"))
    closing = window.state(found, at("19/06/2026", "16:00"))  # not at the minute it closes
    assert (closing.kind, closing.opens) == ("paused", at("22/06/2026", "07:00"))
    day = window.state(found, at("22/06/2026", "09:00"))
    assert (day.kind, day.until, day.open) == ("open", at("22/06/2026", "11:30"), True)
    assert window.state(found, at("22/06/2026", "11:30")).kind == "over"


def test_touching_periods_run_on():
    found = window.parse("01/06/2026 08:00 - 01/06/2026 12:00\n01/06/2026 12:00 - 01/06/2026 17:00")
    assert window.state(found, at("01/06/2026", "09:00")).until == at("01/06/2026", "17:00")
    public = window.public(found)["periods"]
    assert [(p["until_time"], p["until_date"]) for p in public] == [("17:00", "01/06/2026")] * 2
    assert (public[0]["opens_time"], public[0]["opens_date"]) == ("08:00", "01/06/2026")
    assert public[0]["start"] == int(at("01/06/2026", "08:00") * 1000)


def test_refusal_says_when_it_opens_or_that_it_is_over():
    found = window.parse(f"{BEFORE_DAY}\n{ON_DAY}")
    assert window.refusal(found, at("01/06/2026", "10:00")) is None
    paused = window.refusal(found, at("20/06/2026", "10:00"))
    assert (paused.code, dict(paused.params)) == ("question.window_closed", {"opens": "22/06/2026 07:00"})
    over = window.refusal(found, at("23/06/2026", "10:00"))
    assert (over.code, dict(over.params)) == ("question.window_closed", {})


def test_a_stored_document_gives_its_periods_and_ignores_damage():
    found = window.parse(BEFORE_DAY)
    doc = window.document(found, now=at("01/05/2026"), by="admin")
    assert window.periods(doc) == found
    assert window.periods(None) == []
    assert window.periods({"periods": [[2, 1], ["a", 3], [True, 5], [1], None, [1, 2]]}) == [(1.0, 2.0)]


@pytest.mark.parametrize(
    ("received", "expected"),
    [
        (at("21/06/2026", "23:59"), "before"),
        (at("22/06/2026", "00:00"), "day"),
        (at("22/06/2026", "23:59"), "day"),
        (at("23/06/2026", "00:00"), "after"),
    ],
)
def test_the_phase_follows_the_conference_date_in_vietnamese_time(received, expected):
    assert window.phase(received, "2026-06-22") == expected


def test_without_a_date_every_question_is_on_the_day():
    assert window.phase(at("01/01/2026"), None) == "day"
    assert window.phase(at("01/01/2026"), "") == "day"
    assert window.phase(None, "2026-06-22") == "day"
