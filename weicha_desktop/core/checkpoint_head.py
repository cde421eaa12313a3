"""The queries of the audit chain a checkpoint is written from and compared with
(core/checkpoint.py): the line (device id + folder id) and the head in one statement, the
hash at a checkpoint's seq read with them, whether a folder is just set up."""
from __future__ import annotations

import json
import sqlite3
from typing import TYPE_CHECKING, Any

from weicha_desktop.core.lineage import FOLDER_KEY

if TYPE_CHECKING:
    from weicha_desktop.core.checkpoint import Checkpoint

ASK = object()  # compare(): the hash at the checkpoint's seq was not read with the head: ask


def line_and_head(conn: sqlite3.Connection, seq: int | None = None) -> tuple[Any, ...]:
    """(device id, folder id, head) in one query: what every commit's checkpoint starts from.
    With ``seq``: also the hash of the entry ``seq`` (None if there is none), read in the same
    statement, for ``compare`` with the checkpoint written last (a commit's second query)."""
    # one statement text for both (seq 0 names no entry): a connection prepares it once
    row = conn.execute(_LINE_HEAD_AND_AT, (0 if seq is None else seq,)).fetchone()
    line = row[0], row[1], (tuple(row[2:5]) if row[2] is not None else None)
    return line if seq is None else (*line, row[5])


_LINE_HEAD_AND_AT = (
    f"SELECT (SELECT value FROM meta WHERE key = 'device_id'), (SELECT value FROM meta WHERE key = '{FOLDER_KEY}'), "
    "a.seq, a.hash, a.at, (SELECT hash FROM audit_log WHERE seq = ?) "
    "FROM (SELECT 1) LEFT JOIN audit_log a ON a.seq = (SELECT max(seq) FROM audit_log)")


def device_and_head(conn: sqlite3.Connection) -> tuple[str | None, tuple[int, str, str] | None]:
    device_id, _, head = line_and_head(conn)  # its statement, prepared already on this connection
    return device_id, head


def just_set_up(conn: sqlite3.Connection, device_id: str, folder_id: str | None) -> bool:
    """The log holds one entry, the system.init that gave the folder this device and folder id."""
    rows = conn.execute("SELECT action, details FROM audit_log ORDER BY seq LIMIT 2").fetchall()
    if len(rows) != 1 or rows[0][0] != "system.init":
        return False
    try:
        details = json.loads(rows[0][1])
    except (TypeError, ValueError):
        return False
    return (folder_id is not None and isinstance(details, dict)
            and details.get("device_id") == device_id and details.get(FOLDER_KEY) == folder_id)


def compare(conn: sqlite3.Connection, cp: "Checkpoint", last: int | None = None, at_seq: Any = ASK) -> str:
    """same / behind (the chain went on from it) / ahead (the chain is shorter) / diverged.
    ``last``: the head's seq, when the caller knows it; ``at_seq``: the hash of the entry
    ``cp.seq`` (None: there is none), when the caller read it with the head."""
    if at_seq is ASK:
        row = conn.execute("SELECT hash FROM audit_log WHERE seq = ?", (cp.seq,)).fetchone()
    else:
        row = None if at_seq is None else (at_seq,)
    if last is None:
        last = conn.execute("SELECT max(seq) FROM audit_log").fetchone()[0] or 0
    if row is None:
        return "ahead" if cp.seq > last else "diverged"
    if row[0] != cp.head:
        return "diverged"
    return "same" if cp.seq == last else "behind"
