"""Official numbers, allocated offline.

Format (DOMAIN.md): a kind letter + the 12-digit unit code + ``yyyyMM`` + a 4-digit serial
that restarts each month per unit and kind — 23 characters, e.g. ``K450702000000202611 0007``
without the space. The letters are the forms' (``number_prefix``: K 勘验号 on the scene form,
H 痕迹物证 on its evidence rows; DOMAIN.md also names W 物品, J 尸体): ``allocate`` asks the
form registry what a letter numbers, for its messages, and refuses a letter no form declares.

Offline scheme (docs/numbering.md): the unit's 9,999 monthly serials are split into
``slots`` equal blocks; the device that holds slot ``d`` (1-based) issues only serials
``(d-1)*B + 1 … d*B`` with ``B = 9999 // slots``, in order. Two laptops of one unit set up
with different slots can never produce the same number, and nobody is asked for the next one.
The counter lives in the same transaction as the record that takes the number, so a crash
either issues the number with its record or not at all; ``issued_numbers`` (primary key,
delete refused by trigger) makes reuse impossible even if a counter were rolled back."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from weicha_desktop.core.errors import NumberingExhausted, WeichaError

MAX_SERIAL = 9999
UNIT_CODE_RE = re.compile(r"^\d{12}$")
NUMBER_RE = re.compile(r"^([A-Z])(\d{12})(\d{4})(0[1-9]|1[0-2])(\d{4})$")


@dataclass(frozen=True)
class SlotPlan:
    slot: int
    slots: int

    def __post_init__(self) -> None:
        if not (1 <= self.slots <= 99):
            raise WeichaError("设备编号段总数须在 1–99 之间。")
        if not (1 <= self.slot <= self.slots):
            raise WeichaError(f"设备编号段须在 1–{self.slots} 之间。")

    @property
    def block_size(self) -> int:
        return MAX_SERIAL // self.slots

    @property
    def first(self) -> int:
        return (self.slot - 1) * self.block_size + 1

    @property
    def last(self) -> int:
        return self.slot * self.block_size


def check_unit_code(code: str) -> str:
    if not UNIT_CODE_RE.match(code or ""):
        raise WeichaError(f"单位代码须为 12 位数字（收到“{code}”）。")
    return code


def format_number(kind: str, unit_code: str, when: datetime, serial: int) -> str:
    if not re.fullmatch(r"[A-Z]", kind or ""):
        raise ValueError(f"a number kind is one capital letter, not {kind!r}")
    if not 1 <= serial <= MAX_SERIAL:
        raise ValueError(f"serial out of range: {serial}")
    return f"{kind}{check_unit_code(unit_code)}{when:%Y%m}{serial:04d}"


def parse_number(number: str) -> tuple[str, str, str, int]:
    """-> (kind, unit_code, yyyyMM, serial); WeichaError if malformed."""
    m = NUMBER_RE.match(number or "")
    if not m:
        raise WeichaError(f"编号格式不对：“{number}”（应为 1 个字母 + 12 位单位代码 + 年月 + 4 位序号）。")
    kind, unit, year, month, serial = m.groups()
    return kind, unit, year + month, int(serial)


_UNIT_AND_SLOTS = ("SELECT (SELECT value FROM meta WHERE key = 'unit_code'), (SELECT value FROM meta WHERE key = "
                   "'device_slot'), (SELECT value FROM meta WHERE key = 'device_slots')")


def allocate(ch, kind: str, object_id: str, when: datetime | None = None, *,
             forms: Any = None, spec: Any = None) -> str:
    """Issue the next number of ``kind`` (its letter) inside the open change ``ch``. With the
    form registry ``forms``, the letter must be one a form declares (``number_prefix``):
    ``spec``, a form of that registry declaring it, says so without asking every form (the
    registry's ``number_prefixes`` walks all their versions: ~0.1 ms a number)."""
    declared = spec is not None and (spec.number_prefix == kind or kind in spec.numbered_rows.values())
    if forms is not None and not declared and kind not in forms.number_prefixes():
        raise ValueError(f"no form declares the number letter {kind!r}")
    store = ch.store
    unit, slot, slots = ch.conn.execute(_UNIT_AND_SLOTS).fetchone()  # one statement, not three
    unit = check_unit_code(unit or "")
    plan = SlotPlan(int("1" if slot is None else slot), int("1" if slots is None else slots))
    when = when or store.clock.now()
    period = f"{when:%Y%m}"
    row = ch.conn.execute(
        "SELECT last_serial FROM serials WHERE kind = ? AND unit_code = ? AND period = ?",
        (kind, unit, period)).fetchone()
    # continue in the block; a counter outside it (the block the server assigned at enrollment
    # replaced the one set up here) starts at the block's first serial, past what is issued
    serial = row[0] + 1 if row and plan.first <= row[0] <= plan.last else plan.first
    while True:
        if serial > plan.last:
            names = forms.number_prefixes() if forms is not None else {}
            raise NumberingExhausted(
                f"本机本月的{names.get(kind, kind + ' 字头')}编号段（{plan.first:04d}–{plan.last:04d}）已用完，"
                "请管理员为本机分配新的设备编号段。")
        number = format_number(kind, unit, when, serial)
        taken = ch.conn.execute("SELECT 1 FROM issued_numbers WHERE number = ?", (number,)).fetchone()
        if not taken:
            break
        serial += 1
    ch.conn.execute(
        "INSERT INTO serials (kind, unit_code, period, last_serial) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (kind, unit_code, period) DO UPDATE SET last_serial = excluded.last_serial",
        (kind, unit, period, serial))
    ch.conn.execute(
        "INSERT INTO issued_numbers (number, kind, object_id, issued_at) VALUES (?, ?, ?, ?)",
        (number, kind, object_id, ch.now))
    return number


# ---- blocks from the sync server (docs/numbering.md, "Blocks from the server") ------------------
def issued_runs(conn: Any) -> list[list[str]]:
    """The numbers this folder issued, as runs ``[first, last]`` of consecutive serials of one
    letter, unit and month: what a laptop tells the server at enrollment."""
    runs: list[list[Any]] = []
    for (number,) in conn.execute("SELECT number FROM issued_numbers ORDER BY number"):
        m = NUMBER_RE.match(number or "")
        if not m:
            continue
        prefix, serial = number[:-4], int(number[-4:])
        if runs and runs[-1][0] == prefix and runs[-1][2] == serial - 1:
            runs[-1][2] = serial
        else:
            runs.append([prefix, serial, serial])
    return [[f"{p}{a:04d}", f"{p}{b:04d}"] for p, a, b in runs]


def adopt_block(ch: Any, numbers: Any) -> SlotPlan:
    """Take the block the server assigned (``{slot, slots, used: {prefix: serial}}``) in the
    open change ``ch``: new numbers come from it; numbers issued before stay. ``used``: the
    highest serial in the block per letter + unit + month the server holds records of (a
    folder restored from a backup continues after them). WeichaError for an answer not of
    that shape (nothing is taken then)."""
    try:
        plan = SlotPlan(int(numbers["slot"]), int(numbers["slots"]))
        used = {str(k): int(v) for k, v in (numbers.get("used") or {}).items()}
    except (KeyError, TypeError, ValueError, AttributeError):
        raise WeichaError("服务器分配的编号段格式不对，本机未登记：请升级桌面程序或联系管理员。") from None
    ch.set_meta("device_slot", str(plan.slot))
    ch.set_meta("device_slots", str(plan.slots))
    for prefix, serial in used.items():
        m = re.fullmatch(r"([A-Z])(\d{12})(\d{6})", prefix)
        if not m or not plan.first <= serial <= plan.last:
            continue
        kind, unit, period = m.groups()
        row = ch.conn.execute("SELECT last_serial FROM serials WHERE kind = ? AND unit_code = ? AND period = ?",
                              (kind, unit, period)).fetchone()
        if row is None or not plan.first <= row[0] <= plan.last or row[0] < serial:
            ch.conn.execute(
                "INSERT INTO serials (kind, unit_code, period, last_serial) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (kind, unit_code, period) DO UPDATE SET last_serial = excluded.last_serial",
                (kind, unit, period, serial))
    return plan
