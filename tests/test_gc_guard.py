"""gui/common/gc_guard.py: garbage cycles are freed on the GUI thread, never in a worker's
(a worker thread that collects a cycle holding a Qt object crashes Qt)."""
from __future__ import annotations

import gc
import threading

from weicha_desktop.gui.common.gc_guard import MainThreadCollector, collect_due


class _Cycle:
    def __init__(self):
        self.me = self


def _collections_by_thread():
    seen: list[int] = []

    def note(phase, _info):
        if phase == "start":
            seen.append(threading.get_ident())
    return seen, note


def test_a_worker_that_makes_garbage_cycles_never_collects_them_the_gui_thread_does(qtbot, qapp):
    was, limits = gc.isenabled(), gc.get_threshold()
    gc.enable()
    gc.set_threshold(700, 10, 10)  # the interpreter's own rule
    seen, note = _collections_by_thread()
    collector = MainThreadCollector(interval_ms=10)
    gc.callbacks.append(note)
    try:
        assert not gc.isenabled()
        worker = threading.Thread(target=lambda: [_Cycle() for _ in range(50_000)])
        worker.start()
        worker.join()
        assert seen == []  # 50,000 cycles made, none collected in the worker
        qtbot.waitUntil(lambda: len(seen) > 0, timeout=2000)  # the timer, on this thread
        assert set(seen) == {threading.get_ident()}
        assert gc.get_count()[0] < 700 + 100
    finally:
        gc.callbacks.remove(note)
        collector.stop()
        gc.set_threshold(*limits)
        (gc.enable if was else gc.disable)()


def test_stop_gives_the_collector_back_as_it_was():
    was = gc.isenabled()
    try:
        gc.enable()
        collector = MainThreadCollector()
        assert not gc.isenabled()
        collector.stop()
        assert gc.isenabled()
        gc.disable()
        collector = MainThreadCollector()
        collector.stop()
        assert not gc.isenabled()  # it was off before: it stays off
    finally:
        (gc.enable if was else gc.disable)()


def test_collect_due_follows_the_interpreters_thresholds():
    limits = gc.get_threshold()
    was = gc.isenabled()
    gc.disable()
    try:
        gc.collect()
        gc.set_threshold(100_000, 10, 10)
        assert collect_due() == -1  # nothing due yet
        gc.set_threshold(50, 10, 10)
        keep = [_Cycle() for _ in range(200)]
        assert collect_due() == 0
        assert gc.get_count()[0] < 50
        del keep
    finally:
        gc.set_threshold(*limits)
        (gc.enable if was else gc.disable)()
