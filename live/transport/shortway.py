"""The short way through python-socketio for what nearly every message is.

``Packet`` is python-socketio's packet with a quicker look for bytes; ``Events`` answers an event
with an acknowledgement straight from the message's text. Both lean on python-socketio's
internals (``Packet.data_is_binary``, ``manager.sid_from_eio_sid``, ``server._send_packet``): their
versions are bounded in pyproject.toml and checked at start (``live.transport.patches``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from socketio import packet as sio_packet


class Packet(sio_packet.Packet):
    """python-socketio's packet, with a quicker look for bytes in what is sent.

    Every packet built to be sent asks whether its data holds bytes (to send them as binary
    attachments). The library answers by building a list at every level of the payload and
    folding it, with no early exit: a tenth of the server's CPU during a storm of questions,
    for payloads that never hold bytes here. Same answer, one walk that stops at the first.
    """

    @classmethod
    def data_is_binary(cls, data) -> bool:
        pending = [data]
        while pending:
            item = pending.pop()
            if isinstance(item, (str, int, float)) or item is None:
                continue
            if isinstance(item, dict):
                pending.extend(item.values())
            elif isinstance(item, list):
                pending.extend(item)
            elif isinstance(item, (bytes, bytearray)):
                return True
        return False


class Events:
    """The short way for what nearly every message is: an event with an acknowledgement on the
    default namespace, ``42<id>["name", payload]``, answered ``3<id>[reply]``.

    python-socketio reads such a message through an Engine.IO packet, a Socket.IO packet, five
    calls of dispatch and two more packets for the acknowledgement: at 2,000 questions a second
    about an eighth of the server's time. Here the handler the real-time adapter registered runs on the
    message's text, in the connection's reader as before (``direct.Socket._serve``), and its
    acknowledgement is encoded once. Anything else (another namespace, no acknowledgement, an
    event registered some other way, a connection not yet connected, text that is not JSON)
    gets ``None`` before anything runs, and takes python-socketio's way.
    """

    _EVENT = re.compile(r"42(\d{1,15})\[")

    def __init__(self, server, handlers: dict, loads: Callable[[str], Any], dumps: Callable[[Any], str]) -> None:
        self.server = server  # the python-socketio server
        self.handlers = handlers  # event name → run(sid, *args), as the real-time adapter registered them
        self.loads, self.dumps = loads, dumps  # the wire's JSON (live.formats.wire)

    def __call__(self, eio_sid: str, text: str) -> str | None:
        """The acknowledgement to send (a Socket.IO packet's text; "" when it went already), or
        None: not this way."""
        found = self._EVENT.match(text)
        if found is None:
            return None
        try:
            data = self.loads(text[found.end() - 1 :])
        except (ValueError, RecursionError):  # python-socketio's way logs it and reads on
            return None
        run = self.handlers.get(data[0]) if type(data) is list and data and type(data[0]) is str else None
        if run is None:
            return None
        manager = self.server.manager
        sid = manager.sid_from_eio_sid(eio_sid, "/")
        if sid is None or not manager.is_connected(sid, "/"):
            return None
        reply = run(sid, *data[1:])
        ident = int(found[1])
        args = [] if reply is None else list(reply) if isinstance(reply, tuple) else [reply]
        if Packet.data_is_binary(args):  # never so far: python-socketio sends attachments
            ack = self.server.packet_class(sio_packet.ACK, namespace="/", id=ident, data=args)
            self.server._send_packet(eio_sid, ack)
            return ""
        return f"3{ident}{self.dumps(args)}"
