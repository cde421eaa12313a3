"""Python's cycle collector runs on the GUI thread only.

CPython collects garbage cycles in whichever thread happens to allocate past the threshold:
a worker thread (a BackgroundOp, the image loader's pool, an HTTP client's thread) can then
free a cycle that holds a Qt object — a widget, a model, a QImage's owner — and Qt objects
must be destroyed on the thread that owns them. Qt then crashes (seen: a segmentation fault
"Garbage-collecting" in a worker thread). The usual remedy for Qt programs: the automatic
collector off, and the same rule (counts past the thresholds, generation by generation) checked
by a timer on the GUI thread (``MainThreadCollector``), so every cycle is freed there.
Reference counting still frees everything that is not in a cycle at once, in any thread."""
from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer


def collect_due() -> int:
    """Collect what the interpreter's own rule would have collected by now (the oldest
    generation whose count passed its threshold); returns the generation, -1 if none was due."""
    counts, limits = gc.get_count(), gc.get_threshold()
    for generation in (2, 1, 0):
        if limits[generation] and counts[generation] > limits[generation]:
            gc.collect(generation)
            return generation
    return -1


class MainThreadCollector(QObject):
    """The collector switched off for as long as this object lives; ``collect_due`` every
    ``interval_ms`` on the thread that made it (the GUI thread). ``stop()`` puts it back."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = 250):
        super().__init__(parent)
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(collect_due)
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        if self._was_enabled:
            gc.enable()
