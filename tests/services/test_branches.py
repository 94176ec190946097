"""Importing a branch list into the real store, on SQLite and on Redis: a good file is stored once
and announced to the secretariat, the same file again stores nothing, a broken file stores nothing
and names every row, a rehearsal's import is the rehearsal's own, and an import killed with
``kill -9`` between two batches loses nothing and doubles nothing once the file is imported again."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys

import pytest

from live.core import personal
from live.core import rehearsal as rules
from live.services import branches, rehearsal
from live.services.day import Day
from live.services.desk import PREFIX, key
from live.store import SqliteStore
from live.store.redis import RedisStore

T0 = 1_796_608_800.0  # 08:00 on 28/12/2026 in Hà Nội's time zone
HEAD = "Xã/phường (điểm cầu);Chi đoàn / đơn vị;Nội dung câu hỏi;Họ tên;Đối tượng;Nhóm vấn đề\r\n"
ROWS = [
    "Quảng Lâm;Chi đoàn thôn Nà Pò;Xã có lớp dạy nghề cho thanh niên không?;Nông Thị Hoa;Công nhân;t2",
    "1297;Chi đoàn trường THCS;Học bổng năm nay xét thế nào?;;;",
    "1297;Chi đoàn trường THCS;Học bổng năm nay xét thế nào?;;;",  # two youths asked the same: two questions
    "phuong tan giang;Đoàn phường;Khi nào có sân bóng cho thanh niên?;;;Văn hóa, thể thao và đời sống tinh thần",
    "hall;Đoàn cơ quan tỉnh;Tỉnh có chính sách thu hút sinh viên giỏi về quê không?;;Học sinh, sinh viên;",
]


def good_file(rows=ROWS) -> bytes:
    return ("\ufeff" + HEAD + "\r\n".join(rows) + "\r\n").encode()


def comma_file(rows=ROWS) -> bytes:
    """The same list as Excel saves it with "," (cells holding a comma quoted), without a BOM."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for line in [HEAD.strip(), *rows]:
        writer.writerow(line.split(";"))
    return out.getvalue().encode()


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
    d = Day(store, now=lambda: T0)
    d.setup(demo=True)
    return d


def branch_questions(day) -> list[dict]:
    day.replica.refresh()
    return [q for q in day.desk.all() if q.get("channel") == "branch"]


def test_a_good_file_is_stored_once_and_announced(day):
    result = branches.import_file(day, good_file(), "ds.csv", by="Lan")
    assert (result.added, result.existing, result.named) == (5, 0, 2)
    found = branch_questions(day)
    assert len(found) == 5 and len({q["id"] for q in found}) == 5
    assert sorted(q["site"] for q in found) == ["1288", "1297", "1297", "1304", "hall"]
    first = next(q for q in found if q["site"] == "1304")
    assert first["status"] == "received" and first["phase"] == "before" and first["branch"] == "Chi đoàn thôn Nà Pò"
    assert first["consent"] == {
        "name": {"version": first["consent"]["name"]["version"], "at": T0, "via": "branch"},
        "group": {"version": first["consent"]["group"]["version"], "at": T0, "via": "branch"},
    }
    assert first["entered_by"] == "Lan" and first["device"] is None and len(first["code"]) == 6
    assert next(q for q in found if q["site"] == "1288")["theme"] == "t5"
    # the secretariat's consoles hear of each new question, as of a phone's
    added = [e for e in result.change.emits if e[0] == "question.added"]
    assert len(added) == 5 and {e[1]["question"]["channel"] for e in added} == {"branch"}
    assert all(e[2] == "desk" for e in added)
    assert day.desk.counts() == {"1304": 1, "1297": 2, "1288": 1, "hall": 1}


def test_the_same_file_again_stores_nothing(day):
    branches.import_file(day, good_file(), "ds.csv", by="Lan")
    again = branches.import_file(day, good_file(), "ds.csv", by="Minh")
    assert (again.added, again.existing, again.change) == (0, 5, None)
    # the same list with a new row and as an Excel-saved file with another separator: only the new row
    more = branches.import_file(day, comma_file([*ROWS, "1304;Chi đoàn mới;Một câu hỏi mới?;;;"]), "ds.csv", by="Lan")
    assert (more.added, more.existing) == (1, 5)
    assert len(branch_questions(day)) == 6
    assert {q["entered_by"] for q in branch_questions(day)} == {"Lan"}


