"""``GET /v1/pull/{table}?cursor=…``: what comes down to a laptop (docs/sync-protocol.md, "Pull").

Answer ``{"rows": [...], "cursor": "…", "complete": bool}``; the client asks again with the
cursor until ``complete`` and applies the table's rows only then. The cursor is opaque to the
client: URL-safe base64 of ``{"v": 1, "t": table, …}``; a cursor of another table, or one
that is not this server's form, is 422 ``bad_cursor``; one past what the server holds (the
server restored from an older backup) is 409 ``cursor_ahead`` — pull from the start.

- ``users`` (of the device's unit), ``forms``, ``code_tables``, ``watch_lists``: rows in
  ``change_seq`` order; the cursor holds the last ``change_seq`` seen (numbers commit in
  order: reference.py).
- ``unit_records``: the record and photo ops other devices of this device's unit pushed and
  the server applied, of records **finalized at least once** (a draft never finalized stays on
  its laptop), per device in ``device_seq`` order up to that device's contiguous mark (a
  supervisor's laptop applies them with core/sync/apply.py as read-only copies). A record's
  ops the stream passed while it was a draft come with its first finalize. The cursor
  holds each device's last seq seen; ``covered`` in the answer gives, per device, the range
  this page looked at: numbers in it that no row carries were compacted, rejected or never
  held (core/sync/apply.py treats them as compacted).
- ``decisions``: review ops of other devices on records this device owns (the server's
  ``records.owner_device_id``), applied by the server, by the same per-device cursor."""
from __future__ import annotations

import base64
import binascii
import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from weicha_server.auth import Device
from weicha_server.db import code_tables, counters, devices, form_versions, ops, records, users, watch_lists
from weicha_server.errors import ApiError

REFERENCE = ("users", "forms", "code_tables", "watch_lists")
STREAMS = ("unit_records", "decisions")
TABLES = REFERENCE + STREAMS
PAGE_ROWS = {"users": 1000, "forms": 20, "code_tables": 200, "watch_lists": 2000,
             "unit_records": 200, "decisions": 500}
PAGE_BYTES = 4 * 1024 * 1024  # envelopes in one page of a stream (a draft is ~8 KB)
MAX_CURSOR = 64 * 1024


def bad_cursor(why: str) -> ApiError:
    return ApiError(422, "bad_cursor", f"同步游标无效（{why}）：本机将从头重新获取这张表。")


def encode(table: str, value: Any) -> str:
    text = json.dumps({"v": 1, "t": table, "c": value}, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(text.encode("utf-8")).decode("ascii").rstrip("=")


def decode(table: str, cursor: str | None) -> Any:
    """The position a cursor holds (None: from the start); ApiError 422 for garbage."""
    if cursor is None or cursor == "":
        return None
    if len(cursor) > MAX_CURSOR or not cursor.isascii():
        raise bad_cursor("过长或含非 ASCII 字符")
    try:
        body = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError, RecursionError):
        raise bad_cursor("无法解读") from None
    if not isinstance(body, dict) or body.get("v") != 1 or "c" not in body:
        raise bad_cursor("格式不对")
    if body.get("t") != table:
        raise bad_cursor(f"属于另一张表 {str(body.get('t'))[:20]}，不是 {table}")
    value = body["c"]
    if table in REFERENCE:
        if not _count(value):
            raise bad_cursor("位置不是非负整数")
    elif not isinstance(value, dict) or len(value) > 10_000 or not all(
            isinstance(k, str) and len(k) <= 64 and _count(v) for k, v in value.items()):
        raise bad_cursor("设备位置不对")
    return value


