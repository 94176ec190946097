"""What a question holds of the person who asked it, and how live removes it: pure functions.

Three ways personal data leaves the store (docs/privacy.md):

- **purge** (retention): ``anonymised`` keeps the question's text for the record and drops its
  asker's name, device link and consent record, its own and those of the questions merged into it;
- **deletion** (the asker's right, a rehearsal wiped): the question's document is replaced by a
  ``tombstone`` holding no data at all (the store has no delete: a replaced document is how every
  process's replica learns that it is gone), and each audit entry about it by ``scrubbed_entry``;
- **withdrawal** of the name: ``without_name``.

In every place data was, a ``REMOVED`` marker says that something was there and was removed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# in place of removed data (the audit log's before/after, exports): a screen shows it as "(đã xoá)"
REMOVED = {"removed": True}

# the fields of a question that identify or reach its asker, or that it holds only by their consent
# (the group was kept to be shown beside the commune on the day: that purpose ends with the day)
ASKER_FIELDS = ("name", "group", "device")
# what an origin (a question merged into another) keeps of its asker
ORIGIN_ASKER_FIELDS = ("name", "group")
# the fields of a question copied into the audit log's before/after that come from the asker
AUDITED_CONTENT = ("text", "original_text", "name", "summary", "notes", "reply_text", "reply_note", "origins")

# why a question's document was replaced by a tombstone
DELETED_BY_ASKER = "asker"
DELETED_REHEARSAL = "rehearsal"
WHY_DELETED = (DELETED_BY_ASKER, DELETED_REHEARSAL)


def is_removed(value: Any) -> bool:
    """Whether ``value`` is the marker left where data was removed."""
    return value == REMOVED


def tombstone(question_id: str, now: float, why: str) -> dict:
    """What replaces a deleted question's document: its id, when and why, nothing of its asker."""
    if why not in WHY_DELETED:
        raise ValueError(f"unknown reason for a deletion: {why!r}")
    return {"id": question_id, "deleted_at": now, "deleted": why}


def is_tombstone(doc: dict | None) -> bool:
    """Whether a stored question document is the tombstone of a deleted question."""
    return doc is not None and "deleted_at" in doc and "text" not in doc


WITHDRAWABLE = ("name", "group")  # what an asker gave by consent, each withdrawn on its own


def without(question: dict, purpose: str) -> dict | None:
    """``question`` without what its asker gave for ``purpose`` ("name" or "group") and that
    consent; None when it holds none (an anonymous question's name is "": nothing held)."""
    if purpose not in WITHDRAWABLE:
        raise ValueError(f"nothing is withdrawn for {purpose!r}")
    consent = question.get("consent") if isinstance(question.get("consent"), dict) else {}
    if question.get(purpose) in (None, "") and purpose not in consent:
        return None
    new = dict(question, **{purpose: None})
    if consent:
        new["consent"] = {k: v for k, v in consent.items() if k != purpose}
    return new


def without_name(question: dict) -> dict | None:
    """``question`` without its asker's name and the name's consent; None when it holds none."""
    return without(question, "name")


def _held(value: Any) -> bool:
    return value not in (None, "")  # an anonymous question stores its name as "": nothing held


def holds_asker_data(question: dict) -> bool:
    """Whether ``question`` still holds something of its asker that a purge removes."""
    if is_tombstone(question):
        return False
    if any(_held(question.get(field)) for field in ASKER_FIELDS) or question.get("consent"):
        return True
    return any(
        isinstance(o, dict) and (any(_held(o.get(f)) for f in ORIGIN_ASKER_FIELDS) or o.get("consent"))
        for o in question.get("origins") or []
    )


def anonymised(question: dict, now: float) -> dict | None:
    """``question`` with nothing left of its asker (name, group, device link, consents; the same for the
    questions merged into it), its text kept for the record and ``purged_at`` set; None when it
    held nothing to purge (so a purge run again changes nothing)."""
    if not holds_asker_data(question):
        return None
    new = {**question, **{field: None for field in ASKER_FIELDS}, "consent": None, "purged_at": now}
    if question.get("origins"):
        new["origins"] = [
            {**o, **{f: None for f in ORIGIN_ASKER_FIELDS}, "consent": None} if isinstance(o, dict) else o
            for o in question["origins"]
        ]
    return new


def removed(value: Any) -> Any:
    """``REMOVED`` in place of ``value``; None and a marker already there stay as they are."""
    return REMOVED if value is not None and not is_removed(value) else value


def scrub_sides(entry: dict, clean: Callable[[str, Any], Any]) -> dict | None:
    """An audit entry with ``clean(field, value)`` applied to each value of its before/after (who
    did what and when stays); None when nothing changed, so a second run writes nothing."""
    new = dict(entry)
    for side in ("before", "after"):
        values = entry.get(side)
        if isinstance(values, dict):
            new[side] = {k: clean(k, v) for k, v in values.items()}
    return new if new != entry else None


def scrubbed_entry(entry: dict) -> dict | None:
    """An audit entry about a deleted question with every copy of the question's content, and its
    tracking code, replaced by ``REMOVED``; None when there was nothing left to remove."""
    new = scrub_sides(entry, lambda k, v: removed(v) if k in AUDITED_CONTENT else v)
    if entry.get("code") is not None and not is_removed(entry["code"]):
        new = {**(new or entry), "code": REMOVED}
    return new
