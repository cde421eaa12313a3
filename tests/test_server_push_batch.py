"""A push applied in passes (weicha_server/push.py, issue 11 S5): the new ops held in one
INSERT, the record rows read once and written at the batch's end. The answer must stay what
deciding op after op gave: an op id twice in one batch, an op id another device took
meanwhile, a record another device made meanwhile, a review judged on a row this batch
changed. SQLite and PostgreSQL; the races in-process (the other transaction's row put in
between the batch's read and its write)."""
from __future__ import annotations

import base64
import copy
import os

import pytest
import sqlalchemy as sa

from weicha_desktop.core import ops as registry
from weicha_desktop.core.ids import new_id
from weicha_server import auth, push as push_module
from weicha_server.db import make_engine, ops, records
from weicha_server.errors import ApiError

from tests.outbox_support import example
from tests.server_support import BACKENDS, backend_db, closes_laptops, init_server, laptop  # noqa: F401


# ---- in-process: the server's push() on a database of each backend ----------------------------
@pytest.fixture(scope="module", params=BACKENDS)
def engine(request, tmp_path_factory):
    """One database per backend for the module (each test enrolls devices of its own)."""
    tmp = tmp_path_factory.mktemp("push-batch")
    with backend_db(request.param, migrated=True) as db:  # (PostgreSQL: a copy of the migrated template)
        init_server(tmp / "server", db)
        engine = make_engine(db or f"sqlite:///{tmp / 'server' / 'server.db'}")
        try:
            yield engine
        finally:
            engine.dispose()


def enroll(engine, device_id: str) -> str:
    key = base64.b64encode(os.urandom(32)).decode()
    with engine.begin() as conn:
        code = auth.make_code(conn, "笔记本", None, 1.0)[0]
        return auth.enroll(conn, code=code, device_id=device_id, device_name="笔记本", public_key=key,
                           unit_code=None)[0]


def push(engine, token: str, body: dict) -> dict:
    with engine.begin() as conn:
        device = auth.authenticate(conn, f"Bearer {token}", lock=True)
        return push_module.push(conn, device, body, max_batch=500).body()


def held(engine, device_id: str) -> dict[int, tuple[str, str]]:
    with engine.connect() as conn:
        return {r.device_seq: (r.op_id, r.status) for r in conn.execute(
            sa.select(ops.c.device_seq, ops.c.op_id, ops.c.status).where(ops.c.device_id == device_id))}


def owner(engine, record_id: str) -> str | None:
    with engine.connect() as conn:
        return conn.execute(sa.select(records.c.owner_device_id).where(records.c.record_id == record_id)).scalar()


def review_env(device_id: str, seq: int, record_id: str, version: int, current: int) -> dict:
    """A case.review by ``device_id`` deciding ``version`` of ``record_id``, its record row
    at ``current`` (a payload of the registered shape)."""
    spec = registry.OP_BY_NAME["case.review"]
    payload = example(spec.schema, "x")
    payload.update(case_id=record_id, version=version, review_id=new_id(), decision="approved")
    payload["record"].update(current_version=current, status="reviewed")
    return {"op_id": new_id(), "device_id": device_id, "device_seq": seq, "actor": {"id": "u1"},
            "payload_version": spec.payload_version, "entity_kind": "case", "entity_id": record_id,
            "op": "case.review", "created_at": "2026-11-27T09:00:00+08:00", "payload": payload}


def test_an_op_id_twice_in_one_batch_is_held_once_the_second_a_409(engine, tmp_path):
    lt = laptop(tmp_path / "a")
    lt.new_case(1)
    lt.new_case(2)
    e1, e2 = lt.envelopes()
    twice = dict(copy.deepcopy(e2), op_id=e1["op_id"])  # seq 2 under op 1's id
    token = enroll(engine, lt.device_id)
    answer = push(engine, token, lt.body([e1, twice]))
    assert answer["applied"] == [e1["op_id"]] and answer["through_seq"] == 2
    assert [(x["op_id"], x["status"], x["error"]) for x in answer["rejected"]] == [(e1["op_id"], 409, "conflict")]
    assert held(engine, lt.device_id) == {1: (e1["op_id"], "applied")}
    assert owner(engine, e2["entity_id"]) is None  # the rejected op projected nothing


