"""The recovery journal of an open draft (``draft_buffer``, docs/autosave.md).

While a technician edits a draft, the form writes its unsaved edits here every few seconds:
one row per record (any kind: ``record_id``), replaced each time. A row is *not* captured data: it gets no audit entry,
no outbox operation and no validation (it is a journal; it must accept whatever was typed).
An editing session ends when the edits are committed to the record through
``RecordService.commit_session`` (one audit entry, one ``<kind>.draft`` outbox operation), which
deletes the row in the same transaction; after a crash the row is still there and the form
offers it again. The buffer never leaves this computer.

Edits are stored as ``RecordService.update`` takes them: field id → value, ``None`` for a
field the user emptied."""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from weicha_desktop.core.errors import WeichaError
from weicha_desktop.core.store import Actor, Store


@dataclass(frozen=True)
class Recovery:
    """Unsaved edits of a record found in the journal."""

    record_id: str
    version: int
    values: dict[str, Any]
    saved_at: str
    user_id: str | None
    user_name: str | None  # display name of who typed them (None if unknown)


def save(store: Store, record_id: str, version: int, actor: Actor, values: dict[str, Any]) -> str:
    """Replace the record's journal row with ``values``; returns the time it was saved.

    One autocommit statement (the connection has no transaction open between changes), so
    the row is whole or absent after a crash, and durable like every commit
    (``synchronous=FULL``)."""
    if store.readonly:
        raise WeichaError("以只读方式打开的数据不能修改。")
    if not isinstance(values, dict) or not all(isinstance(k, str) for k in values):
        raise WeichaError("自动保存的内容须为 JSON 对象（字段名 → 值）。")
    saved_at = store.clock.iso()
    store.conn.execute(
        "INSERT INTO draft_buffer (record_id, version, user_id, data, saved_at) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (record_id) DO UPDATE SET version = excluded.version, "
        "user_id = excluded.user_id, data = excluded.data, saved_at = excluded.saved_at",
        (record_id, version, actor.id, json.dumps(values, ensure_ascii=False, sort_keys=True),
         saved_at))
    return saved_at


def load(conn: sqlite3.Connection, record_id: str) -> Recovery | None:
    row = conn.execute(
        "SELECT b.version, b.data, b.saved_at, b.user_id, u.display_name FROM draft_buffer b "
        "LEFT JOIN users u ON u.id = b.user_id WHERE b.record_id = ?", (record_id,)).fetchone()
    if row is None:
        return None
    version, data, saved_at, user_id, user_name = row
    return Recovery(record_id, version, json.loads(data), saved_at, user_id, user_name)


def delete(conn: sqlite3.Connection, record_id: str) -> None:
    """Drop the record's row: inside a change (commit) or on its own (discard, nothing left)."""
    conn.execute("DELETE FROM draft_buffer WHERE record_id = ?", (record_id,))


def apply(data: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """``data`` with the edits merged in (a ``None`` value removes the key)."""
    merged = dict(data)
    for key, value in values.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged
