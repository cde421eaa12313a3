"""What a new record, or a new row of a repeat group, starts with: the form declares it
(``prefill:`` on a field, forms/scene_investigation.yaml), this module computes it.

    user         the logged-in user's DISPLAY name (never the login name): a text (笔录人,
                 照相人, 提取人), a person ({name, unit}), a group of people (one row: 勘验人员)
    unit         the unit's name, known since setup (现场勘验单位)
    now          the clock's time, to the minute (勘验开始时间, 提取时间); a date field: today
    photo_count  the photos in the record's photo log (照片张数; 0 for a new record: the form
                 then keeps it in step while it holds what the log gave; a number typed over
                 is kept, and ``weicha photos import`` does not change the record: the form's
                 rule ``photo_total`` is a notice (``level: notice``, 提示) naming both numbers
                 when they differ — never a blocker: the 笔录 counts the photos taken at the
                 scene, the photo pages may attach a selection)
    photo_end    the camera time of the record's last photo, to the minute (勘验结束时间: the
                 scene's last shot; nothing for a new record: the form fills it as photos come
                 in, while it is empty or still what it gave; a file's own time is not used)
    <field id>   a field beside it that it follows while the user has not typed it over
                 (现场地点 ← 发案地点, 类别 ← 名称, 提取方法 ← 类别): nothing at creation;
                 core/forms/derive.py says what a value gives, the form fills it as it is typed

The clock and the user are passed in (``Context``; ``context(store, actor)`` takes them from
the service's store and actor): no ``date.today()`` here. A value the caller gives wins over
a prefill (``RecordService.create`` merges them), and a prefill never fills a readonly field
(``forms check`` refuses one)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from weicha_desktop.core.forms.spec import PREFILL_SOURCES, Field, FormSpec
from weicha_desktop.core.store import Actor, Store


@dataclass(frozen=True)
class Context:
    user: str            # display name ("" when the user has none: nothing is prefilled)
    unit: str            # the unit's name ("" if setup did not record one)
    now: datetime        # aware
    photo_count: int = 0


def context(store: Store, actor: Actor, photo_count: int = 0) -> Context:
    """The prefill context of ``actor`` working in ``store`` (its clock, its unit)."""
    return Context(user=(actor.display_name or "").strip(), unit=(store.meta("unit_name") or "").strip(),
                   now=store.clock.now(), photo_count=photo_count)


def value(field: Field, ctx: Context) -> Any:
    """The value ``field``'s prefill gives in ``ctx`` (None: nothing to fill)."""
    source = field.prefill
    if source == "user" and ctx.user:
        if field.type == "text":
            return ctx.user
        person = {"name": ctx.user}
        if ctx.unit and any(f.id == "unit" for f in field.fields):
            person["unit"] = ctx.unit
        return [person] if field.type == "repeat" else person
    if source == "unit" and ctx.unit:
        return ctx.unit
    if source == "now":
        now = ctx.now.replace(second=0, microsecond=0)
        return now.date().isoformat() if field.type == "date" else now.isoformat()
    if source == "photo_count":
        return ctx.photo_count
    return None


def record_values(spec: FormSpec, ctx: Context) -> dict[str, Any]:
    """The prefilled top-level values of a new record of ``spec``."""
    return {f.id: v for f in spec.all_fields() if f.prefill and (v := value(f, ctx)) is not None}


def row_values(group: Field, ctx: Context, row: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The prefilled values of a new row of the repeat group ``group`` (提取人, 提取时间),
    for the sub-fields ``row`` leaves empty (None: all of them)."""
    row = row or {}
    return {f.id: v for f in group.fields
            if f.prefill and row.get(f.id) in (None, "") and (v := value(f, ctx)) is not None}


def prefilled_fields(spec: FormSpec) -> list[str]:
    """The paths a new record or row of ``spec`` may be prefilled at (``evidence.collector``;
    not the fields that follow another: they start empty)."""
    out = []
    for f in spec.all_fields():
        if f.prefill in PREFILL_SOURCES:
            out.append(f.id)
        if f.type == "repeat":
            out += [f"{f.id}.{sub.id}" for sub in f.fields if sub.prefill in PREFILL_SOURCES]
    return out


def photo_end(store: Store, record_id: str) -> str | None:
    """The latest camera time (EXIF) of the record's photos, to the minute, ISO 8601 with its
    offset (a camera that wrote none: the clock's); None without one."""
    from weicha_desktop.core.labels import TIME_SOURCES, time_source_label

    camera = TIME_SOURCES["camera"].text("zh")
    zone = store.clock.now().tzinfo
    latest = None
    for taken_at, source in store.conn.execute(
            "SELECT taken_at, time_source FROM photos WHERE record_id = ? AND removed_at IS NULL "
            "AND taken_at IS NOT NULL", (record_id,)):
        if time_source_label(source) != camera:
            continue
        try:
            when = datetime.fromisoformat(taken_at)
        except (TypeError, ValueError):
            continue
        when = when if when.tzinfo else when.replace(tzinfo=zone)
        latest = when if latest is None or when > latest else latest
    return latest.replace(second=0, microsecond=0).isoformat() if latest else None


def photo_count(store: Store, record_id: str) -> int:
    """The photos in a record's photo log now (what ``photo_count`` prefills and the form
    keeps 照片张数 in step with)."""
    from weicha_desktop.core.photos import photo_log  # the photo log's own reading
    return len(photo_log(store.conn, record_id))
