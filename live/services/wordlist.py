"""The word lists the secretariat edits on /tu-khoa/ (the matching in live/core/wordlist.py).

One document in the store, ``wordlist``: ``{"banned", "suspect", "allow", "set_at", "by"}``. No
document, or one without lists (after "back to the starting list"), means the list shipped in
live/data/wordlist-vi.txt. A question is checked when it arrives (``Desk._store``, the branches'
lists) and again when the secretariat edits its text (``Desk.act``); questions already stored are
not checked again when the lists change.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path

from live.core import wordlist as rules
from live.core.errors import DomainError

KEY = "wordlist"
SHIPPED = Path(__file__).resolve().parent.parent / "data" / "wordlist-vi.txt"
TEXT_LIMIT = 200_000  # one tier's textarea: 2,000 entries of 60 characters, with room to spare

log = logging.getLogger("live.wordlist")


@functools.cache
def shipped() -> dict[str, list[str]]:
    """The starting list, read once (when first needed, never at import)."""
    return rules.parse_file(SHIPPED.read_text(encoding="utf-8"))


def lists(doc: dict | None) -> dict[str, list[str]]:
    """The three tiers a stored document holds, or the starting list."""
    if not doc or not all(isinstance(doc.get(tier), list) for tier in rules.TIERS):
        return shipped()
    return {tier: list(doc[tier]) for tier in rules.TIERS}


def setting(store) -> dict:
    """The lists now, when and by whom they were set, and whether they are the starting list."""
    doc = store.get(KEY) or {}
    return {
        **lists(doc),
        "set_at": doc.get("set_at"),
        "by": doc.get("by"),
        "shipped": lists(doc) is shipped(),
    }


class Cache:
    """The compiled lists of the last document seen: compiled once per document (documents are
    replaced, never changed in place), so a submission costs no compiling and no store read."""

    def __init__(self) -> None:
        self._last: tuple[dict | None, rules.Compiled] | None = None

    def compiled(self, doc: dict | None) -> rules.Compiled:
        last = self._last
        if last is None or last[0] is not doc:
            last = self._last = (doc, _compile(doc))
        return last[1]

    def flags(self, doc: dict | None, record: dict) -> dict[str, list[str]]:
        """What the lists find in a new question: ``{}`` or its non-empty tiers."""
        folded = record.get("fold")
        return self.compiled(doc).match(record["text"], folded if isinstance(folded, str) else None)


@functools.lru_cache(maxsize=1)
def _compiled_shipped() -> rules.Compiled:
    return rules.compile_lists(shipped())


def _compile(doc: dict | None) -> rules.Compiled:
    found = lists(doc)
    return _compiled_shipped() if found is shipped() else rules.compile_lists(found)


def compiled(store) -> rules.Compiled:
    """The lists stored now, compiled (for an import, a page: not for the hot path)."""
    return _compile(store.get(KEY))


def parse(texts: dict[str, object]) -> dict[str, list[str]]:
    """The three tiers from the page's textareas, checked (``wordlist.*`` errors name the tier
    and the line); nothing is stored."""
    found = {}
    for tier in rules.TIERS:
        text = texts.get(tier, "")
        if not isinstance(text, str) or len(text) > TEXT_LIMIT:
            raise DomainError("wordlist.too_many", tier=tier, limit=rules.MAX_ENTRIES)
        found[tier] = rules.parse_lines(text, tier)
    return found


def save(store, texts: dict[str, object], *, now: float, by: str) -> dict:
    """Replace the lists with those typed (all three checked first: all stored, or nothing)."""
    found = parse(texts)
    doc = {**found, "set_at": now, "by": by}
    store.transact((KEY,), lambda _docs: {KEY: doc})
    # the counts only: never the entries, and never a question's text beside them
    log.info("word lists set banned=%d suspect=%d allow=%d", *(len(found[t]) for t in rules.TIERS))
    return doc


def reset(store, *, now: float, by: str) -> dict:
    """Back to the starting list (a document without lists)."""
    doc = {"set_at": now, "by": by}
    store.transact((KEY,), lambda _docs: {KEY: doc})
    log.info("word lists reset to the starting list")
    return doc


def trial(store, text: object) -> dict[str, list[str]]:
    """What the stored lists would find in a sentence the secretariat types."""
    if not isinstance(text, str):
        return {}
    return compiled(store).match(text)
