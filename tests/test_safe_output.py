"""No `-o` can destroy the data folder or leave half a file (core/safe_output.py).

The helper on its own, then every command that writes where the user says — `weicha report`,
`weicha evidence labels`, `weicha screenshot` — through the real command line (cli.main, in
this process so that a full disk or a read-only folder can be simulated)."""
from __future__ import annotations

import errno
import os
import sqlite3
import stat
from pathlib import Path

import pytest
from reportlab.pdfbase import pdfdoc

from weicha_desktop import cli
from weicha_desktop.core import safe_output
from weicha_desktop.core.cases import CaseService
from weicha_desktop.core.demo import scene_values
from weicha_desktop.core.forms import FormRegistry
from weicha_desktop.core.safe_output import OutputError, atomic_output, check_output, write_output
from weicha_desktop.core.users import UserService
from weicha_desktop.resources import forms_dir

from tests.support import PASSWORD, new_store


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(safe_output.PART))


# ---- the helper --------------------------------------------------------------------------------
def test_writes_whole_file_with_a_plain_mode_and_leaves_no_temp(tmp_path):
    out = tmp_path / "a.bin"
    assert write_output(out, b"x" * 100_000) == out.resolve()
    assert out.read_bytes() == b"x" * 100_000 and leftovers(tmp_path) == []
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~umask  # not mkstemp's 0600
    out.chmod(0o640)
    write_output(out, b"new")  # replacing keeps the file's mode
    assert out.read_bytes() == b"new" and stat.S_IMODE(out.stat().st_mode) == 0o640


def test_stale_parts_a_killed_write_left_go_at_the_next_write_of_that_name(tmp_path):
    """A kill -9 mid-write leaves ``.NAME.<hex>.part``; the next write of NAME into that
    folder removes it once it is stale (10 minutes old and, on POSIX, not held by a write
    in progress). Fresh or held parts, other names' parts and the user's files stay."""
    import time

    from weicha_desktop.core import fileio

    def part(name: str, age: float) -> Path:
        path = tmp_path / name
        path.write_bytes(b"half")
        old = time.time() - age
        os.utime(path, (old, old))
        return path

    hour = 3600
    stale = part(".报告.pdf.0badc0de.part", hour)
    fresh = part(".报告.pdf.1badc0de.part", 60)
    held = part(".报告.pdf.2badc0de.part", hour)
    other = part(".其他.pdf.3badc0de.part", hour)
    mine = part(".报告.pdf.我的笔记.part", hour)  # not the pattern: the user's own file
    fd = os.open(held, os.O_RDONLY)
    try:
        if os.name == "posix":  # a write in progress holds its part (fileio.part_beside)
            import fcntl
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        write_output(tmp_path / "报告.pdf", b"whole")
    finally:
        os.close(fd)
    assert (tmp_path / "报告.pdf").read_bytes() == b"whole"
    assert not stale.exists()
    assert fresh.exists() and other.exists() and mine.exists()
    assert held.exists() == (os.name == "posix")
    assert fileio.sweep_stale_parts(tmp_path / "其他.pdf") == [other]


@pytest.fixture
def data_dir(tmp_path) -> Path:
    """A folder that looks like a data folder: the database and a blobs/ folder."""
    d = tmp_path / "data"
    (d / "blobs").mkdir(parents=True)
    (d / "weicha.db").write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    (d / "weicha.db-wal").write_bytes(b"wal")
    return d


def inside_targets(d: Path, tmp_path: Path) -> list[Path]:
    (tmp_path / "link-to-db").symlink_to(d / "weicha.db")
    (tmp_path / "link-to-data").symlink_to(d, target_is_directory=True)
    return [d / "weicha.db", d / "weicha.db-wal", d / "weicha.db-shm", d, d / "x.pdf",
            d / "blobs" / "x.pdf", d / "blobs" / ".." / "weicha.db", tmp_path / "elsewhere" / ".." / "data" / "r.pdf",
            tmp_path / "link-to-db", tmp_path / "link-to-data" / "weicha.db", tmp_path / "link-to-data" / "r.pdf"]


