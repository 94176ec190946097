"""The agenda clock and speaker timer, told as one conference day in Cao Bằng.

Every call passes ``now`` explicitly: the day starts at 08:00 ICT on 21 November 2025 and each
test moves the hands forward by hand. Nothing sleeps and nothing reads the real clock.

Agenda (5 100 s planned in total):

    khai-mac   Khai mạc                                   5 min
    chao-mung  Phát biểu chào mừng                        10 min
    bao-cao    Báo cáo chính: Chuyển đổi số ở Cao Bằng    30 min
    giai-lao   Giải lao                                   15 min
    thao-luan  Thảo luận                                  20 min
    be-mac     Bế mạc                                     5 min
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from live.core import clock as c
from live.core.clock import AgendaClock, Item, Run, SpeakerTimer
from live.core.errors import DomainError

ICT = timezone(timedelta(hours=7))
T0 = datetime(2025, 11, 21, 8, 0, tzinfo=ICT).timestamp()  # 08:00 in Cao Bằng


def at(minutes: float = 0, seconds: float = 0) -> float:
    """Epoch seconds ``minutes:seconds`` after 08:00 on the conference day."""
    return T0 + minutes * 60 + seconds


AGENDA = (
    Item("khai-mac", "Khai mạc", 300),
    Item("chao-mung", "Phát biểu chào mừng", 600),
    Item("bao-cao", "Báo cáo chính: Chuyển đổi số ở Cao Bằng", 1800),
    Item("giai-lao", "Giải lao", 900),
    Item("thao-luan", "Thảo luận", 1200),
    Item("be-mac", "Bế mạc", 300),
)
TOTAL_PLANNED = sum(item.planned for item in AGENDA)
PLANNED_END = T0 + TOTAL_PLANNED


@contextmanager
def refused(code: str):
    """Expect a DomainError with exactly this stable code."""
    with pytest.raises(DomainError) as info:
        yield info
    assert info.value.code == code
    assert info.value.as_dict()["code"] == code


def started(now: float = T0) -> AgendaClock:
    return c.start(AgendaClock(), AGENDA, now)


def json_trip(data: dict) -> dict:
    """What a screen receives: the dict after the wire."""
    return json.loads(json.dumps(data, ensure_ascii=False))


# ---------------------------------------------------------------- before the day


class TestBeforeTheDay:
    def test_a_fresh_clock_is_idle_with_nothing_to_show(self):
        clock = AgendaClock()
        assert c.status(clock) == "idle"
        assert not clock.running
        assert c.remaining(clock, AGENDA, T0) is None
        assert c.phase(clock, AGENDA, T0) == "normal"
        assert c.drift(clock, AGENDA, T0) is None
        assert c.elapsed(clock, "khai-mac", T0) == 0.0

    def test_report_before_the_day_lists_the_plan_with_nothing_done(self):
        rows = c.report(AgendaClock(), AGENDA, T0)
        assert [r["id"] for r in rows] == [i.id for i in AGENDA]
        assert [r["planned"] for r in rows] == [300, 600, 1800, 900, 1200, 300]
        assert all(r["actual"] == 0.0 and r["extra"] == 0 for r in rows)
        assert all(r["started_at"] is None and r["ended_at"] is None for r in rows)
        assert not any(r["done"] for r in rows)

    def test_an_empty_agenda_cannot_start(self):
        with refused("clock.no_items"):
            c.start(AgendaClock(), [], T0)
        with refused("clock.no_items"):
            c.next_item(AgendaClock(), [], T0)

    def test_nothing_but_start_makes_sense_before_the_day(self):
        idle = AgendaClock()
        with refused("clock.not_running"):
            c.pause(idle, T0)
        with refused("clock.not_started"):
            c.finish(idle, T0)
        with refused("clock.not_started"):
            c.adjust(idle, AGENDA, 60, T0)
        with refused("clock.no_previous"):
            c.previous_item(idle, AGENDA, T0)
        assert idle == AgendaClock()  # refused transitions leave the state alone

    def test_next_before_the_day_starts_the_first_item(self):
        clock = c.next_item(AgendaClock(), AGENDA, T0)
        assert clock == started(T0)


# ---------------------------------------------------------------- 08:00 the MC starts


class TestStart:
    def test_start_runs_the_first_item_and_opens_the_day(self):
        clock = started(T0)
        assert clock.current == "khai-mac"
        assert clock.running
        assert clock.running_since == T0
        assert clock.day_started_at == T0
        assert clock.finished_at is None
        assert clock.runs == {"khai-mac": Run(started_at=T0, ended_at=None, elapsed=0.0, extra=0)}
        assert c.status(clock) == "running"
        assert c.remaining(clock, AGENDA, T0) == 300
        assert c.drift(clock, AGENDA, T0) == 0

    def test_the_countdown_is_computed_not_ticked(self):
        clock = started(T0)
        assert c.remaining(clock, AGENDA, at(1)) == 240
        assert c.remaining(clock, AGENDA, at(2, 30.5)) == pytest.approx(149.5)
        assert c.elapsed(clock, "khai-mac", at(2, 30.5)) == pytest.approx(150.5)
        assert clock.runs["khai-mac"].elapsed == 0.0  # stored elapsed only moves on pause/leave

    def test_start_twice_is_refused(self):
        clock = started(T0)
        with refused("clock.already_running"):
            c.start(clock, AGENDA, at(0, 5))
        with refused("clock.already_running"):
            c.resume(clock, AGENDA, at(0, 5))

    def test_start_after_the_current_item_left_the_agenda_begins_at_the_first(self):
        clock = c.pause(c.jump(started(T0), AGENDA, "bao-cao", at(1)), at(2))
        shorter = [i for i in AGENDA if i.id != "bao-cao"]
        clock = c.start(clock, shorter, at(3))
        assert clock.current == "khai-mac"
        assert clock.running_since == at(3)
        assert clock.day_started_at == T0


# ---------------------------------------------------------------- pauses during the opening


class TestPauseAndResume:
    def test_elapsed_accumulates_across_several_pauses(self):
        clock = started(T0)
        clock = c.pause(clock, at(0, 100.5))  # the projector fails
        assert c.status(clock) == "paused"
        assert not clock.running
        assert clock.runs["khai-mac"].elapsed == pytest.approx(100.5)
        # paused: nothing moves, however long the break
        assert c.remaining(clock, AGENDA, at(0, 101)) == pytest.approx(199.5)
        assert c.remaining(clock, AGENDA, at(10)) == pytest.approx(199.5)

        clock = c.resume(clock, AGENDA, at(0, 150.5))
        assert c.status(clock) == "running"
        assert clock.running_since == at(0, 150.5)
        clock = c.pause(clock, at(0, 180.75))  # microphone feedback
        assert clock.runs["khai-mac"].elapsed == pytest.approx(130.75)
        clock = c.start(clock, AGENDA, at(0, 240))  # start on a paused clock resumes
        assert c.elapsed(clock, "khai-mac", at(0, 250)) == pytest.approx(140.75)
        assert c.remaining(clock, AGENDA, at(0, 250)) == pytest.approx(159.25)

    def test_resume_keeps_first_start_and_day_start(self):
        clock = c.resume(c.pause(started(T0), at(1)), AGENDA, at(3))
        assert clock.runs["khai-mac"].started_at == T0
        assert clock.runs["khai-mac"].ended_at is None
        assert clock.day_started_at == T0
        assert clock.current == "khai-mac"

    def test_pause_twice_is_refused(self):
        clock = c.pause(started(T0), at(1))
        with refused("clock.not_running"):
            c.pause(clock, at(2))

    def test_a_pause_stamped_before_the_resume_never_removes_time(self):
        clock = c.resume(c.pause(started(T0), at(1)), AGENDA, at(2))
        clock = c.pause(clock, at(1, 59))  # a late message with an earlier time
        assert clock.runs["khai-mac"].elapsed == 60.0
        assert c.elapsed(c.start(clock, AGENDA, at(3)), "khai-mac", at(2)) == 60.0


# ---------------------------------------------------------------- moving through the agenda


class TestNavigation:
    def test_next_closes_the_current_item_and_starts_the_following(self):
        clock = c.next_item(started(T0), AGENDA, at(5, 20))
        assert clock.current == "chao-mung"
        assert clock.running_since == at(5, 20)
        opening = clock.runs["khai-mac"]
        assert opening == Run(started_at=T0, ended_at=at(5, 20), elapsed=320.0, extra=0)
        welcome = clock.runs["chao-mung"]
        assert welcome == Run(started_at=at(5, 20), ended_at=None, elapsed=0.0, extra=0)
        assert c.remaining(clock, AGENDA, at(6, 20)) == 540
        assert c.elapsed(clock, "khai-mac", at(30)) == 320.0  # a left item no longer counts

    def test_next_from_a_paused_item_does_not_count_the_pause(self):
        clock = c.pause(started(T0), at(4))
        clock = c.next_item(clock, AGENDA, at(7))
        assert clock.runs["khai-mac"].elapsed == 240.0
        assert clock.runs["khai-mac"].ended_at == at(7)
        assert clock.running_since == at(7)
        assert c.status(clock) == "running"

    def test_previous_returns_to_an_item_with_the_time_it_had(self):
        clock = c.next_item(started(T0), AGENDA, at(5))  # opening: 300 s
        clock = c.previous_item(clock, AGENDA, at(5, 40))  # "wait, the chairman has not spoken"
        assert clock.current == "khai-mac"
        opening = clock.runs["khai-mac"]
        assert opening.started_at == T0  # first start is kept
        assert opening.ended_at is None  # it is running again
        assert opening.elapsed == 300.0
        assert c.remaining(clock, AGENDA, at(6, 40)) == -60  # already over, counts on
        welcome = clock.runs["chao-mung"]
        assert welcome == Run(started_at=at(5), ended_at=at(5, 40), elapsed=40.0, extra=0)

        clock = c.next_item(clock, AGENDA, at(7))  # opening really done now: 380 s
        assert clock.runs["khai-mac"] == Run(started_at=T0, ended_at=at(7), elapsed=380.0, extra=0)
        welcome = clock.runs["chao-mung"]
        assert welcome.started_at == at(5)  # first start, not the latest
        assert welcome.ended_at is None
        assert c.elapsed(clock, "chao-mung", at(8)) == 100.0
        assert c.remaining(clock, AGENDA, at(8)) == 500.0

    def test_jump_skips_ahead_and_back_keeping_everyones_time(self):
        clock = c.jump(started(T0), AGENDA, "bao-cao", at(2))  # keynote speaker must leave early
        assert clock.current == "bao-cao"
        assert clock.runs["khai-mac"].ended_at == at(2)
        assert "chao-mung" not in clock.runs  # skipped, never ran
        assert c.elapsed(clock, "chao-mung", at(2)) == 0.0

        clock = c.jump(clock, AGENDA, "chao-mung", at(32))
        assert clock.runs["bao-cao"] == Run(started_at=at(2), ended_at=at(32), elapsed=1800.0, extra=0)
        assert clock.runs["chao-mung"].started_at == at(32)
        clock = c.jump(clock, AGENDA, "khai-mac", at(40))
        assert clock.runs["khai-mac"].started_at == T0
        assert c.elapsed(clock, "khai-mac", at(41)) == 180.0
        assert c.elapsed(clock, "chao-mung", at(41)) == 480.0

    def test_jump_works_while_paused(self):
        clock = c.pause(started(T0), at(1))
        clock = c.jump(clock, AGENDA, "giai-lao", at(3))
        assert clock.runs["khai-mac"].elapsed == 60.0
        assert clock.current == "giai-lao"
        assert c.status(clock) == "running"

    def test_jump_before_the_day_starts_the_day_at_that_item(self):
        clock = c.jump(AgendaClock(), AGENDA, "bao-cao", T0)
        assert clock.current == "bao-cao"
        assert clock.day_started_at == T0
        assert clock.runs == {"bao-cao": Run(started_at=T0)}

    def test_refused_moves(self):
        clock = started(T0)
        with refused("clock.no_previous"):
            c.previous_item(clock, AGENDA, at(1))
        with refused("clock.already_current"):
            c.jump(clock, AGENDA, "khai-mac", at(1))
        with refused("clock.already_current"):
            c.jump(c.pause(clock, at(1)), AGENDA, "khai-mac", at(2))
        with refused("clock.unknown_item") as info:
            c.jump(clock, AGENDA, "tiec-tra", at(1))
        assert info.value.params == {"item": "tiec-tra"}

        last = c.jump(clock, AGENDA, "be-mac", at(80))
        with refused("clock.no_next"):
            c.next_item(last, AGENDA, at(85))


# ---------------------------------------------------------------- adding and removing time


class TestAdjust:
    def test_add_time_to_the_current_item(self):
        clock = c.jump(started(T0), AGENDA, "bao-cao", at(15))
        clock = c.adjust(clock, AGENDA, 120, at(40))  # the keynote asks for two more minutes
        assert clock.runs["bao-cao"].extra == 120
        assert c.remaining(clock, AGENDA, at(45)) == 1800 + 120 - 1800
        clock = c.adjust(clock, AGENDA, 60, at(46))
        assert clock.runs["bao-cao"].extra == 180
        assert c.remaining(clock, AGENDA, at(46)) == 1800 + 180 - 1860

    def test_remove_time_and_never_below_zero_total(self):
        clock = c.next_item(started(T0), AGENDA, at(5))  # welcome speech, 600 s
        clock = c.adjust(clock, AGENDA, -240, at(6))
        assert clock.runs["chao-mung"].extra == -240
        assert c.remaining(clock, AGENDA, at(6)) == 300
        clock = c.adjust(clock, AGENDA, -3600, at(7))  # more than is left: total becomes zero
        assert clock.runs["chao-mung"].extra == -600
        assert c.remaining(clock, AGENDA, at(7)) == -120  # total 0, 120 s spent
        assert c.phase(clock, AGENDA, at(7)) == "overrun"
        clock = c.adjust(clock, AGENDA, -60, at(7))
        assert clock.runs["chao-mung"].extra == -600  # still exactly zero total
        clock = c.adjust(clock, AGENDA, 300, at(7))
        assert clock.runs["chao-mung"].extra == -300
        assert c.remaining(clock, AGENDA, at(7)) == 180

    def test_adjust_while_paused_and_extra_follows_the_item(self):
        clock = c.pause(started(T0), at(2))
        clock = c.adjust(clock, AGENDA, 90, at(3))
        assert c.status(clock) == "paused"
        assert c.remaining(clock, AGENDA, at(9)) == 300 + 90 - 120
        clock = c.next_item(clock, AGENDA, at(10))
        assert clock.runs["chao-mung"].extra == 0  # extra belongs to the item, not the slot
        clock = c.previous_item(clock, AGENDA, at(11))
        assert clock.runs["khai-mac"].extra == 90
        assert c.remaining(clock, AGENDA, at(11)) == 300 + 90 - 120

    def test_adjust_up_to_the_limit(self):
        clock = c.adjust(started(T0), AGENDA, c.MAX_ADJUST, at(1))
        assert clock.runs["khai-mac"].extra == c.MAX_ADJUST
        clock = c.adjust(clock, AGENDA, -c.MAX_ADJUST, at(1))
        assert clock.runs["khai-mac"].extra == 0

    @pytest.mark.parametrize(
        "seconds",
        [0, 1.5, 60.0, "60", None, True, False, c.MAX_ADJUST + 1, -(c.MAX_ADJUST + 1), float("nan")],
    )
    def test_bad_adjust_values_are_refused(self, seconds):
        clock = started(T0)
        with refused("clock.bad_adjust"):
            c.adjust(clock, AGENDA, seconds, at(1))

    def test_adjust_after_finish_is_refused(self):
        clock = c.finish(started(T0), at(5))
        with refused("clock.not_started"):
            c.adjust(clock, AGENDA, 60, at(6))

    def test_adjust_on_an_item_gone_from_the_agenda_never_goes_negative(self):
        clock = started(T0)
        gone = [i for i in AGENDA if i.id != "khai-mac"]
        clock = c.adjust(clock, gone, -60, at(1))
        assert clock.runs["khai-mac"].extra == 0


# ---------------------------------------------------------------- warning and overrun


class TestPhase:
    @pytest.mark.parametrize(
        ("at_second", "expected"),
        [
            (0, "normal"),
            (239, "normal"),
            (239.5, "normal"),
            (240, "warning"),
            (299.5, "warning"),
            (300, "overrun"),
            (301, "overrun"),
            (900, "overrun"),
        ],
    )
    def test_default_warning_is_the_last_minute(self, at_second, expected):
        assert c.DEFAULT_WARNING == 60
        clock = started(T0)  # opening, 300 s
        assert c.phase(clock, AGENDA, at(0, at_second)) == expected

    @pytest.mark.parametrize(
        ("at_second", "expected"),
        [(179, "normal"), (180, "warning"), (299, "warning"), (300, "overrun")],
    )
    def test_configured_warning(self, at_second, expected):
        clock = started(T0)
        assert c.phase(clock, AGENDA, at(0, at_second), warning=120) == expected

    def test_phase_for_boundaries(self):
        assert c.phase_for(None, 60) == "normal"
        assert c.phase_for(61, 60) == "normal"
        assert c.phase_for(60, 60) == "warning"
        assert c.phase_for(0.01, 60) == "warning"
        assert c.phase_for(0, 60) == "overrun"
        assert c.phase_for(-0.01, 60) == "overrun"
        assert c.phase_for(5, 0) == "normal"

    def test_overrun_counts_up(self):
        clock = started(T0)
        assert c.remaining(clock, AGENDA, at(5, 1)) == -1
        assert c.remaining(clock, AGENDA, at(5, 10)) == -10
        assert c.remaining(clock, AGENDA, at(6, 30)) == -90
        paused = c.pause(clock, at(6, 30))
        assert c.remaining(paused, AGENDA, at(20)) == -90  # a paused overrun stays put
        assert c.phase(paused, AGENDA, at(20)) == "overrun"
        more = c.adjust(paused, AGENDA, 120, at(20))
        assert c.remaining(more, AGENDA, at(20)) == 30
        assert c.phase(more, AGENDA, at(20)) == "warning"

    def test_no_current_item_is_normal(self):
        assert c.phase(c.finish(started(T0), at(5)), AGENDA, at(6)) == "normal"


# ---------------------------------------------------------------- how late is the day


class TestDrift:
    def test_on_plan_the_drift_stays_zero(self):
        clock = started(T0)
        for minute in (0, 1, 2.5, 4.99):
            assert c.drift(clock, AGENDA, at(minute)) == pytest.approx(0)
        clock = c.next_item(clock, AGENDA, at(5))
        assert c.drift(clock, AGENDA, at(5)) == pytest.approx(0)
        assert c.drift(clock, AGENDA, at(14)) == pytest.approx(0)

    def test_behind_when_an_item_overruns_and_growing_while_it_does(self):
        clock = started(T0)
        assert c.drift(clock, AGENDA, at(6)) == pytest.approx(60)
        assert c.drift(clock, AGENDA, at(7)) == pytest.approx(120)
        clock = c.next_item(clock, AGENDA, at(7))
        assert c.drift(clock, AGENDA, at(7)) == pytest.approx(120)
        assert c.drift(clock, AGENDA, at(10)) == pytest.approx(120)  # welcome on pace: no change

    def test_a_pause_puts_the_day_behind(self):
        clock = c.pause(started(T0), at(2))
        assert c.drift(clock, AGENDA, at(2)) == pytest.approx(0)
        assert c.drift(clock, AGENDA, at(7)) == pytest.approx(300)
        clock = c.resume(clock, AGENDA, at(7))
        clock = c.pause(clock, at(8))
        clock = c.resume(clock, AGENDA, at(8, 30))
        assert c.drift(clock, AGENDA, at(9)) == pytest.approx(330)

    def test_ahead_when_an_item_ends_early(self):
        clock = c.next_item(started(T0), AGENDA, at(3, 20))  # opening took 200 of 300 s
        assert c.drift(clock, AGENDA, at(3, 20)) == pytest.approx(-100)
        assert c.drift(clock, AGENDA, at(8)) == pytest.approx(-100)

    def test_skipped_items_count_as_done(self):
        clock = c.next_item(started(T0), AGENDA, at(5))
        clock = c.jump(clock, AGENDA, "thao-luan", at(15))  # keynote late, no coffee break
        assert c.drift(clock, AGENDA, at(15)) == pytest.approx(-(1800 + 900))
        # the keynote speaker arrives: back to báo cáo chính. The discussion, visited for 5 of its
        # 20 minutes and left, still has 15 minutes to run later; so do the break and the closing.
        clock = c.jump(clock, AGENDA, "bao-cao", at(20))
        assert clock.runs["thao-luan"].ended_at == at(20)
        # projected: now + 1800 left of keynote + 900 break + 900 left of discussion + 300 closing
        assert c.drift(clock, AGENDA, at(20)) == pytest.approx(at(20) + 1800 + 900 + 900 + 300 - PLANNED_END)
        assert c.drift(clock, AGENDA, at(20)) == pytest.approx(0)

    def test_a_mistaken_next_does_not_make_the_day_look_ahead(self):
        clock = c.next_item(started(T0), AGENDA, at(5))  # khai mạc done on time
        clock = c.next_item(clock, AGENDA, at(6))  # one tap too many: báo cáo chính for 2 s
        clock = c.previous_item(clock, AGENDA, at(6, 2))
        # the 2 s went to báo cáo chính, which still has the rest of its time to run: on plan
        assert c.drift(clock, AGENDA, at(6, 2)) == pytest.approx(0, abs=0.01)

    def test_added_time_moves_the_projected_end(self):
        clock = c.adjust(started(T0), AGENDA, 180, at(1))
        assert c.drift(clock, AGENDA, at(1)) == pytest.approx(180)
        clock = c.adjust(clock, AGENDA, -240, at(1))
        assert c.drift(clock, AGENDA, at(1)) == pytest.approx(-60)

    def test_final_drift_after_finish_is_fixed(self):
        clock = c.jump(started(T0), AGENDA, "be-mac", at(80))  # closing at 09:20, 5 min late
        clock = c.finish(clock, at(86))  # plan said 09:25, the day ends 09:26
        assert c.drift(clock, AGENDA, at(86)) == pytest.approx(at(86) - PLANNED_END)
        assert c.drift(clock, AGENDA, at(86)) == pytest.approx(60)
        assert c.drift(clock, AGENDA, at(200)) == pytest.approx(60)  # later does not matter

    def test_finishing_early_is_ahead(self):
        clock = c.finish(c.next_item(started(T0), AGENDA, at(5)), at(15))
        assert c.drift(clock, AGENDA, at(15)) == pytest.approx(at(15) - PLANNED_END)
        assert c.drift(clock, AGENDA, at(15)) < 0

    def test_no_drift_without_a_current_item_mid_day(self):
        clock = c.prune(started(T0), [i for i in AGENDA if i.id != "khai-mac"])
        assert c.drift(clock, AGENDA, at(1)) is None


# ---------------------------------------------------------------- the end of the day


class TestFinishAndReset:
    def test_finish_stops_the_last_item_and_the_day(self):
        clock = c.jump(started(T0), AGENDA, "be-mac", at(80))
        clock = c.finish(clock, at(84, 30))
        assert c.status(clock) == "finished"
        assert clock.current is None
        assert not clock.running
        assert clock.finished_at == at(84, 30)
        assert clock.runs["be-mac"] == Run(started_at=at(80), ended_at=at(84, 30), elapsed=270.0, extra=0)
        assert c.remaining(clock, AGENDA, at(90)) is None

    def test_finish_while_paused_keeps_the_paused_time(self):
        clock = c.finish(c.pause(started(T0), at(2)), at(9))
        assert clock.runs["khai-mac"].elapsed == 120.0
        assert clock.runs["khai-mac"].ended_at == at(9)
        assert clock.finished_at == at(9)

    def test_after_finish_the_day_refuses_to_carry_on(self):
        clock = c.finish(started(T0), at(5))
        with refused("clock.finished"):
            c.start(clock, AGENDA, at(6))
        with refused("clock.finished"):
            c.resume(clock, AGENDA, at(6))
        with refused("clock.no_next"):
            c.next_item(clock, AGENDA, at(6))
        with refused("clock.no_previous"):
            c.previous_item(clock, AGENDA, at(6))
        with refused("clock.not_running"):
            c.pause(clock, at(6))
        with refused("clock.not_started"):
            c.finish(clock, at(6))

    def test_jump_after_finish_reopens_the_day(self):
        clock = c.finish(c.next_item(started(T0), AGENDA, at(5)), at(15))
        clock = c.jump(clock, AGENDA, "chao-mung", at(16))  # the chairman has one more word
        assert c.status(clock) == "running"
        assert clock.finished_at is None
        assert clock.current == "chao-mung"
        assert clock.day_started_at == T0
        assert clock.runs["chao-mung"].started_at == at(5)
        assert clock.runs["chao-mung"].ended_at is None
        assert c.elapsed(clock, "chao-mung", at(17)) == 660.0
        assert c.drift(clock, AGENDA, at(17)) == pytest.approx(at(17) + 0 + 1800 + 900 + 1200 + 300 - PLANNED_END)
        clock = c.finish(clock, at(18))
        assert clock.finished_at == at(18)

    def test_reset_forgets_the_rehearsal(self):
        rehearsal = c.finish(c.next_item(started(T0 - 86400), AGENDA, T0 - 86000), T0 - 85000)
        clock = c.reset(rehearsal)
        assert clock == AgendaClock()
        assert c.status(clock) == "idle"
        clock = c.start(clock, AGENDA, T0)
        assert clock.day_started_at == T0
        assert set(clock.runs) == {"khai-mac"}


# ---------------------------------------------------------------- the state on the wire


class TestSerialization:
    def _day(self):
        """Snapshots of the clock at interesting moments of a day."""
        idle = AgendaClock()
        running = c.adjust(c.next_item(started(T0 + 0.25), AGENDA, at(5, 0.125)), AGENDA, 90, at(6))
        paused = c.pause(running, at(7, 33.3))
        finished = c.finish(c.jump(paused, AGENDA, "be-mac", at(80)), at(85))
        reopened = c.jump(finished, AGENDA, "thao-luan", at(86))
        return [idle, running, paused, finished, reopened]

    def test_round_trip_through_json(self):
        for clock in self._day():
            data = json_trip(clock.to_dict())
            assert AgendaClock.from_dict(data) == clock
            assert AgendaClock.from_dict(data).to_dict() == clock.to_dict()

    def test_a_restored_clock_tells_the_same_time(self):
        for clock in self._day():
            restored = AgendaClock.from_dict(json_trip(clock.to_dict()))
            for now in (at(8), at(90)):
                assert c.remaining(restored, AGENDA, now) == c.remaining(clock, AGENDA, now)
                assert c.drift(restored, AGENDA, now) == c.drift(clock, AGENDA, now)
                assert c.status(restored) == c.status(clock)
                assert c.report(restored, AGENDA, now) == c.report(clock, AGENDA, now)

    def test_the_dict_is_plain_json(self):
        data = self._day()[2].to_dict()
        assert set(data) == {"current", "running_since", "day_started_at", "finished_at", "runs"}
        assert set(data["runs"]["chao-mung"]) == {"started_at", "ended_at", "elapsed", "extra"}
        assert json.loads(json.dumps(data)) == data

    def test_empty_data_is_a_fresh_clock(self):
        assert AgendaClock.from_dict(None) == AgendaClock()
        assert AgendaClock.from_dict({}) == AgendaClock()
        assert AgendaClock.from_dict({"runs": None}) == AgendaClock()

    def test_speaker_timer_round_trip(self):
        for timer in (
            SpeakerTimer(),
            c.speaker_start(SpeakerTimer(), at(20), 180, label="Câu hỏi của đại biểu xã Hà Quảng"),
            c.speaker_stop(c.speaker_start(SpeakerTimer(), at(20), 180), at(21, 0.5)),
        ):
            assert SpeakerTimer.from_dict(json_trip(timer.to_dict())) == timer
        assert SpeakerTimer.from_dict(None) == SpeakerTimer()
        assert SpeakerTimer.from_dict({}) == SpeakerTimer()


# ---------------------------------------------------------------- the agenda is edited mid-day


class TestPrune:
    def test_removing_other_items_drops_their_runs(self):
        clock = c.next_item(c.next_item(started(T0), AGENDA, at(5)), AGENDA, at(15))
        agenda = [i for i in AGENDA if i.id != "khai-mac"]
        pruned = c.prune(clock, agenda)
        assert set(pruned.runs) == {"chao-mung", "bao-cao"}
        assert pruned.current == "bao-cao"
        assert pruned.running_since == clock.running_since
        assert c.remaining(pruned, agenda, at(20)) == c.remaining(clock, AGENDA, at(20))

    def test_removing_the_current_item_leaves_no_current(self):
        clock = c.next_item(started(T0), AGENDA, at(5))
        agenda = [i for i in AGENDA if i.id != "chao-mung"]
        pruned = c.prune(clock, agenda)
        assert pruned.current is None
        assert pruned.running_since is None
        assert set(pruned.runs) == {"khai-mac"}
        assert pruned.day_started_at == T0
        assert c.status(pruned) == "idle"
        assert c.remaining(pruned, agenda, at(6)) is None
        restarted = c.start(pruned, agenda, at(7))
        assert restarted.current == "khai-mac"
        assert restarted.runs["khai-mac"].elapsed == 300.0

    def test_prune_accepts_any_iterable_and_keeps_a_full_agenda(self):
        clock = c.next_item(started(T0), AGENDA, at(5))
        assert c.prune(clock, iter(AGENDA)) == clock
        assert c.prune(clock, (i for i in AGENDA)) == clock


# ---------------------------------------------------------------- planned against actual


class TestReport:
    def test_the_days_record(self):
        clock = started(T0)
        clock = c.next_item(clock, AGENDA, at(6, 12.34))  # opening ran over
        clock = c.adjust(clock, AGENDA, 120, at(7))
        clock = c.next_item(clock, AGENDA, at(18))
        clock = c.jump(clock, AGENDA, "thao-luan", at(50))  # keynote short, no coffee break
        rows = {r["id"]: r for r in c.report(clock, AGENDA, at(55, 0.06))}

        assert rows["khai-mac"] == {
            "id": "khai-mac",
            "title": "Khai mạc",
            "planned": 300,
            "extra": 0,
            "actual": 372.3,
            "started_at": T0,
            "ended_at": at(6, 12.34),
            "done": True,
        }
        assert rows["chao-mung"]["extra"] == 120
        assert rows["chao-mung"]["actual"] == pytest.approx(707.7)
        assert rows["bao-cao"]["actual"] == 1920.0
        assert rows["bao-cao"]["done"] is True
        assert rows["giai-lao"] == {
            "id": "giai-lao",
            "title": "Giải lao",
            "planned": 900,
            "extra": 0,
            "actual": 0.0,
            "started_at": None,
            "ended_at": None,
            "done": False,
        }
        current = rows["thao-luan"]
        assert current["actual"] == 300.1  # includes the running stretch, rounded to 0.1 s
        assert current["started_at"] == at(50)
        assert current["ended_at"] is None
        assert current["done"] is False
        assert rows["be-mac"]["done"] is False

    def test_report_keeps_agenda_order_and_vietnamese_titles(self):
        rows = c.report(started(T0), AGENDA, at(1))
        assert [r["title"] for r in rows] == [i.title for i in AGENDA]
        assert json.loads(json.dumps(rows, ensure_ascii=False))[2]["title"] == "Báo cáo chính: Chuyển đổi số ở Cao Bằng"

    def test_after_finish_every_visited_item_is_done(self):
        clock = c.finish(c.next_item(started(T0), AGENDA, at(5)), at(15))
        rows = c.report(clock, AGENDA, at(20))
        assert [r["done"] for r in rows] == [True, True, False, False, False, False]
        assert [r["actual"] for r in rows[:2]] == [300.0, 600.0]

    def test_a_paused_current_item_is_not_done(self):
        clock = c.pause(c.next_item(started(T0), AGENDA, at(5)), at(6))
        row = c.report(clock, AGENDA, at(9))[1]
        assert row["done"] is False
        assert row["actual"] == 60.0


# ---------------------------------------------------------------- the speaker timer in the discussion


class TestSpeakerTimer:
    def test_an_unset_timer_shows_nothing(self):
        timer = SpeakerTimer()
        assert not timer.running
        assert c.speaker_remaining(timer, at(50)) is None
        assert c.phase_for(c.speaker_remaining(timer, at(50)), c.DEFAULT_SPEAKER_WARNING) == "normal"

    def test_three_minutes_for_a_question(self):
        timer = c.speaker_start(SpeakerTimer(), at(60), 180, label="Đại biểu xã Trùng Khánh")
        assert timer.running
        assert timer.label == "Đại biểu xã Trùng Khánh"
        assert timer.running_since == at(60)
        assert c.speaker_remaining(timer, at(60)) == 180
        assert c.speaker_remaining(timer, at(61, 30)) == 90
        assert c.phase_for(c.speaker_remaining(timer, at(62, 30)), c.DEFAULT_SPEAKER_WARNING) == "warning"

    def test_stop_keeps_the_time_used_and_start_resumes(self):
        timer = c.speaker_start(SpeakerTimer(), at(60), 180)
        timer = c.speaker_stop(timer, at(61))
        assert not timer.running
        assert timer.elapsed == 60.0
        assert c.speaker_remaining(timer, at(70)) == 120  # stopped: frozen
        timer = c.speaker_start(timer, at(71))  # resume, no duration
        assert timer.duration == 180
        assert timer.running_since == at(71)
        assert c.speaker_remaining(timer, at(72)) == 60
        timer = c.speaker_stop(timer, at(72, 30))
        timer = c.speaker_start(timer, at(73))
        assert c.speaker_remaining(timer, at(73)) == 30  # 150 s used
        assert c.speaker_remaining(timer, at(73, 30.5)) == -0.5  # over time: negative
        assert c.phase_for(c.speaker_remaining(timer, at(73, 30.5)), c.DEFAULT_SPEAKER_WARNING) == "overrun"

    def test_a_new_duration_starts_fresh_even_while_running(self):
        timer = c.speaker_start(SpeakerTimer(), at(60), 180, label="A")
        timer = c.speaker_start(timer, at(62), 120, label="B")
        assert timer == SpeakerTimer(duration=120, running_since=at(62), elapsed=0.0, label="B")

    def test_reset_clears_the_timer(self):
        timer = c.speaker_start(SpeakerTimer(), at(60), 180)
        assert c.speaker_reset(timer) == SpeakerTimer()
        assert c.speaker_remaining(c.speaker_reset(timer), at(61)) is None

    def test_the_longest_allowed_answer(self):
        timer = c.speaker_start(SpeakerTimer(), at(60), c.MAX_SPEAKER)
        assert c.speaker_remaining(timer, at(60)) == 3600

    @pytest.mark.parametrize("duration", [0, -5, c.MAX_SPEAKER + 1, 1.5, 180.0, "180", True, float("inf")])
    def test_bad_durations_are_refused(self, duration):
        with refused("speaker.bad_duration"):
            c.speaker_start(SpeakerTimer(), at(60), duration)

    def test_refused_speaker_moves(self):
        with refused("speaker.bad_duration"):
            c.speaker_start(SpeakerTimer(), at(60))  # nothing to resume
        running = c.speaker_start(SpeakerTimer(), at(60), 180)
        with refused("speaker.already_running"):
            c.speaker_start(running, at(61))
        with refused("speaker.not_running"):
            c.speaker_stop(SpeakerTimer(), at(61))
        with refused("speaker.not_running"):
            c.speaker_stop(c.speaker_stop(running, at(61)), at(62))

    def test_the_speaker_timer_does_not_touch_the_agenda(self):
        clock = c.jump(started(T0), AGENDA, "thao-luan", at(60))
        timer = c.speaker_start(SpeakerTimer(), at(61), 180)
        timer = c.speaker_stop(timer, at(64))
        assert c.remaining(clock, AGENDA, at(64)) == 1200 - 240
        assert c.speaker_remaining(timer, at(64)) == 0


# ---------------------------------------------------------------- screens with wrong clocks


class SkewedScreen:
    """A projector or phone whose own clock is ``skew`` seconds off the server's.

    It learns its offset from one NTP-style exchange and then computes the countdown from the
    serialized state alone, the way ``static/js/common.js`` does on every screen.
    """

    def __init__(self, skew: float) -> None:
        self.skew = skew
        self.offset = 0.0

    def device_now(self, true_now: float) -> float:
        return true_now + self.skew

    def sync(self, true_now: float, there: float = 0.04, back: float | None = None) -> float:
        """Ping the server at ``true_now``; the answer carries the server's time when it replied."""
        back = there if back is None else back
        t0 = self.device_now(true_now)
        server_time = true_now + there  # the server's clock is the true one
        t1 = self.device_now(true_now + there + back)
        self.offset = server_time - (t0 + t1) / 2
        return self.offset

    def server_now(self, true_now: float) -> float:
        return self.device_now(true_now) + self.offset

    def remaining(self, state: dict, agenda: list[dict], true_now: float) -> float | None:
        current = state["current"]
        planned = {row["id"]: row["planned"] for row in agenda}
        if current is None or current not in planned:
            return None
        run = state["runs"].get(current) or {}
        used = run.get("elapsed", 0.0)
        if state["running_since"] is not None:
            used += max(0.0, self.server_now(true_now) - state["running_since"])
        return planned[current] + run.get("extra", 0) - used

    def speaker_remaining(self, timer: dict, true_now: float) -> float | None:
        if timer["duration"] <= 0:
            return None
        used = timer["elapsed"]
        if timer["running_since"] is not None:
            used += max(0.0, self.server_now(true_now) - timer["running_since"])
        return timer["duration"] - used


