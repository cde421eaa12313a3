"""Benchmark: 核查 against 1,000,000 watch-list entries. Not a test: run it.

    .venv/bin/python benchmarks/bench_watchlist.py [--entries 1000000] [--lookups 5000] [--checks 300]

Builds a data folder in a temporary directory, writes a CSV of ``--entries`` valid entries
(70 % ID numbers in one person list, 30 % plates in one vehicle list; made from a seed) and
imports each with ``weicha watchlist import``'s code (core/checks/lists.import_list: read,
normalize and check every row, then one change with executemany). Then, keys drawn half from
the lists and half not, interleaved so load on the machine hits all alike:

- floor: the raw indexed lookup on a bare sqlite3 connection to the same file
  (``SELECT … FROM watch_entries WHERE key = ?``: the clustered primary key);
- lookup: ``CheckService.lookup`` (the lists' entries with list name, version, date and
  instruction; the server's list by its primary key) — the check's answer;
- records search: ``CheckService.records`` over the current versions of ``--cases`` demo cases;
- commit alone: ``store.log_read`` (one audit entry: the same COMMIT, fsyncs and checkpoint a
  logged check pays; the floor of any logged act);
- check: ``CheckService.check`` as the CLI and the window call it: normalize the typed text,
  look up, the local records, the lists' ages, and the logged change (checks row, audit
  entry, outbox op; COMMIT with synchronous=FULL and the signed checkpoint);
- check answered: the same checks, until their ``answered`` callback (the log committed and
  durable, before the signed checkpoint's fsyncs): when the window and the CLI show the answer;
- the verify of the lists' digests (core/verify/watchlists.py), once.

Medians and p99 in ms, wall and CPU (process time), the ratio to the floor; the query plan;
the import's rows/s and peak memory. Target: a check answers in under 10 ms. Writes
benchmarks/results/watchlist.json."""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from weicha_desktop.core.checks import CheckService, import_list  # noqa: E402
from weicha_desktop.core.checks.lists import PERSON  # noqa: E402
from weicha_desktop.core.checkpoint import Anchor  # noqa: E402
from weicha_desktop.core.forms.validators import id_check_char  # noqa: E402
from weicha_desktop.core.setup import initialize  # noqa: E402
from weicha_desktop.core.store import Store  # noqa: E402
from weicha_desktop.core.users import UserService  # noqa: E402

TARGET_MS = 10.0
PASSWORD = "bench-pass-123"
REGIONS = ("450702", "450703", "450721", "450722", "110105", "440305", "310115", "510107")
PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
SERIAL = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def id_number(rng: random.Random) -> str:
    born = date(1940, 1, 1) + timedelta(days=rng.randrange(30000))
    first17 = f"{rng.choice(REGIONS)}{born:%Y%m%d}{rng.randrange(1000):03d}"
    return first17 + id_check_char(first17)


def plate(rng: random.Random) -> str:
    return rng.choice(PROVINCES) + rng.choice(LETTERS) + "".join(rng.choice(SERIAL) for _ in range(5))


def unique(make, n: int, rng: random.Random) -> list[str]:
    seen: set[str] = set()
    while len(seen) < n:
        seen.add(make(rng))
    return sorted(seen, key=lambda _: rng.random())


