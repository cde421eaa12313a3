"""weicha_server/fastjson.py: the push's JSON by orjson, byte for byte and value for value what
the reference (json / core/canonical.canonical_json) gives — or the reference itself."""
from __future__ import annotations

import datetime
import enum
import json
import math
import uuid

import pytest
from hypothesis import given, settings, strategies as st

from weicha_desktop.core.canonical import canonical_json
from weicha_desktop.core.sync.envelope import envelope_bytes
from weicha_server import fastjson

# floats where orjson's text and repr differ (exponent forms), or JSON has none (NaN, inf)
ODD_FLOATS = [1e16, -1e16, 1e22, 1.5e300, 5e-324, -5e-324, 1e-5, 1.5e-7, 2.2250738585072014e-308,
              1.7976931348623157e308, 9007199254740993.0, 123456789012345678.0]
PLAIN_FLOATS = [0.0, -0.0, 0.1, 1.0, 21.95, 108.6543210987, 22.8171, -33.5, 1e15, 0.0001, 1e-4]
TEXT = st.text(st.characters(codec="utf-8"), max_size=12) | st.sampled_from(
    ["现场勘验", "钦南分局", "\u2028\u2029", "\x7f\x00\x1f\t\n\r\b\f\"\\/", "😀\U0010ffff", "é\u0301", ""])
NUMBERS = (st.integers(-2 ** 70, 2 ** 70) | st.sampled_from([2 ** 63 - 1, -2 ** 63, 2 ** 64 - 1, 2 ** 64, -2 ** 63 - 1])
           | st.floats(allow_nan=False, allow_infinity=False) | st.sampled_from(ODD_FLOATS + PLAIN_FLOATS))
LEAVES = st.none() | st.booleans() | NUMBERS | TEXT
VALUES = st.recursive(LEAVES, lambda kids: st.lists(kids, max_size=4) | st.dictionaries(TEXT, kids, max_size=4),
                      max_leaves=20)


def _envelope(payload_extra, actor_name="张三", lat=21.9512, lon=108.6241) -> dict:
    """An envelope shaped like the desktop's (core/store/oplog.py): header, actor, a record
    payload with a scene's coordinates, nested lists (a manifest), Chinese text."""
    return {
        "op_id": "01a232be-21a2-7c0a-b4c4-0a35cabf72dd", "device_id": "01a232be-21a0-7474-a8f4-b19b95d082c8",
        "device_seq": 17, "payload_version": 1, "entity_kind": "case", "entity_id": "c-1", "op": "case.finalize",
        "created_at": "2026-05-23T07:38:01+08:00",
        "actor": {"id": "u-1", "name": actor_name, "display_name": "张三（技术员）", "badge_no": "450001",
                  "unit_code": "450702000000", "role": "technician"},
        "payload": {"case_id": "c-1", "data": {"scene": {"lat": lat, "lon": lon, "地址": "钦州市钦南区"},
                                               "extra": payload_extra},
                    "manifest": [{"sha256": "3e" * 32, "size": 2_400_000, "tags": ["全景", "细目"]}],
                    "record": {"kind": "scene", "status": "finalized", "current_version": 2}},
    }


class _Mode(enum.IntEnum):
    A = 1


class _Text(str):
    pass


def _same_outcome(value) -> None:
    try:
        want = canonical_json(value)
    except Exception as e:  # noqa: BLE001 — the reference's error is the expected outcome
        with pytest.raises(type(e)):
            fastjson.canonical(value)
        return
    assert fastjson.canonical(value) == want


@settings(max_examples=60)
@given(extra=VALUES, name=TEXT, lat=NUMBERS, lon=st.sampled_from(ODD_FLOATS + PLAIN_FLOATS))
def test_canonical_is_byte_identical_on_envelopes(extra, name, lat, lon):
    env = _envelope(extra, name, lat, lon)
    assert fastjson.canonical(env) == envelope_bytes(env)  # TEXT is UTF-8: no lone surrogate


@settings(max_examples=60)
@given(value=VALUES)
def test_canonical_is_byte_identical_on_json_values(value):
    _same_outcome(value)


@pytest.mark.parametrize("f", ODD_FLOATS + PLAIN_FLOATS)
def test_every_float_is_written_as_repr(f):
    for value in (f, [f], {"lat": f, "b": [1, {"c": f}]}):
        assert fastjson.canonical(value) == canonical_json(value)
    assert fastjson.canonical([-0.0]) == b"[-0.0]" and fastjson.canonical([1e16]) == b"[1e+16]"


@pytest.mark.parametrize("value", [
    {"x": math.nan}, [math.inf], {"a": [-math.inf]},       # ValueError, as json refuses them
    {"s": "a\ud800b"}, ["\udfff"], {"\ud800": 1},          # a lone surrogate: UnicodeEncodeError
    {1: "int key"}, {"a": {True: 1}}, {"t": (1, 2)}, {"o": object()}, {"b": b"x"},
    [2 ** 64], [-2 ** 63 - 1], [10 ** 40],                 # past 64 bits: orjson refuses, json writes
    {"at": datetime.datetime(2026, 1, 1)}, [uuid.UUID(int=1)], [_Mode.A], [_Text("x")],  # orjson writes these
])
def test_what_orjson_refuses_or_writes_otherwise_is_the_references(value):
    _same_outcome(value)


def test_keys_sort_by_code_point_as_python_sorts_them():
    value = {"\uffff": 1, "😀": 2, "a": 3, "Z": 4, "é": 5, "現": 6, "": 7, "\x00": 8}
    assert fastjson.canonical(value) == canonical_json(value)
    assert fastjson.canonical(value).index("\uffff".encode()) < fastjson.canonical(value).index("😀".encode())


def test_the_push_keeps_the_envelope_bytes_of_a_float_orjson_writes_otherwise():
    env = _envelope([1e16, 5e-324, -0.0])
    assert b"1e+16" in fastjson.canonical(env) and fastjson.canonical(env) == envelope_bytes(env)

