"""Case-number blocks (docs/numbering.md, "Blocks from the server").

A laptop issues 勘验号 offline from its own block of the unit's monthly serials
(core/numbering.py). Two laptops given one block would issue the same numbers, so the server
hands each device its block at enrollment:

- ``assign``: the device's block — the one it has (a re-enrollment keeps it), else the lowest
  block ``d`` of ``slots`` (server.json ``number_slots``) that overlaps no block another device
  of the unit holds (the unit its numbers carry: the laptop's own unit code) (revoked devices keep theirs: the numbers they issued stay theirs). None
  free: 409 ``no_number_block``. The audit head is locked first, so two enrollments of one
  unit at once (two workers, two servers on one PostgreSQL) take different blocks.
- ``declare``: the serials the laptop issued before it enrolled (it sends them as runs), kept
  so its finalized records with those numbers are accepted.
- ``finalize_problem`` (push.py, for every finalize): a number another record already holds →
  409 ``number_taken``; a serial neither in the device's block nor declared → 422
  ``number_outside_block``. A device enrolled before blocks existed, or by an older desktop
  program (its enrollment reports no ``issued``), has no block: its numbers are not checked."""
from __future__ import annotations

from typing import Any, Mapping

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from weicha_desktop.core.errors import WeichaError
from weicha_desktop.core.numbering import MAX_SERIAL, SlotPlan, parse_number
from weicha_server.db import declared_numbers, lock_row, now_iso, number_blocks, records, server_meta
from weicha_server.errors import ApiError

DEFAULT_SLOTS = 10        # 999 serials a month per laptop
MAX_DECLARED = 20_000     # runs a laptop may declare at enrollment


_BLOCK = sa.select(number_blocks).where(number_blocks.c.device_id == sa.bindparam("device"))
_AUDIT_LOCK = lock_row(sa.select(server_meta.c.key).where(server_meta.c.key == "audit_lock"))
_TAKEN = sa.select(number_blocks.c.first_serial, number_blocks.c.last_serial).where(
    number_blocks.c.unit_code == sa.bindparam("unit"))
_NEW_BLOCK = number_blocks.insert()


def block_of(conn: Connection, device_id: str) -> Any | None:
    return conn.execute(_BLOCK, {"device": device_id}).first()


def shape(row: Any) -> dict[str, Any]:
    return {"slot": row.slot, "slots": row.slots, "first": row.first_serial, "last": row.last_serial}


def assign(conn: Connection, device_id: str, unit: str, slots: int) -> dict[str, Any]:
    """The device's block (made now if it has none), as the enroll answer carries it."""
    have = block_of(conn, device_id)
    if have is not None:
        return shape(have)
    conn.execute(_AUDIT_LOCK)
    taken = conn.execute(_TAKEN, {"unit": unit}).all()
    slot = _free_slot(slots, [(t.first_serial, t.last_serial) for t in taken])
    if slot is not None:
        plan = SlotPlan(slot, slots)
        conn.execute(_NEW_BLOCK, {"device_id": device_id, "unit_code": unit, "slot": slot, "slots": slots,
                                  "first_serial": plan.first, "last_serial": plan.last, "assigned_at": now_iso()})
        return shape(block_of(conn, device_id))
    raise ApiError(409, "no_number_block",
                   f"本单位的 {slots} 个编号段都已分给其他设备，本机没有登记：请管理员在服务器设置 "
                   "number_slots 中调大编号段数（server.json），再给本机新的登记码。")


def _free_slot(slots: int, taken: list[tuple[int, int]]) -> int | None:
    """The lowest block ``d`` of ``slots`` whose serials overlap none of the ``taken`` ranges
    (first, last); None if every one does. One pass over the ranges, sorted, and one over the
    blocks (before: each block against the ranges until one overlapped it, ~k²/2 comparisons
    of properties for the k-th laptop of a unit)."""
    spans = sorted(taken)
    reach, upto = [], 0  # reach[i]: the highest last serial among spans[:i + 1]
    for _, last in spans:
        upto = max(upto, last)
        reach.append(upto)
    i = 0
    for slot in range(1, slots + 1):
        plan = SlotPlan(slot, slots)
        first, last = plan.first, plan.last
        while i < len(spans) and spans[i][0] <= last:  # (blocks rise: so do their lasts)
            i += 1
        if i == 0 or reach[i - 1] < first:  # no range starting by its last reaches its first
            return slot
    return None


