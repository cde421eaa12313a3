"""Benchmark: what the write guard (core/store/guard.py, the SQLite authorizer) costs.

Two workloads, each with the guard as the program runs it and without (``WriteGuard.install``
a no-op and a plain ``sqlite3.Connection``: no authorizer, no statement expiry, no refusal
messages), alternating, in the same run:

- ``weicha demo --cases N`` in-process (one batch: statements prepared once, the authorizer
  asked at each first prepare; the expiry happens once, at the batch's end);
- single changes, each its own transaction (``CaseService.update`` of one field), as the
  program commits them (synchronous=FULL, the signed checkpoint: the fsyncs dominate and
  vary a lot on a shared disk), and the same with neither (``cpu``: the guard's own cost).

Prints seconds for the demo and milliseconds per change (median of the rounds).

Run:  .venv/bin/python benchmarks/bench_write_guard.py [--cases 500] [--rounds 3]"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "benchmarks" / "results"


@contextmanager
def guard(on: bool):
    """Off: no authorizer and a plain sqlite3.Connection (not GuardedConnection)."""
    import sqlite3

    from weicha_desktop.core.store import store as store_module
    from weicha_desktop.core.store.guard import WriteGuard

    class Plain(sqlite3.Connection):  # sqlite3's own execute, no refusal messages
        guard = None

    if on:
        yield
    else:
        with mock.patch.object(WriteGuard, "install", lambda self: None), \
                mock.patch.object(store_module, "GuardedConnection", Plain):
            yield


def demo_seconds(cases: int) -> float:
    from weicha_desktop.cli import main

    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        code = main(["--data-dir", str(Path(tmp) / "data"), "demo", "--cases", str(cases)])
        elapsed = time.perf_counter() - start
    assert code == 0, code
    return elapsed


def change_ms(n: int, cpu_only: bool = False) -> float:
    from weicha_desktop.core.cases import CaseService
    from weicha_desktop.core.forms import FormRegistry
    from weicha_desktop.core.setup import initialize
    from weicha_desktop.core.store import Store
    from weicha_desktop.core.users import UserService
    from weicha_desktop.resources import forms_dir

    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp) / "data")
        initialize(store, unit_code="450702000000", unit_name="测试", admin_name="admin",
                   admin_password="bench-pass-2026", admin_badge="000001")
        admin = UserService(store).authenticate("admin", "bench-pass-2026")
        if cpu_only:
            store.anchor = None
            with store.guard.allow():
                store.conn.execute("PRAGMA synchronous = OFF")
        cases = CaseService(store, FormRegistry(forms_dir()), admin)
        case = cases.new_case()
        start = time.perf_counter()
        for i in range(n):
            cases.update(case.id, {"remarks": f"第 {i} 次修改"})
        elapsed = time.perf_counter() - start
        store.close()
    return elapsed / n * 1000


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--cases", type=int, default=500)
    p.add_argument("--changes", type=int, default=200)
    p.add_argument("--rounds", type=int, default=3)
    args = p.parse_args()
    runs: dict[str, list[float]] = {f"{w}_{k}": [] for w in ("demo", "change", "cpu") for k in ("on", "off")}
    for _ in range(args.rounds):
        for on in (True, False):
            key = "on" if on else "off"
            with guard(on):
                runs[f"demo_{key}"].append(demo_seconds(args.cases))
                runs[f"change_{key}"].append(change_ms(args.changes))
                runs[f"cpu_{key}"].append(change_ms(args.changes * 2, cpu_only=True))
    result = {k: statistics.median(v) for k, v in runs.items()}
    print(f"weicha demo --cases {args.cases}: {result['demo_on']:.2f} s with the guard, "
          f"{result['demo_off']:.2f} s without ({result['demo_on'] / result['demo_off'] - 1:+.1%})")
    print(f"one change (CaseService.update): {result['change_on']:.2f} ms with the guard, "
          f"{result['change_off']:.2f} ms without ({result['change_on'] - result['change_off']:+.2f} ms)")
    print(f"the same without fsync and checkpoint: {result['cpu_on']:.3f} ms with the guard, "
          f"{result['cpu_off']:.3f} ms without ({result['cpu_on'] - result['cpu_off']:+.3f} ms)")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "write_guard.json").write_text(json.dumps({"args": vars(args), "runs": runs,
                                                          "median": result}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
