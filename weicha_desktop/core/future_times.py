"""Times that have not happened yet: what an officer records (a request's 受理时间, a patrol's
start and end, a GPX track's points) happened already, so a time more than TOLERANCE after the
store's clock (injected: tests move it) is refused with what it is and what to check. The
tolerance covers two devices' clocks a few minutes apart."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Mapping

from weicha_desktop.core.errors import Problem, ValidationFailed

TOLERANCE = timedelta(minutes=10)


def parsed(value: Any, tz) -> datetime | None:
    """An ISO time (a time without offset in ``tz``), or None for anything else."""
    if not isinstance(value, str):
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=tz)


def is_future(when: datetime, now: datetime) -> bool:
    return when > now + TOLERANCE


def shown(when: datetime, now: datetime) -> str:
    """2027-01-05 09:00, in the clock's zone."""
    return when.astimezone(now.tzinfo).strftime("%Y-%m-%d %H:%M")


def future_problems(values: Mapping[str, Any], labels: Mapping[str, str], now: datetime) -> list[Problem]:
    """A Problem for each field of ``labels`` (id → its Chinese label) whose time in
    ``values`` is in the future."""
    out = []
    for field, label in labels.items():
        when = parsed(values.get(field), now.tzinfo) if isinstance(values, Mapping) else None
        if when is not None and is_future(when, now):
            out.append(Problem(field, f"{label}（{shown(when, now)}）在未来（现在是 {shown(now, now)}）："
                                      "只能填写已经发生的时间。请检查所填时间，或本机的日期和时钟。", "future"))
    return out


def require_past(values: Mapping[str, Any], labels: Mapping[str, str], now: datetime) -> None:
    problems = future_problems(values, labels, now)
    if problems:
        raise ValidationFailed(problems)