@pytest.mark.parametrize("told", [True, False], ids=["data_dir given", "found by its database"])
def test_every_way_into_the_data_folder_is_refused(data_dir, tmp_path, told):
    before = {p.name: p.read_bytes() for p in data_dir.iterdir() if p.is_file()}
    for target in inside_targets(data_dir, tmp_path):
        with pytest.raises(OutputError, match="数据文件夹") as refused:
            write_output(target, b"%PDF-", data_dir=data_dir if told else None)
        assert str(target) in str(refused.value)
    assert {p.name: p.read_bytes() for p in data_dir.iterdir() if p.is_file()} == before
    assert leftovers(data_dir) == [] and leftovers(data_dir / "blobs") == []


def test_the_database_names_and_a_hard_link_to_the_database_are_refused(data_dir, tmp_path):
    for name in ("weicha.db-wal", "WeiCha.DB"):  # case-blind file systems too
        with pytest.raises(OutputError, match="留给勘验数据库"):
            write_output(tmp_path / name, b"x")
    os.link(data_dir / "weicha.db", tmp_path / "copy.pdf")
    with pytest.raises(OutputError, match="硬链接"):
        write_output(tmp_path / "copy.pdf", b"x", data_dir=data_dir)
    assert (data_dir / "weicha.db").read_bytes().startswith(b"SQLite format 3")


def test_the_programs_own_cache_folder_may_be_written(data_dir):
    cache = data_dir / "cache" / "reports"
    cache.mkdir(parents=True)
    write_output(cache / "preview.pdf", b"%PDF-", data_dir=data_dir)
    assert (cache / "preview.pdf").read_bytes() == b"%PDF-"
    with pytest.raises(OutputError, match="数据文件夹"):
        write_output(cache / ".." / ".." / "weicha.db", b"x")


@pytest.mark.parametrize("target, message", [
    ("/dev/null", "不是普通文件"), ("/dev/full", "不是普通文件"), ("{tmp}", "是一个文件夹"),
    ("{tmp}/no-such/r.pdf", "不存在"), ("{tmp}/a-file/r.pdf", "不是文件夹"), ("", "没有给出"),
    ("{tmp}/out/", "文件夹的写法"), ("{tmp}/" + "长" * 200 + ".pdf", "文件名太长")])
def test_targets_that_cannot_take_a_file(tmp_path, target, message):
    (tmp_path / "a-file").write_text("x")
    path = target.format(tmp=tmp_path)
    with pytest.raises(OutputError, match=message):
        check_output(path)
    with pytest.raises(OutputError, match=message):
        write_output(path, b"data")
    assert not (tmp_path / "no-such").exists() and leftovers(tmp_path) == []


def full_disk_after(n: int):
    """An os.write that takes ``n`` bytes, then fails as a full disk does."""
    room = [n]

    def write(fd, data):
        if room[0] <= 0:
            raise OSError(errno.ENOSPC, "No space left on device")
        done = os.write(fd, bytes(data[:room[0]]))
        room[0] -= done
        return done
    return write


def test_windows_device_names_are_devices_there_only():
    assert all(safe_output.windows_device(n, "nt") for n in ("NUL", "con.pdf", "Com1.png", "lpt9"))
    assert not any(safe_output.windows_device(n, "nt") for n in ("null.pdf", "com10", "报告.pdf"))
    assert not safe_output.windows_device("nul.pdf", "posix")


def test_a_full_disk_leaves_the_old_file_and_no_part(tmp_path):
    out = tmp_path / "r.pdf"
    out.write_bytes(b"the old report")
    with pytest.raises(OutputError) as failed:
        write_output(out, b"y" * 1_000_000, write=full_disk_after(4096))
    assert "磁盘空间不足" in str(failed.value) and "原有文件未被改动" in str(failed.value)
    assert out.read_bytes() == b"the old report" and leftovers(tmp_path) == []


