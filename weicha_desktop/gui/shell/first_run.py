"""首次使用向导: the unit, this laptop's numbering slot and the first administrator (with their
警号, which makes their user id the same on every device).

Each page checks its own inputs with the core's rules before moving on; the last page calls
``core.setup.initialize`` and, if the core refuses, shows why on the page (the wizard stays)."""
from __future__ import annotations

from PySide6.QtCore import QRegularExpression
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (QFormLayout, QLabel, QLineEdit, QSpinBox, QVBoxLayout, QWidget,
                               QWizard, QWizardPage)

from weicha_desktop.core.errors import WeichaError
from weicha_desktop.core.numbering import MAX_SERIAL, SlotPlan, check_unit_code
from weicha_desktop.core.setup import initialize
from weicha_desktop.core.store import Actor, Store
from weicha_desktop.core.passwords import MIN_PASSWORD
from weicha_desktop.core.users import validate_new_user

ERROR_STYLE = "color: #b00020;"
HINT_STYLE = "color: #555;"


def _hint(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet(HINT_STYLE)
    return label


def _error_label(name: str) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setStyleSheet(ERROR_STYLE)
    label.hide()
    return label


class _Page(QWizardPage):
    """A page with a form and an error line under it."""

    def __init__(self, error_name: str):
        super().__init__()
        self.form = QFormLayout()
        self.error = _error_label(error_name)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addStretch(1)
        layout.addWidget(self.error)

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))


class UnitPage(_Page):
    def __init__(self):
        super().__init__("unitError")
        self.setTitle(self.tr("本单位"))
        self.setSubTitle(self.tr("这台电脑上的勘验记录属于哪个单位。"))
        self.code = QLineEdit()
        self.code.setObjectName("unitCodeEdit")
        self.code.setValidator(QRegularExpressionValidator(QRegularExpression(r"\d{0,12}")))
        self.code.setPlaceholderText(self.tr("例如 450702000000"))
        self.code.setMaxLength(12)
        self.name = QLineEdit()
        self.name.setObjectName("unitNameEdit")
        self.name.setPlaceholderText(self.tr("例如 钦州市公安局钦南分局刑侦大队"))
        self.form.addRow(self.tr("单位代码："), self.code)
        self.form.addRow("", _hint(self.tr(
            "12 位数字的公安机关机构代码，是勘验号的一部分"
            "（勘验号 = K + 单位代码 + 年月 + 4 位序号），初始化后不能更改。")))
        self.form.addRow(self.tr("单位名称："), self.name)

    def validatePage(self) -> bool:
        try:
            check_unit_code(self.code.text().strip())
            if not self.name.text().strip():
                raise WeichaError(self.tr("请填写单位名称。"))
        except WeichaError as e:
            self.show_error(str(e))
            return False
        self.show_error("")
        return True


class DevicePage(_Page):
    def __init__(self):
        super().__init__("deviceError")
        self.setTitle(self.tr("本机编号段"))
        self.setSubTitle(self.tr("本单位每台勘验电脑各占一个编号段。"))
        self.slot = QSpinBox()
        self.slot.setObjectName("deviceSlotSpin")
        self.slot.setRange(1, 99)
        self.slots = QSpinBox()
        self.slots.setObjectName("deviceSlotsSpin")
        self.slots.setRange(1, 99)
        for spin in (self.slot, self.slots):
            spin.setMaximumWidth(120)
        self.slots.valueChanged.connect(self._update)
        self.slot.valueChanged.connect(self._update)
        self.form.addRow(self.tr("本单位共几台："), self.slots)
        self.form.addRow(self.tr("本机是第几台："), self.slot)
        self.form.addRow("", _hint(self.tr(
            "本单位的每台笔记本选用不同的编号段（第 d 台，共 n 台），"
            "各自离线分配勘验号，两台电脑的勘验号永不重复。")))
        self.range_label = _hint("")
        self.range_label.setObjectName("deviceRangeLabel")
        self.form.addRow("", self.range_label)
        self._update()

    def _update(self) -> None:
        slots = self.slots.value()
        self.slot.setMaximum(slots)
        slot = self.slot.value()
        block = MAX_SERIAL // slots
        self.range_label.setText(
            self.tr("本机每月使用序号 {first}–{last}（每月 {block} 个）。").format(
                first=f"{(slot - 1) * block + 1:04d}", last=f"{slot * block:04d}", block=block))

    def validatePage(self) -> bool:
        try:
            SlotPlan(self.slot.value(), self.slots.value())
        except WeichaError as e:
            self.show_error(str(e))
            return False
        self.show_error("")
        return True


