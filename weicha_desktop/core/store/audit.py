"""The audit log (工作日志 / 执法留痕): append-only, hash-chained.

Each entry's hash is SHA-256 over the previous entry's hash (hex, ASCII) followed by the
canonical JSON of the entry's own fields (everything but ``hash`` and ``prev_hash``). The first
entry chains from ``GENESIS``. Triggers refuse UPDATE and DELETE on the table; the chain makes
any edit done around them visible to ``weicha verify``.

``device_id`` (migration 10): the device that wrote the entry (the folder's own, from the
``devices`` table). The hashed body holds it only when it is set: entries written before the
column existed (NULL) hash as they always did, entries written since cover their device — a
device id set, changed or cleared afterwards breaks the entry's hash."""
from __future__ import annotations

import json
import sqlite3
import weakref
from dataclasses import dataclass
from typing import Any, Iterator

from weicha_desktop.core.canonical import canonical_json, sha256_hex

GENESIS = "0" * 64
HASHED_FIELDS = (
    "seq", "id", "at", "user_id", "user_name", "action", "object_kind", "object_id",
    "summary", "details",
)
DEVICE = "device_id"  # hashed too, when not NULL (entries from before it have none)


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    id: str
    at: str
    user_id: str | None
    user_name: str
    action: str
    object_kind: str
    object_id: str | None
    summary: str
    details: dict[str, Any]
    prev_hash: str
    hash: str
    device_id: str | None = None

    @classmethod
    def from_row(cls, row: sqlite3.Row | tuple, columns: tuple[str, ...] | None = None) -> "AuditEntry":
        values = dict(zip(columns or _COLUMNS, row))
        values["details"] = json.loads(values["details"])
        return cls(**values)


_COLUMNS = ("seq",) + HASHED_FIELDS[1:] + ("prev_hash", "hash", DEVICE)
_OLD_COLUMNS = _COLUMNS[:-1]  # a database from before migration 10 (verify reads those too)


def columns(conn: sqlite3.Connection) -> tuple[str, ...]:
    """The audit columns this database has (no ``device_id`` before migration 10)."""
    cols = _final(conn, "audit")
    if cols is None:
        found = conn.execute("SELECT 1 FROM pragma_table_info('audit_log') WHERE name = ?",
                             (DEVICE,)).fetchone()
        cols = _COLUMNS if found else _OLD_COLUMNS
        if found:
            _keep(conn, "audit", cols)
    return cols


def this_device(conn: sqlite3.Connection) -> str | None:
    """The id of the device this folder belongs to (``devices.this_device``), None before
    ``init`` made it."""
    row = conn.execute("SELECT id FROM devices WHERE this_device = 1").fetchone()
    return row[0] if row else None

# The details key under which a change's entry lists its outbox operations (Store.Change):
# [{"op_id", "sha256": op_digest(...)}, ...]. Entries from before it have none.
OUTBOX_KEY = "outbox"
# The columns of a user that decide what they may do: logged as ``state`` (user_state) by
# every change to a user, so verify finds a role raised or a password replaced behind the
# program's back.
USER_STATE_COLUMNS = ("id", "name", "role", "active", "password_hash")
# A user's identity (migration 10): in the state when set, so a 警号 changed behind the
# program's back is found, and the state of a user from before it hashes as it always did.
USER_IDENTITY_COLUMNS = ("badge_no", "unit_code")


def user_columns(conn: sqlite3.Connection) -> tuple[str, ...]:
    """The columns of a user's state this database has (USER_STATE_COLUMNS, and the identity
    columns from migration 10 on)."""
    cols = _final(conn, "users")
    if cols is None:
        have = {r[0] for r in conn.execute("SELECT name FROM pragma_table_info('users')")}
        cols = USER_STATE_COLUMNS + tuple(c for c in USER_IDENTITY_COLUMNS if c in have)
        if all(c in have for c in USER_IDENTITY_COLUMNS):
            _keep(conn, "users", cols)
    return cols


