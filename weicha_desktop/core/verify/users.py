"""Users against the audit log: who may do what is evidence too.

Every change to a user logs its security-relevant columns: ``user.add`` (and the first
admin in ``system.init``) log ``role`` and ``active``, and ``state`` — SHA-256 over
``id, name, role, active, password_hash`` and, once set, the 警号 and unit code
(store/audit.py ``user_state``; ``user.badge`` logs the 警号 given later). The last logged
value per user is what the row must hold, so a role raised, a user switched on or off, a
password hash replaced, or a user added or deleted behind the program's back is named.
Entries from before ``state`` existed are compared on name, role and active only."""
from __future__ import annotations

import sqlite3

from weicha_desktop.core.labels import role_label
from weicha_desktop.core.store.audit import user_columns, user_state_of
from weicha_desktop.core.verify.log import LogIndex



def check_users(conn: sqlite3.Connection, log: LogIndex, faults: list[str]) -> int:
    rows = {r[0]: r for r in conn.execute(f"SELECT {', '.join(user_columns(conn))} FROM users")}
    expected = _expected(log, rows)
    for uid, (want, seq) in expected.items():
        row = rows.get(uid)
        name = want.get("name") or uid
        if row is None:
            faults.append(f"用户 {name} 已被删除（工作日志第 {seq} 条记下了添加）。")
            continue
        actual_name, role, active = row[1:4]
        if "name" in want and actual_name != want["name"]:
            faults.append(f"用户 {want['name']} 的用户名被改成了 {actual_name}，工作日志中没有记载。")
        if "role" in want and role != want["role"]:
            faults.append(f"用户 {actual_name} 的角色为“{role_label(role)}”，而工作日志记下的是"
                          f"“{role_label(want['role'])}”：角色被改动。")
        if "active" in want and bool(active) != bool(want["active"]):
            faults.append(f"用户 {actual_name} 被{'启用' if active else '停用'}，工作日志中没有记载：已被改动。")
        if "state" in want and user_state_of(row) != want["state"]:
            faults.append(f"用户 {actual_name} 的安全信息（密码、角色、启用状态或警号）与工作日志记下的不符，"
                          "已被改动。")
    for uid, row in rows.items():
        if uid not in expected:
            faults.append(f"用户 {row[1]}（{role_label(row[2])}）在工作日志中没有添加记录，"
                          "是绕过程序加入的。")
    return len(rows)


def _expected(log: LogIndex, rows: dict[str, tuple]) -> dict[str, tuple[dict, int]]:
    out: dict[str, tuple[dict, int]] = {}
    init = log.init
    if init is not None:
        d = init.details
        uid = d.get("admin_id") or init.user_id
        if uid is None:  # very old entries named the admin only
            uid = next((i for i, r in rows.items() if r[1] == d.get("admin")), None)
        if uid:
            want = {"name": d.get("admin"), "role": "admin", "active": 1}
            if d.get("admin_state"):
                want["state"] = d["admin_state"]
            out[str(uid)] = ({k: v for k, v in want.items() if v is not None}, init.seq)
    for uid, events in log.users.items():
        for e in events:
            want = dict(out.get(uid, ({}, e.seq))[0])
            if e.action == "user.add":
                want = {"active": 1}
            want.update({k: e.details[k] for k in ("name", "role", "active", "state") if k in e.details})
            out[uid] = (want, out.get(uid, (None, e.seq))[1])
    return out
