"""The application shell: settings (in a temporary file), the settings dialog, one program per
data folder."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QComboBox, QDialogButtonBox, QLabel, QMainWindow

from gui_support import admin, app, child, dialogs, forms, store  # noqa: F401  (fixtures)
from support import new_store
from weicha_desktop.gui.common.settings import Settings
from weicha_desktop.gui.shell import app as gui_app
from weicha_desktop.gui.shell import single_instance
from weicha_desktop.gui.shell.main_window import MainWindow
from weicha_desktop.gui.shell.settings_dialog import SettingsDialog
from weicha_desktop.gui.shell.single_instance import InstanceServer, ask_running_instance, server_name


def temp_settings(tmp_path) -> Settings:
    return Settings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))


# ---- settings ----------------------------------------------------------------------------------
def test_settings_have_defaults(tmp_path):
    s = temp_settings(tmp_path)
    assert s.language == "zh"
    assert s.last_page == "cases"
    assert s.window_geometry.isEmpty() and s.splitter_state.isEmpty()
    assert s.file_name() == str(tmp_path / "settings.ini")


def test_settings_round_trip_through_the_file(tmp_path):
    s = temp_settings(tmp_path)
    s.language = "en"
    s.last_page = "review"
    s.window_geometry = QByteArray(b"\x01\x02geometry")
    s.splitter_state = QByteArray(b"\x00splitter")
    s.sync()
    again = temp_settings(tmp_path)
    assert again.language == "en"
    assert again.last_page == "review"
    assert bytes(again.window_geometry.data()) == b"\x01\x02geometry"
    assert bytes(again.splitter_state.data()) == b"\x00splitter"
    text = (tmp_path / "settings.ini").read_text(encoding="utf-8")
    assert "language=en" in text


def test_unknown_values_fall_back_to_defaults(tmp_path):
    raw = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    raw.setValue("ui/language", "fr")
    raw.setValue("window/geometry", "not bytes")
    raw.sync()
    s = temp_settings(tmp_path)
    assert s.language == "zh"
    assert s.window_geometry.isEmpty()
    with pytest.raises(ValueError):
        s.language = "fr"


def test_user_settings_live_apart_from_the_data_folder(tmp_path, monkeypatch):
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "config"))
    path = Settings.for_user().file_name()
    assert path == str(tmp_path / "config" / "WeiCha" / "WeiChaDesktop.ini")


def test_settings_dialog_changes_the_language_for_the_next_start(app, qtbot, store, admin,
                                                                  tmp_path, monkeypatch):
    settings = temp_settings(tmp_path)
    window = MainWindow(store, forms(), admin, settings)
    qtbot.addWidget(window)
    window.show()

    def choose_english(dialog: SettingsDialog):
        assert dialog.windowTitle() == "设置"
        assert child(dialog, QLabel, "dataDirLabel").text() == str(store.data_dir)
        assert child(dialog, QLabel, "settingsFileLabel").text() == settings.file_name()
        assert any("重新启动" in label.text() for label in dialog.findChildren(QLabel))
        combo = child(dialog, QComboBox, "languageCombo")
        assert [combo.itemText(i) for i in range(combo.count())] == ["中文", "English"]
        assert combo.currentData() == "zh"
        combo.setCurrentIndex(combo.findData("en"))
        ok = child(dialog, QDialogButtonBox, "settingsButtons").button(
            QDialogButtonBox.StandardButton.Ok)
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
        return dialog.result()

    monkeypatch.setattr(SettingsDialog, "exec", choose_english)
    child(window, QAction, "settingsAction").trigger()
    assert settings.language == "en"
    assert temp_settings(tmp_path).language == "en"  # written through
    assert window.statusBar().currentMessage() == "界面语言已更改，重新启动程序后生效。"


# ---- one program per data folder ---------------------------------------------------------------
def test_server_name_is_per_folder_and_stable(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    assert server_name(a) == server_name(tmp_path / "x" / ".." / "a")
    assert server_name(a) != server_name(b)
    assert server_name(a).startswith("weicha-") and len(server_name(a)) < 40


def test_a_second_start_reaches_the_first(app, qtbot, tmp_path):
    server = InstanceServer(tmp_path)
    assert server.start()
    try:
        with qtbot.waitSignal(server.activateRequested, timeout=2000):
            assert ask_running_instance(tmp_path)
        assert not ask_running_instance(tmp_path / "other")
    finally:
        server.close()


def test_a_socket_left_by_a_crash_is_taken_over(app, tmp_path):
    crashed = InstanceServer(tmp_path)
    assert crashed.start()
    again = InstanceServer(tmp_path)  # a new run that holds the folder lock
    assert again.start()
    crashed.close()
    again.close()


@pytest.mark.usefixtures("dialogs")
def test_run_gui_hands_over_to_the_running_program(app, qtbot, tmp_path, dialogs):
    holder = new_store(tmp_path)  # the first program: folder locked, server listening
    server = InstanceServer(tmp_path)
    assert server.start()
    try:
        with qtbot.waitSignal(server.activateRequested, timeout=2000):
            assert gui_app.run_gui(tmp_path, temp_settings(tmp_path / "cfg")) == 0
    finally:
        server.close()
        holder.close()
    assert dialogs.shown == []  # no "folder in use" box: the first one came to front


def test_bring_to_front_shows_the_main_window(app, qtbot, store, admin):
    window = MainWindow(store, forms(), admin)
    qtbot.addWidget(window)
    window.showMinimized()
    single_instance.bring_to_front()
    assert window.isVisible() and not window.isMinimized()
    assert isinstance(window, QMainWindow)
