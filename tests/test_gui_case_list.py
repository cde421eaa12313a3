"""勘验列表 (CaseListView / CaseTableModel): keyset pages as the view scrolls, sorting by a
header click re-queries, filters by status / dates / text, the total counted on a worker."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QDate, QModelIndex, QPoint, Qt
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDateEdit, QLabel, QLineEdit, QPushButton,
                               QTableView)

from case_rows import Case, insert, numbered
from gui_support import admin, app, cases, child, dialogs, store, type_into  # noqa: F401
from weicha_desktop.core.case_query import DEFAULT_SORT, CaseQuery, CaseSort
from weicha_desktop.gui.cases.list import CaseListView, CaseTableModel

pytestmark = pytest.mark.usefixtures("dialogs")


@pytest.fixture
def view(app, qtbot, cases):
    insert(cases.store, [
        Case("a", "K4507020000002026110001", case_type="burglary", address="永福路 1 号",
             investigated_at="2026-11-20T09:00:00+08:00", investigator="李明",
             updated_at="2026-11-20T10:00:00+08:00"),
        Case("b", "K4507020000002026110002", status="finalized", case_type="pickpocketing",
             address="人民路 2 号", investigated_at="2026-11-25T09:00:00+08:00",
             investigator="黄志强", updated_at="2026-11-25T10:00:00+08:00"),
        Case("c", "K4507020000002026110003", returned_comment="补充访问", case_type="snatching",
             address="建设路 3 号", investigated_at="2026-10-02T09:00:00+08:00",
             updated_at="2026-11-01T10:00:00+08:00"),
        Case("d", "K4507020000002026110004", status="reviewed", case_type="fraud",
             updated_at="2026-11-26T10:00:00+08:00")])
    widget = CaseListView(cases, pause_ms=20)  # the typing pause the filters wait for: short here
    qtbot.addWidget(widget)
    widget.resize(1000, 500)
    widget.show()
    return widget


def numbers(model) -> list[str]:
    return [model.index(r, 0).data() for r in range(model.rowCount())]


def test_the_list_shows_returned_first_and_its_total(view, qtbot):
    model = view.model
    assert numbers(model)[0] == "K4507020000002026110003"  # returned, though not the newest
    assert model.index(0, 4).data() == "退回补正"
    assert model.index(0, 4).data(Qt.ItemDataRole.ToolTipRole) == "退回意见：补充访问"
    assert model.index(0, 3).data() == "2026-10-02 09:00"
    assert child(view, QLabel, "caseCountLabel").text() == "已显示 4 / 共 4 条"
    for cls, name in ((QLineEdit, "caseSearch"), (QComboBox, "caseStatusFilter"),
                      (QCheckBox, "caseDateFilter"), (QDateEdit, "caseDateFrom"),
                      (QDateEdit, "caseDateTo"), (QTableView, "caseTable")):
        child(view, cls, name)
    with qtbot.waitSignal(view.newCaseRequested):
        qtbot.mouseClick(child(view, QPushButton, "newCaseButton"), Qt.MouseButton.LeftButton)


def test_a_header_click_sorts_by_querying_again(view, qtbot, monkeypatch):
    table, model = child(view, QTableView, "caseTable"), view.model
    asked = []
    real = CaseQuery.page
    monkeypatch.setattr(CaseQuery, "page", lambda self, f, sort, *a, **kw: (
        asked.append(sort), real(self, f, sort, *a, **kw))[1])
    header = table.horizontalHeader()

    def click(column: int) -> None:
        x = header.sectionViewportPosition(column) + 10
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))

    click(0)  # 勘验号: newest first on the first click
    assert asked == [CaseSort("number", True)] and model.sort_order == CaseSort("number", True)
    assert numbers(model) == sorted(numbers(model), reverse=True)
    click(0)
    assert asked[-1] == CaseSort("number", False) and numbers(model) == sorted(numbers(model))
    click(0)  # a third click clears the sort: back to returned first
    assert model.sort_order == DEFAULT_SORT and numbers(model)[0].endswith("0003")
    click(1)  # 案件性质: ascending first
    # the list holds codes and sorts by them (grouped by type), showing the words
    assert [model.index(r, 1).data() for r in range(4)] == ["入室盗窃", "诈骗", "扒窃", "抢夺"]
    click(4)  # 状态: 退回补正, 草稿, 已定稿, 已审核
    assert [model.index(r, 4).data() for r in range(4)] == ["退回补正", "草稿", "已定稿", "已审核"]


def test_filters_by_status_dates_and_text(view, qtbot):
    model, label = view.model, child(view, QLabel, "caseCountLabel")
    status = child(view, QComboBox, "caseStatusFilter")
    assert [status.itemText(i) for i in range(status.count())] == [
        "全部", "草稿", "退回补正", "已定稿", "已审核"]
    status.setCurrentText("退回补正")
    assert numbers(model) == ["K4507020000002026110003"]
    status.setCurrentText("草稿")
    assert numbers(model) == ["K4507020000002026110001"]
    status.setCurrentText("全部")

    date_from, date_to = child(view, QDateEdit, "caseDateFrom"), child(view, QDateEdit, "caseDateTo")
    assert not date_from.isEnabled()
    date_from.setDate(QDate(2026, 11, 20))
    date_to.setDate(QDate(2026, 11, 20))
    child(view, QCheckBox, "caseDateFilter").setChecked(True)  # applies at once
    assert date_from.isEnabled() and numbers(model) == ["K4507020000002026110001"]
    date_to.setDate(QDate(2026, 11, 30))  # both days count; after the typing pause
    qtbot.waitUntil(lambda: model.rowCount() == 2, timeout=2000)
    child(view, QCheckBox, "caseDateFilter").setChecked(False)
    assert model.rowCount() == 4

    type_into(qtbot, child(view, QLineEdit, "caseSearch"), "黄志强")
    qtbot.waitUntil(lambda: numbers(model) == ["K4507020000002026110002"], timeout=2000)
    assert label.text() == "已显示 1 / 共 1 条"
    child(view, QLineEdit, "caseSearch").setText("没有这个")
    view.apply_filter()
    assert model.rowCount() == 0 and label.text() == "没有符合条件的勘验。"


def test_a_list_of_one_status_reads_only_it_from_the_first_page(view, cases, monkeypatch):
    """(the review queue's: its finalized cases, not every case read first and then filtered)"""
    read = []
    page = CaseQuery.page
    monkeypatch.setattr(CaseQuery, "page", lambda self, filters, *args, **kwargs: read.append(filters.status)
                        or page(self, filters, *args, **kwargs))
    model = CaseTableModel(cases, status="finalized")
    assert numbers(model) == ["K4507020000002026110002"] and read == ["finalized"]


def test_pages_grow_as_the_view_asks_and_the_total_comes_from_a_worker(app, qtbot, cases):
    insert(cases.store, numbered(450))
    model = CaseTableModel(cases, page_size=200)
    assert model.rowCount() == 200 and model.canFetchMore(QModelIndex())
    assert model.total is None  # counted on the worker, delivered by signal
    qtbot.waitUntil(lambda: model.total == 450, timeout=5000)
    model.fetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 450 and not model.canFetchMore(QModelIndex())
    assert len(set(numbers(model))) == 450
    model.set_filter(text="0001")  # a filter starts again from the first page
    assert numbers(model) == ["K4507020000002026110001"] and model.total == 1


def test_a_rare_match_is_found_in_slices_without_blocking(app, qtbot, cases):
    insert(cases.store, numbered(300) + [Case("z", "K4507020000002026119999", address="目标")])
    model = CaseTableModel(cases, budget=0.0, query=CaseQuery(cases.store, slice_rows=20))
    model.sort(0, Qt.SortOrder.AscendingOrder)
    model.set_filter(text="目标")
    assert model.rowCount() == 0 and model.canFetchMore(QModelIndex())  # one slice so far
    qtbot.waitUntil(lambda: not model.canFetchMore(QModelIndex()), timeout=5000)
    assert numbers(model) == ["K4507020000002026119999"] and model.total == 1
