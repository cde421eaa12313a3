"""Start the desktop program: application, font, language, data folder (one program per
folder), first run, login, main window.

Each step is a small function so tests can call them one by one without an event loop;
``run_gui`` strings them together. Services are created here and passed down: no globals.
The application log (core/applog.py) is set up first, Qt's own warnings included."""
from __future__ import annotations

import logging
import sys
from pathlib import Path

# The Qt-free core before PySide6: PySide6's import hook sees every module imported after it
# (gui/common/import_hook.py spares it reading their source, but its own call remains)
from weicha_desktop.core import applog
from weicha_desktop.core import cases as _cases, photos as _photos  # noqa: F401 - see above
from weicha_desktop.core.errors import StoreLocked, WeichaError
from weicha_desktop.core.forms import FormRegistry
from weicha_desktop.core.store import Actor, Store
from weicha_desktop.core.sync.reference import local_forms
from weicha_desktop.core.users import UserService
from weicha_desktop.resources import forms_dir

from PySide6.QtCore import (QCoreApplication, QMessageLogContext, QT_TRANSLATE_NOOP, QtMsgType,
                            qInstallMessageHandler)
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget

from weicha_desktop.gui.common import import_hook

import_hook.skip_source_scan()  # before the imports that follow and the pages' lazy ones

from weicha_desktop.gui.common.gc_guard import MainThreadCollector  # noqa: E402 - after the line above
from weicha_desktop.gui.common.settings import Settings  # noqa: E402 - after the line above

APP_NAME = "微察桌面版"
ORG_NAME = "WeiCha"

LOCKED_TEXT = QT_TRANSLATE_NOOP(
    "App", "另一个微察窗口已经打开了这个数据文件夹。\n"
    "同一个数据文件夹同一时间只能由一个窗口使用，以免两处同时写入损坏记录。\n"
    "请切换到已打开的那个窗口，或先关闭它再重新启动本程序。")


def make_app(argv: list[str] | None = None) -> QApplication:
    """The QApplication (reused if one exists), named, with the shipped Chinese font."""
    from weicha_desktop.gui.common.fonts import install_app_font

    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setOrganizationName(ORG_NAME)
    install_app_font(app)
    return app


def log_qt_messages() -> None:
    """Qt's warnings and criticals into the application log (core/applog.py)."""
    qt_log = logging.getLogger("weicha.qt")
    levels = {QtMsgType.QtWarningMsg: logging.WARNING, QtMsgType.QtCriticalMsg: logging.ERROR,
              QtMsgType.QtFatalMsg: logging.CRITICAL}

    def handler(kind: QtMsgType, _context: QMessageLogContext, message: str) -> None:
        if kind in levels:
            qt_log.log(levels[kind], "Qt: %s", message)
        sys.stderr.write(message + "\n")

    qInstallMessageHandler(handler)


def apply_language(app: QApplication, language: str) -> None:
    """Install the interface language; if its translation is missing, say so and stay Chinese."""
    from weicha_desktop.gui.common.i18n import install_language

    try:
        install_language(app, language)
    except FileNotFoundError as e:
        install_language(app, "zh")
        QMessageBox.warning(None, APP_NAME, str(e))
    app.setApplicationDisplayName(QCoreApplication.translate("App", "微察桌面版"))


def show_error(parent: QWidget | None, text: str, title: str | None = None) -> None:
    QMessageBox.critical(parent, title or QCoreApplication.translate("App", "微察桌面版"), text)


def data_folder(data_dir: Path | None) -> Path:
    from weicha_desktop.core.paths import default_data_dir

    return Path(data_dir) if data_dir is not None else default_data_dir()


def open_store(data_dir: Path | None, parent: QWidget | None = None) -> Store | None:
    """Open (and lock) the data folder; on failure tell the user why and return None."""
    folder = data_folder(data_dir)
    try:
        return Store.open(folder)
    except StoreLocked as e:
        show_error(parent, QCoreApplication.translate("App", LOCKED_TEXT) + f"\n\n{e}",
                   QCoreApplication.translate("App", "微察桌面版 — 数据文件夹已被占用"))
    except (WeichaError, OSError) as e:
        reason = e.strerror or e if isinstance(e, OSError) else e
        show_error(parent, QCoreApplication.translate("App", "无法打开数据文件夹 {folder}：\n{error}")
                   .format(folder=folder, error=reason))
    return None


def first_run(store: Store, parent: QWidget | None = None) -> Actor | None:
    """Run the first-run wizard; the admin it made, or None if the user cancelled."""
    from weicha_desktop.gui.shell.first_run import FirstRunWizard

    wizard = FirstRunWizard(store, parent)
    return wizard.admin if wizard.exec() == QDialog.DialogCode.Accepted else None


def load_forms(parent: QWidget | None = None, store: Store | None = None):
    """The form registry from the shipped ``forms/`` folder (and the sync server's form
    versions kept in ``store``: core/sync/reference.local_forms), or None (error shown).
    The older versions (``archive/``) are read after the main window's
    first paint (``MainWindow.finish_start``), or before when a record of one opens."""
    try:
        if store is not None:
            return local_forms(store, older_later=True)
        return FormRegistry(forms_dir(), older_later=True)
    except WeichaError as e:
        forms_error(parent, e)
        return None


def forms_error(parent: QWidget | None, error: WeichaError) -> None:
    show_error(parent, QCoreApplication.translate(
        "App", "表单定义有误，程序无法继续：\n{error}\n\n请重新安装本软件。").format(error=error))


def login(store: Store, user_name: str = "", parent: QWidget | None = None) -> Actor | None:
    from weicha_desktop.gui.shell.login import LoginDialog

    dialog = LoginDialog(UserService(store), store.meta("unit_name") or "", user_name, parent)
    return dialog.user if dialog.exec() == QDialog.DialogCode.Accepted else None


def build_main_window(store: Store, forms, actor: Actor, settings: Settings | None = None):
    """The program's main window: what its first paint does not need comes right after it."""
    from weicha_desktop.gui.shell.main_window import MainWindow

    return MainWindow(store, forms, actor, settings, paint_first=True)


def run_gui(data_dir: Path | None = None, settings: Settings | None = None) -> int:
    """The whole program. Returns the process exit code (0 also when the user cancels, and
    when the program already running on this folder was asked to come to front)."""
    from weicha_desktop.gui.shell.single_instance import (InstanceServer, ask_running_instance,
                                                          bring_to_front)

    applog.setup()
    log_qt_messages()
    settings = settings or Settings.for_user()
    app = make_app()
    # garbage cycles freed on this thread only, never in a worker's (gui/common/gc_guard.py)
    collector = MainThreadCollector(app)
    apply_language(app, settings.language)
    folder = data_folder(data_dir)
    if ask_running_instance(folder):
        return 0
    store = open_store(folder)
    if store is None:
        return 1
    server = InstanceServer(folder)
    server.activateRequested.connect(bring_to_front)
    if not server.start():  # not fatal: a second start then meets the lock, explained
        print(f"weicha: single-instance server {server.name} not started", file=sys.stderr)
    try:
        user_name = ""
        if not store.is_initialized():
            admin = first_run(store)
            if admin is None:
                return 0
            user_name = admin.name
        forms = load_forms(store=store)
        if forms is None:
            return 1
        actor = login(store, user_name)
        if actor is None:
            return 0
        window = build_main_window(store, forms, actor, settings)
        window.show()
        code = app.exec()
        window.deleteLater()
        return 1 if window.forms_broken else code  # an older form version broken (finish_start)
    finally:
        server.close()
        server.deleteLater()
        store.close()
        collector.stop()
