"""The sync oracle (issue 11, S4): after a scenario, the server against every laptop's own state.

``Oracle(replay, engine, blob_dir).check(laptops)`` — for each laptop (device D), with the
laptop's audit log as the witness of every op it ever wrote (each change lists its ops with
the digest of the op as stored, in sequence order; pruned and compacted ops stay named there):

1. **None foreign, none twice**: every op the server holds for D is one D wrote — same op id
   at the same (device, seq), the same bytes (the digest the laptop logged, recomputed from
   the server's envelope) — and no op id of D is held under another device.
2. **None lost**: every op D wrote that it did not compact (a draft superseded before it was
   sent) is on the server, decided (applied or rejected; nothing waiting once quiet).
3. **Every conflict surfaced**: the server rejected an op ⇔ the laptop shows it rejected, with
   a reason (an op compacted on the laptop after its answer was lost is named, not failed).
4. **Marks**: the laptop acknowledged exactly what the server holds contiguously, and that is
   the last number it wrote; nothing pending or exported; the server's anchored audit head is
   an entry of the laptop's chain, with the same hash, and everything after it is the sync's
   own bookkeeping.
5. **Replay**: the server's applied ops of D, applied in sequence (core/sync/apply.py) to a
   store of the unit that started empty, reproduce D's records, versions, case list, photo
   metadata, reviews and people row for row (records a rejected op touched are left out on
   both sides: the server refused part of their history).
6. **Originals**: every photo original an applied op names is stored on the server, and its
   bytes hash to its name.

``check`` raises AssertionError listing every problem found (not just the first) with the
``context`` given (a campaign passes its seed). ``fresh=True`` replays into a new empty store
instead of the oracle's incremental one."""
from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import sqlalchemy as sa

from weicha_desktop.core.canonical import canonical_json
from weicha_desktop.core.store import Store
from weicha_desktop.core.store.oplog import op_digest
from weicha_desktop.core.sync.apply import apply_ops
from weicha_desktop.core.sync.envelope import envelope_digest
from weicha_desktop.core.sync.push import BOOKKEEPING, originals_of
from weicha_desktop.core.verify.log import read_log
from weicha_server.db import blobs, devices, ops

from tests.support import forms, new_store
from tests.test_replay import COMPARED

# the column of each compared table that names its record
RECORD_COLUMN = {"records": "id", "record_versions": "record_id", "cases": "id", "photos": "record_id",
                 "reviews": "record_id", "record_people": "record_id"}
assert set(RECORD_COLUMN) == set(COMPARED)


def logged_digest(env: dict[str, Any]) -> str:
    """The digest the writing laptop logged for this op (oplog.op_digest over the op as stored:
    the actor as canonical JSON, the payload as Change.enqueue wrote it), from its envelope."""
    return op_digest({**env, "actor": canonical_json(env["actor"]).decode("utf-8"),
                      "payload": json.dumps(env["payload"], ensure_ascii=False, sort_keys=True,
                                            allow_nan=False)})


def record_of(env: dict[str, Any]) -> str:
    """The record an op belongs to: its entity (record ops) or its payload's record_id (photos)."""
    p = env.get("payload") or {}
    return p.get("record_id") or env["entity_id"]


@dataclass
class Written:
    """What one laptop wrote, from its own audit log and outbox."""
    device: str
    seqs: dict[str, int] = field(default_factory=dict)       # op id → device_seq
    digests: dict[str, str] = field(default_factory=dict)    # op id → logged digest
    compacted: set[str] = field(default_factory=set)
    pruned: set[str] = field(default_factory=set)
    outbox: dict[str, dict[str, Any]] = field(default_factory=dict)  # op id → row


def written(store: Store) -> Written:
    log = read_log(store.conn)
    out = Written(store.meta("device_id"))
    for n, (op_id, (digest, _)) in enumerate(sorted(log.ops.items(), key=lambda kv: kv[1][1]), 1):
        out.seqs[op_id], out.digests[op_id] = n, digest  # ops are numbered in change order
    out.compacted = set(log.superseded)
    out.pruned = set(log.acked)
    cur = store.conn.execute("SELECT * FROM outbox WHERE device_id = ?", (out.device,))
    names = [c[0] for c in cur.description]
    out.outbox = {r["op_id"]: r for r in (dict(zip(names, row)) for row in cur)}
    return out


def server_ops(engine: Any, device: str) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(ops.c.op_id, ops.c.device_seq, ops.c.digest, ops.c.status,
                                      ops.c.error, ops.c.envelope)
                            .where(ops.c.device_id == device).order_by(ops.c.device_seq))
        return [dict(r._mapping) for r in rows]


