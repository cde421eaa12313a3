"""物证登记: the case's 提取痕迹物证登记表 (附件1) as a register, a view of the open case.

    ┌ 送检   比中…   未比中…                                            打印标签… ┐
    ├ 序号 编号 名称 类别 数量 提取部位 提取方法 提取人 提取时间 必比状态 比对 照片 ┤
    ├ photos linked to the selected item (their evidence_number is its H number)   ┤
    └───────────────────────────────────────────────────────────────────────────────┘

The items are the record's ``evidence`` rows (added and described in the form; their H
numbers are given by the core when the form is saved). The register moves an item's 必比
status 未送检 → 已送检 → 比中 / 未比中 through ``CaseService.set_evidence_status`` (one change
whose sync op carries the item's resulting row; the other rows and their numbers are kept).
The form's own unsaved edits are committed first (``commit_pending``), so the two never
overwrite each other. 打印标签 writes the label sheet PDF and logs the print (``evidence.labels``)."""
from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QSize, Qt, QUrl, Signal
from PySide6.QtGui import QColor, QDesktopServices, QFont, QFontMetrics, QIcon, QImage, QPixmap
from PySide6.QtWidgets import (QDialog, QFileDialog, QHBoxLayout, QHeaderView, QLabel,
                               QListWidget, QListWidgetItem, QPushButton, QTableWidget, QTableWidgetItem,
                               QVBoxLayout, QWidget)

from weicha_desktop.core.cases import (EVIDENCE_STATUS, MATCH, NO_MATCH, NOT_SENT, SENT, CaseRecord,
                                       CaseService)
from weicha_desktop.core.errors import NotFound, WeichaError
from weicha_desktop.core.photos import Photo, PhotoService
from weicha_desktop.core.reports.labels import items_from_case, write_labels
from weicha_desktop.gui.common.i18n import message_text
from weicha_desktop.gui.common.images import ImageLoader
from weicha_desktop.gui.common.tables import record_rows
from weicha_desktop.gui.evidence.dialogs import ComparisonDialog, LabelDialog
from weicha_desktop.gui.photos.model import load_thumbnail

# the codes of 已送检, 比中, 未比中, 未送检 (core/cases.py): a row's value is turned into its code
# (a record of form v1/v2 holds the Chinese word); the core writes the value its version stores
STATUS_FIELD = EVIDENCE_STATUS
STATUS_COLORS = {NOT_SENT: "#b00020", SENT: "#8a5a00", MATCH: "#1b5e20", NO_MATCH: "#444444"}
THUMB = 96
FIT_COLUMNS = (3, 6, 9)  # 类别, 提取方法, 必比状态: the form's words, as wide as the longest shown
FIT_MOST = 240           # … up to this (a long 其他 method text ends in "…", whole in its tooltip)
CELL_PADDING = 16
STYLE = """
QLabel#evidenceReadonlyNote { background: #eef3f8; border: 1px solid #c5d5e6; padding: 6px 10px; }
QLabel#evidenceMessage[kind="error"] { color: #b00020; }
QLabel#evidenceMessage[kind="ok"] { color: #1b5e20; }
"""


def evidence_rows(case: CaseRecord) -> list[dict]:
    """The record's ``evidence`` rows (the items of the register)."""
    return [r for r in case.data.get("evidence") or [] if isinstance(r, dict)]


