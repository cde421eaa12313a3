"""文件 → 校验数据…: ``weicha verify`` in the window (core/verify), while the program runs.

    ┌ 校验数据 ──────────────────────────────────────────────────────┐
    │ 核对工作日志的哈希链、本机的签名检查点、记录与工作日志是否一致……    │
    │ 校验失败：发现 2 处改动或损坏                                    │
    │ ┌────────────────────────────────────────────────────────────┐ │
    │ │ ✗ 数据被回滚：本机签名检查点……          (red: a fault)        │ │
    │ │ ! 本机没有这份数据的签名检查点……        (amber: a warning)    │ │
    │ │ · 签名检查点相符：工作日志第 40 条……    (grey: a notice)      │ │
    │ └────────────────────────────────────────────────────────────┘ │
    │                                          重新校验      关闭     │
    └────────────────────────────────────────────────────────────────┘

The check runs as a ``BackgroundOp`` (common/ops.py) with a read-only connection of its own
(``open_for_verify``: the program holds the folder, so it reads through the write-ahead log)
and an ``Anchor`` of its own on the same key store: it never writes, and the window stays
usable. It starts when the dialog opens (the status bar's red notice asks for it)."""
from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QTextBrowser, QVBoxLayout, QWidget

from weicha_desktop.core.checkpoint import Anchor
from weicha_desktop.core.store import Store
from weicha_desktop.core.verify import VerifyReport, open_for_verify, verify
from weicha_desktop.gui.common.op_dialog import OpDialog, button, show_message
from weicha_desktop.gui.common.ops import BackgroundOp, OpFailure

FAULT, WARNING, NOTICE = "#b00020", "#8a5300", "#666666"
STYLE = """
QLabel#verifySummary { font-weight: bold; }
QLabel#verifySummary[kind="error"] { color: #b00020; }
QLabel#verifySummary[kind="ok"] { color: #1b5e20; }
"""


def run_verify(data_dir: Path, anchor: Anchor) -> VerifyReport:
    """What ``weicha verify`` does, for a worker thread: its own read-only store."""
    with open_for_verify(data_dir, anchor) as store:
        return verify(store)


class VerifyDialog(OpDialog):
    def __init__(self, store: Store, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("verifyDialog")
        self.setWindowTitle(self.tr("校验数据"))
        self.setStyleSheet(STYLE)
        self.data_dir = store.data_dir
        self.anchor = store.anchor or Anchor.default()
        self.report: VerifyReport | None = None

        info = QLabel(self.tr("核对工作日志的哈希链、本机保存的签名检查点、各项记录与工作日志是否一致，"
                              "以及原始照片是否完好。只读取，不改动任何数据；校验时可以继续工作。"))
        info.setObjectName("verifyInfo")
        info.setWordWrap(True)
        self.summary = QLabel()
        self.summary.setObjectName("verifySummary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details = QTextBrowser()
        self.details.setObjectName("verifyReport")
        self.details.setOpenLinks(False)
        self.again_button = button(self.tr("重新校验"), "verifyAgainButton", self.start)
        self.close_button = button(self.tr("关闭"), "closeVerifyButton", self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.again_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(info)
        layout.addWidget(self.summary)
        layout.addWidget(self.details, 1)
        layout.addLayout(buttons)
        self.resize(720, 480)

    def start(self) -> bool:
        """Check the data (again) on a worker; the report replaces the last one."""
        if self.is_running():
            return False
        data_dir, anchor = self.data_dir, self.anchor.reader()
        self.report = None
        self.details.clear()
        self._summary(self.tr("正在校验…"), "")
        self.run_op(BackgroundOp(self, lambda _job: run_verify(data_dir, anchor)))
        return True

    def _update_controls(self) -> None:
        self.again_button.setEnabled(not self.is_running())

    def reject(self) -> None:
        """关闭 while it checks: the window goes at once (the check only reads; it is waited
        for when the program closes)."""
        QDialog.reject(self)

    def _succeeded(self, report: VerifyReport) -> None:
        self.report = report
        if report.ok:
            self._summary(self.tr("校验通过：工作日志 {entries} 条，定稿记录 {versions} 版，用户 {users} 位，"
                                  "原始照片 {originals} 张，均未被改动。").format(
                entries=report.audit_entries, versions=report.finalized_versions, users=report.users,
                originals=report.originals), "ok")
        else:
            self._summary(self.tr("校验失败：发现 %n 处改动或损坏。请保留这台电脑上的数据原样，并联系管理员。",
                                  "", len(report.faults)), "error")
        lines = ([(FAULT, "✗", text) for text in report.faults]
                 + [(WARNING, "!", text) for text in report.warnings]
                 + [(NOTICE, "·", text) for text in report.notices])
        self.details.setHtml("".join(
            f'<p style="color:{color}; margin-bottom:6px">{mark} {html.escape(text)}</p>'
            for color, mark, text in lines))

    def _failed(self, failure: OpFailure) -> None:
        self._summary(self.tr("校验时出错：{error}").format(error=failure.message), "error")

    def _summary(self, text: str, kind: str) -> None:
        show_message(self.summary, text, kind)
        self.summary.show()
