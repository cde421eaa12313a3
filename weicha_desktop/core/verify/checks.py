"""核查's checks (``checks``, core/checks/service.py) against the work log: every row made here
has its ``check.run`` entry (same id, time, user) saying what it holds — kind, key, source,
result, the lists hit and the number of local records found; a row another device made arrived
with a ``sync.apply`` entry of its ``check.run`` op (its content was checked against the op's
digest then). A row no entry made, a row that is not what its entry says and a logged check
whose row is gone are faults; so is a missing no-update / no-delete trigger (the table is
append-only: without them a row can be changed or deleted through any SQLite tool)."""
from __future__ import annotations

import json
import sqlite3

from weicha_desktop.core.verify.log import has_table

AROUND = "可能在程序之外被改动"
TRIGGERS = ("checks_no_update", "checks_no_delete")
COLUMNS = ("id", "at", "user_id", "kind", "key", "source", "result", "hits", "records")


def check_checks(conn: sqlite3.Connection, faults: list[str]) -> None:
    if not has_table(conn, "checks"):
        return
    present = {r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'checks'")}
    for name in TRIGGERS:
        if name not in present:
            faults.append(f"核查记录表的保护触发器 {name} 不见了：核查记录可能被改动或删除，{AROUND}。")
    logged, applied = {}, set()
    for action, object_id, at, user_id, details in conn.execute(
            "SELECT action, object_id, at, user_id, details FROM audit_log "
            "WHERE action IN ('check.run', 'sync.apply') ORDER BY seq"):
        try:
            d = json.loads(details)
        except (TypeError, ValueError):
            continue  # the chain check names it
        if action == "check.run":
            logged[object_id] = (at, user_id, d)
        elif d.get("entity_kind") == "check" and d.get("op") == "check.run":
            applied.add(str(d.get("entity_id")))
    seen = set()
    for row in conn.execute(f"SELECT {', '.join(COLUMNS)} FROM checks"):
        r = dict(zip(COLUMNS, row))
        seen.add(r["id"])
        if r["id"] in logged:
            wrong = _differs(r, *logged[r["id"]])
            if wrong:
                faults.append(f"核查记录 {r['id']}（{r['key']}）与工作日志记录的不符（{'、'.join(wrong)}）：{AROUND}。")
        elif r["id"] not in applied:
            faults.append(f"核查记录 {r['id']}（{r['key']}）没有产生它的工作日志记录：{AROUND}。")
    for check_id in sorted((set(logged) | applied) - seen):
        faults.append(f"工作日志记录了核查 {check_id}，数据中却没有它：可能在程序之外被删除。")


def _differs(r: dict, at: str, user_id: str | None, d: dict) -> list[str]:
    wrong = [k for k in ("kind", "key", "source", "result") if d.get(k) != r[k]]
    wrong += [k for k, v in (("at", at), ("user_id", user_id)) if r[k] != v]
    try:
        hits = [h.get("list") for h in json.loads(r["hits"])]
        records = len(json.loads(r["records"]))
    except (TypeError, ValueError, AttributeError):
        return wrong + ["hits", "records"]
    if hits != d.get("lists"):
        wrong.append("hits")
    if records != d.get("records"):
        wrong.append("records")
    if (r["result"] == "hit") != bool(hits):
        wrong.append("result/hits")
    return wrong
