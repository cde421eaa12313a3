"""导入核查名单… (administrators only; the 核查 page's button): the window's `weicha watchlist
import` — a CSV file, the list's name (an existing one or a new one), its kind when the key
column does not say, 跳过有误的行 — read, checked and written on a worker (``BackgroundOp``
with a connection of its own, core/checks/lists.import_list), with its progress and 取消 while
the rows are read. A refused file is said with its bad rows, nothing written; an import says
how many entries the list now holds and which lines were left out. The core's words (refusals,
bad rows, progress: Msg ids of core/messages.py) are shown in the window's language."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QFileDialog, QFormLayout, QHBoxLayout,
                               QLabel, QLineEdit, QPlainTextEdit, QVBoxLayout, QWidget)

from weicha_desktop.core.checks import ImportReport, lists
from weicha_desktop.core.checks.lists import LIST_KINDS, ImportRefused, problems_text
from weicha_desktop.core.messages import Msg, render
from weicha_desktop.core.store import Actor, Store
from weicha_desktop.gui.common.i18n import current_language, message_text
from weicha_desktop.gui.common.op_dialog import OpDialog, ProgressRow, button, show_message
from weicha_desktop.gui.common.ops import BackgroundOp, OpFailure

STYLE = """
QLabel#watchImportMessage[kind="error"] { color: #b00020; }
QLabel#watchImportMessage[kind="ok"] { color: #1b5e20; }
"""


class WatchlistImportDialog(OpDialog):
    def __init__(self, store: Store, actor: Actor, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("watchImportDialog")
        self.setWindowTitle(self.tr("导入核查名单"))
        self.setStyleSheet(STYLE)
        self.store, self.actor = store, actor
        self.report: ImportReport | None = None
        self.path = QLineEdit()
        self.path.setObjectName("watchImportPath")
        self.path.setPlaceholderText(self.tr("CSV 文件（UTF-8 或 GBK）"))
        self.browse_button = button(self.tr("选择文件…"), "watchImportBrowse", self.browse)
        file_row = QHBoxLayout()
        file_row.addWidget(self.path, 1)
        file_row.addWidget(self.browse_button)
        self.name = QComboBox()
        self.name.setObjectName("watchImportName")
        self.name.setEditable(True)
        held = [info.name for info in lists(store, store.clock.now().date()) if info.source == "import"]
        self.name.addItems(list(dict.fromkeys([*held, *LIST_KINDS])))
        self.kind = QComboBox()
        self.kind.setObjectName("watchImportKind")
        for text, kind in ((self.tr("按列名或名单名称判断"), None), (self.tr("人员（身份证号）"), "person"),
                           (self.tr("车辆（号牌）"), "vehicle")):
            self.kind.addItem(text, kind)
        self.skip_bad = QCheckBox(self.tr("跳过有误的行，只导入无误的行"))
        self.skip_bad.setObjectName("watchImportSkipBad")
        form = QFormLayout()
        form.addRow(self.tr("文件(&F)："), file_row)
        form.addRow(self.tr("名单名称(&N)："), self.name)
        form.addRow(self.tr("名单类别(&K)："), self.kind)
        form.addRow("", self.skip_bad)
        self.message = QLabel()
        self.message.setObjectName("watchImportMessage")
        self.message.setWordWrap(True)
        self.message.hide()
        self.problems = QPlainTextEdit()
        self.problems.setObjectName("watchImportProblems")
        self.problems.setReadOnly(True)
        self.problems.hide()
        self.progress_row = ProgressRow("watchImport")
        self.progress_row.cancelRequested.connect(self.cancel)
        self.import_button = button(self.tr("导入(&I)"), "watchImportButton", self.start)
        self.close_button = button(self.tr("关闭"), "watchImportClose", self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("同名名单将被新文件整份替换；任何一行有误时不导入（除非选择跳过）。")))
        layout.addLayout(form)
        layout.addWidget(self.progress_row)
        layout.addWidget(self.message)
        layout.addWidget(self.problems, 1)
        layout.addLayout(buttons)
        self.resize(560, 360)

    def browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("选择名单文件"), "", self.tr("CSV 文件 (*.csv *.txt)"))
        if path:
            self.path.setText(path)

    def start(self) -> bool:
        path, name = self.path.text().strip(), self.name.currentText().strip()
        if not path or not name:
            show_message(self.message, self.tr("请选择名单文件并填写名单名称。"), "error")
            return False
        show_message(self.message, "", "ok")
        self.problems.hide()
        actor, kind, skip = self.actor, self.kind.currentData(), self.skip_bad.isChecked()
        lang = current_language()  # read here: the worker says its progress in it
        from weicha_desktop.core.checks import import_list

        self.run_op(BackgroundOp(self, lambda job: import_list(
            job.store, actor, Path(path), name, kind=kind, skip_bad=skip,
            progress=lambda fraction, text: job.progress(fraction, render(text, lang)),
            cancelled=job.cancelled), store=self.store), self.tr("正在读取并检查…"))
        return True

    def _update_controls(self) -> None:
        idle = not self.is_running()
        for widget in (self.path, self.browse_button, self.name, self.kind, self.skip_bad, self.import_button):
            widget.setEnabled(idle)

    def _succeeded(self, result: object) -> None:
        assert isinstance(result, ImportReport)
        self.report = result
        text = self.tr("已导入名单“{name}”第 {version} 版（{date}）：{n} 条（{encoding}）。").format(
            name=result.name, version=result.version, date=result.date, n=result.imported,
            encoding=result.encoding)
        if result.problems:
            text += self.tr("{n} 行有误未导入，见下。").format(n=len(result.problems))
            self._show_problems(problems_text(result.problems, current_language()))
        show_message(self.message, text, "ok")

    def _failed(self, failure: OpFailure) -> None:
        error = failure.error
        if isinstance(error, ImportRefused) and error.problems:  # the file's bad rows below, scrollable
            file = Path(self.path.text().strip()).name
            show_message(self.message, message_text(Msg("watchlist.bad_rows_gui", file=file, n=len(error.problems),
                                                        skip=self.skip_bad.text())), "error")
            self._show_problems(problems_text(error.problems, current_language()))
        else:
            show_message(self.message, message_text(error) if isinstance(error, ImportRefused) else failure.message,
                         "error")

    def _show_problems(self, text: str) -> None:
        self.problems.setPlainText(text)
        self.problems.show()


def open_import(page: QWidget, store: Store, actor: Actor) -> QDialog:
    dialog = WatchlistImportDialog(store, actor, page)
    dialog.open()
    return dialog
