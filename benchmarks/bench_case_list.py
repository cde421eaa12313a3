"""Benchmark: the case list (勘验列表) on 100,000 cases, offscreen. Not a test: run it.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_case_list.py [--cases 100000]

Builds (once; then reuses) a data folder of demo cases made through the one write path
(``fill_demo``, batched commits), opens the real ``CaseListView`` and measures:

- first page: from creating the view to its first paint;
- GUI-thread stalls: a 5 ms heartbeat QTimer records the longest gap between its ticks
  while the list is scrolled to the bottom again and again (pages fetched by the view),
  sorted by every header and filtered (status, dates, text);
- every page read (``CaseQuery.page`` as the model calls it) and every count (worker).

Each is also given as a ratio to a floor measured in the same run: the raw keyset page
query on a bare sqlite3 connection (read 200 rows by an index), and the heartbeat's own
longest gap with nothing to do. Prints a table; writes benchmarks/results/case_list.json.
Target: the longest stall < 100 ms."""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import PySide6  # noqa: E402
from PySide6.QtCore import QEvent, QEventLoop, QObject, QPoint, Qt, QTimer  # noqa: E402
from PySide6.QtGui import QStandardItemModel  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QTableView, QWidget  # noqa: E402

from weicha_desktop.core.case_query import CaseFilters, CaseQuery, CaseSort  # noqa: E402
from weicha_desktop.core.cases import CaseService  # noqa: E402
from weicha_desktop.core.demo import DEMO_PASSWORD, fill_demo  # noqa: E402
from weicha_desktop.core.forms import FormRegistry  # noqa: E402
from weicha_desktop.core.store import Store  # noqa: E402
from weicha_desktop.core.users import UserService  # noqa: E402
from weicha_desktop.gui.cases.list import COLUMN_SORTS, CaseListView  # noqa: E402
from weicha_desktop.resources import forms_dir  # noqa: E402

HERE = Path(__file__).resolve().parent
PASSWORD = DEMO_PASSWORD  # the demo sets up the folder: its admin has the demo password
TARGET_STALL_MS = 100.0
TEXTS = ("盗窃", "扒窃", "永福西大街", "zzzz")
MARKER = ".weicha-benchmark"


def build(folder: Path, cases: int, seed: int, rebuild: bool) -> dict:
    """The data folder, made or reused. -> how it was made (rate when made now)."""
    db, marker = folder / "weicha.db", folder / MARKER
    if db.exists() and not rebuild:
        with sqlite3.connect(db) as conn:
            have = conn.execute("SELECT count(*) FROM cases").fetchone()[0]
        if have == cases:
            return {"cached": True, "cases": cases}
    if folder.exists() and any(folder.iterdir()):
        if not marker.exists():  # never delete a folder this script did not make
            raise SystemExit(f"{folder} holds other data: give another --data folder")
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    marker.write_text("made by benchmarks/bench_case_list.py; safe to delete\n", encoding="utf-8")
    start = time.perf_counter()

    def progress(done: int, total: int) -> None:
        if done % 10_000 == 0 or done == total:
            rate = done / (time.perf_counter() - start)
            print(f"  demo: {done}/{total} cases, {rate:.0f} cases/s", flush=True)

    with Store.open(folder) as store:
        fill_demo(store, FormRegistry(forms_dir()), cases=cases, seed=seed, password=PASSWORD,
                  progress=progress)
    took = time.perf_counter() - start
    return {"cached": False, "cases": cases, "seconds": round(took, 1),
            "cases_per_second": round(cases / took, 1)}


def raw_page_floor(db: Path, runs: int = 200) -> float:
    """Median ms of the simplest keyset page: 200 rows in number order after a cursor, on a
    bare connection (no Python rows, no model)."""
    conn = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)
    numbers = [r[0] for r in conn.execute("SELECT number FROM cases ORDER BY number")]
    times = []
    for i in range(runs):
        after = numbers[(i * 997) % len(numbers)]
        t = time.perf_counter()
        conn.execute("SELECT id, number, status, returned_comment, case_type, address, "
                     "investigated_at, investigator, updated_at FROM cases WHERE number > ? "
                     "ORDER BY number LIMIT 200", (after,)).fetchall()
        times.append(time.perf_counter() - t)
    conn.close()
    return statistics.median(times) * 1000


