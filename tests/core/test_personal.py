"""What a question holds of its asker and how it is removed (live/core/personal.py): pure, no store."""

from __future__ import annotations

import pytest

from live.core import personal

GIVEN = {"version": "1", "at": 10.0}
QUESTION = {
    "id": "q" * 20, "code": "K7Q2MX", "site": "1304", "text": "Học bổng?", "name": "Nông Thị Hoa",
    "group": "cong_nhan", "consent": {"name": GIVEN, "group": GIVEN}, "device": "dev-1", "status": "answered",
    "origins": [{"id": "o" * 20, "code": "P3W8RT", "site": "1297", "name": "Lò Văn Sáng", "group": None,
                 "consent": {"name": GIVEN}}],
}  # fmt: skip


def test_a_purge_keeps_the_text_and_drops_everything_of_the_askers_once():
    purged = personal.anonymised(QUESTION, now=99.0)
    assert (purged["text"], purged["code"], purged["site"]) == ("Học bổng?", "K7Q2MX", "1304")
    assert (purged["name"], purged["group"], purged["device"], purged["consent"]) == (None, None, None, None)
    assert purged["purged_at"] == 99.0
    assert purged["origins"] == [{"id": "o" * 20, "code": "P3W8RT", "site": "1297", "name": None, "group": None,
                                  "consent": None}]  # fmt: skip
    assert "Nông" not in str(purged) and "Lò Văn" not in str(purged) and "dev-1" not in str(purged)
    assert personal.anonymised(purged, now=100.0) is None  # nothing left: a second run writes nothing
    assert QUESTION["name"] == "Nông Thị Hoa"  # the stored document is never changed in place


def test_an_anonymous_question_has_nothing_to_purge():
    anonymous = {**QUESTION, "name": "", "group": None, "consent": {}, "device": None, "origins": []}
    assert personal.holds_asker_data(anonymous) is False  # a floor question's empty name holds nothing
    assert personal.anonymised(anonymous, now=1.0) is None


def test_a_tombstone_holds_the_id_and_nothing_else():
    stone = personal.tombstone(QUESTION["id"], 5.0, personal.DELETED_BY_ASKER)
    assert stone == {"id": QUESTION["id"], "deleted_at": 5.0, "deleted": "asker"}
    assert personal.is_tombstone(stone) and not personal.is_tombstone(QUESTION) and not personal.is_tombstone(None)
    with pytest.raises(ValueError):
        personal.tombstone(QUESTION["id"], 5.0, "because")


def test_withdrawing_the_name_takes_its_consent_with_it():
    withdrawn = personal.without_name(QUESTION)
    assert withdrawn["name"] is None and withdrawn["consent"] == {"group": GIVEN}
    assert personal.without_name(withdrawn) is None


def test_an_audit_entry_keeps_who_and_when_and_loses_the_questions_content():
    entry = {"at": 3.0, "role": "moderator", "name": "Lan", "action": "edit", "question": QUESTION["id"],
             "code": "K7Q2MX", "before": {"text": "Hoc bong?", "theme": None},
             "after": {"text": "Học bổng?", "theme": "viec_lam"}}  # fmt: skip
    scrubbed = personal.scrubbed_entry(entry)
    assert scrubbed["before"] == {"text": personal.REMOVED, "theme": None}
    assert scrubbed["after"] == {"text": personal.REMOVED, "theme": "viec_lam"}
    assert scrubbed["code"] == personal.REMOVED and (scrubbed["name"], scrubbed["action"], scrubbed["at"]) == (
        "Lan",
        "edit",
        3.0,
    )
    assert personal.scrubbed_entry(scrubbed) is None