class AdminPage(_Page):
    def __init__(self, wizard: "FirstRunWizard"):
        super().__init__("adminError")
        self.setTitle(self.tr("管理员账号"))
        self.setSubTitle(self.tr("第一位用户是管理员，之后由其添加勘验员和审核人。"))
        self._wizard = wizard
        self.name = QLineEdit()
        self.name.setObjectName("adminNameEdit")
        self.name.setPlaceholderText(self.tr("2–32 个字符：汉字、字母、数字"))
        self.badge = QLineEdit()
        self.badge.setObjectName("adminBadgeEdit")
        self.badge.setValidator(QRegularExpressionValidator(QRegularExpression(r"[0-9A-Za-z]{0,12}")))
        self.badge.setMaxLength(12)
        self.badge.setPlaceholderText(self.tr("例如 123456"))
        self.password = QLineEdit()
        self.password.setObjectName("adminPasswordEdit")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(
            self.tr("至少 {n} 位，不含用户名，不用常见密码").format(n=MIN_PASSWORD))
        self.repeat = QLineEdit()
        self.repeat.setObjectName("adminPasswordRepeatEdit")
        self.repeat.setEchoMode(QLineEdit.EchoMode.Password)
        self.form.addRow(self.tr("用户名："), self.name)
        self.form.addRow(self.tr("警号："), self.badge)
        self.form.addRow("", _hint(self.tr(
            "本人的警号（4–12 位数字或字母），本单位内唯一，设定后不能更改："
            "在各台电脑和服务器上，勘验记录都凭警号认出同一个人。")))
        self.form.addRow(self.tr("密码："), self.password)
        self.form.addRow(self.tr("再输入一次："), self.repeat)
        self.form.addRow("", _hint(self.tr(
            "密码至少 {n} 位，不能包含用户名，也不能是 12345678、password 这类常见密码。"
            "请牢记密码：本程序离线运行，忘记后无法找回。").format(n=MIN_PASSWORD)))

    def validatePage(self) -> bool:
        try:
            validate_new_user(self.name.text().strip(), "admin", self.password.text(),
                              self.badge.text())
            if self.password.text() != self.repeat.text():
                raise WeichaError(self.tr("两次输入的密码不一致。"))
            self._wizard.create()
        except WeichaError as e:
            self.show_error(str(e))
            return False
        self.show_error("")
        return True


class FirstRunWizard(QWizard):
    """On success ``admin`` holds the new administrator (an Actor)."""

    def __init__(self, store: Store, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.admin: Actor | None = None
        self.setWindowTitle(self.tr("微察桌面版 — 首次使用向导"))
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setButtonText(QWizard.WizardButton.NextButton, self.tr("下一步 >"))
        self.setButtonText(QWizard.WizardButton.BackButton, self.tr("< 上一步"))
        self.setButtonText(QWizard.WizardButton.FinishButton, self.tr("完成"))
        self.setButtonText(QWizard.WizardButton.CancelButton, self.tr("取消"))
        self.unit_page = UnitPage()
        self.device_page = DevicePage()
        self.admin_page = AdminPage(self)
        for page in (self.unit_page, self.device_page, self.admin_page):
            self.addPage(page)
        self.resize(640, 480)

    def create(self) -> Actor:
        """Initialize the data folder from the pages' inputs (WeichaError if refused)."""
        self.admin = initialize(
            self.store,
            unit_code=self.unit_page.code.text().strip(),
            unit_name=self.unit_page.name.text().strip(),
            admin_name=self.admin_page.name.text().strip(),
            admin_password=self.admin_page.password.text(),
            admin_badge=self.admin_page.badge.text(),
            device_slot=self.device_page.slot.value(),
            device_slots=self.device_page.slots.value(),
        )
        return self.admin


__all__ = ["FirstRunWizard"]
