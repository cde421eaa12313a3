"""``weicha bundle receipt FILE``: the server's receipt for an ops bundle, acknowledged on the
laptop exactly as a network push answer is (core/sync/push.py ``rejection_reason`` and the
same queue calls): the ops the server rejected are marked rejected with its reason, then
``acknowledge_through(through_seq)`` (the server's contiguous mark), then the anchored head
it answered is kept — in one commit. A receipt saying the server anchored less than this
laptop holds (``audit_gap``: the server restored from a backup) makes the next export carry
the audit entries from the server's head (meta ``bundle_audit_from``), as a push re-sends.

Checked first: the server's pinned signing key (core/bundle/keys.py), the sender the enrolled
server, the recipient this device, the receipt's server and device ids. A receipt older than
one applied already (a lower ``through_seq``: its answer is out of date) acknowledges nothing
and says so — unless it answers a bundle that began above that mark: the server was
restored and lost acknowledged ops, which are queued again (``resend_after``). A receipt the
server wrote before one taken already (its header's ``created_at``) is out of date: it
changes nothing whatever it says. The same receipt again changes nothing. Acknowledged ops
are pruned as a network sync prunes them, the receipt standing for the server's word.
Refusals are ``bundle.refused`` entries
(core/bundle/refusal.py); a receipt taken is a ``bundle.receipt`` entry."""
from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from weicha_desktop.core.bundle.container import BundleError, open_container
from weicha_desktop.core.bundle.export import AUDIT_FROM_KEY
from weicha_desktop.core.bundle.keys import pinned
from weicha_desktop.core.bundle.refusal import refused_logged, server_sender
from weicha_desktop.core.store import Actor, Store
from weicha_desktop.core.clock import parse_iso
from weicha_desktop.core.sync.anchoring import anchored_head, record_anchor
from weicha_desktop.core.sync.envelope import is_count
from weicha_desktop.core.sync.push import KEEP_ACKNOWLEDGED, prunable_through, rejection_reason
from weicha_desktop.core.sync.queue import OpsLost, OutboxQueue


RECEIPT_AT_KEY = "bundle_receipt_at"  # meta: when the server wrote the newest receipt taken


@dataclass
class ReceiptResult:
    bundle_id: str  # the receipt's
    receipt_for: str  # the ops bundle's
    through_seq: int
    acknowledged: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)
    waiting: list[dict[str, Any]] = field(default_factory=list)
    anchored: dict[str, Any] | None = None
    stale: bool = False  # below what this laptop holds acknowledged: an old receipt (or a restored server)
    resent: int = 0  # acknowledged ops queued again: the server lost them (restored from a backup)
    older: bool = False  # written by the server before a receipt taken already: its answer is out of date
    pruned: int = 0  # acknowledged ops removed from the outbox (as a network sync prunes)
    problems: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def apply_receipt(store: Store, actor: Actor, src: str | Path, *, config: Any) -> ReceiptResult:
    src = Path(src)
    with refused_logged(store, actor, src, "receipt"):
        enrollment, keys = pinned(config)
        device_id = store.meta("device_id")
        with tempfile.TemporaryDirectory(prefix="weicha-receipt-") as staging:
            with open_container(src, sender_key=server_sender(keys, enrollment.server_id, "回执"), decrypt_with=None,
                                clock=store.clock, staging_dir=Path(staging),
                                recipient=("device", device_id)) as opened:
                if opened.header.kind != "receipt":
                    raise BundleError("bad_header", f"{src.name} 不是回执（.wcr）。请选择服务器导入数据包后写出的回执文件。")
                answer = _answer(opened, device_id, enrollment.server_id)
        return _acknowledge(store, actor, opened.header, answer, enrollment.server_id, src.name)


