"""审核 → 采集: the finalized persons, vehicles and places waiting for a supervisor, beside the
cases' queue (queue.py puts this in a tab of its own). One chosen opens below as its form
(read-only: it is finalized) with its 关联; 审核通过 or 退回补正 with a comment goes through the
kind's service (``RecordService.review``: the same life, audit entry and outbox op as a
case's). A returned record is a draft again and leads its kind's list on the 采集 page.

    ┌ 待审核的采集记录 (collectReviewQueue): 类别 | 名称 | 定稿时间 ────────────────┐
    ├ the record's form (CollectForm) ──────────┬ 意见 (collectReviewComment)       ┤
    │                                          │ 退回补正 / 审核通过                 │
    └──────────────────────────────────────────┴─────────────────────────────────────┘

Nobody reviews a record they took part in (core/duties.py): the refusal is shown before a
try. The queue follows the store's commits of its kinds while it is shown.

The queue is generic over the kinds whose life has a review: ``scope`` "collect" (persons,
vehicles, places), "patrol" (巡逻: finalized once ended) or "request" (互动: finalized once
done) — each kind with its service and its form (gui/patrol, gui/requests: their 小结 and 办理
views shown read-only); the review page switches between them (queue.py).

The queue is read as the kinds' lists are (gui/collect/list.py): keyset pages of each kind's
finalized records (core/collect/list_query.py ``RecordQuery``), merged newest first across
the kinds (``QueuePages``), a page more fetched as the table is scrolled to its end."""
from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (QHBoxLayout, QHeaderView, QLabel, QMessageBox, QPlainTextEdit,
                               QSplitter, QStackedWidget, QTableWidget, QTableWidgetItem, QVBoxLayout,
                               QWidget)

from weicha_desktop.core.collect import SERVICES, CollectService
from weicha_desktop.core.collect.list_query import LATEST, RecordFilters, RecordQuery
from weicha_desktop.core.errors import WeichaError
from weicha_desktop.core.patrol import PatrolService
from weicha_desktop.core.records import Record
from weicha_desktop.core.requests import RequestService
from weicha_desktop.core.store.events import ChangeSummary
from weicha_desktop.gui.cases.list import PAGE_SIZE
from weicha_desktop.gui.collect.form import CollectForm
from weicha_desktop.gui.collect.page import TITLES
from weicha_desktop.gui.common.i18n import current_language, message_text
from weicha_desktop.gui.common.op_dialog import button, show_message
from weicha_desktop.gui.common.store_events import StoreEvents
from weicha_desktop.gui.patrol.page import PatrolForm
from weicha_desktop.gui.requests.page import RequestForm

ID_ROLE = Qt.ItemDataRole.UserRole
STYLE = 'QLabel#collectReviewMessage[kind="error"] { color: #b00020; }'
# scope → its kinds: (service, form) each
SCOPES = {"collect": {kind: (cls, CollectForm) for kind, cls in SERVICES.items()},
          "patrol": {"patrol": (PatrolService, PatrolForm)},
          "request": {"request": (RequestService, RequestForm)}}
KIND_TITLES = {"patrol": QT_TRANSLATE_NOOP("CollectReviewQueue", "巡逻"),
               "request": QT_TRANSLATE_NOOP("CollectReviewQueue", "群众诉求")}


class QueuePages:
    """The finalized records of ``kinds``, last changed first across the kinds: each kind's
    keyset pages (``RecordQuery``, as its list reads them) merged as they are taken."""

    def __init__(self, store, kinds, page_size: int = PAGE_SIZE):
        self.query, self.page_size = RecordQuery(store), page_size
        self.rows: dict[str, list[dict]] = {kind: [] for kind in kinds}  # read, not yet taken
        self.cursors: dict[str, object] = {kind: None for kind in kinds}
        self.ended: set[str] = set()

    def _read(self, kind: str) -> None:
        while not self.rows[kind] and kind not in self.ended:
            found, self.cursors[kind] = self.query.page(self.filters(kind), LATEST, self.cursors[kind],
                                                        self.page_size)
            self.rows[kind] = self.query.shown(kind, found)
            if self.cursors[kind] is None:
                self.ended.add(kind)

    def take(self, n: int) -> list[tuple[str, dict]]:
        """The next ``n`` (kind, row), fewer at the end."""
        out: list[tuple[str, dict]] = []
        while len(out) < n:
            for kind in self.rows:
                self._read(kind)
            ready = [kind for kind, rows in self.rows.items() if rows]
            if not ready:
                break
            kind = max(ready, key=lambda k: (self.rows[k][0]["updated_at"] or "", self.rows[k][0]["id"]))
            out.append((kind, self.rows[kind].pop(0)))
        return out

    def more(self) -> bool:
        return any(self.rows.values()) or len(self.ended) < len(self.rows)

    def count(self) -> int:
        return sum(self.query.count(self.filters(kind)) for kind in self.rows)

    @staticmethod
    def filters(kind: str) -> RecordFilters:
        return RecordFilters(kind, status="finalized")


