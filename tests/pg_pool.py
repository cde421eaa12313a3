"""PostgreSQL databases for the server's tests, reused instead of made and dropped each time.

``CREATE DATABASE`` copies a whole database (~8 MB of catalogs, written to the WAL too): with
its DROP ~0.1 s on this 2-core machine, more under load; ~50 a run. A reset of one the last
test is done with is ~40–60 ms.
A database given back is reset to exactly what a new one would be, or dropped:

- it is first RENAMED (after its sessions are ended): a server or connection of the last test
  that outlived it cannot reach the database under the name the next test is given;
- its schema (tables, columns, defaults, indexes, constraints, triggers, functions, views,
  sequences, privileges, the database's own settings) must equal the fresh one's — a test that
  altered it (a tampered trigger, a dropped index, an extra table) gives back a database
  that is dropped, never reused. Not compared (no test changes them; add them here first):
  the database's own ACL and connection limit, sequences' settings, custom types, column
  privileges and collations, policies' bodies, event triggers;
- then its data is the fresh one's: every table emptied and the rows the fresh one holds
  (a migrated template: schema_version, server_meta, counters) written back, sequences where
  the fresh one has them. (``empty`` databases: the public schema made anew.)

One pool per test process and kind; what is left in it is dropped when the process ends."""
from __future__ import annotations

import secrets
import time
from typing import Callable

import sqlalchemy as sa

# Everything a test could change in a database's definition, as one text to compare.
FINGERPRINT = r"""
SELECT md5(string_agg(line, E'\n' ORDER BY line)) FROM (
  SELECT concat_ws(' ', 'col', c.relname, a.attnum::text, a.attname, format_type(a.atttypid, a.atttypmod),
                   a.attnotnull::text, a.attidentity::text, a.attgenerated::text,
                   pg_get_expr(d.adbin, d.adrelid)) AS line
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE c.relnamespace = 'public'::regnamespace AND a.attnum > 0 AND NOT a.attisdropped
  UNION ALL SELECT concat_ws(' ', 'idx', pg_get_indexdef(i.indexrelid)) FROM pg_index i
    JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relnamespace = 'public'::regnamespace
  UNION ALL SELECT concat_ws(' ', 'con', conrelid::regclass::text, conname, pg_get_constraintdef(oid))
    FROM pg_constraint WHERE connamespace = 'public'::regnamespace
  UNION ALL SELECT concat_ws(' ', 'trg', pg_get_triggerdef(oid), tgenabled::text) FROM pg_trigger
    WHERE NOT tgisinternal
  UNION ALL SELECT concat_ws(' ', 'fn', oid::regprocedure::text, md5(prosrc))
    FROM pg_proc WHERE pronamespace = 'public'::regnamespace
  UNION ALL SELECT concat_ws(' ', 'rel', relname, relkind::text, relacl::text, relrowsecurity::text)
    FROM pg_class WHERE relnamespace = 'public'::regnamespace
  UNION ALL SELECT concat_ws(' ', 'view', relname, md5(pg_get_viewdef(oid))) FROM pg_class
    WHERE relnamespace = 'public'::regnamespace AND relkind IN ('v', 'm')
  UNION ALL SELECT concat_ws(' ', 'nsp', nspname, nspowner::regrole::text, nspacl::text)
    FROM pg_namespace WHERE left(nspname, 3) <> 'pg_' AND nspname <> 'information_schema'
  UNION ALL SELECT concat_ws(' ', 'ext', extname) FROM pg_extension
  UNION ALL SELECT concat_ws(' ', 'set', array_to_string(setconfig, ',')) FROM pg_db_role_setting
    WHERE setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())
  UNION ALL SELECT concat_ws(' ', 'pol', polname) FROM pg_policy
  UNION ALL SELECT concat_ws(' ', 'rule', rulename) FROM pg_rewrite WHERE rulename <> '_RETURN'
) lines
"""


