"""Shared test helpers (plain functions; fixtures that use them live in conftest.py)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from weicha_desktop.core.clock import FixedClock
from weicha_desktop.core.setup import initialize
from weicha_desktop.core.store import Store

CST = timezone(timedelta(hours=8))
UNIT = "450702000000"
PASSWORD = "secret-123"


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


def new_store(path: Path, *, slot: int = 1, slots: int = 1, clock=None) -> Store:
    store = Store.open(path, clock=clock or fixed_clock())
    initialize(store, unit_code=UNIT, unit_name="钦州市公安局钦南分局刑侦大队", admin_name="admin",
               admin_password=PASSWORD, device_slot=slot, device_slots=slots)
    return store


def tamper(db_path: Path, sql: str, *args) -> None:
    """Change the database behind the program's back: a raw connection, triggers dropped."""
    import sqlite3

    conn = sqlite3.connect(db_path)
    triggers = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
    for name, _ in triggers:
        conn.execute(f"DROP TRIGGER {name}")
    conn.execute(sql, args)
    for _, create in triggers:
        conn.execute(create)
    conn.commit()
    conn.close()