def test_an_op_id_another_device_took_meanwhile_is_a_409_and_projects_nothing(engine, tmp_path, monkeypatch):
    lt = laptop(tmp_path / "a")
    lt.new_case(1)
    lt.new_case(2)
    e1, e2 = lt.envelopes()
    token, _ = enroll(engine, lt.device_id), enroll(engine, f"other-{lt.device_id[:40]}")
    insert_new = push_module._insert_new

    def meanwhile(conn, rows):  # another device's push commits e1's id between read and write
        conn.execute(ops.insert().values(dict(rows[0], device_id=f"other-{lt.device_id[:40]}", device_seq=1)))
        return insert_new(conn, rows)

    monkeypatch.setattr(push_module, "_insert_new", meanwhile)
    answer = push(engine, token, lt.body([e1, e2]))
    assert [(x["op_id"], x["error"]) for x in answer["rejected"]] == [(e1["op_id"], "conflict")]
    assert answer["applied"] == [e2["op_id"]] and answer["through_seq"] == 2  # the queue goes on
    assert held(engine, lt.device_id) == {2: (e2["op_id"], "applied")}
    assert owner(engine, e1["entity_id"]) is None and owner(engine, e2["entity_id"]) == lt.device_id


def test_a_record_another_device_made_meanwhile_refuses_the_batch_and_its_retry_says_so(
        engine, tmp_path, monkeypatch):
    lt = laptop(tmp_path / "a")
    lt.new_case(1)
    (e1,) = lt.envelopes()
    token = enroll(engine, lt.device_id)
    write = push_module._Batch._write_records

    def meanwhile(self):  # another device's transaction commits a row for the same record id
        self.conn.execute(records.insert().values(
            record_id=e1["entity_id"], kind="case", status="draft", current_version=1,
            updated_at="2026-11-27T09:00:00+08:00", owner_device_id="other-device"))
        monkeypatch.setattr(push_module._Batch, "_write_records", write)
        return write(self)

    monkeypatch.setattr(push_module._Batch, "_write_records", meanwhile)
    with pytest.raises(ApiError) as refused:
        push(engine, token, lt.body([e1]))
    assert refused.value.status == 503 and refused.value.error == "busy"
    assert held(engine, lt.device_id) == {} and owner(engine, e1["entity_id"]) is None  # nothing kept
    with engine.begin() as conn:  # the other device's row, committed now
        conn.execute(records.insert().values(
            record_id=e1["entity_id"], kind="case", status="draft", current_version=1,
            updated_at="2026-11-27T09:00:00+08:00", owner_device_id="other-device"))
    retry = push(engine, token, lt.body([e1]))
    assert [(x["error"], x["status"]) for x in retry["rejected"]] == [("record_exists", 409)]


def test_a_review_is_judged_on_the_row_an_earlier_op_of_its_batch_wrote(engine, tmp_path):
    """Two decisions in one batch of a supervisor's device on another device's record: the
    first carries the record at version 2, so the second (on version 1) is superseded — as
    when every op was written before the next was judged."""
    lt = laptop(tmp_path / "a")
    case = lt.new_case(1, finalize=True)
    push(engine, enroll(engine, lt.device_id), lt.body(lt.envelopes()))
    assert owner(engine, case) == lt.device_id
    sup = f"supervisor-{lt.device_id[:40]}"
    token = enroll(engine, sup)
    first, second = review_env(sup, 1, case, 1, current=2), review_env(sup, 2, case, 1, current=2)
    answer = push(engine, token, {"device_id": sup, "ops": [first, second], "from_seq": 1,
                                  "through_seq": 2, "audit": []})
    assert answer["applied"] == [first["op_id"]] and answer["through_seq"] == 2
    assert [(x["op_id"], x["error"]) for x in answer["rejected"]] == [(second["op_id"], "superseded")]
    assert owner(engine, case) == lt.device_id  # a decision never changes the writer
