"""Lines of a folder's history (core/lineage.py): checkpoints are kept per device id AND folder
id, so restoring a backup on the computer that still holds the original does not make the
original look rolled back; an older copy of either folder is still a rollback; a folder id
edited to escape its checkpoint is found; a folder from before folder ids gets one, logged."""
import shutil

import pytest

from weicha_desktop.core.backup import create_backup
from weicha_desktop.core.checkpoint import Anchor
from weicha_desktop.core.demo import DEMO_PASSWORD
from weicha_desktop.core.restore import restore_backup
from weicha_desktop.core.store import SYSTEM, Store
from weicha_desktop.core.users import UserService

from tests.support import new_store, run_cli, tamper
from tests.test_checkpoint import _commit, _head, _line
from tests.verify_support import check, make_golden, rehash_chain, working_copy

EDITED = "01900000-0000-7000-8000-000000000000"


@pytest.fixture(scope="module")
def golden(tmp_path_factory):
    return make_golden(tmp_path_factory.mktemp("golden"))


@pytest.fixture
def data(golden, tmp_path, monkeypatch):
    return working_copy(golden, tmp_path, monkeypatch)


def _backup_and_restore(data, tmp_path) -> tuple[int, object]:
    """A backup of ``data`` (its head seq then), the original going on afterwards, and the
    backup restored on this same computer (same config folder) into tmp_path/restored."""
    with Store.open(data) as store:
        admin = UserService(store).authenticate("admin", DEMO_PASSWORD)
        result = create_backup(store, admin, tmp_path / "b.wcbak")
        store.log_read(admin, "case.export", "case", None, "备份之后的核查")
    restore_backup(tmp_path / "b.wcbak", tmp_path / "restored", user="admin", password=DEMO_PASSWORD)
    return result.manifest["audit_head"]["seq"], tmp_path / "restored"


def _put_in_place(copy, folder) -> None:
    shutil.rmtree(folder)
    shutil.copytree(copy, folder)


def _suspected(folder) -> str | None:
    """Open the folder as the program does and use it: the reason the checkpoint was refused."""
    with Store.open(folder) as store:
        store.log_read(SYSTEM, "case.export", "case", None, "核查")
        return store.anchor.suspected


def test_a_restore_beside_the_original_leaves_the_original_clean_and_names_itself(data, tmp_path):
    reached, restored = _backup_and_restore(data, tmp_path)
    original_seq, _ = _head(data)
    report = check(data)
    assert report.ok and not report.warnings, report.faults + report.warnings
    assert not any("从备份" in n for n in report.notices)
    copy = check(restored)
    assert copy.ok and not copy.warnings, copy.faults + copy.warnings
    notice = [n for n in copy.notices if "从备份“b.wcbak”恢复" in n]
    assert notice and f"工作日志到第 {reached} 条" in notice[0], copy.notices
    assert f"原数据文件夹的检查点已到第 {original_seq} 条" in notice[0]
    assert f"第 {reached + 1}–{original_seq} 条" in notice[0] and "不在这里" in notice[0]
    assert _line(restored)[0] == _line(data)[0] and _line(restored)[1] != _line(data)[1]
    with Store.open(restored, readonly=True) as store:
        entry = store.audit_entries(object_kind="data", newest_first=True, limit=1)[0]
    assert entry.action == "data.restore" and entry.details["previous_folder_id"] == _line(data)[1]
    assert entry.details["folder_id"] == _line(restored)[1]
    assert entry.details["backup_head"]["seq"] == reached
    assert entry.details["superseded_checkpoint"]["seq"] == original_seq
    assert f"到第 {reached} 条" in entry.summary and f"已到第 {original_seq} 条" in entry.summary
    for folder in (data, restored):  # each goes on against a checkpoint of its own
        _commit(folder, 2)
    for folder in (data, restored):
        report = check(folder)
        assert report.ok and not report.warnings, report.faults + report.warnings


def test_an_older_copy_of_either_folder_is_still_a_rollback(data, tmp_path):
    before = shutil.copytree(data, tmp_path / "before")
    _, restored = _backup_and_restore(data, tmp_path)
    restored_before = shutil.copytree(restored, tmp_path / "restored-before")
    _commit(data, 3)
    _commit(restored, 2)
    for folder, copy in ((data, before), (restored, restored_before)):
        seq, _ = _head(folder)
        _put_in_place(copy, folder)
        faults = check(folder).faults
        assert any("数据被回滚" in f and f"已写到第 {seq} 条" in f for f in faults), faults
        assert _suspected(folder)  # the program opened on the copy: refused, and said so
        assert any("数据被回滚" in f for f in check(folder).faults)


