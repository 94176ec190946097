"""A young person's question: what a phone may send, its lifecycle, and duplicate detection.

Pure code: no Flask, Socket.IO or storage import; ``now`` is passed in. A question is one
JSON-able dict. ``validate_submission`` turns what a phone sent into a record (or raises
``DomainError``); ``transition`` applies one secretariat or MC action and returns a new record.

The lifecycle (actions on the left, ``status → status``)::

    approve   received → approved
    reject    received | approved → rejected           (reason required)
    merge     received | approved → merged             (into: the question it duplicates)
    reopen    approved | rejected | merged → received  (undo a moderation decision)
    show      approved → on_screen
    hide      on_screen → approved                     (taken off screen unanswered)
    answer    approved | on_screen → answered          (answered live, alone or with its theme)
    forward   approved | on_screen → forwarded         (department required; written reply)
    edit      received | approved, status unchanged    (original text kept once)
    assign    received | approved | on_screen, status unchanged (theme, department)
    note      received | approved | on_screen, status unchanged (prepared notes for the chairman)
    order     approved | on_screen, status unchanged   (its rank in the queue)

Before the day (the status stays; the question stays in the dialogue)::

    prepare   received | approved | on_screen          (a department prepares an answer by a due
                                                        date; no department: the assignment is
                                                        withdrawn)
    draft     received | approved | on_screen          (the department writes the prepared answer,
                                                        or proposes to answer in writing instead)
    review    received | approved | on_screen          (the secretariat accepts the prepared answer
                                                        or sends it back with a note)
    script    approved | on_screen                     (selected into the script, or taken out;
                                                        its rank in the queue moves with it)

``prep_state`` follows its own small lifecycle: None → assigned → prepared | written →
accepted, or → returned → prepared | written; a department may rewrite until the day.

After the day (the status stays; what changes is the written reply or the record)::

    summarize answered | forwarded                     (the secretariat's summary of the answer,
                                                        for the conclusion notice; a published
                                                        summary stays published, emptied: withdrawn)
    publish_summary  answered | forwarded, summary not published (needs a summary: the askers'
                                                        phones, the lookup and the answers page show it)
    withdraw_summary answered | forwarded, summary published     (taken down again)
    route     forwarded                                (another department, or a new deadline)
    reply     forwarded, reply not published           (the department writes its reply)
    publish   forwarded, reply submitted               (the secretariat approves it: the asker's
                                                        phone and the public page show it)
    send_back forwarded, reply submitted               (returned to the department, with a note)
    withdraw  forwarded, reply published               (taken down again: back to submitted)

``reply_state`` follows its own small lifecycle: None → submitted → published, or
submitted → returned → submitted; a reply never reaches anyone outside the secretariat
before ``publish``, just as a question never reaches the projector before ``approve``.

Nothing is ever deleted: a rejection or a merge can be undone with ``reopen``, because a
secretariat screening hundreds of questions will misclick and nothing a young person sends may
be lost. ``answered`` and ``forwarded`` are final: they are the record the conclusion notice
is written from. Nothing reaches ``on_screen`` without passing through ``approved``.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import heapq
import re
from collections.abc import Callable, Hashable, Iterable
from typing import Any

from live.core.errors import DomainError
from live.core.privacy import NOTICE_VERSION
from live.core.text import clean, fold

QUESTION_LIMIT = 1000
NAME_LIMIT = 80
_RAW_LIMIT = 20 * QUESTION_LIMIT  # refuse megabytes before cleaning them, whatever they clean to

YOUTH_GROUPS: tuple[tuple[str, str], ...] = (
    ("cong_chuc", "Công chức, viên chức"),
    ("luc_luong_vu_trang", "Lực lượng vũ trang"),
    ("cong_nhan", "Công nhân"),
    ("hoc_sinh_sinh_vien", "Học sinh, sinh viên"),
    ("kinh_te_gioi", "Thanh niên làm kinh tế giỏi"),
    ("chua_co_viec_lam", "Thanh niên chưa có việc làm"),
    ("khac", "Khác"),
)
GROUP_LABELS = dict(YOUTH_GROUPS)
# Ethnicity, religion and disability are sensitive data (Law 91/2025/QH15): never asked per person
# again, and removed from the questions stored before (``without_removed_group``, run at start).
REMOVED_GROUPS = frozenset({"dan_toc_thieu_so", "ton_giao", "khuyet_tat"})

# What a young person may agree to, each on its own unticked box: their name stored with the
# question (so they can be called on or replied to), and their group shown beside their commune.
CONSENT_PURPOSES = ("name", "group")
_NOTICE_VERSION = re.compile(r"[0-9A-Za-z._-]{1,20}")

SUBMISSION_FIELDS = ("id", "site", "text", "name", "group", "theme", "consent")
_QUESTION_ID = re.compile(r"[A-Za-z0-9_-]{16,64}")  # a UUID v4 string is one of these
_REF_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


def valid_id(value: object) -> bool:
    """Whether ``value`` can be a question's id (what a phone makes: a UUID, or 16–64 such characters)."""
    return isinstance(value, str) and _QUESTION_ID.fullmatch(value) is not None


