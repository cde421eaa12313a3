"""The sync oracle's fresh full replay (tests/sync_oracle.py, ``check(..., fresh=folder)``: the
server's applied ops replayed into a new empty store, the mode the seeded campaign ends with)
finds an op the server holds tampered and a record the laptop holds changed.

test_sync_faults' self-test tampers with its oracle in the incremental mode only: there the
replay store already holds what the clean check replayed, and an op changed since is refused
by apply_ops as a second content for an applied op. Here the same oracle has replayed
everything incrementally first; the fresh replay must apply the tampered op and name the row
it makes that differs from the laptop's (check 5). One laptop on the test
process's shared SQLite server (its own device: the tamper is on its ops only, put back)."""
from __future__ import annotations

import json
import random
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from weicha_server.db import ops

from tests.shared_server_support import shared_server  # noqa: F401
from tests.support import raw_writes
from tests.sync_oracle import Oracle
from tests.test_sync_faults import replay_store, sides, work


@pytest.fixture(scope="module")
def server(shared_server):  # noqa: F811 — one for the test process
    return shared_server("sqlite")


def last_photo_update(held) -> tuple:
    """The applied photo.update with no op on its photo after it: the photo's row as the
    laptop has it comes from this op's payload."""
    later: set[str] = set()
    for h in reversed(held):
        env = json.loads(h.envelope)
        if h.status == "applied" and env["op"] == "photo.update" and env["entity_id"] not in later:
            return h, env
        later.add(env["entity_id"])
    raise AssertionError("the workload updated no photo")


def test_the_fresh_replay_finds_a_tampered_op_and_a_changed_record(server, tmp_path):
    with sides(server, tmp_path) as [a], replay_store(tmp_path / "replay") as replay:
        work(a, random.Random(9), 3, tmp_path)  # a case, its draft saved, photos given their classes
        a.quiet()
        engine = server.engine()
        oracle = Oracle(replay, engine, server.data_dir / "blobs")
        oracle.check([a.lt], context="clean, incremental")  # the replay store now holds it all
        oracle.check([a.lt], context="clean, fresh", fresh=tmp_path / "fresh-clean")
        device = a.store.meta("device_id")
        with engine.connect() as conn:
            held = conn.execute(sa.select(ops).where(ops.c.device_id == device).order_by(ops.c.device_seq)).all()
        victim, env = last_photo_update(held)
        env["payload"]["caption"] = "篡改的说明"

        @contextmanager
        def tampered():
            with engine.begin() as conn:
                conn.execute(ops.update().where(ops.c.op_id == victim.op_id).values(
                    envelope=json.dumps(env, ensure_ascii=False, separators=(",", ":"), sort_keys=True)))
            try:
                yield
            finally:  # put it back
                with engine.begin() as conn:
                    conn.execute(ops.update().where(ops.c.op_id == victim.op_id).values(envelope=victim.envelope))

        def fails(context, *words):
            with pytest.raises(AssertionError) as e:
                oracle.check([a.lt], context=context, fresh=tmp_path / context)
            assert all(w in str(e.value) for w in words), str(e.value)

        with tampered():
            fails("op", "replay differs in photos", env["entity_id"], "other bytes")
        with raw_writes(a.store):
            a.store.conn.execute("UPDATE records SET updated_at = '2030-01-01T00:00:00+08:00' "
                                 "WHERE id = (SELECT min(id) FROM records)")
        fails("record", "replay differs in records", "2030-01-01")
