"""Issue 12, the last server gap (weicha_server/bundles.py), on SQLite and PostgreSQL: a bundle
is judged by what it carries, not by its number. A laptop put back from a backup counts its
bundles again, so its next bundle has a number the server has seen: when that bundle carries
audit entries the server has not anchored (or an op it does not hold) it goes through the
push path like any other — anchored, a receipt written — and only one that adds nothing is
the no-op "older" that says so."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from weicha_server import db
from weicha_server.bundles import BundleRefused, Importer

from tests.server_bundle_support import enrolled_laptop, ops_bundle, read_receipt, srv  # noqa: F401
from tests.server_support import closes_laptops  # noqa: F401


def anchored(srv, device_id: str) -> int | None:
    with db.read(srv.engine) as conn:
        return conn.execute(sa.select(db.devices.c.anchored_seq).where(db.devices.c.id == device_id)).scalar()


def test_a_repeated_number_is_judged_by_what_the_bundle_carries(srv, tmp_path):
    lt, key = enrolled_laptop(srv, tmp_path / "a")
    lt.new_case(1)
    importer = Importer(srv.config(), srv.engine)
    first = ops_bundle(lt, key, srv, tmp_path / "1.wcb", bundle_seq=1)
    assert importer.import_file(tmp_path / "1.wcb").status == "imported"
    assert anchored(srv, lt.device_id) == first["audit_seq"]
    # put back from a backup: bundle 1 again, its ops all held, only new audit entries
    lt.store.log_read(lt.actor, "data.backup", "backup", None, "恢复后备份一次")
    again = tmp_path / "again.wcb"
    carried = ops_bundle(lt, key, srv, again, bundle_seq=1, audit_after=first["audit_seq"])
    assert carried["through_seq"] == first["through_seq"] and carried["audit_seq"] > first["audit_seq"]
    done = importer.import_file(again)
    assert done.status == "imported", done.message
    assert anchored(srv, lt.device_id) == carried["audit_seq"]
    receipt = read_receipt(srv, again.with_suffix(".wcr"), lt.device_id, tmp_path / "staging")
    assert receipt["bundle_id"] == done.bundle_id and receipt["anchored"]["seq"] == carried["audit_seq"]
    assert receipt["through_seq"] == first["through_seq"] and receipt["applied"] == 0
    logged = [e["details"] for e in srv.audit("bundle.import") if e["details"]["bundle_id"] == done.bundle_id]
    assert len(logged) == 1 and logged[0]["anchored"]["seq"] == carried["audit_seq"]
    # the same number once more, adding nothing (every op held, no audit entry past the anchor)
    before, nothing = srv.snapshot(), tmp_path / "nothing.wcb"
    held = ops_bundle(lt, key, srv, nothing, bundle_seq=1, audit_after=10 ** 9)["ops"]
    out = importer.import_file(nothing)
    assert out.status == "older" and "没有改动" in out.message
    assert srv.snapshot() == before and not nothing.with_suffix(".wcr").exists()
    assert srv.audit("bundle.skipped")[-1]["details"] == {"bundle_id": out.bundle_id, "device_id": lt.device_id,
                                                          "bundle_seq": 1, "why": "older"}
    # an op under a number the server holds for another op (a restored laptop writing on): not
    # passed over as older — the push path refuses the fork, as it does over the network
    envs = [dict(env) for env in held]
    envs[-1]["op_id"] = envs[-1]["op_id"][:-4] + "ffff"
    ops_bundle(lt, key, srv, tmp_path / "fork.wcb", bundle_seq=1, audit_after=10 ** 9, ops=envs)
    with pytest.raises(BundleRefused) as refused:
        importer.import_file(tmp_path / "fork.wcb")
    assert refused.value.code == "fork" and srv.snapshot() == before
    assert srv.audit("bundle.refused")[-1]["details"]["bundle_id"] == refused.value.bundle_id is not None
