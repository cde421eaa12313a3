"""Benchmark: opening a case's form (``FormView``), offscreen, CPU milliseconds (the machine is
shared: process time, not wall). Not a test: run it.

For a new draft (what 新建勘验 opens) and a full demo scene draft (witnesses, traces, the
narrative written): the form built (``FormView(...)``), then shown at 1280×800 until the
event loop is idle (its first paint), then every other tab shown once (what a person going
through the whole record adds: since a tab's inputs are made when it is first needed
(gui/forms/lazy.py), making them is counted here, no longer in the open). Rounds alternate;
medians.

``--root DIR``: measure another checkout (e.g. ``git worktree add /tmp/old <rev>``), to compare
the product's cost in the same hour.

Run:  QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_form_open.py [--opens 15] [--root DIR]"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
PASSWORD = "bench-pass-2026"


def open_folder(folder: Path):
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
    cases = CaseService(store, FormRegistry(forms_dir()), UserService(store).authenticate("admin", PASSWORD))
    full = cases.new_case()
    cases.update(full.id, {k: v for k, v in scene_values(3).items() if k != "case_number"})
    return store, cases, {"new draft": cases.new_case().id, "full draft": full.id}


def one_open(app, cases, case_id: str) -> dict[str, float]:
    from weicha_desktop.gui.forms.view import FormView

    cpu = time.process_time
    start = cpu()
    view = FormView(cases, cases.get(case_id))
    built = cpu()
    view.resize(1280, 800)
    view.show()
    app.processEvents()
    shown = cpu()
    for index in range(1, view.tabs.count()):
        view.tabs.setCurrentIndex(index)
        app.processEvents()
    tabs = cpu()
    view.close()
    view.deleteLater()
    app.processEvents()
    return {"build": (built - start) * 1000, "build + show": (shown - start) * 1000,
            "every tab": (tabs - shown) * 1000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--opens", type=int, default=15)
    parser.add_argument("--root", type=Path, default=ROOT)
    args = parser.parse_args()
    sys.path.insert(0, str(args.root.resolve()))
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from weicha_desktop.gui.shell.app import make_app

    app = make_app()
    with tempfile.TemporaryDirectory() as tmp:
        store, cases, ids = open_folder(Path(tmp) / "data")
        for case_id in ids.values():  # warm: imports, caches
            one_open(app, cases, case_id)
        runs: dict[str, list[dict[str, float]]] = {name: [] for name in ids}
        for _ in range(args.opens):
            for name, case_id in ids.items():
                runs[name].append(one_open(app, cases, case_id))
        store.close()
    result = {name: {k: round(statistics.median(r[k] for r in rs), 1) for k in rs[0]} for name, rs in runs.items()}
    print(f"{'CPU ms (median of ' + str(args.opens) + ')':28s}{'build':>8s}{'build + show':>14s}{'every tab':>11s}")
    for name, row in result.items():
        print(f"{name:28s}{row['build']:8.1f}{row['build + show']:14.1f}{row['every tab']:11.1f}")
    if args.root.resolve() == ROOT:
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "form_open.json").write_text(json.dumps(
            {"opens": args.opens, "cpu_ms": result}, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
