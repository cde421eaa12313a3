"""Helpers for bundle tests (core/bundle/container.py): keys, a small bundle, its layout,
and hostile rewrites signed again with the sender's key (what only a holder of the key — or a
buggy writer — could make: the checks after the signature must catch it)."""
from __future__ import annotations

import hashlib
import re
import struct
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

import pytest

from weicha_desktop.core.bundle import container as C
from tests.support import fixed_clock

DEVICE = ("device", "dev-0001")
SERVER = ("server", "srv-0001")
U32 = struct.Struct(">I")


@dataclass(frozen=True)
class Keys:
    device: Ed25519PrivateKey
    server_sign: Ed25519PrivateKey
    server_enc: X25519PrivateKey


@lru_cache(maxsize=1)
def keys() -> Keys:
    return Keys(Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate(), X25519PrivateKey.generate())


def write(dst: Path, entries, *, kind: str = "ops", chunk_size: int = 256, extra=None, clock=None,
          expires_at="2027-01-01T00:00:00+00:00", **kw) -> C.Header:
    k = keys()
    ops = kind == "ops"
    return C.write_container(
        dst, kind=kind, sender=DEVICE if ops else SERVER, recipient=SERVER if ops else DEVICE,
        signer=k.device if ops else k.server_sign, encrypt_to=k.server_enc.public_key() if ops else None,
        manifest_extra=extra if extra is not None else ({"device_id": DEVICE[1]} if ops else {}),
        entries=entries, expires_at=expires_at, clock=clock or fixed_clock(), chunk_size=chunk_size, **kw)


def sender_keys(header: C.Header):
    k = keys()
    return {DEVICE: k.device.public_key(), SERVER: k.server_sign.public_key()}.get(header.sender)


def open_(src: Path, staging: Path, **kw) -> C.Opened:
    kw.setdefault("sender_key", sender_keys)
    kw.setdefault("decrypt_with", keys().server_enc)
    kw.setdefault("clock", fixed_clock())
    return C.open_container(src, staging_dir=staging, **kw)


@dataclass
class Layout:
    header: tuple[int, int]  # (start, end) of the header JSON
    frames: list[tuple[int, int]]  # (start of the length, end of the bytes)
    trailer: int  # offset of b"SIG1"


def layout(data: bytes) -> Layout:
    n = U32.unpack_from(data, 5)[0]
    pos, frames = 9 + n, []
    while data[pos:pos + 4] != C.TRAILER:
        size = U32.unpack_from(data, pos)[0]
        frames.append((pos, pos + 4 + size))
        pos += 4 + size
    return Layout((9, 9 + n), frames, pos)


def signed(body: bytes, signer: Ed25519PrivateKey | None = None) -> bytes:
    """``body`` (every byte before the trailer) with a valid trailer."""
    return body + C.TRAILER + (signer or keys().device).sign(hashlib.sha256(body).digest())


def reframe(data: bytes, order: list[int], signer: Ed25519PrivateKey | None = None) -> bytes:
    """The bundle with its frames in ``order`` (indexes into the old frames), signed again."""
    lay = layout(data)
    body = data[:lay.header[1]] + b"".join(data[s:e] for s, e in (lay.frames[i] for i in order))
    return signed(body, signer)


def plain_bundle(header_raw: bytes, plaintext: bytes, chunk: int, signer: Ed25519PrivateKey) -> bytes:
    """A signed-only bundle of ``plaintext`` under ``header_raw`` (any content, signed)."""
    body = C.MAGIC + U32.pack(len(header_raw)) + header_raw
    for i in range(0, max(len(plaintext), 1), chunk):
        part = plaintext[i:i + chunk]
        body += U32.pack(len(part)) + part
    return signed(body, signer)


def stream(manifest: dict, *contents: bytes) -> bytes:
    m = C.canonical(manifest)
    return U32.pack(len(m)) + m + b"".join(contents)


def entry_list(*pairs: tuple[str, bytes]) -> list[dict]:
    return [{"path": p, "size": len(b), "sha256": hashlib.sha256(b).hexdigest()} for p, b in pairs]


# ---- a laptop enrolled with a (test) server: the server's keys are keys().server_* -----------
SERVER_ID = "srv-0001"
SERVER_CLOCK = fixed_clock()  # one for every file "the server" writes: each written a second after the last


def server_keys_b64() -> dict[str, str]:
    from weicha_desktop.core.bundle.keys import public_b64

    k = keys()
    return {"signing_public": public_b64(k.server_sign), "encryption_public": public_b64(k.server_enc.public_key())}


def enroll_offline_config(store, *, bundle_keys: bool = True):
    """The laptop's SyncConfig, enrolled with SERVER_ID (no network), its keys pinned."""
    from weicha_desktop.core.sync.enrollment import Enrollment, SyncConfig

    config = SyncConfig.of(store)
    config.save(Enrollment(server_url="http://127.0.0.1:9", server_id=SERVER_ID, device_id=store.meta("device_id"),
                           unit_code=store.meta("unit_code"), cert_pem=None, fingerprint=None,
                           enrolled_at=store.clock.iso(),
                           extra={"bundle_keys": server_keys_b64()} if bundle_keys else {}), token="t")
    return config


def device_public(store):
    from weicha_desktop.core.checkpoint import Anchor

    return (store.anchor or Anchor.default()).private_key(create=False).public_key()


def server_file(dst: Path, kind: str, device_id: str, entries: dict, extra: dict, *,
                sender_id: str = SERVER_ID, signer=None, recipient=None, expires_at=None, clock=None,
                laptop=None) -> Path:
    """A receipt / reference / enrollment as the server writes one: JSON entries, signed; a
    reference or enrollment encrypted to ``laptop``'s (a Store's) bundle key."""
    import json as _json

    from weicha_desktop.core.bundle.laptop_key import bundle_key

    to = bundle_key(laptop, create=True).public_key() if kind in C.ENCRYPTED_KINDS else None
    C.write_container(dst, kind=kind, sender=("server", sender_id), recipient=recipient or ("device", device_id),
                      signer=signer or keys().server_sign, encrypt_to=to, manifest_extra=extra,
                      entries=[C.Entry.of_bytes(p, _json.dumps(v, ensure_ascii=False).encode()) for p, v in entries.items()],
                      expires_at=expires_at, clock=clock or SERVER_CLOCK)
    return dst


def receipt(dst: Path, to: str, bundle_id: str, through: int, *, clock=None, **kw) -> Path:
    """A receipt (kind receipt) to device ``to`` as weicha_server/bundles.py writes it; ``kw``:
    receipt.json fields."""
    body = {"bundle_id": bundle_id, "device_id": to, "bundle_seq": 1, "server_id": SERVER_ID,
            "through_seq": through, "anchored": None, "rejected": [], "waiting": [], "blobs_held": [],
            "applied": 0, "skipped": 0, **kw}
    return server_file(dst, "receipt", to, {"receipt.json": body},
                       {"receipt_for": bundle_id, "device_id": to, "server_id": SERVER_ID,
                        "through_seq": body["through_seq"]}, clock=clock)


@pytest.fixture
def any_entry_names(monkeypatch):
    """For the container's generic tests, which name their entries freely: every kind may hold
    any path (format.ENTRY_PATHS, checked by the unpacker, is tested in
    test_issue12_security_paths.py)."""
    from weicha_desktop.core.bundle import unpack

    monkeypatch.setattr(unpack, "ENTRY_PATHS", {kind: re.compile(r".+", re.S) for kind in C.KINDS})
