"""The sync outbox against the audit log.

Every change's entry lists the operations it enqueued with a SHA-256 of each as stored
(``details.outbox``, written by Store/Change at commit: store/oplog.py ``op_digest`` over the
whole envelope; store/audit.py's over kind, id, op and payload before schema 11). An
operation whose bytes no longer match, one no entry lists, and one listed but gone are named.

Not false alarms:
- operations enqueued before the hashes existed: accepted when an entry without ``outbox``
  was written in the same change (same time, same object) — counted in a notice;
- operations the server acknowledged and the sync then pruned: the sync logs them
  (``details.acknowledged_ops``: their op ids), and such an op may be missing;
- draft operations a later draft of the same entity superseded, dropped by compaction
  (core/sync/queue.py): logged under ``details.superseded_ops`` ({op_id, op, superseded_by,
  …}); only a registered draft op may be missing that way."""
from __future__ import annotations

import sqlite3
from typing import Any

from weicha_desktop.core.ops import draft_ops
from weicha_desktop.core.store import audit, oplog
from weicha_desktop.core.verify.log import LogIndex, has_table, table_columns


def check_outbox(conn: sqlite3.Connection, log: LogIndex, faults: list[str], notices: list[str]) -> None:
    present = set()
    legacy = 0
    for row in _rows(conn):
        op_id, op = row["op_id"], row["op"]
        present.add(op_id)
        logged = log.ops.get(op_id)
        what = f"同步队列第 {row['seq']} 项（{op}）"
        if logged is not None:
            if not _matches(row, logged[0]):
                faults.append(f"{what}的内容与工作日志第 {logged[1]} 条记下的哈希不符，已被改动。")
        elif (row["created_at"], row["entity_id"]) in log.unhashed:
            legacy += 1
        else:
            faults.append(f"{what}在工作日志中没有来历，是绕过程序加入的。")
    drafts = draft_ops([r[0] for r in conn.execute("SELECT DISTINCT kind FROM records")]
                       if has_table(conn, "records") else ())
    for op_id, (_, seq) in log.ops.items():
        if op_id in present or op_id in log.acked:
            continue
        superseded = log.superseded.get(op_id)
        if superseded is None:
            faults.append(f"同步队列中工作日志第 {seq} 条记下的操作（{op_id}）已被删除，尚未被服务器确认。")
        elif superseded.get("op") not in drafts or superseded.get("superseded_by") in (None, op_id):
            faults.append(f"同步队列中工作日志第 {seq} 条记下的操作（{op_id}，{superseded.get('op')}）"
                          "被当作已被取代的草稿删除，但只有草稿操作可以被后续草稿取代。")
    if legacy:
        notices.append(f"同步队列中有 {legacy} 项是升级前写入的，没有内容哈希，只核对了它们与工作日志的对应。")
    if has_table(conn, "outbox_sequence"):
        _check_sequence(conn, faults)


def _check_sequence(conn: sqlite3.Connection, faults: list[str]) -> None:
    """The counter of this device's sequence numbers is past every number it gave: the ops
    in the outbox and those the log says the server acknowledged. Set back, the next ops
    would repeat numbers a server holds (docs/sync-protocol.md, "Idempotency")."""
    counters = dict(conn.execute("SELECT device_id, last_seq FROM outbox_sequence"))
    used = dict(conn.execute("SELECT device_id, max(device_seq) FROM outbox GROUP BY device_id"))
    device = (conn.execute("SELECT value FROM meta WHERE key = 'device_id'").fetchone() or (None,))[0]
    through = conn.execute(
        "SELECT max(CAST(json_extract(details, '$.through') AS INTEGER)) FROM audit_log WHERE action IN "
        "('sync.acknowledge', 'sync.prune') AND (CASE WHEN json_valid(details) THEN 1 END)").fetchone()[0]
    if device is not None and through:
        used[device] = max(used.get(device) or 0, through)
    for dev, seq in sorted(used.items()):
        if counters.get(dev, 0) < seq:
            faults.append(f"同步序号计数器（设备 {dev}）为 {counters.get(dev, 0)}，但已用到第 {seq} 号："
                          "计数器被改小或删除，之后的同步操作会与服务器已收到的重号。")


def _rows(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """The outbox as stored: with the op envelope (schema 11 on) or before it."""
    envelope = "device_seq" in table_columns(conn, "outbox")
    cur = conn.execute("SELECT seq, created_at, payload, op_id, op, entity_id, "
                       + (", ".join(oplog.ENVELOPE[:-1]) if envelope else "entity AS entity_kind")
                       + " FROM outbox")
    names = [c[0] for c in cur.description]
    return [dict(zip(names, r)) for r in cur]


def _matches(row: dict[str, Any], logged: str) -> bool:
    """The op's bytes hash to what its change logged: of the whole envelope, or (ops written
    before it, kept byte for byte by migration 11) of kind, id, op and payload. The envelope's
    first: an op of schema 11 on is hashed once, not twice (a payload is a record's whole
    state: hashing it was most of verify's time on a folder with a few records)."""
    if "device_seq" in row and oplog.op_digest(row) == logged:
        return True
    return audit.op_digest(row["entity_kind"], row["entity_id"], row["op"], row["payload"]) == logged
