"""Backups and restores (core/backup.py, core/restore.py, `weicha backup` / `weicha restore`):
one verified file, taken while the program writes, restored only whole and only into an
empty folder; plus the reminder."""
import json
import os
import shutil
import threading
import time
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from weicha_desktop.core.backup import (BadBackup, BackupCancelled, backup_state, check_archive,
                                        create_backup)
from weicha_desktop.core.cases import CaseService
from weicha_desktop.core.clock import FixedClock
from weicha_desktop.core.demo import fill_demo
from weicha_desktop.core.errors import PermissionDenied, WeichaError
from weicha_desktop.core.forms import FormRegistry
from weicha_desktop.core.media.blobs import file_sha256
from weicha_desktop.core.photos import PhotoService
from weicha_desktop.core.restore import check_backup, restore_backup
from weicha_desktop.core.store import SYSTEM, Store
from weicha_desktop.core.users import UserService
from weicha_desktop.core.verify import verify
from weicha_desktop.resources import forms_dir

from tests.forked_programs import start, weicha
from tests.media_support import make_photo
from tests.support import PASSWORD, fixed_clock, new_store, run_cli, tamper


ADMIN = {"user": "admin", "password": PASSWORD}  # who restores: the backup's administrator


def _fill(store: Store, folder: Path, photos: int = 3):
    """Finalized demo cases, and a draft of the admin's own with ``photos`` originals."""
    admin = UserService(store).authenticate("admin", PASSWORD)
    registry = FormRegistry(forms_dir())
    fill_demo(store, registry, cases=6, seed=3, admin=admin, password="demo-pass-2026")
    case = CaseService(store, registry, admin).new_case()
    folder.mkdir()
    files = [make_photo(folder / f"P{i}.jpg", seed=i) for i in range(photos)]
    PhotoService(store, admin).import_files(case.id, files, workers=1)
    return admin


@pytest.fixture(scope="module")
def filled(tmp_path_factory) -> tuple[Path, datetime]:
    """A folder as ``_fill`` leaves it (with its card, and the config folder its device key and
    checkpoint are in), made once; and the time its clock had reached (~0.2 s CPU a fill)."""
    root = tmp_path_factory.mktemp("filled")
    clock = fixed_clock()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WEICHA_CONFIG_DIR", str(root / "config"))
        with new_store(root / "data", clock=clock) as store:
            _fill(store, root / "card")
    return root, clock.now()


def filled_copy(filled, folder: Path, config: Path, monkeypatch) -> FixedClock:
    """``folder``/data and ``folder``/card as ``_fill`` leaves them: a copy of ``filled``, its
    config folder copied to ``config`` (WEICHA_CONFIG_DIR, outside ``folder``); the clock to
    open it with goes on from where the fill's stopped."""
    root, now = filled
    shutil.copytree(root / "data", folder / "data")
    shutil.copytree(root / "card", folder / "card")
    shutil.copytree(root / "config", config)
    monkeypatch.setenv("WEICHA_CONFIG_DIR", str(config))
    return fixed_clock(now)


@pytest.fixture
def env(filled, tmp_path, tmp_path_factory, monkeypatch):
    clock = filled_copy(filled, tmp_path, tmp_path_factory.mktemp("copy") / "config", monkeypatch)
    store = Store.open(tmp_path / "data", clock=clock)
    yield store, UserService(store).get("admin")
    store.close()


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """One backup file (and the folder it came from) for the restore tests."""
    root = tmp_path_factory.mktemp("made")
    with new_store(root / "data") as store:
        admin = _fill(store, root / "card")
        result = create_backup(store, admin, root / "b.wcbak")
    return root, result


def _head(store: Store) -> tuple[int, str]:
    return store.conn.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


