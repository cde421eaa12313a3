"""文件 → 备份… and the backup reminder in the status bar, driven through the real window."""
from __future__ import annotations

import os
import threading
import time
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QLabel, QLineEdit, QMenu, QProgressBar, QPushButton

from gui_support import (Heartbeat, admin, app, cases, child, complete_values, dialogs,  # noqa: F401
                         forms, store)
from photo_gui_support import card
from support import fixed_clock
from weicha_desktop.core import backup as core_backup
from weicha_desktop.core.backup import check_archive, create_backup
from weicha_desktop.core.photos import PhotoService
from weicha_desktop.gui.shell import backup_dialog
from weicha_desktop.gui.shell.main_window import MainWindow

pytestmark = pytest.mark.usefixtures("dialogs")


@pytest.fixture
def window(app, qtbot, store, admin):
    win = MainWindow(store, forms(), admin)
    qtbot.addWidget(win)
    win.show()
    return win


@pytest.fixture
def slow(monkeypatch):
    """The real backup, made slow enough to be caught halfway (one database page per step,
    a pause at every progress report of the worker)."""
    monkeypatch.setattr(core_backup, "SNAPSHOT_PAGES", 1)
    real = backup_dialog.create_backup
    threads = set()  # where the backup reported from: never the GUI thread

    def slowed(store, actor, path, *, progress, cancelled):
        def report(fraction, message):
            threads.add(threading.current_thread() is threading.main_thread())
            time.sleep(0.002)  # ~110 steps of a small folder: ~0.35 s in all, > the stall allowed
            progress(fraction, message)
        return real(store, actor, path, progress=report, cancelled=cancelled)

    monkeypatch.setattr(backup_dialog, "create_backup", slowed)
    return threads


def open_from_menu(qtbot, window) -> QDialog:
    """文件 → 备份… as a user picks it: the action of the File menu."""
    file_menu = window.menuBar().actions()[0].menu()
    assert isinstance(file_menu, QMenu)
    action = child(window, QAction, "backupAction")
    assert action in file_menu.actions() and action.text() == "备份(&B)…"
    action.trigger()
    dialog = child(window, QDialog, "backupDialog")
    qtbot.waitUntil(dialog.isVisible)
    assert not dialog.isModal()  # the window stays usable
    return dialog


def start(qtbot, dialog, path) -> None:
    edit = child(dialog, QLineEdit, "backupPathEdit")
    edit.setText(str(path))
    qtbot.mouseClick(child(dialog, QPushButton, "startBackupButton"), Qt.MouseButton.LeftButton)


def test_backup_through_the_file_menu_shows_progress_and_keeps_the_window_alive(
        qtbot, window, store, cases, tmp_path, slow):
    case = cases.finalize(cases.new_case(complete_values()).id)
    draft = cases.new_case()
    PhotoService(store, cases.actor, cases.forms).import_files(draft.id, card(tmp_path / "card", 3), workers=1)
    window.status.refresh()  # as after a save in the window
    assert child(window, QLabel, "backupReminder").isVisibleTo(window)  # finalized, never backed up
    dialog = open_from_menu(qtbot, window)
    assert "尚未备份" in child(dialog, QLabel, "lastBackupLabel").text()
    assert child(dialog, QLineEdit, "backupPathEdit").text().endswith(".wcbak")
    bar = child(dialog, QProgressBar, "backupProgress")
    values = []
    bar.valueChanged.connect(values.append)
    target = tmp_path / "usb" / "b.wcbak"
    target.parent.mkdir()
    with Heartbeat(qtbot) as beat:
        start(qtbot, dialog, target)
        assert dialog.is_running() and not child(dialog, QPushButton, "startBackupButton").isEnabled()
        qtbot.waitUntil(lambda: not dialog.is_running(), timeout=60000)
    message = child(dialog, QLabel, "backupMessage")
    assert message.isVisible() and "已备份到" in message.text() and "原始照片 3 张" in message.text()
    assert beat.worst < 0.25, f"GUI thread stalled {beat.worst:.3f} s"
    assert slow == {False}  # every step ran off the GUI thread
    assert any(0 < v < 1000 for v in values), values
    manifest = check_archive(target)
    assert manifest["counts"]["cases"] == 2 and len(manifest["entries"]) == 4
    assert store.audit_entries(newest_first=True, limit=1)[0].action == "data.backup"
    assert not child(window, QLabel, "backupReminder").isVisibleTo(window)
    assert not child(window, QPushButton, "backupNowButton").isVisibleTo(window)
    assert "天前" in child(dialog, QLabel, "lastBackupLabel").text()
    assert case.number  # the finalized case is in the copy
    dialog.close()
    again = open_from_menu(qtbot, window)  # the next time: a fresh name in the same folder
    assert again is dialog and not child(dialog, QLabel, "backupMessage").isVisible()
    assert os.path.dirname(child(dialog, QLineEdit, "backupPathEdit").text()) == str(target.parent)


