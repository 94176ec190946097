"""The bridge points' floor: who asked to speak, in order, and who speaks now; and who is connected.

Pure code: no Flask, Socket.IO or storage import; ``now`` is passed in. ``Floor`` is stored state
(one JSON document, the ``floor`` of the snapshot); every transition returns a new one or raises
``DomainError("floor.…")``. ``Presence`` is the roll call: which site screens are connected to this
server process, kept in memory only (a connection does not outlive its process).

The rules, as the MC runs them::

    request  a site asks to speak: it joins the end of the queue (once; not while it speaks)
    cancel   the site takes its request back
    give     the MC gives the floor to any site, asked or not; it leaves the queue, and the site
             that spoke before loses the floor (it is not queued again)
    dismiss  the MC declines a request: it leaves the queue
    end      the site that speaks is done; nobody has the floor
    prune    sites removed from the conference vanish from the queue and the floor
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace

from live.core.errors import DomainError

# A site is in the queue at most once, so the queue is never longer than the conference's list of
# sites; but an MC cannot call on more than a few dozen points in one session, and the snapshot goes
# to every screen: beyond this many waiting requests a new one is refused until some are handled.
MAX_REQUESTS = 200


@dataclass(frozen=True)
class Request:
    """One site's request to speak and when it arrived (server time)."""

    site: str
    at: float


@dataclass(frozen=True)
class Floor:
    """Who holds the floor since when, and the requests waiting, oldest first."""

    holder: str | None = None
    since: float | None = None
    requests: tuple[Request, ...] = ()

    def to_dict(self) -> dict:
        holder = None if self.holder is None else {"site": self.holder, "since": self.since}
        return {"holder": holder, "requests": [{"site": r.site, "at": r.at} for r in self.requests]}

    @classmethod
    def from_dict(cls, data: dict | None) -> Floor:
        if not data:
            return cls()
        holder = data.get("holder") or None
        requests = tuple(Request(site=str(r["site"]), at=float(r["at"])) for r in data.get("requests") or ())
        if holder is None:
            return cls(requests=requests)
        since = holder.get("since")
        return cls(holder=str(holder["site"]), since=None if since is None else float(since), requests=requests)

    def requested(self, site: str) -> bool:
        return any(r.site == site for r in self.requests)


def _known(site: str, sites: Collection[str] | None) -> None:
    if sites is not None and site not in sites:
        raise DomainError("floor.unknown_site", site=site)


def _without(floor: Floor, site: str) -> tuple[Request, ...]:
    return tuple(r for r in floor.requests if r.site != site)


def request(floor: Floor, site: str, now: float, sites: Collection[str] | None = None) -> Floor:
    """``site`` asks to speak: it joins the end of the queue.

    ``sites``, when given, is the conference's site ids: any other site is refused.
    """
    _known(site, sites)
    if floor.holder == site:
        raise DomainError("floor.already_holding", site=site)
    if floor.requested(site):
        raise DomainError("floor.already_requested", site=site)
    if len(floor.requests) >= MAX_REQUESTS:
        raise DomainError("floor.queue_full", limit=MAX_REQUESTS)
    return replace(floor, requests=(*floor.requests, Request(site, now)))


def cancel(floor: Floor, site: str) -> Floor:
    """``site`` takes back its request to speak."""
    if not floor.requested(site):
        raise DomainError("floor.not_requested", site=site)
    return replace(floor, requests=_without(floor, site))


def give(floor: Floor, site: str, now: float, sites: Collection[str] | None = None) -> Floor:
    """The MC gives the floor to ``site`` from ``now``, whether it asked or not.

    Its request (if any) leaves the queue; whoever spoke before loses the floor.
    """
    _known(site, sites)
    if floor.holder == site:
        raise DomainError("floor.already_holding", site=site)
    return Floor(holder=site, since=now, requests=_without(floor, site))


def dismiss(floor: Floor, site: str) -> Floor:
    """The MC declines ``site``'s request: it leaves the queue."""
    if not floor.requested(site):
        raise DomainError("floor.not_requested", site=site)
    return replace(floor, requests=_without(floor, site))


def end(floor: Floor) -> Floor:
    """The site that speaks is done; the queue stays as it is."""
    if floor.holder is None:
        raise DomainError("floor.nobody")
    return replace(floor, holder=None, since=None)


def prune(floor: Floor, site_ids: Iterable[str]) -> Floor:
    """Forget sites that are no longer in the conference (after the admin edits the list)."""
    ids = set(site_ids)
    requests = tuple(r for r in floor.requests if r.site in ids)
    if floor.holder is not None and floor.holder not in ids:
        return Floor(requests=requests)
    return replace(floor, requests=requests)


def position(floor: Floor, site: str) -> int | None:
    """``site``'s place in the queue, 1 for the next one; None when it has not asked."""
    for i, r in enumerate(floor.requests, start=1):
        if r.site == site:
            return i
    return None


# ---------------------------------------------------------------- the roll call


class Presence:
    """Which site screens are connected to this server process: the bridge points' heartbeat.

    A site is connected while at least one of its site screens holds a Socket.IO connection. One
    instance lives in one server process's memory; ``now`` is passed in.

    ``last_seen`` in :meth:`view`:

    - ``None`` while the site is connected (the screens say "Đang kết nối"), and for a site not
      seen since this process started ("Chưa kết nối");
    - the time its last site screen went away while it is disconnected ("Mất kết nối lúc 09:14").
    """

    def __init__(self) -> None:
        self._site_of: dict[str, str] = {}  # socket id → site id
        self._count: dict[str, int] = {}  # site id → connected site screens
        self._left_at: dict[str, float] = {}  # site id → when its last screen went away

    def connect(self, sid: str, site: str, now: float) -> int:
        """A site screen of ``site`` connected as ``sid``; returns how many the site has now."""
        if sid in self._site_of:  # the same connection announced again: count it once
            self.disconnect(sid, now)
        self._site_of[sid] = site
        self._count[site] = self._count.get(site, 0) + 1
        return self._count[site]

    def disconnect(self, sid: str, now: float) -> str | None:
        """Connection ``sid`` went away; returns its site, or None when it was no site screen."""
        site = self._site_of.pop(sid, None)
        if site is None:
            return None
        left = self._count.get(site, 0) - 1
        if left > 0:
            self._count[site] = left
        else:
            self._count.pop(site, None)
            self._left_at[site] = now
        return site

    def sites(self) -> list[str]:
        """The sites with at least one site screen connected here."""
        return list(self._count)

    def connected(self, site: str) -> int:
        """How many site screens of ``site`` are connected."""
        return self._count.get(site, 0)

    def entry(self, site: str) -> dict:
        """``{"connected": n, "last_seen": float | None}`` for one site."""
        n = self._count.get(site, 0)
        return {"connected": n, "last_seen": None if n else self._left_at.get(site)}

    def view(self, site_ids: Iterable[str]) -> dict[str, dict]:
        """The roll call of ``site_ids``: ``{site: {"connected": n, "last_seen": float | None}}``."""
        return {site: self.entry(site) for site in site_ids}
