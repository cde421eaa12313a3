"""Migration 11: the outbox takes the op envelope and the states of a sync that goes through
bundles (docs/sync-protocol.md). A table rebuild (the state CHECK changes), in the
migration's Python step (core/store/migrations.py):

- every op keeps its ``seq``, ``op_id``, ``created_at``, ``entity_id``, ``op`` and payload
  text byte for byte (so the hash its change logged still holds: verify accepts the earlier
  hash form for these); ``entity`` is now ``entity_kind``;
- it gets the folder's ``device_id``, a ``device_seq`` (1, 2, … in outbox order), payload
  version 1 and its ``actor`` — the user of the audit entry that lists it (``details.outbox``),
  else of the entry written with it (same time, same object: ops from before those lists);
- ``sent`` (never set by any release) becomes ``exported`` in bundle ``sent-before-11``,
  ``rejected`` keeps its reason (``last_error``);
- ``outbox_sequence`` starts at each device's last number; the AUTOINCREMENT counter is kept."""
from __future__ import annotations

import json
import sqlite3
from typing import Any

from weicha_desktop.core.canonical import canonical_json

SQL = """
CREATE TABLE outbox_sequence (
    device_id            TEXT PRIMARY KEY,
    last_seq             INTEGER NOT NULL CHECK (last_seq >= 0),
    acknowledged_through INTEGER NOT NULL DEFAULT 0
                         CHECK (acknowledged_through BETWEEN 0 AND last_seq)
);
"""

OUTBOX = """
    seq                INTEGER PRIMARY KEY AUTOINCREMENT,
    op_id              TEXT NOT NULL UNIQUE,
    device_id          TEXT NOT NULL,
    device_seq         INTEGER NOT NULL CHECK (device_seq >= 1),
    actor              TEXT NOT NULL,
    payload_version    INTEGER NOT NULL CHECK (payload_version >= 1),
    entity_kind        TEXT NOT NULL,
    entity_id          TEXT NOT NULL,
    op                 TEXT NOT NULL,
    created_at         TEXT NOT NULL,
    payload            TEXT NOT NULL,
    state              TEXT NOT NULL DEFAULT 'pending'
                       CHECK (state IN ('pending', 'exported', 'acknowledged', 'rejected')),
    exported_bundle_id TEXT,
    exported_at        TEXT,
    acknowledged_at    TEXT,
    rejected_at        TEXT,
    rejected_reason    TEXT,
    UNIQUE (device_id, device_seq),
    CHECK (state <> 'exported' OR exported_bundle_id IS NOT NULL),
    CHECK ((state = 'acknowledged') = (acknowledged_at IS NOT NULL)),
    CHECK ((state = 'rejected') = (rejected_reason IS NOT NULL))
"""
INDEXES = ("CREATE INDEX outbox_state ON outbox (state, device_seq)",
           "CREATE INDEX outbox_entity ON outbox (entity_kind, entity_id, device_seq)")
LEGACY_BUNDLE = "sent-before-11"
_KEPT = ("seq", "op_id", "created_at", "entity_id", "op", "payload")


def upgrade_outbox(conn: sqlite3.Connection) -> None:
    meta = dict(conn.execute("SELECT key, value FROM meta WHERE key IN ('device_id', 'unit_code')"))
    device = meta.get("device_id") or "unknown-device"
    by_op, by_object = _authors(conn)
    names = dict(conn.execute("SELECT id, display_name FROM users"))
    counter = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'outbox'").fetchone()
    conn.execute(f"CREATE TABLE _outbox_11 ({OUTBOX})")
    rows = conn.execute("SELECT seq, op_id, created_at, entity, entity_id, op, payload, state, "
                        "last_error FROM outbox ORDER BY seq").fetchall()
    for n, (seq, op_id, at, entity, entity_id, op, payload, state, error) in enumerate(rows, 1):
        user_id, user_name = by_op.get(op_id) or by_object.get((at, entity_id)) or (None, "system")
        actor = canonical_json({"id": user_id, "name": user_name,
                                "display_name": names.get(user_id) or user_name,
                                "badge_no": None, "unit_code": meta.get("unit_code")}).decode()
        conn.execute(
            "INSERT INTO _outbox_11 (seq, op_id, device_id, device_seq, actor, payload_version, "
            "entity_kind, entity_id, op, created_at, payload, state, exported_bundle_id, "
            "rejected_reason) VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?)",
            (seq, op_id, device, n, actor, entity, entity_id, op, at, payload,
             "exported" if state == "sent" else state, LEGACY_BUNDLE if state == "sent" else None,
             (error or "服务器拒收（升级前）") if state == "rejected" else None))
    columns = ", ".join(_KEPT)
    changed = conn.execute(f"SELECT count(*) FROM (SELECT {columns}, entity FROM outbox EXCEPT "
                           f"SELECT {columns}, entity_kind FROM _outbox_11)").fetchone()[0]
    if changed or conn.execute("SELECT count(*) FROM _outbox_11").fetchone()[0] != len(rows):
        raise sqlite3.IntegrityError(f"migration 11: {changed} outbox rows not copied as they were")
    conn.execute("DROP TABLE outbox")
    conn.execute("ALTER TABLE _outbox_11 RENAME TO outbox")
    for sql in INDEXES:
        conn.execute(sql)
    if counter:  # ops pruned at the tail never give their seq again
        conn.execute("UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = 'outbox'", counter)
        conn.execute("INSERT INTO sqlite_sequence (name, seq) SELECT 'outbox', ? WHERE NOT EXISTS "
                     "(SELECT 1 FROM sqlite_sequence WHERE name = 'outbox')", counter)
    if rows:
        conn.execute("INSERT INTO outbox_sequence (device_id, last_seq) VALUES (?, ?)",
                     (device, len(rows)))


def _authors(conn: sqlite3.Connection) -> tuple[dict[str, tuple], dict[tuple, tuple]]:
    """Who wrote each op, from the audit log: op id → (user id, name) from the entries that
    list their ops; (time, object id) → (user id, name) of the first entry, for the rest."""
    by_op: dict[str, tuple[Any, str]] = {}
    by_object: dict[tuple[str, Any], tuple[Any, str]] = {}
    for at, user_id, user_name, object_id, details in conn.execute(
            "SELECT at, user_id, user_name, object_id, details FROM audit_log ORDER BY seq"):
        by_object.setdefault((at, object_id), (user_id, user_name))
        try:
            listed = json.loads(details).get("outbox")
        except (TypeError, ValueError, AttributeError):
            continue  # an entry verify will name: its ops keep the fallback
        for item in listed if isinstance(listed, list) else []:
            if isinstance(item, dict) and isinstance(item.get("op_id"), str):
                by_op[item["op_id"]] = (user_id, user_name)
    return by_op, by_object
