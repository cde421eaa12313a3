"""USB bundles and network sync together, against the real server over HTTP (issue 12,
"Checked by"): a laptop exports, the server imports (`weicha-server bundle import`), the
receipt comes back, the laptop's queue empties; the same data then synced over the network
(sync_once, the real client) adds nothing twice — and the other way round. The files-only
story (offline enrollment, reference data) on both backends: tests/test_server_bundle_roundtrip.py."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from weicha_desktop.core.bundle.export import export_ops
from weicha_desktop.core.bundle.keys import stored
from weicha_desktop.core.bundle.receipt import apply_receipt
from weicha_desktop.core.sync.push import sync_once
from weicha_desktop.core.sync.queue import OutboxQueue
from weicha_server.db import ops as server_op_rows
from tests.fault_proxy import ThreadServer
from tests.server_support import closes_laptops, import_photos, server_cli  # noqa: F401 — closes laptops
from tests.sync_support import enrolled, noisy_photo


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = ThreadServer(tmp_path_factory.mktemp("bundle-server"))
    yield srv
    srv.stop()


def _held(server, device_id):
    with server.engine.connect() as conn:
        return sorted(tuple(r) for r in conn.execute(sa.select(server_op_rows.c.device_seq, server_op_rows.c.op_id)
                                                     .where(server_op_rows.c.device_id == device_id)))


def _laptop_with_a_photo_case(server, tmp_path):
    lt, config = enrolled(server, tmp_path / "lt")
    assert stored(config) is not None  # the server's bundle keys came with the enroll answer
    case = lt.new_case(1)
    sha = import_photos(lt, case, [noisy_photo(tmp_path / "p.png", (64, 48))])[0]
    return lt, config, sha


def test_usb_round_trip_then_the_network_adds_nothing(server, tmp_path):
    lt, config, sha = _laptop_with_a_photo_case(server, tmp_path)
    queue = OutboxQueue(lt.store, lt.actor)
    done = export_ops(lt.store, lt.actor, tmp_path / "a.wcb", config=config)
    assert done.blobs == 1 and done.ops == queue.counts()["exported"]
    out = server_cli(server.data_dir, "bundle", "import", str(done.path))
    assert out.code == 0, out.err
    r = apply_receipt(lt.store, lt.actor, tmp_path / "a.wcr", config=config)
    assert r.acknowledged == done.ops and not r.rejected and not r.waiting and r.anchored
    counts = queue.counts()
    assert counts["pending"] == counts["exported"] == 0 and counts["acknowledged"] == done.ops
    held = _held(server, lt.device_id)
    assert [s for s, _ in held] == [r[0] for r in lt.store.conn.execute("SELECT device_seq FROM outbox "
                                                                      "ORDER BY device_seq")]  # each op once
    assert (server.data_dir / "blobs").exists() and any((server.data_dir / "blobs").rglob(sha))
    with config.client() as client:
        result = sync_once(lt.store, client, config=config)
    assert result.ok and result.ops_sent == 0 and result.photos_uploaded == 0
    assert _held(server, lt.device_id) == held
    again = server_cli(server.data_dir, "bundle", "import", str(done.path))  # the same bundle again: a no-op
    assert again.code == 0 and _held(server, lt.device_id) == held


def test_network_first_then_the_bundle_adds_nothing(server, tmp_path):
    lt, config, _ = _laptop_with_a_photo_case(server, tmp_path)
    queue = OutboxQueue(lt.store, lt.actor)
    done = export_ops(lt.store, lt.actor, tmp_path / "b.wcb", config=config)
    with config.client() as client:  # exported, not acknowledged: the network sends them too
        result = sync_once(lt.store, client, config=config)
    assert result.ok and result.ops_sent == done.ops and queue.counts()["exported"] == 0
    held = _held(server, lt.device_id)
    out = server_cli(server.data_dir, "bundle", "import", str(done.path))
    assert out.code == 0, out.err
    assert _held(server, lt.device_id) == held
    r = apply_receipt(lt.store, lt.actor, tmp_path / "b.wcr", config=config)
    assert r.acknowledged == 0 and not r.rejected and queue.sequence()[1] == done.through_seq



def test_weicha_sync_fetches_the_bundle_keys_a_laptop_lacks(server, tmp_path):
    from dataclasses import replace

    from weicha_desktop.core.bundle.keys import KEYS_FIELD
    from tests.support import run_cli

    lt, config = enrolled(server, tmp_path / "lt")
    keys = stored(config)
    e = config.require()
    config.save(replace(e, extra={k: v for k, v in e.extra.items() if k != KEYS_FIELD}))  # enrolled before keys
    assert stored(config) is None
    data = lt.store.data_dir
    lt.store.close()
    out = run_cli(data, "sync", "--once")
    assert out.returncode == 0, out.stderr
    assert stored(config) == keys
