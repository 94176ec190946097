"""The server's own purge (live.realtime.tasks.RetentionTask), one look at a time with the time
passed in: nothing before the due date, everything due at the first look after it, then nothing
more to do until something changes; and the task as the server starts it."""

from __future__ import annotations

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

from live.core.privacy import NOTICE_VERSION
from live.realtime import tasks
from live.services import retention
from live.services.day import Day
from live.store import SqliteStore

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day: str) -> float:
    return dt.datetime.strptime(day, "%d/%m/%Y").replace(tzinfo=ZONE).timestamp()


class FakeSocketIO:
    """What the task uses of Flask-SocketIO: the tasks it would start, the sleeps it would take."""

    def __init__(self) -> None:
        self.started, self.slept = [], []

    def start_background_task(self, fn, *args):
        self.started.append(fn)

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)


def test_a_look_purges_what_is_due_and_nothing_before(tmp_path):
    store = SqliteStore(str(tmp_path))
    day = Day(store)
    day.setup(demo=True)  # the demo conference: 28/08/2025, due from 00:00 on 28/10/2025
    for name in ("Nông Thị Hoa", "Lò Văn Sáng"):
        day.desk.submit(
            {"id": str(uuid.uuid4()), "site": "1304", "text": f"Câu hỏi của {name} về việc làm?", "name": name,
             "consent": {"name": NOTICE_VERSION}},
            device="dev", address="10.0.0.1",
        )  # fmt: skip
    socketio = FakeSocketIO()
    task = tasks.RetentionTask(socketio, day)
    task.start()
    assert socketio.started == [task._run]

    assert task.check(at("27/10/2025") + 86399) is None
    assert retention.holding(day.desk.all()) == 2

    done = task.check(at("28/10/2025"))
    assert (done.due, done.questions) == (True, 2)
    assert retention.holding(day.desk.all()) == 0
    assert [e["name"] for e in day.desk.audit() if e["action"] == "purge"] == ["live serve"]
    assert socketio.slept == [0]  # after each batch, the screens' messages go first

    # the next looks find nothing to do and write nothing
    seq = store.seq()
    assert task.check(at("28/10/2025") + 3600) is None
    assert task.check(at("28/10/2025") + 7200) is None
    assert store.seq() == seq
    store.close()


class Stop(Exception):
    pass


def test_the_server_looks_first_after_a_pause_then_every_hour_and_survives_a_failing_look(tmp_path, caplog):
    store = SqliteStore(str(tmp_path))
    day = Day(store, now=lambda: at("01/01/2026"))
    day.setup(demo=True)
    day.desk.submit(
        {"id": str(uuid.uuid4()), "site": "1304", "text": "Câu hỏi về việc làm?", "name": "Nông Thị Hoa",
         "consent": {"name": NOTICE_VERSION}},
        device="dev", address="10.0.0.1",
    )  # fmt: skip
    socketio = FakeSocketIO()
    task = tasks.RetentionTask(socketio, day)
    looks = []
    real_check = task.check

    def check(now):
        looks.append(now)
        if len(looks) == 1:
            raise OSError("the disk is away")  # the first look fails: logged, tried again an hour later
        return real_check(now)

    task.check = check

    def sleep(seconds):
        socketio.slept.append(seconds)
        if len([s for s in socketio.slept if s]) == 3:
            raise Stop

    socketio.sleep = sleep
    try:
        task._run()
    except Stop:
        pass
    assert [s for s in socketio.slept if s] == [tasks.PURGE_FIRST, tasks.PURGE_EVERY, tasks.PURGE_EVERY]
    assert tasks.PURGE_FIRST == 600.0 and tasks.PURGE_EVERY == 3600.0
    assert looks == [at("01/01/2026")] * 2
    assert "retention check failed (OSError)" in caplog.text
    assert retention.holding(day.desk.all()) == 0
    store.close()
