"""勘验列表: a paged table model over ``CaseService.list`` and the view around it.

The model holds only the rows fetched so far (pages of 200 via limit/offset); the table asks
for more as the user scrolls (canFetchMore/fetchMore), so 100,000 cases cost one page."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QPushButton, QTableView, QVBoxLayout, QWidget)

from weicha_desktop.core.cases import RETURNED_LABEL, STATUS_LABELS, CaseService

PAGE_SIZE = 200
COLUMNS = ("勘验号", "案件性质", "发案地点", "勘验时间", "状态", "勘验人")
STATUS_FILTERS = (("全部", None), ("草稿", "draft"), (RETURNED_LABEL, "returned"),
                  ("已定稿", "finalized"), ("已审核", "reviewed"))
CASE_ID_ROLE = Qt.ItemDataRole.UserRole
RETURNED_COLOR = "#b00020"

_Index = QModelIndex | QPersistentModelIndex


def status_label(row: dict[str, Any]) -> str:
    if row.get("status") == "draft" and row.get("returned_comment"):
        return RETURNED_LABEL
    return STATUS_LABELS.get(row.get("status") or "", row.get("status") or "")


def short_time(value: str | None) -> str:
    """``2026-11-27T14:05:00+08:00`` → ``2026-11-27 14:05`` (as recorded, offset dropped)."""
    if not value:
        return ""
    return value[:16].replace("T", " ")


class CaseTableModel(QAbstractTableModel):
    def __init__(self, cases: CaseService, page_size: int = PAGE_SIZE, parent=None):
        super().__init__(parent)
        self.cases = cases
        self.page_size = page_size
        self.text: str | None = None
        self.status: str | None = None
        self._rows: list[dict[str, Any]] = []
        self._more = True
        self.refresh()

    # ---- filter and reload -----------------------------------------------------------------
    def set_filter(self, text: str | None = None, status: str | None = None) -> None:
        self.text = (text or "").strip() or None
        self.status = status or None
        self.refresh()

    def refresh(self) -> None:
        """Drop what is loaded and fetch the first page again."""
        self.beginResetModel()
        self._rows = self._page(0)
        self._more = len(self._rows) == self.page_size
        self.endResetModel()

    def _page(self, offset: int) -> list[dict[str, Any]]:
        return self.cases.list(status=self.status, text=self.text, limit=self.page_size,
                               offset=offset)

    # ---- paging ----------------------------------------------------------------------------
    def canFetchMore(self, parent: _Index = QModelIndex()) -> bool:
        return not parent.isValid() and self._more

    def fetchMore(self, parent: _Index = QModelIndex()) -> None:
        if parent.isValid() or not self._more:
            return
        rows = self._page(len(self._rows))
        self._more = len(rows) == self.page_size
        if not rows:
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
        self._rows.extend(rows)
        self.endInsertRows()

    # ---- the table -------------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.cell_text(row, index.column())
        if role == CASE_ID_ROLE:
            return row["id"]
        if role == Qt.ItemDataRole.ToolTipRole:
            if index.column() == 4 and row.get("returned_comment"):
                return f"退回意见：{row['returned_comment']}"
            return self.cell_text(row, index.column()) or None
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 4:
            return QColor(RETURNED_COLOR) if status_label(row) == RETURNED_LABEL else None
        return None

    @staticmethod
    def cell_text(row: dict[str, Any], column: int) -> str:
        if column == 0:
            return row.get("number") or ""
        if column == 1:
            return row.get("case_type") or ""
        if column == 2:
            return row.get("address") or ""
        if column == 3:
            return short_time(row.get("investigated_at"))
        if column == 4:
            return status_label(row)
        return row.get("investigator") or ""

    def case_id(self, row: int) -> str:
        return self._rows[row]["id"]


class CaseListView(QWidget):
    """The list with its search box, status filter and 新建勘验 button."""

    openCase = Signal(str)        # case id
    newCaseRequested = Signal()

    def __init__(self, cases: CaseService, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = CaseTableModel(cases, parent=self)

        self.search = QLineEdit()
        self.search.setObjectName("caseSearch")
        self.search.setPlaceholderText("搜索勘验号、案件性质、地点、勘验人…")
        self.search.setClearButtonEnabled(True)
        self.status_filter = QComboBox()
        self.status_filter.setObjectName("caseStatusFilter")
        for label, value in STATUS_FILTERS:
            self.status_filter.addItem(label, value)
        self.new_button = QPushButton("新建勘验")
        self.new_button.setObjectName("newCaseButton")
        self.new_button.clicked.connect(self.newCaseRequested)

        # typing waits a moment before querying: one query per pause, not per key
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(250)
        self._debounce.timeout.connect(self.apply_filter)
        self.search.textChanged.connect(self._debounce.start)
        self.search.returnPressed.connect(self.apply_filter)
        self.status_filter.currentIndexChanged.connect(self.apply_filter)

        self.table = QTableView()
        self.table.setObjectName("caseTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        for column, width in enumerate((220, 110, 0, 140, 80, 140)):
            if width:
                header.resizeSection(column, width)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        # activated = double-click (or the platform's single click) and Enter
        self.table.activated.connect(self._open_index)

        self.count_label = QLabel()
        self.count_label.setObjectName("caseCountLabel")
        self.model.modelReset.connect(self._update_count)
        self.model.rowsInserted.connect(self._update_count)

        bar = QHBoxLayout()
        bar.addWidget(self.search, 1)
        bar.addWidget(QLabel("状态："))
        bar.addWidget(self.status_filter)
        bar.addStretch(0)
        bar.addWidget(self.new_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count_label)
        self._update_count()

    def apply_filter(self) -> None:
        self._debounce.stop()
        self.model.set_filter(self.search.text(), self.status_filter.currentData())

    def refresh(self) -> None:
        self.model.refresh()

    def _open_index(self, index: QModelIndex) -> None:
        if index.isValid():
            self.openCase.emit(self.model.case_id(index.row()))

    def _update_count(self) -> None:
        n = self.model.rowCount()
        more = "（向下滚动加载更多）" if self.model.canFetchMore() else ""
        self.count_label.setText(f"已显示 {n} 条{more}" if n else "没有符合条件的勘验。")