def op_digest(entity: str, entity_id: str, op: str, payload_text: str) -> str:
    """SHA-256 of one outbox operation as stored (the payload's exact JSON text)."""
    return sha256_hex(canonical_json([entity, entity_id, op]) + b"\n"
                      + payload_text.encode("utf-8", "surrogatepass"))


def user_state(conn: sqlite3.Connection, user_id: str) -> str | None:
    """SHA-256 of a user's security-relevant columns (USER_STATE_COLUMNS, and the 警号 and
    unit when set), None if no row."""
    row = conn.execute(f"SELECT {', '.join(user_columns(conn))} FROM users WHERE id = ?",
                       (user_id,)).fetchone()
    return user_state_of(row) if row else None


def user_state_of(row: sqlite3.Row | tuple) -> str:
    """The state of a row of ``user_columns`` (identity columns hashed only when set)."""
    values = dict(zip(USER_STATE_COLUMNS + USER_IDENTITY_COLUMNS, row))
    for key in USER_IDENTITY_COLUMNS:
        if values.get(key) is None:
            values.pop(key, None)
    return sha256_hex(canonical_json(values))


def entry_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    body = {k: fields[k] for k in HASHED_FIELDS}
    if fields.get(DEVICE) is not None:  # entries from before migration 10 have none
        body[DEVICE] = fields[DEVICE]
    # a real previous hash is 64 hex digits (ASCII = UTF-8); a tampered one must not crash verify
    return sha256_hex(str(prev_hash).encode("utf-8") + canonical_json(body))


# the chain's head and the last seq ever issued (sqlite_sequence: a cut tail is not reused)
_HEAD_AND_ISSUED = ("SELECT a.seq, a.hash, (SELECT seq FROM sqlite_sequence WHERE name = 'audit_log') FROM (SELECT 1) "
                    "LEFT JOIN audit_log a ON a.seq = (SELECT max(seq) FROM audit_log)")


def append(conn: sqlite3.Connection, fields: dict[str, Any]) -> AuditEntry:
    """Append one entry inside the caller's (IMMEDIATE) transaction. It carries the folder's
    device (``fields`` may name another: an entry a device received from elsewhere)."""
    last, prev, issued = conn.execute(_HEAD_AND_ISSUED).fetchone()  # one statement, not two
    seq, prev = (last + 1, prev) if last is not None else (1, GENESIS)
    seq = max(seq, (issued or 0) + 1)
    full = dict(fields, seq=seq)
    cols, device = _known(conn)  # a database before migration 10 (tests build them) has no device
    if DEVICE not in cols:
        full[DEVICE] = None
    elif full.get(DEVICE) is None:
        full[DEVICE] = device
    h = entry_hash(prev, full)
    conn.execute(
        f"INSERT INTO audit_log ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
        [full[k] if k != "details" else json.dumps(full[k], ensure_ascii=False, sort_keys=True)
         for k in HASHED_FIELDS] + [prev, h] + ([full[DEVICE]] if DEVICE in cols else []),
    )
    return AuditEntry(**{**full, "prev_hash": prev, "hash": h})


# What ``append`` asks the schema and ``devices`` on every change, kept per connection once
# it is final: the audit columns once ``device_id`` is there (no migration removes it) and the
# folder's own device once it exists (it is made once, by init, and never changed). Until then,
# asked each time. ``forget`` (Store.change, on any rollback) drops it: a rolled-back init or
# migration leaves nothing behind. The chain's head is always read (another connection may
# have appended: a test's raw writes, a tool).
_KNOWN: "weakref.WeakKeyDictionary[sqlite3.Connection, tuple[tuple[str, ...], str]]" = \
    weakref.WeakKeyDictionary()


def _known(conn: sqlite3.Connection) -> tuple[tuple[str, ...], str | None]:
    try:
        return _KNOWN[conn]
    except (KeyError, TypeError):  # TypeError: a connection that takes no weak reference
        pass
    cols = columns(conn)
    device = this_device(conn) if DEVICE in cols else None
    if device is not None:
        try:
            _KNOWN[conn] = (cols, device)
        except TypeError:
            pass
    return cols, device