def write_csv(path: Path, column: str, keys: list[str]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(f"{column},姓名,原因\n")
        for i, k in enumerate(keys):
            f.write(f"{k},某{i % 1000},编号 {i}\n")


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def stats(wall: list[float], cpu: list[float]) -> dict:
    return {"median_ms": statistics.median(wall) * 1000, "p99_ms": pct(wall, 99) * 1000,
            "max_ms": max(wall) * 1000, "cpu_median_ms": statistics.median(cpu) * 1000,
            "cpu_p99_ms": pct(cpu, 99) * 1000, "n": len(wall)}


def timed(fn, *args) -> tuple[float, float]:
    w, c = time.perf_counter(), time.process_time()
    fn(*args)
    return time.perf_counter() - w, time.process_time() - c


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--entries", type=int, default=1_000_000)
    ap.add_argument("--lookups", type=int, default=5000)
    ap.add_argument("--checks", type=int, default=300)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--cases", type=int, default=2000, help="demo cases whose records the check searches")
    ap.add_argument("--keep", type=Path, help="build the folder here and keep it")
    ap.add_argument("--out", type=Path, default=HERE / "results" / "watchlist.json")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    root = args.keep or Path(tempfile.mkdtemp(prefix="weicha-bench-watchlist-"))
    root.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("WEICHA_CONFIG_DIR", str(root / "config"))

    n_person = args.entries * 7 // 10
    n_vehicle = args.entries - n_person
    t = time.perf_counter()
    persons = unique(id_number, n_person + args.lookups, rng)
    vehicles = unique(plate, n_vehicle + args.lookups, rng)
    listed = {PERSON: persons[:n_person], "vehicle": vehicles[:n_vehicle]}
    absent = {PERSON: persons[n_person:], "vehicle": vehicles[n_vehicle:]}
    write_csv(root / "persons.csv", "身份证号", listed[PERSON])
    write_csv(root / "vehicles.csv", "号牌", listed["vehicle"])
    print(f"generated {args.entries:,} entries and the CSV files in {time.perf_counter() - t:.1f} s")

    store = Store.open(root / "data", anchor=Anchor(root / "config"))
    if args.cases:  # local records for the check to search: demo cases with their witnesses
        from weicha_desktop.core.demo import fill_demo
        from weicha_desktop.core.forms import FormRegistry
        from weicha_desktop.resources import forms_dir

        t = time.perf_counter()
        fill_demo(store, FormRegistry(forms_dir()), cases=args.cases, password=PASSWORD)
        print(f"{args.cases:,} demo cases in {time.perf_counter() - t:.1f} s")
    else:
        initialize(store, unit_code="450702000000", unit_name="钦州市公安局钦南分局", admin_name="admin",
                   admin_password=PASSWORD, admin_badge="100001", device_slot=1, device_slots=1)
    admin = UserService(store).authenticate("admin", PASSWORD)

    imports = []
    for name, file in (("在逃人员", "persons.csv"), ("被盗抢机动车", "vehicles.csv")):
        w, c = time.perf_counter(), time.process_time()
        report = import_list(store, admin, root / file, name)
        wall, cpu = time.perf_counter() - w, time.process_time() - c
        imports.append({"list": name, "rows": report.imported, "wall_s": wall, "cpu_s": cpu,
                        "read_s": report.read_seconds, "write_s": report.write_seconds,
                        "rows_per_s": report.imported / wall})
        print(f"import {name}: {report.imported:,} rows in {wall:.1f} s ({report.imported / wall:,.0f} rows/s; "
              f"read+check {report.read_seconds:.1f} s, write {report.write_seconds:.1f} s; CPU {cpu:.1f} s)")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    db_mb = sum(p.stat().st_size for p in (root / "data").glob("weicha.db*")) / 1e6

    raw = sqlite3.connect(f"file:{root / 'data' / 'weicha.db'}?mode=ro", uri=True)
    floor_sql = "SELECT set_id, name, reason, extra FROM watch_entries WHERE key = ?"
    plan = [r[3] for r in raw.execute("EXPLAIN QUERY PLAN " + floor_sql, ("x",))]
    svc = CheckService(store, admin)
    keys = [(kind, k) for kind in (PERSON, "vehicle") for k in
            rng.sample(listed[kind], args.lookups // 4) + absent[kind][:args.lookups // 4]]
    rng.shuffle(keys)
    for kind, k in keys[:200]:  # warm the page cache of both connections alike
        raw.execute(floor_sql, (k,)).fetchall()
        svc.lookup(kind, k)
        svc.records(kind, k)  # its first call imports core/collect/lookup.py
    floor_w, floor_c, look_w, look_c = [], [], [], []
    for kind, k in keys:
        w, c = timed(lambda: raw.execute(floor_sql, (k,)).fetchall())
        floor_w.append(w)
        floor_c.append(c)
        w, c = timed(lambda: svc.lookup(kind, k))
        look_w.append(w)
        look_c.append(c)
    rec_w, rec_c, commit_w, commit_c = [], [], [], []
    check_w, check_c, results, answer = [], [], {"hit": 0, "miss": 0}, []
    for kind, k in keys[:args.checks]:  # interleaved: the disk's load falls on all three alike
        w, c = timed(svc.records, kind, k)
        rec_w.append(w)
        rec_c.append(c)
        w, c = timed(store.log_read, admin, "case.export", "case", None, "benchmark: a commit alone")
        commit_w.append(w)
        commit_c.append(c)
        typed = k.lower() if kind == PERSON else f"{k[:2]}·{k[2:]}"   # as typed, normalized by the check
        w, c = time.perf_counter(), time.process_time()
        r = svc.check(typed, None, "typed", answered=lambda _r: answer.append(
            (time.perf_counter() - w, time.process_time() - c)))
        check_w.append(time.perf_counter() - w)
        check_c.append(time.process_time() - c)
        results[r.result] += 1
    from weicha_desktop.core.verify.watchlists import check_watchlists

    w, c = timed(check_watchlists, store.conn, [], [])  # weicha verify's part: every entry re-hashed
    verify_lists = {"wall_s": w, "cpu_s": c}
    print(f"verify of the lists' digests: {w:.1f} s ({c:.1f} s CPU)")
    store.close()
    raw.close()

    out = {
        "machine": {"python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
                    "cpus": os.cpu_count(), "system": platform.platform()},
        "entries": args.entries, "import": imports, "peak_rss_mb": peak_mb, "db_mb": db_mb,
        "query_plan": plan,
        "floor_raw_indexed_lookup": stats(floor_w, floor_c),
        "lookup": stats(look_w, look_c),
        "records_search": stats(rec_w, rec_c) | {"cases": args.cases},
        "commit_floor_log_read": stats(commit_w, commit_c),
        "check_logged": stats(check_w, check_c) | {"results": results},
        "check_answered": stats([a[0] for a in answer], [a[1] for a in answer]),
        "verify_lists": verify_lists,
        "target_ms": TARGET_MS,
    }
    out["lookup"]["x_floor_median"] = out["lookup"]["median_ms"] / out["floor_raw_indexed_lookup"]["median_ms"]
    out["check_logged"]["x_floor_median"] = (out["check_logged"]["median_ms"]
                                             / out["floor_raw_indexed_lookup"]["median_ms"])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")

    print(f"\nquery plan: {plan}")
    print(f"{'':24}{'median ms':>10}{'p99 ms':>10}{'max ms':>10}{'CPU med':>10}{'CPU p99':>10}{'x floor':>9}")
    for label, key in (("floor (raw indexed)", "floor_raw_indexed_lookup"), ("lookup", "lookup"),
                       ("records search", "records_search"), ("commit alone (floor)", "commit_floor_log_read"),
                       ("check answered", "check_answered"), ("check (logged)", "check_logged")):
        s = out[key]
        ratio = s.get("x_floor_median")
        print(f"{label:24}{s['median_ms']:>10.3f}{s['p99_ms']:>10.3f}{s['max_ms']:>10.3f}"
              f"{s['cpu_median_ms']:>10.3f}{s['cpu_p99_ms']:>10.3f}{'' if ratio is None else f'{ratio:>8.1f}x'}")
    print(f"checks: {results}; peak RSS {peak_mb:.0f} MB; database {db_mb:.0f} MB; "
          f"target: a check under {TARGET_MS} ms -> "
          f"lookup {'met' if out['lookup']['p99_ms'] < TARGET_MS else 'NOT met'} at p99, answered "
          f"{'met' if out['check_answered']['median_ms'] < TARGET_MS else 'NOT met'} at the median, logged check "
          f"{'met' if out['check_logged']['p99_ms'] < TARGET_MS else 'NOT met'} at p99 (wall), "
          f"{'met' if out['check_logged']['cpu_p99_ms'] < TARGET_MS else 'NOT met'} (CPU)")
    print(f"folder: {root}" + ("" if args.keep else " (temporary; delete it or pass --keep)"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
