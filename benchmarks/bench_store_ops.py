"""Benchmark: the local store's cost per operation, in CPU (process time: user + system; the
machine is shared, wall time is noisy) — what every test and every user action pays.

Per round, for each of ``--folders`` new data folders (``--per-key-store``, default 20, to a key
store, as a test module has; a folder's first checkpoint once read every file of its key store:
``--per-key-store 150 --folders 150`` shows what a large one costs):

- ``new folder``: ``tests/support.new_store`` — a copy of the migrated empty database opened
  and ``initialize``d for real (unit, device, admin, folder id, system.init, the first signed
  checkpoint and its data.anchor entry);
- ``login``: ``UserService.authenticate`` (the tests' cheap scrypt cost: the store's part);
- ``new case``: ``CaseService.new_case``; ``scene save``: ``update`` with a full demo scene,
  then ``one-field save`` (3 each); ``logged read``: ``store.log_read``;
- ``close``: ``Store.close`` (the last checkpoint look, SQLite's WAL checkpoint and files);
- ``open``: ``Store.open`` of that folder again (a program start, a sibling connection: the
  schema read, the migration check, the folder lock, the checkpoint look); ``first commit``
  the first logged read after it (a new Anchor: the key loaded), then 10 more (``commit``:
  the steady state).

Medians over all folders of all rounds. ``--root DIR`` measures another checkout (a ``git
worktree`` of an older commit): run both in the same minutes and compare.

Run:  .venv/bin/python benchmarks/bench_store_ops.py [--folders 40] [--rounds 3] [--root DIR]"""
from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"


def measure(folders: int, work: Path, per_key_store: int = 20) -> dict[str, list[float]]:
    from weicha_desktop.core import users
    from weicha_desktop.core.cases import CaseService
    from weicha_desktop.core.demo import scene_values
    from weicha_desktop.core.store import Store

    from tests.support import PASSWORD, forms, new_store

    users.use_hash_cost(users.HashCost(n=2**4, r=8, p=1))  # as the tests do (conftest.py)
    scene = {k: v for k, v in scene_values(3).items() if k != "case_number"}
    times: dict[str, list[float]] = {}

    def timed(name, fn):
        start = time.process_time()
        out = fn()
        times.setdefault(name, []).append((time.process_time() - start) * 1e3)
        return out

    forms()
    new_store(work / "warm").close()  # the migrated template, made once per run
    for i in range(folders):
        if i % per_key_store == 0:
            os.environ["WEICHA_CONFIG_DIR"] = str(work / f"config{i // per_key_store}")
        store = timed("new folder", lambda: new_store(work / f"data{i}"))
        admin = timed("login", lambda: users.UserService(store).authenticate("admin", PASSWORD))
        cases = CaseService(store, forms(), admin)
        case = timed("new case", cases.new_case)
        timed("scene save", lambda: cases.update(case.id, scene))
        for j in range(3):
            timed("one-field save", lambda: cases.update(case.id, {"narrative_overview": f"现场 {i}.{j}"}))
        timed("logged read", lambda: store.log_read(admin, "evidence.labels", "case", case.id, "打印标签"))
        timed("close", store.close)
        store = timed("open", lambda: Store.open(work / f"data{i}", clock=store.clock))
        for k in range(11):
            timed("commit" if k else "first commit", lambda: store.log_read(admin, "evidence.labels", "case", case.id, "打印标签"))
        store.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folders", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--per-key-store", type=int, default=20)
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout whose program is measured")
    args = parser.parse_args()
    sys.path.insert(0, str(args.root.resolve()))
    gc.set_threshold(10_000, 20, 20)  # as the test processes run (tests/conftest.py)
    runs: dict[str, list[float]] = {}
    for _ in range(args.rounds):
        with tempfile.TemporaryDirectory(prefix="bench-store-") as work:
            for name, values in measure(args.folders, Path(work), args.per_key_store).items():
                runs.setdefault(name, []).extend(values)
    table = {name: round(statistics.median(values), 3) for name, values in runs.items()}
    print(f"store operations, CPU ms (medians of {args.rounds} × {args.folders} folders, {args.root})")
    for name, ms in table.items():
        print(f"  {name:15s} {ms:7.2f}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "store_ops.json").write_text(json.dumps(
        {"args": {**vars(args), "root": str(args.root)}, "load": os.getloadavg()[0], "cpu_ms": table},
        ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
