"""The server's database: SQLAlchemy 2 Core tables (no ORM), one code path for SQLite (the
default, ``<data-dir>/server.db``, WAL) and PostgreSQL (``postgresql+psycopg://``).

The server is a durable op log with small projections, not a desktop Store (docs/server.md):
``devices`` (enrolled laptops, their token hash, contiguous mark and anchored audit head),
``ops`` (every op received, its envelope as canonical JSON, applied | rejected | waiting),
``records`` / ``reviews`` (who owns a record, one decision per version), ``blobs`` /
``uploads`` (photo originals and resumable uploads in progress), ``enroll_codes``,
``users``, ``server_audit`` (the server's own hash chain) and ``server_meta`` / ``counters``.

Schema: numbered migrations recorded in ``schema_version`` (version, name, applied_at), each
in its own transaction; a database newer than the program is refused, not touched. ``init``
migrates; ``serve`` and every other command refuse a database that is not current, so N
worker processes never race to migrate. Transactions: every request opens its own. On
SQLite every transaction starts with ``BEGIN IMMEDIATE`` (writers queue on the busy timeout
instead of failing when a read turns into a write); on PostgreSQL rows that serialize work
are locked with ``SELECT … FOR UPDATE`` (a device's row during its push, an upload's row
during a PATCH, the audit head during an append)."""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from weicha_desktop.core.errors import WeichaError

BUSY_TIMEOUT_S = 30
metadata = sa.MetaData()
ID, HASH = sa.String(64), sa.String(64)
TIME = sa.String(40)  # ISO 8601 text, as the desktop keeps times (UTC on the server: now_iso)

schema_version = sa.Table(
    "schema_version", metadata,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("applied_at", TIME, nullable=False))

server_meta = sa.Table(
    "server_meta", metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False))

counters = sa.Table(  # monotonically increasing numbers (change_seq of the reference tables)
    "counters", metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("value", sa.BigInteger, nullable=False))

