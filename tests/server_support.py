"""Helpers for the central server's tests (weicha_server): real server processes on loopback,
a database per backend, laptops whose ops the desktop's own code writes.

- ``BACKENDS``: ``sqlite`` (the data folder's own database) and ``postgresql`` (a fresh
  database on the cluster named by WEICHA_TEST_PG_URL, made per server and dropped after; a
  run without that variable FAILS — .ci/run starts a cluster and sets it, docs/server.md says
  how to run one by hand). A server's database starts as a copy of one migrated once per
  test process (``_Templates``), with a server id of its own.
- ``start_server(tmp, backend)`` → ``Server``: ``init`` in this process, then ``weicha-server
  serve`` in a process of its own (forked from a pre-imported zygote: tests/server_fork.py)
  on a free loopback port, ready when /v1/health answers.
- ``Laptop``: a data folder (tests/support.new_store) whose cases, drafts, finalizes, photos
  are made by the desktop's services; ``push_body`` is what a client sends: the outbox's
  bundle (``OutboxQueue.export_bundle``: compaction, from/through) and the audit entries."""
from __future__ import annotations

import base64
import io
import json
import os
import secrets
import signal
import socket
import ssl
import subprocess
import sys
import time
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest
import sqlalchemy as sa

from weicha_desktop.core.demo import scene_values
from weicha_desktop.core.ids import new_id
from weicha_desktop.core.numbering import SlotPlan
from weicha_desktop.core.store import Store
from weicha_desktop.core.store.audit import entries as audit_entries
from weicha_desktop.core.store.oplog import outbox_envelope
from weicha_desktop.core.sync.queue import OutboxQueue
from weicha_desktop.core.users import UserService
from weicha_server import auth, cli
from weicha_server.config import SETTINGS_FILE, normalize_db_url, write_settings
from weicha_server.db import make_engine, migrate, server_meta

from tests.outbox_support import outbox_rows
from tests.pg_pool import DatabasePool, drop_database
from tests.support import PASSWORD, UNIT, forms, new_store

PG_ENV = "WEICHA_TEST_PG_URL"
BACKENDS = ("sqlite", "postgresql")
HEADERS = {"Weicha-Protocol": "1"}
# small limits, so the size tests send little (the defaults are 8 MiB / 4 MiB)
LIMITS = {"max_body": 256 * 1024, "max_chunk": 64 * 1024,
          "number_slots": 99}  # the tests' laptops all number in one unit: a block for each


# ---- databases ---------------------------------------------------------------------------------
def pg_admin_url() -> str:
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.fail(f"{PG_ENV} is not set: the PostgreSQL tests need a cluster (.ci/run starts one; "
                    "by hand: docs/server.md, 'Tests'). They never skip.")
    return normalize_db_url(url)


_ADMIN: dict[str, sa.Engine] = {}


def _admin() -> sa.Engine:
    """The cluster's maintenance database, for CREATE and DROP DATABASE: one engine and
    connection per test process (a PostgreSQL connection costs ~3 ms here and ~6 ms of the
    cluster's CPU: two of them a database made and dropped)."""
    url = pg_admin_url()
    if url not in _ADMIN:
        import atexit

        _ADMIN[url] = sa.create_engine(url, isolation_level="AUTOCOMMIT", pool_size=1, max_overflow=2)
        atexit.register(_ADMIN[url].dispose)
    return _ADMIN[url]


_POOLS: dict[bool, DatabasePool] = {}


def _pool(migrated: bool) -> DatabasePool:
    """This test process's databases of one kind (tests/pg_pool.py: one a test is done with
    is reset to a new one's state under a new name, or dropped; made ones ~0.1 s, a reset ~0.04)."""
    if migrated not in _POOLS:
        import atexit

        admin = _admin()

        def create(name: str) -> None:
            template = f' TEMPLATE "{_templates.pg()}"' if migrated else ""
            with admin.connect() as conn:
                conn.exec_driver_sql(f'CREATE DATABASE "{name}"{template}')
        _POOLS[migrated] = DatabasePool(admin, create, empty=not migrated)
        atexit.register(_POOLS[migrated].close)  # (before the admin engine's dispose: atexit is LIFO)
    return _POOLS[migrated]


@contextmanager
def pg_database(*, migrated: bool = False) -> Iterator[str]:
    """A fresh, empty database on the test cluster (given back to the pool afterwards): its
    URL. ``migrated``: a copy of this test process's migrated template instead (``_templates``:
    what ``init`` makes, with a server id of its own)."""
    pool = _pool(migrated)
    name = pool.take()
    url = _admin().url.set(database=name).render_as_string(hide_password=False)
    try:
        if migrated:
            _templates.new_server_id(url)
        yield url
    finally:
        _drop_cli_engines(name)
        pool.give_back(name)


@contextmanager
def backend_db(backend: str, *, migrated: bool = False) -> Iterator[str | None]:
    """The ``--db`` URL of a fresh database of ``backend`` (None: the data folder's SQLite,
    which ``init_server`` makes from the template); ``migrated``: see ``pg_database``."""
    if backend == "sqlite":
        yield None
    else:
        with pg_database(migrated=migrated) as url:
            yield url


class _Templates:
    """The server's database as ``init`` makes it, migrated once per test process and copied
    for each server (~0.03 s CPU of migrations a SQLite server, ~0.06 s and ~0.08 s of the
    cluster's a PostgreSQL one): a SQLite file, a PostgreSQL template database (dropped when
    the process ends). Each copy gets a server id of its own (the one value ``init`` draws)."""

    def __init__(self) -> None:
        self._sqlite: Path | None = None
        self._pg: str | None = None

    def sqlite(self) -> Path:
        if self._sqlite is None:
            import atexit
            import shutil
            import tempfile

            folder = Path(tempfile.mkdtemp(prefix="weicha-server-template-"))
            atexit.register(shutil.rmtree, folder, True)
            run = server_cli(folder / "server", "init")
            assert run.code == 0, run.err
            self._sqlite = folder / "server"
        return self._sqlite

    def copy_sqlite(self, data_dir: Path) -> None:
        """``data_dir``'s server.db as a copy of the template (then ``init`` finds it current)."""
        import shutil

        data_dir.mkdir(parents=True, exist_ok=True)
        for f in self.sqlite().glob("server.db*"):  # (no -wal once closed)
            shutil.copyfile(f, data_dir / f.name)
        self.new_server_id(f"sqlite:///{data_dir / 'server.db'}")

    def pg(self) -> str:
        if self._pg is None:
            import atexit

            name = f"weicha_t_template_{secrets.token_hex(6)}"
            admin = _admin()
            with admin.connect() as conn:
                conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
            atexit.register(self._drop, name)
            engine = make_engine(admin.url.set(database=name).render_as_string(hide_password=False))
            migrate(engine)
            engine.dispose()  # a template takes no connections while it is copied
            self._pg = name
        return self._pg

    @staticmethod
    def _drop(name: str) -> None:
        admin = _admin()
        drop_database(admin, name)
        admin.dispose()

    @staticmethod
    def new_server_id(url: str) -> None:
        """(SQLite: with the sqlite3 module — an engine of its own for one UPDATE was ~10 ms;
        PostgreSQL: with the in-process CLI's engine, whose connection ``init`` then uses.)"""
        if url.startswith("sqlite:///"):
            import sqlite3

            conn = sqlite3.connect(url.removeprefix("sqlite:///"))
            try:
                with conn:
                    conn.execute("UPDATE server_meta SET value = ? WHERE key = 'server_id'", (new_id(),))
            finally:
                conn.close()
            return
        with _cli_engine(normalize_db_url(url), pool_size=1).begin() as conn:
            conn.execute(server_meta.update().where(server_meta.c.key == "server_id").values(value=new_id()))


_templates = _Templates()


@dataclass
class CliRun:
    code: int
    out: str
    err: str


def server_cli(data_dir: Path, *args: str, db: str | None = None) -> CliRun:
    """`weicha-server --data-dir D [--db URL] ARGS` in this process (on PostgreSQL with the
    engine of earlier calls on that database: ``_cli_engine``)."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err), _cli_engines():
        try:
            code = cli.main(["--data-dir", str(data_dir), *(["--db", db] if db else []), *args])
        except SystemExit as e:  # argparse: usage (2)
            code = e.code if isinstance(e.code, int) else 1
    return CliRun(code, out.getvalue(), err.getvalue())


_CLI_ENGINES: dict[str, sa.Engine] = {}  # a database's URL → the in-process CLI's engine
_SQLITE_KEPT = 16  # SQLite engines kept (the last used): a server folder's commands come in a row
_USED: list[sa.Engine] = []  # the SQLite engines of the command running now


@contextmanager
def _cli_engines() -> Iterator[None]:
    """The commands run in this process make their engines with ``_cli_engine``: a command
    process makes one engine and connects once, but here the suite runs ~400 of them, each a
    new engine — SQLAlchemy's first-connect queries, every statement compiled again (the
    compiled cache is the engine's: ~4 ms a bundle import) and, on PostgreSQL, a new
    connection (SCRAM: ~4 ms CPU here and ~5 ms of the cluster's). An engine is kept per
    database; a SQLite one's connections are closed after each command (nothing stays open
    on a file a test may replace or copy), a PostgreSQL one's stay for the next command
    (a command's ``dispose`` keeps them: ``_kept``) until the database is given back
    (``pg_database``, which ends its sessions first)."""
    from weicha_server import db as server_db

    made = server_db.make_engine
    server_db.make_engine = _cli_engine
    _USED.clear()
    try:
        yield
    finally:
        server_db.make_engine = made
        for engine in _USED:  # (a pool's dispose makes a new pool: only those that hold one)
            if engine.pool.checkedin() or engine.pool.checkedout():
                sa.Engine.dispose(engine)
        _USED.clear()


def _cli_engine(url: str, *, pool_size: int = 5) -> sa.Engine:
    """``make_engine``, made once per database for this process's CLI commands (a forked copy
    of this process leaves the parent's connections alone: ``_forget_engines``)."""
    engine = _CLI_ENGINES.pop(url, None)  # (re-inserted: the dict's order is the use's)
    if engine is None:
        if url.startswith("postgresql"):  # (shared with the test's own use: ``Server.engine``)
            engine = make_engine(url)
            engine.dispose = _kept  # type: ignore[method-assign]
        else:
            engine = make_engine(url, pool_size=pool_size)
    _CLI_ENGINES[url] = engine
    if not url.startswith("postgresql"):
        _USED.append(engine)
    sqlite = [u for u in _CLI_ENGINES if not u.startswith("postgresql")]
    for old in sqlite[:-_SQLITE_KEPT]:
        _CLI_ENGINES.pop(old).dispose()
    return engine


def _kept(close: bool = True) -> None:
    """A command's ``engine.dispose()`` on a kept PostgreSQL engine: its connection stays."""


def _drop_cli_engines(database: str) -> None:
    for url in [u for u in _CLI_ENGINES if u.startswith("postgresql") and sa.engine.make_url(u).database == database]:
        sa.Engine.dispose(_CLI_ENGINES.pop(url))


def _forget_engines() -> None:
    """In a forked copy of this process (a test killing an import mid-way): the engines' pooled
    connections are the parent's sockets — never used or closed here (SQLAlchemy's fork rule;
    psycopg never ends a connection another process made)."""
    for engine in _CLI_ENGINES.values():
        sa.Engine.dispose(engine, close=False)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_engines)


# ---- server processes --------------------------------------------------------------------------
_UNCHECKED: list[ssl.SSLContext] = []


