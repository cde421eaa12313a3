"""Shared test helpers (plain functions; fixtures that use them live in conftest.py)."""
from __future__ import annotations

import ast
import atexit
import gc
import io
import os
import re
import shutil
import sys
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path

import pytest

from weicha_desktop.core.clock import FixedClock
from weicha_desktop.core.forms import FormRegistry
from weicha_desktop.core.setup import initialize
from weicha_desktop.core.store import Store
from weicha_desktop.core.users import UserService
from weicha_desktop.resources import forms_dir

CST = timezone(timedelta(hours=8))
UNIT = "450702000000"
PASSWORD = "secret-123"
ADMIN_BADGE = "100001"  # the 警号 of new_store's admin


def examples(soak: int, make_test: int) -> int:
    """A property test's number of examples: ``soak`` under HYPOTHESIS_PROFILE=soak (make
    soak), ``make_test`` (at least 25) otherwise (tests/conftest.py registers the profiles)."""
    assert make_test >= 25, "a property in make test runs at least 25 examples"
    return soak if os.environ.get("HYPOTHESIS_PROFILE") == "soak" else make_test


def fixed_clock(start: datetime | None = None) -> FixedClock:
    return FixedClock(start or datetime(2026, 11, 27, 9, 0, 0, tzinfo=CST))


class ManualClock(FixedClock):
    """A clock that stands still until the test moves it (``advance``, or ``set`` back)."""

    def __init__(self, start: datetime | None = None):
        super().__init__(start or datetime(2026, 11, 27, 9, 0, 0, tzinfo=CST), timedelta(0))

    def advance(self, seconds: float) -> None:
        self._t += timedelta(seconds=seconds)

    def set(self, when: datetime) -> None:
        self._t = when


@lru_cache(maxsize=1)
def forms() -> FormRegistry:
    """The shipped forms, read once per test run (a registry is read-only once loaded, and
    reading the YAML takes ~60 ms)."""
    return FormRegistry(forms_dir())


@lru_cache(maxsize=1)
def _migrated_empty() -> Path:
    """A database with every migration applied and nothing else (no unit, device or folder
    id: those ``initialize`` makes in each copy), made once per test run."""
    folder = Path(tempfile.mkdtemp(prefix="weicha-migrated-"))
    atexit.register(shutil.rmtree, folder, True)
    Store.open(folder / "data").close()
    return folder / "data"


def migrated_folder(path: Path) -> Path:
    """``path`` as a data folder not yet initialized: a copy of the migrated empty database
    (what Store.open on an empty folder makes, ~20 ms of migrations less). Returns ``path``."""
    path = Path(path)
    if not os.path.exists(os.path.join(path, "weicha.db")):
        path.mkdir(parents=True, exist_ok=True)
        for db in _template_files():
            shutil.copyfile(db, os.path.join(path, os.path.basename(db)))
    return path


@lru_cache(maxsize=1)
def _template_files() -> tuple[str, ...]:
    """The template's database files (no -wal once closed), listed once."""
    return tuple(str(db) for db in _migrated_empty().glob("weicha.db*"))


def new_store(path: Path, *, slot: int = 1, slots: int = 1, clock=None, unit: str = UNIT) -> Store:
    """An initialized data folder at ``path`` (admin / PASSWORD), open. A new folder starts as
    a copy of the migrated empty database (``migrated_folder``). ``unit``: its unit code (the
    numbers it gives carry it)."""
    store = Store.open(migrated_folder(path), clock=clock or fixed_clock())
    initialize(store, unit_code=unit, unit_name="钦州市公安局钦南分局刑侦大队", admin_name="admin",
               admin_password=PASSWORD, admin_badge=ADMIN_BADGE, device_slot=slot, device_slots=slots)
    return store


@contextmanager
def gc_paused():
    """The cycle collector off while the block runs: for code that makes a great many objects
    and no garbage cycles, as ast.parse of the whole package does (each parse's nodes go by
    reference count; the collections a parse triggers walk the test process's whole heap:
    1.0 -> 0.35 s for the package)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def ast_index(tree: ast.AST) -> dict[type, list[ast.AST]]:
    """Every node of ``tree`` by its type, each list in ``ast.walk``'s order (breadth first,
    ``tree`` first): a scan for some node types reads their lists instead of walking the
    whole tree again (one walk, ~2x faster than ast.walk's generators)."""
    out: dict[type, list[ast.AST]] = {}
    queue, AST = [tree], ast.AST
    append = queue.append
    for node in queue:  # (the list grows while it is read: breadth first, as ast.walk)
        out.setdefault(type(node), []).append(node)
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, AST):
                append(value)
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, AST):
                        append(item)
    return out


def parsed(path: Path) -> dict[type, list[ast.AST]]:
    """The nodes of a source file by type (``ast_index``). The package's modules are parsed
    once per test process, all at once (``_package_sources``): test_ops, test_layout,
    test_injected and test_expr scan them (the whole package: ~0.3 s to parse, ~0.2 s to walk
    with ast.walk); any other file (a test's own) is parsed each time."""
    real = os.path.realpath(path)
    found = _package_sources().get(real) if real.startswith(_PACKAGE + os.sep) else None
    if found is None:
        with gc_paused():
            found = ast_index(ast.parse(Path(real).read_text(encoding="utf-8")))
    return found


_PACKAGE = os.path.realpath(os.path.dirname(sys.modules[Store.__module__.split(".")[0]].__file__))


