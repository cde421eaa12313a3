"""Canonical JSON and hashing: the same value always gives the same bytes, on any machine."""
from __future__ import annotations

import hashlib
import json
from typing import Any


# json.dumps with these options makes a new encoder at every call; one encoder, made once,
# gives the same text (it keeps no state between calls).
_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)


def canonical_json(value: Any) -> bytes:
    """UTF-8 JSON with sorted keys, no insignificant white space, non-ASCII kept as is.
    Floats that are whole numbers are not special-cased: callers store what they mean."""
    return _ENCODER.encode(value).encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def content_hash(value: Any) -> str:
    return sha256_hex(canonical_json(value))
