"""采集 page: one tab per kind (人员, 车辆, 场所), each a list with a search field and the form
of the record chosen in it (gui/collect/form.py).

    ┌ 采集 ─ [人员] [车辆] [场所] ─────────────────────────────────────┐
    │ [身份证号（可空）] [新建]  │  人员信息　黄丽 1101…　第 1 版　草稿     │
    │ [搜索…            ]      │  ┌ 身份 ┬ 联系与住址 ┬ 照片与备注 ┐      │
    │ 姓名 | 性别 | 身份证号 …  │  │ …                           │      │
    └──────────────────────────────────────────────────────────────────┘

新建 with a key (身份证号, 号牌) another record of the kind has offers that record instead
(打开 it, or 忽略 and create another). The list follows the store's commits of its kind; it
is the cases' lazy list (gui/collect/list.py): returned drafts first, then the last changed,
a page at a time as it scrolls, with its filters and its count. The page has no SQL."""
from __future__ import annotations

from contextlib import contextmanager

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent, Qt, QTimer
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QMessageBox, QSplitter,
                               QStackedWidget, QTableView, QTabWidget, QVBoxLayout, QWidget)

from weicha_desktop.core.collect import SERVICES, CollectService, Duplicate
from weicha_desktop.core.collect.list_query import RecordFilters
from weicha_desktop.core.errors import WeichaError
from weicha_desktop.core.store.events import ChangeSummary
from weicha_desktop.gui.collect.form import CollectForm
from weicha_desktop.gui.collect.list import ID_ROLE, RecordTableModel
from weicha_desktop.gui.common.i18n import current_language, message_text
from weicha_desktop.gui.common.labels import list_status_name
from weicha_desktop.gui.common.op_dialog import button
from weicha_desktop.gui.common.store_events import StoreEvents
from weicha_desktop.gui.common.tables import record_rows

SEARCH_PAUSE_MS = 250  # one query per pause in typing, not one per key
FIT_ROWS = 200  # the rows a column's width is measured on (a lazy list may hold many more)
STRETCH_MIN = 60  # the narrowest the elided column gets before the list scrolls sideways
STRETCH_WANT = 90  # the elided column's width the list's pane is made for
LIST_SHARE = 0.64  # the most of the page the list's pane takes for its columns (the form the rest)
FORM_MIN = 400  # the narrowest a form beside a fitted list gets (it scrolls sideways below its own width)
TITLES = {"person": QT_TRANSLATE_NOOP("CollectPage", "人员"),
          "vehicle": QT_TRANSLATE_NOOP("CollectPage", "车辆"),
          "place": QT_TRANSLATE_NOOP("CollectPage", "场所")}
KEY_HINTS = {"person": QT_TRANSLATE_NOOP("KindPage", "身份证号（可空），按回车新建"),
             "vehicle": QT_TRANSLATE_NOOP("KindPage", "号牌（可空），按回车新建")}
KEY_FIELDS = {"person": "id_number", "vehicle": "plate"}
COLUMNS = {  # the list's columns: field id, or "status"
    "person": ("name", "gender", "id_number", "phone", "status"),
    "vehicle": ("plate", "plate_kind", "vehicle_type", "brand", "status"),
    "place": ("name", "place_type", "address", "status"),
}


class _Kinds(dict):
    """kind → its page, made when first asked for (``kinds["vehicle"]``)."""

    def __init__(self, make):
        super().__init__()
        self._make = make

    def __missing__(self, kind: str) -> "KindPage":
        return self._make(kind)