def test_a_full_disk_at_fsync_and_a_failing_writer_leave_nothing(tmp_path, monkeypatch):
    def no_room(fd):
        raise OSError(errno.ENOSPC, "No space left on device")
    with monkeypatch.context() as m:
        m.setattr(os, "fsync", no_room)
        with pytest.raises(OutputError, match="磁盘空间不足"):
            write_output(tmp_path / "r.pdf", b"z" * 10_000)
    with pytest.raises(ValueError, match="boom"):  # not an OS error: passes through, cleaned
        with atomic_output(tmp_path / "r.pdf") as tmp:
            tmp.write_bytes(b"half")
            raise ValueError("boom")
    assert list(tmp_path.iterdir()) == []


def read_only(monkeypatch, folder: Path) -> None:
    """Make ``folder`` refuse new files: its mode, and (for root, whom modes do not stop) the
    system call answering as a read-only folder does."""
    folder.chmod(0o555)
    real_open = os.open

    def guarded(path, flags, *args, **kwargs):
        if flags & os.O_CREAT and Path(path).parent == folder:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)
    monkeypatch.setattr(os, "open", guarded)


def test_a_read_only_folder(tmp_path, monkeypatch):
    folder = tmp_path / "ro"
    folder.mkdir()
    read_only(monkeypatch, folder)
    try:
        with pytest.raises(OutputError, match="没有写入权限"):
            write_output(folder / "r.pdf", b"x")
    finally:
        folder.chmod(0o755)
    assert list(folder.iterdir()) == []


def test_a_long_chinese_name_near_the_limit_is_written(tmp_path):
    out = tmp_path / ("𠀀" * 60 + ".pdf")  # 244 bytes: the temporary name must stay shorter
    write_output(out, b"x")
    assert out.read_bytes() == b"x" and leftovers(tmp_path) == []


def test_a_symlinked_target_replaces_the_file_it_points_to(tmp_path):
    real = tmp_path / "real.pdf"
    real.write_bytes(b"old")
    (tmp_path / "link.pdf").symlink_to(real)
    write_output(tmp_path / "link.pdf", b"new")
    assert (tmp_path / "link.pdf").is_symlink() and real.read_bytes() == b"new"


# ---- through the command line ------------------------------------------------------------------
@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> tuple[Path, str]:
    """A data folder with one case that has numbered evidence (for labels)."""
    d = tmp_path_factory.mktemp("safe") / "data"
    store = new_store(d)
    admin = UserService(store).authenticate("admin", PASSWORD)
    cases = CaseService(store, FormRegistry(forms_dir()), admin)
    number = cases.new_case({"evidence": scene_values(1)["evidence"]}).number
    store.close()
    return d, number


COMMANDS = {
    "report": lambda d, n, out: ["--data-dir", str(d), "--user", "admin", "report", n, "-o", str(out),
                                 "--parts", "note"],
    "labels": lambda d, n, out: ["--data-dir", str(d), "--user", "admin", "evidence", "labels", n,
                                 "-o", str(out)],
    "screenshot": lambda d, n, out: ["--data-dir", str(d), "screenshot", "-o", str(out),
                                     "--size", "400x300"],
}


def weicha(capsys, argv: list[str]) -> tuple[int, str]:
    code = cli.main(argv)
    return code, capsys.readouterr().err


def database_intact(d: Path, capsys) -> None:
    assert (d / "weicha.db").read_bytes()[:16] == b"SQLite format 3\x00"
    conn = sqlite3.connect(d / "weicha.db")
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT count(*) FROM cases").fetchone() == (1,)
    finally:
        conn.close()
    code, err = weicha(capsys, ["--data-dir", str(d), "verify"])
    assert code == 0, err