WIRE_AGENDA = json_trip({"items": [{"id": i.id, "title": i.title, "planned": i.planned} for i in AGENDA]})["items"]


class TestSkewedClients:
    def _screens(self, sync_at: float) -> list[SkewedScreen]:
        hall = SkewedScreen(+300.0)  # the hall projector runs five minutes fast
        phone = SkewedScreen(-137.0)  # the MC's phone is behind
        for screen in (hall, phone):
            screen.sync(sync_at)
        return [hall, phone]

    def test_offsets_cancel_the_skew(self):
        hall, phone = self._screens(T0 - 60)
        assert hall.offset == pytest.approx(-300.0, abs=1e-3)
        assert phone.offset == pytest.approx(137.0, abs=1e-3)

    def test_screens_agree_with_the_server_through_the_day(self):
        screens = self._screens(T0 - 60)
        clock = AgendaClock()
        timeline = [
            (at(0), lambda k, t: c.start(k, AGENDA, t)),
            (at(2, 10.3), lambda k, t: c.pause(k, t)),
            (at(4), lambda k, t: c.resume(k, AGENDA, t)),
            (at(7, 0.7), lambda k, t: c.next_item(k, AGENDA, t)),
            (at(9), lambda k, t: c.adjust(k, AGENDA, 120, t)),
            (at(20), lambda k, t: c.jump(k, AGENDA, "thao-luan", t)),
            (at(45), lambda k, t: c.previous_item(k, AGENDA, t)),
            (at(50), lambda k, t: c.finish(k, t)),
        ]
        checks = 0
        for when, action in timeline:
            clock = action(clock, when)
            state = json_trip(clock.to_dict())  # broadcast once per change
            for later in (0.0, 0.5, 1.0, 13.7, 59.9, 61.0, 240.0):  # screens compute on their own
                now = when + later
                server = c.remaining(clock, AGENDA, now)
                for screen in screens:
                    seen = screen.remaining(state, WIRE_AGENDA, now)
                    if server is None:
                        assert seen is None
                    else:
                        assert abs(seen - server) < 0.5
                        checks += 1
        assert checks > 0

    def test_without_the_offset_a_screen_would_be_minutes_off(self):
        clock = started(T0)
        state = json_trip(clock.to_dict())
        naive = SkewedScreen(+300.0)  # never synced
        assert c.remaining(clock, AGENDA, at(1)) == 240
        assert naive.remaining(state, WIRE_AGENDA, at(1)) == pytest.approx(-60)

    def test_a_slightly_lopsided_network_still_agrees_within_half_a_second(self):
        clock = started(T0)
        state = json_trip(clock.to_dict())
        for skew in (300.0, -137.0):
            screen = SkewedScreen(skew)
            screen.sync(T0 - 5, there=0.05, back=0.65)  # error is half the asymmetry: 0.3 s
            assert abs(screen.remaining(state, WIRE_AGENDA, at(2)) - c.remaining(clock, AGENDA, at(2))) < 0.5

    def test_the_speaker_timer_agrees_too(self):
        screens = self._screens(at(59))
        asking = c.speaker_start(SpeakerTimer(), at(60), 180, label="Đại biểu xã Bảo Lạc")
        stopped = c.speaker_stop(asking, at(61))
        resumed = c.speaker_start(stopped, at(62))
        for when, timer in ((at(60), asking), (at(61), stopped), (at(62), resumed)):
            state = json_trip(timer.to_dict())
            for later in (0, 1.25, 30, 200):
                server = c.speaker_remaining(timer, when + later)
                for screen in screens:
                    assert abs(screen.speaker_remaining(state, when + later) - server) < 0.5

    @settings(max_examples=200, deadline=None, database=None)
    @given(
        skew=st.floats(min_value=-3 * 3600, max_value=3 * 3600, allow_nan=False),
        one_way=st.floats(min_value=0.0, max_value=2.0, allow_nan=False),
        later=st.floats(min_value=0.0, max_value=7200.0, allow_nan=False),
    )
    def test_any_skew_with_a_symmetric_round_trip(self, skew, one_way, later):
        clock = c.jump(started(T0), AGENDA, "bao-cao", at(5))
        state = json_trip(clock.to_dict())
        screen = SkewedScreen(skew)
        screen.sync(at(4), there=one_way)
        now = at(5) + later
        assert abs(screen.remaining(state, WIRE_AGENDA, now) - c.remaining(clock, AGENDA, now)) < 0.5