class CollectReviewQueue(QWidget):
    reviewed = Signal(object)  # the Record after approval or return

    def __init__(self, store, forms, actor, events: StoreEvents | None = None,
                 parent: QWidget | None = None, *, scope: str = "collect"):
        super().__init__(parent)
        self.scope = scope
        self.setObjectName("collectReviewPage" if scope == "collect" else f"{scope}ReviewPage")
        self.setStyleSheet(STYLE)
        self.services: dict[str, CollectService] = {k: svc(store, forms, actor) for k, (svc, _) in SCOPES[scope].items()}
        self.forms = {k: form for k, (_, form) in SCOPES[scope].items()}
        self.form: CollectForm | None = None
        self.table = QTableWidget(0, 3)
        self.table.setObjectName("collectReviewQueue")
        self.table.setHorizontalHeaderLabels([self.tr("类别"), self.tr("名称"), self.tr("定稿时间")])
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.currentCellChanged.connect(lambda row, *_: self.open_row(row))
        self.store, self.pages, self.total = store, QueuePages(store, self.services), 0
        self.table.verticalScrollBar().valueChanged.connect(self._scrolled)
        self.count = QLabel()
        self.count.setObjectName("collectReviewCount")
        self.placeholder = QLabel()
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.form_area = QVBoxLayout()
        holder = QWidget()
        holder.setLayout(self.form_area)
        self.comment = QPlainTextEdit()
        self.comment.setObjectName("collectReviewComment")
        self.comment.setTabChangesFocus(True)
        self.comment.setPlaceholderText(self.tr("写明需要补正的内容（退回补正时必填；审核通过时可留空）"))
        self.message = QLabel()
        self.message.setObjectName("collectReviewMessage")
        self.message.setWordWrap(True)
        self.message.hide()
        self.return_button = button(self.tr("退回补正"), "collectReturnButton", lambda: self.decide(False))
        self.approve_button = button(self.tr("审核通过"), "collectApproveButton", lambda: self.decide(True))
        box = QWidget()
        box_layout = QVBoxLayout(box)
        box_layout.addWidget(QLabel(self.tr("审核意见：")))
        box_layout.addWidget(self.comment, 1)
        box_layout.addWidget(self.message)
        row = QHBoxLayout()
        row.addWidget(self.return_button)
        row.addWidget(self.approve_button)
        box_layout.addLayout(row)
        detail = QSplitter(Qt.Orientation.Horizontal)
        detail.addWidget(holder)
        detail.addWidget(box)
        detail.setStretchFactor(0, 1)
        self.detail = QStackedWidget()
        self.detail.addWidget(self.placeholder)
        self.detail.addWidget(detail)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.count)
        top_layout.addWidget(self.table, 1)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(self.detail)
        splitter.setSizes([170, 600])
        splitter.setChildrenCollapsible(False)
        QVBoxLayout(self).addWidget(splitter)
        self.close_record(self.empty_text())
        (events or StoreEvents(store, self)).changed.connect(self._store_changed)

    # ---- the queue -------------------------------------------------------------------------
    def refresh(self) -> None:
        """The finalized records of every kind, newest first, as many as were shown (a page at
        least); the open one stays open."""
        shown = max(self.pages.page_size, self.table.rowCount())
        self.pages = QueuePages(self.store, self.services, self.pages.page_size)
        self.total = self.pages.count()
        wanted = self.form.case.id if self.form is not None else None
        self.table.blockSignals(True)
        self.table.setRowCount(0)
        self.table.blockSignals(False)
        self._append(self.pages.take(shown))
        rows = self.table.rowCount()
        ids = [self.table.item(i, 0).data(ID_ROLE)[1] for i in range(rows)]
        if wanted in ids:
            self.table.selectRow(ids.index(wanted))
        elif rows:
            self.table.selectRow(0)
            self.open_row(0)

    def fetch_more(self) -> None:
        """The next page of the queue below the rows shown."""
        if self.pages.more():
            self._append(self.pages.take(self.pages.page_size))

    def _scrolled(self, value: int) -> None:
        if value >= self.table.verticalScrollBar().maximum():
            self.fetch_more()

    def _append(self, rows: list[tuple[str, dict]]) -> None:
        first = self.table.rowCount()
        self.table.blockSignals(True)
        self.table.setRowCount(first + len(rows))
        for i, (kind, row) in enumerate(rows, first):
            for column, text in enumerate((self.kind_title(kind),
                                           row["label"] or row["id"][:8], (row["updated_at"] or "")[:16]
                                           .replace("T", " "))):
                item = QTableWidgetItem(text)
                item.setData(ID_ROLE, (kind, row["id"]))
                self.table.setItem(i, column, item)
        self.table.blockSignals(False)
        shown = self.table.rowCount()
        if not shown:
            self.count.setText(self.empty_text())
        elif shown < self.total:
            self.count.setText(self.tr("已显示 {shown} / 共 {n} 条待审核").format(shown=shown, n=self.total))
        else:
            self.count.setText(self.tr("共 {n} 条待审核").format(n=shown))

    def empty_text(self) -> str:
        return {"patrol": self.tr("没有待审核的巡逻记录"),
                "request": self.tr("没有待审核的群众诉求")}.get(self.scope) or self.tr("没有待审核的采集记录")

    @staticmethod
    def kind_title(kind: str) -> str:
        if kind in KIND_TITLES:
            return QCoreApplication.translate("CollectReviewQueue", KIND_TITLES[kind])
        return QCoreApplication.translate("CollectPage", TITLES[kind])

    def _store_changed(self, summary: ChangeSummary) -> None:
        if self.isVisible() and any(summary.changed(kind) for kind in self.services):
            self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        self.refresh()
        super().showEvent(event)

    # ---- one record ------------------------------------------------------------------------
    def open_row(self, row: int) -> CollectForm | None:
        item = self.table.item(row, 0) if row >= 0 else None
        if item is None:
            return None
        kind, record_id = item.data(ID_ROLE)
        if self.form is not None and self.form.case.id == record_id:
            return self.form
        svc = self.services[kind]
        try:
            form = self.forms[kind](svc, svc.get(record_id), lang=current_language())
        except WeichaError as e:
            self.close_record(message_text(e))
            return None
        self._replace(form)
        self.comment.clear()
        refusal = svc.review_refusal(form.case)
        show_message(self.message, message_text(refusal) if refusal else "", "error")
        for widget in (self.return_button, self.approve_button):
            widget.setEnabled(refusal is None and form.case.status == "finalized")
        self.detail.setCurrentIndex(1)
        return form

    def decide(self, approve: bool) -> Record | None:
        if self.form is None:
            return None
        record, svc = self.form.case, self.form.cases
        if not approve and not self.comment.toPlainText().strip():
            show_message(self.message, self.tr("退回补正时请写明需要补正的内容。"), "error")
            return None
        if approve and QMessageBox.question(
                self, self.tr("审核通过"), self.tr("确定审核通过 {label} 吗？").format(label=svc.label(record)),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No) != QMessageBox.StandardButton.Yes:
            return None
        try:
            done = svc.review(record.id, approve=approve, comment=self.comment.toPlainText())
        except WeichaError as e:
            show_message(self.message, message_text(e), "error")
            return None
        if approve:
            note = self.tr("已审核通过 {label}。").format(label=svc.label(done))
        elif self.scope == "collect":
            note = self.tr("已退回补正 {label}，采集人将在列表最前看到它。").format(label=svc.label(done))
        else:
            note = self.tr("已退回补正 {label}，登记人将在列表最前看到它。").format(label=svc.label(done))
        self.close_record(note)
        self.refresh()
        self.reviewed.emit(done)
        return done

    def close_record(self, note: str) -> None:
        self._replace(None)
        self.placeholder.setText(note)
        self.detail.setCurrentIndex(0)

    def _replace(self, form: CollectForm | None) -> None:
        if self.form is not None:
            self.form_area.removeWidget(self.form)
            self.form.hide()
            self.form.setParent(None)
            self.form.deleteLater()
        self.form = form
        if form is not None:
            self.form_area.addWidget(form)
            form.setVisible(self.isVisible())
