"""The outbox's states on this device (core/sync/queue.py): pending → exported (in a bundle)
→ acknowledged → pruned, or rejected; compaction of superseded drafts; and verify never taking
a pruned or compacted op for a deleted one."""
from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from weicha_desktop.core.errors import InvalidState, NotFound, WeichaError
from weicha_desktop.core.ops import OP_BY_NAME
from weicha_desktop.core.store.oplog import ENVELOPE
from weicha_desktop.core.sync.queue import OutboxQueue
from weicha_desktop.core.users import UserService

from tests.outbox_support import outbox_rows, write_op
from tests.support import PASSWORD, new_store, tamper
from tests.verify_support import check


@pytest.fixture
def env(tmp_path):
    store = new_store(tmp_path / "d")
    admin = UserService(store).authenticate("admin", PASSWORD)
    yield store, OutboxQueue(store, admin), admin
    store.close()


def _states(store):
    return [(r["entity_id"], r["state"]) for r in outbox_rows(store)]


def _last_entry(store):
    return store.audit_entries(newest_first=True, limit=1)[0]


def test_an_op_goes_from_pending_through_a_bundle_to_acknowledged_and_is_pruned(env, tmp_path):
    store, queue, admin = env
    ids = [write_op(store, admin, "photo.reorder", f"c{i}") for i in range(3)]
    assert [op["op_id"] for op in queue.pending()] == ids
    bundle = queue.export_bundle(bundle_id="b1")
    assert {k: bundle[k] for k in ("format", "format_version", "bundle_id", "device_id", "from_seq",
                                   "through_seq")} == {"format": "weicha-ops", "format_version": 1,
                                                       "bundle_id": "b1", "device_id": store.meta("device_id"),
                                                       "from_seq": 1, "through_seq": 3}
    assert [list(op) for op in bundle["ops"]] == [list(ENVELOPE)] * 3  # envelopes only, no local state
    assert json.dumps(bundle, ensure_ascii=False)  # plain JSON
    assert queue.pending() == [] and queue.counts()["exported"] == 3
    assert {r["exported_bundle_id"] for r in outbox_rows(store)} == {"b1"}
    assert _last_entry(store).action == "sync.export"
    assert queue.acknowledge_through(2) == 2
    assert _states(store) == [("c0", "acknowledged"), ("c1", "acknowledged"), ("c2", "exported")]
    assert queue.sequence() == (3, 2)
    assert queue.prune() == 2
    entry = _last_entry(store)
    assert entry.action == "sync.prune" and entry.details["acknowledged_ops"] == ids[:2]
    assert _states(store) == [("c2", "exported")]
    store.close()
    report = check(tmp_path / "d")
    assert report.ok, report.faults  # pruned after acknowledgement: not "deleted"


def test_a_later_bundle_carries_again_what_was_not_acknowledged(env):
    store, queue, admin = env
    write_op(store, admin, "photo.reorder", "c0")
    first = queue.export_bundle()
    write_op(store, admin, "photo.reorder", "c1")
    second = queue.export_bundle()
    assert [op["entity_id"] for op in second["ops"]] == ["c0", "c1"]  # the first may be lost
    assert (second["from_seq"], second["through_seq"]) == (1, 2) and second["bundle_id"] != first["bundle_id"]
    assert {r["exported_bundle_id"] for r in outbox_rows(store)} == {second["bundle_id"]}
    queue.acknowledge_through(1)
    third = queue.export_bundle(limit=5)
    assert (third["from_seq"], third["through_seq"]) == (2, 2)
    queue.acknowledge_through(2)
    assert queue.export_bundle() is None  # nothing outstanding: no bundle, no entry
    assert _last_entry(store).action == "sync.acknowledge"