def test_each_file_imported_is_one_audit_entry_with_counts_only(day):
    branches.import_file(day, good_file(), "ds.csv", by="Lan", role="admin")
    branches.import_file(day, good_file(), "ds.csv", by="Minh")  # nothing new: no entry
    entries = [e for e in day.desk.audit() if e["action"] == "import"]
    assert len(entries) == 1
    entry = entries[0]
    assert (entry["role"], entry["name"], entry["at"]) == ("admin", "Lan", T0)
    assert entry["after"] == {"imported": 5, "existing": 0} and entry["question"] is None
    assert "Nà Pò" not in repr(entry)  # never the rows themselves


def test_a_deleted_question_is_not_brought_back_by_a_second_import(day):
    branches.import_file(day, good_file(), "ds.csv", by="Lan")
    gone = branch_questions(day)[0]
    day.store.put(key(gone["id"]), personal.tombstone(gone["id"], T0, personal.DELETED_BY_ASKER))
    again = branches.import_file(day, good_file(), "ds.csv", by="Lan")
    assert again.added == 0 and len(branch_questions(day)) == 4


def test_a_broken_file_stores_nothing_and_names_every_row(day):
    rows = [
        *ROWS,
        "Xã Không Có;Chi đoàn A;Câu hỏi một?;;;",  # row 7
        "1304;Chi đoàn B;Câu hỏi hai?;;Dân tộc thiểu số;",  # row 8
        "1304;;Câu hỏi ba?;;;",  # row 9
        "1304;Chi đoàn C;" + "ý" * 1001 + ";;;",  # row 10
        "1304;Chi đoàn D;???;;;",  # row 11
        "1304;Chi đoàn E;Câu hỏi sáu?;" + "A" * 81 + ";;",  # row 12
        "1304;Chi đoàn F;Câu hỏi bảy?;;Sinh viên năm cuối;",  # row 13
        "1304;Chi đoàn G;Câu hỏi tám?;;;Thuế",  # row 14
    ]
    with pytest.raises(branches.Refused) as refused:
        branches.import_file(day, good_file(rows), "ds.csv", by="Lan")
    named = [(p.row, p.error.code) for p in refused.value.problems]
    assert named == [
        (7, "branches.unknown_commune"),
        (8, "branches.sensitive_group"),
        (9, "branches.empty_cell"),
        (10, "question.too_long"),
        (11, "question.no_letters"),
        (12, "question.name_too_long"),
        (13, "branches.unknown_group"),
        (14, "branches.unknown_theme"),
    ]
    assert branch_questions(day) == []
    assert not [k for k in day.store.scan(PREFIX)]


def test_a_rehearsals_import_is_its_own(day):
    rehearsal.start(day)
    during = branches.import_file(day, good_file(), "ds.csv", by="Lan")
    assert during.added == 5
    assert all(rules.mark_of(q) for q in branch_questions(day))
    rehearsal.wipe(day)
    assert branch_questions(day) == []
    real = branches.import_file(day, good_file(), "ds.csv", by="Lan")
    assert real.added == 5 and not any(rules.mark_of(q) for q in branch_questions(day))


# an import in a process of its own, one row per batch, that kills itself with SIGKILL after the third
KILLED_IMPORT = """
import os, signal, sys
from live.services import branches
from live.services.day import Day
from live.store import SqliteStore
from live.store.redis import RedisStore
kind, where, prefix, path = sys.argv[1:5]
store = SqliteStore(where) if kind == "sqlite" else RedisStore(where, prefix=prefix)
day = Day(store)
def between(n):
    print("written", n, flush=True)
    if n == 3:
        os.kill(os.getpid(), signal.SIGKILL)
branches.import_file(day, open(path, "rb").read(), "ds.csv", by="Lan", batch=1, between=between)
print("finished", flush=True)
"""


def test_an_import_killed_with_kill_9_loses_nothing_and_doubles_nothing(day, tmp_path):
    path = tmp_path / "ds.csv"
    path.write_bytes(good_file())
    inner = day.store.inner
    if isinstance(inner, SqliteStore):
        where = ("sqlite", os.path.dirname(inner.path), "")
    else:
        where = ("redis", inner.url, inner.prefix)
    proc = subprocess.run(
        [sys.executable, "-c", KILLED_IMPORT, *where, str(path)], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == -9, proc.stderr
    assert proc.stdout.split("\n")[:3] == ["written 1", "written 2", "written 3"] and "finished" not in proc.stdout
    assert len(branch_questions(day)) == 3  # three batches of one row made it to disk, whole
    result = branches.import_file(day, good_file(), "ds.csv", by="Lan")
    assert (result.added, result.existing) == (2, 3)
    found = branch_questions(day)
    texts = sorted(q["text"] for q in found)
    assert texts == sorted(row.split(";")[2] for row in ROWS)  # every row exactly once (the twin twice)
    again = branches.import_file(day, good_file(), "ds.csv", by="Lan")
    assert (again.added, again.existing) == (0, 5)
