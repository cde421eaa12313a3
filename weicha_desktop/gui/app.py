"""Start the desktop program: application, font, data folder, first run, login, main window.

Each step is a small function so tests can call them one by one without an event loop;
``run_gui`` strings them together. Services are created here and passed down: no globals."""
from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget

from weicha_desktop.core.errors import StoreLocked, WeichaError
from weicha_desktop.core.store import Actor, Store

APP_NAME = "微察桌面版"
ORG_NAME = "WeiCha"

LOCKED_TEXT = ("另一个微察窗口已经打开了这个数据文件夹。\n"
               "同一个数据文件夹同一时间只能由一个窗口使用，以免两处同时写入损坏记录。\n"
               "请切换到已打开的那个窗口，或先关闭它再重新启动本程序。")


def make_app(argv: list[str] | None = None) -> QApplication:
    """The QApplication (reused if one exists), named, with the shipped Chinese font."""
    from weicha_desktop.gui.fonts import install_app_font

    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setOrganizationName(ORG_NAME)
    install_app_font(app)
    return app


def show_error(parent: QWidget | None, text: str, title: str = APP_NAME) -> None:
    QMessageBox.critical(parent, title, text)


def open_store(data_dir: Path | None, parent: QWidget | None = None) -> Store | None:
    """Open (and lock) the data folder; on failure tell the user why and return None."""
    from weicha_desktop.core.paths import default_data_dir

    folder = Path(data_dir) if data_dir is not None else default_data_dir()
    try:
        return Store.open(folder)
    except StoreLocked as e:
        show_error(parent, f"{LOCKED_TEXT}\n\n{e}", f"{APP_NAME} — 数据文件夹已被占用")
    except WeichaError as e:
        show_error(parent, f"无法打开数据文件夹 {folder}：\n{e}")
    except OSError as e:
        show_error(parent, f"无法打开数据文件夹 {folder}：\n{e.strerror or e}")
    return None


def first_run(store: Store, parent: QWidget | None = None) -> Actor | None:
    """Run the first-run wizard; the admin it made, or None if the user cancelled."""
    from weicha_desktop.gui.first_run import FirstRunWizard

    wizard = FirstRunWizard(store, parent)
    return wizard.admin if wizard.exec() == QDialog.DialogCode.Accepted else None


def load_forms(parent: QWidget | None = None):
    """The form registry from the shipped ``forms/`` folder, or None (error shown)."""
    from weicha_desktop.core.forms import FormRegistry
    from weicha_desktop.resources import forms_dir

    try:
        return FormRegistry(forms_dir())
    except WeichaError as e:
        show_error(parent, f"表单定义有误，程序无法继续：\n{e}\n\n请重新安装本软件。")
        return None


def login(store: Store, user_name: str = "", parent: QWidget | None = None) -> Actor | None:
    from weicha_desktop.core.users import UserService
    from weicha_desktop.gui.login import LoginDialog

    dialog = LoginDialog(UserService(store), store.meta("unit_name") or "", user_name, parent)
    return dialog.user if dialog.exec() == QDialog.DialogCode.Accepted else None


def build_main_window(store: Store, forms, actor: Actor):
    from weicha_desktop.gui.main_window import MainWindow

    return MainWindow(store, forms, actor)


def run_gui(data_dir: Path | None = None) -> int:
    """The whole program. Returns the process exit code (0 also when the user cancels)."""
    app = make_app()
    store = open_store(data_dir)
    if store is None:
        return 1
    try:
        user_name = ""
        if not store.is_initialized():
            admin = first_run(store)
            if admin is None:
                return 0
            user_name = admin.name
        forms = load_forms()
        if forms is None:
            return 1
        actor = login(store, user_name)
        if actor is None:
            return 0
        window = build_main_window(store, forms, actor)
        window.show()
        code = app.exec()
        window.deleteLater()
        return code
    finally:
        store.close()
