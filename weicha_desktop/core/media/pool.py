"""A small pool of worker processes with a time limit per task.

Why not concurrent.futures: a task that hangs or crashes a native decoder must cost only
that file — its worker is killed (or found dead), the file is reported, a fresh worker
takes its place and the batch goes on. Workers are started with "spawn" (safe beside Qt's
threads, and what Windows does anyway)."""
from __future__ import annotations

import importlib
import multiprocessing
import os
import time
from collections import deque
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any, Callable, Sequence

ResultFn = Callable[[int, dict[str, Any]], None]


def _worker(conn: Connection, target: str) -> None:
    module, name = target.split(":")
    fn = getattr(importlib.import_module(module), name)
    while True:
        try:
            msg = conn.recv()
        except EOFError:
            return
        if msg is None:
            return
        index, args = msg
        try:
            result = fn(*args)
        except Exception as e:  # the function promises not to raise; keep the pool alive anyway
            result = {"status": "rejected", "reason": f"处理失败（{type(e).__name__}: {e}）"}
        conn.send((index, result))


@dataclass
class _Slot:
    proc: Any
    conn: Connection
    task: int | None = None
    deadline: float = 0.0


class WorkerPool:
    def __init__(self, target: str, *, workers: int | None = None,
                 timeout: Callable[[Sequence[Any]], float] = lambda args: 60.0):
        self.target = target
        self.workers = max(1, min(workers or os.cpu_count() or 1, 4))
        self.timeout = timeout
        self._ctx = multiprocessing.get_context("spawn")

    def _start(self) -> _Slot:
        parent, child = self._ctx.Pipe()
        proc = self._ctx.Process(target=_worker, args=(child, self.target), daemon=True)
        proc.start()
        child.close()
        return _Slot(proc, parent)

    def run(self, tasks: Sequence[Sequence[Any]], on_result: ResultFn,
            cancelled: Callable[[], bool] = lambda: False) -> bool:
        """Run every task; ``on_result(index, result)`` is called in this thread as results
        arrive. Returns False if cancelled before all were done."""
        pending = deque(enumerate(tasks))
        slots = [self._start() for _ in range(min(self.workers, len(tasks)))]
        try:
            while pending or any(s.task is not None for s in slots):
                if cancelled():
                    return False
                for s in slots:
                    if s.task is None and pending:
                        index, args = pending.popleft()
                        s.task, s.deadline = index, time.monotonic() + self.timeout(args)
                        s.conn.send((index, tuple(args)))
                busy = [s for s in slots if s.task is not None]
                wait_for = max(0.0, min(s.deadline for s in busy) - time.monotonic())
                ready = wait([s.conn for s in busy], timeout=min(wait_for, 0.2))
                for i, s in enumerate(slots):
                    if s.task is None:
                        continue
                    if s.conn in ready:
                        try:
                            index, result = s.conn.recv()
                        except (EOFError, OSError):
                            index, result = s.task, {"status": "rejected",
                                                     "reason": "处理该文件时解码程序崩溃（文件可能已损坏）"}
                            slots[i] = self._replace(s)
                        else:
                            s.task = None
                        on_result(index, result)
                    elif time.monotonic() > s.deadline:
                        index = s.task
                        slots[i] = self._replace(s)
                        on_result(index, {"status": "rejected",
                                          "reason": "处理超时，文件可能已损坏，已跳过"})
            return True
        finally:
            for s in slots:
                self._stop(s)

    def _replace(self, slot: _Slot) -> _Slot:
        slot.proc.kill()
        slot.proc.join(5)
        slot.conn.close()
        return self._start()

    @staticmethod
    def _stop(slot: _Slot) -> None:
        try:
            slot.conn.send(None)
        except (OSError, BrokenPipeError):
            pass
        slot.proc.join(2)
        if slot.proc.is_alive():
            slot.proc.kill()
            slot.proc.join(2)
        slot.conn.close()
