"""JSON on the wire and in the store (live.formats.wire): orjson where it can, and always the answer the
standard library gives, whatever a client sends."""

from __future__ import annotations

import json
import math

from hypothesis import given
from hypothesis import strategies as st

from live.formats import wire

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text()
values = st.recursive(
    scalars | st.floats(allow_nan=False),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


def same(a, b) -> bool:
    """Equal, and of the same types all the way down (1 is not 1.0, True is not 1)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return a == b


@given(values)
def test_a_client_s_message_reads_as_the_standard_library_reads_it(value):
    for text in (json.dumps(value), json.dumps(value, ensure_ascii=False)):
        assert same(wire.loads(text), json.loads(text))
        assert same(wire.loads(text.encode("utf-8", "surrogatepass")), json.loads(text))


finite = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(finite)
def test_what_the_server_writes_reads_back_as_it_was(value):
    text = wire.dumps(value)
    assert same(json.loads(text), value)
    assert same(wire.loads(text), value)
    assert same(wire.read(text), value)


def test_numbers_too_large_for_orjson_stay_what_they_were():
    assert wire.loads('{"seconds": 1000000000000000000000000000000}') == {"seconds": 10**30}
    assert type(wire.loads("[18446744073709551616]")[0]) is int  # 2**64
    assert type(wire.loads("[-18446744073709551617]")[0]) is int
    assert wire.loads("[1e30]") == [1e30]
    assert math.isnan(wire.loads("[NaN]")[0])
    assert wire.dumps({"big": 2**70}) == '{"big":1180591620717411303424}'


def test_an_integer_of_more_than_a_hundred_digits_is_refused_as_before():
    try:
        wire.loads("[" + "9" * 101 + "]")
    except ValueError:
        pass
    else:
        raise AssertionError("a 101-digit integer was read")


def test_what_json_cannot_hold_goes_out_as_null_a_browser_can_read():
    assert wire.dumps([math.nan, math.inf]) == "[null,null]"


def test_vietnamese_goes_out_as_utf8_not_escapes():
    assert wire.dumps({"text": "Học bổng"}) == '{"text":"Học bổng"}'