RECEIVED, APPROVED, REJECTED, MERGED = "received", "approved", "rejected", "merged"
ON_SCREEN, ANSWERED, FORWARDED = "on_screen", "answered", "forwarded"
STATUSES = (RECEIVED, APPROVED, REJECTED, MERGED, ON_SCREEN, ANSWERED, FORWARDED)
SUBMITTED, PUBLISHED, RETURNED = "submitted", "published", "returned"  # a written reply's state
REPLY_STATES = (SUBMITTED, PUBLISHED, RETURNED)
# a prepared answer's state: assigned to a department, prepared (talking points), written (the
# department proposes a written reply instead), accepted by the secretariat, or sent back
ASSIGNED, PREPARED, WRITTEN, ACCEPTED = "assigned", "prepared", "written", "accepted"
PREP_STATES = (ASSIGNED, PREPARED, WRITTEN, ACCEPTED, RETURNED)
PREP_OWED = (ASSIGNED, RETURNED)  # the department still has to write
SHOWN_STATUSES = (APPROVED, ON_SCREEN, ANSWERED, FORWARDED)  # approved or beyond: its words may be shown
REJECT_REASONS = ("duplicate", "off_topic", "inappropriate", "other")

_EDITABLE = (RECEIVED, APPROVED)
TRANSITIONS: dict[str, dict[str, str]] = {
    "approve": {RECEIVED: APPROVED},
    "reject": {RECEIVED: REJECTED, APPROVED: REJECTED},
    "merge": {RECEIVED: MERGED, APPROVED: MERGED},
    "reopen": {APPROVED: RECEIVED, REJECTED: RECEIVED, MERGED: RECEIVED},
    "show": {APPROVED: ON_SCREEN},
    "hide": {ON_SCREEN: APPROVED},
    "answer": {APPROVED: ANSWERED, ON_SCREEN: ANSWERED},
    "forward": {APPROVED: FORWARDED, ON_SCREEN: FORWARDED},
    "edit": {s: s for s in _EDITABLE},
    "assign": {s: s for s in (RECEIVED, APPROVED, ON_SCREEN)},
    "note": {s: s for s in (RECEIVED, APPROVED, ON_SCREEN)},
    "order": {s: s for s in (APPROVED, ON_SCREEN)},
    "prepare": {s: s for s in (RECEIVED, APPROVED, ON_SCREEN)},
    "draft": {s: s for s in (RECEIVED, APPROVED, ON_SCREEN)},
    "review": {s: s for s in (RECEIVED, APPROVED, ON_SCREEN)},
    "script": {s: s for s in (APPROVED, ON_SCREEN)},
    "summarize": {ANSWERED: ANSWERED, FORWARDED: FORWARDED},
    "route": {FORWARDED: FORWARDED},
    "reply": {FORWARDED: FORWARDED},
    "publish": {FORWARDED: FORWARDED},
    "send_back": {FORWARDED: FORWARDED},
    "withdraw": {FORWARDED: FORWARDED},
    "publish_summary": {ANSWERED: ANSWERED, FORWARDED: FORWARDED},
    "withdraw_summary": {ANSWERED: ANSWERED, FORWARDED: FORWARDED},
}
# the reply state each reply action needs (None: any but these)
_REPLY_NEEDS = {"publish": (SUBMITTED,), "send_back": (SUBMITTED,), "withdraw": (PUBLISHED,)}
ACTIONS = tuple(TRANSITIONS)
_ARGUMENTS: dict[str, tuple[str, ...]] = {
    "reject": ("reason",),
    "merge": ("into",),
    "forward": ("department", "departments", "deadline"),
    "edit": ("text",),
    "assign": ("theme", "department", "themes", "departments"),
    "note": ("notes",),
    "order": ("rank",),
    "summarize": ("summary",),
    "route": ("department", "departments", "deadline"),
    "reply": ("text", "department"),
    "send_back": ("note",),
    "prepare": ("department", "departments", "due"),
    "draft": ("text", "written", "department"),
    "review": ("accept", "note"),
    "script": ("selected", "rank"),
}
NOTES_LIMIT = 2000
PREPARED_LIMIT = 6000  # a prepared answer: talking points for the chairman
SUMMARY_LIMIT = 4000
REPLY_LIMIT = 10_000

# ---------------------------------------------------------------- validation


