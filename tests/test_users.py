import subprocess
import sys
from pathlib import Path

import pytest

from weicha_desktop.core.errors import AuthError, PermissionDenied, WeichaError
from weicha_desktop.core.ids import new_id
from weicha_desktop.core.passwords import common_passwords, password_problem
from weicha_desktop.core.setup import initialize
from weicha_desktop.core.store import Store
from weicha_desktop.core import users as users_module
from weicha_desktop.core.users import UserService, check_password, hash_password

from tests.support import PASSWORD, UNIT, migrated_folder, new_store, raw_writes
from tests.support import forms as shipped_forms


def test_password_hash_is_salted_scrypt_and_checks(strong_password_hashes):
    h1, h2 = hash_password("正确的密码1"), hash_password("正确的密码1")
    assert h1.startswith("scrypt$16384$8$1$") and h1 != h2
    assert check_password("正确的密码1", h1)
    assert not check_password("正确的密码2", h1)
    assert not check_password("x", "garbage")


def test_the_program_hashes_with_the_strong_cost():
    """The suite hashes cheaply (tests/conftest.py); the program, in a process of its own,
    never does: n=2**14, r=8, p=1 in what it stores, and the dummy of unknown names alike."""
    code = ("from weicha_desktop.core import users\n"
            "print(users.hash_cost() == users.STRONG, users.dummy_hash() == users.DUMMY_HASH)\n"
            "print(users.hash_password('x'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         timeout=60).stdout.split()
    assert out[:2] == ["True", "True"]
    assert out[2].startswith("scrypt$16384$8$1$") and users_module.DUMMY_HASH.startswith("scrypt$16384$8$1$")
    assert users_module.STRONG == users_module.HashCost(n=2**14, r=8, p=1)
    assert check_password("x", out[2])  # a strong hash checks under any cost chosen for new ones


def test_nothing_in_the_program_lowers_the_cost():
    package = Path(users_module.__file__).resolve().parents[1]
    calls = [f"{path.relative_to(package)}:{n}" for path in sorted(package.rglob("*.py"))
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if "use_hash_cost(" in line and not line.lstrip().startswith("def use_hash_cost(")]
    assert calls == []


def test_a_cheaper_cost_changes_new_hashes_and_the_dummy_alike():
    cheap = users_module.HashCost(n=2**3, r=1, p=1)
    previous = users_module.use_hash_cost(cheap)
    try:
        h = hash_password("正确的密码1")
        assert h.startswith("scrypt$8$1$1$") and check_password("正确的密码1", h)
        dummy = users_module.dummy_hash()
        assert dummy.split("$")[:4] == h.split("$")[:4] and dummy != users_module.DUMMY_HASH
        assert not check_password("", dummy)
    finally:
        users_module.use_hash_cost(previous)
    assert users_module.hash_cost() == previous


def test_roles_and_authentication(tmp_path):
    store = new_store(tmp_path)
    users = UserService(store)
    admin = users.authenticate("admin", PASSWORD)
    assert admin.role == "admin"
    tech = users.add(admin, "李明", "technician", "tech-pass", badge_no="200004")
    assert users.authenticate("李明", "tech-pass").id == tech.id
    with pytest.raises(AuthError, match="用户名或密码错误"):
        users.authenticate("李明", "wrong-pass")
    with pytest.raises(AuthError, match="用户名或密码错误"):
        users.authenticate("nobody", "tech-pass")
    with pytest.raises(PermissionDenied):
        users.add(tech, "王五", "technician", "abcdef", badge_no="200005")
    refused = store.audit_entries()[-1]  # a refusal is logged
    assert (refused.action, refused.user_name) == ("access.denied", "李明")
    assert "只有管理员" in refused.details["reason"]
    with pytest.raises(WeichaError, match="已存在"):
        users.add(admin, "李明", "technician", "another-pass-1", badge_no="200006")
    with pytest.raises(WeichaError, match="未知角色"):
        users.add(admin, "赵六", "boss", "abcdef", badge_no="200007")
    with pytest.raises(WeichaError, match="至少"):
        users.add(admin, "赵六", "supervisor", "123", badge_no="200008")
    last = [e for e in store.audit_entries() if e.action == "user.add"][-1]
    assert last.action == "user.add" and last.user_name == "admin" and "李明" in last.summary
    row = next(store.db.query("SELECT password_hash FROM users WHERE name = '李明'"))
    assert "tech-pass" not in row["password_hash"]
    store.close()


@pytest.mark.parametrize("password, reason", [
    ("short-7", "至少 8 位（现在 7 位）"),
    ("李明的密码是这个", "不能包含用户名“李明”"),
    ("my-LiMing-2026", "不能包含用户名“liming”"),
    ("woaini1314", "常见密码"),
    ("Password123", "常见密码"),
    ("88888888", "常见密码"),
    ("qwerty123", "常见密码"),
    ("a1234567", "常见密码"),
    ("123456789", "常见密码"),
    ("bad\udcff-bytes", "无法识别的字符"),
])
def test_new_passwords_follow_the_policy_with_a_chinese_reason(tmp_path, password, reason):
    store = new_store(tmp_path)
    users = UserService(store)
    admin = users.authenticate("admin", PASSWORD)
    name = "liming" if "LiMing" in password else "李明"
    with pytest.raises(WeichaError, match=reason):
        users.add(admin, name, "technician", password, badge_no="200009")
    assert users.get(name) is None
    assert users.add(admin, name, "technician", "chuan-shan-jia-9", badge_no="200010").name == name
    store.close()


def test_the_common_list_is_shipped_and_init_obeys_the_policy(tmp_path):
    common = common_passwords()
    assert len(common) >= 100
    assert {"123456789", "password", "qwerty123", "a1234567", "woaini1314", "88888888"} <= common
    assert password_problem("admin", "weicha-demo-2026") is None  # the demo password passes
    spec = (Path(__file__).resolve().parent.parent / "build_installer.spec").read_text(encoding="utf-8")
    assert '"resources" / "passwords"' in spec  # the bundle carries the list
    with Store.open(migrated_folder(tmp_path)) as store:
        for weak, reason in (("1qaz2wsx", "常见密码"), ("my-admin-pw", "用户名"), ("1234567", "至少 8 位")):
            with pytest.raises(WeichaError, match=reason):
                initialize(store, unit_code=UNIT, unit_name="某单位", admin_name="admin",
                           admin_password=weak, admin_badge="100001")
        assert not store.is_initialized()


def test_a_user_with_an_older_short_password_still_logs_in(tmp_path):
    store = new_store(tmp_path)
    with raw_writes(store):
        store.conn.execute(  # made before the policy: 6 characters
            "INSERT INTO users (id, name, display_name, role, password_hash, active, created_at) "
            "VALUES (?, 'laowang', '老王', 'technician', ?, 1, '2026-01-01T08:00:00+08:00')",
            (new_id(), hash_password("abc123")))
    assert UserService(store).authenticate("laowang", "abc123").name == "laowang"
    store.close()


def test_demo_users_never_get_the_administrators_password(tmp_path):
    from weicha_desktop.core.demo import DEMO_PASSWORD, fill_demo

    forms = shipped_forms()
    store = new_store(tmp_path / "real")  # set up by init: admin / PASSWORD
    with pytest.raises(WeichaError, match="请以管理员身份登录"):
        fill_demo(store, forms, cases=1)
    admin = UserService(store).authenticate("admin", PASSWORD)
    summary = fill_demo(store, forms, cases=2, admin=admin)
    assert PASSWORD not in summary and DEMO_PASSWORD in summary and "管理员密码未改动" in summary
    users = UserService(store)
    assert users.authenticate("李明", DEMO_PASSWORD).name == "李明"
    with pytest.raises(AuthError):
        users.authenticate("周建国", PASSWORD)
    assert users.authenticate("admin", PASSWORD).id == admin.id  # unchanged
    assert "密码未改动" in fill_demo(store, forms, cases=1)  # users exist: no admin needed
    store.close()

    with Store.open(migrated_folder(tmp_path / "fresh")) as fresh:  # a folder the demo sets up itself
        assert f"密码均为演示密码 {DEMO_PASSWORD}" in fill_demo(fresh, forms, cases=1)
        assert UserService(fresh).authenticate("admin", DEMO_PASSWORD).role == "admin"