devices = sa.Table(
    "devices", metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("unit_code", sa.String(32), nullable=False),
    sa.Column("public_key", sa.Text, nullable=False),      # Ed25519 raw, base64
    sa.Column("token_hash", HASH, nullable=False, unique=True),
    sa.Column("enrolled_at", TIME, nullable=False),
    sa.Column("revoked_at", TIME),
    sa.Column("through_seq", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("anchored_seq", sa.BigInteger),
    sa.Column("anchored_hash", HASH),
    sa.Column("last_push_at", TIME),
    sa.Column("bundle_public", sa.Text))  # migration 6: the laptop's X25519 bundle key (raw, base64), or null

ops = sa.Table(
    "ops", metadata,
    sa.Column("op_id", ID, primary_key=True),
    sa.Column("device_id", ID, sa.ForeignKey("devices.id"), nullable=False),
    sa.Column("device_seq", sa.BigInteger, nullable=False),
    sa.Column("digest", HASH, nullable=False),              # core/sync/envelope.py
    sa.Column("entity_kind", sa.String(64), nullable=False),
    sa.Column("entity_id", ID, nullable=False),
    sa.Column("op", sa.String(64), nullable=False),
    sa.Column("envelope", sa.Text, nullable=False),         # canonical JSON
    sa.Column("received_at", TIME, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),     # applied | rejected | waiting
    sa.Column("error", sa.String(40)),                      # the rejection's code
    sa.Column("reason", sa.Text),                           # its Chinese message
    sa.UniqueConstraint("device_id", "device_seq", name="ops_device_seq"),
    sa.Index("ops_entity", "entity_kind", "entity_id"))

records = sa.Table(
    "records", metadata,
    sa.Column("record_id", ID, primary_key=True),           # the op's entity id (≤ 64)
    sa.Column("kind", sa.Text, nullable=False),             # payload values: Text, any length
    sa.Column("number", sa.Text),
    sa.Column("unit_code", sa.Text),
    sa.Column("owner_device_id", ID),                       # its one writer
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("current_version", sa.BigInteger, nullable=False),
    sa.Column("updated_at", sa.Text, nullable=False),       # the device's time
    sa.Index("records_unit", "unit_code", "status"))

reviews = sa.Table(
    "reviews", metadata,
    sa.Column("review_id", sa.Text, primary_key=True),
    sa.Column("record_id", ID, nullable=False),
    sa.Column("version", sa.BigInteger, nullable=False),
    sa.Column("decision", sa.Text, nullable=False),
    sa.Column("device_id", ID, nullable=False),
    sa.Column("at", sa.Text, nullable=False),               # the device's time
    sa.UniqueConstraint("record_id", "version", name="reviews_one_decision"))

blobs = sa.Table(
    "blobs", metadata,
    sa.Column("sha256", HASH, primary_key=True),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("stored_at", TIME, nullable=False))

uploads = sa.Table(
    "uploads", metadata,
    sa.Column("sha256", HASH, primary_key=True),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("offset", sa.BigInteger, nullable=False),      # bytes received and kept
    sa.Column("started_at", TIME, nullable=False),
    sa.Column("updated_at", TIME, nullable=False))

enroll_codes = sa.Table(
    "enroll_codes", metadata,
    sa.Column("code_hash", HASH, primary_key=True),
    sa.Column("device_name", sa.Text, nullable=False),
    sa.Column("unit_code", sa.String(32)),
    sa.Column("created_at", TIME, nullable=False),
    sa.Column("expires_at", TIME, nullable=False),
    sa.Column("used_at", TIME),
    sa.Column("used_by_device", ID),
    sa.Column("reenroll_device", ID))  # migration 3: a code that enrolls this enrolled device again

users = sa.Table(
    "users", metadata,
    sa.Column("id", ID, primary_key=True),                  # ids.user_id(unit, 警号)
    sa.Column("unit_code", sa.String(32), nullable=False),
    sa.Column("badge_no", sa.String(16), nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("display_name", sa.Text, nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("updated_seq", sa.BigInteger, nullable=False),  # change_seq: pull cursors
    sa.UniqueConstraint("unit_code", "badge_no", name="users_badge"))

server_audit = sa.Table(
    "server_audit", metadata,
    sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("at", TIME, nullable=False),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("action", sa.String(40), nullable=False),
    sa.Column("details", sa.Text, nullable=False),          # canonical JSON
    sa.Column("prev_hash", HASH, nullable=False),
    sa.Column("hash", HASH, nullable=False))

# ---- reference data the laptops pull (migration 2; weicha_server/reference.py, pull.py) ---------
form_versions = sa.Table(  # a published version is never changed (the same id + version: the same bytes)
    "form_versions", metadata,
    sa.Column("form_id", sa.String(64), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("record_kind", sa.String(64)),
    sa.Column("source", sa.Text, nullable=False),           # the YAML as published
    sa.Column("sha256", HASH, nullable=False),
    sa.Column("published_at", TIME, nullable=False),
    sa.Column("change_seq", sa.BigInteger, nullable=False, unique=True))

code_tables = sa.Table(  # a choice list (forms/choices/*.yaml format); codes only ever added
    "code_tables", metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("sha256", HASH, nullable=False),
    sa.Column("codes", sa.Text, nullable=False),            # JSON list of its codes
    sa.Column("updated_at", TIME, nullable=False),
    sa.Column("change_seq", sa.BigInteger, nullable=False, unique=True))

watch_lists = sa.Table(  # persons by ID number, vehicles by plate; taken off with active = false
    "watch_lists", metadata,
    sa.Column("list", sa.String(16), primary_key=True),    # person | vehicle
    sa.Column("key", sa.String(32), primary_key=True),     # the ID number or the plate
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("updated_at", TIME, nullable=False),
    sa.Column("change_seq", sa.BigInteger, nullable=False, unique=True))

V2_TABLES = (form_versions, code_tables, watch_lists)

# ---- case-number blocks (migration 3; weicha_server/numbers.py, docs/numbering.md) -------------------
number_blocks = sa.Table(  # each enrolled device's own block of the unit's monthly serials
    "number_blocks", metadata,
    sa.Column("device_id", ID, primary_key=True),
    sa.Column("unit_code", sa.String(32), nullable=False),
    sa.Column("slot", sa.Integer, nullable=False),
    sa.Column("slots", sa.Integer, nullable=False),
    sa.Column("first_serial", sa.Integer, nullable=False),
    sa.Column("last_serial", sa.Integer, nullable=False),
    sa.Column("assigned_at", TIME, nullable=False),
    sa.UniqueConstraint("unit_code", "first_serial", name="number_blocks_unit_first"))

declared_numbers = sa.Table(  # serials a device issued before it enrolled (it says so at enrollment)
    "declared_numbers", metadata,
    sa.Column("device_id", ID, primary_key=True),
    sa.Column("prefix", sa.String(24), primary_key=True),   # letter + unit + yyyyMM
    sa.Column("first_serial", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("last_serial", sa.Integer, nullable=False))

V3_TABLES = (number_blocks, declared_numbers)

# ---- USB bundles imported (migration 4; weicha_server/bundles.py) ----------------------------------
bundle_imports = sa.Table(  # every ops bundle imported: same id again or a lower bundle_seq is a no-op
    "bundle_imports", metadata,
    sa.Column("bundle_id", ID, primary_key=True),
    sa.Column("device_id", ID, nullable=False),
    sa.Column("bundle_seq", sa.BigInteger, nullable=False),   # the device's own bundle number
    sa.Column("from_seq", sa.BigInteger, nullable=False),
    sa.Column("through_seq", sa.BigInteger, nullable=False),
    sa.Column("imported_at", TIME, nullable=False),
    sa.Column("receipt", sa.Text, nullable=False),            # the receipt's JSON (written again on a replay)
    sa.Column("receipt_at", TIME),                            # migration 7: its header's created_at (kept on a replay)
    sa.Index("bundle_imports_device", "device_id", "bundle_seq"))

V1_TABLES = (server_meta, counters, devices, ops, records, reviews, blobs, uploads, enroll_codes,
             users, server_audit)


class SchemaError(WeichaError):
    """The database is not at the program's schema (not made, older, or newer)."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    run: Callable[[Connection], None]


def _v1(conn: Connection) -> None:
    metadata.create_all(conn, tables=list(V1_TABLES))
    conn.execute(counters.insert(), [{"name": "change_seq", "value": 0}])
    from weicha_desktop.core.ids import new_id

    conn.execute(server_meta.insert(), [{"key": "audit_lock", "value": "-"},
                                        {"key": "server_id", "value": new_id()}])


def _v2(conn: Connection) -> None:
    metadata.create_all(conn, tables=list(V2_TABLES))
    conn.exec_driver_sql("CREATE INDEX users_seq ON users (updated_seq)")  # pulls by cursor


def _v3(conn: Connection) -> None:
    metadata.create_all(conn, tables=list(V3_TABLES))
    if "reenroll_device" not in {c["name"] for c in sa.inspect(conn).get_columns("enroll_codes")}:
        conn.exec_driver_sql("ALTER TABLE enroll_codes ADD COLUMN reenroll_device VARCHAR(64)")
    conn.exec_driver_sql("CREATE INDEX IF NOT EXISTS records_number ON records (number)")  # collisions


def _v4(conn: Connection) -> None:
    metadata.create_all(conn, tables=[bundle_imports])


def _v5(conn: Connection) -> None:
    """PostgreSQL compresses the envelopes (~5 KB each) with lz4 where it can: pglz was about
    half of PostgreSQL's CPU per op pushed (an INSERT of 500 envelopes: 0.14-0.20 -> 0.06 ms
    an envelope, the same size on disk; docs/performance.md). Rows written before keep theirs."""
    if is_sqlite(conn):
        return
    if conn.exec_driver_sql("SELECT 'lz4' = ANY(enumvals) FROM pg_settings "
                            "WHERE name = 'default_toast_compression'").scalar():  # PostgreSQL 14+, built with lz4
        conn.exec_driver_sql("ALTER TABLE ops ALTER COLUMN envelope SET COMPRESSION lz4")


def _v6(conn: Connection) -> None:
    """The laptop's bundle key, given at enrollment or carried by its ops bundles (null: a
    laptop enrolled before, until its next bundle)."""
    if "bundle_public" not in {c["name"] for c in sa.inspect(conn).get_columns("devices")}:
        conn.exec_driver_sql("ALTER TABLE devices ADD COLUMN bundle_public TEXT")


def _v7(conn: Connection) -> None:
    if "receipt_at" not in {c["name"] for c in sa.inspect(conn).get_columns("bundle_imports")}:
        conn.exec_driver_sql("ALTER TABLE bundle_imports ADD COLUMN receipt_at VARCHAR(40)")


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "op log, devices, blobs, enrollment, users, server audit", _v1),
    Migration(2, "reference data laptops pull: form versions, code tables, watch lists", _v2),
    Migration(3, "case-number blocks per device, numbers declared at enrollment, re-enrollment codes", _v3),
    Migration(4, "USB bundles imported per device", _v4),
    Migration(5, "op envelopes compressed with lz4 on PostgreSQL", _v5),
    Migration(6, "each device's X25519 bundle key (reference and enrollment files encrypted to it)", _v6),
    Migration(7, "the time each bundle's receipt was first written (a re-issue keeps it)", _v7),
)
LATEST = MIGRATIONS[-1].version


def now_iso() -> str:
    """The server's time as stored: UTC, microseconds, so text order is time order."""
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def is_sqlite(engine_or_conn: Engine | Connection) -> bool:
    return engine_or_conn.dialect.name == "sqlite"


def make_engine(url: str, *, pool_size: int = 5) -> Engine:
    """An engine for ``url`` set up as the server needs it (see the module's doc)."""
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_S,
                                                     "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _connect(dbapi_conn, _record):  # noqa: ANN001 — SQLAlchemy's callback
            dbapi_conn.isolation_level = None  # transactions are ours (BEGIN IMMEDIATE below)
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn):  # noqa: ANN001 — a reader (``read``) takes no write lock
            conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get(READ) else "BEGIN IMMEDIATE")

        return engine
    engine = sa.create_engine(url, pool_size=pool_size, max_overflow=pool_size)
    _ping_when_idle(engine)
    return engine


IDLE_PING_S = 1.0


def _ping_when_idle(engine: Engine) -> None:
    """A pooled PostgreSQL connection is checked (one round trip) before it is handed out only
    when it lay unused for IDLE_PING_S or more — where a restart of the database, a failover or
    a firewall's idle timeout may have cut it —, not on every checkout as ``pool_pre_ping``
    does (a round trip more per request, ~0.2 ms of the server's CPU and some of the
    database's). A cut one found so is replaced at once (DisconnectionError: the pool opens a
    new one). One cut within the second after its last use fails its request as before a
    ping existed (503, the client retries) and SQLAlchemy then renews every older connection
    of the pool (its disconnect handling)."""
    dialect = engine.dialect

    @event.listens_for(engine, "checkin")
    def _checkin(_dbapi_conn, record):  # noqa: ANN001 — SQLAlchemy's callback
        record.info["idle_since"] = time.monotonic()  # (info is cleared with a new DBAPI connection)

    @event.listens_for(engine, "checkout")
    def _checkout(dbapi_conn, record, _proxy):  # noqa: ANN001 — SQLAlchemy's callback
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < IDLE_PING_S:
            return
        try:
            dialect.do_ping(dbapi_conn)
        except dialect.loaded_dbapi.Error as e:  # any: a SELECT 1 that fails is no connection to use
            # (a backend ended while the ping was on its way may say so as a ProgrammingError —
            # "can't change 'autocommit' now" — when SQLAlchemy's ping puts the connection back)
            raise sa.exc.DisconnectionError(str(e)) from e


READ = "weicha_read"


def read(engine: Engine) -> Connection:
    """A connection for reading only (``with read(engine) as conn``): on SQLite its
    transaction is deferred, so readers never queue behind writers (WAL)."""
    return engine.connect().execution_options(**{READ: True})


def version(engine: Engine) -> int:
    """The schema version of the database (0: not made yet). One query, no catalog look-up
    before it (that was ~3 ms of every command's and server's start on PostgreSQL)."""
    with engine.connect() as conn:
        try:
            return conn.execute(sa.select(sa.func.max(schema_version.c.version))).scalar() or 0
        except (sa.exc.OperationalError, sa.exc.ProgrammingError) as e:
            if _no_such_table(e):
                return 0
            raise


def _no_such_table(e: sa.exc.DBAPIError) -> bool:
    """The error of a query on a table that is not there (PostgreSQL: SQLSTATE 42P01)."""
    return getattr(e.orig, "sqlstate", None) == "42P01" or str(e.orig).startswith("no such table")


def migrate(engine: Engine) -> list[int]:
    """Bring the database to LATEST; returns the versions applied (none: it was current).
    Two programs migrating at once queue on a lock (PostgreSQL: an advisory lock). A current
    database is seen in one query (not one transaction per migration)."""
    if version(engine) == LATEST:
        return []
    done: list[int] = []
    for m in MIGRATIONS:
        with engine.begin() as conn:
            if not is_sqlite(conn):
                conn.exec_driver_sql("SELECT pg_advisory_xact_lock(7411001)")
            schema_version.create(conn, checkfirst=True)
            have = conn.execute(sa.select(sa.func.max(schema_version.c.version))).scalar() or 0
            if have > LATEST:
                raise SchemaError(f"数据库的结构版本（{have}）比本程序新（{LATEST}）：请使用更新版本的服务器程序。")
            if m.version <= have:
                continue
            m.run(conn)
            conn.execute(schema_version.insert().values(version=m.version, name=m.name,
                                                        applied_at=now_iso()))
            done.append(m.version)
    return done


def require_current(engine: Engine) -> None:
    """Refuse a database ``init`` has not made or not brought up to date."""
    have = version(engine)
    if have == 0:
        raise SchemaError("数据库尚未初始化：请先运行 weicha-server --data-dir 数据文件夹 init。")
    if have < LATEST:
        raise SchemaError(f"数据库的结构是第 {have} 版，本程序需要第 {LATEST} 版：请先运行 init 升级。")
    if have > LATEST:
        raise SchemaError(f"数据库的结构版本（{have}）比本程序新（{LATEST}）：请使用更新版本的服务器程序。")


def meta(conn: Connection, key: str) -> str | None:
    return conn.execute(sa.select(server_meta.c.value).where(server_meta.c.key == key)).scalar()


def next_counter(conn: Connection, name: str) -> int:
    """The next value of a counter, taken inside the caller's transaction (row-locked)."""
    return conn.execute(counters.update().where(counters.c.name == name)
                        .values(value=counters.c.value + 1).returning(counters.c.value)).scalar_one()


def lock_row(stmt: sa.Select) -> sa.Select:
    """``stmt`` FOR UPDATE (PostgreSQL; SQLite's BEGIN IMMEDIATE already serializes writers)."""
    return stmt.with_for_update()


_IGNORING: dict[tuple, Any] = {}  # INSERT … ON CONFLICT DO NOTHING statements, built once


def insert_ignore(conn: Connection, table: sa.Table, values: dict, keys: list[str] | None = None) -> bool:
    """INSERT … ON CONFLICT [(keys)] DO NOTHING on either database (no keys: any unique
    constraint); True if the row went in. The statement is built once per table and columns
    (the values are parameters), so SQLAlchemy's compiled cache serves every later call."""
    key = (conn.dialect.name, table.name, tuple(keys or ()), tuple(values))
    stmt = _IGNORING.get(key)
    if stmt is None:
        if is_sqlite(conn):
            from sqlalchemy.dialects.sqlite import insert
        else:
            from sqlalchemy.dialects.postgresql import insert
        # RETURNING, not rowcount: psycopg reports -1 for an INSERT … ON CONFLICT here
        stmt = _IGNORING[key] = insert(table).on_conflict_do_nothing(index_elements=keys).returning(
            *table.primary_key.columns)
    return conn.execute(stmt, values).first() is not None
