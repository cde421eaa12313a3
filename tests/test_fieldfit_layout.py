"""Issue 10 §4, fits the screens technicians have: the witness table's six columns (电话 the
last) are all on screen in the case form at 1024×768, an 18-digit 身份证号 whole."""
from __future__ import annotations

from PySide6.QtWidgets import QApplication

from gui_support import admin, app, cases, child, dialogs, store  # noqa: F401
from keyboard_support import Keyboard
from test_standard_case_keyboard import WITNESS_ID, window  # noqa: F401  (the fixture)


def test_the_witness_table_fits_1024x768(window, qtbot, dialogs):
    kb = Keyboard()
    kb.key("Ctrl+N")
    view = window.workspace.currentWidget()
    kb.key("F7")  # the problem list open: the form at its narrowest
    view.focus_path("witnesses")
    kb.key("Ctrl+Enter")
    kb.field("王芳", "Tab")
    kb.field("钦州市钦南区永福路8号", "Tab")
    kb.field(WITNESS_ID, "Tab")
    kb.type("13807770001")
    kb.key("Return")
    QApplication.processEvents()
    table = view.editors["witnesses"].widget
    header = table.horizontalHeader()
    last = table.columnCount() - 1
    room = table.viewport().width() - header.sectionViewportPosition(last)
    assert room >= table.fontMetrics().horizontalAdvance("13807770001") + 16, "电话 cut off"
    assert table.horizontalScrollBar().maximum() == 0
    ids = [s.id for s in view.spec.field("witnesses").fields].index("id_number")
    assert table.columnWidth(ids) >= table.fontMetrics().horizontalAdvance(WITNESS_ID)
