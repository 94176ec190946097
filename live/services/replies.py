"""Written replies after the day: each department's secret link, deadlines, and what the public sees.

A forwarded question carries its department and a deadline (``questions.py``). The department
writes its reply through its own link (``/co-quan/<token>``, 192 bits like a role link). The token is
derived, not stored: an HMAC of the server's secret key with the department's id and a salt, so
listing the links writes nothing; renewing one stores a fresh random salt for that department in
the ``dept-links`` document ({department id: salt}), which revokes the old link at once.
The secretariat publishes, sends back or withdraws it; only a *published* reply ever leaves the
secretariat: to the asker's phone, to the lookup by tracking code and to the public answers page.

The pure part (deadlines, what the public may see of a reply) takes ``now`` or ``today`` as an
argument; the rest reads the day's store through ``Day`` and changes nothing but the tokens.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from typing import Any
from zoneinfo import ZoneInfo

from live.core import access, questions
from live.core.errors import DomainError
from live.formats.exports import TIMEZONE

DEPT_LINKS = "dept-links"  # {department id: salt}, for the departments whose link was renewed
DEFAULT_DAYS = 15  # a department has at least 15 days to reply in writing (Decree 13/2021, Art. 11)
SOON_DAYS = 3  # a deadline this close (or passed) is flagged to the secretariat
OVERDUE, SOON = "overdue", "soon"
CODE_CHARS = frozenset(questions.CODE_ALPHABET)

# ---------------------------------------------------------------- pure: dates and deadlines


def local_date(now: float, zone: str = TIMEZONE) -> dt.date:
    """The calendar day ``now`` falls on in the conference's time zone."""
    return dt.datetime.fromtimestamp(now, ZoneInfo(zone)).date()


def default_deadline(conference_date: str | None, now: float, zone: str = TIMEZONE) -> str:
    """The deadline of a question forwarded without one: 15 days after the conference's date, or
    after the day it is forwarded when that is later (forwarded after the day, a department still
    gets its 15 days). ISO ``yyyy-mm-dd``."""
    base = local_date(now, zone)
    if conference_date:
        try:
            base = max(base, dt.date.fromisoformat(conference_date))
        except ValueError:
            pass
    return (base + dt.timedelta(days=DEFAULT_DAYS)).isoformat()


def days_left(deadline: str | None, today: dt.date) -> int | None:
    """Days from ``today`` to the deadline (negative once passed), or None without a deadline."""
    if not deadline:
        return None
    try:
        return (dt.date.fromisoformat(deadline) - today).days
    except ValueError:
        return None


def owes_reply(question: dict) -> bool:
    """Whether the department still has to write (or rewrite) its reply."""
    return question.get("reply_state") in (None, questions.RETURNED)


def flag(left: int | None) -> str | None:
    """``overdue`` once the day has passed, ``soon`` when it is ``SOON_DAYS`` or fewer days away."""
    if left is None:
        return None
    if left < 0:
        return OVERDUE
    return SOON if left <= SOON_DAYS else None


def urgency(question: dict, today: dt.date) -> str | None:
    """``overdue`` or ``soon`` (≤ 3 days) while the department still owes its reply; else None."""
    return flag(days_left(question.get("deadline"), today)) if owes_reply(question) else None


def day_month_year(iso: str | None) -> str:
    """``2025-09-12`` → ``12/09/2025``; "" for None."""
    if not iso:
        return ""
    try:
        return dt.date.fromisoformat(iso).strftime("%d/%m/%Y")
    except ValueError:
        return iso


# ---------------------------------------------------------------- pure: what leaves the secretariat


def answered_for(question: dict, merged_into: dict | None) -> dict:
    """The question whose reply an asker follows: the one theirs was merged into (see
    ``questions.follows``), or theirs."""
    return merged_into if merged_into is not None and questions.follows(question, merged_into) else question


def public_outcome(question: dict, merged_into: dict | None, departments: dict[str, str]) -> dict:
    """What became of a question, as its asker is told (on the phone: ``question.status`` and each
    of ``question.mine``; by its tracking code on ``/tra-cuu``): its status; a rejection's reason
    as a code, never the secretariat's notes; for a merge, the question it joined (``merged_into``,
    see ``questions.followed``; its words only once approved); the department and the deadline of a
    forwarded question; the written reply and the hall answer's summary only once published. A
    merged question's department, reply and answer are those of the question it joined."""
    answered = answered_for(question, merged_into)
    forwarded = answered.get("status") == questions.FORWARDED
    department = answered.get("department") or ""
    return {
        "status": questions.public_status(question),
        "reason": questions.public_reason(question),
        "joined": questions.joined(question, merged_into),
        "department": (departments.get(department, department) or None) if forwarded else None,
        "deadline": (day_month_year(answered.get("deadline")) or None) if forwarded else None,
        "reply": public_reply(answered, departments),  # None also takes a withdrawn reply off the phone
        "answer": public_summary(answered),  # likewise a withdrawn summary
    }


