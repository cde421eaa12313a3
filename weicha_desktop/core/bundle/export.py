"""``weicha bundle export -o FILE``: this laptop's outstanding ops, its audit entries since the
head the server anchored and the originals the ops need, in one ops bundle (.wcb) signed by
the device key and encrypted to the enrolled server's key (docs/bundles.md).

1. The target is checked first (core/safe_output.py: never inside the data folder, never the
   live database).
2. ``OutboxQueue.export_bundle`` compacts and marks the outstanding ops ``exported`` in this
   bundle (its ``sync.export`` entry): they stay in the queue until a receipt (or a network
   sync) acknowledges them, and network sync may still send them — the server applies each op
   once either way.
3. The audit entries after the anchored head (or the older head a receipt named: receipt.py),
   the ``sync.export`` entry included, as a push carries them; the originals the ops name that
   the server is not known to hold: those of
   outstanding ``photo.add`` ops, and those a finalize names whose ``photo.add`` is not
   acknowledged (an acknowledged one means the server held the original).
4. The ``bundle_seq`` is reserved in a change of its own (``bundle.reserve``, meta
   ``bundle_seq_reserved:<device>``), committed before a byte is written: an export killed
   after its file's rename but before step 5 never hands its number to the next export (two
   files of one number, the second taken by the server as "older" if it imported the first).
   A number reserved and not used (killed, cancelled, a failed write) is skipped: harmless,
   the server only asks that a new bundle's number be above the highest it imported.
5. The container is written (streamed, verified, renamed); then, in one change, its row in
   ``bundle_exports`` and the ``bundle.export`` entry. A failed or cancelled write leaves no
   file and no ``bundle.export`` (the ops stay exported: the next bundle or sync carries them).

Refusals are ``bundle.refused`` entries (``refusals_logged``: a change of its own, after the
refused work was rolled back or never begun), with the reason's ``code``: before anything is
made (the target refused by core/safe_output.py ``target_refused``, ``not_enrolled``,
``no_keys``, ``wrong_device``, ``no_device_key``) without a bundle id; a write that failed
(``io_error`` — a full stick —, a read-back that differs …) with the reserved bundle id. Not
refusals: nothing to export (None), and a cancel (the user's choice; its ``bundle.reserve``
stays). The window checks the enrollment before it starts through ``enrolled_for_export``
inside ``refusals_logged`` too, so its refusal is logged as the CLI's is."""
from __future__ import annotations

import json
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, Callable, Iterator

from weicha_desktop.core.bundle.container import Entry, write_container
from weicha_desktop.core.bundle.keys import BundlesUnavailable, device_signer, pinned
from weicha_desktop.core.bundle.laptop_key import bundle_public_b64
from weicha_desktop.core.errors import WeichaError
from weicha_desktop.core.ids import new_id
from weicha_desktop.core.media.blobs import BlobStore
from weicha_desktop.core.safe_output import OutputError, check_output
from weicha_desktop.core.store import Actor, Store
from weicha_desktop.core.sync.anchoring import anchored_head, entries_after
from weicha_desktop.core.sync.push import BOOKKEEPING, originals_of
from weicha_desktop.core.sync.queue import OutboxQueue

PROTOCOL = 1
EXPIRES = timedelta(days=30)
MAX_AUDIT = 10_000_000
AUDIT_FROM_KEY = "bundle_audit_from"  # meta: the server's anchored head when a receipt said it is behind
# the transport's own entries: an export with only these to carry carries nothing (else every
# receipt would call for one more bundle)
QUIET = BOOKKEEPING | {"bundle.export", "bundle.receipt", "bundle.refused", "bundle.reserve"}
RESERVED_KEY = "bundle_seq_reserved:"  # meta + device id: the last bundle_seq handed to an export


@dataclass
class Exported:
    path: Path
    bundle_id: str
    bundle_seq: int
    ops: int
    from_seq: int
    through_seq: int
    audit: int
    blobs: int
    blob_bytes: int
    size: int
    missing: list[str]  # originals this laptop lacks (the ops naming them wait on the server)

    def to_json(self) -> dict[str, Any]:
        return {**{k: getattr(self, k) for k in ("bundle_id", "bundle_seq", "ops", "from_seq", "through_seq",
                                                   "audit", "blobs", "blob_bytes", "size", "missing")},
                "path": str(self.path)}


