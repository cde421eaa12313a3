"""互动 page: the list of public requests (the 采集 kind page, with 办理期限 and 超期 marked) and
the form of the request chosen, with its 办理 view: the handling status, the deadline, the
steps so far, and the next step (开始处理 / 办结, or 重新办理 once done) with its note."""
from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QLineEdit, QListWidget, QVBoxLayout, QWidget

from weicha_desktop.core.collect.list_query import RecordFilters
from weicha_desktop.core.errors import WeichaError
from weicha_desktop.core.records import Record
from weicha_desktop.core.requests import DONE, IN_PROGRESS, PENDING, RequestService
from weicha_desktop.gui.collect.page import KindPage
from weicha_desktop.gui.common.i18n import message_text
from weicha_desktop.gui.common.op_dialog import button, show_message
from weicha_desktop.gui.common.store_events import StoreEvents
from weicha_desktop.gui.forms.view import FormView


class RequestForm(FormView):
    """FormView of a request with its 办理 view."""

    def __init__(self, service: RequestService, record: Record, parent: QWidget | None = None, *,
                 lang: str = "zh"):
        self.handling: HandlingView | None = None
        super().__init__(service, record, parent, lang=lang)
        self.handling = HandlingView(self)
        self.add_view(self.handling, self.tr("办理"), "requestHandlingView")
        self.handling.refresh()

    def load(self, case: Record) -> None:
        super().load(replace(case, number=self.cases.label(case)))
        if self.handling is not None:
            self.handling.refresh()

    def step(self, to: str | None, note: str) -> bool:
        """The next step (``to``), or 重新办理 (None), with ``note``; the form's edits saved first."""
        if not self.commit_session():
            return False
        try:
            record = self.cases.reopen(self.case.id, note) if to is None else self.cases.step(self.case.id, to, note)
        except WeichaError as e:
            show_message(self.handling.message, message_text(e), "error")
            return False
        self.load(record)
        self.saved.emit(record)
        show_message(self.handling.message, self.tr("已办理。"), "ok")
        return True


class HandlingView(QWidget):
    def __init__(self, form: RequestForm):
        super().__init__()
        self.form = form
        self.state = QLabel()
        self.state.setObjectName("requestState")
        self.steps = QListWidget()
        self.steps.setObjectName("requestSteps")
        self.note = QLineEdit()
        self.note.setObjectName("requestNote")
        self.note.setPlaceholderText(self.tr("这一步的说明（必填）"))
        self.start_button = button(self.tr("开始处理"), "requestStart", lambda: self._go(IN_PROGRESS))
        self.done_button = button(self.tr("办结"), "requestDone", lambda: self._go(DONE))
        self.reopen_button = button(self.tr("重新办理"), "requestReopen", lambda: self._go(None))
        self.message = QLabel()
        self.message.setObjectName("formMessage")
        self.message.hide()
        row = QHBoxLayout()
        row.addWidget(self.note, 1)
        for b in (self.start_button, self.done_button, self.reopen_button):
            row.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addWidget(self.state)
        layout.addWidget(self.steps, 1)
        layout.addLayout(row)
        layout.addWidget(self.message)

    def _go(self, to: str | None) -> None:
        if self.form.step(to, self.note.text()):
            self.note.clear()

    def refresh(self) -> None:
        service: RequestService = self.form.cases
        record = self.form.case
        state = service.state(record)
        due = (state["due_at"] or "")[:16].replace("T", " ")
        late = self.tr("（已超期）") if state["overdue"] else ""
        self.state.setText(self.tr("办理状态：{status}　办理期限：{due}{late}").format(
            status=self._status_words(state["handling"]), due=due or self.tr("无"), late=late))
        self.steps.clear()
        for s in record.data.get("steps") or []:
            self.steps.addItem(f"{s.get('at', '')[:16].replace('T', ' ')}  {self._status_words(s.get('status'))}"
                               f"  {s.get('by', '')}：{s.get('note', '')}")
        draft = self.form.is_editable()
        self.start_button.setEnabled(draft and state["handling"] == PENDING)
        self.done_button.setEnabled(draft and state["handling"] == IN_PROGRESS)
        self.reopen_button.setEnabled(draft and state["handling"] == DONE)

    def _status_words(self, status: str | None) -> str:
        field = self.form.spec.field("handling")
        return field.choice_label(status, self.form.lang) if status else ""


class RequestPage(KindPage):
    """The requests: list (with their deadlines) and form."""

    # 责任民警 is in the form (and found by the search): the list keeps to what fits 1024×768
    columns = ("received_at", "request_type", "content", "handling", "due", "status")
    stretch = "content"
    narrow_hidden = ("request_type", "received_at")  # a request open beside the list at 1024×768
    form_class = RequestForm

    def __init__(self, store, forms, actor, events: StoreEvents | None = None, parent: QWidget | None = None):
        self.overdue_only: QCheckBox | None = None
        super().__init__(RequestService(store, forms, actor), events, parent)
        self.setObjectName("requestPage")
        self.overdue_only = QCheckBox(self.tr("只看超期未办结的"))
        self.overdue_only.setObjectName("requestOverdueOnly")
        self.overdue_only.toggled.connect(self.refresh)
        self.add_filter(self.overdue_only)

    def filters(self) -> RecordFilters:
        overdue = self.overdue_only is not None and self.overdue_only.isChecked()
        return RecordFilters(self.kind, text=self.search.text().strip() or None,
                             ids=self.service.overdue_ids() if overdue else None)

    def shown(self, rows: list[dict]) -> list[dict]:
        return [self.service.list_row(r) for r in rows]

    def column_title(self, column: str) -> str:
        if column == "handling":  # the form's word is "Status" in English, as the record's status is
            return self.tr("办理状态")
        return self.tr("办理期限") if column == "due" else super().column_title(column)

    def cell(self, row: dict, column: str) -> str:
        if column == "due":
            due = self.short_time(row["due_at"]) if row.get("due_at") else ""
            return due + (self.tr("（超期）") if row.get("overdue") else "")
        if column == "handling":
            row = {**row, "handling": row.get("handling") or PENDING}
        if column == "content":
            return " ".join((row.get("content") or "").split())  # one line
        return super().cell(row, column)

    def tooltip(self, row: dict, column: str) -> str:
        if column == "due":
            due = (row.get("due_at") or "")[:16].replace("T", " ")
            return due + (self.tr("（超期）") if row.get("overdue") else "")
        if column == "content":
            return row.get("content") or ""
        return super().tooltip(row, column)

    def alarming(self, row: dict, column: str) -> bool:
        return column == "due" and bool(row.get("overdue"))

    def commit_all(self) -> bool:
        return self.commit_open()