@lru_cache(maxsize=1)
def _package_sources() -> dict[str, dict[type, list[ast.AST]]]:
    """Every module of the package, parsed and indexed in one go, then kept out of the cycle
    collector's sight (gc.freeze, as conftest.py does after collection): with its ~300,000
    nodes in the heap a full collection took ~165 ms instead of ~5. Collected just before,
    so no garbage cycle an earlier test left is frozen with them (and kept for good)."""
    gc.collect()
    with gc_paused():  # (parsing makes no cycles: see gc_paused)
        found = {path: ast_index(ast.parse(Path(path).read_text(encoding="utf-8")))
                 for path in (os.path.join(folder, name) for folder, _, names in os.walk(_PACKAGE)
                              for name in names if name.endswith(".py"))}
    gc.freeze()
    return found


@dataclass
class CliResult:
    """What a `weicha` command did: the fields of subprocess.CompletedProcess tests read."""
    returncode: int
    stdout: str
    stderr: str


def run_cli(data: Path, *args: str, user: str | None = None, password: str = PASSWORD,
            input: str | None = None, env: dict[str, str] | None = None) -> CliResult:
    """`weicha --data-dir DATA [--user USER] ARGS` in THIS process (cli.main), as a user would
    type it but without a process start: the password in WEICHA_PASSWORD, ``env`` on top of
    the environment (restored after), stdin ``input`` (never a terminal), UTF-8 stdout and
    stderr captured. An exception cli.main lets out fails the test (a process would print a
    traceback). For what only a real process shows (locks between programs, kill -9, pipes,
    the entry point itself) tests start one instead."""
    from weicha_desktop import cli

    argv = ["--data-dir", str(data), *(["--user", user] if user else []), *args]
    streams = {name: io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
               for name in ("stdout", "stderr")}
    stdin = io.TextIOWrapper(io.BytesIO((input or "").encode("utf-8")), encoding="utf-8")
    saved = {name: getattr(sys, name) for name in ("stdin", "stdout", "stderr")}
    saved_env = dict(os.environ)
    os.environ.update({"WEICHA_PASSWORD": password, **(env or {})})
    sys.stdin, sys.stdout, sys.stderr = stdin, streams["stdout"], streams["stderr"]
    try:
        try:
            code = cli.main(argv)
        except SystemExit as e:  # argparse: usage errors (2), --help (0)
            code = e.code if isinstance(e.code, int) else 1
        out = {}
        for name, stream in streams.items():
            stream.flush()
            out[name] = stream.buffer.getvalue().decode("utf-8")
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved["stdin"], saved["stdout"], saved["stderr"]
        _restore_environ(saved_env)
    return CliResult(code, out["stdout"], out["stderr"])


def _restore_environ(saved: dict[str, str]) -> None:
    """os.environ as ``saved`` again, setting only what differs (clearing and refilling it
    is a putenv per variable: ~0.3 ms a command)."""
    now = dict(os.environ)
    for key in now.keys() - saved.keys():
        del os.environ[key]
    for key, value in saved.items():
        if now.get(key) != value:
            os.environ[key] = value


def raw_writes(store: Store):
    """The store's own connection with the write guard opened (core/store/guard.py): for a
    test that writes what the program never writes outside a change (rows made by hand,
    tampering through the program's connection)."""
    return store.guard.allow()


def values_as(spec, record: dict) -> dict:
    """``record`` (codes, as form version 3 stores them) with each choice value as ``spec``
    stores it: the Chinese words for a record of form v1/v2."""
    def convert(fields, data):
        out = dict(data)
        for field in fields:
            value = data.get(field.id)
            if field.choices and value is not None:
                out[field.id] = ([field.value_of(v) for v in value] if isinstance(value, list)
                                 else field.value_of(value))
            elif field.fields and isinstance(value, dict):
                out[field.id] = convert(field.fields, value)
            elif field.fields and isinstance(value, list):
                out[field.id] = [convert(field.fields, row) if isinstance(row, dict) else row
                                 for row in value]
        return out
    return convert(spec.all_fields(), record)


def log_text(path: Path) -> str:
    """What the application log holds now (its file and the rotated ones, oldest last)."""
    import logging

    from weicha_desktop.core import applog

    for handler in logging.getLogger(applog.LOGGER).handlers:
        handler.flush()
    return "".join(p.read_text(encoding="utf-8") for p in sorted(path.parent.glob(path.name + "*")))


_WRITTEN_TABLE = re.compile(r"\s*(?:UPDATE(?:\s+OR\s+\w+)?|DELETE\s+FROM|(?:INSERT(?:\s+OR\s+\w+)?|REPLACE)\s+INTO)"
                            r"\s+[\"`\[]?(\w+)[\"`\]]?[\s(]", re.IGNORECASE)


def tamper(db_path: Path, sql: str, *args) -> None:
    """Change the database behind the program's back: a raw connection, triggers dropped —
    those of the table an UPDATE, DELETE or INSERT writes (only they fire: the raw connection
    has no foreign-key actions), all of them for any other statement."""
    import sqlite3

    conn = sqlite3.connect(db_path)
    written = _WRITTEN_TABLE.match(sql)
    triggers = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
                            + (" AND tbl_name = ? COLLATE NOCASE" if written else ""),
                            written.groups() if written else ()).fetchall()
    for name, _ in triggers:
        conn.execute(f"DROP TRIGGER {name}")
    conn.execute(sql, args)
    for _, create in triggers:
        conn.execute(create)
    conn.commit()
    conn.close()


# ---- fixtures shared by core and GUI tests (import them into a test module) -------------------
@pytest.fixture
def store(tmp_path):
    s = new_store(tmp_path / "data")
    yield s
    s.close()


@pytest.fixture
def admin(store):
    return UserService(store).authenticate("admin", PASSWORD)
