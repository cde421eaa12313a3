"""Time. Stored times are ISO-8601 with the UTC offset, to the second, e.g.
``2026-11-27T14:05:09+08:00``. A Clock is passed into services so tests can fix time."""
from __future__ import annotations

from datetime import datetime, timedelta


class Clock:
    """The machine's local time, offset included."""

    def now(self) -> datetime:
        return datetime.now().astimezone().replace(microsecond=0)

    def iso(self) -> str:
        return self.now().isoformat()


class FixedClock(Clock):
    """A clock for tests: starts at ``start`` and advances ``step`` on every reading."""

    def __init__(self, start: datetime, step: timedelta = timedelta(seconds=1)):
        if start.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._t = start
        self._step = step

    def now(self) -> datetime:
        t = self._t
        self._t = t + self._step
        return t


def parse_iso(value: str) -> datetime:
    """Parse an ISO-8601 time that must carry an offset."""
    dt = datetime.fromisoformat(value)
    if dt.tzinfo is None:
        raise ValueError(f"时间缺少时区偏移：{value}")
    return dt
