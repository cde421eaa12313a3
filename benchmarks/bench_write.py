"""Benchmark: one write through the one write path (``with store.change(actor) as ch:`` record +
audit entry + outbox op), against a floor measured in the same run.

The typical saves, each its own transaction as the program commits them (synchronous=FULL,
the signed checkpoint after each commit):

- ``scene save``: ``CaseService.update`` of one narrative field of a full demo scene draft
  (form validation, the record's version, registry, people and list rows, the op with the
  draft's whole state checked against its schema, the audit entry, the checkpoint);
- ``logged read``: ``store.log_read`` — one audit entry, the smallest change there is (a 核查
  check, an export or a print logs one).

The **floor** of each: a bare ``sqlite3`` connection (no guard, no Python layers) on a copy of
the same database, same PRAGMAs (WAL, synchronous=FULL), writing the same rows in one
``BEGIN IMMEDIATE … COMMIT``: copies of the rows the save wrote (the version's data, the
registry, people, list, outbox, counter and audit rows; the triggers fire as they do for the
program). Reported as writes/s and as the ratio program/floor, with CPU µs per write
(process time: the machine is shared, wall time is noisy) and the program without its
checkpoint (what the signed checkpoint adds). Rounds alternate; medians.

``--root DIR``: measure the program in another checkout (e.g. a ``git worktree`` of an older
commit) — the floor is the same, so two runs compare the product's cost per write.

Run:  .venv/bin/python benchmarks/bench_write.py [--saves 200] [--rounds 5] [--root DIR]"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
PASSWORD = "bench-pass-2026"
# the tables a scene save writes (the floor copies their rows)
SAVE_TABLES = ("record_versions", "records", "record_people", "cases", "outbox", "outbox_sequence", "audit_log")


def open_program(folder: Path):
    """A folder with one admin and one full demo scene draft (the program's own code)."""
    from weicha_desktop.core.cases import CaseService
    from weicha_desktop.core.demo import scene_values
    from weicha_desktop.core.forms import FormRegistry
    from weicha_desktop.core.setup import initialize
    from weicha_desktop.core.store import Store
    from weicha_desktop.core.users import UserService
    from weicha_desktop.resources import forms_dir

    store = Store.open(folder)
    initialize(store, unit_code="450702000000", unit_name="测试", admin_name="admin",
               admin_password=PASSWORD, admin_badge="000001")
    admin = UserService(store).authenticate("admin", PASSWORD)
    cases = CaseService(store, FormRegistry(forms_dir()), admin)
    case = cases.new_case()
    cases.update(case.id, {k: v for k, v in scene_values(3).items() if k != "case_number"})
    return store, cases, case.id


def timed(fn, n: int) -> tuple[float, float]:
    """(wall µs, CPU µs) per call of ``fn(i)``."""
    wall, cpu = time.perf_counter(), time.process_time()
    for i in range(n):
        fn(i)
    return (time.perf_counter() - wall) / n * 1e6, (time.process_time() - cpu) / n * 1e6


def program(folder: Path, n: int, *, checkpoint: bool) -> dict[str, tuple[float, float]]:
    from weicha_desktop.core.store import SYSTEM

    store, cases, case_id = open_program(folder)
    if not checkpoint:
        store.anchor = None
    try:
        for i in range(10):  # warm: statements prepared, validators built
            cases.update(case_id, {"narrative_process": f"预热 {i}"})
        save = timed(lambda i: cases.update(case_id, {"narrative_process": f"第 {i} 次修改：现场勘验"}), n)
        read = timed(lambda i: store.log_read(SYSTEM, "access.denied", "case", case_id, f"核查 {i}"), n)
    finally:
        store.close()
    return {"scene save": save, "logged read": read}


def floor(folder: Path, n: int) -> dict[str, tuple[float, float]]:
    """The same rows, written by bare SQLite on a copy of a folder the program made."""
    store, cases, case_id = open_program(folder)
    cases.update(case_id, {"narrative_process": "第 0 次修改：现场勘验"})
    store.close()
    conn = sqlite3.connect(folder / "weicha.db", isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")

    def last(table: str, order: str, where: str = "1") -> dict:
        cur = conn.execute(f"SELECT * FROM {table} WHERE {where} ORDER BY {order} DESC LIMIT 1")
        return dict(zip([c[0] for c in cur.description], cur.fetchone()))

    version = last("record_versions", "rowid", "record_id = '%s'" % case_id)
    people = [r for r in conn.execute("SELECT * FROM record_people WHERE record_id = ?", (case_id,))]
    op, entry = last("outbox", "device_seq"), last("audit_log", "seq")
    people_sql = f"INSERT INTO record_people VALUES ({', '.join('?' * len(people[0]))})"

    def insert(table: str, row: dict) -> None:
        conn.execute(f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                     list(row.values()))

    def save(i: int) -> None:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE record_versions SET data = ?, updated_at = ? WHERE id = ?",
                     (version["data"].replace("第 0 次", f"第 {i} 次"), f"t{i}", version["id"]))
        conn.execute("UPDATE records SET updated_at = ? WHERE id = ?", (f"t{i}", case_id))
        conn.execute("DELETE FROM record_people WHERE record_id = ?", (case_id,))
        conn.executemany(people_sql, people)
        conn.execute("UPDATE cases SET updated_at = ? WHERE id = ?", (f"t{i}", case_id))
        seq = conn.execute("UPDATE outbox_sequence SET last_seq = last_seq + 1 RETURNING last_seq").fetchone()[0]
        insert("outbox", {**{k: v for k, v in op.items() if k != "seq"}, "op_id": str(uuid.uuid4()),
                          "device_seq": seq})
        log(i, commit=False)
        conn.execute("COMMIT")

    def log(i: int, commit: bool = True) -> None:
        if commit:
            conn.execute("BEGIN IMMEDIATE")
        insert("audit_log", {**{k: v for k, v in entry.items() if k != "seq"}, "id": str(uuid.uuid4()),
                             "hash": f"{i:064x}"})
        if commit:
            conn.execute("COMMIT")

    try:
        for i in range(10):
            save(i)
        return {"scene save": timed(save, n), "logged read": timed(log, n)}
    finally:
        conn.close()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--saves", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout whose program is measured")
    args = parser.parse_args()
    sys.path.insert(0, str(args.root.resolve()))
    config = Path(tempfile.mkdtemp(prefix="weicha-bench-write-cfg-"))
    os.environ["WEICHA_CONFIG_DIR"] = str(config)  # the device key and checkpoints: not the user's
    os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")  # a key file there
    runs: dict[str, dict[str, list[tuple[float, float]]]] = {}
    try:
        for r in range(args.rounds):
            for name, run in (("program", lambda d: program(d, args.saves, checkpoint=True)),
                              ("no checkpoint", lambda d: program(d, args.saves, checkpoint=False)),
                              ("floor", lambda d: floor(d, args.saves))):
                with tempfile.TemporaryDirectory(prefix="weicha-bench-write-") as tmp:
                    for work, numbers in run(Path(tmp) / f"data{r}").items():
                        runs.setdefault(work, {}).setdefault(name, []).append(numbers)
    finally:
        shutil.rmtree(config, ignore_errors=True)
    median = {work: {name: [statistics.median(x[0] for x in v), statistics.median(x[1] for x in v)]
                     for name, v in ways.items()} for work, ways in runs.items()}
    print(f"one write, {args.saves} a round, medians of {args.rounds} rounds ({args.root}), "
          f"load {os.getloadavg()[0]:.1f}")
    print(f"{'':<14}{'':<15}{'writes/s':>10}{'wall µs':>10}{'CPU µs':>10}{'/ floor':>9}")
    for work, ways in median.items():
        for name, (wall, cpu) in ways.items():
            ratio = ways["floor"][0] / wall
            print(f"{work:<14}{name:<15}{1e6 / wall:>10.0f}{wall:>10.0f}{cpu:>10.0f}{ratio:>9.2f}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "write.json").write_text(json.dumps(
        {"args": {**vars(args), "root": str(args.root)}, "load": os.getloadavg()[0], "runs": runs,
         "median": median}, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
