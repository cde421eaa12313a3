"""Benchmark: cold start, a fresh ``python`` process from exec to the main window painted with
the first page of cases, against a bare PySide6 window with a table. Not a test: run it.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_startup.py [--runs 9]

Each run starts fresh processes of startup_child.py, one after the other, in rotating order:

- the floor: a bare ``QMainWindow`` holding a ``QTableView`` over a 50-row
  ``QStandardItemModel``, shown;
- the program: ``weicha_desktop.gui.shell.app``'s steps as ``run_gui`` takes them (application
  log, Qt messages, single-instance check and server, ``make_app``, ``apply_language``,
  ``open_store``, ``load_forms``, ``build_main_window``, ``show``) on the data folder, with
  its settings in a temporary INI file. The login dialog is skipped: the window is built for
  the folder's ``admin`` Actor. This is the measure the target is for (issue 10 §6);
- the program with the login's work (when the admin's password is the demo's or
  ``--password``): ``UserService.authenticate`` where the dialog would call it once the
  password is typed (scrypt, the ``login.ok`` change, the checkpoint). One scrypt check of
  the stored hash is also timed on its own.

The time is from just before the process is started (``time.monotonic``, system-wide on
Linux, macOS and Windows) to the first paint of the table's viewport with rows in it: the
window is usable then (the program's case list shows its first page). Also reported, for
the program: each step's end, when the count ("共 M 条", counted after the paint) arrives,
when the work the window leaves until after its first paint is done (``deferred``:
``MainWindow.finish_start``), and the heavy modules already imported at the paint. The CPU
time each process used until its table was painted (user + system, all threads, from exec)
is reported beside the wall time, with its own ratio: on a shared machine it moves far less. The file cache is warm and the bytecode
written (one discarded run of each first; bytecode in a temporary PYTHONPYCACHEPREFIX, as an
installed program has its .pyc files even where PYTHONDONTWRITEBYTECODE is set): "cold"
means a new process, not a machine just switched on.

Data folder: ``--data DIR`` if given; else bench_case_list's 100,000 cases
(``benchmarks/data/case_list``) if that folder exists; else ``benchmarks/data/startup`` built
once with ``--cases`` demo cases (default 20,000) and reused. The size is in the results.

``--importtime`` runs the program once more under ``python -X importtime`` and prints the
slowest top-level imports. Output: ``results/startup.json``. Target: ≤ 2× the floor (the
ratio of the medians; exit status 1 above it)."""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TARGET_RATIO = 2.0
CHILD = HERE / "startup_child.py"


