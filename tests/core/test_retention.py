"""When the personal data of a conference is due for its purge (live/core/retention.py): pure, time passed in."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from live.core import personal, retention
from live.core.errors import DomainError

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
CONFERENCE = {"title": "Hội nghị đối thoại", "date": "2025-08-28"}


def at(day: str, clock: str = "00:00") -> float:
    """A moment in Việt Nam: ``at("28/10/2025", "14:35")``."""
    return dt.datetime.strptime(f"{day} {clock}", "%d/%m/%Y %H:%M").replace(tzinfo=ZONE).timestamp()


def forwarded(deadline: str, state: str | None = None, published: float | None = None) -> dict:
    return {
        "id": "q" * 20, "status": "forwarded", "deadline": deadline, "reply_state": state,
        "published_at": published, "received_at": at("28/08/2025", "09:00"), "text": "Học bổng?",
    }  # fmt: skip


def test_with_nothing_forwarded_the_purge_is_due_the_period_after_the_conference_day():
    due = retention.due_at(CONFERENCE, [], 60, now=at("28/08/2025", "10:00"))
    assert due == at("28/10/2025")  # 60 days after 24:00 on 28/08
    assert retention.day_month_year(due) == "28/10/2025"
    assert not retention.is_due(due, at("27/10/2025", "23:59"))
    assert retention.is_due(due, at("28/10/2025", "00:00"))


def test_a_reply_still_owed_keeps_the_data_until_its_deadline_then_the_period():
    owed = forwarded("2025-09-12")
    assert retention.last_day(CONFERENCE, [owed]) == dt.date(2025, 9, 12)
    assert retention.day_month_year(retention.due_at(CONFERENCE, [owed], 30, now=0)) == "13/10/2025"
    # a reply written but not yet approved for publication is still owed to the asker
    waiting = forwarded("2025-09-12", state="submitted")
    assert retention.last_day(CONFERENCE, [waiting]) == dt.date(2025, 9, 12)


def test_the_last_reply_published_ends_the_purpose_the_day_it_is_published():
    late = forwarded("2025-09-12", state="published", published=at("20/09/2025", "16:30"))
    early = forwarded("2025-09-30", state="published", published=at("05/09/2025", "08:00"))
    # published: its deadline no longer counts, its day of publication does
    assert retention.last_day(CONFERENCE, [late, early]) == dt.date(2025, 9, 20)
    assert retention.due_at(CONFERENCE, [late, early], 1, now=0) == at("22/09/2025")
    # 23:30 UTC on 20/09 is already 21/09 in Việt Nam
    night = forwarded("2025-09-01", state="published", published=at("21/09/2025", "06:30"))
    assert retention.last_day(CONFERENCE, [night]) == dt.date(2025, 9, 21)


def test_a_due_date_exists_without_a_conference_date_and_without_questions():
    received = {"id": "q" * 20, "status": "received", "received_at": at("03/03/2026", "22:00"), "text": "?"}
    assert retention.last_day({"title": "x", "date": ""}, [received]) == dt.date(2026, 3, 3)
    assert retention.due_at(None, [], 60, now=at("07/12/2026", "18:00")) == at("06/02/2027")
    # a tombstone (a deleted question) counts for nothing
    gone = personal.tombstone("q" * 20, at("01/01/2030"), personal.DELETED_BY_ASKER)
    assert retention.last_day(CONFERENCE, [gone]) == dt.date(2025, 8, 28)


@pytest.mark.parametrize("typed, expected", [("60", 60), (" 90 ", 90), (1, 1), ("3650", 3650)])
def test_the_period_the_admin_types(typed, expected):
    assert retention.days(typed) == expected


@pytest.mark.parametrize("typed", ["0", "3651", "-5", "60.5", "sáu mươi", "", None, True, "٣٠", "9" * 40])
def test_a_period_that_is_not_whole_days_from_1_to_3650_is_refused(typed):
    with pytest.raises(DomainError) as refused:
        retention.days(typed)
    assert refused.value.code == "retention.bad_days"
    assert refused.value.params == {"low": 1, "high": 3650}


def test_an_unset_or_broken_setting_means_the_default():
    assert retention.setting_days(None) == retention.DEFAULT_DAYS == 60
    assert retention.setting_days({"days": "oops"}) == 60
    assert retention.setting_days({"days": 15, "set_at": 1.0, "by": "admin"}) == 15


def test_an_audit_entry_loses_every_copy_of_an_asker_and_keeps_the_rest():
    entry = {
        "at": 5.0, "role": "moderator", "name": "Thư ký Lan", "action": "merge", "question": "q" * 20,
        "code": "K7Q2MX",
        "before": {"status": "approved", "name": "Nông Thị Hoa", "consent": {"name": {"version": "1", "at": 1.0}}},
        "after": {"status": "merged", "name": None, "device": "dev-1",
                  "origins": [{"id": "o" * 20, "code": "P3W8RT", "name": "Lò Văn Sáng", "consent": None}]},
    }  # fmt: skip
    purged = retention.purged_entry(entry)
    assert purged["before"] == {"status": "approved", "name": personal.REMOVED, "consent": personal.REMOVED}
    assert purged["after"] == {
        "status": "merged", "name": None, "device": personal.REMOVED,
        "origins": [{"id": "o" * 20, "code": "P3W8RT", "name": personal.REMOVED, "consent": None}],
    }  # fmt: skip
    # who acted and on which question stay: the staff member's name is not the asker's
    assert (purged["name"], purged["code"], purged["at"]) == ("Thư ký Lan", "K7Q2MX", 5.0)
    for asker in ("Nông", "Lò Văn", "dev-1", "'version'"):
        assert asker not in str(purged)
    assert retention.purged_entry(purged) is None  # run again: nothing to write
    assert entry["before"]["name"] == "Nông Thị Hoa"  # never changed in place
    assert retention.purged_entry({"action": "approve", "before": {"status": "received"}, "after": {}}) is None
    # the group a secretariat's edit copied goes too (the purge takes it out of the question itself)
    edited = {"action": "edit", "before": {"group": "cong_nhan"}, "after": {"group": "hoc_sinh_sinh_vien"}}
    assert retention.purged_entry(edited) == {
        "action": "edit",
        "before": {"group": personal.REMOVED},
        "after": {"group": personal.REMOVED},
    }


def test_a_purge_is_recorded_with_counts_and_nothing_of_anyone():
    entry = retention.purge_entry(12, 99.0, role="system", name="live purge", entries=3)
    assert entry == {
        "at": 99.0, "role": "system", "name": "live purge", "action": "purge", "question": None, "code": None,
        "count": 12, "entries": 3, "before": {}, "after": {"purged": 12},
    }  # fmt: skip
    assert retention.purged_entry(entry) is None
