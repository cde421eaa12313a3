"""USB bundles into the server (docs/server.md, "Bundles"): ``weicha-server bundle import
FILE.wcb`` and ``bundle watch DIR``.

An ops bundle (core/bundle/container.py, kind ``ops``) is a laptop's outbox export: signed by
the device's key, encrypted to the server's (keys.py). Importing one:

1. **Open**: the sender must be a device enrolled here and not revoked (its Ed25519 key from
   ``devices``), the recipient this server; the container checks the signature, decrypts
   with the server's X25519 key into a staging folder (``<data-dir>/bundles/staging``) and
   checks every size and hash, the expiry too.
2. **Judge the manifest**: ops bundle fields (device, bundle_seq, the op range, protocol 1)
   and its entries — ``ops.jsonl``, ``audit.jsonl``, ``bundle.json``, ``blobs/<sha256>``,
   nothing else.
3. **Same or older**: the bundle id imported before — nothing applied, it says so, its receipt
   written again. A ``bundle_seq`` not above the device's highest imported is judged by what it
   carries (a laptop put back from a backup counts again): step 5 as any other, rolled back and
   answered "older" (no receipt) only when the push adds nothing (ops held, audit head kept).
4. **Originals** into the BlobStore (each under the SHA-256 the container computed while
   writing it: the manifest's, the entry's name).
5. **One transaction**: the device's row locked, the ops through ``push.push`` — the very
   path of ``POST /v1/push``, in batches of ``max_batch`` like a laptop's sync — with the
   audit entries anchored, the import recorded (``bundle_imports``), the audit chain's
   ``bundle.import`` and ``bundle.receipt`` entries. The receipt (kind ``receipt``, signed by
   the server, to the device) is written beside its destination before the commit and
   renamed into place after it: no import without its receipt, no receipt without its import.

Every refusal imports nothing (the staged files are removed; originals already stored stay,
as an interrupted upload's would, harmless) and is a ``bundle.refused`` entry of the audit
chain with the bundle id (when the header could be read) and the reason."""
from __future__ import annotations

import base64
import json
import os
import secrets
import shutil
import stat
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import Any, Callable, Iterator

import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy.engine import Engine

from weicha_desktop.core.bundle.container import (KIND_NAMES, MAGIC, MAX_HEADER, BundleError, Entry, open_container,
                                                  verify_container, write_container)
from weicha_desktop.core.clock import Clock, FixedClock, parse_iso
from weicha_desktop.core.errors import WeichaError
from weicha_desktop.core.fileio import fsync_dir, os_error_message
from weicha_desktop.core.sync.envelope import is_count
from weicha_server import audit, auth, opcheck, uploads
from weicha_server.auth import Device
from weicha_server.blobstore import FolderBlobStore, valid_sha
from weicha_server.config import PROTOCOL, ServerConfig
from weicha_server.db import blobs, bundle_imports, devices, insert_ignore, lock_row, meta, now_iso, read
from weicha_server.errors import ApiError
from weicha_server.keys import ServerKeys
from weicha_server.push import PushAnswer, push

KNOWN_FILES = ("ops.jsonl", "audit.jsonl", "bundle.json")
BLOB_WORKERS = 4  # originals moved into the blob store at once


class BundleRefused(WeichaError):
    """An ops bundle the server did not import (nothing of it applied); ``code`` says why."""

    def __init__(self, code: str, message: str, bundle_id: str | None = None):
        super().__init__(message)
        self.code, self.bundle_id = code, bundle_id


@dataclass
class Outcome:
    """What an import did: ``imported``, ``same`` (this bundle before) or ``older``."""
    status: str
    bundle_id: str
    device_id: str
    bundle_seq: int
    message: str
    receipt: dict[str, Any] | None = None
    receipt_path: Path | None = None
    counts: dict[str, int] = field(default_factory=dict)
    receipt_at: str | None = None  # "same": when its receipt was first written (a re-issue keeps that time)

    def body(self) -> dict[str, Any]:
        return {"status": self.status, "bundle_id": self.bundle_id, "device_id": self.device_id,
                "bundle_seq": self.bundle_seq, "message": self.message, "counts": self.counts,
                "receipt": self.receipt, "receipt_file": str(self.receipt_path) if self.receipt_path else None}


