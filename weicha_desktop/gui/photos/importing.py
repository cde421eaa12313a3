"""Adding photos to a case: 添加照片 (files), 导入文件夹 (a camera card) and files dropped on
the grid all end in ``ImportBar.start``.

The import runs ``PhotoService.import_files`` as a ``BackgroundOp`` with a store connection of
its own (common/ops.py), which hands the per-file work to the core's worker processes (both
cores: media/pool.py) and writes one change per photo. The bar shows the progress and a 取消 button;
``photoImported(photo_id)`` arrives as each photo is committed, so the grid grows while the
import runs. At the end the report dialog lists every file that was not imported, with
the core's Chinese reason (and, after 取消, how many were not looked at)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFileDialog, QHBoxLayout, QLabel,
                               QProgressBar, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout,
                               QWidget)

from weicha_desktop.core.photos import IMAGE_SUFFIXES, ImportResult, PhotoService, expand_inputs
from weicha_desktop.core.forms import FormRegistry
from weicha_desktop.core.store import Actor, Store
from weicha_desktop.gui.common.ops import BackgroundOp, Job, OpFailure


@dataclass(frozen=True)
class ImportOutcome:
    results: list[ImportResult]
    total: int          # files found in what was given
    cancelled: bool

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.results)

    @property
    def unseen(self) -> int:
        return self.total - len(self.results)


class ImportReport(QDialog):
    """The files not imported and why (not modal: the log can be used beside it)."""

    def __init__(self, outcome: ImportOutcome, summary: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("importReport")
        self.setWindowTitle(self.tr("导入报告"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(760, 420)
        summary = QLabel(summary)
        summary.setObjectName("importSummary")
        summary.setWordWrap(True)
        names = {"duplicate": self.tr("重复"), "rejected": self.tr("未导入")}
        rows = [r for r in outcome.results if r.status != "imported"]
        self.table = QTableWidget(len(rows), 3)
        self.table.setObjectName("importReportTable")
        self.table.setHorizontalHeaderLabels([self.tr("文件"), self.tr("结果"), self.tr("原因")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        for row, result in enumerate(rows):
            name = QTableWidgetItem(Path(result.file).name)
            name.setToolTip(result.file)
            self.table.setItem(row, 0, name)
            self.table.setItem(row, 1, QTableWidgetItem(names.get(result.status, result.status)))
            self.table.setItem(row, 2, QTableWidgetItem(result.reason or ""))
        header = self.table.horizontalHeader()
        header.resizeSection(0, 220)
        header.resizeSection(1, 70)
        header.setStretchLastSection(True)
        self.table.resizeRowsToContents()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.table.setVisible(bool(rows))

    def reasons(self) -> dict[str, str]:
        """File name → reason, as listed."""
        return {self.table.item(r, 0).text(): self.table.item(r, 2).text()
                for r in range(self.table.rowCount())}


class ImportBar(QWidget):
    """Progress bar, current file and 取消; hidden while no import runs."""

    photoImported = Signal(str)   # a photo id, committed
    finished = Signal(object)     # ImportOutcome
    failed = Signal(str)

    def __init__(self, store: Store, actor: Actor, parent: QWidget | None = None, *,
                 forms: FormRegistry | None = None):
        super().__init__(parent)
        self.store, self.actor, self.forms = store, actor, forms
        self.job: BackgroundOp | None = None
        self.report: ImportReport | None = None
        self.last_dir = ""
        self.workers: int | None = None  # worker processes (None: one per core, at most 4)
        self.progress = QProgressBar()
        self.progress.setObjectName("importProgress")
        self.progress.setFormat("%v / %m")
        self.label = QLabel()
        self.label.setObjectName("importLabel")
        self.cancel_button = QPushButton(self.tr("取消导入"))
        self.cancel_button.setObjectName("cancelImportButton")
        self.cancel_button.clicked.connect(self.cancel)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.label, 1)
        row.addWidget(self.progress, 2)
        row.addWidget(self.cancel_button)
        self.hide()

    # ---- choosing --------------------------------------------------------------------------
    def choose_files(self) -> list[str]:
        pattern = " ".join(f"*{s}" for s in sorted(IMAGE_SUFFIXES))
        files, _ = QFileDialog.getOpenFileNames(
            self, self.tr("添加照片"), self.last_dir,
            self.tr("照片（{pattern}）").format(pattern=pattern) + ";;" + self.tr("所有文件 (*)"))
        if files:
            self.last_dir = str(Path(files[0]).parent)
        return files

    def choose_folder(self) -> str:
        folder = QFileDialog.getExistingDirectory(self, self.tr("导入文件夹（相机存储卡）"), self.last_dir)
        if folder:
            self.last_dir = folder
        return folder

    # ---- running ---------------------------------------------------------------------------
    def is_running(self) -> bool:
        return self.job is not None

    def start(self, case_id: str, paths: list[str]) -> bool:
        if self.job is not None or not paths:
            return False
        actor, forms, workers = self.actor, self.forms, self.workers

        def work(job: Job) -> ImportOutcome:
            total = len(expand_inputs(paths))
            results = PhotoService(job.store, actor, forms).import_files(
                case_id, paths, progress=job.progress, cancelled=job.cancelled, workers=workers)
            return ImportOutcome(results, total, job.cancelled())

        self.progress.setRange(0, 0)  # busy until the first file is done
        self.label.setText(self.tr("正在准备导入…"))
        self.cancel_button.setEnabled(True)
        self.show()
        self.job = (BackgroundOp(self, work, store=self.store)
                    .on_progress(self._progress).on_success(self._done).on_failure(self._failed)
                    .run())
        return True

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.cancel_button.setEnabled(False)
            self.label.setText(self.tr("正在取消…"))

    def wait(self, msecs: int = 30000) -> bool:
        """Block until the running import has stopped (closing the case or the program)."""
        return self.job is None or self.job.wait(msecs)

    def _progress(self, done: int, total: int, result: ImportResult) -> None:
        if self.progress.maximum() != total:
            self.progress.setRange(0, total)
        self.progress.setValue(done)
        if self.cancel_button.isEnabled():
            self.label.setText(self.tr("正在导入 {done} / {total}：{name}").format(
                done=done, total=total, name=Path(result.file).name))
        if result.status == "imported" and result.photo_id:
            self.photoImported.emit(result.photo_id)

    def summary(self, outcome: ImportOutcome) -> str:
        parts = [self.tr("已导入 {n} 张照片").format(n=outcome.count("imported"))]
        if outcome.count("duplicate"):
            parts.append(self.tr("{n} 张已在本案中（重复，未再保存）").format(n=outcome.count("duplicate")))
        if outcome.count("rejected"):
            parts.append(self.tr("{n} 个文件无法导入").format(n=outcome.count("rejected")))
        if outcome.cancelled and outcome.unseen:
            parts.append(self.tr("已取消，{n} 个文件未处理").format(n=outcome.unseen))
        return self.tr("，").join(parts) + self.tr("。")

    def _done(self, outcome: ImportOutcome) -> None:
        self.job = None
        self.hide()
        if outcome.count("imported") != len(outcome.results) or outcome.cancelled:
            self.report = ImportReport(outcome, self.summary(outcome), self.window())
            self.report.show()
        self.finished.emit(outcome)

    def _failed(self, failure: OpFailure) -> None:
        self.job = None
        self.hide()
        self.failed.emit(failure.message)
