"""The lineage of a data folder: ``meta.folder_id``, a UUIDv7 that names one line of history.

A copy of a folder made by hand (or an older copy put back) keeps its folder id: it is the
same line, and the signed checkpoint of that line (core/checkpoint.py, keyed by device id AND
folder id) tells whether it was rolled back. A restore from a backup starts a NEW line — the
restored folder gets a new folder id in the change that logs ``data.restore`` — so the
original folder, still on this computer, keeps its own checkpoint and verifies clean.

The folder id is bound into the audit log, so it cannot be edited to escape a checkpoint:

    system.init    details.folder_id   the id a new folder is given
    data.lineage   details.folder_id   a folder from before folder ids, at its first writable
                                       open (by the system)
    data.restore   details.folder_id   the new id of a restored folder (previous_folder_id:
                                       the backup's)

verify (core/verify/anchor.py) checks that meta holds the id the last of these logged."""
from __future__ import annotations

import re
import sqlite3
from typing import Any

from weicha_desktop.core.ids import new_id

FOLDER_KEY = "folder_id"
LINEAGE_ACTIONS = ("system.init", "data.lineage", "data.restore")
FOLDER_ID = re.compile(r"^[0-9A-Za-z-]{8,64}$")


def new_folder_id() -> str:
    return new_id()


def folder_of(conn: sqlite3.Connection) -> str | None:
    """The folder id in meta (None: a folder from before folder ids, or not initialized)."""
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (FOLDER_KEY,)).fetchone()
    return row[0] if row else None


def logged_before(conn: sqlite3.Connection) -> bool:
    """Does any entry of the log name a folder id?"""
    marks = ", ".join("?" * len(LINEAGE_ACTIONS))
    return conn.execute(f"SELECT 1 FROM audit_log WHERE action IN ({marks}) AND instr(details, ?) > 0 "
                        "LIMIT 1", (*LINEAGE_ACTIONS, f'"{FOLDER_KEY}"')).fetchone() is not None


def ensure_folder_id(store: Any, actor: Any) -> None:
    """A folder initialized before folder ids gets one at its first writable open, through a
    logged change (``data.lineage``), so verify can tell it from an edited one. A folder whose
    log already gave it one had it deleted behind the program's back (to escape its
    checkpoint): it gets no new one — its checkpoint is then refused and verify names it."""
    if store.readonly or folder_of(store.conn) is not None or store.meta("device_id") is None:
        return
    if logged_before(store.conn):
        return
    try:
        with store.change(actor) as ch:
            if folder_of(ch.conn) is not None:  # another connection of this program was first
                raise _Present
            folder_id = new_folder_id()
            ch.set_meta(FOLDER_KEY, folder_id)
            ch.log("data.lineage", "data", folder_id, f"为数据文件夹编号：{folder_id}",
                   {FOLDER_KEY: folder_id, "device_id": store.meta("device_id")})
    except _Present:
        pass


class _Present(Exception):
    """Rolls back ensure_folder_id's change: nothing to do."""