def test_cancel_and_close_while_running_leave_no_file(qtbot, window, store, cases, tmp_path, slow):
    cases.finalize(cases.new_case(complete_values()).id)
    dialog = open_from_menu(qtbot, window)
    bar = child(dialog, QProgressBar, "backupProgress")
    start(qtbot, dialog, tmp_path / "b.wcbak")
    qtbot.waitUntil(lambda: bar.value() > 0, timeout=30000)
    qtbot.mouseClick(child(dialog, QPushButton, "cancelBackupButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.is_running(), timeout=30000)
    assert "已取消" in child(dialog, QLabel, "backupMessage").text()
    assert sorted(os.listdir(tmp_path)) == ["data"]
    start(qtbot, dialog, tmp_path / "c.wcbak")  # 关闭 while it runs: cancelled, then closed
    qtbot.waitUntil(lambda: bar.value() > 0, timeout=30000)
    qtbot.mouseClick(child(dialog, QPushButton, "closeBackupButton"), Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=30000)
    assert sorted(os.listdir(tmp_path)) == ["data"]
    assert not any(e.action == "data.backup" for e in store.audit_entries())


def test_a_target_in_the_data_folder_is_refused_in_the_dialog(qtbot, window, store, tmp_path):
    dialog = open_from_menu(qtbot, window)
    start(qtbot, dialog, store.data_dir / "b.wcbak")
    qtbot.waitUntil(lambda: not dialog.is_running(), timeout=30000)
    message = child(dialog, QLabel, "backupMessage")
    assert "数据文件夹" in message.text() and message.property("kind") == "error"
    assert not (store.data_dir / "b.wcbak").exists()


def test_the_reminder_follows_the_clock_and_backs_up_now(app, qtbot, store, admin, cases, tmp_path):
    def shown(clock_at=None) -> MainWindow:
        if clock_at is not None:
            store.clock = fixed_clock(clock_at)
        win = MainWindow(store, forms(), admin)
        qtbot.addWidget(win)
        win.show()
        return win

    quiet = shown()
    assert not child(quiet, QLabel, "backupReminder").isVisibleTo(quiet)  # only drafts so far: no nag
    cases.finalize(cases.new_case(complete_values()).id)
    quiet.status.refresh()  # as after the save that finalized it
    assert child(quiet, QLabel, "backupReminder").isVisibleTo(quiet)
    assert child(quiet, QLabel, "backupReminder").text() == "尚未备份"
    qtbot.mouseClick(child(quiet, QPushButton, "backupNowButton"), Qt.MouseButton.LeftButton)
    assert child(quiet, QDialog, "backupDialog").isVisible()
    create_backup(store, admin, tmp_path / "b.wcbak")
    at = core_backup.last_backup(store)
    fresh = shown(at + timedelta(days=6))
    assert not child(fresh, QLabel, "backupReminder").isVisibleTo(fresh)
    late = shown(at + timedelta(days=9))
    label = child(late, QLabel, "backupReminder")
    assert label.isVisibleTo(late) and "9 天前" in label.text()
    assert child(late, QPushButton, "backupNowButton").isVisibleTo(late)
