"""Issue 11's closing audit (/work/notes/issue11-audit.md), the window's side. "A revoked
device gets 401 and the app says so" — the window, not only the core and the CLI
(test_sync_push.py): after ``weicha-server revoke-device`` the status-bar item shows the sync
failed, its tooltip and the sync page say in Chinese that the administrator revoked this
laptop and that the records stay here; the queue is kept."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QProgressBar

from weicha_desktop.gui.shell.main_window import MainWindow
from weicha_desktop.gui.sync.worker import PERIOD_MS

from tests.gui_support import app, child, dialogs  # noqa: F401 — fixtures
from tests.media_support import make_photo
from tests.server_support import closes_laptops, import_photos, running_server, server_cli  # noqa: F401
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


def test_the_page_shows_the_progress_and_the_worker_also_syncs_periodically(app, qtbot, server, tmp_path):
    """The page's "current progress" (photo MB, ops sent, the bar) during a real sync, and
    the periodic start (every five minutes) the issue names beside the network and the outbox."""
    lt, config = enrolled(server, tmp_path / "b")
    case = lt.new_case(1)
    import_photos(lt, case, [make_photo(tmp_path / "p.jpg", size=(64, 48))])
    window = MainWindow(lt.store, forms(), lt.actor)
    qtbot.addWidget(window)
    page = window.open_sync()
    text, bar = child(page, QLabel, "syncProgressText"), page.findChild(QProgressBar)
    seen = []
    window.sync.progressed.connect(lambda *_: seen.append((text.text(), bar.value(), bar.maximum())))
    assert window.sync.start()
    qtbot.waitUntil(lambda: window.sync.state == "ok", timeout=10000)
    assert any(t.startswith("正在上传照片原图：") and t.endswith(" MB") for t, _, _ in seen), seen
    [(said, value, top)] = [x for x in seen if x[0].startswith("正在发送同步操作")]
    assert said == "正在发送同步操作：已发送 2 项" and top == 1000 and 0 < value <= top, seen
    assert not text.isVisible() and not bar.isVisible() and lt.store.pending_count() == 0
    period = window.sync.findChild(QTimer, "syncPeriodTimer")
    assert period.isActive() and period.interval() == PERIOD_MS == 5 * 60 * 1000
    window.sync._next.stop()  # nothing planned: only the period may start the next sync
    period.timeout.emit()
    assert window.sync._next.isActive()
    window.close()
