"""The agenda clock and the speaker timer: pure state machines, ``now`` passed in.

No Flask, Socket.IO or storage import lives here. The state is timestamps and durations; a
countdown is ``planned + extra - (elapsed + (now - running_since))`` and is computed on demand,
never ticked. Every screen runs the same arithmetic (``static/js/common.js``) from the state the
server sends, corrected for the screen's own clock offset.

Times are seconds since the epoch (floats); durations are seconds.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace

from live.core.errors import DomainError

DEFAULT_WARNING = 60
DEFAULT_SPEAKER_WARNING = 30
MAX_ADJUST = 4 * 3600


@dataclass(frozen=True)
class Item:
    """One agenda item as planned: its id, title and planned duration in seconds."""

    id: str
    title: str
    planned: int


@dataclass(frozen=True)
class Run:
    """What actually happened to one item: first start, last end, time spent, time added."""

    started_at: float | None = None
    ended_at: float | None = None
    elapsed: float = 0.0
    extra: int = 0


@dataclass(frozen=True)
class AgendaClock:
    """The agenda clock: which item is current, whether it runs, and every item's run."""

    current: str | None = None
    running_since: float | None = None
    day_started_at: float | None = None
    finished_at: float | None = None
    runs: dict[str, Run] = field(default_factory=dict)

    @property
    def running(self) -> bool:
        return self.running_since is not None

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict | None) -> AgendaClock:
        if not data:
            return cls()
        runs = {str(k): Run(**v) for k, v in (data.get("runs") or {}).items()}
        return cls(
            current=data.get("current"),
            running_since=data.get("running_since"),
            day_started_at=data.get("day_started_at"),
            finished_at=data.get("finished_at"),
            runs=runs,
        )


# ---------------------------------------------------------------- transitions


def _index(items: Sequence[Item], item_id: str | None) -> int:
    for i, item in enumerate(items):
        if item.id == item_id:
            return i
    return -1


def _run(clock: AgendaClock, item_id: str) -> Run:
    return clock.runs.get(item_id, Run())


def _close_current(clock: AgendaClock, now: float) -> AgendaClock:
    """Stop the current item's time at ``now`` and mark it ended."""
    if clock.current is None:
        return clock
    run = _run(clock, clock.current)
    elapsed = run.elapsed
    if clock.running_since is not None:
        elapsed += max(0.0, now - clock.running_since)
    runs = dict(clock.runs)
    runs[clock.current] = replace(run, elapsed=elapsed, ended_at=now)
    return replace(clock, runs=runs, running_since=None)


def _enter(clock: AgendaClock, item_id: str, now: float) -> AgendaClock:
    """Make ``item_id`` current and running from ``now``, keeping any time it already had."""
    run = _run(clock, item_id)
    runs = dict(clock.runs)
    runs[item_id] = replace(run, started_at=run.started_at if run.started_at is not None else now, ended_at=None)
    return replace(
        clock,
        current=item_id,
        running_since=now,
        runs=runs,
        day_started_at=clock.day_started_at if clock.day_started_at is not None else now,
        finished_at=None,
    )


def start(clock: AgendaClock, items: Sequence[Item], now: float) -> AgendaClock:
    """Start the day on the first item, or resume the current item if it is paused."""
    if not items:
        raise DomainError("clock.no_items")
    if clock.running:
        raise DomainError("clock.already_running")
    if clock.finished_at is not None:
        raise DomainError("clock.finished")
    if clock.current is None or _index(items, clock.current) < 0:
        return _enter(clock, items[0].id, now)
    runs = dict(clock.runs)
    runs[clock.current] = replace(_run(clock, clock.current), ended_at=None)
    return replace(clock, running_since=now, runs=runs, finished_at=None)


resume = start


