"""首次使用向导 and 登录, driven through their widgets."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel, QLineEdit, QPushButton, QSpinBox, QWizard

from gui_support import UNIT_NAME, app, child, dialogs, store, type_into  # noqa: F401  (fixtures)
from support import PASSWORD, fixed_clock
from weicha_desktop.core.ids import user_id
from weicha_desktop.core.store import Store
from weicha_desktop.core.users import UserService
from weicha_desktop.gui.shell.first_run import FirstRunWizard
from weicha_desktop.gui.shell.login import LoginDialog

pytestmark = pytest.mark.usefixtures("dialogs")


def click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def fill(qtbot, parent, name: str, text: str) -> None:
    edit = child(parent, QLineEdit, name)
    edit.clear()
    type_into(qtbot, edit, text)


def make_wizard(qtbot, store) -> FirstRunWizard:
    wizard = FirstRunWizard(store)
    qtbot.addWidget(wizard)
    wizard.show()
    return wizard


def test_wizard_creates_unit_and_admin_and_login_works(app, qtbot, tmp_path):
    store = Store.open(tmp_path / "data", clock=fixed_clock())
    try:
        wizard = make_wizard(qtbot, store)
        next_button = wizard.button(QWizard.WizardButton.NextButton)

        code = child(wizard, QLineEdit, "unitCodeEdit")
        qtbot.keyClicks(code, "4507ab02000000-99")  # the validator keeps digits, 12 at most
        assert code.text() == "450702000000"
        fill(qtbot, wizard, "unitNameEdit", "灵山县公安局刑侦大队")
        click(qtbot, next_button)
        assert wizard.currentPage() is wizard.device_page

        child(wizard, QSpinBox, "deviceSlotsSpin").setValue(3)
        child(wizard, QSpinBox, "deviceSlotSpin").setValue(2)
        assert "3334–6666" in child(wizard, QLabel, "deviceRangeLabel").text()
        click(qtbot, next_button)
        assert wizard.currentPage() is wizard.admin_page

        fill(qtbot, wizard, "adminNameEdit", "zhangwei")
        badge = child(wizard, QLineEdit, "adminBadgeEdit")
        qtbot.keyClicks(badge, "a12-34 56")  # letters and digits only, upper case when stored
        assert badge.text() == "a123456"
        fill(qtbot, wizard, "adminPasswordEdit", "geheim-42")
        fill(qtbot, wizard, "adminPasswordRepeatEdit", "geheim-42")
        click(qtbot, wizard.button(QWizard.WizardButton.FinishButton))

        assert wizard.result() == QDialog.DialogCode.Accepted
        assert wizard.admin is not None and wizard.admin.role == "admin"
        assert store.is_initialized()
        assert store.meta("unit_code") == "450702000000"
        assert store.meta("unit_name") == "灵山县公安局刑侦大队"
        assert (store.meta("device_slot"), store.meta("device_slots")) == ("2", "3")
        # the admin's id comes from unit and 警号: the same on every device
        assert wizard.admin.id == user_id("450702000000", "A123456")
        assert UserService(store).badge_of(wizard.admin) == "A123456"

        dialog = LoginDialog(UserService(store), store.meta("unit_name"), "zhangwei")
        qtbot.addWidget(dialog)
        fill(qtbot, dialog, "passwordEdit", "geheim-42")
        click(qtbot, child(dialog, QPushButton, "loginButton"))
        assert dialog.result() == QDialog.DialogCode.Accepted
        assert dialog.user.name == "zhangwei" and dialog.user.role == "admin"
    finally:
        store.close()


def test_wizard_pages_refuse_bad_input_in_chinese(app, qtbot, tmp_path):
    store = Store.open(tmp_path / "data", clock=fixed_clock())
    try:
        wizard = make_wizard(qtbot, store)
        next_button = wizard.button(QWizard.WizardButton.NextButton)
        fill(qtbot, wizard, "unitCodeEdit", "4507")
        fill(qtbot, wizard, "unitNameEdit", "某单位")
        click(qtbot, next_button)
        assert wizard.currentPage() is wizard.unit_page
        error = child(wizard, QLabel, "unitError")
        assert error.isVisible() and "12 位数字" in error.text()

        fill(qtbot, wizard, "unitCodeEdit", "450702000000")
        click(qtbot, next_button)
        click(qtbot, next_button)
        fill(qtbot, wizard, "adminNameEdit", "admin")
        fill(qtbot, wizard, "adminPasswordEdit", "abc")
        fill(qtbot, wizard, "adminPasswordRepeatEdit", "abc")
        click(qtbot, wizard.button(QWizard.WizardButton.FinishButton))
        assert "警号须为 4–12 位数字或字母" in child(wizard, QLabel, "adminError").text()
        fill(qtbot, wizard, "adminBadgeEdit", "123")
        click(qtbot, wizard.button(QWizard.WizardButton.FinishButton))
        assert "警号须为 4–12 位数字或字母（现为“123”）" in child(wizard, QLabel, "adminError").text()
        fill(qtbot, wizard, "adminBadgeEdit", "123456")
        click(qtbot, wizard.button(QWizard.WizardButton.FinishButton))
        assert "至少 8 位" in child(wizard, QLabel, "adminError").text()
        for weak, reason in (("woaini1314", "常见密码"), ("admin-2026", "不能包含用户名")):
            fill(qtbot, wizard, "adminPasswordEdit", weak)
            fill(qtbot, wizard, "adminPasswordRepeatEdit", weak)
            click(qtbot, wizard.button(QWizard.WizardButton.FinishButton))
            assert reason in child(wizard, QLabel, "adminError").text()

        fill(qtbot, wizard, "adminPasswordEdit", "secret-1")
        fill(qtbot, wizard, "adminPasswordRepeatEdit", "secret-2")
        click(qtbot, wizard.button(QWizard.WizardButton.FinishButton))
        assert "不一致" in child(wizard, QLabel, "adminError").text()
        assert wizard.isVisible() and not store.is_initialized()
    finally:
        store.close()


def test_wizard_shows_a_refusal_of_initialize_on_the_page(app, qtbot, store):
    """The core refuses (folder already initialized): the message stays on the page."""
    wizard = make_wizard(qtbot, store)
    fill(qtbot, wizard, "unitCodeEdit", "450702000000")
    fill(qtbot, wizard, "unitNameEdit", "另一单位")
    click(qtbot, wizard.button(QWizard.WizardButton.NextButton))
    click(qtbot, wizard.button(QWizard.WizardButton.NextButton))
    fill(qtbot, wizard, "adminNameEdit", "second")
    fill(qtbot, wizard, "adminBadgeEdit", "200200")
    fill(qtbot, wizard, "adminPasswordEdit", "secret-456")
    fill(qtbot, wizard, "adminPasswordRepeatEdit", "secret-456")
    click(qtbot, wizard.button(QWizard.WizardButton.FinishButton))
    assert "已经初始化过" in child(wizard, QLabel, "adminError").text()
    assert wizard.isVisible() and wizard.admin is None
    assert store.meta("unit_name") == UNIT_NAME


def test_login_wrong_password_stays_open_right_password_returns_actor(app, qtbot, store):
    dialog = LoginDialog(UserService(store), store.meta("unit_name"))
    qtbot.addWidget(dialog)
    dialog.show()
    assert UNIT_NAME in child(dialog, QLabel, "unitLabel").text()

    fill(qtbot, dialog, "userEdit", "admin")
    fill(qtbot, dialog, "passwordEdit", "wrong-password")
    click(qtbot, child(dialog, QPushButton, "loginButton"))
    assert child(dialog, QLabel, "errorLabel").text() == "用户名或密码错误。"
    assert dialog.isVisible() and dialog.user is None
    assert child(dialog, QLineEdit, "passwordEdit").text() == ""

    fill(qtbot, dialog, "passwordEdit", PASSWORD)
    qtbot.keyClick(child(dialog, QLineEdit, "passwordEdit"), Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted and not dialog.isVisible()
    assert dialog.user.name == "admin" and dialog.user.role == "admin"
