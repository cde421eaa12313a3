"""Issue 11's closing audit (/work/notes/issue11-audit.md), the window's side: "a revoked
device gets 401 and the app says so" — the window, not only the core and the CLI
(test_sync_push.py): after ``weicha-server revoke-device`` the status-bar item shows the sync
failed, its tooltip and the sync page say in Chinese that the administrator revoked this
laptop and that the records stay here; the queue is kept."""
from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLabel

from weicha_desktop.gui.shell.main_window import MainWindow

from tests.gui_support import app, child, dialogs  # noqa: F401 — fixtures
from tests.server_support import closes_laptops, running_server, server_cli  # noqa: F401
from tests.support import forms
from tests.sync_support import enrolled

pytestmark = pytest.mark.usefixtures("dialogs")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with running_server(tmp_path_factory.mktemp("srv"), "sqlite") as s:
        yield s


def test_a_revoked_laptop_is_told_so_in_the_window_and_keeps_its_queue(app, qtbot, server, tmp_path):
    lt, config = enrolled(server, tmp_path / "a")
    lt.new_case(1)
    assert server_cli(server.data_dir, "revoke-device", lt.device_id, db=server.db_url).code == 0
    window = MainWindow(lt.store, forms(), lt.actor)
    qtbot.addWidget(window)
    window.sync.start()
    qtbot.waitUntil(lambda: window.sync.state == "failed", timeout=10000)
    label = child(window, QLabel, "syncLabel")
    assert label.text().startswith("同步：未成功")
    assert "本机已被管理员停用" in label.toolTip() and "Traceback" not in label.toolTip()
    page = window.open_sync()
    shown = child(page, QLabel, "syncError")
    assert shown.isVisible() and "本机已被管理员停用" in shown.text() and "保留" in shown.text()
    assert lt.store.pending_count() == 1  # nothing acknowledged, nothing dropped
    window.close()
