"""Questions coming in: from phones by QR code, and from the floor through the secretariat.

The service between the pure lifecycle (``questions.py``) and the handlers. Each question is
one document ``q:<id>`` in the store, written once under the id the phone made, so a retry of
the same question finds it there and is acknowledged again without a second copy. The count
of questions per site, for the roll call, is derived from the questions in memory: a submission
writes its own document and nothing shared, so thousands of phones never contend for one key.
"""

from __future__ import annotations

import bisect
import collections
import time
from collections.abc import Callable
from typing import Any

from live.core import events, languages, limits, personal, questions, rooms
from live.core import rehearsal as rehearsals
from live.core import window as windows
from live.core.errors import DomainError
from live.formats.exports import TIMEZONE
from live.services import replies
from live.services import wordlist as wordlists
from live.services.change import CONFERENCE, Change

PREFIX = "q:"
COUNTS = "question_counts"  # no longer written (the counts are derived from the questions); old stores keep it
STAGE = "stage"  # {"question": id | None}: what is on screen now
CHANNELS = ("qr", "paper", "spoken", "facilitator")
# typed in by the secretariat: a paper form, a question spoken in a hall, or one a bridge point's
# facilitator passed on for a young person (who asked them, by phone or in person)
FLOOR_CHANNELS = ("paper", "spoken", "facilitator")
# what a facilitator's screen sends (question.assist): the site is the connection's, never the payload's
ASSIST_FIELDS = ("id", "text", "language", "original", "name", "agreed", "theme")
MINE_LIMIT = 50
PAGE_LIMIT = 5000  # questions in one page of the console's list (questions.get)

# what a staff screen sees of a question (the phone's device id and the fold key stay inside)
STAFF_FIELDS = (
    "id",
    "code",
    "site",
    "channel",
    "branch",
    "phase",
    "text",
    "original_text",
    "name",
    "group",
    "consent",
    "theme",
    "department",
    "status",
    "version",
    "received_at",
    "updated_at",
    "reason",
    "merged_into",
    "shown_at",
    "answered_at",
    "forwarded_at",
    "notes",
    "rank",
    "origins",
    "deadline",
    "summary",
    "summary_published_at",
    "reply_text",
    "reply_state",
    "reply_at",
    "reply_by",
    "reply_note",
    "published_at",
    "prep_department",
    "prep_due",
    "prep_state",
    "prep_text",
    "prep_at",
    "prep_note",
    "prep_written",
    "script",
    "flags",  # what the word lists found at intake: {"banned": [...], "suspect": [...]} (never to phones or the MC)
    "language",  # a facilitator's question (Desk.assist): the language it was asked in (live/core/languages.py)
    "original",  # and the young person's own words in it, beside the Vietnamese text
    "assisted_by",  # "site": typed in at the bridge point by its facilitator
)
QUEUE_STATUSES = (questions.APPROVED, questions.ON_SCREEN)
# Jaccard of trigrams: between unrelated pairs (< 0.3) and rewordings (≥ 0.5) in tests/test_questions.py
SIMILAR_THRESHOLD = 0.4
AUDIT = "audit:"

# every action on a question (its event is "question.<action>") → the arguments it takes (live/core/events.py)
ACTIONS: dict[str, tuple[str, ...]] = events.question_actions()


def key(question_id: str) -> str:
    return PREFIX + question_id


def _compact(view: dict) -> dict:
    """A view without its empty fields (a missing field reads as null in the console)."""
    return {k: v for k, v in view.items() if v is not None}


def _cursor(value: Any) -> bool:
    return (
        isinstance(value, list)
        and len(value) == 2
        and isinstance(value[0], int | float)
        and not isinstance(value[0], bool)
        and isinstance(value[1], str)
        and len(value[1]) <= 80
    )


def staff_view(question: dict) -> dict:
    """A question as the secretariat and the MC see it."""
    return {name: question.get(name) for name in STAFF_FIELDS}


def phone_view(question: dict, merged_into: dict | None = None, departments: dict[str, str] | None = None) -> dict:
    """A question as its asker's phone sees it (``replies.public_outcome`` says what became of it)."""
    return {
        "id": question["id"],
        "code": question["code"],
        "text": question["text"],
        "site": question["site"],
        "received_at": question["received_at"],
        **replies.public_outcome(question, merged_into, departments or {}),
    }


def origin_of(question: dict, names: dict[str, str]) -> str:
    """Where a question came from, as the MC reads it out: its group only with consent."""
    return questions.public_origin(names.get(question["site"], question["site"]), question)


