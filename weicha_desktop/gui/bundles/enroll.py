"""Offline enrollment on the 同步 page (core/bundle/offline_enroll.py): a laptop that never
sees the network writes an enrollment request (.wcq) for the server's administrator, then opens
the enrollment file (.wce) the administrator hands back — only with the server's signing-key
fingerprint typed first (as ``weicha-server keys`` shows it, read out by the administrator: the
file alone proves nothing, anyone who finds the request can sign an answer); a file whose key
has another fingerprint is refused before anything is kept.

    ┌ 离线登记（没有网络时） ───────────────────────────────────────┐
    │ 服务器签名指纹：[AB:CD:…（向管理员索取）]   ← serverFingerprintEdit │
    │ 1. 写出登记申请…  2. 导入登记文件…                           │
    │ 服务器数据包签名公钥指纹：AB:CD:…          ← offlineEnrollKeys │
    │ 已写出登记申请 …；本机设备密钥指纹 …        ← offlineEnrollResult │
    └──────────────────────────────────────────────────────────────┘

Only an administrator enrolls (as ``weicha enroll``); both steps run on a worker with a store
connection of their own; a refused file says why (its BundleError's Chinese message) and
changes nothing."""
from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFileDialog, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from weicha_desktop.core.store import Actor, Store
from weicha_desktop.gui.bundles.volumes import DriveLister, removable_drives
from weicha_desktop.gui.common.op_dialog import button, show_message
from weicha_desktop.gui.common.ops import BackgroundOp, OpFailure

STYLE = """
QLabel#offlineEnrollResult[kind="error"] { color: #b00020; }
QLabel#offlineEnrollResult[kind="ok"] { color: #1b5e20; }
"""


