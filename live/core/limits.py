"""Rate limits for questions from phones: token buckets per phone, per site and per address.

Pure code; ``now`` is passed in. A whole commune hall may share one public address, so the
address only has a high ceiling: the limit that bites is per phone (its signed device cookie),
so that one phone sending too fast is slowed alone, and per site, so that one hall cannot drown
the others. A retry of a question already stored is not counted: it costs the server nothing.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    """``burst`` questions at once, then one more every ``every`` seconds."""

    burst: int
    every: float


# A young person asks one or two questions in a morning; a paper form read out may be faster.
DEFAULT_RULES = {
    "device": Rule(burst=5, every=20.0),  # 5 at once, then 3 a minute
    "site": Rule(burst=300, every=0.2),  # a full hall all at once, then 5 a second
    "address": Rule(burst=2000, every=0.02),  # a whole district behind one NAT, 50 a second
}


class Buckets:
    """Token buckets by key, the least recently used forgotten beyond ``size`` keys."""

    def __init__(self, rule: Rule, size: int = 100_000) -> None:
        self.rule = rule
        self.size = size
        self._state: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key -> (tokens, at)

    def _tokens(self, key: str, now: float) -> float:
        tokens, at = self._state.get(key, (float(self.rule.burst), now))
        return min(float(self.rule.burst), tokens + max(0.0, now - at) / self.rule.every)

    def wait(self, key: str, now: float) -> float:
        """Seconds until ``key`` may take a token (0 when it may now)."""
        tokens = self._tokens(key, now)
        return 0.0 if tokens >= 1 else (1 - tokens) * self.rule.every

    def take(self, key: str, now: float) -> None:
        tokens = self._tokens(key, now) - 1
        self._state[key] = (tokens, now)
        self._state.move_to_end(key)
        while len(self._state) > self.size:
            self._state.popitem(last=False)


class Limiter:
    """Per phone, per site and per address; a question is let in only when all three agree."""

    def __init__(self, rules: dict[str, Rule] | None = None) -> None:
        rules = {**DEFAULT_RULES, **(rules or {})}
        self.buckets = {scope: Buckets(rule) for scope, rule in rules.items()}

    def check(self, now: float, **keys: str) -> tuple[str, int] | None:
        """``None`` when the question may go in (and count it), else (scope, seconds to wait).

        Nothing is counted when any scope refuses, so a refused phone does not use up its
        site's allowance.
        """
        for scope, key in keys.items():
            wait = self.buckets[scope].wait(key, now)
            if wait > 0:
                return scope, max(1, math.ceil(wait))
        for scope, key in keys.items():
            self.buckets[scope].take(key, now)
        return None


def parse_rules(text: str) -> dict[str, Rule]:
    """``"device=5/20,site=300/0.2"`` (burst/seconds per token) → rules; for configuration."""
    rules = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        scope, _, spec = part.partition("=")
        burst, _, every = spec.partition("/")
        if scope.strip() not in DEFAULT_RULES:
            raise ValueError(f"unknown rate-limit scope {scope!r}")
        rule = Rule(int(burst), float(every))
        if rule.burst < 1 or not rule.every > 0 or not math.isfinite(rule.every):
            raise ValueError(f"bad rate limit {part!r}")
        rules[scope.strip()] = rule
    return rules
