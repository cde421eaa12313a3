"""A small pool of worker processes with a time limit per task.

Why not concurrent.futures: a task that hangs or crashes a native decoder must cost only
that file — its worker is killed (or found dead), a fresh worker takes its place and the
batch goes on. Workers are started with "spawn" (safe beside Qt's threads, and what Windows
does anyway).

What a dying worker costs (never a silent loss, never an exception that looks like a
closed stdout to the command line):

- found dead while idle (killed between tasks): replaced; its next task goes to the new one;
- died during a task (a decoder segfault, ``os._exit``, kill -9, the OOM killer): replaced and
  the task tried once more in the fresh worker; if it dies again the task's result is
  ``{"status": "rejected", "failure": "crash", "reason": …}``;
- over its time limit: killed and replaced, ``{"status": "rejected", "failure": "timeout", …}``;
- workers that cannot start at all (the program file missing or blocked, a broken install):
  after ``START_ATTEMPTS`` failed starts in a row ``run`` raises ``WorkerStartError``; the
  caller reports the tasks it got no result for as not done.

Results from the task function itself never carry a ``failure`` key."""
from __future__ import annotations

import importlib
import os
import sys
import time
from collections import Counter, deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Sequence

from weicha_desktop.core.errors import WeichaError
from weicha_desktop.core.fileio import os_error_message

if TYPE_CHECKING:  # multiprocessing (~10 ms to import) when a pool is made, not at the start
    from multiprocessing.connection import Connection

ResultFn = Callable[[int, dict[str, Any]], None]
START_TIMEOUT = 60.0  # a cold start of a frozen build under a virus scanner can take long
START_ATTEMPTS = 3    # failed starts in a row before the pool gives up
TRIES = 2             # a task whose worker dies is tried this often in all


class WorkerStartError(WeichaError):
    """No worker process could be started; the message is the Chinese reason."""


FAULT = "处理失败：程序内部错误，该文件未导入。请重新导入一次；仍不行请把该文件和程序日志交技术支持。"


def failure_reason(e: Exception) -> str:
    """Why a file failed, in plain Chinese: a system error by its reason; anything else is a
    fault of the program, said without its English words (``fault_detail`` is for the log)."""
    if isinstance(e, OSError):
        return f"处理失败：{os_error_message(e)}"
    return FAULT


def fault_detail(e: BaseException) -> str:
    """A program fault as the application log keeps it (core/applog.py): its type and where it
    happened, never its message. Sent back with the result as ``detail``: the worker process
    has no log of its own, the importing process writes it."""
    import traceback

    from weicha_desktop.core.applog import describe

    frames = traceback.extract_tb(e.__traceback__)
    where = f" at {os.path.basename(frames[-1].filename)}:{frames[-1].lineno}" if frames else ""
    return describe(e) + where


