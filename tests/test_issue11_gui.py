"""Issue 11's closing audit (/work/notes/issue11-audit.md), the window's side, what
test_gui_sync.py left unproven: a revoked laptop is told so in the window (the status-bar
item's tooltip, the sync page) and keeps its queue; the page shows the current progress of a
sync; the worker also starts a sync periodically and when Qt's network information says the
network is back."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QProgressBar

from weicha_desktop.gui.shell.main_window import MainWindow
from weicha_desktop.gui.sync.worker import PERIOD_MS

from tests.gui_support import app, child, dialogs  # noqa: F401 — fixtures
from tests.media_support import make_photo
from tests.server_support import closes_laptops, import_photos, server_cli  # noqa: F401
from tests.shared_server_support import shared_server  # noqa: F401
from tests.support import forms
from tests.sync_support import enrolled

pytestmark = pytest.mark.usefixtures("dialogs")


@pytest.fixture(scope="module")
def server(shared_server):  # noqa: F811 — one for the test process
    return shared_server("sqlite")


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


def test_the_worker_follows_qt_network_information(app, qtbot, server, tmp_path, monkeypatch):
    """"Starts when the network returns (Qt network information …)": the worker listens to
    QNetworkInformation's reachability where the platform has a backend (a stand-in here: the
    test machine has none) — back Online, it forgets the backoff and syncs at once; a network
    going away plans nothing."""
    import PySide6.QtNetwork as QtNetwork
    from PySide6.QtCore import QObject, Signal

    from weicha_desktop.core.sync.backoff import Backoff
    from weicha_desktop.gui.common.store_events import StoreEvents
    from weicha_desktop.gui.sync.worker import SyncWorker

    real = QtNetwork.QNetworkInformation

    class Info(QObject):
        reachabilityChanged = Signal(object)

    info = Info()

    class Stand(object):
        Feature, Reachability = real.Feature, real.Reachability
        loadBackendByFeatures = staticmethod(lambda features: features == real.Feature.Reachability)
        instance = staticmethod(lambda: info)

    monkeypatch.setattr(QtNetwork, "QNetworkInformation", Stand)
    lt, config = enrolled(server, tmp_path / "n")
    events = StoreEvents(lt.store)
    worker = SyncWorker(lt.store, lt.actor, events, backoff=Backoff(60, 300, random=lambda: 1.0))
    assert worker.start()
    qtbot.waitUntil(lambda: worker.state == "ok", timeout=10000)
    worker.backoff.failure()  # as if the last try had failed: the next one a minute away
    worker._next.stop()
    info.reachabilityChanged.emit(real.Reachability.Disconnected)
    assert not worker._next.isActive()
    info.reachabilityChanged.emit(real.Reachability.Online)
    assert worker._next.isActive() and worker._next.remainingTime() < 1000 and worker.backoff.delay() == 0
    qtbot.waitUntil(lambda: worker.state == "ok" and not worker._next.isActive(), timeout=10000)
    worker.shutdown()
    events.close()
