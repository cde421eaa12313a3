"""The one background-op API (gui/common/ops.py) and the store's commits as one Qt signal
(gui/common/store_events.py)."""
from __future__ import annotations

import errno
import threading
import time

import pytest
from PySide6.QtCore import QThreadPool, qWarning
from PySide6.QtWidgets import QWidget

from gui_support import admin, app, cases, dialogs, forms, store  # noqa: F401
from support import log_text
from weicha_desktop.core.cases import CaseService
from weicha_desktop.core.errors import WeichaError
from weicha_desktop.gui.common.ops import BackgroundOp, OpFailure
from weicha_desktop.gui.common.store_events import StoreEvents
from weicha_desktop.gui.shell.app import log_qt_messages

SECRET = "Mima-口令-31415"


@pytest.fixture
def owner(app, qtbot):
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


class Outcome:
    """What an op delivered, and on which thread."""

    def __init__(self, op: BackgroundOp):
        self.results, self.failures, self.progress, self.threads = [], [], [], set()
        op.on_success(self._record(self.results)).on_failure(self._record(self.failures))
        op.on_progress(lambda *args: self._record(self.progress)(args))

    def _record(self, into):
        def record(value):
            self.threads.add(threading.get_ident())
            into.append(value)
        return record

    @property
    def delivered(self) -> bool:
        return bool(self.results or self.failures)


def run(op: BackgroundOp, qtbot) -> Outcome:
    outcome = Outcome(op)
    op.run()
    qtbot.waitUntil(lambda: outcome.delivered, timeout=10000)
    assert not op.is_running()
    return outcome


def test_success_and_progress_arrive_on_the_gui_thread_and_run_never_waits(owner, qtbot):
    release = threading.Event()
    workers = []

    def work(job):
        workers.append(threading.get_ident())
        for i in range(3):
            job.progress(i, 3, f"第 {i + 1} 步")
        assert release.wait(10)
        return "完成"

    op = BackgroundOp(owner, work)
    outcome = Outcome(op)
    started = time.monotonic()
    op.run()
    assert time.monotonic() - started < 0.5 and op.is_running()  # fn still blocked: run returned
    qtbot.waitUntil(lambda: len(outcome.progress) == 3, timeout=5000)
    assert not outcome.results
    release.set()
    qtbot.waitUntil(lambda: outcome.delivered, timeout=5000)
    assert outcome.results == ["完成"] and not outcome.failures
    assert outcome.progress == [(0, 3, "第 1 步"), (1, 3, "第 2 步"), (2, 3, "第 3 步")]
    assert outcome.threads == {threading.get_ident()} != set(workers)  # GUI thread, not the worker's
    assert op.wait(1000) and not op.is_running()
    with pytest.raises(RuntimeError):
        op.run()  # an op runs once


def test_the_page_that_started_an_op_may_go_while_it_runs(app, qtbot):
    page = QWidget()
    release, delivered = threading.Event(), []
    op = BackgroundOp(page, lambda _job: release.wait(10)).on_success(delivered.append)
    op.on_failure(delivered.append).run()
    page.deleteLater()
    qtbot.waitUntil(lambda: not _alive(page), timeout=2000)
    release.set()
    assert op.wait(5000)  # the thread belongs to the application: it finished, nothing crashed
    qtbot.wait(100)
    assert delivered == []  # nobody left to tell


def test_a_weichaerror_is_the_message_as_it_is(owner, qtbot):
    def work(_job):
        raise WeichaError("备份文件写入后读回的内容与写入的不一致，备份未完成。")

    failure = run(BackgroundOp(owner, work), qtbot).failures[0]
    assert isinstance(failure, OpFailure) and not failure.cancelled
    assert failure.message == "备份文件写入后读回的内容与写入的不一致，备份未完成。"


def test_an_os_error_is_said_in_chinese(owner, qtbot):
    def work(_job):
        raise OSError(errno.ENOSPC, "No space left on device")

    assert "磁盘空间不足" in run(BackgroundOp(owner, work), qtbot).failures[0].message


