"""The lock on one device's signed checkpoints (core/checkpoint.py), between programs and
threads, and the owner-only folder they live in."""
from __future__ import annotations

import os
import threading
import time
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover — Windows: filelock
    fcntl = None

LOCK_TIMEOUT = 10.0  # seconds to wait for another program writing this device's checkpoints


class CheckpointBusy(Exception):
    """Another program held the lock too long (the message is Chinese)."""


def private_dir(path: Path) -> None:
    """The folder, made owner-only (0700) if it is not."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if os.name == "posix" and path.stat().st_mode & 0o077:
        os.chmod(path, 0o700)


class DeviceLock:
    """The lock on one device's checkpoints, between programs and threads. On POSIX a flock
    on the lock file, kept open between commits (µs; filelock takes ~0.1 ms a commit), and
    opened again when the file was replaced or removed (a config folder wiped meanwhile);
    elsewhere filelock. Either way the same advisory lock another program takes."""

    def __init__(self, path: Path):
        self.path = path
        self._threads = threading.Lock()
        self._fd: int | None = None
        self._other = None
        if fcntl is None:
            import filelock  # Windows only (~10 ms to import)

            self._other = filelock.FileLock(str(path), timeout=LOCK_TIMEOUT)

    def __enter__(self) -> "DeviceLock":
        if not self._threads.acquire(timeout=LOCK_TIMEOUT):
            raise CheckpointBusy("本机检查点正被写入，等待超时")
        try:
            self._other.acquire() if self._other is not None else self._flock()
        except BaseException:
            self._threads.release()
            raise
        return self

    def _flock(self) -> None:
        deadline = time.monotonic() + LOCK_TIMEOUT
        while True:
            if self._fd is None:
                try:  # the folder is there and owner-only (core/checkpoint.py made it so first)
                    self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
                except FileNotFoundError:  # wiped meanwhile: made again, owner-only
                    private_dir(self.path.parent)
                    self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise CheckpointBusy("本机检查点正被另一个程序写入，等待超时") from None
                time.sleep(0.005)
                continue
            try:
                at, held = os.stat(self.path), os.fstat(self._fd)
                if (at.st_dev, at.st_ino) == (held.st_dev, held.st_ino):  # an inode: of one device
                    return
            except FileNotFoundError:
                pass
            os.close(self._fd)  # the lock of a file no longer there: take the one that is
            self._fd = None

    def __exit__(self, *exc: object) -> None:
        try:
            if self._other is not None:
                self._other.release()
            elif self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._threads.release()

    def close(self) -> None:
        """Close the kept lock file (the next use opens it again); not while another thread
        holds the lock (closing the file would drop its flock)."""
        if not self._threads.acquire(timeout=LOCK_TIMEOUT):
            return  # still in use: kept open (closed when this object goes)
        try:
            self._close_fd()
        finally:
            self._threads.release()

    def _close_fd(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)

    def __del__(self) -> None:
        try:
            self._close_fd()
        except OSError:
            pass
