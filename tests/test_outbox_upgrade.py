"""Migration 11 on data folders made by earlier versions' own code (tests/data/folders/) and on
outbox states no release wrote: every op keeps its bytes and gets its envelope, the folder
still verifies, and the sequence goes on from there."""
from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path

import pytest

from weicha_desktop.core.store import Store, audit
from weicha_desktop.core.store.migrate_outbox import LEGACY_BUNDLE
from weicha_desktop.core.store.migrations import MIGRATIONS, migrate
from weicha_desktop.core.users import UserService

from tests.outbox_support import outbox_rows, write_op
from tests.verify_support import check

FOLDERS = Path(__file__).parent / "data" / "folders"
BEFORE_11 = max(m.version for m in MIGRATIONS if m.version < 11)


def _unzip(name: str, into: Path) -> Path:
    with zipfile.ZipFile(FOLDERS / name) as z:
        z.extractall(into)
    return into / "data"


def _old_ops(db: Path) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT seq, op_id, created_at, entity, entity_id, op, payload FROM outbox "
                            "ORDER BY seq").fetchall()
    finally:
        conn.close()


@pytest.mark.parametrize("name", ["before-issue8-7e485ec.zip", "issue8-2021307.zip"])
def test_a_folder_of_an_earlier_version_gets_the_envelope_and_verifies(tmp_path, name):
    data = _unzip(name, tmp_path)
    before = _old_ops(data / "weicha.db")
    assert len(before) > 20
    with Store.open(data) as store:
        rows = outbox_rows(store)
        device = store.meta("device_id")
        assert [(r["seq"], r["op_id"], r["created_at"], r["entity_kind"], r["entity_id"], r["op"],
                 r["payload"]) for r in rows] == before  # byte for byte, in their order
        assert [r["device_seq"] for r in rows] == list(range(1, len(rows) + 1))
        assert {r["device_id"] for r in rows} == {device} and {r["state"] for r in rows} == {"pending"}
        users = {u["id"]: u for u in store.db.query("SELECT id, name, display_name FROM users")}
        listed = {op["op_id"]: e.user_id for e in store.audit_entries()
                  for op in e.details.get(audit.OUTBOX_KEY, [])}
        for row in rows:
            actor = json.loads(row["actor"])
            user = users[actor["id"]]
            assert (actor["name"], actor["display_name"]) == (user["name"], user["display_name"])
            assert actor["unit_code"] == store.meta("unit_code") and actor["badge_no"] is None
            if row["op_id"] in listed:  # ops from before the lists: the entry of their change
                assert listed[row["op_id"]] == actor["id"]
        admin = UserService(store).get("admin")
        write_op(store, admin, "photo.reorder", "after-upgrade")
        assert outbox_rows(store)[-1]["device_seq"] == len(rows) + 1
    report = check(data)
    assert report.ok, report.faults


def test_states_no_release_wrote_are_carried_over_and_the_counter_is_kept(tmp_path):
    db = tmp_path / "weicha.db"
    conn = sqlite3.connect(db, isolation_level=None)
    migrate(conn, BEFORE_11)
    conn.execute("INSERT INTO meta VALUES ('device_id', 'dev-1'), ('unit_code', '450702000000')")
    for i, (state, error) in enumerate([("pending", None), ("sent", None), ("rejected", "格式不对"),
                                        ("rejected", None), ("pending", None)], 1):
        conn.execute("INSERT INTO outbox (op_id, created_at, entity, entity_id, op, payload, state, "
                     "last_error) VALUES (?, 't', 'case', 'c', 'case.draft', '{}', ?, ?)", (f"op{i}", state, error))
    conn.execute("DELETE FROM outbox WHERE op_id = 'op5'")  # a tail removed: seq 5 never again
    conn.close()
    with Store.open(tmp_path) as store:
        rows = outbox_rows(store)
        assert [(r["op_id"], r["device_seq"], r["state"], r["exported_bundle_id"], r["rejected_reason"])
                for r in rows] == [("op1", 1, "pending", None, None), ("op2", 2, "exported", LEGACY_BUNDLE, None),
                                   ("op3", 3, "rejected", None, "格式不对"),
                                   ("op4", 4, "rejected", None, "服务器拒收（升级前）")]
        assert json.loads(rows[0]["actor"]) == {"id": None, "name": "system", "display_name": "system",
                                                "badge_no": None, "unit_code": "450702000000"}
        assert store.conn.execute("SELECT last_seq FROM outbox_sequence WHERE device_id = 'dev-1'").fetchone() == (4,)
        assert store.conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'outbox'").fetchone() == (5,)
        columns = {r[1] for r in store.conn.execute("PRAGMA table_info(outbox)")}
        assert {"entity", "attempts", "last_error"} & columns == set()


def test_an_entry_with_unreadable_details_does_not_stop_the_upgrade(tmp_path):
    db = tmp_path / "weicha.db"
    conn = sqlite3.connect(db, isolation_level=None)
    migrate(conn, BEFORE_11)
    conn.execute("INSERT INTO audit_log (id, at, user_id, user_name, action, object_kind, object_id, "
                 "summary, details, prev_hash, hash) VALUES ('e1', 't', 'u1', '李明', 'case.update', 'case', "
                 "'c', 's', '{not json', 'x', 'y'), ('e2', 't2', 'u2', '王五', 'case.update', 'case', 'c', 's', "
                 "'[1]', 'x', 'y')")
    conn.execute("INSERT INTO outbox (op_id, created_at, entity, entity_id, op, payload) VALUES "
                 "('op1', 't', 'case', 'c', 'case.draft', '{}'), ('op2', 't2', 'case', 'c', 'case.draft', '{}')")
    conn.close()
    with Store.open(tmp_path) as store:
        names = [json.loads(r["actor"])["name"] for r in outbox_rows(store)]
    assert names == ["李明", "王五"]  # the entry written with each (same time, same object)