# ---- backing up ------------------------------------------------------------------------------
def test_backup_holds_the_database_and_every_original_with_a_manifest(env, tmp_path):
    store, admin = env
    seq, head = _head(store)
    shas = {r[0] for r in store.conn.execute("SELECT sha256 FROM photos")}
    seen = []
    result = create_backup(store, admin, tmp_path / "b.wcbak",
                           progress=lambda f, m: seen.append(f))
    m = result.manifest
    assert (m["format"], m["format_version"]) == ("weicha-backup", 1)
    assert m["device_id"] == store.meta("device_id") and m["unit_code"] == store.meta("unit_code")
    assert m["audit_head"] == {"seq": seq, "hash": head} and m["created_by"] == "admin"
    assert m["created_at"].endswith("+08:00")
    paths = [e["path"] for e in m["entries"]]
    assert paths[0] == "weicha.db" and {p.rsplit("/", 1)[1] for p in paths[1:]} == shas and len(shas) == 3
    with zipfile.ZipFile(result.path) as zf:
        assert sorted(zf.namelist()) == sorted(paths + ["manifest.json"])
        for e in m["entries"][1:]:
            assert zf.getinfo(e["path"]).file_size == e["size"]
            assert (store.blobs_dir / e["path"][len("blobs/"):]).read_bytes() == zf.read(e["path"])
    assert check_archive(result.path) == m
    assert seen[-1] == 1.0 and seen == sorted(seen)
    entry = store.audit_entries(newest_first=True, limit=1)[0]
    assert (entry.action, entry.user_name) == ("data.backup", "admin")
    assert entry.details["file"] == "b.wcbak" and entry.details["head_seq"] == seq
    assert _leftovers(tmp_path) == [] and list((store.data_dir / "cache" / "backup").iterdir()) == []


def test_backup_needs_a_logged_in_user_and_a_target_outside_the_data_folder(env, tmp_path):
    store, admin = env
    with pytest.raises(PermissionDenied, match="登录"):
        create_backup(store, SYSTEM, tmp_path / "b.wcbak")
    (store.data_dir / "cache").mkdir(exist_ok=True)
    for target in (store.data_dir / "b.wcbak", store.blobs_dir / "b.wcbak", store.data_dir / "weicha.db",
                   store.data_dir, store.data_dir / "cache" / "b.wcbak"):
        with pytest.raises(WeichaError, match="数据文件夹"):
            create_backup(store, admin, target)
    with pytest.raises(WeichaError, match="不存在"):
        create_backup(store, admin, tmp_path / "no" / "b.wcbak")
    assert verify(store).ok
    assert not any(e.action == "data.backup" for e in store.audit_entries())


def test_a_cancelled_backup_leaves_no_file(env, tmp_path):
    store, admin = env
    calls = []
    with pytest.raises(BackupCancelled, match="已取消"):
        create_backup(store, admin, tmp_path / "b.wcbak", progress=lambda f, m: calls.append(f),
                      cancelled=lambda: len(calls) > 3)
    assert sorted(os.listdir(tmp_path)) == ["card", "data"]
    assert list((store.data_dir / "cache" / "backup").iterdir()) == []
    assert not any(e.action == "data.backup" for e in store.audit_entries())


def test_a_full_disk_during_a_backup_leaves_no_file(env, tmp_path, monkeypatch):
    import errno

    import weicha_desktop.core.backup as backup

    store, admin = env
    real = backup._add

    def full(zf, name, *args):
        if name.startswith("blobs/"):  # the database went in; the disk fills on an original
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(zf, name, *args)

    monkeypatch.setattr(backup, "_add", full)
    with pytest.raises(WeichaError, match="磁盘空间不足"):
        create_backup(store, admin, tmp_path / "b.wcbak")
    assert sorted(os.listdir(tmp_path)) == ["card", "data"]
    assert list((store.data_dir / "cache" / "backup").iterdir()) == []


