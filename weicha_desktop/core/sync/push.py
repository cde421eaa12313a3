"""One sync with the server: photo originals, then ops, then the audit anchor
(docs/sync-protocol.md, "The desktop's client").

``sync_once(store, client)`` repeats, while something moves:

1. Read a batch: the outstanding ops (pending and exported-not-acknowledged) in
   ``device_seq`` order, at most 500 and ~6 MiB, and the audit entries after the head the
   server anchored (at most 2,000, in what room is left). Nothing is marked before the
   server has answered: an unreachable server leaves no trace in the log.
2. Upload the originals the batch's ops name (``photo.add``'s own, a finalize's manifest)
   that the server says it lacks, two at once: one that fits a chunk in ONE request
   (``Upload-Length``), a larger one resumable, in chunks, starting at the offset the server
   holds (a cut upload resumes there, not at zero).
3. Push: ``{device_id, ops, from_seq, through_seq, audit}``.
4. The answer, in one commit: the batch's ops are marked exported; those the server
   rejected are marked rejected with its reason (shown, never blocking the queue); then
   ``acknowledge_through(answer.through_seq)`` — the server's contiguous mark, never the
   batch's end: an op written while the batch was in flight is not in it and stays pending
   (and the queue refuses a mark that covers a pending op). The anchored head it answers is
   kept (core/sync/anchoring.py).
5. A mark below what the server acknowledged before, confirmed by ``GET /v1/devices/me``
   (the server was restored from an older backup): the acknowledged ops after its mark go
   back to the queue and are sent again (``OutboxQueue.resend_after``).

At the end, acknowledged ops are pruned (``sync.prune``) once the server's anchored head
has passed the entry that acknowledged them, ``keep`` (7 days) has gone by since, and the
server, asked then, still holds them (if it holds less, step 5). A batch answered ``413`` is
sent again halved. A SyncError (network, revoked, upgrade, certificate) or OpsLost (the
server lost ops this laptop had pruned) ends the sync: the result carries it and what had
moved before; the queue is kept as it is. A pass whose only unanchored audit entries are the sync's own bookkeeping
(``sync.*``) and that has no ops pushes nothing, so an idle laptop does not write a log entry
per period."""
from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable

from weicha_desktop.core.clock import parse_iso
from weicha_desktop.core.errors import WeichaError
from weicha_desktop.core.ids import new_id
from weicha_desktop.core.media.blobs import BlobStore
from weicha_desktop.core.store import SYSTEM, Actor, Store
from weicha_desktop.core.sync.anchoring import anchored_head, entries_after, hash_at, record_anchor
from weicha_desktop.core.sync.client import Refused, SyncClient, SyncError
from weicha_desktop.core.sync.envelope import is_count
from weicha_desktop.core.sync.queue import OutboxQueue

MAX_OPS = 500  # ops in one push (the server's limit)
MAX_BODY = 6 * 1024 * 1024  # bytes of JSON in one push (the server refuses above 8 MiB)
MAX_AUDIT = 2000  # audit entries in one push
CHUNK = 4 * 1024 * 1024  # bytes of one upload PATCH (the server's limit)
UPLOADS = 2  # originals uploaded at once (two connections to the server)
MAX_ROUNDS = 10_000  # pushes in one sync (a safety net: each must move something)
# acknowledged ops stay this long (by this laptop's clock) after the server acknowledged them,
# so a server restored from a backup up to this old can be given back what it lost
KEEP_ACKNOWLEDGED = timedelta(days=7)
BOOKKEEPING = frozenset({"sync.export", "sync.acknowledge", "sync.reject", "sync.prune",
                         "sync.compact", "sync.anchor", "sync.resend"})
Progress = Callable[[str, int, int], None]  # (stage, done, total): "photos" bytes, "ops" ops


class Stopped(WeichaError):
    """The caller cancelled the sync between two requests."""