# ---------------------------------------------------------------- the whole day, start to finish


def test_the_conference_day():
    clock = AgendaClock()
    assert c.status(clock) == "idle"

    # 08:00 — khai mạc starts on time
    clock = c.start(clock, AGENDA, at(0))
    assert (c.status(clock), clock.current, c.remaining(clock, AGENDA, at(0))) == ("running", "khai-mac", 300)

    # 08:04 — one minute left: the warning colour comes on
    assert c.phase(clock, AGENDA, at(4)) == "warning"
    # 08:05:30 — the MC is still reading the guest list
    assert c.phase(clock, AGENDA, at(5, 30)) == "overrun"
    assert c.remaining(clock, AGENDA, at(5, 30)) == -30

    # 08:06 — phát biểu chào mừng, the day is one minute behind
    clock = c.next_item(clock, AGENDA, at(6))
    assert c.drift(clock, AGENDA, at(6)) == pytest.approx(60)

    # 08:10 — the microphone dies; the technician takes three minutes
    clock = c.pause(clock, at(10))
    assert c.status(clock) == "paused"
    clock = c.resume(clock, AGENDA, at(13))
    assert c.drift(clock, AGENDA, at(13)) == pytest.approx(240)
    assert c.elapsed(clock, "chao-mung", at(13)) == 240

    # 08:19 — the chairman finishes; báo cáo chính; the speaker gets two extra minutes
    clock = c.next_item(clock, AGENDA, at(19))
    clock = c.adjust(clock, AGENDA, 120, at(40))
    assert c.remaining(clock, AGENDA, at(40)) == 1800 + 120 - 1260
    assert c.drift(clock, AGENDA, at(40)) == pytest.approx(240 + 120)

    # 08:51 — the keynote ends; the coffee break is cut short and skipped
    clock = c.next_item(clock, AGENDA, at(51))
    clock = c.next_item(clock, AGENDA, at(56))
    assert clock.current == "thao-luan"
    assert c.drift(clock, AGENDA, at(56)) == pytest.approx(at(56) + 1200 + 300 - PLANNED_END)

    # 09:00 — a delegate asks a question: three minutes on the speaker timer
    timer = c.speaker_start(SpeakerTimer(), at(60), 180, label="Đại biểu huyện Nguyên Bình")
    timer = c.speaker_stop(timer, at(63, 20))
    assert c.speaker_remaining(timer, at(64)) == -20
    timer = c.speaker_reset(timer)

    # 09:16 — bế mạc; 09:20 — the day is over
    clock = c.next_item(clock, AGENDA, at(76))
    clock = c.finish(clock, at(80))
    assert c.status(clock) == "finished"
    final = c.drift(clock, AGENDA, at(90))
    assert final == pytest.approx(at(80) - PLANNED_END)  # 85 min planned, 80 min spent: ahead
    assert final == pytest.approx(-300)

    # the record survives the database
    restored = AgendaClock.from_dict(json_trip(clock.to_dict()))
    assert restored == clock
    rows = {r["id"]: r for r in c.report(restored, AGENDA, at(90))}
    assert {k: r["actual"] for k, r in rows.items()} == {
        "khai-mac": 360.0,
        "chao-mung": 600.0,
        "bao-cao": 1920.0,
        "giai-lao": 300.0,
        "thao-luan": 1200.0,
        "be-mac": 240.0,
    }
    assert sum(r["actual"] for r in rows.values()) + 180 == at(80) - T0  # plus the 3-minute pause
    assert all(r["done"] for r in rows.values())

    # the morning after: a new rehearsal starts from nothing
    assert c.reset(clock) == AgendaClock()


