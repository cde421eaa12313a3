"""The main window: case list (search, status filter, paging), new case, the form tab."""
from __future__ import annotations

import time

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (QComboBox, QLabel, QLineEdit, QListWidget, QMessageBox, QPushButton,
                               QTableView, QTabWidget)

from gui_support import (UNIT_NAME, admin, app, cases, child, dialogs, forms,  # noqa: F401
                         invisible_chars, store, type_into, visible_texts)
from weicha_desktop.gui.case_list import CaseTableModel
from weicha_desktop.gui.form_view import FormView
from weicha_desktop.gui.main_window import MainWindow

pytestmark = pytest.mark.usefixtures("dialogs")

ADDRESSES = ("钦南区永福路 12 号", "钦北区大垌镇 3 号", "灵山县新洲路 88 号")


@pytest.fixture
def window(app, qtbot, store, admin):
    win = MainWindow(store, forms(), admin)
    qtbot.addWidget(win)
    win.show()
    return win


def make_cases(cases, n: int = 3) -> list:
    return [cases.new_case({"incident_address": ADDRESSES[i % 3], "case_type": "入室盗窃"})
            for i in range(n)]


def test_window_frame(window, admin):
    assert window.windowTitle() == f"微察桌面版 — {UNIT_NAME}"
    assert (window.width(), window.height()) == (1280, 800)
    nav = child(window, QListWidget, "navList")
    assert [nav.item(i).text() for i in range(nav.count())] == ["现场勘验"]
    assert child(window, QLabel, "userLabel").text() == "用户：admin（管理员）"
    assert UNIT_NAME in child(window, QLabel, "unitLabel").text()
    assert child(window, QLabel, "syncLabel").text() == "同步：未配置（离线）"


def test_lists_cases_and_filters_by_text_and_status(qtbot, cases, store, admin, app):
    made = make_cases(cases)
    win = MainWindow(store, forms(), admin)
    qtbot.addWidget(win)
    table = child(win, QTableView, "caseTable")
    model = table.model()
    assert model.rowCount() == 3
    numbers = {model.index(r, 0).data() for r in range(3)}
    assert numbers == {c.number for c in made}
    assert {model.index(r, 4).data() for r in range(3)} == {"草稿"}
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(6)] == [
        "勘验号", "案件性质", "发案地点", "勘验时间", "状态", "勘验人"]

    type_into(qtbot, child(win, QLineEdit, "caseSearch"), "永福路")
    qtbot.waitUntil(lambda: model.rowCount() == 1, timeout=2000)  # after the typing pause
    assert model.index(0, 2).data() == ADDRESSES[0]

    child(win, QLineEdit, "caseSearch").clear()
    qtbot.waitUntil(lambda: model.rowCount() == 3, timeout=2000)
    status = child(win, QComboBox, "caseStatusFilter")
    assert [status.itemText(i) for i in range(status.count())] == [
        "全部", "草稿", "退回补正", "已定稿", "已审核"]
    status.setCurrentText("已定稿")
    assert model.rowCount() == 0
    status.setCurrentText("草稿")
    assert model.rowCount() == 3


def test_double_click_opens_the_case(window, cases, qtbot):
    made = make_cases(cases, 1)[0]
    window.case_list.refresh()
    table = child(window, QTableView, "caseTable")
    rect = table.visualRect(table.model().index(0, 0))
    # a real double click is press-release-doubleclick; QTest's mouseDClick alone lacks the
    # first press, and an item view then ignores the double click
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    tabs = child(window, QTabWidget, "mainTabs")
    assert tabs.count() == 2 and tabs.tabText(1) == made.number
    assert isinstance(tabs.currentWidget(), FormView)
    window.open_case(made.id)  # a second open shows the same tab
    assert tabs.count() == 2


def test_new_case_button_opens_a_form_tab(window, cases, qtbot):
    qtbot.mouseClick(child(window, QPushButton, "newCaseButton"), Qt.MouseButton.LeftButton)
    tabs = child(window, QTabWidget, "mainTabs")
    assert tabs.count() == 2
    view = tabs.currentWidget()
    assert isinstance(view, FormView)
    number = cases.list()[0]["number"]
    assert tabs.tabText(1) == number and view.case.number == number
    spec = forms().latest("scene_investigation")
    assert child(view, QTabWidget, "formTabs").count() == len(spec.sections)
    assert child(window, QTableView, "caseTable").model().rowCount() == 1
    case_number = child(view, QLineEdit, "field_case_number")
    assert case_number.text() == number and case_number.isReadOnly()


def test_closing_a_case_tab_with_changes_asks(window, cases, dialogs, qtbot):
    view = window.new_case()
    type_into(qtbot, child(view, QLineEdit, "field_recorder"), "王五")
    dialogs.answers.append(QMessageBox.StandardButton.Cancel)
    window.close_tab(1)
    assert child(window, QTabWidget, "mainTabs").count() == 2  # cancelled: still open
    dialogs.answers.append(QMessageBox.StandardButton.Save)
    window.close_tab(1)
    assert child(window, QTabWidget, "mainTabs").count() == 1
    assert cases.get(view.case.id).data["recorder"] == "王五"


def test_model_pages_with_fetch_more(cases, app):
    start = time.perf_counter()
    for i in range(450):
        cases.new_case()
    made = time.perf_counter() - start
    assert made < 20, f"450 new cases took {made:.1f}s"

    model = CaseTableModel(cases)
    assert model.rowCount() == 200 and model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 400
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 450
    assert not model.canFetchMore(QModelIndex())
    numbers = [model.index(r, 0).data() for r in range(450)]
    assert len(set(numbers)) == 450  # pages neither overlap nor leave gaps

    model.set_filter(text="0001")  # a filter starts again from the first page
    assert model.rowCount() == 1


def test_everything_on_screen_is_drawn_by_the_font(window, cases, app):
    make_cases(cases)
    window.case_list.refresh()
    view = window.new_case()
    family = app.font().family()
    texts = visible_texts(window) | visible_texts(view)
    assert "现场勘验检查笔录" in "".join(texts)
    bad = {t: invisible_chars(t, family) for t in texts if invisible_chars(t, family)}
    assert not bad, f"characters drawn as nothing or boxes: {bad}"
