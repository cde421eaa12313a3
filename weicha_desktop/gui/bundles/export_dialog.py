"""文件 → 导出数据包…: this laptop's outstanding sync ops, its work log and the photo originals
they need, in one encrypted bundle (.wcb) on a USB stick or in a folder (core/bundle/export.py).

    ┌ 导出数据包 ─────────────────────────────────────────────────────┐
    │ 把本机尚未被服务器确认的同步操作……                               │
    │ 待导出：同步操作 12 项，待上传照片 3 张（4.1 MB）   ← bundlePending │
    │ U 盘：  ┌ KINGSTON（/media/u/KINGSTON，可用 14.2 GB） ┐ ← bundleDriveList │
    │ 文件夹 [/media/u/KINGSTON                ] [选择文件夹…] │
    │ 文件名 [weicha-lab-pc-0004.wcb           ]               │
    │ 正在写出数据包：12.0 / 48.3 MB [████░░░░] 取消            │
    │ 已写出数据包 …（绿） / 拒绝的原因（红）     ← bundleExportMessage │
    │                                          导出    关闭      │
    └─────────────────────────────────────────────────────────────────┘

The drives come from an injected ``DriveLister`` (gui/bundles/volumes.py: the window's is
the real one, a test gives fake volumes) and follow the window's drive watcher. The export is a
``BackgroundOp`` with a store connection of its own; 取消 (or closing the dialog) stops it and
no file is left (the container is written under a hidden name and renamed only once read
back). Refusals — not enrolled, no server keys, nothing to export, the target refused, the disk
full — are said in the message, nothing written; each but "nothing to export" is a
``bundle.refused`` entry, written by the core as for the CLI (core/bundle/export.py)."""
from __future__ import annotations

import re
import socket
from contextlib import suppress
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, Qt, Signal
from PySide6.QtWidgets import (QFileDialog, QHBoxLayout, QLabel, QLineEdit, QListWidget,
                               QListWidgetItem, QMessageBox, QVBoxLayout, QWidget)

from weicha_desktop.core.bundle.export import enrolled_for_export, export_ops, next_bundle_seq, refusals_logged
from weicha_desktop.core.bundle.format import KINDS
from weicha_desktop.core.errors import WeichaError
from weicha_desktop.core.store import Actor, Store
from weicha_desktop.core.sync.queue import OutboxQueue
from weicha_desktop.gui.bundles.volumes import DriveLister, Volume
from weicha_desktop.gui.common.op_dialog import OpDialog, ProgressRow, button, show_message
from weicha_desktop.gui.common.ops import BackgroundOp, OpFailure

MB = 1024 * 1024
SUFFIX = KINDS["ops"]
ROOT_KEY = Qt.ItemDataRole.UserRole
STYLE = """
QLabel#bundleExportMessage[kind="error"] { color: #b00020; }
QLabel#bundleExportMessage[kind="ok"] { color: #1b5e20; }
QLabel#bundleEnrollNote { color: #b00020; }
"""


def size_text(size: int) -> str:
    return f"{size / MB:.1f} MB" if size < 1024 * MB else f"{size / 1024 / MB:.2f} GB"


def default_file_name(store: Store) -> str:
    """weicha-<computer>-<the next bundle_seq, 4 digits>.wcb (the computer's name made safe for
    any stick's file system; the device id's last characters when it has none)."""
    device = store.meta("device_id") or "device"
    host = re.sub(r"[^0-9A-Za-z-]+", "-", socket.gethostname()).strip("-")[:24].lower()
    who = host if host and host != "localhost" else device[-8:]
    return f"weicha-{who}-{next_bundle_seq(store, device):04d}{SUFFIX}"


def enrollment_problem(store: Store) -> str | None:
    """Why this laptop cannot export now, said for the window (None: it can), or None."""
    from weicha_desktop.core.bundle.keys import stored
    from weicha_desktop.core.sync.enrollment import SyncConfig

    try:
        config = SyncConfig.of(store)
        if config.load() is None:
            return QCoreApplication.translate("ExportDialog", "本机尚未登记到同步服务器，不能导出数据包。请管理员打开“同步”页（点状态栏的同步项）"
                             "办理登记：联网登记，或“写出登记申请…”离线登记。")
        if stored(config) is None:
            return QCoreApplication.translate("ExportDialog", "本机还没有同步服务器的数据包公钥（本机登记得较早），不能导出数据包。"
                             "请联网同步一次（“同步”页 → 立即同步）取得，或请管理员为本机重新办理离线登记。")
    except WeichaError as e:
        return str(e)
    return None