class CollectPage(QTabWidget):
    """The first kind's list is made with the page; another's when its tab is first chosen
    (or the kind asked for: ``kinds[kind]``, ``show_kind``), in the holder its tab shows."""

    def __init__(self, store, forms, actor, events: StoreEvents | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("collectTabs")
        self._services, self._events = {k: cls(store, forms, actor) for k, cls in SERVICES.items()}, events
        self.kinds: dict[str, KindPage] = _Kinds(self._make)
        self._holders: dict[str, QWidget] = {}
        for i, kind in enumerate(SERVICES):
            title = QCoreApplication.translate("CollectPage", TITLES[kind])
            if i == 0:
                self.addTab(self._make(kind), title)
            else:
                holder = self._holders[kind] = QWidget()
                QVBoxLayout(holder).setContentsMargins(0, 0, 0, 0)
                self.addTab(holder, title)
        self.currentChanged.connect(lambda index: self.kinds[list(SERVICES)[index]] if index >= 0 else None)

    def _make(self, kind: str) -> "KindPage":
        page = self.kinds[kind] = CollectKindPage(self._services[kind], self._events)
        holder = self._holders.get(kind)
        if holder is not None:
            holder.layout().addWidget(page)
            if holder.isVisible():
                page.show()  # now, not on the next turn of the event loop
        return page

    def show_kind(self, kind: str) -> "KindPage":
        page = self.kinds[kind]
        self.setCurrentIndex(list(SERVICES).index(kind))
        return page

    def commit_all(self) -> bool:
        """Commit every open form's session (the window closes): False if one has errors
        (its edits stay in the recovery journal)."""
        return all([page.commit_open() for page in self.kinds.values()])


class ListView(QTableView):
    """A kind's list: its columns measured by its page (``KindPage.measure``), for Qt's
    ResizeToContents as for the page's own fit."""

    def __init__(self, page: "KindPage"):
        super().__init__()
        self._page = page

    def sizeHintForColumn(self, column: int) -> int:  # noqa: N802 (Qt's name)
        return self._page.measure(column)


class KindPage(QWidget):
    """The list of one kind and the form of the record chosen (other modules' kinds subclass
    it with their ``columns`` and ``form_class``: gui/patrol, gui/requests)."""

    columns: tuple[str, ...] = ()  # default: COLUMNS of the kind
    # The column of long text that takes the room left, its text elided in the middle (the
    # whole of it in the tooltip); every other column as wide as its words (the list fits its
    # pane: no horizontal scroll bar at 1024×768). None: the last column stretches.
    stretch: str | None = None
    # Columns hidden, in this order, while the list's pane is too narrow for them all (a form
    # open beside it at 1024×768); the others always show.
    narrow_hidden: tuple[str, ...] = ()
    form_width = 540  # the width a form open beside the list keeps (its fields and tables not cut)
    form_class = CollectForm

    def __init__(self, service: CollectService, events: StoreEvents | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.service, self.kind = service, service.kind
        self.columns = self.columns or COLUMNS[self.kind]
        self.setObjectName(f"collect_{self.kind}")
        self.lang = current_language()
        self.spec = service.forms.latest(service.form_id)
        self._fields: dict[str, object] = {}  # column → its field of ``spec`` (each cell asks)
        self._measures: dict | None = None  # columns' widths, while one fit runs (_measuring)
        self.form: CollectForm | None = None
        self.key = QLineEdit()
        self.key.setObjectName(f"collectKey_{self.kind}")
        self.key.setPlaceholderText(QCoreApplication.translate("KindPage", KEY_HINTS.get(self.kind, "")))
        self.key.setVisible(self.kind in KEY_FIELDS)
        self.key.returnPressed.connect(self.new_record)
        self.new_button = button(self.tr("新建"), f"collectNew_{self.kind}", self.new_record)
        self.search = QLineEdit()
        self.search.setObjectName(f"collectSearch_{self.kind}")
        self.search.setPlaceholderText(self.tr("搜索（姓名、号码、地址等）"))
        self._typing = QTimer(self)  # the list follows the search once typing pauses
        self._typing.setSingleShot(True)
        self._typing.setInterval(SEARCH_PAUSE_MS)
        self._typing.timeout.connect(self.refresh)
        self.search.textChanged.connect(self._typing.start)
        self.model = RecordTableModel(self, parent=self)
        for signal in (self.model.modelReset, self.model.rowsInserted, self.model.dataChanged,
                       self.model.layoutChanged):  # rows that change while a fit runs: measured again
            signal.connect(lambda *_args: self._measures.clear() if self._measures else None)
        self.table = ListView(self)
        self.table.setObjectName(f"collectList_{self.kind}")
        self.table.setModel(self.model)
        record_rows(self.table)
        self._fit_columns()
        self.table.activated.connect(lambda index: self.open(index.data(ID_ROLE)))
        self.table.clicked.connect(lambda index: self.open(index.data(ID_ROLE)))
        self.count_label = QLabel()
        self.count_label.setObjectName(f"collectCount_{self.kind}")
        self.model.totalChanged.connect(self._show_count)
        self.model.rowsInserted.connect(self._show_count)
        self.model.modelReset.connect(self._show_count)
        self.message = QLabel()
        self.message.setObjectName(f"collectMessage_{self.kind}")
        self.message.setWordWrap(True)
        left = QWidget()
        top = QHBoxLayout()
        top.addWidget(self.key, 1)
        top.addWidget(self.new_button)
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(top)
        column.addWidget(self.search)
        column.addWidget(self.table, 1)
        column.addWidget(self.count_label)
        column.addWidget(self.message)
        self.stack = QStackedWidget()
        self.stack.setObjectName(f"collectStack_{self.kind}")
        placeholder = QLabel(self.tr("在左侧选择一条记录，或新建一条。"))
        placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack.addWidget(placeholder)
        self.splitter = splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setObjectName(f"collectSplitter_{self.kind}")
        splitter.addWidget(left)
        splitter.addWidget(self.stack)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([420, 700])
        self._dragged = False  # the user moved the splitter: the list keeps the width chosen
        splitter.splitterMoved.connect(self._moved)
        if self.stretch is not None:
            splitter.installEventFilter(self)
            left.installEventFilter(self)
            for signal in (self.model.modelReset, self.model.rowsInserted, self.model.dataChanged):
                signal.connect(lambda *_args: self._rows_changed())
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        if events is not None:
            events.changed.connect(self._store_changed)
        self._show_count()

    def _fit_columns(self) -> None:
        header = self.table.horizontalHeader()
        header.setResizeContentsPrecision(FIT_ROWS)
        if self.stretch is None:
            header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
            header.setStretchLastSection(True)
            return
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(STRETCH_MIN)
        for i, column in enumerate(self.columns):
            header.setSectionResizeMode(i, QHeaderView.ResizeMode.Stretch if column == self.stretch
                                        else QHeaderView.ResizeMode.ResizeToContents)

    def list_width(self, skip: tuple[str, ...] | None = None) -> int:
        """The width the list's pane needs: every column shown (or every column but ``skip``)
        but the elided one as wide as its words, the elided one STRETCH_WANT, the scroll bar
        and the frame."""
        table = self.table
        words = sum(self._words(i) for i, column in enumerate(self.columns) if column != self.stretch
                    and (column not in skip if skip is not None else not table.isColumnHidden(i)))
        return (words + STRETCH_WANT + table.verticalScrollBar().sizeHint().width() + 2 * table.frameWidth()
                + 2)

    def _words(self, i: int) -> int:
        """Column ``i`` as wide as its title and the words of its rows (the view's measure)."""
        return max(self.table.horizontalHeader().sectionSizeFromContents(i).width(), self.table.sizeHintForColumn(i))

    def measure(self, i: int) -> int:
        """The view's measure of column ``i``: the words of its rows, all of them up to FIT_ROWS,
        else FIT_ROWS around those shown (which the view's scrolling, height and visibility
        say). Taken once for those rows while a fit runs (``_measuring``: the header's
        ResizeToContents and the fit ask for each column up to five times, and the fit's
        resizes may bring a scroll bar), each time otherwise."""
        table = self.table
        if self._measures is None:
            return QTableView.sizeHintForColumn(table, i)
        rows = self.model.rowCount()
        key = (i, rows) if rows <= FIT_ROWS else (i, rows, table.verticalHeader().visualIndexAt(0),
                                                  table.viewport().height(), table.isVisible())
        width = self._measures.get(key)
        if width is None:
            width = self._measures[key] = QTableView.sizeHintForColumn(table, i)
        return width

    @contextmanager
    def _measuring(self):
        """The columns' widths kept while the block runs (nothing else changes the rows then:
        no event is handled but the resizes the fit itself makes), forgotten after it."""
        outer = self._measures is not None
        if not outer:
            self._measures = {}
        try:
            yield
        finally:
            if not outer:
                self._measures = None

    def fit_list(self, width: int | None = None) -> None:
        """The list's pane as wide as its columns need, the long text whole where it can be
        (at most LIST_SHARE of the splitter's
        ``width``, now by default), the form the rest — until the user moves the splitter.
        With a form open, the form first (its ``form_width`` or what its layout asks), the list
        the rest but never narrower than its columns less ``narrow_hidden`` (the form scrolls
        then: it keeps FORM_MIN)."""
        total = (self.splitter.width() if width is None else width) - self.splitter.handleWidth()
        if self.stretch is None or total <= 0 or self._dragged:
            return
        with self._measuring():
            whole = self.table.sizeHintForColumn(self.columns.index(self.stretch))  # its longest text whole
            left = min(max(self.list_width(()) + max(0, whole - STRETCH_WANT), 420), int(total * LIST_SHARE))
            if self.form is not None:
                wanted = max(self.form_width, self.form.minimumSizeHint().width())
                left = min(left, max(total - wanted, min(self.list_width(self.narrow_hidden), total - FORM_MIN)))
            self.splitter.setSizes([left, total - left])

    def _rows_changed(self) -> None:
        """Rows arrived or changed: the columns measured again, then the pane fitted. Qt
        measures its ResizeToContents columns only when the list is resized or reset, not when
        rows are appended — a later page, or the rest of a first page its time budget cut short
        on a busy machine (0 rows first): the columns stayed at their 60 px minimum for good."""
        with self._measuring():
            self.table.horizontalHeader().resizeSections()
            self.fit_list()
            self._hide_for(self.splitter.widget(0).width())

    def _hide_for(self, room: int) -> None:
        """The columns of ``narrow_hidden`` hidden, in order, while the pane (``room`` wide)
        is too narrow for them (the pane's resize event calls it)."""
        for i in range(len(self.columns)):
            self.table.setColumnHidden(i, False)
        with self._measuring():
            for column in self.narrow_hidden:
                if self.list_width() <= room:
                    return
                self.table.setColumnHidden(self.columns.index(column), True)

    def _moved(self, *_args) -> None:
        self._dragged = True

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt)
        if watched is self.splitter and event.type() == QEvent.Type.Resize:
            self.fit_list(event.size().width())
        elif watched is self.splitter.widget(0) and event.type() == QEvent.Type.Resize:
            self._hide_for(event.size().width())
        return super().eventFilter(watched, event)

    def column_title(self, column: str) -> str:
        if column == "status":
            return self.tr("状态")
        return self.spec.field(column).label.text(self.lang)

    # ---- the list --------------------------------------------------------------------------
    def filters(self) -> RecordFilters:
        """What the list shows (a subclass adds its filters: gui/patrol, gui/requests)."""
        return RecordFilters(self.kind, text=self.search.text().strip() or None)

    def shown(self, rows: list[dict]) -> list[dict]:
        """A page's rows as the list shows them (gui/requests adds the deadlines)."""
        return rows

    def add_filter(self, widget: QWidget) -> None:
        """A filter of a subclass, under the search field."""
        column = self.search.parentWidget().layout()
        column.insertWidget(column.indexOf(self.search) + 1, widget)

    def refresh(self) -> None:
        """Read the list again from its first page (a filter changed, a record was saved)."""
        self.model.refresh()

    def _show_count(self) -> None:
        shown, total = self.model.rowCount(), self.model.total
        if total == 0:
            text = self.tr("没有符合条件的记录。")
        elif total is None:
            text = self.tr("已显示 {shown} / 正在统计…").format(shown=shown)
        else:
            text = self.tr("已显示 {shown} / 共 {total} 条").format(shown=shown, total=total)
        self.count_label.setText(text)

    def cell(self, row: dict, column: str) -> str:
        if column == "status":
            return list_status_name(row["status"], row["returned"])
        value = row.get(column)
        field = self.field_of(column)
        if value and field.choices:
            return field.choice_label(value, self.lang)
        if isinstance(value, str) and field.type == "datetime":  # 12-01 08:05 this year (巡逻, 互动)
            return self.short_time(value)
        return "" if value is None else str(value)

    def field_of(self, column: str):
        """The field of ``spec`` a column shows (looked up once: each cell asks)."""
        field = self._fields.get(column)
        if field is None:
            field = self._fields[column] = self.spec.field(column)
        return field

    def alarming(self, row: dict, column: str) -> bool:
        """A cell shown in red besides a returned draft's status (gui/requests: 超期)."""
        return False

    def tooltip(self, row: dict, column: str) -> str:
        """A cell's whole text (a time with its year, a long text not elided)."""
        value = row.get(column)
        if isinstance(value, str) and column != "status" and self.field_of(column).type == "datetime":
            return value[:16].replace("T", " ")
        return self.cell(row, column)

    def short_time(self, value: str) -> str:
        """A list's time: 12-01 08:05 in this year (the service's clock), 2025-12-01 before."""
        if value[:4] == str(self.service.store.clock.now().year) and len(value) >= 16:
            return value[5:16].replace("T", " ")
        return value[:10]

    def _store_changed(self, summary: ChangeSummary) -> None:
        if self.kind in summary.kinds:
            self.refresh()

    # ---- the form --------------------------------------------------------------------------
    def new_record(self) -> CollectForm | None:
        """A new draft — or, when another record has the key typed, that record if the user
        wants it (打开), a new one anyway (忽略) or nothing (取消)."""
        key = self.key.text().strip()
        values = {KEY_FIELDS[self.kind]: key} if key and self.kind in KEY_FIELDS else {}
        try:
            record = self.service.create(values)
        except Duplicate as e:
            buttons = QMessageBox.StandardButton
            answer = QMessageBox.question(
                self, self.tr("已有记录"),
                self.tr("{message}\n\n打开该记录吗？选“忽略”则仍然新建一条。").format(message=message_text(e)),
                buttons.Open | buttons.Ignore | buttons.Cancel, buttons.Open)
            if answer == buttons.Open:
                self.key.clear()
                return self.open(e.existing.id)
            if answer != buttons.Ignore:
                return None
            record = self.service.create(values, force_new=True)
        except WeichaError as e:
            self.message.setText(self.tr("未新建：{error}").format(error=message_text(e)))
            return None
        self.key.clear()
        self.message.setText(self.tr("已新建：{label}").format(label=self.service.label(record)))
        form = self.open(record.id)
        if form is not None:
            form.focus_first_empty()
        return form

    def open(self, record_id: str) -> CollectForm | None:
        """Show the record's form (the form open before is saved first; if it cannot be,
        it stays, with its problems)."""
        if self.form is not None:
            if self.form.case.id == record_id:
                return self.form
            if not self.form.commit_session():
                return None
            self.stack.removeWidget(self.form)
            self.form.deleteLater()
            self.form = None
        try:
            record = self.service.get(record_id)
        except WeichaError as e:
            self.message.setText(message_text(e))
            return None
        self.form = self.form_class(self.service, record, lang=self.lang)
        self.form.setObjectName(f"collectForm_{self.kind}")
        self.stack.addWidget(self.form)
        self.stack.setCurrentWidget(self.form)
        if self.stretch is not None:
            self.stack.setMinimumWidth(FORM_MIN)  # not the form's own: fit_list gives it that where it can
        self.fit_list()
        return self.form

    def commit_open(self) -> bool:
        return self.form is None or self.form.commit_session()


STATUS_FILTERS = ((QT_TRANSLATE_NOOP("CollectKindPage", "全部状态"), None),
                  (QT_TRANSLATE_NOOP("CollectKindPage", "退回补正"), "returned"),
                  (QT_TRANSLATE_NOOP("CollectKindPage", "草稿"), "draft"),
                  (QT_TRANSLATE_NOOP("CollectKindPage", "已定稿（待审核）"), "finalized"),
                  (QT_TRANSLATE_NOOP("CollectKindPage", "已审核"), "reviewed"))


STRETCH = {"person": "name", "vehicle": "brand", "place": "address"}  # KindPage.stretch of each kind
NARROW = {"person": ("gender",), "vehicle": ("plate_kind", "vehicle_type"), "place": ("place_type",)}  # narrow_hidden


class CollectKindPage(KindPage):
    """A person, vehicle or place list, with a status filter as the cases' list has."""

    def __init__(self, service: CollectService, events: StoreEvents | None = None,
                 parent: QWidget | None = None):
        self.status: QComboBox | None = None  # refresh() runs inside KindPage.__init__
        self.stretch, self.narrow_hidden = STRETCH[service.kind], NARROW[service.kind]
        super().__init__(service, events, parent)
        self.status = QComboBox()
        self.status.setObjectName(f"collectStatus_{self.kind}")
        for words, status in STATUS_FILTERS:
            self.status.addItem(QCoreApplication.translate("CollectKindPage", words), status)
        self.status.currentIndexChanged.connect(self.refresh)
        self.add_filter(self.status)
        self.sheet_button = button(self.tr("导出信息表…"), f"collectSheet_{self.kind}", self.export_sheet)
        self.add_filter(self.sheet_button)
        self.sheet_op = None  # the sheet being written (BackgroundOp)

    def export_sheet(self, path: str | None = None):
        """导出信息表…: the open record's one-page PDF (core/collect/report.py), written on a
        worker with a connection of its own; the message under the list says where."""
        from PySide6.QtWidgets import QFileDialog

        from weicha_desktop.core.collect.report import write_sheet
        from weicha_desktop.gui.common.ops import BackgroundOp

        if self.form is None:
            self.message.setText(self.tr("请先在列表中选择一条记录。"))
            return None
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, self.tr("导出信息表"), f"{self.service.label(self.form.case)}.pdf",
                                                  self.tr("PDF 文件 (*.pdf)"))
        if not path:
            return None
        svc, record_id = self.service, self.form.case.id
        self.sheet_button.setEnabled(False)
        self.message.setText(self.tr("正在导出信息表…"))
        self.sheet_op = (BackgroundOp(self, lambda job: write_sheet(type(svc)(job.store, svc.forms, svc.actor),
                                                                    record_id, path), store=svc.store)
                         .on_success(self._sheet_done).on_failure(self._sheet_failed).run())
        return self.sheet_op

    def _sheet_done(self, result: dict) -> None:
        self.sheet_button.setEnabled(True)
        self.message.setText(self.tr("已导出信息表：{path}（{pages} 页）").format(**result))

    def _sheet_failed(self, failure) -> None:
        self.sheet_button.setEnabled(True)
        self.message.setText(failure.message)

    def filters(self) -> RecordFilters:
        status = self.status.currentData() if self.status is not None else None
        return RecordFilters(self.kind, status=status, text=self.search.text().strip() or None)
