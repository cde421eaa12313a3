"""verify's side of the signed checkpoint (core/checkpoint.py): does the chain still reach
the checkpoint's seq with its hash, and does its signature hold? Where this computer has no
checkpoint for the data, say plainly what that leaves open."""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from weicha_desktop.core.checkpoint import (DEVICE_ID, Anchor, CheckpointError, compare,
                                            device_and_head)


@dataclass
class AnchorCheck:
    """What verify says about the checkpoint: faults (exit 1), warnings, notes."""
    faults: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def check_anchor(anchor: Anchor, conn: sqlite3.Connection, data_dir: Path) -> AnchorCheck:
    out = AnchorCheck()
    device_id, head = device_and_head(conn)
    if head is None:
        return out
    if device_id is None:
        out.warnings.append("数据中没有设备编号（未初始化？），无法核对本机的签名检查点。")
        return out
    if not DEVICE_ID.match(device_id):
        out.faults.append(f"数据中的设备编号“{device_id[:40]}”无效，已被改动。")
        return out
    if not anchor.usable_for(data_dir):
        out.warnings.append(f"检查点文件夹 {anchor.config_dir} 位于数据文件夹之内，会随数据一起被替换，"
                            "不能用来发现回滚。")
        return out
    where = anchor.path(device_id)
    try:
        cp = anchor.read(device_id)
    except CheckpointError as e:
        out.faults.append(f"本机检查点文件 {where} {e}，已被改动或损坏。")
        return out
    if cp is None:
        other = anchor.for_folder(data_dir, device_id)
        if other is not None:
            out.faults.append(
                f"数据被替换：本机为这个数据文件夹记下的检查点属于设备编号 {other.device_id}"
                f"（工作日志第 {other.seq} 条，{other.written_at}），而现在的数据的设备编号为 "
                f"{device_id}。数据库被整体换过，或设备编号被改动。")
        else:
            out.warnings.append(
                f"本机没有这份数据（设备编号 {device_id}）的签名检查点（{anchor.config_dir}）："
                "无法排除整个数据库或数据文件夹被换成较早的副本、或工作日志末尾被截去后重算了哈希链。"
                "在另一台电脑上、或本用户的配置文件夹被清除后核对时会这样。")
        return out
    try:
        if not anchor.signature_ok(device_id, cp):
            out.faults.append(f"本机检查点 {where} 的签名不符：检查点被伪造或改动过。")
            return out
    except CheckpointError as e:
        out.warnings.append(f"{e}（{anchor.key_location()}），检查点的签名无法核对。")
    if cp.device_id != device_id:
        out.faults.append(f"本机检查点 {where} 属于设备编号 {cp.device_id}，与数据不符，已被改动。")
        return out
    state = compare(conn, cp)
    if state == "ahead":
        out.faults.append(
            f"数据被回滚：本机签名检查点（{cp.written_at}）记下工作日志已写到第 {cp.seq} 条，"
            f"而现有数据只到第 {head[0]} 条。数据库或整个数据文件夹被换成了较早的副本，"
            "或工作日志末尾被删除。若是有意从备份恢复，请用 weicha restore（会记入日志并重建检查点）。")
    elif state == "diverged":
        out.faults.append(
            f"数据被回滚或替换：工作日志第 {cp.seq} 条的哈希与本机签名检查点（{cp.written_at}）"
            "记下的不一致。数据库被换成了另一份副本，或日志被改写后重算了哈希链。")
    else:
        later = head[0] - cp.seq
        out.notes.append(f"签名检查点相符：工作日志第 {cp.seq} 条（{cp.written_at}）"
                         + (f"，其后 {later} 条尚未写入检查点" if later else ""))
    return out
