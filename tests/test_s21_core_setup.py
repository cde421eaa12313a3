"""Adding a user checks the name, the unit's 警号 and the user id in one statement (issue 9,
stop 21): each clash is still refused, in the same order, with the same words."""
import pytest

from weicha_desktop.core.errors import WeichaError
from weicha_desktop.core.ids import user_id
from weicha_desktop.core.users import UserService

from tests.support import PASSWORD, UNIT, admin, raw_writes, store  # noqa: F401 — fixtures


def test_a_new_user_is_refused_for_each_clash_in_order(store, admin):
    users = UserService(store)
    users.add(admin, "lina", "technician", PASSWORD, badge_no="200002")
    # a row holding the id 警号 300003 would get, under another 警号 (an earlier version's)
    with raw_writes(store):
        store.conn.execute(
            "INSERT INTO users (id, name, display_name, role, password_hash, active, created_at, badge_no, "
            "unit_code) SELECT ?, 'ghost', 'ghost', 'technician', password_hash, 0, created_at, '399999', "
            "unit_code FROM users WHERE name = 'admin'", (user_id(UNIT, "300003"),))
    with pytest.raises(WeichaError, match="用户“lina”已存在"):  # the name first, whatever else clashes
        users.add(admin, "lina", "technician", PASSWORD, badge_no="100001")
    with pytest.raises(WeichaError, match="警号 200002 已属于用户“lina”"):
        users.add(admin, "wang", "technician", PASSWORD, badge_no="200002")
    with pytest.raises(WeichaError, match=r"警号 300003 的用户已存在（用户编号 " + user_id(UNIT, "300003")):
        users.add(admin, "zhao", "technician", PASSWORD, badge_no="300003")
    users.add(admin, "zhao", "technician", PASSWORD, badge_no="300004")
    assert sorted(u.name for u in users.list()) == ["admin", "ghost", "lina", "zhao"]
