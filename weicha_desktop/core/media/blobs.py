"""Content-addressed store for originals: ``blobs/<sha256[:2]>/<sha256>``.

A file is copied once: streamed into a temporary file in the same folder while hashing,
fsynced, renamed to its hash (atomic on one file system), made read-only, and never written
again. Copies in progress live in a staging folder of their own batch (``blobs/.staging/<id>``),
removed when the batch ends — never another batch's; what a crash leaves is removed the next
time the data folder is opened (media/staging.py)."""
from __future__ import annotations

import hashlib
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import ContextManager

from weicha_desktop.core.fileio import fsync_dir
from weicha_desktop.core.media.staging import work_folder

CHUNK = 1 << 20


@dataclass(frozen=True)
class Staged:
    """A copy of a source file, hashed, waiting to be committed under its hash."""

    sha256: str
    size: int
    temp_path: Path


class BlobStore:
    def __init__(self, root: Path, create: bool = True):
        self.root = Path(root)
        if create:
            self.root.mkdir(parents=True, exist_ok=True)

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def has(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def staging(self) -> ContextManager[Path]:
        """``with blobs.staging() as folder``: one batch's copies in progress (same file
        system: renames are atomic), held while the batch runs, removed when it ends."""
        return work_folder(self.root / ".staging")

    def stage(self, source: Path, max_bytes: int | None = None, *, into: Path | None = None) -> Staged:
        """Copy ``source`` into a temp file in ``into`` (a staging folder) while hashing it."""
        digest = hashlib.sha256()
        size = 0
        fd, tmp = tempfile.mkstemp(dir=into or self.root, suffix=".part")
        try:
            with os.fdopen(fd, "wb") as out, open(source, "rb") as src:
                while chunk := src.read(CHUNK):
                    size += len(chunk)
                    if max_bytes is not None and size > max_bytes:
                        raise ValueError(f"file larger than {max_bytes} bytes")
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
        except BaseException:
            os.unlink(tmp)
            raise
        return Staged(digest.hexdigest(), size, Path(tmp))

    def commit(self, staged: Staged) -> Path:
        """Move a staged copy to its final name (or drop it if that content is already here)."""
        final = self.path(staged.sha256)
        if final.exists():
            staged.temp_path.unlink(missing_ok=True)
            return final
        final.parent.mkdir(exist_ok=True)
        os.replace(staged.temp_path, final)
        os.chmod(final, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
        fsync_dir(final.parent)
        return final

    def discard(self, staged: Staged) -> None:
        staged.temp_path.unlink(missing_ok=True)

    def rehash(self, sha256: str) -> str | None:
        """The SHA-256 of the stored file now, or None when it is gone."""
        try:
            return file_sha256(self.path(sha256))
        except FileNotFoundError:
            return None
        except OSError as e:  # replaced by a folder, unreadable: not the original any more
            return f"unreadable: {e.strerror or e}"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


_fsync_dir = fsync_dir  # the name core/checkpoint.py imports; new code: core.fileio.fsync_dir
