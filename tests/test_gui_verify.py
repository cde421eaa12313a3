"""文件 → 校验数据…: verify in the window, on a worker with a read-only connection, driven
through the real menu and widgets."""
from __future__ import annotations

import re

import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QLabel, QMenu, QPushButton, QTextBrowser

from gui_support import admin, app, child, dialogs, store  # noqa: F401
from support import PASSWORD, tamper
from test_gui_anchor import older_copy_in_place, shown
from weicha_desktop.core.users import UserService

pytestmark = pytest.mark.usefixtures("dialogs")


def checked(qtbot, win) -> QDialog:
    """文件 → 校验数据… as a user picks it, until the report is in."""
    file_menu = win.menuBar().actions()[0].menu()
    action = child(win, QAction, "verifyAction")
    assert isinstance(file_menu, QMenu) and action in file_menu.actions()
    assert action.text() == "校验数据(&V)…"
    action.trigger()
    dialog = child(win, QDialog, "verifyDialog")
    qtbot.waitUntil(dialog.isVisible)
    assert not dialog.isModal()  # the window stays usable
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=20000)
    return dialog


def colours(dialog) -> dict[str, str]:
    """Each paragraph of the report (its text) → its colour."""
    html = child(dialog, QTextBrowser, "verifyReport").toHtml()
    found = re.findall(r'<p [^>]*><span style="[^"]*color:(#[0-9a-f]{6});[^"]*">(.*?)</span></p>', html)
    return {text: colour for colour, text in found}


def test_a_clean_folder_is_reported_clean_with_its_notices_in_grey(app, qtbot, store, admin):
    win = shown(qtbot, store, admin)
    entries = store.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    dialog = checked(qtbot, win)
    summary = child(dialog, QLabel, "verifySummary")
    assert summary.text().startswith("校验通过：") and summary.property("kind") == "ok"
    assert dialog.report.ok and not dialog.report.faults
    shown_lines = colours(dialog)
    assert any("签名检查点相符" in text for text in shown_lines), shown_lines
    assert set(shown_lines.values()) == {"#666666"}  # notices only: grey
    # it only read: no entry was logged, and 重新校验 checks again
    assert store.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0] == entries
    again = child(dialog, QPushButton, "verifyAgainButton")
    again.click()
    qtbot.waitUntil(lambda: dialog.report is not None and again.isEnabled(), timeout=20000)
    assert dialog.report.ok


def test_tampering_behind_the_program_shows_red_faults(app, qtbot, store, admin):
    store.log_read(admin, "case.export", "case", None, "核查")
    tamper(store.data_dir / "weicha.db", "UPDATE audit_log SET summary = '改过' WHERE seq = 1")
    win = shown(qtbot, store, admin)
    dialog = checked(qtbot, win)
    summary = child(dialog, QLabel, "verifySummary")
    assert summary.text().startswith("校验失败：发现") and summary.property("kind") == "error"
    faults = {text: colour for text, colour in colours(dialog).items() if colour == "#b00020"}
    assert faults and any("工作日志第 1 条" in text for text in faults), colours(dialog)
    assert len(faults) == len(dialog.report.faults)


def test_the_red_notice_leads_to_the_check(app, qtbot, tmp_path):
    """An older copy put in place: the status bar says so and names 文件 → 校验数据…, which
    shows the rollback in red."""
    store, _ = older_copy_in_place(tmp_path)
    try:
        win = shown(qtbot, store, UserService(store).authenticate("admin", PASSWORD))
        notice = child(win, QLabel, "anchorWarning").text()
        assert "文件 → 校验数据…" in notice
        dialog = checked(qtbot, win)
        assert any("数据被回滚" in text and colour == "#b00020" for text, colour in colours(dialog).items())
    finally:
        store.close()
