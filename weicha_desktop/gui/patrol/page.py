"""巡逻 page: the list of patrols (the 采集 kind page: returned first, then the last changed;
search) and the form of the patrol chosen, with its 小结 view — the summary (duration,
distance, points, records, checks, hits), 结束巡逻, 导入 GPX…, the records linked to it and
the checks its officers made on the way, a row to link a person, vehicle or place, and
导出 PDF… (巡逻工作记录, core/patrol/report.py).

    ┌ 巡逻 ──────────────────────────┬──────────────────────────────────────────────┐
    │ [新建]                          │ 巡逻记录 2026-12-01 08:00 文峰路一带  草稿     │
    │ [搜索…]                         │ [记录] [小结]                                  │
    │ 开始时间 | 结束时间 | 区域 | 状态 │ 历时 1 小时…  [结束巡逻] [导入 GPX…]          │
    └────────────────────────────────┴──────────────────────────────────────────────┘"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtWidgets import (QCheckBox, QFileDialog, QHBoxLayout, QLabel, QLineEdit, QListWidget, QVBoxLayout,
                               QWidget)

from weicha_desktop.core.collect.list_query import RecordFilters
from weicha_desktop.core.errors import WeichaError
from weicha_desktop.core.patrol import PatrolService
from weicha_desktop.core.records import Record
from weicha_desktop.gui.collect.page import KindPage
from weicha_desktop.gui.common.i18n import message_text
from weicha_desktop.gui.common.op_dialog import button, show_message
from weicha_desktop.gui.common.store_events import StoreEvents
from weicha_desktop.gui.forms.view import FormView


class PatrolForm(FormView):
    """FormView of a patrol with its 小结 view."""

    def __init__(self, service: PatrolService, record: Record, parent: QWidget | None = None, *,
                 lang: str = "zh"):
        self.summary_view: SummaryView | None = None
        super().__init__(service, record, parent, lang=lang)
        self.summary_view = SummaryView(self)
        self.add_view(self.summary_view, self.tr("小结"), "patrolSummaryView")
        self.summary_view.refresh()

    def load(self, case: Record) -> None:
        super().load(replace(case, number=self.cases.label(case)))
        if self.summary_view is not None:
            self.summary_view.refresh()

    def end_patrol(self) -> bool:
        """结束巡逻: the form's edits saved first, then the end (a step of its own)."""
        return self._step(lambda: self.cases.end(self.case.id), self.tr("巡逻已结束。"))

    def import_gpx(self, path: str | Path) -> bool:
        """Route points from a GPX file (the edits saved first); a refused file changes nothing."""
        return self._step(lambda: self.cases.import_gpx(self.case.id, path)[0],
                          self.tr("已从 {name} 导入路线点。").format(name=Path(path).name))

    def export_log(self, path: str | Path) -> bool:
        """巡逻工作记录 PDF at ``path`` (core/patrol/report.py; a few pages: on the GUI thread)."""
        from weicha_desktop.core.patrol.report import write_patrol_log

        if not self.commit_session():
            return False
        try:
            result = write_patrol_log(self.cases, self.case.id, path)
        except WeichaError as e:
            show_message(self.summary_view.message, message_text(e), "error")
            return False
        show_message(self.summary_view.message, self.tr("已导出巡逻工作记录：{path}（{pages} 页）").format(
            path=result["path"], pages=result["pages"]), "ok")
        return True

    def _step(self, act, done: str) -> bool:
        if not self.commit_session():
            return False
        try:
            record = act()
        except WeichaError as e:
            show_message(self.summary_view.message, message_text(e), "error")
            return False
        self.load(record)
        self.saved.emit(record)
        show_message(self.summary_view.message, done, "ok")
        return True


