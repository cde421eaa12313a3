"""The bundle format's pieces shared by writing and reading (container.py is the API):
constants, errors, the header, entries, paths, keys."""
from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import re
import shutil
import struct
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO, Callable, Sequence

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from weicha_desktop.core.errors import WeichaError

MAGIC = b"WCB\x00\x01"
TRAILER = b"SIG1"
SIG_LEN = 64
TAG_LEN = 16
FORMAT, FORMAT_VERSION = "weicha-bundle", 2  # 2: AES-256-GCM (1, ChaCha20-Poly1305, never shipped)
ALG = "X25519-HKDF-SHA256-AES256GCM"
CHUNK_SIZE = 1 << 20
MIN_CHUNK, MAX_CHUNK = 64, 16 << 20
MAX_HEADER = 64 * 1024
MAX_MANIFEST = 16 << 20
MAX_ENTRIES = 100_000  # files in one bundle (a staging folder of a million empty files is an attack)
KINDS = {"ops": ".wcb", "receipt": ".wcr", "reference": ".wcref", "enroll-request": ".wcq",
         "enrollment": ".wce"}
KIND_NAMES = {"ops": "数据包", "receipt": "回执", "reference": "基础数据包", "enroll-request": "注册申请",
              "enrollment": "注册文件"}
ENCRYPTED_KINDS = frozenset({"ops", "reference", "enrollment"})  # each to its recipient's X25519 key
MAX_PATH_PARTS = 8  # folders in an entry's path: a forged manifest must not make thousands before its verdict
_TABLES = "code_tables|forms|users|watch_lists"  # the reference tables (core/sync/pull.py REFERENCE)
ENTRY_PATHS = {  # what each kind may hold, checked before anything is created (unpack.py)
    "ops": re.compile(r"(ops\.jsonl|audit\.jsonl|bundle\.json|blobs/[0-9a-f]{64})"),
    "receipt": re.compile(r"receipt\.json"),
    "reference": re.compile(rf"({_TABLES})\.json"),
    "enroll-request": re.compile(r"request\.json"),
    "enrollment": re.compile(rf"(enrollment|{_TABLES})\.json"),
}
PARTY_KINDS = ("device", "server")
CODES = ("truncated", "bad_magic", "bad_header", "bad_signature", "unknown_sender", "wrong_recipient",
         "decrypt_failed", "frame_order", "manifest_mismatch", "bad_path", "size_mismatch",
         "hash_mismatch", "expired", "trailing_bytes", "cancelled", "io_error",
         "older")  # older: a reference bundle older than the one held (core/bundle/refimport.py)
_U32 = struct.Struct(">I")  # frame and manifest lengths
_RETRY = "请让对方重新导出一份，用新的文件再试。"

Progress = Callable[[int, int], None]  # (bytes done, bytes in all)


class BundleError(WeichaError):
    """A bundle refused (or a write that failed); ``code`` is one of ``CODES``."""

    def __init__(self, code: str, message_zh: str):
        super().__init__(message_zh)
        self.code, self.message_zh = code, message_zh


@dataclass(frozen=True)
class Entry:
    """One file in a bundle: ``open()`` gives its bytes (read once, in pieces)."""
    path: str
    size: int
    sha256: str
    open: Callable[[], BinaryIO]

    @classmethod
    def of_bytes(cls, path: str, data: bytes) -> "Entry":
        return cls(path, len(data), hashlib.sha256(data).hexdigest(), lambda: io.BytesIO(data))

    @classmethod
    def of_file(cls, path: str, file: Path, *, sha256: str | None = None) -> "Entry":
        """``file`` as entry ``path``; its hash is computed (streamed) unless given."""
        if sha256 is None:
            h = hashlib.sha256()
            with open(file, "rb") as f:
                for block in iter(lambda: f.read(CHUNK_SIZE), b""):
                    h.update(block)
            sha256 = h.hexdigest()
        return cls(path, file.stat().st_size, sha256, lambda: open(file, "rb"))


