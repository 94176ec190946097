"""Questions coming in: from phones by QR code, and from the floor through the secretariat.

The service between the pure lifecycle (``questions.py``) and the handlers. Each question is
one document ``q:<id>`` in the store, written once under the id the phone made, so a retry of
the same question finds it there and is acknowledged again without a second copy. The count
of questions per site is kept beside them, in the same transaction, for the roll call.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from . import limits, questions, rooms
from .errors import DomainError
from .services import CONFERENCE, Change

PREFIX = "q:"
COUNTS = "question_counts"
STAGE = "stage"  # {"question": id | None}: what is on screen now
CHANNELS = ("qr", "paper", "spoken")
FLOOR_CHANNELS = ("paper", "spoken")
MINE_LIMIT = 50

# what a staff screen sees of a question (the phone's device id and the fold key stay inside)
STAFF_FIELDS = (
    "id",
    "code",
    "site",
    "channel",
    "text",
    "original_text",
    "name",
    "group",
    "theme",
    "department",
    "status",
    "version",
    "received_at",
    "updated_at",
    "reason",
    "merged_into",
    "shown_at",
    "answered_at",
    "forwarded_at",
)


def key(question_id: str) -> str:
    return PREFIX + question_id


def staff_view(question: dict) -> dict:
    """A question as the secretariat and the MC see it."""
    return {name: question.get(name) for name in STAFF_FIELDS}


def phone_view(question: dict, merged_into: dict | None = None) -> dict:
    """A question as its asker's phone sees it: never the secretariat's reasons."""
    return {
        "id": question["id"],
        "code": question["code"],
        "text": question["text"],
        "site": question["site"],
        "status": questions.public_status(question, merged_into),
        "received_at": question["received_at"],
    }


def _valid_id(value: Any) -> str:
    if not isinstance(value, str) or not questions._QUESTION_ID.fullmatch(value):
        raise DomainError("question.bad_id")
    return value


class Desk:
    """Takes questions in, durably and exactly once, and lists them for the secretariat."""

    def __init__(self, store, now: Callable[[], float] = time.time, limiter: limits.Limiter | None = None) -> None:
        self.store = store
        self.now = now
        self.limiter = limiter or limits.Limiter()

    # ------------------------------------------------------------ taking questions in

    def submit(self, payload: Any, *, device: str, address: str) -> tuple[dict, bool, Change | None]:
        """A question from a phone: (the stored question, whether it was a retry, what to send).

        The acknowledgement that follows means the question is on disk. Sending the same id
        again returns the stored question and changes nothing, whatever else the retry carries.
        """
        if not isinstance(payload, dict):
            raise DomainError("question.malformed")
        stored = self.store.get(key(_valid_id(payload.get("id"))))
        if stored is not None:
            return stored, True, None
        now = self.now()
        record = self._validate(payload, now)
        refused = self.limiter.check(now, device=device, site=record["site"], address=address)
        if refused is not None:
            scope, wait = refused
            raise DomainError(f"limit.{scope}", retry_after=wait)
        return self._store(dict(record, channel="qr", device=device))

    def enter(self, payload: Any, *, by: str) -> tuple[dict, bool, Change | None]:
        """A question received on paper or spoken at a site, typed in by the secretariat."""
        if not isinstance(payload, dict):
            raise DomainError("question.malformed")
        channel = payload.get("channel")
        if channel not in FLOOR_CHANNELS:
            raise DomainError("question.bad_channel")
        fields = {k: v for k, v in payload.items() if k != "channel"}
        stored = self.store.get(key(_valid_id(fields.get("id"))))
        if stored is not None:
            return stored, True, None
        record = self._validate(fields, self.now())
        return self._store(dict(record, channel=channel, device=None, entered_by=by))

    def _validate(self, payload: dict, now: float) -> dict:
        doc = self.store.get(CONFERENCE) or {}
        sites = {site["id"] for site in doc.get("sites", [])}
        themes = {theme["id"] for theme in doc.get("themes", [])}
        return questions.validate_submission(payload, sites=sites, themes=themes, now=now)

    def _store(self, record: dict) -> tuple[dict, bool, Change | None]:
        qkey = key(record["id"])

        def fn(docs):
            if docs[qkey] is not None:  # the same id arrived twice at once: the first one wins
                return {}
            counts = dict(docs[COUNTS] or {})
            counts[record["site"]] = counts.get(record["site"], 0) + 1
            return {qkey: record, COUNTS: counts}

        written, seq = self.store.transact((qkey, COUNTS), fn)
        if not written:
            return self.store.get(qkey), True, None
        site = record["site"]
        return (
            record,
            False,
            Change(
                seq,
                [
                    ("question.added", {"seq": seq, "question": staff_view(record)}, rooms.desk()),
                    ("roll.changed", {"site": site, "questions": written[COUNTS][site]}, rooms.roll()),
                ],
            ),
        )

    # ------------------------------------------------------------ reading

    def get(self, question_id: str) -> dict | None:
        return self.store.get(key(question_id))

    def all(self) -> list[dict]:
        """Every question, oldest first."""
        found = list(self.store.scan(PREFIX).values())
        found.sort(key=lambda q: (q["received_at"], q["id"]))
        return found

    def for_desk(self) -> list[dict]:
        return [staff_view(q) for q in self.all()]

    def mine(self, payload: Any) -> list[dict]:
        """What a phone may know of the questions it sent (by the ids it made)."""
        ids = payload.get("ids") if isinstance(payload, dict) else None
        if not isinstance(ids, list) or len(ids) > MINE_LIMIT:
            raise DomainError("question.malformed")
        found = []
        for ident in dict.fromkeys(ids):
            question = self.store.get(key(_valid_id(ident)))
            if question is None:
                continue
            target = self.store.get(key(question["merged_into"])) if question.get("merged_into") else None
            found.append(phone_view(question, target))
        return found

    def counts(self) -> dict[str, int]:
        """Questions received so far, by site."""
        return dict(self.store.get(COUNTS) or {})

    def current(self) -> dict | None:
        """The question on screen now, as every screen may show it, or None."""
        stage = self.store.get(STAGE) or {}
        question = self.get(stage["question"]) if stage.get("question") else None
        if question is None or question.get("status") != questions.ON_SCREEN:
            return None
        doc = self.store.get(CONFERENCE) or {}
        names = {site["id"]: site["name"] for site in doc.get("sites", [])}
        site_name = names.get(question["site"], question["site"])
        return {
            "id": question["id"],
            "text": question["text"],
            "site": question["site"],
            "site_name": site_name,
            "group": question.get("group"),
            "origin": questions.shown_origin(site_name, questions.group_label(question.get("group"))),
        }
