"""The one way to run work off the GUI thread: ``BackgroundOp`` (after Anki's CollectionOp).

    op = (BackgroundOp(self, lambda job: create_backup(job.store, actor, path,
                                                       progress=job.progress,
                                                       cancelled=job.cancelled),
                       store=self.store)
          .on_success(self._done)          # result, on the GUI thread
          .on_failure(self._failed)        # OpFailure(error, message, cancelled)
          .on_progress(self._progress)     # whatever the work passed to job.progress(...)
          .run())                          # returns at once: the GUI thread never waits
    op.cancel()                            # job.cancelled() turns true; the work polls it
    op.is_running(); op.wait(msecs)        # when a page or the program closes

``fn(job)`` runs on a thread of its own, or — ``pool=`` — as a task of a QThreadPool (many
small jobs: thumbnails, the list's count). With ``store=`` the job gets ``job.store``, a
connection of its own to the data folder (``Store.sibling()``: opened and closed on the
worker thread, the folder lock stays with the program). No Python object is shared between
the threads but the job: SQLite (WAL) lets the GUI read while the job writes and serializes
the writes of the two connections (``BEGIN IMMEDIATE`` waits up to the busy timeout), and no
statement of the GUI thread can land inside the job's transaction (one shared connection
would allow that: the write lock guards ``change()``, not the GUI's reads). The sibling
shares the store's commit listeners, so what the job commits reaches the views
(store_events.py).

Results, failures and progress arrive on the GUI thread (queued signals). A failure's
``message`` is Chinese and says what happened: a WeichaError's own text; after ``cancel()``
an InterruptedError is "已取消"; an OSError the system's reason in Chinese (core/fileio.py);
anything else is a program fault — a generic message naming only its type. Both of the last
go to the application log with their traceback (core/applog.py). Without an
``on_failure`` callback the message is shown in a box over the parent's window.

The op is a child of ``parent`` and deletes itself once it has delivered (its Python
methods — ``is_running``, ``wait`` — still answer); a page deleted meanwhile hears nothing.
The thread of a thread op belongs to the application object while it runs (closing the page
that started it never destroys a running thread); a pool op's pool must outlive it (make the
pool the first child of its owner: Qt deletes children in order and a pool waits for its
tasks)."""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any, Callable

from PySide6.QtCore import QCoreApplication, QObject, QThread, QThreadPool, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from weicha_desktop.core.errors import WeichaError
from weicha_desktop.core.fileio import os_error_message
from weicha_desktop.core.store import Store

log = logging.getLogger("weicha.gui.ops")


@dataclass(frozen=True)
class OpFailure:
    error: BaseException
    message: str       # Chinese, for the user
    cancelled: bool    # cancel() had been asked (the work stopped, or failed while stopping)


class Job:
    """What ``fn`` gets: progress, the cancel flag, and (with ``store=``) its own store."""

    def __init__(self, relay: "_Relay", cancel: threading.Event):
        self._relay, self._cancel = relay, cancel
        self.store: Store | None = None

    def progress(self, *args: Any) -> None:
        """Hand ``args`` to the ``on_progress`` callbacks (on the GUI thread)."""
        self._relay.progress.emit(args)

    def cancelled(self) -> bool:
        return self._cancel.is_set()


class _Relay(QObject):
    progress = Signal(object)   # the args of job.progress
    done = Signal(object)       # the result
    failed = Signal(object)     # the exception (its traceback still attached)


def _work(fn: Callable[[Job], Any], job: Job, store: Store | None, readonly: bool,
          relay: _Relay, finished: threading.Event) -> None:
    """The body of every op, on its worker thread."""
    try:
        if store is not None:
            with store.sibling(readonly=readonly or None) as own:
                job.store = own
                result = fn(job)
        else:
            result = fn(job)
    except BaseException as e:  # noqa: BLE001 - handed to the GUI thread, which explains it
        relay.failed.emit(e)
    else:
        relay.done.emit(result)
    finally:
        job.store = None
        finished.set()


class _Thread(QThread):
    def __init__(self) -> None:
        super().__init__(QCoreApplication.instance())
        self.body: Callable[[], None] = lambda: None
        self.relay = _Relay(self)  # lives (in the GUI thread) as long as the thread object
        self.finished.connect(self.deleteLater)

    def run(self) -> None:
        self.body()


