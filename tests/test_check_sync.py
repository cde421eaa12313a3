"""Checks go to the server as any other op (check.run: registered with its schema, no protocol
change): the server's own acceptance check takes them as the laptop wrote them and refuses
one whose payload names another check. (The push itself is generic: tests/test_collect_sync.py
and the sync tests push ops of every kind to a real server.)"""
from __future__ import annotations

from weicha_desktop.core.checks import CheckService, import_list
from weicha_desktop.core.store.oplog import outbox_envelope
from weicha_server import opcheck

from tests.outbox_support import outbox_rows
from tests.support import admin, store  # noqa: F401 (fixtures)


def test_the_server_takes_check_ops_as_written(store, admin, tmp_path):
    (tmp_path / "v.csv").write_text("号牌,原因\n桂A12345,被盗\n", encoding="utf-8")
    import_list(store, admin, tmp_path / "v.csv", "被盗抢机动车")
    checks = CheckService(store, admin)
    checks.check("桂A12345", "vehicle")
    checks.check("桂B12345", "vehicle")
    envs = [outbox_envelope(r) for r in outbox_rows(store) if r["op"] == "check.run"]
    assert [e["payload"]["result"] for e in envs] == ["hit", "miss"]
    assert [opcheck.problem(e) for e in envs] == [None, None]
    other = {**envs[0], "payload": {**envs[0]["payload"], "id": envs[1]["entity_id"]}}
    assert opcheck.problem(other)[0] == "bad_payload"
    late = {**envs[0], "payload": {**envs[0]["payload"], "result": "maybe"}}
    assert opcheck.problem(late)[0] == "bad_payload"
