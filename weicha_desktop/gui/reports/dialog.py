"""报告: one case as the official PDF (core/reports) — previewed, printed or exported.

    ┌ 勘验 K…　第 n 版　草稿 ─────────────────────────────────────────┐
    │ 打印内容: ☑ 现场勘验检查笔录                                     │
    │           ☑ 附件1 提取痕迹、物证登记表                            │
    │           ☑ 附件3 现场照片   共 12 张        每页 [2 张 ▾]        │
    │           ☐ 附件4 现场勘验情况分析报告  内部资料 不随案移交        │
    │ 草稿：打印件带“草稿”水印                                         │
    │ 准备照片 5/12  [██████░░░░░░]  取消                              │
    │ 预览   打印…   导出 PDF…                                   关闭  │
    └──────────────────────────────────────────────────────────────────┘

The store is read on the GUI thread (``ReportService.plan``); the rendering (``job.run``: no
database; the photos are prepared in worker processes) runs as a ``BackgroundOp`` with the
core's progress messages and 取消 (``cancelled`` → InterruptedError, no file left).
After success, on the GUI thread: the work-log entry (``report.preview`` / ``report.print``
/ ``report.export``), then the viewer is opened (预览). 打印 asks for printer and copies
first (QPrintDialog) and hands the PDF to the system on the worker (printing.py).
Closing the dialog while a report renders cancels it and closes when the worker stops
(common/op_dialog.py)."""
from __future__ import annotations

import errno
import re
import tempfile
from pathlib import Path
from typing import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFileDialog, QGridLayout, QGroupBox,
                               QHBoxLayout, QLabel, QVBoxLayout, QWidget)

from weicha_desktop.core.cases import CaseRecord
from weicha_desktop.core.errors import WeichaError
from weicha_desktop.core.reports.service import PARTS, ReportJob, ReportResult, ReportService
from weicha_desktop.gui.common.labels import status_name
from weicha_desktop.gui.common.settings import Settings
from weicha_desktop.gui.common.op_dialog import OpDialog, ProgressRow, button, show_message
from weicha_desktop.gui.common.ops import BackgroundOp, Job, OpFailure
from weicha_desktop.gui.reports.printing import (Opener, PrintBackend, PrintChoice, cache_dir,
                                                 choose_printer, open_in_viewer, sweep_cache,
                                                 system_print)

PREVIEW, PRINT, EXPORT = "report.preview", "report.print", "report.export"
DEFAULT_PARTS = ("note", "register", "photos")  # 附件4 is internal: only when asked for
PER_PAGE = (1, 2, 4)
STYLE = """
QLabel#draftNote { background: #fff8e1; border: 1px solid #f0c36d; padding: 4px 8px; }
QLabel#internalNote, QLabel#partsNote { color: #b00020; }
QLabel#photoCount { color: #555; }
QLabel#reportMessage[kind="error"] { color: #b00020; }
QLabel#reportMessage[kind="ok"] { color: #1b5e20; }
"""
UNSAFE_IN_NAMES = re.compile(r'[\\/:*?"<>|\s]+')


def default_file_name(parts: tuple[str, ...], number: str) -> str:
    """现场勘验检查笔录-<勘验号>.pdf (named after the first part chosen)."""
    title = PARTS[parts[0]].split(" ")[-1]
    return f"{title}-{UNSAFE_IN_NAMES.sub('_', number)}.pdf"


