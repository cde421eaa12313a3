"""Review across laptops, the server's side (docs/sync-protocol.md, "Review across laptops").

A supervisor's laptop reviews a read-only copy of another device's record and pushes the
decision (``K.review``). The record's one writer stays its owner device; decisions are
append-only (``reviews``: one per version, a second → 409 ``decision_exists``, push.py).

A decision racing the owner's amendment: if the server already holds a newer version of the
record from its owner (``records.current_version`` above the decided version), the decision
is refused — 409 ``superseded``, shown to the supervisor, who reviews the new version once it
is finalized. If the decision arrives first it is taken, and the owner's laptop keeps it as the
review of the version it was made on without touching its newer draft (core/sync/review.py).
The owner's own review ops are never refused for this (its return is ``K.amend`` then
``K.review`` of the version before)."""
from __future__ import annotations

from typing import Any, Mapping

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from weicha_server.db import records


def superseded(conn: Connection, device_id: str, env: Mapping[str, Any]) -> tuple[str, str] | None:
    """(error, message) when ``env`` — a review op of ``device_id`` — decides a version its
    owner has amended since; else None."""
    p = env["payload"]
    row = conn.execute(sa.select(records.c.owner_device_id, records.c.current_version)
                       .where(records.c.record_id == env["entity_id"])).first()
    if row is None or row.owner_device_id in (None, device_id) or row.current_version <= p["version"]:
        return None
    return "superseded", (f"记录 {p.get('number') or env['entity_id']} 第 {p['version']} 版已被录入它的设备补正为"
                          f"第 {row.current_version} 版：这一审核决定未被接收。请在新版本定稿后再审核。")
