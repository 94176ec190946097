"""The survey after the day in the store (the rules in live/core/survey.py).

The survey is one document, ``survey``: ``{"questions", "open", "opened_at", "closed_at", "set_at",
"by"}``. Its questions may change only while nobody has answered: once a response exists a change
is refused (``survey.answered``), so every response reads against the questions it was given.

Each response is one document written once with ``store.insert`` (a second send from the same
phone, or a retry after a lost page, finds it there: exactly once). Its key is a keyed hash of the
phone's device id (HMAC-SHA256 with the server's secret key), so the response names no device, no
person and no question, and nobody without the key can tell which phone sent it. It holds the site
the phone came from, the ratings and the free text, and no time. A response sent during a rehearsal
carries the rehearsal's mark (and its key the rehearsal's id): it never counts for the real day.

The free text is the only part that may hold personal data (a young person may write their name):
the retention purge (live/services/retention.py) removes it with the day's other personal data and
keeps the ratings.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping

from live.core import rehearsal as rehearsals
from live.core import survey as rules
from live.core.errors import DomainError

KEY = "survey"
PREFIX = "survey-r:"
REAL_DAY = "day"  # in a response's key, for the real day (a rehearsal's id otherwise)


def current(store) -> dict:
    """The survey: its questions (none until the admin sets them), whether it is open, and when."""
    doc = store.get(KEY) or {}
    return {
        "questions": list(doc.get("questions") or []),
        "open": bool(doc.get("open")),
        "opened_at": doc.get("opened_at"),
        "closed_at": doc.get("closed_at"),
        "set_at": doc.get("set_at"),
        "by": doc.get("by") or "",
    }


def response_key(secret: str, device: str, rehearsal: str | None = None) -> str:
    """The key of this device's response: a keyed hash, never the device id itself."""
    digest = hmac.new(secret.encode(), f"survey:{device}".encode(), hashlib.sha256).hexdigest()[:40]
    return f"{PREFIX}{rehearsal or REAL_DAY}:{digest}"


def every_response(store) -> dict[str, dict]:
    """Every response by key, the rehearsals' too."""
    return store.scan(PREFIX)


def responses(store, rehearsal: str | None = None) -> dict[str, dict]:
    """The responses of the real day (``rehearsal`` None) or of the rehearsal ``rehearsal``."""
    return {k: r for k, r in every_response(store).items() if rehearsals.visible(r, rehearsal)}


def set_questions(store, rows: Iterable[Mapping[str, object]], *, now: float, by: str) -> dict:
    """Replace the questions (3–5, checked by ``live.core.survey``); refused once anyone answered."""
    found = rules.questions_of(list(rows))
    if responses(store):  # the real day's: a rehearsal's answers never lock the questions
        raise DomainError("survey.answered")

    def fn(docs):
        return {KEY: {**(docs[KEY] or {}), "questions": found, "set_at": now, "by": by}}

    store.transact((KEY,), fn)
    return current(store)


def open_survey(store, *, now: float, by: str) -> dict:
    """Open the survey to the phones; refused while it has no questions."""

    def fn(docs):
        doc = docs[KEY] or {}
        if not doc.get("questions"):
            raise DomainError("survey.no_questions")
        return {KEY: {**doc, "open": True, "opened_at": now, "closed_at": None, "by": by}}

    store.transact((KEY,), fn)
    return current(store)


def close_survey(store, *, now: float, by: str) -> dict:
    """Close the survey: the phones see a polite sentence and nothing more is received."""

    def fn(docs):
        doc = docs[KEY] or {}
        if not doc.get("open"):
            return {}
        return {KEY: {**doc, "open": False, "closed_at": now, "by": by}}

    store.transact((KEY,), fn)
    return current(store)


def sent(store, secret: str, device: str | None, rehearsal: str | None = None) -> bool:
    """Whether this device already answered (the running rehearsal's survey while one runs)."""
    return bool(device) and store.get(response_key(secret, device, rehearsal)) is not None


def respond(
    store, secret: str, device: str | None, site: str, form: Mapping[str, object], rehearsal: str | None = None
) -> tuple[dict, bool]:
    """Store this device's answer once: (the response, True) when written now, (the response
    already there, False) when this device had answered. Refused when the survey is closed, when
    the browser keeps no device cookie, or when the answer is not valid."""
    survey = current(store)
    if not survey["open"] or not survey["questions"]:
        raise DomainError("survey.closed")
    if not device:
        raise DomainError("survey.no_device")
    key = response_key(secret, device, rehearsal)
    found = store.get(key)
    if found is not None:
        return found, False
    answered = rules.answer(survey["questions"], form)
    doc: dict = {"site": site, "ratings": answered["ratings"]}
    if answered["text"] is not None:
        doc["text"] = answered["text"]
    if rehearsal is not None:
        doc[rehearsals.MARK] = rehearsal
    stored, seq = store.insert(key, doc)
    return stored, seq is not None


def review(store, key: str, verdict: str, *, now: float, by: str) -> dict:
    """The secretariat's verdict on one free text: ``read`` (kept in the results) or ``hidden``
    (kept out of every report). It may be changed later."""
    if verdict not in rules.REVIEWS:
        raise DomainError("survey.bad_review")
    if not isinstance(key, str) or not key.startswith(PREFIX) or len(key) > 120:
        raise DomainError("survey.not_found")

    def fn(docs):
        doc = docs[key]
        if doc is None or not doc.get("text"):
            raise DomainError("survey.not_found")
        return {key: {**doc, "review": verdict, "reviewed_at": now, "reviewed_by": by}}

    written, _seq = store.transact((key,), fn)
    return written[key]


def texts(found: Mapping[str, dict]) -> list[tuple[str, dict]]:
    """The responses holding a free text, pending ones first, each with its key."""
    order = {rules.PENDING: 0, rules.READ: 1, rules.HIDDEN: 2}
    held = [(k, r) for k, r in found.items() if r.get("text")]
    held.sort(key=lambda item: (order[rules.review_of(item[1])], item[0]))
    return held


def results(store, sites: Iterable[str], rehearsal: str | None = None) -> dict:
    """The results per site and overall (``live.core.survey.results``), released free texts only."""
    return rules.results(current(store)["questions"], responses(store, rehearsal).values(), sites)


# ---------------------------------------------------------------- the retention purge


def holding_text(found: Iterable[dict]) -> int:
    """How many responses still hold a free text."""
    return sum(1 for r in found if r.get("text"))


def without_text(response: dict | None, now: float) -> dict | None:
    """The response once its free text is removed (the ratings stay); None when it holds none."""
    if response is None or not response.get("text"):
        return None
    kept = {k: v for k, v in response.items() if k not in ("text", "review", "reviewed_at", "reviewed_by")}
    return {**kept, "text_purged_at": now}
