"""勘验列表: a lazily fetched table over ``CaseQuery`` and the view around it.

The model holds only the rows fetched so far. Pages are keyset pages (core/case_query.py):
each fetch costs a few milliseconds on the GUI thread whatever the depth, sort or filter (a
filter that matches rarely is walked in slices, ``FETCH_BUDGET`` of work per fetch, and
continued on the next turn of the event loop). Sorting by a header re-queries; the total
("共 M 条") is counted by a ``BackgroundOp`` with a read-only connection of its own and
arrives on the GUI thread. Measurements: docs/performance.md, benchmarks/bench_case_list.py."""
from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import (QT_TRANSLATE_NOOP, QAbstractTableModel, QCoreApplication, QDate,
                            QModelIndex, QPersistentModelIndex, Qt, QThreadPool, QTimer, Signal)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDateEdit, QHBoxLayout,
                               QHeaderView, QLabel, QLineEdit, QPushButton, QTableView,
                               QVBoxLayout, QWidget)

from weicha_desktop.core.case_query import (DEFAULT_SORT, CaseFilters, CaseQuery, CaseRow,
                                            CaseSort)
from weicha_desktop.core.cases import CaseService
from weicha_desktop.core.labels import LIST_STATUSES, codes_matching
from weicha_desktop.gui.cases.addresses import SharedPrefix, short_address, show_addresses
from weicha_desktop.gui.common.labels import code_name, list_status_name
from weicha_desktop.gui.common.ops import BackgroundOp
from weicha_desktop.gui.common.tables import record_rows

PAGE_SIZE = 200
FETCH_BUDGET = 0.004  # seconds a fetch may walk through a rare filter before it yields
COLUMNS = (QT_TRANSLATE_NOOP("CaseTableModel", "勘验号"),  # literal, for lupdate
           QT_TRANSLATE_NOOP("CaseTableModel", "案件性质"),
           QT_TRANSLATE_NOOP("CaseTableModel", "发案地点"),
           QT_TRANSLATE_NOOP("CaseTableModel", "勘验时间"),
           QT_TRANSLATE_NOOP("CaseTableModel", "状态"),
           QT_TRANSLATE_NOOP("CaseTableModel", "勘验人"))
COLUMN_SORTS = ("number", "case_type", "address", "investigated_at", "status", "investigator")
NEWEST_FIRST = {"number", "investigated_at"}  # the first click on these sorts descending
CASE_ID_ROLE = Qt.ItemDataRole.UserRole
# the roles a list's ``data`` answers, as ints (a view asks each cell for ~10 roles as it paints
# or measures: the others are turned away before any work; an enum compares equal too)
DISPLAY, TOOLTIP, FOREGROUND, ID = (int(r) for r in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole,
                                                     Qt.ItemDataRole.ForegroundRole, CASE_ID_ROLE))
ANSWERED = frozenset((DISPLAY, TOOLTIP, FOREGROUND, ID))
RETURNED_COLOR = "#b00020"
CELL_PADDING, HEADER_PADDING = 16, 28  # a cell's margins; a header's and its sort arrow
DATE_FORMAT = "yyyy-MM-dd"

_Index = QModelIndex | QPersistentModelIndex


def short_time(value: str | None) -> str:
    """``2026-11-27T14:05:00+08:00`` → ``2026-11-27 14:05`` (as recorded, offset dropped)."""
    if not value:
        return ""
    return value[:16].replace("T", " ")


