"""Preparing answers before the day, as the secretariat and each department read it
(live/services/preparation.py), on SQLite and on Redis with the demo conference and time passed in:
the department's list (what it still owes first, nearest due date first, never the asker's name),
the due dates flagged overdue or due within 3 days only while the department owes its answer, the
secretariat's board (by department in the conference's order, the counts, the answers to review),
the questions still to assign (found without diacritics, by theme, capped with a count), and only
the real day's questions or the running rehearsal's."""

from __future__ import annotations

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import pytest

from live.services import preparation
from live.services import rehearsal as rehearsals
from live.services.day import Day
from live.store import SqliteStore
from live.store.redis import RedisStore

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
TODAY = dt.date(2025, 8, 10)  # the demo conference is on 28/08/2025


def at(date: dt.date, clock: str = "09:00") -> float:
    hour, minute = map(int, clock.split(":"))
    return dt.datetime(date.year, date.month, date.day, hour, minute, tzinfo=ZONE).timestamp()


def dmy(date: dt.date) -> str:
    return date.strftime("%d/%m/%Y")


class Clock:
    def __init__(self, t: float) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


@pytest.fixture(params=["sqlite", "redis"])
def store(request, tmp_path):
    if request.param == "sqlite":
        opened = SqliteStore(str(tmp_path / "data"))
    else:
        opened = RedisStore(request.getfixturevalue("redis_server").url, prefix=f"test-{tmp_path.name}")
    yield opened
    opened.close()


@pytest.fixture
def clock() -> Clock:
    return Clock(at(TODAY))


@pytest.fixture
def day(store, clock) -> Day:
    made = Day(store, now=clock)
    made.setup(demo=True)
    return made


def ask(day, text: str, *, theme="t1", approve=True, name="Nguyễn Văn An") -> dict:
    payload = {"id": str(uuid.uuid4()), "site": "1304", "text": text, "theme": theme, "name": name}
    payload["group"], payload["consent"] = "hoc_sinh_sinh_vien", {"name": "1", "group": "1"}
    question, _, _ = day.desk.submit(payload, device=f"phone-{payload['id'][:8]}", address="10.0.0.9")
    if approve:
        question, _ = day.desk.act("approve", {"id": question["id"], "version": question["version"]}, role="moderator")
    return question


def act(day, question: dict, action: str, role="moderator", **args) -> dict:
    current = day.desk.get(question["id"])
    return day.desk.act(action, {"id": current["id"], "version": current["version"], **args}, role=role)[0]


def assign(day, question: dict, department: str, due: dt.date) -> dict:
    return act(day, question, "prepare", department=department, due=dmy(due))


def draft(day, question: dict, text: str, written: bool = False) -> dict:
    department = day.desk.get(question["id"])["prep_department"]
    return act(day, question, "draft", role="department", text=text, written=written, department=department)


def codes(cards: list[dict]) -> list[str]:
    return [c["code"] for c in cards]


def test_the_department_sees_what_it_owes_first_nearest_due_date_first_and_never_a_name(day):
    late = ask(day, "Học bổng cho sinh viên dân tộc thiểu số năm 2026 thế nào?")
    soon = ask(day, "Thanh niên khởi nghiệp được vay vốn ưu đãi ra sao?", approve=False)  # received
    later = ask(day, "Xã có sân thể thao cho thanh niên không?")
    done = ask(day, "Đường vào trường học bị sạt lở khi nào sửa?")
    other = ask(day, "Việc làm cho thanh niên sau nghĩa vụ quân sự?")
    assign(day, late, "d5", TODAY - dt.timedelta(days=1))
    assign(day, soon, "d5", TODAY + dt.timedelta(days=2))
    assign(day, later, "d5", TODAY + dt.timedelta(days=12))
    assign(day, done, "d5", TODAY - dt.timedelta(days=5))
    assign(day, other, "d3", TODAY + dt.timedelta(days=1))
    draft(day, done, "Sở đã bố trí kinh phí sửa chữa trong quý IV.")

    cards = preparation.for_department(day, "d5", "Asia/Ho_Chi_Minh")
    assert codes(cards) == [late["code"], soon["code"], later["code"], done["code"]]
    assert [c["urgency"] for c in cards] == ["overdue", "soon", None, None]  # a prepared one is no longer owed
    assert [c["days_left"] for c in cards] == [-1, 2, 12, -5]
    assert cards[0]["due"] == dmy(TODAY - dt.timedelta(days=1))
    assert cards[0]["origin"] == "Xã Quảng Lâm — học sinh, sinh viên"  # the commune and group, never the name
    assert all("Nguyễn Văn An" not in str(c) for c in cards)
    assert cards[0]["theme_name"] and cards[1]["status"] == "received"
    assert cards[3]["prep_state"] == "prepared" and cards[3]["prep_text"].startswith("Sở đã bố trí")
    assert codes(preparation.for_department(day, "d3")) == [other["code"]]
    assert preparation.for_department(day, "d1") == []


def test_due_dates_are_flagged_by_the_clock_until_the_department_has_written(day, clock):
    question = ask(day, "Học bổng cho sinh viên nghèo có tăng không?")
    assign(day, question, "d5", TODAY + dt.timedelta(days=4))
    flag = lambda: preparation.for_department(day, "d5")[0]["urgency"]  # noqa: E731
    assert flag() is None
    clock.t = at(TODAY + dt.timedelta(days=1))  # 3 days left
    assert flag() == "soon"
    clock.t = at(TODAY + dt.timedelta(days=4), "23:59")  # the last day, late in the evening
    assert flag() == "soon" and preparation.for_department(day, "d5")[0]["days_left"] == 0
    clock.t = at(TODAY + dt.timedelta(days=5), "00:01")  # the day after, in the conference's time zone
    assert flag() == "overdue"
    draft(day, question, "Cơ quan đề nghị trả lời bằng văn bản vì cần số liệu.", written=True)
    assert flag() is None
    act(day, question, "review", accept=False, note="Xin trả lời trực tiếp tại hội nghị.")
    assert flag() == "overdue"  # sent back: owed again


