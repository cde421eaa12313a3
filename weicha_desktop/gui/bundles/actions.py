"""The window's USB-bundle actions (文件 menu) and what happens when a drive is inserted.

- 文件 → 导出数据包… (``exportBundleAction``, Ctrl+Shift+E): ``ExportDialog`` (not modal).
- 文件 → 导入回执… (``importReceiptAction``): a .wcr chosen, applied on a worker
  (core/bundle/receipt.py ``apply_receipt``: acknowledged as a push answer).
- 文件 → 导入基础数据… (``importReferenceAction``): a .wcref chosen; a confirmation naming its
  version (and the one held); then applied on a worker (core/bundle/refimport.py). The form
  versions it (or an offline enrollment file) brought reach the window's registry at once.
- A drive inserted (``DriveWatcher``): read on a worker (core/bundle/found.py: names, then
  each candidate's header and manifest) for receipts to this device and reference bundles of
  the enrolled server (a receipt to this device from another server is refused, said). Receipts
  not taken before (no ``bundle.receipt`` entry names them, and
  not handed to a worker this session) are applied at once, on the worker; a reference bundle
  newer than the one held is offered. Nothing is asked meanwhile: what was done, and every
  refusal's Chinese message, goes to the non-modal notice (``BundleNotice``).

Every refusal (``BundleError``) is the core's Chinese message; the core applied nothing and
logged ``bundle.refused``. Nothing here touches SQL or the GUI thread's store for writes: each
job has a store connection of its own (common/ops.py)."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QColor, QKeySequence
from PySide6.QtWidgets import (QDialog, QFileDialog, QHBoxLayout, QListWidget, QListWidgetItem, QMenu,
                               QMessageBox, QVBoxLayout, QWidget)

from weicha_desktop.gui.bundles.volumes import DriveLister, Volume, removable_drives
from weicha_desktop.gui.bundles.watch import POLL_MS, DriveWatcher
from weicha_desktop.gui.common.op_dialog import button
from weicha_desktop.gui.common.ops import BackgroundOp

if TYPE_CHECKING:
    from weicha_desktop.gui.bundles.export_dialog import ExportDialog

EXPORT_KEY = "Ctrl+Shift+E"
ERROR = QColor("#b00020")
log = logging.getLogger("weicha.gui.bundles")


def for_window(error: BaseException | None, fallback: str | None = None) -> str:
    """A core error in the window's words and language: its ``for_window`` message where it
    has one (core/bundle/keys.py: the CLI's names commands, the window's says where to click)."""
    from weicha_desktop.gui.common.i18n import message_text

    if error is None:
        return fallback or ""
    return message_text(getattr(error, "for_window", None) or (fallback if fallback is not None else error))


class BundleNotice(QDialog):
    """What was found and done with bundles, one line each (refusals red); not modal. A
    reference bundle found is offered with a button naming its version."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("bundleNotice")
        self.setWindowTitle(self.tr("U 盘数据包"))
        self.setModal(False)
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)  # a stick inserted never takes the keys
        self.lines = QListWidget()
        self.lines.setObjectName("bundleNoticeList")
        self.lines.setWordWrap(True)
        self.offers = QVBoxLayout()
        close = button(self.tr("关闭"), "closeBundleNoticeButton", self.close)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.lines, 1)
        layout.addLayout(self.offers)
        layout.addLayout(row)
        self.resize(620, 300)

    def add(self, text: str, error: bool = False) -> None:
        item = QListWidgetItem(text)
        if error:
            item.setForeground(ERROR)
        self.lines.addItem(item)
        self.lines.scrollToBottom()

    def texts(self) -> list[str]:
        return [self.lines.item(i).text() for i in range(self.lines.count())]

    def offer(self, text: str, slot: Any) -> None:
        """A button (``bundleOfferButton``) that goes once it is pressed."""
        def pressed() -> None:
            widget.hide()
            widget.deleteLater()
            slot()
        widget = button(text, "bundleOfferButton", pressed)
        self.offers.addWidget(widget)

    def appear(self) -> None:
        self.show()
        self.raise_()