def test_backup_while_another_thread_writes_is_one_consistent_snapshot(env, tmp_path, monkeypatch):
    """The copy is the database at one moment: everything committed before the backup began
    (also what sits in the WAL only), its audit chain whole, its head the manifest's."""
    import weicha_desktop.core.backup as backup

    store, admin = env
    monkeypatch.setattr(backup, "SNAPSHOT_PAGES", 1)  # many steps: the writer gets in between
    before, _ = _head(store)
    stop, written = threading.Event(), []

    def writer():
        with Store.open(store.data_dir, lock=False) as other:
            while not stop.is_set():
                other.log_read(admin, "case.export", "case", None, f"核查 {len(written)}",
                               {"pad": "。" * 3000})
                written.append(1)
                time.sleep(0.002)  # steady, not flat out: what the copy must catch is the writes between its steps

    thread = threading.Thread(target=writer)
    thread.start()
    slow = lambda f, m: time.sleep(0.002)  # noqa: E731
    try:
        while len(written) < 5:
            time.sleep(0.01)
        result = create_backup(store, admin, tmp_path / "b.wcbak", progress=slow)
        during = len(written)
    finally:
        stop.set()
        thread.join()
    assert during > 10  # the writer really wrote while the copy ran
    assert verify(store).ok
    restored = restore_backup(result.path, tmp_path / "new", **ADMIN)
    with Store.open(restored.data_dir, readonly=True) as copy:
        report = verify(copy)
        assert report.ok, report.faults
        seq = copy.conn.execute("SELECT max(seq) FROM audit_log WHERE action NOT IN ('data.restore', 'data.anchor')").fetchone()[0]
    assert seq == result.manifest["audit_head"]["seq"] >= before + 5


KILLED = r"""
import sys, time
from weicha_desktop.core.backup import create_backup
from weicha_desktop.core.store import Store
from weicha_desktop.core.users import UserService

store = Store.open(sys.argv[1])
admin = UserService(store).authenticate("admin", "secret-123")
def progress(fraction, message):
    if fraction > 0.35:
        print("writing", flush=True)
        time.sleep(60)
create_backup(store, admin, sys.argv[2], progress=progress)
"""


def test_kill_9_during_a_backup_leaves_no_target_file(filled, tmp_path, tmp_path_factory, monkeypatch):
    filled_copy(filled, tmp_path, tmp_path_factory.mktemp("copy") / "config", monkeypatch)
    target = tmp_path / "b.wcbak"
    proc = start(KILLED, str(tmp_path / "data"), str(target))  # a process of its own
    assert proc.readline().strip() == "writing", proc.output()
    assert proc.kill() == -9
    assert not target.exists()
    assert [p.name for p in (tmp_path / "data" / "cache" / "backup").iterdir()]  # the copy, left
    with Store.open(tmp_path / "data") as again:
        assert list((again.data_dir / "cache" / "backup").iterdir()) == []  # swept at the start
        assert verify(again).ok
        admin = UserService(again).authenticate("admin", PASSWORD)
        result = create_backup(again, admin, target)
        assert check_archive(target) == result.manifest
        assert list((again.data_dir / "cache" / "backup").iterdir()) == []


def test_a_sweep_while_this_program_backs_up_keeps_its_copy(env, tmp_path):
    """The start-up sweep (media/staging.py) spares the copy of a backup this same process
    is still making: its work folder is held."""
    from weicha_desktop.core.media.staging import clean_leftovers

    store, admin = env
    seen = []

    def progress(fraction, message):
        if not seen and fraction > 0.3:
            copies = list((store.data_dir / "cache" / "backup").rglob("*.db"))
            clean_leftovers(store.data_dir)
            seen.append([p for p in copies if p.exists()])

    result = create_backup(store, admin, tmp_path / "b.wcbak", progress=progress)
    assert seen and seen[0], "the sweep ran while the copy was there, and left it"
    assert check_archive(result.path) == result.manifest


def test_a_damaged_or_missing_original_is_named_and_the_rest_backed_up(env, tmp_path):
    store, admin = env
    first, second, third = [store.blobs_dir / r[0][:2] / r[0] for r in
                            store.conn.execute("SELECT sha256 FROM photos ORDER BY position")]
    os.chmod(first, 0o644)
    first.write_bytes(first.read_bytes()[:-10] + b"0123456789")
    second.unlink()
    result = create_backup(store, admin, tmp_path / "b.wcbak")
    assert len(result.problems) == 2
    assert any(first.name[:16] in p and "损坏" in p for p in result.problems)
    assert any(second.name[:16] in p and "丢失" in p for p in result.problems)
    assert result.manifest["missing_originals"] == [second.name]
    restored = restore_backup(result.path, tmp_path / "new", **ADMIN)
    assert len(restored.problems) == 2
    assert (tmp_path / "new" / "blobs" / third.name[:2] / third.name).read_bytes() == third.read_bytes()
    with Store.open(tmp_path / "new", readonly=True) as copy:
        faults = verify(copy).faults
    assert any(first.name[:16] in f for f in faults) and any(second.name[:16] in f for f in faults)