class Importer:
    """Imports ops bundles into one server (its engine, blob store and keys)."""

    def __init__(self, cfg: ServerConfig, engine: Engine, *, keys: ServerKeys | None = None,
                 clock: Clock | None = None, actor: str = "admin-cli"):
        self.cfg, self.engine, self.actor = cfg, engine, actor
        self.keys = keys or ServerKeys.load(cfg.data_dir)
        self.clock = clock or Clock()
        self.store = FolderBlobStore(cfg.blob_dir)
        self.staging = cfg.data_dir / "bundles" / "staging"
        sweep_staging(self.staging)
        with read(engine) as conn:
            self.server_id = meta(conn, "server_id")

    # ---- the whole import ---------------------------------------------------------------------
    def import_file(self, src: Path, receipt_to: Path | None = None,
                    progress: Callable[[int, int], None] | None = None) -> Outcome:
        """Import ``src``; the receipt goes to ``receipt_to`` (default: beside ``src``, .wcr).
        BundleRefused (logged in the audit chain) when nothing was imported for a reason."""
        seen: dict[str, Any] = {}
        try:
            return self._import(Path(src), receipt_to, progress, seen)
        except (BundleError, BundleRefused, ApiError) as e:
            code = getattr(e, "code", None) or getattr(e, "error", "refused")
            message = getattr(e, "message_zh", None) or getattr(e, "message", None) or str(e)
            if isinstance(e, ApiError):
                message = f"数据包中的同步操作不完整或不一致，整个数据包未导入（{e.message}）"
            elif "未导入" not in message:
                message = f"{message.rstrip('。')}。数据包已拒收，未导入任何内容。"
            refused = BundleRefused(code, message, seen.get("bundle_id"))
            self._log_refusal(src, refused, seen)
            raise refused from None

    def _import(self, src: Path, receipt_to: Path | None, progress, seen: dict[str, Any]) -> Outcome:
        receipt_to = Path(receipt_to) if receipt_to else src.with_suffix(".wcr")
        if receipt_to.resolve() == src.resolve():
            raise BundleRefused("receipt_unwritable", "回执不能写到数据包本身：请用 -o 给出另一个文件名（.wcr）。")
        again = self._imported_before(src, seen)
        if again is not None:
            return self.reissue(again, receipt_to)
        opened = open_container(src, sender_key=lambda h: self._sender_key(h, seen),
                                decrypt_with=self.keys.encryption, clock=self.clock, staging_dir=self.staging,
                                progress=progress, recipient=("server", self.server_id))
        with opened:
            m = _check_manifest(opened.header, opened.manifest)
            seen["bundle_seq"] = m["bundle_seq"]
            if "bundle_public" in opened.manifest:  # signed by the device: how one enrolled before gives its key
                with self.engine.begin() as conn:
                    auth.keep_bundle_key(conn, m["device_id"], opened.manifest["bundle_public"])
            with read(self.engine) as conn:
                done, numbered_older = _judge_repeat(conn, m), _numbered_older(conn, m) is not None
            if done is None:
                files = _entry_files(opened)
                if numbered_older:  # its ops are all at or below the mark: none waits for an original
                    files["blobs"], files["sizes"] = {}, {}
                else:
                    self._store_blobs(files["blobs"], m["bundle_id"])
                done = self._apply(m, files, receipt_to)
        if done.status == "same":
            return self.reissue(done, receipt_to)
        if done.status == "older":
            with self.engine.begin() as conn:
                _log_skip(conn, self.actor, done)
        return done

    def _store_blobs(self, found: dict[str, tuple[Path, str]], bundle_id: str) -> None:
        """The originals the server lacks moved into the blob store, a few at once (each one's
        fsync waits on the disk, not on this process)."""
        todo = [(sha, path, digest) for sha, (path, digest) in found.items() if not self.store.has(sha)]
        with ThreadPoolExecutor(max_workers=BLOB_WORKERS) as pool:
            kept = list(pool.map(lambda t: self.store.adopt(*t), todo))
        bad = [sha for (sha, _, _), ok in zip(todo, kept) if not ok]
        if bad:
            raise BundleRefused("hash_mismatch", f"数据包中的照片原图 {bad[0][:12]}… 与其 SHA-256 不符，"
                                                 "已拒收，未导入任何内容。", bundle_id)

    def _imported_before(self, src: Path, seen: dict[str, Any]) -> Outcome | None:
        """A bundle whose id was imported before, judged on its signature alone (one pass,
        nothing decrypted or staged: a replayed 2 GB bundle costs a read); None otherwise."""
        bundle_id = _header_id(src)
        if bundle_id is None:
            return None
        with read(self.engine) as conn:
            held = conn.execute(sa.select(bundle_imports).where(bundle_imports.c.bundle_id == bundle_id)).first()
        if held is None:
            return None
        header = verify_container(src, sender_key=lambda h: self._sender_key(h, seen), clock=self.clock,
                                  recipient=("server", self.server_id))
        if header.sender != ("device", held.device_id):
            return None  # another device naming that id: judged (refused) after opening it
        return _judge_repeat(None, {"bundle_id": bundle_id, "device_id": held.device_id}, held)

    # ---- 1. who sent it -----------------------------------------------------------------------
    def _sender_key(self, header, seen: dict[str, Any]) -> Ed25519PublicKey | None:
        seen["bundle_id"], seen["device_id"] = header.bundle_id, header.sender[1]
        if header.kind != "ops":
            raise BundleError("bad_header", f"这是{KIND_NAMES.get(header.kind, header.kind)}，不是笔记本导出的数据包（.wcb），"
                                            "未导入任何内容。请选择笔记本上“导出数据包”得到的文件。")
        kind, device_id = header.sender
        with read(self.engine) as conn:
            row = conn.execute(sa.select(devices.c.public_key, devices.c.revoked_at, devices.c.name)
                               .where(devices.c.id == device_id)).first() if kind == "device" else None
        if row is None:
            raise BundleError("unknown_sender", f"数据包来自未在本服务器登记的设备（{device_id}），已拒收，未导入任何内容。"
                                                "请先登记该笔记本（登记码或离线登记）。")
        if row.revoked_at is not None:
            raise BundleError("unknown_sender", f"数据包来自已被吊销的设备 {row.name}（{device_id}，{row.revoked_at} 吊销），"
                                                "已拒收，未导入任何内容。")
        return Ed25519PublicKey.from_public_bytes(base64.b64decode(row.public_key))

    # ---- 5. one transaction ------------------------------------------------------------------
    def _apply(self, m: dict[str, Any], files: dict[str, Any], receipt_to: Path) -> Outcome:
        pending = pending_beside(receipt_to)
        try:
            with self.engine.begin() as conn:
                row = conn.execute(lock_row(sa.select(devices).where(devices.c.id == m["device_id"]))).first()
                if row is None or row.revoked_at is not None:
                    raise BundleRefused("unknown_sender", f"设备 {m['device_id']} 在导入过程中被吊销，数据包未导入。")
                done = _judge_repeat(conn, m)
                if done is not None:
                    return done  # imported meanwhile (another watcher): the caller says so
                top = _numbered_older(conn, m, row.through_seq)
                now = now_iso()
                for sha, size in files["sizes"].items():
                    insert_ignore(conn, blobs, {"sha256": sha, "size": size, "stored_at": now})
                answer, needed = _push_all(conn, Device.of(row), m, files, self.cfg.max_batch)
                if top is not None and _adds_nothing(Device.of(row), answer):
                    raise _Nothing(_older(m, top))  # rolled back: nothing of it kept, not even the time
                held = _held(conn, needed | set(files["blobs"]))
                receipt = {"bundle_id": m["bundle_id"], "device_id": m["device_id"], "bundle_seq": m["bundle_seq"],
                           "server_id": self.server_id, "through_seq": answer.through_seq,
                           "anchored": answer.anchored, "rejected": answer.rejected, "waiting": answer.waiting,
                           "blobs_held": sorted(held), "applied": len(answer.applied),
                           "skipped": len(answer.skipped)}
                if answer.audit_error:
                    receipt["audit_error"] = answer.audit_error
                counts = {"ops": files["op_count"], "applied": len(answer.applied), "skipped": len(answer.skipped),
                          "rejected": len(answer.rejected), "waiting": len(answer.waiting),
                          "blobs": len(files["blobs"]), "through_seq": answer.through_seq}
                conn.execute(bundle_imports.insert().values(
                    bundle_id=m["bundle_id"], device_id=m["device_id"], bundle_seq=m["bundle_seq"],
                    from_seq=m["from_seq"], through_seq=m["through_seq"], imported_at=now,
                    receipt=json.dumps(receipt, ensure_ascii=False, sort_keys=True)))
                audit.append(conn, self.actor, "bundle.import", {
                    "bundle_id": m["bundle_id"], "device_id": m["device_id"], "bundle_seq": m["bundle_seq"],
                    "from_seq": m["from_seq"], "through_seq": m["through_seq"], **counts,
                    "anchored": answer.anchored, "audit_error": (answer.audit_error or {}).get("error")})
                header = self._write_receipt(conn, pending, receipt)
                conn.execute(bundle_imports.update().where(bundle_imports.c.bundle_id == m["bundle_id"])
                             .values(receipt_at=header.created_at))
                receipt_id = header.bundle_id
            _place(pending, receipt_to)
        except _Nothing as nothing:
            return nothing.args[0]
        finally:
            pending.unlink(missing_ok=True)
        return Outcome("imported", m["bundle_id"], m["device_id"], m["bundle_seq"], _summary(counts, receipt_to),
                       receipt, receipt_to, counts | {"receipt_id": receipt_id})

    def _write_receipt(self, conn, dst: Path, receipt: dict[str, Any], again: bool = False,
                       at: str | None = None):
        """The receipt as a signed container at ``dst`` and its audit entry; its header. ``at``:
        the time the first one was written — a re-issue keeps it, so a laptop that takes it never
        judges a genuine later receipt (the answer to a later bundle) older than it."""
        data = json.dumps(receipt, ensure_ascii=False, sort_keys=True).encode("utf-8")
        try:
            header = write_container(
                dst, kind="receipt", sender=("server", self.server_id), recipient=("device", receipt["device_id"]),
                signer=self.keys.signing, encrypt_to=None, entries=[Entry.of_bytes("receipt.json", data)],
                manifest_extra={"receipt_for": receipt["bundle_id"], "device_id": receipt["device_id"],
                                "server_id": self.server_id, "through_seq": receipt["through_seq"]},
                expires_at=None, clock=FixedClock(parse_iso(at), timedelta(0)) if at else self.clock)
        except BundleError as e:
            raise BundleRefused("receipt_unwritable", f"{e.message_zh}（回执写不出，数据包未导入：请用 -o 把回执写到可写的位置）") from None
        audit.append(conn, self.actor, "bundle.receipt", {
            "bundle_id": header.bundle_id, "receipt_for": receipt["bundle_id"], "device_id": receipt["device_id"],
            "through_seq": receipt["through_seq"], "again": again})
        return header

    def reissue(self, outcome: Outcome, receipt_to: Path) -> Outcome:
        """The receipt of a bundle imported before, written again (its answer then)."""
        pending = pending_beside(receipt_to)
        try:
            with self.engine.begin() as conn:
                self._write_receipt(conn, pending, outcome.receipt, again=True, at=outcome.receipt_at)
                _log_skip(conn, self.actor, outcome)
            _place(pending, receipt_to)
        finally:
            pending.unlink(missing_ok=True)
        outcome.receipt_path = receipt_to
        return outcome

    def _log_refusal(self, src: Path, refused: BundleRefused, seen: dict[str, Any]) -> None:
        with self.engine.begin() as conn:
            audit.append(conn, self.actor, "bundle.refused", {
                "bundle_id": refused.bundle_id, "device_id": seen.get("device_id"), "file": Path(src).name,
                "code": refused.code, "message": str(refused)})


