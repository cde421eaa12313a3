"""`weicha verify` on files that are not a sound database, and what it must never do: write.
In this process (run_cli: the same cli.main; an exception it lets out fails the test, as a
traceback would) except where another program holds the folder (a forked program of its
own: tests/forked_programs.py)."""
import os
import shutil
import sqlite3

import pytest

from weicha_desktop.core.store import SCHEMA_VERSION

from tests.support import new_store, run_cli
from tests.forked_programs import weicha
from tests.test_migrations import _old_database
from tests.verify_support import check


def _snapshot(folder):
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.iterdir() if p.is_file()}


@pytest.fixture
def data(tmp_path):
    new_store(tmp_path / "data").close()
    return tmp_path / "data"


def _random(db):
    db.write_bytes(os.urandom(20_000))


def _truncated(db):
    db.write_bytes(db.read_bytes()[:5000])


def _pages_cut(db):
    data = db.read_bytes()
    db.write_bytes(data[:len(data) // 4096 // 2 * 4096])


def _text(db):
    db.write_text("这不是数据库，而是一段文字。\n" * 50, "utf-8")


def _folder(db):
    db.unlink()
    db.mkdir()


def _foreign(db):
    db.unlink()
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE contacts (name TEXT)")
    conn.commit()
    conn.close()


def _empty(db):
    db.write_bytes(b"")


@pytest.mark.parametrize("spoil", [_random, _truncated, _pages_cut, _text, _folder, _foreign, _empty])
def test_a_broken_or_foreign_database_gets_a_clear_message_and_nothing_is_written(data, spoil):
    db = data / "weicha.db"
    spoil(db)
    before = _snapshot(data)
    r = run_cli(data, "verify")
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert "Traceback" not in r.stderr and "weicha restore" in r.stderr, r.stderr
    assert any(word in r.stderr for word in ("损坏", "不是", "不完整")), r.stderr
    assert _snapshot(data) == before
    assert not (data / "weicha.db-wal").exists() and not (data / "weicha.db-shm").exists()


def test_verify_of_a_closed_folder_creates_no_wal_or_shm(data):
    before = _snapshot(data)
    assert "weicha.db-wal" not in before
    r = run_cli(data, "verify")
    assert r.returncode == 0, r.stderr
    assert _snapshot(data) == before


def test_verify_while_the_program_holds_the_folder_reads_its_latest_commits(data):
    from weicha_desktop.core.store import SYSTEM, Store

    with Store.open(data) as store:
        store.log_read(SYSTEM, "case.export", "case", None, "核查")
        db = (data / "weicha.db").read_bytes()
        r = weicha("--data-dir", str(data), "verify")  # another process (forked, pre-imported)
        # system.init, the checkpoint's data.anchor, and the commit only in the -wal so far
        assert r.wait(60) == 0 and "工作日志 3 条" in r.stdout(), r.output()
        assert (data / "weicha.db").read_bytes() == db


def test_an_original_no_row_names_is_a_notice_and_is_kept(data):
    orphan = data / "blobs" / "ab" / ("ab" + "0" * 62)
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"left by a crash")
    report = check(data)
    assert report.ok and any("没有照片记录指向" in n and "未被删除" in n for n in report.notices)
    r = run_cli(data, "verify")
    assert r.returncode == 0 and "ab00000000000000" in r.stdout
    assert orphan.read_bytes() == b"left by a crash"


def test_a_missing_folder_or_database_is_said_plainly(tmp_path):
    r = run_cli(tmp_path / "nowhere", "verify")
    assert r.returncode == 1 and "不存在" in r.stderr and "Traceback" not in r.stderr
    (tmp_path / "empty").mkdir()
    r = run_cli(tmp_path / "empty", "verify")
    assert r.returncode == 1 and "没有数据库" in r.stderr
    assert list((tmp_path / "empty").iterdir()) == []
    assert not (tmp_path / "nowhere").exists()
    shutil.rmtree(tmp_path / "empty")


@pytest.mark.parametrize("version", range(1, SCHEMA_VERSION))
def test_a_folder_of_every_earlier_schema_verifies_without_an_upgrade(tmp_path, version):
    (tmp_path / "d").mkdir()
    _old_database(tmp_path / "d" / "weicha.db", version)
    report = check(tmp_path / "d")
    # the made-up old case has no log entries of its own: that, and nothing else, is named
    assert all("K4507020000002026010001" in f for f in report.faults), report.faults
    assert report.ok == (version < 2)
