"""The outbox of this device and the states of its ops (docs/sync-protocol.md).

    pending ──export──▶ exported ──server acknowledges──▶ acknowledged ──prune──▶ (gone, logged)
       │                   │  └──re-export (a later bundle)──▶ exported
       │                   └──server rejects──▶ rejected (reason kept, for a person to see)
       └──a later draft of the same entity──▶ compacted (gone, logged)
    acknowledged / rejected ──the server's mark went back (restored)──▶ exported (re-sent)

Every transition is a change of its own (``store.change``) with a ``sync.*`` audit entry.
Ops leave the outbox only two ways, both logged so verify does not take them for deleted
(core/verify/outbox.py): ``prune`` (acknowledged: ``details.acknowledged_ops``) and
``compact`` (a pending draft op superseded by a later draft op of the same entity kind and id:
``details.superseded_ops``). Compaction never drops an op whose registered spec is not a
draft (core/ops.py): creates, finalizes, amendments, reviews, photo ops stay.

A bundle covers a range of this device's sequence numbers: ``from_seq`` = one past what the
server acknowledged contiguously, ``through_seq`` = the last op in it; every number in the
range the bundle does not carry was compacted away or decided by the server already, so the
server may move its contiguous mark to ``through_seq`` once it has applied the bundle."""
from __future__ import annotations

from typing import Any, Iterable

from weicha_desktop.core.errors import InvalidState, NotFound, WeichaError
from weicha_desktop.core.ids import new_id
from weicha_desktop.core.ops import draft_ops
from weicha_desktop.core.store import Actor, Change, Store
from weicha_desktop.core.store.oplog import ACKED_KEY, SUPERSEDED_KEY, outbox_envelope

CHUNK = 1000  # ops removed per change (one audit entry lists at most this many)
BUNDLE_FORMAT, BUNDLE_VERSION = "weicha-ops", 1
STATE_COLUMNS = ("state", "exported_bundle_id", "exported_at", "acknowledged_at", "rejected_at",
                 "rejected_reason")


class OpsLost(WeichaError):
    """The server lacks ops this device pruned after the server had acknowledged them (it
    was restored from a backup older than they are): they cannot be sent again."""

    def __init__(self, server_through: int, pruned_through: int):
        super().__init__(
            f"服务器只保存了本机第 {server_through} 项及以前的同步操作（它可能从较早的备份恢复过），"
            f"而本机第 {server_through + 1}–{pruned_through} 项中服务器确认过的操作已按期清理，无法重发。"
            "本机的记录本身都在，未同步的内容保留在本机；请联系管理员用更新的备份恢复服务器。")
        self.server_through, self.pruned_through = server_through, pruned_through


class _Nothing(Exception):
    """Raised inside a change that found nothing to do: rolls it back, caught outside."""