def public_reply(question: dict, departments: dict[str, str]) -> dict | None:
    """The written reply as the asker and the public may see it: only once published (never a
    draft, never the secretariat's note); None otherwise."""
    if question.get("status") != questions.FORWARDED or question.get("reply_state") != questions.PUBLISHED:
        return None
    department = question.get("reply_by") or question.get("department") or ""
    return {
        "text": question.get("reply_text") or "",
        "department": departments.get(department, department),
        "published_at": question.get("published_at"),
    }


def public_summary(question: dict) -> dict | None:
    """The summary of an answer given in the hall as the askers and the public may see it: only
    once the secretariat published it (its latest words); None otherwise."""
    if question.get("status") not in (questions.ANSWERED, questions.FORWARDED):
        return None
    text, published_at = question.get("summary") or "", question.get("summary_published_at")
    if not text.strip() or published_at is None:
        return None
    return {"text": text, "published_at": published_at}


def normal_code(value: Any) -> str | None:
    """A tracking code as someone typed it (spaces, lower case) → ``K7Q2MX``, or None."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    code = "".join(value.split()).upper()
    if len(code) != questions.CODE_LENGTH or not set(code) <= CODE_CHARS:
        return None
    return code


# ---------------------------------------------------------------- the departments' links


def departments(day) -> list[dict]:
    """The conference's answering departments, in its order: [{id, name}]."""
    return [{"id": d["id"], "name": d["name"]} for d in (day.conference() or {}).get("departments", [])]


def department_names(day) -> dict[str, str]:
    return {d["id"]: d["name"] for d in departments(day)}


def link_token(secret: str, department: str, salt: str = "") -> str:
    """The secret of a department's link: 192 bits of HMAC-SHA256, URL-safe (32 characters)."""
    mac = hmac.new(secret.encode(), f"live.department-link\0{department}\0{salt}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()[:24]).decode()


def tokens(day) -> dict[str, str]:
    """department id → its link's secret, for every department of the conference (writes nothing)."""
    secret = day.secret_key()
    salts = day.store.get(DEPT_LINKS) or {}
    return {d["id"]: link_token(secret, d["id"], str(salts.get(d["id"], ""))) for d in departments(day)}


def regenerate(day, department: str) -> str:
    """A new secret link for ``department``; its old link stops working at once."""
    if department not in department_names(day):
        raise DomainError("question.bad_department")
    salt = access.new_token()
    day.store.transact((DEPT_LINKS,), lambda docs: {DEPT_LINKS: {**(docs[DEPT_LINKS] or {}), department: salt}})
    return tokens(day)[department]


def department_for(day, token: str) -> dict | None:
    """The department whose link carries ``token`` (compared in constant time), or None."""
    if not isinstance(token, str) or len(token) > 100:
        return None
    ident = access.role_for_token(tokens(day), token)
    return next((d for d in departments(day) if d["id"] == ident), None) if ident else None


def links(base_url: str, day) -> list[tuple[dict, str]]:
    """One (department, URL) per answering department, in the conference's order."""
    base = base_url.rstrip("/")
    secrets = tokens(day)
    return [(d, f"{base}/co-quan/{secrets[d['id']]}") for d in departments(day)]


# ---------------------------------------------------------------- reading the day


def _origin(question: dict, sites: dict[str, str]) -> str:
    name = sites.get(question.get("site"), question.get("site") or "")
    return questions.public_origin(name, question)


def forwarded(day) -> list[dict]:
    """Every question forwarded for a written reply, oldest first."""
    return [q for q in day.desk.all() if q.get("status") == questions.FORWARDED]


def card(question: dict, day, today: dt.date, zone: str = TIMEZONE) -> dict:
    """A forwarded question as the department and the secretariat read it: never the asker's
    name or device."""
    sites = day.desk.site_names()
    also = [_origin(o, sites) for o in question.get("origins") or []]
    left = days_left(question.get("deadline"), today)
    published = question.get("published_at")
    return {
        "id": question["id"],
        "code": question["code"],
        "version": question["version"],
        "text": question["text"],
        "origin": _origin(question, sites),
        "also": [o for o in dict.fromkeys(also) if o],
        "theme": question.get("theme"),
        "department": question.get("department"),
        "deadline": day_month_year(question.get("deadline")),
        "deadline_iso": question.get("deadline") or "",
        "days_left": left,
        "urgency": urgency(question, today),
        "reply_text": question.get("reply_text") or "",
        "reply_state": question.get("reply_state"),
        "reply_note": question.get("reply_note") or "",
        "reply_at": _local(question.get("reply_at"), zone),
        "published_at": _local(published, zone),
        "forwarded_at": _local(question.get("forwarded_at"), zone),
    }


def _local(timestamp: float | None, zone: str) -> str:
    if timestamp is None:
        return ""
    return dt.datetime.fromtimestamp(timestamp, ZoneInfo(zone)).strftime("%d/%m/%Y")


def _by_deadline(c: dict) -> tuple:
    return (c["days_left"] if c["days_left"] is not None else 10**6, c["code"])


def for_department(day, department: str, zone: str = TIMEZONE) -> list[dict]:
    """The questions forwarded to ``department``: the ones it still owes first, nearest deadline first."""
    today = local_date(day.now(), zone)
    cards = [card(q, day, today, zone) for q in forwarded(day) if q.get("department") == department]
    cards.sort(
        key=lambda c: (
            c["reply_state"] == questions.PUBLISHED,
            c["reply_state"] == questions.SUBMITTED,
            *_by_deadline(c),
        )
    )
    return cards


def board(day, zone: str = TIMEZONE) -> dict:
    """The secretariat's view: deadlines passed and coming up first, then every forwarded question
    by department (the conference's order; a department no longer listed comes last)."""
    today = local_date(day.now(), zone)
    cards = [card(q, day, today, zone) for q in forwarded(day)]
    names = department_names(day)
    order = {ident: n for n, ident in enumerate(names)}
    groups: dict[str, list[dict]] = {}
    for c in sorted(cards, key=_by_deadline):
        groups.setdefault(c["department"] or "", []).append(c)
    grouped = [
        {"id": ident, "name": names.get(ident, ident), "cards": items}
        for ident, items in sorted(groups.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0]))
    ]
    flagged = sorted((c for c in cards if c["urgency"]), key=_by_deadline)
    waiting = [c for c in cards if c["reply_state"] == questions.SUBMITTED]
    published = [c for c in cards if c["reply_state"] == questions.PUBLISHED]
    return {
        "groups": grouped,
        "flagged": flagged,
        "counts": {
            "all": len(cards),
            "overdue": sum(c["urgency"] == OVERDUE for c in cards),
            "soon": sum(c["urgency"] == SOON for c in cards),
            "waiting": len(waiting),
            "published": len(published),
        },
    }