STALE_STAGING = 6 * 3600  # seconds: a folder left by an import killed midway (none runs that long)


def sweep_staging(staging: Path, older_than: float = STALE_STAGING) -> int:
    """Remove the staging folders of imports that were killed (see STALE_STAGING)."""
    cutoff, removed = time.time() - older_than, 0
    try:
        found = [e for e in os.scandir(staging) if e.name.startswith(".bundle-") and e.is_dir(follow_symlinks=False)]
    except OSError:
        return 0
    for e in found:
        try:
            if e.stat(follow_symlinks=False).st_mtime < cutoff:
                shutil.rmtree(e.path)
                removed += 1
        except OSError:
            continue
    return removed


# ---- the manifest ---------------------------------------------------------------------------------
def _check_manifest(header, manifest: dict[str, Any]) -> dict[str, Any]:
    def bad(why: str) -> BundleRefused:
        return BundleRefused("manifest_mismatch", f"数据包的清单不对（{why}），已拒收，未导入任何内容。"
                                                  "请在笔记本上重新导出数据包。", header.bundle_id)

    if manifest.get("device_id") != header.sender[1]:
        raise bad("清单中的设备与签名的设备不同")
    if manifest.get("protocol") != PROTOCOL:
        raise bad(f"同步协议第 {manifest.get('protocol')} 版，本服务器使用第 {PROTOCOL} 版")
    seqs = [manifest.get(k) for k in ("bundle_seq", "from_seq", "through_seq")]
    if not all(is_count(v) and v <= 2 ** 62 for v in seqs) or seqs[0] < 1 or not 1 <= seqs[1] <= seqs[2] + 1:
        raise bad("数据包序号或同步操作的序号范围无效")
    paths = [e["path"] for e in manifest["entries"]]
    for p in paths:
        if p not in KNOWN_FILES and not (p.startswith("blobs/") and valid_sha(p[6:])):
            raise bad(f"不认识的文件 {p[:80]}")
    for e in manifest["entries"]:
        if e["path"].startswith("blobs/") and e["sha256"] != e["path"][6:]:
            raise bad(f"照片原图 {e['path'][6:18]}… 的名称与其 SHA-256 不同")
    if "ops.jsonl" not in paths or "bundle.json" not in paths:
        raise bad("缺少 ops.jsonl 或 bundle.json")
    return {"bundle_id": header.bundle_id, "device_id": header.sender[1], "bundle_seq": seqs[0],
            "from_seq": seqs[1], "through_seq": seqs[2]}


