"""Opening a case cheaply (forms/view.py, sections.py, common/fonts.py): the form is built from
the top down, so no tab is laid out before it is shown; a field's red error label is made the
first time the field has a message; the program's font is set once, not again per window."""
from __future__ import annotations

from collections import Counter

import pytest
from PySide6.QtCore import QEvent, QObject, QRegularExpression, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel, QLineEdit, QWidget

from form_support import open_view
from gui_support import app, child, dialogs, type_into  # noqa: F401  (fixtures)
from module_folder import admin, cases, store  # noqa: F401  (each test makes its own case)
from weicha_desktop.gui.common.fonts import install_app_font
from weicha_desktop.gui.forms.view import FormView

pytestmark = pytest.mark.usefixtures("dialogs")


class Events(QObject):
    """Counts the events of ``kinds`` any object of the application receives."""

    def __init__(self, *kinds: QEvent.Type):
        super().__init__()
        self.kinds, self.seen = kinds, Counter()

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
        if event.type() in self.kinds:
            self.seen[event.type()] += 1
        return False


def test_building_the_form_lays_out_no_tab_before_it_is_shown(app, qtbot, cases):
    """Qt polishes a widget when it is first laid out. Pages filled first and put into their
    scroll areas and tabs afterwards were laid out, every widget of every tab, while the form
    was built (629 of 643 polished): a third of opening a case."""
    case = cases.new_case()
    events = Events(QEvent.Type.Polish)
    app.installEventFilter(events)
    try:
        view = FormView(cases, case)
    finally:
        app.removeEventFilter(events)
    qtbot.addWidget(view)
    widgets = len(view.findChildren(QWidget))
    assert widgets > 400  # the whole form is there, every tab
    assert len(view.pages) == view.tabs.count() == len(view.spec.sections)
    assert events.seen[QEvent.Type.Polish] < widgets // 2


def test_an_error_label_is_made_when_its_field_first_has_a_message(app, qtbot, cases):
    case = cases.new_case()
    view = open_view(qtbot, cases, case.id)
    errors = QRegularExpression("^error_")
    assert view.findChildren(QLabel, errors) == []  # none while no field has a message
    edit = child(view, QLineEdit, "field_reporter.phone")  # its tab never shown
    type_into(qtbot, edit, "12345")
    qtbot.keyClick(edit, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert cases.get(case.id).data.get("reporter") is None  # refused
    error = child(view, QLabel, "error_reporter")
    assert [label.objectName() for label in view.findChildren(QLabel, errors)] == ["error_reporter"]
    assert not error.isHidden() and error.text().startswith("电话：")
    editor = view.editors["reporter"]
    assert error.parentWidget() is editor.row_widget.parentWidget()  # under the field …
    view.focus_path("reporter")
    qtbot.waitUntil(error.isVisible, timeout=2000)
    assert error.y() > editor.row_widget.y() + editor.row_widget.height() - 1  # … below it
    assert error.palette().windowText().color().name() == "#b00020"  # red
    edit.clear()
    type_into(qtbot, edit, "13807770001")
    qtbot.keyClick(edit, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert cases.get(case.id).data["reporter"] == {"phone": "13807770001"}
    assert error.isHidden() and view.findChild(QLabel, "error_reporter") is error  # made once


class Recorded:
    """The application, its setFont calls recorded."""

    def __init__(self, app):
        self.app, self.set = app, []

    def font(self) -> QFont:
        return self.app.font()

    def setFont(self, font: QFont) -> None:  # noqa: N802 (Qt's name)
        self.set.append(QFont(font))
        self.app.setFont(font)


def test_the_font_is_set_once_not_again_for_every_window(app):
    """QApplication.setFont costs even with the font it has (~0.3 ms, once per window the tests
    make); a second install leaves it alone, another font is replaced (its size kept)."""
    original = QFont(app.font())
    family = original.family()
    widget = QLabel("现场")
    recorded = Recorded(app)
    try:
        assert install_app_font(recorded) == family
        assert recorded.set == []  # already the application font
        other = QFont("DejaVu Sans")
        other.setPointSizeF(13)
        app.setFont(other)
        assert install_app_font(recorded) == family
        assert [(f.family(), f.pointSizeF()) for f in recorded.set] == [(family, 13)]
        assert app.font().family() == family and app.font().pointSizeF() == 13
        app.processEvents()
        assert widget.font().family() == family  # live widgets follow
    finally:
        app.setFont(original)  # as the other tests found it
