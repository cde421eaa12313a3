"""Identities that mean the same on every device (issue 9): users' 警号 and derived ids, the
folder's device in the store and in every audit entry (hashed), and who a record names as a
relation (record_people)."""
from __future__ import annotations

import json
import shutil
import sqlite3
import uuid

import pytest

from weicha_desktop.core import people
from weicha_desktop.core.cases import CaseService
from weicha_desktop.core.demo import scene_values
from weicha_desktop.core.errors import NotFound, PermissionDenied, ValidationFailed, WeichaError
from weicha_desktop.core.ids import WEICHA_NAMESPACE, user_id
from weicha_desktop.core.store import Store, verify_chain
from weicha_desktop.core.users import UserService

from tests.support import (ADMIN_BADGE, PASSWORD, UNIT, admin, fixed_clock, forms,  # noqa: F401
                           new_store, run_cli, store, tamper)
from tests.verify_support import check, rehash_chain


# ---- users ---------------------------------------------------------------------------------
def test_a_new_users_id_comes_from_unit_and_badge_the_same_on_every_device(tmp_path):
    ids = []
    for laptop in ("a", "b"):  # two laptops of one unit set up apart from each other
        with new_store(tmp_path / laptop) as store:
            users = UserService(store)
            admin = users.authenticate("admin", PASSWORD)
            user = users.add(admin, "李明", "technician", PASSWORD, badge_no=" a12345 ")
            ids.append((admin.id, user.id))
            assert users.badge_of(user) == "A12345" and users.by_badge("a12345") == user
    assert ids[0] == ids[1] == (user_id(UNIT, ADMIN_BADGE), user_id(UNIT, "A12345"))
    assert ids[0][1] == str(uuid.uuid5(WEICHA_NAMESPACE, f"user:{UNIT}:A12345"))
    assert uuid.UUID(ids[0][1]).version == 5


def test_a_badge_is_checked_and_belongs_to_one_user(store, admin):
    users = UserService(store)
    for bad in ("", "123", "1234567890123", "12 34 56", "警号123"):
        with pytest.raises(WeichaError, match="警号须为 4–12 位数字或字母"):
            users.add(admin, "李明", "technician", PASSWORD, badge_no=bad)
    users.add(admin, "李明", "technician", PASSWORD, badge_no="450011")
    with pytest.raises(WeichaError, match="警号 450011 已属于用户“李明”"):
        users.add(admin, "王五", "technician", PASSWORD, badge_no="450011")
    with pytest.raises(WeichaError, match="警号 100001 已属于用户“admin”"):
        users.add(admin, "王五", "technician", PASSWORD, badge_no="100001")
    entry = [e for e in store.audit_entries() if e.action == "user.add"][-1]
    assert entry.details["badge_no"] == "450011" and entry.details["unit_code"] == UNIT
    assert "警号 450011" in entry.summary
    assert [u.name for u in users.list()] == ["admin", "李明"]


def _legacy_user(store, name="laowang"):
    """A user as earlier versions made them (random id, no 警号), written with a log entry of
    that time so verify knows them."""
    from weicha_desktop.core.ids import new_id
    from weicha_desktop.core.store import SYSTEM
    from weicha_desktop.core.users import hash_password

    uid = new_id()
    with store.change(SYSTEM) as ch:
        ch.conn.execute("INSERT INTO users (id, name, display_name, role, password_hash, active, "
                        "created_at) VALUES (?, ?, ?, 'technician', ?, 1, ?)",
                        (uid, name, name, hash_password(PASSWORD), ch.now))
        ch.log("user.add", "user", uid, f"添加用户 {name}",
               {"name": name, "role": "technician", "active": 1, "state": ch.user_state(uid)})
    return uid


def test_set_badge_gives_a_user_of_an_earlier_version_a_badge_and_keeps_the_id(store, admin):
    uid = _legacy_user(store)
    users = UserService(store)
    assert users.badge_of(uid) is None
    user = users.set_badge(admin, "laowang", "b7788")
    assert user.id == uid != user_id(UNIT, "B7788")  # the old id stays: rows that name them do
    assert users.badge_of(uid) == "B7788" and users.by_badge("b7788").id == uid
    entry = store.audit_entries()[-1]
    assert (entry.action, entry.object_id, entry.details["badge_no"]) == ("user.badge", uid, "B7788")
    assert check(store.data_dir).ok
    assert users.set_badge(admin, "laowang", "B7788").id == uid  # again the same: nothing to do
    assert store.audit_entries()[-1].seq == entry.seq
    with pytest.raises(WeichaError, match="已有警号 B7788，警号设定后不能更改"):
        users.set_badge(admin, "laowang", "B7789")
    second = _legacy_user(store, "laoli")
    with pytest.raises(WeichaError, match="警号 B7788 已属于用户“laowang”"):
        users.set_badge(admin, "laoli", "b7788")
    assert users.badge_of(second) is None
    with pytest.raises(NotFound, match="找不到用户“nobody”"):
        users.set_badge(admin, "nobody", "123456")
    tech = users.authenticate("laowang", PASSWORD)
    with pytest.raises(PermissionDenied, match="只有管理员可以设置警号"):
        users.set_badge(tech, "laoli", "445566")
    assert store.audit_entries()[-1].action == "access.denied"


