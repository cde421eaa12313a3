"""Review across laptops (docs/sync-protocol.md, "Review across laptops").

- **Copies**: a laptop with a supervisor pulls ``unit_records`` — the ops other devices of its
  unit pushed — and applies them with core/sync/apply.py (per device, in order, idempotent).
  A record whose create came from another device is a **read-only copy** (``is_copy``):
  nobody here edits, finalizes, amends it or changes its photos (core/duties.py refuses, the
  server would too: one writer per record, its owner device). Its photos come as thumbnails
  (``GET /v1/blobs/{sha}/thumbnail``); an original is fetched when someone opens it
  (``fetch_original``).
- **Decisions**: a supervisor reviews a copy as any record; the decision goes up as the
  ``K.review`` op. Approving sets the copy ``reviewed``; returning sets it ``draft`` with the
  comment and opens NO new version here (the owner does: ``RecordService.review``).
- **The owner** pulls ``decisions`` (review ops of other devices on its records) and applies
  each in a change by the reviewer (known here as a person who cannot log in): the review row
  (the reviewer's review id), then
  - on the version the record is at, still finalized: approve → ``reviewed``
    (``K.decided`` entry); return → the new draft version with the comment (``K.return``
    entry and this laptop's ``K.amend`` op: the owner stays the one writer), opened at the
    section the supervisor named;
  - on a version the owner has amended meanwhile (the decision raced the amendment and
    reached the server first): kept as that version's review, the newer draft untouched
    (``K.decided`` with ``current: false``), and reported as a conflict. Had the amendment
    reached the server first, the server refuses the decision (409 ``superseded``) and the
    supervisor sees why.
  A review row's time is when this laptop applied it (the audit entry's); the supervisor's
  time is in the entry's details (``decided_at``)."""
from __future__ import annotations

import os
import sqlite3
from typing import Any, Mapping

from weicha_desktop.core import ops
from weicha_desktop.core.canonical import sha256_hex
from weicha_desktop.core.errors import WeichaError
from weicha_desktop.core.records import read_record
from weicha_desktop.core.store import SYSTEM, Actor, Store
from weicha_desktop.core.sync import is_copy  # noqa: F401 — the copies' test, kept with them
from weicha_desktop.core.sync.apply import apply_late, apply_ops, know_person
from weicha_desktop.core.sync.client import SyncClient, SyncError
from weicha_desktop.core.sync.envelope import envelope_digest, envelope_problem
from weicha_desktop.core.sync.pull import NAMES, PullResult, fetch, keep_cursor, stored_cursor
from weicha_desktop.core.sync.reference import local_forms


def _registry(store: Store, forms: Any) -> Any:
    """The form registry to apply with: ``forms`` (a registry, or a function making one — pull_all's,
    made only when a table brings rows), else ``local_forms``."""
    return forms() if callable(forms) else forms or local_forms(store)


def has_supervisor(store: Store) -> bool:
    """Does someone who may log in here review (an active supervisor)?"""
    return store.conn.execute("SELECT 1 FROM users WHERE role = 'supervisor' AND active = 1 "
                              "AND password_hash <> '!' LIMIT 1").fetchone() is not None


def _logged_pull(store: Store, actor: Actor, table: str, cursor: str, server_id: str | None,
                 rows: int, changed: int) -> None:
    with store.change(actor) as ch:
        keep_cursor(ch, table, cursor, server_id)
        ch.log("sync.pull", "device", store.meta("device_id"),
               f"从同步服务器获取{NAMES[table]}：{rows} 项，应用 {changed} 项",
               {"table": table, "rows": rows, "changed": changed})


