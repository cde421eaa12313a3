"""A dialog that runs one ``BackgroundOp`` at a time (备份, 报告, 校验数据): the parts they
share instead of each its own copy.

- ``button(text, name, slot)``: a push button that Enter never presses by accident;
- ``show_message(label, text, kind)``: a message label coloured by its ``kind`` property
  ("ok" / "error", from the dialog's style sheet);
- ``ProgressRow``: what is being done, a bar (busy until the first progress) and 取消;
- ``OpDialog``: ``run_op(op)`` / ``is_running()`` / ``cancel()``; 关闭, Esc or the window's ×
  while it runs cancels it and closes when the work has stopped; ``shutdown()`` (the tab or
  the program closes) cancels and waits. A thread is never left running behind a closed
  dialog. Subclasses say what their controls do while it runs (``_update_controls``)."""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from weicha_desktop.gui.common.ops import BackgroundOp, OpFailure
from weicha_desktop.gui.common.throttle import Throttle


def button(text: str, name: str, slot: Callable[[], object]) -> QPushButton:
    widget = QPushButton(text)
    widget.setObjectName(name)
    widget.setAutoDefault(False)  # Enter starts nothing by accident
    widget.clicked.connect(slot)
    return widget


def show_message(label: QLabel, text: str, kind: str) -> None:
    """Set ``label``'s text and its ``kind`` (the style sheet colours it); hidden if empty."""
    label.setText(text)
    label.setProperty("kind", kind)
    label.style().unpolish(label)
    label.style().polish(label)
    label.setVisible(bool(text))


class ProgressRow(QWidget):
    """``status`` text, a 0–1000 bar, 取消 (``cancelRequested``); hidden while idle."""

    cancelRequested = Signal()

    def __init__(self, prefix: str, parent: QWidget | None = None):
        """``prefix``: of the object names (``backup`` → backupStatus, backupProgress,
        cancelBackupButton)."""
        super().__init__(parent)
        self.status = QLabel()
        self.status.setObjectName(f"{prefix}Status")
        self.bar = QProgressBar()
        self.bar.setObjectName(f"{prefix}Progress")
        self.bar.setRange(0, 1000)
        self.bar.setFormat("%p%")
        self.cancel_button = button(QCoreApplication.translate("ProgressRow", "取消"),
                                    f"cancel{prefix[:1].upper()}{prefix[1:]}Button",
                                    self.cancelRequested.emit)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.status, 1)
        row.addWidget(self.bar, 2)
        row.addWidget(self.cancel_button)
        self._shown = Throttle(self._show, self)  # ten times a second, not once per tick
        self.hide()

    def start(self, text: str, *, busy: bool = False) -> None:
        """Shown: ``text``, the bar at 0 (``busy``: moving until the first progress)."""
        self._shown.drop()
        self.bar.setRange(0, 0 if busy else 1000)
        self.bar.setValue(0)
        self.status.setText(text)
        self.cancel_button.setEnabled(True)
        self.show()

    def advance(self, fraction: float, message: object) -> None:
        """The work's own progress: how far (0–1) and what it is doing (kept while cancelling);
        shown at once, then the latest at most ten times a second (common/throttle.py)."""
        self._shown(fraction, message)

    def finish(self) -> None:
        """The work has ended: the bar shows its last progress, then goes."""
        self._shown.flush()
        self.hide()

    def _show(self, fraction: float, message: object) -> None:
        if self.bar.maximum() == 0:
            self.bar.setRange(0, 1000)
        self.bar.setValue(round(fraction * 1000))
        if self.cancel_button.isEnabled():
            self.status.setText(str(message))

    def cancelling(self) -> None:
        self.cancel_button.setEnabled(False)
        self.status.setText(QCoreApplication.translate("ProgressRow", "正在取消…"))


class OpDialog(QDialog):
    """A dialog with one ``BackgroundOp`` at a time (see the module doc)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.op: BackgroundOp | None = None
        self.progress_row: ProgressRow | None = None  # set by a subclass that shows progress
        self._closing = False

    def is_running(self) -> bool:
        return self.op is not None

    def run_op(self, op: BackgroundOp, text: str = "", *, busy: bool = False) -> BackgroundOp:
        """Start ``op``: its success and failure go to ``_succeeded`` / ``_failed`` after the
        dialog is idle again; its progress to the progress row."""
        self.op = op
        op.on_success(lambda result: self._finish(self._succeeded, result))
        op.on_failure(lambda failure: self._finish(self._failed, failure))
        if self.progress_row is not None:
            op.on_progress(self.progress_row.advance)
            self.progress_row.start(text, busy=busy)
        self._update_controls()
        return op.run()

    def _succeeded(self, result: object) -> None:
        raise NotImplementedError

    def _failed(self, failure: OpFailure) -> None:
        raise NotImplementedError

    def _update_controls(self) -> None:
        """Enable what can be used now (``is_running()`` tells whether the work runs)."""

    def cancel(self) -> None:
        if self.op is not None:
            self.op.cancel()
            if self.progress_row is not None:
                self.progress_row.cancelling()

    def _finish(self, then: Callable[[object], None], outcome: object) -> None:
        self.op = None
        if self.progress_row is not None:
            self.progress_row.finish()
        self._update_controls()
        try:
            then(outcome)
        finally:
            if self._closing:
                self._closing = False
                super().reject()

    def reject(self) -> None:
        """关闭 / Esc / ×: while the work runs, cancel it and close when it has stopped."""
        if self.op is None:
            super().reject()
            return
        self._closing = True
        self.cancel()

    def shutdown(self, msecs: int = 30000) -> bool:
        """The tab or the program closes: cancel the work and wait for it."""
        if self.op is None:
            return True
        self.op.cancel()
        return self.op.wait(msecs)
