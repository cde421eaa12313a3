"""verify's side of the signed checkpoint (core/checkpoint.py): does the chain still reach the
checkpoint of this folder's line — device id + folder id (core/lineage.py) — with its hash,
and does its signature hold? Is the folder id the one the audit log gave the folder? Where
this computer has no checkpoint for the data, say plainly what that leaves open; a folder
restored from a backup is named as one, with what it may lack.

The log's ``data.anchor`` entries (core/checkpoint_log.py) say since when the line was
anchored and with which key: a checkpoint started again (the config folder wiped, the key
lost) stays a warning for good, naming since when the line was unanchored, and so does a
checkpoint signed with a key the log does not name, or a line anchored only long after it
began."""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from weicha_desktop.core import checkpoint_log
from weicha_desktop.core.checkpoint import (DEVICE_ID, Anchor, Checkpoint, CheckpointError, compare,
                                            device_and_head)
from weicha_desktop.core.checkpoint_log import Start
from weicha_desktop.core.lineage import FOLDER_ID, FOLDER_KEY, LINEAGE_ACTIONS, folder_of
from weicha_desktop.core.verify.log import Event, LogIndex


@dataclass
class AnchorCheck:
    """What verify says about the checkpoint: faults (exit 1), warnings, notes."""
    faults: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def check_anchor(anchor: Anchor, conn: sqlite3.Connection, data_dir: Path) -> AnchorCheck:
    out = AnchorCheck()
    device_id, head = device_and_head(conn)
    folder_id = folder_of(conn)
    if head is None:
        return out
    if device_id is None:
        out.warnings.append("数据中没有设备编号（未初始化？），无法核对本机的签名检查点。")
        return out
    if not DEVICE_ID.match(device_id):
        out.faults.append(f"数据中的设备编号“{device_id[:40]}”无效，已被改动。")
        return out
    if folder_id is not None and not FOLDER_ID.match(folder_id):
        out.faults.append(f"数据中的文件夹编号“{folder_id[:40]}”无效，已被改动。")
        return out
    if not anchor.usable_for(data_dir):
        out.warnings.append(f"检查点文件夹 {anchor.config_dir} 位于数据文件夹之内，会随数据一起被替换，"
                            "不能用来发现回滚。")
        return out
    starts = checkpoint_log.starts(conn, device_id, folder_id) if folder_id else []
    _gaps(out, conn, starts, folder_id)
    try:
        cp = anchor.read(device_id, folder_id)
    except CheckpointError as e:
        out.faults.append(f"本机检查点文件 {anchor.path(device_id, folder_id)} {e}，已被改动或损坏。")
        return out
    if cp is None:
        _without_own(out, anchor, conn, data_dir, device_id, folder_id, starts)
    elif _signed(out, anchor, cp, device_id, folder_id):
        _compare(out, conn, cp, head[0], folder_id)
        if starts and cp.public_key != starts[-1].public_key:
            out.warnings.append(
                f"本机检查点 {anchor.path(device_id, folder_id)} 由设备密钥 {cp.public_key[:16]}… 签名，而工作日志"
                f"第 {starts[-1].seq} 条记下这个数据文件夹的检查点由密钥 {starts[-1].public_key[:16]}… 签名："
                "密钥和检查点在程序之外被换过。无法排除这个检查点是伪造的，因此也无法排除数据库或整个数据文件夹"
                "被换成了较早的副本、或工作日志末尾被截去后重算了哈希链。")
        _others_here(out, anchor, data_dir, device_id, folder_id)
    return out


