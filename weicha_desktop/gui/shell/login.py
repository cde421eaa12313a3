"""登录: user name + password against ``UserService.authenticate``; ``.user`` is the Actor.

After repeated failures the core refuses with the seconds to wait (``LoginLocked``, every
attempt is logged, core/logins.py): the message says so and 登录 stays grey until then."""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (QDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton,
                               QVBoxLayout, QWidget)

from weicha_desktop.core.errors import WeichaError
from weicha_desktop.core.logins import LoginLocked
from weicha_desktop.core.store import Actor
from weicha_desktop.core.users import UserService


class LoginDialog(QDialog):
    def __init__(self, users: UserService, unit_name: str, user_name: str = "",
                 parent: QWidget | None = None, *, second_ms: int = 1000):
        super().__init__(parent)
        self.users = users
        self.second_ms = second_ms  # one second of the core's wait (a test makes it shorter)
        self.user: Actor | None = None
        self.setWindowTitle(self.tr("微察桌面版 — 登录"))

        title = QLabel(self.tr("微察桌面版"))
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        title.setFont(font)
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        unit = QLabel(unit_name)
        unit.setObjectName("unitLabel")
        unit.setAlignment(Qt.AlignmentFlag.AlignCenter)
        unit.setWordWrap(True)

        self.user_edit = QLineEdit(user_name)
        self.user_edit.setObjectName("userEdit")
        self.password_edit = QLineEdit()
        self.password_edit.setObjectName("passwordEdit")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.error_label = QLabel()
        self.error_label.setObjectName("errorLabel")
        self.error_label.setStyleSheet("color: #b00020;")
        self.error_label.setWordWrap(True)

        self.login_button = QPushButton(self.tr("登录"))
        self.login_button.setObjectName("loginButton")
        self.login_button.setDefault(True)
        self.login_button.clicked.connect(self.try_login)
        cancel = QPushButton(self.tr("退出"))
        cancel.setObjectName("cancelButton")
        cancel.clicked.connect(self.reject)

        form = QFormLayout()
        form.addRow(self.tr("用户名："), self.user_edit)
        form.addRow(self.tr("密码："), self.password_edit)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.login_button)
        buttons.addWidget(cancel)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(unit)
        layout.addSpacing(12)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addLayout(buttons)
        self.setMinimumWidth(380)
        (self.password_edit if user_name else self.user_edit).setFocus()

    def try_login(self) -> None:
        if not self.login_button.isEnabled():  # Enter during the wait
            return
        name = self.user_edit.text().strip()
        if not name or not self.password_edit.text():
            self.error_label.setText(self.tr("请输入用户名和密码。"))
            return
        try:
            self.user = self.users.authenticate(name, self.password_edit.text())
        except WeichaError as e:
            self.error_label.setText(str(e))
            self.password_edit.clear()
            self.password_edit.setFocus()
            if isinstance(e, LoginLocked):  # no try until the wait is over
                self.login_button.setEnabled(False)
                QTimer.singleShot(e.wait * self.second_ms, self, lambda: self.login_button.setEnabled(True))
            return
        self.error_label.clear()
        self.accept()
