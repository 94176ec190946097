"""The word lists at intake, on SQLite and on Redis: a phone's question, a floor question and a
branch list's rows keep what the lists found as ``flags``; the secretariat's screens see them,
the phones, the MC and the chairman never do; an edit is read again; saving the lists stores all or
nothing, applies to the next question (in this process and in another) and never rescans the stored
ones."""

from __future__ import annotations

import uuid

import pytest

from live.core.errors import DomainError
from live.services import branches, wordlist
from live.services.day import Day
from live.services.desk import key, phone_view, queue_view, staff_view
from live.store import SqliteStore
from live.store.redis import RedisStore

T0 = 1_796_608_800.0  # 08:00 on 28/12/2026 in Hà Nội's time zone
INSULT = "Đ.m chính sách này, inbox em nhé"
CLEAN = "Tỉnh có học bổng cho sinh viên học ngành du lịch không ạ?"


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


def ask(day, text: str, site: str = "hall") -> dict:
    stored, retried, change = day.desk.submit(
        {"id": str(uuid.uuid4()), "site": site, "text": text},
        device=str(uuid.uuid4()),
        address=f"10.0.{len(day.desk.all()) // 200}.{len(day.desk.all()) % 200}",
    )
    assert not retried
    return stored


def test_a_phone_question_keeps_what_the_shipped_list_found(day):
    held = ask(day, INSULT)
    assert held["flags"] == {"banned": ["đm"], "suspect": ["inbox"]}
    assert day.store.get(key(held["id"]))["flags"] == held["flags"]  # on disk, not only in memory
    clean = ask(day, CLEAN)
    assert "flags" not in clean and "flags" not in day.store.get(key(clean["id"]))
    # the secretariat sees why; the asker's phone, the MC's and chairman's queue never do
    assert staff_view(held)["flags"] == held["flags"] and staff_view(clean)["flags"] is None
    assert "flags" not in phone_view(held) and "flags" not in queue_view(held, {})
    assert "đm" not in repr(phone_view(held))


def test_a_floor_question_and_a_branch_list_are_checked_too(day):
    entered, _, _ = day.desk.enter(
        {"id": str(uuid.uuid4()), "channel": "paper", "site": "hall", "text": "Thằng ngu nào làm quy hoạch?"}, by="Lan"
    )
    assert entered["flags"] == {"banned": ["thằng ngu"]}
    data = (
        "\ufeffXã/phường (điểm cầu);Chi đoàn / đơn vị;Nội dung câu hỏi;Họ tên;Đối tượng;Nhóm vấn đề\r\n"
        "hall;Đoàn cơ quan;Kiếm tiền online tại nhà có hợp pháp không?;;;\r\n"
        "hall;Đoàn cơ quan;Giáo dục nghề ở Bảo Lạc thế nào?;;;\r\n"
    ).encode()
    result = branches.import_file(day, data, "ds.csv", by="Lan")
    assert result.added == 2
    day.replica.refresh()
    found = {q["text"]: q.get("flags") for q in day.desk.all() if q.get("channel") == "branch"}
    assert found == {
        "Kiếm tiền online tại nhà có hợp pháp không?": {"suspect": ["kiếm tiền online"]},
        "Giáo dục nghề ở Bảo Lạc thế nào?": None,
    }


def test_saved_lists_apply_to_the_next_question_only(day, store):
    before = ask(day, "Sao cái xã này toàn cán bộ lười?")
    assert "flags" not in before
    doc = wordlist.save(
        store,
        {"banned": "lười\nLƯỜI\nluoi", "suspect": "cán bộ", "allow": "cán bộ trẻ"},
        now=T0,
        by="Lan",
    )
    assert (doc["banned"], doc["suspect"], doc["allow"], doc["by"]) == (["lười"], ["cán bộ"], ["cán bộ trẻ"], "Lan")
    after = ask(day, "Sao cái xã này toàn cán bộ luoiii?")
    assert after["flags"] == {"banned": ["lười"], "suspect": ["cán bộ"]}
    assert "flags" not in day.desk.get(before["id"])  # stored questions are not rescanned
    assert "flags" not in ask(day, "Cán bộ trẻ có được đào tạo không?")  # the allow-list
    # another process (its own replica) learns the new lists from the store
    other = Day(store, now=lambda: T0)
    other.replica.refresh()
    assert ask(other, "Cán bộ lười quá")["flags"] == {"banned": ["lười"], "suspect": ["cán bộ"]}
    # back to the starting list
    wordlist.reset(store, now=T0, by="Lan")
    assert wordlist.setting(store)["shipped"] is True
    assert "flags" not in ask(day, "Cán bộ lười quá") and ask(day, "vcl")["flags"] == {"banned": ["vcl"]}


def test_a_bad_list_stores_nothing(day, store):
    with pytest.raises(DomainError) as err:
        wordlist.save(store, {"banned": "lười", "suspect": "ok\n" + "x" * 80, "allow": ""}, now=T0, by="Lan")
    assert (err.value.code, err.value.params["tier"], err.value.params["line"]) == ("wordlist.too_long", "suspect", 2)
    assert store.get(wordlist.KEY) is None and wordlist.setting(store)["shipped"] is True
    with pytest.raises(DomainError):
        wordlist.save(store, {"banned": "a" * (wordlist.TEXT_LIMIT + 1), "suspect": "", "allow": ""}, now=T0, by="x")
    assert store.get(wordlist.KEY) is None


def test_the_lists_are_compiled_once_per_document(day, store, monkeypatch):
    compiled = []
    real = wordlist.rules.compile_lists
    monkeypatch.setattr(wordlist.rules, "compile_lists", lambda lists: compiled.append(1) or real(lists))
    wordlist.save(store, {"banned": "lười", "suspect": "", "allow": ""}, now=T0, by="Lan")
    for _ in range(50):
        ask(day, "Cán bộ lười")
    assert len(compiled) == 1


def test_an_edited_question_is_read_again(day):
    held = ask(day, INSULT)
    # the secretariat takes the insult out: the question is no longer held, only flagged for "inbox"
    edited, _ = day.desk.act(
        "edit",
        {"id": held["id"], "version": held["version"], "text": "Chính sách này thế nào, inbox em nhé"},
        role="moderator",
    )
    assert edited["flags"] == {"suspect": ["inbox"]}
    edited, _ = day.desk.act("edit", {"id": held["id"], "version": edited["version"], "text": CLEAN}, role="moderator")
    assert "flags" not in edited and "flags" not in day.store.get(key(held["id"]))
    # an edit that brings a banned word in holds it again
    edited, _ = day.desk.act("edit", {"id": held["id"], "version": edited["version"], "text": INSULT}, role="moderator")
    assert edited["flags"]["banned"] == ["đm"]