def _entry_files(opened) -> dict[str, Any]:
    """The staged files: ``ops`` / ``audit`` paths, ``blobs`` sha → (path, digest), ``sizes``;
    bundle.json must agree with the manifest."""
    entries = {e["path"]: e for e in opened.manifest["entries"]}
    try:
        info = json.loads(opened.entry_path("bundle.json").read_bytes())
    except (ValueError, UnicodeDecodeError, RecursionError):
        info = None
    m = opened.manifest
    if not isinstance(info, dict) or any(info.get(k) != m.get(k) for k in ("device_id", "from_seq", "through_seq")):
        raise BundleRefused("manifest_mismatch", "数据包中的 bundle.json 与清单不一致，已拒收，未导入任何内容。"
                                                 "请在笔记本上重新导出数据包。", opened.header.bundle_id)
    found = {p[6:]: (opened.entry_path(p), entries[p]["sha256"]) for p in entries if p.startswith("blobs/")}
    return {"ops": opened.entry_path("ops.jsonl"),
            "audit": opened.entry_path("audit.jsonl") if "audit.jsonl" in entries else None,
            "blobs": found, "sizes": {sha: entries[f"blobs/{sha}"]["size"] for sha in found}, "op_count": 0,
            "bundle_id": opened.header.bundle_id}