def test_set_badge_and_user_add_on_the_command_line(tmp_path):
    data = tmp_path / "data"
    with new_store(data) as store:
        uid = _legacy_user(store)
    r = run_cli(data, "user", "set-badge", "laowang", "b7788", user="admin")
    assert r.returncode == 0 and f"用户 laowang 的警号已设为 B7788（用户编号不变：{uid}）" in r.stdout
    r = run_cli(data, "user", "set-badge", "laowang", "b7789", user="admin")
    assert r.returncode == 1 and "警号设定后不能更改" in r.stderr
    r = run_cli(data, "user", "set-badge", "laowang", "12", user="admin")
    assert r.returncode == 1 and "警号须为 4–12 位数字或字母" in r.stderr
    r = run_cli(data, "user", "add", "王五", "--role", "technician", "--badge", "12", user="admin",
                env={"WEICHA_NEW_PASSWORD": "wang-wu-2026"})
    assert r.returncode == 1 and "警号须为" in r.stderr and "Traceback" not in r.stderr
    r = run_cli(data, "user", "add", "王五", "--role", "technician", user="admin")
    assert r.returncode == 2  # --badge is required
    r = run_cli(data, "user", "add", "王五", "--role", "technician", "--badge", "450099", user="admin",
                env={"WEICHA_NEW_PASSWORD": "wang-wu-2026"})
    assert r.returncode == 0 and "警号 450099" in r.stdout
    listed = run_cli(data, "user", "list", user="admin").stdout.splitlines()
    assert "王五\t勘验员\t王五\t450099" in listed and "laowang\t勘验员\tlaowang\tB7788" in listed


def test_init_needs_the_admins_badge(tmp_path):
    r = run_cli(tmp_path, "init", "--unit-code", UNIT, "--unit-name", "某单位", "--admin", "admin")
    assert r.returncode == 2 and "--admin-badge" in r.stderr
    r = run_cli(tmp_path, "init", "--unit-code", UNIT, "--unit-name", "某单位", "--admin", "admin",
                "--admin-badge", "x")
    assert r.returncode == 1 and "警号须为" in r.stderr
    r = run_cli(tmp_path, "init", "--unit-code", UNIT, "--unit-name", "某单位", "--admin", "admin",
                "--admin-badge", "a0001")
    assert r.returncode == 0, r.stderr
    listed = run_cli(tmp_path, "user", "list", user="admin").stdout
    assert "admin\t管理员\tadmin\tA0001" in listed


def test_a_badge_changed_behind_the_programs_back_is_named(tmp_path):
    data = tmp_path / "data"
    with new_store(data) as store:
        admin = UserService(store).authenticate("admin", PASSWORD)
        UserService(store).add(admin, "李明", "technician", PASSWORD, badge_no="450011")
    assert check(data).ok
    tamper(data / "weicha.db", "UPDATE users SET badge_no = '450012' WHERE name = '李明'")
    report = check(data)
    assert any("李明" in f and "警号" in f for f in report.faults), report.faults


# ---- the device ----------------------------------------------------------------------------
def test_the_folder_has_its_device_in_the_store_and_every_entry_names_it(store, admin):
    rows = store.conn.execute("SELECT id, name, created_at, this_device FROM devices").fetchall()
    assert len(rows) == 1 and rows[0][0] == store.meta("device_id") and rows[0][3] == 1 and rows[0][1]
    init = store.audit_entries()[0]
    assert init.action == "system.init" and init.details["device_id"] == rows[0][0]
    assert {e.device_id for e in store.audit_entries()} == {rows[0][0]}
    # a second device row that says it is this one is refused by the schema
    with pytest.raises(Exception, match="UNIQUE"), store.change(admin) as ch:
        ch.conn.execute("INSERT INTO devices (id, created_at, this_device) VALUES ('x', 't', 1)")
        ch.log("user.add", "user", None, "x")


def test_the_device_is_hashed_and_old_entries_without_one_still_verify(tmp_path):
    """Entries written before migration 10 have no device (NULL: hashed as before); new ones
    have it in their hash. Both verify in one chain; a device set, changed or cleared later
    breaks the entry's hash."""
    data = tmp_path / "data"
    with new_store(data) as store:
        device = store.meta("device_id")
        last = store.audit_entries()[-1].seq
    # the first entry as an earlier version wrote it: no device, hashed without it
    rehash_chain(data / "weicha.db", lambda row: row.update(device_id=None) if row["seq"] <= 1 else None)
    with Store.open(data, clock=fixed_clock()) as store:  # opened again: new entries, with the device
        UserService(store).add(UserService(store).authenticate("admin", PASSWORD), "李明",
                               "technician", PASSWORD, badge_no="450011")
        entries = store.audit_entries()
        assert entries[0].device_id is None and entries[-1].device_id == device
        assert list(verify_chain(store.conn)) == []
    for seq, value in ((1, f"'{device}'"), (entries[-1].seq, "'another-device'"),
                       (entries[-1].seq, "NULL")):
        copy = tmp_path / f"copy-{seq}-{value[:4]}"
        shutil.copytree(data, copy)
        tamper(copy / "weicha.db", f"UPDATE audit_log SET device_id = {value} WHERE seq = ?", seq)
        conn = sqlite3.connect(copy / "weicha.db")
        faults = [str(f) for f in verify_chain(conn)]
        conn.close()
        assert faults == [f"工作日志第 {seq} 条：内容与哈希不符，该条日志被改动过"], (seq, value, faults)
    assert last >= 1


