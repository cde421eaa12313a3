"""What the audit log says about this computer's signed checkpoints: ``data.anchor`` entries.

A checkpoint kept outside the data folder can be wiped with the config folder, or its key
lost, and a fresh one made at the next open would look as good as the old one: a log whose
tail was cut before would then verify clean. So whenever the store is about to start the
checkpoint of a line of the folder's history (device id + folder id, core/lineage.py) from
nothing, or to sign it with a key the log has not named for that line, it first logs — by
the system, in a change of its own — a ``data.anchor`` entry (object: ``checkpoint`` + the
folder id), and the checkpoint it then writes has that entry (or a later one) as its head:

    details  device_id, folder_id, public_key (hex), reason, key_created (a key made now),
             previous   {seq, at, public_key}  the line's data.anchor entry before this one
             continues  {seq, counter, written_at, public_key}  the checkpoint file it goes
                        on from (takeover, adopted, new_key), else None
             config_dir, host   where the checkpoint is kept: folder, computer name

    reason   first     a new line: a folder just set up, or restored (its first checkpoint)
             takeover  a folder from before folder ids takes over the device's checkpoint
             adopted   a checkpoint from before these entries, named in the log now
             restart   the line was anchored before (an entry names it) but its checkpoint
                       is not here any more: the config folder wiped, another computer
             new_key   the checkpoint is here, but not the key the log names for it

verify (core/verify/anchor.py) reads them: a line that was started again stays a WARNING
for good, naming since when it is unanchored and what that leaves open; a checkpoint signed
with a key the log does not name for the line is a warning; a line whose first checkpoint
came long after the line began says which entries no checkpoint ever covered."""
from __future__ import annotations

import json
import socket
import sqlite3
from dataclasses import dataclass
from typing import Any

ACTION = "data.anchor"
KIND = "checkpoint"
REASONS = ("first", "takeover", "adopted", "restart", "new_key")
CONTINUED = ("takeover", "adopted")  # went on from a checkpoint that was already there


@dataclass(frozen=True)
class Start:
    """One ``data.anchor`` entry of a line."""
    seq: int
    at: str
    reason: str
    public_key: str
    key_created: bool
    config_dir: str = ""
    host: str = ""

    def where(self) -> str:
        """"电脑 HOST 上的 FOLDER": where this line's checkpoint was kept from then on."""
        return f"电脑 {self.host} 上的 {self.config_dir}" if self.host else (self.config_dir or "配置文件夹")


def starts(conn: sqlite3.Connection, device_id: str, folder_id: str) -> list[Start]:
    """The line's data.anchor entries, oldest first (an indexed lookup by object)."""
    out = []
    for seq, at, action, details in conn.execute(
            "SELECT seq, at, action, details FROM audit_log WHERE object_kind = ? AND object_id = ? "
            "ORDER BY seq", (KIND, folder_id)):
        try:
            d = json.loads(details)
        except (TypeError, ValueError):
            continue  # the chain check names it
        if action != ACTION or not isinstance(d, dict) or d.get("device_id") != device_id \
                or d.get("folder_id") != folder_id:
            continue
        out.append(Start(seq, at, str(d.get("reason")), str(d.get("public_key")), d.get("key_created") is True,
                         str(d.get("config_dir") or "")[:200], str(d.get("host") or "")[:64]))
    return out


def start_entry(reason: str, *, device_id: str, folder_id: str, public_key: str, key_created: bool,
                previous: Start | None, continues: Any, config_dir: str) -> tuple[str, dict[str, Any]]:
    """(summary, details) of the data.anchor entry; ``continues`` a Checkpoint or None."""
    details = {
        "device_id": device_id, "folder_id": folder_id, "public_key": public_key, "reason": reason,
        "key_created": key_created, "config_dir": config_dir, "host": socket.gethostname(),
        "previous": previous and {"seq": previous.seq, "at": previous.at, "public_key": previous.public_key},
        "continues": continues and {"seq": continues.seq, "counter": continues.counter,
                                    "written_at": continues.written_at, "public_key": continues.public_key},
    }
    key = f"设备密钥 {public_key[:16]}…{'（新生成）' if key_created else ''}"
    if reason == "restart":
        summary = (f"重新开始保存签名检查点：本机找不到这个数据文件夹自第 {previous.seq} 条起保存的检查点"
                   f"（配置文件夹被清除或换了电脑），此后由{key}签名")
    elif reason == "new_key":
        summary = f"更换签名检查点的设备密钥：原密钥 {(continues or previous).public_key[:16]}… 不在了，此后由{key}签名"
    elif reason == "takeover":
        summary = f"接续本机原有的签名检查点（工作日志第 {continues.seq} 条，第 {continues.counter} 次写入），{key}"
    elif reason == "adopted":
        summary = f"把本机已有的签名检查点（工作日志第 {continues.seq} 条）记入工作日志，{key}"
    else:
        summary = f"开始在本机保存签名检查点（{config_dir}），{key}"
    return summary, details