class ExportDialog(OpDialog):
    exported = Signal(object)  # core.bundle.export.Exported

    def __init__(self, store: Store, actor: Actor, drives: DriveLister, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("bundleExportDialog")
        self.setWindowTitle(self.tr("导出数据包"))
        self.setStyleSheet(STYLE)
        self.store, self.actor, self.drives = store, actor, drives

        info = QLabel(self.tr("把本机尚未被服务器确认的同步操作、工作日志和所需的照片原图写成一个加密的数据包（.wcb），"
                              "用 U 盘带到服务器导入。写完后读回核对。数据包只有本单位的服务器能打开。"))
        info.setObjectName("bundleExportInfo")
        info.setWordWrap(True)
        self.pending = QLabel()
        self.pending.setObjectName("bundlePending")
        self.enroll_note = QLabel()
        self.enroll_note.setObjectName("bundleEnrollNote")
        self.enroll_note.setWordWrap(True)
        self.drive_list = QListWidget()
        self.drive_list.setObjectName("bundleDriveList")
        self.drive_list.setMaximumHeight(110)
        self.drive_list.currentItemChanged.connect(self._drive_chosen)
        self.folder_edit = QLineEdit()
        self.folder_edit.setObjectName("bundleFolderEdit")
        self.browse_button = button(self.tr("选择文件夹(&B)…"), "bundleBrowseButton", self.browse)
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("bundleFileName")
        folder_row = QHBoxLayout()
        folder_row.addWidget(QLabel(self.tr("文件夹")))
        folder_row.addWidget(self.folder_edit, 1)
        folder_row.addWidget(self.browse_button)
        name_row = QHBoxLayout()
        name_row.addWidget(QLabel(self.tr("文件名")))
        name_row.addWidget(self.name_edit, 1)

        self.progress_row = ProgressRow("bundleExport")
        self.progress_row.cancelRequested.connect(self.cancel)
        self.message = QLabel()
        self.message.setObjectName("bundleExportMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()

        self.start_button = button(self.tr("导出(&E)"), "startBundleExportButton", self.start)
        self.start_button.setDefault(True)
        self.close_button = button(self.tr("关闭"), "closeBundleExportButton", self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addWidget(info)
        layout.addWidget(self.pending)
        layout.addWidget(self.enroll_note)
        drives_title = QLabel(self.tr("U 盘（选一个，或在下面给出文件夹）："))
        layout.addWidget(drives_title)
        layout.addWidget(self.drive_list)
        layout.addLayout(folder_row)
        layout.addLayout(name_row)
        layout.addWidget(self.progress_row)
        layout.addWidget(self.message)
        layout.addStretch(1)
        layout.addLayout(buttons)
        self.resize(max(680, self.sizeHint().width()), self.sizeHint().height())
        self.reset()

    # ---- what it shows -----------------------------------------------------------------------
    def reset(self) -> None:
        """Opened (again): the drives, what waits, the next file name, the enrollment re-read."""
        if self.is_running():
            return
        self.message.hide()
        self.name_edit.setText(default_file_name(self.store))
        queue = OutboxQueue(self.store, self.actor)
        ops = sum(queue.outstanding_by_op().values())
        photos, size = queue.photos_pending()
        self.pending.setText(self.tr("待导出：同步操作 {ops} 项，待上传照片 {photos} 张（{size}）。").format(
            ops=ops, photos=photos, size=size_text(size)))
        self.check_enrollment()
        self.set_drives(self.drives())

    def check_enrollment(self) -> None:
        """Whether this laptop can export (the note says what to do); again each time the dialog
        becomes the active window — the 同步 page beside it may have enrolled it meanwhile."""
        problem = enrollment_problem(self.store)
        self.enroll_note.setText(problem or "")
        self.enroll_note.setVisible(bool(problem))
        self._update_controls()

    def event(self, e: QEvent) -> bool:
        if e.type() == QEvent.Type.WindowActivate and not self.is_running():
            self.check_enrollment()
        return super().event(e)

    def set_drives(self, drives: list[Volume]) -> None:
        """The drive list (the watcher calls it when drives come and go); the folder follows the
        drive chosen, else the first drive when the folder is empty or was a drive now gone."""
        before = self.folder_edit.text().strip()
        was_drive = self.drive_list.currentItem() is not None and before == self.drive_list.currentItem().data(ROOT_KEY)
        self.drive_list.blockSignals(True)
        self.drive_list.clear()
        for v in drives:
            free = self.tr("，可用 {size}").format(size=size_text(v.free)) if v.free >= 0 else ""
            ro = self.tr("，只读") if v.read_only else ""
            item = QListWidgetItem(self.tr("{name}（{root}{free}{ro}）").format(name=v.title(), root=v.root,
                                                                              free=free, ro=ro))
            item.setData(ROOT_KEY, v.root)
            if v.read_only:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
            self.drive_list.addItem(item)
        if not drives:
            empty = QListWidgetItem(self.tr("未发现 U 盘：请插入 U 盘，或在下面选择一个文件夹。"))
            empty.setFlags(Qt.ItemFlag.NoItemFlags)
            self.drive_list.addItem(empty)
        self.drive_list.blockSignals(False)
        roots = [v.root for v in drives if not v.read_only]
        if before in roots:
            self.drive_list.setCurrentRow([v.root for v in drives].index(before))
        elif roots and (not before or was_drive):
            self.drive_list.setCurrentRow([v.root for v in drives].index(roots[0]))

    def _drive_chosen(self, item: QListWidgetItem | None, _previous: Any = None) -> None:
        if item is not None and item.data(ROOT_KEY):
            self.folder_edit.setText(item.data(ROOT_KEY))

    def _update_controls(self) -> None:
        running = self.is_running()
        for w in (self.drive_list, self.folder_edit, self.browse_button, self.name_edit):
            w.setEnabled(not running)
        self.start_button.setEnabled(not running and not self.enroll_note.isVisibleTo(self))

    # ---- acting ------------------------------------------------------------------------------
    def browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("导出到文件夹"), self.folder_edit.text())
        if folder:
            self.drive_list.setCurrentRow(-1)
            self.folder_edit.setText(folder)

    def target(self) -> Path | None:
        folder, name = self.folder_edit.text().strip(), self.name_edit.text().strip()
        if not folder or not name:
            self._show(self.tr("请选择 U 盘或文件夹，并给出文件名。"), "error")
            return None
        if "/" in name or "\\" in name:
            self._show(self.tr("文件名中不能有 / 或 \\：文件夹请在上面选择。"), "error")
            return None
        return Path(folder).expanduser() / (name if name.lower().endswith(SUFFIX) else name + SUFFIX)

    def start(self) -> bool:
        if self.is_running():
            return False
        problem = enrollment_problem(self.store)
        if problem:
            from weicha_desktop.core.sync.enrollment import SyncConfig

            with suppress(WeichaError), refusals_logged(self.store, self.actor):  # logged as the CLI's refusal
                enrolled_for_export(self.store, SyncConfig.of(self.store))
            self._show(problem, "error")
            return False
        path = self.target()
        if path is None:
            return False
        if path.exists() and QMessageBox.question(
                self, self.tr("导出数据包"), self.tr("{path} 已经存在。用新的数据包替换它吗？").format(path=path),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No) != QMessageBox.StandardButton.Yes:
            return False
        actor, text = self.actor, self.tr("正在写出数据包：{done} / {total}")

        def work(job):
            from weicha_desktop.core.sync.enrollment import SyncConfig

            def progress(done: int, total: int) -> None:
                job.progress(done / total if total else 1.0, text.format(done=size_text(done), total=size_text(total)))

            return export_ops(job.store, actor, path, config=SyncConfig.of(job.store), progress=progress,
                              cancel=job.cancelled)

        self.message.hide()
        self.run_op(BackgroundOp(self, work, store=self.store, title=self.tr("导出数据包")),
                    self.tr("正在准备数据包…"), busy=True)
        return True

    def _succeeded(self, done: Any) -> None:
        if done is None:
            self._show(self.tr("没有需要导出的内容：同步操作都已被服务器确认，工作日志也已锚定。没有写出文件。"), "ok")
            return
        text = self.tr("已写出数据包 {path}（第 {seq} 个，{size}）：同步操作 {ops} 项，工作日志 {audit} 条，"
                       "照片原图 {blobs} 张。文件已读回核对无误。请交给服务器管理员导入，再把回执（.wcr）带回："
                       "插入 U 盘时自动导入。").format(path=done.path, seq=done.bundle_seq, size=size_text(done.size),
                                                ops=done.ops, audit=done.audit, blobs=done.blobs)
        if done.missing:
            text += self.tr("注意：%n 张照片原图在本机找不到，引用它们的操作会在服务器等待。请运行“校验数据”。", "",
                            len(done.missing))
        self._show(text, "ok")
        self.name_edit.setText(default_file_name(self.store))
        self.exported.emit(done)

    def _failed(self, failure: OpFailure) -> None:
        self._show(failure.message, "error")

    def _finish(self, then: Any, outcome: object) -> None:
        super()._finish(then, outcome)
        self.set_drives(self.drives())  # drives that came or went while it ran

    def _show(self, text: str, kind: str) -> None:
        show_message(self.message, text, kind)