def pause(clock: AgendaClock, now: float) -> AgendaClock:
    """Hold the current item's clock; its elapsed time is kept."""
    if not clock.running or clock.current is None:
        raise DomainError("clock.not_running")
    run = _run(clock, clock.current)
    runs = dict(clock.runs)
    runs[clock.current] = replace(run, elapsed=run.elapsed + max(0.0, now - clock.running_since))
    return replace(clock, running_since=None, runs=runs)


def jump(clock: AgendaClock, items: Sequence[Item], item_id: str, now: float) -> AgendaClock:
    """Leave the current item and run ``item_id``, which keeps any time it already had."""
    if _index(items, item_id) < 0:
        raise DomainError("clock.unknown_item", item=item_id)
    if item_id == clock.current:
        raise DomainError("clock.already_current")
    return _enter(_close_current(clock, now), item_id, now)


def next_item(clock: AgendaClock, items: Sequence[Item], now: float) -> AgendaClock:
    """Move on to the item after the current one and start its clock."""
    if clock.finished_at is not None:
        raise DomainError("clock.no_next")
    if clock.current is None:
        return start(clock, items, now)
    i = _index(items, clock.current)
    if i + 1 >= len(items):
        raise DomainError("clock.no_next")
    return jump(clock, items, items[i + 1].id, now)


def previous_item(clock: AgendaClock, items: Sequence[Item], now: float) -> AgendaClock:
    """Go back to the item before the current one; it continues from the time it had."""
    i = _index(items, clock.current)
    if i <= 0:
        raise DomainError("clock.no_previous")
    return jump(clock, items, items[i - 1].id, now)


def adjust(clock: AgendaClock, items: Sequence[Item], seconds: int, now: float) -> AgendaClock:
    """Add (or with a negative number remove) time on the current item; never below zero."""
    if clock.current is None or clock.finished_at is not None:
        raise DomainError("clock.not_started")
    if not isinstance(seconds, int) or isinstance(seconds, bool) or seconds == 0 or abs(seconds) > MAX_ADJUST:
        raise DomainError("clock.bad_adjust")
    item = items[_index(items, clock.current)] if _index(items, clock.current) >= 0 else None
    planned = item.planned if item else 0
    run = _run(clock, clock.current)
    extra = max(-planned, run.extra + seconds)
    runs = dict(clock.runs)
    runs[clock.current] = replace(run, extra=extra)
    return replace(clock, runs=runs)


def finish(clock: AgendaClock, now: float) -> AgendaClock:
    """End the day: the current item's time stops and no item is current."""
    if clock.current is None:
        raise DomainError("clock.not_started")
    closed = _close_current(clock, now)
    return replace(closed, current=None, finished_at=now)


def reset(clock: AgendaClock) -> AgendaClock:
    """Forget every run (after a rehearsal)."""
    return AgendaClock()


def prune(clock: AgendaClock, items: Iterable[Item]) -> AgendaClock:
    """Drop runs of items that no longer exist; a removed current item ends the day's current."""
    ids = {item.id for item in items}
    runs = {k: v for k, v in clock.runs.items() if k in ids}
    if clock.current is not None and clock.current not in ids:
        return replace(clock, current=None, running_since=None, runs=runs)
    return replace(clock, runs=runs)


# ---------------------------------------------------------------- views


def elapsed(clock: AgendaClock, item_id: str, now: float) -> float:
    """Seconds spent on ``item_id`` so far, including the running stretch."""
    run = _run(clock, item_id)
    if item_id == clock.current and clock.running_since is not None:
        return run.elapsed + max(0.0, now - clock.running_since)
    return run.elapsed


def remaining(clock: AgendaClock, items: Sequence[Item], now: float) -> float | None:
    """Seconds left on the current item; negative once it overruns; None with no current item."""
    i = _index(items, clock.current)
    if i < 0:
        return None
    item = items[i]
    return item.planned + _run(clock, item.id).extra - elapsed(clock, item.id, now)


def status(clock: AgendaClock) -> str:
    """``idle`` before the day, ``running``, ``paused``, or ``finished``."""
    if clock.finished_at is not None:
        return "finished"
    if clock.current is None:
        return "idle"
    return "running" if clock.running else "paused"


