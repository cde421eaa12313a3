"""The one file format of every USB bundle (docs/bundles.md): ops (.wcb), receipt (.wcr),
reference (.wcref), enroll-request (.wcq), enrollment (.wce). Pure: no Store, no Qt; the
server imports it too. Built on ``cryptography`` only.

    MAGIC · u32 BE header length · header (canonical JSON) · frames · b"SIG1" · signature
    frame = u32 BE length · bytes      signature = Ed25519 over SHA-256(every byte before SIG1)

The frames' contents, concatenated (decrypted first when the header names an encryption),
are the plaintext stream: u32 BE manifest length · manifest JSON · every entry's bytes in
manifest order. Encrypted frames: AES-256-GCM, key = HKDF-SHA256(X25519(ephemeral,
recipient), salt, info=b"weicha-bundle v2 " + bundle_id), nonce = nonce_prefix (7) ‖ u32 BE
index ‖ final flag (1 on the last frame), AAD = SHA-256(header bytes): a frame moved,
dropped, duplicated or cut does not decrypt. Every non-final frame holds exactly
``chunk_size`` plaintext bytes.

Opening reads the file once, a frame at a time (memory bounded by ``chunk_size``): each
frame hashed for the signature (on a worker thread from the second frame on) and decrypted and unpacked into a fresh
folder under ``staging_dir``, every size and hash checked; the signature is judged first at
the end, then whatever else was refused. Writing reads the file back once: encrypted frames
authenticated by the AEAD, signed-only ones hashed again. Every refusal is a
:class:`BundleError` (``code``, Chinese message) and leaves nothing staged."""
from __future__ import annotations

import base64
import hashlib
import os
import shutil
import tempfile
from datetime import datetime
from pathlib import Path
from concurrent.futures import ThreadPoolExecutor
from typing import Any, BinaryIO, Callable, Iterator, Mapping, NamedTuple, Sequence

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from weicha_desktop.core.bundle.format import (  # noqa: F401  (the API is this module's)
    _RETRY, _U32, ALG, CHUNK_SIZE, CODES, ENCRYPTED_KINDS, FORMAT, FORMAT_VERSION, KIND_NAMES, KINDS,
    MAGIC, MAX_CHUNK, MAX_ENTRIES, _Kick, MAX_HEADER, MIN_CHUNK, SIG_LEN, TAG_LEN, TRAILER, BundleError, Entry, Header,
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
    if kind == "ops" and expires_at is None:
        raise ValueError("an ops bundle must expire (expires_at)")
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
                kick = _Kick(out)

                def put(data: memoryview | bytes) -> None:  # on the worker thread: both leave the GIL
                    h.update(data)
                    out.write(data)
                    kick.wrote(len(data))

                put(MAGIC + _U32.pack(len(raw)) + raw)
                aad = hashlib.sha256(raw).digest()
                prefix = base64.b64decode(encryption["nonce_prefix"]) if encryption else b""
                tag = TAG_LEN if aead else 0
                index = 0
                # a frame is encrypted into a buffer of its own, [length | body], then hashed and
                # written by the worker while this thread reads, hashes and encrypts the next
                with _Behind(2) as behind:
                    for chunk in _chunks(manifest, entries, meter, chunk_size, total):
                        final = index == frames - 1
                        if index >= frames or (not final and len(chunk) != chunk_size):
                            raise BundleError("size_mismatch", "数据包内容的长度与清单不符，未写出。")
                        n = len(chunk) + tag
                        slot = behind.buffer(4 + n)
                        _U32.pack_into(slot, 0, n)
                        if aead:
                            aead.encrypt_into(_nonce(prefix, index, final), chunk, aad, slot[4:4 + n])
                        else:
                            slot[4:4 + n] = chunk
                        behind.submit(put, slot[:4 + n])
                        index += 1
                if index != frames:
                    raise BundleError("size_mismatch", "数据包内容的长度与清单不符，未写出。")
                digest = h.digest()
                sig = signer.sign(digest)
                out.write(TRAILER + sig)
                out.flush()
                os.fsync(out.fileno())
                _forget_cached(out.fileno())
            _read_back(tmp, dst, raw, digest, sig, signer.public_key(), aead, prefix, aad, min(chunk_size, total), meter)
            commit(tmp, dst)
    except OSError as e:
        from weicha_desktop.core.fileio import os_error_message
        raise BundleError("io_error", f"无法写出数据包 {dst}：{os_error_message(e)}。请换一个位置或检查 U 盘后再试。") from None
    return parsed


def _forget_cached(fd: int) -> None:
    """Drop the file's pages from the OS cache once they are on the drive (fsynced, so clean):
    the read-back then reads what the USB stick holds, not the copy in memory — a stick that
    loses or garbles writes is caught before the technician is told the export is done. Where
    the OS has no such call (Windows) the read-back reads what the cache gives."""
    advise = getattr(os, "posix_fadvise", None)
    if advise is not None:
        try:
            advise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        except OSError:
            pass


def _read_back(tmp: Path, dst: Path, raw: bytes, digest: bytes, sig: bytes, public: Ed25519PublicKey,
               aead: Any, prefix: bytes, aad: bytes, largest: int, meter: "_Meter") -> None:
    """The file just written, read back whole: its structure, header, signature and every
    frame. Encrypted, each frame is authenticated by the AEAD under the bundle key only this
    writer holds (bound to its index, the final flag and the header): the bytes written, so
    the signed digest is the file's without hashing it again. Signed-only: hashed again.
    ``largest``: the most plaintext a frame of it holds (a longer one is not what was written)."""
    try:
        if aead is None:
            got = _scan(tmp, lambda _h: public, None, meter)
            same = got.digest == digest
        else:
            scratch = memoryview(bytearray(largest))

            def check(i: int, body: memoryview, final: bool) -> None:
                n = len(body) - TAG_LEN
                if not 0 <= n <= largest:
                    raise InvalidTag
                aead.decrypt_into(_nonce(prefix, i, final), body, aad, scratch[:n])

            got = _scan(tmp, lambda _h: public, check, meter, verify=False)
            same = got.sig == sig
            public.verify(sig, digest)
        same = same and got.header.raw == raw
    except (InvalidTag, InvalidSignature):
        same = False
    except BundleError as e:  # cut, garbled, signature: this writer's failure, said as such
        if e.code == "cancelled":
            raise
        same = False
    if not same:
        raise BundleError("bad_signature", f"写出的数据包 {dst.name} 读回后与写入的内容不同："
                                           "U 盘或磁盘可能有故障，请换一个位置再导出。")


def _chunks(manifest: bytes, entries: Sequence[Entry], meter: "_Meter", size: int,
            total: int) -> Iterator[memoryview]:
    """The plaintext stream (``total`` bytes, as declared) in pieces of ``size`` (the last
    shorter), read straight into one buffer (``readinto``: no copy per piece); each yielded
    view is valid until the next. Every entry's size and SHA-256 checked as it is read. The
    buffer holds no more than the stream and the one byte past it that shows an entry longer
    than declared (a small bundle does not zero a chunk's megabytes)."""
    buf = memoryview(bytearray(min(size, total + 1)))
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


class _Behind:
    """Work done in order on one worker thread (hashing, writing: both leave the GIL) while
    the caller goes on, on ``slots`` buffers taken in turn: ``buffer(need)`` hands out the
    next one (at least ``need`` bytes: made, or made larger, when first needed — a bundle of
    a few kilobytes does not zero a megabyte chunk's buffers) once the work on it is done,
    ``submit`` queues work on it. The first failure stops the rest and is raised by the next
    ``buffer()`` or on leaving the block (which waits for all of it). The first piece of work
    is done at once, in the caller's thread: the worker starts with the second (a bundle of
    one frame — a receipt, most exports — starts no thread; ~0.3 ms each)."""

    def __init__(self, slots: int):
        self.bufs: list[memoryview | None] = [None] * slots
        self.pending: list[Any] = [None] * slots
        self.n = 0
        self.error: BaseException | None = None
        self.pool: ThreadPoolExecutor | None = None

    def buffer(self, need: int) -> memoryview:
        k = self.n % len(self.bufs)
        if self.pending[k] is not None:
            self.pending[k].result()
            self.pending[k] = None
        self._raise()
        if self.bufs[k] is None or len(self.bufs[k]) < need:
            self.bufs[k] = memoryview(bytearray(need))
        return self.bufs[k]

    def submit(self, fn: Callable[..., None], *args: Any) -> None:
        if self.n == 0:
            self._run(fn, args)
        else:
            if self.pool is None:
                self.pool = ThreadPoolExecutor(1, thread_name_prefix="bundle-io")
            self.pending[self.n % len(self.bufs)] = self.pool.submit(self._run, fn, args)
        self.n += 1

    def _run(self, fn: Callable[..., None], args: tuple) -> None:
        if self.error is None:
            try:
                fn(*args)
            except BaseException as e:  # noqa: B902 — raised again in the caller's thread
                self.error = e

    def _raise(self) -> None:
        if self.error is not None:
            raise self.error

    def __enter__(self) -> "_Behind":
        return self

    def __exit__(self, exc_type: Any, *exc: Any) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=exc_type is not None)
        if exc_type is None:
            self._raise()


