"""审核: the queue of finalized cases for a supervisor (or admin), one opened read-only below
as the whole record on one scrolling page (sheet.py: every section, the people, the evidence
items, the photos as thumbnails, and the checker's result for that version), approved or
returned for correction with a comment through ``CaseService.review``.

    ┌ 待审核的勘验(Q) (reviewQueue): finalized cases, newest first ─────────────────┐
    ├ the record, whole (RecordSheet: reviewSheet) ──────┬ 审核意见 ──────────────────┤
    │                                                   │ 意见所指栏目(S) (reviewSection)│
    │                                                   │ 意见(M) (reviewComment)    │
    │                                                   │ 退回补正(T) / 审核通过(A)   │
    └───────────────────────────────────────────────────┴────────────────────────────┘

A return's comment may name the section it is about (the reviewer picks it; picking one also
shows it on the sheet): the returned draft then opens at that section (cases/pages.py).
The first case waiting opens when the page is shown, and the next one after each decision.
The queue follows the store's commits while it is shown (``StoreEvents``: a case finalized
elsewhere joins it) and is read again whenever it is shown. A returned case becomes a new
draft version carrying the comment; the technician's list shows it first."""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (QComboBox, QGroupBox, QHBoxLayout, QHeaderView, QLabel, QMessageBox,
                               QPlainTextEdit, QPushButton, QSplitter, QStackedWidget, QTableView,
                               QVBoxLayout, QWidget)

from weicha_desktop.core.cases import CaseRecord, CaseService
from weicha_desktop.core.errors import WeichaError
from weicha_desktop.core.photos import PhotoService
from weicha_desktop.core.store.events import ChangeSummary
from weicha_desktop.gui.cases.addresses import show_addresses
from weicha_desktop.gui.cases.list import COLUMNS, CaseTableModel
from weicha_desktop.gui.common.i18n import current_language, message_text
from weicha_desktop.gui.common.labels import status_name
from weicha_desktop.gui.common.lazy_view import LazyPage
from weicha_desktop.gui.common.settings import Settings
from weicha_desktop.gui.common.store_events import StoreEvents
from weicha_desktop.gui.common.tables import record_rows
from weicha_desktop.gui.review.sheet import RecordSheet, section_choices

ERROR_STYLE = "color: #b00020;"
Kind = QWidget | Callable[[], QWidget]  # another kind's queue, or what makes it when first shown
COLUMN_WIDTHS = {"勘验号": 220, "案件性质": 120, "勘验时间": 140, "勘验人": 160}


