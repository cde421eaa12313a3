"""USB bundles end to end with both sides' real code (issue 12), on SQLite and PostgreSQL: a
laptop that never saw the network enrolls by file (weicha enroll --request → enroll-import →
weicha enroll --file), exports its ops and photos (weicha bundle export), the server imports
them and its receipt empties the laptop's queue (weicha bundle receipt); a second export
carries only what is new; reference data comes down by file; ops that went over the network
first are skipped when their bundle arrives, nothing twice."""
from __future__ import annotations

import sqlalchemy as sa

from weicha_desktop.core.bundle.export import export_ops
from weicha_desktop.core.bundle.offline_enroll import apply_enrollment, write_request
from weicha_desktop.core.bundle.receipt import apply_receipt
from weicha_desktop.core.bundle.refimport import import_reference
from weicha_desktop.core.sync.enrollment import SyncConfig
from weicha_desktop.core.sync.queue import OutboxQueue
from weicha_server import db
from weicha_server.auth import Device
from weicha_server.push import push

from tests.media_support import make_photo
from tests.server_bundle_support import srv  # noqa: F401
from tests.server_support import closes_laptops, import_photos, laptop, server_cli  # noqa: F401


def cli(srv, *args):
    run = server_cli(srv.data_dir, *args, db=srv.db_url)
    assert run.code == 0, run.err
    return run


def outstanding(lt) -> int:
    return lt.store.conn.execute("SELECT count(*) FROM outbox WHERE state IN ('pending', 'exported')").fetchone()[0]


def test_enroll_export_import_receipt_reference_by_usb_alone(srv, tmp_path):
    lt, usb = laptop(tmp_path / "lt"), tmp_path / "usb"
    usb.mkdir()
    req = write_request(lt.store, lt.actor, usb / "req.wcq", device_name="勘验笔记本 9")
    shown = cli(srv, "enroll-import", str(req.path), "-o", str(usb / "enroll.wce"), "--yes")
    assert req.fingerprint in shown.out and "勘验笔记本 9" in shown.out
    config = SyncConfig.of(lt.store)
    enrolled = apply_enrollment(lt.store, lt.actor, usb / "enroll.wce", config=config,
                                expected_fingerprint=srv.keys.fingerprints()["signing"])
    assert enrolled.server_id == srv.server_id and enrolled.fingerprint == srv.keys.fingerprints()["signing"]
    assert enrolled.tables.get("users") == 2  # the unit's (server_bundle_support.USERS)
    case = lt.new_case(1, drafts=1)
    [sha] = import_photos(lt, case, [make_photo(tmp_path / "p.jpg", (64, 48), seed=11)])
    first = export_ops(lt.store, lt.actor, usb / "1.wcb", config=config)
    assert first.bundle_seq == 1 and first.blobs == 1
    cli(srv, "bundle", "import", str(first.path))
    taken = apply_receipt(lt.store, lt.actor, usb / "1.wcr", config=config)
    assert taken.through_seq == first.through_seq and taken.acknowledged == first.ops and not taken.rejected
    assert outstanding(lt) == 0 and (srv.data_dir / "blobs" / sha[:2] / sha).read_bytes() == lt.blob(sha)
    with db.read(srv.engine) as conn:
        row = conn.execute(sa.select(db.devices).where(db.devices.c.id == lt.device_id)).one()
    assert row.through_seq == first.through_seq and row.anchored_seq == taken.anchored["seq"]
    # the next export carries only what is new, and not the original the receipt said is held
    lt.cases().update(case, {"narrative_visit": "补充访问。"})
    second = export_ops(lt.store, lt.actor, usb / "2.wcb", config=config)
    assert second.bundle_seq == 2 and second.ops == 1 and second.blobs == 0
    cli(srv, "bundle", "import", str(second.path))
    assert apply_receipt(lt.store, lt.actor, usb / "2.wcr", config=config).acknowledged == 1
    # the first bundle again: nothing changes; its receipt again is stale on the laptop
    again = cli(srv, "bundle", "import", str(first.path))
    assert "导入过" in again.out
    assert apply_receipt(lt.store, lt.actor, usb / "1.wcr", config=config).stale
    assert outstanding(lt) == 0
    # reference data down
    cli(srv, "reference", "export", "--device", lt.device_id, "-o", str(usb / "ref.wcref"))
    ref = import_reference(lt.store, lt.actor, usb / "ref.wcref", config=config)
    assert ref.version > 0


def test_ops_sent_over_the_network_first_are_skipped_when_their_bundle_arrives(srv, tmp_path):
    lt, usb = laptop(tmp_path / "lt"), tmp_path / "usb"
    usb.mkdir()
    req = write_request(lt.store, lt.actor, usb / "req.wcq")
    cli(srv, "enroll-import", str(req.path), "-o", str(usb / "e.wce"), "--yes")
    config = SyncConfig.of(lt.store)
    apply_enrollment(lt.store, lt.actor, usb / "e.wce", config=config,
                     expected_fingerprint=srv.keys.fingerprints()["signing"])
    lt.new_case(2, finalize=True)
    bundle = OutboxQueue(lt.store, lt.actor).export_bundle()
    with srv.engine.begin() as conn:  # the network's push of the same ops
        dev = Device.of(conn.execute(sa.select(db.devices).where(db.devices.c.id == lt.device_id)).one())
        pushed = push(conn, dev, lt.body(bundle["ops"], bundle["from_seq"], bundle["through_seq"]), max_batch=500)
    assert len(pushed.applied) == len(bundle["ops"])
    exported = export_ops(lt.store, lt.actor, usb / "late.wcb", config=config)
    assert exported.ops == len(bundle["ops"])  # not acknowledged on the laptop yet: carried again
    run = cli(srv, "bundle", "import", str(exported.path), "--json")
    assert '"applied": 0' in run.out and f'"skipped": {exported.ops}' in run.out
    with db.read(srv.engine) as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(db.ops)
                            .where(db.ops.c.device_id == lt.device_id)).scalar() == exported.ops
    assert apply_receipt(lt.store, lt.actor, usb / "late.wcr", config=config).acknowledged == exported.ops
    assert outstanding(lt) == 0