def test_an_acknowledgement_that_cannot_be_this_devices_is_refused(env):
    store, queue, admin = env
    for i in range(3):
        write_op(store, admin, "photo.reorder", f"c{i}")
    queue.mark_exported([r["op_id"] for r in outbox_rows(store)][:2], "b1")
    entries = store.db["audit_log"].count
    with pytest.raises(InvalidState, match="只写到第 3 项"):
        queue.acknowledge_through(4)
    with pytest.raises(InvalidState, match="第 3 项尚未导出"):
        queue.acknowledge_through(3)
    for bad in (-1, True, "2"):
        with pytest.raises(WeichaError, match="无效"):
            queue.acknowledge_through(bad)
    assert store.db["audit_log"].count == entries and queue.counts()["acknowledged"] == 0
    assert queue.acknowledge_through(2) == 2
    entries = store.db["audit_log"].count
    assert queue.acknowledge_through(2) == 0 and queue.acknowledge_through(1) == 0  # heard before
    assert store.db["audit_log"].count == entries and queue.sequence() == (3, 2)


def test_ops_acknowledged_one_by_one(env):
    store, queue, admin = env
    ids = [write_op(store, admin, "photo.reorder", f"c{i}") for i in range(3)]
    queue.mark_exported(ids[:2], "b1")
    with pytest.raises(InvalidState, match="尚未导出"):
        queue.acknowledge(ids)
    with pytest.raises(NotFound, match="没有操作"):
        queue.acknowledge(["no-such-op"])
    assert queue.acknowledge([ids[1]]) == 1 and queue.acknowledge([ids[1]]) == 0
    assert _states(store) == [("c0", "exported"), ("c1", "acknowledged"), ("c2", "pending")]
    assert queue.sequence() == (3, 0)  # the contiguous mark moves only with acknowledge_through


def test_a_rejected_op_keeps_its_reason_and_is_not_sent_again(env, tmp_path):
    store, queue, admin = env
    ids = [write_op(store, admin, "photo.reorder", f"c{i}") for i in range(2)]
    with pytest.raises(InvalidState, match="只有已导出"):
        queue.reject(ids[0], "格式不对")  # never exported: the server cannot have it
    queue.export_bundle()
    with pytest.raises(WeichaError, match="写明原因"):
        queue.reject(ids[0], "  ")
    queue.reject(ids[0], "照片顺序中有未知的照片")
    row = outbox_rows(store)[0]
    assert (row["state"], row["rejected_reason"]) == ("rejected", "照片顺序中有未知的照片")
    assert _last_entry(store).details["reason"] == "照片顺序中有未知的照片"
    assert [op["op_id"] for op in queue.export_bundle()["ops"]] == [ids[1]]
    with pytest.raises(InvalidState, match="拒收"):
        queue.mark_exported([ids[0]], "b9")
    queue.acknowledge_through(2)
    assert _states(store) == [("c0", "rejected"), ("c1", "acknowledged")]
    with pytest.raises(InvalidState):
        queue.reject(ids[1], "晚了")
    store.close()
    assert check(tmp_path / "d").ok


def test_mark_exported_refuses_what_it_cannot_export(env):
    store, queue, admin = env
    op = write_op(store, admin, "photo.reorder", "c0")
    assert queue.mark_exported([], "b1") == 0
    with pytest.raises(NotFound):
        queue.mark_exported([op, "no-such-op"], "b1")
    with pytest.raises(WeichaError, match="数据包编号"):
        queue.mark_exported([op], " ")
    assert _states(store) == [("c0", "pending")]
    assert queue.mark_exported([op, op], "b1") == 1


def test_an_op_deleted_behind_the_queue_is_still_named(env, tmp_path):
    store, queue, admin = env
    for i in range(2):
        write_op(store, admin, "photo.reorder", f"c{i}")
    queue.export_bundle()
    queue.acknowledge_through(2)  # acknowledged but not pruned: nothing logged its removal
    store.close()
    tamper(tmp_path / "d" / "weicha.db", "DELETE FROM outbox WHERE entity_id = 'c0'")
    assert any("已被删除" in f for f in check(tmp_path / "d").faults)