@dataclass(frozen=True)
class Header:
    kind: str
    bundle_id: str
    sender: tuple[str, str]
    recipient: tuple[str, str]
    created_at: str
    expires_at: str | None
    chunk_size: int
    encryption: dict[str, str] | None
    raw: bytes = field(repr=False)

    @property
    def data(self) -> dict[str, Any]:
        return json.loads(self.raw)


@dataclass
class Opened:
    """A verified bundle, its entries staged in ``directory`` (removed by ``cleanup`` or
    leaving the ``with`` block)."""
    header: Header
    manifest: dict[str, Any]
    directory: Path

    def entry_path(self, path: str) -> Path:
        if not any(e["path"] == path for e in self.manifest["entries"]):
            raise KeyError(path)
        return self.directory.joinpath(*path.split("/"))

    def cleanup(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self) -> "Opened":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.cleanup()


KICK = 16 << 20  # bytes: the disk is asked to start writing what was written this long ago


class _Kick:
    """Starts the disk writing a file's bytes while the rest is made (Linux: posix_fadvise
    DONTNEED begins writeback of the dirty pages without waiting for it), so a later fsync
    waits for the last few MB, not the whole file, and the disk (a USB stick) works from the
    first frame on instead of idling until the end. Elsewhere a no-op."""

    def __init__(self, out: BinaryIO):
        self.fd = out.fileno()
        self.done = self.written = 0
        self.on = KICK > 0 and hasattr(os, "posix_fadvise") and hasattr(os, "POSIX_FADV_DONTNEED")

    def wrote(self, n: int) -> None:
        self.written += n
        if self.on and self.written - self.done >= 2 * KICK:
            end = self.written - KICK
            try:
                os.posix_fadvise(self.fd, self.done, end - self.done, os.POSIX_FADV_DONTNEED)
            except OSError:
                self.on = False
            self.done = end


def canonical(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      allow_nan=False).encode("utf-8")


def utc_iso(value: datetime) -> str:
    return value.astimezone(timezone.utc).replace(microsecond=0).isoformat()


def fingerprint(key: Ed25519PublicKey | X25519PublicKey | bytes) -> str:
    """A key's fingerprint for a person to compare: SHA-256 of the raw public key as
    ``AB:CD:…`` (as the server's ``weicha-server keys`` and a certificate's are shown)."""
    raw = key if isinstance(key, bytes) else key.public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    h = hashlib.sha256(raw).hexdigest().upper()
    return ":".join(h[i:i + 2] for i in range(0, 64, 2))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: Any, n: int) -> bytes:
    if not isinstance(text, str):
        raise ValueError
    data = base64.b64decode(text.encode("ascii"), validate=True)
    if len(data) != n:
        raise ValueError
    return data


