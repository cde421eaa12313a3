"""Issue 12 audit, the window: a laptop enrolled by file (no server address, no token) syncs by
USB bundles only — the sync worker never tries the network and the status bar says so, the
sync page tells how to move to network sync later (a re-enrollment code); a bundle action
refused because the laptop is not enrolled says what to do in the window, not CLI commands."""
from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtWidgets import QLabel, QPushButton

from gui_bundle_support import admin, app, child, dialogs, make_window, notice_texts, store, wait_idle  # noqa: F401
from tests import bundle_support as B
from weicha_desktop.core.cases import CaseService
from weicha_desktop.core.sync.enrollment import SyncConfig
from weicha_desktop.gui.sync.worker import BUNDLES, OFF
from tests.support import forms

pytestmark = pytest.mark.usefixtures("dialogs")


def by_file(store) -> SyncConfig:
    """``store`` enrolled as an offline enrollment leaves it: no server address."""
    config = B.enroll_offline_config(store)
    config.save(replace(config.load(), server_url=""))
    return config


def test_a_laptop_enrolled_by_file_never_tries_the_network(app, qtbot, store, admin, monkeypatch):
    from weicha_desktop.gui.sync import worker as worker_module

    monkeypatch.setattr(worker_module, "run_sync", lambda *a: pytest.fail("a network sync was tried"))
    window = make_window(qtbot, store, admin)
    assert not window.sync.start() and window.sync.state == OFF  # not enrolled yet
    page = window.open_sync()
    by_file(store)
    page.offline.enrolled.emit(None)  # enrolled on the page (gui/bundles/enroll.py): the worker learns it
    sync = window.sync
    assert sync.state == BUNDLES
    assert child(window, QLabel, "syncLabel").text() == "同步：通过 U 盘数据包（离线登记）"
    assert not sync._next.isActive() and not sync._period.isActive() and sync.op is None
    CaseService(store, forms(), admin).new_case()  # ops enqueued: no sync planned
    sync.network_changed(True)
    assert not sync._next.isActive() and sync.op is None
    assert not sync.sync_now() and sync.op is None and sync.state == BUNDLES
    assert not child(page, QPushButton, "syncNowButton").isEnabled()
    text = child(page, QLabel, "syncServer").text()
    assert "U 盘数据包" in text and f"--reenroll {store.meta('device_id')}" in text and "weicha enroll --server" in text
    assert sync.error is None and not child(page, QLabel, "syncError").isVisible()
    window.close()


def test_a_new_window_of_a_laptop_enrolled_by_file_starts_in_bundle_mode(app, qtbot, store, admin, monkeypatch):
    from weicha_desktop.gui.sync import worker as worker_module

    monkeypatch.setattr(worker_module, "run_sync", lambda *a: pytest.fail("a network sync was tried"))
    by_file(store)
    window = make_window(qtbot, store, admin)
    assert not window.sync.start() and window.sync.state == BUNDLES
    assert not window.sync._period.isActive() and window.sync.op is None
    window.close()


def test_not_enrolled_a_receipt_is_refused_in_the_windows_words(app, qtbot, store, admin, tmp_path):
    window = make_window(qtbot, store, admin)
    path = B.receipt(tmp_path / "r.wcr", store.meta("device_id"), "b", 1)
    window.bundles.import_receipt(path)
    wait_idle(qtbot, window)
    [line] = notice_texts(window)
    assert line.startswith("回执 r.wcr 未导入：本机尚未登记到同步服务器") and "“同步”页" in line
    assert "weicha" not in line  # the CLI's words name commands a technician in the window cannot type
    window.bundles.import_reference(B.server_file(tmp_path / "x.wcref", "reference", "*", {}, {"version": 3},
                                                   laptop=store))
    wait_idle(qtbot, window)
    assert "“同步”页" in notice_texts(window)[-1] and "weicha" not in notice_texts(window)[-1]
    window.close()
