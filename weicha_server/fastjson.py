"""The canonical JSON of every pushed envelope (its digest's input, what the server keeps) by
orjson where it gives exactly the reference's bytes, else by the reference; and the API's
answers (``answer``).

- ``canonical(value)``: ``canonical_json(value)``'s bytes (weicha_desktop/core/canonical.py,
  the desktop's definition, not changed here). orjson with sorted keys writes the same bytes
  for the values JSON parsing makes (dict with str keys, list, str, int, float, bool, None),
  except floats, which it formats its own way (``1e16`` where ``repr`` gives ``1e+16``). So
  the value is walked first: any other type, or a float whose orjson text is not its
  ``repr`` (what json.dumps writes), and the reference encodes it. Property test over
  realistic envelopes: byte-identical, errors the same.

Parsing the request body with orjson was tried and not kept: on push bodies (~7 KB an op, much
of it Chinese text) it was ~20 % faster than json.loads (60 vs 76 µs an op), and it reads an
integer past 64 bits as a float — telling such a body apart (a scan for long digit runs)
cost more than the gain."""
from __future__ import annotations

import json
from typing import Any

import orjson

from weicha_desktop.core.canonical import canonical_json

_SORTED = orjson.OPT_SORT_KEYS
_PLAIN = frozenset((str, int, bool, type(None)))


def canonical(value: Any) -> bytes:
    """``canonical_json(value)``, byte for byte (and its errors: ValueError for NaN, Unicode-
    EncodeError for a lone surrogate, TypeError for what JSON cannot hold)."""
    if _orjson_safe(value):
        try:
            return orjson.dumps(value, option=_SORTED)
        except orjson.JSONEncodeError:
            pass  # a lone surrogate, an integer past 64 bits …: the reference says what it is
    return canonical_json(value)


def _orjson_safe(value: Any) -> bool:
    """Only dicts, lists, str, int, bool, None and floats that orjson writes
    as ``repr`` does (finite, the same digits and form)."""
    stack = [value]
    pop, extend = stack.pop, stack.extend
    while stack:
        x = pop()
        t = type(x)
        if t is dict:  # a key not a str: orjson refuses it (JSONEncodeError), the reference decides
            extend(x.values())
        elif t is list:
            extend(x)
        elif t is float:
            if orjson.dumps(x) != repr(x).encode():  # NaN/inf: orjson writes null, repr nan/inf
                return False
        elif t not in _PLAIN:
            return False
    return True


def answer(body: Any) -> bytes:
    """An answer of the API as UTF-8 JSON, compact, keys in their order (what FastAPI's
    pydantic encoding wrote): orjson, or ``json`` for what orjson refuses (an integer past 64
    bits, a key not a str)."""
    try:
        return orjson.dumps(body)
    except orjson.JSONEncodeError:
        return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
