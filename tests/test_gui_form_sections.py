"""Issue 10 §4: every section of the record is reachable at 1024×768 without scroll arrows —
a list of sections beside the form, which also counts each section's problems."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QListWidget, QTabWidget, QWidget

from form_support import open_view
from gui_support import admin, app, cases, child, dialogs, store  # noqa: F401

pytestmark = pytest.mark.usefixtures("dialogs")


@pytest.mark.parametrize("size", [(1024 - 160, 768 - 120), (1366 - 160, 768 - 120)])
def test_every_section_is_in_view_at_laptop_sizes(app, qtbot, cases, size):
    """The form's share of a 1024×768 / 1366×768 window (minus the module list and frame)."""
    view = open_view(qtbot, cases, cases.new_case().id)
    view.resize(*size)
    qtbot.wait(10)
    sections = child(view, QListWidget, "sectionList")
    tabs = child(view, QTabWidget, "formTabs")
    assert not tabs.tabBar().isVisible()
    assert sections.count() == len(view.spec.sections) == tabs.count()
    viewport = sections.viewport().rect()
    for row in range(sections.count()):
        rect = sections.visualItemRect(sections.item(row))
        assert viewport.contains(rect), f"section {row} ({sections.item(row).text()}) out of view"
        # the whole title is shown (wrapped, never cut)
        assert sections.item(row).text() == view.spec.sections[row].title.zh
    assert not sections.verticalScrollBar().isVisible()
    assert view.width() - sections.width() >= 600  # the form keeps room for its fields

    # the title of a draft stays on one line (at 1024 and wider)
    title = child(view, QLabel, "formTitle")
    assert title.isVisible() and not title.wordWrap()
    assert title.sizeHint().width() <= title.width(), "the title is cut"
    assert title.height() < 2 * title.fontMetrics().lineSpacing()
    for name in ("saveButton", "checkButton", "finalizeButton", "reportButton"):
        button = view.findChild(QWidget, name)
        assert not button.isVisible() or button.geometry().right() <= view.width()


def test_choosing_a_section_shows_it_keys_keep_the_list_in_step_and_check_counts_problems(app, qtbot, cases):
    view = open_view(qtbot, cases, cases.new_case().id)
    sections = child(view, QListWidget, "sectionList")
    before = [sections.item(r).text() for r in range(sections.count())]
    assert before == [s.title.zh for s in view.spec.sections]
    last = sections.count() - 1
    rect = sections.visualItemRect(sections.item(last))
    qtbot.mouseClick(sections.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert view.tabs.currentIndex() == last
    view.next_section(1)  # Ctrl+PgDown wraps to the first
    assert sections.currentRow() == view.tabs.currentIndex() == 0

    # the list counts each section's problems after 检查
    view.check()
    texts = [sections.item(r).text() for r in range(sections.count())]
    counted = [t for t in texts if t.endswith("）") and "（" in t and t[t.rindex("（") + 1:-1].isdigit()]
    assert counted, texts
    problems = child(view, QListWidget, "problemList")
    shown = sum(int(t[t.rindex("（") + 1:-1]) for t in counted)
    assert 0 < shown <= problems.count()


def test_the_registers_comparison_column_is_in_view_at_1024(app, qtbot, cases):
    from PySide6.QtWidgets import QTableWidget

    from photo_gui_support import evidence, open_pages

    view, pages = open_pages(qtbot, cases, cases.new_case({"evidence": evidence()}).id)
    view.resize(1024 - 160, 768 - 120)
    pages.show_register()
    qtbot.wait(10)
    table = child(view, QTableWidget, "evidenceTable")
    status = next(c for c in range(table.columnCount())
                  if table.horizontalHeaderItem(c).text() == "必比状态")
    header = table.horizontalHeader()
    left = header.sectionViewportPosition(status)
    assert 0 <= left and left + header.sectionSize(status) <= table.viewport().width()
