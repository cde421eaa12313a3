"""A patrol's summary: how long, how far (haversine over its route points, in their order),
how many points and observations, the records linked to it (core/collect/links.py) and the
checks its officers made while it ran (the check log, core/checks: by user and time).

A check belongs to a patrol when its user is one of the patrol's officers who are users here
(``record_people``, role ``officers``; none matched: whoever created the patrol) and it was
made between the start and the end (an ongoing patrol: until now). Checks are not records, so
they are not linked one by one: the log already says who checked what and when."""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any, Iterable, Mapping

EARTH_RADIUS_M = 6_371_008.8  # mean radius (IUGG)


def haversine_m(a: Mapping[str, Any], b: Mapping[str, Any]) -> float:
    """The great-circle distance in metres between two points {lat, lon} (degrees)."""
    la1, lo1, la2, lo2 = (math.radians(float(x)) for x in (a["lat"], a["lon"], b["lat"], b["lon"]))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def route_length_m(points: Iterable[Mapping[str, Any]]) -> float:
    """The length of the route through ``points`` in their order (rows without both
    coordinates are passed over)."""
    usable = [p for p in points if isinstance(p, Mapping) and _number(p.get("lat")) and _number(p.get("lon"))]
    return sum(haversine_m(a, b) for a, b in zip(usable, usable[1:]))


def _number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


@dataclass
class PatrolSummary:
    started_at: str | None
    ended_at: str | None
    ongoing: bool
    duration_minutes: int | None
    distance_m: float
    points: int
    observations: int
    records: int
    checks: int
    hits: int
    check_list: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def text(self) -> str:
        if self.duration_minutes is None:
            took = "时长未知"
        else:
            h, m = divmod(self.duration_minutes, 60)
            took = f"{'已进行' if self.ongoing else '历时'} {h} 小时 {m} 分" if h else \
                f"{'已进行' if self.ongoing else '历时'} {m} 分钟"
        km = f"{self.distance_m / 1000:.2f} 公里"
        return (f"{took}，路线 {km}（{self.points} 个路线点），发现情况 {self.observations} 条，"
                f"关联记录 {self.records} 条，核查 {self.checks} 次（命中 {self.hits} 次）")


def parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return None
    return when if when.tzinfo else None


def checks_during(conn, user_ids: list[str], start: datetime, end: datetime) -> list[dict[str, Any]]:
    """The checks of ``user_ids`` made in [start, end], oldest first. The log's times carry
    offsets: a string range one day wider narrows the rows, the parsed times decide."""
    if not user_ids:
        return []
    low = (start - timedelta(days=1)).isoformat()
    high = (end + timedelta(days=1)).isoformat()
    rows = conn.execute(
        f"SELECT id, at, user_name, kind, key, result FROM checks WHERE user_id IN "
        f"({', '.join('?' * len(user_ids))}) AND at >= ? AND at <= ? ORDER BY at, id",
        (*user_ids, low, high)).fetchall()
    out = []
    for cid, at, user, kind, key, result in rows:
        when = parse_time(at)
        if when is not None and start <= when <= end:
            out.append({"id": cid, "at": at, "user": user, "kind": kind, "key": key, "result": result})
    return out