def _gaps(out: AnchorCheck, conn: sqlite3.Connection, starts: list[Start], folder_id: str | None) -> None:
    """What the log's data.anchor entries leave open for good: a checkpoint started again
    (its predecessor or its key lost), or one started only long after the line began."""
    if len(starts) > 1:
        last, before = starts[-1], starts[-2]
        cause = ("签它的设备密钥不见了，原检查点的签名已无法核对" if last.reason == "new_key"
                 else "找不到原来的检查点了（配置文件夹被清除、换了电脑或检查点被删除）")
        text = (f"这个数据文件夹的签名检查点中断过：自 {_when(before.at)}（工作日志第 {before.seq} 条）起保存在"
                f"{before.where()}的检查点，到 {_when(last.at)}（第 {last.seq} 条）时{cause}，"
                f"检查点从那时起在{last.where()}重新开始"
                f"{'，由新生成的设备密钥签名' if last.key_created else ''}。因此无法排除：在第 {last.seq} 条之前，"
                "数据库或整个数据文件夹曾被换成较早的副本，或工作日志末尾连同记录被删去后重算了哈希链。"
                f"第 {last.seq} 条及以后仍由检查点核对。")
        if len(starts) > 2:
            text += f"（共中断 {len(starts) - 1} 次，以上是最近一次。）"
        out.warnings.append(text)
    first = starts[0] if starts else None
    if first is None or first.reason in checkpoint_log.CONTINUED:
        return
    begun = _line_began(conn, folder_id)
    if first.seq > begun + 1:
        out.warnings.append(
            f"这个数据文件夹从 {_when(first.at)}（工作日志第 {first.seq} 条）起才有签名检查点（{first.where()}），"
            f"而它的工作日志从第 {begun} 条起就有记录：无法排除在第 {first.seq} 条之前，工作日志末尾连同记录"
            "被删去后重算了哈希链，或数据被换成了较早的副本。")


def _line_began(conn: sqlite3.Connection, folder_id: str | None) -> int:
    """The entry that began the line: its system.init or data.restore; 1 for a folder
    numbered later (data.lineage: its entries before had no checkpoint of this line)."""
    marks = ", ".join("?" * len(LINEAGE_ACTIONS))
    for seq, action, details in conn.execute(
            f"SELECT seq, action, details FROM audit_log WHERE action IN ({marks}) ORDER BY seq", LINEAGE_ACTIONS):
        try:
            named = json.loads(details).get(FOLDER_KEY)
        except (TypeError, ValueError, AttributeError):
            continue  # the chain check names it
        if action != "data.lineage" and named == folder_id:
            return seq
    return 1


def _others_here(out: AnchorCheck, anchor: Anchor, data_dir: Path, device_id: str, folder_id: str | None) -> None:
    """Another device's checkpoint names this folder's path: a folder that was here before
    and was deleted (or moved) before this one was set up. Worth knowing, not a fault."""
    other = anchor.for_folder(data_dir, device_id, folder_id, same_device=False)
    if other is not None:
        out.notes.append(
            f"本机还保存着以前在这个位置的另一个数据文件夹（设备编号 {other.device_id}，工作日志到第 {other.seq} 条，"
            f"{_when(other.written_at)}）的签名检查点：那份数据已不在这里（被删除或移走后，在此重新初始化了现在的数据）。"
            "现在的数据与它无关；若那份数据仍需保留，请找回它或它的备份。")


def _signed(out: AnchorCheck, anchor: Anchor, cp: Checkpoint, device_id: str, folder_id: str | None) -> bool:
    where = anchor.path(device_id, folder_id)
    try:
        if not anchor.signature_ok(device_id, cp, folder_id):
            out.faults.append(f"本机检查点 {where} 的签名不符：检查点被伪造或改动过。")
            return False
    except CheckpointError as e:
        out.warnings.append(f"{e}（{anchor.key_location()}），检查点的签名无法核对。")
    if cp.device_id != device_id:
        out.faults.append(f"本机检查点 {where} 属于设备编号 {cp.device_id}，与数据不符，已被改动。")
        return False
    if folder_id is not None and cp.folder_id != folder_id:
        out.faults.append(f"本机检查点 {where} 属于文件夹编号 {cp.folder_id}，与数据不符，已被改动。")
        return False
    return True


