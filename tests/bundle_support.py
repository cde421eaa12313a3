"""Helpers for bundle tests (core/bundle/container.py): keys, a small bundle, its layout,
and hostile rewrites signed again with the sender's key (what only a holder of the key — or a
buggy writer — could make: the checks after the signature must catch it)."""
from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

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
