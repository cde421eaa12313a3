"""Issue 12 audit, "Checked by": the round trip with the laptop's real network client on SQLite
AND PostgreSQL (tests/test_bundle_roundtrip.py runs it on SQLite only; the server's tests on
both backends push through ``push()`` by hand): exported, imported, the receipt empties the
queue, then a network sync adds nothing twice — and the other way round, exported ops sent by
the network first, their bundle then adding nothing. And a laptop enrolled by file moves to
network sync later with a re-enrollment code (docs/bundles.md): the network then sends only
what the bundles did not carry, and its old enrollment file is still refused."""
from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from weicha_desktop.core.bundle.container import BundleError
from weicha_desktop.core.bundle.export import export_ops
from weicha_desktop.core.bundle.offline_enroll import apply_enrollment
from weicha_desktop.core.bundle.receipt import apply_receipt
from weicha_desktop.core.sync.enrollment import SyncConfig, enroll
from weicha_desktop.core.sync.push import sync_once
from weicha_desktop.core.sync.queue import OutboxQueue
from weicha_server import auth, db

from tests.fault_proxy import ThreadServer
from tests.server_bundle_support import srv  # noqa: F401
from tests.server_support import closes_laptops, server_cli  # noqa: F401
from tests.server_support import laptop as unit_laptop
from tests.test_issue12_bundle_seq import usb_laptop


@pytest.fixture(scope="module")
def http(srv):
    """The session's bundle server (its data folder and database) served over HTTP too."""
    s = ThreadServer(srv.data_dir, srv.db_url, init=False)
    yield s
    s.stop()


def held(srv, device_id):
    with db.read(srv.engine) as conn:
        return sorted(tuple(r) for r in conn.execute(sa.select(db.ops.c.device_seq, db.ops.c.op_id, db.ops.c.status)
                                                     .where(db.ops.c.device_id == device_id)))


def imported(srv, path):
    run = server_cli(srv.data_dir, "bundle", "import", str(path), "--json", db=srv.db_url)
    assert run.code == 0, run.err
    return json.loads(run.out)["counts"]


def outstanding(lt) -> int:
    c = OutboxQueue(lt.store, lt.actor).counts()
    return c["pending"] + c["exported"]


# The session's bundle server holds other modules' laptops of the default unit, some of them
# never given a number block (registered by hand): this laptop numbers in a unit of its own, so
# its finalized number meets none of theirs (whatever ran before on this test process).
UNIT = "450702000043"


def test_bundle_then_network_and_network_then_bundle_nothing_twice(srv, http, tmp_path):
    lt = unit_laptop(tmp_path / "lt", unit=UNIT)
    enroll(lt.store, http.url, http.code("勘验笔记本", UNIT), actor=lt.actor)
    config = SyncConfig.of(lt.store)
    lt.new_case(1, finalize=True)
    # the bundle first: the receipt empties the queue, the network then sends nothing
    first = export_ops(lt.store, lt.actor, tmp_path / "1.wcb", config=config)
    assert imported(srv, first.path)["applied"] == first.ops > 0
    assert apply_receipt(lt.store, lt.actor, tmp_path / "1.wcr", config=config).acknowledged == first.ops
    assert outstanding(lt) == 0
    before = held(srv, lt.device_id)
    with config.client() as client:
        result = sync_once(lt.store, client, config=config)
    assert result.ok and result.ops_sent == 0 and held(srv, lt.device_id) == before
    # the network first: ops exported, not acknowledged, sent by a sync; their bundle adds nothing
    lt.new_case(2)
    second = export_ops(lt.store, lt.actor, tmp_path / "2.wcb", config=config)
    with config.client() as client:
        result = sync_once(lt.store, client, config=config)
    assert result.ok and result.ops_sent == second.ops > 0 and outstanding(lt) == 0
    before = held(srv, lt.device_id)
    counts = imported(srv, second.path)
    assert counts["applied"] == 0 and counts["skipped"] == second.ops and held(srv, lt.device_id) == before
    r = apply_receipt(lt.store, lt.actor, tmp_path / "2.wcr", config=config)
    assert r.acknowledged == 0 and not r.rejected and outstanding(lt) == 0
    assert [s for s, _, _ in held(srv, lt.device_id)] == sorted(
        x[0] for x in lt.store.conn.execute("SELECT device_seq FROM outbox"))  # each op once


def test_a_laptop_enrolled_by_file_moves_to_network_sync_with_a_reenrollment_code(srv, http, tmp_path):
    lt, config, usb = usb_laptop(srv, tmp_path)
    lt.new_case(1, finalize=True)
    done = export_ops(lt.store, lt.actor, usb / "1.wcb", config=config)
    imported(srv, done.path)
    apply_receipt(lt.store, lt.actor, usb / "1.wcr", config=config)
    lt.new_case(2)  # not carried by any bundle
    assert config.load().server_url == ""
    with http.engine.begin() as conn:
        code = auth.make_code(conn, "勘验笔记本", None, 1.0, reenroll=lt.device_id)[0]
    enroll(lt.store, http.url, code, actor=lt.actor)
    e = config.load()
    assert e.server_url == http.url and e.server_id == srv.server_id
    before = held(srv, lt.device_id)
    with config.client() as client:
        result = sync_once(lt.store, client, config=config)
    assert result.ok and outstanding(lt) == 0
    after = held(srv, lt.device_id)
    assert after[:len(before)] == before and len(after) > len(before)  # only the new ones, nothing twice
    assert [s for s, _, _ in after] == sorted(x[0] for x in lt.store.conn.execute("SELECT device_seq FROM outbox"))
    # the enrollment file again after the network re-enrollment (which rewrote the enrollment's
    # file): still refused as taken before — it would hand back its number block and tables
    with pytest.raises(BundleError) as e:
        apply_enrollment(lt.store, lt.actor, usb / "e.wce", config=config,
                     expected_fingerprint=srv.keys.fingerprints()["signing"])
    assert e.value.code == "older" and config.load().server_url == http.url
