"""The sync outbox against the audit log.

Every change's entry lists the operations it enqueued with a SHA-256 of each as stored
(``details.outbox``, written by Store/Change at commit; store/audit.py ``op_digest``). An
operation whose bytes no longer match, one no entry lists, and one listed but gone are named.

Not false alarms:
- operations enqueued before the hashes existed: accepted when an entry without ``outbox``
  was written in the same change (same time, same object) — counted in a notice;
- operations the server acknowledged and the sync then pruned: the sync logs them
  (``details.acknowledged_ops``: their op ids), and such an op may be missing."""
from __future__ import annotations

import sqlite3

from weicha_desktop.core.store.audit import op_digest
from weicha_desktop.core.verify.log import LogIndex


def check_outbox(conn: sqlite3.Connection, log: LogIndex, faults: list[str], notices: list[str]) -> None:
    present = set()
    legacy = 0
    rows = conn.execute("SELECT seq, op_id, created_at, entity, entity_id, op, payload FROM outbox")
    for seq, op_id, created_at, entity, entity_id, op, payload in rows:
        present.add(op_id)
        logged = log.ops.get(op_id)
        what = f"同步队列第 {seq} 项（{op}）"
        if logged is not None:
            if op_digest(entity, entity_id, op, payload) != logged[0]:
                faults.append(f"{what}的内容与工作日志第 {logged[1]} 条记下的哈希不符，已被改动。")
        elif (created_at, entity_id) in log.unhashed:
            legacy += 1
        else:
            faults.append(f"{what}在工作日志中没有来历，是绕过程序加入的。")
    for op_id, (_, seq) in log.ops.items():
        if op_id not in present and op_id not in log.acked:
            faults.append(f"同步队列中工作日志第 {seq} 条记下的操作（{op_id}）已被删除，尚未被服务器确认。")
    if legacy:
        notices.append(f"同步队列中有 {legacy} 项是升级前写入的，没有内容哈希，只核对了它们与工作日志的对应。")
