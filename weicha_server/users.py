"""The unit's users on the server (reference data the laptops pull, a later slice): who is
who, by (unit code, 警号), with the same id every device derives (``ids.user_id``). No
passwords: a laptop keeps its own.

``import_csv`` reads a CSV (UTF-8, a BOM allowed) with a header row; columns by English or
Chinese name: ``badge_no``/警号, ``name``/姓名 (the login name), ``display_name``/显示名
(optional: the name), ``role``/角色 (technician|supervisor|admin or 勘验员|审核人|管理员;
optional: technician), ``unit_code``/单位代码 (optional when ``--unit`` is given),
``active``/在用 (optional: 1; 0/1, 是/否). Every row is checked first; one bad row refuses the
whole file (each problem named with its line). Rows are matched by (unit, 警号): new ones
added, changed ones updated, each with a new ``updated_seq`` (the pull cursor), unchanged
ones left alone. One audit entry per import or add."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from weicha_desktop.core.errors import WeichaError
from weicha_desktop.core.ids import user_id
from weicha_desktop.core.labels import ROLES
from weicha_desktop.core.users import normalize_badge
from weicha_server import audit, csvin
from weicha_server.db import next_counter, users

COLUMNS = {"badge_no": "badge_no", "警号": "badge_no", "name": "name", "姓名": "name",
           "display_name": "display_name", "显示名": "display_name", "role": "role", "角色": "role",
           "unit_code": "unit_code", "单位代码": "unit_code", "active": "active", "在用": "active"}
ROLE_WORDS = {**{r: r for r in ROLES}, **{label.zh: r for r, label in ROLES.items()}}
UNIT_RE = re.compile(r"[0-9]{12}")
MAX_ROWS = 100_000


@dataclass(frozen=True)
class UserRow:
    unit_code: str
    badge_no: str
    name: str
    display_name: str
    role: str
    active: bool

    @property
    def id(self) -> str:
        return user_id(self.unit_code, self.badge_no)

    def values(self) -> dict[str, Any]:
        return {"unit_code": self.unit_code, "badge_no": self.badge_no, "name": self.name,
                "display_name": self.display_name, "role": self.role, "active": self.active}


def check_unit(unit: str) -> str:
    unit = (unit or "").strip()
    if not UNIT_RE.fullmatch(unit):
        raise WeichaError(f"单位代码须为 12 位数字（现为“{unit[:20]}”）。")
    return unit


def make_row(*, unit_code: str, badge_no: str, name: str, display_name: str = "",
             role: str = "technician", active: bool = True) -> UserRow:
    """A user row, checked (WeichaError in Chinese for what is wrong)."""
    name = (name or "").strip()
    if not name or len(name) > 64 or not name.isprintable() or not (display_name or "").isprintable():
        raise WeichaError("姓名（登录名）不能为空，最多 64 个字，不能含控制字符。")
    role_code = ROLE_WORDS.get((role or "").strip())
    if role_code is None:
        raise WeichaError(f"角色“{(role or '')[:20]}”不认识：须为 勘验员、审核人 或 管理员"
                          "（technician、supervisor、admin）。")
    return UserRow(check_unit(unit_code), normalize_badge(badge_no), name,
                   (display_name or "").strip() or name, role_code, active)


def read_csv(path: Path, unit: str | None) -> list[UserRow]:
    names, table = csvin.table(path, csvin.read_text(path), COLUMNS, (("badge_no", "警号"), ("name", "姓名")),
                               example="警号,姓名,角色…", available="警号、姓名、显示名、角色、单位代码、在用")
    if "unit_code" not in names and not unit:
        raise WeichaError("文件没有“单位代码”列：请用 --unit 指定单位代码。")
    rows, problems, seen = [], [], {}
    for line, cells in table:
        if len(rows) + len(problems) >= MAX_ROWS:
            raise WeichaError(f"一次最多导入 {MAX_ROWS} 个用户。")
        try:
            active = csvin.ACTIVE_WORDS.get(cells.get("active", "").lower())
            if active is None:
                raise WeichaError("“在用”须为 1/0 或 是/否。")
            row = make_row(unit_code=cells.get("unit_code") or unit or "", badge_no=cells.get("badge_no", ""),
                           name=cells.get("name", ""), display_name=cells.get("display_name", ""),
                           role=cells.get("role") or "technician", active=active)
        except WeichaError as e:
            problems.append(f"第 {line} 行：{e}")
            continue
        key = (row.unit_code, row.badge_no)
        if key in seen:
            problems.append(f"第 {line} 行：警号 {row.badge_no} 与第 {seen[key]} 行重复。")
            continue
        seen[key] = line
        rows.append(row)
    if problems:
        raise csvin.refusal(problems, "任何用户")
    return rows


def save(conn: Connection, rows: list[UserRow]) -> dict[str, int]:
    """Add or update ``rows`` (matched by unit and 警号); counts added/changed/unchanged."""
    counts = dict.fromkeys(("added", "changed", "unchanged"), 0)
    have = {}
    for row in rows:
        found = conn.execute(sa.select(users).where(users.c.id == row.id)).first()
        have[row.id] = found
    for row in rows:
        found = have[row.id]
        if found is None:
            conn.execute(users.insert().values(id=row.id, updated_seq=next_counter(conn, "change_seq"),
                                               **row.values()))
            counts["added"] += 1
        elif {k: getattr(found, k) for k in row.values()} != row.values():
            conn.execute(users.update().where(users.c.id == row.id)
                         .values(updated_seq=next_counter(conn, "change_seq"), **row.values()))
            counts["changed"] += 1
        else:
            counts["unchanged"] += 1
    return counts


def import_csv(conn: Connection, path: Path, unit: str | None, actor: str = "admin") -> dict[str, int]:
    rows = read_csv(path, check_unit(unit) if unit else None)
    counts = save(conn, rows)
    audit.append(conn, actor, "users.import", {"file": Path(path).name, "rows": len(rows), **counts})
    return counts


def add(conn: Connection, row: UserRow, actor: str = "admin") -> None:
    if conn.execute(sa.select(users.c.name).where(users.c.id == row.id)).first() is not None:
        raise WeichaError(f"单位 {row.unit_code} 警号 {row.badge_no} 的用户已存在：要修改请用 users import。")
    save(conn, [row])
    audit.append(conn, actor, "user.add", {"id": row.id, **row.values()})
