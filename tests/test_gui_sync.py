"""The sync page and the sync worker against a real server process (issue 11, slice S2;
gui/sync/): the status bar's sync item opens the page, which shows what waits (ops by kind,
photos and MB, what the server refused and why); 立即同步 runs the sync off the GUI thread;
a new outbox entry starts a sync by itself; an unreachable server is shown in red and tried
again as the backoff says, at once when the network returns."""
from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QTableWidget

from weicha_desktop.core.sync.backoff import Backoff
from weicha_desktop.core.sync.queue import OutboxQueue
from weicha_desktop.gui.common.store_events import StoreEvents
from weicha_desktop.gui.shell.main_window import MainWindow
from weicha_desktop.gui.sync.worker import SyncWorker

from tests.gui_support import app, child, dialogs  # noqa: F401 — fixtures
from tests.server_support import free_port, import_photos
from tests.shared_server_support import shared_server  # noqa: F401
from tests.support import forms
from tests.sync_support import enrolled, noisy_photo

pytestmark = pytest.mark.usefixtures("dialogs")


@pytest.fixture(scope="module")
def server(shared_server):  # noqa: F811 — the test process's one SQLite server
    return shared_server("sqlite")


@pytest.fixture
def laptop(server, tmp_path):
    lt, config = enrolled(server, tmp_path / "a")
    yield lt, config
    lt.store.close()


def rows(table: QTableWidget) -> list[list[str]]:
    return [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]


def test_the_status_bar_opens_the_page_and_sync_now_moves_everything(app, qtbot, laptop, tmp_path):
    lt, config = laptop
    case = lt.new_case(1)
    import_photos(lt, case, [noisy_photo(tmp_path / "p.png", size=(64, 48))])  # bytes no other test sends
    queue = OutboxQueue(lt.store, lt.actor)
    refused = lt.new_case(2)  # refused by the server, as far as this laptop knows
    op = [r for r in queue.outstanding() if r["entity_id"] == refused][0]["op_id"]
    queue.mark_exported([op], "b1")
    queue.reject(op, "记录由另一台设备录入")
    window = MainWindow(lt.store, forms(), lt.actor)
    qtbot.addWidget(window)
    window.show()
    window.sync.start()
    label = child(window, QLabel, "syncLabel")
    qtbot.mouseClick(label, Qt.MouseButton.LeftButton)
    page = window.sync_page
    assert page is not None and page.isVisible()
    pending = child(page, QTableWidget, "pendingTable")
    assert ["新建记录（case）", "1"] in rows(pending) and ["导入照片", "1"] in rows(pending)
    photos = child(page, QLabel, "photosPending")
    assert photos.text().startswith("待上传照片：1 张")
    [refusal] = rows(child(page, QTableWidget, "rejectedTable"))
    assert refusal[1] == "新建记录（case）" and refusal[2] == "记录由另一台设备录入"
    assert "服务器：http://127.0.0.1" in child(page, QLabel, "syncServer").text()
    qtbot.waitUntil(lambda: window.sync.state == "ok", timeout=10000)  # start(): the first sync
    qtbot.mouseClick(child(page, QPushButton, "syncNowButton"), Qt.MouseButton.LeftButton)
    assert window.sync.state == "running" and not child(page, QPushButton, "syncNowButton").isEnabled()
    qtbot.waitUntil(lambda: window.sync.state == "ok", timeout=10000)
    assert window.sync.last_result.ok
    qtbot.waitUntil(lambda: rows(pending) == [], timeout=2000)
    assert photos.text() == "没有待上传的照片。" and lt.store.pending_count() == 0
    assert label.text().startswith("同步：已同步（") and child(page, QLabel, "syncState").text().startswith("上次成功同步：")
    assert not child(page, QLabel, "syncError").isVisible()
    window.close()


def test_a_new_outbox_entry_starts_a_sync_by_itself(app, qtbot, laptop):
    lt, config = laptop
    events = StoreEvents(lt.store)
    worker = SyncWorker(lt.store, lt.actor, events, events, after_change_ms=50)
    assert worker.start()
    qtbot.waitUntil(lambda: worker.state == "ok", timeout=10000)
    first = worker.last_result
    lt.new_case(1)
    assert lt.store.pending_count() == 1
    qtbot.waitUntil(lambda: lt.store.pending_count() == 0, timeout=10000)  # nobody clicked
    qtbot.waitUntil(lambda: worker.state == "ok" and worker.last_result is not first, timeout=5000)
    assert worker.last_result.acknowledged == 1
    worker.shutdown()
    events.close()


def test_an_unreachable_server_backs_off_in_red_and_the_network_return_tries_at_once(app, qtbot, laptop, server):
    lt, config = laptop
    lt.new_case(1)
    config.save(replace(config.require(), server_url=f"http://127.0.0.1:{free_port()}"))
    window = MainWindow(lt.store, forms(), lt.actor)
    qtbot.addWidget(window)
    window.sync.backoff = Backoff(60, 300, random=lambda: 1.0)
    window.sync.start()
    qtbot.waitUntil(lambda: window.sync.state == "failed", timeout=10000)
    label = child(window, QLabel, "syncLabel")
    assert label.text() == "同步：未成功，约 60 秒后重试" and "b00020" in label.styleSheet()
    assert "无法连接同步服务器" in label.toolTip() and "保留在本机" in label.toolTip()
    page = window.open_sync()
    assert "无法连接同步服务器" in child(page, QLabel, "syncError").text()
    timer = window.sync._next
    assert timer.isActive() and 55_000 < timer.remainingTime() <= 63_000  # a coarse timer: ±5 %
    config.save(replace(config.require(), server_url=server.url))  # the network is back
    window.sync.network_changed(True)
    qtbot.waitUntil(lambda: window.sync.state == "ok", timeout=10000)
    assert lt.store.pending_count() == 0 and "b00020" not in label.styleSheet()
    window.close()
