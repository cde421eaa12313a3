import os
import time

import pytest

from weicha_desktop.core.media.pool import WorkerPool, _Slot

pytestmark = pytest.mark.spawned_workers  # the pool's own workers, started as in the program
TARGET = "tests.pool_targets:behave"


def _run(names, target=TARGET, extra=(), **kw):
    got = {}
    # the hanging file's limit is short (the pool takes it per task); the others' generous
    pool = WorkerPool(target, workers=2, timeout=lambda args: 0.3 if args[0].startswith("hang") else 20.0, **kw)
    finished = pool.run([(n, *extra) for n in names], lambda i, r: got.__setitem__(i, r))
    return finished, [got.get(i) for i in range(len(names))]


def test_a_hanging_and_a_crashing_file_cost_only_themselves():
    t0 = time.monotonic()
    finished, results = _run(["a", "hang-1", "b", "crash-1", "raise-1", "c", "full-1"])
    assert finished
    assert [r["status"] for r in results] == ["ok", "rejected", "ok", "rejected", "rejected", "ok", "rejected"]
    assert "超时" in results[1]["reason"]
    assert "崩溃" in results[3]["reason"]
    assert "程序内部错误" in results[4]["reason"] and "boom" not in results[4]["reason"]  # plain words
    assert results[4]["detail"].startswith("RuntimeError (message withheld) at ")  # for the log
    assert results[6]["reason"] == "处理失败：磁盘空间不足"  # a system error: its reason, in Chinese
    assert time.monotonic() - t0 < 15


def test_both_cores_are_used_and_the_workers_leave_at_once(tmp_path):
    """Two tasks that each wait for the other's worker: done only when both run at once.
    Asked to end, a worker leaves without the interpreter's teardown (its atexit never runs)."""
    finished, results = _run(["meet-1", "meet-2"], target="tests.pool_targets:meet", extra=(str(tmp_path),))
    assert finished and len({r["pid"] for r in results}) == 2
    assert [r["met"] for r in results] == [2, 2]
    assert sorted(os.listdir(tmp_path)) == sorted(str(r["pid"]) for r in results)  # no teardown-*


def test_every_worker_is_asked_to_end_before_any_is_waited_for():
    """So they end side by side (each exit takes its time), not one after another."""
    said = []

    class Proc:
        def __init__(self, n):
            self.n = n

        def join(self, timeout=None):
            said.append(("wait", self.n))

        def is_alive(self):
            return False

    class Conn(Proc):
        def send(self, msg):
            said.append(("end", self.n, msg))

        def close(self):
            pass

    WorkerPool._stop([_Slot(Proc(n), Conn(n)) for n in (1, 2)])
    assert said == [("end", 1, None), ("end", 2, None), ("wait", 1), ("wait", 2)]


def test_cancel_stops_the_batch():
    got = []
    pool = WorkerPool(TARGET, workers=2)
    finished = pool.run([(f"quick-{i}",) for i in range(20)], lambda i, r: got.append(i),
                        cancelled=lambda: len(got) >= 3)
    assert not finished and 3 <= len(got) < 20


def test_a_report_worker_imports_neither_reportlab_nor_the_store():
    """The report's workers (photosheets.PREPARE) start light: ~0.1 s, not ~0.3 s each."""
    from weicha_desktop.core.reports.photosheets import PREPARE

    finished, [result] = _run([PREPARE.split(":")[0]], target="tests.pool_targets:loads")
    assert finished and "weicha_desktop.core.reports.photo_prep" in result["modules"]
    assert not [m for m in result["modules"] if m.startswith(("reportlab", "weicha_desktop.core.store"))]
