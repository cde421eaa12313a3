"""Driving the program as a person at the keyboard does, counting the actions
(tests/test_standard_case_keyboard.py, tests/test_fieldfit_*.py): one key chord or one value
typed into one field; Chinese as an input method enters it (composed, then committed)."""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QInputMethodEvent, QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from gui_support import activate


class Keyboard:
    """What a person does, one counted action at a time, always to the focused widget."""

    def __init__(self):
        self.actions: list[str] = []

    @staticmethod
    def focus() -> QWidget:
        widget = QApplication.focusWidget()
        assert widget is not None, "the keyboard reaches nothing: no widget has the focus"
        return widget

    def _done(self, action: str) -> None:
        self.actions.append(action)
        for _ in range(2):  # the form's timers (autosave 0 ms: the problem list follows)
            QApplication.processEvents()

    def key(self, *chords: str) -> None:
        """Each chord one action (Tab, Ctrl+Enter, F8, a digit …)."""
        for chord in chords:
            combo = QKeySequence(chord)[0]
            key = combo.key()
            if chord == "Shift+Tab":  # what the platform sends for it
                key = Qt.Key.Key_Backtab
            QTest.keyClick(self.focus(), key, combo.keyboardModifiers())
            self._done(chord)

    def type(self, text: str) -> None:
        """One value typed into the focused field: one action. Latin letters and digits key by
        key; Chinese as an input method enters it (composed, then committed)."""
        if text.isascii():
            for char in text:
                QTest.keyClick(self.focus(), char)
        else:  # composing (what the input method shows while pinyin is typed), then the commit
            QApplication.sendEvent(self.focus(), QInputMethodEvent(text, []))
            event = QInputMethodEvent()
            event.setCommitString(text)
            QApplication.sendEvent(self.focus(), event)
        self._done(f"«{text}»")

    def field(self, text: str, *chords: str) -> None:
        """A value typed, then the keys that move on."""
        self.type(text)
        self.key(*chords)


def reactivate(qtbot, window: QWidget) -> None:
    """What the window manager does when a modal dialog closes (the offscreen platform does
    not): the window under it active again, its focus where it was. Not an action."""
    activate(qtbot, window)


def on_dialog(qtbot, kind: type, fn) -> None:
    """``fn(dialog)`` once a modal dialog of ``kind`` is open (its exec() waiting) and active
    (a window manager gives a new dialog the keyboard; the offscreen platform may need telling)."""
    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, kind):
            QTimer.singleShot(10, poll)
            return
        if not dialog.isActiveWindow():
            dialog.activateWindow()
        qtbot.waitUntil(dialog.isActiveWindow, timeout=2000)
        fn(dialog)
    QTimer.singleShot(0, poll)
