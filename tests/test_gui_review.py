"""审核: a supervisor returns and approves finalized cases through the review queue."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QLabel, QMessageBox, QPlainTextEdit, QPushButton, QTableView,
                               QTabWidget, QTextBrowser)

from gui_support import (admin, app, cases, child, complete_values, dialogs, forms,  # noqa: F401
                         store, type_into)
from support import PASSWORD
from weicha_desktop.core.users import UserService
from weicha_desktop.gui.review.queue import ReviewQueue
from weicha_desktop.gui.review.sheet import RecordSheet
from weicha_desktop.gui.shell.main_window import MainWindow


@pytest.fixture
def finalized(cases):
    """Two finalized cases (the queue) and a draft (not in it)."""
    done = [cases.finalize(cases.new_case(complete_values()).id) for _ in range(2)]
    cases.new_case()
    return done


@pytest.fixture
def window(app, qtbot, store, admin, finalized):
    UserService(store).add(admin, "zhou", "supervisor", PASSWORD, display_name="周建国", badge_no="200022")
    supervisor = UserService(store).authenticate("zhou", PASSWORD)
    win = MainWindow(store, forms(), supervisor)
    qtbot.addWidget(win)
    win.show()
    return win


def click(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def open_in_queue(qtbot, page: ReviewQueue, number: str) -> RecordSheet:
    table = child(page, QTableView, "reviewQueue")
    model = table.model()
    row = next(r for r in range(model.rowCount()) if model.index(r, 0).data() == number)
    rect = table.visualRect(model.index(row, 0))
    click_at = rect.center()
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=click_at)
    assert page.view is not None and page.view.case.number == number
    return page.view


def queue_numbers(page: ReviewQueue) -> set[str]:
    model = child(page, QTableView, "reviewQueue").model()
    return {model.index(r, 0).data() for r in range(model.rowCount())}


def test_queue_lists_finalized_cases_and_opens_the_first_read_only(window, qtbot, finalized):
    page = window.show_page("review")
    assert queue_numbers(page) == {c.number for c in finalized}
    assert child(page, QLabel, "reviewCountLabel").text() == "共 2 件待审核"
    table = child(page, QTableView, "reviewQueue")
    first = table.model().index(0, 0).data()
    assert page.view is not None and page.view.case.number == first  # the first waiting opens
    assert table.currentIndex().row() == 0

    view = open_in_queue(qtbot, page, ({c.number for c in finalized} - {first}).pop())
    assert view.findChildren(QPushButton, "saveButton") == []  # the whole record, read-only
    assert child(view, QTextBrowser, "reviewSheet").isReadOnly()
    assert child(page, QPushButton, "approveButton").isEnabled()
    assert child(page, QLabel, "reviewCaseLabel").text() == \
        f"勘验 {view.case.number}\n第 1 版（已定稿）"


def test_an_empty_queue_says_so(app, qtbot, store, admin):
    win = MainWindow(store, forms(), admin)
    qtbot.addWidget(win)
    win.show()
    page = win.show_page("review")
    assert page.view is None
    assert child(page, QLabel, "reviewPlaceholder").text() == "没有待审核的勘验"
    assert not child(page, QPushButton, "approveButton").isVisible()


def test_return_needs_a_comment_then_goes_back_to_the_technician(window, qtbot, cases, finalized,
                                                                 store):
    page = window.show_page("review")
    case = finalized[0]
    open_in_queue(qtbot, page, case.number)
    before = store.pending_count()

    click(qtbot, child(page, QPushButton, "returnButton"))
    error = child(page, QLabel, "reviewError")
    assert error.isVisible() and error.text() == "退回补正时请写明需要补正的内容。"
    assert cases.get(case.id).status == "finalized"  # nothing happened

    comment = child(page, QPlainTextEdit, "reviewComment")
    comment.setFocus()
    comment.insertPlainText("见证人身份证号码缺失，请补充。")  # as an input method commits it
    click(qtbot, child(page, QPushButton, "returnButton"))

    after = cases.get(case.id)
    assert after.status == "draft" and after.version == 2
    assert after.returned_comment == "见证人身份证号码缺失，请补充。"
    assert queue_numbers(page) == {finalized[1].number}
    assert page.view.case.number == finalized[1].number  # the next one waiting
    assert window.statusBar().currentMessage() == f"勘验 {case.number}：退回补正"
    qtbot.waitUntil(lambda: child(window, QLabel, "pendingLabel").text() == f"待同步 {before + 2} 项",
                    timeout=2000)  # the status bar follows the store's commits (StoreEvents)

    # the technician's side: first in the list, red, with the banner
    window.show_page("cases")
    model = child(window, QTableView, "caseTable").model()
    assert model.index(0, 0).data() == case.number and model.index(0, 4).data() == "退回补正"
    assert child(window, QLabel, "returnedBannerText").isVisible()


def test_approve_asks_then_marks_the_case_reviewed(window, qtbot, cases, finalized, dialogs):
    page = window.show_page("review")
    case = finalized[1]
    open_in_queue(qtbot, page, case.number)
    approve = child(page, QPushButton, "approveButton")

    dialogs.answers.append(QMessageBox.StandardButton.No)
    click(qtbot, approve)
    assert cases.get(case.id).status == "finalized"
    assert dialogs.shown[-1][1] == "审核通过"

    type_into(qtbot, child(page, QPlainTextEdit, "reviewComment"), "ok")
    dialogs.answers.append(QMessageBox.StandardButton.Yes)
    click(qtbot, approve)
    assert cases.get(case.id).status == "reviewed"
    assert queue_numbers(page) == {finalized[0].number}
    assert window.statusBar().currentMessage() == f"勘验 {case.number}：已审核"

    open_in_queue(qtbot, page, finalized[0].number)
    dialogs.answers.append(QMessageBox.StandardButton.Yes)
    click(qtbot, approve)
    assert page.view is None  # the queue is empty now
    assert child(page, QLabel, "reviewPlaceholder").text() == \
        f"已审核通过勘验 {finalized[0].number}。"


def test_an_open_case_tab_shows_the_review(window, qtbot, cases, finalized, dialogs):
    case = finalized[0]
    tab = window.workspace.open_case(case.id)
    page = window.show_page("review")
    open_in_queue(qtbot, page, case.number)
    comment = child(page, QPlainTextEdit, "reviewComment")
    comment.insertPlainText("补拍现场方位照片")
    click(qtbot, child(page, QPushButton, "returnButton"))
    assert tab.case.status == "draft" and tab.case.returned_comment == "补拍现场方位照片"
    assert tab.is_editable()
    assert child(window, QTabWidget, "mainTabs").count() == 2
