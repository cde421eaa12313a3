"""同步 page (opened from the status bar's sync item): what waits, what moved, what the
server refused, and 立即同步.

    ┌ 同步 ───────────────────────────────────────────────────────────┐
    │ 服务器：https://sync…（证书指纹 AB:CD:…）                        │
    │ 上次成功同步：2026-11-27 09:30        ← syncState                │
    │ 无法连接同步服务器……（红）              ← syncError                │
    │ 待同步的操作        项数               ← pendingTable            │
    │   新建记录            3                                          │
    │ 待上传照片：2 张，4.1 MB                ← photosPending           │
    │ [正在上传照片原图 ███████░░░ ]          ← syncProgress            │
    │ 服务器拒收的操作（不影响其余操作的同步） ← rejectedTable           │
    │                                         立即同步      关闭       │
    └─────────────────────────────────────────────────────────────────┘

Every read is a core read (``OutboxQueue.outstanding_by_op``, ``photos_pending``,
``rejected``; the enrollment file for the server and the last success/error): the page has
no SQL. It follows the store's commits and the worker's state; the sync runs on the worker
(gui/sync/worker.py), never here."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QDialog, QHBoxLayout, QHeaderView, QLabel, QProgressBar, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from weicha_desktop.core.store import Actor, Store
from weicha_desktop.core.sync.queue import OutboxQueue
from weicha_desktop.gui.common.op_dialog import button, show_message
from weicha_desktop.gui.common.store_events import StoreEvents
from weicha_desktop.gui.sync.worker import FAILED, RUNNING, SyncWorker

MB = 1024 * 1024
STYLE = """
QLabel#syncError { color: #b00020; }
QLabel#syncState[kind="error"] { color: #b00020; }
QLabel#syncState[kind="ok"] { color: #1b5e20; }
"""


class SyncPage(QDialog):
    def __init__(self, store: Store, actor: Actor, worker: SyncWorker, events: StoreEvents,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("syncPage")
        self.setWindowTitle(self.tr("同步"))
        self.setStyleSheet(STYLE)
        self.store, self.worker = store, worker
        self.queue = OutboxQueue(store, actor)
        self.server = self._label("syncServer")
        self.state = self._label("syncState")
        self.error = self._label("syncError")
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.pending = self._table("pendingTable", [self.tr("待同步的操作"), self.tr("项数")])
        self.photos = self._label("photosPending")
        self.progress_text = self._label("syncProgressText")
        self.bar = QProgressBar()
        self.bar.setObjectName("syncProgress")
        self.bar.setRange(0, 1000)
        rejected_title = self._label("rejectedTitle")
        rejected_title.setText(self.tr("服务器拒收的操作（已记下原因，不影响其余操作的同步；请联系管理员处理）："))
        self.rejected = self._table("rejectedTable", [self.tr("序号"), self.tr("操作"), self.tr("原因"),
                                                      self.tr("拒收时间")])
        self.now_button = button(self.tr("立即同步"), "syncNowButton", self.sync_now)
        close = button(self.tr("关闭"), "closeSyncButton", self.close)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.now_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        for widget in (self.server, self.state, self.error, self.pending, self.photos,
                       self.progress_text, self.bar, rejected_title, self.rejected):
            layout.addWidget(widget)
        from weicha_desktop.gui.bundles.enroll import OfflineEnrollBox

        self.offline = OfflineEnrollBox(store, actor, self)  # 写出登记申请… / 导入登记文件… (USB bundles)
        self.offline.enrolled.connect(self._enrolled_by_file)
        layout.addWidget(self.offline)
        layout.addLayout(buttons)
        self.resize(720, 640)
        worker.stateChanged.connect(self.refresh)
        worker.progressed.connect(self._progressed)
        events.changed.connect(lambda _summary: self.refresh())
        self.refresh()

    def _label(self, name: str) -> QLabel:
        label = QLabel()
        label.setObjectName(name)
        label.setWordWrap(True)
        return label

    def _table(self, name: str, headers: list[str]) -> QTableWidget:
        table = QTableWidget(0, len(headers))
        table.setObjectName(name)
        table.setHorizontalHeaderLabels(headers)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        table.verticalHeader().setVisible(False)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setStretchLastSection(True)
        return table

    # ---- what it shows ------------------------------------------------------------------
    def refresh(self) -> None:
        e = self.worker.enrollment()
        if e is None:
            self.server.setText(self.tr("本机尚未登记到同步服务器：所有记录保存在本机，待同步的操作留在队列中。"
                                        "请管理员用服务器给的一次性登记码运行 weicha enroll，或在下面办理离线登记。"))
        elif not e.server_url:
            self.server.setText(self.tr("本机已离线登记到同步服务器 {server}：用 U 盘数据包同步"
                                        "（文件 → 导出数据包…），不联网同步。要改为联网同步：请管理员运行 "
                                        "weicha-server enroll-code --device-name 名称 --reenroll {device} 取得重新登记码，"
                                        "再在本机运行 weicha enroll --server 服务器地址 --code 重新登记码；"
                                        "已经通过数据包同步的操作不会重复。").format(server=e.server_id, device=e.device_id))
        else:
            self.server.setText(self.tr("服务器：{url}（证书指纹 {fp}）").format(
                url=e.server_url, fp=e.fingerprint[:23] + "…" if e.fingerprint
                else self.tr("无：本机上的服务器，未加密")))
        running = self.worker.state == RUNNING
        if running:
            show_message(self.state, self.tr("正在同步…"), "")
        elif e is not None and e.last_success_at:
            show_message(self.state, self.tr("上次成功同步：{time}").format(time=e.last_success_at[:16].replace("T", " ")),
                         "error" if self.worker.state == FAILED else "ok")
        else:
            show_message(self.state, self.tr("尚未成功同步过。") if e is not None else "", "")
        error = self.worker.error or (e.last_error if e is not None and self.worker.state != RUNNING else None)
        self.error.setText(error or "")
        self.error.setVisible(bool(error))
        self._fill_pending()
        count, size = self.queue.photos_pending()
        self.photos.setText(self.tr("待上传照片：%n 张，{mb} MB", "", count).format(mb=f"{size / MB:.1f}")
                            if count else self.tr("没有待上传的照片。"))
        self._fill_rejected()
        self.now_button.setEnabled(not running and e is not None and bool(e.server_url))
        self.bar.setVisible(running)
        self.progress_text.setVisible(running)
        if running and not self.progress_text.text():
            self.progress_text.setText(self.tr("正在连接服务器…"))
            self.bar.setRange(0, 0)  # busy until the first progress
        if not running:
            self.progress_text.setText("")

    def _fill_pending(self) -> None:
        rows = self.queue.outstanding_by_op()
        self.pending.setRowCount(len(rows))
        for i, (op, n) in enumerate(rows.items()):
            self.pending.setItem(i, 0, QTableWidgetItem(self.op_name(op)))
            count = QTableWidgetItem(str(n))
            count.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.pending.setItem(i, 1, count)

    def _fill_rejected(self) -> None:
        rows = self.queue.rejected()
        self.rejected.setRowCount(len(rows))
        for i, r in enumerate(rows):
            for j, text in enumerate((str(r["device_seq"]), self.op_name(r["op"]), r["rejected_reason"] or "",
                                      (r["rejected_at"] or "")[:16].replace("T", " "))):
                self.rejected.setItem(i, j, QTableWidgetItem(text))

    def op_name(self, op: str) -> str:
        """The op in words (record ops by their verb, for every record kind)."""
        kind, _, verb = op.partition(".")
        names = {"photo.add": self.tr("导入照片"), "photo.update": self.tr("修改照片说明"),
                 "photo.remove": self.tr("移除照片"), "photo.restore": self.tr("重新导入照片"),
                 "photo.reorder": self.tr("调整照片顺序")}
        verbs = {"create": self.tr("新建记录"), "draft": self.tr("草稿保存"), "finalize": self.tr("定稿"),
                 "amend": self.tr("补正"), "review": self.tr("审核"), "evidence": self.tr("必比状态")}
        return names.get(op) or (f"{verbs[verb]}（{kind}）" if verb in verbs else op)

    def _progressed(self, stage: str, done: int, total: int) -> None:
        if stage == "photos":
            self.progress_text.setText(self.tr("正在上传照片原图：{done} / {total} MB").format(
                done=f"{done / MB:.1f}", total=f"{total / MB:.1f}"))
        else:
            self.progress_text.setText(self.tr("正在发送同步操作：已发送 {done} 项").format(done=done))
        self.bar.setRange(0, 1000)
        self.bar.setValue(int(1000 * done / total) if total else 0)

    # ---- acting -------------------------------------------------------------------------
    def _enrolled_by_file(self, _done: object) -> None:
        """Enrolled offline here: the worker learns it (no network sync: 通过 U 盘数据包)."""
        self.worker.start()
        self.refresh()

    def sync_now(self) -> None:
        if not self.worker.sync_now():
            self.refresh()
