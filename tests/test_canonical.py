"""core/canonical.py: the bytes every hash, signature and op digest is taken over."""
from __future__ import annotations

import json
import math
from concurrent.futures import ThreadPoolExecutor

import pytest

from weicha_desktop.core.canonical import canonical_json, content_hash


def test_sorted_keys_no_spaces_and_chinese_kept_as_utf8():
    assert canonical_json({"b": [1, 2.5, None], "a": {"y": "现场", "x": True}}) == \
        '{"a":{"x":true,"y":"现场"},"b":[1,2.5,null]}'.encode("utf-8")


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, {"a": [math.nan]}])
def test_nan_and_infinity_are_refused_not_written(bad):
    with pytest.raises(ValueError):
        canonical_json(bad)


def test_a_refused_value_leaves_the_next_call_whole():
    with pytest.raises(ValueError):
        canonical_json({"a": math.nan})
    with pytest.raises(ValueError):  # a cycle: the encoder's bookkeeping of the failed call is gone
        loop: list = []
        loop.append(loop)
        canonical_json(loop)
    assert canonical_json({"a": [1]}) == b'{"a":[1]}'


def test_the_same_bytes_as_the_reference_from_many_threads_at_once():
    values = [{"n": i, "s": "勘验" * (i % 5), "l": list(range(i % 7)), "d": {"z": i, "a": -i}}
              for i in range(400)]
    def reference(v):
        return json.dumps(v, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                          allow_nan=False).encode("utf-8")
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(canonical_json, values))
    assert got == [reference(v) for v in values]
    assert content_hash(values[3]) == content_hash(json.loads(reference(values[3])))
