"""Findings of the hostile review of the two-slot checkpoint (core/checkpoint_file.py,
core/checkpoint.py): the file's identity is device + inode; a document nested thousands deep,
a FIFO, a folder, a link or a huge file at the checkpoint's path give a Chinese fault and a
Chinese problem, never a traceback or a hang; OS reasons in Chinese; the lock files closed
with the anchor; a short write in place is a problem and the next commit writes a new file;
macOS's F_FULLFSYNC as the slot barrier; the stale-part sweep compiles no pattern."""
import errno
import fcntl
import os
import re
import threading
import time
from pathlib import Path

import pytest

from weicha_desktop.core import checkpoint_file, fileio
from weicha_desktop.core.checkpoint import Anchor, CheckpointError
from weicha_desktop.core.checkpoint_file import PAGE, SlotFile, parse
from weicha_desktop.core.checkpoint_lock import DeviceLock
from weicha_desktop.core.store import SYSTEM

from tests.support import new_store
from tests.verify_support import check


@pytest.fixture
def store(tmp_path, monkeypatch):
    """A new folder with a key store of its own: what a test puts at a checkpoint's path is
    read by the next folders' start (Anchor.for_folder reads every checkpoint there)."""
    monkeypatch.setenv("WEICHA_CONFIG_DIR", str(tmp_path / "config"))
    store = new_store(tmp_path / "data")
    yield store
    store.close()


def _commit(store):
    store.log_read(SYSTEM, "case.export", "case", None, "核查")


def _path(store):
    return store.anchor.path(store.meta("device_id"), store.meta("folder_id"))


def _fresh(store):
    """The checkpoint as another program reads it, its signature checked."""
    device, folder = store.meta("device_id"), store.meta("folder_id")
    anchor = Anchor(store.anchor.config_dir)
    cp = anchor.read(device, folder)
    assert anchor.signature_ok(device, cp, folder)
    return cp


def _faults(store):
    report = check(store.data_dir)
    assert not report.ok
    return " ".join(report.faults)


def _other_device(st):
    return os.stat_result((st.st_mode, st.st_ino, st.st_dev + 1, st.st_nlink, st.st_uid, st.st_gid,
                           st.st_size, st.st_atime, st.st_mtime, st.st_ctime))


# ---- 1. device + inode -------------------------------------------------------------------------
def test_the_file_written_last_is_known_by_its_device_and_inode_not_the_inode_alone(tmp_path):
    path = tmp_path / "cp.json"
    slots = SlotFile.create(path, b'{"checkpoint":{}}\n')
    try:
        st = os.stat(path)
        assert slots.unchanged(st)
        # a folder mounted over the one written: a file of the same inode, size, mode, bytes
        assert not slots.unchanged(_other_device(st))
    finally:
        slots.close()


def test_the_lock_file_is_opened_again_when_the_path_is_on_another_device(tmp_path, monkeypatch):
    lock, real_stat, opened = DeviceLock(tmp_path / "d.lock"), os.stat, []
    real_open = os.open
    monkeypatch.setattr(os, "open", lambda *a, **k: opened.append(a[0]) or real_open(*a, **k))
    seen = []

    def stat(path, *a, **k):
        st = real_stat(path, *a, **k)
        if Path(path) == lock.path and not seen:
            seen.append(path)
            return _other_device(st)
        return st

    monkeypatch.setattr(os, "stat", stat)
    with lock:
        pass
    monkeypatch.undo()
    lock.close()
    assert opened.count(lock.path) == 2  # the first file's lock was not the path's


# ---- 2. nested thousands deep ------------------------------------------------------------------
def test_a_document_nested_thousands_deep_is_not_a_checkpoint_and_never_a_recursion_error(store):
    _commit(store)
    doc = _path(store).read_bytes().strip()
    for raw in (b"[" * 2 * PAGE, b"[" * 100_000, b"[" * PAGE + b"[" * PAGE):
        with pytest.raises(ValueError):
            parse(raw)
    # slot 0 nested, slot 1 the real document: the real one is read
    assert parse(b"[" * PAGE + doc.ljust(PAGE, b" "))["checkpoint"]["seq"] == _fresh(store).seq


