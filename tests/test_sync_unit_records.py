"""The unit_records pull sends what the spec says (issue 11 leftovers): the finalized records
of the unit, not the drafts other laptops are still writing; a draft finalized later reaches
the supervisor whole (its earlier ops, photos included, come with its first finalize).
SQLite and PostgreSQL."""
from __future__ import annotations

import pytest

from weicha_desktop.core.sync import is_copy
from weicha_desktop.core.sync.pull import pull_all
from weicha_desktop.core.sync.push import sync_once

from tests.server_support import BACKENDS, closes_laptops  # noqa: F401
from tests.shared_server_support import shared_server  # noqa: F401
from tests.sync_support import client, enrolled, with_photos


@pytest.fixture(scope="module", params=BACKENDS)
def server(request, shared_server):  # noqa: F811 — one per backend for the test process
    return shared_server(request.param)


def sync(lt, config, **kw):
    with client(config) as c:
        assert sync_once(lt.store, c, config=config).error is None
        return pull_all(lt.store, c, server_id=config.require().server_id, review=True, **kw)


def records(lt):
    return {r[0]: r[1] for r in lt.store.conn.execute("SELECT id, status FROM records")}


def test_a_supervisor_gets_the_units_finalized_records_and_no_drafts(server, tmp_path):
    owner, owner_cfg = enrolled(server, tmp_path / "owner", "450702000021")
    done = owner.new_case(1, finalize=True)
    draft = owner.new_case(2, drafts=2)
    with_photos(owner, draft, tmp_path)
    sync(owner, owner_cfg)
    sup, sup_cfg = enrolled(server, tmp_path / "sup", "450702000021")
    got = sync(sup, sup_cfg)
    assert got.ok, got.problems
    assert records(sup) == {done: "finalized"}  # before: the draft too
    with client(sup_cfg) as c:
        rows = c.pull("unit_records", None)["rows"]
    assert rows and draft not in {r["entity_id"] for r in rows} | {r["payload"].get("record_id") for r in rows}

    owner.cases().finalize(draft)
    sync(owner, owner_cfg)
    got = sync(sup, sup_cfg)
    assert got.ok, got.problems
    assert records(sup) == {done: "finalized", draft: "finalized"} and is_copy(sup.store.conn, draft)
    assert sup.store.conn.execute("SELECT count(*) FROM photos WHERE record_id = ?", (draft,)).fetchone()[0] == 4
    assert got.thumbnails == 4
    assert sync(sup, sup_cfg).copies == 0  # nothing again
