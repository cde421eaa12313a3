"""verify reads ONE state of the data, even while another program writes.

- The database: every check runs inside one read transaction (``read_transaction``), so all
  queries see the same commit — without it, a commit landing between two queries looks like
  a cut log tail, rows without their log entry, an outbox operation from nowhere.
- The signed checkpoint outside the folder is read BEFORE that snapshot begins
  (``SnapshotAnchor``). The program writes a checkpoint only after its commit, so a
  checkpoint read first never names more than the snapshot holds; read after, it could be
  ahead of it and look like a rollback. Each checkpoint file is read until two reads agree,
  with its signature checked in between (core/checkpoint.py reads the file again for the
  signature), so a checkpoint replaced mid-read is not taken for a forged one."""
from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from weicha_desktop.core.checkpoint import DEVICE_ID, Anchor, Checkpoint, CheckpointError, device_and_head
from weicha_desktop.core.lineage import FOLDER_ID, folder_of

_ATTEMPTS = 5


@contextmanager
def read_transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """One read transaction: its first query fixes the snapshot every later one sees."""
    if conn.in_transaction:  # already one snapshot
        yield
        return
    conn.execute("BEGIN")
    try:
        yield
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")  # nothing was written; ends the snapshot


class SnapshotAnchor:
    """An ``Anchor`` whose checkpoints of this data's line were read once, up front; all
    else is the anchor's own (a line not read up front is read when asked for)."""

    def __init__(self, anchor: Anchor):
        self._anchor = anchor
        self._read: dict[tuple[str, str | None], Checkpoint | None] = {}
        self._signed: dict[tuple[str, str | None], bool] = {}

    @classmethod
    def before_snapshot(cls, anchor: Anchor, conn: sqlite3.Connection) -> "SnapshotAnchor":
        out = cls(anchor)
        try:
            device_id, _ = device_and_head(conn)
            folder_id = folder_of(conn)
        except sqlite3.DatabaseError:
            return out  # the checks inside the snapshot name what is wrong with the file
        if device_id and DEVICE_ID.match(device_id) and (folder_id is None or FOLDER_ID.match(folder_id)):
            for line in dict.fromkeys([(device_id, folder_id), (device_id, None)]):
                out._fetch(*line)
        return out

    def _fetch(self, device_id: str, folder_id: str | None) -> None:
        for _ in range(_ATTEMPTS):
            try:
                cp = self._anchor.read(device_id, folder_id)
                signed = cp is not None and self._anchor.signature_ok(device_id, cp, folder_id)
                if self._anchor.read(device_id, folder_id) != cp:
                    continue  # replaced between the reads: once more
            except CheckpointError:
                return  # unreadable, or no device key: check_anchor meets it and says so
            self._read[(device_id, folder_id)] = cp
            self._signed[(device_id, folder_id)] = signed
            return

    def read(self, device_id: str, folder_id: str | None = None) -> Checkpoint | None:
        key = (device_id, folder_id)
        return self._read[key] if key in self._read else self._anchor.read(device_id, folder_id)

    def signature_ok(self, device_id: str, cp: Checkpoint, folder_id: str | None = None) -> bool:
        key = (device_id, folder_id)
        if key in self._signed and self._read.get(key) == cp:
            return self._signed[key]
        return self._anchor.signature_ok(device_id, cp, folder_id)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._anchor, name)
