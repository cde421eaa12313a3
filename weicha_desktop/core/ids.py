"""Ids are made on the laptop: UUIDv7 (time-ordered, so they index well and sort by creation),
except for what must be the same on every device: those are UUIDv5 in the WeiCha namespace,
derived from what names the thing everywhere (a user: unit code and 警号)."""
from __future__ import annotations

import os
import time
from typing import Any

# The namespace of every derived id: uuid5(NAMESPACE_URL, "urn:weicha-desktop:identity").
# Never change it — ids made with it are in the field, and the server derives the same ones.
NAMESPACE = "16cd2e8a-28f3-55d8-bb2e-8954cd48095d"


def __getattr__(name: str) -> Any:
    """``WEICHA_NAMESPACE``, the uuid.UUID of ``NAMESPACE``: uuid (with platform, ~1.5 ms) is
    imported when an id is made, not when a folder opens (benchmarks/bench_startup.py)."""
    if name == "WEICHA_NAMESPACE":
        import uuid

        return uuid.UUID(NAMESPACE)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_last_ms = 0  # the millisecond of the last id made in this process (ids made later sort after)


def _uuid7() -> str:
    """A UUIDv7 (RFC 9562) as uuid6.uuid7 makes it: 48 bits of Unix milliseconds (one more than
    the last id's when the clock has not moved on, so the ids of one process sort in the order
    made), version 7, the variant, 74 random bits. Made here: importing uuid6 reads its package
    metadata (importlib.metadata, email: ~10-30 ms CPU in every process that makes an id)."""
    global _last_ms
    _last_ms = ms = max(time.time_ns() // 1_000_000, _last_ms + 1)  # no lock (a fork cannot inherit it held)
    value = (ms & 0xFFFF_FFFF_FFFF) << 80 | int.from_bytes(os.urandom(10), "big") >> 4  # 76 bits
    value = value & ~(0xF << 76) | 7 << 76  # version
    value = value & ~(0x3 << 62) | 0x2 << 62  # variant 10xx
    h = f"{value:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def new_id() -> str:
    return _uuid7()


def user_id(unit_code: str, badge_no: str) -> str:
    """The id of the user with 警号 ``badge_no`` in unit ``unit_code`` (both as stored: the
    12-digit code, the 警号 normalized by core/users.py) — the same on every device, so a case
    captured on one laptop and reviewed on another names the same people."""
    import uuid

    return str(uuid.uuid5(uuid.UUID(NAMESPACE), f"user:{unit_code}:{badge_no}"))