class SummaryView(QWidget):
    def __init__(self, form: PatrolForm):
        super().__init__()
        self.form = form
        self.text = QLabel()
        self.text.setObjectName("patrolSummary")
        self.text.setWordWrap(True)
        self.end_button = button(self.tr("结束巡逻"), "patrolEnd", form.end_patrol)
        self.gpx_button = button(self.tr("导入 GPX…"), "patrolGpx", self.choose_gpx)
        self.pdf_button = button(self.tr("导出 PDF…"), "patrolPdf", self.choose_pdf)
        self.items = QListWidget()
        self.items.setObjectName("patrolItems")
        self.target = QLineEdit()
        self.target.setObjectName("patrolLinkTarget")
        self.target.setPlaceholderText(self.tr("途中登记的人员、车辆或场所：身份证号、号牌或记录 id"))
        self.target.returnPressed.connect(self.link)
        self.link_button = button(self.tr("关联"), "patrolLink", self.link)
        self.message = QLabel()
        self.message.setObjectName("formMessage")
        self.message.hide()
        buttons = QHBoxLayout()
        buttons.addWidget(self.end_button)
        buttons.addWidget(self.gpx_button)
        buttons.addWidget(self.pdf_button)
        buttons.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.target, 1)
        row.addWidget(self.link_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addLayout(buttons)
        layout.addWidget(self.items, 1)
        layout.addLayout(row)
        layout.addWidget(self.message)

    def refresh(self) -> None:
        service: PatrolService = self.form.cases
        record = self.form.case
        summary = service.summary(record)
        self.text.setText(summary.text())
        editable = self.form.is_editable()
        self.end_button.setEnabled(editable and summary.ended_at is None)
        self.gpx_button.setEnabled(editable)
        self.items.clear()
        for link in service.linked(record):
            other = link["other"]
            self.items.addItem(self.tr("关联：{role} {what}").format(
                role=link["role_label"], what=other["label"] if other else link["other_id"]))
        for check in summary.check_list:
            result = self.tr("命中") if check["result"] == "hit" else self.tr("未命中")
            self.items.addItem(self.tr("核查：{at} {user} {key} {result}").format(
                at=check["at"][11:16], user=check["user"], key=check["key"], result=result))

    def choose_gpx(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("导入 GPX 路线"), "",
                                              self.tr("GPX 文件 (*.gpx);;所有文件 (*)"))
        if path:
            self.form.import_gpx(path)

    def choose_pdf(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("导出巡逻工作记录"), "巡逻工作记录.pdf",
                                              self.tr("PDF 文件 (*.pdf)"))
        if path:
            self.form.export_log(path)

    def link(self) -> None:
        try:
            self.form.cases.link(self.form.case.id, self.target.text())
        except WeichaError as e:
            show_message(self.message, message_text(e), "error")
            return
        self.target.clear()
        show_message(self.message, self.tr("已关联。"), "ok")
        self.refresh()


class PatrolPage(KindPage):
    """The patrols: list and form."""

    columns = ("started_at", "ended_at", "area", "status")
    stretch = "area"
    narrow_hidden = ("ended_at",)
    form_width = 560  # the officers' 姓名 and 单位 not cut at 1024×768
    form_class = PatrolForm

    def __init__(self, store, forms, actor, events: StoreEvents | None = None, parent: QWidget | None = None):
        self.ongoing_only: QCheckBox | None = None
        super().__init__(PatrolService(store, forms, actor), events, parent)
        self.setObjectName("patrolPage")
        self.ongoing_only = QCheckBox(self.tr("只看进行中的巡逻"))
        self.ongoing_only.setObjectName("patrolOngoingOnly")
        self.ongoing_only.toggled.connect(self.refresh)
        self.add_filter(self.ongoing_only)

    def filters(self) -> RecordFilters:
        ongoing = self.ongoing_only is not None and self.ongoing_only.isChecked()
        return RecordFilters(self.kind, text=self.search.text().strip() or None, ended=False if ongoing else None)

    def commit_all(self) -> bool:
        return self.commit_open()
