"""The list of a record kind (采集, 巡逻, 互动): the cases' lazy model (gui/cases/list.py
``CaseTableModel``: keyset pages fetched as the view scrolls, a rare filter walked within a
budget and continued, the total counted on a worker) over ``RecordQuery`` (core/collect/
list_query.py: returned drafts first, then the last changed). The page (gui/collect/page.py
``KindPage``) says the columns, the cells and the filters."""
from __future__ import annotations

from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QColor

from weicha_desktop.core.collect.list_query import LATEST, RecordFilters, RecordQuery
from weicha_desktop.gui.cases.list import (ANSWERED, DISPLAY, FOREGROUND, ID, PAGE_SIZE, RETURNED_COLOR, TOOLTIP,
                                           CaseTableModel)
from weicha_desktop.gui.common.ops import BackgroundOp

if TYPE_CHECKING:
    from weicha_desktop.gui.collect.page import KindPage

ID_ROLE = Qt.ItemDataRole.UserRole


class Row(dict):
    """A row as the kind's service shows it, read as the cases' model reads its rows."""

    address = None  # the cases' shared address prefix: no address column here

    @property
    def id(self) -> str:
        return self["id"]


class RecordTableModel(CaseTableModel):
    def __init__(self, page: KindPage, page_size: int = PAGE_SIZE, parent=None):
        self.page = page
        store = page.service.store
        super().__init__(SimpleNamespace(store=store, case_types=tuple), page_size, parent,
                         query=RecordQuery(store))

    def refresh(self) -> None:
        self.filters: RecordFilters = self.page.filters()  # type: ignore[assignment]
        super().refresh()

    def _next_page(self) -> list[Any]:
        found, self._cursor = self.query.page(self.filters, LATEST, self._cursor, self.page_size,
                                              budget=self.budget)
        self._more = self._cursor is not None
        return [Row(r) for r in self.page.shown(self.query.shown(self.page.kind, found))]

    def _start_count(self) -> None:
        if not self._more:
            return
        self._pool.clear()
        generation, filters = self._generation, self.filters
        op = BackgroundOp(self, lambda job: RecordQuery(job.store).count(filters), store=self.store,
                          readonly=True, pool=self._pool)
        op.on_success(lambda n: self._counted(generation, n)).on_failure(lambda _failure: None).run()

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.page.columns)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.page.column_title(self.page.columns[section])
        return None

    def data(self, index, role: int = DISPLAY) -> Any:
        if role not in ANSWERED or not index.isValid() or index.row() >= len(self._rows):
            return None
        row, column = self._rows[index.row()], self.page.columns[index.column()]
        if role == DISPLAY:
            return self.page.cell(row, column)
        if role == TOOLTIP:
            return self.page.tooltip(row, column)
        if role == ID:
            return row.id
        if role == FOREGROUND and (column == "status" and row["returned"] or self.page.alarming(row, column)):
            return QColor(RETURNED_COLOR)
        return None