# ---- the parent -------------------------------------------------------------------------------
def spawn(mode: str, folder: Path, workdir: Path, python_flags: tuple[str, ...] = (),
          password: str = "") -> dict:
    """One fresh process; its stamps as ms from just before it was started."""
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"),
               PYTHONPYCACHEPREFIX=str(workdir / "pycache"), WEICHA_PASSWORD=password)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed program has its bytecode
    command = [sys.executable, *python_flags, str(CHILD), mode, str(folder), str(workdir)]
    start = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120,
                          cwd=ROOT)
    if done.returncode != 0 or not done.stdout.strip():
        raise SystemExit(f"{mode} run failed ({done.returncode}):\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["ms"] = {k: round((v - start) * 1000, 1) for k, v in result.pop("stamps").items()}
    result["stderr"] = done.stderr
    return result


def data_folder(args: argparse.Namespace) -> tuple[Path, dict]:
    """The folder measured and how it came to be (its case count)."""
    import sqlite3

    default = HERE / "data" / "case_list"
    if args.data:
        folder = Path(args.data).resolve()
    elif (default / "weicha.db").exists():
        folder = default
    else:
        sys.path.insert(0, str(HERE))
        from bench_case_list import build  # noqa: PLC0415 - its Qt imports only when building

        folder = HERE / "data" / "startup"
        print(f"no {default}: building {args.cases} cases in {folder}", flush=True)
        build(folder, args.cases, 7, rebuild=False)
    with sqlite3.connect(f"{(folder / 'weicha.db').as_uri()}?mode=ro", uri=True) as conn:
        cases = conn.execute("SELECT count(*) FROM cases").fetchone()[0]
        stored = conn.execute("SELECT password_hash FROM users WHERE name = 'admin'").fetchone()
    return folder, {"folder": str(folder.relative_to(ROOT) if folder.is_relative_to(ROOT)
                                   else folder), "cases": cases, "admin_hash": stored[0]}


def scrypt_cost(stored: str, runs: int = 3) -> dict:
    """One scrypt check of the admin's stored hash: the core of what a login adds."""
    sys.path.insert(0, str(ROOT))
    from weicha_desktop.core.users import check_password

    times = []
    for _ in range(runs):
        t = time.perf_counter()
        check_password("not the password", stored)
        times.append((time.perf_counter() - t) * 1000)
    n, r, p = stored.split("$")[1:4]
    return {"scrypt": f"n={n} r={r} p={p}", "median_ms": round(statistics.median(times), 1)}


def password_of(stored: str, given: str | None) -> str:
    """The admin's password for the login runs ("" when it is not the one given / the demo's)."""
    sys.path.insert(0, str(ROOT))
    from weicha_desktop.core.demo import DEMO_PASSWORD
    from weicha_desktop.core.users import check_password

    password = given if given is not None else DEMO_PASSWORD
    return password if check_password(password, stored) else ""


def importtime(folder: Path, workdir: Path, top: int = 20) -> list[tuple[float, str]]:
    """The slowest imports (cumulative ms, under -X importtime's own overhead) of one program
    start, at most two levels deep (what gui/shell/app.py and the main window import)."""
    result = spawn("app", folder, workdir, ("-X", "importtime"))
    rows = []
    for line in result["stderr"].splitlines():
        if line.startswith("import time:") and "|" in line:
            _, cumulative, name = line[len("import time:"):].split("|")
            depth = (len(name) - len(name.lstrip(" ")) - 1) // 2
            if cumulative.strip().isdigit() and depth <= 1:
                rows.append((int(cumulative) / 1000, "  " * depth + name.strip()))
    return sorted(rows, reverse=True)[:top]


def summary(values: list[float]) -> dict:
    return {"median": round(statistics.median(values), 1), "min": round(min(values), 1),
            "max": round(max(values), 1), "runs": [round(v, 1) for v in values]}


def ratios(values: list[float], floors: list[float]) -> dict:
    """The ratio of the medians, and the median and spread of the per-run ratios."""
    each = [v / f for v, f in zip(values, floors)]
    return {"of_medians": round(statistics.median(values) / statistics.median(floors), 2),
            "median": round(statistics.median(each), 2), "min": round(min(each), 2),
            "max": round(max(each), 2)}


STEPS = ("main", "imported", "app", "store", "forms", "login", "window", "paint", "shown",
         "counted", "deferred")


def run(args: argparse.Namespace) -> dict:
    import platform

    folder, made = data_folder(args)
    print(f"data folder {made['folder']}: {made['cases']} cases", flush=True)
    password = password_of(made["admin_hash"], args.password)
    modes = ("floor", "app", "login") if password else ("floor", "app")
    runs: dict[str, list[dict]] = {mode: [] for mode in modes}
    with tempfile.TemporaryDirectory(prefix="weicha-bench-startup-") as tmp:
        workdir = Path(tmp)
        for mode in modes:  # warm the file cache and write the bytecode: discarded
            spawn(mode, folder, workdir, password=password)
        for i in range(args.runs):
            for mode in modes[i % len(modes):] + modes[:i % len(modes)]:  # rotating order
                runs[mode].append(spawn(mode, folder, workdir, password=password))
            print(f"  run {i + 1}/{args.runs}: " + ", ".join(
                f"{mode} {runs[mode][-1]['ms']['shown']:.0f} ms" for mode in modes), flush=True)
        slow = importtime(folder, workdir) if args.importtime else []
    import PySide6

    floor = [r["ms"]["shown"] for r in runs["floor"]]
    shown = [r["ms"]["shown"] for r in runs["app"]]
    last = runs["app"][-1]
    result = {
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(),
                    "python": platform.python_version(), "pyside6": PySide6.__version__,
                    "qpa": os.environ.get("QT_QPA_PLATFORM", "offscreen")},
        "data": {k: v for k, v in made.items() if k != "admin_hash"},
        "runs": args.runs,
        "floor_ms": summary(floor),
        "program_ms": summary(shown),
        "ratio": ratios(shown, floor),
        "cpu": {"floor_ms": summary([r["cpu"]["shown"] for r in runs["floor"]]),
                "program_ms": summary([r["cpu"]["shown"] for r in runs["app"]]),
                "ratio": ratios([r["cpu"]["shown"] for r in runs["app"]],
                                [r["cpu"]["shown"] for r in runs["floor"]])},
        "program_steps_ms": {s: round(statistics.median(r["ms"][s] for r in runs["app"]), 1)
                             for s in STEPS},
        "floor_steps_ms": {s: round(statistics.median(r["ms"][s] for r in runs["floor"]), 1)
                           for s in ("main", "window", "paint", "shown")},
        "heavy_at_paint": last["heavy_at_paint"], "modules_at_paint": last["modules_at_paint"],
        "rows_shown": last["rows_shown"], "total_counted": last["total"],
        "login_scrypt": scrypt_cost(made["admin_hash"]),
        "target_ratio": TARGET_RATIO,
    }
    if password:
        with_login = [r["ms"]["shown"] for r in runs["login"]]
        result["with_login"] = {
            "program_ms": summary(with_login), "ratio": ratios(with_login, floor),
            "login_step_ms": round(statistics.median(
                r["ms"]["login"] - r["ms"]["forms"] for r in runs["login"]), 1),
            "heavy_at_paint": runs["login"][-1]["heavy_at_paint"]}
    if slow:
        result["slowest_imports_ms"] = [[round(ms, 1), name] for ms, name in slow]
    result["ok"] = result["ratio"]["of_medians"] <= TARGET_RATIO
    return result


