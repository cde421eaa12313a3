"""Fixtures of the USB-bundle GUI tests (gui/bundles/): the main window of a laptop enrolled
with the test server of tests/bundle_support.py (its keys pinned, no network), a fake drive
(a folder the drive watcher is told is a mounted stick), waiting for the notice."""
from __future__ import annotations

from pathlib import Path

import pytest

from gui_support import admin, app, child, dialogs, forms, store  # noqa: F401  (fixtures)
from tests import bundle_support as B
from weicha_desktop.core.cases import CaseService
from weicha_desktop.core.sync.reference import local_forms
from weicha_desktop.gui.bundles.volumes import Volume


@pytest.fixture
def enrolled(store):
    """The SyncConfig of ``store``, enrolled with B.SERVER_ID and its keys pinned."""
    return B.enroll_offline_config(store)


def make_window(qtbot, store, admin, registry=None):
    """The main window over ``store`` (with ``registry``, else the tests' shared forms()), no
    drive mounted (FakeDrives mounts them), shown."""
    from weicha_desktop.gui.shell.main_window import MainWindow

    win = MainWindow(store, registry or forms(), admin)
    qtbot.addWidget(win)
    win.bundles.watcher.drives = lambda: []
    win.show()
    return win


@pytest.fixture
def window(request, app, qtbot, store, admin, enrolled):
    """The main window over a folder with one case (ops to export), enrolled. Parametrized
    indirectly with "own_forms": with a registry of its own, as the program reads it — for a
    test whose reference bundle adds a form version to the window's registry (added to the
    shared forms(), it made every later case in the process use a version the CLI cannot find)."""
    CaseService(store, forms(), admin).new_case()
    own = getattr(request, "param", None) == "own_forms"
    win = make_window(qtbot, store, admin, local_forms(store, older_later=True) if own else None)
    yield win
    win.bundles.shutdown()


class FakeDrives:
    """What the watcher is told is mounted: ``insert(folder)`` / ``remove()``."""

    def __init__(self, window):
        self.mounted: list[Volume] = []
        self.watcher = window.bundles.watcher
        self.watcher.drives = lambda: list(self.mounted)

    def insert(self, folder: Path, name: str = "KINGSTON") -> Volume:
        folder.mkdir(parents=True, exist_ok=True)
        self.mounted.append(Volume(str(folder), name, free=8 << 30))
        self.watcher.poll()
        return self.mounted[-1]

    def remove(self) -> None:
        self.mounted.clear()
        self.watcher.poll()


def notice_texts(window) -> list[str]:
    notice = window.bundles.notice
    return notice.texts() if notice is not None else []


def wait_idle(qtbot, window) -> None:
    """Until no bundle job of the window runs (the results delivered)."""
    qtbot.waitUntil(lambda: not any(op.is_running() for op in window.bundles.ops), timeout=10000)


def enroll_step(qtbot, box) -> str:
    """Until the offline enrollment box's step has ended: what it says."""
    from PySide6.QtWidgets import QLabel

    qtbot.waitUntil(lambda: not box.op.is_running(), timeout=10000)
    return child(box, QLabel, "offlineEnrollResult").text()
