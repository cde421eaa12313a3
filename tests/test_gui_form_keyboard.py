"""Issue 10 §2: no Tab traps. An empty date / date-time field lets Tab and Shift+Tab leave it;
a table with rows lets Tab leave after its last cell (to 添加一行) and Shift+Tab before its
first cell, typing or not."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractItemView, QApplication, QDateEdit, QDateTimeEdit, QWidget,
                               QLineEdit, QPushButton, QTableWidget)

from form_support import focused, open_view
from gui_support import activate, admin, app, cases, child, dialogs, store  # noqa: F401

pytestmark = pytest.mark.usefixtures("dialogs")


def tab(qtbot, back: bool = False) -> None:
    qtbot.keyClick(focused(), Qt.Key.Key_Backtab if back else Qt.Key.Key_Tab,
                   Qt.KeyboardModifier.ShiftModifier if back else Qt.KeyboardModifier.NoModifier)


def inside(widget) -> bool:
    f = focused()
    return f is widget or (f is not None and widget.isAncestorOf(f))


def test_tab_leaves_an_empty_date_time_field_and_every_empty_date_field(app, qtbot, cases):
    """(one form for both: neither step fills a field)"""
    view = open_view(qtbot, cases, cases.new_case().id)
    for field, cls in [("reported_at", QDateTimeEdit), ("ended_at", QDateTimeEdit)]:  # started_at: prefilled
        view.focus_path(field)
        edit = child(view, cls, f"field_{field}")
        assert inside(edit) and edit.is_empty()
        tab(qtbot)
        assert not inside(edit), f"Tab stays in the empty date field {field}"
        view.focus_path(field)
        tab(qtbot, back=True)
        assert not inside(edit), f"Shift+Tab stays in the empty date field {field}"
        assert edit.is_empty()  # leaving does not fill it

    # the date fields of a person group
    dates = [w for w in view.findChildren(QDateEdit) if w.objectName().startswith("field_")
             and w.isEnabled()]
    assert dates, "the scene form has date fields"
    for edit in dates:
        view.tabs.setCurrentIndex(next(i for i, p in enumerate(view.pages) if p.isAncestorOf(edit)))
        edit.setFocus(Qt.FocusReason.TabFocusReason)
        tab(qtbot)
        assert not inside(edit), f"Tab stays in {edit.objectName()}"


def test_tab_leaves_a_table_with_rows_to_its_add_button(app, qtbot, cases):
    view = open_view(qtbot, cases, cases.new_case({"evidence": [{"name": "指纹"}, {"name": "足迹"}]}).id)
    view.focus_path("evidence")
    table = child(view, QTableWidget, "field_evidence")
    add = child(view, QPushButton, "field_evidence_add")
    assert table.rowCount() == 2
    table.setCurrentCell(0, 1)
    presses = 0
    while inside(table) and presses < 200:
        tab(qtbot)
        presses += 1
    assert focused() is add, f"after {presses} Tabs the focus is on {focused()}"
    typable = [(r, c) for r in range(2) for c in range(table.columnCount())
               if table.item(r, c).flags() & Qt.ItemFlag.ItemIsEditable]
    assert (0, 1) == typable[0]  # 编号 (col 0) is filled by the system
    assert presses == len(typable)  # one Tab per cell a person types into, none wasted
    tab(qtbot, back=True)
    assert inside(table)
    table.setCurrentCell(0, 1)  # the first cell a person types into
    tab(qtbot, back=True)
    assert not inside(table), "Shift+Tab stays in the table"


def test_tab_from_an_open_editor_in_the_last_cell_leaves_the_table(app, qtbot, cases):
    view = open_view(qtbot, cases, cases.new_case().id)
    view.focus_path("evidence")
    table = child(view, QTableWidget, "field_evidence")
    qtbot.mouseClick(child(view, QPushButton, "field_evidence_add"), Qt.MouseButton.LeftButton)
    last = table.columnCount() - 1
    table.setCurrentCell(0, last)
    table.editItem(table.item(0, last))
    line = QApplication.focusWidget()
    assert isinstance(line, QLineEdit) and table.isAncestorOf(line)
    line.insert("备注一")
    tab(qtbot)
    assert table.item(0, last).text() == "备注一"  # committed, not lost
    assert table.state() != QAbstractItemView.State.EditingState
    assert focused() is child(view, QPushButton, "field_evidence_add")


def test_new_case_puts_the_focus_on_the_first_empty_required_field_and_ctrl_n_makes_one(app, qtbot, store,
                                                                                        admin, cases):
    """新建 by its button, then by Ctrl+N from the case list (one window for both)."""
    from PySide6.QtWidgets import QTableView, QTabWidget

    from gui_support import forms
    from weicha_desktop.gui.shell.main_window import MainWindow

    win = MainWindow(store, forms(), admin)
    qtbot.addWidget(win)
    win.show()
    activate(qtbot, win)
    qtbot.mouseClick(child(win, QPushButton, "newCaseButton"), Qt.MouseButton.LeftButton)
    view = child(win, QTabWidget, "mainTabs").currentWidget()
    widget = focused()
    assert widget is not None and not isinstance(widget, QPushButton)
    editor = next((e for e in view.editors.values()
                   if e.widget is widget or e.widget.isAncestorOf(widget)), None)
    assert editor is not None, f"focus on {widget!r}, not on a field"
    assert editor.field.required and not editor.field.readonly
    assert editor.field.id not in view.values()  # empty
    # no required, empty field comes before it in the form's order
    order = [f.id for s in view.spec.sections for f in s.fields]
    before = order[:order.index(editor.field.id)]
    skipped = [f for f in before if view.spec.field(f).required and not view.spec.field(f).readonly
               and f not in view.values() and not any(p.is_hidden(f) for p in view.pages)]
    assert not skipped, skipped

    # Ctrl+N from the case list
    tabs = child(win, QTabWidget, "mainTabs")
    tabs.setCurrentIndex(0)
    child(win, QTableView, "caseTable").setFocus()
    key(qtbot, "Ctrl+N")
    assert tabs.count() == 3 and len(cases.list()) == 2  # (the list, the case made above, this one)
    assert tabs.currentIndex() == 2
    assert "&N" in child(win, QPushButton, "newCaseButton").text()


def key(qtbot, keys: str) -> None:
    from PySide6.QtGui import QKeySequence
    qtbot.keySequence(focused(), QKeySequence(keys))


def test_keys_for_check_problems_views_and_report(app, qtbot, cases, monkeypatch):
    from PySide6.QtWidgets import QListWidget, QStackedWidget

    from photo_gui_support import open_pages
    from weicha_desktop.gui.cases.pages import CasePages

    opened = []
    monkeypatch.setattr(CasePages, "open_report", lambda self: opened.append(self) or None)
    view, pages = open_pages(qtbot, cases, cases.new_case().id)
    activate(qtbot, view)
    view.focus_first_empty()
    key(qtbot, "F7")  # 检查: the list of what blocks finalizing
    problems = child(view, QListWidget, "problemList")
    assert problems.isVisible() and problems.count() > 2
    key(qtbot, "F8")  # the first problem, shown at its field
    first = problems.item(0).data(Qt.ItemDataRole.UserRole)
    assert problems.currentRow() == 0 and view.editors[first.split("[")[0].split(".")[0]]
    key(qtbot, "F8")
    assert problems.currentRow() == 1
    key(qtbot, "Shift+F8")
    key(qtbot, "Shift+F8")  # wraps to the last
    assert problems.currentRow() == problems.count() - 1
    stack = child(view, QStackedWidget, "caseViews")
    key(qtbot, "Ctrl+2")
    assert stack.currentWidget() is pages.photo_log
    key(qtbot, "Ctrl+3")
    assert stack.currentWidget() is pages.register
    key(qtbot, "Ctrl+1")
    assert stack.currentIndex() == 0 and view.tabs.isAncestorOf(focused())
    key(qtbot, "Ctrl+P")
    assert opened == [pages]


def test_buttons_carry_alt_mnemonics(app, qtbot):
    from weicha_desktop.gui.forms.header import FormHeader

    h = FormHeader()  # the form's buttons (a whole form is not needed to read them)
    qtbot.addWidget(h)
    texts = [b.text() for b in (h.save_button, h.check_button, h.finalize_button,
                                h.amend_button, h.report_button, h.discard_button)]
    letters = [t[t.index("&") + 1].lower() for t in texts if "&" in t]
    assert len(letters) == len(texts) and len(set(letters)) == len(letters), texts
    assert "f" not in letters  # Alt+F is the 文件 menu


def test_help_lists_every_key_and_docs_agree(app, qtbot, store, admin):
    from pathlib import Path

    from PySide6.QtWidgets import QTableWidget

    from gui_support import forms
    from weicha_desktop.gui.shell.main_window import MainWindow
    from weicha_desktop.gui.shell.shortcuts import key_list

    win = MainWindow(store, forms(), admin)
    qtbot.addWidget(win)
    action = next(a for a in win.findChildren(type(win.menuBar().actions()[0]))
                  if a.objectName() == "shortcutsAction")
    action.trigger()
    dialog = win.findChild(QWidget, "shortcutsDialog")
    table = child(dialog, QTableWidget, "shortcutsTable")
    shown = [table.item(r, 0).text() for r in range(table.rowCount())]
    assert shown == [k for k, _ in key_list()]
    for k in ("Ctrl+N", "F7", "F8 / Shift+F8", "Ctrl+P", "Ctrl+1 / Ctrl+2 / Ctrl+3"):
        assert k in shown
    docs = (Path(__file__).parent.parent / "docs" / "gui.md").read_text(encoding="utf-8")
    for k, _ in key_list():
        for part in k.replace("Alt+S C D A R X N", "Alt+letter").split(" / "):
            assert part in docs, f"{part} missing from docs/gui.md"
