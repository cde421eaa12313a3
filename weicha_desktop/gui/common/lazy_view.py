"""A page of a QStackedWidget built the first time it is needed, not when its window opens.

An open case carries 照片 and 物证登记 beside its form; most openings never look at them, and
building them (the thumbnail grid, the preview, the register's table) was about as much work
as the form itself. ``LazyPage`` puts an empty stand-in in the page's place; ``widget()``
builds the page and puts it where the stand-in was (same index, the style sheet the stack's
owner gave the stand-in), and the stand-in goes. The owner calls ``widget()`` before the page
is switched to (the button's ``pressed``, which comes before its ``clicked``); a stand-in
shown anyway builds the page as soon as it is shown. A build that fails (its error goes where
errors go: the caller, or the program's error handler) leaves the stand-in in place and is
tried again the next time the page is needed."""
from __future__ import annotations

from typing import Callable

import shiboken6
from PySide6.QtCore import QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QStackedWidget, QWidget


class _StandIn(QWidget):
    def __init__(self, page: "LazyPage"):
        super().__init__()
        self._page = page

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        QTimer.singleShot(0, self, self._page.widget)  # not while the stack switches to it (nor once gone)


class LazyPage:
    def __init__(self, build: Callable[[], QWidget]):
        """``build()`` makes the page; ``stand_in`` goes into the stack in its place."""
        self._build: Callable[[], QWidget] | None = build
        self._widget: QWidget | None = None
        self._building = False
        self.stand_in: QWidget | None = _StandIn(self)

    def is_built(self) -> bool:
        return self._widget is not None

    def widget(self) -> QWidget:
        """The page, built now (and put in the stand-in's place) if it was not yet."""
        if self._widget is None:
            if not shiboken6.isValid(self.stand_in):
                raise RuntimeError("LazyPage.widget(): the window it stood in is gone")
            if self._building:
                raise RuntimeError("LazyPage.widget(): asked for while the page is being built")
            build, stand_in = self._build, self.stand_in
            self._building = True
            try:
                page = build()  # if it raises, nothing changed: the stand-in stays, the next request builds again
            finally:
                self._building = False
            self._build, self.stand_in, self._widget = None, None, page
            page.setStyleSheet(stand_in.styleSheet() + page.styleSheet())  # its own rules after: they win
            stack = stand_in.parentWidget()
            if isinstance(stack, QStackedWidget):
                current = stack.currentWidget() is stand_in
                stack.insertWidget(stack.indexOf(stand_in), page)
                if current:
                    stack.setCurrentWidget(page)
                stack.removeWidget(stand_in)
            stand_in.deleteLater()
        return self._widget
