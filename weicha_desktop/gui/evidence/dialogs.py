"""The two questions the 痕迹物证 register asks: a comparison's date and result (比中 needs
the result written down), and how to print labels (sheet layout, labels already used)."""
from __future__ import annotations

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (QComboBox, QDateEdit, QDialog, QDialogButtonBox, QFormLayout, QLabel,
                               QLineEdit, QSpinBox, QVBoxLayout, QWidget)

from weicha_desktop.core.reports.labels import LAYOUTS

MATCH = "match"  # the code of 比中 (core/labels: a v3 record stores it; see register.py)


class ComparisonDialog(QDialog):
    """比中 / 未比中 of one item: ``compared_on`` (YYYY-MM-DD) and ``result`` after exec().
    ``status`` is the code (match, no_match), ``label`` its words as shown."""

    def __init__(self, number: str, name: str, status: str, parent: QWidget | None = None,
                 label: str | None = None):
        super().__init__(parent)
        self.setObjectName("comparisonDialog")
        self.status = status
        label = label or status
        self.setWindowTitle(self.tr("登记比对结果：{status}").format(status=label))
        intro = QLabel(self.tr("{number}　{name}\n必比状态将改为“{status}”。").format(
            number=number, name=name, status=label))
        intro.setWordWrap(True)
        self.date = QDateEdit(QDate.currentDate())
        self.date.setObjectName("comparedOn")
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.date.setMaximumDate(QDate.currentDate().addDays(1))
        self.result_edit = QLineEdit()
        self.result_edit.setObjectName("comparisonResult")
        self.result_edit.setMinimumWidth(360)
        self.result_edit.setPlaceholderText(
            self.tr("必填：写明比中对象，如“比中前科人员张某右手拇指”") if status == MATCH
            else self.tr("可写明比对范围，如“全国库比对未比中”"))
        self.error = QLabel()
        self.error.setObjectName("comparisonError")
        self.error.setStyleSheet("color: #b00020;")
        self.error.hide()
        form = QFormLayout()
        form.addRow(self.tr("比对日期："), self.date)
        form.addRow(self.tr("比对结果：") if status == MATCH else self.tr("结果说明："), self.result_edit)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.setObjectName("comparisonButtons")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    @property
    def compared_on(self) -> str:
        return self.date.date().toString("yyyy-MM-dd")

    @property
    def result(self) -> str:
        return self.result_edit.text().strip()

    def accept(self) -> None:
        if self.status == MATCH and not self.result:
            self.error.setText(self.tr("比中须写明比对结果（比中对象），否则不能保存。"))
            self.error.show()
            self.result_edit.setFocus()
            return
        super().accept()


class LabelDialog(QDialog):
    """Sheet layout and how many labels of the first sheet are already used."""

    def __init__(self, count: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("labelDialog")
        self.setWindowTitle(self.tr("打印物证标签"))
        self.keys = list(LAYOUTS)
        self.layout_combo = QComboBox()
        self.layout_combo.setObjectName("labelLayout")
        for key in self.keys:
            self.layout_combo.addItem(LAYOUTS[key].name)
        self.skip = QSpinBox()
        self.skip.setObjectName("labelSkip")
        self.skip.setSuffix(self.tr(" 张"))
        self.skip.setToolTip(self.tr("标签纸已用过一部分时，跳过前面已用掉的标签位置"))
        self.layout_combo.currentIndexChanged.connect(self._layout_changed)
        self._layout_changed(0)
        info = QLabel(self.tr("共 {n} 件已编号的痕迹物证，每件一张标签（含编号二维码）。").format(n=count))
        info.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("标签纸："), self.layout_combo)
        form.addRow(self.tr("跳过已用："), self.skip)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("生成 PDF…"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(info)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def _layout_changed(self, index: int) -> None:
        spec = LAYOUTS[self.keys[index]]
        self.skip.setRange(0, spec.cols * spec.rows - 1)

    @property
    def layout_key(self) -> str:
        return self.keys[self.layout_combo.currentIndex()]