class ReviewQueue(QWidget):
    reviewed = Signal(object)  # the CaseRecord after approval or return

    def __init__(self, cases: CaseService, parent: QWidget | None = None, *,
                 photos: PhotoService | None = None, settings: Settings | None = None,
                 events: StoreEvents | None = None, collect: Kind | None = None,
                 more: tuple[tuple[str, str, Kind], ...] = ()):
        """``events``: the window's (None: one of its own on the cases' store). ``collect``:
        the 采集 records' queue (collect.py), shown beside the cases' by a switch; ``more``: the
        queues of other kinds with a review (words, object name, widget: 巡逻, 互动). A queue
        given as a function that makes it is made when its switch is first pressed (most
        reviews are of cases: the page opens without reading the other kinds' queues)."""
        super().__init__(parent)
        self.setObjectName("reviewPage")
        self.cases = cases
        self.settings = settings  # the report dialog's last choices
        self.photos = photos or PhotoService(cases.store, cases.actor, cases.forms)
        self.view: RecordSheet | None = None  # the case open below the queue
        self.report_dialog = None  # a ReportDialog of the open case (reports/dialog.py)

        title = QLabel(self.tr("待审核的勘验（已定稿）(&Q)"))
        title.setObjectName("reviewTitle")
        font = title.font()
        font.setBold(True)
        title.setFont(font)
        self.count_label = QLabel()
        self.count_label.setObjectName("reviewCountLabel")
        self.model = CaseTableModel(cases, parent=self, status="finalized")
        self.table = QTableView()
        self.table.setObjectName("reviewQueue")
        self.table.setModel(self.model)
        title.setBuddy(self.table)
        record_rows(self.table)
        header = self.table.horizontalHeader()
        for column, name in enumerate(COLUMNS):
            header.resizeSection(column, COLUMN_WIDTHS.get(name, 140))
        header.setSectionResizeMode(COLUMNS.index("发案地点"), QHeaderView.ResizeMode.Stretch)
        show_addresses(self.table, COLUMNS.index("发案地点"))
        self.table.setColumnHidden(COLUMNS.index("状态"), True)  # all 已定稿
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.model.modelReset.connect(self._update_count)
        self.model.rowsInserted.connect(self._update_count)
        self.model.totalChanged.connect(self._update_count)  # counted on a worker

        head = QHBoxLayout()
        head.addWidget(title)
        head.addStretch(1)
        head.addWidget(self.count_label)
        queue = QWidget()
        queue_layout = QVBoxLayout(queue)
        queue_layout.setContentsMargins(0, 0, 0, 0)
        queue_layout.addLayout(head)
        queue_layout.addWidget(self.table, 1)

        self.placeholder = QLabel()
        self.placeholder.setObjectName("reviewPlaceholder")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.form_area = QVBoxLayout()
        self.form_area.setContentsMargins(0, 0, 0, 0)
        form_holder = self.form_holder = QWidget()  # the open case's sheet fills it
        form_holder.setLayout(self.form_area)
        detail = QSplitter(Qt.Orientation.Horizontal)
        detail.addWidget(form_holder)
        detail.addWidget(self._review_box())
        detail.setStretchFactor(0, 1)
        detail.setSizes([700, 260])
        detail.setChildrenCollapsible(False)
        self.detail = QStackedWidget()
        self.detail.setObjectName("reviewDetail")
        self.detail.addWidget(self.placeholder)
        self.detail.addWidget(detail)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(queue)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([170, 600])  # the record gets the room; the queue scrolls
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        self.collect = collect
        if collect is None:
            layout.addWidget(splitter)
        else:  # a switch, not tabs: the case below stays one scrolling page
            self.kinds = QStackedWidget()
            self.kinds.setObjectName("reviewKinds")
            switch = QHBoxLayout()
            for i, (text, name, widget) in enumerate(((self.tr("勘验"), "reviewKindCases", splitter),
                                                      (self.tr("采集"), "reviewKindCollect", collect), *more)):
                choice = QPushButton(text)
                if isinstance(widget, QWidget):
                    self.kinds.addWidget(widget)
                else:  # made when first wanted: pressed comes before the click that shows it
                    lazy = LazyPage(widget)
                    self.kinds.addWidget(lazy.stand_in)
                    choice.pressed.connect(lazy.widget)
                choice.setObjectName(name)
                choice.setCheckable(True)
                choice.setAutoExclusive(True)
                choice.setChecked(i == 0)
                choice.clicked.connect(lambda _=False, i=i: self.kinds.setCurrentIndex(i))
                switch.addWidget(choice)
            switch.addStretch(1)
            layout.addLayout(switch)
            layout.addWidget(self.kinds)
        self._update_count()
        self.close_case(self.tr("没有待审核的勘验"))
        (events or StoreEvents(cases.store, self)).changed.connect(self._store_changed)

    def _review_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("审核意见"))
        box.setMinimumWidth(220)
        self.case_label = QLabel()
        self.case_label.setObjectName("reviewCaseLabel")
        self.case_label.setWordWrap(True)
        self.section = QComboBox()
        self.section.setObjectName("reviewSection")
        self.section.setToolTip(self.tr("退回意见针对的栏目：勘验员打开退回的草稿时直接定位到该栏目"))
        self.section.activated.connect(self._section_chosen)
        section_label = QLabel(self.tr("意见所指栏目(&S)："))
        section_label.setBuddy(self.section)
        self.comment = QPlainTextEdit()
        self.comment.setObjectName("reviewComment")
        self.comment.setTabChangesFocus(True)
        self.comment.setPlaceholderText(self.tr("写明需要补正的内容（退回补正时必填；审核通过时可留空）"))
        comment_label = QLabel(self.tr("意见(&M)："))
        comment_label.setBuddy(self.comment)
        self.error = QLabel()
        self.error.setObjectName("reviewError")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.hide()
        self.approve_button = QPushButton(self.tr("审核通过(&A)"))
        self.approve_button.setObjectName("approveButton")
        self.approve_button.clicked.connect(self.approve)
        self.return_button = QPushButton(self.tr("退回补正(&T)"))
        self.return_button.setObjectName("returnButton")
        self.return_button.clicked.connect(self.return_case)
        buttons = QHBoxLayout()
        buttons.addWidget(self.return_button)
        buttons.addWidget(self.approve_button)
        layout = QVBoxLayout(box)
        layout.addWidget(self.case_label)
        layout.addWidget(section_label)
        layout.addWidget(self.section)
        layout.addWidget(comment_label)
        layout.addWidget(self.comment, 1)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        return box

    # ---- the queue -------------------------------------------------------------------------
    def refresh(self) -> None:
        """Reload the queue; keep the open case selected, or open the first one waiting."""
        self.model.refresh()
        wanted = self.view.case.id if self.view is not None else None
        rows = range(self.model.rowCount())
        row = next((r for r in rows if self.model.case_id(r) == wanted), None)
        if row is None and wanted is None and self.model.rowCount():
            row = 0
        if row is not None:
            self.table.selectRow(row)

    def _store_changed(self, summary: ChangeSummary) -> None:
        if summary.changed("case") and self.isVisible():  # hidden: read again when shown
            self.refresh()

    def _update_count(self) -> None:
        n = self.model.rowCount() if self.model.total is None else self.model.total
        if self.model.total is None and self.model.canFetchMore(QModelIndex()):
            text = self.tr("已显示 {n} 件（向下滚动加载更多）")
        elif n:
            text = self.tr("共 {n} 件待审核")
        else:
            text = self.tr("没有待审核的勘验")
        self.count_label.setText(text.format(n=n))

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return
        case_id = self.model.case_id(current.row())
        if self.view is None or self.view.case.id != case_id:
            self.open_case(case_id)

    def showEvent(self, event: QShowEvent) -> None:
        self.refresh()  # cases finalized meanwhile join the queue
        super().showEvent(event)

    # ---- one case --------------------------------------------------------------------------
    def open_case(self, number_or_id: str) -> RecordSheet | None:
        """Show the case whole below the queue, ready for a decision."""
        try:
            case = self.cases.get(number_or_id)
            view = RecordSheet(self.cases, self.photos, case, current_language(),
                               width=self.form_holder.width() if self.isVisible() else None)
        except WeichaError as e:
            self.close_case(message_text(e))
            return None
        self._replace_view(view)
        view.report_button.clicked.connect(self.open_report)
        self.case_label.setText(self.tr("勘验 {number}\n第 {version} 版（{status}）").format(
            number=case.number, version=case.version, status=status_name(case)))
        self.comment.clear()
        self.section.clear()
        self.section.addItem(self.tr("整件勘验（不指定栏目）"), None)
        for section_id, title in section_choices(view):
            self.section.addItem(title, section_id)
        # nobody reviews a case they took part in (core/duties.py): say so before a try
        conflict = self.cases.review_refusal(case) if case.status == "finalized" else None
        self._show_error(message_text(conflict) if conflict else "")  # the core's words, in English too
        reviewable = case.status == "finalized" and conflict is None
        self.approve_button.setEnabled(reviewable)
        self.return_button.setEnabled(reviewable)
        self.section.setEnabled(reviewable)
        self.comment.setReadOnly(not reviewable)
        self.detail.setCurrentIndex(1)
        return view

    def _section_chosen(self, _index: int) -> None:
        """The section the comment is about is also shown on the sheet."""
        if self.view is not None:
            self.view.scroll_to(self.section.currentData())

    def open_report(self):
        """报告…: the report dialog of the open case (window-modal; one at a time)."""
        from weicha_desktop.core.reports.service import ReportService
        from weicha_desktop.gui.reports.dialog import ReportDialog

        if self.view is None:
            return None
        if self.report_dialog is not None:
            return self.report_dialog.bring_to_front()
        self.report_dialog = ReportDialog(ReportService(self.cases, self.photos), self.view.case,
                                          self, settings=self.settings)
        return self.report_dialog.open_window_modal(self._report_closed)

    def _report_closed(self) -> None:
        self.report_dialog = None

    def close_case(self, note: str) -> None:
        self._replace_view(None)
        self.placeholder.setText(note)
        self.detail.setCurrentIndex(0)

    def _replace_view(self, view: RecordSheet | None) -> None:
        if self.view is not None:
            self.view.shutdown()
            self.form_area.removeWidget(self.view)
            self.view.hide()  # until deleted it would still be drawn under the new one
            self.view.setParent(None)  # nor found among the page's children
            self.view.deleteLater()
        self.view = view
        if view is not None:
            self.form_area.addWidget(view)
            view.setVisible(self.isVisible())  # now, not on the next turn of the event loop

    def shutdown(self) -> None:
        """The program closes: stop the open case's decoders and a report being rendered."""
        if self.report_dialog is not None:
            self.report_dialog.shutdown()
        if self.view is not None:
            self.view.shutdown()

    def approve(self) -> CaseRecord | None:
        if self.view is None:
            return None
        case = self.view.case
        answer = QMessageBox.question(
            self, self.tr("审核通过"),
            self.tr("确定审核通过勘验 {number} 第 {version} 版吗？").format(
                number=case.number, version=case.version),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return None
        return self._decide(approve=True)

    def return_case(self) -> CaseRecord | None:
        if self.view is None:
            return None
        if not self.comment.toPlainText().strip():
            self._show_error(self.tr("退回补正时请写明需要补正的内容。"))
            self.comment.setFocus()
            return None
        return self._decide(approve=False)

    def _decide(self, approve: bool) -> CaseRecord | None:
        assert self.view is not None
        try:
            case = self.cases.review(self.view.case.id, approve=approve,
                                     comment=self.comment.toPlainText(),
                                     section=None if approve else self.section.currentData())
        except WeichaError as e:
            self._show_error(message_text(e))
            return None
        if approve:
            note = self.tr("已审核通过勘验 {number}。").format(number=case.number)
        else:
            note = self.tr("已退回补正勘验 {number}，勘验员将在列表最前看到它。").format(
                number=case.number)
        self.close_case(note)
        self.refresh()  # the next case waiting opens
        self.reviewed.emit(case)
        return case

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))
