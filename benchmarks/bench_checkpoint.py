"""Benchmark: what the signed checkpoint (core/checkpoint.py) costs a commit.

Runs N commits (``store.log_read``: one audit entry each, the smallest change there is) on a
fresh folder, three ways in the same run: without a checkpoint (``store.anchor = None``: the
floor, a commit with synchronous=FULL), with the checkpoint as the program runs it, and the
checkpoint's own part alone (``Anchor.advance`` on an unchanged head: the reads, queries and
lock, no write), and the floor of the write itself: a 700-byte file written whole with
``fileio.write_atomic`` (fsync of the file, rename, fsync of the folder) and the same without
the folder's fsync. Prints milliseconds per commit (median and mean of 5 rounds).

Run:  .venv/bin/python benchmarks/bench_checkpoint.py [--commits 300]"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "benchmarks" / "results"


def per_commit(store, n: int) -> float:
    from weicha_desktop.core.store import SYSTEM

    start = time.perf_counter()
    for i in range(n):
        store.log_read(SYSTEM, "check.person", "person", None, f"核查 {i}")
    return (time.perf_counter() - start) / n * 1000


def _writes(path: Path, n: int, folder_fsync: bool) -> float:
    from unittest import mock

    from weicha_desktop.core import fileio

    data = b"x" * 700
    with mock.patch.object(fileio, "fsync_dir", fileio.fsync_dir if folder_fsync else (lambda folder: None)):
        start = time.perf_counter()
        for _ in range(n):
            fileio.write_atomic(path, data, mode=0o600)
        return (time.perf_counter() - start) / n * 1000


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--commits", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    from weicha_desktop.core.checkpoint import Anchor
    from weicha_desktop.core.setup import initialize

    rows: dict[str, list[float]] = {"without checkpoint": [], "with checkpoint": [], "advance, head unchanged": [],
                                    "write_atomic 700 B": [], "  same, no folder fsync": []}
    with tempfile.TemporaryDirectory(prefix="weicha-bench-cp-") as tmp:
        anchor = Anchor(Path(tmp) / "config", keyring=None)
        store_dir = Path(tmp) / "data"
        from weicha_desktop.core.store import Store

        store = Store.open(store_dir, anchor=anchor)
        initialize(store, unit_code="450702000000", unit_name="基准测试单位", admin_name="admin",
                   admin_password="bench-pass-2026")
        per_commit(store, 20)  # warm up
        for _ in range(args.rounds):
            store.anchor = None
            rows["without checkpoint"].append(per_commit(store, args.commits))
            store.anchor = anchor
            rows["with checkpoint"].append(per_commit(store, args.commits))
            start = time.perf_counter()
            for _ in range(args.commits):
                anchor.advance(store.conn, store.data_dir)
            rows["advance, head unchanged"].append((time.perf_counter() - start) / args.commits * 1000)
            rows["write_atomic 700 B"].append(_writes(Path(tmp) / "floor.json", args.commits, True))
            rows["  same, no folder fsync"].append(_writes(Path(tmp) / "floor.json", args.commits, False))
        store.close()
    result = {name: {"median_ms": round(statistics.median(v), 3), "mean_ms": round(statistics.mean(v), 3)}
              for name, v in rows.items()}
    result["commits"] = args.commits
    for name, v in rows.items():
        print(f"{name:28s} {statistics.median(v):7.3f} ms/commit (median of {args.rounds}), "
              f"mean {statistics.mean(v):.3f}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "checkpoint.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
