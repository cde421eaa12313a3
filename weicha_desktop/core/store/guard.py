"""The one write path, enforced: an SQLite authorizer on the store's writable connection.

Outside ``Store.change()`` / ``Store.batch()`` (and the migrations, which run before it is
installed) the connection refuses every statement that writes: INSERT, UPDATE, DELETE, DDL
(CREATE / DROP / ALTER, also of temporary objects), ATTACH / DETACH and the PRAGMAs that
change how data is kept (``foreign_keys = OFF``, ``writable_schema``, ``user_version`` …).
Reads are untouched. The one table written outside a change by design is the autosave
journal (``draft_buffer``, core/drafts.py: not captured data, never synced, no audit entry).

Writes are allowed only on the thread that holds the change (the store's write lock), so a
statement another thread runs on the same connection meanwhile is refused as well.

SQLite asks the authorizer when it *prepares* a statement, and Python's sqlite3 keeps
prepared statements in a cache (by their text): an UPDATE prepared inside a change would run
again outside it without SQLite asking. So the connection remembers the text of every
statement that wrote inside a change (``GuardedConnection``, for ``execute``/``executemany``
and for cursors of its own) and refuses that text outside one before it reaches SQLite.
(Installing the authorizer anew after each change would expire the cache instead: measured,
that made every change prepare its statements again, +0.6 ms of CPU a change.) Installing it
when the store opens expires what the migrations prepared before it.

A refused statement raises ``WriteRefused`` (an ``sqlite3.DatabaseError``) that says what was
refused. Cost: benchmarks/bench_write_guard.py, docs/architecture.md ("The write path, enforced")."""
from __future__ import annotations

import sqlite3
import threading
from contextlib import contextmanager
from typing import Any, Iterator

JOURNAL_TABLES = frozenset({"draft_buffer"})
# SQLite asks leave to UPDATE the schema table when a table-valued function (json_each) is
# first used on a connection; a statement of our own cannot (writable_schema is refused)
SCHEMA_TABLES = frozenset({"sqlite_master", "sqlite_temp_master"})

_S = sqlite3
_get_ident = threading.get_ident
ROW_WRITES = frozenset({_S.SQLITE_INSERT, _S.SQLITE_UPDATE, _S.SQLITE_DELETE})
SCHEMA_WRITES = frozenset({
    _S.SQLITE_CREATE_INDEX, _S.SQLITE_CREATE_TABLE, _S.SQLITE_CREATE_TEMP_INDEX,
    _S.SQLITE_CREATE_TEMP_TABLE, _S.SQLITE_CREATE_TEMP_TRIGGER, _S.SQLITE_CREATE_TEMP_VIEW,
    _S.SQLITE_CREATE_TRIGGER, _S.SQLITE_CREATE_VIEW, _S.SQLITE_CREATE_VTABLE,
    _S.SQLITE_DROP_INDEX, _S.SQLITE_DROP_TABLE, _S.SQLITE_DROP_TEMP_INDEX,
    _S.SQLITE_DROP_TEMP_TABLE, _S.SQLITE_DROP_TEMP_TRIGGER, _S.SQLITE_DROP_TEMP_VIEW,
    _S.SQLITE_DROP_TRIGGER, _S.SQLITE_DROP_VIEW, _S.SQLITE_DROP_VTABLE,
    _S.SQLITE_ALTER_TABLE, _S.SQLITE_REINDEX, _S.SQLITE_ATTACH, _S.SQLITE_DETACH,
})
# PRAGMAs that, given a value, change what is stored or how it is checked
SETTING_PRAGMAS = frozenset({
    "foreign_keys", "writable_schema", "user_version", "schema_version", "application_id",
    "journal_mode", "synchronous", "locking_mode", "query_only", "ignore_check_constraints",
    "defer_foreign_keys", "recursive_triggers", "secure_delete", "auto_vacuum",
    "trusted_schema", "cell_size_check", "legacy_alter_table", "case_sensitive_like",
})
_NAMES = {getattr(_S, f"SQLITE_{name}"): name for name in (
    "INSERT", "UPDATE", "DELETE", "CREATE_INDEX", "CREATE_TABLE", "CREATE_TEMP_INDEX",
    "CREATE_TEMP_TABLE", "CREATE_TEMP_TRIGGER", "CREATE_TEMP_VIEW", "CREATE_TRIGGER", "CREATE_VIEW",
    "CREATE_VTABLE", "DROP_INDEX", "DROP_TABLE", "DROP_TEMP_INDEX", "DROP_TEMP_TABLE",
    "DROP_TEMP_TRIGGER", "DROP_TEMP_VIEW", "DROP_TRIGGER", "DROP_VIEW", "DROP_VTABLE",
    "ALTER_TABLE", "REINDEX", "ATTACH", "DETACH")}


class WriteRefused(sqlite3.DatabaseError):
    """A statement that writes, run outside ``store.change()``: a program error."""