# ---- restoring -------------------------------------------------------------------------------
def test_restore_brings_back_everything_and_verify_is_clean(made, tmp_path):
    root, result = made
    checked = check_backup(result.path)  # a check alone writes no data folder
    assert checked.manifest == result.manifest and checked.problems == []
    assert sorted(os.listdir(tmp_path)) == []
    restored = restore_backup(result.path, tmp_path / "new", **ADMIN)
    assert restored.problems == []
    with Store.open(root / "data", readonly=True) as old, Store.open(tmp_path / "new", readonly=True) as new:
        report = verify(new)
        assert report.ok and report.originals == 3, report.faults
        for sql in ("SELECT * FROM cases ORDER BY id", "SELECT * FROM photos ORDER BY id",
                    "SELECT * FROM record_versions ORDER BY id",
                    "SELECT * FROM meta WHERE key <> 'folder_id' ORDER BY key"):
            assert old.conn.execute(sql).fetchall() == new.conn.execute(sql).fetchall()
        assert new.meta("folder_id") != old.meta("folder_id")  # a line of its own (core/lineage.py)
        for (sha,) in old.conn.execute("SELECT sha256 FROM photos"):
            assert file_sha256(new.blobs_dir / sha[:2] / sha) == sha
        last, anchored = new.audit_entries(newest_first=True, limit=2)[::-1]
        admin_id = old.conn.execute("SELECT id FROM users WHERE name = 'admin'").fetchone()[0]
    assert last.action == "data.restore" and last.user_id == admin_id and last.user_name == "admin"
    assert anchored.action == "data.anchor" and anchored.details["reason"] == "first"  # its checkpoint
    assert anchored.details["folder_id"] == last.details["folder_id"]
    assert last.details["backup_file"] == "b.wcbak"
    assert last.details["folder_id"] != last.details["previous_folder_id"]
    assert last.details["backup_head"] == result.manifest["audit_head"]
    assert last.details["manifest"]["audit_head"] == result.manifest["audit_head"]
    assert last.seq == result.manifest["audit_head"]["seq"] + 1
    assert _leftovers(tmp_path) == []


def test_restore_only_into_an_empty_or_new_folder(made, tmp_path):
    root, result = made
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("keep me")
    for folder in (busy, root / "data"):
        with pytest.raises(WeichaError, match="不是空的"):
            restore_backup(result.path, folder, **ADMIN)
    with pytest.raises(WeichaError, match="是一个文件"):
        restore_backup(result.path, root / "b.wcbak", **ADMIN)
    assert [p.name for p in busy.iterdir()] == ["notes.txt"]
    (tmp_path / "empty").mkdir()
    assert restore_backup(result.path, tmp_path / "empty", **ADMIN).data_dir == tmp_path / "empty"
    assert (tmp_path / "empty" / "weicha.db").is_file()


def test_only_an_administrator_of_the_backup_may_restore_it(made, tmp_path):
    """Checked against the users IN THE BACKUP, before the folder is put in place; the entry
    names who restored it."""
    from weicha_desktop.core.demo import TECHNICIANS

    root, result = made
    target = tmp_path / "new"
    for user, password, words in [("admin", "wrong-pass-77", "用户名或密码错误"),
                                  ("nobody", PASSWORD, "用户名或密码错误"),
                                  (TECHNICIANS[0][0], "demo-pass-2026", "只有管理员")]:
        with pytest.raises(WeichaError, match=words):
            restore_backup(result.path, target, user=user, password=password)
        assert not target.exists() and _leftovers(tmp_path) == []
    r = run_cli(target, "restore", str(result.path))
    assert r.returncode == 1 and "--user" in r.stderr and "管理员" in r.stderr and not target.exists()
    r = run_cli(target, "restore", str(result.path), user="admin", password="wrong-pass-77")
    assert r.returncode == 1 and "用户名或密码错误" in r.stderr and not target.exists()
    r = run_cli(target, "restore", str(result.path), user="admin")
    assert r.returncode == 0 and "校验通过" in r.stdout, r.stderr
    with Store.open(target, readonly=True) as copy:
        entry = copy.audit_entries(object_kind="data", newest_first=True, limit=1)[0]
        admin = UserService(copy).get("admin")
    assert entry.action == "data.restore" and (entry.user_id, entry.user_name) == (admin.id, "admin")