def forget(conn: sqlite3.Connection) -> None:
    """Drop what ``append`` keeps for ``conn`` (after a rollback: it may have been undone)."""
    try:
        _KNOWN.pop(conn, None)
        _FINAL.pop(conn, None)
    except TypeError:
        pass


# The columns a table was found to have, per connection, once they are all the migrations
# add (a schema query per change and per user state was ~60-90 µs each in a short-lived
# connection); dropped with ``_KNOWN`` by ``forget``.
_FINAL: "weakref.WeakKeyDictionary[sqlite3.Connection, dict[str, tuple[str, ...]]]" = \
    weakref.WeakKeyDictionary()


def migrated(conn: sqlite3.Connection) -> None:
    """``conn``'s database is at the latest schema (Store.open just migrated it): the audit
    and user columns are all there, no query needed to know it."""
    _keep(conn, "audit", _COLUMNS)
    _keep(conn, "users", USER_STATE_COLUMNS + USER_IDENTITY_COLUMNS)


def _final(conn: sqlite3.Connection, table: str) -> tuple[str, ...] | None:
    try:
        return _FINAL.get(conn, {}).get(table)
    except TypeError:  # a connection that takes no weak reference
        return None


def _keep(conn: sqlite3.Connection, table: str, cols: tuple[str, ...]) -> None:
    try:
        _FINAL.setdefault(conn, {})[table] = cols
    except TypeError:
        pass


def _sequence(conn: sqlite3.Connection) -> int:
    row = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'").fetchone()
    return row[0] if row else 0


def entries(conn: sqlite3.Connection, *, object_kind: str | None = None,
            object_id: str | None = None, newest_first: bool = False,
            limit: int | None = None, offset: int = 0) -> list[AuditEntry]:
    cols = columns(conn)
    sql = f"SELECT {', '.join(cols)} FROM audit_log"
    where, args = [], []
    if object_kind:
        where.append("object_kind = ?")
        args.append(object_kind)
    if object_id:
        where.append("object_id = ?")
        args.append(object_id)
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY seq " + ("DESC" if newest_first else "ASC")
    if limit is not None:
        sql += " LIMIT ? OFFSET ?"
        args += [limit, offset]
    return [AuditEntry.from_row(r, cols) for r in conn.execute(sql, args)]


@dataclass(frozen=True)
class ChainFault:
    seq: int
    message: str

    def __str__(self) -> str:
        return f"工作日志第 {self.seq} 条：{self.message}"


def verify_chain(conn: sqlite3.Connection) -> Iterator[ChainFault]:
    """Walk the whole chain; yield every fault found (altered, inserted, deleted entries)."""
    prev = GENESIS
    expected_seq = 1
    cols = columns(conn)
    cur = conn.execute(f"SELECT {', '.join(cols)} FROM audit_log ORDER BY seq")
    for row in cur:
        values = dict(zip(cols, row))
        seq = values["seq"]
        if seq != expected_seq:
            yield ChainFault(expected_seq, f"缺失（下一条为第 {seq} 条），日志被删除过")
        try:
            values["details"] = json.loads(values["details"])
        except (TypeError, ValueError):
            yield ChainFault(seq, "详情字段不是有效的 JSON，已被改动")
            prev, expected_seq = values["hash"], seq + 1
            continue
        if values["prev_hash"] != prev:
            yield ChainFault(seq, "与上一条的哈希链接不符，日志被改动或插入过")
        if entry_hash(values["prev_hash"], values) != values["hash"]:
            yield ChainFault(seq, "内容与哈希不符，该条日志被改动过")
        prev, expected_seq = values["hash"], seq + 1
    last_issued = _sequence(conn)
    if last_issued >= expected_seq:
        yield ChainFault(expected_seq, f"末尾缺失（曾写到第 {last_issued} 条），日志被删除过")
