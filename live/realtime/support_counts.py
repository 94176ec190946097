"""The counts of "me too" and the phones' list of approved questions, pushed at most once a second.

Ten thousand phones pressing within ten seconds would be a hundred million messages if each press
were announced to every phone. Instead each process looks once a second at what its memory (the
replica) learnt, from its own presses and from the other processes' through the store, and when
something changed sends its own screens and phones what changed since it last sent: one message
per room (encoded once, written to the phones 250 at a time), and nothing at
all when nothing changed: to the staff screens
``supports.changed {counts: {question id: n}}``, to the phones ``supports.changed {counts: {handle:
n}, questions?: [approved or changed], removed?: [handles]}``. Each process sends to its own
sockets only (``ignore_queue``): every process computes the same counts from the same store, so no
phone hears them twice.
"""

from __future__ import annotations

import logging

from engineio import packet as engineio_packet
from flask_socketio import SocketIO
from socketio import packet as socketio_packet

from live.core import questions, rooms
from live.services.day import Day
from live.transport import direct

log = logging.getLogger("live.realtime")

SUPPORT_GAP = 1.0  # seconds between two looks, so between two messages to any phone
PHONES_AT_ONCE = 250  # phones written to before the other tasks run again (see to_phones)


class SupportCounts:
    """One per process, started by the first phone or screen that asks for supports."""

    def __init__(self, socketio: SocketIO, day: Day) -> None:
        self.socketio, self.day = socketio, day
        self.started = False
        self._seen: int | None = None  # the supports' version at the last look
        self._counts: dict[str, int] | None = None  # question id → the count last sent
        self._public: dict[str, dict] | None = None  # handle → the listed question last sent (without count)
        self._outcomes: dict[str, tuple] | None = None  # handle → what its supporters were last told (see outcomes)
        self._failing = False

    def start(self) -> None:
        if not self.started:
            self.started = True
            self.check()  # what is there now is the starting point: only later changes are sent
            self.socketio.start_background_task(self._run)

    def _run(self) -> None:
        while True:
            self.socketio.sleep(SUPPORT_GAP)
            try:
                self.check()
            except Exception as error:  # noqa: BLE001 (the store is away, or anything: look again)
                if not self._failing:
                    log.error("supports' counts paused (%s): retrying", type(error).__name__)
                    self._failing = True
                continue
            if self._failing:
                log.warning("supports' counts resumed")
                self._failing = False

    def check(self) -> int:
        """One look: refresh the replica and send what changed; returns how many messages went."""
        supports = self.day.supports
        self.day.replica.refresh()
        if supports.version == self._seen:
            return 0
        self._seen = supports.version
        counts = supports.counts()
        listing = supports.listing()
        public = {item["handle"]: item for _, item in listing}
        handles = {question_id: item["handle"] for question_id, item in listing}
        outcomes = self.outcomes(handles)
        if self._counts is None or self._public is None or self._outcomes is None:
            self._counts, self._public, self._outcomes = counts, public, outcomes
            return 0
        staff = {i: n for i, n in counts.items() if self._counts.get(i) != n}
        staff.update({i: 0 for i in self._counts if i not in counts})
        added = [
            {**item, "count": counts.get(question_id, 0)}
            for question_id, item in listing
            if self._public.get(item["handle"]) != item
        ]
        removed = [handle for handle in self._public if handle not in public]
        fresh = {item["handle"] for item in added}
        phones = {handles[i]: n for i, n in staff.items() if i in handles and handles[i] not in fresh}
        # supported questions off the list whose outcome changed (answered, an answer's summary
        # published, a written reply): every phone hears it, those that supported one show it
        told = [seen for handle, seen in outcomes.items() if self._outcomes.get(handle) != seen]
        self._counts, self._public, self._outcomes = counts, public, outcomes
        sent = 0
        if staff:
            self.socketio.emit("supports.changed", {"counts": staff}, to=rooms.screens(), ignore_queue=True)
            sent += 1
        direct.flush()  # the staff screens' message goes out before the phones' turn
        # one message to the phones, whatever changed: the counts by handle, and the questions
        # approved (or changed) and taken away since the last one
        message: dict = {"counts": phones} if phones else {}
        if added:
            message["questions"] = added
        if removed:
            message["removed"] = removed
        if told:
            message["outcomes"] = told
        if message:
            self.to_phones("supports.changed", {"counts": {}, **message})
            sent += 1
        return sent

    def outcomes(self, listed: dict[str, str]) -> dict[str, dict]:
        """handle → what the supporters of a question no longer listed may see of it (its status,
        its published hall answer and written reply: what /tra-loi shows anyone), for every
        question pressed on and the one each merged one joined. From memory: the questions
        supported, a few thousand at most, looked at when something changed."""
        supports = self.day.supports
        departments = self.day.desk.department_names()
        pressed = set(supports.devices())
        for question_id in list(pressed):
            question = supports.question(question_id)
            if question is not None and question.get("merged_into"):
                pressed.add(question["merged_into"])
        found: dict[str, dict] = {}
        for question_id in pressed:
            question = supports.question(question_id)
            if question is None or question_id in listed:
                continue
            target = questions.followed(question, supports.question)
            handle = supports.handle(question_id)
            found[handle] = supports.outcome(question, target, departments, handle)
        return found

    def to_phones(self, event: str, payload: dict) -> None:
        """``payload`` to this process's phones, encoded once, written ``PHONES_AT_ONCE`` sockets at
        a time with the events that arrived meanwhile let in between: written to 10,000 sockets at
        once, a message every second held the MC's next action back for a tenth of a second
        whenever they met. One Socket.IO packet, one Engine.IO packet, framed once for every
        WebSocket (live/transport/direct.py keeps the frame on the packet), as ``emit`` would."""
        server = self.socketio.server
        phones = [eio_sid for _sid, eio_sid in server.manager.get_participants("/", rooms.phones())]
        encoded = server.packet_class(socketio_packet.EVENT, namespace="/", data=[event, payload]).encode()
        message = engineio_packet.Packet(engineio_packet.MESSAGE, encoded)
        for start in range(0, len(phones), PHONES_AT_ONCE):
            if start:
                self.socketio.sleep(0)  # a staff screen's event, a press, an acknowledgement first
            for eio_sid in phones[start : start + PHONES_AT_ONCE]:
                server.eio.send_packet(eio_sid, message)
