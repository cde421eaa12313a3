"""The file of one signed checkpoint (core/checkpoint.py), rewritten in place in two slots.

A commit moves the checkpoint, so its file is written after every commit. Written whole by a
new file and a rename (core/fileio.py) that cost ~0.1 ms of CPU and, on ext4, a flush of the
new file at each rename over the old one; written in place it costs two ``pwrite`` and one
``fsync``. Whole-or-none stays, by two fixed slots:

    the file = slot 0 + slot 1, each ``size`` bytes (a multiple of 4096), one of them holding
    the document {"checkpoint": {...}, "signature": hex} padded with spaces, the other spaces

so the file is ONE JSON document with white space around it — read by ``json.loads`` like a
file of the earlier format (the document alone, written whole by a rename), which is read as
it always was. A write puts the new document into the blank slot, fsyncs it, then blanks the
slot of the old one. Wherever a kill or a power loss cuts that, one fsynced document is whole:
a file that does not read as one document is read slot by slot (``parse``), keeping the slots
that are a document whose signature holds under its own public key, the newest (counter) of
them. A document that does not fit its slot (a longer folder path) is written as a new file,
by the rename, with slots large enough.

In place is safe only for the very file this writer wrote last: ``SlotFile.unchanged`` (under
the device's lock) compares the file at the path (device and inode: a folder mounted over the
one written holds another file of the same inode) and the whole content with what it wrote —
an edit, a copy put back, a file another program wrote (by rename, or in place within the
same clock tick) is found by its bytes, never by a time stamp. POSIX only (``os.pwrite``);
elsewhere every write is the rename.

Read (``read``) without blocking or following a link: a FIFO, a device, a folder or a link put
at the path is refused (``BadFile``) before a byte is read, as is a file over ``MAX_BYTES``."""
from __future__ import annotations

import errno
import json
import os
import stat
from pathlib import Path
from typing import Any

from weicha_desktop.core.canonical import canonical_json
from weicha_desktop.core.fileio import write_atomic

try:
    import fcntl
except ImportError:  # pragma: no cover — Windows: no writes in place
    fcntl = None

PAGE = 4096
IN_PLACE = hasattr(os, "pwrite")
MAX_BYTES = 1 << 20  # a checkpoint file is 8–16 KiB; a larger one is not read
_BLANK = b" "
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
_NOT_READ = (ValueError, RecursionError)  # RecursionError: a document nested thousands deep


class BadFile(Exception):
    """What is at the checkpoint's path is no checkpoint file to read (the message is Chinese)."""


def read(path: Path) -> bytes | None:
    """The bytes of the file at ``path``, None if there is none. Never opens what is not a
    regular file (a FIFO would block, a device never end), never follows a link, never reads
    more than MAX_BYTES: BadFile; an OSError as it comes."""
    try:
        _regular(os.lstat(path))
        fd = os.open(path, _READ_FLAGS)  # O_NONBLOCK, O_NOFOLLOW: what was put there since
    except FileNotFoundError:
        return None
    except OSError as e:
        if e.errno in (errno.ELOOP, errno.EMLINK):  # a link put there since the lstat
            raise BadFile(_LINK) from None
        raise
    try:
        _regular(os.fstat(fd))
        data = b""
        while len(data) <= MAX_BYTES:
            chunk = os.read(fd, MAX_BYTES + 1 - len(data))
            if not chunk:
                return data
            data += chunk
        raise BadFile(_TOO_BIG)
    finally:
        os.close(fd)


_LINK = "是一个符号链接，不是检查点文件"
_TOO_BIG = f"超过 {MAX_BYTES // 1024} KB，不是检查点文件"


def _regular(st: os.stat_result) -> None:
    if stat.S_ISLNK(st.st_mode):
        raise BadFile(_LINK)
    if not stat.S_ISREG(st.st_mode):
        raise BadFile("不是普通文件（是文件夹、管道或设备）")
    if st.st_size > MAX_BYTES:
        raise BadFile(_TOO_BIG)


def document(body_json: bytes, signature: str) -> bytes:
    """The file's document: the canonical body as signed and its signature (one line)."""
    return b'{"checkpoint":' + body_json + b',"signature":"' + signature.encode("ascii") + b'"}\n'


def parse(raw: bytes) -> dict[str, Any]:
    """The document of a checkpoint file: the whole file, else (a write was cut) the newest
    slot that is a document signed by its own key. Raises ValueError."""
    try:
        return json.loads(raw)
    except _NOT_READ:
        if not raw or len(raw) % (2 * PAGE):
            raise ValueError("not a checkpoint document") from None
    half = len(raw) // 2
    found = [doc for doc in (_slot(raw[:half]), _slot(raw[half:])) if doc is not None]
    if not found:
        raise ValueError("no whole slot")
    return max(found, key=lambda doc: doc["checkpoint"]["counter"])


