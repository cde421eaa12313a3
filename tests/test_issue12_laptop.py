"""Issue 12 audit, the laptop's side of "a receipt from another server or for another device —
imports nothing": the queue, the export records and the folder's sync marks exactly as they
were (tests/test_bundle_laptop.py compares the queue's counts and marks only), and the
refusal logged with the receipt's bundle id. Also a receipt whose signed header is right but
whose inner answer names another server or device, and one cut in half."""
from __future__ import annotations

import pytest

from weicha_desktop.core.bundle import container as C
from weicha_desktop.core.bundle.export import export_ops
from weicha_desktop.core.bundle.receipt import apply_receipt
from tests import bundle_support as B
from tests.test_bundle_laptop import config, lt  # noqa: F401 — a laptop with drafts, enrolled with B's server


def state(lt):
    q = lt.store.conn.execute
    return (q("SELECT * FROM outbox ORDER BY device_seq").fetchall(), q("SELECT * FROM bundle_exports").fetchall(),
            q("SELECT * FROM meta WHERE key NOT LIKE 'checkpoint%' ORDER BY key").fetchall())


def test_receipts_of_another_server_or_device_change_nothing(lt, config, tmp_path):
    done = export_ops(lt.store, lt.actor, tmp_path / "a.wcb", config=config)
    dev, bid, n = lt.device_id, done.bundle_id, done.through_seq
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    cases = {
        "another server's key and id": (B.server_file(tmp_path / "s.wcr", "receipt", dev, {"receipt.json": {}}, {},
                                                      sender_id="srv-other", signer=Ed25519PrivateKey.generate()),
                                        "unknown_sender"),
        "our server's id, another key": (B.server_file(tmp_path / "k.wcr", "receipt", dev, {"receipt.json": {}}, {},
                                                       signer=Ed25519PrivateKey.generate()), "bad_signature"),
        "the answer names another server": (B.receipt(tmp_path / "i.wcr", dev, bid, n, server_id="srv-other"),
                                            "unknown_sender"),
        "to another device": (B.receipt(tmp_path / "d.wcr", "another-device", bid, n), "wrong_recipient"),
        "the answer names another device": (B.receipt(tmp_path / "j.wcr", dev, bid, n, device_id="another-device"),
                                            "wrong_recipient"),
    }
    data = B.receipt(tmp_path / "whole.wcr", dev, bid, n).read_bytes()
    (tmp_path / "cut.wcr").write_bytes(data[:len(data) // 2])
    cases["cut in half"] = (tmp_path / "cut.wcr", "truncated")
    before = state(lt)
    for why, (path, code) in cases.items():
        with pytest.raises(C.BundleError) as e:
            apply_receipt(lt.store, lt.actor, path, config=config)
        assert e.value.code == code, (why, e.value.code, str(e.value))
        assert state(lt) == before, why
        entry = [x for x in lt.store.audit_entries() if x.action == "bundle.refused"][-1]
        assert entry.object_id == C.peek_manifest(tmp_path / "whole.wcr" if code == "truncated" else path)[0].bundle_id
        assert entry.details["code"] == code, why
    # the right one still applies afterwards: nothing was half-taken
    r = apply_receipt(lt.store, lt.actor, B.receipt(tmp_path / "ok.wcr", dev, bid, n), config=config)
    assert r.acknowledged == done.ops and state(lt) != before
