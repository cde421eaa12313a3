"""Adding photos to a case: 添加照片 (files), 导入文件夹 (a camera card: ``ImportDialog``, the
folder and the class its photos start with) and files dropped on the grid all end in
``ImportBar.start``.

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
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout,
                               QLabel, QLineEdit, QProgressBar, QPushButton, QTableWidget, QTableWidgetItem,
                               QVBoxLayout, QWidget)

from weicha_desktop.core.photos import IMAGE_SUFFIXES, ImportResult, PhotoService, expand_inputs
from weicha_desktop.core.forms import FormRegistry
from weicha_desktop.core.forms.spec import Choice
from weicha_desktop.core.store import Actor, Store
from weicha_desktop.gui.bundles.volumes import removable_drives
from weicha_desktop.gui.common.ops import BackgroundOp, Job, OpFailure
from weicha_desktop.gui.common.throttle import Throttle


DEFAULT_IMPORT_CLASS = "detail"  # a card's photos are mostly 细目 (one trace each, with scale)


def mounted_roots() -> list[Path]:
    """The roots of the removable drives mounted now (a card reader's card among them; not
    the system's disks, not a network share: gui/bundles/volumes.py)."""
    return [Path(v.root) for v in removable_drives()]


def camera_cards() -> list[str]:
    """The DCIM folders of the mounted volumes: a camera's card in a reader (DCF, the folder
    every camera writes its photos into)."""
    found = []
    for root in mounted_roots():
        try:
            if (root / "DCIM").is_dir():
                found.append(str(root / "DCIM"))
        except OSError:  # a volume gone or unreadable meanwhile
            continue
    return found


def default_import_class(classes: list[Choice]) -> str | None:
    """The class a card's photos start with until another is chosen: 细目, what most of a
    card's shots are (one trace each); 方位, 概貌, 重点部位 are then set with the keys 1–3."""
    return next((c.value for c in classes if c.code == DEFAULT_IMPORT_CLASS), None)


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


class ImportDialog(QDialog):
    """导入文件夹: the folder (a camera card: one in a reader is offered, else the last folder
    again) and the class its photos start with (细目 until another is chosen: most of a card
    is) — the others are set after, with the keys 1–6 on the selected thumbnails. The classes are numbered as those keys are, so the
    key of a class also picks it here. 导入 (Enter) checks the folder holds photos."""

    def __init__(self, classes: list[Choice], lang: str = "zh", folder: str = "",
                 photo_class: str | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("importDialog")
        self.setWindowTitle(self.tr("导入文件夹（相机存储卡）"))
        self.folder_edit = QLineEdit(folder)
        self.folder_edit.setObjectName("importFolder")
        self.folder_edit.editingFinished.connect(self._count)
        browse = QPushButton(self.tr("浏览(&B)…"))
        browse.setObjectName("importBrowseButton")
        browse.setAutoDefault(False)
        browse.clicked.connect(self.browse)
        row = QHBoxLayout()
        row.addWidget(self.folder_edit, 1)
        row.addWidget(browse)
        self.values: list[str | None] = [None] + [c.value for c in classes]
        self.class_box = QComboBox()
        self.class_box.setObjectName("importClass")
        self.class_box.addItem(self.tr("0 不分类（导入后再分）"))
        for n, choice in enumerate(classes, 1):
            self.class_box.addItem(f"{n} {choice.label.text(lang)}" if n <= 9 else choice.label.text(lang))
        self.class_box.setCurrentIndex(self.values.index(photo_class) if photo_class in self.values else 0)
        self.found = QLabel()
        self.found.setObjectName("importFound")
        self.found.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.start_button = buttons.addButton(self.tr("导入"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.start_button.setObjectName("importStartButton")
        self.start_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(self.tr("文件夹："), row)
        label = QLabel(self.tr("照片分类(&C)："))
        label.setBuddy(self.class_box)
        form.addRow(label, self.class_box)
        form.addRow(self.found)
        form.addRow(buttons)
        QWidget.setTabOrder(self.folder_edit, self.class_box)  # a typed folder, Tab: its class
        QWidget.setTabOrder(self.class_box, browse)
        self.resize(560, self.sizeHint().height())
        self._count()

    def showEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        """The class is what is usually chosen (the card of last time is offered again); with
        no folder yet, the folder is typed first. Enter then imports."""
        super().showEvent(event)
        target = self.class_box if self.folder() else self.folder_edit
        target.setFocus(Qt.FocusReason.OtherFocusReason)

    def folder(self) -> str:
        return self.folder_edit.text().strip()

    def photo_class(self) -> str | None:
        return self.values[self.class_box.currentIndex()]

    def browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.windowTitle(), self.folder())
        if folder:
            self.folder_edit.setText(folder)
            self._count()
            self.class_box.setFocus()

    def _count(self) -> int:
        """Says how many photos the folder holds (0: why there are none) and returns it."""
        folder = Path(self.folder()) if self.folder() else None
        if folder is None:
            n, text = 0, self.tr("请选择相机存储卡或照片所在的文件夹（“浏览…”）。")
        elif not folder.is_dir():
            n, text = 0, self.tr("找不到文件夹“{folder}”：请检查存储卡是否插好，或点“浏览…”重新选择。").format(
                folder=self.folder())
        else:
            n = len(expand_inputs([folder]))
            text = self.tr("找到 {n} 张照片（含子文件夹）。").format(n=n) if n else self.tr(
                "文件夹“{folder}”中没有照片（{kinds}）：请选择其他文件夹。").format(
                folder=self.folder(), kinds="、".join(sorted({s.lstrip(".") for s in IMAGE_SUFFIXES})))
        self.found.setText(text)
        self.found.setStyleSheet("" if n else "color: #b00020;")
        return n

    def accept(self) -> None:
        if self._count():
            super().accept()


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
        self._shown = Throttle(self._show_progress, self)  # the bar and the file: 10 a second
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

    # ---- running ---------------------------------------------------------------------------
    def is_running(self) -> bool:
        return self.job is not None

    def start(self, case_id: str, paths: list[str], photo_class: str | None = None) -> bool:
        """Import ``paths`` into the case on a worker; ``photo_class``: the class the new
        photos start with."""
        if self.job is not None or not paths:
            return False
        actor, forms, workers = self.actor, self.forms, self.workers

        def work(job: Job) -> ImportOutcome:
            total = len(expand_inputs(paths))
            results = PhotoService(job.store, actor, forms).import_files(
                case_id, paths, progress=job.progress, cancelled=job.cancelled, workers=workers,
                photo_class=photo_class)
            return ImportOutcome(results, total, job.cancelled())

        self._shown.drop()
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
        self._shown(done, total, result.file)
        if result.status == "imported" and result.photo_id:
            self.photoImported.emit(result.photo_id)  # every photo reaches the grid at once

    def _show_progress(self, done: int, total: int, file: str) -> None:
        if self.progress.maximum() != total:
            self.progress.setRange(0, total)
        self.progress.setValue(done)
        if self.cancel_button.isEnabled():
            self.label.setText(self.tr("正在导入 {done} / {total}：{name}").format(
                done=done, total=total, name=Path(file).name))

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
        self._shown.flush()  # the bar ends on the last file
        self.hide()
        if outcome.count("imported") != len(outcome.results) or outcome.cancelled:
            self.report = ImportReport(outcome, self.summary(outcome), self.window())
            self.report.show()
        self.finished.emit(outcome)

    def _failed(self, failure: OpFailure) -> None:
        self.job = None
        self._shown.drop()
        self.hide()
        self.failed.emit(failure.message)
