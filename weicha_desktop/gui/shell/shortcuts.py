"""帮助 → 快捷键: every key of the program in one list (docs/gui.md repeats it; a test keeps the
two in step). The keys themselves are made where they act (forms/view.py, cases/workspace.py).
The Alt letters of the buttons are the interface language's (English puts them inside the word:
Fina&lize), so their row is translated like the words."""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QHeaderView, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)


def key_list() -> list[tuple[str, str]]:
    """(keys, what they do), in the order a case is worked. ``translate`` is spelled out per
    string: lupdate finds only that form."""
    return [
        ("Ctrl+N",
         QCoreApplication.translate("Shortcuts", "新建勘验（光标停在第一个待填的必填项）")),
        ("Ctrl+S",
         QCoreApplication.translate("Shortcuts", "保存")),
        ("F7",
         QCoreApplication.translate("Shortcuts", "检查：列出阻止定稿的问题")),
        ("F8 / Shift+F8",
         QCoreApplication.translate("Shortcuts", "下一个 / 上一个问题，并定位到该栏目（尚未检查时先检查）")),
        ("Ctrl+Shift+F",
         QCoreApplication.translate("Shortcuts", "定稿")),
        ("Ctrl+PgDown / Ctrl+PgUp",
         QCoreApplication.translate("Shortcuts", "下一个 / 上一个标签页")),
        ("Ctrl+1 / Ctrl+2 / Ctrl+3",
         QCoreApplication.translate("Shortcuts", "笔录 / 照片 / 物证登记")),
        ("Ctrl+P",
         QCoreApplication.translate("Shortcuts", "报告：预览、打印或导出 PDF")),
        ("Tab / Shift+Tab",
         QCoreApplication.translate("Shortcuts", "下一个 / 上一个输入项（表格中跳过系统填写的格）")),
        ("Ctrl+Enter",
         QCoreApplication.translate("Shortcuts", "表格：添加一行（提取人、提取时间沿用上一行）")),
        ("Enter",
         QCoreApplication.translate("Shortcuts", "表格：到本行下一个还需填写的格")),
        ("Alt+T",
         QCoreApplication.translate("Shortcuts", "插入模板：选定案件性质、现场勘验情况为空时，按记录填写五段勘验情况")),
        ("Ctrl+D",
         QCoreApplication.translate("Shortcuts", "表格：复制当前行（编号在保存时另给）")),
        ("Shift+←/→ / Ctrl+A",
         QCoreApplication.translate("Shortcuts", "照片：多选；分类、说明前缀、照相人一次改所选的全部照片")),
        ("1–6",
         QCoreApplication.translate("Shortcuts", "照片：所选照片分为方位、概貌、重点部位、细目、物证照片、其他；只选一张时，分好后选中下一张")),
        (QCoreApplication.translate("Shortcuts", "Alt+S C D A R X N"),
         QCoreApplication.translate("Shortcuts", "保存、检查、定稿、补正、报告、放弃恢复、新建勘验")),
        ("Alt+I",
         QCoreApplication.translate("Shortcuts", "照片：导入文件夹（读卡器中的相机存储卡自动填入，否则输入文件夹），照片先分为细目（可另选），Enter 导入")),
        ("Alt+E",
         QCoreApplication.translate("Shortcuts", "报告：导出 PDF（另有 Alt+V 预览、Alt+P 打印）")),
        ("Alt+Q / Alt+S / Alt+M / Alt+T / Alt+A / Alt+R",
         QCoreApplication.translate("Shortcuts", "审核：待审核的勘验、意见所指栏目、意见、退回补正、审核通过、报告")),
        ("Delete",
         QCoreApplication.translate("Shortcuts", "清空数字或日期")),
        ("Ctrl+Shift+E",
         QCoreApplication.translate("Shortcuts", "文件 → 导出数据包：把待同步的数据写到 U 盘，带到服务器导入")),
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
