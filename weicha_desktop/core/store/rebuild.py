"""Rebuilding a table inside a migration's Python step (core/store/migrations.py).

SQLite cannot change a column's name in a reference or constraint in place; its recipe is:
create the new table, copy the rows, drop the old one, rename the new one into its place,
then create the indexes and triggers again. ``rebuild_table`` does the middle part and proves
the copy: the same number of rows, and every old row's values (through the given column
expressions) found unchanged in the new table — a finalized row is copied byte for byte or
the migration fails and rolls back. The migration runs with foreign keys off and checks them
all before its COMMIT (``migrations._apply``)."""
from __future__ import annotations

import re
import sqlite3

_NAME = re.compile(r"[a-z_][a-z0-9_]*\Z")


class RebuildError(sqlite3.IntegrityError):
    """A rebuilt table does not hold exactly the rows of the old one."""


def rebuild_table(conn: sqlite3.Connection, name: str, columns: str,
                  copy: dict[str, str]) -> int:
    """Replace table ``name`` by one with the column definitions ``columns`` (the text inside
    ``CREATE TABLE name ( … )``); ``copy`` maps each new column to the old column it takes
    the values of (a column name, no expression: the copy is checked value for value, so a
    new type that would convert a value fails the rebuild). New columns not in ``copy`` get
    their default. Returns the rows copied. The old table's indexes and triggers go with it: create them after.

    Drop first every trigger of OTHER tables that names ``name``: SQLite refuses the rename
    while a trigger names a table that is gone."""
    bad = [c for c in (name, *copy, *copy.values()) if not _NAME.match(c)]
    if bad:
        raise ValueError(f"not a plain column or table name: {bad}")
    temp = f"_rebuild_{name}"
    targets, sources = ", ".join(copy), ", ".join(copy.values())
    conn.execute(f"CREATE TABLE {temp} ({columns})")
    conn.execute(f"INSERT INTO {temp} ({targets}) SELECT {sources} FROM {name}")
    old = conn.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
    new = conn.execute(f"SELECT count(*) FROM {temp}").fetchone()[0]
    differ = conn.execute(f"SELECT count(*) FROM (SELECT {sources} FROM {name} "
                          f"EXCEPT SELECT {targets} FROM {temp})").fetchone()[0]
    if old != new or differ:
        raise RebuildError(f"rebuilding {name}: {old} rows before, {new} after, {differ} changed")
    conn.execute(f"DROP TABLE {name}")
    conn.execute(f"ALTER TABLE {temp} RENAME TO {name}")
    return new


def schema_of(conn: sqlite3.Connection, table: str) -> list[tuple[str, str, str]]:
    """(type, name, sql) of the indexes and triggers made for ``table`` (not the automatic
    indexes of UNIQUE and PRIMARY KEY), by name: what a rebuild must create again."""
    return conn.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = ? AND type IN ('index', "
        "'trigger') AND sql IS NOT NULL ORDER BY type, name", (table,)).fetchall()
