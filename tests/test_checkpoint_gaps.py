"""What the signed checkpoint leaves open, said for good (core/checkpoint_log.py): a config
folder wiped (or a key lost) after the log was cut must not make the cut verify clean; a
folder set up again where another was is a new line, not a replaced one; what a commit pays
for the checkpoint; temp files a killed writer left."""
import json
import shutil
import socket
import time

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

import weicha_desktop.core.checkpoint as checkpoint
import weicha_desktop.core.checkpoint_lock as checkpoint_lock
from weicha_desktop.core.canonical import canonical_json
from weicha_desktop.core.cases import CaseService
from weicha_desktop.core.checkpoint import Anchor, Checkpoint
from weicha_desktop.core.demo import DEMO_PASSWORD
from weicha_desktop.core.store import SYSTEM, Store
from weicha_desktop.core.users import UserService

from tests.forked_programs import start
from tests.support import forms, new_store, tamper
from tests.test_checkpoint import _commit, _head, _line, data, golden  # noqa: F401  (fixtures)
from tests.verify_support import check, query, rehash_chain


def _anchor_entries(data) -> list[dict]:
    return [json.loads(d) for (d,) in query(data, "SELECT details FROM audit_log WHERE action = 'data.anchor' "
                                                  "ORDER BY seq")]


def _only_warning(data, *words) -> str:
    report = check(data)
    assert report.ok and len(report.warnings) == 1, report.faults + report.warnings
    assert all(w in report.warnings[0] for w in words), report.warnings[0]
    return report.warnings[0]


# ---- 1. a wiped config folder does not hide a cut log ---------------------------------------
def test_a_cut_log_with_the_config_folder_wiped_stays_a_warning_for_good(data, tmp_path):
    db = data / "weicha.db"
    first = _anchor_entries(data)
    assert [e["reason"] for e in first] == ["first"] and first[0]["key_created"]
    kept, _ = _head(data)
    with Store.open(data) as store:  # a case recorded, then made to vanish with its log entries
        admin = UserService(store).authenticate("admin", DEMO_PASSWORD)
        case = CaseService(store, forms(), admin).new_case()
    for sql in ("DELETE FROM outbox WHERE entity_id = ?", "DELETE FROM record_versions WHERE record_id = ?",
                "DELETE FROM cases WHERE id = ?", "DELETE FROM records WHERE id = ?"):
        tamper(db, sql, case.id)
    rehash_chain(db, lambda e: False if e["seq"] > kept else None)  # the tail cut, sqlite_sequence too
    assert any("数据被回滚" in f for f in check(data).faults)  # the checkpoint still catches it
    shutil.rmtree(tmp_path / "config")  # … so the config folder goes too
    text = _only_warning(data, "无法排除", "工作日志第 2 条", "本机找不到它")
    assert f"电脑 {socket.gethostname()} 上的 {first[0]['config_dir']}" in text  # where it was kept
    with Store.open(data) as store:  # log in once: a new key and a new checkpoint
        UserService(store).authenticate("admin", DEMO_PASSWORD)
    restart = _anchor_entries(data)[-1]
    assert restart["reason"] == "restart" and restart["key_created"]
    assert restart["previous"]["public_key"] == first[0]["public_key"] != restart["public_key"]
    seq = query(data, "SELECT seq FROM audit_log WHERE action = 'data.anchor' ORDER BY seq DESC LIMIT 1")[0][0]
    for _ in range(2):  # not only until the next open: for good
        text = _only_warning(data, "中断过", "工作日志第 2 条", f"第 {seq} 条", "无法排除", "新生成的设备密钥")
        assert "较早的副本" in text and "哈希链" in text
        _commit(data, 2)


def test_a_lost_key_is_logged_as_a_new_key_and_stays_a_warning(data, tmp_path):
    (tmp_path / "config" / "device_key.pem").unlink()
    _commit(data)
    entry = _anchor_entries(data)[-1]
    assert entry["reason"] == "new_key" and entry["key_created"]
    assert entry["continues"]["public_key"] != entry["public_key"]
    _only_warning(data, "中断过", "密钥不见了", "无法排除")


def test_checkpoints_wiped_but_the_key_kept_is_a_restart(data, tmp_path):
    shutil.rmtree(tmp_path / "config" / "checkpoints")
    _commit(data)
    entry = _anchor_entries(data)[-1]
    assert entry["reason"] == "restart" and not entry["key_created"]
    assert entry["public_key"] == entry["previous"]["public_key"]
    text = _only_warning(data, "中断过", "找不到原来的检查点", "无法排除")
    assert "新生成" not in text


