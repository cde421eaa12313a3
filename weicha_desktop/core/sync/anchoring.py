"""The audit head the sync server anchored (docs/sync-protocol.md, "Audit anchoring").

Each push carries this device's audit entries since the head the server last anchored; the
server checks that they continue its chain and answers the new head (seq, hash). The device
keeps that head three ways, so ``weicha verify`` can tell when the local chain no longer
holds it (the database replaced by an older copy, the chain rewritten):

- in the store: ``meta.sync_anchor`` (JSON ``{seq, hash, server_id}``), written in the same
  change as a ``sync.anchor`` audit entry naming it;
- outside the data folder: the enrollment file's ``anchored`` (core/sync/enrollment.py), with
  the folder id of the line it belongs to — the copy an older database cannot carry back;
- on the server (``GET /v1/devices/me``), which refuses a chain that does not continue it."""
from __future__ import annotations

import json
import sqlite3
from typing import Any

from weicha_desktop.core.store import Actor, Store
from weicha_desktop.core.store.audit import columns

META_KEY = "sync_anchor"
ANCHOR_ACTION = "sync.anchor"


def anchored_head(conn: sqlite3.Connection) -> dict[str, Any] | None:
    """The head this store says the server anchored: {seq, hash, server_id}, or None."""
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (META_KEY,)).fetchone()
    if row is None:
        return None
    try:
        head = json.loads(row[0])
        if isinstance(head, dict) and isinstance(head.get("seq"), int) and isinstance(head.get("hash"), str):
            return head
    except (TypeError, ValueError):
        pass
    return {"seq": None, "hash": None, "unreadable": row[0]}


def hash_at(conn: sqlite3.Connection, seq: int) -> str | None:
    """The hash of the local entry ``seq`` (None: no such entry)."""
    row = conn.execute("SELECT hash FROM audit_log WHERE seq = ?", (seq,)).fetchone()
    return row[0] if row else None


def entries_after(conn: sqlite3.Connection, seq: int, limit: int) -> list[dict[str, Any]]:
    """Up to ``limit`` audit entries after ``seq``, as a push carries them: every hashed field
    (details as JSON), ``prev_hash``, ``hash`` and ``device_id``."""
    cols = columns(conn)
    cur = conn.execute(f"SELECT {', '.join(cols)} FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?",
                       (seq, limit))
    out = []
    for row in cur:
        entry = dict(zip(cols, row))
        entry["details"] = json.loads(entry["details"])
        out.append(entry)
    return out


def record_anchor(store: Store, actor: Actor, seq: int, digest: str, server_id: str | None) -> bool:
    """Keep the server's anchored head in the store (a ``sync.anchor`` change). False, and
    nothing written, when the local chain does not hold that entry with that hash (the
    server anchored another chain: the caller reports it); True also when kept already or
    behind what is kept."""
    if hash_at(store.conn, seq) != digest:
        return False
    known = anchored_head(store.conn)
    if known and isinstance(known.get("seq"), int) and known["seq"] >= seq:
        return True  # kept already; a server restored from an older backup never moves it back
    head = {"seq": seq, "hash": digest, "server_id": server_id}
    with store.change(actor) as ch:
        ch.set_meta(META_KEY, json.dumps(head, sort_keys=True))
        ch.log(ANCHOR_ACTION, "device", store.meta("device_id"),
               f"同步服务器已锚定本机工作日志到第 {seq} 条", head)
    return True
