"""A conference day that has happened, for the tests of the exports and the conclusion notice.

``scripted_day`` runs a small day through the real services (``Day``, ``Desk``) on an SQLite
store, with the clock passed in: questions from phones and from the floor, moderation, a merge, a
rejection, answers on the spot with and without a summary, a forward with its deadline, and the
agenda run with one item over time. ``hostile_strings`` reads the corpora of tests/corpora.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from corpora import naughty_strings

from live.services.day import Day
from live.store import SqliteStore

CORPORA = Path(__file__).resolve().parent / "corpora"
XSS_LISTS = ("payloadsallthethings-xss", "payloadbox-xss", "seclists-xss")
START = 1756342800.0  # 28/08/2025 08:00 in Cao Bằng (UTC+7)
FORMULA = ("=", "+", "-", "@")
AGREED = {"name": "1", "group": "1"}  # both consent boxes ticked on the phone (notice version 1)
XML_FORBIDDEN = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def hostile_strings() -> list[str]:
    """Every distinct string of the corpora: the naughty strings, then the XSS lists."""
    strings = list(naughty_strings())
    for folder in XSS_LISTS:
        for path in sorted((CORPORA / folder).glob("*.txt")):
            lines = path.read_text(encoding="utf-8").split("\n")
            strings.extend(line.removesuffix("\r") for line in lines if line.removesuffix("\r"))
    return list(dict.fromkeys(strings))


def ooxml_unescape(value: str) -> str:
    """What Excel shows for a shared string: ``_xHHHH_`` is the character U+HHHH."""
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), value)


def qid() -> str:
    return str(uuid.uuid4())


@dataclass
class Clock:
    """The time the services see: moved on by the test, never slept."""

    now: float = START

    def __call__(self) -> float:
        return self.now

    def advance(self, minutes: float) -> None:
        self.now += minutes * 60


@dataclass
class ScriptedDay:
    day: Day
    clock: Clock
    q: dict[str, dict] = field(default_factory=dict)  # the story's name for a question → its record

    def fresh(self, story: str) -> dict:
        return self.day.desk.get(self.q[story]["id"])

    def act(self, story: str, action: str, role: str = "moderator", who: str = "Lan", **args) -> dict:
        current = self.fresh(story)
        question, _change = self.day.desk.act(
            action, {"id": current["id"], "version": current["version"], **args}, role=role, name=who
        )
        self.q[story] = question
        return question


def scripted_day(tmp_path: Path) -> ScriptedDay:
    """The demo conference of Cao Bằng after a short morning (see the module docstring)."""
    clock = Clock()
    day = Day(SqliteStore(str(tmp_path)), now=clock)
    day.setup(demo=True)
    s = ScriptedDay(day, clock)
    desk = day.desk

    def phone(story: str, site: str, text: str, **extra) -> None:
        record, _retry, _change = desk.submit(
            {"id": qid(), "site": site, "text": text, **extra}, device=f"device-{story}", address="10.0.0.1"
        )
        s.q[story] = record
        clock.advance(0.5)

    def floor(story: str, site: str, text: str, channel: str = "paper", **extra) -> None:
        payload = {"id": qid(), "site": site, "text": text, "channel": channel, **extra}
        record, _retry, _change = desk.enter(payload, by="Lan")
        s.q[story] = record
        clock.advance(0.5)

    day.command("clock.start", {})  # Đón tiếp đại biểu, 15 minutes planned
    phone("scholarship", "1304", "Tỉnh có học bổng cho sinh viên dân tộc thiểu số học đại học không ạ?",
          name="Nông Thị Hoa", group="hoc_sinh_sinh_vien", theme="t1", consent=AGREED)  # fmt: skip
    floor("scholarship_again", "1273", "Xin hỏi tỉnh có học bổng cho sinh viên người dân tộc thiểu số không?",
          name="Hoàng Văn Nam", group="chua_co_viec_lam")  # fmt: skip
    floor("loan", "hall", "Thủ tục vay vốn khởi nghiệp cho thanh niên\nở vùng cao như thế nào?", channel="spoken")
    phone("formula", "1279", '=HYPERLINK("http://evil.example","bấm vào đây")', name="@SUM(A1)", consent={"name": "1"})
    phone(
        "digital", "1304", "Khi nào mạng 4G phủ sóng tới các xóm vùng cao?", group="cong_nhan", consent={"group": "1"}
    )
    phone("waiting", "1297", "Câu hỏi chưa được duyệt.")
    phone(
        "jobs",
        "1279",
        "Tỉnh có chương trình giới thiệu việc làm cho bộ đội xuất ngũ không?",
        group="luc_luong_vu_trang",
        consent={"group": "1"},
    )
    clock.advance(16 - 3.5)  # the welcome ran one minute over
    day.command("clock.next", {})  # Tuyên bố lý do, 5 minutes
    clock.advance(5)
    day.command("clock.next", {})  # Phát biểu khai mạc, 10 minutes

    s.act("scholarship", "assign", theme="t1", department="d5")
    s.act("scholarship", "approve")
    s.act("scholarship_again", "merge", into=s.q["scholarship"]["id"])
    s.act("loan", "assign", theme="t2", department="d16")
    s.act("loan", "approve")
    s.act("formula", "reject", reason="inappropriate")
    s.act("digital", "assign", theme="t3", department="d3")
    s.act("digital", "approve")
    s.act("jobs", "assign", theme="t2", department="d2")
    s.act("jobs", "approve")

    s.act("scholarship", "show", role="mc", who="")
    clock.advance(3)
    s.act("scholarship", "answer", role="mc", who="")
    s.act("jobs", "show", role="mc", who="")
    clock.advance(2)
    s.act("jobs", "answer", role="mc", who="")
    s.act("loan", "show", role="mc", who="")
    clock.advance(1)
    s.act("loan", "forward", role="mc", who="", department="d16", deadline="15/09/2025")
    s.act(
        "scholarship",
        "summarize",
        summary="Năm học 2025–2026 tỉnh dành 2 tỷ đồng học bổng cho sinh viên dân tộc thiểu số;\n"
        "hồ sơ nộp tại UBND xã trước ngày 30/09/2025.",
    )
    return s


def play_a_morning(server, connect_staff, connect_phone) -> dict[str, dict]:
    """Phones and the floor ask; the secretariat screens; the MC answers one and forwards one."""
    moderator, mc = connect_staff(server, "moderator"), connect_staff(server, "mc")
    phone = connect_phone(server, site="1304")
    asked = {}

    def ask(story: str, text: str, **extra) -> None:
        reply = phone.call("question.submit", {"id": qid(), "site": "1304", "text": text, **extra})
        assert reply["ok"], reply
        asked[story] = reply["id"]

    def act(who, story: str, action: str, **args) -> None:
        current = next(q for q in moderator.call("questions.get")["questions"] if q["id"] == asked[story])
        reply = who.call(f"question.{action}", {"id": current["id"], "version": current["version"], **args})
        assert reply["ok"], reply

    assert mc.call("clock.start")["ok"]
    ask(
        "grant",
        "Tỉnh có hỗ trợ vốn cho thanh niên khởi nghiệp ở nông thôn không?",
        name="Lò Văn Sáng",
        group="kinh_te_gioi",
        consent=AGREED,
    )
    ask("formula", '=HYPERLINK("http://evil.example","x")', name="+cmd|' /C calc'!A0", consent={"name": "1"})
    floor = moderator.call(
        "question.enter", {"id": qid(), "site": "1273", "text": "Hỏi về đường giao thông xã.", "channel": "paper"}
    )
    assert floor["ok"], floor
    asked["road"] = floor["id"]
    act(moderator, "grant", "assign", theme="t2", department="d16")
    act(moderator, "grant", "approve")
    act(moderator, "formula", "reject", reason="inappropriate")
    act(moderator, "road", "approve")
    act(mc, "grant", "show")
    act(mc, "grant", "answer")
    act(mc, "road", "forward", department="d8", deadline="30/09/2025")
    assert mc.call("clock.next")["ok"]
    return {
        name: next(q for q in moderator.call("questions.get")["questions"] if q["id"] == i) for name, i in asked.items()
    }
