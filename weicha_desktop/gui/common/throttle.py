"""Progress shown as fast as the eye reads it, not once per tick of the work.

``QProgressBar.setValue`` repaints AT ONCE (``repaint()``, not ``update()``) whenever the
number it shows changes, and that repaint paints and flushes everything else of the window
that waits to be painted too. A worker that reports every file, page or block therefore made
the GUI thread paint the window once per tick — dozens of times a second, far more than
anybody can read. ``Throttle`` hands on the first call at once and then at most one call per
``interval`` ms, always the latest (nothing shown is older than ``interval``); ``flush()``
hands on the one still held (before the bar is hidden: it ends on the last value) and
``drop()`` forgets it (a new run starts)."""
from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QObject, QTimer

SHOWN_EVERY_MS = 100  # ten times a second: a progress bar or a file name read as it moves


class Throttle(QObject):
    def __init__(self, apply: Callable[..., None], parent: QObject | None = None,
                 interval: int = SHOWN_EVERY_MS):
        super().__init__(parent)
        self._apply = apply
        self._held: tuple[Any, ...] | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(interval)
        self._timer.timeout.connect(self._due)

    def __call__(self, *args: Any) -> None:
        self._held = args
        if not self._timer.isActive():  # nothing shown lately: at once
            self._due()

    def _due(self) -> None:
        if self._held is not None:
            self.flush()
            self._timer.start()  # the next one no sooner than ``interval`` from now

    def flush(self) -> None:
        """Hand on the call still held, now."""
        held, self._held = self._held, None
        if held is not None:
            self._apply(*held)

    def drop(self) -> None:
        """Forget the call still held and start afresh (the next call goes at once)."""
        self._held = None
        self._timer.stop()