def _slot(raw: bytes) -> dict[str, Any] | None:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        doc = json.loads(raw)
        body = doc["checkpoint"]
        if not isinstance(body["counter"], int):
            return None
        key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(body["public_key"]))
        key.verify(bytes.fromhex(doc["signature"]), canonical_json(body))
    except (*_NOT_READ, KeyError, TypeError, AttributeError, InvalidSignature):
        return None
    return doc


class SlotFile:
    """A checkpoint file this writer wrote last, kept open for the next write in place."""

    def __init__(self, fd: int, st: os.stat_result, image: bytes, at: int):
        self.fd, self.image, self.at = fd, image, at  # at: the slot in use
        self.ident = (st.st_dev, st.st_ino)  # which file: an inode is unique on its device only

    @classmethod
    def create(cls, path: Path, doc: bytes, *, sweep: bool = False) -> "SlotFile | None":
        """A new file holding ``doc`` in slot 0, written whole by a rename (fsynced, folder
        too), opened for the writes in place that follow (None where there are none)."""
        size = -(-(len(doc) * 2) // PAGE) * PAGE  # room for a longer document later
        image = doc.ljust(2 * size, _BLANK)
        write_atomic(path, image, mode=0o600, sweep=sweep)
        if not IN_PLACE:
            return None
        fd = os.open(path, os.O_RDWR)
        return cls(fd, os.fstat(fd), image, 0)

    @classmethod
    def adopt(cls, path: Path, body: dict[str, Any]) -> "SlotFile | None":
        """The file at ``path`` opened for writes in place if it is a regular, owner-only file
        in two slots as this module writes them — one slot the document of ``body`` (what
        the caller just read), the other blank; else None (the next write makes a new file)."""
        if not IN_PLACE:
            return None
        try:
            fd = os.open(path, os.O_RDWR | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            return None
        try:
            st = os.fstat(fd)
            raw = os.pread(fd, st.st_size + 1, 0)
            half = len(raw) // 2
            if (stat.S_ISREG(st.st_mode) and not st.st_mode & 0o077 and raw and len(raw) == st.st_size
                    and not len(raw) % (2 * PAGE)):
                for at in (0, 1):
                    if not raw[(1 - at) * half:(2 - at) * half].strip(_BLANK) and \
                            json.loads(raw[at * half:(at + 1) * half]).get("checkpoint") == body:
                        return cls(fd, st, raw, at)
        except (OSError, *_NOT_READ, AttributeError):
            pass
        os.close(fd)
        return None

    def unchanged(self, st: os.stat_result) -> bool:
        """The file at the path (``st``) is the one this writer wrote last, byte for byte,
        and still owner-only (else the next write makes a new file, owner-only again)."""
        return ((st.st_dev, st.st_ino) == self.ident and st.st_size == len(self.image) and not st.st_mode & 0o077
                and os.pread(self.fd, len(self.image) + 1, 0) == self.image)

    def write(self, doc: bytes) -> bool:
        """``doc`` into the blank slot, fsynced, then the old slot blanked. False (nothing
        written) when it does not fit a slot. Call only after ``unchanged`` held under the
        lock."""
        size = len(self.image) // 2
        if len(doc) > size:
            return False
        new, old = 1 - self.at, self.at
        slot = doc.ljust(size, _BLANK)
        _pwrite(self.fd, slot, new * size)
        barrier(self.fd)
        blank = _BLANK * size
        _pwrite(self.fd, blank, old * size)
        self.image = slot + blank if new == 0 else blank + slot
        self.at = new
        return True

    def close(self) -> None:
        fd, self.fd = self.fd, -1
        if fd >= 0:
            os.close(fd)

    def __del__(self) -> None:
        try:
            self.close()
        except OSError:
            pass



def _pwrite(fd: int, data: bytes, offset: int) -> None:
    """All of ``data`` at ``offset``, else OSError (a short write: a full disk, a signal). The
    caller then drops the file; the next write makes a new one (``create``)."""
    if os.pwrite(fd, data, offset) != len(data):
        raise OSError(errno.EIO, "short write")


def barrier(fd: int) -> None:
    """The slot on the disk before the other is blanked: fsync, and on macOS F_FULLFSYNC (its
    fsync leaves the data in the drive's cache, in any order); fsync where that is refused."""
    if fcntl is not None and hasattr(fcntl, "F_FULLFSYNC"):
        try:
            fcntl.fcntl(fd, fcntl.F_FULLFSYNC)
            return
        except OSError:
            pass
    os.fsync(fd)