class OfflineEnrollBox(QGroupBox):
    enrolled = Signal(object)  # core.bundle.offline_enroll.OfflineEnrolled

    def __init__(self, store: Store, actor: Actor, parent: QWidget | None = None, *,
                 drives: DriveLister = removable_drives):
        super().__init__(parent)
        self.setObjectName("offlineEnrollBox")
        self.setTitle(self.tr("离线登记（没有网络时）"))
        self.setStyleSheet(STYLE)
        self.store, self.actor, self.drives = store, actor, drives
        self.op: BackgroundOp | None = None
        admin = actor.role == "admin"
        steps = QLabel(self.tr("① 写出登记申请（.wcq），交服务器管理员导入；② 导入管理员给回的登记文件（.wce），"
                               "与管理员核对服务器的密钥指纹。") if admin else
                       self.tr("本机的离线登记由管理员办理（管理员登录后在此写出登记申请、导入登记文件）。"))
        steps.setWordWrap(True)
        self.request_button = button(self.tr("写出登记申请…"), "writeEnrollRequestButton", lambda: self.write_request())
        self.open_button = button(self.tr("导入登记文件…"), "openEnrollmentButton", lambda: self.open_enrollment())
        for b in (self.request_button, self.open_button):
            b.setEnabled(admin)
        self.fingerprint_edit = QLineEdit()
        self.fingerprint_edit.setObjectName("serverFingerprintEdit")
        self.fingerprint_edit.setPlaceholderText(self.tr("服务器签名公钥指纹（向服务器管理员当面或电话索取）"))
        self.fingerprint_edit.setAccessibleName(self.tr("服务器签名公钥指纹"))
        self.fingerprint_edit.setEnabled(admin)
        row = QHBoxLayout()
        row.addWidget(self.request_button)
        row.addWidget(self.open_button)
        row.addStretch(1)
        self.keys = QLabel()
        self.keys.setObjectName("offlineEnrollKeys")
        self.keys.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result = QLabel()
        self.result.setObjectName("offlineEnrollResult")
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(steps)
        layout.addLayout(row)
        fp_label = QLabel(self.tr("导入登记文件前，填写服务器签名公钥指纹（weicha-server keys 所示）："))
        fp_label.setWordWrap(True)
        fp_label.setBuddy(self.fingerprint_edit)
        layout.addWidget(fp_label)
        layout.addWidget(self.fingerprint_edit)
        layout.addWidget(self.keys)
        layout.addWidget(self.result)
        self.refresh()

    def refresh(self) -> None:
        """The pinned server key's fingerprint (to compare), when this laptop has one."""
        from weicha_desktop.core.bundle.keys import stored
        from weicha_desktop.core.errors import WeichaError
        from weicha_desktop.core.sync.enrollment import SyncConfig

        try:
            keys = stored(SyncConfig.of(self.store))
        except WeichaError:
            keys = None
        self.keys.setText(self.tr("服务器数据包签名公钥指纹（SHA-256）：\n{fp}").format(fp=keys.fingerprints()["signing"])
                          if keys is not None else "")
        self.keys.setVisible(keys is not None)

    def _folder(self) -> str:
        drives = [v for v in self.drives() if not v.read_only]
        return drives[0].root if drives else str(Path.home())

    def _run(self, fn: Any, done: Any) -> BackgroundOp | None:
        if self.op is not None and self.op.is_running():
            return None
        for b in (self.request_button, self.open_button):
            b.setEnabled(False)
        self.result.hide()
        self.op = BackgroundOp(self, fn, store=self.store, title=self.tr("离线登记"))
        return self.op.on_success(lambda r: self._finish(done, r)).on_failure(
            lambda f: self._finish(self._failed, f)).run()

    def _finish(self, then: Any, outcome: Any) -> None:
        for b in (self.request_button, self.open_button):
            b.setEnabled(self.actor.role == "admin")
        then(outcome)

    def _failed(self, failure: OpFailure) -> None:
        show_message(self.result, failure.message, "error")

    # ---- ① the request --------------------------------------------------------------------
    def write_request(self, path: str | Path | None = None) -> BackgroundOp | None:
        if path is None:
            host = "".join(c for c in socket.gethostname() if c.isalnum() or c == "-")[:24] or "laptop"
            path, _ = QFileDialog.getSaveFileName(self, self.tr("写出登记申请"),
                                                  str(Path(self._folder()) / f"weicha-{host}.wcq"),
                                                  self.tr("登记申请 (*.wcq)"))
            if not path:
                return None
        target, actor = Path(path), self.actor
        if target.suffix.lower() != ".wcq":
            target = target.with_name(target.name + ".wcq")

        def work(job) -> Any:
            from weicha_desktop.core.bundle.offline_enroll import write_request

            return write_request(job.store, actor, target)

        return self._run(work, self._requested)

    def _requested(self, req: Any) -> None:
        show_message(self.result, self.tr(
            "已写出登记申请 {path}（设备 {device}，名称 {name}）。\n本机设备密钥指纹（SHA-256）：{fp}\n"
            "请交给服务器管理员导入，并与管理员核对这个指纹；再填写管理员告知的服务器签名公钥指纹，"
            "用“导入登记文件…”导入管理员给回的登记文件。").format(
            path=req.path, device=req.device_id, name=req.device_name, fp=req.fingerprint), "ok")

    # ---- ② the enrollment file ------------------------------------------------------------
    def open_enrollment(self, path: str | Path | None = None) -> BackgroundOp | None:
        expected = self.fingerprint_edit.text().strip()
        if not expected:
            show_message(self.result, self.tr(
                "请先填写服务器签名公钥指纹（向服务器管理员当面或电话索取：weicha-server keys 所示的“签名”指纹），"
                "再导入登记文件。指纹不符的登记文件不会被导入。"), "error")
            self.fingerprint_edit.setFocus()
            return None
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self, self.tr("导入登记文件"), self._folder(),
                                                  self.tr("登记文件 (*.wce)"))
            if not path:
                return None
        src, actor = Path(path), self.actor

        def work(job) -> Any:
            from weicha_desktop.core.bundle.offline_enroll import apply_enrollment
            from weicha_desktop.core.sync.enrollment import SyncConfig

            return apply_enrollment(job.store, actor, src, config=SyncConfig.of(job.store),
                                    expected_fingerprint=expected)

        return self._run(work, self._enrolled)

    def _enrolled(self, done: Any) -> None:
        unit = self.tr("（单位 {unit}）").format(unit=done.unit_code) if done.unit_code else ""
        show_message(self.result, self.tr(
            "已离线登记：本机登记到同步服务器 {server}{unit}。\n服务器签名公钥指纹（SHA-256，与填写的相符）：{fp}").format(
            server=done.server_id, unit=unit, fp=done.fingerprint), "ok")
        self.refresh()
        self.enrolled.emit(done)
