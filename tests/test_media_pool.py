import time

import pytest

from weicha_desktop.core.media.pool import WorkerPool

pytestmark = pytest.mark.spawned_workers  # the pool's own workers, started as in the program
TARGET = "tests.pool_targets:behave"


def _run(names, **kw):
    got = {}
    pool = WorkerPool(TARGET, workers=2, timeout=lambda args: 2.0, **kw)
    finished = pool.run([(n,) for n in names], lambda i, r: got.__setitem__(i, r))
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


def test_both_cores_are_used():
    finished, results = _run([f"slow-{i}" for i in range(6)])
    assert finished and len({r["pid"] for r in results}) == 2


def test_cancel_stops_the_batch():
    got = []
    pool = WorkerPool(TARGET, workers=2)
    finished = pool.run([(f"slow-{i}",) for i in range(20)], lambda i, r: got.append(i),
                        cancelled=lambda: len(got) >= 3)
    assert not finished and 3 <= len(got) < 20
