"""Offline enrollment on the 同步 page (gui/bundles/enroll.py): the request written, the
enrollment file opened, the server key's fingerprint shown to compare; a refused file said."""
from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLabel, QPushButton

from gui_bundle_support import admin, app, child, dialogs, make_window, store  # noqa: F401
from gui_bundle_support import enroll_step as wait
from tests import bundle_support as B
from weicha_desktop.core.bundle import container as C
from weicha_desktop.core.sync.enrollment import SyncConfig

pytestmark = pytest.mark.usefixtures("dialogs")


@pytest.fixture
def page(app, qtbot, store, admin):
    return make_window(qtbot, store, admin).open_sync()


def test_request_then_enrollment_file_shows_the_server_key_fingerprint(qtbot, page, store, tmp_path):
    box = page.offline
    assert "尚未登记" in child(page, QLabel, "syncServer").text()
    assert child(box, QPushButton, "writeEnrollRequestButton").isEnabled()
    box.write_request(tmp_path / "req")  # the suffix is added
    text = wait(qtbot, box)
    header, m = C.peek_manifest(tmp_path / "req.wcq")
    assert header.kind == "enroll-request" and C.fingerprint(B.device_public(store)) in text
    keys = B.server_keys_b64()
    enrollment = {"device_id": store.meta("device_id"), "server_id": B.SERVER_ID, "unit_code": m["unit_code"],
                  "bundle_keys": keys}
    manifest = {"server_id": B.SERVER_ID, "device_id": store.meta("device_id"), "request_id": header.bundle_id,
                "device_public_key": m["public_key"], **keys}
    good = B.server_file(tmp_path / "e.wce", "enrollment", store.meta("device_id"),
                         {"enrollment.json": enrollment}, manifest, laptop=store)
    bad = tmp_path / "bad.wce"
    data = bytearray(good.read_bytes())
    data[-1] ^= 0x40
    bad.write_bytes(bytes(data))
    box.fingerprint_edit.setText(C.fingerprint(B.keys().server_sign.public_key()).lower())
    box.open_enrollment(bad)
    assert "签名不符" in wait(qtbot, box) and child(box, QLabel, "offlineEnrollResult").property("kind") == "error"
    assert SyncConfig.of(store).load() is None  # nothing kept
    box.open_enrollment(good)
    text = wait(qtbot, box)
    server_fp = C.fingerprint(B.keys().server_sign.public_key())
    assert f"已离线登记：本机登记到同步服务器 {B.SERVER_ID}" in text and server_fp in text
    assert server_fp in child(box, QLabel, "offlineEnrollKeys").text()
    assert "已离线登记到同步服务器" in child(page, QLabel, "syncServer").text()
    assert SyncConfig.of(store).load().server_id == B.SERVER_ID


def test_only_an_administrator_enrolls(app, qtbot, store, admin):
    from dataclasses import replace

    from weicha_desktop.gui.bundles.enroll import OfflineEnrollBox

    box = OfflineEnrollBox(store, replace(admin, role="technician"), drives=lambda: [])
    qtbot.addWidget(box)
    assert not child(box, QPushButton, "writeEnrollRequestButton").isEnabled()
    assert not child(box, QPushButton, "openEnrollmentButton").isEnabled()