def _lines(path: Path | None, what: str, bundle_id: str) -> Iterator[dict[str, Any]]:
    if path is None:
        return
    with open(path, "rb") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except (ValueError, UnicodeDecodeError, RecursionError):
                value = None
            if not isinstance(value, dict):
                raise BundleRefused("manifest_mismatch", f"数据包的 {what} 第 {n} 行不是 JSON 对象，已拒收，未导入任何内容。",
                                    bundle_id)
            yield value


# ---- same or older ---------------------------------------------------------------------------------
def _judge_repeat(conn, m: dict[str, Any], held: Any = None) -> Outcome | None:
    held = held or conn.execute(sa.select(bundle_imports).where(bundle_imports.c.bundle_id == m["bundle_id"])).first()
    if held is not None and held.device_id != m["device_id"]:
        raise BundleRefused("manifest_mismatch", f"数据包编号 {m['bundle_id']} 已被另一台设备的数据包使用过，已拒收，"
                                                 "未导入任何内容。请在笔记本上重新导出数据包。", m["bundle_id"])
    if held is None:
        return None
    return Outcome("same", m["bundle_id"], m["device_id"], held.bundle_seq,
                   f"数据包 {m['bundle_id']} 已于 {held.imported_at} 导入过（第 {held.bundle_seq} 个），"
                   "这次没有改动任何数据；回执已重新写出。", json.loads(held.receipt),
                   receipt_at=held.receipt_at or held.imported_at)  # imported before migration 7: its import time


