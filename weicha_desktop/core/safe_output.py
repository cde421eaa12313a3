"""Every file the program writes where the user said (``-o``, 导出, 保存为): checked, then
written whole or not at all.

    with atomic_output(path, data_dir=store.data_dir) as tmp:   # tmp: a Path to write to
        writer(tmp)                                            # reportlab, QImage.save, …
    write_output(path, data: bytes, data_dir=…)                # the same for bytes in hand
    check_output(path, data_dir=…) -> Path                      # only the checks (fail early)

Refused, with a Chinese :class:`OutputError` (a WeichaError) and nothing written:
- a target inside the data folder — ``data_dir`` when given, and any folder that holds a
  ``weicha.db`` or ``weicha.lock`` (so a caller that forgets ``data_dir`` is still safe),
  after symlinks and ``..`` are resolved; the data folder itself; a file named ``weicha.db``
  (or ``-wal``, ``-shm``, ``-journal``, ``weicha.lock``), or a hard link to the live one.
  The one exception is the program's own scratch folder ``<data>/cache/`` (print previews);
- a folder, a device (/dev/null, /dev/full), a pipe or socket as the target;
- a folder that does not exist (it is not created: a typo must not make folders).

Writing (core/fileio.py): a new hidden file ``.<name>.<random>.part`` in the target's folder
(same disk, so the rename is atomic), flushed and fsynced, then renamed over the target and
the folder fsynced where the system allows. On any error — read-only folder, disk full,
quota, the writer failing — the temporary file is removed and the old target (if any) is
untouched. A part file a killed program left is removed by the next write of the same name
into that folder once it is stale (fileio.sweep_stale_parts: 10 minutes old and not held
by a write in progress). A symlink target is followed: the file it points to is replaced,
the link stays."""
from __future__ import annotations

import errno
import os
import stat
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from weicha_desktop.core.errors import WeichaError
from weicha_desktop.core.fileio import PART, commit, os_error_message, part_beside
from weicha_desktop.core.store.store import DB_NAME, LOCK_NAME

PROTECTED_NAMES = frozenset({DB_NAME, f"{DB_NAME}-wal", f"{DB_NAME}-shm", f"{DB_NAME}-journal",
                             LOCK_NAME, f"{LOCK_NAME}.owner"})
SCRATCH = "cache"  # <data>/cache/: the program's own temporary files (report previews)
__all__ = ["PART", "OutputError", "atomic_output", "check_output", "write_output", "windows_device"]


class OutputError(WeichaError):
    """A target refused or a write that failed; ``str()`` says why in Chinese. Nothing was
    written and no partial file is left."""


def check_output(path: str | os.PathLike, *, data_dir: str | os.PathLike | None = None) -> Path:
    """The absolute target, symlinks and ``..`` resolved, if it may be written; else
    :class:`OutputError`. Cheap: call it before long work so a bad ``-o`` fails at once."""
    given = Path(os.fspath(path)).expanduser()
    if not str(path).strip():
        raise OutputError("没有给出输出文件的路径。")
    if str(path).endswith(("/", os.sep)):  # "out/" means a folder, not a file called out
        raise OutputError(f"{path} 是文件夹的写法：请给出文件名，例如 {given / ('输出' + _suffix(given))}。")
    try:
        target = given.resolve()
    except (OSError, RuntimeError) as e:  # a symlink loop, an unreadable folder
        raise OutputError(f"无法确定输出位置 {given}：{os_error_message(e)}。请换一个位置。") from None
    _refuse_data_folder(given, target, data_dir)
    try:
        st = os.stat(target)
    except FileNotFoundError:
        st = None
    except OSError as e:
        advice = "请换一个较短的文件名" if e.errno == errno.ENAMETOOLONG else "请换一个位置"
        raise OutputError(f"无法访问 {given}：{os_error_message(e)}。{advice}。") from None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise OutputError(f"{given} 是一个文件夹：请给出文件名，例如 {given / ('输出' + _suffix(given))}。")
    if (st is not None and not stat.S_ISREG(st.st_mode)) or windows_device(target.name):
        raise OutputError(f"{given} 不是普通文件（是设备、管道或套接字），不能写入：请给出一个普通文件的路径。")
    folder = target.parent
    if not folder.exists():
        raise OutputError(f"无法写入 {given}：文件夹 {given.parent} 不存在。请先创建该文件夹，或换一个位置。")
    if not folder.is_dir():
        raise OutputError(f"无法写入 {given}：{given.parent} 不是文件夹。请换一个位置。")
    return target


