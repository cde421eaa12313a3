"""核查's log reaches the unit's server as it is (issue 13: "their ops sync … with no protocol
change (a test pushes each kind to a test server)"): checks made offline — a hit and a miss —
go up with the next sync, the server holds every check.run op applied, and the laptop's queue
is empty."""
from __future__ import annotations

import sqlalchemy as sa

from weicha_desktop.core.checks import CheckService, import_list
from weicha_desktop.core.sync.enrollment import SyncConfig, enroll
from weicha_desktop.core.sync.push import sync_once
from weicha_desktop.core.users import UserService

from tests.fault_proxy import ThreadServer
from tests.support import PASSWORD, new_store


def test_checks_made_offline_are_pushed_to_a_real_server(tmp_path):
    store = new_store(tmp_path / "laptop")
    admin = UserService(store).authenticate("admin", PASSWORD)
    (tmp_path / "v.csv").write_text("号牌,原因\n桂A12345,被盗\n", encoding="utf-8")
    import_list(store, admin, tmp_path / "v.csv", "被盗抢机动车")
    checks = CheckService(store, admin)
    checks.check("桂A12345", "vehicle")
    checks.check("桂B12345", "vehicle")
    checks.check("11010519491231002X", "person")
    server = ThreadServer(tmp_path / "srv")
    try:
        enroll(store, server.url, server.code(), actor=admin)
        config = SyncConfig.of(store)
        with config.client() as client:
            result = sync_once(store, client, config=config)
        assert not result.rejected, result
        with server.engine.connect() as conn:
            rows = conn.execute(sa.text(
                "SELECT status, envelope FROM ops WHERE device_id = :d AND op = 'check.run' ORDER BY device_seq"),
                {"d": store.meta("device_id")}).all()
        assert [r.status for r in rows] == ["applied"] * 3
        assert all('"hit"' in r.envelope or '"miss"' in r.envelope for r in rows)
        assert sum('"hit"' in r.envelope for r in rows) == 1
        pending = store.conn.execute("SELECT count(*) FROM outbox WHERE state = 'pending'").fetchone()
        assert pending == (0,)
    finally:
        server.stop()
        store.close()
