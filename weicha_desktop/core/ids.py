"""Ids are made on the laptop: UUIDv7 (time-ordered, so they index well and sort by creation),
except for what must be the same on every device: those are UUIDv5 in the WeiCha namespace,
derived from what names the thing everywhere (a user: unit code and 警号)."""
from __future__ import annotations

import uuid

# The namespace of every derived id: uuid5(NAMESPACE_URL, "urn:weicha-desktop:identity").
# Never change it — ids made with it are in the field, and the server derives the same ones.
WEICHA_NAMESPACE = uuid.UUID("16cd2e8a-28f3-55d8-bb2e-8954cd48095d")


def new_id() -> str:
    import uuid6  # it reads its package metadata on import (~9 ms): at the first id, not at start

    return str(uuid6.uuid7())


def user_id(unit_code: str, badge_no: str) -> str:
    """The id of the user with 警号 ``badge_no`` in unit ``unit_code`` (both as stored: the
    12-digit code, the 警号 normalized by core/users.py) — the same on every device, so a case
    captured on one laptop and reviewed on another names the same people."""
    return str(uuid.uuid5(WEICHA_NAMESPACE, f"user:{unit_code}:{badge_no}"))
