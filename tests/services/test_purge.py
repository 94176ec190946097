"""The retention period and the purge through the real services on a real SQLite store, with the
time passed in (live/services/retention.py): nothing before the due date, everything of the askers
after it, the texts kept, the exports anonymous, a purge run twice the same as once."""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from afterday import scripted_day

from live.core import personal
from live.core.errors import DomainError
from live.formats import exports
from live.services import retention
from live.services.desk import AUDIT, PREFIX
from live.web import report

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
NAMES = ("Nông Thị Hoa", "Hoàng Văn Nam", "@SUM(A1)")


def at(day: str) -> float:
    return dt.datetime.strptime(day, "%d/%m/%Y").replace(tzinfo=ZONE).timestamp()


@pytest.fixture
def story(tmp_path):
    return scripted_day(tmp_path)


def everything(store) -> str:
    """Every document of the store as one text."""
    return str(store.scan(""))


def test_the_period_is_60_days_until_the_admin_sets_it_and_a_bad_one_changes_nothing(story):
    store = story.day.store
    assert retention.setting(store) == {"days": 60, "set_at": None, "by": None, "default": True}
    assert retention.set_days(store, " 30 ", now=story.clock.now, by="admin")["days"] == 30
    with pytest.raises(DomainError) as refused:
        retention.set_days(store, "0", now=story.clock.now, by="admin")
    assert refused.value.code == "retention.bad_days"
    assert retention.setting(store) == {"days": 30, "set_at": story.clock.now, "by": "admin", "default": False}


def test_nothing_is_purged_before_the_due_date(story):
    store, found = story.day.store, story.day.desk.all()
    # a reply is owed on the loan question until 15/09/2025: 60 days after that day
    due = retention.due_at(store, found, story.clock.now)
    assert due == at("15/11/2025")
    before = everything(store)
    done = retention.purge(store, at("14/11/2025") + 86399, role="system", name="live purge")
    assert (done.due, done.questions, done.due_at) == (False, 0, due)
    assert everything(store) == before
    # every question with a name, a group, a consent or a phone's device link (an empty name holds nothing)
    assert retention.holding(found) == 6
    assert not retention.pending(store, found, story.day.desk.audit(), at("14/11/2025"))


def test_a_purge_leaves_nothing_of_the_askers_keeps_the_texts_and_is_recorded(story, caplog):
    day, store = story.day, story.day.store
    texts = {q["code"]: q["text"] for q in day.desk.all()}
    # an audit entry that copied an asker's name (a withdrawal, an edit of the name by the secretariat)
    store.put(
        f"{AUDIT}{1:020d}:{story.q['scholarship']['id'][:12]}",
        {"at": 1.0, "role": "moderator", "name": "Lan", "action": "edit", "question": story.q["scholarship"]["id"],
         "code": story.q["scholarship"]["code"], "before": {"name": "Nông Thị Hoa"}, "after": {"name": None}},
    )  # fmt: skip
    assert all(name in everything(store) for name in NAMES)
    now = at("15/11/2025")
    assert retention.pending(store, day.desk.all(), day.desk.audit(), now)
    with caplog.at_level(logging.INFO, logger="live.retention"):
        done = retention.purge(store, now, role="admin", batch=2)
    assert (done.due, done.questions, done.entries) == (True, 6, 1)
    text = everything(store)
    for name in NAMES:
        assert name not in text
    assert "device-" not in text  # no device link anywhere
    assert not any(q.get("consent") for q in store.scan(PREFIX).values())  # no consent record
    day.replica.refresh()
    kept = day.desk.all()
    assert {q["code"]: q["text"] for q in kept} == texts  # the record keeps every question's text
    assert all(
        q.get("name") in (None, "") and q.get("group") is None and q.get("device") is None and not q.get("consent")
        for q in kept
    )
    purged = [q for q in kept if q.get("purged_at") == now]
    assert len(purged) == 6
    merged_into = day.desk.get(story.q["scholarship"]["id"])
    assert merged_into["origins"][0]["name"] is None and merged_into["origins"][0]["code"]
    # one audit entry and one log line, with the counts and nothing else
    entries = [e for e in day.desk.audit() if e["action"] == "purge"]
    assert [(e["count"], e["entries"], e["role"], e["at"]) for e in entries] == [(6, 1, "admin", now)]
    assert retention.purges(day.desk.audit()) == [{"at": now, "count": 6, "role": "admin", "name": ""}]
    lines = [r.getMessage() for r in caplog.records if r.name == "live.retention"]
    assert lines == ["purge done questions=6 audit_entries=1 batches=4 seconds=" + lines[0].rsplit("=", 1)[1]]
    for name in NAMES:
        assert name not in caplog.text
    assert not retention.pending(store, kept, day.desk.audit(), now)

    # run again: nothing changes but the record that it ran
    seq = store.seq()
    again = retention.purge(store, now + 3600, role="system", name="live serve")
    assert (again.questions, again.entries) == (0, 0)
    assert store.seq() == seq + 1
    assert [e["count"] for e in retention.purges(day.desk.audit())] == [0, 6]


def test_the_exports_made_after_a_purge_hold_no_name(story):
    day = story.day
    before = report.day_tables(day.conference(), day.desk.all(), day.desk.audit(), day.agenda_report())
    assert "Nông Thị Hoa" in exports.table_csv(before[0].headers, before[0].rows).decode("utf-8-sig")

    retention.purge(day.store, at("16/11/2025"), role="admin")
    tables = report.day_tables(day.conference(), day.desk.all(), day.desk.audit(), day.agenda_report())
    workbook = openpyxl.load_workbook(io.BytesIO(exports.workbook_xlsx(tables)))
    cells = [str(c) for ws in workbook.worksheets for row in ws.iter_rows(values_only=True) for c in row if c]
    files = [exports.table_csv(t.headers, t.rows).decode("utf-8-sig") for t in tables]
    for name in NAMES:
        assert not any(name in c for c in cells)
        assert not any(name in f for f in files)
    rows = list(csv.DictReader(io.StringIO(files[0])))
    assert {r["Người hỏi"] for r in rows} == {"Ẩn danh"}
    # where a consent was, the export says when the purge removed it (no consent is shown any more)
    assert {r["Sự đồng ý của người hỏi"][:29] for r in rows if r["Sự đồng ý của người hỏi"]} == {
        "đã xoá dữ liệu người hỏi lúc "
    }
    assert any(r["Nội dung"].startswith("Tỉnh có học bổng") for r in rows)  # the texts stay for the record
    # the audit sheet names the purge and its count
    audit = [dict(zip(tables[-1].headers, r, strict=True)) for r in tables[-1].rows]
    assert audit[0]["Thao tác"] == "Xoá dữ liệu cá nhân hết hạn"
    assert audit[0]["Sau"] == "số câu hỏi đã xoá dữ liệu người hỏi: 6"


def test_a_tombstone_is_left_as_it_is(story):
    store = story.day.store
    gone = story.q["waiting"]["id"]
    tomb = personal.tombstone(gone, 5.0, personal.DELETED_BY_ASKER)
    store.put(PREFIX + gone, tomb)
    retention.purge(store, at("16/11/2025"), role="admin")
    assert store.get(PREFIX + gone) == tomb