def test_a_checkpoint_signed_with_a_key_the_log_does_not_name_is_a_warning(data, tmp_path):
    """Key file and checkpoint replaced by hand (a forged checkpoint, self-signed)."""
    _commit(data)
    key = Ed25519PrivateKey.generate()
    (tmp_path / "config" / "device_key.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    path = Anchor.default().path(*_line(data))
    body = json.loads(path.read_text("utf-8"))["checkpoint"]
    body.pop("format")
    cp = Checkpoint(**{**body, "public_key": checkpoint._public_hex(key)})
    path.write_text(json.dumps({"checkpoint": cp.body(), "signature": key.sign(canonical_json(cp.body())).hex()}),
                    "utf-8")
    _only_warning(data, "在程序之外被换过", "伪造", "无法排除")


def test_a_folder_anchored_only_later_says_since_when(tmp_path, monkeypatch):
    data = tmp_path / "data"
    with monkeypatch.context() as m:  # a key store inside the data folder is never used
        m.setenv("WEICHA_CONFIG_DIR", str(data / "config"))
        with new_store(data) as store:
            for i in range(3):
                store.log_read(SYSTEM, "case.export", "case", None, f"核查 {i}")
    assert not _anchor_entries(data)
    _commit(data)  # the first open with a usable key store: its first checkpoint
    assert [e["reason"] for e in _anchor_entries(data)] == ["first"]
    _only_warning(data, "起才有签名检查点", "从第 1 条起", "无法排除")


def test_a_checkpoint_from_before_these_entries_is_adopted_quietly(tmp_path, monkeypatch):
    with monkeypatch.context() as m:  # as the program was before data.anchor entries
        m.setattr(Store, "_log_anchor", lambda self, summary, details: None)
        new_store(tmp_path / "data").close()
        _commit(tmp_path / "data", 2)
    assert not _anchor_entries(tmp_path / "data")
    _commit(tmp_path / "data")
    entry = _anchor_entries(tmp_path / "data")[-1]
    assert entry["reason"] == "adopted" and entry["continues"]["counter"] >= 3
    report = check(tmp_path / "data")
    assert report.ok and not report.warnings, report.faults + report.warnings
    _commit(tmp_path / "data")
    assert len(_anchor_entries(tmp_path / "data")) == 1  # once


# ---- 2. a folder set up again at the same path -----------------------------------------------
def test_a_folder_set_up_again_at_the_same_path_is_a_new_line(tmp_path):
    data = tmp_path / "data"
    with new_store(data) as store:
        store.log_read(SYSTEM, "case.export", "case", None, "核查")
        old_line = store.meta("device_id"), store.meta("folder_id")
    before = Anchor.default().read(*old_line)
    shutil.rmtree(data)  # the demo folder deleted; the first-run wizard again
    store = new_store(data)
    try:
        assert store.anchor.suspected is None and store.anchor.problem is None
        store.log_read(SYSTEM, "case.export", "case", None, "核查")
    finally:
        store.close()
    report = check(data)
    assert report.ok and not report.warnings, report.faults + report.warnings
    assert any("以前在这个位置的另一个数据文件夹" in n and old_line[0] in n for n in report.notices)
    assert Anchor.default().read(*old_line) == before  # the old line's checkpoint stays


def test_an_old_database_put_in_place_is_not_a_folder_set_up_again(tmp_path):
    """Only a log that holds nothing but its own system.init is 'just set up'."""
    data = tmp_path / "data"
    with new_store(data) as store:
        store.log_read(SYSTEM, "case.export", "case", None, "核查")
    other = new_store(tmp_path / "other")  # another folder with history, moved here
    other.log_read(SYSTEM, "case.export", "case", None, "核查")
    other.close()
    shutil.rmtree(data)
    shutil.copytree(tmp_path / "other", data)
    shutil.rmtree(tmp_path / "other")
    for path in Anchor.default().checkpoints_dir.glob(f"*{_line(data)[1]}.json"):
        path.unlink()  # as if the other folder came from another computer
    with Store.open(data) as store:
        store.log_read(SYSTEM, "case.export", "case", None, "核查")
        assert "整体替换" in (store.anchor.suspected or "")


# ---- 4. what a commit pays ---------------------------------------------------------------------
def test_a_commit_reads_the_checkpoint_file_only_when_it_changed(tmp_path, monkeypatch):
    store = new_store(tmp_path / "data")
    reads, dirs = [], []
    monkeypatch.setattr(Anchor, "_read", lambda self, path, real=Anchor._read: reads.append(path) or real(self, path))
    for module in (checkpoint, checkpoint_lock):
        monkeypatch.setattr(module, "private_dir", lambda path, real=module.private_dir: dirs.append(path) or real(path))
    try:
        for i in range(5):
            store.log_read(SYSTEM, "case.export", "case", None, f"核查 {i}")
        assert reads == [] and dirs == []
        line = store.meta("device_id"), store.meta("folder_id")
        path = store.anchor.path(*line)
        text = json.loads(path.read_text("utf-8"))
        text["checkpoint"]["seq"] += 10  # ahead of the data, edited behind the program's back
        path.write_text(json.dumps(text), "utf-8")
        store.log_read(SYSTEM, "case.export", "case", None, "核查")
        assert reads == [path] and "第" in (store.anchor.suspected or "")
    finally:
        store.close()


# ---- 5. temp files a killed writer left --------------------------------------------------------
def test_temp_files_of_a_killed_writer_are_swept_under_the_lock(tmp_path):
    store = new_store(tmp_path / "data")
    device, folder = store.meta("device_id"), store.meta("folder_id")
    store.close()
    folder_dir = Anchor.default().checkpoints_dir
    left = [folder_dir / f".{device}.{folder}.json.k1ll3d.tmp", folder_dir / f".{device}.json.x9.tmp"]
    others = folder_dir / ".0190ffff-ffff-7fff-8fff-ffffffffffff.json.busy.tmp"  # another device's
    for path in [*left, others]:
        path.write_text("{")
    _commit(tmp_path / "data")
    assert not any(p.exists() for p in left) and others.exists()
    others.unlink()


KILLED = r"""
import sys
from weicha_desktop.core.store import SYSTEM, Store
store = Store.open(sys.argv[1])
print("ready", flush=True)
while True:
    store.log_read(SYSTEM, "case.export", "case", None, "核查")
"""


def test_kill_9_mid_commit_leaves_at_most_one_temp_file_and_the_next_write_removes_it(tmp_path):
    new_store(tmp_path / "data").close()
    folder_dir = Anchor.default().checkpoints_dir
    device = _line(tmp_path / "data")[0]
    temps = lambda: sorted(folder_dir.glob(f".{device}.*.tmp"))  # noqa: E731
    for i in range(6):  # each a process of its own, forked from a pre-imported parent
        proc = start(KILLED, str(tmp_path / "data"))
        assert proc.readline().strip() == "ready", proc.output()
        # a kill lands in a checkpoint write as often as the writer spends in one, however
        # long it has run: 10-25 ms is several commits (the writer runs flat out: the sleep
        # is its CPU; 50-115 ms cost ~0.5 CPU-s)
        time.sleep(0.01 + 0.003 * i)
        assert proc.kill() == -9
        assert len(temps()) <= 1  # each program's first write removed the one before
    _commit(tmp_path / "data")
    assert temps() == []
    report = check(tmp_path / "data")
    assert report.ok and not report.warnings, report.faults + report.warnings


def test_a_config_folder_wiped_while_the_program_runs(data, tmp_path):
    """The checkpoint is written again from what the program wrote last (its folder and lock
    file made anew); the key it signs with is gone from disk, so the next start makes a new
    one, logged as such: a warning for good."""
    with Store.open(data) as store:
        store.log_read(SYSTEM, "case.export", "case", None, "核查")
        shutil.rmtree(tmp_path / "config")
        store.log_read(SYSTEM, "case.export", "case", None, "核查")
        assert store.anchor.problem is None and store.anchor.suspected is None
        assert store.anchor.path(*_line(data)).exists()
    _commit(data)
    assert _anchor_entries(data)[-1]["reason"] == "new_key"
    _only_warning(data, "中断过", "密钥不见了")


def test_stripping_the_anchor_entries_as_well_still_leaves_a_warning(data, tmp_path):
    """Whoever also drops the log's data.anchor entries and re-hashes the chain: the line's
    checkpoint then starts long after the line began, which verify says for good."""
    rehash_chain(data / "weicha.db", lambda e: False if e["action"] == "data.anchor" else None)
    shutil.rmtree(tmp_path / "config")
    _commit(data)
    assert [e["reason"] for e in _anchor_entries(data)] == ["first"]
    for _ in range(2):
        _only_warning(data, "起才有签名检查点", "无法排除")
        _commit(data)