class EvidenceRegister(QWidget):
    changed = Signal(object)  # the CaseRecord after a status change

    def __init__(self, cases: CaseService, photos: PhotoService, case: CaseRecord, lang: str = "zh",
                 commit_pending: Callable[[], bool] = lambda: True, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("evidenceRegister")
        self.cases, self.photos, self.lang = cases, photos, lang
        self.commit_pending = commit_pending
        self.case = case
        self.rows: list[dict] = []
        self.linked: dict[str, list[Photo]] = {}   # H number → photos showing it
        self.last_dir = str(Path.home())
        self.loader = ImageLoader(threads=1, parent=self)
        self.loader.ready.connect(self._thumb_ready)
        self._thumbs: dict[str, QIcon] = {}

        self.send_button = self._button(self.tr("送检"), "sendButton", self.mark_sent)
        self.send_button.setToolTip(self.tr("未送检 → 已送检"))
        self.match_button = self._button(self.tr("比中…"), "matchButton", lambda: self.record_result(MATCH))
        self.nomatch_button = self._button(self.tr("未比中…"), "noMatchButton",
                                           lambda: self.record_result(NO_MATCH))
        self.labels_button = self._button(self.tr("打印标签…"), "labelsButton", self.print_labels)
        self.labels_button.setToolTip(self.tr("生成 A4 标签纸 PDF：每件物证一张，含编号二维码"))
        self.count_label = QLabel()
        self.count_label.setObjectName("evidenceCountLabel")
        bar = QHBoxLayout()
        for button in (self.send_button, self.match_button, self.nomatch_button):
            bar.addWidget(button)
        bar.addSpacing(12)
        bar.addWidget(self.count_label)
        bar.addStretch(1)
        bar.addWidget(self.labels_button)
        self.readonly_note = QLabel(self.tr("勘验已定稿，登记表只能查看和打印标签；如需更正请先“补正”。"))
        self.readonly_note.setObjectName("evidenceReadonlyNote")

        self.headers = [self.tr("序号"), self.tr("编号"), self.tr("名称"), self.tr("类别"), self.tr("数量"),
                        self.tr("提取部位"), self.tr("提取方法"), self.tr("提取人"), self.tr("提取时间"),
                        self.tr("必比状态"), self.tr("比对日期/结果"), self.tr("关联照片")]
        self.table = QTableWidget(0, len(self.headers))
        self.table.setObjectName("evidenceTable")
        self.table.setHorizontalHeaderLabels(self.headers)
        record_rows(self.table)
        header = self.table.horizontalHeader()
        bold = QFont(header.font())
        bold.setBold(True)
        metrics = QFontMetrics(bold)  # every header readable, in either language
        statuses = [self._choice(self.cases.spec_for(case), "comparison_status", s)
                    for s in (NOT_SENT, SENT, MATCH, NO_MATCH)]  # by code: the words of any version
        self.base_widths: list[int] = []  # each column's width before its cells are fitted
        for column, width in enumerate((40, 180, 116, 64, 40, 124, 100, 56, 118, 66, 200, 60)):
            texts = [self.headers[column]] + (statuses if column == 9 else [])
            self.base_widths.append(max(width, *(metrics.horizontalAdvance(t) + 18 for t in texts)))
            header.resizeSection(column, self.base_widths[column])
        header.setSectionResizeMode(10, QHeaderView.ResizeMode.Stretch)
        header.moveSection(9, 4)  # 必比状态 next to 名称/类别: in view on a 1024×768 laptop
        self.table.itemSelectionChanged.connect(self._selection_changed)

        self.detail = QLabel()
        self.detail.setObjectName("evidenceDetail")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.linked_label = QLabel()
        self.linked_label.setObjectName("linkedPhotosLabel")
        self.linked_list = QListWidget()
        self.linked_list.setObjectName("linkedPhotos")
        self.linked_list.setViewMode(QListWidget.ViewMode.IconMode)
        self.linked_list.setIconSize(QSize(THUMB, THUMB))
        self.linked_list.setGridSize(QSize(THUMB + 24, THUMB + 30))
        self.linked_list.setFixedHeight(THUMB + 40)
        self.linked_list.setFlow(QListWidget.Flow.LeftToRight)
        self.linked_list.setWrapping(False)
        self.linked_list.setMovement(QListWidget.Movement.Static)
        self.message = QLabel()
        self.message.setObjectName("evidenceMessage")
        for label in (self.readonly_note, self.message):  # the labels STYLE is about, not every child
            label.setStyleSheet(STYLE)
        self.message.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.readonly_note)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.detail)
        layout.addWidget(self.linked_label)
        layout.addWidget(self.linked_list)
        layout.addWidget(self.message)
        self.set_case(case)

    @staticmethod
    def _button(text: str, name: str, slot) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.clicked.connect(slot)
        return button

    # ---- showing ---------------------------------------------------------------------------
    def is_editable(self) -> bool:
        return self.case.status == "draft" and not self.case.locked

    def set_case(self, case: CaseRecord) -> None:
        keep = self.current_number()
        self.case = case
        self.rows = evidence_rows(case)
        self.readonly_note.setVisible(not self.is_editable())
        self.refresh_photos(select=keep)

    def refresh_photos(self, select: str | None = None) -> None:
        """Count and show the photos linked to each item (after the photo log changed)."""
        select = select or self.current_number()
        self.linked = {}
        for photo in self.photos.list(self.case.id):
            if photo.evidence_number:
                self.linked.setdefault(photo.evidence_number, []).append(photo)
        self._fill(select)

    def _fill(self, select: str | None) -> None:
        spec = self.cases.spec_for(self.case)
        self.table.setRowCount(len(self.rows))
        for i, row in enumerate(self.rows):
            number = row.get("number") or self.tr("（保存后编号）")
            compared = " ".join(v for v in (row.get("compared_on"), row.get("comparison_result")) if v)
            chose_other = spec.field("evidence.method").chose_other(row.get("method"))
            method = row.get("method_other") if chose_other and row.get("method_other") \
                else self._choice(spec, "method", row.get("method"))
            status = self._status(row)
            cells = [str(i + 1), number, row.get("name", ""), self._choice(spec, "category", row.get("category")),
                     str(row.get("quantity", "")), row.get("location", ""), method, row.get("collector", ""),
                     (row.get("collected_at") or "")[:16].replace("T", " "),
                     self._choice(spec, "comparison_status", status), compared,
                     str(len(self.linked.get(row.get("number"), [])))]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if column in (0, 4, 11):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if column == 9:
                    item.setForeground(QColor(STATUS_COLORS.get(status, "#000000")))
                self.table.setItem(i, column, item)
        self._fit_columns()
        numbered = [r for r in self.rows if r.get("number")]
        self.count_label.setText(self.tr("共 {n} 件").format(n=len(self.rows)))
        self.labels_button.setEnabled(bool(numbered))
        target = next((i for i, r in enumerate(self.rows) if r.get("number") == select), 0)
        if self.rows:
            self.table.selectRow(target)
        self._selection_changed()

    def _fit_columns(self) -> None:
        """The columns of the form's words (类别, 提取方法, 必比状态) as wide as their longest
        cell in the window's language: no "Fingerpr…" or "Powder develo…" in English."""
        header, metrics = self.table.horizontalHeader(), self.table.fontMetrics()
        for column in FIT_COLUMNS:
            widest = max((metrics.horizontalAdvance(self.table.item(row, column).text())
                          for row in range(self.table.rowCount())), default=0) + CELL_PADDING
            header.resizeSection(column, max(self.base_widths[column], min(widest, FIT_MOST)))

    def _choice(self, spec, field_id: str, value) -> str:
        if not value:
            return ""
        try:
            field = spec.field(f"evidence.{field_id}")
        except KeyError:
            return str(value)
        return field.choice_label(value, self.lang)  # a stored value or a code

    def _status(self, row: dict | None) -> str:
        """The code of a row's 必比 status (NOT_SENT when none)."""
        value = (row or {}).get("comparison_status")
        return self.cases.spec_for(self.case).field(STATUS_FIELD).code_of(value) or NOT_SENT

    def current_row(self) -> dict | None:
        rows = self.table.selectionModel().selectedRows()
        return self.rows[rows[0].row()] if rows and rows[0].row() < len(self.rows) else None

    def current_number(self) -> str | None:
        row = self.current_row()
        return row.get("number") if row else None

    def select_number(self, number: str) -> None:
        for i, row in enumerate(self.rows):
            if row.get("number") == number:
                self.table.selectRow(i)

    def _selection_changed(self) -> None:
        row = self.current_row()
        status = self._status(row)
        ok = self.is_editable() and row is not None and bool(row.get("number"))
        self.send_button.setEnabled(ok and status == NOT_SENT)
        self.match_button.setEnabled(ok and status != NOT_SENT)
        self.nomatch_button.setEnabled(ok and status != NOT_SENT)
        self._show_detail(row)
        self._show_linked(row)

    def _show_detail(self, row: dict | None) -> None:
        """What the narrow columns cannot hold: 基本特征, 比对结果, 备注 in full."""
        if row is None:
            self.detail.clear()
            return
        parts = [f"<b>{escape(row.get('number') or '')}&nbsp;&nbsp;{escape(row.get('name') or '')}</b>"]
        for label, key in ((self.tr("基本特征"), "features"), (self.tr("比对结果"), "comparison_result"),
                           (self.tr("备注"), "remarks")):
            if row.get(key):
                parts.append(self.tr("{label}：{text}").format(label=label, text=escape(str(row[key]))))
        self.detail.setText("&nbsp;&nbsp;&nbsp;&nbsp;".join(parts))

    def _show_linked(self, row: dict | None) -> None:
        self.linked_list.clear()
        photos = self.linked.get(row.get("number"), []) if row else []
        if row is None:
            self.linked_label.setText(self.tr("没有登记痕迹物证（在“笔录”的提取痕迹物证登记表中添加）。"))
        elif photos:
            self.linked_label.setText(self.tr("{number} 的关联照片：{n} 张").format(
                number=row.get("number"), n=len(photos)))
        else:
            self.linked_label.setText(self.tr("没有关联照片（在“照片”中为照片选择关联物证）。"))
        for photo in photos:
            item = QListWidgetItem(self._thumbs.get(photo.sha256) or QIcon(), self.tr("{n} 号").format(n=photo.position))
            item.setData(Qt.ItemDataRole.UserRole, photo.sha256)
            item.setToolTip(photo.caption or photo.original_name)
            self.linked_list.addItem(item)
            if photo.sha256 not in self._thumbs:
                self.loader.load(photo.sha256, lambda p=photo: load_thumbnail(self.photos, p, THUMB))

    def _thumb_ready(self, sha: str, image: QImage) -> None:
        self._thumbs[sha] = QIcon(QPixmap.fromImage(image))
        for i in range(self.linked_list.count()):
            item = self.linked_list.item(i)
            if item.data(Qt.ItemDataRole.UserRole) == sha:
                item.setIcon(self._thumbs[sha])

    def show_message(self, text: str, kind: str = "ok") -> None:
        self.message.setProperty("kind", kind)
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.setText(text)

    # ---- 必比 status -------------------------------------------------------------------------
    def mark_sent(self) -> CaseRecord | None:
        row = self.current_row()
        if row is None:
            return None
        return self.set_status(row.get("number"), SENT)

    def record_result(self, status: str) -> CaseRecord | None:
        row = self.current_row()
        if row is None:
            return None
        label = self._choice(self.cases.spec_for(self.case), "comparison_status", status)
        dialog = ComparisonDialog(row.get("number", ""), row.get("name", ""), status, self, label)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return self.set_status(row.get("number"), status, dialog.compared_on, dialog.result)

    def set_status(self, number: str | None, status: str, compared_on: str | None = None,
                   result: str = "") -> CaseRecord | None:
        """Save one item's new 必比 status (``status``: its code; the whole list goes back,
        numbers kept, the status as the case's form version stores it)."""
        if not number or not self.is_editable():
            return None
        if status == MATCH and not result.strip():
            self.show_message(self.tr("比中须写明比对结果（比中对象）。"), "error")
            return None
        if not self.commit_pending():
            self.show_message(self.tr("表单中有数据有误，未能保存；请先在“笔录”中更正，再登记必比状态。"),
                              "error")
            return None
        try:
            case = self.cases.set_evidence_status(self.case.id, number, status, compared_on, result)
        except NotFound:
            self.show_message(self.tr("找不到物证 {number}，可能已在表单中删除。").format(number=number), "error")
            return None
        except WeichaError as e:
            self.show_message(message_text(e), "error")
            return None
        self.set_case(case)
        self.select_number(number)
        label = self._choice(self.cases.spec_for(case), "comparison_status", status)
        self.show_message(self.tr("{number} 必比状态已改为“{status}”。").format(number=number, status=label))
        self.changed.emit(case)
        return case

    # ---- labels ----------------------------------------------------------------------------
    def print_labels(self) -> Path | None:
        items = items_from_case(self.case.number, self.rows, self.cases.spec_for(self.case))
        if not items:
            self.show_message(self.tr("还没有编号的痕迹物证：在表单中保存后，系统会给物证编号。"), "error")
            return None
        dialog = LabelDialog(len(items), self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        default = str(Path(self.last_dir) / self.tr("物证标签-{number}.pdf").format(number=self.case.number))
        path, _ = QFileDialog.getSaveFileName(self, self.tr("保存物证标签"), default, self.tr("PDF 文件 (*.pdf)"))
        if not path:
            return None
        out = Path(path) if path.lower().endswith(".pdf") else Path(path + ".pdf")
        try:
            pages = write_labels(items, out, dialog.layout_key, skip=dialog.skip.value(),
                                 data_dir=self.cases.store.data_dir)
            self.cases.store.log_read(self.cases.actor, "evidence.labels", "case", self.case.id,
                                      f"打印物证标签 {self.case.number}：{len(items)} 张",
                                      {"count": len(items), "layout": dialog.layout_key,
                                       "skip": dialog.skip.value(), "file": out.name})
        except (OSError, WeichaError) as e:
            self.show_message(self.tr("未能生成标签：{error}").format(error=message_text(e)), "error")
            return None
        self.last_dir = str(out.parent)
        self.show_message(self.tr("已生成 {file}：{n} 张标签，{pages} 页。").format(
            file=out.name, n=len(items), pages=pages))
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(out)))
        return out

    def shutdown(self) -> None:
        self.loader.shutdown()
