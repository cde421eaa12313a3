"""`verify` against an attacker with file access: triggers dropped with sqlite3, rows edited
(tests/support.py ``tamper``). Each class of tampering is found and named."""
import pytest

from weicha_desktop.core.store.audit import user_state_of

from tests.support import tamper
from tests.verify_support import case_in, check, make_golden, query, rehash_chain, working_copy


@pytest.fixture(scope="module")
def golden(tmp_path_factory):
    return make_golden(tmp_path_factory.mktemp("golden"))


@pytest.fixture
def data(golden, tmp_path, monkeypatch):
    d = working_copy(golden, tmp_path, monkeypatch)
    report = check(d)
    assert report.ok and not report.warnings, report.faults + report.warnings
    return d


def _faults(data):
    report = check(data)
    assert not report.ok
    return report.faults


# ---- 1. the log against the rows -------------------------------------------------------------
def test_a_deleted_finalized_version_is_named(data):
    case_id, number, version = case_in(data, "reviewed")
    tamper(data / "weicha.db", "DELETE FROM record_versions WHERE record_id = ? AND version = ?",
           case_id, version)
    faults = _faults(data)
    assert any(number in f and f"第 {version} 版" in f and "删除" in f for f in faults), faults


def test_a_whole_finalized_case_deleted_is_named(data):
    case_id, number, version = case_in(data, "finalized")
    for table, column in [("reviews", "record_id"), ("photos", "record_id"), ("draft_buffer", "record_id"),
                          ("record_versions", "record_id"), ("cases", "id"), ("records", "id")]:
        tamper(data / "weicha.db", f"DELETE FROM {table} WHERE {column} = ?", case_id)
    faults = _faults(data)
    assert any(number in f and "已被整个删除" in f for f in faults), faults
    assert any(number in f and f"第 {version} 版" in f and "已被删除" in f for f in faults), faults


def test_a_case_or_version_added_without_a_log_entry_is_named(data):
    case_id, number, version = case_in(data, "draft")
    tamper(data / "weicha.db",
           "INSERT INTO record_versions (id, record_id, kind, version, form_id, form_version, data, "
           "created_at, created_by, updated_at) SELECT 'forged', record_id, kind, version + 1, "
           "form_id, form_version, data, created_at, created_by, updated_at FROM record_versions "
           "WHERE record_id = ? AND version = ?", case_id, version)
    tamper(data / "weicha.db",
           "INSERT INTO records (id, kind, number, status, current_version, form_id, created_at, "
           "created_by, updated_at) SELECT 'forged-case', 'case', 'K4507029999992026019999', 'draft', "
           "1, form_id, created_at, created_by, updated_at FROM records WHERE id = ?", case_id)
    faults = _faults(data)
    assert any(number in f and f"第 {version + 1} 版" in f and "没有来历" in f for f in faults), faults
    assert any("K4507029999992026019999" in f and "没有创建记录" in f for f in faults), faults


# ---- 2. the list projection and the reviews against the events -------------------------------
def test_a_forged_approval_in_the_list_is_named(data):
    case_id, number, _ = case_in(data, "finalized")
    tamper(data / "weicha.db", "UPDATE records SET status = 'reviewed' WHERE id = ?", case_id)
    faults = _faults(data)
    assert any(number in f and "已审核" in f and "没有审核通过" in f for f in faults), faults


def test_a_record_given_another_kind_is_named(data):
    case_id, number, _ = case_in(data, "reviewed")
    tamper(data / "weicha.db", "UPDATE records SET kind = 'patrol' WHERE id = ?", case_id)
    faults = _faults(data)
    assert any(number in f and "记录类型为 patrol" in f for f in faults), faults
    assert any(number in f and "不是勘验" in f for f in faults), faults


