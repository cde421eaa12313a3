"""tests/conftest.py deletes, when a test ends, the widgets it handed to qtbot.addWidget
(pytest-qt closes them and calls deleteLater; the deferred delete needs an event loop that
never runs between tests). The two tests run in this order in one process (a module stays on
one xdist worker): the second finds the first one's window deleted."""
from __future__ import annotations

import shiboken6
from PySide6.QtWidgets import QLabel, QWidget

_left: dict[str, QWidget] = {}


def test_a_test_leaves_a_window_behind(qtbot):
    window = QWidget()
    QLabel("一个标签", window)
    qtbot.addWidget(window)
    window.show()
    _left["window"] = window
    assert shiboken6.isValid(window)


def test_the_next_test_finds_it_deleted(qtbot):
    window = _left.pop("window")
    assert not shiboken6.isValid(window), "the last test's window is still alive"
