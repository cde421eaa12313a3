"""The signed checkpoint of the audit chain head, kept outside the data folder: what it
catches (a cut and re-hashed tail, a re-hashed chain, an older copy of the database or of the
whole folder), what it refuses to launder, and what verify says when it has none."""
import json
import os
import shutil
import stat

import pytest

from weicha_desktop.core.checkpoint import Anchor, acknowledge_restore
from weicha_desktop.core.store import SYSTEM, Store
from weicha_desktop.core.verify.anchor import check_anchor

from tests.support import new_store, run_cli, tamper
from tests.verify_support import check, make_golden, query, rehash_chain, working_copy


@pytest.fixture(scope="module")
def golden(tmp_path_factory):
    return make_golden(tmp_path_factory.mktemp("golden"))


@pytest.fixture
def data(golden, tmp_path, monkeypatch):
    return working_copy(golden, tmp_path, monkeypatch)


def _commit(data, n=1):
    with Store.open(data) as store:
        for i in range(n):
            store.log_read(SYSTEM, "case.export", "case", None, f"核查 {i}")


def _line(data):
    """(device id, folder id): whose checkpoint the folder's is."""
    meta = dict(query(data, "SELECT key, value FROM meta WHERE key IN ('device_id', 'folder_id')"))
    return meta["device_id"], meta.get("folder_id")


def _checkpoint(data):
    anchor = Anchor.default()
    path = anchor.path(*_line(data))
    return anchor, path, json.loads(path.read_text("utf-8"))["checkpoint"]


def _head(data):
    return query(data, "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")[0]