def test_the_case_list_saying_other_than_the_records_is_named(data):
    case_id, number, _ = case_in(data, "finalized")
    tamper(data / "weicha.db", "UPDATE cases SET status = 'reviewed' WHERE id = ?", case_id)
    assert any(number in f and "勘验列表" in f and "不一致" in f for f in _faults(data))
    tamper(data / "weicha.db", "DELETE FROM cases WHERE id = ?", case_id)
    assert any(number in f and "不在勘验列表中" in f for f in _faults(data))
    tamper(data / "weicha.db", "INSERT INTO cases (id, number, status, updated_at) "
           "VALUES ('nobody', 'K4507029999992026019998', 'draft', 't')")
    assert any("K4507029999992026019998" in f and "没有对应的记录" in f for f in _faults(data))


def test_a_flipped_review_is_named(data):
    case_id, number, version = case_in(data, "draft", returned=True)
    tamper(data / "weicha.db", "UPDATE reviews SET decision = 'approved' WHERE record_id = ?", case_id)
    faults = _faults(data)
    assert any(number in f and "通过" in f and "退回补正" in f and "审核记录被改动" in f
               for f in faults), faults


def test_a_returned_case_put_back_to_its_finalized_version_is_named(data):
    case_id, number, version = case_in(data, "draft", returned=True)
    tamper(data / "weicha.db", "UPDATE records SET status = 'finalized', current_version = ?, "
           "returned_comment = NULL WHERE id = ?", version - 1, case_id)
    faults = _faults(data)
    assert any(number in f and f"第 {version - 1} 版" in f and f"第 {version} 版" in f for f in faults), faults
    assert any(number in f and "退回补正意见" in f for f in faults), faults


def test_a_review_comment_rewritten_or_deleted_is_named(data):
    case_id, number, _ = case_in(data, "reviewed")
    tamper(data / "weicha.db", "UPDATE reviews SET comment = '同意' WHERE record_id = ?", case_id)
    assert any(number in f and "意见" in f for f in _faults(data))
    tamper(data / "weicha.db", "DELETE FROM reviews WHERE record_id = ?", case_id)
    assert any(number in f and "审核记录已被删除" in f for f in _faults(data))


# ---- 3. users --------------------------------------------------------------------------------
def test_a_raised_role_is_named(data):
    tamper(data / "weicha.db", "UPDATE users SET role = 'admin' WHERE name = '李明'")
    assert any("李明" in f and "角色" in f and "管理员" in f for f in _faults(data))


def test_a_user_added_without_a_log_entry_is_named(data):
    tamper(data / "weicha.db", "INSERT INTO users (id, name, display_name, role, password_hash, active, "
           "created_at) SELECT 'u-forged', '张伪', '张伪', 'supervisor', "
           "password_hash, 1, created_at FROM users WHERE name = 'admin'")
    assert any("张伪" in f and "没有添加记录" in f for f in _faults(data))


def test_a_user_deactivated_or_given_another_password_is_named(data):
    tamper(data / "weicha.db", "UPDATE users SET active = 0 WHERE name = '周建国'")
    assert any("周建国" in f and "停用" in f for f in _faults(data))
    tamper(data / "weicha.db", "UPDATE users SET active = 1, password_hash = "
           "(SELECT password_hash FROM users WHERE name = '李明') WHERE name = 'admin'")
    assert any("admin" in f and "安全信息" in f for f in _faults(data))


def test_user_state_covers_the_security_columns(data):
    row = query(data, "SELECT id, name, role, active, password_hash FROM users LIMIT 1")[0]
    states = {user_state_of(row)} | {user_state_of(row[:i] + ("x",) + row[i + 1:]) for i in range(5)}
    assert len(states) == 6


def test_a_deleted_user_is_named(data):
    tamper(data / "weicha.db", "DELETE FROM users WHERE name = '陆海燕'")
    assert any("陆海燕" in f and "已被删除" in f for f in _faults(data))


