"""The replay of the core issue (test_replay.py) over every module: the outbox of `weicha demo`
(fill_demo with ``collect=True``: cases, persons, vehicles, places, their links, watch-list
checks, patrols with their end, requests with their steps) plus a supervisor's review of a
patrol and of a request, applied to a fresh folder of the same unit, reproduces every kind —
each table compared column by column — and applying it twice is applying it once."""
from __future__ import annotations

import json

import pytest

from weicha_desktop.core.demo import fill_demo
from weicha_desktop.core.patrol import PatrolService
from weicha_desktop.core.requests import RequestService
from weicha_desktop.core.store import Store
from weicha_desktop.core.store.oplog import outbox_envelope
from weicha_desktop.core.sync.apply import apply_ops
from weicha_desktop.core.users import UserService

from tests.outbox_support import outbox_rows
from tests.support import fixed_clock, forms, migrated_folder, new_store
from tests.test_replay import snapshot as record_tables

KINDS = ("case", "person", "vehicle", "place", "patrol", "request")


def snapshot(store: Store) -> dict[str, list[dict]]:
    """The record tables of test_replay.py, the links between records and the checks' log."""
    out = record_tables(store)
    for table in ("record_links", "checks"):
        cur = store.conn.execute(f"SELECT * FROM {table} ORDER BY id")
        out[table] = [dict(zip([c[0] for c in cur.description], r)) for r in cur]
    return out


@pytest.fixture(scope="module")
def device(tmp_path_factory):
    store = Store.open(migrated_folder(tmp_path_factory.mktemp("demo") / "src"), clock=fixed_clock())
    fill_demo(store, forms(), cases=10, collect=True)
    boss = UserService(store).get("周建国")
    patrol, request = (store.conn.execute(f"SELECT id FROM records WHERE kind = '{kind}' AND status = 'finalized' "
                                          "ORDER BY id LIMIT 1").fetchone()[0] for kind in ("patrol", "request"))
    PatrolService(store, forms(), boss).review(patrol, approve=False, comment="补记途中核查情况")
    RequestService(store, forms(), boss).review(request, approve=True)
    envelopes = [outbox_envelope(r) for r in outbox_rows(store)]
    yield envelopes, snapshot(store)
    store.close()


def test_the_demos_outbox_replayed_reproduces_every_module(device, tmp_path):
    envelopes, before = device
    # what the comparison covers: every kind, with its links, checks, ends, steps and reviews
    assert {r["kind"] for r in before["records"]} == set(KINDS)
    assert {"patrol.end", "request.step", "check.run", "link.add", "person.review", "patrol.review",
            "request.review", "vehicle.create", "place.create"} <= {e["op"] for e in envelopes}
    assert before["record_links"] and any(c["result"] == "hit" for c in before["checks"])
    kinds = {r["id"]: r["kind"] for r in before["records"]}
    current = {(v["record_id"]): json.loads(v["data"]) for v in before["record_versions"]}
    assert all(current[i].get("ended_at") for i, k in kinds.items() if k == "patrol")
    assert any(len(current[i].get("steps") or []) >= 2 for i, k in kinds.items() if k == "request")
    assert {(kinds[r["record_id"]], r["decision"]) for r in before["reviews"]} >= {
        ("person", "approved"), ("person", "returned"), ("patrol", "returned"), ("request", "approved")}

    dst = new_store(tmp_path / "dst")
    report = apply_ops(dst, envelopes, forms())
    assert report.ok, report.message()
    after = snapshot(dst)
    for table in before:
        assert after[table] == before[table], table
    again = apply_ops(dst, envelopes, forms())  # twice = once
    assert again.ok and again.applied == [] and snapshot(dst) == before
    dst.close()
