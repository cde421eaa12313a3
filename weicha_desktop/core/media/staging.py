"""Work in progress inside the data folder, and what a crash leaves of it.

Four kinds of temporary files live in the data folder:

- ``blobs/.staging/<batch>/``: copies of one import (or one working copy) being hashed;
- ``cache/tmp/<job>/``: the downsampled photos of one report being laid out;
- ``cache/backup/<job>/``: the database copy of one backup (core/backup.py) — as large as
  the database; loose files there are from versions before work folders;
- ``cache/thumbs/.tmp/<sha>-320.jpg.<pid>.tmp``: a thumbnail being written.

Each work folder ``<base>/<name>/`` is held by a lock file beside it, ``<base>/<name>.lock``,
for as long as its batch runs (``work_folder``). ``clean_leftovers`` runs right after the
data folder's own lock is taken (``Store.open``): no other program can be using the folder
then, so everything temporary there is a crash's leftover and goes at once — except a work
folder whose lock is still held, i.e. a batch of this same process still running (a second
lock object on the same file is refused within one process too). It never touches an
original (``blobs/<xx>/<sha256>``), a finished thumbnail or anything else."""
from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from weicha_desktop.core.ids import new_id

STAGING = Path("blobs") / ".staging"
REPORT_WORK = Path("cache") / "tmp"
BACKUP_WORK = Path("cache") / "backup"
THUMBS_TMP = Path("cache") / "thumbs" / ".tmp"  # media/analyse.py writes thumbnails there
LOCK_SUFFIX = ".lock"


@contextmanager
def work_folder(base: Path) -> Iterator[Path]:
    """A new, empty folder under ``base``, held for this batch and removed when it ends."""
    # the data folder's kind of lock (an flock, as filelock takes on POSIX; filelock itself
    # elsewhere): ~7 µs a batch where filelock took ~0.15 ms, and no ~10 ms import
    from weicha_desktop.core.store.folder_lock import FolderLock

    base = Path(base)
    base.mkdir(parents=True, exist_ok=True)
    while True:
        name = new_id()
        lock = FolderLock(base / f"{name}{LOCK_SUFFIX}")
        if not lock.acquire():  # a sweep holding a new name's lock this instant: another name
            continue
        if (base / f"{name}{LOCK_SUFFIX}").exists():  # not swept away while being taken
            break
        lock.release()
    folder = base / name
    try:
        folder.mkdir()
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        lock.release()
        _unlink(base / f"{name}{LOCK_SUFFIX}")


def sweep(base: Path) -> int:
    """Remove the work folders under ``base`` that no running batch holds; how many."""
    base = Path(base)
    try:
        entries = list(base.iterdir())
    except OSError:
        return 0
    removed = 0
    locks = {e.name[:-len(LOCK_SUFFIX)] for e in entries if e.name.endswith(LOCK_SUFFIX)}
    for entry in entries:
        if entry.name.endswith(LOCK_SUFFIX):
            continue
        if entry.name in locks or (base / f"{entry.name}{LOCK_SUFFIX}").exists():
            continue  # taken below, with its lock (or a batch starting this instant)
        _remove(entry)  # no lock beside it: a crash's (or an older version's) leftover
        removed += 1
    if not locks:
        return removed
    from weicha_desktop.core.store.folder_lock import FolderLock  # (work_folder's lock)

    for name in locks:
        lock = FolderLock(base / f"{name}{LOCK_SUFFIX}")
        try:
            if not lock.acquire():
                continue  # a batch of this process is still running
        except OSError:
            continue
        try:
            if (base / name).exists():
                _remove(base / name)
                removed += 1
            _unlink(base / f"{name}{LOCK_SUFFIX}")
        finally:
            lock.release()
            _unlink(base / f"{name}{LOCK_SUFFIX}")  # Windows: only once released
    return removed


def clean_leftovers(data_dir: Path) -> int:
    """Everything temporary a crash left in the data folder (see the module docstring).
    Call only while holding the data folder's lock. Best effort: never raises."""
    # os.path and one scandir a folder, not pathlib and glob: this runs at every open of a
    # folder, where mostly nothing is left (~0.15 ms of pathlib for nothing)
    top = os.fspath(data_dir)
    removed = 0
    for work in (STAGING, REPORT_WORK, BACKUP_WORK):
        base = os.path.join(top, work)
        if os.path.isdir(base):  # (sweep finds nothing where there is no folder)
            removed += sweep(Path(base))
    for suffix, root in ((".part", "blobs"), (".tmp", THUMBS_TMP)):
        try:
            with os.scandir(os.path.join(top, root)) as entries:  # as Path.glob("*" + suffix): hidden ones too
                found = [e.path for e in entries if e.name.endswith(suffix) and e.is_file(follow_symlinks=False)]
        except OSError:
            continue
        for path in found:  # copies outside a batch folder (older versions), thumbnails
            _unlink(Path(path))
            removed += 1
    return removed


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        _unlink(path)


def _unlink(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass
