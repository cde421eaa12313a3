"""The envelope every sync op carries (core/store/oplog.py): op id (UUIDv7), device id,
per-device gapless sequence taken in the change's transaction, actor, payload version, entity
kind and id, time, payload; hashed whole into the change's audit entry."""
from __future__ import annotations

import inspect
import json
import os
import signal
import subprocess
import sys
import uuid

import pytest

from weicha_desktop.core.canonical import canonical_json
from weicha_desktop.core.cases import CaseService
from weicha_desktop.core.demo import scene_values
from weicha_desktop.core.ops import OP_BY_NAME
from weicha_desktop.core.store import Store
from weicha_desktop.core.store.oplog import ENVELOPE, envelope_json, outbox_envelope
from weicha_desktop.core.sync.queue import OutboxQueue
from weicha_desktop.core.users import UserService

from tests.outbox_support import outbox_rows, payload, write_op
from tests.support import PASSWORD, UNIT, forms, new_store, tamper
from tests.verify_support import check


def _add(users, admin, name, role, badge_no):
    """A user with a 警号 where users have one (the identities work adds ``badge_no``)."""
    extra = {"badge_no": badge_no} if "badge_no" in inspect.signature(users.add).parameters else {}
    return users.add(admin, name, role, f"{role}-pass", **extra)


def _badge(store, user_id):
    cur = store.conn.execute("SELECT * FROM users WHERE id = ?", (user_id,))
    return dict(zip([c[0] for c in cur.description], cur.fetchone())).get("badge_no")


@pytest.fixture
def env(tmp_path):
    store = new_store(tmp_path / "d")
    users = UserService(store)
    admin = users.authenticate("admin", PASSWORD)
    tech = _add(users, admin, "李明", "technician", "200020")
    yield store, admin, tech
    store.close()


def test_every_op_carries_its_envelope(env):
    store, admin, tech = env
    boss = _add(UserService(store), admin, "周建国", "supervisor", "200021")
    cases = CaseService(store, forms(), tech)
    case = cases.new_case(scene_values(1))
    cases.finalize(case.id)
    CaseService(store, forms(), boss).review(case.id, approve=True)
    rows = outbox_rows(store)
    assert [r["op"] for r in rows] == ["case.create", "case.finalize", "case.review"]
    assert [r["device_seq"] for r in rows] == [1, 2, 3]
    entries = {e.id: e for e in store.audit_entries()}
    listed = {op["op_id"]: e for e in entries.values() for op in e.details.get("outbox", [])}
    for row, who in zip(rows, (tech, tech, boss)):
        assert uuid.UUID(row["op_id"]).version == 7
        assert row["device_id"] == store.meta("device_id")
        assert row["payload_version"] == OP_BY_NAME[row["op"]].payload_version == 2
        assert (row["entity_kind"], row["entity_id"]) == ("case", case.id)
        assert json.loads(row["actor"]) == {"id": who.id, "name": who.name, "display_name": who.display_name,
                                            "badge_no": _badge(store, who.id), "unit_code": UNIT,
                                            "role": who.role}
        assert row["created_at"] == listed[row["op_id"]].at  # the time of its change
        env_ = outbox_envelope(row)
        assert list(env_) == list(ENVELOPE) and env_["payload"] == json.loads(row["payload"])
        assert envelope_json(row) == canonical_json(env_)
    assert outbox_envelope(rows[2])["payload"]["decision"] == "approved"


def test_the_actor_carries_the_badge_number_where_the_users_table_has_one(env, tmp_path):
    store, admin, tech = env
    if "badge_no" not in {r[1] for r in store.conn.execute("PRAGMA table_info(users)")}:
        tamper(tmp_path / "d" / "weicha.db", "ALTER TABLE users ADD COLUMN badge_no TEXT")
    tamper(tmp_path / "d" / "weicha.db", "UPDATE users SET badge_no = '031245' WHERE id = ?", tech.id)
    write_op(store, tech, "photo.reorder", "c1")
    assert json.loads(outbox_rows(store)[-1]["actor"])["badge_no"] == "031245"


def test_device_seq_is_gapless_when_changes_roll_back(env):
    store, admin, _ = env
    write_op(store, admin, "photo.reorder", "c1")
    with pytest.raises(ZeroDivisionError):
        with store.change(admin) as ch:
            ch.log("photo.reorder", "case", "c2", "调整照片顺序")
            ch.enqueue("case", "c2", "photo.reorder", payload("photo.reorder", "c2"))
            1 / 0
    write_op(store, admin, "photo.reorder", "c3")
    with store.batch():  # a failing change inside a batch rolls back to its savepoint
        write_op(store, admin, "photo.reorder", "c4")
        with pytest.raises(ZeroDivisionError):
            with store.change(admin) as ch:
                ch.log("photo.reorder", "case", "c5", "调整照片顺序")
                ch.enqueue("case", "c5", "photo.reorder", payload("photo.reorder", "c5"))
                1 / 0
        write_op(store, admin, "photo.reorder", "c6")
    rows = outbox_rows(store)
    assert [(r["entity_id"], r["device_seq"]) for r in rows] == [("c1", 1), ("c3", 2), ("c4", 3), ("c6", 4)]
    assert OutboxQueue(store, admin).sequence() == (4, 0)