def test_every_commit_moves_the_signed_checkpoint_to_the_head(tmp_path):
    anchor = Anchor(tmp_path / "config")
    store = new_store(tmp_path / "data")
    store.anchor = anchor
    for i in range(3):
        store.log_read(SYSTEM, "case.export", "case", None, f"核查 {i}")
        device, (seq, head, _) = store.meta("device_id"), store.conn.execute(
            "SELECT seq, hash, at FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
        folder = store.meta("folder_id")
        cp = anchor.read(device, folder)
        assert (cp.seq, cp.head) == (seq, head) and anchor.signature_ok(device, cp, folder)
    counter = cp.counter
    store.log_read(SYSTEM, "case.export", "case", None, "核查")
    assert anchor.read(device, folder).counter == counter + 1
    store.close()
    files = sorted(p.name for p in (tmp_path / "config").rglob("*"))
    assert files == sorted(["checkpoints", f"{device}.{folder}.json", f"{device}.lock", "device_key.pem"]), files
    assert not [p for p in (tmp_path / "data").rglob("*") if "key" in p.name or p.suffix == ".json"]


def test_key_and_checkpoints_are_owner_only_and_never_in_the_data_folder(data, tmp_path):
    _commit(data)
    anchor, path, _ = _checkpoint(data)
    assert stat.S_IMODE(os.stat(anchor.config_dir / "device_key.pem").st_mode) == 0o600
    assert stat.S_IMODE(os.stat(anchor.config_dir).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    inside = Anchor(data / "config")
    assert not inside.usable_for(data)
    with Store.open(data, anchor=inside) as store:
        store.log_read(SYSTEM, "case.export", "case", None, "核查")
    assert not (data / "config").exists()


def test_a_cut_tail_rehashed_is_a_rollback(data):
    seq, _ = _head(data)
    assert check(data).ok
    rehash_chain(data / "weicha.db", lambda e: None if e["seq"] <= seq - 3 else False)
    report = check(data)
    assert any(f"第 {seq} 条" in f and f"只到第 {seq - 3} 条" in f and "数据被回滚" in f
               for f in report.faults), report.faults


def test_a_rewritten_and_rehashed_chain_is_found(data):
    def edit(entry):
        if entry["seq"] == 4:
            entry["summary"] += "（改）"
    rehash_chain(data / "weicha.db", edit)
    report = check(data)
    assert any("哈希与本机签名检查点" in f for f in report.faults), report.faults


def test_a_forged_checkpoint_is_found(data):
    _, path, _ = _checkpoint(data)
    text = json.loads(path.read_text("utf-8"))
    text["checkpoint"]["seq"] -= 1
    path.write_text(json.dumps(text), "utf-8")
    assert any("签名不符" in f for f in check(data).faults)
    path.write_text("不是检查点", "utf-8")
    assert any("已被改动或损坏" in f for f in check(data).faults)


@pytest.mark.parametrize("what", ["database", "folder"])
def test_an_older_copy_is_a_rollback_and_opening_it_does_not_launder(data, tmp_path, what):
    old = shutil.copytree(data, tmp_path / "old")
    _commit(data, 3)
    seq, _ = _head(data)
    if what == "database":
        shutil.copy2(old / "weicha.db", data / "weicha.db")
    else:
        shutil.rmtree(data)
        shutil.copytree(old, data)
    faults = check(data).faults
    assert any("数据被回滚" in f and f"第 {seq} 条" in f for f in faults), faults
    _, _, before = _checkpoint(data)
    _commit(data, 5)  # the program opened on the old copy and used: more entries than were lost
    _, _, after = _checkpoint(data)
    assert after == before
    assert any("数据被回滚或替换" in f for f in check(data).faults)


def test_acknowledge_restore_logs_what_was_lost_and_reanchors(data, tmp_path):
    old = shutil.copytree(data, tmp_path / "old")
    _commit(data, 2)
    lost_seq, lost_hash = _head(data)
    shutil.copy2(old / "weicha.db", data / "weicha.db")
    assert not check(data).ok
    with Store.open(data) as store:
        acknowledge_restore(store, SYSTEM, {"backup_file": "x.wcbak"})
        entry = store.audit_entries(object_kind="data", newest_first=True, limit=1)[0]
    assert entry.action == "data.restore" and entry.details["backup_file"] == "x.wcbak"
    assert entry.details["superseded_checkpoint"]["seq"] == lost_seq
    assert entry.details["superseded_checkpoint"]["head"] == lost_hash
    report = check(data)
    assert report.ok and not report.warnings, report.faults + report.warnings
    assert (_checkpoint(data)[2]["seq"], _checkpoint(data)[2]["head"]) == _head(data)


def test_without_a_checkpoint_verify_says_what_it_cannot_rule_out(data, tmp_path, monkeypatch):
    monkeypatch.setenv("WEICHA_CONFIG_DIR", str(tmp_path / "empty"))
    report = check(data)
    assert report.ok and any("无法排除" in w and "较早的副本" in w for w in report.warnings)
    r = run_cli(data, "verify")
    assert r.returncode == 0 and "校验通过" in r.stdout and "注意" in r.stderr and "无法排除" in r.stderr
    _commit(data)  # its first open here starts a checkpoint again, and the log says so
    for _ in range(2):  # for good, not only until the next open
        report = check(data)
        assert report.ok and len(report.warnings) == 1, report.warnings
        assert "中断过" in report.warnings[0] and "工作日志第 2 条" in report.warnings[0]
        assert "无法排除" in report.warnings[0] and "新生成的设备密钥" in report.warnings[0]
        _commit(data)


def test_a_changed_device_id_cannot_hide_the_checkpoint(data):
    _commit(data)  # the checkpoint now names this folder
    new = "0190aaaa-bbbb-7ccc-8ddd-eeeeeeeeeeee"
    tamper(data / "weicha.db", "UPDATE meta SET value = ? WHERE key = 'device_id'", new)
    assert any("设备编号" in f and "工作日志" in f for f in check(data).faults)

    def same_id(entry):  # the logged id changed too, the chain re-hashed
        if entry["action"] == "system.init":
            entry["details"]["device_id"] = new
    rehash_chain(data / "weicha.db", same_id)
    _commit(data)  # opening it does not start a fresh checkpoint for the new id
    assert not list(Anchor.default().checkpoints_dir.glob(f"{new}*.json"))
    assert any("数据被替换" in f and "设备编号" in f for f in check(data).faults)


def test_the_key_lives_in_the_os_keyring_where_one_works(tmp_path):
    class Keyring:
        def __init__(self):
            self.secrets = {}

        def get_password(self, service, user):
            return self.secrets.get((service, user))

        def set_password(self, service, user, value):
            self.secrets[(service, user)] = value

    ring = Keyring()
    store = new_store(tmp_path / "data")
    store.anchor = Anchor(tmp_path / "config", keyring=ring)
    store.log_read(SYSTEM, "case.export", "case", None, "核查")
    assert ring.secrets and not (tmp_path / "config" / "device_key.pem").exists()
    assert (tmp_path / "config" / "device_key.keyring").exists()
    line = store.meta("device_id"), store.meta("folder_id")
    assert check_anchor(Anchor(tmp_path / "config", keyring=ring), store.conn, store.data_dir).faults == []
    # the keyring gone: no new key is made behind its back; verify says what it could not check
    before = store.anchor.read(*line)
    store.anchor = gone = Anchor(tmp_path / "config", keyring=None)
    store.log_read(SYSTEM, "case.export", "case", None, "核查")
    assert "钥匙串" in gone.problem and gone.read(*line) == before
    assert not (tmp_path / "config" / "device_key.pem").exists()
    assert any("钥匙串" in w for w in check_anchor(gone, store.conn, store.data_dir).warnings)
    store.close()


def test_a_checkpoint_that_cannot_be_written_does_not_fail_the_commit(tmp_path):
    (tmp_path / "config").write_text("一个文件，不是文件夹")
    store = new_store(tmp_path / "data")
    store.anchor = Anchor(tmp_path / "config")
    store.log_read(SYSTEM, "case.export", "case", None, "核查")
    assert store.anchor.problem and "检查点未能写入" in store.anchor.problem
    assert store.audit_entries(newest_first=True, limit=1)[0].summary == "核查"
    store.close()