KILLED_RESTORE = r"""
import sys, time
from weicha_desktop.core.restore import restore_backup

def progress(fraction, message):
    if fraction > 0.6:
        print("writing", flush=True)
        time.sleep(60)
restore_backup(sys.argv[1], sys.argv[2], user="admin", password="secret-123", progress=progress)
"""


def test_kill_9_during_a_restore_leaves_no_target_folder(made, tmp_path):
    root, result = made
    target = tmp_path / "new"
    proc = start(KILLED_RESTORE, str(result.path), str(target))  # a process of its own
    assert proc.readline().strip() == "writing", proc.output()
    assert proc.kill() == -9
    assert not target.exists()
    assert len(_leftovers(tmp_path)) == 1  # the hidden staging folder of the killed restore
    assert restore_backup(result.path, target, **ADMIN).problems == []  # the next one sweeps it
    assert _leftovers(tmp_path) == []
    with Store.open(target, readonly=True) as copy:
        assert verify(copy).ok


def test_a_restore_that_cannot_fit_is_refused_before_writing(made, tmp_path, monkeypatch):
    import weicha_desktop.core.restore as restore

    root, result = made
    monkeypatch.setattr(restore.shutil, "disk_usage", lambda path: shutil._ntuple_diskusage(10**9, 10**9 - 1000, 1000))
    with pytest.raises(WeichaError, match="磁盘空间不足：恢复需要约 .* MB.*只剩 0.0 MB"):
        restore_backup(result.path, tmp_path / "new", **ADMIN)
    assert sorted(os.listdir(tmp_path)) == []


def _flip(path: Path, entry: str, at: float = 0.5) -> None:
    """Flip one byte in the stored data of ``entry`` (its CRC then no longer fits)."""
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(entry)
    data = bytearray(path.read_bytes())
    name_len = int.from_bytes(data[info.header_offset + 26:info.header_offset + 28], "little")
    extra_len = int.from_bytes(data[info.header_offset + 28:info.header_offset + 30], "little")
    start = info.header_offset + 30 + name_len + extra_len
    data[start + int(info.compress_size * at)] ^= 0x01
    path.write_bytes(bytes(data))