# ---------------------------------------------------------------- properties over random days

OPS = st.sampled_from(["start", "pause", "next", "previous", "jump", "adjust", "finish"])


@settings(max_examples=300, deadline=None, database=None)
@given(
    steps=st.lists(
        st.tuples(
            OPS,
            st.integers(min_value=0, max_value=4 * 900),
            st.integers(0, len(AGENDA) - 1),
            st.integers(min_value=-1200, max_value=1200),
        ),
        max_size=40,
    )
)
def test_any_sequence_of_mc_actions_keeps_the_books(steps):
    """Whatever the MC presses, time is neither lost nor invented and the state survives JSON."""
    clock = AgendaClock()
    now = T0
    running_total = 0.0
    for op, quarter_seconds, index, seconds in steps:
        dt = quarter_seconds / 4
        if clock.running:
            running_total += dt
        now += dt
        before = clock
        try:
            if op == "start":
                clock = c.start(clock, AGENDA, now)
            elif op == "pause":
                clock = c.pause(clock, now)
            elif op == "next":
                clock = c.next_item(clock, AGENDA, now)
            elif op == "previous":
                clock = c.previous_item(clock, AGENDA, now)
            elif op == "jump":
                clock = c.jump(clock, AGENDA, AGENDA[index].id, now)
            elif op == "adjust":
                clock = c.adjust(clock, AGENDA, seconds, now)
            elif op == "finish":
                clock = c.finish(clock, now)
        except DomainError as error:
            assert error.code.startswith("clock.")
            assert clock is before

        spent = sum(c.elapsed(clock, item.id, now) for item in AGENDA)
        assert spent == pytest.approx(running_total)
        assert all(item.planned + clock.runs.get(item.id, Run()).extra >= 0 for item in AGENDA)
        assert (c.status(clock) == "running") == clock.running
        if clock.running:
            assert clock.current is not None and clock.runs[clock.current].ended_at is None
        assert AgendaClock.from_dict(json_trip(clock.to_dict())) == clock
        if c.status(clock) == "finished":
            assert clock.current is None
            assert c.drift(clock, AGENDA, now) == pytest.approx(
                clock.finished_at - clock.day_started_at - TOTAL_PLANNED
            )
        elif c.status(clock) in ("running", "paused"):
            # never more ahead than "nothing left to do at all"
            assert c.drift(clock, AGENDA, now) >= now - (clock.day_started_at + TOTAL_PLANNED) - 1e-6


@settings(max_examples=200, deadline=None, database=None)
@given(
    plan=st.lists(
        st.tuples(st.integers(1, 3600), st.integers(0, 4 * 3600), st.integers(0, 4 * 600)),
        min_size=1,
        max_size=8,
    )
)
def test_final_drift_is_overruns_plus_pauses(plan):
    """A day walked in order: final drift = sum(actual - planned) + time spent paused."""
    items = [Item(f"muc-{n}", f"Mục {n}", planned) for n, (planned, _, _) in enumerate(plan)]
    clock = c.start(AgendaClock(), items, T0)
    now = T0
    expected = 0.0
    for n, (planned, run_quarters, pause_quarters) in enumerate(plan):
        run, held = run_quarters / 4, pause_quarters / 4
        now += run / 2
        clock = c.pause(clock, now)
        now += held
        clock = c.resume(clock, items, now)
        now += run - run / 2
        expected += run - planned + held
        clock = c.next_item(clock, items, now) if n + 1 < len(items) else c.finish(clock, now)
    assert c.status(clock) == "finished"
    assert c.drift(clock, items, now) == pytest.approx(expected)
    assert [r["actual"] for r in c.report(clock, items, now)] == [round(run / 4, 1) for _, run, _ in plan]
