"""设置: the interface language (takes effect at the next start), and where things are kept."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel,
                               QVBoxLayout, QWidget)

from weicha_desktop.gui.common.i18n import LANGUAGES
from weicha_desktop.gui.common.settings import Settings

HINT_STYLE = "color: #555;"


class SettingsDialog(QDialog):
    def __init__(self, settings: Settings, data_dir: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.settings = settings
        self.setWindowTitle(self.tr("设置"))

        self.language = QComboBox()
        self.language.setObjectName("languageCombo")
        for code, name in LANGUAGES.items():
            self.language.addItem(name, code)
        self.language.setCurrentIndex(self.language.findData(settings.language))
        restart = self._hint(self.tr("更改语言后，重新启动程序才会生效。"))
        data = self._hint(str(data_dir))
        data.setObjectName("dataDirLabel")
        config = self._hint(settings.file_name())
        config.setObjectName("settingsFileLabel")

        form = QFormLayout()
        form.addRow(self.tr("界面语言："), self.language)
        form.addRow("", restart)
        form.addRow(self.tr("数据文件夹："), data)
        form.addRow(self.tr("设置文件："), config)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.setObjectName("settingsButtons")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.setMinimumWidth(460)

    @staticmethod
    def _hint(text: str) -> QLabel:
        label = QLabel(text)
        label.setWordWrap(True)
        label.setStyleSheet(HINT_STYLE)
        return label

    def chosen_language(self) -> str:
        return self.language.currentData()

    def accept(self) -> None:
        self.settings.language = self.chosen_language()
        self.settings.sync()
        super().accept()
