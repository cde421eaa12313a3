"""Rows of the ``cases`` list projection for the case-list tests, inserted directly: these
tests are about reading the list (paging, sorting, filtering), not about writing cases."""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from weicha_desktop.core.clock import Clock
from weicha_desktop.core.store import Store
from weicha_desktop.core.store.migrations import migrate

from tests.support import raw_writes

USER = "u-admin"
USER_ROW = ("INSERT INTO users (id, name, display_name, role, password_hash, active, created_at) "
            "VALUES (?, ?, ?, 'admin', 'x', 1, 't')")


@dataclass(frozen=True)
class Case:
    id: str
    number: str
    status: str = "draft"
    returned_comment: str | None = None
    case_type: str | None = None
    address: str | None = None
    investigated_at: str | None = None
    investigator: str | None = None
    updated_at: str = "2026-11-27T09:00:00+08:00"


_TEMPLATE: list[sqlite3.Connection] = []  # the migrated schema, made once per test process


def memory_store() -> Store:
    """A store on an in-memory database at the latest schema, with one user. The schema is
    migrated once and copied (SQLite's backup API) into each new store: the property tests
    make hundreds of stores, and the migrations' table rebuilds cost ~0.1 s each time."""
    if not _TEMPLATE:
        template = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        migrate(template)
        template.execute(USER_ROW, (USER, "admin", "admin"))
        _TEMPLATE.append(template)
    conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    _TEMPLATE[0].backup(conn)
    return Store(Path("."), conn, None, Clock(), False)


def insert(store: Store, cases: list[Case]) -> None:
    with raw_writes(store):
        _insert(store, cases)


def _insert(store: Store, cases: list[Case]) -> None:
    if not store.conn.execute("SELECT 1 FROM users WHERE id = ?", (USER,)).fetchone():
        store.conn.execute(USER_ROW, (USER, "list-test", "list-test"))
    store.conn.executemany(  # the record (registry) and its row of the case list
        "INSERT INTO records (id, kind, number, status, current_version, form_id, "
        "returned_comment, created_at, created_by, updated_at) "
        "VALUES (?, 'case', ?, ?, 1, 'scene_investigation', ?, ?, ?, ?)",
        [(c.id, c.number, c.status, c.returned_comment, c.updated_at, USER, c.updated_at)
         for c in cases])
    store.conn.executemany(
        "INSERT INTO cases (id, number, status, returned_comment, case_type, address, "
        "investigated_at, investigator, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(c.id, c.number, c.status, c.returned_comment, c.case_type, c.address,
          c.investigated_at, c.investigator, c.updated_at) for c in cases])
    store.conn.executemany(  # who the list names as 勘验人 (core/people.py)
        "INSERT INTO record_people (record_id, role, position, name) VALUES (?, 'investigators', ?, ?)",
        [(c.id, i, name) for c in cases for i, name in enumerate((c.investigator or "").split("、"))
         if name])


def numbered(n: int, **fields) -> list[Case]:
    """``n`` cases K…0001, K…0002, … (ids in the same order)."""
    return [Case(id=f"id-{i:05d}", number=f"K450702000000202611{i:04d}", **fields)
            for i in range(1, n + 1)]
