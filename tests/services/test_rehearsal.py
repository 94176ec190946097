"""A rehearsal on the real store (issue 23, item 6), on SQLite and on Redis: everything it made is
marked and shown only while it runs, one wipe removes all of it and puts the clock back, the
conference, its sites, the links and the PINs stay, a wipe cut off halfway is completed by running
it again, and the real day's questions, before and after, are untouched and counted."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid

import pytest

from live.core import personal
from live.core.errors import DomainError
from live.formats import notice
from live.services import rehearsal, replies
from live.services.change import CLOCK, CONFERENCE, FLOOR, PINS, SPEAKER, TOKENS
from live.services.day import Day
from live.services.desk import AUDIT, PREFIX, STAGE
from live.store import SqliteStore
from live.store.redis import RedisStore

T0 = 1_796_608_800.0  # 08:00 on 28/12/2026 in Hà Nội's time zone


def qid() -> str:
    return str(uuid.uuid4())


class Clock:
    """The time, passed in and moved by the test."""

    def __init__(self) -> None:
        self.t = T0

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


# a wipe in a process of its own, one question per transaction and slowly, to be killed halfway
SLOW_WIPE = """
import sys, time
from live.services import rehearsal
from live.services.day import Day
from live.store import SqliteStore
from live.store.redis import RedisStore
kind, where, prefix = sys.argv[1:4]
store = SqliteStore(where) if kind == "sqlite" else RedisStore(where, prefix=prefix)
day = Day(store)
rehearsal.BATCH = 1
inner = day.store.transact
def slow(keys, fn):
    out = inner(keys, fn)
    print("written", flush=True)
    time.sleep(0.2)
    return out
