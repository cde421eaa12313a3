"""登录 after repeated failures: the dialog shows the core's "请在 N 秒后再试", keeps 登录 grey
for that long (Enter does nothing meanwhile), then lets the right password in."""
from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel, QLineEdit, QPushButton

from gui_support import app, child, type_into  # noqa: F401  (fixtures)
from support import PASSWORD, ManualClock, new_store
from weicha_desktop.core.users import UserService
from weicha_desktop.gui.shell.login import LoginDialog


@pytest.fixture
def clocked(tmp_path):
    clock = ManualClock()
    store = new_store(tmp_path / "data", clock=clock)
    yield store, clock
    store.close()


def attempt(qtbot, dialog: LoginDialog, password: str) -> None:
    edit = child(dialog, QLineEdit, "passwordEdit")
    edit.clear()
    type_into(qtbot, edit, password)
    qtbot.keyClick(edit, Qt.Key.Key_Return)


def test_the_dialog_waits_as_long_as_the_core_says(app, qtbot, clocked):
    store, clock = clocked
    dialog = LoginDialog(UserService(store), "单位", "admin", second_ms=100)  # the core's 1 s: 0.1 s
    qtbot.addWidget(dialog)
    dialog.show()
    button = child(dialog, QPushButton, "loginButton")
    error = child(dialog, QLabel, "errorLabel")
    for _ in range(4):
        attempt(qtbot, dialog, "wrong-pass-9")
        assert error.text() == "用户名或密码错误。" and button.isEnabled()
    locked_at = time.monotonic()
    attempt(qtbot, dialog, "wrong-pass-9")
    assert error.text() == "用户名或密码错误。已连续错误 5 次，请在 1 秒后再试。"
    assert not button.isEnabled()
    before = len(store.audit_entries())
    attempt(qtbot, dialog, PASSWORD)  # Enter during the wait: not even tried
    assert len(store.audit_entries()) == before and dialog.user is None

    qtbot.waitUntil(button.isEnabled, timeout=3000)
    # grey for the whole wait the core said (a Qt coarse timer may fire up to 5 % early: 98 ms seen)
    assert time.monotonic() - locked_at >= 0.1 * 0.95
    clock.advance(1)
    attempt(qtbot, dialog, PASSWORD)
    assert dialog.result() == QDialog.DialogCode.Accepted and dialog.user.name == "admin"
    assert [e.action for e in store.audit_entries()[-6:]] == ["login.fail"] * 5 + ["login.ok"]
