"""The case list never sorts the table for a page: every sort walks its index in order, the
next page seeks into it, and filters use an index where one helps (EXPLAIN QUERY PLAN)."""
from __future__ import annotations

import re

import pytest

from case_rows import insert, memory_store, numbered
from weicha_desktop.core.case_query import SORT_KEYS, CaseFilters, CaseQuery, CaseSort

INDEXES = {"returned_first": "cases_list_returned_first", "number": "sqlite_autoindex_cases_2",
           "case_type": "cases_list_case_type", "address": "cases_list_address",
           "investigated_at": "cases_list_investigated_at", "status": "cases_list_status",
           "investigator": "cases_list_investigator"}


@pytest.fixture(scope="module")
def query() -> CaseQuery:
    store = memory_store()
    insert(store, numbered(50, investigated_at="2026-11-27T09:00:00+08:00", status="finalized"))
    return CaseQuery(store, selective_rows=10)


def test_every_sort_has_its_index():
    assert set(INDEXES) == set(SORT_KEYS)


@pytest.mark.parametrize("key", sorted(SORT_KEYS))
@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("after", [None, ("x", "id-00001")])
def test_pages_walk_the_sort_index_in_order(query, key, descending, after):
    strategy, plans = query.explain(sort=CaseSort(key, descending), after=after)
    assert strategy == "seek"
    (plan,) = plans
    assert f"USING INDEX {INDEXES[key]}" in plan or f"USING COVERING INDEX {INDEXES[key]}" in plan
    assert "TEMP B-TREE" not in plan and not re.search(r"SCAN cases(?! USING)", plan), plan
    if after:  # seeks into the index (ties of the last key, then the keys beyond it)
        assert "=?" in plan and ("<?" in plan or ">?" in plan), plan


def test_a_filter_on_the_sort_key_narrows_the_index_range(query):
    strategy, (plan,) = query.explain(CaseFilters(date_from="2026-11-01", date_to="2026-11-30"),
                                      CaseSort("investigated_at"))
    assert strategy == "seek" and "cases_list_investigated_at (<expr>>? AND <expr><?)" in plan
    assert "TEMP B-TREE" not in plan
    strategy, (plan,) = query.explain(CaseFilters(status="finalized"), CaseSort("status"))
    assert strategy == "seek" and "cases_list_status (<expr>=?)" in plan
    assert "TEMP B-TREE" not in plan


def test_a_selective_filter_is_read_through_its_own_index(query):
    strategy, (plan,) = query.explain(CaseFilters(status="returned"), CaseSort("address"))
    assert strategy == "selective" and "cases_list_status (<expr>=?)" in plan


def test_a_filter_without_index_walks_the_sort_index_in_slices(query):
    strategy, (seek, pick) = query.explain(CaseFilters(text="盗窃"), CaseSort("case_type"),
                                           after=("burglary", "id-00001"))
    assert strategy == "walk"
    assert "cases_list_case_type" in seek and "TEMP B-TREE" not in seek
    assert "sqlite_autoindex_cases_1 (id=?)" in pick  # each slice row by its primary key
    strategy, _ = query.explain(CaseFilters(status="finalized"), CaseSort("number"))
    assert strategy == "walk"  # 50 finalized > selective_rows: walking is cheaper