def _key(shared: bytes, salt: bytes, bundle_id: str) -> AESGCM:
    """The bundle's AEAD: AES-256-GCM (a fresh key per bundle: a new ephemeral key and salt),
    ~3x the speed of ChaCha20-Poly1305 where the CPU has AES-NI (docs/performance.md)."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt,
                info=b"weicha-bundle v2 " + bundle_id.encode("utf-8"))
    return AESGCM(hkdf.derive(shared))


def _nonce(prefix: bytes, index: int, final: bool) -> bytes:
    return prefix + _U32.pack(index) + (b"\x01" if final else b"\x00")


_RESERVED = frozenset({"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
                       *(f"LPT{i}" for i in range(1, 10))})


def _windows_reserved(part: str) -> bool:
    """A name Windows will not make as given (CON, NUL.txt, COM1…; a trailing dot or space)."""
    return part.endswith((".", " ")) or part.split(".")[0].rstrip(" ").upper() in _RESERVED


def check_entry_paths(paths: Sequence[Any]) -> None:
    """Relative ``/``-separated paths, no ``..``/``.``/empty part, no backslash, no drive or
    colon, no control characters, unique (also ignoring case) and none inside another."""
    seen: set[str] = set()
    for p in paths:
        if not isinstance(p, str) or not p or len(p.encode("utf-8")) > 1024:
            raise BundleError("bad_path", f"数据包中的文件名“{str(p)[:60]}”无效。{_RETRY}")
        parts = p.split("/")
        if (p.startswith("/") or "\\" in p or ":" in p or any(ord(c) < 32 for c in p)
                or any(part in ("", ".", "..") or _windows_reserved(part) for part in parts)
                or len(parts) > MAX_PATH_PARTS):
            raise BundleError("bad_path", f"数据包中的文件名“{p[:60]}”不安全（绝对路径、“..”、反斜杠、空段、Windows 保留名或层级过深），"
                                          f"已拒收，未导入任何内容。{_RETRY}")
        folded = p.casefold()
        if folded in seen:
            raise BundleError("bad_path", f"数据包中的文件名“{p[:60]}”出现了两次，已拒收，未导入任何内容。{_RETRY}")
        seen.add(folded)
    for p in seen:
        for parent in PurePosixPath(p).parents:
            if str(parent) in seen:
                raise BundleError("bad_path", f"数据包中的“{parent}”既是文件又是文件夹，已拒收。{_RETRY}")


def _parse_header(raw: bytes) -> Header:
    bad = "数据包的文件头无效（文件已损坏，或不是微察数据包）。" + _RETRY
    try:
        h = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise BundleError("bad_header", bad) from None
    if not isinstance(h, dict) or h.get("format") != FORMAT:
        raise BundleError("bad_header", bad)
    version = h.get("format_version")
    if isinstance(version, int) and not isinstance(version, bool) and 0 < version < FORMAT_VERSION:
        raise BundleError("bad_header", f"数据包是旧的格式第 {version} 版（测试版程序写出的），本程序不再读取。"
                                        "请在升级后的程序上重新导出一份。")
    if version != FORMAT_VERSION:
        raise BundleError("bad_header", f"数据包的格式版本 {str(h.get('format_version'))[:10]} 本程序不认识"
                                        "（可能来自更新的版本）。请升级程序后再导入。")
    if canonical(h) != raw:
        raise BundleError("bad_header", bad)
    try:
        kind, parties = h["kind"], [h["sender"], h["recipient"]]
        if kind not in KINDS or set(h) != {"format", "format_version", "kind", "bundle_id", "sender",
                                           "recipient", "created_at", "expires_at", "chunk_size", "encryption"}:
            raise ValueError
        for p in parties:
            if (not isinstance(p, dict) or set(p) != {"kind", "id"} or p["kind"] not in PARTY_KINDS
                    or not isinstance(p["id"], str) or not p["id"]):
                raise ValueError
        if not isinstance(h["bundle_id"], str) or not 1 <= len(h["bundle_id"]) <= 64:
            raise ValueError
        _aware(h["created_at"])
        if h["expires_at"] is not None:
            _aware(h["expires_at"])
        elif kind == "ops":  # an ops bundle always expires (30 days): a lost stick's is not good forever
            raise ValueError
        size = h["chunk_size"]
        if isinstance(size, bool) or not isinstance(size, int) or not MIN_CHUNK <= size <= MAX_CHUNK:
            raise ValueError
        enc = h["encryption"]
        if (enc is not None) != (kind in ENCRYPTED_KINDS):
            raise ValueError
        if enc is not None:
            if not isinstance(enc, dict) or set(enc) != {"alg", "ephemeral_public", "salt", "nonce_prefix"} \
                    or enc["alg"] != ALG:
                raise ValueError
            _unb64(enc["ephemeral_public"], 32), _unb64(enc["salt"], 16), _unb64(enc["nonce_prefix"], 7)
    except (KeyError, TypeError, ValueError):
        raise BundleError("bad_header", bad) from None
    return Header(kind, h["bundle_id"], (h["sender"]["kind"], h["sender"]["id"]),
                  (h["recipient"]["kind"], h["recipient"]["id"]), h["created_at"], h["expires_at"],
                  size, enc, raw)


def _aware(text: Any) -> datetime:
    if not isinstance(text, str):
        raise ValueError
    t = datetime.fromisoformat(text)
    if t.tzinfo is None:
        raise ValueError
    return t