def _answer(opened: Any, device_id: str, server_id: str) -> dict[str, Any]:
    m = opened.manifest
    try:
        answer = json.loads(opened.entry_path("receipt.json").read_bytes())
    except (KeyError, ValueError, UnicodeDecodeError, RecursionError):
        answer = None
    if not isinstance(answer, dict) or not is_count(answer.get("through_seq")) \
            or any(not isinstance(answer.get(k, []), list) for k in ("rejected", "waiting", "blobs_held")) \
            or m.get("through_seq") != answer["through_seq"] or m.get("receipt_for") != answer.get("bundle_id"):
        raise BundleError("manifest_mismatch", "回执的内容不完整或与清单不符，未处理。请让管理员重新导入数据包、写出回执。")
    if answer.get("device_id") != device_id or m.get("device_id") != device_id:
        raise BundleError("wrong_recipient", f"这份回执是给设备 {answer.get('device_id')} 的，不是本机的，未处理。请确认选对了文件。")
    if answer.get("server_id", server_id) != server_id or m.get("server_id", server_id) != server_id:
        raise BundleError("unknown_sender", "这份回执来自另一台服务器，不是本机登记的服务器，未处理。")
    return answer


def _acknowledge(store: Store, actor: Actor, header: Any, answer: dict[str, Any], server_id: str,
                 file: str) -> ReceiptResult:
    queue = OutboxQueue(store, actor)
    through, receipt_id = answer["through_seq"], header.bundle_id
    result = ReceiptResult(receipt_id, str(answer.get("bundle_id")), through,
                           waiting=[w for w in answer["waiting"] if isinstance(w, dict)])
    last, acknowledged = queue.sequence()
    newest = store.meta(RECEIPT_AT_KEY) or ""
    result.older = header.created_at < newest  # the server wrote a later receipt, taken already
    result.stale = through < acknowledged or result.older
    early = store.conn.execute("SELECT min(device_seq) FROM outbox WHERE device_id = ? AND state = 'pending' "
                               "AND device_seq <= ?", (queue.device_id, through)).fetchone()[0]
    if through > last or (early is not None and not result.stale):  # checked before anything changes
        raise BundleError("wrong_recipient", f"回执 {file} 确认到本机第 {through} 项操作，但本机"
                                             + (f"只写到第 {last} 项" if through > last else f"第 {early} 项尚未导出")
                                             + "：这份回执不属于这个数据文件夹，未处理。请联系管理员。")
    with store.batch():  # the answer's bookkeeping, one commit (each entry its own change), as a push's
        if result.stale:
            if not result.older:
                _restored(store, queue, result)
        else:
            for no in answer["rejected"]:
                _reject(store, queue, no, result)
            result.acknowledged = queue.acknowledge_through(through)
        head = answer.get("anchored")
        if isinstance(head, dict) and is_count(head.get("seq")) and isinstance(head.get("hash"), str):
            if record_anchor(store, actor, head["seq"], head["hash"], server_id):
                result.anchored = {"seq": head["seq"], "hash": head["hash"]}
            else:
                result.problems.append(f"服务器锚定的本机工作日志第 {head['seq']} 条与本机的不符：本机数据可能被换成了另一份副本。"
                                       "请运行 weicha verify 并联系管理员。")
        error = answer.get("audit_error") if isinstance(answer.get("audit_error"), dict) else {}
        resend = None  # the server anchored less than this laptop holds (restored): send from its head
        if error.get("error") == "audit_gap" and not result.stale:
            resend = head["seq"] if isinstance(head, dict) and is_count(head.get("seq")) else 0
            result.problems.append(f"服务器锚定的工作日志落后于本机（它可能从较早的备份恢复过）：下一个数据包从第 {resend + 1} 条起"
                                   "重新带上工作日志。")
        elif error:
            result.problems.append(str(error.get("message") or "服务器未能锚定本机的工作日志。"))
        if not result.stale:
            result.pruned = _prune(store, queue, through, header.created_at)
        with store.change(actor) as ch:
            if not result.stale:
                ch.set_meta(AUDIT_FROM_KEY, "" if resend is None else str(resend))
            if not result.older:
                ch.set_meta(RECEIPT_AT_KEY, header.created_at)
            ch.conn.execute("UPDATE bundle_exports SET receipt_id = ?, receipt_at = ?, receipt_through = ? "
                            "WHERE bundle_id = ? AND device_id = ? AND receipt_id IS NULL",
                            (receipt_id, ch.now, through, result.receipt_for, queue.device_id))
            ch.log("bundle.receipt", "bundle", receipt_id,
                   (f"导入回执 {file}：服务器确认到第 {through} 项，{result.acknowledged} 项同步操作已确认，"
                    f"拒收 {len(result.rejected)} 项") if not result.stale else
                   f"导入回执 {file}：它确认到第 {through} 项，本机已确认到第 {acknowledged} 项（回执较旧），未改动",
                   {"receipt_for": result.receipt_for, "through_seq": through, "acknowledged": result.acknowledged,
                    "rejected": len(result.rejected), "waiting": len(result.waiting), "stale": result.stale,
                    "server_id": server_id, "file": file})
    return result