def _numbered_older(conn, m: dict[str, Any], mark: int | None = None) -> int | None:
    """The device's highest bundle_seq imported when ``m`` is numbered at or below it and carries
    no op past the mark (read when not given): it may add nothing — the push decides. None: new."""
    top = conn.execute(sa.select(sa.func.max(bundle_imports.c.bundle_seq))
                       .where(bundle_imports.c.device_id == m["device_id"])).scalar()
    if mark is None:
        mark = conn.execute(sa.select(devices.c.through_seq).where(devices.c.id == m["device_id"])).scalar() or 0
    return top if top is not None and m["bundle_seq"] <= top and m["through_seq"] <= mark else None


def _adds_nothing(device: Device, answer: PushAnswer) -> bool:
    """The push of a bundle changed nothing: every op held (skipped, or a rejection answered
    again — not a conflict), the mark and the audit head where they were, no audit problem."""
    head = answer.anchored or {}
    return not (answer.applied or answer.waiting or answer.audit_error
                or any(r["error"] == "conflict" for r in answer.rejected)) \
        and answer.through_seq == device.through_seq \
        and (head.get("seq"), head.get("hash")) == (device.anchored_seq, device.anchored_hash)


def _older(m: dict[str, Any], top: int) -> Outcome:
    return Outcome("older", m["bundle_id"], m["device_id"], m["bundle_seq"],
                   f"数据包是该设备的第 {m['bundle_seq']} 个，本服务器已导入其第 {top} 个；其中的同步操作和工作日志"
                   "本服务器都已有：这次没有改动任何数据，也不写回执。")


class _Nothing(Exception):
    """Raised inside the import's transaction (its one argument: the Outcome) to roll back a
    push that added nothing."""


def _header_id(src: Path) -> str | None:
    """The bundle id a file's header names, read without any check (None: not readable as one)."""
    try:
        with open(src, "rb") as f:
            head = f.read(len(MAGIC) + 4)
            size = int.from_bytes(head[len(MAGIC):], "big")
            if head[:len(MAGIC)] != MAGIC or not 0 < size <= MAX_HEADER:
                return None
            value = json.loads(f.read(size)).get("bundle_id")
    except (OSError, ValueError, UnicodeDecodeError, AttributeError, RecursionError):
        return None
    return value if isinstance(value, str) and len(value) <= 64 else None