KILLED_MID_CHANGE = """
import json, os, signal, sys
from weicha_desktop.core.store import Store, SYSTEM
store = Store.open(sys.argv[1])
with store.change(SYSTEM) as ch:
    ch.log("photo.reorder", "case", "killed", "调整照片顺序")
    ch.enqueue("case", "killed", "photo.reorder", json.loads(sys.argv[2]))
    os.kill(os.getpid(), signal.SIGKILL)
"""


if hasattr(signal, "SIGKILL"):  # POSIX: a killed process (no skip on Windows: not defined)
    def test_device_seq_is_gapless_after_a_kill_mid_change(env, tmp_path):
        store, admin, _ = env
        write_op(store, admin, "photo.reorder", "c1")
        store.close()
        done = subprocess.run([sys.executable, "-c", KILLED_MID_CHANGE, str(tmp_path / "d"),
                               json.dumps(payload("photo.reorder", "killed"))],
                              env={**os.environ, "PYTHONPATH": os.getcwd()}, timeout=60)
        assert done.returncode == -signal.SIGKILL
        with Store.open(tmp_path / "d") as again:
            write_op(again, admin, "photo.reorder", "c2")
            assert [(r["entity_id"], r["device_seq"]) for r in outbox_rows(again)] == [("c1", 1), ("c2", 2)]


def test_the_sequence_goes_on_after_the_outbox_is_emptied(env):
    store, admin, _ = env
    queue = OutboxQueue(store, admin)
    for i in range(3):
        write_op(store, admin, "photo.reorder", f"c{i}")
    bundle = queue.export_bundle()
    queue.acknowledge_through(bundle["through_seq"])
    assert queue.prune() == 3 and outbox_rows(store) == []
    write_op(store, admin, "photo.reorder", "c9")
    assert [r["device_seq"] for r in outbox_rows(store)] == [4]


@pytest.mark.parametrize("column, value", [
    ("device_seq", "device_seq + 100"), ("actor", "replace(actor, '李明', '王五')"),
    ("payload_version", "payload_version + 1"), ("device_id", "'another-device'"), ("created_at", "'2020-01-01'"),
    ("entity_id", "'c-other'"), ("payload", "replace(payload, 'c1', 'c-other')"),
])
def test_an_edited_envelope_is_named_by_verify(env, tmp_path, column, value):
    store, _, tech = env
    write_op(store, tech, "photo.reorder", "c1")
    store.close()
    assert check(tmp_path / "d").ok
    tamper(tmp_path / "d" / "weicha.db", f"UPDATE outbox SET {column} = {value} WHERE entity_id = 'c1'")
    faults = check(tmp_path / "d").faults
    assert any("同步队列第" in f and "哈希不符" in f for f in faults), faults


def test_a_counter_set_back_or_deleted_is_named_and_never_repeats_a_number_in_the_outbox(env, tmp_path):
    store, admin, _ = env
    queue = OutboxQueue(store, admin)
    for i in range(3):
        write_op(store, admin, "photo.reorder", f"c{i}")
    queue.export_bundle()
    queue.acknowledge_through(2)
    queue.prune()  # c0, c1 gone; c2 (3) stays
    store.close()
    assert check(tmp_path / "d").ok
    tamper(tmp_path / "d" / "weicha.db", "UPDATE outbox_sequence SET last_seq = 1, acknowledged_through = 0")
    assert any("计数器" in f and "已用到第 3 号" in f for f in check(tmp_path / "d").faults)
    with Store.open(tmp_path / "d") as again:  # a save does not fail for it
        write_op(again, admin, "photo.reorder", "c3")
        assert [r["device_seq"] for r in outbox_rows(again)] == [3, 4]
    tamper(tmp_path / "d" / "weicha.db", "DELETE FROM outbox WHERE device_seq > 1")
    tamper(tmp_path / "d" / "weicha.db", "DELETE FROM outbox_sequence")
    faults = check(tmp_path / "d").faults  # the acknowledgement logged number 2 at least
    assert any("计数器" in f and "已用到第 2 号" in f for f in faults), faults