@dataclass
class SyncResult:
    batches: int = 0
    ops_sent: int = 0
    applied: int = 0
    skipped: int = 0
    acknowledged: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)
    waiting: list[dict[str, Any]] = field(default_factory=list)
    photos_uploaded: int = 0
    photo_bytes: int = 0
    resumed: list[dict[str, Any]] = field(default_factory=list)  # {sha256, offset} resumed at
    pruned: int = 0  # acknowledged ops removed from the outbox (the anchor passed them)
    resent: int = 0  # acknowledged ops sent again: the server's mark had gone back (restored)
    anchored: dict[str, Any] | None = None
    audit_error: dict[str, Any] | None = None
    problems: list[str] = field(default_factory=list)  # not fatal: said, the sync went on
    error: WeichaError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "batches": self.batches, "ops_sent": self.ops_sent,
                "applied": self.applied, "skipped": self.skipped, "acknowledged": self.acknowledged,
                "rejected": self.rejected, "waiting": self.waiting,
                "photos_uploaded": self.photos_uploaded, "photo_bytes": self.photo_bytes,
                "resumed": self.resumed, "pruned": self.pruned, "resent": self.resent,
                "anchored": self.anchored,
                "audit_error": self.audit_error,
                "problems": self.problems,
                "error": None if self.error is None else {
                    "kind": type(self.error).__name__, "code": getattr(self.error, "code", None),
                    "status": getattr(self.error, "status", None), "message": str(self.error)}}