def phase_for(left: float | None, warning: int) -> str:
    """``normal``, ``warning`` (at most ``warning`` seconds left) or ``overrun`` (none left)."""
    if left is None:
        return "normal"
    if left <= 0:
        return "overrun"
    if left <= warning:
        return "warning"
    return "normal"


def phase(clock: AgendaClock, items: Sequence[Item], now: float, warning: int = DEFAULT_WARNING) -> str:
    return phase_for(remaining(clock, items, now), warning)


def drift(clock: AgendaClock, items: Sequence[Item], now: float) -> float | None:
    """How far the day runs behind (positive) or ahead (negative) of the plan, in seconds.

    The plan starts when the first item started. The projected end is now, plus what is left of
    the current item, plus the planned time of every later item not yet done; items skipped over
    count as done.
    """
    if clock.day_started_at is None:
        return None
    planned_end = clock.day_started_at + sum(item.planned for item in items)
    if clock.finished_at is not None:
        return clock.finished_at - planned_end
    i = _index(items, clock.current)
    if i < 0:
        return None
    left = max(0.0, remaining(clock, items, now) or 0.0)
    later = sum(
        max(0.0, item.planned + _run(clock, item.id).extra - _run(clock, item.id).elapsed) for item in items[i + 1 :]
    )
    return now + left + later - planned_end


def report(clock: AgendaClock, items: Sequence[Item], now: float) -> list[dict]:
    """Planned against actual for every item, for the MC's agenda and the day's records."""
    rows = []
    for item in items:
        run = _run(clock, item.id)
        rows.append(
            {
                "id": item.id,
                "title": item.title,
                "planned": item.planned,
                "extra": run.extra,
                "actual": round(elapsed(clock, item.id, now), 1),
                "started_at": run.started_at,
                "ended_at": run.ended_at,
                "done": run.ended_at is not None and item.id != clock.current,
            }
        )
    return rows


# ---------------------------------------------------------------- speaker timer


@dataclass(frozen=True)
class SpeakerTimer:
    """A countdown for one answer (for example 3 minutes), started and stopped by the MC."""

    duration: int = 0
    running_since: float | None = None
    elapsed: float = 0.0
    label: str = ""

    @property
    def running(self) -> bool:
        return self.running_since is not None

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict | None) -> SpeakerTimer:
        return cls(**data) if data else cls()


MAX_SPEAKER = 60 * 60


def speaker_start(timer: SpeakerTimer, now: float, duration: int | None = None, label: str = "") -> SpeakerTimer:
    """Start a fresh countdown of ``duration`` seconds, or resume a stopped one when none is given."""
    if duration is not None:
        if not isinstance(duration, int) or isinstance(duration, bool) or not 0 < duration <= MAX_SPEAKER:
            raise DomainError("speaker.bad_duration")
        return SpeakerTimer(duration=duration, running_since=now, elapsed=0.0, label=label)
    if timer.running:
        raise DomainError("speaker.already_running")
    if timer.duration <= 0:
        raise DomainError("speaker.bad_duration")
    return replace(timer, running_since=now)


def speaker_stop(timer: SpeakerTimer, now: float) -> SpeakerTimer:
    """Stop the countdown, keeping the time used."""
    if not timer.running:
        raise DomainError("speaker.not_running")
    return replace(timer, running_since=None, elapsed=timer.elapsed + max(0.0, now - timer.running_since))


def speaker_reset(timer: SpeakerTimer) -> SpeakerTimer:
    """Clear the speaker timer from every screen."""
    return SpeakerTimer()


def speaker_remaining(timer: SpeakerTimer, now: float) -> float | None:
    """Seconds left for the speaker; negative once over; None when no timer is set."""
    if timer.duration <= 0:
        return None
    used = timer.elapsed + (max(0.0, now - timer.running_since) if timer.running_since is not None else 0.0)
    return timer.duration - used
