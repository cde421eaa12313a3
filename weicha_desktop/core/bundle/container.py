"""The one file format of every USB bundle (docs/bundles.md): ops (.wcb), receipt (.wcr),
reference (.wcref), enroll-request (.wcq), enrollment (.wce). Pure: no Store, no Qt; the
server imports it too. Built on ``cryptography`` only.

    MAGIC · u32 BE header length · header (canonical JSON) · frames · b"SIG1" · signature
    frame = u32 BE length · bytes      signature = Ed25519 over SHA-256(every byte before SIG1)

The frames' contents, concatenated (decrypted first when the header names an encryption),
are the plaintext stream: u32 BE manifest length · manifest JSON · every entry's bytes in
manifest order. Encrypted frames: ChaCha20-Poly1305, key = HKDF-SHA256(X25519(ephemeral,
recipient), salt, info=b"weicha-bundle v1 " + bundle_id), nonce = nonce_prefix (7) ‖ u32 BE
index ‖ final flag (1 on the last frame), AAD = SHA-256(header bytes): a frame moved,
dropped, duplicated or cut does not decrypt. Every non-final frame holds exactly
``chunk_size`` plaintext bytes.

Reading is two passes over the file, a frame at a time (memory bounded by ``chunk_size``):
pass 1 checks the structure and the signature; pass 2 decrypts into a fresh folder under
``staging_dir`` checking every size and hash and that the file did not change since pass 1
(signed-only: hashed again; encrypted: every frame authenticated under the signer's key).
Every refusal is a :class:`BundleError` (``code``, Chinese message) and leaves nothing staged."""
from __future__ import annotations

import base64
import hashlib
import os
import shutil
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterator, Mapping, Sequence

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from weicha_desktop.core.bundle.format import (  # noqa: F401  (the API is this module's)
    _RETRY, _U32, ALG, CHUNK_SIZE, CODES, ENCRYPTED_KINDS, FORMAT, FORMAT_VERSION, KIND_NAMES, KINDS,
    MAGIC, MAX_CHUNK, MAX_ENTRIES, MAX_HEADER, MIN_CHUNK, SIG_LEN, TAG_LEN, TRAILER, BundleError, Entry, Header,
    Opened, Progress, _aware, _b64, _key, _nonce, _parse_header, canonical, check_entry_paths, fingerprint,
    utc_iso)
from weicha_desktop.core.bundle.unpack import _opener, _Unpacker
from weicha_desktop.core.fileio import commit, part_beside

# ---- writing -------------------------------------------------------------------------------

