"""The languages a young person may ask in at a bridge point, when the commune's facilitator types
the question in for them (``Desk.assist``): the Vietnamese text is what the secretariat reads, and
the original words, as said or written, are kept beside it.

About 95 % of Cao Bằng's people belong to ethnic minorities; these are the languages its communes
speak. The ids are ASCII and stored with the question; the labels are Vietnamese, as the exports
print them (the screens translate them in ``templates/_languages.html``).
"""

from __future__ import annotations

import re

from live.core.errors import DomainError
from live.core.questions import QUESTION_LIMIT
from live.core.text import clean

VIETNAMESE = "vi"
LANGUAGES: tuple[tuple[str, str], ...] = (
    (VIETNAMESE, "Tiếng Việt"),
    ("tay", "Tày"),
    ("nung", "Nùng"),
    ("hmong", "H'Mông"),
    ("dao", "Dao"),
    ("san_chay", "Sán Chay"),
    ("lo_lo", "Lô Lô"),
    ("khac", "Khác"),
)
LANGUAGE_LABELS = dict(LANGUAGES)
_RAW_LIMIT = 20 * QUESTION_LIMIT  # refuse megabytes before cleaning them, whatever they clean to


def language(value: object) -> str:
    """The id of the language a question was asked in; none given is Vietnamese."""
    if value is None or value == "":
        return VIETNAMESE
    if not isinstance(value, str) or value not in LANGUAGE_LABELS:
        raise DomainError("question.unknown_language")
    return value


def original_words(value: object) -> str | None:
    """The young person's own words, cleaned like a question's text, or None when none were given."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise DomainError("question.malformed", field="original")
    if len(value) > _RAW_LIMIT:
        raise DomainError("question.original_too_long", limit=QUESTION_LIMIT)
    lines = [line.rstrip() for line in clean(value, multiline=True).split("\n")]
    words = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    if not words:
        return None
    if len(words) > QUESTION_LIMIT:
        raise DomainError("question.original_too_long", limit=QUESTION_LIMIT)
    return words


def label(language_id: str | None) -> str:
    """The Vietnamese name of a language id ("" for none, the id itself for an unknown one)."""
    if not language_id:
        return ""
    return LANGUAGE_LABELS.get(language_id, language_id)
