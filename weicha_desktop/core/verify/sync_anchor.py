"""verify's side of the sync server's audit anchor (core/sync/anchoring.py): does the local
chain still hold the head the server anchored?

Two copies are checked. The store's own (``meta.sync_anchor``) must be the head the last
``sync.anchor`` entry logged and must be in the chain — a chain rewritten whole, or the
anchor edited, no longer agrees. The copy in the enrollment file OUTSIDE the data folder
(core/sync/enrollment.py), read before verify's snapshot (it is written after the commit
that logs it, so it never names more than the snapshot holds), catches what the first
cannot: the database replaced by an older copy, which carries its older anchor with it. A
copy kept for another line of the folder (a restore gives a new folder id) is a notice."""
from __future__ import annotations

import json
import sqlite3
from typing import Any

from weicha_desktop.core.checkpoint import DEVICE_ID, Anchor, device_and_head
from weicha_desktop.core.errors import WeichaError
from weicha_desktop.core.lineage import folder_of
from weicha_desktop.core.sync.anchoring import ANCHOR_ACTION, anchored_head, hash_at
from weicha_desktop.core.sync.enrollment import SyncConfig
from weicha_desktop.core.verify.anchor import AnchorCheck

ADVICE = "请不要继续录入，联系管理员核对（服务器保存着它锚定的工作日志头）。"


def read_outside(anchor: Anchor | None, conn: sqlite3.Connection) -> dict[str, Any] | None:
    """The anchored head the enrollment file keeps for this device (read before the snapshot);
    {"unreadable": reason} for a file that cannot be read, None for none."""
    if anchor is None:
        return None
    try:
        device_id, _ = device_and_head(conn)
        if not device_id or not DEVICE_ID.fullmatch(device_id):
            return None
        config = SyncConfig(anchor.config_dir, device_id)
        enrollment = config.load()
    except (sqlite3.DatabaseError, WeichaError) as e:
        return {"unreadable": str(e)}
    if enrollment is None or not isinstance(enrollment.anchored, dict):
        return None
    return {**enrollment.anchored, "file": str(config.path)}


def check_sync_anchor(conn: sqlite3.Connection, outside: dict[str, Any] | None) -> AnchorCheck:
    out = AnchorCheck()
    last = _last_logged(conn)
    head = anchored_head(conn)
    if head is not None and "unreadable" in head:
        out.faults.append("数据中记下的同步服务器锚点已损坏（不是有效的 JSON），已被改动。" + ADVICE)
        head = None
    elif head is None and last is not None:
        out.faults.append(f"工作日志第 {last[0]} 条记下同步服务器锚定到第 {last[1].get('seq')} 条，"
                          "数据中却没有这个锚点：已被删除。" + ADVICE)
    elif head is not None and (last is None or (last[1].get("seq"), last[1].get("hash"))
                               != (head["seq"], head["hash"])):
        out.faults.append(f"数据中记下的同步服务器锚点（第 {head['seq']} 条）与工作日志中最后一次锚定"
                          f"（{'无' if last is None else '第 ' + str(last[1].get('seq')) + ' 条'}）不符，已被改动。" + ADVICE)
    if head is not None:
        _holds(conn, out, head["seq"], head["hash"], "数据中记下的")
    if outside is None:
        return out
    if "unreadable" in outside:
        out.warnings.append(f"本机的同步登记文件无法读取（{outside['unreadable']}），无法用它核对服务器锚定的工作日志头。")
        return out
    seq, digest = outside.get("seq"), outside.get("hash")
    if not isinstance(seq, int) or not isinstance(digest, str):
        out.warnings.append(f"本机的同步登记文件 {outside.get('file')} 中的锚点不完整，无法核对。")
        return out
    folder = folder_of(conn)
    if outside.get("folder_id") and folder and outside["folder_id"] != folder:
        out.notes.append(f"本机同步登记记下的服务器锚点（第 {seq} 条，{outside.get('at') or '时间不详'}）属于这个数据"
                         f"文件夹的另一条历史线（文件夹编号 {outside['folder_id']}，例如恢复备份之前的）：不用于核对。")
        return out
    _holds(conn, out, seq, digest, f"本机同步登记（数据文件夹之外，{outside.get('at') or '时间不详'}）记下的")
    return out


def _holds(conn: sqlite3.Connection, out: AnchorCheck, seq: int, digest: str, whose: str) -> None:
    here = hash_at(conn, seq)
    if here == digest:
        return
    if here is None:
        last = conn.execute("SELECT max(seq) FROM audit_log").fetchone()[0] or 0
        out.faults.append(f"数据被回滚：{whose}同步服务器锚点为工作日志第 {seq} 条，本地日志只到第 {last} 条——"
                          "数据库可能被换成了较早的副本，或日志末尾被删去。" + ADVICE)
    else:
        out.faults.append(f"工作日志被改写：{whose}同步服务器锚定的第 {seq} 条（哈希 {digest[:12]}…）与本地第 {seq} 条"
                          f"（{here[:12]}…）不符——数据库可能被换成了另一份副本，或整个日志被重算过。" + ADVICE)


def _last_logged(conn: sqlite3.Connection) -> tuple[int, dict[str, Any]] | None:
    row = conn.execute("SELECT seq, details FROM audit_log WHERE action = ? ORDER BY seq DESC LIMIT 1",
                       (ANCHOR_ACTION,)).fetchone()
    if row is None:
        return None
    try:
        details = json.loads(row[1])
    except (TypeError, ValueError):
        details = {}
    return row[0], details if isinstance(details, dict) else {}
