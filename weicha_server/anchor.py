"""Audit anchoring: each push carries the device's audit entries since the head the server
last anchored; the server checks they continue that chain — with the desktop's own entry
hash (``core/store/audit.entry_hash``) — and keeps the new head (``devices.anchored_seq``,
``anchored_hash``), which it answers. The laptop's ``weicha verify`` then checks that its
local chain still holds that head: a database replaced by an older copy, or a chain
rewritten whole, no longer does.

``extend(anchored_seq, anchored_hash, entries)`` → ``(seq, hash)`` of the new head, or
raises ``AnchorProblem`` (error code + Chinese message). Entries the server anchored before
may be repeated (an answer lost on the way): the one at the anchored seq must have the
anchored hash, those before it are passed over. The first anchor of a device is taken as it
comes (entries from seq 1 must start from the genesis hash; a chain sent from its middle is
checked link by link from its first entry)."""
from __future__ import annotations

import re
from typing import Any, Mapping, Sequence

from weicha_desktop.core.store.audit import GENESIS, HASHED_FIELDS, entry_hash
from weicha_desktop.core.sync.envelope import is_count

HEX64 = re.compile(r"[0-9a-f]{64}")


class AnchorProblem(Exception):
    def __init__(self, error: str, message: str):
        super().__init__(message)
        self.error, self.message = error, message


def _well_formed(e: Any) -> bool:
    if not isinstance(e, Mapping) or any(k not in e for k in HASHED_FIELDS + ("prev_hash", "hash")):
        return False
    return is_count(e["seq"]) and 1 <= e["seq"] <= 2 ** 62 and isinstance(e["details"], Mapping) \
        and all(isinstance(e[k], str) and HEX64.fullmatch(e[k]) for k in ("prev_hash", "hash"))


def extend(anchored_seq: int | None, anchored_hash: str | None,
           entries: Sequence[Mapping[str, Any]]) -> tuple[int, str] | None:
    """The new anchored head after ``entries`` (None: nothing anchored, nothing sent)."""
    head = (anchored_seq, anchored_hash) if anchored_seq is not None else None
    if not entries:
        return head
    if not all(_well_formed(e) for e in entries):
        raise AnchorProblem("bad_audit", "工作日志条目不完整（缺少字段、序号或哈希），未锚定。")
    for a, b in zip(entries, entries[1:]):
        if b["seq"] != a["seq"] + 1:
            raise AnchorProblem("bad_audit", f"工作日志条目不连续（第 {a['seq']} 条之后是第 {b['seq']} 条），未锚定。")
    fresh = list(entries)
    if head is not None:
        seq, digest = head
        at = next((e for e in fresh if e["seq"] == seq), None)
        if at is not None and at["hash"] != digest:
            raise AnchorProblem("audit_mismatch", _REWRITTEN.format(seq=seq))
        fresh = [e for e in fresh if e["seq"] > seq]
        if not fresh:
            return head
        if fresh[0]["seq"] != seq + 1:
            raise AnchorProblem("audit_gap", f"工作日志应从第 {seq + 1} 条接续服务器已锚定的第 {seq} 条，"
                                             f"收到的从第 {fresh[0]['seq']} 条开始：请从服务器已锚定处重新发送。")
        prev = digest
    else:
        prev = GENESIS if fresh[0]["seq"] == 1 else fresh[0]["prev_hash"]
    for e in fresh:
        try:
            digest = entry_hash(prev, dict(e))
        except (UnicodeEncodeError, ValueError, TypeError):  # a value canonical JSON cannot hold
            raise AnchorProblem("bad_audit", f"工作日志第 {e['seq']} 条含有无法计算哈希的值，未锚定。") from None
        if e["prev_hash"] != prev or digest != e["hash"]:
            raise AnchorProblem("audit_mismatch", _REWRITTEN.format(seq=e["seq"]))
        prev = e["hash"]
    return fresh[-1]["seq"], prev


_REWRITTEN = ("设备的工作日志在第 {seq} 条处与服务器锚定的不符：数据库可能被换成较早的副本或被改写。"
              "同步的操作照常接收，锚点不前移；请在该设备上运行 weicha verify 并联系管理员。")