def captured(store: Store, records: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
    """The compared tables' rows of these records (every column)."""
    ids = sorted(set(records))
    out: dict[str, list[dict[str, Any]]] = {}
    for table, order in COMPARED.items():
        rows: list[dict[str, Any]] = []
        for i in range(0, len(ids), 500):
            part = ids[i:i + 500]
            cur = store.conn.execute(f"SELECT * FROM {table} WHERE {RECORD_COLUMN[table]} IN "
                                     f"({', '.join('?' * len(part))}) ORDER BY {order}", part)
            rows += [dict(zip([c[0] for c in cur.description], r)) for r in cur]
        out[table] = sorted(rows, key=lambda r: [str(r[k.strip()]) for k in order.split(",")])
    return out


@dataclass
class OracleStats:
    laptops: int = 0
    ops: int = 0         # ops the laptops wrote
    applied: int = 0     # held applied by the server
    rejected: int = 0
    compacted: int = 0
    records: int = 0     # records compared after the replay


class Oracle:
    def __init__(self, replay: Store, engine: Any, blob_dir: Path | None = None):
        self.replay, self.engine, self.blob_dir = replay, engine, blob_dir
        self.stats = OracleStats()
        # op id → (envelope text, parsed, its envelope digest, the digest its laptop logged)
        self._parsed: dict[str, tuple[str, dict[str, Any], str, str]] = {}

    def _held(self, h: dict[str, Any]) -> tuple[dict[str, Any], str, str]:
        """The held op's envelope parsed and both its digests, computed once per envelope
        text (a campaign checks after every run; a changed text is parsed again)."""
        seen = self._parsed.get(h["op_id"])
        if seen is None or seen[0] != h["envelope"]:
            env = json.loads(h["envelope"])
            seen = self._parsed[h["op_id"]] = (h["envelope"], env, envelope_digest(env), logged_digest(env))
        return seen[1:]

    def _env(self, h: dict[str, Any]) -> dict[str, Any]:
        return self._held(h)[0]

    def check(self, laptops: Iterable[Any], *, context: str = "", fresh: Path | None = None) -> OracleStats:
        """Every check above for every laptop (``Laptop``: ``.store``); AssertionError naming
        each problem. ``fresh``: a folder for a new empty replay store (else the incremental one)."""
        problems: list[str] = []
        self.stats = OracleStats()
        replay = new_store(fresh) if fresh is not None else self.replay
        try:
            for lt in laptops:
                self._laptop(lt.store, replay, problems)
        finally:
            if fresh is not None:
                replay.close()
        if problems:
            raise AssertionError(f"sync oracle ({context}): {len(problems)} problem(s)\n  - "
                                 + "\n  - ".join(problems[:40]))
        return self.stats

    # ---- one laptop -----------------------------------------------------------------------------
    def _laptop(self, store: Store, replay: Store, problems: list[str]) -> None:
        w = written(store)
        held = server_ops(self.engine, w.device)
        say = lambda text: problems.append(f"[{w.device[-6:]}] {text}")  # noqa: E731
        s = self.stats
        s.laptops += 1
        s.ops += len(w.seqs)
        s.compacted += len(w.compacted)
        by_id = {h["op_id"]: h for h in held}
        # 1. none foreign, none twice
        for h in held:
            env, digest, logged = self._held(h)
            if w.seqs.get(h["op_id"]) != h["device_seq"]:
                say(f"server holds op {h['op_id']} at seq {h['device_seq']}: the laptop wrote "
                    f"{'it at seq ' + str(w.seqs[h['op_id']]) if h['op_id'] in w.seqs else 'no such op'}")
            elif logged != w.digests[h["op_id"]]:
                say(f"server holds other bytes for op {h['op_id']} (seq {h['device_seq']}) than the laptop wrote")
            if digest != h["digest"]:
                say(f"server's digest of op {h['op_id']} does not match its envelope")
        with self.engine.connect() as conn:
            elsewhere = conn.execute(sa.select(ops.c.op_id, ops.c.device_id).where(
                ops.c.op_id.in_(list(w.seqs)[:30000]), ops.c.device_id != w.device)).all()
            mark = conn.execute(sa.select(devices.c.through_seq, devices.c.anchored_seq,
                                          devices.c.anchored_hash).where(devices.c.id == w.device)).first()
        for op_id, device in elsewhere:
            say(f"op {op_id} is held under another device {device}")
        # 2. none lost
        for op_id, seq in sorted(w.seqs.items(), key=lambda kv: kv[1]):
            h = by_id.get(op_id)
            if h is None and op_id not in w.compacted:
                say(f"op {op_id} (seq {seq}) was written and not compacted but the server lacks it"
                    + (" (pruned on the laptop)" if op_id in w.pruned else ""))
            elif h is not None and h["status"] not in ("applied", "rejected"):
                say(f"op {op_id} (seq {seq}) is still {h['status']} on the server")
        # 3. every conflict surfaced
        rejected = {h["op_id"] for h in held if h["status"] == "rejected"}
        s.rejected += len(rejected)
        s.applied += sum(h["status"] == "applied" for h in held)
        for op_id in sorted(rejected):
            row = w.outbox.get(op_id)
            if row is None and op_id in w.compacted:
                continue  # rejected, its answer lost, then superseded by a later draft here
            if row is None or row["state"] != "rejected" or not (row["rejected_reason"] or "").strip():
                say(f"the server rejected op {op_id} (seq {by_id[op_id]['device_seq']}, "
                    f"{by_id[op_id]['error']}) but the laptop shows it "
                    f"{'gone' if row is None else row['state']}")
        for op_id, row in w.outbox.items():
            if row["state"] == "rejected" and op_id not in rejected:
                say(f"the laptop shows op {op_id} (seq {row['device_seq']}) rejected; the server holds it "
                    f"{by_id[op_id]['status'] if op_id in by_id else 'not at all'}")
        # 4. marks
        last, acked = store.conn.execute("SELECT last_seq, acknowledged_through FROM outbox_sequence "
                                         "WHERE device_id = ?", (w.device,)).fetchone() or (0, 0)
        open_ops = sorted(r["device_seq"] for r in w.outbox.values() if r["state"] in ("pending", "exported"))
        if open_ops:
            say(f"ops still pending or exported on the laptop: seqs {open_ops[:10]}")
        if mark is None:
            say("the server has no row for this device")
            return
        if not (acked == mark.through_seq == last):
            say(f"marks differ: laptop acknowledged {acked}, server holds through {mark.through_seq}, "
                f"the laptop wrote {last}")
        self._anchor(store, mark, say)
        # 5. replay the server's applied ops into a store of the unit
        self._replay(store, replay, [(h, self._env(h)) for h in held], rejected, mark.through_seq, say)
        # 6. originals
        self._originals([(h, self._env(h)) for h in held], say)

    def _anchor(self, store: Store, mark: Any, say) -> None:
        if mark.anchored_seq is None:
            say("the server anchored nothing of this laptop's audit log")
            return
        local = store.conn.execute("SELECT hash FROM audit_log WHERE seq = ?", (mark.anchored_seq,)).fetchone()
        if local is None or local[0] != mark.anchored_hash:
            say(f"the server's anchored head (entry {mark.anchored_seq}) is not the laptop's entry")
        after = [a for (a,) in store.conn.execute("SELECT action FROM audit_log WHERE seq > ?",
                                                  (mark.anchored_seq,)) if a not in BOOKKEEPING]
        if after:
            say(f"entries after the anchored head that are not sync bookkeeping: {after[:5]}")

    def _replay(self, store: Store, replay: Store, held: list[tuple[dict[str, Any], dict[str, Any]]],
                rejected: set[str], through: int, say) -> None:
        envs = [env for h, env in held if h["status"] == "applied"]
        refused = {record_of(env) for h, env in held if h["op_id"] in rejected}
        envs = [e for e in envs if record_of(e) not in refused]
        device = store.meta("device_id")
        report = apply_ops(replay, envs, forms(), covered={device: (1, through)} if through else None)
        if not report.ok:
            say("replaying the server's ops failed: " + report.message()[:600])
            return
        mine = {r for (r,) in store.conn.execute("SELECT id FROM records")} - refused
        theirs = {record_of(e) for e in envs}
        self.stats.records += len(mine)
        if theirs - mine:
            say(f"the server's ops make records the laptop does not have: {sorted(theirs - mine)[:5]}")
        want, got = captured(store, mine), captured(replay, mine)
        for table in COMPARED:
            if want[table] != got[table]:
                a = {json.dumps(r, sort_keys=True, default=str) for r in want[table]}
                b = {json.dumps(r, sort_keys=True, default=str) for r in got[table]}
                say(f"replay differs in {table}: laptop only {sorted(a - b)[:2]}, replay only {sorted(b - a)[:2]}")

    def _originals(self, held: list[tuple[dict[str, Any], dict[str, Any]]], say) -> None:
        needed = sorted({sha for h, env in held if h["status"] == "applied" for sha in originals_of(env)})
        if not needed:
            return
        with self.engine.connect() as conn:
            stored = set(conn.execute(sa.select(blobs.c.sha256).where(blobs.c.sha256.in_(needed))).scalars())
        for sha in needed:
            if sha not in stored:
                say(f"original {sha[:12]}… is named by an applied op but not stored")
            elif self.blob_dir is not None:
                path = self.blob_dir / sha[:2] / sha
                if not path.exists() or hashlib.sha256(path.read_bytes()).hexdigest() != sha:
                    say(f"original {sha[:12]}… is stored but its bytes are missing or differ")


# ---- what the laptops do between syncs ------------------------------------------------------------
EDITS = ("case", "draft", "photo", "describe", "remove", "reorder", "finalize", "approve", "return",
         "amend")


class Workload:
    """Random edits on a laptop (``server_support.Laptop``), made by the desktop's own services:
    cases, drafts, photos (import, description, removal, order), finalize, a supervisor's
    approval or return, amendment. ``step(rng)`` makes one that the laptop's records allow and
    names it."""

    def __init__(self, lt: Any, photo_dir: Path, *, supervisor: str = "审核员"):
        from weicha_desktop.core.photos import PhotoService
        from weicha_desktop.core.users import UserService

        from tests.support import PASSWORD

        self.lt, self.photo_dir = lt, photo_dir
        self.photos = PhotoService(lt.store, lt.actor, forms())
        users = UserService(lt.store)
        users.add(lt.actor, supervisor, "supervisor", PASSWORD, badge_no="900001")  # one person
        self.boss = users.authenticate(supervisor, PASSWORD)
        self.classes = self.photos.photo_classes()
        self.done: dict[str, int] = {}

    def _ids(self, status: str) -> list[str]:
        return [r for (r,) in self.lt.store.conn.execute(
            "SELECT id FROM records WHERE status = ? ORDER BY id", (status,))]

    def _photo(self, seed: int) -> Path:
        """A tiny PNG whose pixels are the seed's own (no two seeds give one original)."""
        from PIL import Image

        path = self.photo_dir / f"{seed}.png"
        Image.frombytes("RGB", (16, 12), random.Random(seed).randbytes(16 * 12 * 3)).save(path, "PNG")
        return path

    def _photos(self, record_id: str) -> list[str]:
        return [p.id for p in self.photos.list(record_id)]

    def step(self, rng: Any) -> str:
        drafts, final = self._ids("draft"), self._ids("finalized")
        locked = final + self._ids("reviewed")
        with_photos = [r for r in drafts if self._photos(r)]
        can = {"case": True, "draft": drafts, "photo": drafts, "describe": with_photos,
               "remove": with_photos, "reorder": [r for r in with_photos if len(self._photos(r)) > 1],
               "finalize": with_photos, "approve": final, "return": final, "amend": locked}
        kind = rng.choice([k for k in EDITS if can[k]])
        rid = rng.choice(can[kind]) if can[kind] is not True else None
        if kind == "finalize" and self.lt.cases().blockers(rid):
            kind = "photo"  # not complete yet: another photo for it instead
        self._do(kind, rng, rid)
        self.done[kind] = self.done.get(kind, 0) + 1
        return kind

    def _do(self, kind: str, rng: Any, rid: str | None) -> None:
        from weicha_desktop.core.cases import CaseService

        from tests.server_support import import_photos

        cases = self.lt.cases()
        if kind == "case":
            self.lt.new_case(rng.randrange(10 ** 6))
        elif kind == "draft":  # saved once or more before a sync: compaction keeps the last
            for _ in range(rng.randrange(1, 4)):
                cases.update(rid, {"narrative_visit": f"访问记录 {rng.randrange(10 ** 6)}。"})
        elif kind == "photo":  # one or two, each of a class the case lacks first
            seeds = [rng.randrange(10 ** 9) for _ in range(rng.randrange(1, 3))]
            files = [self._photo(s) for s in seeds]
            for sha in import_photos(self.lt, rid, files):
                pid = self.lt.store.conn.execute("SELECT id FROM photos WHERE record_id = ? AND sha256 = ?",
                                                 (rid, sha)).fetchone()[0]
                have = {p.photo_class for p in self.photos.list(rid)}
                self.photos.update(pid, photo_class=next((c for c in self.classes if c not in have),
                                                         rng.choice(self.classes)))
        elif kind == "describe":
            self.photos.update(rng.choice(self._photos(rid)), caption=f"说明 {rng.randrange(1000)}")
        elif kind == "remove":
            self.photos.remove(rng.choice(self._photos(rid)), "重复拍摄")
        elif kind == "reorder":
            ids = self._photos(rid)
            self.photos.reorder(rid, ids[1:] + ids[:1])
        elif kind == "finalize":
            cases.finalize(rid)
        elif kind in ("approve", "return"):
            CaseService(self.lt.store, forms(), self.boss).review(
                rid, approve=kind == "approve", comment="" if kind == "approve" else "补充照片说明")
        else:
            cases.amend(rid, "补充现场情况")