# ---- compaction -----------------------------------------------------------------------------------
def test_compaction_drops_superseded_drafts_only_and_verify_stays_clean(env, tmp_path):
    store, queue, admin = env
    ops = [("case.create", "k1"), ("case.draft", "k1"), ("case.draft", "k2"), ("case.draft", "k1"),
           ("case.finalize", "k1"), ("case.draft", "k1"), ("photo.add", "p1"), ("case.review", "k1"),
           ("case.draft", "k2")]
    ids = [write_op(store, admin, op, entity) for op, entity in ops]
    dropped = queue.compact()
    assert [d["op_id"] for d in dropped] == [ids[1], ids[2], ids[3]]
    assert [d["superseded_by"] for d in dropped] == [ids[5], ids[8], ids[5]]
    assert [r["op_id"] for r in outbox_rows(store)] == [ids[0], ids[4], ids[5], ids[6], ids[7], ids[8]]
    entry = _last_entry(store)
    assert entry.action == "sync.compact" and [d["op"] for d in entry.details["superseded_ops"]] == ["case.draft"] * 3
    assert queue.compact() == []
    bundle = queue.export_bundle()
    carried = {op["device_seq"] for op in bundle["ops"]}
    missing = set(range(bundle["from_seq"], bundle["through_seq"] + 1)) - carried
    assert missing == {d["device_seq"] for d in dropped}  # the gaps are the compacted ops
    store.close()
    faults = check(tmp_path / "d").faults  # (the cases these ops name have no rows: other faults)
    assert [f for f in faults if "同步队列" in f] == [] and faults
    tamper(tmp_path / "d" / "weicha.db", "DELETE FROM outbox WHERE op_id = ?", ids[5])  # a kept draft
    assert any("同步队列" in f and "已被删除" in f for f in check(tmp_path / "d").faults)


def test_verify_refuses_a_non_draft_op_passed_off_as_superseded(env, tmp_path):
    """Only a registered draft op may be missing as superseded: a finalize logged so is named."""
    store, queue, admin = env
    finalize = write_op(store, admin, "case.finalize", "k1")
    with store.change(admin) as ch:  # what a faulty compaction would write
        ch.conn.execute("DELETE FROM outbox WHERE op_id = ?", (finalize,))
        ch.log("sync.compact", "device", store.meta("device_id"), "合并",
               {"superseded_ops": [{"op_id": finalize, "op": "case.finalize", "superseded_by": "x"}]})
    store.close()
    assert any("只有草稿操作" in f for f in check(tmp_path / "d").faults)


OPS = st.sampled_from(["case.draft", "case.draft", "case.draft", "case.create", "case.finalize",
                       "case.review", "case.amend", "photo.add", "photo.reorder"])


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=st.lists(st.tuples(OPS, st.integers(0, 2)), max_size=25),
       exported=st.integers(0, 25), twice=st.booleans())
def test_compaction_keeps_every_non_draft_op_and_the_last_draft_per_entity_in_order(
        tmp_path_factory, steps, exported, twice):
    store = new_store(tmp_path_factory.mktemp("compact"))
    try:
        admin = UserService(store).get("admin")
        queue = OutboxQueue(store, admin)
        written = []  # (op id, op, entity)
        for op, n in steps:
            entity = f"p{n}" if op == "photo.add" else f"k{n}"
            written.append((write_op(store, admin, op, entity), op, entity))
        queue.mark_exported([w[0] for w in written[:exported]], "b1")  # those may not go
        queue.compact()
        if twice:
            queue.compact()  # nothing more to drop
        last_draft = {}
        for op_id, op, entity in written:
            if OP_BY_NAME[op].draft:
                last_draft[("case", entity)] = op_id
        expected = [op_id for i, (op_id, op, entity) in enumerate(written)
                    if not OP_BY_NAME[op].draft or i < exported or last_draft[("case", entity)] == op_id]
        assert [r["op_id"] for r in outbox_rows(store)] == expected
        assert [r["device_seq"] for r in outbox_rows(store)] == sorted(r["device_seq"] for r in outbox_rows(store))
    finally:
        store.close()