def queue_view(question: dict, names: dict[str, str]) -> dict:
    """A question as the MC and the chairman see it: approved ones only, with its origin."""
    view = {
        name: question.get(name)
        for name in (
            "id", "code", "site", "text", "name", "group", "theme", "department",
            "notes", "status", "rank", "version", "origins", "script", "prep_state", "prep_text", "prep_written",
            "prep_department",
        )
    }  # fmt: skip
    view["site_name"] = names.get(question["site"], question["site"])
    view["origin"] = origin_of(question, names)
    return view


def _changed_fields(before: dict, after: dict) -> tuple[dict, dict]:
    keys = [k for k in after if k not in ("version", "updated_at") and before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def _valid_id(value: Any) -> str:
    if not isinstance(value, str) or not questions._QUESTION_ID.fullmatch(value):
        raise DomainError("question.bad_id")
    return value


def _retried(stored: dict) -> dict:
    """The stored question a retry is answered with; a deleted one is not made again."""
    if personal.is_tombstone(stored):
        raise DomainError("question.deleted")
    return stored


def _fingerprint(question: dict) -> questions.Fingerprint:
    folded = question.get("fold")
    return questions.fingerprint(question["text"], folded if isinstance(folded, str) else None)


class Desk:
    """Takes questions in, durably and exactly once, and lists them for the secretariat."""

    def __init__(self, store, now: Callable[[], float] = time.time, limiter: limits.Limiter | None = None) -> None:
        self.store = store
        self.replica = store.replica  # this process's copy of every question (live.services.replica)
        self.now = now
        self.limiter = limiter or limits.Limiter()
        self._index: dict[str, tuple[str, frozenset, str]] | None = None  # see _duplicates_index
        # questions learnt since the last search, by id, in the order they first came
        self._unindexed: collections.OrderedDict[str, dict] = collections.OrderedDict()
        self._duplicates = questions.DuplicateIndex()
        self._views: dict[str, tuple[int, Any]] = {}  # name → (replica version, a derived list)
        self.replica.watch(PREFIX, lambda _key, question: self._remember(question))
        self._known: tuple | None = None  # (conference document, its site ids, its theme ids)
        self._sites: dict[str, str] | None = None  # question id → its site, for the counts per site
        self._per_site: dict[str, int] = {}
        self._counted_for: str | None = None  # the rehearsal running when the counts began
        self.replica.watch(PREFIX, lambda _key, question: self._count(question))
        self._window: tuple | None = None  # (the window document, its periods): see window()
        self._site_names: tuple | None = None  # (the conference document, its site names): see site_names()
        self._wordlist = wordlists.Cache()  # the word lists, compiled once per document

    # ------------------------------------------------------------ taking questions in

    def submit(self, payload: Any, *, device: str, address: str) -> tuple[dict, bool, Change | None]:
        """A question from a phone: (the stored question, whether it was a retry, what to send).

        The acknowledgement that follows means the question is on disk. Sending the same id
        again returns the stored question and changes nothing, whatever else the retry carries.
        """
        if not isinstance(payload, dict):
            raise DomainError("question.malformed")
        ident = _valid_id(payload.get("id"))
        known = self.replica.get(key(ident))  # a retry this process already wrote: from memory
        if known is not None:
            return _retried(known), True, None
        now = self.now()
        try:
            self._check_window(now)  # closed: refused, unless another process stored this id (below)
            record = self._validate(payload, now)
            refused = self.limiter.check(now, device=device, site=record["site"], address=address)
            if refused is not None:
                scope, wait = refused
                raise DomainError(f"limit.{scope}", retry_after=wait)
        except DomainError:
            # a retry whose first copy another process wrote a moment ago is answered, not refused
            stored = self.store.get(key(ident))
            if stored is not None:
                return _retried(stored), True, None
            raise
        return self._store(dict(record, channel="qr", device=device))

    def enter(self, payload: Any, *, by: str) -> tuple[dict, bool, Change | None]:
        """A question received on paper or spoken at a site, typed in by the secretariat."""
        if not isinstance(payload, dict):
            raise DomainError("question.malformed")
        channel = payload.get("channel")
        if channel not in FLOOR_CHANNELS:
            raise DomainError("question.bad_channel")
        if "consent" in payload:
            raise DomainError("question.bad_consent")
        fields = {k: v for k, v in payload.items() if k != "channel"}
        fields["consent"] = questions.secretariat_consents(fields)
        stored = self.store.get(key(_valid_id(fields.get("id"))))
        if stored is not None:
            return _retried(stored), True, None
        record = self._validate(fields, self.now())
        consent = {purpose: dict(given, via="secretariat") for purpose, given in record["consent"].items()}
        return self._store(dict(record, consent=consent, channel=channel, device=None, entered_by=by))

    def assist(self, payload: Any, *, site: str | None) -> tuple[dict, bool, Change | None]:
        """A question a bridge point's facilitator types in for a young person, from the site's own
        screen: exactly once like a phone's (the screen makes the id and sends it again until
        acknowledged), never held by the question window or the phones' limits (staff), and always
        for ``site``, the connection's own site, whatever the payload says."""
        if not isinstance(payload, dict):
            raise DomainError("question.malformed")
        unknown = sorted(set(map(str, payload)) - set(ASSIST_FIELDS))
        if unknown:
            raise DomainError("question.unknown_field", field=unknown[0][:60])
        ident = _valid_id(payload.get("id"))
        stored = self.store.get(key(ident))
        if stored is not None:
            if stored.get("site") != site or stored.get("assisted_by") != "site":
                raise DomainError("question.bad_id")  # another's question: nothing of it is told
            return _retried(stored), True, None
        language = languages.language(payload.get("language"))
        original = languages.original_words(payload.get("original"))
        agreed = payload.get("agreed")
        if agreed not in (None, True, False):
            raise DomainError("question.bad_consent")
        fields = {"id": ident, "site": site, "text": payload.get("text"), "theme": payload.get("theme")}
        if agreed:  # the name only with the young person's agreement, ticked by the facilitator
            fields["name"] = payload.get("name")
        fields["consent"] = questions.secretariat_consents(fields)
        record = self._validate(fields, self.now())
        consent = {purpose: dict(given, via="facilitator") for purpose, given in record["consent"].items()}
        assisted = {"language": language, "original": original, "assisted_by": "site", "entered_by": "site"}
        return self._store(dict(record, consent=consent, channel="facilitator", device=None, **assisted))

    def window(self) -> list[windows.Period]:
        """The periods questions are received in, as this process last learnt them (from memory)."""
        doc = self.replica.get(windows.KEY)
        if self._window is None or self._window[0] is not doc:  # documents are replaced, never changed
            self._window = (doc, windows.periods(doc))
        return self._window[1]

    def _check_window(self, now: float) -> None:
        """Refuse a new question from a phone outside the question window (live/core/window.py);
        the store decides before anyone is refused, as the admin may have opened it a moment ago."""
        if windows.refusal(self.window(), now) is None:
            return
        refused = windows.refusal(windows.periods(self.store.get(windows.KEY)), now, TIMEZONE)
        if refused is not None:
            raise refused

    def _validate(self, payload: dict, now: float) -> dict:
        try:
            return self._check(payload, now, self.replica.get(CONFERENCE))
        except DomainError:
            # the sites and themes as this process last learnt them; an admin may have added one
            # a moment ago through another process: the store decides before anyone is refused
            return self._check(payload, now, self.store.get(CONFERENCE))

    def _check(self, payload: dict, now: float, doc: dict | None) -> dict:
        known = self._known
        if known is None or known[0] is not doc:  # documents are replaced, never changed in place
            sites = frozenset(site["id"] for site in (doc or {}).get("sites", []))
            themes = frozenset(theme["id"] for theme in (doc or {}).get("themes", []))
            known = self._known = (doc, sites, themes)
        return questions.validate_submission(payload, sites=known[1], themes=known[2], now=now)

    def _store(self, record: dict) -> tuple[dict, bool, Change | None]:
        rehearsal = self.rehearsal()  # from memory: no round trip per question
        if "phase" not in record:  # before the conference's day, on it, or after (live/core/window.py)
            date = (self.replica.get(CONFERENCE) or {}).get("date")
            record = dict(record, phase=windows.phase(record.get("received_at"), date, TIMEZONE))
        if rehearsal is not None:
            record = dict(record, **{rehearsals.MARK: rehearsal})
        flags = self._wordlist.flags(self.replica.get(wordlists.KEY), record)  # from memory, compiled once
        if flags:  # held (banned) or flagged (suspect): a person looks at it, bulk approval skips it
            record = dict(record, flags=flags)
        # one document per question and nothing shared, written with the other questions arriving
        # at the same moment (group commit): concurrent submissions never conflict, and a burst
        # costs one write per batch (the counts per site are derived in memory: see counts())
        stored, seq = self.store.insert(key(record["id"]), record)
        if seq is None:  # the same id arrived twice at once: the first one wins
            return _retried(stored), True, None
        # its likely duplicates follow as question.similar, once the phone has its acknowledgement
        # (live.realtime.tasks.Suggester): a burst is acknowledged first, compared after
        # the count per site on the roll call follows (live.realtime.tasks.RollCounts): one message per
        # site every moment, however many questions it sent in it
        return (
            record,
            False,
            Change(seq, [("question.added", {"seq": seq, "question": staff_view(record)}, rooms.desk())]),
        )

    # ------------------------------------------------------------ moderation and the MC

    def act(self, action: str, payload: Any, *, role: str, name: str = "") -> tuple[dict, Change]:
        """One person's action on one question, refused when they acted on an old version."""
        if action not in ACTIONS:
            raise DomainError("question.unknown_action", action=str(action)[:40])
        if not isinstance(payload, dict):
            raise DomainError("question.malformed")
        unknown = sorted(set(map(str, payload)) - {"id", "version", *ACTIONS[action]})
        if unknown:
            raise DomainError("question.bad_argument", action=action, argument=unknown[0][:40])
        ident = _valid_id(payload.get("id"))
        version = payload.get("version")
        if not isinstance(version, int) or isinstance(version, bool):
            raise DomainError("question.bad_version")
        args = {k: payload[k] for k in ACTIONS[action] if k in payload}
        now = self.now()
        current = self.get(ident)
        if current is None:
            raise DomainError("question.not_found")
        if action == "order":
            args = {"rank": self._rank_after(current, args.get("after"))}
        elif action == "script" and current["status"] in QUEUE_STATUSES and isinstance(args.get("selected"), bool):
            args = {**args, "rank": self._script_rank(current)}
        stage = self.store.get(STAGE) or {}
        # the questions this action may touch beside its own: a merge target, the one on screen
        others = []
        if action == "merge":
            into = args.get("into")
            if not isinstance(into, str) or not questions._QUESTION_ID.fullmatch(into) or into == ident:
                raise DomainError("question.bad_merge")
            others.append(into)
        if action == "reopen" and current.get("merged_into"):
            others.append(current["merged_into"])
        if action == "show" and stage.get("question") not in (None, ident):
            others.append(stage["question"])
        audit_key = f"{AUDIT}{time.time_ns():020d}:{ident[:12]}"
        keys = (key(ident), *(key(o) for o in others), STAGE, CONFERENCE, rehearsals.KEY, audit_key)
        lists = self.replica.get(wordlists.KEY) if action == "edit" else None  # from memory, compiled once

        def fn(docs):
            question = docs[key(ident)]
            rehearsal = rehearsals.running(docs[rehearsals.KEY])
            if question is None or personal.is_tombstone(question) or not rehearsals.visible(question, rehearsal):
                raise DomainError("question.not_found")  # deleted a moment ago, or another day's (a rehearsal's)
            doc = docs[CONFERENCE] or {}
            context = {
                "themes": {t["id"] for t in doc.get("themes", [])},
                "departments": {d["id"] for d in doc.get("departments", [])},
            }
            if (docs[STAGE] or {}).get("question") != stage.get("question"):
                raise DomainError("question.conflict", version=question["version"])
            extra = {}
            if action == "assign":
                if not args:
                    raise DomainError("question.bad_argument", action=action, argument="")
                extra = {k: v for k, v in context.items() if k[:-1] in args}
            elif action in ("forward", "prepare") or (action == "route" and "department" in args):
                extra = {"departments": context["departments"]}
            given = dict(args)
            if action == "forward" and not given.get("deadline"):
                # forwarded without a deadline (the MC's tablet): 15 days, see replies.default_deadline
                given["deadline"] = replies.default_deadline(doc.get("date"), now)
            new = questions.transition(question, action, now, expected_version=version, **given, **extra)
            if action == "edit":
                # the word lists read the text as edited: an insult taken out no longer holds it
                found = self._wordlist.flags(lists, new)
                new = {k: v for k, v in new.items() if k != "flags"} | ({"flags": found} if found else {})
            out = {key(ident): new}
            if action == "merge":
                target = docs[key(args["into"])]
                if target is None or personal.is_tombstone(target) or not rehearsals.visible(target, rehearsal):
                    raise DomainError("question.bad_merge")
                questions.check_merge_target(question, target)
                mine = [{k: question.get(k) for k in ("id", "code", "site", "name", "group", "consent")}]
                origins = [o for o in target.get("origins") or [] if o["id"] != ident]
                out[key(target["id"])] = {**target, "origins": origins + mine + list(question.get("origins") or [])}
            elif (
                action == "reopen"
                and question.get("merged_into")
                and docs[key(question["merged_into"])]
                and not personal.is_tombstone(docs[key(question["merged_into"])])
            ):
                target = docs[key(question["merged_into"])]
                gone = {ident, *(o["id"] for o in question.get("origins") or [])}
                out[key(target["id"])] = {
                    **target,
                    "origins": [o for o in target.get("origins") or [] if o["id"] not in gone],
                }
            if action == "show":
                previous = stage.get("question")
                shown = docs[key(previous)] if previous else None
                if shown and not personal.is_tombstone(shown) and shown["status"] == questions.ON_SCREEN:
                    out[key(previous)] = questions.transition(docs[key(previous)], "hide", now, expected_version=None)
                out[STAGE] = {"question": ident, "since": now}
            elif action in ("hide", "answer", "forward") and stage.get("question") == ident:
                out[STAGE] = {"question": None, "since": now}
            before, after = _changed_fields(question, new)
            out[audit_key] = {
                "at": now, "role": role, "name": name, "action": action, "question": ident,
                "code": question["code"], "before": before, "after": after,
            }  # fmt: skip
            if rehearsal is not None:
                out[audit_key][rehearsals.MARK] = rehearsal
            return out

        written, seq = self.store.transact(keys, fn)
        return written[key(ident)], self.announce(seq, written)

    def _rank_after(self, question: dict, after: Any) -> float:
        """The rank that puts ``question`` right after ``after`` (None: first) in its theme."""
        queue = [q for q in self.all() if q["status"] in QUEUE_STATUSES and q["id"] != question["id"]]
        if after is not None:
            anchor = next((q for q in queue if q["id"] == after), None)
            if anchor is None:
                raise DomainError("question.bad_order")
            theme = anchor.get("theme")
        else:
            theme = question.get("theme")
        line = sorted((q for q in queue if q.get("theme") == theme), key=lambda q: (q.get("rank") or 0, q["id"]))
        if after is None:
            return (line[0].get("rank") or 0) - 1.0 if line else float(self.now())
        i = next(n for n, q in enumerate(line) if q["id"] == after)
        low = line[i].get("rank") or 0
        return (low + (line[i + 1].get("rank") or 0)) / 2 if i + 1 < len(line) else low + 1.0

    def _script_rank(self, question: dict) -> float:
        """The rank that puts ``question`` right after the last question of the script in its theme
        (first in its theme when the script has none there): selected into the script, it joins
        the script's end; taken out, it leaves the script's part of the queue."""
        queue = [q for q in self.all() if q["status"] in QUEUE_STATUSES and q["id"] != question["id"]]
        theme = question.get("theme")
        line = sorted((q for q in queue if q.get("theme") == theme), key=lambda q: (q.get("rank") or 0, q["id"]))
        last = max((i for i, q in enumerate(line) if q.get("script")), default=None)
        if last is None:
            return (line[0].get("rank") or 0) - 1.0 if line else float(self.now())
        low = line[last].get("rank") or 0
        return (low + (line[last + 1].get("rank") or 0)) / 2 if last + 1 < len(line) else low + 1.0

    def announce(self, seq: int, written: dict, *, batch: bool = False) -> Change:
        """What every audience hears after an action: each shaped for who receives it. A bulk's
        batch (``batch``) reaches each staff room as one ``questions.changed``, not one message
        per question: a thousand questions are a few messages to every console and MC tablet."""
        self.replica.refresh()  # the conference and stage as other processes left them
        names = self.site_names()
        departments = self.department_names()
        changed = [doc for k, doc in written.items() if k.startswith(PREFIX)]
        # answered and forwarded ones leave the queue with their status, for the counts per site
        visible = QUEUE_STATUSES + (questions.ANSWERED, questions.FORWARDED)
        staff = [staff_view(question) for question in changed]
        queued = [
            {"id": question["id"], "question": queue_view(question, names) if question["status"] in visible else None}
            for question in changed
        ]
        emits = []
        if batch and changed:
            emits.append(("questions.changed", {"seq": seq, "questions": staff}, rooms.desk()))
            emits.append(("questions.changed", {"seq": seq, "changes": queued}, rooms.queue()))
            for question in changed:
                emits += self._statuses(question, departments)
        elif not batch:
            for question, view, change in zip(changed, staff, queued, strict=True):
                emits.append(("question.changed", {"seq": seq, "question": view}, rooms.desk()))
                emits.append(("question.changed", {"seq": seq, **change}, rooms.queue()))
                emits += self._statuses(question, departments)
        if STAGE in written:
            current = {"seq": seq, "question": self.current()}
            emits.append(("question.current", current, rooms.screens()))  # staff screens first
            emits.append(("question.current", current, rooms.phones()))  # "being answered now" on phones
        return Change(seq, emits)

    def _statuses(self, question: dict, departments: dict) -> list[tuple[str, dict, str]]:
        """``question.status`` to the phone of each asker who follows ``question``: its own asker
        (following the question it joined, when merged) and the askers of the questions merged in."""
        emits = []
        followed = questions.followed(question, self.get) or question
        for asker in self._askers(question):
            target = followed if asker is not followed else None
            status = {"id": asker["id"], "code": asker["code"], **replies.public_outcome(asker, target, departments)}
            emits.append(("question.status", status, rooms.device(asker["device"])))
        return emits

    def _askers(self, question: dict) -> list[dict]:
        """The phone-sent questions whose askers follow ``question``: itself and those merged in."""
        found = [question] + [self.get(o["id"]) or {} for o in question.get("origins") or []]
        return [q for q in found if q.get("device")]

    def similar(self, payload: Any) -> list[dict]:
        """The questions most like this one, for the secretariat to merge."""
        ident = _valid_id(payload.get("id") if isinstance(payload, dict) else None)
        question = self.get(ident)
        if question is None:
            raise DomainError("question.not_found")
        return self._similar(question)

    def suggest(self, question_id: str) -> list[dict] | None:
        """A new question's likely duplicates among those this process knows (its replica, kept
        current by the caller), or None when it is gone from the secretariat's sight."""
        question = self.replica.get(key(question_id))
        if (
            question is None
            or personal.is_tombstone(question)
            or not rehearsals.visible(question, self.rehearsal())
            or question["status"] in (questions.REJECTED, questions.MERGED)
        ):
            return None
        # compared with the questions that came before it (a later one is compared with it in
        # turn): behind a storm, each suggestion indexes only its own share of the backlog
        return self._similar(question, refresh=False, until=question_id)

    def _similar(self, question: dict, refresh: bool = True, until: str | None = None) -> list[dict]:
        if refresh:
            self.replica.refresh()  # questions other processes took in since
        index = self._duplicates_index(until)
        known = self._index.get(question["id"]) if self._index is not None else None
        mine = known[1] if known and known[0] == question["text"] else _fingerprint(question)
        found = index.query(mine, threshold=SIMILAR_THRESHOLD, exclude=question["id"])
        rehearsal = self.rehearsal()  # a rehearsal's questions are no duplicates of the real day's
        return [
            {"id": ident, "score": round(score, 3)}
            for ident, score in found
            if rehearsals.visible(self.replica.get(key(ident)), rehearsal)
        ]

    def _duplicates_index(self, until: str | None = None) -> questions.DuplicateIndex:
        """The trigram index of every question a duplicate may be (not rejected, not merged),
        kept up to date from the replica; ``_index`` holds id → (text, trigrams, status).
        With ``until``, only the questions learnt up to that one (in the order they came) are
        brought in; the others wait for the next search.

        Built from memory once; each question's trigrams are computed once per text.
        """
        if self._index is None:
            self.replica.refresh()
            self._index = {}
            for question in self.stored().values():
                self._index_one(question)
        self._index_now(until)
        return self._duplicates

    def _remember(self, question: dict) -> None:
        if self._index is None:
            return
        if personal.is_tombstone(question):  # deleted: no longer anyone's duplicate
            self._unindexed.pop(question["id"], None)
            if self._index.pop(question["id"], None) is not None:
                self._duplicates.remove(question["id"])
            return
        # indexed when a search next needs it (the suggester, after the acknowledgements)
        self._unindexed[question["id"]] = question

    def _index_now(self, until: str | None = None) -> None:
        """Index the questions learnt since, in the order they first arrived (ties go to the
        earlier): all of them, or those up to ``until``."""
        pending = self._unindexed
        if until is not None and until not in pending:
            return  # indexed already, and every question before it
        while pending:
            ident, question = pending.popitem(last=False)
            self._index_one(question)
            if ident == until:
                return

    def _index_one(self, question: dict) -> None:
        ident = question["id"]
        known = self._index.get(ident)
        fp = known[1] if known and known[0] == question["text"] else _fingerprint(question)
        self._index[ident] = (question["text"], fp, question["status"])
        self._duplicates.add(ident, fp)  # first, so that ties keep the order questions came in
        if question["status"] in (questions.REJECTED, questions.MERGED):
            self._duplicates.remove(ident)

    def forget_removed_groups(self) -> int:
        """Take the sensitive groups (``questions.REMOVED_GROUPS``) out of every stored question,
        in one transaction; returns how many questions changed (0 the next time)."""
        found = tuple(k for k, q in self.store.scan(PREFIX).items() if questions.without_removed_group(q) is not None)
        if not found:
            return 0

        def fn(docs):
            cleaned = {k: questions.without_removed_group(doc) for k, doc in docs.items() if doc is not None}
            return {k: doc for k, doc in cleaned.items() if doc is not None}

        written, _ = self.store.transact(found, fn)
        return len(written)

    def audit(self) -> list[dict]:
        """Every moderation and MC action, oldest first (append-only): the real day's, or while a
        rehearsal runs, the rehearsal's."""
        self.replica.refresh()
        rehearsal = self.rehearsal()
        return [
            entry
            for entry in self.replica.scan(AUDIT).values()
            if rehearsals.visible(entry, rehearsal) and not rehearsals.is_wiped_entry(entry)
        ]

    def rehearsal(self) -> str | None:
        """The id of the rehearsal running now, as this process last learnt it (from memory)."""
        return rehearsals.running(self.replica.get(rehearsals.KEY))

    # ------------------------------------------------------------ reading

    def get(self, question_id: str) -> dict | None:
        found = self.store.get(key(question_id))
        if personal.is_tombstone(found) or not rehearsals.visible(found, self.rehearsal()):
            return None
        return found

    def stored(self) -> dict[str, dict]:
        """Every question document in memory by key, deleted ones left out, and those of a
        rehearsal unless it is the one running (shared: never change them)."""
        rehearsal = self.rehearsal()
        return {
            k: q
            for k, q in self.replica.scan(PREFIX).items()
            if not personal.is_tombstone(q) and rehearsals.visible(q, rehearsal)
        }

    def _derived(self, name: str, build: Callable[[], Any]) -> Any:
        """A list built from every question, rebuilt only when the replica changed."""
        self.replica.refresh()
        version = self.replica.version
        cached = self._views.get(name)
        if cached is None or cached[0] != version:
            cached = (version, build())
            self._views[name] = cached
        return cached[1]

    def all(self) -> list[dict]:
        """Every question, oldest first (shared: never change them)."""

        def build():
            found = list(self.stored().values())
            found.sort(key=lambda q: (q["received_at"], q["id"]))
            return found

        return list(self._derived("all", build))

    def real_day(self) -> list[dict]:
        """Every question of the real day, oldest first, even while a rehearsal runs: what the
        public pages show (shared: never change them)."""

        def build():
            found = [
                q
                for q in self.replica.scan(PREFIX).values()
                if not personal.is_tombstone(q) and rehearsals.mark_of(q) is None
            ]
            found.sort(key=lambda q: (q["received_at"], q["id"]))
            return found

        return list(self._derived("real", build))

    def for_desk(self) -> list[dict]:
        return self._derived("desk", lambda: [staff_view(q) for q in self.all()])

    def desk_page(self, payload: Any) -> dict:
        """The console's list a page at a time, newest first, so it shows its first rows at once
        with 20,000 held: ``{limit, before}`` where ``before`` is the ``next`` of the page before
        ([received_at, id], or null for the newest). A cursor, not an offset: a question arriving or
        deleted meanwhile never makes another one skipped (arrivals come as pushes). The views leave
        out empty fields (a third of the bytes). ``{}`` is the whole list, oldest first, in full."""
        if not isinstance(payload, dict) or not payload:
            return {"questions": self.for_desk()}
        limit, before = payload.get("limit"), payload.get("before")
        if (
            set(payload) - {"limit", "before"}
            or not isinstance(limit, int)
            or isinstance(limit, bool)
            or not 1 <= limit <= PAGE_LIMIT
            or not (before is None or _cursor(before))
        ):
            raise DomainError("question.malformed")
        # the whole list's views, oldest first, without empty fields; a page is read backwards from the cursor
        oldest = self._derived("desk-compact", lambda: [_compact(view) for view in self.for_desk()])
        marks = self._derived("desk-marks", lambda: [(q["received_at"], q["id"]) for q in oldest])
        end = len(oldest) if before is None else bisect.bisect_left(marks, (before[0], before[1]))
        page = oldest[max(0, end - limit) : end][::-1]
        more = end > limit
        return {"questions": page, "more": more, "next": [page[-1]["received_at"], page[-1]["id"]] if more else None}

    def mine(self, payload: Any) -> list[dict]:
        """What a phone may know of the questions it sent (by the ids it made)."""
        ids = payload.get("ids") if isinstance(payload, dict) else None
        if not isinstance(ids, list) or len(ids) > MINE_LIMIT:
            raise DomainError("question.malformed")
        found = []
        departments = self.department_names()
        for ident in dict.fromkeys(ids):
            question = self.get(_valid_id(ident))
            if question is None:
                continue
            found.append(phone_view(question, questions.followed(question, self.get), departments))
        return found

    def department_names(self) -> dict[str, str]:
        doc = self.replica.get(CONFERENCE) or {}
        return {d["id"]: d["name"] for d in doc.get("departments", [])}

    def site_names(self) -> dict[str, str]:
        """site id → name, built once per conference document (documents are replaced, never
        changed: a page of a thousand cards does not rebuild it a thousand times). Read only."""
        doc = self.replica.get(CONFERENCE)
        if self._site_names is None or self._site_names[0] is not doc:
            self._site_names = (doc, {site["id"]: site["name"] for site in (doc or {}).get("sites", [])})
        return self._site_names[1]

    def queue(self) -> dict:
        """What the MC and the chairman start from: the approved queue and answers per site."""
        return self._derived("queue", self._queue)

    def _queue(self) -> dict:
        doc = self.replica.get(CONFERENCE) or {}
        order = {t["id"]: n for n, t in enumerate(doc.get("themes", []))}
        names = self.site_names()
        everything = self.all()
        waiting = [q for q in everything if q["status"] in QUEUE_STATUSES]
        waiting.sort(key=lambda q: (order.get(q.get("theme"), len(order)), q.get("rank") or 0, q["id"]))
        answered: dict[str, int] = {}
        for q in everything:
            if q["status"] in (questions.ANSWERED, questions.FORWARDED):
                for site in {q["site"], *(o["site"] for o in q.get("origins") or [])}:
                    answered[site] = answered.get(site, 0) + 1
        return {"questions": [queue_view(q, names) for q in waiting], "answered": answered}

    def counts(self) -> dict[str, int]:
        """Questions received so far, by site (the running rehearsal's while one runs)."""
        rehearsal = self.rehearsal()
        if self._sites is None or self._counted_for != rehearsal:
            self._sites, self._per_site, self._counted_for = {}, {}, rehearsal
            for question in list(self.stored().values()):
                self._count(question)
        return dict(self._per_site)

    def _count(self, question: dict) -> None:
        gone = personal.is_tombstone(question) or not rehearsals.visible(question, self._counted_for)
        if self._sites is not None and gone:  # deleted, or another day's: counted no more
            site = self._sites.pop(question["id"], None)
            if site is not None:
                self._per_site[site] -= 1
            return
        if self._sites is None or question["id"] in self._sites:
            return  # not counting yet (counts() starts from the whole replica), or counted already
        self._sites[question["id"]] = question["site"]
        self._per_site[question["site"]] = self._per_site.get(question["site"], 0) + 1

    def current(self) -> dict | None:
        """The question on screen now, as every screen may show it, or None (from the replica)."""
        stage = self.replica.get(STAGE) or {}
        question = self.replica.get(key(stage["question"])) if stage.get("question") else None
        if (
            question is None
            or personal.is_tombstone(question)
            or not rehearsals.visible(question, self.rehearsal())
            or question.get("status") != questions.ON_SCREEN
        ):
            return None
        doc = self.replica.get(CONFERENCE) or {}
        names = {site["id"]: site["name"] for site in doc.get("sites", [])}
        site_name = names.get(question["site"], question["site"])
        return {
            "id": question["id"],
            "text": question["text"],
            "site": question["site"],
            "site_name": site_name,
            "group": questions.public_group(question),
            "origin": questions.public_origin(site_name, question),
        }
