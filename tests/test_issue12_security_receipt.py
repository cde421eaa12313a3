"""Issue 12 security review, finding 6: the receipt of a bundle imported before, written again,
keeps the time the first one was written (bundle_imports.receipt_at, server migration 7) — a
fresh time made a laptop that took the re-issue first judge the genuine later receipt older
and acknowledge nothing from it."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.server_bundle_support import ops_bundle, srv  # noqa: F401
from tests.server_support import closes_laptops, laptop  # noqa: F401
from weicha_desktop.core.bundle import container as C
from weicha_desktop.core.bundle.receipt import apply_receipt
from weicha_desktop.core.clock import FixedClock
from weicha_desktop.core.sync.enrollment import Enrollment, SyncConfig
from weicha_desktop.core.sync.queue import OutboxQueue
from weicha_server.bundles import Importer


def test_a_reissued_receipt_keeps_its_time_and_the_later_one_still_counts(srv, tmp_path):
    lt, key = laptop(tmp_path / "lt"), Ed25519PrivateKey.generate()
    srv.enroll(lt, key)
    config = SyncConfig.of(lt.store)
    config.save(Enrollment(server_url="", server_id=srv.server_id, device_id=lt.device_id,
                           unit_code=lt.store.meta("unit_code"), cert_pem=None, fingerprint=None,
                           enrolled_at=lt.store.clock.iso(), extra={"bundle_keys": srv.keys.public()}))
    clock = FixedClock(datetime.now(timezone.utc).replace(microsecond=0), timedelta(seconds=5))
    imp = Importer(srv.config(), srv.engine, clock=clock)
    lt.new_case(1)
    ops_bundle(lt, key, srv, tmp_path / "b1.wcb", bundle_seq=1)
    imp.import_file(tmp_path / "b1.wcb", tmp_path / "r1.wcr")
    lt.new_case(2)
    ops_bundle(lt, key, srv, tmp_path / "b2.wcb", bundle_seq=2)
    r2 = imp.import_file(tmp_path / "b2.wcb", tmp_path / "r2.wcr")
    again = imp.import_file(tmp_path / "b1.wcb", tmp_path / "r1-again.wcr")  # b1 dropped in again
    at = {p: C.verify_container(tmp_path / p, sender_key=lambda h: srv.keys.signing_public).created_at
          for p in ("r1.wcr", "r2.wcr", "r1-again.wcr")}
    assert again.status == "same" and at["r1-again.wcr"] == at["r1.wcr"] < at["r2.wcr"]
    apply_receipt(lt.store, lt.actor, tmp_path / "r1-again.wcr", config=config)
    later = apply_receipt(lt.store, lt.actor, tmp_path / "r2.wcr", config=config)
    assert not later.older and OutboxQueue(lt.store, lt.actor).sequence()[1] == r2.receipt["through_seq"]