def test_a_program_fault_is_a_generic_message_and_its_traceback_goes_to_the_log(owner, qtbot, app_log):
    def check_password(password):
        raise KeyError(f"no user for {password}")

    failure = run(BackgroundOp(owner, lambda _job: check_password(SECRET)), qtbot).failures[0]
    assert isinstance(failure.error, KeyError) and failure.message.startswith("程序内部出错（KeyError）")
    assert "程序日志" in failure.message and SECRET not in failure.message
    text = log_text(app_log)
    assert "后台操作失败：KeyError" in text and "in check_password" in text
    assert SECRET not in text


def test_cancel_stops_the_work_where_it_polls(owner, qtbot):
    started = threading.Event()

    def work(job):
        started.set()
        while not job.cancelled():
            time.sleep(0.01)
        raise InterruptedError("stopped")

    op = BackgroundOp(owner, work)
    outcome = Outcome(op)
    op.run()
    assert started.wait(5)
    assert op.is_running() and not op.is_cancelled()
    op.cancel()
    qtbot.waitUntil(lambda: outcome.delivered, timeout=5000)
    failure = outcome.failures[0]
    assert failure.cancelled and failure.message == "已取消。" and op.is_cancelled()


def test_a_failure_nobody_handles_is_shown_in_a_box(owner, qtbot, dialogs):
    op = BackgroundOp(owner, lambda _job: (_ for _ in ()).throw(WeichaError("照片文件已损坏。")),
                      title="导入照片")
    op.run()
    qtbot.waitUntil(lambda: bool(dialogs.shown), timeout=5000)
    assert dialogs.shown == [("warning", "导入照片", "照片文件已损坏。")]


def test_with_a_store_the_job_gets_a_connection_of_its_own_and_its_commits_are_heard(
        owner, qtbot, store, admin):
    events = StoreEvents(store, owner)
    heard = []
    events.changed.connect(heard.append)

    def work(job):
        assert job.store is not store and job.store.data_dir == store.data_dir
        return CaseService(job.store, forms(), admin).new_case().number

    number = run(BackgroundOp(owner, work, store=store), qtbot).results[0]
    qtbot.waitUntil(lambda: bool(heard), timeout=5000)
    assert "case.create" in heard[0].actions and heard[0].changed("case") and heard[0].outbox >= 1
    assert CaseService(store, forms(), admin).get(number).number == number
    read_only = run(BackgroundOp(owner, lambda job: job.store.readonly, store=store, readonly=True), qtbot)
    assert read_only.results == [True]


def test_pool_ops_run_on_the_pool_given(owner, qtbot):
    pool = QThreadPool(owner)
    pool.setMaxThreadCount(1)
    ops = [BackgroundOp(owner, lambda _job, i=i: i * i, pool=pool) for i in range(5)]
    outcomes = [Outcome(op) for op in ops]
    for op in ops:
        op.run()
    qtbot.waitUntil(lambda: all(o.delivered for o in outcomes), timeout=5000)
    assert [o.results for o in outcomes] == [[0], [1], [4], [9], [16]]


def test_store_events_arrive_queued_and_together(owner, qtbot, store, cases):
    events = StoreEvents(store, owner)
    heard = []
    events.changed.connect(heard.append)
    first = cases.new_case()
    second = cases.new_case()
    assert heard == []  # never in the middle of the action that committed
    qtbot.waitUntil(lambda: bool(heard), timeout=2000)
    assert len(heard) == 1 and heard[0].ids("case") == {first.id, second.id}
    cases.store.log_read(cases.actor, "report.print", "case", first.id, "打印")
    qtbot.waitUntil(lambda: len(heard) == 2, timeout=2000)
    assert not heard[1].changed("case") and heard[1].outbox == 0  # a logged read changes no data
    events.close()
    cases.new_case()
    qtbot.wait(50)
    assert len(heard) == 2  # closed: no longer listening


def test_events_of_a_deleted_receiver_stop_by_themselves(owner, qtbot, store, cases):
    events = StoreEvents(store, owner)
    listeners = len(store._listeners)
    events.deleteLater()
    qtbot.waitUntil(lambda: not _alive(events), timeout=2000)
    cases.new_case()  # the listener finds its receiver gone and removes itself
    assert len(store._listeners) == listeners - 1


def _alive(obj) -> bool:
    try:
        obj.objectName()
    except RuntimeError:
        return False
    return True


def test_qt_warnings_go_to_the_log(app, app_log):
    log_qt_messages()
    qWarning("QPainter::begin: Paint device returned engine == 0")
    assert "WARNING weicha.qt" in log_text(app_log)
