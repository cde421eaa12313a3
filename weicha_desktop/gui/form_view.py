"""A case's form: one tab per section of its FormSpec, 保存 / 检查 / 定稿, problems listed.

Rendering is driven entirely by the FormSpec (a field added to the YAML appears here with no
Python change). This first window saves on request; autosave, live ``relevant``, 补正 and
review belong to the capture window that replaces it."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QFormLayout, QFrame, QHBoxLayout, QLabel, QListWidget,
                               QListWidgetItem, QMessageBox, QPushButton, QScrollArea, QTabWidget,
                               QVBoxLayout, QWidget)

from weicha_desktop.core.cases import CaseRecord, CaseService
from weicha_desktop.core.errors import FinalizeBlocked, Problem, ValidationFailed, WeichaError
from weicha_desktop.core.forms.spec import FormSpec, Section
from weicha_desktop.gui.form_fields import Editor, label_html
from weicha_desktop.gui.form_groups import make_editor

PATH_ROLE = Qt.ItemDataRole.UserRole
STYLE = """
QLineEdit[readOnly="true"], QPlainTextEdit[readOnly="true"],
QAbstractSpinBox[readOnly="true"] { background: #f2f2f2; color: #333; }
QLabel#formMessage[kind="error"] { color: #b00020; }
QLabel#formMessage[kind="ok"] { color: #1b5e20; }
QLabel#returnedLabel { color: #b00020; }
"""


class FormView(QWidget):
    saved = Signal(object)  # the CaseRecord after a save or finalize

    def __init__(self, cases: CaseService, case: CaseRecord, parent: QWidget | None = None):
        super().__init__(parent)
        self.cases = cases
        self.case = case
        self.spec: FormSpec = cases.spec_for(case)
        self.editors: dict[str, Editor] = {}
        self._section_of: dict[str, int] = {}  # data key (field id, “其他” text) → tab
        self._owner: dict[str, Editor] = {}     # data key → the editor that shows it
        self.setStyleSheet(STYLE)

        self.title = QLabel()
        self.title.setObjectName("formTitle")
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.returned = QLabel()
        self.returned.setObjectName("returnedLabel")
        self.returned.setWordWrap(True)
        self.save_button = self._button("保存", "saveButton", self.save)
        self.check_button = self._button("检查", "checkButton", self.check)
        self.finalize_button = self._button("定稿", "finalizeButton", self.finalize)
        self.check_button.setToolTip("列出阻止定稿的问题：必填项与一长四必")
        self.finalize_button.setToolTip("定稿后记录锁定并计算哈希，不能再直接修改")

        self.tabs = QTabWidget()
        self.tabs.setObjectName("formTabs")
        self.tabs.setDocumentMode(True)
        for index, section in enumerate(self.spec.sections):
            self.tabs.addTab(self._section_page(section, index), section.title.zh)

        self.message = QLabel()
        self.message.setObjectName("formMessage")
        self.message.setWordWrap(True)
        self.problems = QListWidget()
        self.problems.setObjectName("problemList")
        self.problems.setMaximumHeight(150)
        self.problems.setAlternatingRowColors(True)
        self.problems.itemActivated.connect(lambda item: self.focus_path(item.data(PATH_ROLE)))
        self.problems.hide()

        bar = QHBoxLayout()
        bar.addWidget(self.title)
        bar.addStretch(1)
        for button in (self.save_button, self.check_button, self.finalize_button):
            bar.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.returned)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.problems)
        self.load(case)

    # ---- building --------------------------------------------------------------------------
    def _button(self, text: str, name: str, slot) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.clicked.connect(slot)
        return button

    def _section_page(self, section: Section, index: int) -> QScrollArea:
        page = QWidget()
        page.setObjectName(f"section_{section.id}")
        outer = QVBoxLayout(page)
        form = QFormLayout()
        outer.addLayout(form)
        outer.addStretch(1)  # rows keep their height; spare room goes below the last one
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.setVerticalSpacing(10)
        for field in section.fields:
            editor = make_editor(field)
            self.editors[field.id] = editor
            for key in editor.keys():
                self._section_of[key] = index
                self._owner[key] = editor
            if editor.wide:
                form.addRow(QLabel(label_html(field)))
                form.addRow(editor.row_widget)
            else:
                label = QLabel(label_html(field))
                label.setBuddy(editor.widget)
                form.addRow(label, editor.row_widget)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(page)
        return scroll

    # ---- data ------------------------------------------------------------------------------
    def load(self, case: CaseRecord) -> None:
        self.case = case
        for editor in self.editors.values():
            editor.load(case.data)
        self.set_readonly(case.locked or case.status != "draft")
        self._update_title()

    def _update_title(self) -> None:
        c = self.case
        self.title.setText(f"{self.spec.title.zh}　{c.number}　第 {c.version} 版　{c.status_label}")
        self.returned.setText(f"退回意见：{c.returned_comment}" if c.returned_comment else "")
        self.returned.setVisible(bool(c.returned_comment))

    def values(self) -> dict[str, Any]:
        """The form's data as the record holds it; empty inputs and system fields left out."""
        out: dict[str, Any] = {}
        for editor in self.editors.values():
            if not editor.field.readonly:
                out.update(editor.values())
        return out

    def changes(self) -> dict[str, Any]:
        """What ``CaseService.update`` needs: changed keys, and None for keys emptied here."""
        new = self.values()
        keys = {k for e in self.editors.values() if not e.field.readonly for k in e.keys()}
        out = {k: v for k, v in new.items() if self.case.data.get(k) != v}
        out.update({k: None for k in keys if k not in new and k in self.case.data})
        return out

    def is_dirty(self) -> bool:
        return self.is_editable() and bool(self.changes())

    def is_editable(self) -> bool:
        return not self.case.locked and self.case.status == "draft"

    def set_readonly(self, readonly: bool) -> None:
        for editor in self.editors.values():
            editor.set_readonly(readonly or editor.field.readonly)
        for button in (self.save_button, self.check_button, self.finalize_button):
            button.setEnabled(not readonly)

    # ---- actions ---------------------------------------------------------------------------
    def save(self) -> bool:
        """Save the changes; True if saved (or nothing to save)."""
        changes = self.changes()
        if not changes:
            self.show_message("没有需要保存的修改。", "ok")
            return True
        try:
            case = self.cases.update(self.case.id, changes)
        except ValidationFailed as e:
            self.show_problems(e.problems, f"未保存：{len(e.problems)} 处数据有误，请更正后再保存。")
            return False
        except WeichaError as e:
            self.show_problems([], f"未保存：{e}")
            return False
        self.load(case)  # what the system added (物证编号 H…) shows, and is sent back next time
        self.show_problems([], f"已保存（{case.updated_at[:16].replace('T', ' ')}）。", "ok")
        self.saved.emit(case)
        return True

    def check(self) -> list[Problem]:
        """Save pending changes, then list what still blocks finalizing."""
        if not self.save():
            return []
        problems = self.cases.blockers(self.case.id)
        if problems:
            self.show_problems(problems, f"尚不能定稿：{len(problems)} 项待补充（双击定位）。")
        else:
            self.show_problems([], "检查通过：可以定稿。", "ok")
        return problems

    def confirm_finalize(self) -> bool:
        answer = QMessageBox.question(
            self, "定稿", f"定稿后勘验 {self.case.number} 第 {self.case.version} 版将被锁定，"
            "不能再直接修改（如需更正须“补正”）。\n确定定稿吗？")
        return answer == QMessageBox.StandardButton.Yes

    def finalize(self) -> bool:
        if not self.save():
            return False
        blockers = self.cases.blockers(self.case.id)
        if blockers:
            self.show_problems(blockers, f"不能定稿：尚缺 {len(blockers)} 项（双击定位）。")
            return False
        if not self.confirm_finalize():
            return False
        try:
            case = self.cases.finalize(self.case.id)
        except FinalizeBlocked as e:
            self.show_problems(e.problems, f"不能定稿：尚缺 {len(e.problems)} 项（双击定位）。")
            return False
        except WeichaError as e:
            self.show_problems([], f"不能定稿：{e}")
            return False
        self.load(case)
        self.show_problems([], f"已定稿，内容哈希 {case.content_hash[:16]}…", "ok")
        self.saved.emit(case)
        return True

    # ---- problems --------------------------------------------------------------------------
    def show_message(self, text: str, kind: str = "error") -> None:
        self.message.setText(text)
        self.message.setProperty("kind", kind)
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)

    def show_problems(self, problems: list[Problem], message: str, kind: str = "error") -> None:
        self.show_message(message, kind)
        self.problems.clear()
        for problem in problems:
            item = QListWidgetItem(self._problem_text(problem))
            item.setData(PATH_ROLE, problem.path)
            self.problems.addItem(item)
        self.problems.setVisible(bool(problems))

    def _problem_text(self, problem: Problem) -> str:
        """The Chinese message, prefixed with its tab when it names a field."""
        top = problem.path.split(".")[0].split("[")[0]
        if top in self._section_of:
            return f"【{self.tabs.tabText(self._section_of[top])}】{problem.message}"
        return problem.message

    def focus_path(self, path: str | None) -> None:
        """Show the tab and input of a problem's field path (``witnesses[0].id_number``)."""
        if not path:
            return
        top = path.split(".")[0].split("[")[0]
        editor = self._owner.get(top)
        if editor is None:
            return
        self.tabs.setCurrentIndex(self._section_of[top])
        scroll = self.tabs.currentWidget()
        if isinstance(scroll, QScrollArea):
            scroll.ensureWidgetVisible(editor.row_widget)
        editor.focus(path[len(top):])
