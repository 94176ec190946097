"""The real-time adapter's background tasks, one of each per process: the revocation watch, the
duplicate suggestions, the roll call's question counts, and the purge of expired personal data."""

from __future__ import annotations

import collections
import logging
import time

from flask_socketio import SocketIO

from live.core import access, rooms
from live.core.errors import DomainError
from live.formats.exports import TIMEZONE
from live.realtime.connections import Connections
from live.services import retention
from live.services.change import PINS, TOKENS
from live.services.day import Day, pin_hashes

log = logging.getLogger("live.realtime")


PRESENCE_RENEW = 5.0  # seconds between a process's "still here" in the shared roll call
REVOCATION_POLL = 0.5  # seconds between two looks at the links and PINs: a revoked screen drops within 2 s


class RevocationWatch:
    """Drops this process's staff sockets whose link was renewed or whose PIN changed.

    Polls the replica rather than trusting the local call: a link renewed through another process
    reaches this one only through the store. One task per process, started with the first staff
    socket; each connection is checked once, and all again whenever the links or PINs change.
    """

    def __init__(self, socketio: SocketIO, day: Day, connections: Connections) -> None:
        self.socketio, self.day, self.connections = socketio, day, connections
        self.started = False
        self._seen: tuple[dict, dict] | None = None
        self._checked: set[str] = set()
        self._failing = False

    def start(self) -> None:
        if not self.started:
            self.started = True
            self.socketio.start_background_task(self._run)

    def _run(self) -> None:
        while True:
            self.socketio.sleep(REVOCATION_POLL)
            try:
                self.check()
            except Exception as error:  # noqa: BLE001 (the store is away, or anything: never die)
                if not self._failing:
                    log.error("revocation watch paused (%s): retrying", type(error).__name__)
                    self._failing = True
                continue
            if self._failing:
                log.warning("revocation watch resumed")
                self._failing = False

    def check(self) -> list[str]:
        """One look: refresh the replica, drop the sockets that lost a role; returns their ids."""
        replica = self.day.replica
        replica.refresh()
        current = (replica.get(TOKENS) or {}, pin_hashes(replica.get(PINS)))
        if current != self._seen:
            self._seen, self._checked = current, set()
        granted = self.connections.granted()
        self._checked &= {sid for sid, _ in granted}  # forget the sockets that went away
        suspects = []
        for sid, connection in granted:
            if sid in self._checked:
                continue
            if connection.roles <= access.valid_roles(dict(connection.grants), *current):
                self._checked.add(sid)
            else:
                suspects.append((sid, connection))
        if not suspects:
            return []
        # this process's replica may be a moment older than what a new socket was checked with:
        # confirm against the store itself before dropping anyone
        tokens, pins = self.day.tokens(), self.day.pin_hashes()
        dropped = []
        for sid, connection in suspects:
            valid = access.valid_roles(dict(connection.grants), tokens, pins)
            if connection.roles <= valid:
                continue
            lost = sorted(connection.roles - valid)
            log.warning("revoked: dropping sid=%s screen=%s roles=%s", sid, connection.screen, ",".join(lost))
            # the page reloads on this and shows why; a client that ignores it is dropped anyway
            self.socketio.emit("access.revoked", {"role": lost[0]}, to=sid, ignore_queue=True)
            self.socketio.server.disconnect(sid, namespace="/", ignore_queue=True)
            self.connections.remove(sid)
            dropped.append(sid)
        return dropped


SUGGEST_BATCH = 50  # new questions compared per refresh of the replica
SUGGEST_IDLE = 0.1  # seconds between looks at an empty queue
SUGGEST_BUSY_GAP = 0.01  # while questions are arriving: one comparison per this many seconds
SUGGEST_LAG = 30.0  # seconds: no question waits longer for its comparison, storm or not


