"""Anonymous by default (issue 23): a name or a group is stored only with its own consent, and the
sensitive groups (ethnicity, religion, disability) are gone.

Pure: ``now`` passed in, no store.
"""

from __future__ import annotations

import pytest

from live.core import questions as q
from live.core.privacy import NOTICE_VERSION

MORNING = 1_796_608_800.0  # 07/12/2026 08:00 in Cao Bằng
LATER = MORNING + 3600
SITES = {"xa-quang-lam"}
THEMES = {"viec-lam"}
QID = "0b6a4c7e-9f1d-4e2a-8c3b-5d6e7f8a9b0c"


def submit(now: float = MORNING, **fields) -> dict:
    payload = {"id": QID, "site": "xa-quang-lam", "text": "Tỉnh có hỗ trợ thanh niên khởi nghiệp không?", **fields}
    return q.validate_submission(payload, sites=SITES, themes=THEMES, now=now)


def test_without_consent_no_name_and_no_group_is_stored_whatever_the_phone_sends():
    record = submit(name="Nông Thị Hoa", group="cong_nhan")
    assert (record["name"], record["group"], record["consent"]) == ("", None, {})


@pytest.mark.parametrize(
    "fields",
    [
        {"name": "x" * 500, "group": "chairman"},  # would be refused if they were kept
        {"name": 5, "group": 3},
        {"name": ["Hoa"], "group": {"id": "cong_nhan"}},
        {"name": "Hoa", "group": "cong_nhan", "consent": {}},
        {"name": "Hoa", "group": "cong_nhan", "consent": {"name": "", "group": None}},
        {"name": "Hoa", "group": "cong_nhan", "consent": None},
    ],
)
def test_what_is_not_consented_is_dropped_not_refused(fields):
    """The phone must not lose its question for a field that would not be stored anyway."""
    record = submit(**fields)
    assert (record["name"], record["group"], record["consent"]) == ("", None, {})
    assert record["text"]


def test_each_consent_covers_its_own_purpose_only():
    named = submit(name="Nông Thị Hoa", group="cong_nhan", consent={"name": "1"})
    assert (named["name"], named["group"]) == ("Nông Thị Hoa", None)
    assert named["consent"] == {"name": {"version": "1", "at": MORNING}}
    grouped = submit(now=LATER, name="Nông Thị Hoa", group="cong_nhan", consent={"group": "1"})
    assert (grouped["name"], grouped["group"]) == ("", "cong_nhan")
    assert grouped["consent"] == {"group": {"version": "1", "at": LATER}}


def test_the_consent_keeps_the_notice_version_and_the_time_it_was_given():
    record = submit(now=LATER, name="Hoa", group="khac", consent={"name": NOTICE_VERSION, "group": "2"})
    assert record["consent"] == {
        "name": {"version": NOTICE_VERSION, "at": LATER},
        "group": {"version": "2", "at": LATER},
    }
    assert record["received_at"] == LATER


def test_a_consent_with_nothing_to_store_is_not_kept():
    record = submit(name="   ", group="", consent={"name": "1", "group": "1"})
    assert (record["name"], record["group"], record["consent"]) == ("", None, {})


@pytest.mark.parametrize("removed", sorted(q.REMOVED_GROUPS))
def test_a_sensitive_group_is_never_stored_and_the_question_is_kept(removed):
    """An old page or an outbox from before the change still sends one: dropped, not refused."""
    record = submit(name="Hoa", group=removed, consent={"name": "1", "group": "1"})
    assert (record["name"], record["group"]) == ("Hoa", None)
    assert record["consent"] == {"name": {"version": "1", "at": MORNING}}


def test_the_secretariat_records_what_the_asker_gave_it():
    assert q.secretariat_consents({"name": "Hoa", "group": "cong_nhan"}) == {
        "name": NOTICE_VERSION,
        "group": NOTICE_VERSION,
    }
    assert q.secretariat_consents({"name": "", "group": None}) == {}


# ---------------------------------------------------------------- public screens


def test_public_screens_show_the_group_only_with_its_consent():
    shown = submit(group="hoc_sinh_sinh_vien", name="Hoa", consent={"group": "1", "name": "1"})
    assert q.public_group(shown) == "hoc_sinh_sinh_vien"
    assert q.public_origin("Xã Quảng Lâm", shown) == "Xã Quảng Lâm — học sinh, sinh viên"
    assert "Hoa" not in q.public_origin("Xã Quảng Lâm", shown)
    # stored before consent existed: the group stays on the staff's record, not on a public screen
    legacy = {"site": "xa-quang-lam", "group": "hoc_sinh_sinh_vien", "name": "Hoa"}
    assert q.public_group(legacy) is None
    assert q.public_origin("Xã Quảng Lâm", legacy) == "Xã Quảng Lâm"
    sensitive = {"group": "dan_toc_thieu_so", "consent": {"group": {"version": "1", "at": MORNING}}}
    assert q.public_origin("Xã Quảng Lâm", sensitive) == "Xã Quảng Lâm"


# ---------------------------------------------------------------- the stores of earlier days


def test_the_migration_takes_out_sensitive_groups_and_nothing_else():
    stored = {
        "id": QID,
        "name": "Hoàng Văn Nam",
        "group": "dan_toc_thieu_so",
        "consent": {"group": {"version": "1", "at": MORNING}},
        "origins": [
            {"id": "a" * 16, "code": "K7Q2MX", "site": "1304", "name": "", "group": "ton_giao"},
            {"id": "b" * 16, "code": "P3W8RT", "site": "1297", "name": "", "group": "cong_nhan"},
        ],
    }
    cleaned = q.without_removed_group(stored)
    assert cleaned["group"] is None and cleaned["consent"] == {} and cleaned["name"] == "Hoàng Văn Nam"
    assert [o["group"] for o in cleaned["origins"]] == [None, "cong_nhan"]
    assert stored["group"] == "dan_toc_thieu_so"  # the old record is untouched
    assert q.without_removed_group(cleaned) is None  # idempotent: nothing left to do
    assert q.without_removed_group({"id": QID, "group": "cong_nhan"}) is None
    assert q.without_removed_group({"id": QID, "group": None, "origins": [{"group": "khuyet_tat"}]}) == {
        "id": QID,
        "group": None,
        "origins": [{"group": None}],
    }
