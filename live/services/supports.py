"""Me too ("Tôi cũng muốn hỏi"): a young person supports an approved question from their phone.

One document per press, ``sup:<question id>:<device>``, written once with ``store.insert`` (the
same device pressing again, or retrying after a lost acknowledgement, finds it there: exactly once,
like a submission). The counts are derived in memory from the replica, so ten thousand phones
pressing at once never contend for one shared key. A question merged into another lends its
supports to the one it joined, and a device that supported both is counted once.
"""

from __future__ import annotations

from live.core import personal, questions
from live.core import rehearsal as rehearsals

PREFIX = "sup:"


def key(question_id: str, device: str) -> str:
    return f"{PREFIX}{question_id}:{device}"


class Supports:
    """The supports of every question, counted per question from the presses in memory."""

    def __init__(self, desk) -> None:
        self.desk = desk
        self.replica = desk.replica

    def devices(self) -> dict[str, set[str]]:
        """question id → the devices that pressed "me too" on it (the running rehearsal's while
        one runs, the real day's otherwise)."""
        rehearsal = self.desk.rehearsal()
        found: dict[str, set[str]] = {}
        for press in self.replica.scan(PREFIX).values():
            if personal.is_tombstone(press) or not rehearsals.visible(press, rehearsal):
                continue
            found.setdefault(press["question"], set()).add(press["device"])
        return found

    def counts(self) -> dict[str, int]:
        """question id → how many devices support it, for every question that is not merged: its
        own presses and those of the questions merged into it, each device once."""
        pressed = self.devices()
        counts: dict[str, int] = {}
        for question in self.desk.stored().values():
            if question.get("status") == questions.MERGED:
                continue
            devices = set(pressed.get(question["id"], ()))
            for origin in question.get("origins") or []:
                devices |= pressed.get(origin.get("id"), set())
            if devices:
                counts[question["id"]] = len(devices)
        return counts
