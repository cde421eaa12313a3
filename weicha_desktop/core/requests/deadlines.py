"""Each request type's deadline (forms/choices/request_deadlines.tsv: type code, hours, words),
counted from the request's 受理时间; a request not 已办结 past it is overdue."""
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

DEADLINES_FILE = Path("choices") / "request_deadlines.tsv"


class Deadlines:
    """The deadlines of one forms folder, read at their first use."""

    def __init__(self, forms_dir: str | Path):
        self.path = Path(forms_dir) / DEADLINES_FILE
        self._hours: dict[str, float] | None = None

    @property
    def hours(self) -> dict[str, float]:
        if self._hours is None:
            hours: dict[str, float] = {}
            with open(self.path, encoding="utf-8") as f:
                for n, line in enumerate(f, 1):
                    if line.startswith("#") or not line.strip():
                        continue
                    code, value, *_ = line.rstrip("\n").split("\t") + [""]
                    try:
                        hours[code.strip()] = float(value)
                    except ValueError:
                        raise ValueError(f"{self.path}:{n}: 办理期限应为小时数，不是“{value}”") from None
            self._hours = hours
        return self._hours

    def due(self, request_type: str | None, received_at: datetime | None) -> datetime | None:
        """When a request of ``request_type`` received at ``received_at`` is due (None: no
        deadline for the type, or no time)."""
        hours = self.hours.get(request_type or "")
        if hours is None or received_at is None:
            return None
        return received_at + timedelta(hours=hours)
