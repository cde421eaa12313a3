"""The sync client's cheap path (issue 11, benchmark targets; core/sync/push.py): the ops go
up as their stored JSON text spliced into the request — the same values ``outbox_envelope``
gives — read from past the contiguous mark, and a stored op that is not JSON stops the sync
before it with a message that names it (instead of an exception out of the sync)."""
from __future__ import annotations

import json

import pytest

from weicha_desktop.core.store.oplog import outbox_envelope
from weicha_desktop.core.sync.push import outstanding_ops, push_body, sync_once
from tests.outbox_support import outbox_rows
from tests.server_support import running_server
from tests.support import tamper
from tests.sync_support import client, enrolled
from tests.sync_support import server_ops as held


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with running_server(tmp_path_factory.mktemp("srv"), "sqlite") as s:
        yield s


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