class CaseTableModel(QAbstractTableModel):
    """The rows of the list, fetched a page at a time. ``total`` is None until counted."""

    totalChanged = Signal()

    def __init__(self, cases: CaseService, page_size: int = PAGE_SIZE, parent=None, *,
                 budget: float | None = FETCH_BUDGET, query: CaseQuery | None = None,
                 status: str | None = None):
        """``status``: the cases of that status only, from the first page read (``set_filter``)."""
        super().__init__(parent)
        self.query = query or CaseQuery(cases.store)
        self.store = cases.store
        self.page_size = page_size
        self.budget = budget
        self.filters = CaseFilters()
        self.sort_order = DEFAULT_SORT
        self.total: int | None = None
        self._rows: list[CaseRow] = []
        self._people: dict[str, list[str]] = {}  # case id → its 勘验人 (record_people)
        self._cursor: Any = None
        self._more = True
        self._generation = 0
        self._pool = QThreadPool(self)  # first child: destroyed (and waited for) first
        self._pool.setMaxThreadCount(1)
        # a walk through a rare filter that found nothing yet goes on by itself (a view asks
        # again only after rows arrive)
        self._resume = QTimer(self)
        self._resume.setSingleShot(True)
        self._resume.setInterval(0)
        self._resume.timeout.connect(self.fetchMore)
        # the count starts on the next turn of the event loop, after the page is painted: the
        # worker's start (its share of the GIL) then does not add to the refresh's own pause
        self._count_later = QTimer(self)
        self._count_later.setSingleShot(True)
        self._count_later.setInterval(0)
        self._count_later.timeout.connect(self._start_count)
        self.case_types = cases.case_types()  # the list holds codes; shown in words
        self.addresses = SharedPrefix()  # what every address loaded starts with (addresses.py)
        if status:
            self.set_filter(status=status)
        else:
            self.refresh()

    # ---- what is shown ---------------------------------------------------------------------
    def set_filter(self, text: str | None = None, status: str | None = None,
                   date_from: date | str | None = None, date_to: date | str | None = None) -> None:
        text = (text or "").strip() or None
        self.filters = CaseFilters(status=status or None, date_from=date_from or None,
                                   date_to=date_to or None, text=text,
                                   case_types=codes_matching(self.case_types, text or ""))
        self.refresh()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """A header click: re-query in the column's order (-1: returned first, latest first)."""
        sort = (CaseSort(COLUMN_SORTS[column], order == Qt.SortOrder.DescendingOrder)
                if 0 <= column < len(COLUMN_SORTS) else DEFAULT_SORT)
        if sort != self.sort_order:
            self.sort_order = sort
            self.refresh()

    def refresh(self) -> None:
        """Drop what is loaded, read the first page again and count anew."""
        self._resume.stop()
        self._count_later.stop()
        self.beginResetModel()
        self._rows, self._cursor, self._more = [], None, True
        self._people = {}
        self.addresses.reset()
        self._addressed = 0  # rows whose address SharedPrefix has seen
        self._rows = self._next_page()
        self.endResetModel()
        self._generation += 1
        self.total = None
        if self._more:
            self._count_later.start()
        self._page_done(bool(self._rows))

    # ---- paging ----------------------------------------------------------------------------
    def canFetchMore(self, parent: _Index = QModelIndex()) -> bool:
        return not parent.isValid() and self._more

    def fetchMore(self, parent: _Index = QModelIndex()) -> None:
        if parent.isValid() or not self._more:
            return
        rows = self._next_page()
        if rows:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
            self._rows.extend(rows)
            self.endInsertRows()
        self._page_done(bool(rows))

    def _next_page(self) -> list[CaseRow]:
        rows, self._cursor = self.query.page(self.filters, self.sort_order, self._cursor,
                                             self.page_size, budget=self.budget)
        self._more = self._cursor is not None
        self._people.update(self.query.investigators([r.id for r in rows]))
        return rows

    def _page_done(self, found: bool) -> None:
        if self.addresses.add(r.address for r in self._rows[self._addressed:]) and self._rows:
            self.dataChanged.emit(self.index(0, 2), self.index(len(self._rows) - 1, 2))
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 2, 2)
        self._addressed = len(self._rows)
        if not self._more:
            self.total = len(self._rows)
        elif not found:
            self._resume.start()
        self.totalChanged.emit()

    def _start_count(self) -> None:
        if self._more:
            self._pool.clear()  # a count not started yet is of no use any more
            generation, filters = self._generation, self.filters
            (BackgroundOp(self, lambda job: CaseQuery(job.store).count(filters), store=self.store,
                          readonly=True, pool=self._pool)
             .on_success(lambda n: self._counted(generation, n))
             .on_failure(lambda _failure: None)  # a list without its total is still a list
             .run())

    def _counted(self, generation: int, n: int) -> None:
        if generation == self._generation and self._more:
            self.total = n
            self.totalChanged.emit()

    # ---- the table -------------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return QCoreApplication.translate("CaseTableModel", COLUMNS[section])
        if role == Qt.ItemDataRole.ToolTipRole and section == 2 and self.addresses.prefix:
            return self.tr("共同的“{prefix}”已省去（…），完整地址见各行提示").format(
                prefix=self.addresses.prefix)
        if role == Qt.ItemDataRole.InitialSortOrderRole:
            newest = COLUMN_SORTS[section] in NEWEST_FIRST
            return (Qt.SortOrder.DescendingOrder if newest else Qt.SortOrder.AscendingOrder).value
        return None

    def data(self, index: _Index, role: int = DISPLAY) -> Any:
        if role not in ANSWERED or not index.isValid() or index.row() >= len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == DISPLAY:
            return self.cell_text(row, index.column())
        if role == ID:
            return row.id
        if role == TOOLTIP:
            if index.column() == 4 and row.returned:
                return self.tr("退回意见：{comment}").format(comment=row.returned_comment)
            if index.column() == 2:
                return row.address or None  # the whole address (the cell may drop its start)
            return self.cell_text(row, index.column()) or None
        if role == FOREGROUND and index.column() == 4 and row.returned:
            return QColor(RETURNED_COLOR)
        return None

    def cell_text(self, row: CaseRow, column: int) -> str:
        if column == 3:
            return short_time(row.investigated_at)
        if column == 4:
            return list_status_name(row.status, row.returned)
        if column == 1:
            return code_name(self.case_types, row.case_type)
        if column == 5:  # the people the record names, not the projection's sort key
            return "、".join(self._people.get(row.id, ()))
        if column == 2:
            return short_address(row.address, self.addresses.prefix)
        return (row.number, "", row.address)[column] or ""

    def case_id(self, row: int) -> str:
        return self._rows[row].id


