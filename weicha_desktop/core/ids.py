"""Ids are made on the laptop: UUIDv7 (time-ordered, so they index well and sort by creation)."""
from __future__ import annotations

import uuid6


def new_id() -> str:
    return str(uuid6.uuid7())
