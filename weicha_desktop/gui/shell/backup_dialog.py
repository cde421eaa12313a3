"""文件 → 备份…: the whole data folder into one verified file (core/backup.py), while the
program keeps running.

    ┌ 备份 ──────────────────────────────────────────────────────────┐
    │ 把全部勘验记录、工作日志和原始照片写入一个备份文件……             │
    │ 上次备份：2026-11-20 09:30（7 天前）                            │
    │ 备份文件 [/media/u盘/微察备份-450702000000-20261127-0930.wcbak] [选择…] │
    │ 正在写入原始照片…  [██████░░░░░░]  取消                         │
    │                                          开始备份    关闭      │
    └────────────────────────────────────────────────────────────────┘

The backup runs as a ``BackgroundOp`` with a store connection of its own (common/ops.py; the
copy itself reads through yet another, read-only one): the window stays usable and the data
can be edited meanwhile — the backup is the database as of the moment it started. 取消 stops
it with no file left; closing the dialog while it runs cancels it and closes when the worker
has stopped (common/op_dialog.py). Restoring is done on the command line (``weicha restore``)."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QFileDialog, QHBoxLayout, QLabel, QLineEdit, QMessageBox,
                               QVBoxLayout, QWidget)

from weicha_desktop.core.backup import SUFFIX, BackupResult, create_backup, last_backup_entry
from weicha_desktop.core.store import Actor, Store
from weicha_desktop.gui.common.op_dialog import OpDialog, ProgressRow, button, show_message
from weicha_desktop.gui.common.ops import BackgroundOp, OpFailure

STYLE = """
QLabel#backupMessage[kind="error"] { color: #b00020; }
QLabel#backupMessage[kind="ok"] { color: #1b5e20; }
QLabel#restoreHint { color: #555; }
"""


def default_backup_path(store: Store, now: datetime) -> Path:
    """微察备份-<单位代码>-<日期-时间>.wcbak, in the folder of the last backup (usually the
    removable disk) if it is there, else the home folder."""
    folder = Path.home()
    last = last_backup_entry(store)
    where = (last[1].get("folder") or last[1].get("backup_folder")) if last else None
    try:
        if isinstance(where, str) and Path(where).is_absolute() and Path(where).is_dir():
            folder = Path(where)
    except OSError:
        pass
    unit = store.meta("unit_code") or "weicha"
    return folder / f"微察备份-{unit}-{now:%Y%m%d-%H%M}{SUFFIX}"


class BackupDialog(OpDialog):
    backedUp = Signal(object)  # BackupResult

    def __init__(self, store: Store, actor: Actor, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("backupDialog")
        self.setWindowTitle(self.tr("备份"))
        self.setStyleSheet(STYLE)
        self.store, self.actor = store, actor

        info = QLabel(self.tr("把全部勘验记录、工作日志和原始照片写入一个备份文件，写完后逐项核对。"
                              "请备份到移动硬盘或 U 盘，并与笔记本分开保管。备份时可以继续工作。"))
        info.setObjectName("backupInfo")
        info.setWordWrap(True)
        self.last_label = QLabel()
        self.last_label.setObjectName("lastBackupLabel")
        self.path_edit = QLineEdit(str(default_backup_path(store, store.clock.now())))
        self.path_edit.setObjectName("backupPathEdit")
        self.browse_button = button(self.tr("选择…"), "browseBackupButton", self.browse)
        path_row = QHBoxLayout()
        path_row.addWidget(QLabel(self.tr("备份文件")))
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(self.browse_button)

        self.progress_row = ProgressRow("backup")
        self.progress_row.cancelRequested.connect(self.cancel)

        self.message = QLabel()
        self.message.setObjectName("backupMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()
        hint = QLabel(self.tr("恢复备份：在命令行运行 weicha restore 备份文件 --data-dir 新的数据文件夹"))
        hint.setObjectName("restoreHint")
        hint.setWordWrap(True)
        hint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.start_button = button(self.tr("开始备份"), "startBackupButton", self.start)
        self.start_button.setDefault(True)
        self.close_button = button(self.tr("关闭"), "closeBackupButton", self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addWidget(info)
        layout.addWidget(self.last_label)
        layout.addLayout(path_row)
        layout.addWidget(self.progress_row)
        layout.addWidget(self.message)
        layout.addWidget(hint)
        layout.addStretch(1)
        layout.addLayout(buttons)
        self._show_last()
        self.resize(max(640, self.sizeHint().width()), self.sizeHint().height())

    def _show_last(self) -> None:
        entry = last_backup_entry(self.store)
        if entry is None:
            self.last_label.setText(self.tr("上次备份：尚未备份过"))
            return
        last = entry[0]
        days = max((self.store.clock.now() - last).days, 0)
        self.last_label.setText(self.tr("上次备份：{when}（%n 天前）", "", days).format(
            when=f"{last:%Y-%m-%d %H:%M}"))

    def reset(self) -> None:
        """Shown again after an earlier backup: a new file name, the last backup re-read."""
        if self.is_running():
            return
        self.path_edit.setText(str(default_backup_path(self.store, self.store.clock.now())))
        self.message.hide()
        self._show_last()

    # ---- actions ---------------------------------------------------------------------------
    def browse(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, self.tr("备份到"), self.path_edit.text(),
                                              self.tr("微察备份 (*{suffix})").format(suffix=SUFFIX))
        if name:
            self.path_edit.setText(name if name.endswith(SUFFIX) else name + SUFFIX)

    def start(self) -> bool:
        text = self.path_edit.text().strip()
        if self.is_running() or not text:
            if not text:
                self._show(self.tr("请给出备份文件的位置和名字。"), "error")
            return False
        path = Path(text).expanduser()
        if path.is_file() and QMessageBox.question(
                self, self.tr("备份"), self.tr("{path} 已经存在。用新的备份替换它吗？").format(path=path),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No) != QMessageBox.StandardButton.Yes:
            return False
        actor = self.actor
        self.message.hide()
        self.run_op(BackgroundOp(self, lambda job: create_backup(
            job.store, actor, path, cancelled=job.cancelled, progress=job.progress), store=self.store),
            self.tr("正在备份…"))
        return True

    def _succeeded(self, result: BackupResult) -> None:
        text = self.tr("已备份到 {path}：{size:.1f} MB，原始照片 {n} 张，已逐项核对。").format(
            path=result.path, size=result.size / 1e6, n=result.originals)
        if result.problems:
            self._show(text + "\n" + self.tr("但有 {n} 张原始照片有问题：").format(n=len(result.problems))
                       + "\n" + "\n".join(result.problems), "error")
        else:
            self._show(text, "ok")
        self._show_last()
        self.backedUp.emit(result)

    def _failed(self, failure: OpFailure) -> None:
        self._show(self.tr("已取消，没有写入备份文件。") if failure.cancelled else failure.message,
                   "ok" if failure.cancelled else "error")

    def _update_controls(self) -> None:
        idle = not self.is_running()
        for widget in (self.path_edit, self.browse_button, self.start_button):
            widget.setEnabled(idle)

    def _show(self, text: str, kind: str) -> None:
        show_message(self.message, text, kind)
