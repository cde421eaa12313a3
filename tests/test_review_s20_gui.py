"""Hostile review of stop 20's GUI speed-ups (406e941, e200da9/b522d7e/1e25739, 3352d42, 2b84ae6/
f7bacc7): the regressions each one could most likely bring, each checked on the real widgets.
Nothing here found a bug; these guard the kept state each change introduced."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QListWidget, QPushButton, QStackedWidget, QTableView

from gui_support import admin, app, cases, child, forms, store  # noqa: F401
from form_support import open_view
from weicha_desktop.core.collect import VehicleService
from weicha_desktop.core.errors import Problem
from weicha_desktop.gui.collect.list import Row
from weicha_desktop.gui.collect.page import CollectPage
from weicha_desktop.gui.forms.problems import PATH_ROLE, ProblemPanel
from weicha_desktop.gui.review.queue import ReviewQueue


def _texts(panel: ProblemPanel) -> list[tuple[str, str]]:
    return [(panel.list.item(r).data(PATH_ROLE), panel.list.item(r).text()) for r in range(panel.list.count())]


def test_problem_list_kept_only_while_the_same(app, qtbot):
    """406e941: the same problems keep the list (its chosen row); the same texts in another
    order, on another field, or a notice instead of a problem make it again."""
    panel = ProblemPanel(lambda p: p.message)
    qtbot.addWidget(panel)
    panel.show()
    a, b, c = Problem("f.a", "A"), Problem("f.b", "B"), Problem("f.c", "C")
    panel.show_problems([a, b, c], "3")
    panel.list.setCurrentRow(1)
    first = panel.list.item(0)
    panel.show_problems([a, b, c], "3 again")
    assert panel.list.item(0) is first and panel.list.currentRow() == 1  # kept, B still chosen
    assert panel.message.text() == "3 again"
    panel.show_problems([c, b, a], "3")  # the same texts, another order: shown in that order
    assert _texts(panel) == [("f.c", "C"), ("f.b", "B"), ("f.a", "A")] and panel.list.currentRow() == 1
    panel.show_problems([c, Problem("f.x", "B"), a], "3")  # the same text, another field
    assert _texts(panel)[1] == ("f.x", "B")
    panel.show_problems([c, a], "2", notices=[Problem("f.x", "B")])  # now a notice
    assert panel.list.item(2).text().endswith("B") and panel.list.item(2).text() != "B"
    # B (chosen) fixed elsewhere, then the same list again: F8 still goes on with what followed B
    panel.show_problems([a, b, c], "3")
    panel.list.setCurrentRow(1)
    panel.show_problems([a, c], "2")
    panel.show_problems([a, c], "2")
    assert panel.step(1) and panel.list.currentItem().text() == "C"


@pytest.fixture
def collect(app, qtbot, store, admin):
    page = CollectPage(store, forms(), admin)
    qtbot.addWidget(page)
    page.resize(1024, 600)
    return page


def test_lazy_kind_made_when_asked_shows_records_saved_before(collect, qtbot, store, admin):
    """1e25739: a kind's list made after a record of it was saved elsewhere lists it, in its
    tab, with the search working; asking for it made it once."""
    VehicleService(store, forms(), admin).create({"plate": "桂A12345"})
    assert "vehicle" not in collect.kinds
    page = collect.show_kind("vehicle")
    assert collect.kinds["vehicle"] is page and collect.currentWidget().isAncestorOf(page)
    collect.show()
    table = child(page, QTableView, "collectList_vehicle")
    qtbot.waitUntil(lambda: table.model().rowCount() == 1)
    child(page, QLineEdit, "collectSearch_vehicle").setText("桂B")
    page.refresh()
    qtbot.waitUntil(lambda: table.model().rowCount() == 0)
    collect.setCurrentIndex(0)
    collect.setCurrentIndex(1)
    assert collect.kinds["vehicle"] is page and page.isVisible()


def test_kept_measure_dropped_when_rows_change_in_place(collect, qtbot, store, admin):
    """e200da9/b522d7e: a column's measure kept during a fit is measured again when a row's
    words change under it (the same number of rows)."""
    people = collect.kinds["person"]
    model, column = people.model, people.columns.index("id_number")

    def rows(number: str) -> None:
        model.beginResetModel()
        model._rows = [Row({"id": "x", "name": "甲", "id_number": number, "status": "draft", "returned": False})]
        model.endResetModel()

    rows("1")
    with people._measuring():
        before = people.measure(column)
        assert people.measure(column) == before
        rows("W" * 60)  # reset: measured again
        longer = people.measure(column)
        assert longer > before + 100
        model._rows[0]["id_number"] = "1"  # changed in place, the same rows
        model.dataChanged.emit(model.index(0, column), model.index(0, column))
        assert people.measure(column) == before


def test_review_queue_made_by_keyboard_switch(app, qtbot, cases):
    """3352d42: a queue made when its switch is first pressed is made and shown when the
    switch is reached with the arrow keys too (no mouse press)."""
    made = []

    def make():
        made.append(QLabel("采集队列"))
        made[-1].setObjectName("madeQueue")
        return made[-1]

    page = ReviewQueue(cases, collect=make)
    qtbot.addWidget(page)
    page.show()
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)
    assert not made
    cases_switch = child(page, QPushButton, "reviewKindCases")
    cases_switch.setFocus()
    qtbot.keyClick(cases_switch, Qt.Key.Key_Right)
    qtbot.waitUntil(lambda: bool(made) and made[0].isVisible())
    assert child(page, QPushButton, "reviewKindCollect").isChecked()
    assert page.findChild(QStackedWidget, "reviewKinds").currentWidget() is made[0]


def test_form_made_in_place_keeps_its_order_and_templates(app, qtbot, cases):
    """2b84ae6/f7bacc7: the header, section list, problem panel and template bar made where
    they go: the narrative tab's focus chain, the templates offered (once, filled), the
    offer under the header."""
    view = open_view(qtbot, cases, cases.new_case({}).id)
    bar = view.template_bar
    assert bar is not None and bar.choice.count() > 0 and bar.button.isEnabled()
    assert view.layout().indexOf(bar.offer) == 1 and view.layout().indexOf(view.panel) > 1
    view.tabs.setCurrentIndex(view._narrative)
    chain, w = [], bar.choice
    while len(chain) < 3:
        chain.append(w.objectName())
        w = w.nextInFocusChain()
        while not (w.isVisible() and w.focusPolicy() & Qt.FocusPolicy.TabFocus):
            w = w.nextInFocusChain()
    assert chain == ["templateChoice", "insertTemplateButton", "field_narrative_location"]
    assert view.section_list.parent() is not None and view.header.isAncestorOf(view.header.save_button)
    assert child(view, QListWidget, "problemList") is view.panel.list
