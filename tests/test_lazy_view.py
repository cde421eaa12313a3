"""A lazily built page (gui/common/lazy_view.py: 照片, 物证登记, the 审核 page's other queues)
whose build fails is built again the next time it is needed, in the stand-in's place — it
used to stay a blank stand-in until the window was opened again."""
from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLabel, QStackedWidget

from weicha_desktop.gui.common.lazy_view import LazyPage


def test_a_page_whose_build_failed_is_built_the_next_time(qtbot):
    stack = QStackedWidget()
    qtbot.addWidget(stack)
    first = QLabel("笔录")
    stack.addWidget(first)
    attempts = []

    def build():
        attempts.append(1)
        if len(attempts) == 1:
            raise OSError("照片文件夹暂时无法读取")
        return QLabel("照片")

    lazy = LazyPage(build)
    stack.addWidget(lazy.stand_in)
    stack.addWidget(QLabel("物证登记"))
    stack.setCurrentIndex(1)
    with pytest.raises(OSError):
        lazy.widget()
    assert not lazy.is_built() and stack.widget(1) is lazy.stand_in and stack.count() == 3
    page = lazy.widget()
    assert lazy.is_built() and page.text() == "照片" and len(attempts) == 2
    assert stack.widget(1) is page and stack.currentWidget() is page and stack.count() == 3
    assert lazy.widget() is page and len(attempts) == 2  # built once


def test_a_page_asked_for_while_it_is_being_built_is_not_built_twice(qtbot):
    stack = QStackedWidget()
    qtbot.addWidget(stack)

    def build():
        lazy.widget()  # e.g. something the page's making calls back into
        return QLabel("照片")

    lazy = LazyPage(build)
    stack.addWidget(lazy.stand_in)
    with pytest.raises(RuntimeError, match="being built"):
        lazy.widget()
    assert not lazy.is_built() and stack.widget(0) is lazy.stand_in