def _leave() -> None:
    """Asked to end after its last task, or the program gone: the worker leaves at once.
    Every file a task wrote is closed and the worker prints nothing; a spawned interpreter's
    teardown (its modules freed one by one: 50–200 ms, more on a busy machine) would only
    hold up the end of the batch."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (AttributeError, OSError, ValueError):  # None in a windowed build, or closed
            pass
    os._exit(0)


def _worker(conn: Connection, target: str) -> None:
    module, name = target.split(":")
    fn = getattr(importlib.import_module(module), name)
    try:
        conn.send(("ready", os.getpid()))  # the parent tells "cannot start" from "died on a file"
        while True:
            msg = conn.recv()
            if msg is None:
                _leave()
            index, args = msg
            try:
                result = fn(*args)
            except Exception as e:  # the function promises not to raise; keep the pool alive
                result = {"status": "rejected", "reason": failure_reason(e)}
                if not isinstance(e, OSError):
                    result["detail"] = fault_detail(e)
            conn.send((index, result))
    except (EOFError, OSError):  # the program is gone (closed, or killed): end quietly, at once
        _leave()


@dataclass
class _Slot:
    proc: Any
    conn: Connection
    ready: bool = False
    dead: bool = False
    task: int | None = None
    deadline: float = 0.0


def _ended(proc: Any) -> str:
    return "" if proc.exitcode is None else f"，退出码 {proc.exitcode}"


class WorkerPool:
    def __init__(self, target: str, *, workers: int | None = None,
                 timeout: Callable[[Sequence[Any]], float] = lambda args: 60.0):
        self.target = target
        self.workers = max(1, min(workers or os.cpu_count() or 1, 4))
        self.timeout = timeout
        import multiprocessing

        self._ctx = multiprocessing.get_context("spawn")
        self._start_failures: list[str] = []

    def run(self, tasks: Sequence[Sequence[Any]], on_result: ResultFn,
            cancelled: Callable[[], bool] = lambda: False) -> bool:
        """Run every task; ``on_result(index, result)`` is called in this thread as results
        arrive, exactly once per task that finished. Returns False if cancelled before all
        were done; raises WorkerStartError when no worker can be started (the tasks without
        a result are then not done)."""
        from multiprocessing.connection import wait

        pending = deque(enumerate(tasks))
        tries: Counter[int] = Counter()
        want = min(self.workers, len(tasks))
        slots: list[_Slot] = []
        self._start_failures = []
        try:
            while pending or any(s.task is not None for s in slots):
                if cancelled():
                    return False
                self._fill(slots, want)
                for s in slots:
                    if s.ready and not s.dead and s.task is None and pending:
                        self._send(s, pending)
                watched = [s for s in slots if not s.dead and (s.task is not None or not s.ready)]
                if not watched:
                    continue  # a send found its worker dead: start a new one and go on
                wait_for = max(0.0, min(s.deadline for s in watched) - time.monotonic())
                ready = wait([s.conn for s in watched], timeout=min(wait_for, 0.2))
                for s in list(watched):
                    if s.conn in ready:
                        self._receive(s, slots, pending, tries, tasks, on_result)
                    elif time.monotonic() > s.deadline:
                        self._overdue(s, slots, on_result)
            return True
        finally:
            self._stop(slots)

    # ---- one worker's events -----------------------------------------------------------------
    def _send(self, s: _Slot, pending: deque) -> None:
        index, args = pending.popleft()
        try:
            s.conn.send((index, tuple(args)))
        except OSError:  # died while idle (BrokenPipeError): the task never reached it
            pending.appendleft((index, args))
            s.dead = True  # replaced by _fill on the next round
            return
        s.task, s.deadline = index, time.monotonic() + self.timeout(args)

    def _receive(self, s: _Slot, slots: list[_Slot], pending: deque, tries: Counter,
                 tasks: Sequence[Sequence[Any]], on_result: ResultFn) -> None:
        try:
            msg = s.conn.recv()
        except (EOFError, OSError):
            self._drop(s, slots)
            if not s.ready:
                self._start_failed(f"工作进程启动后立即退出（退出码 {s.proc.exitcode}）")
                return
            index = s.task
            tries[index] += 1
            if tries[index] < TRIES:
                pending.appendleft((index, tasks[index]))  # once more, in a fresh worker
                return
            on_result(index, {"status": "rejected", "failure": "crash",
                              "reason": "处理该文件时工作进程两次意外终止（解码程序崩溃或进程被"
                                        f"系统结束{_ended(s.proc)}），文件可能已损坏"})
            return
        if not s.ready:
            s.ready = True
            self._start_failures = []
            return
        index, result = msg
        s.task = None
        on_result(index, result)

    def _overdue(self, s: _Slot, slots: list[_Slot], on_result: ResultFn) -> None:
        self._drop(s, slots)
        if not s.ready:
            self._start_failed(f"工作进程 {START_TIMEOUT:.0f} 秒内未能启动")
            return
        on_result(s.task, {"status": "rejected", "failure": "timeout",
                           "reason": "处理超时，文件可能已损坏，已跳过"})

    # ---- starting and stopping ---------------------------------------------------------------
    def _fill(self, slots: list[_Slot], want: int) -> None:
        for s in [s for s in slots if s.dead]:
            self._drop(s, slots)
        while len(slots) < want:
            try:
                slots.append(self._start())
            except OSError as e:  # the program file missing or not executable, no memory
                self._start_failed(os_error_message(e))

    def _start(self) -> _Slot:
        parent, child = self._ctx.Pipe()
        try:
            proc = self._ctx.Process(target=_worker, args=(child, self.target), daemon=True)
            proc.start()
        except BaseException:
            parent.close()
            raise
        finally:
            child.close()
        return _Slot(proc, parent, deadline=time.monotonic() + START_TIMEOUT)

    def _start_failed(self, why: str) -> None:
        self._start_failures.append(why)
        if len(self._start_failures) >= START_ATTEMPTS:
            raise WorkerStartError(
                f"无法启动后台工作进程（连续 {len(self._start_failures)} 次失败：{why}）。"
                "请关闭后重新启动微察；如仍不行，请检查安全软件是否拦截了本程序，或重新安装。")

    def _drop(self, slot: _Slot, slots: list[_Slot]) -> None:
        slot.proc.kill()
        slot.proc.join(5)
        slot.conn.close()
        slots.remove(slot)

    @staticmethod
    def _stop(slots: list[_Slot]) -> None:
        """Ask every worker to end, then wait for each: they end side by side, not in turn."""
        for slot in slots:
            try:
                slot.conn.send(None)
            except OSError:
                pass
        for slot in slots:
            slot.proc.join(2)
            if slot.proc.is_alive():
                slot.proc.kill()
                slot.proc.join(2)
            slot.conn.close()
