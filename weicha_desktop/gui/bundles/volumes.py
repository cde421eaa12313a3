"""Which mounted volumes are removable drives (U 盘): a pure choice over plain ``Volume``
values, so tests hand in fake volumes; ``mounted_volumes()`` reads the real ones
(QStorageInfo). Qt cannot tell a removable drive itself; the rule is where it is mounted:

- Linux / BSD: under /media, /run/media or /mnt (where desktops and fstab put sticks);
- macOS: under /Volumes;
- Windows: a drive letter that is not the system drive (%SystemDrive%, usually C:).

Not ready (no medium), pseudo file systems and network shares are left out.

    drives = removable(mounted_volumes())      # the program
    drives = removable([Volume("/media/u/KINGSTON", "KINGSTON")])   # a test"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import Callable, Iterable

POSIX_PREFIXES = ("/media/", "/run/media/", "/mnt/", "/Volumes/")
PSEUDO = frozenset({"tmpfs", "devtmpfs", "proc", "sysfs", "overlay", "squashfs", "autofs", "devfs"})
REMOTE = ("nfs", "cifs", "smb", "fuse.sshfs", "9p", "afs")  # a network share mounted under /mnt is no stick


@dataclass(frozen=True)
class Volume:
    root: str  # where it is mounted ("/media/u/KINGSTON", "E:/")
    name: str = ""  # its label
    free: int = -1  # bytes a user may write, -1: unknown
    read_only: bool = False
    ready: bool = True
    fs_type: str = ""

    def title(self) -> str:
        return self.name or self.root


DriveLister = Callable[[], list[Volume]]


def removable(volumes: Iterable[Volume], *, windows: bool | None = None,
              system_drive: str | None = None) -> list[Volume]:
    """The removable drives among ``volumes`` (see the module doc), sorted by where they are."""
    windows = sys.platform == "win32" if windows is None else windows
    system = (system_drive or os.environ.get("SystemDrive") or "C:")[:1].upper()
    chosen = {}
    for v in volumes:
        kind = v.fs_type.lower()
        if not v.ready or kind in PSEUDO or kind.startswith(REMOTE) or not v.root:
            continue
        root = v.root.replace("\\", "/")
        if windows:
            ok = len(root) >= 2 and root[1] == ":" and root[0].isalpha() and root[0].upper() != system \
                and root[2:] in ("", "/")
        else:
            ok = any(root.startswith(p) and len(root) > len(p) for p in POSIX_PREFIXES)
        if ok:
            chosen.setdefault(v.root, v)
    return sorted(chosen.values(), key=lambda v: v.root)


def mounted_volumes() -> list[Volume]:
    """The volumes mounted now (QStorageInfo: a few system calls, no disk access)."""
    from PySide6.QtCore import QStorageInfo

    return [Volume(s.rootPath(), s.displayName() if s.displayName() != s.rootPath() else s.name(),
                   s.bytesAvailable(), s.isReadOnly(), s.isReady() and s.isValid(),
                   bytes(s.fileSystemType().data()).decode("utf-8", "replace"))
            for s in QStorageInfo.mountedVolumes()]


def removable_drives() -> list[Volume]:
    """The program's ``DriveLister``: the removable drives mounted now."""
    return removable(mounted_volumes())