def _count(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 2 ** 62


def pull(conn: Connection, device: Device, table: str, cursor: str | None,
         limit: int | None = None) -> dict[str, Any]:
    """One page (at most ``limit`` rows, or the table's page size)."""
    if table not in TABLES:
        raise ApiError(404, "no_table", f"没有可获取的表“{table[:40]}”：可用的有 {'、'.join(TABLES)}。")
    position = decode(table, cursor)
    rows = min(limit or PAGE_ROWS[table], PAGE_ROWS[table])
    if table in REFERENCE:
        return _reference(conn, device, table, position or 0, rows)
    return _stream(conn, device, table, position or {}, rows)


# ---- reference tables --------------------------------------------------------------------------
def _reference(conn: Connection, device: Device, table: str, after: int, limit: int) -> dict[str, Any]:
    top = conn.execute(sa.select(counters.c.value).where(counters.c.name == "change_seq")).scalar() or 0
    if after > top:
        raise ApiError(409, "cursor_ahead", "同步游标超出服务器现有的数据（服务器可能从较早的备份恢复过）：本机将从头重新获取。")
    t, seq, where, shape = _SHAPES[table](device)
    rows = conn.execute(sa.select(t).where(seq > after, *where).order_by(seq).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    last = getattr(rows[-1], seq.name) if rows else after
    return {"rows": [shape(r) for r in rows], "cursor": encode(table, last), "complete": not more}


def _users(device: Device):
    where = (users.c.unit_code == device.unit_code,) if device.unit_code else ()
    return users, users.c.updated_seq, where, lambda r: {
        "id": r.id, "unit_code": r.unit_code, "badge_no": r.badge_no, "name": r.name,
        "display_name": r.display_name, "role": r.role, "active": bool(r.active), "seq": r.updated_seq}


def _forms(device: Device):
    return form_versions, form_versions.c.change_seq, (), lambda r: {
        "form_id": r.form_id, "version": r.version, "title": r.title, "record_kind": r.record_kind,
        "sha256": r.sha256, "source": r.source, "seq": r.change_seq}


def _code_tables(device: Device):
    return code_tables, code_tables.c.change_seq, (), lambda r: {
        "id": r.id, "title": r.title, "sha256": r.sha256, "source": r.source, "seq": r.change_seq}


def _watch_lists(device: Device):
    return watch_lists, watch_lists.c.change_seq, (), lambda r: {
        "list": r.list, "key": r.key, "name": r.name, "reason": r.reason, "active": bool(r.active),
        "seq": r.change_seq}


_SHAPES = {"users": _users, "forms": _forms, "code_tables": _code_tables, "watch_lists": _watch_lists}


# ---- op streams: unit_records, decisions -------------------------------------------------------------
def _stream(conn: Connection, device: Device, table: str, marks: dict[str, int], limit: int) -> dict[str, Any]:
    if table == "unit_records":
        if not device.unit_code:
            raise ApiError(409, "no_unit", "本机登记时没有单位代码，不能获取本单位的记录：请管理员用带 --unit 的登记码重新登记本机。")
        sources = conn.execute(sa.select(devices.c.id, devices.c.through_seq).where(
            devices.c.unit_code == device.unit_code, devices.c.id != device.id).order_by(devices.c.id)).all()
        extra: tuple = ()
    else:  # review ops of other devices on records this device owns
        owned = sa.select(records.c.record_id).where(records.c.owner_device_id == device.id)
        extra = (ops.c.entity_id.in_(owned), ops.c.op.like("%.review"))
        sources = conn.execute(sa.select(devices.c.id, devices.c.through_seq).where(
            devices.c.id != device.id).order_by(devices.c.id)).all()
    through = {r.id: r.through_seq for r in sources}
    ahead = [d for d, seq in marks.items() if d in through and seq > through[d]]
    if ahead:
        raise ApiError(409, "cursor_ahead", "同步游标超出服务器现有的数据（服务器可能从较早的备份恢复过）：本机将从头重新获取。")
    rows: list[dict[str, Any]] = []
    covered: dict[str, list[int]] = {}
    new_marks = dict(marks)
    size, complete = 0, True
    for dev, top in through.items():
        start = marks.get(dev, 0)
        if start >= top:
            continue
        room = limit - len(rows)
        if room <= 0 or size >= PAGE_BYTES:
            complete = False
            break
        if table == "unit_records":
            reached, size, complete = _unit_window(conn, dev, start, top, rows, limit, size)
            covered[dev] = [start + 1, reached]
            new_marks[dev] = reached
            if not complete:
                break
            continue
        found = conn.execute(sa.select(ops.c.device_seq, ops.c.envelope).where(
            ops.c.device_id == dev, ops.c.device_seq > start, ops.c.device_seq <= top,
            ops.c.status == "applied", *extra).order_by(ops.c.device_seq).limit(room + 1)).all()
        reached = top
        for r in found:
            if len(rows) >= limit or size >= PAGE_BYTES:  # the page is full: stop before this op
                reached, complete = rows[-1]["device_seq"], False
                break
            rows.append(json.loads(r.envelope))
            size += len(r.envelope)
        covered[dev] = [start + 1, reached]
        new_marks[dev] = reached
        if not complete:
            break
    return {"rows": rows, "covered": covered, "cursor": encode(table, new_marks), "complete": complete}


# ---- unit_records: finalized records only ------------------------------------------------------------
def _record_of(env: dict[str, Any]) -> Any:
    return (env.get("payload") or {}).get("record_id") if env.get("entity_kind") == "photo" else env.get("entity_id")


def _released(conn: Connection, rids: set[Any]) -> set[str]:
    """The records among ``rids`` finalized at least once (an applied ``K.finalize``)."""
    rids = sorted(r for r in rids if isinstance(r, str))
    out: set[str] = set()
    for i in range(0, len(rids), 500):
        out.update(conn.execute(sa.select(ops.c.entity_id).where(
            ops.c.entity_id.in_(rids[i:i + 500]), ops.c.op.like("%.finalize"), ops.c.status == "applied")
            .distinct()).scalars())
    return out


def _unit_window(conn: Connection, dev: str, start: int, top: int, rows: list[dict[str, Any]],
                 limit: int, size: int) -> tuple[int, int, bool]:
    """Append to ``rows`` the ops of ``dev`` in (start, top] that belong to records finalized
    at least once — a draft never finalized stays on its laptop — and, for a record whose first
    finalize is in this window, its ops at or below ``start`` (passed over while it was a
    draft; the laptop applies them regardless of its mark: core/sync/review.py). Returns
    (the last seq looked at, the page's size, whether the device's window was read whole)."""
    after = start
    while after < top:
        found = conn.execute(sa.select(ops.c.device_seq, ops.c.envelope).where(
            ops.c.device_id == dev, ops.c.device_seq > after, ops.c.device_seq <= top,
            ops.c.status == "applied").order_by(ops.c.device_seq).limit(PAGE_ROWS["unit_records"])).all()
        if not found:
            break
        envs = [(r.device_seq, r.envelope, json.loads(r.envelope)) for r in found]
        released = _released(conn, {_record_of(e) for _, _, e in envs})
        for seq, text, env in envs:
            rid = _record_of(env)
            if rid in released:
                late = _late(conn, dev, rid, start) if env["op"].endswith(".finalize") else []
                if rows and (len(rows) + len(late) >= limit or size >= PAGE_BYTES):
                    return after, size, False  # the page is full: stop before this op
                rows.extend(late)
                rows.append(env)
                size += len(text) + sum(len(json.dumps(e)) for e in late)
            after = seq
    return top, size, True


def _late(conn: Connection, dev: str, rid: str, start: int) -> list[dict[str, Any]]:
    """The ops of record ``rid`` at or below ``start`` when its first finalize lies above it."""
    first = conn.execute(sa.select(sa.func.min(ops.c.device_seq)).where(
        ops.c.entity_id == rid, ops.c.op.like("%.finalize"), ops.c.status == "applied")).scalar()
    if start == 0 or first is None or first <= start:
        return []
    mine = sa.or_(ops.c.entity_id == rid, sa.and_(ops.c.entity_kind == "photo", ops.c.envelope.contains(
        f'"record_id":"{rid}"', autoescape=True)))  # canonical JSON: no spaces
    return [json.loads(t) for t in conn.execute(sa.select(ops.c.envelope).where(
        ops.c.device_id == dev, ops.c.device_seq <= start, ops.c.status == "applied", mine)
        .order_by(ops.c.device_seq)).scalars()]
