"""Ids are made on the laptop: UUIDv7 (time-ordered, so they index well and sort by creation),
except for what must be the same on every device: those are UUIDv5 in the WeiCha namespace,
derived from what names the thing everywhere (a user: unit code and 警号)."""
from __future__ import annotations

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


def new_id() -> str:
    import uuid6  # it reads its package metadata on import (~9 ms): at the first id, not at start

    return str(uuid6.uuid7())


def user_id(unit_code: str, badge_no: str) -> str:
    """The id of the user with 警号 ``badge_no`` in unit ``unit_code`` (both as stored: the
    12-digit code, the 警号 normalized by core/users.py) — the same on every device, so a case
    captured on one laptop and reviewed on another names the same people."""
    import uuid

    return str(uuid.uuid5(uuid.UUID(NAMESPACE), f"user:{unit_code}:{badge_no}"))