def _rewrite(src: Path, dst: Path, change) -> None:
    """A well-formed zip (right CRCs) with ``change(name, data) -> data`` applied to each entry."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            data = change(info.filename, zin.read(info.filename))
            if data is not None:
                zout.writestr(info, data)


def _refused(path: Path, target: Path, match: str) -> None:
    """Refused by a restore (nothing left behind) and by a check alone."""
    with pytest.raises(BadBackup, match=match):
        check_backup(path)
    with pytest.raises(BadBackup, match=match):
        restore_backup(path, target, **ADMIN)
    assert not target.exists()
    assert _leftovers(target.parent) == []


def test_a_flipped_byte_in_an_original_or_the_database_is_refused(made, tmp_path):
    root, result = made
    blob = result.manifest["entries"][1]["path"]
    for entry in ("weicha.db", blob):
        bad = tmp_path / f"bad-{entry[-4:]}.wcbak"
        shutil.copy(result.path, bad)
        _flip(bad, entry)
        _refused(bad, tmp_path / "new", "已损坏")
    # the same with the zip's own checksum made right again: the manifest's SHA-256 catches it
    flipped = lambda name, data: (data[:100] + bytes([data[100] ^ 1]) + data[101:]  # noqa: E731
                                  if name == blob else data)
    _rewrite(result.path, tmp_path / "crc.wcbak", flipped)
    _refused(tmp_path / "crc.wcbak", tmp_path / "new", "与清单记录的哈希不符")


def test_a_truncated_garbage_or_foreign_file_is_refused_plainly(made, tmp_path):
    root, result = made
    data = result.path.read_bytes()
    for name, content in [("half.wcbak", data[: len(data) // 2]), ("tail.wcbak", data[:-200]),
                          ("noise.wcbak", os.urandom(5000)), ("empty.wcbak", b"")]:
        (tmp_path / name).write_bytes(content)
        _refused(tmp_path / name, tmp_path / "new", "已损坏或不完整|不是微察备份")
    with zipfile.ZipFile(tmp_path / "other.zip", "w") as zf:
        zf.writestr("hello.txt", "hi")
    _refused(tmp_path / "other.zip", tmp_path / "new", "不是微察备份文件")


def test_an_edited_manifest_or_extra_files_are_refused(made, tmp_path):
    root, result = made

    def manifest(edit):
        def change(name, data):
            if name != "manifest.json":
                return data
            m = json.loads(data)
            edit(m)
            return json.dumps(m).encode()
        return change

    def slip(m):
        m["entries"].append({"path": "../evil.txt", "size": 1, "sha256": "0" * 64})

    _rewrite(result.path, tmp_path / "slip.wcbak", manifest(slip))
    _refused(tmp_path / "slip.wcbak", tmp_path / "new", "清单不完整")
    with zipfile.ZipFile(tmp_path / "slip.wcbak", "a") as zf:  # an extra file the manifest hides
        zf.writestr("blobs/../../evil.txt", "x")
    _refused(tmp_path / "slip.wcbak", tmp_path / "new", "清单")

    def newer(m):
        m["format_version"] = 99

    _rewrite(result.path, tmp_path / "newer.wcbak", manifest(newer))
    _refused(tmp_path / "newer.wcbak", tmp_path / "new", "升级")
    assert not (tmp_path.parent / "evil.txt").exists() and not (tmp_path / "evil.txt").exists()


def test_a_rewritten_database_with_a_matching_manifest_is_refused(made, tmp_path):
    """Whoever edits the copied database and recomputes the manifest still meets the audit
    chain and the head the manifest names."""
    root, result = made
    work = tmp_path / "work"
    work.mkdir()
    with zipfile.ZipFile(result.path) as zf:
        zf.extract("weicha.db", work)
    tamper(work / "weicha.db", "UPDATE audit_log SET summary = 'x' WHERE seq = 3")
    edited = (work / "weicha.db").read_bytes()

    def change(name, data):
        if name == "weicha.db":
            return edited
        if name == "manifest.json":
            m = json.loads(data)
            m["entries"][0].update(size=len(edited), sha256=file_sha256(work / "weicha.db"))
            return json.dumps(m).encode()
        return data

    _rewrite(result.path, tmp_path / "edited.wcbak", change)
    _refused(tmp_path / "edited.wcbak", tmp_path / "new", "哈希链")


# ---- the reminder ----------------------------------------------------------------------------
def test_the_reminder_comes_a_week_after_the_last_backup(tmp_path):
    clock = fixed_clock()
    store = new_store(tmp_path / "data", clock=clock)
    admin = UserService(store).authenticate("admin", PASSWORD)
    start = clock.now()
    assert not backup_state(store, start).due  # nothing finalized: nothing to lose yet
    fill_demo(store, FormRegistry(forms_dir()), cases=4, seed=2, admin=admin, password="demo-pass-2026")
    state = backup_state(store, start)
    assert state.due and state.last is None and "还没有备份" in state.message()
    create_backup(store, admin, tmp_path / "b.wcbak")
    made_at = backup_state(store).last
    assert made_at is not None and not backup_state(store, made_at + timedelta(days=6, hours=23)).due
    late = backup_state(store, made_at + timedelta(days=8))
    assert late.due and late.days == 8 and "8 天前" in late.message()
    store.close()
    restore_backup(tmp_path / "b.wcbak", tmp_path / "new", **ADMIN)
    with Store.open(tmp_path / "new", readonly=True) as copy:  # a restored folder starts afresh
        assert copy.audit_entries(object_kind="data", newest_first=True, limit=1)[0].action == "data.restore"
        assert backup_state(copy).last is not None and not backup_state(copy).due



def test_the_reminder_finds_the_last_backup_through_an_index(tmp_path):
    """The status bar asks at every start: it must not read the whole audit log (a folder of
    100,000 cases that was never backed up: 50-200 ms, over a second from a cold disk). The
    object kinds it narrows by are the ones the registry gives the backup actions."""
    from weicha_desktop.core import ops
    from weicha_desktop.core.backup import BACKUP_ACTIONS, BACKUP_KINDS, last_backup_entry

    assert {kind for action in BACKUP_ACTIONS
            for kind in ops.ACTION_BY_NAME[action].object_kind} == set(BACKUP_KINDS)
    with new_store(tmp_path / "data") as store:
        sql: list[str] = []
        store.conn.set_trace_callback(sql.append)
        assert last_backup_entry(store) is None
        store.conn.set_trace_callback(None)
        (query,) = [q for q in sql if "FROM audit_log" in q]
        plan = " ".join(row[3] for row in store.conn.execute(f"EXPLAIN QUERY PLAN {query}"))
    assert "USING INDEX audit_log_object" in plan and "SCAN audit_log" not in plan, plan

# ---- the command line ------------------------------------------------------------------------
def test_backup_and_restore_on_the_command_line(filled, tmp_path, tmp_path_factory, monkeypatch, capsys):
    root = tmp_path / "src"  # a folder of its own: the restores of `made` re-anchored its device
    filled_copy(filled, root, tmp_path_factory.mktemp("copy") / "config", monkeypatch)
    out = tmp_path / "cli.wcbak"
    r = run_cli(root / "data", "backup", "-o", str(out))
    assert r.returncode == 1 and "--user" in r.stderr and not out.exists()
    r = run_cli(root / "data", "backup", "-o", str(root / "data" / "x.wcbak"), user="admin")
    assert r.returncode == 1 and "数据文件夹" in r.stderr and "Traceback" not in r.stderr
    r = run_cli(root / "data", "backup", "-o", str(out), user="admin")
    assert r.returncode == 0, r.stderr
    assert "已备份" in r.stdout and "原始照片 3 张" in r.stdout
    r = run_cli(tmp_path, "restore", str(out), "--check")
    assert r.returncode == 0 and "备份文件完好" in r.stdout and sorted(os.listdir(tmp_path)) == ["cli.wcbak", "src"]
    laptop = {"WEICHA_CONFIG_DIR": str(tmp_path / "new-laptop")}  # restored on another machine
    from weicha_desktop import cli
    with monkeypatch.context() as m:  # --data-dir and --user only after the command (run_cli puts them before)
        m.setenv("WEICHA_PASSWORD", PASSWORD)
        m.setenv("WEICHA_CONFIG_DIR", laptop["WEICHA_CONFIG_DIR"])
        m.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))  # the default folder, were the option lost
        capsys.readouterr()
        code = cli.main(["restore", str(out), "--data-dir", str(tmp_path / "new"), "--user", "admin"])
        stdout, stderr = capsys.readouterr()
    assert code == 0, stderr
    assert "已从备份" in stdout and "校验通过" in stdout and "编号" in stdout
    assert (tmp_path / "new").is_dir() and not (tmp_path / "xdg").exists()
    r = run_cli(tmp_path / "new", "verify", env=laptop)
    assert r.returncode == 0 and "校验通过" in r.stdout, r.stderr
    r = run_cli(root / "data", "verify")  # the original, on its own machine
    assert r.returncode == 0 and "校验通过" in r.stdout, r.stderr
    r = run_cli(tmp_path / "new", "restore", str(out), user="admin")
    assert r.returncode == 1 and "不是空的" in r.stderr
    (tmp_path / "junk.wcbak").write_bytes(out.read_bytes()[:5000])
    r = run_cli(tmp_path / "other", "restore", str(tmp_path / "junk.wcbak"), user="admin")
    assert r.returncode == 1 and "已损坏或不完整" in r.stderr and "Traceback" not in r.stderr
    r = run_cli(tmp_path / "other", "restore", str(tmp_path / "junk.wcbak"), "--check")
    assert r.returncode == 1 and "已损坏或不完整" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "other").exists()


def test_backup_from_the_command_line_while_the_window_holds_the_folder(made, tmp_path, monkeypatch):
    root, _ = made
    monkeypatch.setenv("WEICHA_PASSWORD", PASSWORD)
    with Store.open(root / "data"):  # as the desktop program does; the command another process
        r = weicha("--data-dir", str(root / "data"), "--user", "admin", "backup", "-o", str(tmp_path / "b.wcbak"))
        code = r.wait(60)
    assert code == 1 and "文件 → 备份" in r.stderr() and not (tmp_path / "b.wcbak").exists()
