"""Start-up: the pieces of run_gui, and run_gui itself with the modal steps stood in for.

Every test runs with its settings in a temporary file (never the user's own)."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QDialog, QLabel

from gui_support import UNIT_NAME, app, dialogs  # noqa: F401  (fixtures)
from support import PASSWORD, new_store
from weicha_desktop.core import paths
from weicha_desktop.core.store import Store
from weicha_desktop.core.users import UserService
from weicha_desktop.gui.common.settings import Settings
from weicha_desktop.gui.shell import app as gui_app
from weicha_desktop.gui.shell.first_run import FirstRunWizard
from weicha_desktop.gui.shell.login import LoginDialog
from weicha_desktop.gui.shell.main_window import MainWindow


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))


def test_make_app_names_the_program_and_installs_the_chinese_font(app):
    assert QApplication.applicationName() == "微察桌面版"
    assert QApplication.organizationName() == "WeiCha"
    assert app.font().family() == "WenQuanYi Micro Hei"


def test_a_locked_data_folder_is_explained_in_chinese(app, dialogs, tmp_path, settings):
    holder = new_store(tmp_path)  # another program holds the folder, and does not answer
    try:
        assert gui_app.open_store(tmp_path) is None
        assert gui_app.run_gui(tmp_path, settings) == 1
    finally:
        holder.close()
    kind, title, text = dialogs.shown[0]
    assert kind == "critical" and "另一个微察窗口" in text and str(tmp_path) in text
    assert len(dialogs.shown) == 2


def test_open_store_uses_the_default_data_folder(app, monkeypatch, tmp_path):
    monkeypatch.setattr(paths, "default_data_dir", lambda: tmp_path / "default")
    store = gui_app.open_store(None)
    assert store is not None and store.data_dir == (tmp_path / "default").resolve()
    store.close()


def test_cancelling_the_first_run_wizard_exits_and_releases_the_folder(app, monkeypatch, tmp_path,
                                                                      settings):
    seen = []

    def cancel(wizard):
        seen.append(wizard.windowTitle())
        return QDialog.DialogCode.Rejected

    monkeypatch.setattr(FirstRunWizard, "exec", cancel)
    assert gui_app.run_gui(tmp_path, settings) == 0
    assert seen == ["微察桌面版 — 首次使用向导"]
    Store.open(tmp_path).close()  # the lock was released


@pytest.mark.usefixtures("dialogs")
def test_run_gui_logs_in_and_shows_the_main_window(app, monkeypatch, tmp_path, settings):
    new_store(tmp_path).close()
    shown: list[MainWindow] = []

    def login(dialog):
        assert UNIT_NAME in dialog.findChild(QLabel, "unitLabel").text()
        dialog.user = UserService(dialog.users.store).authenticate("admin", PASSWORD)
        return QDialog.DialogCode.Accepted

    def event_loop(self):
        shown.extend(w for w in QApplication.topLevelWidgets()
                     if isinstance(w, MainWindow) and w.isVisible())
        return 0

    monkeypatch.setattr(LoginDialog, "exec", login)
    monkeypatch.setattr(QApplication, "exec", event_loop)
    assert gui_app.run_gui(tmp_path, settings) == 0
    assert len(shown) == 1 and shown[0].windowTitle() == f"微察桌面版 — {UNIT_NAME}"
    assert shown[0].settings is settings
    shown[0].close()
    assert settings.last_page == "cases"  # the window kept its state on closing
    Store.open(tmp_path).close()  # closed on exit