class ExportRefused(WeichaError):
    """An export this laptop refuses; ``code`` says why (logged as ``bundle.refused``)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def refusal_code(error: BaseException) -> str:
    if isinstance(error, OutputError):
        return "target_refused"
    if isinstance(error, BundlesUnavailable):  # its message id: bundle.not_enrolled, bundle.no_keys
        return str(getattr(error.args[0], "id", "bundle.unavailable")).rpartition(".")[2]
    return getattr(error, "code", None) or "refused"


@contextmanager
def refusals_logged(store: Store, actor: Actor, dst: str | Path | None = None,
                    bundle_id: str | None = None) -> Iterator[None]:
    """Run the block (no change of the store open around it); a WeichaError leaving it — but a
    cancel — is logged as ``bundle.refused`` in a change of its own and raised again. A log that
    cannot be written (a read-only or full folder) does not hide the refusal itself."""
    try:
        yield
    except WeichaError as e:
        code = refusal_code(e)
        if code != "cancelled":
            name = Path(dst).name if dst else None
            try:
                with store.change(actor) as ch:
                    ch.log("bundle.refused", "bundle", bundle_id,
                           f"拒绝导出数据包{f' {name}' if name else ''}：{e}",
                           {"kind": "ops", "file": name, "code": code, "message": str(e), "bundle_id": bundle_id})
            except (WeichaError, sqlite3.Error):
                pass
        raise


def enrolled_for_export(store: Store, config: Any) -> tuple[Any, Any]:
    """(enrollment, the server's bundle keys) an export of this laptop uses, else a WeichaError:
    not enrolled, no server keys, enrolled as another device."""
    enrollment, keys = pinned(config)
    if enrollment.device_id != store.meta("device_id"):
        raise ExportRefused("wrong_device", "同步登记属于另一台设备，不能导出数据包：请重新登记本机。")
    return enrollment, keys


def last_bundle_seq(store: Store, device_id: str) -> int:
    """The device's last bundle_seq exported (``bundle_exports``, migration 18; 0: none yet)."""
    return store.conn.execute("SELECT ifnull(max(bundle_seq), 0) FROM bundle_exports WHERE device_id = ?",
                              (device_id,)).fetchone()[0]


def next_bundle_seq(store: Store, device_id: str) -> int:
    """The bundle_seq the next export takes: above every one exported or reserved."""
    reserved = store.meta(RESERVED_KEY + device_id) or ""
    return max(last_bundle_seq(store, device_id), int(reserved) if reserved.isdigit() else 0) + 1


def _reserve(store: Store, actor: Actor, device_id: str, bundle_id: str) -> int:
    """Take the next bundle_seq in a change of its own, committed before the file is written."""
    with store.change(actor) as ch:
        seq = next_bundle_seq(store, device_id)
        ch.set_meta(RESERVED_KEY + device_id, str(seq))
        ch.log("bundle.reserve", "bundle", bundle_id, f"预留第 {seq} 个数据包的序号", {"bundle_seq": seq})
    return seq


def export_ops(store: Store, actor: Actor, dst: str | Path, *, config: Any,
               progress: Callable[[int, int], None] | None = None,
               cancel: Callable[[], bool] | None = None) -> Exported | None:
    """Write the ops bundle to ``dst`` (see the module doc); None when there is nothing to
    carry (no outstanding op and no audit entry but the sync's own bookkeeping)."""
    with refusals_logged(store, actor, dst):
        target = check_output(dst, data_dir=store.data_dir)
        enrollment, keys = enrolled_for_export(store, config)
        try:
            signer = device_signer(store)
        except WeichaError as e:
            raise ExportRefused("no_device_key", str(e)) from None
    queue = OutboxQueue(store, actor)
    device_id = queue.device_id
    bundle_id = new_id()
    bundle = queue.export_bundle(bundle_id=bundle_id)
    head = anchored_head(store.conn)
    audit_from = head["seq"] if head and isinstance(head.get("seq"), int) else 0
    theirs = store.meta(AUDIT_FROM_KEY) or ""
    if theirs.isdigit():  # a receipt said the server anchored less (core/bundle/receipt.py)
        audit_from = min(audit_from, int(theirs))
    audit = entries_after(store.conn, audit_from, MAX_AUDIT)
    if bundle is None:
        if all(e["action"] in QUIET for e in audit):
            return None
        through = queue.sequence()[1]
        bundle = {"format": "weicha-ops", "format_version": 1, "bundle_id": bundle_id, "device_id": device_id,
                  "from_seq": through + 1, "through_seq": through, "created_at": store.clock.iso(), "ops": []}
    ops = bundle.pop("ops")
    blobs, missing = _originals(store, queue, ops)
    seq = _reserve(store, actor, device_id, bundle_id)
    expires = store.clock.now() + EXPIRES
    entries = [Entry.of_bytes("ops.jsonl", _jsonl(ops)), Entry.of_bytes("audit.jsonl", _jsonl(audit)),
               Entry.of_bytes("bundle.json", json.dumps(bundle, ensure_ascii=False, sort_keys=True).encode("utf-8")),
               *blobs]
    with refusals_logged(store, actor, target, bundle_id):
        header = write_container(
            target, kind="ops", sender=("device", device_id), recipient=("server", enrollment.server_id),
            signer=signer, encrypt_to=keys.encryption, bundle_id=bundle_id,
            manifest_extra={"device_id": device_id, "bundle_seq": seq, "from_seq": bundle["from_seq"],
                            "through_seq": bundle["through_seq"], "protocol": PROTOCOL,
                            "bundle_public": bundle_public_b64(store)},  # the server encrypts .wcref to it
            entries=entries, expires_at=expires, clock=store.clock, progress=progress, cancel=cancel)
    done = Exported(target, bundle_id, seq, len(ops), bundle["from_seq"], bundle["through_seq"], len(audit),
                    len(blobs), sum(e.size for e in blobs), target.stat().st_size, missing)
    with store.change(actor) as ch:
        ch.conn.execute("INSERT INTO bundle_exports (device_id, bundle_seq, bundle_id, from_seq, through_seq, ops, "
                        "blobs, size, file, exported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (device_id, seq, bundle_id, done.from_seq, done.through_seq, done.ops, done.blobs, done.size,
                         target.name, ch.now))
        ch.log("bundle.export", "bundle", bundle_id,
               f"导出数据包 {target.name}（第 {seq} 个）：{len(ops)} 项同步操作、{len(audit)} 条工作日志、"
               f"{len(blobs)} 张照片原图",
               {**{k: v for k, v in done.to_json().items() if k != "path"}, "file": target.name,
                "server_id": enrollment.server_id, "expires_at": header.expires_at})
    return done


