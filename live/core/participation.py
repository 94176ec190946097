"""Participation by group, as totals per site: never a person's group (Law 91/2025/QH15).

A province that reports how many young people of each group took part (ethnic minorities, people
with a disability, workers, students…) records one number per group and per site, entered by the
site's facilitator or by the secretariat. Nothing here is about a person: a total of twelve
young people of ethnic minorities at Quảng Lâm is not personal data, a young person's ethnicity is
sensitive data, and live never asks it (``questions.REMOVED_GROUPS``).

The groups overlap (a young worker may also belong to an ethnic minority): each group is at most
the site's total, their sum may be more. A field left empty means "not counted", not zero.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from live.core.errors import DomainError
from live.core.questions import YOUTH_GROUPS

TOTAL = "total"
# what a site counts: the whole attendance, then each group. The sensitive categories are allowed
# here because they are totals; the per-question groups (questions.YOUTH_GROUPS) never hold them.
CATEGORIES: tuple[tuple[str, str], ...] = (
    (TOTAL, "Tổng số thanh niên dự"),
    *((gid, label) for gid, label in YOUTH_GROUPS if gid != "khac"),
    ("dan_toc_thieu_so", "Thanh niên dân tộc thiểu số"),
    ("ton_giao", "Thanh niên có đạo"),
    ("khuyet_tat", "Thanh niên khuyết tật"),
)
LABELS = dict(CATEGORIES)
LIMIT = 100_000  # more young people than a commune hall (or the provincial hall) holds


def key(site: str) -> str:
    return f"participation:{site}"


def counts(form: Mapping[str, object]) -> dict[str, int | None]:
    """The totals typed for one site (``category → text``): each a whole number from 0 to
    ``LIMIT``, empty when not counted; refuses a group larger than the site's total."""
    found: dict[str, int | None] = {}
    for category, _label in CATEGORIES:
        raw = form.get(category)
        text = str(raw if raw is not None else "").strip().replace(".", "").replace(" ", "")
        if not text:
            found[category] = None
            continue
        if not text.isascii() or not text.isdigit() or int(text) > LIMIT:
            raise DomainError("participation.bad_number", category=category)
        found[category] = int(text)
    total = found[TOTAL]
    if total is not None:
        for category, value in found.items():
            if category != TOTAL and value is not None and value > total:
                raise DomainError("participation.more_than_total", category=category)
    return found


def table(sites: Iterable[dict], docs: Mapping[str, dict | None]) -> tuple[list[dict], dict[str, int]]:
    """One row per site (its totals, ``None`` where not counted, and who entered them when) and
    the province's sum per category (sites that did not count a category add nothing)."""
    rows = []
    sums = {category: 0 for category, _label in CATEGORIES}
    for site in sites:
        doc = docs.get(key(site["id"])) or {}
        values = {category: (doc.get("counts") or {}).get(category) for category, _label in CATEGORIES}
        for category, value in values.items():
            sums[category] += value or 0
        rows.append({"site": site, "counts": values, "at": doc.get("at"), "by": doc.get("by") or ""})
    return rows, sums