@pytest.mark.parametrize("command", COMMANDS)
def test_no_command_writes_into_the_data_folder(folder, command, tmp_path, capsys, monkeypatch):
    d, number = folder
    monkeypatch.setenv("WEICHA_PASSWORD", PASSWORD)
    (tmp_path / "db.pdf").symlink_to(d / "weicha.db")
    for target in (d / "weicha.db", d / "weicha.db-wal", d, d / "blobs" / ".." / "weicha.db",
                   tmp_path / "db.pdf", d / "report.pdf"):
        code, err = weicha(capsys, COMMANDS[command](d, number, target))
        assert code == 1 and "数据文件夹" in err and "Traceback" not in err, err
        database_intact(d, capsys)
    assert not (d / "report.pdf").exists() and leftovers(d) == []


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_names_its_data_folder_to_the_checks(folder, command, tmp_path, capsys, monkeypatch):
    """Finding a data folder by its database file is only the fallback: every command passes
    its own data folder, so a target in it is refused even when that lookup sees nothing."""
    d, number = folder
    monkeypatch.setenv("WEICHA_PASSWORD", PASSWORD)
    monkeypatch.setattr(safe_output, "_is_data_folder", lambda f: False)
    for target in (d / f"{command}.pdf", d / "blobs" / f"{command}.pdf"):
        code, err = weicha(capsys, COMMANDS[command](d, number, target))
        assert code == 1 and "数据文件夹" in err, err
        assert not target.exists() and leftovers(target.parent) == []
    database_intact(d, capsys)


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("case, message", [
    ("missing folder", "不存在"), ("a folder", "是一个文件夹"), ("/dev/null", "不是普通文件"),
    ("/dev/full", "不是普通文件"), ("read-only folder", "没有写入权限"), ("full disk", "磁盘空间不足"),
    ("full disk at fsync", "磁盘空间不足")])
def test_a_target_that_cannot_be_written_is_said_and_leaves_nothing(
        folder, command, case, message, tmp_path, capsys, monkeypatch):
    d, number = folder
    monkeypatch.setenv("WEICHA_PASSWORD", PASSWORD)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    target = {"missing folder": out_dir / "no-such" / "r.out", "a folder": out_dir,
              "/dev/null": Path("/dev/null"), "/dev/full": Path("/dev/full")}.get(case, out_dir / "r.out")
    if case == "read-only folder":
        read_only(monkeypatch, out_dir)
    elif case == "full disk" and command != "screenshot":  # reportlab's own file writes fail
        monkeypatch.setattr(pdfdoc, "open", half_then_full, raising=False)
    elif case.startswith("full disk"):  # the delayed allocation of a full disk: fsync fails
        monkeypatch.setattr(os, "fsync", lambda fd: (_ for _ in ()).throw(OSError(errno.ENOSPC, "full")))
    try:
        code, err = weicha(capsys, COMMANDS[command](d, number, target))
    finally:
        out_dir.chmod(0o755)
    assert code == 1 and message in err and "Traceback" not in err, err
    assert err.startswith("错误：") and str(target) in err
    assert list(out_dir.iterdir()) == []  # neither the file nor a temporary part of it
    monkeypatch.undo()
    database_intact(d, capsys)


class _HalfFile:
    """A file that takes the first 1000 bytes, then reports a full disk."""

    def __init__(self, name, mode):
        self.f = open(name, mode)

    def write(self, data):
        self.f.write(data[:1000])
        raise OSError(errno.ENOSPC, "No space left on device")

    def __getattr__(self, name):
        return getattr(self.f, name)


def half_then_full(name, mode="r", *args, **kwargs):
    return _HalfFile(name, mode) if "w" in mode else open(name, mode, *args, **kwargs)


@pytest.mark.parametrize("command", COMMANDS)
def test_a_good_target_is_written_and_replaces_the_old_file(folder, command, tmp_path, capsys, monkeypatch):
    d, number = folder
    monkeypatch.setenv("WEICHA_PASSWORD", PASSWORD)
    out = tmp_path / "out.file"
    out.write_bytes(b"old")
    code, err = weicha(capsys, COMMANDS[command](d, number, out))
    assert code == 0, err
    assert out.read_bytes()[:4] in (b"%PDF", b"\x89PNG") and leftovers(tmp_path) == []