def report(r: dict) -> None:
    def row(name: str, v: dict) -> str:
        return f"{name:44} {v['median']:8.0f} {v['min']:8.0f} {v['max']:8.0f}"

    print(f"\n{r['runs']} runs, {r['data']['cases']} cases ({r['data']['folder']})")
    print(f"{'measure':44} {'median':>8} {'min':>8} {'max':>8}")
    print(row("floor: bare window + table, shown (ms)", r["floor_ms"]))
    print(row("program: main window, first page (ms)", r["program_ms"]))
    ratio = r["ratio"]
    print(f"{'  ratio to the floor, per run':44} {ratio['median']:8.2f} {ratio['min']:8.2f} "
          f"{ratio['max']:8.2f}")
    cpu = r["cpu"]
    print(row("CPU time, floor (ms)", cpu["floor_ms"]))
    print(row("CPU time, program (ms)", cpu["program_ms"]))
    print(f"{'  ratio to the floor, per run':44} {cpu['ratio']['median']:8.2f} "
          f"{cpu['ratio']['min']:8.2f} {cpu['ratio']['max']:8.2f}")
    if "with_login" in r:
        w = r["with_login"]
        print(row("program with the login's work (ms)", w["program_ms"]))
        print(f"{'  ratio to the floor, per run':44} {w['ratio']['median']:8.2f} "
              f"{w['ratio']['min']:8.2f} {w['ratio']['max']:8.2f}")
    print("\nprogram steps, median ms since exec: " + ", ".join(
        f"{k} {v:.0f}" for k, v in r["program_steps_ms"].items()))
    print("floor steps, median ms since exec: " + ", ".join(
        f"{k} {v:.0f}" for k, v in r["floor_steps_ms"].items()))
    print(f"heavy modules loaded at the paint: {', '.join(r['heavy_at_paint']) or 'none'} "
          f"({r['modules_at_paint']} modules); first page {r['rows_shown']} rows, "
          f"counted {r['total_counted']}")
    print(f"login: one scrypt check {r['login_scrypt']['median_ms']} ms "
          f"({r['login_scrypt']['scrypt']})", end="")
    if "with_login" in r:
        w = r["with_login"]
        print(f"; the whole login step (scrypt, login.ok change, checkpoint) "
              f"{w['login_step_ms']:.0f} ms; heavy at its paint: "
              f"{', '.join(w['heavy_at_paint']) or 'none'}")
    else:
        print("; login runs skipped (the admin's password is not the demo's: --password)")
    for ms, name in r.get("slowest_imports_ms", []):
        print(f"  import {ms:7.1f} ms  {name}")
    verdict = "OK" if r["ok"] else "TOO SLOW"
    print(f"\ncold start {ratio['of_medians']:.2f}× the floor (medians; target ≤ "
          f"{r['target_ratio']:.0f}×): {verdict}; CPU time {cpu['ratio']['of_medians']:.2f}×")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--data", help="data folder to measure (default: see the docstring)")
    parser.add_argument("--cases", type=int, default=20_000,
                        help="cases to build when there is no folder to reuse")
    parser.add_argument("--password", help="the admin's password for the login runs "
                                           "(default: the demo's)")
    parser.add_argument("--importtime", action="store_true",
                        help="also list the slowest imports of one start")
    parser.add_argument("--out", default=str(HERE / "results" / "startup.json"))
    args = parser.parse_args()
    result = run(args)
    report(result)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n",
                              encoding="utf-8")
    print(f"written {args.out}", flush=True)
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
