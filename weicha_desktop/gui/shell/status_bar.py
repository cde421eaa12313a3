"""The status bar: who is logged in (name and role), the unit, and the sync state with the
number of operations waiting in the outbox. The sync item (``syncLabel``) shows the sync
worker's state (``show_sync``) and, clicked, asks for the sync page (``syncRequested``).

When the last backup is more than a week old (or there never was one and the folder holds
finalized records), a notice with 立即备份 appears (``backupRequested``); it is checked at
start, when a backup was committed, hourly (a week passes without any commit: the one timer
left, and not a poll of the data), and — while the folder has neither a backup nor a
finalized record — with the outbox count (the first finalize brings it).

When the store refused to move the signed checkpoint because the data does not continue it
(``store.anchor.suspected``: an older copy, or a replaced database — core/checkpoint.py), a
red notice says so, first in the bar, from start-up on (checked again with the count), and
points to 文件 → 校验数据… (verify_dialog.py).

The count (``Store.pending_count``) is refreshed when the store has committed something
(``StoreEvents.changed``: also what a worker committed on a connection of its own), never by
polling; ``refresh()`` does it on request. With ``counts_later`` the count and the backup
state are left to ``refresh_counts`` (the main window calls it right after its first paint:
counting 200,000 waiting ops takes ~7 ms, core/backup.py ~2 ms to import)."""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QLabel, QPushButton, QStatusBar, QWidget

from weicha_desktop.core.store import Actor, Store
from weicha_desktop.core.store.events import ChangeSummary
from weicha_desktop.gui.common.labels import role_name
from weicha_desktop.gui.common.store_events import StoreEvents

BACKUP_CHECK_MS = 3600 * 1000
BACKUP_ACTION = "data.backup"


class _ClickableLabel(QLabel):
    clicked = Signal()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()
        super().mouseReleaseEvent(event)


class StatusBar(QStatusBar):
    backupRequested = Signal()
    syncRequested = Signal()  # the sync item was clicked

    def __init__(self, store: Store, actor: Actor, unit_name: str, events: StoreEvents,
                 parent: QWidget | None = None, *, counts_later: bool = False):
        super().__init__(parent)
        self.store = store
        self.backup = None  # a core.backup.BackupState once read (refresh_backup)
        self.user_label = self._label("userLabel", self.tr("用户：{name}（{role}）").format(
            name=actor.display_name or actor.name, role=role_name(actor.role)))
        self.unit_label = self._label("unitLabel", self.tr("单位：{unit}").format(unit=unit_name))
        self.sync_label = _ClickableLabel(self.tr("同步：未配置（离线）"))
        self.sync_label.setObjectName("syncLabel")
        self.sync_label.setContentsMargins(6, 0, 6, 0)
        self.sync_label.setCursor(Qt.CursorShape.PointingHandCursor)
        self.sync_label.clicked.connect(self.syncRequested)  # the sync page (gui/sync/page.py)
        self.addPermanentWidget(self.sync_label)
        self.sync_label.setToolTip(self.tr("尚未设置同步服务器：所有记录保存在本机，"
                                           "待同步的操作留在队列中，设置后再发送。"))
        self.anchor_label = QLabel("")
        self.anchor_label.setObjectName("anchorWarning")
        self.anchor_label.setContentsMargins(6, 0, 6, 0)
        self.anchor_label.setStyleSheet(
            "QLabel { background: #f8d7da; color: #842029; font-weight: bold; padding: 1px 6px; }")
        self.anchor_label.setToolTip(self.tr(
            "本机在数据文件夹之外保存了工作日志的签名检查点，现在的数据与它不符：数据库或整个数据文件夹"
            "可能被换成了较早的副本或另一份数据。检查点保持不变，直到查明原因。"
            "校验：文件 → 校验数据…，或在命令行运行 weicha verify。"))
        self.insertPermanentWidget(0, self.anchor_label)
        self.refresh_anchor()
        self.pending_label = self._label("pendingLabel", "")
        self.backup_label = self._label("backupReminder", "")
        self.backup_label.setStyleSheet("QLabel { background: #fff3cd; color: #7a4b00; padding: 1px 6px; }")
        self.backup_label.setToolTip(self.tr("笔记本丢失或损坏时，没有备份的勘验记录和原始照片无法找回。"
                                             "请备份到移动硬盘或 U 盘，并与笔记本分开保管。"))
        self.backup_button = QPushButton(self.tr("立即备份"))
        self.backup_button.setObjectName("backupNowButton")
        self.backup_button.clicked.connect(self.backupRequested)
        self.addPermanentWidget(self.backup_button)
        self._backup_timer = QTimer(self)
        self._backup_timer.setInterval(BACKUP_CHECK_MS)
        self._backup_timer.timeout.connect(self.refresh_backup)
        self._backup_timer.start()
        self.backup_label.setVisible(False)
        self.backup_button.setVisible(False)
        events.changed.connect(self._store_changed)
        if not counts_later:
            self.refresh_counts()

    def refresh_counts(self) -> None:
        """The backup state and the count of operations waiting, read now."""
        self.refresh_backup()
        self.refresh()

    def _label(self, name: str, text: str) -> QLabel:
        label = QLabel(text)
        label.setObjectName(name)
        label.setContentsMargins(6, 0, 6, 0)
        self.addPermanentWidget(label)  # permanent: a passing message never hides them
        return label

    def refresh(self) -> None:
        """Count the pending sync operations again."""
        n = self.store.pending_count()
        self.pending_label.setText(self.tr("待同步 %n 项", "", n) if n else self.tr("无待同步数据"))
        if self.backup is None or (self.backup.last is None and not self.backup.due):
            self.refresh_backup()
        self.refresh_anchor()

    def show_sync(self, text: str, tip: str | None, failed: bool) -> None:
        """The sync worker's state (gui/sync/worker.py): red while the last try failed;
        ``tip`` None keeps the tooltip."""
        self.sync_label.setText(text)
        if tip is not None:
            self.sync_label.setToolTip(tip)
        self.sync_label.setStyleSheet("QLabel { color: #b00020; }" if failed else "")

    def refresh_anchor(self) -> None:
        """Show the suspected rollback the store's checkpoint keeper met, if any."""
        reason = getattr(self.store.anchor, "suspected", None)
        if reason:
            self.anchor_label.setText(self.tr(
                "数据可能被回滚或替换：{reason}。请用“文件 → 校验数据…”核对，并联系管理员。").format(reason=reason))
        self.anchor_label.setVisible(bool(reason))

    def refresh_backup(self) -> None:
        """Show or hide the backup reminder (core.backup.backup_state, on the store's clock)."""
        from weicha_desktop.core.backup import backup_state

        self.backup = state = backup_state(self.store)
        if state.last is None:
            text = self.tr("尚未备份")
        else:
            text = self.tr("上次备份已是 %n 天前", "", state.days or 0)
        self.backup_label.setText(text)
        self.backup_label.setVisible(state.due)
        self.backup_button.setVisible(state.due)

    def _store_changed(self, summary: ChangeSummary) -> None:
        if BACKUP_ACTION in summary.actions:
            self.refresh_backup()
        self.refresh()
