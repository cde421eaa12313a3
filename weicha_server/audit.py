"""The server's own audit log (``server_audit``): enrollment codes made, devices enrolled and
revoked, users imported and added — a hash chain like the desktop's (core/store/audit.py).

Each entry's hash is SHA-256 over the previous entry's hash (hex, ASCII) followed by the
canonical JSON of ``{seq, at, actor, action, details}``; the first chains from 64 zeros.
Appending locks the chain's head (a ``server_meta`` row, FOR UPDATE on PostgreSQL; SQLite's
BEGIN IMMEDIATE serializes writers), so two server processes never fork it. ``check`` walks
the chain and names the first entry that does not fit (``stats`` reports it)."""
from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from weicha_desktop.core.canonical import canonical_json, sha256_hex
from weicha_desktop.core.store.audit import GENESIS
from weicha_server.db import lock_row, now_iso, server_audit, server_meta

ACTIONS = ("enroll.code", "device.enroll", "device.revoke", "device.reenroll", "users.import", "user.add", "form.publish",
           "code_table.import", "watch_list.import",
           # USB bundles (bundles.py, refexport.py, enroll_offline.py): each with the bundle id
           "bundle.import", "bundle.receipt", "bundle.refused", "bundle.skipped", "reference.export",
           "device.enroll_offline")


def entry_hash(prev_hash: str, seq: int, at: str, actor: str, action: str, details: Any) -> str:
    body = {"seq": seq, "at": at, "actor": actor, "action": action, "details": details}
    return sha256_hex(str(prev_hash).encode("utf-8") + canonical_json(body))


# statements built once: SQLAlchemy's compiled cache serves each append (no statement, values
# clause and cache key built again: ~0.3 ms of an enrollment's, an import's, a refusal's)
_LOCK = lock_row(sa.select(server_meta.c.key).where(server_meta.c.key == "audit_lock"))
_HEAD = sa.select(server_audit.c.seq, server_audit.c.hash).order_by(server_audit.c.seq.desc()).limit(1)
_INSERT = server_audit.insert()


def append(conn: Connection, actor: str, action: str, details: dict[str, Any]) -> int:
    """Append one entry inside the caller's transaction; returns its seq."""
    assert action in ACTIONS, action
    conn.execute(_LOCK)
    last = conn.execute(_HEAD).first()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    at = now_iso()
    conn.execute(_INSERT, {"seq": seq, "at": at, "actor": actor, "action": action,
                           "details": canonical_json(details).decode("utf-8"), "prev_hash": prev,
                           "hash": entry_hash(prev, seq, at, actor, action, details)})
    return seq


def entries(conn: Connection, limit: int | None = None) -> list[dict[str, Any]]:
    stmt = sa.select(server_audit).order_by(server_audit.c.seq)
    if limit is not None:
        stmt = stmt.limit(limit)
    return [dict(r._mapping, details=json.loads(r.details)) for r in conn.execute(stmt)]


def check(conn: Connection) -> str | None:
    """None if the chain is whole; else what is wrong with the first entry that is not."""
    prev, expected = GENESIS, 1
    for row in conn.execute(sa.select(server_audit).order_by(server_audit.c.seq)):
        if row.seq != expected:
            return f"服务器审计日志缺第 {expected} 条（下一条为第 {row.seq} 条）"
        try:
            details = json.loads(row.details)
        except ValueError:
            return f"服务器审计日志第 {row.seq} 条的详情不是 JSON，已被改动"
        if row.prev_hash != prev or \
                entry_hash(prev, row.seq, row.at, row.actor, row.action, details) != row.hash:
            return f"服务器审计日志第 {row.seq} 条与哈希链不符，已被改动"
        prev, expected = row.hash, row.seq + 1
    return None