class Suggester:
    """The likely duplicates of each new question, sent to the secretariat as ``question.similar``
    once the asker's phone has its acknowledgement.

    Comparing a question with every other costs milliseconds on a day of look-alike questions;
    done before the acknowledgement, a burst of thousands waited seconds for it. Here a burst is
    acknowledged first and compared after, in one background task, in order; the moderator can
    still ask for any question's duplicates at once (``question.similar``).

    While questions are still arriving (``arriving``: submissions being handled right now) the
    comparisons go slowly, one every ``SUGGEST_BUSY_GAP``, so that a storm's acknowledgements
    have the processor; they catch up when it passes, and none waits longer than ``SUGGEST_LAG``.
    """

    def __init__(self, socketio: SocketIO, day: Day) -> None:
        self.socketio, self.day = socketio, day
        self.pending: collections.deque[tuple[str, float]] = collections.deque()
        self.arriving = 0
        self._task = None

    def add(self, question_id: str) -> None:
        self.pending.append((question_id, time.monotonic()))
        if self._task is None:
            self._task = self.socketio.start_background_task(self._forever)

    def _forever(self) -> None:
        while True:
            if not self.pending:
                self.socketio.sleep(SUGGEST_IDLE)
                continue
            try:
                self.day.desk.replica.refresh()  # what other processes took in, once per batch
            except DomainError:
                pass  # the store is unreachable: compare with what this process knows
            for _ in range(min(SUGGEST_BATCH, len(self.pending))):
                if self.arriving and time.monotonic() - self.pending[0][1] < SUGGEST_LAG:
                    self.socketio.sleep(SUGGEST_BUSY_GAP)  # a storm: its acknowledgements first
                self.run_one(self.pending.popleft()[0])
                self.socketio.sleep(0)  # acknowledgements and broadcasts go first

    def run_one(self, question_id: str) -> None:
        try:
            found = self.day.desk.suggest(question_id)
        except Exception:  # one question's comparison must never stop the others'
            log.exception("similar questions not found for one question")  # no id: it gives its tracking code
            return
        if found is not None:
            self.socketio.emit("question.similar", {"id": question_id, "similar": found}, to=rooms.desk())


ROLL_GAP = 0.5  # seconds: the roll call's count of a site's questions is sent at most this often


class RollCounts:
    """How many questions each site has sent, on the roll call (``roll.changed``). A burst of
    questions from the whole province would send every MC and secretariat screen one message per
    question; here the first count goes out at once, and those that change meanwhile follow
    together, each site's latest count once, ``ROLL_GAP`` later."""

    def __init__(self, socketio: SocketIO, day: Day) -> None:
        self.socketio, self.day = socketio, day
        self.sites: set[str] = set()
        self._task = None

    def touch(self, site: str) -> None:
        self.sites.add(site)
        if self._task is None:
            self._task = self.socketio.start_background_task(self._send)

    def _send(self) -> None:
        try:
            while self.sites:
                sites, self.sites = self.sites, set()
                counts = self.day.desk.counts()
                for site in sorted(sites):
                    self.socketio.emit(
                        "roll.changed", {"site": site, "questions": counts.get(site, 0)}, to=rooms.roll()
                    )
                self.socketio.sleep(ROLL_GAP)
        except Exception:  # noqa: BLE001 (the roll call's counts come again with the next question)
            log.exception("roll call counts not sent")
        finally:
            self._task = None


PURGE_FIRST = 600.0  # seconds after the server starts: a restart's reconnect storm passes first
PURGE_EVERY = 3600.0  # seconds between two looks at whether personal data is due for its purge


class RetentionTask:
    """Purges the askers' personal data once its retention period is over (live/services/retention.py),
    as ``live purge`` does: a first look ``PURGE_FIRST`` after the start, then every ``PURGE_EVERY``.

    A look is cheap: the due date comes from the questions in this process's memory (the replica),
    and once a look found nothing left to purge, the next ones do nothing until a document changes.
    Several processes sharing Redis may purge at the same moment: each batch is atomic and a
    question already purged is left as it is, so they only share the work.
    """

    def __init__(self, socketio: SocketIO, day: Day, zone: str | None = None) -> None:
        self.socketio, self.day, self.zone = socketio, day, zone or TIMEZONE
        self._clean_at: int | None = None  # the replica's version when a look found nothing to purge

    def start(self) -> None:
        self.socketio.start_background_task(self._run)

    def _run(self) -> None:
        self.socketio.sleep(PURGE_FIRST)
        while True:
            try:
                self.check(self.day.now())
            except Exception as error:  # noqa: BLE001 (the store is away, or anything: look again later)
                log.error("retention check failed (%s): next look in %d s", type(error).__name__, PURGE_EVERY)
            self.socketio.sleep(PURGE_EVERY)

    def check(self, now: float) -> retention.Purged | None:
        """One look: purge what is due at ``now``; returns what the purge did, or None."""
        replica = self.day.replica
        replica.refresh()
        if replica.version == self._clean_at:
            return None  # nothing changed since a look that found nothing left to purge
        version = replica.version
        found = list(self.day.desk.stored().values())
        due = retention.due_at(self.day.store, found, now, self.zone)
        if now < due:
            return None  # not due yet: nothing was inspected for personal data
        if not retention.pending(self.day.store, found, self.day.desk.audit(), now, self.zone):
            self._clean_at = version
            return None
        done = retention.purge(
            self.day.store,
            now,
            role="system",
            name="live serve",
            zone=self.zone,
            after_batch=lambda _n: self.socketio.sleep(0),  # the screens' messages between two batches
        )
        replica.refresh()
        return done
