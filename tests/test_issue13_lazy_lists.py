"""采集 / 巡逻 / 互动 lists are the cases' lazy list (gui/collect/list.py over core/collect/
list_query.py): keyset pages in the order returned drafts first, then the last changed —
no row twice, none left out, ties on the time in order — fetched as the view scrolls, with
filters walked within a budget and a count; read through the kind's indexes."""
from __future__ import annotations

import json

import pytest
from PySide6.QtWidgets import QComboBox, QLabel, QTableView

from weicha_desktop.core.collect import PersonService
from weicha_desktop.core.collect.list_query import RecordFilters, RecordQuery
from weicha_desktop.gui.cases.list import PAGE_SIZE
from weicha_desktop.gui.collect.page import FIT_ROWS, CollectKindPage

from tests.gui_support import app, child, dialogs  # noqa: F401 (fixtures)
from tests.support import admin, forms, new_store, raw_writes  # noqa: F401 (fixtures)

N = 3000
RETURNED = {i for i in range(N) if i % 250 == 7}  # 12 returned drafts, spread over the times


def status_of(i: int) -> str:
    return "draft" if i in RETURNED or i % 3 == 0 else ("finalized" if i % 3 == 1 else "reviewed")


def fill(store, n: int = N) -> None:
    """``n`` persons in one write: records and their current versions (the list reads only);
    every 7 share an updated_at, so pages end inside ties."""
    user = store.conn.execute("SELECT id FROM users LIMIT 1").fetchone()[0]
    at = [f"2026-11-{1 + i // 7 // 24:02d}T{i // 7 % 24:02d}:00:00+08:00" for i in range(n)]
    with raw_writes(store):
        store.conn.execute("BEGIN")  # one transaction: one commit for all
        store.conn.executemany(
            "INSERT INTO records (id, kind, number, status, current_version, form_id, returned_comment, "
            "created_at, created_by, updated_at) VALUES (?, 'person', NULL, ?, 1, 'collect_person', ?, ?, ?, ?)",
            [(f"p{i:05d}", status_of(i), "补正住址" if i in RETURNED else None, at[i], user, at[i])
             for i in range(n)])
        store.conn.executemany(
            "INSERT INTO record_versions (id, record_id, kind, version, form_id, form_version, data, "
            "created_at, created_by, updated_at) VALUES (?, ?, 'person', 1, 'collect_person', 1, ?, ?, ?, ?)",
            [(f"v{i:05d}", f"p{i:05d}", json.dumps({"name": f"人{i:05d}", "address": "文峰路" if i % 500 == 3 else "某路"},
                                                   ensure_ascii=False), at[i], user, at[i]) for i in range(n)])
        store.conn.execute("COMMIT")


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """One folder of N persons for the module (filled once: the tests only read it)."""
    store = new_store(tmp_path_factory.mktemp("lazy") / "data")
    fill(store)
    yield store
    store.close()


def expected(store, where: str = "1") -> list[str]:
    return [r[0] for r in store.conn.execute(
        f"SELECT id FROM records WHERE kind = 'person' AND {where} ORDER BY "
        "(status = 'draft' AND returned_comment IS NOT NULL) DESC, updated_at DESC, id DESC")]


def walk(query: RecordQuery, filters: RecordFilters, limit: int, budget: float | None = None) -> list[str]:
    ids, cursor = [], None
    while True:
        rows, cursor = query.page(filters, after=cursor, limit=limit, budget=budget)
        ids += [r.id for r in rows]
        if cursor is None:
            return ids


def test_pages_go_through_every_record_returned_first_through_the_kinds_indexes(store):
    query = RecordQuery(store)
    assert walk(query, RecordFilters("person"), 97) == expected(store)  # pages end inside ties
    assert walk(query, RecordFilters("person"), 97)[:len(RETURNED)] == [f"p{i:05d}" for i in sorted(RETURNED, reverse=True)]
    assert walk(query, RecordFilters("person", status="returned"), 5) == expected(store, "returned_comment IS NOT NULL")
    assert walk(query, RecordFilters("person", status="finalized"), 200, budget=0.0) == expected(store, "status = 'finalized'")
    assert walk(query, RecordFilters("person", status="draft"), 200) == expected(store, "status = 'draft'")
    assert walk(query, RecordFilters("person", text="文峰"), 200, budget=0.0) == \
        [f"p{i:05d}" for i in range(N - 1, -1, -1) if i % 500 == 3]
    assert query.count(RecordFilters("person", status="returned")) == len(RETURNED)
    assert query.count(RecordFilters("person")) == N
    # each phase is a seek of its own index, not a scan of the table nor a sort of it
    for phase in (True, False):
        strategy, plans = query.explain(RecordFilters("person", returned=phase), query.page.__defaults__[0])
        assert strategy == "seek"
        assert ("records_returned" if phase else "records_kind") in plans[0] and "SCAN records" not in plans[0]


def test_the_window_list_fetches_more_as_it_scrolls_returned_first(app, qtbot, store, admin, dialogs):
    page = CollectKindPage(PersonService(store, forms(), admin))
    qtbot.addWidget(page)
    page.resize(900, 600)
    page.show()
    table = child(page, QTableView, "collectList_person")
    model = table.model()
    # a page may end early when its 4 ms budget runs out (a loaded machine: the 12 returned rows
    # alone, as the budgeted walk above proves); here the whole page is read whatever the load
    model.budget = None
    model.refresh()
    assert model.rowCount() == PAGE_SIZE  # one page, not the first 500 nor all
    words = []  # a column's measure reads the words of up to 200 rows (FIT_ROWS)
    model.data = lambda index, role=0, data=model.data: (role == 0 and words.append(index.column())) or data(index, role)
    page._rows_changed()  # the columns fitted as rows arrive: each measured once, not once per use
    del model.data
    assert sorted(set(words)) == list(range(len(page.columns)))
    assert len(words) <= len(page.columns) * FIT_ROWS, (len(words), [words.count(c) for c in set(words)])
    assert [model.index(r, 4).data() for r in range(len(RETURNED))] == ["退回补正"] * len(RETURNED)
    assert model.index(len(RETURNED), 4).data() != "退回补正"
    count = child(page, QLabel, "collectCount_person")
    qtbot.waitUntil(lambda: count.text() == f"已显示 {PAGE_SIZE} / 共 {N} 条")
    for _ in range(3):  # scrolled to the end: the view asks for the next page
        table.scrollToBottom()
        app.processEvents()
    assert model.rowCount() > 2 * PAGE_SIZE
    shown = [model.index(r, 0).data(256) for r in range(model.rowCount())]
    assert shown == expected(store)[:len(shown)]
    status = child(page, QComboBox, "collectStatus_person")
    status.setCurrentIndex(status.findData("returned"))
    assert model.rowCount() == len(RETURNED)
    assert count.text() == f"已显示 {len(RETURNED)} / 共 {len(RETURNED)} 条"
    table.clicked.emit(model.index(0, 0))  # a row opens its record
    assert page.form is not None and page.form.case.id == expected(store, "returned_comment IS NOT NULL")[0]