class _Sync:
    def __init__(self, store: Store, client: SyncClient, actor: Actor, config: Any,
                 max_ops: int, max_body: int, chunk_size: int, progress: Progress | None,
                 cancelled: Callable[[], bool], keep: timedelta = KEEP_ACKNOWLEDGED):
        self.store, self.client, self.config, self.keep = store, client, config, keep
        self.queue = OutboxQueue(store, actor)
        self.actor = actor
        self.device_id = self.queue.device_id
        self.max_ops, self.max_body, self.chunk = max_ops, max_body, chunk_size
        self.progress = progress or (lambda stage, done, total: None)
        self.cancelled = cancelled
        self.blobs = BlobStore(store.blobs_dir, create=False)
        self.whole = True  # the server takes a whole original in one PATCH (Upload-Length)
        self.counting = threading.Lock()  # the result's photo counts: two uploads at once
        self.result = SyncResult()
        head = anchored_head(store.conn)
        self.audit_from = head["seq"] if head and isinstance(head.get("seq"), int) else 0
        self.server_id = getattr(config.load(), "server_id", None) if config is not None else None
        self.pool: ThreadPoolExecutor | None = None  # the one push in flight while an answer is recorded
        self.own: Store | None = None  # this sync's own connection, from the first push in flight on
        self.origin = store

    def close(self) -> None:
        """Wait for a push still in flight (its answer dropped: the next sync gets its ops
        ``skipped``) and close this sync's own connection."""
        if self.pool is not None:
            self.pool.shutdown(wait=True)
        if self.own is not None:
            self.own.close()
            self.own, self.store, self.queue = None, self.origin, OutboxQueue(self.origin, self.actor)

    # ---- one pass ---------------------------------------------------------------------
    def run(self) -> None:
        self.queue.compact()  # superseded drafts do not travel (logged only when any)
        for _ in range(2):  # again when the server turns out to hold less than it acknowledged
            pushed = self._rounds()
            if not self._prune(ask=not pushed):
                return

    def _rounds(self) -> int:
        """Push while something moves; how many pushes. A push whose answer leaves nothing
        open (every op of it decided, nothing waiting, the anchor ours) sends the next batch
        at once — from the server's mark, before this one's answer is recorded — and records
        the answer while the server applies the next (``_launch``)."""
        resynced, pushes, flight = False, 0, None
        for pushes in range(MAX_ROUNDS):
            if flight is None:
                if self.cancelled():
                    raise Stopped("同步已停止。")
                ops, audit, more = self._batch()
                if not ops and all(e["action"] in BOOKKEEPING for e in audit):
                    break
                self._upload_originals(ops)
                acknowledged = self.queue.sequence()[1]
                body = push_body(self.device_id, ops, acknowledged, audit)
                answer = self._send(ops, audit, lambda: self.client.push(body))
            else:
                ops, audit, more, acknowledged, future = flight
                answer = self._send(ops, audit, future.result)
            flight = None if answer is None or not more else self._launch(ops, acknowledged, answer)
            moved, gap = (True, False) if answer is None else self._record(ops, audit, acknowledged, answer)
            if gap and not resynced:  # the server anchored less than this store thinks
                resynced, moved = True, self._resync_anchor()
            if not moved and flight is None:  # (one in flight follows an answer that moved)
                return pushes + 1
        return pushes

    def _prune(self, ask: bool) -> bool:
        """Acknowledged ops leave the outbox once (1) the server's anchored head has passed the
        entry that acknowledged them, (2) they were acknowledged ``keep`` ago or more, and (3)
        the server, asked now, still holds them — until then a server restored from an older
        backup can be given them again. The server is asked (``GET /v1/devices/me``) when
        something could go, and when ``ask`` (a sync that had nothing to push: an idle laptop
        learns so that the server lost what it had sent). True when the server holds less
        than it acknowledged: what it lost is queued again (the caller pushes once more)."""
        cutoff = self.store.clock.now() - self.keep
        if not (ask and self.queue.sequence()[1]) and not self._prunable(self.audit_from, cutoff):
            return False  # nothing would go, nothing to learn: no need to ask the server
        me = self.client.me()
        theirs, head = me.get("through_seq"), me.get("anchored")
        if not is_count(theirs):
            return False
        if theirs < self.queue.sequence()[1]:
            return self._resend(theirs)
        seq = head.get("seq") if isinstance(head, dict) else None
        if not is_count(seq) or hash_at(self.store.conn, seq) != head.get("hash"):
            return False  # the server anchored another chain (reported by the push) or none
        through = min(self._prunable(min(seq, self.audit_from), cutoff), theirs)
        if through:
            self.result.pruned += self.queue.prune(through=through)
        return False

    def _prunable(self, anchored: int, cutoff: datetime) -> int:
        return prunable_through(self.store.conn, self.device_id, anchored, cutoff)

    def _resend(self, theirs: int) -> bool:
        """The server holds this device's ops only up to ``theirs``, below what it acknowledged
        (restored from an older backup): send again what it lost (``OutboxQueue.resend_after``;
        OpsLost, which ends the sync, when some of it was pruned)."""
        acknowledged = self.queue.sequence()[1]
        n = self.queue.resend_after(theirs)
        self.result.resent += n
        self.result.problems.append(
            f"服务器记录的本机同步进度退回到第 {theirs} 项（它确认过第 {acknowledged} 项）：服务器可能从较早的备份"
            f"恢复过，已把它缺少的 {n} 项操作重新发送。")
        return True

    def _batch(self, after: int | None = None,
               audit_from: int | None = None) -> tuple[list["_Op"], list[dict[str, Any]], bool]:
        """The next push's ops (after ``after``, default the acknowledged mark) and audit entries
        (after ``audit_from``, default the anchored head), within the limits; and whether the
        ops stopped at a limit (more may follow: a backlog, worth a push in flight)."""
        after = self.queue.sequence()[1] if after is None else after
        ops, size = [], 0
        read = outstanding_ops(self.store.conn, self.device_id, after, self.max_ops)
        for op in read:
            if ops and size + len(op.raw) > self.max_body:
                break
            ops.append(op)
            size += len(op.raw)
        audit = []
        for entry in entries_after(self.store.conn, self.audit_from if audit_from is None else audit_from, MAX_AUDIT):
            n = len(json.dumps(entry, ensure_ascii=False))
            if (ops or audit) and size + n > self.max_body:
                break
            audit.append(entry)
            size += n
        return ops, audit, len(ops) < len(read) or len(read) == self.max_ops

    def _send(self, ops: list["_Op"], audit: list[dict[str, Any]],
              answer: Callable[[], dict[str, Any]]) -> dict[str, Any] | None:
        """The answer to one push (``answer()``: the push sent now, or the one in flight);
        None when it was too large (413: the limits are halved, the caller reads again)."""
        try:
            return answer()
        except Refused as e:
            if e.status == 413 and (len(ops) > 1 or len(audit) > 1):
                self.max_ops = max(1, len(ops) // 2)
                self.max_body = max(64 * 1024, self.max_body // 2)
                return None
            if e.status in (400, 422):
                _damaged(ops)  # a stored op that is not JSON says so (it was sent as stored)
            raise

    def _launch(self, ops: list["_Op"], acknowledged: int, answer: dict[str, Any]) -> tuple | None:
        """The next push sent now, before ``answer`` is recorded, when the answer leaves
        nothing open: every op of the batch decided (the server's mark is the batch's end),
        nothing waiting, no anchoring problem and the head it anchored is this chain's; and
        the next batch names no originals to upload first. It goes from the server's mark
        (``from_seq``) with the audit entries after that head, from a worker thread; this
        sync's store work moves to its own connection (the caller's may be written meanwhile:
        an op written now is in no batch yet and stays pending until a later answer covers it).
        The answer is recorded as any, acknowledging only up to the server's mark. Only for
        a batch that stopped at a limit (a backlog): a small sync stays one push at a time.
        (ops, audit, more, the mark, the future) or None."""
        through, head = answer["through_seq"], answer.get("anchored")
        if not ops or through != ops[-1].device_seq or through < acknowledged or answer.get("waiting") \
                or answer.get("audit_error") or self.cancelled():
            return None
        audit_from = self.audit_from
        if isinstance(head, dict) and isinstance(head.get("seq"), int):
            if hash_at(self.store.conn, head["seq"]) != head.get("hash"):
                return None
            audit_from = max(audit_from, head["seq"])
        ops, audit, more = self._batch(after=through, audit_from=audit_from)
        if not ops or any(op.originals() for op in ops):
            return None
        if self.own is None:
            self.own = self.store.sibling()
            self.store, self.queue = self.own, OutboxQueue(self.own, self.actor)
            self.pool = ThreadPoolExecutor(1, thread_name_prefix="weicha-push")
        body = push_body(self.device_id, ops, through, audit)
        return ops, audit, more, through, self.pool.submit(self.client.push, body)

    def _record(self, ops: list["_Op"], audit: list[dict[str, Any]], acknowledged: int,
                answer: dict[str, Any]) -> tuple[bool, bool]:
        """One answer recorded; (something moved, the server's anchor is behind ours)."""
        r = self.result
        r.batches += 1
        r.ops_sent += len(ops)
        r.applied += len(answer.get("applied", []))
        r.skipped += len(answer.get("skipped", []))
        sent = {op.op_id: op for op in ops}
        through = answer["through_seq"]
        with self.store.batch():  # the answer's bookkeeping, one commit (each entry its own change)
            if ops:
                self.queue.mark_exported(list(sent), new_id())
            for no in answer.get("rejected", []):
                self._rejected(no, sent)
            # never past what this batch carried: a server ahead of it (it applied a push in
            # flight whose answer this laptop never recorded, killed meanwhile) holds ops still
            # pending here, which the next batch carries — skipped there if they are these ops,
            # a fork if another folder wrote them
            r.acknowledged += self.queue.acknowledge_through(min(through, ops[-1].device_seq) if ops else through)
            moved_audit, gap = self._anchor(answer, audit)
        waiting = [w for w in answer.get("waiting", []) if isinstance(w, dict)]
        r.waiting = waiting
        # sent, and still to send: the outstanding ops after this batch (its own, answered or
        # not, are in ops_sent — counting them as outstanding too made one batch end at 50 %)
        self.progress("ops", r.ops_sent, r.ops_sent + self._unsent(ops[-1].device_seq if ops else acknowledged))
        if through < acknowledged:  # the server holds less than it acknowledged: ask it, re-send
            theirs = self.client.me().get("through_seq")
            if is_count(theirs) and theirs < acknowledged:
                return self._resend(theirs), gap
        moved_ops = self.queue.sequence()[1] > acknowledged
        return (moved_ops or moved_audit) and not waiting, gap

    def _unsent(self, after: int) -> int:
        """Outstanding ops after ``after`` (device_seq): those no push has carried yet (as
        ``Store.pending_count``, which counts them all)."""
        return self.store.conn.execute(  # on the index outbox_state (state, device_seq)
            "SELECT count(*) FROM outbox WHERE state IN ('pending', 'exported') AND device_seq > ?",
            (after,)).fetchone()[0]

    def _rejected(self, no: Any, sent: dict[str, "_Op"]) -> None:
        if not isinstance(no, dict) or no.get("op_id") not in sent:
            return
        op = sent[no["op_id"]]
        reason = rejection_reason(no)
        self.queue.reject(op.op_id, reason)
        self.result.rejected.append({"op_id": op.op_id, "device_seq": op.device_seq, "op": op.op,
                                     "entity_id": op.entity_id, "status": no.get("status"),
                                     "error": no.get("error"), "message": reason})

    def _anchor(self, answer: dict[str, Any], audit: list[dict[str, Any]]) -> tuple[bool, bool]:
        """Keep the anchored head the server answered; (it moved, the server's is behind)."""
        error = answer.get("audit_error")
        gap = False
        if isinstance(error, dict):
            self.result.audit_error = error
            gap = error.get("error") == "audit_gap"
            if not gap:
                self.result.problems.append(str(error.get("message") or "服务器未能锚定本机的工作日志。"))
        head = answer.get("anchored")
        if not isinstance(head, dict) or not isinstance(head.get("seq"), int):
            return False, gap
        seq, digest = head["seq"], head.get("hash")
        if not record_anchor(self.store, self.actor, seq, digest, self.server_id):
            self.result.problems.append(
                f"服务器锚定的本机工作日志第 {seq} 条与本机的不符：本机数据可能被换成了另一份副本。"
                "请运行 weicha verify 并联系管理员。")
            return False, gap
        moved = seq > self.audit_from
        self.audit_from = max(self.audit_from, seq)
        self.result.anchored = {"seq": seq, "hash": digest}
        # only the sync's own entries anchored is no progress: each push writes one more (a
        # server that takes none of the ops would otherwise be pushed to for ever)
        return moved and any(e["action"] not in BOOKKEEPING for e in audit), gap

    def noted(self) -> dict[str, Any]:
        """What the enrollment file keeps of this sync (written once, at its end): last success
        or error, and the anchored head the store has committed."""
        now = self.store.clock.iso()
        r = self.result
        out: dict[str, Any] = ({"last_success_at": now, "last_error": None, "last_error_at": None}
                               if r.ok else {"last_error": str(r.error), "last_error_at": now})
        if r.anchored is not None:
            out["anchored"] = {**r.anchored, "at": now, "folder_id": self.store.meta("folder_id")}
        return out

    def _resync_anchor(self) -> bool:
        """The server anchored less than this store thinks (it was restored): send from its."""
        theirs = (self.client.me() or {}).get("anchored")
        seq = theirs.get("seq") if isinstance(theirs, dict) else 0
        if not isinstance(seq, int) or seq >= self.audit_from:
            return False
        self.audit_from = seq
        self.result.audit_error = None
        return True

    # ---- photo originals ----------------------------------------------------------------
    def _upload_originals(self, ops: list["_Op"]) -> None:
        needed = list(dict.fromkeys(sha for op in ops for sha in op.originals()))
        missing: list[str] = []
        for i in range(0, len(needed), 1000):
            missing += self.client.missing(needed[i:i + 1000])
        total = sum(self._size(sha) for sha in missing)
        if len(missing) < 2 or UPLOADS < 2:
            for sha in missing:
                self._upload(sha, total)
            return
        # two at once: one's bytes travel while the server writes, fsyncs and hashes the
        # other's; the first failure stops what has not begun, and is raised once both end
        failed: list[BaseException] = []

        def one(sha: str) -> None:
            if failed or self.cancelled():
                return
            try:
                self._upload(sha, total)
            except BaseException as e:  # noqa: BLE001 — raised below, on the sync's thread
                failed.append(e)

        with ThreadPoolExecutor(UPLOADS, thread_name_prefix="weicha-upload") as pool:
            list(pool.map(one, missing))
        if failed:
            raise failed[0]
        if self.cancelled():
            raise Stopped("同步已停止（照片原图上传到一半，下次从断点继续）。")

    def _size(self, sha: str) -> int:
        try:
            return self.blobs.path(sha).stat().st_size
        except OSError:
            return 0

    def _upload(self, sha: str, total: int) -> None:
        path: Path = self.blobs.path(sha)
        try:
            f = open(path, "rb")
        except OSError:
            self.result.problems.append(f"照片原图 {sha[:12]}… 在本机找不到（{path}）：引用它的操作等待上传。"
                                        "请运行 weicha verify。")
            return
        with f:
            size = path.stat().st_size
            offset = self._whole(sha, f, size, total) if size <= self.chunk and self.whole else None
            if offset is None:  # larger than one chunk, or a server that needs the upload started
                offset = self.client.upload_start(sha, size)
                if 0 < offset < size:
                    self.result.resumed.append({"sha256": sha, "offset": offset})
            stalled = 0
            while offset < size:
                if self.cancelled():
                    raise Stopped("同步已停止（照片原图上传到一半，下次从断点继续）。")
                f.seek(offset)
                data = f.read(self.chunk)
                new = self._chunk(sha, offset, data, total)
                stalled = stalled + 1 if new <= offset else 0
                if stalled >= 3 or new > size:
                    raise SyncError(f"照片原图 {sha[:12]}… 的上传没有进展（服务器位置 {new}）：稍后重试。")
                offset = new
            with self.counting:
                self.result.photos_uploaded += 1

    def _whole(self, sha: str, f: Any, size: int, total: int) -> int | None:
        """An original that fits one chunk goes in ONE request (``Upload-Length``: the server
        starts the upload itself, and stores a whole original with one fsync and one commit);
        the server's offset after it, or None from a server older than that (404
        ``no_upload``: this sync starts each upload first from then on)."""
        try:
            return self._chunk(sha, 0, f.read(size), total, length=size)
        except Refused as e:
            if e.status != 404 or e.code != "no_upload":
                raise
            self.whole = False
            return None

    def _chunk(self, sha: str, offset: int, data: bytes, total: int, length: int | None = None) -> int:
        """One PATCH; the server's offset after it (photo bytes and progress counted)."""
        try:
            new = self.client.upload_chunk(sha, offset, data, length=length)
        except Refused as e:
            if e.code == "sha_mismatch":
                raise SyncError(f"照片原图 {sha[:12]}… 上传后服务器核对 SHA-256 不符：本机的原图可能已损坏。"
                                "请运行 weicha verify。", status=e.status, code=e.code) from None
            raise
        if new == offset + len(data):
            with self.counting:
                self.result.photo_bytes += len(data)
                self.progress("photos", self.result.photo_bytes, total)
        return new


# ---- the ops as they travel: the stored JSON text spliced in, not parsed and encoded again -----
_HEADER = ("op_id", "device_id", "device_seq", "payload_version", "entity_kind", "entity_id", "op",
           "created_at")
_OUTSTANDING = (f"SELECT {', '.join(_HEADER)}, actor, payload FROM outbox WHERE device_id = ? "
                "AND device_seq > ? AND state IN ('pending', 'exported') ORDER BY device_seq LIMIT ?")


@dataclass(frozen=True)
class _Op:
    """One outstanding op: what the sync needs of it, and its envelope as JSON bytes (``raw``)."""
    op_id: str
    device_seq: int
    op: str
    entity_id: str
    actor: Any  # the stored JSON texts
    payload: Any
    raw: bytes

    def originals(self) -> list[str]:
        """``originals_of`` its envelope; only the ops that can name originals are parsed."""
        if self.op != "photo.add" and not self.op.endswith(".finalize"):
            return []
        try:
            if '"sha256"' not in self.payload:
                return []  # a finalize with no photos: not parsed
            return originals_of({"op": self.op, "payload": json.loads(self.payload)})
        except (TypeError, ValueError, AttributeError):
            return []  # not JSON: the push says so (_damaged)


def outstanding_ops(conn: Any, device_id: str, acknowledged: int, limit: int) -> list[_Op]:
    """The device's outstanding ops (pending, exported) after ``acknowledged`` — its contiguous
    mark: every op at or below it is acknowledged or rejected (``acknowledge_through`` refuses
    otherwise), so the read seeks instead of walking the acknowledged rows — in ``device_seq``
    order, at most ``limit``. Each envelope is its header fields as JSON with the actor's and
    the payload's stored JSON text spliced in as stored: the value ``outbox_envelope`` parses
    (parsing ~5 KB and encoding it twice was most of the client's time per op); the server's
    digest is over its own canonical form of it."""
    out = []
    for row in conn.execute(_OUTSTANDING, (device_id, acknowledged, limit)):
        header = dict(zip(_HEADER, row))
        actor, payload = row[8], row[9]
        head = json.dumps(header, ensure_ascii=False, separators=(",", ":"))
        # a lone surrogate (none can be stored as UTF-8 text) would go as its JSON escape: the
        # server refuses it as it did the parsed value (bad_batch)
        raw = f'{head[:-1]},"actor":{actor},"payload":{payload}}}'.encode("utf-8", "backslashreplace")
        out.append(_Op(row[0], row[2], row[6], row[5], actor, payload, raw))
    return out


def push_body(device_id: str, ops: list[_Op], acknowledged: int, audit: list[dict[str, Any]]) -> bytes:
    """``{device_id, from_seq, through_seq, audit, ops}`` as the request's JSON bytes."""
    head = json.dumps({"device_id": device_id, "from_seq": acknowledged + 1,
                       "through_seq": ops[-1].device_seq if ops else acknowledged, "audit": audit},
                      ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return head[:-1] + b',"ops":[' + b",".join(op.raw for op in ops) + b"]}"


def _damaged(ops: list[_Op]) -> None:
    """SyncError naming the first op whose stored actor or payload is not a JSON object (the
    batch went as stored and the server could not read it); nothing when all are."""
    for op in ops:
        try:
            whole = all(isinstance(json.loads(t), dict) for t in (op.actor, op.payload))
        except (TypeError, ValueError):
            whole = False
        if not whole:
            raise SyncError(f"本机第 {op.device_seq} 项同步操作（{op.op}）保存的内容已损坏（不是有效的 JSON 对象），"
                            "无法发送，同步停在它之前。请运行 weicha verify 并联系管理员。未同步的内容保留在本机。",
                            code="damaged_op")


def prunable_through(conn: Any, device_id: str, anchored: int, cutoff: datetime) -> int:
    """The highest device_seq up to which every acknowledged op of ``device_id`` may be pruned
    (0: none): acknowledged by an entry at or below ``anchored`` (the server's anchored head),
    at ``cutoff`` or before. The sync asks the server before it prunes; a USB receipt is the
    server's word (core/bundle/receipt.py)."""
    top = conn.execute(
        "SELECT max(CAST(json_extract(details, '$.through') AS INTEGER)) FROM audit_log WHERE "
        "action = 'sync.acknowledge' AND seq <= ? AND json_valid(details)", (anchored,)).fetchone()[0]
    through = 0
    for seq, at in conn.execute(
            "SELECT device_seq, acknowledged_at FROM outbox WHERE device_id = ? AND state = 'acknowledged' "
            "AND device_seq <= ? ORDER BY device_seq", (device_id, top or 0)):
        try:
            if parse_iso(at) > cutoff:
                break
        except (TypeError, ValueError):
            break
        through = seq
    return through


def rejection_reason(no: dict[str, Any]) -> str:
    """The reason kept with an op the server rejected: a push answer's ``rejected`` item, or a
    USB receipt's (core/bundle/receipt.py acknowledges a receipt as this module an answer)."""
    return f"{no.get('message') or '服务器未说明原因'}（{no.get('status', '')} {no.get('error', '')}）".strip()


def originals_of(env: dict[str, Any]) -> list[str]:
    """The photo originals (SHA-256) an op names, which the server must hold before it
    applies it: a ``photo.add``'s own, a finalize's manifest."""
    payload, name = env.get("payload") or {}, env.get("op", "")
    if name == "photo.add":
        return [payload["sha256"]] if isinstance(payload.get("sha256"), str) else []
    if name.endswith(".finalize"):
        return [m["sha256"] for m in payload.get("manifest") or []
                if isinstance(m, dict) and isinstance(m.get("sha256"), str)]
    return []


def sync_once(store: Store, client: SyncClient, *, actor: Actor = SYSTEM, config: Any = None,
              max_ops: int = MAX_OPS, max_body: int = MAX_BODY, chunk_size: int = CHUNK,
              progress: Progress | None = None, cancelled: Callable[[], bool] = lambda: False,
              keep: timedelta = KEEP_ACKNOWLEDGED) -> SyncResult:
    """Push everything outstanding (see the module doc). Never raises for the server or the
    network: the result's ``error`` says what stopped it. ``config`` (a SyncConfig): where
    the last success or error and the anchored head are noted, outside the data folder.
    ``keep``: how long acknowledged ops stay before they may be pruned."""
    sync = _Sync(store, client, actor, config, max_ops, max_body, chunk_size, progress, cancelled, keep)
    try:
        sync.run()
    except WeichaError as e:  # SyncError, Stopped, an answer the queue refuses (InvalidState)
        sync.result.error = e
    finally:
        sync.close()
    if config is not None:
        config.update(**sync.noted())
    return sync.result
