"""The drive watcher: a QTimer that polls the mounted volumes every few seconds (QStorageInfo:
~0.05 ms of CPU, no disk access) and says which removable drives came and went.

    watcher = DriveWatcher(removable_drives, parent)   # any DriveLister (tests: fake volumes)
    watcher.changed.connect(...)    # list[Volume]: the drives now, when the set changed
    watcher.inserted.connect(...)   # list[Volume]: drives not there at the last poll
    watcher.start()                 # the first poll after one interval (never before the paint)

A drive mounted when the window opens counts as inserted at the first poll (the stick went in
before the program started); one taken out and put back counts again (what it holds is then
judged again: gui/bundles/actions.py takes each receipt once)."""
from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QTimer, Signal

from weicha_desktop.gui.bundles.volumes import DriveLister, Volume

POLL_MS = 3000
log = logging.getLogger("weicha.gui.bundles")


class DriveWatcher(QObject):
    changed = Signal(list)
    inserted = Signal(list)

    def __init__(self, drives: DriveLister, parent: QObject | None = None, interval_ms: int = POLL_MS):
        super().__init__(parent)
        self.drives = drives
        self.current: list[Volume] = []
        self._seen: set[str] = set()
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.poll)

    def start(self) -> None:
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def poll(self) -> list[Volume]:
        """Look now; returns the drives newly seen (also emitted)."""
        try:
            now = list(self.drives())
        except Exception:  # noqa: BLE001 — a volume that vanished mid-read: the next poll sees it
            log.warning("无法读取已挂载的卷", exc_info=True)
            return []
        roots = {v.root for v in now}
        new = [v for v in now if v.root not in self._seen]
        if roots != self._seen:
            self._seen, self.current = roots, now
            self.changed.emit(now)
        if new:
            self.inserted.emit(new)
        return new