class OutboxQueue:
    """The outbox of ``store``'s device; every change is made by ``actor``."""

    def __init__(self, store: Store, actor: Actor):
        self.store = store
        self.actor = actor

    # ---- reads -----------------------------------------------------------------------------
    @property
    def device_id(self) -> str:
        device = self.store.meta("device_id")
        if device is None:
            self.store.require_initialized()
            raise WeichaError("数据文件夹没有设备编号，无法同步。")
        return device

    def pending(self, limit: int | None = None) -> list[dict[str, Any]]:
        """Ops not exported yet, in sequence order: envelope + state columns."""
        return self._ops("state = 'pending'", limit=limit)

    def outstanding(self, limit: int | None = None) -> list[dict[str, Any]]:
        """Ops the server has not acknowledged or rejected: pending and exported."""
        return self._ops("state IN ('pending', 'exported')", limit=limit)

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(("pending", "exported", "acknowledged", "rejected"), 0)
        out.update(self.store.conn.execute("SELECT state, count(*) FROM outbox GROUP BY state"))
        return out

    def sequence(self) -> tuple[int, int]:
        """(last device_seq allocated, acknowledged through) of this device."""
        row = self.store.conn.execute(
            "SELECT last_seq, acknowledged_through FROM outbox_sequence WHERE device_id = ?",
            (self.device_id,)).fetchone()
        return (row[0], row[1]) if row else (0, 0)

    def outstanding_by_op(self) -> dict[str, int]:
        """Ops the server has not acknowledged yet (pending and exported), counted by op name
        (the sync page: 待同步 by kind)."""
        return dict(self.store.conn.execute(
            "SELECT op, count(*) FROM outbox WHERE device_id = ? AND state IN ('pending', 'exported') "
            "GROUP BY op ORDER BY op", (self.device_id,)))

    def photos_pending(self) -> tuple[int, int]:
        """(originals, bytes) the outstanding ``photo.add`` ops name: the photos still to go
        up (an op is acknowledged only once the server holds its original)."""
        row = self.store.conn.execute(
            "SELECT count(*), ifnull(sum(size), 0) FROM (SELECT json_extract(payload, '$.sha256') AS sha, "
            "max(json_extract(payload, '$.size')) AS size FROM outbox WHERE device_id = ? AND op = 'photo.add' "
            "AND state IN ('pending', 'exported') AND json_valid(payload) GROUP BY sha)",
            (self.device_id,)).fetchone()
        return row[0], int(row[1])

    def rejected(self, limit: int = 1000) -> list[dict[str, Any]]:
        """Ops the server refused, newest first, with its reason: for a person to see."""
        cur = self.store.conn.execute(
            "SELECT op_id, device_seq, op, entity_kind, entity_id, created_at, rejected_at, rejected_reason "
            "FROM outbox WHERE device_id = ? AND state = 'rejected' ORDER BY device_seq DESC LIMIT ?",
            (self.device_id, limit))
        return [dict(zip([c[0] for c in cur.description], r)) for r in cur]

    def _ops(self, where: str, args: Iterable[Any] = (), limit: int | None = None,
             conn: Any = None) -> list[dict[str, Any]]:
        cur = (conn or self.store.conn).execute(
            f"SELECT * FROM outbox WHERE device_id = ? AND {where} ORDER BY device_seq"
            + (" LIMIT ?" if limit is not None else ""),
            [self.device_id, *args, *([limit] if limit is not None else [])])
        names = [c[0] for c in cur.description]
        rows = [dict(zip(names, r)) for r in cur]
        return [{**outbox_envelope(r), **{k: r[k] for k in STATE_COLUMNS}} for r in rows]

    def _record_kinds(self) -> list[str]:
        """The record kinds of this store (``records``): compaction drops ``K.draft`` of each."""
        return [r[0] for r in self.store.conn.execute("SELECT DISTINCT kind FROM records")]

    # ---- compaction ------------------------------------------------------------------------
    def compact(self) -> list[dict[str, Any]]:
        """Drop every pending draft op that a later draft op of the same (entity kind, entity
        id) supersedes; returns what was dropped (as logged)."""
        drafts = sorted(draft_ops(self._record_kinds()))
        marks = ", ".join("?" * len(drafts))
        sql = (f"SELECT o.op_id, o.op, o.entity_kind, o.entity_id, o.device_seq, "
               f"(SELECT l.op_id FROM outbox l WHERE l.entity_kind = o.entity_kind AND "
               f"l.entity_id = o.entity_id AND l.op IN ({marks}) ORDER BY l.device_seq DESC LIMIT 1) "
               f"FROM outbox o WHERE o.device_id = ? AND o.state = 'pending' AND o.op IN ({marks}) "
               f"ORDER BY o.device_seq")
        dropped: list[dict[str, Any]] = []
        while True:
            try:
                with self.store.change(self.actor) as ch:
                    rows = [r for r in ch.conn.execute(sql, [*drafts, self.device_id, *drafts])
                            if r[5] != r[0]][:CHUNK]
                    if not rows:
                        raise _Nothing
                    gone = [dict(zip(("op_id", "op", "entity_kind", "entity_id", "device_seq",
                                      "superseded_by"), r)) for r in rows]
                    self._delete(ch, [g["op_id"] for g in gone])
                    ch.log("sync.compact", "device", self.device_id,
                           f"合并同步队列：{len(gone)} 项草稿操作已被同一记录之后的草稿取代",
                           {SUPERSEDED_KEY: gone})
            except _Nothing:
                return dropped
            dropped += gone

    # ---- export ----------------------------------------------------------------------------
    def mark_exported(self, op_ids: Iterable[str], bundle_id: str) -> int:
        """The ops (pending, or exported in an earlier bundle) went out in ``bundle_id``."""
        op_ids = list(dict.fromkeys(op_ids))
        if not op_ids:
            return 0
        with self.store.change(self.actor) as ch:
            n, first, last = self._mark(ch, op_ids, bundle_id)
            ch.log("sync.export", "bundle", bundle_id, f"导出 {n} 项同步操作到数据包 {bundle_id}",
                   {"device_id": self.device_id, "ops": n, "first_seq": first, "last_seq": last})
        return n

    def export_bundle(self, *, limit: int | None = None, bundle_id: str | None = None) -> dict[str, Any] | None:
        """Compact, then take the outstanding ops (at most ``limit``, in sequence order) into
        a bundle and mark them exported; None when nothing is outstanding. The bundle is what
        a server receives (docs/sync-protocol.md, "Bundles"); writing it somewhere is the
        caller's."""
        self.compact()
        bundle_id = bundle_id or new_id()
        try:
            with self.store.change(self.actor) as ch:
                ops = self._ops("state IN ('pending', 'exported')", limit=limit, conn=ch.conn)
                if not ops:
                    raise _Nothing
                acknowledged = self.sequence()[1]
                bundle = {"format": BUNDLE_FORMAT, "format_version": BUNDLE_VERSION,
                          "bundle_id": bundle_id, "device_id": self.device_id,
                          "from_seq": acknowledged + 1, "through_seq": ops[-1]["device_seq"],
                          "created_at": ch.now,
                          "ops": [{k: op[k] for k in op if k not in STATE_COLUMNS} for op in ops]}
                n, _, _ = self._mark(ch, [op["op_id"] for op in ops], bundle_id)
                ch.log("sync.export", "bundle", bundle_id, f"导出 {n} 项同步操作到数据包 {bundle_id}",
                       {"device_id": self.device_id, "ops": n, "from_seq": bundle["from_seq"],
                        "through_seq": bundle["through_seq"]})
        except _Nothing:
            return None
        return bundle

    def _mark(self, ch: Change, op_ids: list[str], bundle_id: str) -> tuple[int, int, int]:
        if not isinstance(bundle_id, str) or not bundle_id.strip():
            raise WeichaError("导出须注明数据包编号。")
        states = self._states(ch, op_ids)
        done = [i for i in op_ids if states[i][0] in ("acknowledged", "rejected")]
        if done:
            raise InvalidState(f"同步操作 {done[0]} 已被服务器确认或拒收，不能再导出。")
        for part in _chunks(op_ids):
            ch.conn.execute(
                f"UPDATE outbox SET state = 'exported', exported_bundle_id = ?, exported_at = ? "
                f"WHERE op_id IN ({', '.join('?' * len(part))})", [bundle_id, ch.now, *part])
        seqs = [states[i][1] for i in op_ids] or [0]
        return len(op_ids), min(seqs), max(seqs)

    def _states(self, ch: Change, op_ids: list[str]) -> dict[str, tuple[str, int]]:
        """op id → (state, device_seq) of this device's ops; NotFound for one it lacks."""
        found: dict[str, tuple[str, int]] = {}
        for part in _chunks(op_ids):
            found.update((r[0], (r[1], r[2])) for r in ch.conn.execute(
                f"SELECT op_id, state, device_seq FROM outbox WHERE device_id = ? AND op_id IN "
                f"({', '.join('?' * len(part))})", [self.device_id, *part]))
        missing = [i for i in op_ids if i not in found]
        if missing:
            raise NotFound(f"同步队列中没有操作 {missing[0]}（共 {len(missing)} 项找不到）。")
        return found

    # ---- the server's answers --------------------------------------------------------------
    def acknowledge_through(self, device_seq: int) -> int:
        """The server holds every op of this device up to ``device_seq`` (its contiguous
        mark): those exported become acknowledged. Refused when it names ops this device
        never exported (they cannot have reached the server: another device's answer, or a
        copy of this folder that went on alone). Returns how many changed state."""
        last, through = self.sequence()
        if isinstance(device_seq, bool) or not isinstance(device_seq, int) or device_seq < 0:
            raise WeichaError(f"服务器的确认序号“{device_seq}”无效。")
        if device_seq > last:
            raise InvalidState(f"服务器确认到本机第 {device_seq} 项操作，但本机只写到第 {last} 项："
                               "这份确认不属于这台设备的数据，未处理。请联系管理员。")
        try:
            with self.store.change(self.actor) as ch:
                early = ch.conn.execute(
                    "SELECT min(device_seq) FROM outbox WHERE device_id = ? AND state = 'pending' "
                    "AND device_seq <= ?", (self.device_id, device_seq)).fetchone()[0]
                if early is not None:
                    raise InvalidState(f"服务器确认到本机第 {device_seq} 项操作，但第 {early} 项尚未导出："
                                       "这份确认不属于这台设备的数据，未处理。请联系管理员。")
                n = ch.conn.execute(
                    "UPDATE outbox SET state = 'acknowledged', acknowledged_at = ? WHERE device_id = ? "
                    "AND state = 'exported' AND device_seq <= ?", (ch.now, self.device_id, device_seq)).rowcount
                if n == 0 and device_seq <= through:
                    raise _Nothing  # heard before: nothing to record
                ch.conn.execute("UPDATE outbox_sequence SET acknowledged_through = max(acknowledged_through, ?) "
                                "WHERE device_id = ?", (device_seq, self.device_id))
                ch.log("sync.acknowledge", "device", self.device_id,
                       f"服务器确认收到本机第 {device_seq} 项及以前的同步操作（{n} 项）",
                       {"through": device_seq, "ops": n})
        except _Nothing:
            return 0
        return n

    def acknowledge(self, op_ids: Iterable[str]) -> int:
        """The server acknowledged these ops one by one (exported ones; those acknowledged
        already are left as they are). The contiguous mark moves only with
        ``acknowledge_through``."""
        op_ids = list(dict.fromkeys(op_ids))
        try:
            with self.store.change(self.actor) as ch:
                states = self._states(ch, op_ids)
                wrong = [i for i in op_ids if states[i][0] in ("pending", "rejected")]
                if wrong:
                    raise InvalidState(f"同步操作 {wrong[0]}（第 {states[wrong[0]][1]} 项）"
                                       f"{'尚未导出' if states[wrong[0]][0] == 'pending' else '已被拒收'}，"
                                       "服务器的确认与本机不符，未处理。请联系管理员。")
                todo = [i for i in op_ids if states[i][0] == "exported"]
                if not todo:
                    raise _Nothing
                for part in _chunks(todo):
                    ch.conn.execute(f"UPDATE outbox SET state = 'acknowledged', acknowledged_at = ? "
                                    f"WHERE op_id IN ({', '.join('?' * len(part))})", [ch.now, *part])
                ch.log("sync.acknowledge", "device", self.device_id,
                       f"服务器确认收到 {len(todo)} 项同步操作", {"ops": len(todo)})
        except _Nothing:
            return 0
        return len(todo)

    def reject(self, op_id: str, reason: str) -> None:
        """The server refused this (exported) op: it stays, with the reason, for a person."""
        reason = (reason or "").strip()
        if not reason:
            raise WeichaError("拒收须写明原因。")
        with self.store.change(self.actor) as ch:
            state, seq = self._states(ch, [op_id])[op_id]
            if state != "exported":
                raise InvalidState(f"同步操作 {op_id}（第 {seq} 项）的状态是“{state}”，"
                                   "只有已导出、尚未确认的操作可以被拒收。")
            row = ch.conn.execute("SELECT op, entity_kind, entity_id FROM outbox WHERE op_id = ?",
                                  (op_id,)).fetchone()
            ch.conn.execute("UPDATE outbox SET state = 'rejected', rejected_at = ?, rejected_reason = ? "
                            "WHERE op_id = ?", (ch.now, reason, op_id))
            ch.log("sync.reject", "op", op_id, f"服务器拒收第 {seq} 项同步操作（{row[0]}）：{reason}",
                   {"op": row[0], "entity_kind": row[1], "entity_id": row[2], "device_seq": seq,
                    "reason": reason})

    def pruned_through(self) -> int:
        """The highest ``device_seq`` a prune has removed (0: none): acknowledged ops at or
        below it may be gone from the outbox, so they cannot be sent again."""
        row = self.store.conn.execute(
            "SELECT max(CAST(json_extract(details, '$.through') AS INTEGER)) FROM audit_log "
            "WHERE action = 'sync.prune' AND object_id = ? AND json_valid(details)",
            (self.device_id,)).fetchone()
        return row[0] or 0

    def resend_after(self, device_seq: int) -> int:
        """The server holds this device's ops only up to ``device_seq`` although it acknowledged
        more (restored from an older backup): the ops after it that it acknowledged or rejected
        go back to ``exported``, to be sent again, and ``acknowledged_through`` moves back to
        ``device_seq`` (a ``sync.resend`` entry listing them). ``OpsLost``, and nothing changed,
        when some of them were pruned already. Returns how many changed state."""
        last, through = self.sequence()
        if isinstance(device_seq, bool) or not isinstance(device_seq, int) or not 0 <= device_seq < through:
            return 0
        pruned = self.pruned_through()
        if pruned > device_seq:
            raise OpsLost(device_seq, pruned)
        with self.store.change(self.actor) as ch:
            rows = ch.conn.execute(
                "SELECT op_id, device_seq, state FROM outbox WHERE device_id = ? AND device_seq > ? "
                "AND state IN ('acknowledged', 'rejected') ORDER BY device_seq",
                (self.device_id, device_seq)).fetchall()
            for part in _chunks([r[0] for r in rows]):
                ch.conn.execute(
                    "UPDATE outbox SET state = 'exported', acknowledged_at = NULL, rejected_at = NULL, "
                    f"rejected_reason = NULL WHERE op_id IN ({', '.join('?' * len(part))})", part)
            ch.conn.execute("UPDATE outbox_sequence SET acknowledged_through = ? WHERE device_id = ?",
                            (device_seq, self.device_id))
            ch.log("sync.resend", "device", self.device_id,
                   f"服务器只保存了本机第 {device_seq} 项及以前的同步操作（本机记下的确认到第 {through} 项，"
                   f"服务器可能从较早的备份恢复过）：{len(rows)} 项重新发送",
                   {"through": device_seq, "was": through,
                    "ops": [r[0] for r in rows if r[2] == "acknowledged"],
                    "rejected": [r[0] for r in rows if r[2] == "rejected"]})
        return len(rows)

    def prune(self, through: int | None = None) -> int:
        """Remove acknowledged ops — those up to ``device_seq`` ``through`` if given — (each
        change lists the ids it removed); returns how many."""
        removed = 0
        top = through if through is not None else -1
        while True:
            try:
                with self.store.change(self.actor) as ch:
                    rows = ch.conn.execute(
                        "SELECT op_id, device_seq FROM outbox WHERE device_id = ? AND state = "
                        "'acknowledged' AND (? < 0 OR device_seq <= ?) ORDER BY device_seq LIMIT ?",
                        (self.device_id, top, top, CHUNK)).fetchall()
                    if not rows:
                        raise _Nothing
                    self._delete(ch, [r[0] for r in rows])
                    ch.log("sync.prune", "device", self.device_id,
                           f"清理同步队列：{len(rows)} 项已被服务器确认的操作",
                           {ACKED_KEY: [r[0] for r in rows], "through": rows[-1][1]})
            except _Nothing:
                return removed
            removed += len(rows)

    @staticmethod
    def _delete(ch: Change, op_ids: list[str]) -> None:
        for part in _chunks(op_ids):
            ch.conn.execute(f"DELETE FROM outbox WHERE op_id IN ({', '.join('?' * len(part))})", part)


def _chunks(items: list[str], size: int = 500) -> Iterable[list[str]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]