def _jsonl(rows: list[dict[str, Any]]) -> bytes:
    return b"".join(json.dumps(r, ensure_ascii=False, sort_keys=True).encode("utf-8") + b"\n" for r in rows)


def _originals(store: Store, queue: OutboxQueue, ops: list[dict[str, Any]]) -> tuple[list[Entry], list[str]]:
    """The originals to carry (see the module doc) as entries, and those this laptop lacks."""
    adds = {sha for op in ops if op["op"] == "photo.add" for sha in originals_of(op)}
    needed = list(dict.fromkeys(sha for op in ops for sha in originals_of(op)))
    if not needed:
        return [], []
    held = {r[0] for r in store.conn.execute(
        "SELECT json_extract(payload, '$.sha256') FROM outbox WHERE device_id = ? AND op = 'photo.add' "
        "AND state = 'acknowledged' AND json_valid(payload)", (queue.device_id,))}
    blobs = BlobStore(store.blobs_dir, create=False)
    entries, missing = [], []
    for sha in needed:
        if sha not in adds and sha in held:
            continue
        path = blobs.path(sha)
        if not path.is_file():
            missing.append(sha)
            continue
        entries.append(Entry(f"blobs/{sha}", path.stat().st_size, sha, _opener(path)))
    return entries, missing


def _opener(path: Path) -> Callable[[], Any]:
    return lambda: open(path, "rb")