class WriteGuard:
    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self._owner: int | None = None  # the thread allowed to write, while it may
        self._depth = 0
        self._refused = threading.local()  # this thread's statement: refused what, wrote?
        self._write_texts: set[str] = set()  # statements that wrote inside a change

    def install(self) -> None:
        """Ask before every write (also expires the statements prepared before)."""
        sqlite3.Connection.set_authorizer(self.conn, self._authorize)

    @contextmanager
    def allow(self) -> Iterator[None]:
        """Writes on this thread (the caller holds the store's write lock)."""
        me = threading.get_ident()
        if self._owner not in (None, me):
            raise RuntimeError("another thread holds the store's writes")
        self._owner, self._depth = me, self._depth + 1
        try:
            yield
        finally:
            self._depth -= 1
            if self._depth == 0:
                self._owner = None

    def held(self) -> bool:
        """This thread may write now."""
        return self._owner == threading.get_ident()

    def _authorize(self, action: int, arg1: str | None, arg2: str | None, _db: str | None,
                   _source: str | None) -> int:
        if action in ROW_WRITES:
            if arg1 in JOURNAL_TABLES or (action == _S.SQLITE_UPDATE and arg1 in SCHEMA_TABLES):
                return _S.SQLITE_OK
        elif action == _S.SQLITE_PRAGMA:
            if arg2 is None or (arg1 or "").lower() not in SETTING_PRAGMAS:
                return _S.SQLITE_OK
        elif action not in SCHEMA_WRITES:
            return _S.SQLITE_OK
        if self._owner == threading.get_ident():
            self._refused.wrote = True  # its text is remembered (see the module doc)
            return _S.SQLITE_OK
        if not getattr(self._refused, "what", ""):  # the statement's first refusal says most
            self._refused.what = (f"PRAGMA {arg1} = {arg2}" if action == _S.SQLITE_PRAGMA
                                  else f"{_NAMES.get(action, action)} {arg1 or ''}".strip())
        return _S.SQLITE_DENY

    def refuse_cached(self, sql: object) -> None:
        """A statement that wrote inside a change, run outside one: refused (its prepared
        form may be in the cache, which SQLite does not ask about)."""
        self._refused.what = " ".join(str(sql).split())[:60]
        raise self._refusal()

    def refusal(self, error: sqlite3.DatabaseError) -> WriteRefused | None:
        """``error`` as a WriteRefused saying what was refused, if the guard refused it."""
        if getattr(error, "sqlite_errorcode", None) != _S.SQLITE_AUTH:
            return None
        return self._refusal()

    def _refusal(self) -> WriteRefused:
        what = getattr(self._refused, "what", "") or "写入"
        return WriteRefused(
            f"拒绝写入数据库（{what}）：数据只能通过 store.change(actor) 修改（一次事务：记录、工作日志、"
            "同步队列）。这是程序错误，请联系技术支持。")


class GuardedConnection(sqlite3.Connection):
    """A connection whose guard sees every statement (``conn.execute``, ``executemany`` and
    its cursors), so a refused write raises ``WriteRefused`` saying what was refused."""

    guard: WriteGuard | None = None

    def set_authorizer(self, *_args: Any, **_kwargs: Any) -> None:
        """The guard is not to be replaced or removed (``set_authorizer(None)``)."""
        raise WriteRefused("数据库的写入保护不能被替换或取消：数据只能通过 store.change(actor) 修改。"
                           "这是程序错误，请联系技术支持。")

    def cursor(self, factory: Any = None) -> sqlite3.Cursor:  # type: ignore[override]
        return super().cursor(factory or GuardedCursor)

    def execute(self, sql: str, *args: Any, **kwargs: Any) -> sqlite3.Cursor:
        return _guarded(self.guard, super().execute, sql, args, kwargs)

    def executemany(self, sql: str, *args: Any, **kwargs: Any) -> sqlite3.Cursor:
        return _guarded(self.guard, super().executemany, sql, args, kwargs)

    def executescript(self, *args: Any, **kwargs: Any) -> sqlite3.Cursor:
        return _guarded(self.guard, super().executescript, None, args, kwargs)


class GuardedCursor(sqlite3.Cursor):
    def execute(self, sql: str, *args: Any, **kwargs: Any) -> sqlite3.Cursor:
        return _guarded(_guard_of(self), super().execute, sql, args, kwargs)

    def executemany(self, sql: str, *args: Any, **kwargs: Any) -> sqlite3.Cursor:
        return _guarded(_guard_of(self), super().executemany, sql, args, kwargs)


def _guard_of(cursor: sqlite3.Cursor) -> WriteGuard | None:
    return getattr(cursor.connection, "guard", None)


def _guarded(guard: WriteGuard | None, run: Any, sql: str | None, args: tuple,
             kwargs: dict) -> Any:
    """Run one statement under the guard (every statement of the store passes here: kept to
    attribute sets and a set lookup, ~0.5 µs, benchmarks/bench_write_guard.py)."""
    if guard is None:
        return run(*args, **kwargs) if sql is None else run(sql, *args, **kwargs)
    tls = guard._refused  # this thread's statement: refused what, wrote?
    tls.what = ""
    tls.wrote = False
    if sql in guard._write_texts and guard._owner != _get_ident():
        guard.refuse_cached(sql)
    try:
        return run(*args, **kwargs) if sql is None else run(sql, *args, **kwargs)
    except sqlite3.DatabaseError as e:
        refused = guard.refusal(e)
        if refused is not None:
            raise refused from e
        raise
    finally:
        if tls.wrote and isinstance(sql, str):  # set by _authorize (see the module doc)
            guard._write_texts.add(sql)
