import pytest

from weicha_desktop.core.errors import AuthError, PermissionDenied, WeichaError
from weicha_desktop.core.users import UserService, check_password, hash_password

from tests.support import PASSWORD, new_store


def test_password_hash_is_salted_scrypt_and_checks():
    h1, h2 = hash_password("正确的密码1"), hash_password("正确的密码1")
    assert h1.startswith("scrypt$16384$8$1$") and h1 != h2
    assert check_password("正确的密码1", h1)
    assert not check_password("正确的密码2", h1)
    assert not check_password("x", "garbage")


def test_roles_and_authentication(tmp_path):
    store = new_store(tmp_path)
    users = UserService(store)
    admin = users.authenticate("admin", PASSWORD)
    assert admin.role == "admin"
    tech = users.add(admin, "李明", "technician", "tech-pass")
    assert users.authenticate("李明", "tech-pass").id == tech.id
    with pytest.raises(AuthError, match="用户名或密码错误"):
        users.authenticate("李明", "wrong-pass")
    with pytest.raises(AuthError, match="用户名或密码错误"):
        users.authenticate("nobody", "tech-pass")
    with pytest.raises(PermissionDenied):
        users.add(tech, "王五", "technician", "abcdef")
    with pytest.raises(WeichaError, match="已存在"):
        users.add(admin, "李明", "technician", "abcdef")
    with pytest.raises(WeichaError, match="未知角色"):
        users.add(admin, "赵六", "boss", "abcdef")
    with pytest.raises(WeichaError, match="至少"):
        users.add(admin, "赵六", "supervisor", "123")
    last = store.audit_entries()[-1]
    assert last.action == "user.add" and last.user_name == "admin" and "李明" in last.summary
    row = next(store.db.query("SELECT password_hash FROM users WHERE name = '李明'"))
    assert "tech-pass" not in row["password_hash"]
    store.close()