def test_verify_names_a_device_table_out_of_step_with_meta(tmp_path):
    data = tmp_path / "data"
    new_store(data).close()
    assert check(data).ok
    tamper(data / "weicha.db", "UPDATE devices SET id = 'another' WHERE this_device = 1")
    faults = check(data).faults
    assert any("设备表中的本机（another）" in f for f in faults), faults


# ---- record_people -------------------------------------------------------------------------
def test_who_a_case_names_is_a_relation_kept_in_step_with_the_record(store, admin):
    users = UserService(store)
    users.add(admin, "李明", "technician", PASSWORD, badge_no="450011")
    cases = CaseService(store, forms(), admin)
    values = scene_values(3, technicians=[("李明", "技术员"), ("黄志强", "副中队长")])
    values["recorder"] = "李明、周建国"
    case = cases.new_case(values)

    def rows():
        return store.conn.execute(
            "SELECT role, position, user_id, name, unit, title FROM record_people WHERE record_id = ? "
            "ORDER BY role, position", (case.id,)).fetchall()

    got = rows()
    investigators = [r for r in got if r[0] == "investigators"]
    assert [r[3] for r in investigators] == [p["name"] for p in case.data["investigators"]]
    assert [r[4:] for r in investigators] == [(p["unit"], p["title"]) for p in case.data["investigators"]]
    li = users.get("李明").id
    assert {r[3]: r[2] for r in got}["李明"] == li  # a local user by name; others are only named
    assert [(r[1], r[3]) for r in got if r[0] == "recorder"] == [(0, "李明"), (1, "周建国")]
    assert {r[0] for r in got} >= {"commander", "collector", "photographer", "sketcher"}
    assert people.names(store.conn, case.id) == [p["name"] for p in case.data["investigators"]]
    listed = cases.list()[0]
    assert listed["investigators"] == people.names(store.conn, case.id)

    cases.update(case.id, {"investigators": [{"name": "陆海燕", "unit": "刑侦大队", "title": "技术员"}],
                           "recorder": None})
    assert [r for r in rows() if r[0] in ("investigators", "recorder")] == [
        ("investigators", 0, None, "陆海燕", "刑侦大队", "技术员")]
    assert cases.list()[0]["investigator"] == "陆海燕"  # the list's sort and search key follows
    before = rows()
    with pytest.raises(ValidationFailed):  # a refused change leaves the relation as it was
        cases.update(case.id, {"investigators": [{"name": "王五"}], "humidity": "很湿"})
    assert rows() == before
    assert [r["investigators"] for r in cases.list(text="陆海燕")] == [["陆海燕"]]


def test_the_case_list_holds_codes_shows_words_and_finds_them(store, admin):
    """The projection's case type is the code; the CLI shows the words; a search by the words
    (Chinese or English) finds the rows."""
    cases = CaseService(store, forms(), admin)
    values = scene_values(1)
    values["case_type"] = "burglary"
    cases.new_case(values)
    values["case_type"] = "pickpocketing"
    cases.new_case(values)
    assert sorted(r["case_type"] for r in cases.list()) == ["burglary", "pickpocketing"]
    assert [r["case_type"] for r in cases.list(text="入室")] == ["burglary"]
    assert [r["case_type"] for r in cases.list(text="pickpocket")] == ["pickpocketing"]
    assert [r["case_type"] for r in cases.list(text="扒")] == ["pickpocketing"]
    assert cases.list(text="诈骗") == []


def test_the_command_line_shows_words_for_codes(tmp_path):
    data = tmp_path / "data"
    with new_store(data) as store:
        cases = CaseService(store, forms(), UserService(store).authenticate("admin", PASSWORD))
        case = cases.new_case(scene_values(2))
    listed = run_cli(data, "case", "list", user="admin").stdout
    label = forms().latest("scene_investigation").field("case_type").choice_label(case.data["case_type"])
    assert f"\t{label}\t" in listed and case.data["case_type"] not in listed
    assert "、".join(p["name"] for p in case.data["investigators"]) in listed
    shown = run_cli(data, "case", "show", case.number, user="admin").stdout
    assert f"案件性质/类别：{label}" in shown and "原始现场" in shown and "original" not in shown
    assert json.loads(run_cli(data, "case", "list", "--json", user="admin").stdout)[0]["case_type"] == \
        case.data["case_type"]
