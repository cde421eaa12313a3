"""The main window: navigation by role, status bar, case list and case tabs, settings kept."""
from __future__ import annotations

import threading
import time

import pytest
from PySide6.QtCore import QModelIndex, QSettings, Qt, QTimer
from PySide6.QtWidgets import (QComboBox, QLabel, QLineEdit, QListWidget, QMessageBox, QPushButton,
                               QStackedWidget, QTableView, QTabWidget)

from gui_support import (UNIT_NAME, admin, app, cases, child, complete_values, dialogs,  # noqa: F401
                         forms, store, type_into)
from support import PASSWORD
from weicha_desktop.core.cases import CaseService
from weicha_desktop.core.store import Store
from weicha_desktop.core.users import UserService
from weicha_desktop.gui.cases.list import CaseTableModel
from weicha_desktop.gui.common.settings import Settings
from weicha_desktop.gui.forms.view import FormView
from weicha_desktop.gui.review.queue import ReviewQueue
from weicha_desktop.gui.shell.main_window import MainWindow
from weicha_desktop.gui.shell.status_bar import BACKUP_CHECK_MS

pytestmark = pytest.mark.usefixtures("dialogs")

ADDRESSES = ("钦南区永福路 12 号", "钦北区大垌镇 3 号", "灵山县新洲路 88 号")


@pytest.fixture
def window(app, qtbot, store, admin):
    win = MainWindow(store, forms(), admin)
    qtbot.addWidget(win)
    win.show()
    return win


def user(store, admin, name: str, role: str):
    UserService(store).add(admin, name, role, PASSWORD, display_name=f"{name}警官",
                          badge_no=str(200100 + UserService(store).count()))
    return UserService(store).authenticate(name, PASSWORD)


def make_cases(cases, n: int = 3) -> list:
    return [cases.new_case({"incident_address": ADDRESSES[i % 3], "case_type": "burglary"})
            for i in range(n)]


def nav_texts(win) -> list[str]:
    nav = child(win, QListWidget, "navList")
    return [nav.item(i).text() for i in range(nav.count())]


def test_window_frame_and_status_bar(window, store):
    assert window.windowTitle() == f"微察桌面版 — {UNIT_NAME}"
    assert (window.width(), window.height()) == (1280, 800)
    assert nav_texts(window) == ["现场勘验", "审核", "核查", "采集", "巡逻", "互动"]
    assert child(window, QLabel, "userLabel").text() == "用户：admin（管理员）"
    assert child(window, QLabel, "unitLabel").text() == f"单位：{UNIT_NAME}"
    assert child(window, QLabel, "syncLabel").text() == "同步：未配置（离线）"
    assert store.pending_count() == 0
    assert child(window, QLabel, "pendingLabel").text() == "无待同步数据"


@pytest.mark.parametrize("role, pages", [("technician", ["现场勘验", "核查", "采集", "巡逻", "互动"]),
                                         ("supervisor", ["现场勘验", "审核", "核查", "采集", "巡逻", "互动"])])
def test_review_is_only_for_supervisors_and_admins(app, qtbot, store, admin, role, pages):
    actor = user(store, admin, "zhou", role)
    win = MainWindow(store, forms(), actor)
    qtbot.addWidget(win)
    assert nav_texts(win) == pages
    label = {"technician": "勘验员", "supervisor": "审核人"}[role]
    assert child(win, QLabel, "userLabel").text() == f"用户：zhou警官（{label}）"
    with pytest.raises(KeyError):
        win.page("no-such-module")


def test_navigation_switches_pages_and_builds_review_on_first_use(window):
    stack = child(window, QStackedWidget, "mainStack")
    assert stack.currentWidget() is child(window, QTabWidget, "mainTabs")
    assert window.findChild(ReviewQueue) is None  # not built until shown
    child(window, QListWidget, "navList").setCurrentRow(1)
    assert isinstance(stack.currentWidget(), ReviewQueue)
    assert window.current_page_key() == "review"
    child(window, QListWidget, "navList").setCurrentRow(0)
    assert window.current_page_key() == "cases"


