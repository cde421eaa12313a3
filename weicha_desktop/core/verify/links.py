"""The links of 采集 (``record_links``, core/collect/links.py) against the work log: every row
made here has its ``link.add`` entry saying what it holds (record, target, kinds, role, note),
every removal its ``link.remove`` entry (who, when, why); a row another device made arrived
with a ``sync.apply`` entry of its op (its content was checked against the op's digest then).
A row no entry made, a row that is not what its entry says, a removal the log does not know,
a logged removal not in the row, and a logged link whose row is gone are faults: the table's
triggers allow only removals, so each was made around the program."""
from __future__ import annotations

import json
import sqlite3

from weicha_desktop.core.verify.log import has_table

COLUMNS = ("id", "record_id", "record_kind", "target_id", "target_kind", "role", "note", "created_at",
           "created_by", "removed_at", "removed_by", "removed_reason")
LOGGED = ("record_id", "record_kind", "target_id", "target_kind", "role", "note")
AROUND = "可能在程序之外被改动"


def check_links(conn: sqlite3.Connection, faults: list[str]) -> None:
    if not has_table(conn, "record_links"):
        return
    added, removed, applied = {}, {}, {}
    for action, object_id, at, user_id, details in conn.execute(
            "SELECT action, object_id, at, user_id, details FROM audit_log "
            "WHERE action IN ('link.add', 'link.remove', 'sync.apply') ORDER BY seq"):
        try:
            d = json.loads(details)
        except (TypeError, ValueError):
            continue  # the chain check names it
        if action == "sync.apply":
            if d.get("entity_kind") == "link":
                applied.setdefault(str(d.get("entity_id")), set()).add(d.get("op"))
        elif action == "link.add":
            added[object_id] = (at, user_id, d)
        else:
            removed[object_id] = (at, user_id, d)
    rows = {r[0]: dict(zip(COLUMNS, r)) for r in conn.execute(
        f"SELECT {', '.join(COLUMNS)} FROM record_links")}
    for link_id, row in rows.items():
        ops = applied.get(link_id, set())
        if link_id in added:
            at, user_id, d = added[link_id]
            wrong = [k for k in LOGGED if d.get(k, "" if k == "note" else None) != row[k]]
            wrong += [k for k, v in (("created_at", at), ("created_by", user_id)) if row[k] != v]
            if wrong:
                faults.append(f"关联 {link_id} 与工作日志记录的不符（{'、'.join(wrong)}）：{AROUND}。")
        elif "link.add" not in ops:
            faults.append(f"关联 {link_id} 没有建立它的工作日志记录：{AROUND}。")
        if link_id in removed:
            at, user_id, d = removed[link_id]
            if (row["removed_at"], row["removed_by"], row["removed_reason"]) != (at, user_id, d.get("reason")):
                faults.append(f"工作日志记录了取消关联 {link_id}，数据中的取消情况与之不符：{AROUND}。")
        elif row["removed_at"] is not None and "link.remove" not in ops:
            faults.append(f"关联 {link_id} 被标为已取消，工作日志却没有取消它：{AROUND}。")
    for link_id in sorted((set(added) | {k for k, v in applied.items() if "link.add" in v}) - set(rows)):
        faults.append(f"工作日志记录了关联 {link_id}，数据中却没有它：可能在程序之外被删除。")
