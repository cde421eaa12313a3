"""The server's PostgreSQL connections (weicha_server/db.py make_engine): a pooled connection is
pinged before it is handed out only when it lay idle for IDLE_PING_S or more, not on every
checkout (``pool_pre_ping`` cost a round trip per request) — and a connection cut while idle
(a restart of the database, a failover, a firewall) is still found and replaced before any
request uses it. A connection cut within that second fails one request (503 at the API) and
the pool renews itself: the next checkout works."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from weicha_server import db

from tests.server_support import _admin, pg_admin_url

PID = "SELECT pg_backend_pid()"


@pytest.fixture
def engine():
    engine = db.make_engine(pg_admin_url(), pool_size=1)
    yield engine
    engine.dispose()


def pid_of(engine) -> int:
    with engine.connect() as conn:
        return conn.exec_driver_sql(PID).scalar()


def cut(pid: int) -> None:
    with _admin().connect() as conn:
        assert conn.exec_driver_sql(f"SELECT pg_terminate_backend({int(pid)})").scalar()


def test_a_busy_connection_is_not_pinged_an_idle_one_is_and_a_cut_one_is_replaced(engine, monkeypatch):
    pings = []
    ping = engine.dialect.do_ping
    monkeypatch.setattr(engine.dialect, "do_ping", lambda c: pings.append(1) or ping(c))
    first = pid_of(engine)
    assert [pid_of(engine) for _ in range(3)] == [first] * 3  # the pooled connection, used again
    assert pings == []  # in use a moment ago: no round trip before each request

    monkeypatch.setattr(db, "IDLE_PING_S", 0.0)  # as if it had lain idle
    assert pid_of(engine) == first and pings == [1]  # pinged, alive, kept
    cut(first)
    second = pid_of(engine)  # pinged, found cut, replaced before the query ran
    assert second != first and len(pings) == 2


def test_a_connection_cut_while_busy_fails_one_request_and_the_pool_renews(engine):
    first = pid_of(engine)
    cut(first)
    with pytest.raises(sa.exc.OperationalError) as failed:  # the API answers it 503 (app.py)
        pid_of(engine)
    assert failed.value.connection_invalidated
    assert pid_of(engine) not in (None, first)


def test_a_ping_that_fails_any_way_replaces_the_connection(engine, monkeypatch):
    """A backend ended while the idle ping was on its way failed the ping with a ProgrammingError
    (SQLAlchemy's ping could not put the connection's autocommit back: "connection in transaction
    status ACTIVE"), which was raised to the request instead of the connection being replaced."""
    import psycopg

    first = pid_of(engine)
    monkeypatch.setattr(db, "IDLE_PING_S", 0.0)
    real = engine.dialect.do_ping

    def ping(conn):
        monkeypatch.setattr(engine.dialect, "do_ping", real)  # once
        cut(first)
        raise psycopg.ProgrammingError("can't change 'autocommit' now: connection in transaction status ACTIVE")

    monkeypatch.setattr(engine.dialect, "do_ping", ping)
    assert pid_of(engine) not in (None, first)  # replaced before the query ran