def declare(conn: Connection, device_id: str, issued: Any) -> int:
    """Keep the runs ``[[first_number, last_number], …]`` the laptop issued before enrolling
    (each run within one kind, unit and month); the runs kept. 422 ``bad_numbers`` for garbage."""
    if issued is None:
        return 0
    if not isinstance(issued, list) or len(issued) > MAX_DECLARED:
        raise _bad("须为编号区间的列表")
    rows = {}
    for run in issued:
        try:
            first, last = run
            k1, u1, p1, s1 = parse_number(first)
            k2, u2, p2, s2 = parse_number(last)
        except (TypeError, ValueError, WeichaError):
            raise _bad(f"“{str(run)[:60]}”不是编号区间") from None
        if (k1, u1, p1) != (k2, u2, p2) or not 1 <= s1 <= s2 <= MAX_SERIAL:
            raise _bad(f"“{first}”至“{last}”不是同一字头、单位与月份的递增区间")
        rows[(k1 + u1 + p1, s1)] = max(s2, rows.get((k1 + u1 + p1, s1), 0))
    for (prefix, first), last in rows.items():
        conn.execute(sa.delete(declared_numbers).where(
            declared_numbers.c.device_id == device_id, declared_numbers.c.prefix == prefix,
            declared_numbers.c.first_serial == first))
        conn.execute(declared_numbers.insert().values(device_id=device_id, prefix=prefix,
                                                      first_serial=first, last_serial=last))
    return len(rows)


def _bad(why: str) -> ApiError:
    return ApiError(422, "bad_numbers", f"登记时报告的已发编号无效（{why}）：请升级桌面程序后重试。")


def used(conn: Connection, device_id: str, block: Mapping[str, Any]) -> dict[str, int]:
    """The highest serial in the block per prefix (letter + unit + yyyyMM) of the records this
    device owns: a laptop enrolling again (restored from a backup) continues after them."""
    out: dict[str, int] = {}
    for (number,) in conn.execute(sa.select(records.c.number).where(
            records.c.owner_device_id == device_id, records.c.number.is_not(None))):
        try:
            kind, unit, period, serial = parse_number(number)
        except WeichaError:
            continue
        if block["first"] <= serial <= block["last"]:
            key = kind + unit + period
            out[key] = max(out.get(key, 0), serial)
    return out


READ = object()  # finalize_problem's block: not read by the caller


def finalize_problem(conn: Connection, device_id: str, env: Mapping[str, Any],
                     pending: Mapping[str, Mapping[str, Any]], *, block: Any = READ,
                     unheld: bool = False) -> tuple[str, str] | None:
    """(error, message) when the number of a finalize op collides or lies outside the device's
    block; ``pending``: record rows this push has yet to write (record id → row). A push reads
    for its whole batch (push.py): ``block``, the device's ``block_of`` row; ``unheld``: no
    other record's row holds the number (not asked again here)."""
    rid, number = env["entity_id"], (env["payload"].get("record") or {}).get("number")
    if block is READ:
        block = block_of(conn, device_id)
    if block is None or not isinstance(number, str) or not number:
        return None  # a device without a block (an older program) numbers as it always did
    other = None if unheld else conn.execute(sa.select(records.c.record_id).where(
        records.c.number == number, records.c.record_id != rid).limit(1)).first()
    if other is not None or any(k != rid and row.get("number") == number for k, row in pending.items()):
        return "number_taken", (f"编号 {number} 已被本单位另一条记录使用（两台设备发出了同一个号）：这一定稿未被接收。"
                                "请联系管理员核对两条记录，为其中一条另行编号。")
    try:
        kind, unit, period, serial = parse_number(number)
    except WeichaError:
        return None  # the payload's schema and the desktop judge the form; here only blocks
    if block.first_serial <= serial <= block.last_serial:
        return None
    declared = conn.execute(sa.select(declared_numbers.c.first_serial).where(
        declared_numbers.c.device_id == device_id, declared_numbers.c.prefix == kind + unit + period,
        declared_numbers.c.first_serial <= serial, declared_numbers.c.last_serial >= serial).limit(1)).first()
    if declared is not None:
        return None
    return "number_outside_block", (
        f"编号 {number} 不在服务器分给本机的编号段（{block.first_serial:04d}–{block.last_serial:04d}）内，"
        "也不是本机登记前已发出的号：这一定稿未被接收。请升级桌面程序并重新登记本机，或联系管理员。")