@contextmanager
def atomic_output(path: str | os.PathLike, *,
                  data_dir: str | os.PathLike | None = None) -> Iterator[Path]:
    """Yield a temporary file next to the checked target; when the block ends without an
    exception, fsync it and rename it over the target. Any error: no file left behind.
    OSErrors (disk full, no permission, …) become :class:`OutputError`; others pass through."""
    target = check_output(path, data_dir=data_dir)
    shown = Path(os.fspath(path))
    try:
        with part_beside(target) as tmp:
            _keep_mode(tmp, target)
            yield tmp
            commit(tmp, target)
    except OSError as e:
        if isinstance(e, InterruptedError) and e.errno is None:  # a cancel, not EINTR
            raise
        raise OutputError(_write_failed(e, shown)) from None


def write_output(path: str | os.PathLike, data: bytes, *,
                 data_dir: str | os.PathLike | None = None,
                 write: Callable[[int, bytes], int] = os.write) -> Path:
    """Write ``data`` to ``path`` whole or not at all; returns the resolved target.
    ``write`` is the low-level write (``os.write``), replaceable in tests (disk full)."""
    target = check_output(path, data_dir=data_dir)
    with atomic_output(path, data_dir=data_dir) as tmp:
        fd = os.open(tmp, os.O_WRONLY | os.O_TRUNC | getattr(os, "O_BINARY", 0))
        try:
            view = memoryview(data)
            while view:
                view = view[write(fd, view):]
        finally:
            os.close(fd)
    return target


# ---- checks ------------------------------------------------------------------------------------
def _refuse_data_folder(given: Path, target: Path, data_dir) -> None:
    folders = [Path(data_dir).expanduser().resolve()] if data_dir is not None else []
    folders += [f for f in (target, *target.parents) if _is_data_folder(f)]
    for folder in folders:
        if target == folder or (folder in target.parents and folder / SCRATCH not in target.parents):
            where = "它就是数据文件夹" if target == folder else f"它在数据文件夹 {folder} 里"
            raise OutputError(
                f"不能写入 {given}：{where}（那里存放勘验数据库和原始照片，写入会损坏证据）。"
                "请换一个位置，例如桌面或“文档”文件夹。")
    if target.name.lower() in PROTECTED_NAMES:  # case-blind file systems (Windows, macOS)
        raise OutputError(f"文件名 {target.name} 留给勘验数据库使用，不能作为输出文件：请换一个文件名。")
    for folder in folders[:1]:
        for name in PROTECTED_NAMES:
            try:
                if os.path.samefile(target, folder / name):
                    raise OutputError(f"{given} 就是数据文件夹中的 {name}（硬链接），不能写入：请换一个位置。")
            except OSError:
                continue


_WINDOWS_DEVICES = {"con", "prn", "aux", "nul", *(f"{p}{n}" for p in ("com", "lpt") for n in range(1, 10))}


def windows_device(name: str, system: str = os.name) -> bool:
    """``NUL``, ``CON.pdf``, ``com1.txt`` …: a device on Windows whatever the extension."""
    return system == "nt" and name.split(".")[0].strip().lower() in _WINDOWS_DEVICES


def _is_data_folder(folder: Path) -> bool:
    try:
        return (folder / DB_NAME).exists() or (folder / LOCK_NAME).exists()
    except OSError:
        return False


def _suffix(path: Path) -> str:
    return path.suffix or ".pdf"


# ---- writing -----------------------------------------------------------------------------------
def _keep_mode(tmp: Path, target: Path) -> None:
    """The existing target's mode on the new file (none yet: a plain create's stays)."""
    try:
        os.chmod(tmp, stat.S_IMODE(os.stat(target).st_mode))
    except OSError:
        pass


# ---- messages ----------------------------------------------------------------------------------
_ADVICE = {errno.ENOSPC: "请腾出磁盘空间或换一个磁盘后重试", errno.EDQUOT: "请腾出空间后重试",
           errno.EIO: "请检查磁盘后重试"}


def _write_failed(e: OSError, shown: Path) -> str:
    advice = _ADVICE.get(e.errno or 0, "请换一个位置后重试")
    return f"无法写入 {shown}（{os_error_message(e)}），没有生成文件，原有文件未被改动：{advice}。"
