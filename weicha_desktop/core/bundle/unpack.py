"""Reading a bundle's frames: each frame opened (decrypted, its place and final flag
checked) and the plaintext stream unpacked into the staging folder, every size and hash
checked (container.py is the API)."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, BinaryIO, Callable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from weicha_desktop.core.bundle.format import (
    _RETRY, _U32, ENTRY_PATHS, KIND_NAMES, MAX_ENTRIES, MAX_MANIFEST, TAG_LEN, BundleError, Header, _key, _nonce, _unb64,
    check_entry_paths)

EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


Opener = Callable[[int, memoryview, bool, memoryview], memoryview]


def _opener(header: Header, key: X25519PrivateKey | None) -> Opener:
    """``open(i, body, final, into)``: frame ``i``'s plaintext, put in ``into`` (``chunk_size``
    bytes; the view of it returned), its length, place and final flag checked."""
    what = KIND_NAMES[header.kind]

    def plain(i: int, body: memoryview, final: bool, into: memoryview | None = None) -> memoryview:
        if not final and len(body) != header.chunk_size:
            raise BundleError("frame_order", f"数据包第 {i + 1} 块的长度不对：文件已损坏或被改动，已拒收。{_RETRY}")
        if into is not None:
            into[:len(body)] = body
            return into[:len(body)]
        return body

    if header.encryption is None:
        return plain
    if key is None:
        raise BundleError("decrypt_failed", f"这份{what}是加密的，但没有可用的解密密钥，未导入任何内容。")
    enc = header.encryption
    try:
        aead = _key(key.exchange(X25519PublicKey.from_public_bytes(_unb64(enc["ephemeral_public"], 32))),
                    _unb64(enc["salt"], 16), header.bundle_id)
    except ValueError:
        raise BundleError("decrypt_failed", f"这份{what}无法解密（加密参数无效），已拒收。{_RETRY}") from None
    prefix, aad = _unb64(enc["nonce_prefix"], 7), hashlib.sha256(header.raw).digest()

    def decrypt(i: int, body: memoryview, final: bool, into: memoryview) -> memoryview:
        n = len(body) - TAG_LEN
        if 0 <= n <= len(into):
            try:
                aead.decrypt_into(_nonce(prefix, i, final), body, aad, into[:n])
            except InvalidTag:
                pass
            else:
                return plain(i, into[:n], final)
        body = bytes(body)
        moved = i == 0 and any(_opens(aead, prefix, j, f, body, aad) for j in (1, 2, 3) for f in (False, True))
        if i == 0 and not moved and not _opens(aead, prefix, i, not final, body, aad):
            raise BundleError("decrypt_failed", f"这份{what}不是加密给本机密钥的（或第 1 块已损坏），无法解密，"
                                                "未导入任何内容。请确认它是发给本机的文件，必要时让对方重新导出。")
        if final:
            reason = ("最后一块缺少结束标记：数据包在块的边界处被截断"
                      if _opens(aead, prefix, i, False, body, aad) else "最后一块已损坏或被调换")
        elif _opens(aead, prefix, i, True, body, aad):
            reason = f"结束块出现在第 {i + 1} 块，后面还拼接了别的块"
        else:
            reason = f"第 {i + 1} 块被移动、丢失、重复或损坏"
        raise BundleError("frame_order", f"数据包的数据块顺序不对（{reason}），已拒收，未导入任何内容。{_RETRY}")

    return decrypt


def _opens(aead: AESGCM, prefix: bytes, i: int, final: bool, body: bytes, aad: bytes) -> bool:
    try:
        aead.decrypt(_nonce(prefix, i, final), body, aad)
    except InvalidTag:
        return False
    return True


class _Unpacker:
    """The plaintext stream, fed a frame at a time: manifest length, manifest, entries."""

    def __init__(self, header: Header, directory: Path, *, manifest_only: bool = False):
        self.header, self.directory, self.manifest_only = header, directory, manifest_only
        self.buf = bytearray()
        self.manifest: dict[str, Any] | None = None
        self.need: int | None = None  # manifest length once known
        self.entries: list[dict[str, Any]] = []
        self.index = 0  # current entry
        self.out: BinaryIO | None = None
        self.left = 0
        self.hash: Any = None

    def feed(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            if self.manifest is None:
                want = 4 if self.need is None else self.need
                take = min(len(view), want - len(self.buf))
                self.buf += view[:take]
                view = view[take:]
                if len(self.buf) < want:
                    continue
                if self.need is None:
                    self.need = _U32.unpack(bytes(self.buf))[0]
                    self.buf = bytearray()
                    if not 2 <= self.need <= MAX_MANIFEST:
                        raise BundleError("manifest_mismatch", f"数据包的清单长度无效，已拒收。{_RETRY}")
                    continue
                self._manifest(bytes(self.buf))
                self.buf = bytearray()
                if self.manifest_only:
                    return
                continue
            if self.out is None and not self._next():
                raise BundleError("size_mismatch", "数据包中的数据比清单登记的多（有文件比登记的大），已拒收，"
                                                   f"未导入任何内容。{_RETRY}")
            take = min(len(view), self.left)
            piece = view[:take]
            self.out.write(piece)
            self.hash.update(piece)
            self.left -= take
            view = view[take:]
            if self.left == 0:
                self._close()

    def abort(self) -> None:
        if self.out is not None:
            self.out.close()
            self.out = None

    def _next(self) -> bool:
        """The next entry with bytes opened; empty ones are made only at ``finish`` (after the
        signature: a forged manifest of empty entries creates nothing before its verdict)."""
        while self.index < len(self.entries):
            e = self.entries[self.index]
            if not e["size"]:
                self.index += 1
                continue
            self.out, self.left, self.hash = open(self._place(e), "xb"), e["size"], hashlib.sha256()
            return True
        return False

    def _place(self, e: dict[str, Any]) -> Path:
        dest = self.directory.joinpath(*e["path"].split("/"))
        dest.parent.mkdir(parents=True, exist_ok=True)
        return dest

    def _close(self) -> None:
        e = self.entries[self.index]
        self.out.close()
        self.out = None
        self.index += 1
        if self.hash.hexdigest() != e["sha256"]:
            raise BundleError("hash_mismatch", f"数据包中文件 {e['path']} 的 SHA-256 与清单不符（内容被改动或损坏），"
                                               f"已拒收，未导入任何内容。{_RETRY}")

    def _manifest(self, raw: bytes) -> None:
        bad = f"数据包的清单无效或与文件头不符，已拒收，未导入任何内容。{_RETRY}"
        try:
            m = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise BundleError("manifest_mismatch", bad) from None
        if not isinstance(m, dict) or m.get("bundle_id") != self.header.bundle_id \
                or not isinstance(m.get("entries"), list) or len(m["entries"]) > MAX_ENTRIES:
            raise BundleError("manifest_mismatch", bad)
        for key, value in (("created_at", self.header.created_at), ("expires_at", self.header.expires_at)):
            if key in m and m[key] != value:
                raise BundleError("manifest_mismatch", bad)
        if self.header.kind == "ops" and m.get("device_id") != self.header.sender[1]:
            raise BundleError("manifest_mismatch", bad)
        for e in m["entries"]:
            if (not isinstance(e, dict) or set(e) != {"path", "size", "sha256"} or isinstance(e["size"], bool)
                    or not isinstance(e["size"], int) or e["size"] < 0 or not isinstance(e["sha256"], str)
                    or len(e["sha256"]) != 64):
                raise BundleError("manifest_mismatch", bad)
        check_entry_paths([e["path"] for e in m["entries"]])
        allowed = ENTRY_PATHS.get(self.header.kind)
        stray = next((e["path"] for e in m["entries"] if allowed is None or not allowed.fullmatch(e["path"])), None)
        if stray is not None:
            raise BundleError("bad_path", f"{KIND_NAMES.get(self.header.kind, '数据包')}中不应有文件“{stray[:60]}”，"
                                          f"已拒收，未导入任何内容。{_RETRY}")
        self.manifest, self.entries = m, m["entries"]

    def finish(self) -> dict[str, Any]:
        if self.manifest is None:
            raise BundleError("manifest_mismatch", f"数据包的清单不完整，已拒收，未导入任何内容。{_RETRY}")
        if self.out is None:
            self._next()  # trailing empty entries
        if self.out is not None or self.index < len(self.entries):
            e = self.entries[min(self.index, len(self.entries) - 1)]
            raise BundleError("size_mismatch", f"数据包中的文件 {e['path']} 比清单登记的 {e['size']} 字节小"
                                               f"（数据不完整），已拒收，未导入任何内容。{_RETRY}")
        for e in self.entries:  # the empty ones, now that everything else holds
            if not e["size"]:
                if e["sha256"] != EMPTY_SHA256:
                    raise BundleError("hash_mismatch", f"数据包中文件 {e['path']} 的 SHA-256 与清单不符（内容被改动或损坏），"
                                                       f"已拒收，未导入任何内容。{_RETRY}")
                open(self._place(e), "xb").close()
        return self.manifest
