"""The USB story in the window against the real server's code (weicha_server, in this
process, SQLite): a laptop that never saw the network enrolls by file on the 同步 page, exports
through 文件 → 导出数据包… onto a stick, the server imports it and writes its receipt beside it,
and the stick put back in applies the receipt by itself: the queue is empty."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from gui_bundle_support import (FakeDrives, admin, app, dialogs, make_window, notice_texts, store,  # noqa: F401
                                wait_idle)
from gui_bundle_support import enroll_step as wait
from tests.server_bundle_support import srv  # noqa: F401
from tests.server_support import server_cli
from weicha_desktop.core.cases import CaseService
from weicha_desktop.core.sync.queue import OutboxQueue
from gui_support import forms

pytestmark = pytest.mark.usefixtures("dialogs")


def cli(srv, *args):
    run = server_cli(srv.data_dir, *args, db=srv.db_url)
    assert run.code == 0, run.err
    return run


@pytest.mark.parametrize("srv", ["sqlite"], indirect=True)
def test_enroll_export_import_receipt_from_the_window(qtbot, srv, store, admin, tmp_path):
    win = make_window(qtbot, store, admin)
    stick = tmp_path / "media" / "u" / "KINGSTON"
    drives = FakeDrives(win)
    drives.insert(stick)
    box = win.open_sync().offline
    box.write_request(stick / "req.wcq")
    assert "本机设备密钥指纹" in wait(qtbot, box)
    cli(srv, "enroll-import", str(stick / "req.wcq"), "-o", str(stick / "enroll.wce"), "--yes")
    box.fingerprint_edit.setText(srv.keys.fingerprints()["signing"])  # read out by the administrator
    box.open_enrollment(stick / "enroll.wce")
    assert srv.keys.fingerprints()["signing"] in wait(qtbot, box)
    CaseService(store, forms(), admin).new_case()
    dialog = win.bundles.open_export()
    assert dialog.folder_edit.text() == str(stick) and not dialog.enroll_note.isVisibleTo(dialog)
    qtbot.mouseClick(dialog.findChild(QPushButton, "startBundleExportButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.is_running(), timeout=10000)
    [bundle] = stick.glob("*.wcb")
    assert str(bundle) in dialog.message.text()
    cli(srv, "bundle", "import", str(bundle))  # its receipt beside it, on the stick
    assert bundle.with_suffix(".wcr").is_file()
    queue = OutboxQueue(store, admin)
    assert queue.counts()["exported"] > 0
    drives.remove()
    drives.insert(stick)  # back from the server
    wait_idle(qtbot, win)
    assert any(t.startswith(f"已导入回执 {bundle.stem}.wcr") for t in notice_texts(win)), notice_texts(win)
    assert queue.counts()["exported"] == 0 and store.pending_count() == 0
    win.bundles.shutdown()