# ---- reading -------------------------------------------------------------------------------

class _Scanned(NamedTuple):
    header: Header
    frames: int
    digest: bytes | None  # SHA-256 of the signed bytes (None: not hashed)
    sig: bytes


def _cut(what: str) -> BundleError:
    return BundleError("truncated", f"数据包不完整（{what}处被截断）：文件可能没有复制完，或 U 盘被提前拔出。"
                                    "请重新复制完整的文件再试。")


def _read(f: BinaryIO, n: int, what: str) -> bytes:
    data = f.read(n)
    if len(data) != n:
        raise _cut(what)
    return data


def _read_into(f: BinaryIO, view: memoryview, what: str) -> None:
    got = 0
    while got < len(view):
        n = f.readinto(view[got:])
        if not n:
            _read(f, 1, what)  # raises: truncated
        got += n


def _scan(src: Path, sender_key: Callable[[Header], Ed25519PublicKey | None],
          on_frame: Callable[[int, memoryview, bool], None] | None, meter: _Meter | None,
          verify: bool = True) -> _Scanned:
    """One pass over the whole file: structure, then the signature; ``on_frame(i, body,
    final)`` for each frame when given (``body`` a view valid during the call; ``final``:
    the trailer follows it). ``verify`` False: the frames are not hashed and the signature
    not checked (digest None). Each frame is read once, into one of two buffers: the worker
    thread hashes it while ``on_frame`` runs here."""
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
        head = _read(f, 4, "第 1 块数据")
        rest = os.fstat(f.fileno()).st_size - f.tell()  # bytes after this frame's length
        with _Behind(2) as behind:
            while head != TRAILER:
                size = _U32.unpack(head)[0]
                if not 0 < size <= limit:
                    raise BundleError("frame_order", f"数据包第 {frames + 1} 块的长度无效：文件已损坏或被改动，已拒收。{_RETRY}")
                if size > rest:  # the file ends inside it (said before a buffer of its size is made)
                    raise _cut(f"第 {frames + 1} 块数据")
                slot = behind.buffer(4 + size)
                slot[:4] = head
                _read_into(f, slot[4:4 + size], f"第 {frames + 1} 块数据")
                rest -= 4 + size
                if verify:
                    behind.submit(h.update, slot[:4 + size])
                head = _read(f, 4, f"第 {frames + 2} 块数据")
                if on_frame is not None:
                    on_frame(frames, slot[4:4 + size], head == TRAILER)
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
        return _Scanned(header, frames, None, sig)
    digest = h.digest()
    try:
        key.verify(sig, digest)
    except InvalidSignature:
        raise BundleError("bad_signature", f"{KIND_NAMES[header.kind]}的签名不符：文件在传递途中被改动或损坏，"
                                           f"或不是由它声称的发送方签发的，已拒收，未导入任何内容。{_RETRY}") from None
    return _Scanned(header, frames, digest, sig)


def verify_container(src: Path, *, sender_key: Callable[[Header], Ed25519PublicKey | None],
                     clock: Any = None, recipient: tuple[str, str] | None = None) -> Header:
    """Pass 1 only: structure, sender, signature (and recipient, expiry when given)."""
    header = _scan(Path(src), sender_key, None, None).header
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
    """Read the file once: each frame hashed (the signature) and decrypted and unpacked into
    a new folder in ``staging_dir``, every size and hash checked; returned only when all of
    it holds, the signature first — a frame that does not open is judged after it (the
    file's own fault, or tampering: ``bad_signature``), nothing staged is left. The caller
    uses ``Opened`` and then cleans it up."""
    src = Path(src)
    try:
        total = src.stat().st_size
    except OSError as e:
        from weicha_desktop.core.fileio import os_error_message
        raise BundleError("io_error", f"无法读取 {src}：{os_error_message(e, reading=True)}。") from None
    st = _Reading(sender_key, decrypt_with, clock, recipient, Path(staging_dir))
    try:
        header = _scan(src, st.start, st.frame, _Meter(progress, cancel, total)).header
        _check_use(header, clock, recipient)  # what start() found, now that the signature holds
        manifest = st.finish()
    except BaseException as e:
        st.abort()
        if isinstance(e, OSError):
            from weicha_desktop.core.fileio import os_error_message
            if e is st.error:  # the staging folder's disk
                raise BundleError("io_error", f"无法展开数据包 {src.name}：{os_error_message(e)}。"
                                              "请检查磁盘空间后再试。") from None
            raise BundleError("io_error", f"无法读取 {src}：{os_error_message(e, reading=True)}。") from None
        raise
    return Opened(header, manifest, st.directory)


