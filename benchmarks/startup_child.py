"""One start measured by bench_startup.py, in a fresh process: run it through that script.

    python benchmarks/startup_child.py floor|app|login DATA_DIR WORK_DIR

Prints one JSON line: ``time.monotonic()`` stamps of the steps (the parent turns them into
milliseconds since it started the process), the process's CPU time at each (``cpu``: user +
system of all its threads since exec, ms — what a busy shared machine disturbs least) and what
was loaded at the paint. Until the paint
it imports nothing of its own but ``os``, ``sys`` and ``time``, so the floor and the program
pay the same interpreter start.

- ``floor``: a bare QMainWindow holding a QTableView over a 50-row QStandardItemModel.
- ``app``: gui/shell/app.py's steps as ``run_gui`` takes them (application log, Qt messages,
  single-instance check and server, ``make_app``, ``apply_language``, ``open_store``,
  ``load_forms``, ``build_main_window``, ``show``), settings in a temporary INI file, the
  window built for the folder's ``admin`` instead of the login dialog.
- ``login``: the same with the login dialog's work once the password is typed
  (``UserService.authenticate``: scrypt, the ``login.ok`` change, the checkpoint); the
  password in ``WEICHA_PASSWORD``."""
import os
import sys
import time

STAMPS: dict[str, float] = {}
CPU: dict[str, float] = {}


def mark(name: str) -> None:
    STAMPS[name] = time.monotonic()
    CPU[name] = round(time.process_time() * 1000, 1)


mark("main")
FLOOR_ROWS = 50
# modules the window does not need before it is painted (imported later, when used)
HEAVY = ("reportlab", "PIL", "pillow_heif", "exifread", "cryptography", "jsonschema",
         "sqlite_utils", "segno", "multiprocessing", "weicha_desktop.core.ops")


def watch_paint(window, table) -> object:
    """An event filter marking the window's first paint and the table's first paint with rows."""
    from PySide6.QtCore import QEvent, QObject

    class Watch(QObject):
        def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
            if event.type() == QEvent.Type.Paint:
                if "paint" not in STAMPS:
                    mark("paint")
                if obj is table.viewport() and "shown" not in STAMPS \
                        and table.model().rowCount() > 0:
                    mark("shown")
            return False

    watch = Watch()
    window.installEventFilter(watch)
    table.viewport().installEventFilter(watch)
    return watch


def run_until(done, timeout: float = 60.0) -> None:
    """The event loop (a real one, as the program runs it) until ``done()`` or the timeout."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop, poll = QEventLoop(), QTimer()
    deadline = time.monotonic() + timeout
    poll.setInterval(1)
    poll.timeout.connect(lambda: (done() or time.monotonic() > deadline) and loop.quit())
    poll.start()
    loop.exec()
    poll.stop()


def floor() -> dict:
    from PySide6.QtGui import QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import QApplication, QMainWindow, QTableView

    app = QApplication([sys.argv[0]])
    window = QMainWindow()
    model = QStandardItemModel(0, 6)
    for row in range(FLOOR_ROWS):
        model.appendRow([QStandardItem(f"K{row:05d} 第 {column} 列") for column in range(6)])
    table = QTableView()
    table.setModel(model)
    window.setCentralWidget(table)
    window.resize(1280, 800)
    mark("window")
    watch = watch_paint(window, table)
    window.show()
    run_until(lambda: "shown" in STAMPS)
    del watch, app
    return {}


def program(folder: str, workdir: str, login: bool) -> dict:
    from weicha_desktop.gui.shell import app as shell  # what `weicha` imports to start the GUI

    from PySide6.QtCore import QSettings

    from weicha_desktop.core import applog
    from weicha_desktop.core.users import UserService
    from weicha_desktop.gui.common.settings import Settings
    from weicha_desktop.gui.shell.single_instance import InstanceServer, ask_running_instance

    mark("imported")
    applog.setup(os.path.join(workdir, "logs"))
    shell.log_qt_messages()
    settings = Settings(QSettings(os.path.join(workdir, "settings.ini"), QSettings.Format.IniFormat))
    application = shell.make_app([sys.argv[0]])
    shell.apply_language(application, settings.language)
    mark("app")
    if ask_running_instance(folder):
        raise SystemExit(f"another program has {folder} open")
    store = shell.open_store(folder)
    if store is None:
        raise SystemExit(f"cannot open {folder}")
    server = InstanceServer(folder)
    server.start()
    mark("store")
    forms = shell.load_forms(store=store)  # as run_gui: the server's form versions too
    mark("forms")
    if login:  # what the dialog does once the password is typed: scrypt, the login.ok change
        actor = UserService(store).authenticate("admin", os.environ["WEICHA_PASSWORD"])
    else:  # no login dialog: the folder's admin as the account says
        actor = UserService(store).get("admin")
    mark("login")
    window = shell.build_main_window(store, forms, actor, settings)
    mark("window")
    view = window.workspace.case_list
    watch = watch_paint(window, view.table)
    window.show()
    run_until(lambda: "shown" in STAMPS)
    heavy = sorted(m for m in HEAVY if m in sys.modules)
    modules = len(sys.modules)
    run_until(lambda: view.model.total is not None)
    mark("counted")
    run_until(lambda: getattr(window, "start_finished", True))  # what waited for the paint (finish_start)
    mark("deferred")
    info = {"heavy_at_paint": heavy, "modules_at_paint": modules,
            "rows_shown": view.model.rowCount(), "total": view.model.total}
    window.close()
    server.close()
    store.close()
    del watch
    return info


if __name__ == "__main__":
    mode, data, work = sys.argv[1:4]
    if mode == "floor":
        result = floor()
    else:
        sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        result = program(data, work, login=mode == "login")
    import json

    sys.stdout.write(json.dumps({"stamps": STAMPS, "cpu": CPU, **result}) + "\n")
    sys.stdout.flush()
    os._exit(0)  # the interpreter's teardown is not part of a start
