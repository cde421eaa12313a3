"""The top of the case form: title line with the autosave time, the switch between the views
of the case (笔录 / 照片 / 物证登记, once other views are added) and the action buttons
(保存 / 检查 / 定稿, or 补正 for a locked case; 报告… once cases/pages.py wires it), the
supervisor's return comment, the notice of recovered edits (with 放弃恢复) and, for an amended
version, why it was amended."""
from __future__ import annotations

from PySide6.QtWidgets import (QButtonGroup, QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout,
                               QWidget)

from weicha_desktop.core.cases import CaseRecord
from weicha_desktop.core.drafts import Recovery
from weicha_desktop.gui.common.labels import status_name


VIEW_STYLE = """
QPushButton[role="viewSwitch"] { padding: 4px 14px; border: 1px solid #9aa7b4; background: #f4f6f8; }
QPushButton[role="viewSwitch"]:checked { background: #1a5fb4; color: white; border-color: #1a5fb4; }
QLabel#autosaveLabel, QLabel#versionNote { color: #666; }
QLabel#returnedLabel { background: #fdecea; color: #8e0000; border-left: 5px solid #c62828;
                       padding: 8px 10px; font-weight: bold; }
QFrame#recoveryNotice { background: #fff8e1; border: 1px solid #f0c36d; border-radius: 3px; }
"""


class FormHeader(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setStyleSheet(VIEW_STYLE)
        self.title = QLabel()
        self.title.setObjectName("formTitle")
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.autosave_label = QLabel()
        self.autosave_label.setObjectName("autosaveLabel")
        self.save_button = self._button(self.tr("保存(&S)"), "saveButton")
        self.check_button = self._button(self.tr("检查(&C)"), "checkButton")
        self.finalize_button = self._button(self.tr("定稿(&D)"), "finalizeButton")
        self.amend_button = self._button(self.tr("补正(&A)"), "amendButton")
        self.amend_button.setToolTip(self.tr("已定稿的勘验不能直接修改：补正生成新版本，须写明原因"))
        self.report_button = self._button(self.tr("报告(&R)…"), "reportButton")
        self.report_button.hide()  # shown by whoever handles it (CasePages)
        # two rows: the title alone on the first (one line even at 1024×768), the view
        # switch and the actions on the second
        bar = QHBoxLayout()
        bar.addWidget(self.title, 1)
        bar.addSpacing(12)
        bar.addWidget(self.autosave_label)
        actions = QHBoxLayout()
        self.views = QHBoxLayout()  # 笔录 / 照片 / 物证登记: see add_view
        self.views.setSpacing(0)
        actions.addLayout(self.views)
        actions.addStretch(1)
        self.view_group = QButtonGroup(self)
        for button in (self.save_button, self.check_button, self.finalize_button, self.amend_button,
                       self.report_button):
            actions.addWidget(button)

        self.returned = QLabel()
        self.returned.setObjectName("returnedLabel")
        self.returned.setWordWrap(True)
        self.recovery = QFrame()
        self.recovery.setObjectName("recoveryNotice")
        self.recovery_text = QLabel()
        self.recovery_text.setObjectName("recoveryText")
        self.recovery_text.setWordWrap(True)
        self.discard_button = self._button(self.tr("放弃恢复(&X)"), "discardRecoveryButton")
        self.discard_button.setToolTip(self.tr("丢弃这些未保存的修改，回到上次保存的记录"))
        notice = QHBoxLayout(self.recovery)
        notice.setContentsMargins(10, 6, 10, 6)
        notice.addWidget(self.recovery_text, 1)
        notice.addWidget(self.discard_button)
        self.version_note = QLabel()
        self.version_note.setObjectName("versionNote")
        self.version_note.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addLayout(actions)
        for widget in (self.returned, self.recovery, self.version_note):
            layout.addWidget(widget)

    @staticmethod
    def _button(text: str, name: str) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        return button

    def add_view(self, title: str, name: str) -> QPushButton:
        """A checkable button that shows a view of the case (the first is the form itself)."""
        if not self.view_group.buttons():
            self.add_view_button(self.tr("笔录"), "view_form")
        return self.add_view_button(title, name)

    def add_view_button(self, title: str, name: str) -> QPushButton:
        button = self._button(title, name)
        button.setCheckable(True)
        button.setChecked(not self.view_group.buttons())
        button.setProperty("role", "viewSwitch")
        self.view_group.addButton(button, len(self.view_group.buttons()))
        self.views.addWidget(button)
        return button

    def show_case(self, case: CaseRecord, form_title: str, editable: bool, amendable: bool) -> None:
        status = status_name(case)
        version = self.tr("第 {n} 版").format(n=case.version)
        self.title.setText(f"{form_title}　{case.number}　{version}　{status}")
        self.returned.setText(self.tr("审核退回，请按意见补正：{comment}").format(
            comment=case.returned_comment) if case.returned_comment else "")
        self.returned.setVisible(bool(case.returned_comment))
        amended = bool(case.amends_id) and not case.returned_comment and editable
        self.version_note.setText(self.tr("补正第 {old} 版，原因：{reason}").format(
            old=case.version - 1, reason=case.amend_reason) if amended else "")
        self.version_note.setVisible(amended)
        for button in (self.save_button, self.check_button, self.finalize_button):
            button.setVisible(editable)
            button.setEnabled(editable)
        self.amend_button.setVisible(case.locked and amendable)
        if not editable:
            self.autosave_label.clear()

    def show_recovery(self, recovery: Recovery | None, actor_id: str | None) -> None:
        if recovery is not None:
            text = self.tr("已恢复上次未保存的草稿（自动保存于 {time}）。请核对后保存（Ctrl+S）。").format(
                time=recovery.saved_at[:19].replace("T", " "))
            if recovery.user_id != actor_id and recovery.user_name:
                text += self.tr("录入人：{name}。").format(name=recovery.user_name)
            self.recovery_text.setText(text)
        self.recovery.setVisible(recovery is not None)

    def show_autosaved(self, saved_at: str) -> None:
        self.autosave_label.setText(self.tr("已自动保存 {time}").format(time=saved_at[11:19]))