day.store.transact = slow
rehearsal.wipe(day)
"""


@pytest.fixture
def day(store):
    now = Clock()
    d = Day(store, now=now)
    d.setup(demo=True)
    d.clock_now = now
    return d


def ask(day, text: str, site: str = "1304", device: str = "dev-1") -> dict:
    question, repeated, _ = day.desk.submit(
        {"id": qid(), "site": site, "text": text}, device=device, address="10.0.0.1"
    )
    assert not repeated
    return question


def act(day, action: str, question: dict, role: str = "moderator", **args) -> dict:
    current = day.desk.get(question["id"])
    done, _ = day.desk.act(action, {"id": question["id"], "version": current["version"], **args}, role=role, name="Lan")
    return done


def what_stays(day) -> dict:
    """The documents a wipe must leave as they were."""
    return {k: day.store.get(k) for k in (CONFERENCE, TOKENS, PINS, replies.DEPT_LINKS)}


def test_a_rehearsal_is_marked_shown_alone_then_wiped_leaving_the_real_day_as_it_was(day):
    real = ask(day, "Tỉnh có chính sách hỗ trợ thanh niên khởi nghiệp không?")
    act(day, "approve", real)
    act(day, "show", real, role="mc")  # on the projector when the admin starts the rehearsal
    day.command("clock.start", {})
    day.clock_now.t += 60
    day.set_pin("mc", "482915", "482915")
    replies.regenerate(day, "d1")
    kept = what_stays(day)
    clock_before, stage_before = day.store.get(CLOCK), day.store.get(STAGE)
    entries_before = day.desk.audit()

    day.clock_now.t += 60
    change = rehearsal.start(day, by="Quản trị")
    snap = day.snapshot()
    assert snap["rehearsal"] == {"since": T0 + 120}
    assert {e[0] for e in change.emits} >= {"state.snapshot", "queue.snapshot", "rehearsal.changed"}
    assert snap["clock"]["current"] is None and snap["clock"]["runs"] == {}  # the rehearsal starts a fresh clock
    assert snap["current_question"] is None  # and an empty stage
    with pytest.raises(DomainError) as refused:
        rehearsal.start(day)
    assert refused.value.code == "rehearsal.running"
    # the real day's question is neither shown nor touched while the rehearsal runs
    assert day.desk.all() == [] and day.desk.counts() == {} and day.desk.audit() == []
    with pytest.raises(DomainError) as refused:
        day.desk.act("reject", {"id": real["id"], "version": 2, "reason": "other"}, role="moderator")
    assert refused.value.code == "question.not_found"
    assert day.store.get(PREFIX + real["id"])["status"] == "on_screen"

    # the rehearsal: phones ask, the secretariat types one in, approves, the MC shows and answers
    tried = [
        ask(day, f"[Tập dượt] Câu hỏi thử số {n} về việc làm cho thanh niên?", device=f"dev-{n}") for n in range(3)
    ]
    entered, _, _ = day.desk.enter(
        {"id": qid(), "site": "1297", "channel": "paper", "text": "[Tập dượt] Phiếu giấy thử?"}, by="Lan"
    )
    act(day, "approve", tried[0])
    act(day, "show", tried[0], role="mc")
    act(day, "answer", tried[0], role="mc")
    act(day, "reject", tried[1], reason="other")
    day.command("clock.start", {})
    day.floor_command("floor.give", {"site": "1297"})
    assert {q["id"] for q in day.desk.all()} == {*(q["id"] for q in tried), entered["id"]}
    assert day.desk.counts() == {"1304": 3, "1297": 1}
    stored = {k: v for k, v in day.store.scan(PREFIX).items() if v["id"] != real["id"]}
    assert len(stored) == 4 and all(q["rehearsal"] for q in stored.values())
    marked = day.desk.audit()
    assert len(marked) == 4 and all(e["rehearsal"] for e in marked)
    assert "Câu hỏi thử số 0" in notice_text(day)  # while it runs, the notice rehearses too

    day.clock_now.t += 600
    done, change = rehearsal.wipe(day)
    assert done == {"questions": 4, "entries": 4}
    assert {e[0] for e in change.emits} >= {"state.snapshot", "queue.snapshot", "rehearsal.changed", "resync"}
    for q in day.store.scan(PREFIX).values():
        if q["id"] != real["id"]:
            assert q == personal.tombstone(q["id"], T0 + 720, personal.DELETED_REHEARSAL)
    wiped = [e for e in day.store.scan(AUDIT).values() if e.get("rehearsal")]
    assert len(wiped) == 4 and all(set(e) == {"at", "rehearsal", "wiped"} for e in wiped)
    assert "Tập dượt" not in repr(day.store.scan(AUDIT)) and "Lan" not in repr(wiped)
    # the day as it was: the clock and the stage put back, the floor free, nothing else touched
    assert day.store.get(CLOCK) == clock_before and day.store.get(STAGE) == stage_before
    assert day.store.get(FLOOR)["holder"] is None and day.store.get(SPEAKER)["running_since"] is None
    assert what_stays(day) == kept
    snap = day.snapshot()
    assert snap["rehearsal"] is None and snap["clock"] == clock_before
    assert snap["current_question"]["id"] == real["id"]  # back on the projector
    assert [q["id"] for q in day.desk.all()] == [real["id"]] and day.desk.counts() == {"1304": 1}
    assert day.desk.audit() == entries_before
    assert "Tập dượt" not in notice_text(day) and "khởi nghiệp" in notice_text(day)
    state = rehearsal.state(day)
    assert state["running"] is None and state["questions"] == state["entries"] == 0 and state["wiped_at"]

    # again: nothing left, nothing written; and a question of the real day afterwards counts
    seq = day.store.seq()
    assert rehearsal.wipe(day)[0] == {"questions": 0, "entries": 0}
    assert day.store.seq() <= seq + 1
    after = ask(day, "Xin hỏi về học bổng cho sinh viên nghèo?", site="1297")
    assert "rehearsal" not in day.store.get(PREFIX + after["id"])
    assert day.desk.counts() == {"1304": 1, "1297": 1}


def notice_text(day) -> str:
    import io

    import docx

    document = docx.Document(io.BytesIO(notice.draft(day.conference(), day.desk.all(), day.now())))
    return "\n".join(p.text for p in document.paragraphs)


def test_an_ended_rehearsal_stays_out_of_sight_until_it_is_wiped(day):
    rehearsal.start(day)
    tried = ask(day, "[Tập dượt] Câu hỏi thử?")
    act(day, "approve", tried)
    rehearsal.end(day)
    with pytest.raises(DomainError) as refused:
        rehearsal.end(day)
    assert refused.value.code == "rehearsal.not_running"
    assert day.snapshot()["rehearsal"] is None
    assert (
        day.desk.all() == []
        and day.desk.counts() == {}
        and day.desk.audit() == []
        and day.desk.queue()["questions"] == []
    )
    assert day.desk.get(tried["id"]) is None and day.desk.mine({"ids": [tried["id"]]}) == []
    with pytest.raises(DomainError) as refused:
        day.desk.act("reject", {"id": tried["id"], "version": 2, "reason": "other"}, role="moderator")
    assert refused.value.code == "question.not_found"
    # a later rehearsal does not see the earlier one's questions either
    rehearsal.start(day)
    assert day.desk.all() == []
    second = ask(day, "[Tập dượt] Lần hai?")
    assert [q["id"] for q in day.desk.all()] == [second["id"]]
    assert rehearsal.state(day)["questions"] == 2
    done, _ = rehearsal.wipe(day)
    assert done["questions"] == 2 and done["entries"] == 1
    assert rehearsal.state(day)["questions"] == 0


def test_a_wipe_cut_off_halfway_is_completed_by_running_it_again(day, monkeypatch):
    real = ask(day, "Câu hỏi thật của ngày hội nghị?")
    rehearsal.start(day)
    tried = [ask(day, f"[Tập dượt] Câu hỏi số {n}?", device=f"d{n}") for n in range(5)]
    for question in tried[:3]:
        act(day, "approve", question)
    monkeypatch.setattr(rehearsal, "BATCH", 2)
    inner = day.store.transact
    calls = {"n": 0}

    def dies_on_the_third(keys, fn):
        calls["n"] += 1
        if calls["n"] == 3:  # the end and the first batch are written; the process dies here
            raise SystemExit("kill -9")
        return inner(keys, fn)

    monkeypatch.setattr(day.store, "transact", dies_on_the_third)
    with pytest.raises(SystemExit):
        rehearsal.wipe(day)
    monkeypatch.setattr(day.store, "transact", inner)
    left = [q for q in day.store.scan(PREFIX).values() if q.get("rehearsal")]
    assert len(left) == 3  # two of five were wiped before it stopped
    assert day.snapshot()["rehearsal"] is None and day.desk.all() == [day.desk.get(real["id"])]

    restarted = Day(day.store.inner, now=day.now)  # another process, as after a restart
    done, _ = rehearsal.wipe(restarted)
    assert done == {"questions": 3, "entries": 3}
    assert not [q for q in day.store.scan(PREFIX).values() if q.get("rehearsal")]
    assert all(e.get("wiped") for e in day.store.scan(AUDIT).values() if e.get("rehearsal"))
    assert [q["id"] for q in restarted.desk.all()] == [real["id"]] and restarted.desk.counts() == {"1304": 1}


def answer_in_writing(day, question: dict, reply: str) -> None:
    """Forwarded to a department, answered in writing, published by the secretariat."""
    act(day, "approve", question)
    act(day, "forward", question, role="mc", department="d1")
    act(day, "reply", question, role="department", text=reply, department="d1")
    act(day, "publish", question)


def test_the_public_pages_show_the_real_day_even_while_a_rehearsal_runs(day):
    real = ask(day, "Tỉnh có hỗ trợ thanh niên học nghề không?")
    answer_in_writing(day, real, "Có: 200 suất học nghề miễn phí mỗi năm.")
    rehearsal.start(day)
    tried = ask(day, "[Tập dượt] Hỏi thử về học nghề?")
    answer_in_writing(day, tried, "[Tập dượt] Trả lời thử.")
    assert [q["id"] for q in day.desk.all()] == [tried["id"]]  # the staff rehearse with its own questions
    public = [a["code"] for group in replies.public_answers(day) for a in group["answers"]]
    assert public == [real["code"]]
    assert replies.lookup(day, real["code"])["reply"]["text"] == "Có: 200 suất học nghề miễn phí mỗi năm."
    assert replies.lookup(day, tried["code"]) is None
    rehearsal.wipe(day)
    assert [a["code"] for group in replies.public_answers(day) for a in group["answers"]] == [real["code"]]
    assert replies.lookup(day, tried["code"]) is None


def test_participation_totals_typed_in_a_rehearsal_are_put_back(day):
    from live.core import participation as totals
    from live.services import participation

    participation.record(day.store, "1304", {totals.TOTAL: "40"}, by="Hà", role="site", now=T0)
    rehearsal.start(day)
    participation.record(day.store, "1304", {totals.TOTAL: "3"}, by="thử", role="site", now=T0 + 1)
    participation.record(day.store, "1297", {totals.TOTAL: "5"}, by="thử", role="site", now=T0 + 1)
    rehearsal.wipe(day)
    rows, sums = participation.table(day.store)
    by_site = {row["site"]["id"]: row for row in rows}
    assert by_site["1304"]["counts"][totals.TOTAL] == 40 and by_site["1304"]["by"] == "Hà"
    assert by_site["1297"]["counts"][totals.TOTAL] is None and by_site["1297"]["at"] is None
    assert sums[totals.TOTAL] == 40


def test_a_wipe_killed_with_kill_9_halfway_is_completed_by_running_it_again(day, tmp_path):
    real = ask(day, "Câu hỏi thật của ngày hội nghị?")
    rehearsal.start(day)
    for n in range(8):
        ask(day, f"[Tập dượt] Câu hỏi số {n}?", device=f"d{n}")
    inner = day.store.inner
    if isinstance(inner, SqliteStore):
        where = ("sqlite", os.path.dirname(inner.path), "")
    else:
        where = ("redis", inner.url, inner.prefix)
    proc = subprocess.Popen([sys.executable, "-c", SLOW_WIPE, *where], stdout=subprocess.PIPE, text=True)
    for _ in range(4):  # the end of the rehearsal, then three questions wiped, one transaction each
        assert proc.stdout.readline().strip() == "written"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(5)
    day.replica.refresh()
    left = [q for q in day.store.scan(PREFIX).values() if rehearsal.rules.wiped_question(q)]
    assert 0 < len(left) < 8  # stopped halfway; every question either whole or a tombstone
    assert all("text" in q or q["deleted"] == "rehearsal" for q in day.store.scan(PREFIX).values())
    assert day.snapshot()["rehearsal"] is None and [q["id"] for q in day.desk.all()] == [real["id"]]
    day.clock_now.t += 60
    done, _ = rehearsal.wipe(day)
    assert done["questions"] == len(left)
    assert not [q for q in day.store.scan(PREFIX).values() if rehearsal.rules.wiped_question(q)]
    assert rehearsal.state(day)["questions"] == 0 and day.desk.counts() == {"1304": 1}


def test_a_wipe_takes_the_rehearsals_presses_and_survey_texts_and_leaves_the_real_days(day):
    """A "me too" pressed and a survey answered during a rehearsal link a phone to something or may
    name someone: the wipe takes the device's tag and the free text out; the real day's stay."""
    from live.services import survey as surveys

    real = act(day, "approve", ask(day, "Tỉnh có hỗ trợ thanh niên học nghề không?"))
    handle = day.supports.handle(real["id"])
    assert day.supports.support({"handle": handle}, device="dev-real", address="10.0.0.2")[0]["count"] == 1
    rows = [{"kind": "rating", "text": f"Câu {n}"} for n in range(1, 4)] + [{"kind": "text", "text": "Góp ý"}]
    surveys.set_questions(day.store, rows, now=day.now(), by="admin")
    surveys.open_survey(day.store, now=day.now(), by="admin")
    ids = [q["id"] for q in surveys.current(day.store)["questions"]]
    secret = day.secret_key()
    surveys.respond(day.store, secret, "dev-real", "1304", {ids[0]: "5", ids[3]: "Chị Lan ở xóm Nà Vạ nói hay"})

    rehearsal.start(day, by="Quản trị")
    mark = day.desk.rehearsal()
    tried = act(day, "approve", ask(day, "Câu hỏi tập dượt về học bổng?"))
    day.supports.support({"handle": day.supports.handle(tried["id"])}, device="dev-try", address="10.0.0.3")
    surveys.respond(day.store, secret, "dev-try", "1304", {ids[0]: "3", ids[3]: "Anh Tùng tập dượt"}, rehearsal=mark)

    rehearsal.wipe(day)
    presses = day.store.scan("sup:")
    assert len(presses) == 2
    assert [p for p in presses.values() if p.get("device")] == [
        p for p in presses.values() if p.get("question") == real["id"]
    ]  # only the real day's press still names its device's tag
    texts = sorted(r.get("text") or "" for r in surveys.every_response(day.store).values())
    assert texts == ["", "Chị Lan ở xóm Nà Vạ nói hay"]
    assert day.supports.counts() == {real["id"]: 1}
