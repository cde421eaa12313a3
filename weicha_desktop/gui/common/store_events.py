"""The store's commits as one Qt signal: ``StoreEvents.changed(ChangeSummary)``.

Views connect to it and refresh when a commit touched what they show, instead of polling:
the status bar's pending count and backup reminder, the case list and its banner, the review
queue. The signal arrives on the GUI thread on the next turn of its event loop, also for a
commit made on the GUI thread itself (the view never refreshes in the middle of the action
that committed), and the commits made until then arrive together as one summary (an import
committing photo after photo on a worker does not queue a refresh per photo).

What is seen: every commit of the store this was made with, and of the stores it opened for
workers with ``Store.sibling()`` (``BackgroundOp(…, store=…)`` does that: they share its
listeners). Not seen: a ``Store.open`` of its own (e.g. a read-only connection of a worker,
which commits nothing anyway) and other programs — SQLite tells a connection nothing of
another connection's commits (core/store/events.py)."""
from __future__ import annotations

import threading
import weakref

from PySide6.QtCore import QObject, Qt, Signal

from weicha_desktop.core.store import Store
from weicha_desktop.core.store.events import ChangeSummary


class StoreEvents(QObject):
    changed = Signal(object)   # ChangeSummary of the commits since the last one
    _arrived = Signal()

    def __init__(self, store: Store, parent: QObject | None = None):
        super().__init__(parent)
        self._pending: list[ChangeSummary] = []
        self._lock = threading.Lock()
        self._arrived.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        me = weakref.ref(self)

        def listener(summary: ChangeSummary) -> None:  # on the committing thread
            events = me()
            try:
                if events is None:
                    raise RuntimeError("gone")
                events._queue(summary)
            except RuntimeError:  # the QObject was deleted: stop listening
                remove()

        remove = store.on_commit(listener)
        self.close = remove  # stop listening (also done by itself once this object is gone)

    def _queue(self, summary: ChangeSummary) -> None:
        with self._lock:
            first = not self._pending
            self._pending.append(summary)
        if first:
            self._arrived.emit()

    def _deliver(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, []
        if pending:
            total = pending[0]
            for summary in pending[1:]:
                total = total + summary
            self.changed.emit(total)
