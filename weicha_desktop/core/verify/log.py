"""What the audit log says happened, read once for all the cross-checks.

The chain check has already judged each entry; here an entry whose details cannot be read is
skipped (it is reported there), and every other check compares rows with these events."""
from __future__ import annotations

import json
import sqlite3
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Iterator

from weicha_desktop.core.lineage import FOLDER_KEY, LINEAGE_ACTIONS
from weicha_desktop.core.store.audit import OUTBOX_KEY
from weicha_desktop.core.store.oplog import ACKED_KEY, SUPERSEDED_KEY

# The life cycle of a record of any kind (core/record_service.py): ``<kind>.<verb>`` on object
# kind ``<kind>`` (case.create, case.finalize …). Object kinds that are not records:
RECORD_VERBS = ("create", "finalize", "approve", "return", "amend", "decided")  # decided: core/sync/review.py
CASE_EVENTS = tuple(f"case.{verb}" for verb in RECORD_VERBS)
NOT_RECORDS = frozenset({"photo", "user", "login", "checkpoint", "data", "unit", "backup",
                         "bundle", "device", "op", "report", "evidence", "access", "system", "sync"})
PHOTO_EVENTS = ("photo.add", "photo.edit", "photo.remove", "photo.restore")
# The sync queue (core/sync/queue.py) logs the operations the server acknowledged before it
# prunes them (ACKED_KEY: their op ids), and the draft operations compaction dropped because
# a later draft of the same entity superseded them (SUPERSEDED_KEY: [{op_id, op, entity_kind,
# entity_id, device_seq, superseded_by}]). A logged operation missing from the outbox is a
# fault unless an entry names it so (and only a draft op may be superseded).


@dataclass(frozen=True)
class Event:
    seq: int
    at: str
    user_id: str | None
    action: str
    object_id: str | None
    details: dict[str, Any]


@dataclass
class LogIndex:
    cases: dict[str, list[Event]] = field(default_factory=dict)      # record id → its events
    numbers: dict[str, str] = field(default_factory=dict)            # record id → 勘验号 …
    kinds: dict[str, str] = field(default_factory=dict)              # record id → its kind
    finalized: dict[str, Event] = field(default_factory=dict)        # version id → finalize
    photos: dict[str, list[Event]] = field(default_factory=dict)     # photo id → its events
    users: dict[str, list[Event]] = field(default_factory=dict)      # user id → its events
    init: Event | None = None
    lineage: list[Event] = field(default_factory=list)               # entries naming a folder id
    ops: dict[str, tuple[str, int]] = field(default_factory=dict)    # op id → (sha256, seq)
    unhashed: set[tuple[str, str | None]] = field(default_factory=set)  # (at, object) before op hashes
    acked: set[str] = field(default_factory=set)
    superseded: dict[str, dict[str, Any]] = field(default_factory=dict)  # op id → as logged


def read_log(conn: sqlite3.Connection) -> LogIndex:
    log = LogIndex()
    rows = conn.execute(
        "SELECT seq, at, user_id, action, object_kind, object_id, details FROM audit_log ORDER BY seq")
    for seq, at, user_id, action, kind, object_id, details in rows:
        try:
            d = json.loads(details)
            if not isinstance(d, dict):
                continue
        except (TypeError, ValueError):
            continue  # the chain check names it
        e = Event(seq, at, user_id, action, object_id, d)
        ops = d.get(OUTBOX_KEY)
        if isinstance(ops, list):
            for op in ops:
                if isinstance(op, dict):
                    log.ops[str(op.get("op_id"))] = (str(op.get("sha256")), seq)
        else:
            log.unhashed.add((at, object_id))
        if action in LINEAGE_ACTIONS and FOLDER_KEY in d:
            log.lineage.append(e)
        acked = d.get(ACKED_KEY)
        if isinstance(acked, list):
            log.acked.update(str(a) for a in acked)
        superseded = d.get(SUPERSEDED_KEY)
        if isinstance(superseded, list):
            log.superseded.update((str(s.get("op_id")), s) for s in superseded if isinstance(s, dict))
        if object_id and record_verb(action, kind):
            log.cases.setdefault(object_id, []).append(e)
            log.kinds.setdefault(object_id, kind)
            if record_verb(action, kind) == "create":
                log.numbers[object_id] = str(d.get("number") or object_id)
            elif record_verb(action, kind) == "finalize" and d.get("version_id"):
                log.finalized[str(d["version_id"])] = e
        elif action in PHOTO_EVENTS and kind == "photo" and object_id:
            log.photos.setdefault(object_id, []).append(e)
        elif kind == "user" and object_id:
            log.users.setdefault(object_id, []).append(e)
        elif action == "system.init":
            log.init = e
    return log


def record_verb(action: str, kind: str) -> str | None:
    """The verb of a record life-cycle entry (``case.finalize`` on a case → finalize), else None."""
    prefix, _, verb = action.partition(".")
    return verb if prefix == kind and verb in RECORD_VERBS and kind not in NOT_RECORDS else None


@contextmanager
def schema_read_once(conn: sqlite3.Connection) -> Iterator[None]:
    """Inside verify's read transaction (one snapshot: the schema cannot change in it), the
    tables and each table's columns are asked of SQLite once, not once per check (~20
    statements of a run's ~80)."""
    token = _SCHEMA.set((conn, {}))
    try:
        yield
    finally:
        _SCHEMA.reset(token)


def has_table(conn: sqlite3.Connection, name: str) -> bool:
    known = _known(conn)
    if known is None:
        return bool(conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone())
    if "" not in known:
        known[""] = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return name in known[""]


def table_columns(conn: sqlite3.Connection, table: str) -> list[str]:
    """The columns of ``table`` in their order (PRAGMA table_info); [] when there is none."""
    known = _known(conn)
    if known is not None and table in known:
        return known[table]
    columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
    if known is not None:
        known[table] = columns
    return columns


_SCHEMA: ContextVar[tuple[sqlite3.Connection, dict[str, list[str]]] | None] = ContextVar(
    "verify_schema", default=None)


def _known(conn: sqlite3.Connection) -> dict[str, list[str]] | None:
    held = _SCHEMA.get()
    return held[1] if held is not None and held[0] is conn else None