# ---- copies of the unit's records ------------------------------------------------------------------
def pull_unit_records(store: Store, client: SyncClient, result: PullResult, *, actor: Actor = SYSTEM,
                      server_id: str | None = None, forms=None) -> None:
    before = stored_cursor(store, "unit_records", server_id)
    got = fetch(client, "unit_records", before)
    if not got.rows and not got.covered:
        return
    own = store.meta("device_id")
    envs = [e for e in got.rows if e.get("device_id") != own]
    covered = {d: tuple(span) for d, span in got.covered.items() if d != own}
    forms, applied, stops = _registry(store, forms), 0, []
    late = _late(store, envs)  # a record's ops passed while it was a draft, come with its finalize
    if late:
        report = apply_late(store, late, forms)
        applied, stops = len(report.applied), report.stops
        done = {id(x) for x in late}
        envs = [e for e in envs if id(e) not in done]
    for _ in range(len(covered) + 2) if not stops else ():  # a review may wait for another's finalize
        report = apply_ops(store, envs, forms, covered=covered)
        applied += len(report.applied)
        stops = report.stops
        if not stops or not report.applied:
            break
    result.copies += applied
    if stops:  # the cursor stays: the next sync pulls them again (what applied is skipped)
        result.problems += [s.reason for s in stops]
        return
    _logged_pull(store, actor, "unit_records", got.cursor, server_id, len(got.rows), applied)
    result.thumbnails += fetch_thumbnails(store, client, result)


