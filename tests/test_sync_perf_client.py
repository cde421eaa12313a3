"""The sync client's cheap path (issue 11, benchmark targets; core/sync/push.py).

- The ops go up as their stored JSON text spliced into the request — the same values
  ``outbox_envelope`` gives — read from past the contiguous mark; a stored op that is not JSON
  stops the sync before it with a message that names it (instead of an exception).
- A backlog goes up with one push in flight while the answer before it is recorded
  (``_launch``): the next batch leaves from the server's mark before the answer is written down,
  and still every op is applied once, acknowledged only by the server's contiguous mark, an op
  written meanwhile waits for a later push, and an answer lost in flight leaves nothing
  acknowledged that the server does not hold."""
from __future__ import annotations

import json
import threading

import pytest

from weicha_desktop.core.store.oplog import outbox_envelope
from weicha_desktop.core.sync import push as push_module
from weicha_desktop.core.sync.client import ServerUnreachable, SyncClient
from weicha_desktop.core.sync.push import outstanding_ops, push_body, sync_once
from weicha_desktop.core.sync.queue import OutboxQueue
from tests.outbox_support import outbox_rows
from tests.shared_server_support import shared_server  # noqa: F401
from tests.support import tamper
from tests.sync_support import client, enrolled
from tests.sync_support import server_ops as held
from tests.fault_proxy import Recording  # the real transport, a hook as each push leaves
from tests.test_sync_push import states
from tests.test_sync_push import acks as marks  # the marks acknowledged, in order


@pytest.fixture(scope="module")
def server(shared_server):  # noqa: F811 — one for the test process
    return shared_server("sqlite")


def test_the_spliced_envelopes_are_the_stored_ops_and_the_read_starts_past_the_mark(tmp_path, server):
    lt, _ = enrolled(server, tmp_path / "a")
    lt.new_case(1, finalize=True, drafts=1)
    case = lt.new_case(2)
    lt.cases().update(case, {"narrative_visit": '引号 " 反斜杠 \\ 制表\t换行\n结束'})
    rows = outbox_rows(lt.store)
    ops = outstanding_ops(lt.store.conn, lt.device_id, 0, 500)
    assert [json.loads(op.raw) for op in ops] == [outbox_envelope(r) for r in rows]
    assert [(op.op_id, op.device_seq, op.op, op.entity_id) for op in ops] == \
        [(r["op_id"], r["device_seq"], r["op"], r["entity_id"]) for r in rows]
    assert [op.device_seq for op in outstanding_ops(lt.store.conn, lt.device_id, 2, 2)] == [3, 4]
    audit = [{"seq": 1, "action": "x", "details": {"说明": "审计"}}]
    body = json.loads(push_body(lt.device_id, ops[1:], 1, audit))
    assert body == {"device_id": lt.device_id, "from_seq": 2, "through_seq": rows[-1]["device_seq"],
                    "audit": audit, "ops": [outbox_envelope(r) for r in rows[1:]]}
    assert json.loads(push_body(lt.device_id, [], 7, [])) == {
        "device_id": lt.device_id, "from_seq": 8, "through_seq": 7, "audit": [], "ops": []}


def test_a_damaged_stored_op_stops_the_sync_before_it_and_names_it(tmp_path, server):
    lt, config = enrolled(server, tmp_path / "b")
    lt.new_case(3, drafts=1)
    seq = outbox_rows(lt.store)[1]["device_seq"]
    tamper(lt.store.data_dir / "weicha.db", "UPDATE outbox SET payload = '{\"case_id\": ' WHERE device_seq = ?", seq)
    with client(config) as c:
        r = sync_once(lt.store, c, config=config)
    assert not r.ok and getattr(r.error, "code", None) == "damaged_op"
    assert f"第 {seq} 项" in str(r.error) and "weicha verify" in str(r.error)
    assert held(server, lt.device_id) == {}  # the batch was refused whole: nothing applied
    assert {row["state"] for row in outbox_rows(lt.store)} == {"pending"}  # nothing acknowledged
    assert config.require().last_error == str(r.error)


# ---- one push in flight ------------------------------------------------------------------------
BATCH = 3  # ops a push carries here: a few cases make a backlog of several pushes


def sync(lt, config, transport=None, **kw):
    with client(config, **({"transport": transport} if transport else {})) as c:
        return push_module.sync_once(lt.store, c, config=config, max_ops=BATCH, **kw)


