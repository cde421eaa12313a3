"""The case form's looks without a style sheet over the record (one there made Qt restyle every
widget of every tab as they were put in: a quarter of opening a case): read-only inputs drawn on
grey, editable ones on white, a field's error in red — and read-only follows a finalize."""
from __future__ import annotations

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QDateTimeEdit, QLabel, QLineEdit, QMessageBox, QWidget

from form_support import click, open_view
from gui_support import (admin, app, cases, child, complete_values, dialogs, forms,  # noqa: F401
                         store, type_into)

pytestmark = pytest.mark.usefixtures("dialogs")
GREY = QColor("#f2f2f2")


def drawn_background(widget: QWidget) -> QColor:
    """The colour drawn inside the input's frame, right of any text."""
    image = widget.grab().toImage()
    return image.pixelColor(image.width() - 30, image.height() // 2)


def test_read_only_inputs_are_grey_errors_red_and_a_finalize_greys_the_form(app, qtbot, cases, dialogs):
    view = open_view(qtbot, cases, cases.new_case(complete_values()).id)
    record = view.views.widget(0)
    ancestors, w = [], record
    while w is not None:
        ancestors.append(w)
        w = w.parentWidget()
    assert not [a.objectName() or type(a).__name__ for a in ancestors if a.styleSheet()]

    number, unit = child(view, QLineEdit, "field_case_number"), child(view, QLineEdit, "field_investigating_unit")
    assert drawn_background(number) == GREY  # 勘验号: the system's, never typed
    assert drawn_background(unit) == unit.palette().color(QPalette.ColorRole.Base) != GREY
    view.tabs.setCurrentIndex(1)
    received = child(view, QDateTimeEdit, "field_reported_at")
    assert drawn_background(received) != GREY

    phone = child(view, QLineEdit, "field_reporter.phone")
    phone.selectAll()
    type_into(qtbot, phone, "123")  # a wrong phone: its error under the field, in red
    assert not view.check()
    error = child(view, QLabel, "error_reporter")
    assert error.isVisible() and error.text()
    assert error.palette().color(error.foregroundRole()) == QColor("#b00020")

    phone.selectAll()
    type_into(qtbot, phone, "13807770001")
    dialogs.answers.append(QMessageBox.StandardButton.Yes)  # “确定定稿吗？”
    click(qtbot, view, "finalizeButton")
    assert cases.get(view.case.id).status == "finalized"
    assert unit.isReadOnly() and drawn_background(unit) == GREY  # the form shown, then locked
    assert received.isReadOnly() and drawn_background(received) == GREY
    assert drawn_background(number) == GREY
