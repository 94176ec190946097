"""The survey after the day (phiếu khảo sát): its questions, one phone's answer, the results. Pure.

The admin sets 3 to 5 questions: ratings from 1 to 5, and at most one free text. A young person
answers once per device, anonymously: a rating left blank is no answer, the free text is cleaned
(NFC, no control characters) and at most ``TEXT_LIMIT`` characters.

A free text is read by the secretariat before anyone else sees it: it waits as ``PENDING`` until
marked ``READ`` (it goes into the results) or ``HIDDEN`` (kept out of every report). The ratings
count at once. The results are counted per site and overall: how many answered, and per rating
question how many rated it, the mean and the distribution from 1 to 5.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from live.core.errors import DomainError
from live.core.text import clean

RATING, TEXT = "rating", "text"
KINDS = (RATING, TEXT)
MIN_QUESTIONS, MAX_QUESTIONS = 3, 5
QUESTION_LIMIT = 300  # one question's wording
TEXT_LIMIT = 2000  # one young person's free text
SCALE = (1, 2, 3, 4, 5)
PENDING, READ, HIDDEN = "pending", "read", "hidden"
REVIEWS = (READ, HIDDEN)


def question_ids() -> list[str]:
    """The ids of the questions in their order: ``s1`` … ``s5``."""
    return [f"s{n}" for n in range(1, MAX_QUESTIONS + 1)]


def questions_of(rows: Sequence[Mapping[str, object]]) -> list[dict]:
    """The survey's questions from the admin's rows (``{"text", "kind"}`` each, blank rows left out):
    3 to 5 of them, each a rating or the one free text; ids ``s1``… in the order given."""
    kept = []
    for row in rows:
        text = " ".join(clean(row.get("text")).split())
        if not text:
            continue
        if len(text) > QUESTION_LIMIT:
            raise DomainError("survey.question_too_long", number=len(kept) + 1, limit=QUESTION_LIMIT)
        kind = row.get("kind")
        if kind not in KINDS:
            raise DomainError("survey.bad_kind", number=len(kept) + 1)
        kept.append({"kind": kind, "text": text})
    if len(kept) < MIN_QUESTIONS:
        raise DomainError("survey.too_few", min=MIN_QUESTIONS, max=MAX_QUESTIONS)
    if len(kept) > MAX_QUESTIONS:
        raise DomainError("survey.too_many", min=MIN_QUESTIONS, max=MAX_QUESTIONS)
    if sum(1 for q in kept if q["kind"] == TEXT) > 1:
        raise DomainError("survey.two_texts")
    return [{"id": ident, **q} for ident, q in zip(question_ids(), kept, strict=False)]


def text_question(questions: Iterable[Mapping]) -> dict | None:
    """The free-text question, if the survey has one."""
    return next((dict(q) for q in questions if q.get("kind") == TEXT), None)


def answer(questions: Sequence[Mapping], form: Mapping[str, object]) -> dict:
    """One phone's answer to ``questions`` from its form (question id → what was sent):
    ``{"ratings": {id: 1–5}, "text": str | None}``; a blank rating is left out. Refuses a rating
    outside 1–5, a free text too long, and an answer with nothing in it."""
    ratings: dict[str, int] = {}
    text = None
    for question in questions:
        raw = form.get(question["id"])
        raw = raw if isinstance(raw, str) else ""
        if question.get("kind") == TEXT:
            typed = clean(raw, multiline=True)
            if len(typed) > TEXT_LIMIT:
                raise DomainError("survey.text_too_long", limit=TEXT_LIMIT)
            text = typed or None
            continue
        value = raw.strip()
        if not value:
            continue
        if value not in {str(n) for n in SCALE}:
            raise DomainError("survey.bad_rating")
        ratings[question["id"]] = int(value)
    if not ratings and text is None:
        raise DomainError("survey.empty")
    return {"ratings": ratings, "text": text}


def review_of(response: Mapping) -> str:
    """Where a response's free text stands: ``pending``, ``read`` or ``hidden``."""
    found = response.get("review")
    return found if found in REVIEWS else PENDING


def released(response: Mapping) -> str | None:
    """The free text of a response once the secretariat read it and kept it; None otherwise."""
    text = response.get("text")
    return text if isinstance(text, str) and text and review_of(response) == READ else None


def tally(questions: Sequence[Mapping], responses: Iterable[Mapping]) -> dict:
    """``{"count", "ratings": {id: {"n", "mean", "spread": [n of 1 … n of 5]}}, "texts": [...]}``
    for these responses: the mean rounded to two places (None when nobody rated it); ``texts`` holds
    the released free texts only."""
    rating_ids = [q["id"] for q in questions if q.get("kind") == RATING]
    spreads = {ident: [0] * len(SCALE) for ident in rating_ids}
    count = 0
    texts = []
    for response in responses:
        count += 1
        for ident, value in (response.get("ratings") or {}).items():
            if ident in spreads and value in SCALE:
                spreads[ident][value - 1] += 1
        text = released(response)
        if text is not None:
            texts.append(text)
    ratings = {}
    for ident, spread in spreads.items():
        n = sum(spread)
        total = sum(value * hits for value, hits in zip(SCALE, spread, strict=True))
        ratings[ident] = {"n": n, "mean": round(total / n, 2) if n else None, "spread": spread}
    return {"count": count, "ratings": ratings, "texts": texts}


def results(questions: Sequence[Mapping], responses: Iterable[Mapping], sites: Iterable[str]) -> dict:
    """``{"overall": tally, "sites": {site id: tally}}``: every site listed (none answered: 0), then
    any other site a response names."""
    responses = list(responses)
    by_site: dict[str, list[Mapping]] = {site: [] for site in sites}
    for response in responses:
        by_site.setdefault(str(response.get("site") or ""), []).append(response)
    return {
        "overall": tally(questions, responses),
        "sites": {site: tally(questions, found) for site, found in by_site.items()},
    }