def _late(store: Store, envs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The envelopes at or below this store's mark of their device not applied here yet."""
    marks = dict(store.conn.execute("SELECT id, applied_through FROM devices"))
    return [e for e in envs if not envelope_problem(e) and e["device_seq"] <= marks.get(e["device_id"], 0)
            and not store.conn.execute("SELECT 1 FROM applied_ops WHERE op_id = ?", (e["op_id"],)).fetchone()]


def copy_photos(conn: sqlite3.Connection) -> list[tuple[str, int | None]]:
    """(sha256, orientation) of the photos of read-only copies."""
    return conn.execute(
        "SELECT DISTINCT sha256, orientation FROM photos WHERE record_id IN "
        "(SELECT entity_id FROM applied_ops WHERE op LIKE '%.create')").fetchall()


def fetch_thumbnails(store: Store, client: SyncClient, result: PullResult) -> int:
    """Thumbnails of the copies' photos this laptop has neither a thumbnail nor the original of."""
    from weicha_desktop.core.media.analyse import THUMB_SIZE, thumbnail_path
    from weicha_desktop.core.media.blobs import BlobStore

    thumbs, blobs, n = store.data_dir / "cache" / "thumbs", BlobStore(store.blobs_dir, create=False), 0
    for sha, orientation in copy_photos(store.conn):
        target = thumbnail_path(thumbs, sha, THUMB_SIZE)
        if target.exists() or blobs.has(sha):
            continue
        try:
            data = client.blob(sha, thumbnail=True, orientation=orientation)
        except SyncError as e:
            result.problems.append(f"照片 {sha[:12]}… 的缩略图未能取得：{e}")
            continue
        _write(target, data)
        n += 1
    return n


def fetch_original(store: Store, client: SyncClient, sha: str) -> Any:
    """The original of a copy's photo, from the server, checked against its SHA-256 and kept
    in blobs/ (write-once like every original); its path."""
    from weicha_desktop.core.media.blobs import BlobStore

    blobs = BlobStore(store.blobs_dir)
    if blobs.has(sha):
        return blobs.path(sha)
    data = client.blob(sha)
    if sha256_hex(data) != sha:
        raise WeichaError(f"从服务器取得的照片原图 {sha[:12]}… 与其 SHA-256 不符，未保存：请稍后重试。")
    _write(blobs.path(sha), data)
    return blobs.path(sha)


def _write(target, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.part")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, target)


# ---- decisions on this laptop's records -------------------------------------------------------------
def pull_decisions(store: Store, client: SyncClient, result: PullResult, *,
                   server_id: str | None = None, forms=None) -> None:
    before = stored_cursor(store, "decisions", server_id)
    got = fetch(client, "decisions", before)
    if not got.rows:
        return
    forms, failed, applied = _registry(store, forms), False, 0
    with store.batch():
        for env in got.rows:
            try:
                applied += apply_decision(store, forms, env, result)
            except (WeichaError, sqlite3.Error, KeyError, TypeError) as e:
                failed = True
                result.problems.append(f"审核决定 {str(env.get('op_id'))[:40]} 未能应用：{e}")
        if not failed:
            _logged_pull(store, SYSTEM, "decisions", got.cursor, server_id, len(got.rows), applied)
    result.decisions += applied


def apply_decision(store: Store, forms, env: Mapping[str, Any], result: PullResult) -> int:
    """One supervisor's decision on a record of this laptop (see the module's doc); 1 if
    applied, 0 if it was applied before."""
    from weicha_desktop.core.cases import CaseService
    from weicha_desktop.core.record_service import RETURN_REASON, RecordService

    problem = envelope_problem(env)
    if problem or not env["op"].endswith(".review") or env["device_id"] == store.meta("device_id"):
        raise WeichaError(f"不是另一台设备的审核决定（{problem or env.get('op')}）")
    kind, rid, p = env["entity_kind"], env["entity_id"], env["payload"]
    spec = ops.op(env["op"], kind, tuple(forms.kinds()))
    spec.check(p)
    if store.conn.execute("SELECT 1 FROM applied_ops WHERE op_id = ?", (env["op_id"],)).fetchone() or \
            store.conn.execute("SELECT 1 FROM reviews WHERE id = ?", (p["review_id"],)).fetchone():
        return 0
    record = read_record(store.conn, rid)
    if record is None or p.get(f"{kind}_id") != rid:
        raise WeichaError(f"本机没有记录 {p.get('number') or rid}")
    who = p["reviewer"]
    reviewer = Actor(who["id"], str(who.get("name") or "?"), str(who.get("role") or "supervisor"),
                     str(who.get("display_name") or ""))
    service = (CaseService if kind == CaseService.kind else RecordService)(store, forms, reviewer, kind=kind)
    current = record.version == p["version"] and record.status == "finalized"
    comment, section = p.get("comment") or "", p.get("section")
    details = {"version": p["version"], "decision": p["decision"], "comment": comment, "section": section,
               "review_id": p["review_id"], "decided_at": p["at"], "device_id": env["device_id"],
               "op_id": env["op_id"], "current": current}
    with store.change(reviewer) as ch:
        ch.conn.execute("INSERT INTO devices (id, name, created_at, this_device) VALUES (?, '', ?, 0) "
                        "ON CONFLICT (id) DO NOTHING", (env["device_id"], ch.now))
        know_person(ch, who, env["device_id"])
        ch.conn.execute(
            "INSERT INTO reviews (id, record_id, version, decision, comment, reviewer_id, at, section) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (p["review_id"], rid, p["version"], p["decision"], comment, who["id"], ch.now, section))
        ch.conn.execute(
            "INSERT INTO applied_ops (op_id, device_id, device_seq, op, entity_kind, entity_id, sha256, "
            "applied_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (env["op_id"], env["device_id"], env["device_seq"], env["op"], kind, rid, envelope_digest(env),
             ch.now))
        number = record.number or rid
        if current and p["decision"] == "returned":
            service._new_version(ch, record, f"{RETURN_REASON}{comment}", returned_comment=comment)
            ch.log(f"{kind}.return", kind, rid, f"退回补正 {number}（审核人 {reviewer.display_name or reviewer.name}"
                   f"在另一台设备上）：{comment}", {**details, "new_version": record.version + 1})
            result.returned.append(number)
        else:
            if current:
                service._touch(ch, rid, status="reviewed")
                service.project(ch, rid, service.spec_for(record), None)
            else:
                result.conflicts.append(
                    f"{number} 第 {p['version']} 版的审核决定（{'通过' if p['decision'] == 'approved' else '退回'}）"
                    f"到达时本机已补正到第 {record.version} 版：决定记入第 {p['version']} 版，当前版本不变。")
            ch.log(f"{kind}.decided", kind, rid,
                   f"记下审核人 {reviewer.display_name or reviewer.name} 在另一台设备上对 {number} 第 {p['version']} 版的"
                   f"审核决定（{'通过' if p['decision'] == 'approved' else '退回'}）", details)
    return 1