def _compare(out: AnchorCheck, conn: sqlite3.Connection, cp: Checkpoint, last: int, folder_id: str | None) -> None:
    state = compare(conn, cp)
    if folder_id is None and cp.folder_id is not None:
        out.faults.append(
            f"数据被回滚：这个数据文件夹在 {cp.written_at} 已编号为 {cp.folder_id}（工作日志第 {cp.seq} 条），"
            "而这份数据没有文件夹编号：它是那之前的一份副本。")
    elif state == "ahead":
        out.faults.append(
            f"数据被回滚：本机签名检查点（{cp.written_at}）记下工作日志已写到第 {cp.seq} 条，"
            f"而现有数据只到第 {last} 条。数据库或整个数据文件夹被换成了较早的副本，"
            "或工作日志末尾被删除。若是有意从备份恢复，请用 weicha restore（会记入日志并重建检查点）。")
    elif state == "diverged":
        out.faults.append(
            f"数据被回滚或替换：工作日志第 {cp.seq} 条的哈希与本机签名检查点（{cp.written_at}）"
            "记下的不一致。数据库被换成了另一份副本，或日志被改写后重算了哈希链。")
    else:
        later = last - cp.seq
        out.notes.append(f"签名检查点相符：工作日志第 {cp.seq} 条（{cp.written_at}）"
                         + (f"，其后 {later} 条尚未写入检查点" if later else ""))


def _without_own(out: AnchorCheck, anchor: Anchor, conn: sqlite3.Connection, data_dir: Path,
                 device_id: str, folder_id: str | None, starts: list[Start]) -> None:
    """No checkpoint of this folder's line: the device's from before folder ids, another
    line's written for this very folder, another line of this device, or none at all."""
    last = device_and_head(conn)[1][0]
    if folder_id is not None:
        try:
            legacy = anchor.read(device_id)
        except CheckpointError as e:
            out.faults.append(f"本机检查点文件 {anchor.path(device_id)} {e}，已被改动或损坏。")
            return
        if legacy is not None and _signed(out, anchor, legacy, device_id, None):
            if legacy.folder_id not in (None, folder_id):
                out.faults.append(
                    f"数据被替换：本机的检查点已于 {legacy.written_at} 转给编号为 {legacy.folder_id} 的数据文件夹"
                    f"（工作日志第 {legacy.seq} 条），而这份数据的文件夹编号为 {folder_id}：它是另一份副本。")
                return
            _compare(out, conn, legacy, last, None)
            if legacy.folder_id == folder_id:
                out.warnings.append(f"本机这个数据文件夹的检查点文件 {anchor.path(device_id, folder_id)} 不见了："
                                    f"只能核对到 {legacy.written_at}，无法排除此后的回滚。")
            return
        if legacy is not None:
            return
    other = anchor.for_folder(data_dir, device_id, folder_id)
    lines = anchor.other_lines(device_id, folder_id)
    if other is not None:
        whose = (f"这台设备的另一个数据文件夹（文件夹编号 {other.folder_id}）" if other.device_id == device_id
                 else f"设备编号 {other.device_id}")
        out.faults.append(
            f"数据被替换：本机为这个数据文件夹记下的检查点属于{whose}（工作日志第 {other.seq} 条，"
            f"{other.written_at}），而现在的数据的设备编号为 {device_id}、文件夹编号为 {folder_id or '（无）'}。"
            "数据库被整体换过，或设备编号、文件夹编号被改动。")
    elif lines:
        out.warnings.append(
            f"本机有这台设备另一个数据文件夹（文件夹编号 {lines[0].folder_id}，{lines[0].data_dir}）的签名检查点，"
            f"却没有这个文件夹（编号 {folder_id or '无'}）的：无法排除这是一份较早的副本被改了编号、"
            "或工作日志末尾被截去后重算了哈希链。从另一台电脑拷来的数据文件夹也会这样。")
    elif starts:
        out.warnings.append(
            f"这个数据文件夹自 {_when(starts[0].at)}（工作日志第 {starts[0].seq} 条）起有签名检查点，"
            f"最近保存在{starts[-1].where()}；本机找不到它（{anchor.path(device_id, folder_id)}）："
            "配置文件夹被清除、换了电脑，或检查点被删除。"
            "无法排除整个数据库或数据文件夹被换成较早的副本、或工作日志末尾被截去后重算了哈希链。"
            "程序下次打开这个数据文件夹时会重新开始保存检查点，并在工作日志中记下这次中断，此后每次校验都会提示。")
    else:
        out.warnings.append(
            f"本机没有这份数据（设备编号 {device_id}）的签名检查点（{anchor.config_dir}）："
            "无法排除整个数据库或数据文件夹被换成较早的副本、或工作日志末尾被截去后重算了哈希链。"
            "在另一台电脑上、或本用户的配置文件夹被清除后核对时会这样。")


