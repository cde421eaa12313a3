"""文件 → 导出数据包… (gui/bundles/export_dialog.py) through the real main window: the drives
listed, the export on a worker with its progress, 取消 leaving no file, refusals said."""
from __future__ import annotations

import errno
import os
import time

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (QDialog, QLabel, QLineEdit, QListWidget, QMenu, QMessageBox, QProgressBar,
                               QPushButton)

from gui_bundle_support import FakeDrives, admin, app, child, dialogs, enrolled, store, window  # noqa: F401
from weicha_desktop.core.bundle.export import last_bundle_seq
from weicha_desktop.gui.bundles import export_dialog
from weicha_desktop.gui.bundles.volumes import Volume, removable

pytestmark = pytest.mark.usefixtures("dialogs")


def open_from_menu(qtbot, window) -> QDialog:
    file_menu = window.menuBar().actions()[0].menu()
    assert isinstance(file_menu, QMenu)
    action = child(window, QAction, "exportBundleAction")
    assert action in file_menu.actions() and action.text() == "导出数据包(&E)…"
    assert action.shortcut().toString() == "Ctrl+Shift+E"
    action.trigger()
    dialog = child(window, QDialog, "bundleExportDialog")
    qtbot.waitUntil(dialog.isVisible)
    assert not dialog.isModal()
    return dialog


def click(qtbot, dialog, name: str) -> None:
    qtbot.mouseClick(child(dialog, QPushButton, name), Qt.MouseButton.LeftButton)


def message(dialog) -> QLabel:
    return child(dialog, QLabel, "bundleExportMessage")


def test_removable_drives_are_chosen_by_where_they_are_mounted():
    vols = [Volume("/"), Volume("/home"), Volume("/media/u/KINGSTON", "KINGSTON"), Volume("/run/media/u/SD"),
            Volume("/mnt/usb"), Volume("/mnt/share", fs_type="cifs"), Volume("/media/u/gone", ready=False),
            Volume("/mnt/"), Volume("/run/user/1000", fs_type="tmpfs")]
    assert [v.root for v in removable(vols, windows=False)] == ["/media/u/KINGSTON", "/mnt/usb", "/run/media/u/SD"]
    win = [Volume("C:/"), Volume("D:/", "U盘"), Volume("E:/"), Volume("//server/share"), Volume("F:/x")]
    assert [v.root for v in removable(win, windows=True, system_drive="C:")] == ["D:/", "E:/"]
    assert [v.root for v in removable(win, windows=True, system_drive="D:")] == ["C:/", "E:/"]


def test_export_to_the_inserted_drive_shows_progress_and_what_was_written(qtbot, window, store, tmp_path):
    drives = FakeDrives(window)
    stick = drives.insert(tmp_path / "media" / "u" / "KINGSTON")
    dialog = open_from_menu(qtbot, window)
    listed = child(dialog, QListWidget, "bundleDriveList")
    assert listed.count() == 1 and "KINGSTON" in listed.item(0).text() and "可用 8.00 GB" in listed.item(0).text()
    assert child(dialog, QLineEdit, "bundleFolderEdit").text() == stick.root  # the drive chosen by itself
    name = child(dialog, QLineEdit, "bundleFileName").text()
    assert name.startswith("weicha-") and name.endswith("-0001.wcb")  # the computer and the bundle_seq
    assert "同步操作 1 项" in child(dialog, QLabel, "bundlePending").text()
    values = []
    child(dialog, QProgressBar, "bundleExportProgress").valueChanged.connect(values.append)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=2000)
    qtbot.keyClick(dialog.focusWidget() or dialog, Qt.Key.Key_Return)  # Ctrl+Shift+E, Enter: to the stick
    assert dialog.is_running() and not child(dialog, QPushButton, "startBundleExportButton").isEnabled()
    qtbot.waitUntil(lambda: not dialog.is_running(), timeout=10000)
    text = message(dialog).text()
    assert message(dialog).property("kind") == "ok", text
    written = tmp_path / "media" / "u" / "KINGSTON" / name
    assert written.is_file() and sorted(p.name for p in written.parent.iterdir()) == [name]  # no part file left
    assert f"已写出数据包 {written}" in text and "第 1 个" in text and "同步操作 1 项" in text and "照片原图 0 张" in text
    assert values and values[-1] == 1000  # the bar followed the writer's progress
    assert last_bundle_seq(store, store.meta("device_id")) == 1
    assert child(dialog, QLineEdit, "bundleFileName").text().endswith("-0002.wcb")  # the next one
    drives.remove()  # the stick pulled: the list says so, the folder it had goes with it
    assert not (listed.item(0).flags() & Qt.ItemFlag.ItemIsEnabled) and "未发现 U 盘" in listed.item(0).text()


