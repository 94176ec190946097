"""What became of the day's questions, per site and per theme, for the participation page. Pure.

Counted for the Youth Union's annual report (Decree 13/2021, Art. 12): per bridge point and per
theme, how many questions were received, approved, answered on air, forwarded, and how many "me
too" supports they drew; and which sites were never heard.

Merges: a question merged into another counts as received at its own site, and shares the fate of
the question it joined (approved, answered on air, forwarded, answered in writing), since its asker
was answered through it. So a site whose only question was merged into one answered on air was
heard. Each question's supports count at its own site (a device that supported a question and its
duplicate counts once for each). A merged question without a theme takes the theme of the one it
joined.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from live.core import questions

COLUMNS = ("received", "approved", "answered", "forwarded", "supports")
PASSED = (questions.APPROVED, questions.ON_SCREEN, questions.ANSWERED, questions.FORWARDED)
PUBLISHED = "published"  # a written reply made public (the reply_state of live/core/questions.py)


def joined(question: Mapping, by_id: Mapping[str, Mapping]) -> Mapping:
    """The question whose fate ``question`` shares: the end of its chain of merges, or itself."""
    return questions.followed(question, by_id.get) or question


def _row(found: Iterable[Mapping], by_id: Mapping[str, Mapping], supports: Mapping[str, int]) -> dict[str, int]:
    row = dict.fromkeys(COLUMNS, 0)
    for question in found:
        status = joined(question, by_id).get("status")
        row["received"] += 1
        row["approved"] += status in PASSED
        row["answered"] += status == questions.ANSWERED
        row["forwarded"] += status == questions.FORWARDED
        row["supports"] += int(supports.get(question["id"], 0))
    return row


def per_site(found: Sequence[Mapping], sites: Iterable[str], supports: Mapping[str, int]) -> dict[str, dict[str, int]]:
    """site id → its counts, every listed site (none received: zeros), then any other site named."""
    by_id = {q["id"]: q for q in found}
    groups: dict[str, list[Mapping]] = {site: [] for site in sites}
    for question in found:
        groups.setdefault(str(question.get("site") or ""), []).append(question)
    return {site: _row(mine, by_id, supports) for site, mine in groups.items()}


def theme_of(question: Mapping, by_id: Mapping[str, Mapping]) -> str | None:
    """The question's theme, or the theme of the question it joined."""
    return question.get("theme") or joined(question, by_id).get("theme") or None


def per_theme(
    found: Sequence[Mapping], themes: Iterable[str], supports: Mapping[str, int]
) -> dict[str | None, dict[str, int]]:
    """theme id → its counts, in the conference's order, then those of questions given none (None)
    when there are any."""
    by_id = {q["id"]: q for q in found}
    groups: dict[str | None, list[Mapping]] = {theme: [] for theme in themes}
    for question in found:
        groups.setdefault(theme_of(question, by_id), []).append(question)
    if not groups.get(None):
        groups.pop(None, None)
    return {theme: _row(mine, by_id, supports) for theme, mine in groups.items()}


def total(rows: Iterable[Mapping[str, int]]) -> dict[str, int]:
    """The sum of rows, column by column."""
    out = dict.fromkeys(COLUMNS, 0)
    for row in rows:
        for column in COLUMNS:
            out[column] += row.get(column, 0)
    return out


def heard(question: Mapping, by_id: Mapping[str, Mapping]) -> bool:
    """Whether the question was answered on air or in writing (itself or through its merge)."""
    for candidate in (question, joined(question, by_id)):
        if candidate.get("status") == questions.ANSWERED or candidate.get("reply_state") == PUBLISHED:
            return True
    return False


def unheard(found: Sequence[Mapping], sites: Iterable[str]) -> tuple[list[str], list[str]]:
    """(the sites no question came from, the sites whose questions none was answered on air or in
    writing), each in the order of ``sites``."""
    by_id = {q["id"]: q for q in found}
    asked: dict[str, bool] = {}
    for question in found:
        site = str(question.get("site") or "")
        asked[site] = asked.get(site, False) or heard(question, by_id)
    silent, unanswered = [], []
    for site in sites:
        if site not in asked:
            silent.append(site)
        elif not asked[site]:
            unanswered.append(site)
    return silent, unanswered