class Heartbeat:
    """A 5 ms timer on the GUI thread; the longest gap between ticks is the longest stall."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(5)
        self.timer.timeout.connect(self._tick)
        self.last = self.worst = 0.0

    def _tick(self) -> None:
        now = time.perf_counter()
        self.worst = max(self.worst, now - self.last)
        self.last = now

    def start(self) -> None:
        self.last, self.worst = time.perf_counter(), 0.0
        self.timer.start()

    def stop(self) -> float:
        self._tick()
        self.timer.stop()
        return self.worst * 1000


def wait_until(done, timeout: float = 20.0) -> None:
    """Run the event loop (a real one, as the app does) until ``done()`` or the timeout."""
    loop, poll = QEventLoop(), QTimer()
    deadline = time.perf_counter() + timeout
    poll.setInterval(1)
    poll.timeout.connect(lambda: (done() or time.perf_counter() > deadline) and loop.quit())
    poll.start()
    loop.exec()
    poll.stop()


def settle(view: CaseListView) -> None:
    """Until the list is filled for the screen and its total is known."""
    state = {"rows": -1, "since": 0.0}

    def still() -> bool:
        now, rows = time.perf_counter(), view.model.rowCount()
        if rows != state["rows"]:
            state.update(rows=rows, since=now)
        return view.model.total is not None and now - state["since"] > 0.05

    wait_until(still)


def scroll(view: CaseListView, pages: int) -> int:
    """Scroll to the bottom ``pages`` times, each time until the view has fetched more."""
    model, done = view.model, 0
    for _ in range(pages):
        if not model.canFetchMore():
            break
        before = model.rowCount()
        view.table.scrollToBottom()
        wait_until(lambda: model.rowCount() > before or not model.canFetchMore(), 10)
        done += 1
    return done


def first_paint(make) -> float:
    """ms from making a widget (``make()``) until its table's viewport has been painted."""
    painted = []

    class Watch(QObject):
        def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
            if event.type() == QEvent.Type.Paint:
                painted.append(True)
            return False

    start, watch = time.perf_counter(), Watch()
    widget = make()
    table = widget if isinstance(widget, QTableView) else widget.findChild(QTableView)
    table.viewport().installEventFilter(watch)
    widget.resize(1280, 800)
    widget.show()
    wait_until(lambda: bool(painted), 10)
    took = (time.perf_counter() - start) * 1000
    if isinstance(widget, QTableView):
        widget.close()
    return took


def empty_table() -> QTableView:
    """The floor of a first paint: a table of the same columns and no rows."""
    table = QTableView()
    table.setModel(QStandardItemModel(0, len(COLUMN_SORTS), table))
    return table


def click_header(view: CaseListView, column: int) -> None:
    header = view.table.horizontalHeader()
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    QTest.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))


def run(args: argparse.Namespace) -> dict:
    folder = Path(args.data).resolve()
    print(f"data folder {folder}")
    made = build(folder, args.cases, args.seed, args.rebuild)
    app = QApplication.instance() or QApplication(sys.argv)
    beat = Heartbeat()
    beat.start()
    wait_until(lambda: False, 1.0)
    idle_gap = beat.stop()
    floor = raw_page_floor(folder / "weicha.db")

    store = Store.open(folder)  # applies pending migrations (indexes) before timing
    # the admin as the account says (no login: a folder cached before the password policy
    # had the old demo password)
    actor = UserService(store).get("admin")
    cases = CaseService(store, FormRegistry(forms_dir()), actor)
    paint_floor = first_paint(lambda: empty_table())
    pages: list[tuple[float, str]] = []
    real_page = CaseQuery.page

    def timed_page(self, filters=CaseFilters(), sort=CaseSort(), after=None, *a, **kw):
        t = time.perf_counter()
        try:
            return real_page(self, filters, sort, after, *a, **kw)
        finally:
            what = (f"{sort.key} {'desc' if sort.descending else 'asc'} "
                    f"{'next' if after else 'first'} {filters}")
            pages.append(((time.perf_counter() - t) * 1000, what))

    CaseQuery.page = timed_page
    stalls: dict[str, float] = {}
    try:
        view = None

        def make() -> QWidget:
            nonlocal view
            view = CaseListView(cases)
            return view

        first_page = first_paint(make)
        settle(view)

        beat.start()
        scrolled = scroll(view, args.pages)
        stalls["scroll"] = beat.stop()
        print(f"  scrolled {scrolled} pages: {view.model.rowCount()} rows")

        beat.start()
        for column in range(len(COLUMN_SORTS)):
            for _ in range(2):  # ascending/descending (the column's first order first)
                click_header(view, column)
                settle(view)
                scroll(view, 3)
        click_header(view, len(COLUMN_SORTS) - 1)  # third click: back to the default order
        settle(view)
        stalls["sort"] = beat.stop()

        beat.start()
        for index in range(view.status_filter.count()):
            view.status_filter.setCurrentIndex(index)
            settle(view)
            scroll(view, 3)
        view.status_filter.setCurrentIndex(0)
        view.date_filter.setChecked(True)
        for months in (1, 12):
            view.date_from.setDate(view.date_to.date().addMonths(-months))
            view.apply_filter()
            settle(view)
            scroll(view, 3)
        view.date_filter.setChecked(False)
        for text in TEXTS:
            view.search.setText(text)
            view.apply_filter()
            settle(view)
            scroll(view, 3)
        stalls["filter"] = beat.stop()
        view.close()
    finally:
        CaseQuery.page = real_page
        store.close()

    counts = measure_counts(folder)
    page_ms = sorted(ms for ms, _ in pages)
    result = {
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(),
                    "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
                    "pyside6": PySide6.__version__},
        "cases": args.cases, "data": made,
        "floors": {"raw_page_ms": round(floor, 3), "heartbeat_idle_gap_ms": round(idle_gap, 2),
                   "empty_table_first_paint_ms": round(paint_floor, 1)},
        "first_page_ms": round(first_page, 1),
        "page_fetch_ms": {"n": len(page_ms), "median": round(statistics.median(page_ms), 2),
                          "p95": round(page_ms[int(0.95 * (len(page_ms) - 1))], 2),
                          "max": round(page_ms[-1], 2),
                          "slowest": [[round(ms, 2), what] for ms, what in sorted(pages)[-5:]]},
        "stalls_ms": {k: round(v, 1) for k, v in stalls.items()},
        "count_ms": counts,
        "target_stall_ms": TARGET_STALL_MS,
    }
    result["max_stall_ms"] = max(result["stalls_ms"].values())
    result["ok"] = result["max_stall_ms"] < TARGET_STALL_MS
    return result