def test_a_nested_checkpoint_file_is_a_chinese_fault_of_verify_and_a_chinese_problem_of_a_commit(store):
    _commit(store)
    _path(store).write_bytes(b"[" * 2 * PAGE)
    _commit(store)
    assert store.anchor.problem == "检查点未能写入：内容不是有效的检查点"
    assert "内容不是有效的检查点，已被改动或损坏" in _faults(store)


# ---- 3. FIFO, folder, link, huge file -----------------------------------------------------------
def _commit_within(store, seconds=5.0):
    """A commit in a thread: False if it still runs after ``seconds`` (a hang)."""
    worker = threading.Thread(target=_commit, args=(store,), daemon=True)
    worker.start()
    worker.join(seconds)
    return not worker.is_alive()


def test_a_fifo_at_the_checkpoint_path_hangs_neither_a_commit_nor_verify(store):
    _commit(store)
    path = _path(store)
    path.unlink()
    os.mkfifo(path, 0o600)
    try:
        assert _commit_within(store)
        assert store.anchor.problem == "检查点未能写入：不是普通文件（是文件夹、管道或设备）"
        assert "不是普通文件（是文件夹、管道或设备），已被改动或损坏" in _faults(store)
    finally:  # the old code blocks in a read of the FIFO: a writer that closes ends it
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
        except OSError:
            pass


@pytest.mark.parametrize("kind", ["folder", "link", "huge"])
def test_a_folder_a_link_or_a_huge_file_at_the_checkpoint_path_is_a_chinese_fault(store, kind):
    _commit(store)
    path = _path(store)
    path.unlink()
    if kind == "folder":
        path.mkdir()
        words = "不是普通文件（是文件夹、管道或设备）"
    elif kind == "link":
        target = path.with_name("elsewhere.json")
        target.write_bytes(b"{}")
        path.symlink_to(target)
        words = "是一个符号链接，不是检查点文件"
    else:
        with open(path, "wb") as f:
            f.truncate(checkpoint_file.MAX_BYTES + 2 * PAGE)  # sparse: no disk used
        words = "超过 1024 KB，不是检查点文件"
    reads = []
    real_read = os.read
    checkpoint_read = lambda fd, n: reads.append(n) or real_read(fd, n)  # noqa: E731
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(os, "read", checkpoint_read)
        _commit(store)
    assert store.anchor.problem == f"检查点未能写入：{words}"
    assert sum(reads) <= checkpoint_file.MAX_BYTES + 1  # never the whole of a huge file
    assert f"{words}，已被改动或损坏" in _faults(store)


# ---- 4. the OS's reason in Chinese --------------------------------------------------------------
def test_a_write_that_fails_gives_the_reason_in_chinese_not_the_systems_english(store, monkeypatch):
    _commit(store)

    def full(*a):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "pwrite", full)
    _commit(store)
    assert store.anchor.problem == "检查点未能写入：磁盘空间不足"


def test_a_checkpoint_that_cannot_be_read_gives_the_reason_in_chinese(store, monkeypatch):
    _commit(store)
    real_open = os.open

    def denied(path, *a, **k):
        if Path(path) == _path(store):
            raise PermissionError(errno.EACCES, "Permission denied")
        return real_open(path, *a, **k)

    monkeypatch.setattr(os, "open", denied)
    with pytest.raises(CheckpointError) as caught:
        Anchor(store.anchor.config_dir).read(store.meta("device_id"), store.meta("folder_id"))
    assert str(caught.value) == "无法读取（没有读取权限）"


# ---- 5. lock files closed ------------------------------------------------------------------------
def _open_files_in(folder: Path) -> list[str]:
    out = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith(str(folder)):
            out.append(target)
    return out