class _Reading:
    """open_container's pass: the header's sender and use checked, the staging folder made,
    then each frame opened here and unpacked (hashed, written) on a second worker while the
    next is read and opened — until the first refusal, kept for after the signature (the
    frames after it are only hashed)."""

    def __init__(self, sender_key: Callable[[Header], Ed25519PublicKey | None], key: X25519PrivateKey | None,
                 clock: Any, recipient: tuple[str, str] | None, staging: Path):
        self.sender_key, self.key, self.clock, self.recipient, self.staging = sender_key, key, clock, recipient, staging
        self.error: BaseException | None = None
        self.directory: Path | None = None
        self.unpack: _Unpacker | None = None
        self.behind: _Behind | None = None
        self.stopped = False

    def start(self, header: Header) -> Ed25519PublicKey | None:
        signer = self.sender_key(header)
        if signer is None:
            return None
        try:
            _check_use(header, self.clock, self.recipient)
            self.open = _opener(header, self.key)
            self.staging.mkdir(parents=True, exist_ok=True)
            self.directory = Path(tempfile.mkdtemp(prefix=".bundle-", dir=self.staging))
            self.unpack = _Unpacker(header, self.directory)
            self.behind = _Behind(2)
        except (BundleError, OSError) as e:
            self.error = e  # raised after the signature: nothing decrypted meanwhile
        return signer

    def frame(self, i: int, body: memoryview, final: bool) -> None:
        if self.error is None and not self.stopped:
            try:
                plain = self.open(i, body, final, self.behind.buffer(len(body)))
            except BundleError as e:
                self.stopped = True
                self.behind.submit(self._fail, e)  # in stream order: an earlier frame's refusal first
            else:
                self.behind.submit(self._feed, plain)

    def _feed(self, plain: memoryview) -> None:  # on the worker, in order
        if self.error is None:
            try:
                self.unpack.feed(plain)
            except (BundleError, OSError) as e:
                self.error = e

    def _fail(self, e: BundleError) -> None:
        if self.error is None:
            self.error = e

    def finish(self) -> dict[str, Any]:
        """After the scan: the unpacking done, its verdict, the manifest."""
        if self.behind is not None:
            self.behind.__exit__(None, None, None)
        if self.error is not None:
            raise self.error
        return self.unpack.finish()

    def abort(self) -> None:
        if self.behind is not None:
            self.behind.__exit__(BundleError, None, None)
        if self.unpack is not None:
            self.unpack.abort()
        if self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)


def peek_manifest(src: Path, *, decrypt_with: X25519PrivateKey | None = None) -> tuple[Header, dict[str, Any]]:
    """The header and manifest of a bundle, NOT verified: for the self-signed kinds (an enroll
    request carries the device key that signed it, an enrollment file the server's key), whose
    reader takes the signer's key from the manifest, then opens the file with
    ``open_container`` — which verifies it — and compares the verified manifest's key. An
    encrypted one is read with ``decrypt_with`` (the manifest's first frames only)."""
    got: dict[str, Any] = {}

    class _Done(Exception):
        pass

    def keep(h: Header) -> Ed25519PublicKey:
        if h.encryption is not None and decrypt_with is None:
            raise BundleError("bad_header", f"这份{KIND_NAMES[h.kind]}是加密的，不能预读清单。")
        got["header"], got["unpack"] = h, _Unpacker(h, Path(src).parent, manifest_only=True)
        got["open"] = _opener(h, decrypt_with)
        return _NO_KEY  # never used: the scan stops at the manifest

    def frame(i: int, body: memoryview, final: bool) -> None:
        got["unpack"].feed(got["open"](i, body, final, memoryview(bytearray(len(body)))))
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