class CaseListView(QWidget):
    """The list with its search box, status and date filters and 新建勘验 button."""

    openCase = Signal(str)        # case id
    newCaseRequested = Signal()

    def __init__(self, cases: CaseService, parent: QWidget | None = None, *, pause_ms: int = 250):
        super().__init__(parent)
        self.model = CaseTableModel(cases, parent=self)

        self.search = QLineEdit()
        self.search.setObjectName("caseSearch")
        self.search.setPlaceholderText(self.tr("搜索勘验号、案件性质、地点、勘验人…"))
        self.search.setClearButtonEnabled(True)
        self.status_filter = QComboBox()
        self.status_filter.setObjectName("caseStatusFilter")
        self.status_filter.addItem(self.tr("全部"), None)
        for value in LIST_STATUSES:
            self.status_filter.addItem(list_status_name(value), value)
        self.date_filter = QCheckBox(self.tr("按勘验时间"))
        self.date_filter.setObjectName("caseDateFilter")
        now = cases.store.clock.now()  # the store's clock, like every date the program uses
        today = QDate(now.year, now.month, now.day)
        self.date_from = self._date_edit("caseDateFrom", today.addMonths(-1))
        self.date_to = self._date_edit("caseDateTo", today)
        self.new_button = QPushButton(self.tr("新建勘验(&N)"))
        self.new_button.setObjectName("newCaseButton")
        self.new_button.clicked.connect(self.newCaseRequested)

        # typing waits a moment before querying: one query per pause, not per key
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(pause_ms)
        self._debounce.timeout.connect(self.apply_filter)
        self.search.textChanged.connect(self._debounce.start)
        self.search.returnPressed.connect(self.apply_filter)
        self.status_filter.currentIndexChanged.connect(self.apply_filter)
        self.date_filter.toggled.connect(self._date_filter_toggled)
        for edit in (self.date_from, self.date_to):
            edit.dateChanged.connect(self._debounce.start)

        self.table = QTableView()
        self.table.setObjectName("caseTable")
        self.table.setModel(self.model)
        record_rows(self.table)
        header = self.table.horizontalHeader()
        for column, width in enumerate((220, 110, 0, 140, 80, 140)):
            if width:
                header.resizeSection(column, width)
        self._fit_word_columns()
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        show_addresses(self.table, 2)
        # no column sorted: the default order (returned first); a third click goes back to it
        header.setSortIndicatorClearable(True)
        header.setSortIndicator(-1, Qt.SortOrder.DescendingOrder)
        self.table.setSortingEnabled(True)
        # activated = double-click (or the platform's single click) and Enter
        self.table.activated.connect(self._open_index)

        self.count_label = QLabel()
        self.count_label.setObjectName("caseCountLabel")
        self.model.totalChanged.connect(self._update_count)

        bar = QHBoxLayout()
        bar.addWidget(self.search, 1)
        bar.addWidget(QLabel(self.tr("状态：")))
        bar.addWidget(self.status_filter)
        bar.addWidget(self.date_filter)
        bar.addWidget(self.date_from)
        bar.addWidget(QLabel("—"))
        bar.addWidget(self.date_to)
        bar.addStretch(0)
        bar.addWidget(self.new_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count_label)
        self._update_count()

    def _fit_word_columns(self) -> None:
        """勘验号, 案件性质 and 状态 as wide as their longest text in the window's language (the
        English words are longer: "Motor vehicle theft"), so no word is cut ("Returned f…");
        the address column takes what is left."""
        header, cells = self.table.horizontalHeader(), self.table.fontMetrics()
        words = {0: ["K" + "0" * 22],
                 1: [code_name(self.model.case_types, c.code or c.value) for c in self.model.case_types],
                 4: [list_status_name(s) for s in LIST_STATUSES]}
        for column, texts in words.items():
            title = str(self.model.headerData(column, Qt.Orientation.Horizontal))
            need = max([cells.horizontalAdvance(t) + CELL_PADDING for t in texts]
                       + [header.fontMetrics().horizontalAdvance(title) + HEADER_PADDING])
            header.resizeSection(column, need)

    def _date_edit(self, name: str, value: QDate) -> QDateEdit:
        edit = QDateEdit(value)
        edit.setObjectName(name)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat(DATE_FORMAT)
        edit.setEnabled(False)
        return edit

    def _date_filter_toggled(self, on: bool) -> None:
        self.date_from.setEnabled(on)
        self.date_to.setEnabled(on)
        self.apply_filter()

    def apply_filter(self) -> None:
        self._debounce.stop()
        dates = (self.date_from.date(), self.date_to.date())
        low, high = (min(dates), max(dates)) if self.date_filter.isChecked() else (None, None)
        self.model.set_filter(self.search.text(), self.status_filter.currentData(),
                              low.toPython() if low else None, high.toPython() if high else None)

    def refresh(self) -> None:
        self.model.refresh()

    def _open_index(self, index: QModelIndex) -> None:
        if index.isValid():
            self.openCase.emit(self.model.case_id(index.row()))

    def _update_count(self) -> None:
        shown, total = self.model.rowCount(), self.model.total
        if total == 0:
            text = self.tr("没有符合条件的勘验。")
        elif total is None:
            text = self.tr("已显示 {shown} / 正在统计…").format(shown=shown)
        else:
            text = self.tr("已显示 {shown} / 共 {total} 条").format(shown=shown, total=total)
        self.count_label.setText(text)
