"""Photo originals on the server: content-addressed, behind a small interface so an object
store can replace the folder later.

    has(sha)                       is the original stored?
    open_upload(sha)               start (or keep) the partial upload of ``sha``
    append(sha, offset, data)      write ``data`` at ``offset`` (what lay past it is dropped)
    part_size(sha)                 bytes of the partial upload kept (None: none)
    finish(sha) -> bool            hash the partial upload: SHA-256 equal → stored under its
                                   address (True); else the partial upload is discarded (False)
    finish_whole(sha, data) -> bool  the whole original in one piece (one request): written to
                                   a file of its own, hashed while its fsync runs, stored as
                                   ``finish`` does; a partial upload of it is left alone
    discard(sha)                   drop a partial upload
    adopt(sha, path, digest) -> bool  a whole original already on this disk (a bundle's entry,
                                   ``digest`` its SHA-256 computed as it was written): moved in
    open(sha)                      the stored original, for reading

The database keeps each upload's size and the offset it acknowledged (``uploads``); the
bytes are here. ``append`` is durable (fsync) before the database moves the offset, so a
crash leaves at most bytes past the acknowledged offset, which the next append overwrites.
``FolderBlobStore``: ``<root>/<sha[:2]>/<sha>`` (read-only files, as on the desktop), partial
uploads in ``<root>/.uploads/<sha>.part``, a whole original's own file (``finish_whole``) in
``<root>/.uploads/<sha>.<random>.whole`` until its rename (one left by a crash is removed when
a server starts, an hour old)."""
from __future__ import annotations

import errno
import hashlib
import os
import re
import secrets
import shutil
import stat
import threading
import time
from pathlib import Path
from typing import BinaryIO, Protocol

from weicha_desktop.core.fileio import fsync_dir

SHA256_RE = re.compile(r"[0-9a-f]{64}")
READ_CHUNK = 1 << 20


class BlobStore(Protocol):
    def has(self, sha256: str) -> bool: ...
    def open_upload(self, sha256: str) -> None: ...
    def append(self, sha256: str, offset: int, data: bytes) -> int: ...
    def part_size(self, sha256: str) -> int | None: ...
    def finish(self, sha256: str) -> bool: ...
    def finish_whole(self, sha256: str, data: bytes) -> bool: ...
    def discard(self, sha256: str) -> None: ...
    def adopt(self, sha256: str, path: Path, digest: str) -> bool: ...
    def open(self, sha256: str) -> BinaryIO: ...


def valid_sha(sha256: str) -> bool:
    return bool(SHA256_RE.fullmatch(sha256))


class FolderBlobStore:
    STALE_S = 3600  # a whole original's own file older than this was left by a crash

    def __init__(self, root: Path):
        self.root = Path(root)
        self.uploads = self.root / ".uploads"
        self.uploads.mkdir(parents=True, exist_ok=True)
        stale = time.time() - self.STALE_S
        for left in self.uploads.glob("*.whole"):  # killed between its write and its rename
            try:
                if left.stat().st_mtime < stale:  # (a younger one may be another worker's, at work)
                    left.unlink()
            except FileNotFoundError:
                pass

    def path(self, sha256: str) -> Path:
        assert valid_sha(sha256), sha256  # never a path made of what a client sent unchecked
        return self.root / sha256[:2] / sha256

    def _part(self, sha256: str) -> Path:
        assert valid_sha(sha256), sha256
        return self.uploads / f"{sha256}.part"

    def has(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def open_upload(self, sha256: str) -> None:
        part = self._part(sha256)
        if not part.exists():
            part.touch()

    def part_size(self, sha256: str) -> int | None:
        try:
            return self._part(sha256).stat().st_size
        except FileNotFoundError:
            return None

    def append(self, sha256: str, offset: int, data: bytes) -> int:
        """Write ``data`` at ``offset`` and fsync; returns the new end. The file must hold at
        least ``offset`` bytes (ValueError otherwise: the caller resets to what is there)."""
        fd = os.open(self._part(sha256), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if os.fstat(fd).st_size < offset:
                raise ValueError("partial upload shorter than its offset")
            os.ftruncate(fd, offset)
            os.lseek(fd, offset, os.SEEK_SET)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        return offset + len(data)

    def finish(self, sha256: str) -> bool:
        part = self._part(sha256)
        digest = hashlib.sha256()
        with open(part, "rb") as f:
            while chunk := f.read(READ_CHUNK):
                digest.update(chunk)
        return self._keep(sha256, digest.hexdigest())

    def incoming(self, sha256: str) -> Path:
        """A new file of its own for a whole original streamed in as it arrives (the PATCH
        handler writes and hashes it chunk by chunk, then ``adopt``s it): no copy of the body
        in memory. Named like ``finish_whole``'s, so one left by a crash is removed the same."""
        assert valid_sha(sha256), sha256
        return self.uploads / f"{sha256}.{secrets.token_hex(4)}.whole"

    def finish_whole(self, sha256: str, data: bytes) -> bool:
        """An original that came whole (one request): written to a file of its own — never
        the partial upload's, which an upload of the same original in chunks may be using —,
        its SHA-256 computed from ``data`` while that file's fsync runs (both leave the GIL),
        then stored under its address (fsynced rename) if it is the address; else dropped."""
        digest: list[str] = []
        hashing = threading.Thread(target=lambda: digest.append(hashlib.sha256(data).hexdigest()))
        tmp = self.uploads / f"{sha256}.{secrets.token_hex(4)}.whole"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
                hashing.start()
                os.fsync(fd)
            finally:
                os.close(fd)
                if hashing.ident is not None:
                    hashing.join()
            return self._keep(sha256, digest[0] if digest else None, tmp)
        finally:
            tmp.unlink(missing_ok=True)

    def _keep(self, sha256: str, digest: str | None, source: Path | None = None) -> bool:
        """``source`` (default: the partial upload), its bytes durable, stored under its
        address if ``digest`` is it: renamed, the folder fsynced; else dropped."""
        part = source or self._part(sha256)
        if digest != sha256:
            part.unlink(missing_ok=True)
            return False
        target = self.path(sha256)
        target.parent.mkdir(exist_ok=True)
        os.chmod(part, stat.S_IRUSR | stat.S_IRGRP)
        os.replace(part, target)
        fsync_dir(target.parent)
        return True

    def discard(self, sha256: str) -> None:
        self._part(sha256).unlink(missing_ok=True)

    def adopt(self, sha256: str, path: Path, digest: str) -> bool:
        """Store the file at ``path`` (moved, or copied from another disk) as ``sha256``
        when ``digest`` — its SHA-256, computed by the caller from the bytes it wrote there —
        is it; else the file is dropped (False). Never through the partial upload's file (an
        upload of the same original may be under way): a name of its own, fsynced, renamed
        over the address (the same bytes, should another copy be there already)."""
        if digest != sha256:
            Path(path).unlink(missing_ok=True)
            return False
        tmp = self.uploads / f"{sha256}.{secrets.token_hex(4)}.adopt"
        target = self.path(sha256)
        try:
            try:
                os.replace(path, tmp)
            except OSError as e:
                if e.errno != errno.EXDEV:
                    raise
                shutil.copyfile(path, tmp)
            fd = os.open(tmp, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
            target.parent.mkdir(exist_ok=True)
            os.chmod(tmp, stat.S_IRUSR | stat.S_IRGRP)
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
        fsync_dir(target.parent)
        return True

    def open(self, sha256: str) -> BinaryIO:
        return open(self.path(sha256), "rb")
