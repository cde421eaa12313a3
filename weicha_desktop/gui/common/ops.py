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

The op is a child of ``parent`` and goes with it (once it has delivered it holds nothing: see
``_done``); a page deleted meanwhile hears nothing.
What the work hands back reaches the GUI thread through one dispatcher on the application
object (``_Dispatcher``), never through a connection to the op. A thread op runs on a Python
thread of its own, which nothing deletes (closing the page that started it never destroys a
running thread); a pool op's pool must outlive it (make the pool the first child of its
owner: Qt deletes children in order and a pool waits for its tasks)."""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from functools import partial
from typing import Any, Callable

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QThreadPool, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from weicha_desktop.core.errors import WeichaError
from weicha_desktop.core.fileio import os_error_message
from weicha_desktop.core.store import Store

log = logging.getLogger("weicha.gui.ops")
DISPATCHER = "weichaOpDispatcher"


@dataclass(frozen=True)
class OpFailure:
    error: BaseException
    message: str       # Chinese, for the user
    cancelled: bool    # cancel() had been asked (the work stopped, or failed while stopping)


class _Dispatcher(QObject):
    """Runs what a worker hands it on the GUI thread (a queued signal to itself). One per
    application object, never deleted before it: no op is ever the receiver of a connection
    from another thread. (Ops that were — relay signals connected to the op's methods — made
    the process crash now and then in ~QObject when the op was deleted: PySide.)"""

    call = Signal(object)

    def __init__(self, app: QCoreApplication):
        super().__init__(app)
        self.setObjectName(DISPATCHER)
        self.call.connect(self._run)

    def _run(self, fn: Callable[[], None]) -> None:  # a method: the dispatcher receives
        fn()

    @classmethod
    def of(cls, app: QCoreApplication) -> "_Dispatcher":
        return app.findChild(cls, DISPATCHER) or cls(app)


class Job:
    """What ``fn`` gets: progress, the cancel flag, and (with ``store=``) its own store."""

    def __init__(self, op: "BackgroundOp", dispatcher: _Dispatcher):
        self._op, self._dispatcher, self._cancel = op, dispatcher, op._cancel
        self.store: Store | None = None

    def progress(self, *args: Any) -> None:
        """Hand ``args`` to the ``on_progress`` callbacks (on the GUI thread)."""
        self._dispatcher.call.emit(partial(self._op._deliver, "progress", args))

    def cancelled(self) -> bool:
        return self._cancel.is_set()


def _work(fn: Callable[[Job], Any], job: Job, store: Store | None, readonly: bool,
          finished: threading.Event) -> None:
    """The body of every op, on its worker thread."""
    try:
        if store is not None:
            with store.sibling(readonly=readonly or None) as own:
                job.store = own
                result = fn(job)
        else:
            result = fn(job)
    except BaseException as e:  # noqa: BLE001 - handed to the GUI thread, which explains it
        outcome: tuple[str, Any] = ("failed", e)
    else:
        outcome = ("done", result)
    finally:
        job.store = None
    job._dispatcher.call.emit(partial(job._op._deliver, *outcome))
    finished.set()


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
        job = Job(self, _Dispatcher.of(QCoreApplication.instance()))
        fn, store, readonly, finished = self.fn, self.store, self.readonly, self._finished

        def body() -> None:
            _work(fn, job, store, readonly, finished)

        if self.pool is not None:
            self.pool.start(body)
        else:  # a thread of its own (Python's: nothing of it for Qt to delete)
            threading.Thread(target=body, name=f"op-{getattr(fn, '__qualname__', 'fn')}",
                             daemon=True).start()
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
    def _deliver(self, what: str, value: Any) -> None:
        """From the dispatcher: nothing for an op whose owner is gone (deleted with it)."""
        if not shiboken6.isValid(self):
            self._running = False
            return
        {"progress": self._progressed, "done": self._succeeded, "failed": self._failed}[what](value)

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
        """Delivered: let go of the work and the callbacks. The op itself stays a (small, empty)
        child of its parent and goes with it. Deleting it here (deleteLater) crashed the process
        now and then — a segfault in ~QObject on the DeferredDelete, 1 report-test run in 4 —
        with or without connections to it, and never when it went with its parent."""
        self.fn, self.store = None, None
        self._success, self._failure, self._progress = [], [], []