class BundleActions(QObject):
    """Owned by the main window (``window.bundles``): its menu actions, the export dialog, the
    drive watcher and the notice. ``drives``: the DriveLister (tests hand in fake volumes)."""

    def __init__(self, window: Any, menu: QMenu, *, drives: DriveLister = removable_drives,
                 interval_ms: int = POLL_MS):
        super().__init__(window)
        self.window, self.store, self.actor = window, window.store, window.actor
        self.export_dialog: ExportDialog | None = None
        self.notice: BundleNotice | None = None
        self.ops: list[BackgroundOp] = []
        self.taken: set[str] = set()  # receipt ids handed to a worker this session
        self.offered: set[str] = set()  # reference bundle ids offered this session
        self.watcher = DriveWatcher(drives, self, interval_ms)
        self.watcher.changed.connect(self._drives_changed)
        self.watcher.inserted.connect(self.scan)
        menu.addSeparator()
        for name, text, tip, slot, key in (
                ("exportBundleAction", self.tr("导出数据包(&E)…"),
                 self.tr("把待同步的操作、工作日志和照片原图写到 U 盘，带到服务器导入"), self.open_export, EXPORT_KEY),
                ("importReceiptAction", self.tr("导入回执(&R)…"),
                 self.tr("导入服务器导入数据包后写出的回执（.wcr）"), lambda: self.import_receipt(), None),
                ("importReferenceAction", self.tr("导入基础数据(&I)…"),
                 self.tr("导入服务器导出的基础数据包（.wcref）：用户、表单、代码表、核查名单"),
                 lambda: self.import_reference(), None)):
            action = QAction(text, window)
            action.setObjectName(name)
            action.setToolTip(tip)
            if key:
                action.setShortcut(QKeySequence(key))
            action.triggered.connect(slot)
            menu.addAction(action)
        menu.addSeparator()
        window.events.changed.connect(self._follow_forms)
        self.watcher.start()

    # ---- export ----------------------------------------------------------------------------
    def open_export(self) -> ExportDialog:
        if self.export_dialog is None:
            from weicha_desktop.gui.bundles.export_dialog import ExportDialog

            self.export_dialog = ExportDialog(self.store, self.actor, lambda: self.watcher.drives(), self.window)
        elif not self.export_dialog.isVisible():
            self.export_dialog.reset()
        self.export_dialog.show()
        self.export_dialog.raise_()
        self.export_dialog.activateWindow()
        return self.export_dialog

    def _drives_changed(self, drives: list[Volume]) -> None:
        if self.export_dialog is not None and not self.export_dialog.is_running():
            self.export_dialog.set_drives(drives)

    # ---- the notice ------------------------------------------------------------------------
    def say(self, text: str, error: bool = False) -> BundleNotice:
        if self.notice is None:
            self.notice = BundleNotice(self.window)
        self.notice.add(text, error)
        self.notice.appear()
        self.window.show_message(text)
        return self.notice

    def _run(self, fn: Any, done: Any, *, readonly: bool = False) -> BackgroundOp:
        op = BackgroundOp(self, fn, store=self.store, readonly=readonly, title=self.tr("U 盘数据包"))
        self.ops = [o for o in self.ops if o.is_running()] + [op]
        return op.on_success(done).on_failure(lambda f: self.say(for_window(f.error, f.message), True)).run()

    def _enrolled(self) -> Any:
        """The enrollment (None: not enrolled, or unreadable: nothing to look for)."""
        from weicha_desktop.core.errors import WeichaError
        from weicha_desktop.core.sync.enrollment import SyncConfig

        try:
            return SyncConfig.of(self.store).load()
        except WeichaError:
            return None

    # ---- a drive inserted ------------------------------------------------------------------
    def scan(self, drives: list[Volume]) -> BackgroundOp | None:
        """Look on ``drives`` for what the server left for this laptop (module doc)."""
        enrollment = self._enrolled()
        if enrollment is None or not drives:
            return None
        device_id, server_id, roots = self.store.meta("device_id"), enrollment.server_id, [v.root for v in drives]

        def work(job) -> tuple[list[Any], list[Any], int]:
            from weicha_desktop.core.bundle.found import receipt_taken, scan_folder
            from weicha_desktop.core.bundle.refimport import held_version

            from weicha_desktop.core.bundle.laptop_key import bundle_key

            key = bundle_key(job.store, create=False)
            found = [f for root in roots for f in scan_folder(root, device_id, key)]
            # a receipt to this device from another server is a mistake worth saying (the core refuses
            # it, naming the server); another server's reference data is not for this laptop
            receipts = [f for f in found if f.kind == "receipt" and not receipt_taken(job.store, f.bundle_id)]
            held = held_version(job.store, server_id)
            refs = [f for f in found if f.kind == "reference" and f.sender_id == server_id and (f.version or 0) > held]
            return receipts, refs, held

        return self._run(work, self._found, readonly=True)

    def _found(self, found: tuple[list[Any], list[Any], int]) -> None:
        receipts, refs, held = found
        new = [f for f in receipts if f.bundle_id not in self.taken]
        if new:
            self.apply_receipts([f.path for f in new], ids=[f.bundle_id for f in new])
        newest = max(refs, key=lambda f: (f.version, f.created_at), default=None)
        if newest is not None and newest.bundle_id not in self.offered:
            self.offered.add(newest.bundle_id)
            notice = self.say(self.tr("U 盘上有第 {version} 版基础数据（{file}），本机现有第 {held} 版。").format(
                version=newest.version, file=newest.path.name, held=held))
            notice.offer(self.tr("导入第 {version} 版基础数据…").format(version=newest.version),
                         lambda: self.import_reference(newest.path))

    # ---- receipts --------------------------------------------------------------------------
    def import_receipt(self, path: str | Path | None = None) -> BackgroundOp | None:
        """文件 → 导入回执…: ``path`` or the one chosen."""
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self.window, self.tr("导入回执"), "",
                                                  self.tr("服务器回执 (*.wcr)"))
            if not path:
                return None
        return self.apply_receipts([Path(path)])

    def apply_receipts(self, paths: list[Path], ids: list[str] | None = None) -> BackgroundOp:
        """Apply each receipt on a worker, in order; each outcome to the notice."""
        self.taken.update(ids or [])
        actor = self.actor

        def work(job) -> list[tuple[Path, Any]]:
            from weicha_desktop.core.bundle.receipt import apply_receipt
            from weicha_desktop.core.errors import WeichaError
            from weicha_desktop.core.sync.enrollment import SyncConfig

            outcomes: list[tuple[Path, Any]] = []
            for p in paths:
                try:
                    outcomes.append((p, apply_receipt(job.store, actor, p, config=SyncConfig.of(job.store))))
                except WeichaError as e:  # a BundleError's Chinese message: nothing applied
                    outcomes.append((p, e))
            return outcomes

        return self._run(work, self._receipts_done)

    def _receipts_done(self, outcomes: list[tuple[Path, Any]]) -> None:
        for path, r in outcomes:
            if isinstance(r, Exception):
                self.say(self.tr("回执 {file} 未导入：{reason}").format(file=path.name, reason=for_window(r)), True)
                continue
            if r.stale:
                self.say(self.tr("回执 {file} 较旧（确认到第 {through} 项），本机已确认得更多：没有改动。").format(
                    file=path.name, through=r.through_seq))
            else:
                self.say(self.tr("已导入回执 {file}：服务器确认到本机第 {through} 项同步操作，本次确认 {ack} 项，"
                                 "拒收 {rejected} 项。").format(file=path.name, through=r.through_seq,
                                                            ack=r.acknowledged, rejected=len(r.rejected)))
            for no in r.rejected:
                self.say(self.tr("服务器拒收第 {seq} 项操作：{reason}").format(seq=no["device_seq"], reason=no["message"]),
                         True)
            if r.waiting:
                self.say(self.tr("%n 项操作在服务器等待照片原图：请再导出一次数据包。", "", len(r.waiting)), True)
            for line in r.problems:
                self.say(line, True)

    # ---- reference data --------------------------------------------------------------------
    def import_reference(self, path: str | Path | None = None) -> BackgroundOp | None:
        """文件 → 导入基础数据…: ``path`` or the one chosen; a confirmation naming its version."""
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self.window, self.tr("导入基础数据"), "",
                                                  self.tr("基础数据包 (*.wcref)"))
            if not path:
                return None
        path = Path(path)
        from weicha_desktop.core.bundle.container import peek_manifest
        from weicha_desktop.core.bundle.laptop_key import required_key
        from weicha_desktop.core.bundle.refimport import held_version
        from weicha_desktop.core.errors import WeichaError

        try:
            header, manifest = peek_manifest(path, decrypt_with=required_key(self.store, "基础数据包"))
        except WeichaError as e:
            self.say(self.tr("基础数据包 {file} 未导入：{reason}").format(file=path.name, reason=e), True)
            return None
        enrollment = self._enrolled()
        held = held_version(self.store, enrollment.server_id) if enrollment is not None else 0
        version = manifest.get("version")
        answer = QMessageBox.question(
            self.window, self.tr("导入基础数据"),
            self.tr("导入第 {version} 版基础数据吗？\n文件：{file}\n服务器 {server} 写于 {at}；本机现有第 {held} 版。\n"
                    "用户、表单版本、代码表和核查名单一次全部导入（或全不导入）。").format(
                version=version, file=path, server=header.sender[1], at=header.created_at[:16].replace("T", " "),
                held=held),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return None
        actor = self.actor

        def work(job) -> Any:
            from weicha_desktop.core.bundle.refimport import import_reference
            from weicha_desktop.core.sync.enrollment import SyncConfig

            return import_reference(job.store, actor, path, config=SyncConfig.of(job.store))

        return self._run(work, lambda r: self._reference_done(path, r))

    def _reference_done(self, path: Path, r: Any) -> None:
        from weicha_desktop.core.sync.pull import NAMES

        if r.same:
            self.say(self.tr("本机已有第 {version} 版基础数据：没有改动。").format(version=r.version))
            return
        got = self.tr("，").join(self.tr("{table} {rows} 条").format(table=NAMES[t], rows=n) for t, n in r.rows.items())
        self.say(self.tr("已导入第 {version} 版基础数据（{file}）：{tables}。").format(
            version=r.version, file=path.name, tables=got or self.tr("无内容")))

    def _follow_forms(self, summary: Any) -> None:
        """Form versions a reference bundle or an enrollment file brought reach the window's
        registry (new records take them; open ones keep theirs), as a network pull's do
        (gui/sync/forms.py follows ``sync.pull``)."""
        if not {"reference.import", "sync.enroll"} & set(summary.actions):
            return
        from weicha_desktop.core.forms import FormError
        from weicha_desktop.core.sync.reference import refresh_forms

        try:
            refresh_forms(self.store, self.window.forms)
        except FormError as e:  # the import checked they load: keep what the window has
            log.warning("imported form versions do not load here, the window keeps its forms: %s", e)

    # ---- closing ---------------------------------------------------------------------------
    def shutdown(self, msecs: int = 30000) -> None:
        """The window closes: no more polls; a running export is cancelled; imports under way
        (they write one commit) are awaited."""
        self.watcher.stop()
        if self.export_dialog is not None:
            self.export_dialog.shutdown(msecs)
        for op in self.ops:
            op.wait(msecs)