def _prune(store: Store, queue: OutboxQueue, through: int, written_at: str) -> int:
    """Acknowledged ops leave the outbox as a network sync prunes them (core/sync/push.py): once
    the server's anchored head passed the entry that acknowledged them and the server said it
    still held them ``KEEP_ACKNOWLEDGED`` after that — here: this receipt, written then or later
    (by its header's time), names them. A laptop that only ever sees receipts would otherwise
    keep every op for ever."""
    head = anchored_head(store.conn)
    if not head or not is_count(head.get("seq")):
        return 0
    try:
        asked = min(store.clock.now(), parse_iso(written_at))
    except ValueError:
        return 0
    n = min(prunable_through(store.conn, queue.device_id, head["seq"], asked - KEEP_ACKNOWLEDGED), through)
    return queue.prune(through=n) if n > 0 else 0


def _restored(store: Store, queue: OutboxQueue, result: ReceiptResult) -> None:
    """A mark below this laptop's: an old receipt changes nothing — unless it answers a bundle
    that began after ops the server had acknowledged (its ``from_seq``), which the server
    now lacks: restored from an older backup. Those go back to the queue
    (``OutboxQueue.resend_after``, as a push answer confirmed by the server does)."""
    row = store.conn.execute("SELECT from_seq FROM bundle_exports WHERE bundle_id = ? AND device_id = ?",
                             (result.receipt_for, queue.device_id)).fetchone()
    if row is None or row[0] - 1 <= result.through_seq:
        return
    try:
        result.resent = queue.resend_after(result.through_seq)
    except OpsLost as e:
        result.problems.append(str(e))
        return
    result.problems.append(f"服务器只保存了本机第 {result.through_seq} 项及以前的同步操作（它确认过第 {row[0] - 1} 项，"
                           f"可能从较早的备份恢复过）：{result.resent} 项已放回队列，请再导出一个数据包。")


def _reject(store: Store, queue: OutboxQueue, no: Any, result: ReceiptResult) -> None:
    """One ``rejected`` item, as a push's: an exported op of this device marked rejected."""
    if not isinstance(no, dict) or not isinstance(no.get("op_id"), str):
        return
    row = store.conn.execute("SELECT state, device_seq, op, entity_id FROM outbox WHERE device_id = ? AND op_id = ?",
                             (queue.device_id, no["op_id"])).fetchone()
    if row is None or row[0] != "exported":
        return  # decided before (this receipt again, or a network answer came first)
    reason = rejection_reason(no)
    queue.reject(no["op_id"], reason)
    result.rejected.append({"op_id": no["op_id"], "device_seq": row[1], "op": row[2], "entity_id": row[3],
                            "status": no.get("status"), "error": no.get("error"), "message": reason})