def test_pending_count_follows_commits_without_polling(app, qtbot, store, admin):
    """The count follows the store's commits (StoreEvents), whoever made them; no timer polls
    (the status bar's one timer is the hourly backup check)."""
    window = MainWindow(store, forms(), admin)
    qtbot.addWidget(window)
    window.show()
    label = child(window, QLabel, "pendingLabel")
    assert [t.interval() for t in window.status.findChildren(QTimer) if t.isActive()] == [BACKUP_CHECK_MS]
    assert label.text() == "无待同步数据"
    qtbot.mouseClick(child(window, QPushButton, "newCaseButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: label.text() == "待同步 1 项", timeout=2000)
    assert store.pending_count() == 1
    # a change made through a service the window did not call
    CaseService(store, forms(), window.actor).new_case()
    qtbot.waitUntil(lambda: label.text() == "待同步 2 项", timeout=2000)
    # a worker thread with a connection of its own, opened as the store's sibling
    def worker() -> None:
        with store.sibling() as own:
            CaseService(own, forms(), window.actor).new_case()
    thread = threading.Thread(target=worker)
    thread.start()
    thread.join(30)
    qtbot.waitUntil(lambda: label.text() == "待同步 3 项", timeout=2000)
    # documented limit: a store opened on its own is another connection, not heard of
    with Store.open(store.data_dir, lock=False) as other:
        CaseService(other, forms(), window.actor).new_case()
    qtbot.wait(200)
    assert label.text() == "待同步 3 项" and store.pending_count() == 4
    window.status.refresh()
    assert label.text() == "待同步 4 项"


def test_lists_cases_and_filters_by_text_and_status(qtbot, cases, store, admin, app):
    made = make_cases(cases)
    win = MainWindow(store, forms(), admin, list_pause_ms=20)  # the typing pause the filter waits for: short here
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
    status.setCurrentText("已定稿")
    assert model.rowCount() == 0
    status.setCurrentText("草稿")
    assert model.rowCount() == 3


def test_returned_cases_stand_out(qtbot, app, store, admin, cases):
    make_cases(cases, 2)
    returned = cases.new_case(complete_values())
    cases.finalize(returned.id)
    boss = user(store, admin, "zhou", "supervisor")  # not the admin who wrote it
    CaseService(store, forms(), boss).review(returned.id, approve=False, comment="补充见证人身份证号码")
    tech = user(store, admin, "liming", "technician")
    win = MainWindow(store, forms(), tech)
    qtbot.addWidget(win)
    win.show()
    banner = child(win, QLabel, "returnedBannerText")
    assert banner.isVisible()
    assert banner.text() == "有 1 件勘验被审核人退回补正，已排在列表最前（状态标红）。"
    model = child(win, QTableView, "caseTable").model()
    assert model.index(0, 0).data() == returned.number  # first, though not the newest
    assert model.index(0, 4).data() == "退回补正"
    assert model.rowCount() == 3
    qtbot.mouseClick(child(win, QPushButton, "showReturnedButton"), Qt.MouseButton.LeftButton)
    assert model.rowCount() == 1 and model.index(0, 0).data() == returned.number


def test_no_banner_without_returned_cases(window, cases):
    make_cases(cases, 1)
    window.workspace.refresh_list()
    assert not window.findChild(QLabel, "returnedBannerText").isVisible()


def test_double_click_opens_the_case(window, cases, qtbot):
    made = make_cases(cases, 1)[0]
    window.workspace.refresh_list()
    table = child(window, QTableView, "caseTable")
    rect = table.visualRect(table.model().index(0, 0))
    # a real double click is press-release-doubleclick; QTest's mouseDClick alone lacks the
    # first press, and an item view then ignores the double click
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    tabs = child(window, QTabWidget, "mainTabs")
    assert tabs.count() == 2 and tabs.tabText(1) == made.number
    assert isinstance(tabs.currentWidget(), FormView)
    window.workspace.open_case(made.id)  # a second open shows the same tab
    assert tabs.count() == 2


def test_new_case_button_opens_a_form_tab(window, cases, qtbot):
    qtbot.mouseClick(child(window, QPushButton, "newCaseButton"), Qt.MouseButton.LeftButton)
    tabs = child(window, QTabWidget, "mainTabs")
    assert tabs.count() == 2
    view = tabs.currentWidget()
    assert isinstance(view, FormView)
    number = cases.list()[0]["number"]
    assert tabs.tabText(1) == number and view.case.number == number
    assert window.statusBar().currentMessage() == f"已新建勘验 {number}"
    spec = forms().latest("scene_investigation")
    assert child(view, QTabWidget, "formTabs").count() == len(spec.sections)
    # the list follows the store's commit on the next turn of the event loop (StoreEvents)
    qtbot.waitUntil(lambda: child(window, QTableView, "caseTable").model().rowCount() == 1, timeout=2000)
    case_number = child(view, QLineEdit, "field_case_number")
    assert case_number.text() == number and case_number.isReadOnly()


def test_closing_a_case_tab_saves_the_edits(window, cases, dialogs, qtbot):
    view = window.workspace.new_case()
    child(view, QLineEdit, "field_recorder").clear()  # prefilled with the user
    type_into(qtbot, child(view, QLineEdit, "field_recorder"), "王五")
    window.workspace.close_tab(1)
    assert child(window, QTabWidget, "mainTabs").count() == 1
    assert cases.get(view.case.id).data["recorder"] == "王五"
    assert dialogs.shown == []


def test_closing_a_tab_with_wrong_values_asks_and_keeps_them_for_later(window, cases, dialogs,
                                                                       qtbot):
    view = window.workspace.new_case()
    type_into(qtbot, child(view, QLineEdit, "field_reporter.phone"), "12345")
    dialogs.answers.append(QMessageBox.StandardButton.Cancel)
    window.workspace.close_tab(1)
    assert child(window, QTabWidget, "mainTabs").count() == 2  # stays, to be corrected
    assert "修改已自动保存" in dialogs.texts()
    dialogs.answers.append(QMessageBox.StandardButton.Close)
    assert window.close()  # closing the program asks the same
    assert cases.recovered(view.case.id).values["reporter"] == {"phone": "12345"}
    assert "reporter" not in cases.get(view.case.id).data


def test_window_keeps_geometry_and_page_in_its_settings(app, qtbot, store, admin, tmp_path):
    def settings() -> Settings:
        return Settings(QSettings(str(tmp_path / "weicha.ini"), QSettings.Format.IniFormat))

    first = MainWindow(store, forms(), admin, settings())
    qtbot.addWidget(first)
    first.show()
    first.resize(700, 500)  # within the offscreen screen (800x600): restoring keeps it there
    first.show_page("review")
    first.splitter.setSizes([200, 500])
    assert first.close()

    again = MainWindow(store, forms(), admin, settings())
    qtbot.addWidget(again)
    again.show()
    assert again.current_page_key() == "review"
    assert (again.width(), again.height()) == (700, 500)
    assert again.splitter.sizes()[0] == 200


def test_model_pages_with_fetch_more(cases, app):
    """Cases made by the program (their numbers from the allocator), in pages of 20: two full
    pages and a part, as the list's 200 go (tests/test_gui_case_list.py: 450 rows, pages of 200)."""
    start = time.perf_counter()
    with cases.store.batch():  # set-up: each still a whole change, one commit for them all
        for i in range(45):
            cases.new_case()
    made = time.perf_counter() - start
    assert made < 2, f"45 new cases took {made:.1f}s"

    model = CaseTableModel(cases, page_size=20)
    assert model.rowCount() == 20 and model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 40
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 45
    assert not model.canFetchMore(QModelIndex())
    numbers = [model.index(r, 0).data() for r in range(45)]
    assert len(set(numbers)) == 45  # pages neither overlap nor leave gaps

    model.set_filter(text="0001")  # a filter starts again from the first page
    assert model.rowCount() == 1