def measure_counts(folder: Path) -> dict[str, float]:
    """What the worker's count costs, per filter (ms, best of 3)."""
    out = {}
    with Store.open(folder, readonly=True) as store:
        query = CaseQuery(store)
        for name, filters in [("all", CaseFilters()), ("returned", CaseFilters(status="returned")),
                              ("finalized", CaseFilters(status="finalized")),
                              ("one month", CaseFilters(date_from="2026-10-01", date_to="2026-10-31")),
                              *[(f"text {t}", CaseFilters(text=t)) for t in TEXTS]]:
            best = float("inf")
            for _ in range(3):
                t = time.perf_counter()
                query.count(filters)
                best = min(best, time.perf_counter() - t)
            out[name] = round(best * 1000, 2)
    return out


def report(r: dict) -> None:
    floor, idle = r["floors"]["raw_page_ms"], r["floors"]["heartbeat_idle_gap_ms"]
    pf = r["page_fetch_ms"]
    rows = [("floor: raw keyset page (bare sqlite3)", floor, 1.0),
            ("floor: heartbeat gap, idle", idle, 1.0),
            ("floor: empty table, first paint", r["floors"]["empty_table_first_paint_ms"], 1.0),
            ("first page shown (vs empty table)", r["first_page_ms"],
             r["first_page_ms"] / r["floors"]["empty_table_first_paint_ms"]),
            (f"page fetch median ({pf['n']} pages)", pf["median"], pf["median"] / floor),
            ("page fetch p95", pf["p95"], pf["p95"] / floor),
            ("page fetch max", pf["max"], pf["max"] / floor)]
    rows += [(f"longest stall: {k}", v, v / idle) for k, v in r["stalls_ms"].items()]
    rows += [(f"count ({k}, worker)", v, v / floor) for k, v in r["count_ms"].items()]
    print(f"\n{'measure':44} {'ms':>9} {'× floor':>9}")
    for name, ms, ratio in rows:
        print(f"{name:44} {ms:9.2f} {ratio:9.1f}")
    verdict = "OK" if r["ok"] else "TOO SLOW"
    for ms, what in pf["slowest"]:
        print(f"  slow page {ms:7.2f} ms  {what}")
    print(f"\nlongest GUI stall {r['max_stall_ms']:.1f} ms (target < {TARGET_STALL_MS:.0f} ms): {verdict}")
    if not r["data"]["cached"]:
        print(f"demo data: {r['data']['cases']} cases in {r['data']['seconds']} s "
              f"({r['data']['cases_per_second']} cases/s)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--data", default=str(HERE / "data" / "case_list"),
                        help="data folder to build or reuse (default: benchmarks/data/case_list)")
    parser.add_argument("--rebuild", action="store_true", help="make the data folder anew")
    parser.add_argument("--pages", type=int, default=100, help="pages to scroll through")
    parser.add_argument("--out", default=str(HERE / "results" / "case_list.json"))
    args = parser.parse_args()
    result = run(args)
    report(result)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"written {args.out}", flush=True)
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
