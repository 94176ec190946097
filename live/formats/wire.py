"""JSON as it crosses the wire and enters the store: orjson, with the standard library behind it.

Every question is decoded from the phone's packet, encoded into the store, into the broadcast to
the secretariat and into the message to the other processes: four or five documents of about a
kilobyte each. The standard library's encoder takes ~18 µs for one such broadcast, orjson ~1.5 µs;
at 2,000 questions a second that was about a tenth of the server's time.

What orjson refuses, the standard library does as it always did: integers beyond 64 bits and
strings with lone surrogates on the way out, ``NaN``, ``Infinity`` and escaped lone surrogates on
the way in (refusing integers of more than 100 digits, as python-engineio's own ``loads`` does).
orjson reads an integer beyond 64 bits as a float, so ``loads`` (what clients send) reads text
holding a number that large again with the standard library: ``10**30`` seconds stays an integer,
out of range. ``read`` (what the server itself wrote) does not look. ``NaN`` and the infinities,
which JSON cannot hold, go out as ``null`` (the standard library wrote ``NaN``, which a browser's
``JSON.parse`` refuses). The text is UTF-8, never ``\\uXXXX`` escapes: a Vietnamese letter costs
two or three bytes, not six.
This module is handed to python-socketio and python-engineio as their ``json`` (``dumps`` and
``loads``; their keyword arguments, which only choose spacing, are ignored).
"""

from __future__ import annotations

import json
from typing import Any

import orjson

TWO_TO_THE_63 = 2.0**63


def dumps(value: Any, **_options: Any) -> str:
    try:
        return orjson.dumps(value).decode()
    except TypeError:  # orjson.JSONEncodeError: an integer beyond 64 bits, a lone surrogate, a key not a string
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def loads(text: str | bytes, **_options: Any) -> Any:
    """What a client sent: exactly what the standard library would read."""
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text, parse_int=_int)
    return json.loads(text, parse_int=_int) if _huge(value) else value


def read(text: str | bytes) -> Any:
    """What this server wrote (the store's documents, the other processes' broadcasts; for the load
    generator, what a server sent): no number beyond 64 bits to look for, since every number the
    server keeps passed a validator; the walk ``loads`` makes would be a third of the time."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def _huge(value: Any) -> bool:
    """Whether ``value`` holds a float of 2**63 or more (either sign): orjson reads an integer
    beyond 64 bits as a float, rounded."""
    pending = [value]
    while pending:
        item = pending.pop()
        kind = type(item)
        if kind is dict:
            pending.extend(item.values())
        elif kind is list:
            pending.extend(item)
        elif kind is float and not -TWO_TO_THE_63 < item < TWO_TO_THE_63:
            return True
    return False


def _int(digits: str) -> int:
    if len(digits) > 100:
        raise ValueError("integer too long")
    return int(digits)
