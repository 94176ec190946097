"""Participation totals per site (``live.core.participation``): read and written in the store.

One document per site, ``participation:<site>``, replaced whole by each save and stamped with who
saved it and when: two facilitators never contend for one key, and the secretariat may correct a
site's figures afterwards (the last save wins, the page shows whose figures they are).
"""

from __future__ import annotations

from live.core import participation
from live.core.errors import DomainError
from live.services.change import CONFERENCE

PREFIX = "participation:"


def sites(store) -> list[dict]:
    return list((store.get(CONFERENCE) or {}).get("sites") or [])


def record(store, site: str, form: dict, *, by: str, role: str, now: float) -> dict:
    """Save the totals typed for ``site``; refuses an unknown site or a bad number, saving nothing."""
    if site not in {s["id"] for s in sites(store)}:
        raise DomainError("participation.unknown_site")
    counts = participation.counts(form)
    doc = {"site": site, "counts": counts, "by": by, "role": role, "at": now}
    store.transact((participation.key(site),), lambda _docs: {participation.key(site): doc})
    return doc


def table(store) -> tuple[list[dict], dict[str, int]]:
    """Every site's totals and the province's sums."""
    return participation.table(sites(store), store.scan(PREFIX))