# ---- 4. the outbox ---------------------------------------------------------------------------
def test_an_edited_outbox_payload_is_named(data):
    seq = query(data, "SELECT seq FROM outbox WHERE op = 'case.finalize' ORDER BY seq LIMIT 1")[0][0]
    tamper(data / "weicha.db", "UPDATE outbox SET payload = replace(payload, '现场', '线场') WHERE seq = ?", seq)
    assert any(f"同步队列第 {seq} 项" in f and "哈希不符" in f for f in _faults(data))


def test_an_outbox_op_inserted_or_deleted_is_named(data):
    seq = query(data, "SELECT max(seq) FROM outbox")[0][0]
    tamper(data / "weicha.db", "INSERT INTO outbox (op_id, device_id, device_seq, actor, payload_version, "
           "entity_kind, entity_id, op, created_at, payload) SELECT 'forged-op', device_id, device_seq + 1, "
           "actor, payload_version, entity_kind, entity_id, 'case.finalize', created_at, payload FROM outbox "
           "WHERE seq = ?", seq)
    assert any(f"同步队列第 {seq + 1} 项" in f and "没有来历" in f for f in _faults(data))
    tamper(data / "weicha.db", "DELETE FROM outbox WHERE seq >= ?", seq)
    assert any("已被删除" in f and "同步队列" in f for f in _faults(data))


# ---- photos ----------------------------------------------------------------------------------
def test_photo_rows_of_a_draft_deleted_added_or_changed_are_named(data):
    rows = query(data, "SELECT id, sha256 FROM photos ORDER BY position")
    tamper(data / "weicha.db", "DELETE FROM photos WHERE id = ?", rows[0][0])
    tamper(data / "weicha.db", "UPDATE photos SET removed_at = '2026-01-01T00:00:00+08:00' WHERE id = ?",
           rows[1][0])
    tamper(data / "weicha.db", "UPDATE photos SET sha256 = ? WHERE id = ?", rows[0][1], rows[2][0])
    faults = _faults(data)
    assert any(rows[0][1][:16] in f and "已被删除" in f for f in faults), faults
    assert any("被移除" in f for f in faults), faults
    assert any("哈希与导入时记下的不符" in f for f in faults), faults
    tamper(data / "weicha.db", "INSERT INTO photos SELECT 'forged', record_id, 9, 'ab' || substr(sha256, 3), "
           "'x.jpg', size, format, width, height, orientation, taken_at, time_source, make, model, "
           "gps_lat, gps_lon, gps_alt, photo_class, caption, photographer, evidence_number, "
           "derived_from, edits, imported_at, imported_by, removed_at FROM photos WHERE id = ?", rows[1][0])
    assert any("x.jpg" in f and "没有导入记录" in f for f in _faults(data))


# ---- folders written before these checks existed -----------------------------------------
def test_entries_from_before_op_hashes_and_user_states_are_no_false_alarm(data, tmp_path, monkeypatch):
    def as_before(entry):  # what the program logged before this issue
        for key in ("outbox", "state", "active", "admin_id", "admin_state"):
            entry["details"].pop(key, None)
    rehash_chain(data / "weicha.db", as_before)
    monkeypatch.setenv("WEICHA_CONFIG_DIR", str(tmp_path / "fresh"))  # and no checkpoint yet
    report = check(data)
    assert report.ok, report.faults
    assert any("升级前写入的" in n for n in report.notices), report.notices
    # what can still be told: an op with no change behind it, a role raised
    tamper(data / "weicha.db", "INSERT INTO outbox (op_id, device_id, device_seq, actor, payload_version, "
           "entity_kind, entity_id, op, created_at, payload) VALUES ('forged', 'd', 99999, '{}', 1, "
           "'case', 'x', 'case.finalize', '2020-01-01T00:00:00+08:00', '{}')")
    tamper(data / "weicha.db", "UPDATE users SET role = 'admin' WHERE name = '李明'")
    faults = _faults(data)
    assert any("没有来历" in f for f in faults) and any("李明" in f and "角色" in f for f in faults), faults