def write_container(dst: Path, *, kind: str, sender: tuple[str, str], recipient: tuple[str, str],
                    signer: Ed25519PrivateKey, encrypt_to: X25519PublicKey | None,
                    manifest_extra: Mapping[str, Any], entries: Sequence[Entry],
                    expires_at: datetime | str | None, clock: Any, progress: Progress | None = None,
                    cancel: Callable[[], bool] | None = None, bundle_id: str | None = None,
                    chunk_size: int = CHUNK_SIZE) -> Header:
    """Write the bundle to ``dst`` whole or not at all: streamed into a part file beside it,
    fsynced, read back and verified (structure, signature, the digest written), renamed."""
    if kind not in KINDS:
        raise ValueError(f"unknown bundle kind {kind!r}")
    if (kind in ENCRYPTED_KINDS) != (encrypt_to is not None):
        raise ValueError(f"kind {kind!r}: encrypt_to {'required' if kind in ENCRYPTED_KINDS else 'not allowed'}")
    if not MIN_CHUNK <= chunk_size <= MAX_CHUNK:
        raise ValueError("chunk_size out of range")
    if {"bundle_id", "entries"} & set(manifest_extra):
        raise ValueError("manifest_extra may not set bundle_id or entries")
    check_entry_paths([e.path for e in entries])
    if len(entries) > MAX_ENTRIES:
        raise ValueError(f"more than {MAX_ENTRIES} entries")
    if bundle_id is None:
        from weicha_desktop.core.ids import new_id
        bundle_id = new_id()
    created = utc_iso(clock.now())
    expires = utc_iso(expires_at) if isinstance(expires_at, datetime) else expires_at
    encryption, aead = None, None
    if encrypt_to is not None:
        ephemeral = X25519PrivateKey.generate()
        salt, prefix = os.urandom(16), os.urandom(7)
        aead = _key(ephemeral.exchange(encrypt_to), salt, bundle_id)
        encryption = {"alg": ALG, "salt": _b64(salt), "nonce_prefix": _b64(prefix),
                      "ephemeral_public": _b64(ephemeral.public_key().public_bytes(
                          serialization.Encoding.Raw, serialization.PublicFormat.Raw))}
    header = {"format": FORMAT, "format_version": FORMAT_VERSION, "kind": kind, "bundle_id": bundle_id,
              "sender": {"kind": sender[0], "id": sender[1]},
              "recipient": {"kind": recipient[0], "id": recipient[1]},
              "created_at": created, "expires_at": expires, "chunk_size": chunk_size,
              "encryption": encryption}
    raw = canonical(header)
    parsed = _parse_header(raw)  # the writer cannot make what the reader refuses
    manifest = canonical({**manifest_extra, "bundle_id": bundle_id,
                          "entries": [{"path": e.path, "size": e.size, "sha256": e.sha256} for e in entries]})
    total = 4 + len(manifest) + sum(e.size for e in entries)
    frames = max(1, -(-total // chunk_size))
    file_size = len(MAGIC) + 4 + len(raw) + frames * 4 + total + (frames * TAG_LEN if aead else 0) \
        + len(TRAILER) + SIG_LEN
    meter = _Meter(progress, cancel, total + file_size)
    dst = Path(dst)
    try:
        with part_beside(dst) as tmp:
            with open(tmp, "wb") as out:
                h = hashlib.sha256()

                def put(data: bytes) -> None:
                    out.write(data)
                    h.update(data)

                put(MAGIC + _U32.pack(len(raw)) + raw)
                aad = hashlib.sha256(raw).digest()
                prefix = base64.b64decode(encryption["nonce_prefix"]) if encryption else b""
                index = 0
                for chunk in _chunks(manifest, entries, meter, chunk_size):
                    final = index == frames - 1
                    if index >= frames or (not final and len(chunk) != chunk_size):
                        raise BundleError("size_mismatch", "数据包内容的长度与清单不符，未写出。")
                    body = aead.encrypt(_nonce(prefix, index, final), chunk, aad) if aead else chunk
                    put(_U32.pack(len(body)))
                    put(body)
                    index += 1
                if index != frames:
                    raise BundleError("size_mismatch", "数据包内容的长度与清单不符，未写出。")
                digest = h.digest()
                out.write(TRAILER + signer.sign(digest))
                out.flush()
                os.fsync(out.fileno())
            got, _, again = _scan(tmp, lambda _h: signer.public_key(), None, meter)
            if got.raw != raw or again != digest:
                raise BundleError("bad_signature", f"写出的数据包 {dst.name} 读回后与写入的内容不同："
                                                   "U 盘或磁盘可能有故障，请换一个位置再导出。")
            commit(tmp, dst)
    except OSError as e:
        from weicha_desktop.core.fileio import os_error_message
        raise BundleError("io_error", f"无法写出数据包 {dst}：{os_error_message(e)}。请换一个位置或检查 U 盘后再试。") from None
    return parsed


def _chunks(manifest: bytes, entries: Sequence[Entry], meter: "_Meter", size: int) -> Iterator[memoryview]:
    """The plaintext stream in pieces of ``size`` (the last shorter), read straight into one
    buffer (``readinto``: no copy per piece); each yielded view is valid until the next. Every
    entry's size and SHA-256 checked as it is read."""
    buf = memoryview(bytearray(size))
    pos = 0
    head = memoryview(_U32.pack(len(manifest)) + manifest)
    while head:
        n = min(len(head), size - pos)
        buf[pos:pos + n] = head[:n]
        pos, head = pos + n, head[n:]
        if pos == size:
            yield buf
            pos = 0
    meter.add(4 + len(manifest))
    for e in entries:
        h, n = hashlib.sha256(), 0
        with e.open() as f:
            while True:
                got = f.readinto(buf[pos:pos + min(size - pos, e.size - n + 1)])
                if not got:
                    break
                n += got
                if n > e.size:
                    raise BundleError("size_mismatch", f"文件 {e.path} 比登记的 {e.size} 字节大，数据包未写出。"
                                                       "请运行 weicha verify 检查数据后再导出。")
                h.update(buf[pos:pos + got])
                meter.add(got)
                pos += got
                if pos == size:
                    yield buf
                    pos = 0
        if n != e.size:
            raise BundleError("size_mismatch", f"文件 {e.path} 只有 {n} 字节，比登记的 {e.size} 字节小，数据包未写出。"
                                               "请运行 weicha verify 检查数据后再导出。")
        if h.hexdigest() != e.sha256:
            raise BundleError("hash_mismatch", f"文件 {e.path} 的 SHA-256 与登记的不符（文件已损坏？），数据包未写出。"
                                               "请运行 weicha verify 检查数据后再导出。")
    if pos:
        yield buf[:pos]


class _Meter:
    def __init__(self, progress: Progress | None, cancel: Callable[[], bool] | None, total: int):
        self.progress, self.cancel, self.total, self.done = progress, cancel, total, 0

    def add(self, n: int) -> None:
        if self.cancel is not None and self.cancel():
            raise BundleError("cancelled", "已取消：没有写出或导入任何内容。")
        self.done += n
        if self.progress is not None:
            self.progress(min(self.done, self.total), self.total)


# ---- reading -------------------------------------------------------------------------------

# ---- reading -------------------------------------------------------------------------------

def _read(f: BinaryIO, n: int, what: str) -> bytes:
    data = f.read(n)
    if len(data) != n:
        raise BundleError("truncated", f"数据包不完整（{what}处被截断）：文件可能没有复制完，或 U 盘被提前拔出。"
                                       "请重新复制完整的文件再试。")
    return data


def _scan(src: Path, sender_key: Callable[[Header], Ed25519PublicKey | None],
          on_frame: Callable[[int, bytes], None] | None, meter: _Meter | None,
          verify: bool = True) -> tuple[Header, int, bytes | None]:
    """Pass over the whole file: structure, then the signature; ``on_frame(i, body)`` for each
    frame when given. (header, number of frames, SHA-256 of the signed bytes). ``verify``
    False: the frames are not hashed and the signature not checked (digest None)."""
    with open(src, "rb") as f:
        magic = f.read(len(MAGIC))
        if magic != MAGIC:
            if 0 < len(magic) < len(MAGIC) and MAGIC.startswith(magic):
                _read(f, len(MAGIC), "文件头")
            raise BundleError("bad_magic", f"{Path(src).name} 不是微察数据包（文件开头的标记不对）。"
                                           "请确认选的是 .wcb、.wcr、.wcref、.wcq 或 .wce 文件。")
        h = hashlib.sha256(magic)
        blen = _read(f, 4, "文件头")
        h.update(blen)
        n = _U32.unpack(blen)[0]
        if not 0 < n <= MAX_HEADER:
            raise BundleError("bad_header", f"数据包的文件头长度无效（文件已损坏）。{_RETRY}")
        raw = _read(f, n, "文件头")
        h.update(raw)
        header = _parse_header(raw)
        key = sender_key(header)
        if key is None:
            who = "设备" if header.sender[0] == "device" else "服务器"
            raise BundleError("unknown_sender", f"{KIND_NAMES[header.kind]}的发送方（{who} {header.sender[1]}）"
                                                "不认识或已停用，已拒收，未导入任何内容。"
                                                "请确认文件来自本单位已登记的设备或服务器。")
        limit = header.chunk_size + (TAG_LEN if header.encryption else 0)
        if meter is not None:
            meter.add(len(MAGIC) + 4 + n)
        frames = 0
        while True:
            head = _read(f, 4, f"第 {frames + 1} 块数据")
            if head == TRAILER:
                break
            size = _U32.unpack(head)[0]
            if not 0 < size <= limit:
                raise BundleError("frame_order", f"数据包第 {frames + 1} 块的长度无效：文件已损坏或被改动，已拒收。{_RETRY}")
            body = _read(f, size, f"第 {frames + 1} 块数据")
            if verify:
                h.update(head)
                h.update(body)
            if on_frame is not None:
                on_frame(frames, body)
            if meter is not None:
                meter.add(4 + size)
            frames += 1
        sig = _read(f, SIG_LEN, "签名")
        if meter is not None:
            meter.add(4 + SIG_LEN)
        if f.read(1):
            raise BundleError("trailing_bytes", f"数据包的签名之后还有多余的数据：文件被改动过或拼接了别的内容，已拒收。{_RETRY}")
    if frames == 0:
        raise BundleError("truncated", f"数据包中没有任何数据块：文件不完整。{_RETRY}")
    if not verify:
        return header, frames, None
    digest = h.digest()
    try:
        key.verify(sig, digest)
    except InvalidSignature:
        raise BundleError("bad_signature", f"{KIND_NAMES[header.kind]}的签名不符：文件在传递途中被改动或损坏，"
                                           f"或不是由它声称的发送方签发的，已拒收，未导入任何内容。{_RETRY}") from None
    return header, frames, digest


def verify_container(src: Path, *, sender_key: Callable[[Header], Ed25519PublicKey | None],
                     clock: Any = None, recipient: tuple[str, str] | None = None) -> Header:
    """Pass 1 only: structure, sender, signature (and recipient, expiry when given)."""
    header, _, _ = _scan(Path(src), sender_key, None, None)
    _check_use(header, clock, recipient)
    return header


def _check_use(header: Header, clock: Any, recipient: tuple[str, str] | None) -> None:
    what = KIND_NAMES[header.kind]
    if recipient is not None and tuple(recipient) != header.recipient:
        raise BundleError("wrong_recipient", f"这份{what}是发给{'设备' if header.recipient[0] == 'device' else '服务器'}"
                                             f" {header.recipient[1]} 的，不是发给本机的，已拒收，未导入任何内容。"
                                             "请确认选对了文件。")
    if clock is not None and header.expires_at is not None and _aware(header.expires_at) < clock.now():
        raise BundleError("expired", f"这份{what}已于 {header.expires_at} 过期，已拒收，未导入任何内容。"
                                     "请让对方重新导出一份。")


def open_container(src: Path, *, sender_key: Callable[[Header], Ed25519PublicKey | None],
                   decrypt_with: X25519PrivateKey | None, clock: Any, staging_dir: Path,
                   progress: Progress | None = None, cancel: Callable[[], bool] | None = None,
                   recipient: tuple[str, str] | None = None) -> Opened:
    """Verify (pass 1), then decrypt and unpack into a new folder in ``staging_dir`` checking
    every size and hash (pass 2); the caller uses ``Opened`` and then cleans it up."""
    src = Path(src)
    try:
        total = 2 * src.stat().st_size
    except OSError as e:
        from weicha_desktop.core.fileio import os_error_message
        raise BundleError("io_error", f"无法读取 {src}：{os_error_message(e, reading=True)}。") from None
    meter = _Meter(progress, cancel, total)
    try:
        header, frames, first = _scan(src, sender_key, None, meter)
        _check_use(header, clock, recipient)
        open_frame = _opener(header, decrypt_with, frames)
        Path(staging_dir).mkdir(parents=True, exist_ok=True)
        directory = Path(tempfile.mkdtemp(prefix=".bundle-", dir=staging_dir))
    except OSError as e:
        from weicha_desktop.core.fileio import os_error_message
        raise BundleError("io_error", f"无法读取 {src}：{os_error_message(e, reading=True)}。") from None
    unpack = _Unpacker(header, directory)
    # Pass 2 of an encrypted bundle is not hashed again: every frame must decrypt under a key
    # only the signer knew (the ephemeral private key of the header pass 1 verified), bound
    # to its index, the final flag and that header — a file changed since fails there. A
    # signed-only bundle is hashed again and must give pass 1's digest.
    rehash = header.encryption is None
    try:
        again_header, _, again = _scan(src, lambda _h: sender_key(_h) or _missing() if rehash else _NO_KEY,
                                       lambda i, body: unpack.feed(open_frame(i, body)), meter, rehash)
        if again_header.raw != header.raw or (rehash and again != first):
            raise BundleError("bad_signature", "数据包在读取过程中被改动了，已拒收。请把文件复制到本机后再导入。")
        manifest = unpack.finish()
    except BaseException as e:
        unpack.abort()
        shutil.rmtree(directory, ignore_errors=True)
        if isinstance(e, OSError):
            from weicha_desktop.core.fileio import os_error_message
            raise BundleError("io_error", f"无法展开数据包 {src.name}：{os_error_message(e)}。"
                                          "请检查磁盘空间后再试。") from None
        raise
    return Opened(header, manifest, directory)


def _missing() -> Ed25519PublicKey:
    raise BundleError("unknown_sender", "数据包的发送方在读取过程中被停用，已拒收。")


def peek_manifest(src: Path) -> tuple[Header, dict[str, Any]]:
    """The header and manifest of a signed-only bundle, NOT verified: for the self-signed kinds
    (an enroll request carries the device key that signed it, an enrollment file the server's
    key), whose reader takes the signer's key from the manifest, then opens the file with
    ``open_container`` — which verifies it — and compares the verified manifest's key."""
    got: dict[str, Any] = {}

    class _Done(Exception):
        pass

    def keep(h: Header) -> Ed25519PublicKey:
        if h.encryption is not None:
            raise BundleError("bad_header", f"这份{KIND_NAMES[h.kind]}是加密的，不能预读清单。")
        got["header"], got["unpack"] = h, _Unpacker(h, Path(src).parent, manifest_only=True)
        return _NO_KEY  # never used: the scan stops at the manifest

    def frame(i: int, body: bytes) -> None:
        got["unpack"].feed(body)
        if got["unpack"].manifest is not None:
            raise _Done

    try:
        _scan(Path(src), keep, frame, None)
    except _Done:
        return got["header"], got["unpack"].manifest
    except OSError as e:
        from weicha_desktop.core.fileio import os_error_message
        raise BundleError("io_error", f"无法读取 {src}：{os_error_message(e, reading=True)}。") from None
    raise BundleError("manifest_mismatch", f"数据包的清单不完整。{_RETRY}")


_NO_KEY = Ed25519PrivateKey.from_private_bytes(bytes(32)).public_key()