def public_answers(day, zone: str = TIMEZONE) -> list[dict]:
    """Every published answer grouped by theme in the conference's order (no theme: last): the
    summaries of the answers given in the hall and the written replies, newest first in each theme.
    A question with both (answered in part in the hall, then forwarded) is one entry with both."""
    doc = day.conference() or {}
    themes = [(t["id"], t["name"]) for t in doc.get("themes", [])]
    names = department_names(day)
    # the public page shows the real day's answers, never a rehearsal's, even while one runs
    everything = day.desk.real_day()  # first: it brings the replica up to date, the sites' names with it
    sites = day.desk.site_names()
    found: dict[str | None, list[dict]] = {}
    for q in everything:
        if q.get("status") not in (questions.ANSWERED, questions.FORWARDED):
            continue
        reply, summary = public_reply(q, names), public_summary(q)
        if reply is None and summary is None:
            continue
        found.setdefault(q.get("theme") if q.get("theme") in dict(themes) else None, []).append(
            {
                "code": q["code"],
                "text": q["text"],
                "origin": _origin(q, sites),
                "summary": summary["text"] if summary else None,
                "summary_at": _local(summary["published_at"], zone) if summary else "",
                "department": reply["department"] if reply else None,
                "reply": reply["text"] if reply else None,
                "published_at": _local(reply["published_at"], zone) if reply else "",
                "at": max((reply or {}).get("published_at") or 0, (summary or {}).get("published_at") or 0),
            }
        )
    groups = [{"id": ident, "name": name, "answers": found[ident]} for ident, name in themes if ident in found]
    if None in found:
        groups.append({"id": None, "name": None, "answers": found[None]})
    for group in groups:
        group["answers"].sort(key=lambda a: (-a["at"], a["code"]))
    return groups


def lookup(day, code: str | None, zone: str = TIMEZONE) -> dict | None:
    """What became of the question with this tracking code, as anyone holding the code may see
    it (``public_outcome``), or None for a code no question of the real day carries. Its words and
    its commune only once approved: a code may be guessed, and a question refused stays private."""
    if code is None:
        return None
    everything = day.desk.real_day()  # a public page: the real day's questions, never a rehearsal's
    mine = next((q for q in everything if q.get("code") == code), None)
    if mine is None:
        return None
    by_id = {q["id"]: q for q in everything} if mine.get("status") == questions.MERGED else {}
    target = questions.followed(mine, by_id.get)
    outcome = public_outcome(mine, target, department_names(day))
    shown = mine.get("status") in questions.SHOWN_STATUSES
    reply, summary = outcome["reply"], outcome["answer"]
    return {
        **outcome,
        "code": code,
        "text": mine["text"] if shown else None,
        "origin": _origin(mine, day.desk.site_names()) if shown else None,
        "reply": dict(reply, published_at=_local(reply["published_at"], zone)) if reply else None,
        "answer": dict(summary, published_at=_local(summary["published_at"], zone)) if summary else None,
    }
