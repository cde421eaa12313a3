"""Issue 10 §1: text typed into a table cell whose editor is still open is never lost.

Every way the form's edits leave it — 保存 (Ctrl+S), 检查, 定稿, switching the section tab,
switching the 笔录/照片 view, hiding the form (closing the case), the autosave tick — must commit
an open cell editor first. Each test types into a cell WITHOUT pressing Enter or leaving it."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QApplication, QLineEdit, QTableWidget

from form_support import click, open_view
from gui_support import (admin, app, cases, child, complete_values, dialogs, store,  # noqa: F401
                         type_into)

pytestmark = pytest.mark.usefixtures("dialogs")

# every table of the scene form: (field, a column a person types into, the text)
TABLES = [("investigators", "unit", "钦南分局刑侦大队"),
          ("witnesses", "address", "钦州市钦南区永福路 12 号"),
          ("evidence", "name", "右手食指指纹")]


def type_in_open_cell(qtbot, view, field: str, column: str, text: str) -> QTableWidget:
    """Add a row, move to the cell and type; the cell editor stays open (no Enter, no Tab)."""
    table = child(view, QTableWidget, f"field_{field}")
    view.focus_path(field)
    editor = view.editors[field]
    cols = [s.id for s in editor.field.fields]
    click(qtbot, view, f"field_{field}_add")
    row = table.rowCount() - 1
    table.setCurrentCell(row, cols.index(column))
    table.setFocus()
    table.editItem(table.item(row, cols.index(column)))
    line = QApplication.focusWidget()
    assert isinstance(line, QLineEdit) and table.isAncestorOf(line)
    type_into(qtbot, line, text)
    assert table.state() == QAbstractItemView.State.EditingState
    assert table.item(row, cols.index(column)).text() == ""  # not committed by anything yet
    return table


def stored_cell(cases, view, field: str, column: str):
    rows = cases.get(view.case.id).data.get(field) or []
    return [r.get(column) for r in rows]


# Each test walks the three tables on one form (a form costs more to open than the steps).
def test_ctrl_s_commits_the_open_cell(app, qtbot, cases):
    view = open_view(qtbot, cases, cases.new_case().id)
    for field, column, text in TABLES:
        view.panel.message.clear()  # the last table's 已保存 must not answer for this one
        type_in_open_cell(qtbot, view, field, column, text)
        qtbot.keySequence(QApplication.focusWidget(), QKeySequence(QKeySequence.StandardKey.Save))
        assert text in stored_cell(cases, view, field, column), field
        assert view.panel.message.text().startswith("已保存"), field


def test_save_button_commits_the_open_cell(app, qtbot, cases):
    view = open_view(qtbot, cases, cases.new_case().id)
    for field, column, text in TABLES:
        type_in_open_cell(qtbot, view, field, column, text)
        view.save()  # what the button and the main window's 保存 call
        assert text in stored_cell(cases, view, field, column), field


def test_switching_tabs_journals_the_open_cell(app, qtbot, cases):
    view = open_view(qtbot, cases, cases.new_case().id)
    for field, column, text in TABLES:
        cases.discard_recovery(view.case.id)  # the last table's journal must not answer for this one
        assert cases.recovered(view.case.id) is None
        type_in_open_cell(qtbot, view, field, column, text)
        view.next_section(1)
        recovery = cases.recovered(view.case.id)
        assert recovery is not None, field
        assert text in [r.get(column) for r in recovery.values.get(field) or []], field


@pytest.mark.parametrize("field,column,text", TABLES)  # (a form each: hidden, it stays closed)
def test_closing_the_case_journals_the_open_cell(app, qtbot, cases, field, column, text):
    view = open_view(qtbot, cases, cases.new_case().id)
    type_in_open_cell(qtbot, view, field, column, text)
    assert view.is_dirty()  # what the close prompt asks: the open cell counts as an edit
    view.hide()
    recovery = cases.recovered(view.case.id)
    assert recovery is not None
    assert text in [r.get(column) for r in recovery.values.get(field) or []]


def test_check_and_finalize_commit_the_open_cell(app, qtbot, cases):
    values = complete_values()
    case = cases.new_case(values)
    view = open_view(qtbot, cases, case.id)
    type_in_open_cell(qtbot, view, "evidence", "name", "门把手擦拭物")
    view.check()
    assert "门把手擦拭物" in stored_cell(cases, view, "evidence", "name")
    type_in_open_cell(qtbot, view, "investigators", "title", "技术员")
    view.finalize()
    assert "技术员" in stored_cell(cases, view, "investigators", "title")


def test_autosave_tick_keeps_the_editor_open(app, qtbot, cases):
    """The journal gets the typed text, and the technician can go on typing in the cell."""
    view = open_view(qtbot, cases, cases.new_case().id)
    table = type_in_open_cell(qtbot, view, "evidence", "name", "烟头")
    view.autosave_now()
    assert table.state() == QAbstractItemView.State.EditingState
    recovery = cases.recovered(view.case.id)
    assert recovery is not None and "烟头" in [r.get("name") for r in recovery.values["evidence"]]
    type_into(qtbot, QApplication.focusWidget(), "2 枚")
    view.save()
    assert "烟头2 枚" in stored_cell(cases, view, "evidence", "name")
