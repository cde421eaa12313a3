"""帮助 → 快捷键: every key of the program in one list (docs/gui.md repeats it; a test keeps the
two in step). The keys themselves are made where they act (form_view.py, case_workspace.py)."""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QHeaderView, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)


def _t(text: str) -> str:
    return QCoreApplication.translate("Shortcuts", text)


def key_list() -> list[tuple[str, str]]:
    """(keys, what they do), in the order a case is worked."""
    return [
        ("Ctrl+N", _t("新建勘验（光标停在第一个待填的必填项）")),
        ("Ctrl+S", _t("保存")),
        ("F7", _t("检查：列出阻止定稿的问题")),
        ("F8 / Shift+F8", _t("下一个 / 上一个问题，并定位到该栏目")),
        ("Ctrl+Shift+F", _t("定稿")),
        ("Ctrl+PgDown / Ctrl+PgUp", _t("下一个 / 上一个标签页")),
        ("Ctrl+1 / Ctrl+2 / Ctrl+3", _t("笔录 / 照片 / 物证登记")),
        ("Ctrl+P", _t("报告：预览、打印或导出 PDF")),
        ("Tab / Shift+Tab", _t("下一个 / 上一个输入项（表格中跳过系统填写的格）")),
        ("Alt+S C D A R X N", _t("保存、检查、定稿、补正、报告、放弃恢复、新建勘验")),
        ("Delete", _t("清空数字或日期")),
    ]


class ShortcutsDialog(QDialog):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("shortcutsDialog")
        self.setWindowTitle(self.tr("快捷键"))
        keys = key_list()
        table = QTableWidget(len(keys), 2)
        table.setObjectName("shortcutsTable")
        table.setHorizontalHeaderLabels([self.tr("按键"), self.tr("作用")])
        table.verticalHeader().hide()
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for row, (key, what) in enumerate(keys):
            table.setItem(row, 0, QTableWidgetItem(key))
            table.setItem(row, 1, QTableWidgetItem(what))
        table.resizeColumnToContents(0)
        table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(table)
        layout.addWidget(buttons)
        self.resize(560, 420)
