"""Work off the GUI thread: decoding images (``ImageLoader``), store jobs (``StoreJob``) and
work that needs no store at all (``PureJob``: rendering a report already read from the store).

``StoreJob`` runs a function that writes to the store (photo import, working copies) on its
own QThread **with its own SQLite connection**: ``Store.open(data_dir, lock=False)`` in the
same process (the process already holds the folder lock). The GUI thread keeps using the
main connection. SQLite (WAL) lets the GUI read while the job writes, and serializes the
writes of the two connections itself (``BEGIN IMMEDIATE`` waits up to the busy timeout;
every change of a job is one short transaction). So no Python object is shared between
the two threads except the job's signals, and no statement of one thread can land inside
the other thread's transaction (which one shared connection would allow: the store's write
lock guards ``change()``, not the reads and journal writes the GUI does outside it)."""
from __future__ import annotations

import threading
from typing import Any, Callable

from PIL import Image
from PySide6.QtCore import QCoreApplication, QObject, QThread, QThreadPool, Signal
from PySide6.QtGui import QImage

from weicha_desktop.core.errors import WeichaError
from weicha_desktop.core.store import Store


def to_qimage(img: Image.Image) -> QImage:
    """A Pillow image as a QImage that owns its pixels (safe to hand to another thread)."""
    rgb = img if img.mode == "RGB" else img.convert("RGB")
    data = rgb.tobytes()
    return QImage(data, rgb.width, rgb.height, rgb.width * 3, QImage.Format.Format_RGB888).copy()


class _Relay(QObject):
    ready = Signal(str, QImage)
    failed = Signal(str, str)


class ImageLoader(QObject):
    """``load(key, fn)`` runs ``fn() -> QImage`` on a pool thread; ``ready(key, image)`` or
    ``failed(key, message)`` arrive on the GUI thread. ``shutdown()`` before the owner goes."""

    ready = Signal(str, QImage)
    failed = Signal(str, str)

    def __init__(self, threads: int = 2, parent: QObject | None = None):
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(threads)
        self._relay = _Relay()
        self._relay.ready.connect(self.ready)
        self._relay.failed.connect(self.failed)

    def load(self, key: str, fn: Callable[[], QImage]) -> None:
        relay = self._relay

        def task() -> None:
            try:
                image = fn()
            except Exception as e:  # a decoder error: the view shows the reason
                relay.failed.emit(key, str(e))
                return
            relay.ready.emit(key, image)

        self.pool.start(task)

    def shutdown(self, msecs: int = 5000) -> bool:
        """Drop the decodes not started yet and wait for the running ones."""
        self.pool.clear()
        return self.pool.waitForDone(msecs)


class StoreJob(QThread):
    """``work(store, job)`` on a worker thread with its own connection to the data folder.

    ``job.report(done, total, item)`` → ``progress``; ``job.cancelled()`` for the work to
    poll; the result → ``done``, a WeichaError (or any error) → ``failed`` with its text.
    The job belongs to the application object and deletes itself when finished, so closing
    the page that started it never destroys a running thread."""

    progress = Signal(int, int, object)
    done = Signal(object)
    failed = Signal(str)

    def __init__(self, store: Store, work: Callable[[Store, "StoreJob"], Any]):
        super().__init__(QCoreApplication.instance())
        self.data_dir, self.clock, self.readonly = store.data_dir, store.clock, store.readonly
        self.work = work
        self._cancel = threading.Event()
        self.finished.connect(self.deleteLater)

    def run(self) -> None:
        try:
            with Store.open(self.data_dir, clock=self.clock, readonly=self.readonly, lock=False) as store:
                result = self.work(store, self)
        except WeichaError as e:
            self.failed.emit(str(e))
            return
        except Exception as e:  # never let a worker die silently
            self.failed.emit(f"{type(e).__name__}: {e}")
            return
        self.done.emit(result)

    def report(self, done: int, total: int, item: object) -> None:
        self.progress.emit(done, total, item)

    def cancel(self) -> None:
        self._cancel.set()

    def cancelled(self) -> bool:
        return self._cancel.is_set()


class PureJob(QThread):
    """``work(job)`` on a worker thread, for work that touches no database (everything it
    needs was read on the GUI thread before, e.g. a ``ReportJob``).

    ``job.report(fraction, message)`` → ``progress``; ``job.cancelled()`` for the work to
    poll; the result → ``done``; any exception → ``failed`` with the exception itself, so the
    window can say in its own words what went wrong (never a traceback). Like ``StoreJob``
    it belongs to the application object and deletes itself when finished."""

    progress = Signal(float, str)
    done = Signal(object)
    failed = Signal(object)

    def __init__(self, work: Callable[["PureJob"], Any]):
        super().__init__(QCoreApplication.instance())
        self.work = work
        self._cancel = threading.Event()
        self.finished.connect(self.deleteLater)

    def run(self) -> None:
        try:
            result = self.work(self)
        except Exception as e:  # handed to the GUI thread, which explains it
            self.failed.emit(e)
            return
        self.done.emit(result)

    def report(self, fraction: float, message: str) -> None:
        self.progress.emit(fraction, message)

    def cancel(self) -> None:
        self._cancel.set()

    def cancelled(self) -> bool:
        return self._cancel.is_set()