def question_text(value: object) -> str:
    """The clean text of a question, or ``DomainError`` saying why it cannot be one."""
    if value is None:
        raise DomainError("question.empty")
    if not isinstance(value, str):
        raise DomainError("question.malformed", field="text")
    if len(value) > _RAW_LIMIT:
        raise DomainError("question.too_long", limit=QUESTION_LIMIT)
    lines = [line.rstrip() for line in clean(value, multiline=True).split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    if not text:
        raise DomainError("question.empty")
    if len(text) > QUESTION_LIMIT:
        raise DomainError("question.too_long", limit=QUESTION_LIMIT)
    if not any(ch.isalnum() for ch in text):
        raise DomainError("question.no_letters")
    return text


def _name(value: object) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise DomainError("question.malformed", field="name")
    if len(value) > _RAW_LIMIT:
        raise DomainError("question.name_too_long", limit=NAME_LIMIT)
    name = " ".join(clean(value).split())
    if len(name) > NAME_LIMIT:
        raise DomainError("question.name_too_long", limit=NAME_LIMIT)
    return name


def _choice(value: object, allowed: Iterable[str], code: str) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or value not in allowed:
        raise DomainError(code)
    return value


def consents(value: object, now: float) -> dict[str, dict]:
    """What a phone agreed to (``{"name": "1"}``: purpose → the notice version it was shown) as
    stored (``{"name": {"version": "1", "at": now}}``); absent, ``None`` or ``""`` is no consent."""
    if value is None:
        return {}
    if not isinstance(value, dict) or len(value) > len(CONSENT_PURPOSES):
        raise DomainError("question.bad_consent")
    given = {}
    for purpose, version in value.items():
        if purpose not in CONSENT_PURPOSES:
            raise DomainError("question.bad_consent")
        if version is None or version == "":
            continue
        if not isinstance(version, str) or not _NOTICE_VERSION.fullmatch(version):
            raise DomainError("question.bad_consent")
        given[purpose] = {"version": version, "at": now}
    return given


def secretariat_consents(payload: dict) -> dict[str, str]:
    """The consents of a question the secretariat types in from paper or from the floor: the asker
    gave their name or group to the secretariat (on the form, or aloud), under today's notice."""
    return {purpose: NOTICE_VERSION for purpose in CONSENT_PURPOSES if payload.get(purpose)}


def _group(value: object) -> str | None:
    if value in REMOVED_GROUPS:  # an old page or outbox: the question is kept, the group is not
        return None
    return _choice(value, GROUP_LABELS, "question.unknown_group")


def validate_submission(payload: object, *, sites: set[str], themes: set[str], now: float) -> dict:
    """Return the new question record for what a phone sent, or raise ``DomainError``.

    A name is stored only with a name consent and a group only with a group consent; without one,
    whatever the phone sent for it is dropped, never refused (the question must not be lost).
    ``consent`` keeps the consents whose data were stored, with the notice version and the time.
    """
    if not isinstance(payload, dict):
        raise DomainError("question.malformed")
    unknown = sorted(set(map(str, payload)) - set(SUBMISSION_FIELDS))
    if unknown:
        raise DomainError("question.unknown_field", field=unknown[0][:60])
    ident = payload.get("id")
    if not isinstance(ident, str) or not _QUESTION_ID.fullmatch(ident):
        raise DomainError("question.bad_id")
    site = payload.get("site")
    if not isinstance(site, str) or site not in sites:
        raise DomainError("question.unknown_site")
    text = question_text(payload.get("text"))
    consent = consents(payload.get("consent"), now)
    name = _name(payload.get("name")) if "name" in consent else ""  # "" is anonymous
    group = _group(payload.get("group")) if "group" in consent else None
    kept = {purpose: given for purpose, given in consent.items() if {"name": name, "group": group}[purpose]}
    return {
        "id": ident,
        "code": tracking_code(ident),
        "site": site,
        "text": text,
        "fold": fold(text),
        "name": name,
        "group": group,
        "consent": kept,
        "theme": _choice(payload.get("theme"), themes, "question.unknown_theme"),
        "status": RECEIVED,
        "version": 1,
        "received_at": now,
        "updated_at": now,
        "original_text": None,
        "reason": None,
        "merged_into": None,
        "department": None,
        "shown_at": None,
        "answered_at": None,
        "forwarded_at": None,
    }


CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read aloud or typed from a phone
CODE_LENGTH = 6


def tracking_code(question_id: str) -> str:
    """A short code the asker can quote, the same for the same id on every server."""
    number = int.from_bytes(hashlib.sha256(question_id.encode("utf-8")).digest()[:8], "big")
    chars = []
    for _ in range(CODE_LENGTH):
        number, digit = divmod(number, len(CODE_ALPHABET))
        chars.append(CODE_ALPHABET[digit])
    return "".join(chars)


# ---------------------------------------------------------------- lifecycle


def _department(value: object, departments: Any) -> str:
    if not isinstance(value, str) or not _REF_ID.fullmatch(value):
        raise DomainError("question.bad_department")
    if departments is not None and value not in departments:
        raise DomainError("question.bad_department")
    return value


def deadline(value: object) -> str | None:
    """A reply deadline as the secretariat types it (dd/mm/yyyy or yyyy-mm-dd) → ISO, or None."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > 40:
        raise DomainError("question.bad_deadline")
    text = clean(value)
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            date = _dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        if 2000 <= date.year <= 2100:
            return date.isoformat()
    raise DomainError("question.bad_deadline")


def long_text(value: object, limit: int, code: str, *, required: bool = False) -> str:
    """Several lines of staff text (a summary, a reply, a note), cleaned, or ``DomainError(code)``."""
    if value is None:
        value = ""
    if not isinstance(value, str) or len(value) > 4 * limit:
        raise DomainError(code, limit=limit)
    lines = [line.rstrip() for line in clean(value, multiline=True).split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    if len(text) > limit or (required and not text):
        raise DomainError(code, limit=limit)
    return text


def transition(question: dict, action: str, now: float, *, expected_version: int | None, **args: Any) -> dict:
    """Apply one action to ``question`` and return the new record; the old one is untouched.

    ``expected_version`` is the version the caller saw (``None`` only where no person decided
    on a view of the question); a different current version raises ``question.conflict``.
    """
    if action not in TRANSITIONS:
        raise DomainError("question.unknown_action", action=str(action)[:40])
    for name in args:
        if name not in _ARGUMENTS.get(action, ()):
            raise DomainError("question.bad_argument", action=action, argument=name[:40])
    status, version = question.get("status"), question.get("version")
    if expected_version is not None and expected_version != version:
        raise DomainError("question.conflict", version=version)
    target = TRANSITIONS[action].get(status)
    if target is None:
        raise DomainError("question.bad_transition", status=status, action=action)

    if action in _REPLY_NEEDS and question.get("reply_state") not in _REPLY_NEEDS[action]:
        raise DomainError("question.reply_state", action=action)
    if action == "reply" and question.get("reply_state") == PUBLISHED:
        raise DomainError("question.reply_state", action=action)

    new = dict(question, status=target, updated_at=now, version=(version or 0) + 1)
    if action == "reject":
        if args.get("reason") not in REJECT_REASONS:
            raise DomainError("question.bad_reason")
        new["reason"] = args["reason"]
    elif action == "merge":
        into = args.get("into")
        if not isinstance(into, str) or not _QUESTION_ID.fullmatch(into) or into == question.get("id"):
            raise DomainError("question.bad_merge")
        new["merged_into"] = into
    elif action == "reopen":
        new["reason"] = None
        new["merged_into"] = None
    elif action == "approve":
        if new.get("rank") is None:  # joins the end of the queue
            new["rank"] = float(now)
    elif action == "show":
        new["shown_at"] = now
    elif action == "answer":
        new["answered_at"] = now
    elif action == "forward":
        new["department"] = _department(args.get("department"), args.get("departments"))
        new["forwarded_at"] = now
        new["deadline"] = deadline(args.get("deadline"))
    elif action == "route":
        if "department" not in args and "deadline" not in args:
            raise DomainError("question.bad_argument", action=action, argument="")
        if "department" in args:
            new["department"] = _department(args["department"], args.get("departments"))
        if "deadline" in args:
            new["deadline"] = deadline(args["deadline"])
    elif action == "summarize":
        new["summary"] = long_text(args.get("summary"), SUMMARY_LIMIT, "question.bad_summary")
        if not new["summary"]:  # nothing left to show the askers
            new["summary_published_at"] = None
    elif action == "publish_summary":
        if question.get("summary_published_at") is not None:
            raise DomainError("question.summary_state", action=action)
        if not (question.get("summary") or "").strip():
            raise DomainError("question.no_summary")
        new["summary_published_at"] = now
    elif action == "withdraw_summary":
        if question.get("summary_published_at") is None:
            raise DomainError("question.summary_state", action=action)
        new["summary_published_at"] = None
    elif action == "reply":
        if args.get("department") != question.get("department"):
            raise DomainError("question.not_your_department")
        new["reply_text"] = long_text(args.get("text"), REPLY_LIMIT, "question.bad_reply", required=True)
        new["reply_state"], new["reply_at"], new["reply_by"] = SUBMITTED, now, question.get("department")
        new["reply_note"] = None
    elif action == "publish":
        new["reply_state"], new["published_at"] = PUBLISHED, now
    elif action == "send_back":
        new["reply_state"] = RETURNED
        new["reply_note"] = long_text(args.get("note"), NOTES_LIMIT, "question.bad_note", required=True)
    elif action == "withdraw":
        new["reply_state"], new["published_at"] = SUBMITTED, None
    elif action == "prepare":
        _prepare(new, question, now, args)
    elif action == "draft":
        if args.get("department") != question.get("prep_department"):
            raise DomainError("question.not_your_department")
        written = args.get("written", False)
        if not isinstance(written, bool):
            raise DomainError("question.bad_argument", action=action, argument="written")
        new["prep_text"] = long_text(args.get("text"), PREPARED_LIMIT, "question.bad_prepared", required=True)
        new["prep_state"], new["prep_at"], new["prep_note"] = (WRITTEN if written else PREPARED), now, None
        new["prep_written"] = written  # kept once accepted: the chairman reads why, not talking points
    elif action == "review":
        if question.get("prep_state") not in (PREPARED, WRITTEN):
            raise DomainError("question.prep_state")
        accept = args.get("accept")
        if not isinstance(accept, bool):
            raise DomainError("question.bad_argument", action=action, argument="accept")
        if accept:
            new["prep_state"], new["prep_note"] = ACCEPTED, None
        else:
            new["prep_state"] = RETURNED
            new["prep_note"] = long_text(args.get("note"), NOTES_LIMIT, "question.bad_note", required=True)
    elif action == "script":
        selected = args.get("selected")
        if not isinstance(selected, bool):
            raise DomainError("question.bad_argument", action=action, argument="selected")
        new["script"] = selected
        if "rank" in args:
            rank = args["rank"]
            if not isinstance(rank, (int, float)) or isinstance(rank, bool) or rank != rank or abs(rank) > 1e15:
                raise DomainError("question.bad_argument", action=action, argument="rank")
            new["rank"] = float(rank)
    elif action == "edit":
        text = question_text(args.get("text"))
        if text != question.get("text") and question.get("original_text") is None:
            new["original_text"] = question.get("text")
        new["text"], new["fold"] = text, fold(text)
    elif action == "note":
        notes = args.get("notes")
        if notes is None:
            notes = ""
        if not isinstance(notes, str) or len(notes) > _RAW_LIMIT:
            raise DomainError("question.bad_notes", limit=NOTES_LIMIT)
        notes = clean(notes, multiline=True).strip()
        if len(notes) > NOTES_LIMIT:
            raise DomainError("question.bad_notes", limit=NOTES_LIMIT)
        new["notes"] = notes
    elif action == "order":
        rank = args.get("rank")
        if not isinstance(rank, (int, float)) or isinstance(rank, bool) or rank != rank or abs(rank) > 1e15:
            raise DomainError("question.bad_argument", action=action, argument="rank")
        new["rank"] = float(rank)
    elif action == "assign":
        if "theme" not in args and "department" not in args:
            raise DomainError("question.bad_argument", action=action, argument="")
        if "theme" in args:
            themes = args.get("themes")
            theme = args["theme"]
            if theme is not None and (not isinstance(theme, str) or (themes is not None and theme not in themes)):
                raise DomainError("question.unknown_theme")
            new["theme"] = theme or None
        if "department" in args:
            department = args["department"]
            new["department"] = None if department is None else _department(department, args.get("departments"))
    return new


def _prepare(new: dict, question: dict, now: float, args: dict) -> None:
    """Assign ``question`` to a department to prepare an answer by a due date (a new department
    starts afresh), change the due date, or withdraw the assignment (no department)."""
    department = args.get("department")
    if department is None or department == "":
        for name in ("prep_department", "prep_due", "prep_state", "prep_text", "prep_at", "prep_note", "prep_written"):
            new[name] = None
        return
    department = _department(department, args.get("departments"))
    due = deadline(args.get("due"))
    if due is None:
        raise DomainError("question.bad_due")
    if department != question.get("prep_department"):
        new["prep_state"], new["prep_text"], new["prep_at"], new["prep_note"] = ASSIGNED, None, None, None
        new["prep_written"] = None
    new["prep_department"], new["prep_due"], new["prep_assigned_at"] = department, due, now
    new["department"] = department  # the department that answers, on the day and in the script


def check_merge_target(question: dict, target: dict) -> None:
    """Refuse to merge ``question`` into itself or into a question that is rejected or merged."""
    if target.get("id") == question.get("id") or target.get("status") in (REJECTED, MERGED):
        raise DomainError("question.bad_merge")


def public_status(question: dict) -> str:
    """What the asker's phone shows of its own question: every status, told truthfully (a rejection
    with its reason's code, ``public_reason``; a merge with the question it joined, ``joined``)."""
    status = question.get("status")
    return status if status in STATUSES else RECEIVED


def public_reason(question: dict) -> str | None:
    """The code of a rejection's reason (one of ``REJECT_REASONS``: the phone words it politely),
    never the secretariat's notes; None unless ``question`` is rejected."""
    if question.get("status") != REJECTED:
        return None
    reason = question.get("reason")
    return reason if reason in REJECT_REASONS else "other"


MERGE_HOPS = 10  # a merged question merged again: how far a chain of merges is followed


def followed(question: dict, find: Callable[[str], dict | None]) -> dict | None:
    """The question merged ``question`` shares its fate with: the one it was merged into, or, when
    that one was merged in turn, the end of the chain (``find``: id → the question, or None when
    gone). None for a question not merged, or when the one it joined is gone."""
    if question.get("status") != MERGED:
        return None
    found, ident = None, question.get("merged_into")
    for _ in range(MERGE_HOPS):
        target = find(ident) if isinstance(ident, str) and ident else None
        if target is None:
            break
        found, ident = target, target.get("merged_into")
        if target.get("status") != MERGED:
            break
    return found


def follows(question: dict, target: dict | None) -> bool:
    """Whether the asker of merged ``question`` follows ``target``: the question it was merged into,
    or the one that question was merged into in turn (a merge carries its ``origins`` along)."""
    if question.get("status") != MERGED or target is None or not question.get("merged_into"):
        return False
    if target.get("id") == question["merged_into"]:
        return True
    return any(isinstance(o, dict) and o.get("id") == question.get("id") for o in target.get("origins") or [])


def joined(question: dict, merged_into: dict | None) -> dict | None:
    """What the asker of a merged question may know of the question it joined (``merged_into``,
    see ``follows``): its tracking code always, its status (as its own asker sees it; unknown, or
    itself merged: ``received``) and its text only once approved, never the words of a question
    the secretariat has not approved. None unless ``question`` is merged."""
    ident = question.get("merged_into")
    if question.get("status") != MERGED or not isinstance(ident, str):
        return None
    target = merged_into if follows(question, merged_into) else None
    status = public_status(target) if target is not None else RECEIVED
    if status == MERGED:
        status = RECEIVED
    return {
        "code": tracking_code(target["id"] if target is not None else ident),
        "status": status,
        "reason": public_reason(target) if target is not None else None,
        "text": target.get("text") if target is not None and status in SHOWN_STATUSES else None,
    }


def group_label(group_id: str | None) -> str | None:
    """The Vietnamese label of a youth group id, or None."""
    return GROUP_LABELS.get(group_id) if group_id else None


def consented(question: dict, purpose: str) -> bool:
    """Whether the asker of ``question`` agreed to ``purpose`` (one of ``CONSENT_PURPOSES``)."""
    consent = question.get("consent")
    return isinstance(consent, dict) and isinstance(consent.get(purpose), dict)


def public_group(question: dict) -> str | None:
    """The group a public screen may show beside the commune: only one its asker agreed to show."""
    group = question.get("group")
    return group if group in GROUP_LABELS and consented(question, "group") else None


def public_origin(site_name: str, question: dict) -> str:
    """Where ``question`` came from, as public screens show it: the commune, and the group only
    with its asker's consent."""
    return shown_origin(site_name, group_label(public_group(question)))


def without_removed_group(question: dict) -> dict | None:
    """``question`` with any removed (sensitive) group taken out, its own and those of the
    questions merged into it; None when it holds none (so running it again changes nothing)."""
    origins = question.get("origins") or []
    if question.get("group") not in REMOVED_GROUPS and not any(
        isinstance(o, dict) and o.get("group") in REMOVED_GROUPS for o in origins
    ):
        return None
    new = dict(question)
    if new.get("group") in REMOVED_GROUPS:
        new["group"] = None
        if isinstance(new.get("consent"), dict):
            new["consent"] = {k: v for k, v in new["consent"].items() if k != "group"}
    if origins:
        new["origins"] = [
            dict(o, group=None) if isinstance(o, dict) and o.get("group") in REMOVED_GROUPS else o for o in origins
        ]
    return new


def shown_origin(site_name: str, group_label: str | None) -> str:
    """Where a question came from, as the projector shows it: "Xã Quảng Lâm — sinh viên"."""
    site = clean(site_name)
    label = clean(group_label or "")
    if fold(label) == "khac":  # "— khác" tells the hall nothing
        label = ""
    if label and not label[:2].isupper():  # keep acronyms such as "SV" as they are
        label = label[0].lower() + label[1:]
    if site and label:
        return f"{site} — {label}"
    return site or label


# ---------------------------------------------------------------- duplicates

# Folded abbreviations young people type on phones, expanded so "sv" meets "sinh viên".
_ABBREVIATIONS = {
    "sv": "sinh vien",
    "hs": "hoc sinh",
    "hssv": "hoc sinh sinh vien",
    "tn": "thanh nien",
    "dtn": "doan thanh nien",
    "ubnd": "uy ban nhan dan",
    "dh": "dai hoc",
    "thpt": "trung hoc pho thong",
    "thcs": "trung hoc co so",
    "cntt": "cong nghe thong tin",
    "bhyt": "bao hiem y te",
    "bhxh": "bao hiem xa hoi",
    "k": "khong",
    "ko": "khong",
    "kh": "khong",
    "dc": "duoc",
    "ntn": "nhu the nao",
    "vs": "voi",
}
# Courtesy that opens or closes many questions alike; left in, it makes strangers look alike.
_COURTESY = (
    ("kinh", "thua"),
    ("xin", "cho", "hoi"),
    ("xin", "hoi"),
    ("cho", "em", "hoi"),
    ("cho", "chau", "hoi"),
    ("cho", "toi", "hoi"),
    ("em", "xin", "hoi"),
    ("em", "muon", "hoi"),
    ("toi", "muon", "hoi"),
    ("em", "xin", "cam", "on"),
    ("xin", "cam", "on"),
    ("cam", "on"),
)
_COURTESY_FROM: dict[str, tuple[tuple[str, ...], ...]] = {}  # first word → its phrases, in _COURTESY's order
for _phrase in _COURTESY:
    _COURTESY_FROM[_phrase[0]] = (*_COURTESY_FROM.get(_phrase[0], ()), _phrase)
_TRAILING_PARTICLES = {"a", "khong", "nhi", "vay", "ha"}  # "… không ạ?" marks a question, not a topic
_NOT_WORD = re.compile(r"[\W_]+")

Fingerprint = frozenset[str]


def _words(text: str, folded: str | None = None) -> list[str]:
    words: list[str] = []
    if folded is None:
        folded = fold(clean(text, multiline=True))
    for word in _NOT_WORD.sub(" ", folded).split():
        words.extend(_ABBREVIATIONS.get(word, word).split())
    kept: list[str] = []
    i = 0
    while i < len(words):
        for phrase in _COURTESY_FROM.get(words[i], ()):  # most words open no courtesy phrase
            if tuple(words[i : i + len(phrase)]) == phrase:
                i += len(phrase)
                break
        else:
            kept.append(words[i])
            i += 1
    while len(kept) > 1 and kept[-1] in _TRAILING_PARTICLES:
        kept.pop()
    return kept


def fingerprint(text: str, folded: str | None = None) -> Fingerprint:
    """The set of character trigrams of the folded text, computed once per question. A stored
    question passes its ``fold`` (``fold(text)`` of its clean text) so it is not folded again."""
    words = _words(text, folded)
    if not words:
        return frozenset()
    padded = f" {' '.join(words)} "
    return frozenset(padded[i : i + 3] for i in range(len(padded) - 2))


def similarity_fp(a: Fingerprint, b: Fingerprint) -> float:
    """Jaccard similarity of two fingerprints, in [0, 1]; 0 when either is empty."""
    if not a or not b:
        return 0.0
    common = len(a & b)
    return common / (len(a) + len(b) - common)


def similarity(a: str, b: str) -> float:
    """How alike two questions read, ignoring diacritics, case, punctuation and courtesy."""
    return similarity_fp(fingerprint(a), fingerprint(b))


def likely_duplicates(
    text: str | Fingerprint,
    others: Iterable[tuple[Hashable, str | Fingerprint]],
    threshold: float = 0.5,
    limit: int = 5,
) -> list[tuple[Hashable, float]]:
    """The ``limit`` questions most like ``text`` scoring at least ``threshold``, best first.

    Pass fingerprints (``fingerprint(text)``, kept beside each stored question) rather than
    texts: the scan is then O(N·k) set work for N questions of k trigrams (k ≤ ~1000, ~100 for
    a typical question) plus O(N log limit) to rank; 10,000 questions take a few tens of ms.
    Ties keep the order of ``others``.
    """
    if limit <= 0:
        return []
    mine = text if isinstance(text, frozenset) else fingerprint(text)
    if not mine:
        return []
    size = len(mine)
    found: list[tuple[float, int, Hashable]] = []
    for n, (ident, other) in enumerate(others):
        theirs = other if isinstance(other, frozenset) else fingerprint(other)
        # Jaccard can be no more than the ratio of the sizes: skip the set work when that is too low
        if not theirs or min(size, len(theirs)) < threshold * max(size, len(theirs)):
            continue
        score = similarity_fp(mine, theirs)
        if score >= threshold:
            found.append((score, -n, ident))
    return [(ident, score) for score, _, ident in heapq.nlargest(limit, found)]


class DuplicateIndex:
    """Every question's fingerprint, indexed by trigram, so that a search need not compare a new
    question with all the others: ``query`` gives exactly what ``likely_duplicates`` gives over
    the questions added (in the order they were first added), ties included.

    Each fingerprint is also kept as a bit mask (one bit per trigram ever seen), so that scoring a
    question is one ``&`` and a bit count rather than a set intersection. The search reads the new
    question's trigrams rarest first and scores each question met in their lists. After ``i``
    trigrams, a question not met yet shares at most ``|mine| − i`` of them, so it cannot score
    above ``(|mine| − i) / |mine|``: once that is below the threshold, or below the ``limit``-th
    best score found, the search stops. When the next trigram is in most questions (a day of
    look-alike questions) listing them would cost more than looking at each: the search then
    scores every question not met yet, which the bit masks make cheap.
    """

    def __init__(self) -> None:
        self._masks: dict[Hashable, tuple[int, int, Fingerprint]] = {}  # id → (bit mask, size, trigrams)
        self._order: dict[Hashable, int] = {}  # first time each id was added: ties go to the earlier
        self._ids: dict[int, Hashable] = {}
        self._bits: dict[str, int] = {}  # trigram → its bit
        self._postings: dict[str, set[int]] = {}

    def __len__(self) -> int:
        return len(self._masks)

    def __contains__(self, ident: Hashable) -> bool:
        return ident in self._masks

    def _mask(self, fp: Fingerprint, learn: bool) -> int:
        bits = self._bits
        mask = 0
        for gram in fp:
            bit = bits.get(gram)
            if bit is None:
                if not learn:
                    continue
                bit = bits[gram] = 1 << len(bits)
            mask |= bit
        return mask

    def add(self, ident: Hashable, fp: Fingerprint) -> None:
        """Index ``ident`` with this fingerprint (replacing the one it had)."""
        known = self._masks.get(ident)
        if known is not None and known[2] == fp:
            return
        self.remove(ident)
        n = self._order.setdefault(ident, len(self._order))
        self._ids[n] = ident
        self._masks[ident] = (self._mask(fp, learn=True), len(fp), fp)
        for gram in fp:
            self._postings.setdefault(gram, set()).add(n)

    def remove(self, ident: Hashable) -> None:
        """Leave ``ident`` out of every search (it keeps its place should it come back)."""
        found = self._masks.pop(ident, None)
        if found is None:
            return
        n = self._order[ident]
        for gram in found[2]:
            posting = self._postings[gram]
            posting.discard(n)
            if not posting:
                del self._postings[gram]

    def query(
        self, mine: Fingerprint, threshold: float = 0.5, limit: int = 5, exclude: Hashable = None
    ) -> list[tuple[Hashable, float]]:
        """``likely_duplicates(mine, <every indexed question but exclude>, threshold, limit)``."""
        if limit <= 0 or not mine:
            return []
        size = len(mine)
        my_mask = self._mask(mine, learn=False)
        masks, order = self._masks, self._order
        best: list[tuple[float, int, Hashable]] = []  # the ``limit`` best so far, worst on top
        floor = threshold  # what a question must reach to enter ``best``

        def candidates():
            seen: set[int] = set()
            crowded = len(masks) // 4
            for i, gram in enumerate(sorted(mine, key=lambda g: len(self._postings.get(g, ())))):
                # a question not met yet shares at most size - i of my trigrams: it scores at most
                if threshold > 0 and (size - i) / size < floor:
                    return
                posting = self._postings.get(gram, ())
                if threshold <= 0 or len(posting) > crowded:  # cheaper to look at every one left
                    yield from ((ident, order[ident]) for ident in masks if order[ident] not in seen)
                    return
                for n in posting:
                    if n not in seen:
                        seen.add(n)
                        yield self._ids[n], n

        for ident, n in candidates():
            mask, theirs, _ = masks[ident]
            # Jaccard is at most the ratio of the sizes (the test likely_duplicates makes)
            if ident == exclude or not theirs or (theirs < floor * size if theirs < size else size < floor * theirs):
                continue
            common = (my_mask & mask).bit_count()
            score = common / (size + theirs - common)  # similarity_fp, to the last bit
            if score >= threshold:
                if len(best) < limit:
                    heapq.heappush(best, (score, -n, ident))
                elif score > best[0][0] or (score == best[0][0] and -n > best[0][1]):
                    heapq.heapreplace(best, (score, -n, ident))
                else:
                    continue
                if len(best) == limit and best[0][0] > floor:
                    floor = best[0][0]
        return [(ident, score) for score, _, ident in sorted(best, key=lambda e: e[:2], reverse=True)]
