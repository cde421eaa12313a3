"""``POST /v1/push``: a batch of one device's ops (and its audit entries), applied in ONE
transaction (docs/sync-protocol.md, "HTTP API").

The server holds a durable op log (``ops``) and small projections (``records``: a record's
one writer, its owner device; ``reviews``: one decision per version). Per op, in
``device_seq`` order, against the device's contiguous mark (``devices.through_seq``):

- **skipped**: an op id held with the same digest (``envelope_digest``), or a number at or
  below the mark the server holds nothing for (compacted on the device). An op held as
  rejected is answered as rejected again (the answer may have been lost).
- **rejected 409** ``conflict``: an op id held with other bytes (the mark moves past it; it
  never blocks the queue). 409 ``not_owner`` / ``record_exists``: a record op of a device
  that is not the record's writer; 409 ``decision_exists``: a second decision on one
  version. **422**: an unknown op or payload version, a payload not of its schema, a
  finalize whose recomputed content hash differs (weicha_server/opcheck.py). A rejected op is
  held (status ``rejected``) and the mark moves past it.
- **waiting**: an op naming photo originals the server lacks is held as ``waiting`` and the
  batch stops before it (the mark stays below it); the device uploads the originals and
  pushes again, and the op is applied then.
- **gap**: the next op is not mark + 1 (and the batch's ``from_seq`` is above mark + 1):
  the batch stops; the device re-sends from the mark. Inside ``[from_seq, through_seq]``
  numbers the batch does not carry were compacted: the mark moves to ``through_seq`` once
  every op in it is decided.
- The whole batch is refused (nothing kept) for: an op of another device (403
  ``wrong_device``); another op id under a (device, seq) the server holds (409 ``fork``:
  two folders writing as one device); a malformed batch or envelope (422 ``bad_batch``).

The device's row is locked for the transaction (FOR UPDATE), so two pushes of one device —
through two workers or two servers on one PostgreSQL — apply one after the other."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from weicha_desktop.core.canonical import sha256_hex
from weicha_desktop.core.store.oplog import ENVELOPE
from weicha_desktop.core.sync.envelope import envelope_problem, is_count
from weicha_server import anchor, fastjson, numbers, opcheck, review
from weicha_server.auth import Device
from weicha_server.db import blobs, devices, insert_ignore, is_sqlite, now_iso, ops, records, reviews
from weicha_server.errors import ApiError


@dataclass
class PushAnswer:
    through_seq: int
    applied: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    waiting: list[dict[str, Any]] = field(default_factory=list)
    anchored: dict[str, Any] | None = None
    audit_error: dict[str, str] | None = None

    def body(self) -> dict[str, Any]:
        out = {"through_seq": self.through_seq, "applied": self.applied, "skipped": self.skipped,
               "rejected": self.rejected, "waiting": self.waiting, "anchored": self.anchored}
        if self.audit_error:
            out["audit_error"] = self.audit_error
        return out


def push(conn: Connection, device: Device, body: Mapping[str, Any], *, max_batch: int) -> PushAnswer:
    """Apply one push of ``device`` (its row locked by the caller) inside ``conn``'s
    transaction; ApiError for a batch refused whole."""
    envs, texts = _checked_batch(device, body, max_batch)
    batch = _Batch(conn, device, envs, texts, body["from_seq"], body["through_seq"])
    batch.run()
    answer = batch.answer
    try:
        head = anchor.extend(device.anchored_seq, device.anchored_hash, body.get("audit") or [])
    except anchor.AnchorProblem as p:
        head = (device.anchored_seq, device.anchored_hash) if device.anchored_seq is not None else None
        answer.audit_error = {"error": p.error, "message": p.message}
    values: dict[str, Any] = {"last_push_at": now_iso()}
    if answer.through_seq > device.through_seq:
        values["through_seq"] = answer.through_seq
    if head is not None:
        values.update(anchored_seq=head[0], anchored_hash=head[1])
        answer.anchored = {"seq": head[0], "hash": head[1]}
    conn.execute(_device_update(tuple(values)), {f"b_{k}": v for k, v in values.items()} | {"b_id": device.id})
    return answer


_DEVICE_UPDATES: dict[tuple[str, ...], Any] = {}


def _device_update(columns: tuple[str, ...]) -> Any:
    """UPDATE devices SET (columns) for one device, built once per set of columns."""
    stmt = _DEVICE_UPDATES.get(columns)
    if stmt is None:
        stmt = _DEVICE_UPDATES[columns] = devices.update().where(devices.c.id == sa.bindparam("b_id")).values(
            {c: sa.bindparam(f"b_{c}") for c in columns})
    return stmt


MAX_SEQ = 2 ** 62         # sequence numbers a database integer holds with room to spare
MAX_ID = 64               # the length of an id, an op's name or an entity kind
SHORT = ("op_id", "device_id", "entity_id", "op", "entity_kind")


def _checked_batch(device: Device, body: Mapping[str, Any],
                   max_batch: int) -> tuple[list[Mapping[str, Any]], list[bytes]]:
    """The batch's envelopes and each one's canonical bytes (its digest's input, what is kept),
    or ApiError for a batch refused whole."""
    envs: Sequence[Any] = body.get("ops") or []
    lo, hi = body.get("from_seq"), body.get("through_seq")
    if body.get("device_id") != device.id:
        raise ApiError(403, "wrong_device", "请求中的设备编号与令牌所属的设备不符：不能代其他设备同步。")
    if not (is_count(lo) and is_count(hi) and 1 <= lo <= hi + 1 and hi <= MAX_SEQ):
        raise ApiError(422, "bad_batch", "批次的序号范围（from_seq、through_seq）无效：请升级桌面程序。")
    if len(envs) > max_batch:
        raise ApiError(413, "batch_too_large", f"一批最多 {max_batch} 项同步操作（收到 {len(envs)} 项）：请分批发送。")
    texts = []
    for i, env in enumerate(envs, 1):
        problem = envelope_problem(env) or _unstorable(env, texts)
        if problem:
            raise ApiError(422, "bad_batch", f"第 {i} 项不是完整的同步操作（{problem}），本批未接收。")
        if env["device_id"] != device.id:
            raise ApiError(403, "wrong_device", f"第 {i} 项同步操作属于另一台设备（{env['device_id']}）：不能代其他设备同步。")
    seqs = [env["device_seq"] for env in envs]
    if any(b <= a for a, b in zip(seqs, seqs[1:])) or (seqs and not lo <= seqs[0] <= seqs[-1] == hi) \
            or (not seqs and hi != lo - 1):
        raise ApiError(422, "bad_batch", "同步操作须按设备序号递增排列，from_seq 至 through_seq 须从本批第一项"
                                         "之前（或就是它）到最后一项：请升级桌面程序。")
    return list(envs), texts


def _unstorable(env: Mapping[str, Any], texts: list[bytes]) -> str | None:
    """What the server could not keep as it came (None: nothing; its bytes go to ``texts``)."""
    if any(len(env[k]) > MAX_ID or not env[k].isprintable() for k in SHORT):
        return "编号、设备或类型过长或含控制字符"
    try:  # envelope_bytes(env), byte for byte (fastjson.canonical: orjson where it is the same)
        texts.append(fastjson.canonical({k: env[k] for k in ENVELOPE}))
    except (UnicodeEncodeError, ValueError, TypeError):
        return "含有无法保存的字符或数值（如孤立的代理字符、NaN）"
    return None


class _Batch:
    """One batch, in three passes with the same outcome as deciding op after op:

    1. ``_plan``: what each op is (skipped, a conflict, new, waiting …) and how far the mark
       moves — decided from what the batch read at its start, nothing written;
    2. the new ops held in one INSERT … ON CONFLICT DO NOTHING (executemany): an op whose id
       went in meanwhile under another device — or earlier in this batch — is a conflict;
    3. ``_decide``, op after op: the answer and the projections. Record rows are read once for
       the batch (locked) and written at its end; a review's checks read and write the
       database as they come (the rows they read are written first)."""

    def __init__(self, conn: Connection, device: Device, envs: list[Mapping[str, Any]],
                 texts: list[bytes], lo: int, hi: int):
        self.conn, self.device, self.envs, self.texts, self.lo, self.hi = conn, device, envs, texts, lo, hi
        self.mark = device.through_seq
        self.answer = PushAnswer(through_seq=self.mark)
        self.now = now_iso()
        self.by_id: dict[str, Any] = {}  # the ops held under the batch's op ids
        self.by_seq: dict[int, Any] = {}  # and under its (device, seq): one query for both
        for i in range(0, len(envs), 500):
            ids = {e["op_id"] for e in envs[i:i + 500]}
            seqs = {e["device_seq"] for e in envs[i:i + 500]}
            for r in conn.execute(_HELD, {"ids": sorted(ids), "device": device.id, "seqs": sorted(seqs)}):
                if r.op_id in ids:
                    self.by_id[r.op_id] = r
                if r.device_id == device.id and r.device_seq in seqs:
                    self.by_seq[r.device_seq] = r
        needed = sorted({s for e in envs for s in _needed(e)})  # whole envelopes (_checked_batch)
        self.stored = {sha for i in range(0, len(needed), 500)
                       for sha in conn.execute(_STORED, {"shas": needed[i:i + 500]}).scalars()}
        self.owners: dict[str, str | None] = {}  # record id → its row's owner as this batch leaves it
        self.rows: dict[str, dict[str, Any]] = {}  # record id → the row this batch writes at its end
        self.fresh: set[str] = set()  # of those, the rows it inserts
        self.block: Any = numbers.READ  # the device's number block, read once for the batch's finalizes
        self.holders: dict[str, set[str]] = {}  # a finalize's number → the records holding it at the start
        self.flushed = False  # record rows written before the batch's end (holders may be stale)

    def run(self) -> None:
        for env in self.envs:  # a fork refuses the batch before anything is written
            held = self.by_seq.get(env["device_seq"])
            if held is not None and held.op_id != env["op_id"]:
                raise ApiError(409, "fork", f"本机第 {env['device_seq']} 项同步操作与服务器已有的不同（同一序号两项操作）："
                                            "可能有两个数据文件夹以同一设备写入。本批未接收，请联系管理员。")
        steps = self._plan()
        rows = [self._op_row(s) for s in steps if s.what in (NEW, WAITING) and s.held is None]
        taken = _insert_new(self.conn, rows)
        self._read_records(steps)
        for step in steps:
            self._decide(step, taken)
        self._write_records()
        self.answer.through_seq = self.mark

    # ---- 1. the plan --------------------------------------------------------------------
    def _plan(self) -> list["_Step"]:
        steps: list[_Step] = []
        for env, text in zip(self.envs, self.texts):
            seq, op_id, digest = env["device_seq"], env["op_id"], sha256_hex(text)  # envelope_digest
            held = self.by_id.get(op_id)
            same = held is not None and held.digest == digest and held.device_seq == seq
            if same and held.status == "applied":
                steps.append(_Step(SKIP, env, text, digest, held))
                continue
            if same and held.status == "rejected":
                steps.append(_Step(AGAIN, env, text, digest, held))
                continue
            if held is None and seq <= self.mark:
                steps.append(_Step(SKIP, env, text, digest, held))  # decided already (compacted on the device)
                continue
            if held is not None and not same and seq <= self.mark:
                steps.append(_Step(CONFLICT, env, text, digest, held))
                continue
            if not self._next(seq):
                return steps  # a gap: the device re-sends from the mark
            if held is not None and not same:
                steps.append(_Step(CONFLICT, env, text, digest, held))
                self.mark = seq
                continue
            problem = opcheck.problem(env)  # an op the server refuses never waits for originals
            missing = [] if problem else [s for s in _needed(env) if s not in self.stored]
            if missing:
                steps.append(_Step(WAITING, env, text, digest, held, missing=missing))
                return steps
            steps.append(_Step(NEW, env, text, digest, held, problem))
            self.mark = seq
        if self.lo <= self.mark + 1 and self.mark < self.hi:
            self.mark = self.hi  # what the batch's range does not carry was compacted
        return steps

    def _next(self, seq: int) -> bool:
        return seq == self.mark + 1 or (self.lo <= self.mark + 1 and self.mark < seq <= self.hi)

    def _op_row(self, step: "_Step") -> dict[str, Any]:
        env, problem = step.env, step.problem
        status = "waiting" if step.what == WAITING else "rejected" if problem else "applied"
        return {"op_id": env["op_id"], "device_id": self.device.id, "device_seq": env["device_seq"],
                "digest": step.digest, "entity_kind": env["entity_kind"], "entity_id": env["entity_id"],
                "op": env["op"], "envelope": step.text.decode("utf-8"), "received_at": self.now,
                "status": status, "error": problem and problem[0], "reason": problem and problem[1]}

    # ---- 3. the answer, op after op ------------------------------------------------------
    def _decide(self, step: "_Step", taken: set[str]) -> None:
        env, op_id, held = step.env, step.env["op_id"], step.held
        if step.what == SKIP:
            self.answer.skipped.append(op_id)
        elif step.what == AGAIN:
            self._rejected(op_id, held.error, held.reason)
        elif step.what == CONFLICT:
            self._conflict(env, held)
        elif step.what == WAITING:
            self.answer.waiting.append({"op_id": op_id, "missing_blobs": step.missing})
        elif held is None and op_id not in taken:
            self._conflict(env, None)  # its id went in meanwhile (another device), or twice in this batch
        else:
            taken.discard(op_id)
            problem = step.problem
            if held is not None:  # it was waiting for originals
                self._set_status(op_id, problem)
            if problem is None:
                problem = self._project(env)
                if problem is not None:
                    self._set_status(op_id, problem)
            if problem:
                self._rejected(op_id, *problem)
            else:
                self.answer.applied.append(op_id)

    def _set_status(self, op_id: str, problem: tuple[str, str] | None) -> None:
        self.conn.execute(ops.update().where(ops.c.op_id == op_id).values(
            status="rejected" if problem else "applied", error=problem and problem[0],
            reason=problem and problem[1], received_at=self.now))

    def _conflict(self, env: Mapping[str, Any], held: Any | None) -> None:
        message = (f"同步操作 {env['op_id']}（第 {env['device_seq']} 项）与服务器已收到的同一编号操作内容不同："
                   "服务器保留先收到的，这一项被拒收。请联系管理员核对。")
        if held is not None and held.status == "waiting" and held.device_seq == env["device_seq"]:
            self.conn.execute(ops.update().where(ops.c.op_id == held.op_id)
                              .values(status="rejected", error="conflict", reason=message))
        self._rejected(env["op_id"], "conflict", message)

    def _rejected(self, op_id: str, error: str, message: str) -> None:
        self.answer.rejected.append({"op_id": op_id, "status": opcheck.STATUS.get(error, 422),
                                     "error": error, "message": message})

    # ---- projections: one writer per record, one decision per version -------------------
    def _read_records(self, steps: list["_Step"]) -> None:
        """The owners of the records the batch's new ops name, their rows locked (FOR UPDATE)."""
        rids = sorted({s.env["entity_id"] for s in steps if s.what == NEW and s.problem is None
                       and opcheck.is_record_op(s.env["op"], s.env["entity_kind"])})
        for i in range(0, len(rids), 500):
            for r in self.conn.execute(_OWNERS, {"rids": rids[i:i + 500]}):
                self.owners[r.record_id] = r.owner_device_id
        numbers_ = sorted({n for s in steps if s.what == NEW and s.problem is None and _is_finalize(s.env)
                           and isinstance(n := (s.env["payload"].get("record") or {}).get("number"), str)})
        if numbers_:  # numbers.finalize_problem's reads, once for the batch instead of per finalize
            self.block = numbers.block_of(self.conn, self.device.id)
            self.holders = {n: set() for n in numbers_}
            for r in _chunked(self.conn, sa.select(records.c.record_id, records.c.number), records.c.number, numbers_):
                self.holders[r.number].add(r.record_id)

    def _unheld(self, rid: str, env: Mapping[str, Any]) -> bool:
        """No other record's row holds the number of this finalize (as the batch read them at its
        start, no row written since): numbers.finalize_problem need not ask."""
        number = (env["payload"].get("record") or {}).get("number")
        return not self.flushed and isinstance(number, str) and self.holders.get(number, {""}) <= {rid}

    def _write_records(self) -> None:
        """The record rows the batch changed: the new ones inserted, the others updated. A
        new row another transaction inserted meanwhile (two devices making one record id at
        once): the batch is refused whole (503, retried: then the owner check sees it)."""
        fresh = [{"record_id": rid, **row} for rid, row in self.rows.items() if rid in self.fresh]
        if fresh and len(_insert_returning(self.conn, records, fresh)) < len(fresh):
            raise ApiError(503, "busy", "服务器正同时处理同一记录的另一批同步操作：本批未接收，稍后会自动重试。")
        changed = [{f"b_{k}": v for k, v in row.items()} | {"b_record_id": rid}
                   for rid, row in self.rows.items() if rid not in self.fresh]
        if changed:
            self.conn.execute(_UPDATE_RECORD, changed)
        self.flushed = self.flushed or bool(self.rows)
        self.rows.clear()
        self.fresh.clear()

    def _project(self, env: Mapping[str, Any]) -> tuple[str, str] | None:
        if not opcheck.is_record_op(env["op"], env["entity_kind"]):
            return None
        p, rid, verb = env["payload"], env["entity_id"], env["op"].partition(".")[2]
        rec = p["record"]
        values = {"kind": rec["kind"], "number": rec.get("number"), "status": rec["status"],
                  "current_version": rec["current_version"], "updated_at": rec["updated_at"]}
        texts = [*values.values(), *(p.get(k) for k in ("review_id", "decision", "at"))]
        if any(isinstance(v, str) and "\x00" in v for v in texts) or rec["current_version"] > MAX_SEQ \
                or p.get("version", 0) > MAX_SEQ:
            return "bad_payload", "同步操作的记录行含有空字符或过大的版本号，服务器无法保存。"
        unit = self.device.unit_code or (env["actor"].get("unit_code") or None)
        others = self.owners.get(rid) not in (None, self.device.id)  # a row another device owns
        if verb == "review" and rid in self.rows and others:
            # review.superseded judges a record another device owns by its row: a row that was
            # there before this batch, which this batch may have changed (an earlier review)
            self._write_records()
        # (a record of this device's, or none: nothing supersedes the decision — not asked, a
        # query less per own review; a record another device owns was there at the batch's start)
        if verb == "review" and others and (stale := review.superseded(self.conn, self.device.id, env)):
            return stale  # S3's hook
        if verb == "review":
            fresh = insert_ignore(self.conn, reviews, {
                "review_id": p["review_id"], "record_id": rid, "version": p["version"],
                "decision": p["decision"], "device_id": self.device.id, "at": p["at"]})
            if not fresh:
                return "decision_exists", (f"记录 {p.get('number') or rid} 第 {p['version']} 版已有审核决定："
                                           "同一版本只能审核一次，这一决定未被接收。")
            owner = None
        else:
            owner = self.device.id
            if self.owners.get(rid) not in (None, self.device.id):
                error = "record_exists" if verb == "create" else "not_owner"
                return error, (f"记录 {p.get('number') or rid} 由另一台设备录入：每条记录只能由录入它的设备修改，"
                               "这一操作未被接收。")
            if verb == "finalize" and (bad := numbers.finalize_problem(
                    self.conn, self.device.id, env, self.rows, block=self.block, unheld=self._unheld(rid, env))):
                return bad  # a number another record holds, or outside the device's block (numbers.py)
        if rid not in self.owners:  # no row yet: this op makes it (its unit, its owner)
            self.owners[rid] = owner
            self.fresh.add(rid)
            self.rows[rid] = {"unit_code": unit, "owner_device_id": owner, **values}
        else:
            row = self.rows.setdefault(rid, {"owner_device_id": self.owners[rid]})
            if self.owners[rid] is None and owner is not None:
                self.owners[rid] = row["owner_device_id"] = owner
            row.update(values)
        return None


SKIP, AGAIN, CONFLICT, NEW, WAITING = "skip", "again", "conflict", "new", "waiting"


@dataclass
class _Step:
    """One op of the batch as the plan found it (``what``: SKIP … WAITING)."""
    what: str
    env: Mapping[str, Any]
    text: bytes
    digest: str
    held: Any | None
    problem: tuple[str, str] | None = None
    missing: list[str] | None = None


_HELD = sa.select(ops.c.op_id, ops.c.device_id, ops.c.device_seq, ops.c.digest, ops.c.status, ops.c.error,
                  ops.c.reason).where(sa.or_(
                      ops.c.op_id.in_(sa.bindparam("ids", expanding=True)),
                      sa.and_(ops.c.device_id == sa.bindparam("device"),
                              ops.c.device_seq.in_(sa.bindparam("seqs", expanding=True)))))
_STORED = sa.select(blobs.c.sha256).where(blobs.c.sha256.in_(sa.bindparam("shas", expanding=True)))
_OWNERS = (sa.select(records.c.record_id, records.c.owner_device_id)
           .where(records.c.record_id.in_(sa.bindparam("rids", expanding=True))).with_for_update())
_UPDATE_RECORD = records.update().where(records.c.record_id == sa.bindparam("b_record_id")).values(
    {c: sa.bindparam(f"b_{c}") for c in ("owner_device_id", "kind", "number", "status",
                                          "current_version", "updated_at")})


def _insert_returning(conn: Connection, table: sa.Table, rows: list[dict[str, Any]]) -> set[Any]:
    """INSERT … ON CONFLICT DO NOTHING of ``rows`` (one statement, executemany); the primary
    keys that went in."""
    stmt = _INSERTS.get((conn.dialect.name, table.name))
    if stmt is None:
        if is_sqlite(conn):
            from sqlalchemy.dialects.sqlite import insert
        else:
            from sqlalchemy.dialects.postgresql import insert
        key = table.primary_key.columns[0]
        stmt = _INSERTS[conn.dialect.name, table.name] = insert(table).on_conflict_do_nothing(
            index_elements=[key.name]).returning(key)
    return set(conn.execute(stmt, rows).scalars())


_INSERTS: dict[tuple[str, str], Any] = {}  # built once per database kind and table


def _insert_new(conn: Connection, rows: list[dict[str, Any]]) -> set[str]:
    """The batch's new ops held; the op ids that went in."""
    return _insert_returning(conn, ops, rows) if rows else set()


def _is_finalize(env: Mapping[str, Any]) -> bool:
    """A record op that _project hands to numbers.finalize_problem."""
    return opcheck.is_record_op(env["op"], env["entity_kind"]) and env["op"].partition(".")[2] == "finalize"


def _needed(env: Mapping[str, Any]) -> list[str]:
    try:
        return opcheck.blobs_needed(env)
    except (KeyError, TypeError, AttributeError):
        return []  # a payload not of its shape: opcheck.problem rejects it


def _chunked(conn: Connection, stmt: sa.Select, column: Any, values: list[Any], size: int = 500):
    for i in range(0, len(values), size):
        yield from conn.execute(stmt.where(column.in_(values[i:i + size])))

