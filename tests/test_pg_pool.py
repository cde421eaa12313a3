"""tests/pg_pool.py: a database given back is, for the next test, exactly a new one — or it
is dropped. Each promise broken on purpose: rows left, a connection that outlives its test,
a definition changed."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.pg_pool import DatabasePool, drop_database
from tests.server_support import _admin, _templates


def _state(admin: sa.Engine, name: str) -> dict:
    """Every table's rows, every sequence's position, in ``name``."""
    engine = sa.create_engine(admin.url.set(database=name), poolclass=sa.NullPool)
    try:
        with engine.connect() as conn:
            tables = [r[0] for r in conn.exec_driver_sql(
                "SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")]
            state = {t: sorted(r[0] for r in conn.exec_driver_sql(f"SELECT row_to_json(t)::text FROM {t} t"))
                     for t in tables}
            state["<sequences>"] = [tuple(r) for r in conn.exec_driver_sql(
                "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1")]
            return state
    finally:
        engine.dispose()


def _run(admin: sa.Engine, name: str, *sql: str) -> None:
    engine = sa.create_engine(admin.url.set(database=name), poolclass=sa.NullPool)
    try:
        with engine.begin() as conn:
            for statement in sql:
                conn.exec_driver_sql(statement)
    finally:
        engine.dispose()


def _exists(admin: sa.Engine, name: str) -> bool:
    with admin.connect() as conn:
        return bool(conn.exec_driver_sql("SELECT 1 FROM pg_database WHERE datname = %(n)s", {"n": name}).scalar())


@pytest.fixture
def pools():
    admin = _admin()
    template = _templates.pg()

    def from_template(name):
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')

    def empty(name):
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    made = [DatabasePool(admin, from_template), DatabasePool(admin, empty, empty=True)]
    handed: list[str] = []  # every name a pool gave a test

    def recording(take):
        def took() -> str:
            handed.append(take())
            return handed[-1]
        return took
    for pool in made:
        pool.take = recording(pool.take)
    yield admin, made
    for pool in made:
        pool.close()
    for name in handed:  # one a test kept (never given back) is dropped too, not left on the
        drop_database(admin, name)  # cluster (~8 MB each); a name given back is gone already


def test_a_database_given_back_comes_again_as_new(pools):
    admin, [pool, _] = pools
    first = pool.take()
    fresh = _state(admin, first)
    assert fresh["server_meta"] and fresh["schema_version"]  # a migrated template's rows
    _run(admin, first, "UPDATE server_meta SET value = 'changed'", "DELETE FROM schema_version")
    tables = [t for t in fresh if not t.startswith("<")]
    for table in tables:  # a row more in every table that takes one with its defaults
        try:
            _run(admin, first, f"INSERT INTO {table} DEFAULT VALUES")
        except sa.exc.DBAPIError:
            pass
    assert _state(admin, first) != fresh
    pool.give_back(first)
    again = pool.take()
    assert again != first and not _exists(admin, first)  # renamed: the old name reaches nothing
    assert _state(admin, again) == fresh
    assert (pool.made, pool.reused, pool.dropped) == (1, 1, 0)
    pool.give_back(again)


def test_a_connection_that_outlives_its_test_cannot_reach_the_next_one(pools):
    admin, [pool, _] = pools
    name = pool.take()
    stale = sa.create_engine(admin.url.set(database=name), poolclass=sa.NullPool)
    conn = stale.connect()
    conn.exec_driver_sql("SELECT 1")
    pool.give_back(name)  # the session ended, the database renamed
    with pytest.raises(sa.exc.DBAPIError):
        conn.exec_driver_sql("UPDATE server_meta SET value = 'late'")
    conn.close()
    with pytest.raises(sa.exc.OperationalError, match="does not exist"):
        stale.connect()
    stale.dispose()
    assert pool.take() != name and pool.reused == 1


@pytest.mark.parametrize("change", [
    "CREATE TABLE extra (a int)",
    "DROP INDEX {index}",
    "ALTER TABLE server_meta ADD COLUMN more text",
    "ALTER TABLE server_meta ALTER COLUMN value DROP NOT NULL",
    "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'",
    "REVOKE ALL ON server_meta FROM PUBLIC\nGRANT SELECT ON server_meta TO PUBLIC",
    "CREATE SCHEMA elsewhere",
    "ALTER DATABASE {db} SET work_mem = '8MB'",
    "CREATE FUNCTION t() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END'\n"
    "CREATE TRIGGER tr BEFORE INSERT ON server_meta FOR EACH ROW EXECUTE FUNCTION t()",
    "CREATE VIEW v AS SELECT 1 AS one",
])
def test_a_database_whose_definition_changed_is_dropped_not_reused(pools, change):
    admin, [pool, _] = pools
    name = pool.take()
    engine = sa.create_engine(admin.url.set(database=name), poolclass=sa.NullPool)
    with engine.connect() as conn:
        index = conn.exec_driver_sql(  # an index of the schema that is not a constraint's
            "SELECT indexname FROM pg_indexes i WHERE schemaname = 'public' AND NOT EXISTS "
            "(SELECT FROM pg_constraint c WHERE c.conname = i.indexname) LIMIT 1").scalar()
        assert index
    engine.dispose()
    _run(admin, name, *change.format(index=index, db=name).split("\n"))
    pool.give_back(name)
    assert (pool.reused, pool.dropped) == (0, 1)
    assert not pool._free
    again = pool.take()
    assert pool.made == 2 and again != name


def test_an_empty_database_comes_back_empty(pools):
    admin, [_, pool] = pools
    name = pool.take()
    assert _state(admin, name) == {"<sequences>": []}
    _run(admin, name, "CREATE TABLE t (a serial primary key, b text)", "INSERT INTO t (b) VALUES ('x')")
    pool.give_back(name)
    again = pool.take()
    assert _state(admin, again) == {"<sequences>": []}
    assert (pool.made, pool.reused, pool.dropped) == (1, 1, 0)


class _Refused(Exception):
    sqlstate = "42501"  # insufficient privilege


class _Refusing:
    """The admin engine, but statements with ``match`` in them are refused ``times`` times, as
    PostgreSQL refuses ending a session not ours (an autovacuum worker in the database)."""

    def __init__(self, engine: sa.Engine, times: int, match: str = "pg_terminate_backend"):
        self.engine, self.times, self.url, self.match = engine, times, engine.url, match

    def connect(self):
        outer = self

        class Conn:
            def __init__(self, conn):
                self.conn = conn

            def __enter__(self):
                self.conn.__enter__()
                return self

            def __exit__(self, *exc):
                return self.conn.__exit__(*exc)

            def exec_driver_sql(self, sql, *args):
                if outer.match in sql and outer.times > 0:
                    outer.times -= 1
                    raise sa.exc.ProgrammingError(sql, {}, _Refused("must be a member of the role whose process is being terminated"))
                return self.conn.exec_driver_sql(sql, *args)
        return Conn(self.engine.connect())


@pytest.mark.parametrize("times, reused", [(3, True), (10**6, False)])
def test_a_session_that_cannot_be_ended_is_waited_for_or_the_database_dropped(pools, times, reused):
    admin, [pool, _] = pools
    name = pool.take()
    pool._admin = _Refusing(admin, times)
    pool.rename_tries = 5  # (50 by default: 0.5 s of waiting when the session never ends)
    pool.give_back(name)  # no error either way
    pool._admin = admin
    assert not _exists(admin, name)
    assert (pool.reused, pool.dropped) == (0, 0 if reused else 1)
    assert len(pool._free) == (1 if reused else 0)


def test_a_drop_refused_for_an_autovacuum_worker_is_tried_again(pools):
    from tests.pg_pool import drop_database

    admin, [pool, _] = pools
    name = pool.take()
    drop_database(_Refusing(admin, 3, match="DROP DATABASE"), name)
    assert not _exists(admin, name)
    name = pool.take()
    with pytest.raises(sa.exc.ProgrammingError):  # refused for good: said, not hidden
        drop_database(_Refusing(admin, 10**6, match="DROP DATABASE"), name, seconds=0.1)
    assert _exists(admin, name)
    pool.drop(name)
