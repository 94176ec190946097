"""The demo's month before the day (``live serve --demo``): what a newcomer finds two weeks
before the dialogue, made by the same code as the real thing on a clock set back."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from live.core import window as rules
from live.services import demo, preparation
from live.services import script as scripts
from live.services.day import Day
from live.store import SqliteStore
from live.store.redis import RedisStore
from live.web import config as settings

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = dt.datetime(2026, 12, 7, 20, 30, tzinfo=ZONE).timestamp()  # loaded on the evening of 07/12/2026


@pytest.fixture(params=["sqlite", "redis"])
def store(request, tmp_path):
    if request.param == "sqlite":
        opened = SqliteStore(str(tmp_path / "data"))
    else:
        opened = RedisStore(request.getfixturevalue("redis_server").url, prefix=f"test-{tmp_path.name}")
    yield opened
    opened.close()


@pytest.fixture
def day(store):
    d = Day(store, now=lambda: NOW)
    d.setup(demo="month")
    return d


def test_the_day_is_two_weeks_ahead_and_the_title_says_its_year(day):
    doc = day.conference()
    assert doc["date"] == "2026-12-21"
    assert doc["title"].endswith("năm 2026")
    assert doc["maket"][-1] == "Cao Bằng, ngày 21 tháng 12 năm 2026"
    assert demo.conference()["date"] == "2025-08-28"  # the plan itself is unchanged


def test_questions_came_from_home_and_two_branch_lists_before_the_day(day):
    found = day.desk.all()
    assert len(found) == len(demo.FROM_HOME) + sum(len(rows) for _, _, rows in demo.BRANCHES)
    assert {q["phase"] for q in found} == {"before"}
    assert {q["channel"] for q in found} == {"qr", "branch"}
    assert all(q["received_at"] < NOW for q in found)
    statuses = [q["status"] for q in found]
    assert (statuses.count("merged"), statuses.count("rejected")) == (1, 1)
    named = [q for q in found if q["name"]]
    assert named and all("name" in q["consent"] for q in named)  # a name only with its consent


def test_the_window_is_open_now_until_the_branches_deadline_and_again_on_the_day(day):
    periods = rules.periods(day.store.get(rules.KEY))
    assert rules.refusal(periods, NOW) is None
    deadline = dt.datetime(2026, 12, 14, 16, 0, tzinfo=ZONE).timestamp()
    assert rules.refusal(periods, deadline + 60) is not None
    assert rules.refusal(periods, dt.datetime(2026, 12, 21, 8, 0, tzinfo=ZONE).timestamp()) is None


def test_departments_prepare_one_late_one_due_soon_some_prepared_one_proposing_writing(day):
    states = [q.get("prep_state") for q in day.desk.all() if q.get("prep_department")]
    assert len(states) == len(demo.PREPARATION)
    for state in ("assigned", "prepared", "accepted", "written", "returned"):
        assert state in states
    board = preparation.board(day)
    assert board["counts"]["overdue"] == 1 and board["counts"]["soon"] == 1


def test_the_queue_starts_in_the_script_order(day):
    queue = day.desk.queue()["questions"]
    texts = {q["id"]: q["text"] for q in day.desk.all()}
    for theme, places in demo.SCRIPT.items():
        line = [q for q in queue if q["theme"] == theme]
        scripted = [q for q in line if q.get("script")]
        assert len(scripted) == len(places)
        assert line[: len(places)] == scripted  # the script's questions first, in its order
    first = next(q for q in queue if q["theme"] == "t1")
    assert texts[first["id"]] == demo.FROM_HOME[1][2]


def test_the_script_has_the_mcs_lines_and_downloads(day):
    assert scripts.lines(day.store) == demo.MC_LINES
    assert scripts.script_docx(day)[:2] == b"PK"  # a Word file


def test_loading_again_adds_nothing_and_the_plain_demo_has_no_questions(store, tmp_path):
    Day(store, now=lambda: NOW).setup(demo="month")
    again = Day(store, now=lambda: NOW + 86400)
    again.setup(demo="month")
    assert len(again.desk.all()) == len(demo.FROM_HOME) + 8
    plain = Day(SqliteStore(str(tmp_path / "plain")), now=lambda: NOW)
    plain.setup(demo=True)
    assert plain.desk.all() == [] and plain.conference()["date"] == "2025-08-28"


@pytest.mark.parametrize(
    "value, expected", [("1", "month"), ("month", "month"), ("conference", "conference"), ("0", False)]
)
def test_live_demo_in_the_environment(value, expected):
    assert settings.from_env({"LIVE_DEMO": value})["DEMO"] == expected
