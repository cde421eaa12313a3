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
the device's lock) compares the inode at the path and the whole content with what it wrote —
an edit, a copy put back, a file another program wrote (by rename, or in place within the
same clock tick) is found by its bytes, never by a time stamp. POSIX only (``os.pwrite``);
elsewhere every write is the rename."""
from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

from weicha_desktop.core.canonical import canonical_json
from weicha_desktop.core.fileio import write_atomic

PAGE = 4096
IN_PLACE = hasattr(os, "pwrite")
_BLANK = b" "


def document(body_json: bytes, signature: str) -> bytes:
    """The file's document: the canonical body as signed and its signature (one line)."""
    return b'{"checkpoint":' + body_json + b',"signature":"' + signature.encode("ascii") + b'"}\n'


def parse(raw: bytes) -> dict[str, Any]:
    """The document of a checkpoint file: the whole file, else (a write was cut) the newest
    slot that is a document signed by its own key. Raises ValueError."""
    try:
        return json.loads(raw)
    except ValueError:
        if not raw or len(raw) % (2 * PAGE):
            raise
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
    except (ValueError, KeyError, TypeError, AttributeError, InvalidSignature):
        return None
    return doc


class SlotFile:
    """A checkpoint file this writer wrote last, kept open for the next write in place."""

    def __init__(self, fd: int, ino: int, image: bytes, at: int):
        self.fd, self.ino, self.image, self.at = fd, ino, image, at  # at: the slot in use

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
        return cls(fd, os.fstat(fd).st_ino, image, 0)

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
                        return cls(fd, st.st_ino, raw, at)
        except (OSError, ValueError, AttributeError):
            pass
        os.close(fd)
        return None

    def unchanged(self, st: os.stat_result) -> bool:
        """The file at the path (``st``) is the one this writer wrote last, byte for byte,
        and still owner-only (else the next write makes a new file, owner-only again)."""
        return (st.st_ino == self.ino and st.st_size == len(self.image) and not st.st_mode & 0o077
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
        os.pwrite(self.fd, slot, new * size)
        os.fsync(self.fd)
        blank = _BLANK * size
        os.pwrite(self.fd, blank, old * size)
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

