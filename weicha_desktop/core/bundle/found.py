"""What the server left on a stick for this laptop: its receipts (.wcr) and reference bundles
(.wcref), found by name in a folder and one level of sub-folders, each judged by its header
and manifest alone (``peek_manifest``: NOT verified — the import verifies; this only chooses
what to offer). Used by the window when a drive is inserted (gui/bundles/watch.py).

    scan_folder(root, device_id) -> [Found]     receipts to this device, references to any
                                                laptop or this one, oldest first
    receipt_taken(store, receipt_id) -> bool    a ``bundle.receipt`` entry names it already

Bounded: at most ``MAX_DIRS`` folders and ``MAX_FILES`` candidate files are looked at, and a
file is read only as far as its manifest (the first frame)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from weicha_desktop.core.bundle.container import BundleError, peek_manifest

SUFFIXES = {".wcr": "receipt", ".wcref": "reference"}
MAX_DIRS = 64
MAX_FILES = 200


@dataclass(frozen=True)
class Found:
    path: Path
    kind: str  # receipt | reference
    bundle_id: str
    sender_id: str  # the server that signed it (claimed)
    created_at: str
    version: int | None = None  # reference: the server's change counter
    receipt_for: str | None = None  # receipt: the ops bundle it answers


def scan_folder(root: str | os.PathLike, device_id: str, key: Any = None) -> list[Found]:
    """Receipts to ``device_id`` and reference bundles to any laptop (or it) under ``root``
    (the folder and its sub-folders, one level). Unreadable folders and files are passed by;
    reference bundles are encrypted to this laptop: read with ``key`` (its bundle key), one
    that does not open is not this laptop's."""
    candidates: list[Path] = []
    folders = [Path(root)]
    for depth in range(2):
        below: list[Path] = []
        for folder in folders[:MAX_DIRS]:
            try:
                with os.scandir(folder) as it:
                    for e in it:
                        if e.name.startswith("."):
                            continue  # hidden: a writer's part file, the system's own
                        if e.is_file(follow_symlinks=False) and Path(e.name).suffix.lower() in SUFFIXES:
                            candidates.append(Path(e.path))
                        elif depth == 0 and e.is_dir(follow_symlinks=False):
                            below.append(Path(e.path))
            except OSError:
                continue
        folders = sorted(below)
    found = [f for f in (_judge(p, device_id, key) for p in sorted(candidates)[:MAX_FILES]) if f is not None]
    return sorted(found, key=lambda f: (f.created_at, f.path.name))


def _judge(path: Path, device_id: str, key: Any) -> Found | None:
    kind = SUFFIXES[path.suffix.lower()]
    try:
        header, manifest = peek_manifest(path, decrypt_with=key)
    except (BundleError, OSError):
        return None
    if header.kind != kind or header.sender[0] != "server":
        return None
    if kind == "receipt":
        if header.recipient != ("device", device_id):
            return None
        return Found(path, kind, header.bundle_id, header.sender[1], header.created_at,
                     receipt_for=_text(manifest.get("receipt_for")))
    if header.recipient not in (("device", "*"), ("device", device_id)):
        return None
    version = manifest.get("version")
    return Found(path, kind, header.bundle_id, header.sender[1], header.created_at,
                 version=version if isinstance(version, int) and not isinstance(version, bool) else None)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


# refusals that come only once the signature held: the bundle id they name is the server's (a
# refusal before it — bad_signature, truncated, unknown_sender… — names the id the file CLAIMS:
# a forged file naming the genuine receipt's id must not make it look taken)
VERIFIED_REFUSALS = ("wrong_recipient", "expired", "manifest_mismatch", "bad_path", "size_mismatch",
                     "hash_mismatch", "older")


def receipt_taken(store: Any, receipt_id: str) -> bool:
    """A receipt with this bundle id was taken on this folder before, or refused for what it
    is after its signature held (VERIFIED_REFUSALS; a stick that could not be read or a file
    whose signature failed does not count)."""
    marks = ",".join("?" * len(VERIFIED_REFUSALS))
    return store.conn.execute(
        "SELECT 1 FROM audit_log WHERE object_kind = 'bundle' AND object_id = ? AND (action = 'bundle.receipt' "
        f"OR (action = 'bundle.refused' AND json_extract(details, '$.code') IN ({marks}))) LIMIT 1",
        (receipt_id, *VERIFIED_REFUSALS)).fetchone() is not None
