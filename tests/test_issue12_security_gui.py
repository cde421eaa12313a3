"""Issue 12 security review, finding 1 in the window: 导入登记文件… asks for the server's
signing-key fingerprint first; a file whose key has another fingerprint is refused, nothing kept."""
from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PySide6.QtWidgets import QLabel, QLineEdit

from gui_bundle_support import admin, app, child, dialogs, store  # noqa: F401
from gui_bundle_support import enroll_step as wait
from tests import bundle_support as B
from weicha_desktop.core.bundle import container as C
from weicha_desktop.core.bundle.keys import public_b64
from weicha_desktop.core.sync.enrollment import SyncConfig
from weicha_desktop.gui.bundles.enroll import OfflineEnrollBox

pytestmark = pytest.mark.usefixtures("dialogs")


def test_the_window_asks_for_the_fingerprint_and_refuses_a_forged_file(app, qtbot, store, admin, tmp_path):
    box = OfflineEnrollBox(store, admin, drives=lambda: [])
    qtbot.addWidget(box)
    box.write_request(tmp_path / "req.wcq")
    wait(qtbot, box)
    header, m = C.peek_manifest(tmp_path / "req.wcq")
    evil = Ed25519PrivateKey.generate()
    keys = B.server_keys_b64() | {"signing_public": public_b64(evil)}
    forged = B.server_file(tmp_path / "e.wce", "enrollment", m["device_id"],
                           {"enrollment.json": {"device_id": m["device_id"], "server_id": B.SERVER_ID,
                                                "unit_code": m["unit_code"], "bundle_keys": keys}},
                           {"server_id": B.SERVER_ID, "device_id": m["device_id"], "request_id": header.bundle_id,
                            "device_public_key": m["public_key"], **keys}, signer=evil, laptop=store)
    result = child(box, QLabel, "offlineEnrollResult")
    assert box.open_enrollment(forged) is None  # no fingerprint typed: not even opened
    assert "请先填写服务器签名公钥指纹" in result.text() and result.property("kind") == "error"
    child(box, QLineEdit, "serverFingerprintEdit").setText(C.fingerprint(B.keys().server_sign.public_key()))
    box.open_enrollment(forged)
    assert "指纹不符" in wait(qtbot, box) and result.property("kind") == "error"
    assert SyncConfig.of(store).load() is None