def unchecked_tls() -> ssl.SSLContext:
    """What ``verify=False`` means to httpx (no certificate or name checked), made once: httpx
    builds an SSL context for every client it makes, ~30 ms each with the system's CAs (its
    default) and ~2 ms for ``verify=False``, whether the URL is https or not."""
    if not _UNCHECKED:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        _UNCHECKED.append(ctx)
    return _UNCHECKED[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    data_dir: Path
    db_url: str | None
    port: int
    proc: Any  # subprocess.Popen, or server_fork.ForkedProcess (the same pid/poll/wait/returncode)
    log_path: Path
    scheme: str = "http"
    verify: Any = False
    _engine: Any = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    def client(self, token: str | None = None, **kw) -> httpx.Client:
        """A client of this server (``verify``: the server's own unless given)."""
        headers = dict(HEADERS, **({"Authorization": f"Bearer {token}"} if token else {}))
        verify = kw.pop("verify", self.verify)
        return httpx.Client(base_url=self.url, headers=headers, timeout=kw.pop("timeout", 30),
                            verify=unchecked_tls() if verify is False else verify, **kw)

    def engine(self):
        """The server's database, opened by the test (checks and set-up behind the API; on
        PostgreSQL the in-process CLI's engine of that database: its connection, not one more)."""
        if self._engine is None:
            self._engine = (_cli_engine(normalize_db_url(self.db_url)) if self.db_url else
                            make_engine(f"sqlite:///{self.data_dir / 'server.db'}"))
        return self._engine

    def code(self, device_name: str = "笔记本", unit: str | None = None, **kw) -> str:
        with self.engine().begin() as conn:
            return auth.make_code(conn, device_name, unit, 1.0, **kw)[0]

    def enroll(self, laptop: "Laptop", code: str | None = None) -> str:
        """Enroll ``laptop`` with a fresh code; its token."""
        with self.client() as c:
            r = c.post("/v1/enroll", json=laptop.enroll_body(code or self.code(laptop.device_id[:8])))
        assert r.status_code == 200, r.text
        return r.json()["token"]

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8")

    def log_lines(self, rid: str, timeout: float = 5.0) -> list[dict[str, Any]]:
        """The JSON log lines of request ``rid`` (its line is written once it has answered)."""
        deadline = time.monotonic() + timeout
        while True:
            lines = [json.loads(x) for x in self.log_text().splitlines() if x.strip()]
            found = [x for x in lines if x.get("rid") == rid]
            if any(x.get("event") == "request" for x in found) or time.monotonic() > deadline:
                return found
            time.sleep(0.02)

    def ready(self, timeout: float = 30) -> "Server":
        """Wait until /v1/health answers (AssertionError with the log if it dies or hangs).
        Until its port takes connections a plain connect asks (~20 µs refused, every 5 ms: a
        start is ~60 ms; a health request every 50 ms left ~25 ms idle a start), then health."""
        deadline = time.monotonic() + timeout
        with self.client(timeout=2) as c:  # one client for the polls (each costs an SSL context)
            while True:
                if self.proc.poll() is not None:
                    raise AssertionError(f"the server exited ({self.proc.returncode}):\n{self.log_text()}")
                try:
                    socket.create_connection(("127.0.0.1", self.port), timeout=2).close()
                    if c.get("/v1/health").status_code == 200:
                        return self
                except (OSError, httpx.TransportError):
                    pass
                if time.monotonic() > deadline:
                    self.stop()
                    raise AssertionError(f"the server did not answer in {timeout} s:\n{self.log_text()}")
                time.sleep(0.005)

    def stop(self, *, wait: bool = True) -> None:
        """SIGTERM to the server's process group (its workers too); SIGKILL if it lingers.
        ``wait=False`` (a test done with its server): not waited for — uvicorn's shutdown sleeps
        ~0.1-0.2 s before it exits, a core left idle per server; it ends meanwhile, one that
        lingers past 10 s is killed at the next server's start (``_stopping``), and the zygote
        kills and reaps whatever is left when it stops."""
        if self._engine is not None:
            self._engine.dispose()
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            if not wait:
                _STOPPING.append((time.monotonic() + 10, self.proc))
                return
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)


_STOPPING: list[tuple[float, Any]] = []  # (deadline, process) of servers stopped without a wait


