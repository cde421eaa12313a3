"""core/fileio.py: the one atomic writer, folder fsync and OSError wording the program shares."""
import errno
import os
import stat

import pytest

from weicha_desktop.core import fileio


def test_write_atomic_whole_with_the_mode_from_the_start_and_no_part_left(tmp_path, monkeypatch):
    target = tmp_path / "key.pem"
    modes = []
    real_write = os.write

    def watching(fd, data):  # the mode the bytes land in, not one set afterwards
        modes.append(stat.S_IMODE(os.fstat(fd).st_mode))
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", watching)
    fileio.write_atomic(target, b"secret", mode=0o600, exclusive=True)
    monkeypatch.undo()
    assert target.read_bytes() == b"secret" and modes
    if os.name == "posix":  # Windows files have no owner-only mode bits (the profile's ACL)
        assert set(modes) == {0o600 & ~_umask()}
    with pytest.raises(FileExistsError):
        fileio.write_atomic(target, b"another", mode=0o600, exclusive=True)
    assert target.read_bytes() == b"secret"
    fileio.write_atomic(target, b"replaced")
    assert target.read_bytes() == b"replaced"
    assert [p.name for p in tmp_path.iterdir()] == ["key.pem"]


def test_a_failing_write_leaves_the_old_file_and_no_part(tmp_path, monkeypatch):
    target = tmp_path / "cp.json"
    target.write_bytes(b"old")
    monkeypatch.setattr(os, "fsync", lambda fd: (_ for _ in ()).throw(OSError(errno.EIO, "I/O error")))
    with pytest.raises(OSError):
        fileio.write_atomic(target, b"new")
    monkeypatch.undo()
    assert target.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["cp.json"]


def test_fsync_dir_is_best_effort(tmp_path):
    fileio.fsync_dir(tmp_path)
    fileio.fsync_dir(tmp_path / "gone")  # no error: a rename is durable where it can be made so


def test_os_errors_in_chinese_with_the_systems_words_only_for_the_unknown():
    assert fileio.os_error_message(OSError(errno.ENOSPC, "No space left on device")) == "磁盘空间不足"
    assert "没有写入权限" in fileio.os_error_message(PermissionError(errno.EACCES, "Permission denied"))
    assert fileio.os_error_message(PermissionError(errno.EACCES, "x"), reading=True) == "没有读取权限"
    odd = fileio.os_error_message(OSError(errno.ECHILD, "No child processes"))
    assert odd == "系统错误（No child processes）"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
