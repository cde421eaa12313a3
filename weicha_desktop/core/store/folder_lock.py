"""The data folder's lock file (``weicha.lock``), held while a program has the folder open.

On POSIX it is an ``flock`` on the file, the lock filelock takes there too (so verify's
filelock and this one see each other), taken without importing filelock: ~10 ms of every
start (benchmarks/bench_startup.py). Elsewhere (Windows), and on a file system that refuses
``flock`` (some network shares), filelock itself, with its fallbacks."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # pragma: no cover — Windows: filelock
    fcntl = None  # type: ignore[assignment]


class FolderLock:
    """One program's hold on a lock file; ``acquire`` never waits."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._fd: int | None = None
        self._other: Any = None  # a filelock.FileLock where flock is not the way

    def acquire(self) -> bool:
        """Take the lock; False when another holder has it (this process's included)."""
        if fcntl is not None:
            taken = self._flock()
            if taken is not None:
                return taken
        import filelock

        lock = filelock.FileLock(str(self.path), timeout=0)
        try:
            lock.acquire()
        except filelock.Timeout:
            return False
        self._other = lock
        return True

    def _flock(self) -> bool | None:
        """True / False as ``acquire``; None when this file system has no flock."""
        for _ in range(3):
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                return False
            except OSError:  # ENOSYS, ENOLCK …: filelock knows what to do instead
                os.close(fd)
                return None
            if os.fstat(fd).st_nlink > 0:  # not a file removed while it was being locked
                self._fd = fd
                return True
            os.close(fd)
        return False

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)
        other, self._other = self._other, None
        if other is not None:
            other.release()
