"""The asker's rights by tracking code, and the secretariat's register of requests: pure rules.

A young person (or the secretariat, on their request by phone or on paper) may see what live holds
about a question, withdraw the name given with it, or delete the question while it is not yet
answered (``deletable``). Law 91/2025/QH15 and Decree 356/2025/NĐ-CP ask for an answer to such a
request within 2 working days and for the request to be done within 15 days: ``answer_by`` and
``done_by`` compute both from the day the request was received, ``urgency`` flags the requests
that are late or nearly so.

Working days skip Saturdays and Sundays only: public holidays (Tết, 30/4, 1/5, 2/9…) are not
known to live, so a deadline that falls after a holiday is earlier than the law's, never later.
Pure code: dates and times are passed in.
"""

from __future__ import annotations

import datetime as dt

from live.core import limits, questions
from live.core.errors import DomainError
from live.core.text import clean

ANSWER_WORKING_DAYS = 2  # an answer to the request: within 2 working days
DONE_DAYS = 15  # the request done: within 15 days (calendar days)
SOON_DAYS = 1  # a deadline this close (today or tomorrow) is flagged "due soon"

# what was asked: see what is held, withdraw the name or the group, delete the question, anything else
SEE, WITHDRAW, DELETE, OTHER = "xem", "rut_ten", "xoa", "khac"
KINDS = (SEE, WITHDRAW, DELETE, OTHER)
# how it came: on the asker's page by tracking code, or to the secretariat
SELF, PHONE, PAPER, IN_PERSON = "tu_thuc_hien", "dien_thoai", "giay", "truc_tiep"
VIAS = (SELF, PHONE, PAPER, IN_PERSON)
RECORDED_VIAS = (PHONE, PAPER, IN_PERSON)  # what the secretariat records by hand
NOTE_LIMIT = 500
OVERDUE, SOON = "overdue", "soon"

# the lookups of one address on the asker's page: 10 at once, then one more every 30 seconds.
# Only the codes that find nothing are counted, so a commune hall's helpers looking up real codes
# for many people are not slowed; a guesser finds a code among ~887 million at 2 a minute.
LOOKUP_RULE = limits.Rule(burst=10, every=30.0)

# a question's status (or for a merged one, that of the question it joined) in which it may still be deleted
DELETABLE = (questions.RECEIVED, questions.APPROVED, questions.REJECTED)


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date ``days`` working days (Monday to Friday) after ``start``: Friday + 2 → Tuesday,
    Saturday + 2 → Tuesday, Monday + 2 → Wednesday."""
    if days < 0:
        raise ValueError("days must not be negative")
    day = start
    left = days
    while left:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return day


def answer_by(received: dt.date) -> dt.date:
    """The last day to answer a request received on ``received`` (2 working days)."""
    return add_working_days(received, ANSWER_WORKING_DAYS)


def done_by(received: dt.date) -> dt.date:
    """The last day to have done a request received on ``received`` (15 days)."""
    return received + dt.timedelta(days=DONE_DAYS)


def deadlines(received: dt.date) -> dict[str, str]:
    """Both deadlines of a request, ISO ``yyyy-mm-dd``, as a request document stores them."""
    return {"answer_by": answer_by(received).isoformat(), "done_by": done_by(received).isoformat()}


def _flag(deadline: str | None, today: dt.date) -> str | None:
    if not deadline:
        return None
    left = (dt.date.fromisoformat(deadline) - today).days
    if left < 0:
        return OVERDUE
    if left <= SOON_DAYS:
        return SOON
    return None


def urgency(request: dict, today: dt.date) -> dict[str, str | None]:
    """For each deadline still open ("answer", "done"): ``OVERDUE`` once passed, ``SOON`` on its
    last day or the day before, else None. A deadline met (answered, done) is never flagged."""
    return {
        "answer": None if request.get("answered_at") else _flag(request.get("answer_by"), today),
        "done": None if request.get("done_at") else _flag(request.get("done_by"), today),
    }


def is_open(request: dict) -> bool:
    """Whether a request is still to be done."""
    return not request.get("done_at")


def deletable(question: dict, merged_into: dict | None = None) -> bool:
    """Whether the asker may delete ``question``: only while it is not yet answered, that is not on
    screen, not answered at the conference and not forwarded for a written reply, itself or the
    question it was merged into (``merged_into``). A rejected question may be deleted."""
    if question.get("status") in (questions.ON_SCREEN, questions.ANSWERED, questions.FORWARDED):
        return False
    if question.get("status") == questions.MERGED:
        return (questions.joined(question, merged_into) or {}).get("status") in DELETABLE
    return questions.public_status(question) in DELETABLE


def kind(value: object) -> str:
    if value not in KINDS:
        raise DomainError("rights.bad_kind")
    return str(value)


def via(value: object) -> str:
    """How a request the secretariat records came to it (never ``SELF``: the page records those)."""
    if value not in RECORDED_VIAS:
        raise DomainError("rights.bad_via")
    return str(value)


def note(value: object) -> str:
    """The secretariat's note on a request, cleaned: one paragraph, at most ``NOTE_LIMIT``."""
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > 20 * NOTE_LIMIT:
        raise DomainError("rights.bad_note", limit=NOTE_LIMIT)
    text = " ".join(clean(value).split())
    if len(text) > NOTE_LIMIT:
        raise DomainError("rights.bad_note", limit=NOTE_LIMIT)
    return text


def received_date(value: object, today: dt.date) -> dt.date:
    """The day a request reached the secretariat, as typed (dd/mm/yyyy; empty: today). Never in
    the future, and not more than a year back (a typing slip)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return today
    if not isinstance(value, str) or len(value) > 40:
        raise DomainError("rights.bad_date")
    try:
        found = dt.datetime.strptime(value.strip(), "%d/%m/%Y").date()
    except ValueError:
        raise DomainError("rights.bad_date") from None
    if found > today or found < today - dt.timedelta(days=366):
        raise DomainError("rights.bad_date")
    return found