def drop_database(admin: sa.Engine, name: str, *, seconds: float = 10) -> None:
    """``DROP DATABASE … WITH (FORCE)``, again while the cluster refuses it for a session in the
    database that FORCE may not end for a role that is not a superuser (42501: an autovacuum
    worker, a session still starting — "must be a member of the role whose process is being
    terminated"); such a session is gone within moments."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            return
        except sa.exc.DBAPIError as e:
            if getattr(e.orig, "sqlstate", None) != "42501" or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


class Contents:
    """What a fresh database holds besides its definition: each table's rows (as JSON) and
    each sequence's position."""

    def __init__(self, conn: sa.Connection) -> None:
        tables = {r[0] for r in conn.exec_driver_sql(
            "SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = 'public'")}
        refers = {(a, b) for a, b in conn.exec_driver_sql(  # (table, the table it refers to)
            "SELECT (SELECT quote_ident(relname) FROM pg_class WHERE oid = conrelid), "
            "(SELECT quote_ident(relname) FROM pg_class WHERE oid = confrelid) "
            "FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace "
            "AND conrelid <> confrelid")}
        self.tables = []  # emptied in this order: a table before those it refers to
        while tables:
            free = sorted(t for t in tables if not any(b == t and a in tables for a, b in refers))
            if not free:
                raise RuntimeError(f"foreign keys in a circle: {sorted(tables)}")
            self.tables += free
            tables -= set(free)
        self.rows = {t: [r[0] for r in conn.exec_driver_sql(f"SELECT row_to_json(t)::text FROM {t} t")]
                     for t in self.tables}
        self.sequences = [tuple(r) for r in conn.exec_driver_sql(
            "SELECT quote_ident(sequencename), last_value FROM pg_sequences WHERE schemaname = 'public'")]

    def write_back(self, conn: sa.Connection) -> None:
        for table in self.tables:  # (DELETE: ~10 ms for all of them, TRUNCATE ~30 ms)
            conn.exec_driver_sql(f"DELETE FROM {table}")
        for table in reversed(self.tables):
            rows = self.rows[table]
            if rows:  # (one statement a table: a pooled database's few rows, a campaign's backup)
                conn.exec_driver_sql(
                    f"INSERT INTO {table} SELECT * FROM json_populate_recordset(NULL::{table}, %(r)s::json)",
                    {"r": "[" + ",".join(rows) + "]"})
        for name, last in self.sequences:  # (last_value: None when never used)
            if last is None:
                conn.exec_driver_sql(f"ALTER SEQUENCE {name} RESTART")
            else:
                conn.exec_driver_sql("SELECT setval(%(s)s, %(v)s)", {"s": name, "v": last})


class DatabasePool:
    """Databases of one kind (``create(name)`` makes a fresh one) on the cluster ``admin``
    (an AUTOCOMMIT engine on the maintenance database) reaches."""

    def __init__(self, admin: sa.Engine, create: Callable[[str], None], *, empty: bool = False,
                 prefix: str = "weicha_t_") -> None:
        self._admin = admin
        self._create = create
        self._empty = empty
        self._prefix = prefix
        self._free: list[str] = []
        self._fresh: tuple[str, Contents] | None = None  # (fingerprint, contents) of a fresh one
        self.made = self.reused = self.dropped = 0
        self.rename_tries = 50  # (10 ms apart) for the sessions of a database given back to end

    def _engine(self, name: str) -> sa.Engine:
        return sa.create_engine(self._admin.url.set(database=name), poolclass=sa.NullPool)

    def take(self) -> str:
        """A database as new: one given back and reset, else one made now."""
        if self._free:
            self.reused += 1
            return self._free.pop()
        name = f"{self._prefix}{secrets.token_hex(6)}"
        self._create(name)
        self.made += 1
        if self._fresh is None:
            engine = self._engine(name)
            try:
                with engine.connect() as conn:
                    self._fresh = (conn.exec_driver_sql(FINGERPRINT).scalar(), Contents(conn))
            finally:
                engine.dispose()
        return name

    def give_back(self, name: str) -> None:
        """Reset ``name`` for the next test (under a new name), or drop it."""
        renamed = self._rename(name)
        if renamed is None or not self._reset(renamed):
            self.drop(renamed or name)
            return
        self._free.append(renamed)

    def drop(self, name: str) -> None:
        drop_database(self._admin, name)
        self.dropped += 1

    def close(self) -> None:
        while self._free:
            self.drop(self._free.pop())

    def _rename(self, name: str) -> str | None:
        """End the database's sessions and rename it; None when a session will not go."""
        new = f"{self._prefix}{secrets.token_hex(6)}"
        for _ in range(self.rename_tries):
            try:
                with self._admin.connect() as conn:
                    # the tests' sessions (an autovacuum worker is the cluster's, not ours to
                    # end: the rename waits for it and tells it to stop)
                    conn.exec_driver_sql(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %(d)s "
                        "AND pid <> pg_backend_pid() AND backend_type = 'client backend'", {"d": name})
                    conn.exec_driver_sql(f'ALTER DATABASE "{name}" RENAME TO "{new}"')
                    return new
            except sa.exc.DBAPIError:  # a session still ending (or a new one)
                time.sleep(0.01)
        return None

    def _reset(self, name: str) -> bool:
        assert self._fresh is not None
        fingerprint, contents = self._fresh
        engine = self._engine(name)
        try:
            with engine.begin() as conn:
                if self._empty:
                    conn.exec_driver_sql("DROP SCHEMA public CASCADE")
                    conn.exec_driver_sql("CREATE SCHEMA public AUTHORIZATION pg_database_owner")
                    conn.exec_driver_sql("GRANT USAGE ON SCHEMA public TO PUBLIC")
                    conn.exec_driver_sql("COMMENT ON SCHEMA public IS 'standard public schema'")
                if conn.exec_driver_sql(FINGERPRINT).scalar() != fingerprint:
                    return False
                contents.write_back(conn)
            return True
        except sa.exc.DBAPIError:
            return False
        finally:
            engine.dispose()
