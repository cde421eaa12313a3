"""核查's log reaches the unit's server as it is (issue 13: "their ops sync … with no protocol
change (a test pushes each kind to a test server)"): checks made offline — a hit and a miss —
go up with the next sync, the server holds every check.run op applied, and the laptop's queue
is empty."""
from __future__ import annotations

from weicha_desktop.core.checks import CheckService, import_list
from weicha_desktop.core.users import UserService

from tests.support import PASSWORD, new_store
from tests.sync_support import push_to_thread_server


def test_checks_made_offline_are_pushed_to_a_real_server(tmp_path):
    store = new_store(tmp_path / "laptop")
    admin = UserService(store).authenticate("admin", PASSWORD)
    (tmp_path / "v.csv").write_text("号牌,原因\n桂A12345,被盗\n", encoding="utf-8")
    import_list(store, admin, tmp_path / "v.csv", "被盗抢机动车")
    checks = CheckService(store, admin)
    checks.check("桂A12345", "vehicle")
    checks.check("桂B12345", "vehicle")
    checks.check("11010519491231002X", "person")
    try:
        _, _, rows = push_to_thread_server(store, admin, tmp_path / "srv")
        checks_held = [(status, envelope) for op, status, envelope in rows if op == "check.run"]
        assert [status for status, _ in checks_held] == ["applied"] * 3
        assert all('"hit"' in e or '"miss"' in e for _, e in checks_held)
        assert sum('"hit"' in e for _, e in checks_held) == 1
    finally:
        store.close()