def test_the_next_batch_leaves_before_the_answer_is_recorded_and_each_op_counts_once(
        server, tmp_path, monkeypatch):
    lt, config = enrolled(server, tmp_path / "a")
    for seed in range(4):
        lt.new_case(seed, finalize=seed == 0, drafts=1)
    rows = outbox_rows(lt.store)
    order = []  # what the sync did, in its own thread's order
    real_body, real_ack = push_module.push_body, OutboxQueue.acknowledge_through
    monkeypatch.setattr(push_module, "push_body", lambda dev, ops, ack, audit: (
        order.append(("push", ops[-1].device_seq if ops else ack)), real_body(dev, ops, ack, audit))[1])
    monkeypatch.setattr(OutboxQueue, "acknowledge_through", lambda self, n: (
        order.append(("ack", n)), real_ack(self, n))[1])
    r = sync(lt, config)
    assert r.ok and r.applied == r.acknowledged == len(rows) and r.batches == -(-len(rows) // BATCH)
    ends = [seq for what, seq in order if what == "push"]
    assert ends == [rows[min(i + BATCH, len(rows)) - 1]["device_seq"] for i in range(0, len(rows), BATCH)]
    # push n + 1 was on its way before answer n was written down (a push at a time: ack, push, ack …)
    assert order[:3] == [("push", ends[0]), ("push", ends[1]), ("ack", ends[0])]
    assert [seq for what, seq in order if what == "ack"] == marks(lt) == ends  # only the server's marks
    assert held(server, lt.device_id) == {r["device_seq"]: (r["op_id"], "applied") for r in rows}
    assert set(states(lt).values()) == {"acknowledged"}
    assert lt.store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    lt.store.close()


def test_ops_written_while_pushes_are_in_flight_wait_for_a_later_push(server, tmp_path, monkeypatch):
    lt, config = enrolled(server, tmp_path / "b")
    for seed in range(3):
        lt.new_case(seed, drafts=1)
    first = max(states(lt))
    ends, late = [], []
    real_body = push_module.push_body
    monkeypatch.setattr(push_module, "push_body", lambda dev, ops, ack, audit: (
        ends.append(ops[-1].device_seq), real_body(dev, ops, ack, audit))[1])

    def before(n):  # on the push thread, on the caller's connection, as the sync records an answer
        if n in (2, 3):
            lt.new_case(10 + n)
            late.append(max(states(lt)))
            assert states(lt)[late[-1]] == "pending"

    r = sync(lt, config, transport=Recording(flight=before))
    assert r.ok and not r.rejected and len(ends) >= 3 and late[-1] > first
    # each acknowledgement is the end of a push the server answered: never an op it did not carry
    assert marks(lt) == ends
    assert all(states(lt)[q] in ("pending", "acknowledged") for q in late)
    again = sync(lt, config)
    assert again.ok and set(states(lt).values()) == {"acknowledged"} and max(marks(lt)) == max(states(lt))
    assert held(server, lt.device_id) == {r["device_seq"]: (r["op_id"], "applied") for r in outbox_rows(lt.store)}
    lt.store.close()


def test_an_answer_lost_in_flight_acknowledges_nothing_the_server_does_not_hold(server, tmp_path):
    lt, config = enrolled(server, tmp_path / "c")
    for seed in range(4):
        lt.new_case(seed, drafts=1)
    rows = outbox_rows(lt.store)
    r = sync(lt, config, transport=Recording(lose={3}))
    assert isinstance(r.error, ServerUnreachable)
    server_has = held(server, lt.device_id)
    acked = {q for q, s in states(lt).items() if s == "acknowledged"}
    assert acked and acked <= set(server_has) and len(server_has) > len(acked)  # the lost one applied there
    assert marks(lt) == sorted(marks(lt)) and max(marks(lt)) == max(acked)
    again = sync(lt, config)
    assert again.ok and again.skipped >= 1 and set(states(lt).values()) == {"acknowledged"}
    assert held(server, lt.device_id) == {r["device_seq"]: (r["op_id"], "applied") for r in rows}
    lt.store.close()


class Killed(BaseException):
    """The laptop died here (nothing in the sync may catch it)."""


def test_killed_while_recording_an_answer_with_the_next_push_applied_the_laptop_is_not_stuck(
        server, tmp_path, monkeypatch):
    lt, config = enrolled(server, tmp_path / "d")
    for seed in range(4):
        lt.new_case(seed, drafts=1)
    rows = outbox_rows(lt.store)
    answered, real_push = threading.Event(), SyncClient.push

    def push(self, body):  # the second push (in flight) answered by the server
        answer = real_push(self, body)
        if answer["through_seq"] == rows[2 * BATCH - 1]["device_seq"]:
            answered.set()
        return answer

    def killed(self, n):  # recording the first answer: dies once the server has applied the second
        assert answered.wait(10)
        raise Killed

    monkeypatch.setattr(SyncClient, "push", push)
    monkeypatch.setattr(OutboxQueue, "acknowledge_through", killed)
    with pytest.raises(Killed):
        sync(lt, config)
    monkeypatch.undo()
    second = rows[2 * BATCH - 1]["device_seq"]
    assert max(held(server, lt.device_id)) == second  # the server is two pushes ahead of the laptop
    assert {s for q, s in states(lt).items() if q > rows[BATCH - 1]["device_seq"]} == {"pending"}
    again = sync(lt, config)  # acknowledges what each batch carried, never the pending ops past it
    assert again.ok, again.error
    assert (again.skipped, again.applied) == (2 * BATCH, len(rows) - 2 * BATCH)
    assert set(states(lt).values()) == {"acknowledged"} and marks(lt) == sorted(marks(lt))
    assert held(server, lt.device_id) == {r["device_seq"]: (r["op_id"], "applied") for r in rows}
    lt.store.close()