class BackgroundOp(QObject):
    def __init__(self, parent: QObject | None, fn: Callable[[Job], Any], *,
                 store: Store | None = None, readonly: bool = False, pool: QThreadPool | None = None,
                 title: str = ""):
        """``parent``: the widget the op belongs to (its window shows a failure nobody
        handled); None: the application. ``readonly``: ``job.store`` only reads. ``title``:
        of the message box."""
        super().__init__(parent or QCoreApplication.instance())
        self.fn, self.store, self.readonly, self.pool, self.title = fn, store, readonly, pool, title
        self._success: list[Callable[[Any], None]] = []
        self._failure: list[Callable[[OpFailure], None]] = []
        self._progress: list[Callable[..., None]] = []
        self._cancel = threading.Event()
        self._finished = threading.Event()
        self._running = False
        self._started = False

    # ---- building --------------------------------------------------------------------------
    def on_success(self, callback: Callable[[Any], None]) -> "BackgroundOp":
        self._success.append(callback)
        return self

    def on_failure(self, callback: Callable[[OpFailure], None]) -> "BackgroundOp":
        self._failure.append(callback)
        return self

    def on_progress(self, callback: Callable[..., None]) -> "BackgroundOp":
        self._progress.append(callback)
        return self

    # ---- running ---------------------------------------------------------------------------
    def run(self) -> "BackgroundOp":
        """Start the work and return at once."""
        if self._started:
            raise RuntimeError("a BackgroundOp runs once")
        self._started = self._running = True
        thread = _Thread() if self.pool is None else None
        relay = thread.relay if thread is not None else _Relay(self)
        relay.progress.connect(self._progressed)
        relay.done.connect(self._succeeded)
        relay.failed.connect(self._failed)
        job, fn, store, finished = Job(relay, self._cancel), self.fn, self.store, self._finished
        readonly = self.readonly

        def body() -> None:
            _work(fn, job, store, readonly, relay, finished)

        if thread is not None:
            thread.body = body
            thread.start()
        else:
            self.pool.start(body)
        return self

    def cancel(self) -> None:
        """Ask the work to stop (it polls ``job.cancelled()``)."""
        self._cancel.set()

    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    def is_running(self) -> bool:
        """Started and its result (or failure) not delivered yet."""
        return self._running

    def wait(self, msecs: int = 30000) -> bool:
        """Block until the work has returned (closing a page or the program); its result is
        delivered later, by the event loop. True if it did within ``msecs``."""
        return not self._started or self._finished.wait(msecs / 1000)

    # ---- on the GUI thread -----------------------------------------------------------------
    def _progressed(self, args: tuple) -> None:
        for callback in self._progress:
            callback(*args)

    def _succeeded(self, result: Any) -> None:
        self._running = False
        for callback in self._success:
            callback(result)
        self._done()

    def _failed(self, error: BaseException) -> None:
        self._running = False
        failure = self.failure(error)
        if self._failure:
            for callback in self._failure:
                callback(failure)
        else:
            parent = self.parent()
            QMessageBox.warning(parent.window() if isinstance(parent, QWidget) else None,
                                self.title or self.tr("微察桌面版"), failure.message)
        self._done()

    def failure(self, error: BaseException) -> OpFailure:
        """What to tell the user about ``error`` (and the log, for a program fault)."""
        cancelled = self.is_cancelled()
        if cancelled and isinstance(error, InterruptedError):
            return OpFailure(error, self.tr("已取消。"), True)
        if isinstance(error, WeichaError):
            return OpFailure(error, str(error), cancelled)
        if isinstance(error, OSError):  # the disk or a file, not the program: said in Chinese
            log.warning("后台操作失败：%s", type(error).__name__,
                        exc_info=(type(error), error, error.__traceback__))
            return OpFailure(error, os_error_message(error), cancelled)
        log.error("后台操作失败：%s", type(error).__name__,
                  exc_info=(type(error), error, error.__traceback__))
        return OpFailure(error, self.tr(
            "程序内部出错（{kind}），操作未完成。详情已写入程序日志；如再次出现，请把日志交给技术支持。").format(
            kind=type(error).__name__), cancelled)

    def _done(self) -> None:
        self.deleteLater()  # delivered: nothing more comes (its Python methods still answer)