def _stopping() -> None:
    """The servers stopped without a wait: those that ended forgotten, those past their
    deadline killed (their process group)."""
    now = time.monotonic()
    for deadline, proc in list(_STOPPING):
        if proc.poll() is not None:
            _STOPPING.remove((deadline, proc))
        elif now > deadline:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)
            _STOPPING.remove((deadline, proc))


def init_server(data_dir: Path, db: str | None, settings: dict[str, Any] | None = None) -> None:
    """``init`` of a server folder (a new SQLite one starts as a copy of the template)."""
    if db is None and not (data_dir / "server.db").exists() and not (data_dir / SETTINGS_FILE).exists():
        _templates.copy_sqlite(data_dir)
    run = server_cli(data_dir, "init", db=db)
    assert run.code == 0, run.err
    if settings:
        path = data_dir / SETTINGS_FILE
        stored = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        write_settings(data_dir, {**stored, **settings})


def start_server(data_dir: Path, db: str | None = None, **kw) -> Server:
    """``init`` (unless done) and ``serve`` in a subprocess; returns once /v1/health answers."""
    return launch_server(data_dir, db, **kw).ready()


def launch_server(data_dir: Path, db: str | None = None, *, workers: int = 1, init: bool = True,
                  settings: dict[str, Any] | None = LIMITS, extra: tuple[str, ...] = (),
                  scheme: str = "http", verify: Any = False) -> Server:
    """``init`` (unless done) and start ``serve`` in a process of its own (its own process
    group); ``.ready()`` waits for it: forked from the test process's pre-imported zygote
    (tests/server_fork.py: the same main, no ~0.55 s of imports); with more workers, uvicorn's
    own supervisor starts them, forked from that server process (no ~0.6 s of imports each)."""
    _stopping()
    data_dir.mkdir(parents=True, exist_ok=True)
    if init:
        init_server(data_dir, db, settings)
    port = free_port()
    log_path = data_dir.parent / f"{data_dir.name}-{port}.log"
    argv = ["--data-dir", str(data_dir), *(["--db", db] if db else []), "serve", "--host", "127.0.0.1",
            "--port", str(port), "--workers", str(workers), *extra]
    if hasattr(os, "fork"):  # (Windows: a fresh interpreter, as before)
        from tests import server_fork

        proc = server_fork.zygote().start(argv, str(log_path), fork_workers=workers > 1)
    else:
        with open(log_path, "wb") as log:
            proc = subprocess.Popen([sys.executable, "-m", "weicha_server", *argv], stdout=log,
                                    stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    return Server(data_dir, db, port, proc, log_path, scheme, verify=verify)


@contextmanager
def running_server(tmp: Path, backend: str, **kw) -> Iterator[Server]:
    """A server of ``backend`` with a fresh database, stopped (and its database dropped) after."""
    with backend_db(backend, migrated=True) as db:
        server = start_server(tmp / f"server-{backend}", db, **kw)
        try:
            yield server
        finally:
            server.stop(wait=False)  # (its database given back meanwhile: its sessions ended first)


# ---- laptops -----------------------------------------------------------------------------------
@dataclass
class Laptop:
    """A desktop data folder; what it pushes is what its own code wrote."""
    store: Store
    actor: Any

    @property
    def device_id(self) -> str:
        return self.store.meta("device_id")

    def cases(self):
        from weicha_desktop.core.cases import CaseService

        return CaseService(self.store, forms(), self.actor)

    def new_case(self, seed: int = 1, *, finalize: bool = False, drafts: int = 0) -> str:
        """A complete case (the demo's values), ``drafts`` saves of it, finalized if asked."""
        svc = self.cases()
        case = svc.new_case(scene_values(seed))
        for i in range(drafts):
            svc.update(case.id, {"narrative_visit": f"访问第 {i + 1} 次。"})
        if finalize:
            svc.finalize(case.id)
        return case.id

    def envelopes(self) -> list[dict[str, Any]]:
        return [outbox_envelope(r) for r in outbox_rows(self.store)]

    def audit(self, after: int = 0) -> list[dict[str, Any]]:
        """The audit entries after seq ``after``, as a push carries them."""
        return [asdict(e) for e in audit_entries(self.store.conn) if e.seq > after]

    def body(self, envs: list[dict[str, Any]], from_seq: int | None = None,
             through_seq: int | None = None, audit_after: int | None = None) -> dict[str, Any]:
        seqs = [e["device_seq"] for e in envs]
        return {"device_id": self.device_id, "ops": envs,
                "from_seq": from_seq if from_seq is not None else (seqs[0] if seqs else 1),
                "through_seq": through_seq if through_seq is not None else (seqs[-1] if seqs else 0),
                "audit": self.audit(audit_after) if audit_after is not None else []}

    def bundle_body(self, *, limit: int | None = None, audit_after: int | None = None) -> dict[str, Any]:
        """The outbox's next bundle (compacted, marked exported) as a push."""
        bundle = OutboxQueue(self.store, self.actor).export_bundle(limit=limit)
        assert bundle is not None
        return {**self.body(bundle["ops"], bundle["from_seq"], bundle["through_seq"], audit_after)}

    def enroll_body(self, code: str) -> dict[str, Any]:
        return {"code": code, "device_id": self.device_id, "device_name": "勘验笔记本",
                "public_key": base64.b64encode(os.urandom(32)).decode(), "unit_code": self.store.meta("unit_code")}

    def blob(self, sha256: str) -> bytes:
        return (Path(self.store.blobs_dir) / sha256[:2] / sha256).read_bytes()


_OPEN: list[Store] = []  # laptops' stores, closed by ``closes_laptops`` after each test


def laptop(path: Path, *, unit: str = UNIT) -> Laptop:
    """A laptop (``new_store``) of ``unit``, closed after the test (``closes_laptops``)."""
    store = new_store(path, unit=unit)
    _OPEN.append(store)
    return Laptop(store, UserService(store).authenticate("admin", PASSWORD))


@pytest.fixture(autouse=True)
def closes_laptops():
    """Close the laptops a test made (import it into a test module to have it there)."""
    start = len(_OPEN)
    yield
    while len(_OPEN) > start:
        _OPEN.pop().close()


class InlinePool:
    """The photo import's worker pool, run in this process (the same analysis function, no
    worker start: ~1.5 s a pool): for tests that need photo ops, not the pool."""

    def __init__(self, target: str, workers: int | None = None, timeout: Any = None):
        import importlib

        module, name = target.split(":")
        self.fn = getattr(importlib.import_module(module), name)

    def run(self, tasks, on_result, cancelled) -> None:
        for i, task in enumerate(tasks):
            on_result(i, self.fn(*task))


def import_photos(lt: Laptop, case_id: str, files: list[Path]) -> list[str]:
    """Import ``files`` into the case with the desktop's PhotoService; their SHA-256."""
    from weicha_desktop.core import photos

    saved, photos.WorkerPool = photos.WorkerPool, InlinePool
    try:
        results = photos.PhotoService(lt.store, lt.actor, forms()).import_files(case_id, files)
    finally:
        photos.WorkerPool = saved
    assert all(r.status == "imported" for r in results), results
    return [r.sha256 for r in results]


def upload(client: httpx.Client, sha: str, data: bytes, chunk: int = 64 * 1024) -> httpx.Response:
    """Upload one original whole, in chunks; the last answer."""
    r = client.post(f"/v1/blobs/{sha}/upload", json={"size": len(data)})
    assert r.status_code == 200, r.text
    offset = r.json()["offset"]
    while offset < len(data):
        r = client.patch(f"/v1/blobs/{sha}", content=data[offset:offset + chunk],
                         headers={"Upload-Offset": str(offset)})
        if r.status_code != 200:
            return r
        offset = r.json()["offset"]
    return r


def picked_one_by_one(slots: int, taken: list[tuple[int, int]]) -> int | None:
    """The search as it was: the lowest block overlapping none of the ranges taken."""
    for slot in range(1, slots + 1):
        plan = SlotPlan(slot, slots)
        if all(plan.last < first or plan.first > last for first, last in taken):
            return slot
    return None