def _log_skip(conn, actor: str, outcome: Outcome) -> None:
    audit.append(conn, actor, "bundle.skipped", {"bundle_id": outcome.bundle_id, "device_id": outcome.device_id,
                                                 "bundle_seq": outcome.bundle_seq, "why": outcome.status})


# ---- the ops, through push ---------------------------------------------------------------------------
def _push_all(conn, device: Device, m: dict[str, Any], files: dict[str, Any],
              max_batch: int) -> tuple[PushAnswer, set[str]]:
    """The bundle's ops in batches of ``max_batch`` through ``push.push`` (the audit entries
    with the first); the answers merged, and the originals the ops name."""
    audit_entries = list(_lines(files["audit"], "audit.jsonl", files["bundle_id"]))
    total = PushAnswer(through_seq=device.through_seq)
    needed: set[str] = set()
    lo, last, stopped = m["from_seq"], None, False
    for part in _batches(_lines(files["ops"], "ops.jsonl", files["bundle_id"]), max_batch):
        files["op_count"] += len(part)
        last = part[-1].get("device_seq")
        if not is_count(last):
            raise ApiError(422, "bad_batch", "同步操作缺少设备序号")
        answer = push(conn, device, {"device_id": m["device_id"], "ops": part, "from_seq": lo, "through_seq": last,
                                     "audit": audit_entries if lo == m["from_seq"] else []}, max_batch=max_batch)
        _merge(total, answer)
        needed.update(s for env in part for s in _needed(env))
        device = replace(device, through_seq=max(device.through_seq, answer.through_seq),
                         **({"anchored_seq": answer.anchored["seq"], "anchored_hash": answer.anchored["hash"]}
                            if answer.anchored else {}))
        if answer.waiting or answer.through_seq < last:
            stopped = True  # photos missing, or a gap: the laptop sends the rest again
            break
        lo = last + 1
    if last is None:  # no ops: the audit entries alone
        _merge(total, push(conn, device, {"device_id": m["device_id"], "ops": [], "from_seq": m["through_seq"] + 1,
                                          "through_seq": m["through_seq"], "audit": audit_entries},
                           max_batch=max_batch))
    elif not stopped and last != m["through_seq"]:
        raise ApiError(422, "bad_batch", f"最后一项同步操作是第 {last} 项，清单写的是到第 {m['through_seq']} 项")
    return total, needed


