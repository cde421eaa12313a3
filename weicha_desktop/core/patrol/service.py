"""巡逻 (record kind ``patrol``, forms/patrol.yaml) on RecordService's life (draft → finalized
→ reviewed, audit, outbox):

- ``create``: 开始时间 prefilled now, the logged-in officer as the first 巡逻民警;
- ``end(id)``: the patrol ends now — a step of its own (audit ``patrol.update`` with
  ``step: end``, op ``patrol.end`` with ``ended_at``: never compacted away); refused when it
  has ended, or when now is before its start;
- ``add_points(id, points)`` / ``import_gpx(id, path)``: route points appended (a GPX file's
  tracks and waypoints: gpx.py; at most MAX_POINTS a patrol — a denser track is thinned
  evenly, its first and last point kept, and the result says so);
- ``link(id, record)``: a person, vehicle or place collected on the way, linked to the patrol
  (role ``patrolled``; core/collect/links.py);
- ``summary(id)``: duration, distance, points, records, checks, hits (summary.py).

A 结束时间 before the 开始时间 is refused on every write; a patrol is finalized once ended."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Mapping

from weicha_desktop.core import drafts, prefill
from weicha_desktop.core.collect import lookup
from weicha_desktop.core.forms import default_values
from weicha_desktop.core import future_times
from weicha_desktop.core.future_times import require_past
from weicha_desktop.core.errors import InvalidState, Problem, ValidationFailed, WeichaError
from weicha_desktop.core.record_service import RecordService
from weicha_desktop.core.records import Record

from .gpx import read_gpx
from .summary import PatrolSummary, checks_during, parse_time, route_length_m

TIMES = {"started_at": "开始时间", "ended_at": "结束时间"}  # never in the future (core/future_times.py)
MAX_POINTS = 2000  # route points a patrol holds (each version and op carries them all)
LINK_ROLE = "patrolled"
OFFICERS = "officers"


class PatrolService(RecordService):
    kind = "patrol"
    noun = "巡逻记录"

    # ---- reading ---------------------------------------------------------------------------
    def label(self, record: Record) -> str:
        """How a patrol is named: 开始时间 + 区域 (2026-12-01 08:00 文峰路一带)."""
        return lookup.label_of(self.kind, record.data) or record.id[:8]

    def officer_ids(self, record: Record) -> list[str]:
        """The users named as 巡逻民警 (record_people), else the user who created the patrol."""
        ids = [r[0] for r in self.store.conn.execute(
            "SELECT DISTINCT user_id FROM record_people WHERE record_id = ? AND role = ? "
            "AND user_id IS NOT NULL", (record.id, OFFICERS))]
        if not ids:
            row = self.store.conn.execute("SELECT created_by FROM records WHERE id = ?", (record.id,)).fetchone()
            ids = [row[0]] if row else []
        return ids

    def checks(self, record: Record) -> list[dict[str, Any]]:
        """The checks the patrol's officers made while it ran (ongoing: until now)."""
        start = parse_time(record.data.get("started_at"))
        if start is None:
            return []
        end = parse_time(record.data.get("ended_at")) or self.store.clock.now()
        return checks_during(self.store.conn, self.officer_ids(record), start, end)

    def linked(self, record: Record) -> list[dict[str, Any]]:
        from weicha_desktop.core.collect import LinkService

        return LinkService(self.store, self.forms, self.actor).links_of(record.id)

    def summary(self, number_or_id: str | Record) -> PatrolSummary:
        record = number_or_id if isinstance(number_or_id, Record) else self.get(number_or_id)
        data = record.data
        start, end = parse_time(data.get("started_at")), parse_time(data.get("ended_at"))
        until = end or self.store.clock.now()
        minutes = int((until - start).total_seconds() // 60) if start and until >= start else None
        checks = self.checks(record)
        route = data.get("route") or []
        return PatrolSummary(
            started_at=data.get("started_at"), ended_at=data.get("ended_at"), ongoing=end is None,
            duration_minutes=minutes, distance_m=round(route_length_m(route), 1), points=len(route),
            observations=len(data.get("observations") or []), records=len(self.linked(record)),
            checks=len(checks), hits=sum(1 for c in checks if c["result"] == "hit"), check_list=checks)

    def list(self, *, status: str | None = None, text: str | None = None, ongoing: bool | None = None,
             limit: int = 50) -> list[dict[str, Any]]:
        """Patrols as the 采集 lists have them (returned drafts first, then the last changed;
        core/collect/lookup.py) with 开始/结束时间, 区域; ``ongoing``: of those, only the ones
        not ended (True) or ended (False)."""
        rows = lookup.list_records(self.store.conn, self.kind, text=text, status=status, limit=limit)
        return [r for r in rows if ongoing is None or ongoing == (r["ended_at"] is None)]

    # ---- changing --------------------------------------------------------------------------
    def end(self, number_or_id: str, note: str = "") -> Record:
        """End the patrol now (a step: ``patrol.end``)."""
        record = self.get(number_or_id)
        self._require_draft(record)
        if record.data.get("ended_at"):
            raise InvalidState(f"这次巡逻已于 {_shown(record.data['ended_at'])} 结束，不能再次结束。"
                               "如结束时间有误，请在表单中修改“结束时间”。")
        now = self.store.clock.now().replace(second=0, microsecond=0)
        start = parse_time(record.data.get("started_at"))
        if start is not None and now < start.replace(second=0):
            raise WeichaError(f"现在（{_shown(now.isoformat())}）早于巡逻的开始时间（{_shown(record.data['started_at'])}），"
                              "不能结束。请检查开始时间或本机时钟。")
        at = now.isoformat()
        note = (note or "").strip()
        return self._update(record, {"ended_at": at}, session=False, op="end", event={
            "summary": f"结束巡逻 {self.label(record)}（{_shown(at)}）{('：' + note) if note else ''}",
            "details": {"step": "end", "ended_at": at, **({"note": note} if note else {})},
            "payload": {"ended_at": at}})

    def add_points(self, number_or_id: str, points: Iterable[Mapping[str, Any]], *,
                   what: str = "") -> tuple[Record, dict[str, int]]:
        """Append route points; (record, {added, given, kept_total}). More than MAX_POINTS in
        all: the new points are thinned evenly to fit (first and last kept)."""
        record = self.get(number_or_id)
        old = list(record.data.get("route") or [])
        new = [{k: p.get(k) for k in ("lat", "lon", "time", "source", "note") if p.get(k) not in (None, "")}
               for p in points]
        room = MAX_POINTS - len(old)
        if not new:
            raise WeichaError("没有要添加的路线点。")
        _require_past_points(new, self.store.clock.now(), what)
        if room < 2 and len(new) > room:
            raise WeichaError(f"这次巡逻已有 {len(old)} 个路线点（上限 {MAX_POINTS}），不能再添加。")
        kept = thin(new, room)
        self._update(record, {"route": old + kept}, session=False, event={
            "summary": f"巡逻 {self.label(record)}：添加路线点 {len(kept)} 个{what}"
                       + (f"（原 {len(new)} 个，已均匀抽稀）" if len(kept) < len(new) else ""),
            "details": {"step": "points", "added": len(kept), "given": len(new)}})
        return self.get(record.id), {"added": len(kept), "given": len(new), "total": len(old) + len(kept)}

    def import_gpx(self, number_or_id: str, path: str | Path) -> tuple[Record, dict[str, int]]:
        """The GPX file's track points and waypoints appended to the route (gpx.py); a file
        that is empty, broken or hostile is refused and nothing is imported."""
        points = read_gpx(path, self.store.clock.now().tzinfo)
        return self.add_points(number_or_id, points, what=f"（GPX：{Path(path).name}）")

    def link(self, number_or_id: str, record_key: str, note: str = "") -> dict[str, Any]:
        """Link a person, vehicle or place (its id, 身份证号 or 号牌) to the patrol."""
        from weicha_desktop.core.collect import LinkService

        record = self.get(number_or_id)
        return LinkService(self.store, self.forms, self.actor).link(record_key, record.id, LINK_ROLE, note)

    def create(self, values: dict[str, Any] | None = None) -> Record:
        """Also refused: a 结束时间 before the 开始时间 (typed, or the prefilled now)."""
        if isinstance(values, dict) and values.get("ended_at"):
            spec = self.forms.latest(self.form_id)
            data = default_values(spec)
            data.update(prefill.record_values(spec, prefill.context(self.store, self.actor)))
            _require_order(drafts.apply(data, values))
        return super().create(values)

    def blockers(self, number_or_id: str) -> list[Problem]:
        """Also: a patrol that has not ended, or ended before it started, cannot be finalized."""
        problems = super().blockers(number_or_id)
        data = self.get(number_or_id).data
        if not data.get("ended_at"):
            problems.append(Problem("ended_at", "巡逻尚未结束：请先“结束巡逻”（或填写结束时间）再定稿。", "required"))
        elif not any(p.path == "ended_at" and p.rule in ("order", "time_order") for p in problems):
            problems += _order_problems(data)
        return problems

    def _checked_input(self, spec, values: dict[str, Any]) -> dict[str, Any]:
        """Also refused: a 开始/结束时间 in the future, more than MAX_POINTS route points
        (typed or in a JSON file)."""
        if isinstance(values, dict):
            require_past(values, TIMES, self.store.clock.now())
        route = values.get("route") if isinstance(values, dict) else None
        if isinstance(route, list) and len(route) > MAX_POINTS:
            raise ValidationFailed([Problem("route", f"路线点过多（{len(route)} 个，最多 {MAX_POINTS} 个）："
                                                     "请减少路线点，或用 GPX 导入（会自动均匀抽稀）。", "maxcount")])
        return super()._checked_input(spec, values)

    def _update(self, record: Record, values: dict[str, Any], **kw) -> Record:
        if isinstance(values, dict) and ("started_at" in values or "ended_at" in values):
            _require_order({**record.data, **values})
        return super()._update(record, values, **kw)


def _require_past_points(points: list[dict[str, Any]], now, what: str) -> None:
    """Route points are where the patrol went: a point dated in the future (a device's clock
    set wrong, a forged track) refuses them all."""
    ahead = [(i, when) for i, p in enumerate(points, 1)
             if (when := future_times.parsed(p.get("time"), now.tzinfo)) and future_times.is_future(when, now)]
    if ahead:
        i, when = ahead[0]
        raise WeichaError(f"有 {len(ahead)} 个路线点{what}的时间在未来（第 {i} 个：{future_times.shown(when, now)}，"
                          f"现在是 {future_times.shown(now, now)}），未添加任何路线点。"
                          "请检查定位设备或本机的日期和时钟后重新导出、导入。")


def _order_problems(data: Mapping[str, Any]) -> list[Problem]:
    start, end = parse_time(data.get("started_at")), parse_time(data.get("ended_at"))
    if start and end and end < start:
        return [Problem("ended_at", f"结束时间（{_shown(data['ended_at'])}）早于开始时间"
                                    f"（{_shown(data['started_at'])}）：请改正其中之一。", "order")]
    return []


def _require_order(data: Mapping[str, Any]) -> None:
    problems = _order_problems(data)
    if problems:
        raise ValidationFailed(problems)


def thin(points: list[dict[str, Any]], room: int) -> list[dict[str, Any]]:
    """``points`` as they are if they fit in ``room``, else ``room`` of them evenly spaced,
    the first and the last kept."""
    if len(points) <= room:
        return points
    if room < 2:
        return points[:max(room, 0)]
    step = (len(points) - 1) / (room - 1)
    return [points[round(i * step)] for i in range(room)]


def _shown(iso: str) -> str:
    """2026-12-01T08:05:00+08:00 → 2026-12-01 08:05."""
    return iso[:16].replace("T", " ") if isinstance(iso, str) else str(iso)