class ReportDialog(OpDialog):
    reported = Signal(str, object)  # the action (report.preview / .print / .export), ReportResult

    def __init__(self, reports: ReportService, case: CaseRecord, parent: QWidget | None = None, *,
                 settings: Settings | None = None, opener: Opener = open_in_viewer,
                 printer: PrintBackend = system_print,
                 choose: Callable[[QWidget], PrintChoice | None] = choose_printer):
        """``opener(path) -> bool`` shows a PDF; ``printer(path, name, copies)`` prints it;
        ``choose(parent)`` asks for printer and copies. Tests hand in their own."""
        super().__init__(parent)
        self.setObjectName("reportDialog")
        self.setWindowTitle(self.tr("报告 — {number}").format(number=case.number))
        self.setStyleSheet(STYLE)
        self.reports, self.case, self.settings = reports, case, settings
        self.opener, self.printer, self.choose = opener, printer, choose
        self._running: tuple[str, ReportJob, Path, PrintChoice | None] | None = None
        self.cache = cache_dir(reports.store.data_dir)
        sweep_cache(self.cache)
        self.photo_count = len(reports.photos.list(case.id))

        title = QLabel(self.tr("勘验 {number}　第 {version} 版　{status}").format(
            number=case.number, version=case.version, status=status_name(case)))
        title.setObjectName("reportCaseLabel")
        font = title.font()
        font.setBold(True)
        title.setFont(font)
        self.draft_note = QLabel(self.tr("草稿：打印件带“草稿”水印"))
        self.draft_note.setObjectName("draftNote")
        self.draft_note.setVisible(not case.locked)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self._parts_box())
        layout.addWidget(self.draft_note)
        self.progress_row = ProgressRow("report")
        self.progress_row.cancelRequested.connect(self.cancel)
        layout.addWidget(self.progress_row)
        self.message = QLabel()
        self.message.setObjectName("reportMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()
        layout.addWidget(self.message)
        layout.addStretch(1)
        layout.addLayout(self._buttons())
        self._restore()
        self._update_controls()
        self.resize(max(560, self.sizeHint().width()), self.sizeHint().height())  # not a minimum:
        # a minimum width set by hand would replace the layout's own (longer English labels)

    # ---- building --------------------------------------------------------------------------
    def open_window_modal(self, closed: Callable[[], None]) -> "ReportDialog":
        """Shows the dialog over its window (deleted once closed; ``closed`` is told then), as
        the case form and the review page open it: one at a time, see ``bring_to_front``."""
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.finished.connect(closed)
        self.show()
        return self

    def bring_to_front(self) -> "ReportDialog":
        """报告… again while this one is open: this one, raised."""
        self.raise_()
        self.activateWindow()
        return self

    def _parts_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("打印内容"))
        box.setObjectName("partsBox")
        names = {"note": self.tr("现场勘验检查笔录"), "register": self.tr("附件1 提取痕迹、物证登记表"),
                 "photos": self.tr("附件3 现场照片"), "analysis": self.tr("附件4 现场勘验情况分析报告")}
        self.part_boxes: dict[str, QCheckBox] = {}
        grid = QGridLayout(box)
        for row, key in enumerate(PARTS):
            check = QCheckBox(names[key])
            check.setObjectName(f"part_{key}")
            check.toggled.connect(self._update_controls)
            self.part_boxes[key] = check
            grid.addWidget(check, row, 0)
        self.photo_label = QLabel(self.tr("共 {n} 张").format(n=self.photo_count) if self.photo_count
                                  else self.tr("本案没有照片"))
        self.photo_label.setObjectName("photoCount")
        grid.addWidget(self.photo_label, 2, 1)
        self.per_page = QComboBox()
        self.per_page.setObjectName("photosPerPage")
        for n in PER_PAGE:
            self.per_page.addItem(self.tr("每页 {n} 张").format(n=n), n)
        self.per_page.setToolTip(self.tr("每张 A4 纸上排几张照片"))
        grid.addWidget(self.per_page, 2, 2)
        internal = QLabel(self.tr("内部资料　不随案移交"))
        internal.setObjectName("internalNote")
        grid.addWidget(internal, 3, 1, 1, 2)
        self.parts_note = QLabel(self.tr("请至少选择一项。"))
        self.parts_note.setObjectName("partsNote")
        grid.addWidget(self.parts_note, 4, 0, 1, 3)
        grid.setColumnStretch(1, 1)
        return box

    def _buttons(self) -> QHBoxLayout:
        self.preview_button = button(self.tr("预览(&V)"), "previewButton", self.preview)
        self.preview_button.setToolTip(self.tr("生成 PDF 并用本机的 PDF 阅读器打开"))
        self.print_button = button(self.tr("打印(&P)…"), "printButton", self.print_report)
        self.print_button.setToolTip(self.tr("选择打印机和份数，生成 PDF 后送往打印机"))
        self.export_button = button(self.tr("导出 PDF(&E)…"), "exportButton", self.export)
        self.close_button = button(self.tr("关闭"), "closeReportButton", self.reject)
        row = QHBoxLayout()
        for action in (self.preview_button, self.print_button, self.export_button):
            row.addWidget(action)
        row.addStretch(1)
        row.addWidget(self.close_button)
        return row

    # ---- choices ---------------------------------------------------------------------------
    def chosen_parts(self) -> tuple[str, ...]:
        """The parts ticked, in the official order."""
        return tuple(key for key in PARTS if self.part_boxes[key].isChecked())

    def photos_per_page(self) -> int:
        return int(self.per_page.currentData())

    def _restore(self) -> None:
        parts = tuple(p for p in (self.settings.report_parts if self.settings else ()) if p in PARTS)
        for key, check in self.part_boxes.items():
            check.setChecked(key in (parts or DEFAULT_PARTS))
        per_page = self.settings.report_photos_per_page if self.settings else 2
        self.per_page.setCurrentIndex(PER_PAGE.index(per_page))

    def _remember(self) -> None:
        if self.settings is not None:
            self.settings.report_parts = self.chosen_parts()
            self.settings.report_photos_per_page = self.photos_per_page()

    def _update_controls(self) -> None:
        idle, parts = not self.is_running(), self.chosen_parts()
        for check in self.part_boxes.values():
            check.setEnabled(idle)
        self.per_page.setEnabled(idle and "photos" in parts)
        for action in (self.preview_button, self.print_button, self.export_button):
            action.setEnabled(idle and bool(parts))
        self.parts_note.setVisible(not parts)

    # ---- actions ---------------------------------------------------------------------------
    def preview(self) -> bool:
        """预览: into the cache, then the system's PDF viewer."""
        return self._start(PREVIEW)

    def print_report(self) -> bool:
        """打印…: printer and copies first, then render and hand the PDF to the system."""
        if not self.chosen_parts() or self.is_running():
            return False
        try:
            choice = self.choose(self)
        except WeichaError as e:  # no printer here: the message suggests 导出 PDF
            self._show(str(e), "error")
            return False
        if choice is None:
            return False
        return self._start(PRINT, choice=choice)

    def export(self) -> bool:
        """导出 PDF…: where to, then render there."""
        parts = self.chosen_parts()
        if not parts or self.is_running():
            return False
        folder = (self.settings.report_dir if self.settings else "") or str(Path.home())
        name, _ = QFileDialog.getSaveFileName(
            self, self.tr("导出 PDF"), str(Path(folder) / default_file_name(parts, self.case.number)),
            self.tr("PDF 文件 (*.pdf)"))
        if not name:
            return False
        path = Path(name) if name.lower().endswith(".pdf") else Path(name + ".pdf")
        if self.settings is not None:
            self.settings.report_dir = str(path.parent)
        return self._start(EXPORT, path)

    def _cache_file(self, parts: tuple[str, ...]) -> Path | None:
        """A new file in cache/reports for a preview or a print."""
        try:
            self.cache.mkdir(parents=True, exist_ok=True)
            handle = tempfile.NamedTemporaryFile(
                dir=self.cache, prefix=default_file_name(parts, self.case.number)[:-4] + "-",
                suffix=".pdf", delete=False)
            handle.close()
        except OSError as e:
            self._show(self._explain(e, self.cache), "error")
            return None
        return Path(handle.name)

    def _start(self, action: str, path: Path | None = None, choice: PrintChoice | None = None) -> bool:
        """Read what the report needs (GUI thread), then render it on a worker."""
        parts = self.chosen_parts()
        if not parts or self.is_running():
            return False
        self._remember()
        try:
            job = self.reports.plan(self.case.id, parts=parts, photos_per_page=self.photos_per_page())
        except WeichaError as e:
            self._show(str(e), "error")
            return False
        path = path or self._cache_file(parts)
        if path is None:
            return False
        sending = self.tr("正在送往打印机…")
        printer = self.printer

        def work(worker: Job) -> ReportResult:
            result = job.run(path, worker.progress, worker.cancelled)
            if worker.cancelled():  # asked during the layout, which cannot stop halfway
                Path(path).unlink(missing_ok=True)
                raise InterruptedError("已取消")
            if choice is not None:
                worker.progress(1.0, sending)
                printer(result.path, choice.printer, choice.copies)
            return result

        self._running = (action, job, path, choice)
        self.message.hide()
        # busy until the core says how far it is
        self.run_op(BackgroundOp(self, work), self.tr("正在生成报告…"), busy=True)
        return True

    def _succeeded(self, result: ReportResult) -> None:
        assert self._running is not None
        action, job, _path, choice = self._running
        self._running = None
        try:
            self.reports.record(job, result, action)
        except Exception as e:  # a store error: said in the dialog, never a traceback
            self._show(self.tr("报告已生成，但未能记入工作日志：{error}").format(error=e), "error")
            return
        if action == PREVIEW:
            if self.opener(result.path):
                text, kind = self.tr("已在 PDF 阅读器中打开预览（{pages} 页）。"), "ok"
            else:
                text, kind = self.tr("无法打开 PDF 阅读器。预览文件在：{path}"), "error"
        elif action == PRINT:
            text, kind = self.tr("已送往打印机 {printer}：{pages} 页，{copies} 份。"), "ok"
        else:
            text, kind = self.tr("已导出 {pages} 页：{path}"), "ok"
        self._show(text.format(pages=result.pages, path=result.path,
                               printer=(choice.printer if choice else "") or self.tr("（默认打印机）"),
                               copies=choice.copies if choice else 1), kind)
        self.reported.emit(action, result)

    def _failed(self, failure: OpFailure) -> None:
        assert self._running is not None
        action, _job, path, _choice = self._running
        self._running = None
        if action != EXPORT:  # the cache file made for it (an export left no file: see job.run)
            path.unlink(missing_ok=True)
        error = failure.error
        if failure.cancelled:
            self._show(self.tr("已取消，没有生成文件。"), "ok")
        elif isinstance(error, OSError) and not isinstance(error, InterruptedError):
            self._show(self._explain(error, path), "error")
        else:  # the core's and the printing's own Chinese words, or a program fault (logged)
            self._show(failure.message, "error")

    def _explain(self, error: OSError, path: Path) -> str:
        """An OS error in Chinese, naming the file the user knows (not the core's .part)."""
        reasons = {errno.EACCES: self.tr("没有写入权限"), errno.EPERM: self.tr("没有写入权限"),
                   errno.ENOSPC: self.tr("磁盘空间不足"), errno.ENOENT: self.tr("文件夹不存在"),
                   errno.EROFS: self.tr("磁盘只读")}
        reason = reasons.get(error.errno or 0, error.strerror or str(error))
        return self.tr("无法写入 PDF 文件（{reason}）：{path}").format(reason=reason, path=path)

    def _show(self, text: str, kind: str) -> None:
        show_message(self.message, text, kind)