def test_closing_the_store_closes_the_checkpoint_and_its_lock_file(store):
    _commit(store)
    config, device = store.anchor.config_dir, store.meta("device_id")
    assert any(t.endswith(".lock") for t in _open_files_in(config))
    store.close()
    assert _open_files_in(config) == []
    anchor = Anchor(config)  # a closed anchor writes again: the lock opened anew
    with anchor._lock(device):
        assert any(t.endswith(".lock") for t in _open_files_in(config))
    anchor.close()
    assert _open_files_in(config) == []


# ---- 6. short writes, the barrier ---------------------------------------------------------------
def test_a_short_write_in_place_is_a_problem_the_commit_stands_and_the_next_writes_a_new_file(store):
    _commit(store)
    path = _path(store)
    ino = os.stat(path).st_ino
    real, last = os.pwrite, _fresh(store).seq
    with pytest.MonkeyPatch.context() as mp:  # half of each slot written
        mp.setattr(os, "pwrite", lambda fd, data, at: real(fd, data[:len(data) // 2], at))
        _commit(store)
    seq = store.conn.execute("SELECT max(seq) FROM audit_log").fetchone()[0]
    assert seq == last + 1  # the commit stands
    assert store.anchor.problem == "检查点未能写入：磁盘读写错误"
    _commit(store)
    assert store.anchor.problem is None
    assert os.stat(path).st_ino != ino  # a new whole file, by the rename
    cp = _fresh(store)
    assert cp.seq == seq + 1
    report = check(store.data_dir)
    assert report.ok and not report.warnings, report.faults + report.warnings


@pytest.mark.parametrize("refused", [False, True])
def test_the_slot_barrier_is_f_fullfsync_where_the_os_has_it_else_fsync(tmp_path, monkeypatch, refused):
    calls = []

    def full_fsync(fd, op, *a):
        calls.append("F_FULLFSYNC")
        if refused:
            raise OSError(errno.ENOTSUP, "not supported")
        return 0

    slots = SlotFile.create(tmp_path / "cp.json", b"{}")
    monkeypatch.setattr(fcntl, "F_FULLFSYNC", 51, raising=False)
    monkeypatch.setattr(fcntl, "fcntl", full_fsync)
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: calls.append("fsync") or real_fsync(fd))
    try:
        assert slots.write(b'{"a":1}')
    finally:
        slots.close()
    assert calls == (["F_FULLFSYNC", "fsync"] if refused else ["F_FULLFSYNC"])


# ---- the stale-part sweep ------------------------------------------------------------------------
def test_the_stale_part_sweep_compiles_no_pattern_and_takes_exactly_the_parts_of_its_target(tmp_path, monkeypatch):
    target = tmp_path / "报告.pdf"
    names = {
        ".报告.pdf.0123abcd.part": True,
        ".报告.pdf.ffffffff.part": True,
        ".报告.pdf.0123ABCD.part": False,  # upper case: not a token_hex
        ".报告.pdf.0123abc.part": False,
        ".报告.pdf.0123abcde.part": False,
        ".报告.pdf.0123abcg.part": False,
        ".报告.pdf.0123abcd.partx": False,
        "报告.pdf.0123abcd.part": False,
        ".其他.pdf.0123abcd.part": False,
        ".报告.pdf.0123abcd.tmp": False,
    }
    old = time.time() - fileio.STALE_AFTER - 60
    for name in names:
        (tmp_path / name).write_bytes(b"x")
        os.utime(tmp_path / name, (old, old))

    def no_compile(*a, **k):
        raise AssertionError("re.compile per sweep")

    monkeypatch.setattr(re, "compile", no_compile)
    removed = fileio.sweep_stale_parts(target)
    monkeypatch.undo()
    assert sorted(p.name for p in removed) == sorted(n for n, ours in names.items() if ours)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(n for n, ours in names.items() if not ours)