def _batches(items: Iterator[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    part: list[dict[str, Any]] = []
    for item in items:
        part.append(item)
        if len(part) >= size:
            yield part
            part = []
    if part:
        yield part


def _merge(total: PushAnswer, answer: PushAnswer) -> None:
    total.through_seq = answer.through_seq
    for name in ("applied", "skipped", "rejected", "waiting"):
        getattr(total, name).extend(getattr(answer, name))
    total.anchored = answer.anchored or total.anchored
    total.audit_error = total.audit_error or answer.audit_error


def _needed(env: dict[str, Any]) -> list[str]:
    try:
        return opcheck.blobs_needed(env)
    except (KeyError, TypeError, AttributeError):
        return []


def _held(conn, shas: set[str]) -> set[str]:
    wanted = sorted(shas)
    return set(wanted) - {s for i in range(0, len(wanted), 500) for s in uploads.missing(conn, wanted[i:i + 500])}


# ---- files ------------------------------------------------------------------------------------------------
def pending_beside(target: Path) -> Path:
    """A hidden name of its own beside ``target`` (two imports may write one receipt's name)."""
    return target.with_name(f".{target.name}.{secrets.token_hex(4)}.pending")


def _place(pending: Path, target: Path) -> None:
    os.replace(pending, target)
    fsync_dir(target.parent)


def _summary(counts: dict[str, int], receipt: Path) -> str:
    return (f"已导入数据包：同步操作 {counts['ops']} 项（新应用 {counts['applied']}，已有 {counts['skipped']}，"
            f"拒收 {counts['rejected']}，等待照片 {counts['waiting']}），照片原图 {counts['blobs']} 张；"
            f"服务器现已连续收到该设备第 {counts['through_seq']} 项为止。回执：{receipt}")


# ---- the drop folder ---------------------------------------------------------------------------------------
DONE, REFUSED = "done", "refused"


def watch_folder(importer: Importer, folder: Path, *, once: bool, interval: float,
                 say: Callable[[str, bool], None], sleep: Callable[[float], None] = time.sleep) -> int:
    """Import every ``*.wcb`` dropped into ``folder`` once: the receipt written beside it,
    the bundle then moved to ``done/`` (imported, or imported before) or ``refused/`` (with
    ``NAME.原因.txt``). A file is taken once its size and time stood still for one look
    (``once``: every file there now). Returns how many were refused."""
    folder = Path(folder)
    if not folder.is_dir():
        raise WeichaError(f"投放文件夹 {folder} 不存在或不是文件夹。")
    last: dict[Path, tuple[int, int]] = {}
    refused = 0
    while True:
        for path in sorted(folder.glob("*.wcb")):
            try:
                st = path.stat(follow_symlinks=False)  # a symlink dropped is not a bundle: never followed
                if path.name.startswith(".") or not stat.S_ISREG(st.st_mode):
                    continue
            except OSError:
                continue  # gone meanwhile (taken by hand, or by another watcher)
            mark = (st.st_size, st.st_mtime_ns)
            if not once and last.get(path) != mark:
                last[path] = mark  # still being copied, maybe: the next look decides
                continue
            last.pop(path, None)
            refused += _take(importer, path, folder, say)
        if once:
            return refused
        sleep(interval)


def _take(importer: Importer, path: Path, folder: Path, say: Callable[[str, bool], None]) -> int:
    try:
        outcome = importer.import_file(path, folder / f"{path.stem}.wcr")
    except Exception as failed:  # noqa: BLE001 — one file, whatever it holds, never stops the watcher
        e = failed if isinstance(failed, BundleRefused) else (
            f"处理时出错（{type(failed).__name__}），未导入任何内容。可能是损坏或伪造的文件：请让该笔记本重新导出数据包；"
            "如确认文件无误，可把它移回投放文件夹再试")
        try:
            target = _move(path, folder / REFUSED)
            _write_reason(_reason(target), f"{e}\n")
        except OSError as moving:
            say(f"{path.name}：已拒收（{e}），但无法移入 {REFUSED}/（{os_error_message(moving)}）：请手工移走。", True)
            return 1
        say(f"{path.name}：已拒收（{e}）→ {REFUSED}/", True)
        return 1
    try:
        _move(path, folder / DONE)
    except OSError as moving:  # the next look imports it again: a no-op that says so
        say(f"{path.name}：{outcome.message}；但无法移入 {DONE}/（{os_error_message(moving)}）：请手工移走。", True)
        return 0
    say(f"{path.name}：{outcome.message}", False)
    return 0


def _move(path: Path, into: Path) -> Path:
    """``path`` moved into ``into`` (done/ or refused/) under a name free, its reason file's too;
    ``into`` a symlink (anyone who may drop files may have made one) is refused (OSError)."""
    into.mkdir(exist_ok=True)
    if not stat.S_ISDIR(into.lstat().st_mode):
        raise NotADirectoryError(f"{into.name}/ 是符号链接或不是文件夹，为安全起见不使用")
    target, n = into / path.name, 1
    while os.path.lexists(target) or os.path.lexists(_reason(target)):
        n += 1
        target = into / f"{path.stem}.{n}{path.suffix}"
    os.rename(path, target)  # same folder tree: never follows a link at the target
    return target


def _reason(target: Path) -> Path:
    return target.parent / f"{target.name}.原因.txt"


def _write_reason(path: Path, text: str) -> None:
    """A new file, never through a link (O_EXCL | O_NOFOLLOW): a link planted there is an error."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o640)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