def test_a_folder_id_edited_to_escape_the_checkpoint_is_found(data, tmp_path):
    device, folder = _line(data)
    older = shutil.copytree(data, tmp_path / "older")
    _commit(data, 3)  # the checkpoint is ahead of the older copy now
    _put_in_place(older, data)
    tamper(data / "weicha.db", "UPDATE meta SET value = ? WHERE key = 'folder_id'", EDITED)
    faults = check(data).faults
    assert any("文件夹编号被改动" in f and EDITED in f and folder in f for f in faults), faults
    assert _suspected(data)
    assert not Anchor.default().path(device, EDITED).exists()

    def logged_too(entry):  # the logged id changed as well, the chain re-hashed
        if entry["details"].get("folder_id") == folder:
            entry["details"]["folder_id"] = EDITED
    rehash_chain(data / "weicha.db", logged_too)
    faults = check(data).faults
    assert any("数据被替换" in f and "文件夹编号" in f for f in faults), faults
    moved = shutil.copytree(data, tmp_path / "moved")  # and moved away from the folder it was
    assert "改了编号" in (_suspected(moved) or "")
    assert not Anchor.default().path(device, EDITED).exists()
    assert any("改了编号" in w for w in check(moved).warnings)
    assert any("文件夹编号" in f and "绕过程序" in f for f in _without_folder_log(moved))


def test_a_folder_id_deleted_is_not_replaced_by_a_fresh_one(data, tmp_path):
    device, folder = _line(data)
    older = shutil.copytree(data, tmp_path / "older")
    _commit(data, 2)
    _put_in_place(older, data)
    tamper(data / "weicha.db", "DELETE FROM meta WHERE key = 'folder_id'")
    assert "改了编号" in (_suspected(data) or "")  # opened: no new number, no new checkpoint
    assert _line(data)[1] is None and sorted(p.name for p in Anchor.default().checkpoints_dir.glob(
        f"{device}*.json")) == [f"{device}.{folder}.json"]
    faults = check(data).faults
    assert any("文件夹编号被改动" in f and "（无）" in f and folder in f for f in faults), faults


def _without_folder_log(folder) -> list[str]:
    """A folder id in meta that no entry logged."""
    rehash_chain(folder / "weicha.db", _unlogged)
    return check(folder).faults


def _unlogged(entry) -> None:
    """For rehash_chain: no entry names a folder id."""
    entry["details"].pop("folder_id", None)


def _legacy(data):
    """As a folder initialized before folder ids, with the checkpoint of then: no folder id
    in meta nor in the log, the checkpoint keyed by the device id alone."""
    import sqlite3

    anchor, (device, folder) = Anchor.default(), _line(data)
    anchor.path(device, folder).unlink()
    tamper(data / "weicha.db", "DELETE FROM meta WHERE key = 'folder_id'")
    rehash_chain(data / "weicha.db", _unlogged)
    conn = sqlite3.connect(data / "weicha.db")
    try:
        assert anchor.advance(conn, data), anchor.problem
    finally:
        conn.close()
    return device


def test_a_folder_from_before_folder_ids_gets_one_logged_and_keeps_its_checkpoint(data, tmp_path):
    device = _legacy(data)
    anchor = Anchor.default()
    then = anchor.read(device)
    report = check(data)
    assert report.ok and not report.warnings and then.folder_id is None, report.faults + report.warnings
    before = shutil.copytree(data, tmp_path / "before")  # a copy from before the upgrade
    with Store.open(data) as store:
        folder = store.meta("folder_id")
        entry = store.audit_entries(object_kind="data", newest_first=True, limit=1)[0]
    assert folder and entry.action == "data.lineage" and entry.user_name == "system"
    assert entry.details["folder_id"] == folder
    assert anchor.read(device, folder).counter == then.counter + 1
    assert anchor.read(device).folder_id == folder  # frozen, naming the line that took it over
    report = check(data)
    assert report.ok and not report.warnings, report.faults + report.warnings
    _commit(data)
    assert check(data).ok
    _put_in_place(before, data)
    faults = check(data).faults
    assert any("数据被回滚" in f and folder in f for f in faults), faults
    assert _suspected(data)  # opened: it gets a folder id of its own, but no checkpoint
    assert _line(data)[1] != folder
    assert any("数据被替换" in f and folder in f for f in check(data).faults)


def test_restore_then_verify_both_on_the_command_line(tmp_path, monkeypatch):
    """The lead's report: `weicha restore` on the machine with the original, then `verify` on
    the untouched original said "数据被回滚或替换"."""
    monkeypatch.setenv("WEICHA_CONFIG_DIR", str(tmp_path / "cfg"))
    with new_store(tmp_path / "d") as store:
        store.log_read(SYSTEM, "case.export", "case", None, "核查")
    r = run_cli(tmp_path / "d", "backup", "-o", str(tmp_path / "b.wcbak"), user="admin")
    assert r.returncode == 0, r.stderr
    r = run_cli(tmp_path / "r", "restore", str(tmp_path / "b.wcbak"), user="admin")
    assert r.returncode == 0 and "校验通过" in r.stdout, r.stderr
    r = run_cli(tmp_path / "d", "verify")
    assert r.returncode == 0 and "校验通过" in r.stdout and "回滚" not in r.stderr, r.stderr
    r = run_cli(tmp_path / "r", "verify")
    assert r.returncode == 0 and "校验通过" in r.stdout, r.stderr
    assert "说明：这个数据文件夹是" in r.stdout and "从备份“b.wcbak”恢复的" in r.stdout
