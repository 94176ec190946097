"""What a service said to send, sent: staff screens first, each room's message encoded once."""

from __future__ import annotations

import logging

from flask_socketio import SocketIO

from live.core import rooms
from live.core.errors import DomainError
from live.services.change import Change
from live.services.day import Day
from live.transport import direct

log = logging.getLogger("live.realtime")


def broadcast(socketio: SocketIO, change: Change) -> None:
    """Send what a service said to send, to the rooms it named: staff and site screens first, so
    the projector, the MC and the chairman never wait behind thousands of phones. Each room's
    message is encoded once for all its sockets (python-socketio shares one packet when no
    callback is asked for); each client still gets its own messages in the order listed."""
    staff = True
    for event, payload, room in sorted(change.emits, key=lambda emit: rooms.of_phones(emit[2])):
        if staff and rooms.of_phones(room):
            staff = False
            direct.flush()  # what the staff screens were sent goes out before the phones' turn
        socketio.emit(event, payload, to=room)


def resync(socketio: SocketIO, day: Day) -> None:
    """After this process missed broadcasts (its message queue was cut off): every screen and
    phone connected here gets the state again, or is told to ask for it."""
    try:
        snapshot = day.snapshot()
        queue = {"seq": snapshot["seq"], **day.desk.queue()}
    except DomainError:
        log.error("resync postponed: the store is unavailable")
        return
    socketio.emit("state.snapshot", snapshot, to=rooms.screens(), ignore_queue=True)
    socketio.emit("queue.snapshot", queue, to=rooms.queue(), ignore_queue=True)
    socketio.emit("resync", {"seq": snapshot["seq"]}, to=[rooms.desk(), rooms.roll()], ignore_queue=True)
    # last, and only what a phone shows: the question being answered, and its own questions'
    # statuses, which it asks for again
    current = {"seq": snapshot["seq"], "question": snapshot["current_question"]}
    direct.flush()
    socketio.emit("question.current", current, to=rooms.phones(), ignore_queue=True)
    socketio.emit("resync", {"seq": snapshot["seq"]}, to=rooms.phones(), ignore_queue=True)