def test_the_secretariats_board_groups_by_department_counts_and_lists_what_to_review(day):
    qs = [ask(day, f"Câu hỏi số {n} về việc làm cho thanh niên nông thôn?") for n in range(6)]
    assign(day, qs[0], "d5", TODAY - dt.timedelta(days=2))  # overdue
    assign(day, qs[1], "d1", TODAY + dt.timedelta(days=3))  # soon
    assign(day, qs[2], "d1", TODAY + dt.timedelta(days=20))
    assign(day, qs[3], "d5", TODAY + dt.timedelta(days=20))
    assign(day, qs[4], "d3", TODAY + dt.timedelta(days=20))
    draft(day, qs[2], "Ý chính: ...")
    draft(day, qs[3], "Cần trả lời bằng văn bản vì liên quan nhiều sở.", written=True)
    draft(day, qs[4], "Ý chính đã thống nhất.")
    act(day, qs[4], "review", accept=True)

    board = preparation.board(day)
    assert [g["id"] for g in board["groups"]] == ["d1", "d3", "d5"]  # the conference's order
    assert board["groups"][0]["name"] == "Sở Nội vụ"
    assert codes(board["flagged"]) == [qs[0]["code"], qs[1]["code"]]
    assert [c["urgency"] for c in board["flagged"]] == ["overdue", "soon"]
    assert sorted(codes(board["review"])) == sorted([qs[2]["code"], qs[3]["code"]])
    assert board["counts"] == {
        "all": 5, "owed": 2, "prepared": 1, "written": 1, "accepted": 1, "overdue": 1, "soon": 1,
    }  # fmt: skip
    # withdrawn: off every list, and back among the questions to assign
    act(day, qs[0], "prepare", department=None)
    assert preparation.board(day)["counts"]["all"] == 4
    assert qs[0]["code"] in codes(sum((g["cards"] for g in preparation.candidates(day)["groups"]), []))


def test_questions_that_left_the_dialogue_are_no_longer_listed(day):
    rejected = ask(day, "Câu hỏi bị từ chối vì không đúng chủ đề?")
    answered = ask(day, "Câu hỏi đã được trả lời tại hội nghị?")
    for q in (rejected, answered):
        assign(day, q, "d5", TODAY + dt.timedelta(days=5))
    act(day, rejected, "reject", reason="off_topic")
    act(day, answered, "show", role="mc")
    act(day, answered, "answer", role="mc")
    assert preparation.for_department(day, "d5") == []
    assert preparation.board(day)["counts"]["all"] == 0
    assert preparation.candidates(day)["total"] == 0


def test_candidates_by_theme_found_without_diacritics_and_capped_with_a_count(day):
    scholarship = ask(day, "Học bổng cho học sinh nghèo vùng cao?", theme="t2")
    ask(day, "Vay vốn khởi nghiệp cho thanh niên?", theme="t1", approve=False)
    jobs = ask(day, "Việc làm cho thanh niên sau khi học nghề?", theme="t1")
    taken = ask(day, "Học bổng của tỉnh năm nay?", theme="t2")
    assign(day, taken, "d5", TODAY + dt.timedelta(days=5))

    found = preparation.candidates(day)
    assert found["total"] == 3 and found["shown"] == 3
    assert [g["id"] for g in found["groups"]] == ["t1", "t2"]  # the conference's theme order
    assert [c["status"] for c in found["groups"][0]["cards"]] == ["approved", "received"]  # approved first
    assert codes(found["groups"][0]["cards"])[0] == jobs["code"]

    assert codes(preparation.candidates(day, search="HOC BONG")["groups"][0]["cards"]) == [scholarship["code"]]
    assert preparation.candidates(day, search=scholarship["code"].lower())["total"] == 1
    assert preparation.candidates(day, theme="t1")["total"] == 2
    assert preparation.candidates(day, search="không có câu này")["total"] == 0
    capped = preparation.candidates(day, limit=2)
    assert (capped["shown"], capped["total"]) == (2, 3)
    assert sum(len(g["cards"]) for g in capped["groups"]) == 2


def test_a_rehearsals_questions_only_while_it_runs(day):
    real = ask(day, "Câu hỏi thật của ngày hội nghị về học bổng?")
    assign(day, real, "d5", TODAY + dt.timedelta(days=5))
    rehearsals.start(day, by="admin")
    practice = ask(day, "Câu hỏi tập dượt về học bổng?")
    assign(day, practice, "d5", TODAY + dt.timedelta(days=5))
    assert codes(preparation.for_department(day, "d5")) == [practice["code"]]
    rehearsals.end(day)
    assert codes(preparation.for_department(day, "d5")) == [real["code"]]


def test_the_default_due_date():
    assert preparation.default_due("2025-08-28", TODAY) == dt.date(2025, 8, 25)  # 3 days before
    assert preparation.default_due("2025-08-11", TODAY) == TODAY  # never before today
    assert preparation.default_due("2025-08-01", TODAY) == TODAY + dt.timedelta(days=7)  # passed
    assert preparation.default_due(None, TODAY) == TODAY + dt.timedelta(days=7)
    assert preparation.default_due("not a date", TODAY) == TODAY + dt.timedelta(days=7)
