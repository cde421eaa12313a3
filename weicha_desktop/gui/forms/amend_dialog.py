"""补正: ask why a finalized case is being corrected. The reason is required (it goes into
the new version and the work log)."""
from __future__ import annotations

from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QVBoxLayout,
                               QWidget)

from weicha_desktop.core.cases import CaseRecord


class AmendDialog(QDialog):
    def __init__(self, case: CaseRecord, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("amendDialog")
        self.setWindowTitle(self.tr("补正"))
        intro = QLabel(self.tr(
            "勘验 {number} 第 {version} 版已定稿，不能直接修改。补正将生成第 {next} 版草稿，"
            "原版本保持不变。请写明补正原因：").format(
                number=case.number, version=case.version, next=case.version + 1))
        intro.setWordWrap(True)
        self.reason = QPlainTextEdit()
        self.reason.setObjectName("amendReason")
        self.reason.setTabChangesFocus(True)
        self.reason.setPlaceholderText(self.tr("例如：发案地点门牌号有误"))
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setObjectName("amendOk")
        ok.setText(self.tr("补正"))
        ok.setEnabled(False)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        self.reason.textChanged.connect(lambda: ok.setEnabled(bool(self.reason_text())))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.reason)
        layout.addWidget(self.buttons)
        self.resize(460, 240)

    def reason_text(self) -> str:
        return self.reason.toPlainText().strip()

    @classmethod
    def ask(cls, case: CaseRecord, parent: QWidget | None = None) -> str | None:
        """The reason, or None if the user cancelled."""
        dialog = cls(case, parent)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        reason = dialog.reason_text()
        dialog.deleteLater()
        return reason if accepted and reason else None