def check_lineage(conn: sqlite3.Connection, log: LogIndex) -> AnchorCheck:
    """The folder id in meta is the one the last system.init / data.lineage / data.restore
    logged (an edited one would escape its checkpoint); a restored folder is named."""
    out = AnchorCheck()
    actual = folder_of(conn)
    last = log.lineage[-1] if log.lineage else None
    if last is None:
        if actual is not None:
            out.faults.append(f"数据中的文件夹编号 {actual[:40]} 在工作日志中没有记载：是绕过程序写入的"
                              "（可能是为了避开本机的签名检查点）。")
        return out
    again = next((e for e in log.lineage[1:] if e.action == "data.lineage"), None)
    if again is not None:  # the program numbers only a folder that never had a number
        out.faults.append(f"工作日志第 {again.seq} 条给已有文件夹编号的数据重新编号：日志被改写过。")
    logged = str(last.details.get(FOLDER_KEY))
    if actual != logged:
        out.faults.append(f"文件夹编号被改动：数据中为 {actual[:40] if actual else '（无）'}，"
                          f"工作日志第 {last.seq} 条记下的是 {logged[:40]}。")
    elif last.action == "data.restore":
        out.notes.append(restored_notice(last))
    return out


def restored_notice(entry: Event) -> str:
    """"Restored from a backup reaching entry N on DATE; this computer's checkpoint of the
    original had reached entry M": what the folder may lack."""
    d = entry.details
    manifest = d.get("manifest") if isinstance(d.get("manifest"), dict) else {}
    head = d.get("backup_head") or manifest.get("audit_head") or {}
    reached = head.get("seq") if isinstance(head, dict) else None
    made = str(manifest.get("created_at") or "")
    text = (f"这个数据文件夹是 {_when(entry.at)} 从备份{'“' + str(d['backup_file']) + '”' if d.get('backup_file') else ''}"
            f"恢复的{'（备份制作于 ' + _when(made) + '）' if made else ''}：其中只有备份时已有的记录"
            f"{'（工作日志到第 ' + str(reached) + ' 条）' if isinstance(reached, int) else ''}，"
            "此后在原数据文件夹中新增或修改的记录不在这里。")
    lost = d.get("superseded_checkpoint")
    if isinstance(lost, dict) and isinstance(lost.get("seq"), int) and isinstance(reached, int) \
            and lost["seq"] > reached:
        span = f"第 {lost['seq']} 条" if lost["seq"] == reached + 1 else f"第 {reached + 1}–{lost['seq']} 条"
        text += (f"恢复时，本机原数据文件夹的检查点已到第 {lost['seq']} 条（{_when(str(lost.get('written_at') or ''))}）："
                 f"原文件夹中{span}工作日志记录的内容不在这里。")
    return text


def _when(iso: str) -> str:
    return iso[:16].replace("T", " ")
