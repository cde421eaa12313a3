"""Helpers for the case-form tests (test_gui_form_*.py, test_autosave_gui.py)."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QListWidget, QPushButton, QWidget

from gui_support import activate, child
from weicha_desktop.core.cases import CaseService
from weicha_desktop.gui.forms.view import FormView


def open_view(qtbot, cases: CaseService, case_id: str, **kwargs) -> FormView:
    """The form of a case, shown at 1280x800 in an active window (shortcuts need one)."""
    view = FormView(cases, cases.get(case_id), **kwargs)
    qtbot.addWidget(view)
    view.resize(1280, 800)
    # not painted while it becomes active: it is painted when the test next lets events run, in
    # the state it has then (a test that opens and acts without running events painted it twice)
    view.setUpdatesEnabled(False)
    view.show()
    try:
        activate(qtbot, view)
    finally:
        view.setUpdatesEnabled(True)
    return view


def click(qtbot, view: QWidget, name: str) -> None:
    qtbot.mouseClick(child(view, QPushButton, name), Qt.MouseButton.LeftButton)


def problems(view: QWidget) -> list[str]:
    lst = child(view, QListWidget, "problemList")
    return [lst.item(i).text() for i in range(lst.count())] if lst.isVisible() else []


def shown(view: FormView, field_id: str) -> bool:
    """Whether the field's row is on screen when its tab is."""
    index = [s.id for s in view.spec.sections].index(view.spec.section_of(field_id).id)
    view.tabs.setCurrentIndex(index)
    return view.findChild(QWidget, f"field_{field_id}").isVisible()


def focused() -> QWidget | None:
    return QApplication.focusWidget()