@pytest.mark.parametrize("how", ["cancel", "close the window"])
def test_cancel_midway_leaves_no_file(qtbot, window, store, tmp_path, monkeypatch, how):
    real = export_dialog.export_ops

    def held(store, actor, path, *, config, progress, cancel):
        def report(done, total):  # the first progress waits for 取消
            progress(done, total)
            deadline = time.monotonic() + 5
            while not cancel() and time.monotonic() < deadline:
                time.sleep(0.002)
        return real(store, actor, path, config=config, progress=report, cancel=cancel)

    monkeypatch.setattr(export_dialog, "export_ops", held)
    dialog = open_from_menu(qtbot, window)
    folder = tmp_path / "out"
    folder.mkdir()
    child(dialog, QLineEdit, "bundleFolderEdit").setText(str(folder))
    click(qtbot, dialog, "startBundleExportButton")
    bar = child(dialog, QProgressBar, "bundleExportProgress")
    qtbot.waitUntil(lambda: bar.maximum() == 1000 and bar.value() > 0, timeout=5000)
    if how == "cancel":
        click(qtbot, dialog, "cancelBundleExportButton")
        qtbot.waitUntil(lambda: not dialog.is_running(), timeout=5000)
        assert message(dialog).property("kind") == "error" and "已取消" in message(dialog).text()
    else:  # the program closes: the export is cancelled and its worker awaited, not left behind
        assert window.close()
        assert dialog.op is None or not dialog.op.is_running() or dialog.op.wait(0)
    assert list(folder.iterdir()) == []  # nothing, not even a hidden part file
    assert last_bundle_seq(store, store.meta("device_id")) == 0
    assert not [e for e in store.audit_entries() if e.action == "bundle.export"]


def test_refusals_are_said_and_write_nothing(qtbot, window, store, enrolled, tmp_path):
    dialog = open_from_menu(qtbot, window)
    folder, name = child(dialog, QLineEdit, "bundleFolderEdit"), child(dialog, QLineEdit, "bundleFileName")
    folder.setText(str(store.data_dir))  # -o inside the data folder
    click(qtbot, dialog, "startBundleExportButton")
    qtbot.waitUntil(lambda: not dialog.is_running(), timeout=5000)
    assert message(dialog).property("kind") == "error" and "数据文件夹" in message(dialog).text()
    folder.setText(str(tmp_path / "no-such-folder"))
    click(qtbot, dialog, "startBundleExportButton")
    qtbot.waitUntil(lambda: not dialog.is_running(), timeout=5000)
    assert message(dialog).property("kind") == "error" and message(dialog).text()
    name.setText("a/b.wcb")
    assert not dialog.start() and "文件夹请在上面选择" in message(dialog).text()
    assert not list(store.data_dir.glob("*.wcb")) and last_bundle_seq(store, store.meta("device_id")) == 0
    # everything acknowledged (exported, its receipt taken): nothing to export, no file
    from tests import bundle_support as B
    from weicha_desktop.core.bundle.export import export_ops
    from weicha_desktop.core.bundle.receipt import apply_receipt

    done = export_ops(store, window.actor, tmp_path / "first.wcb", config=enrolled)
    head = store.audit_entries()[-1]
    apply_receipt(store, window.actor, B.receipt(tmp_path / "first.wcr", store.meta("device_id"), done.bundle_id,
                                                 done.through_seq, anchored={"seq": head.seq, "hash": head.hash}),
                  config=enrolled)
    folder.setText(str(tmp_path))
    name.setText("x.wcb")
    click(qtbot, dialog, "startBundleExportButton")
    qtbot.waitUntil(lambda: not dialog.is_running(), timeout=5000)
    assert "没有需要导出的内容" in message(dialog).text() and not (tmp_path / "x.wcb").exists()


def test_not_enrolled_or_no_keys_says_what_to_do(qtbot, window, store, enrolled, tmp_path):
    from tests import bundle_support as B

    B.enroll_offline_config(store, bundle_keys=False)
    dialog = open_from_menu(qtbot, window)
    note = child(dialog, QLabel, "bundleEnrollNote")
    assert note.isVisible() and "立即同步" in note.text() and "离线登记" in note.text()
    assert not child(dialog, QPushButton, "startBundleExportButton").isEnabled()
    enrolled.path.unlink()
    dialog.close()
    dialog = open_from_menu(qtbot, window)
    assert "尚未登记" in note.text() and "同步" in note.text()
    assert not dialog.start() and "尚未登记" in message(dialog).text()
    B.enroll_offline_config(store)  # enrolled on the 同步 page meanwhile: back to the dialog
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: not note.isVisible(), timeout=2000)
    assert child(dialog, QPushButton, "startBundleExportButton").isEnabled()


def test_a_full_drive_is_said_and_leaves_no_file(qtbot, window, store, tmp_path, monkeypatch, dialogs):
    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    dialog = open_from_menu(qtbot, window)
    child(dialog, QLineEdit, "bundleFolderEdit").setText(str(tmp_path))
    name = child(dialog, QLineEdit, "bundleFileName").text()
    (tmp_path / name).write_bytes(b"an older one")
    click(qtbot, dialog, "startBundleExportButton")  # replace it? no (the default answer): nothing starts
    assert not dialog.is_running() and "已经存在" in dialogs.shown[-1][2]
    dialogs.answers.append(QMessageBox.StandardButton.Yes)
    click(qtbot, dialog, "startBundleExportButton")
    qtbot.waitUntil(lambda: not dialog.is_running(), timeout=5000)
    assert message(dialog).property("kind") == "error" and "磁盘空间不足" in message(dialog).text()
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".wcb" or p.name.startswith(".")] == [name]
    assert (tmp_path / name).read_bytes() == b"an older one"  # the file there is left as it was
    assert last_bundle_seq(store, store.meta("device_id")) == 0
