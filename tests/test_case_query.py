"""CaseQuery: keyset pages return every matching row exactly once, in the order asked, for
every sort, filter and way of reading (seek, selective filter index, walk in slices)."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from case_rows import Case, insert, memory_store, numbered
from tests.support import examples
from weicha_desktop.core.case_query import (STATUS_RANKS, CaseFilters, CaseQuery, CaseSort,
                                            SORT_KEYS)

ALPHABET = "aAbB1%_\\钦南盗窃李明 "
TIMES = st.sampled_from([None, "2026-11-27T23:30:00+08:00", "2026-11-28T01:00:00+08:00",
                         "2026-11-27T10:00:00+00:00", "2026-11-26T08:00:00+08:00",
                         "2026-12-01T00:00:00+08:00"])
TEXT = st.one_of(st.none(), st.text(ALPHABET, max_size=4))


@st.composite
def cases(draw) -> list[Case]:
    n = draw(st.integers(0, 30))
    out = []
    for i in range(n):
        status = draw(st.sampled_from(["draft", "draft", "finalized", "reviewed"]))
        returned = status == "draft" and draw(st.booleans())
        out.append(Case(
            id=f"id-{draw(st.integers(0, 10**6)):07d}-{i:02d}", number=f"K45070200000020261{i:05d}",
            status=status, returned_comment="补充访问" if returned else None,
            case_type=draw(TEXT), address=draw(TEXT), investigated_at=draw(TIMES),
            investigator=draw(TEXT),
            updated_at=draw(st.sampled_from(["2026-11-27T09:00:00+08:00",
                                              "2026-11-27T09:00:01+08:00",
                                              "2026-11-28T10:00:00+08:00"]))))
    return out


def rank(c: Case) -> int:
    if c.status == "draft":
        return STATUS_RANKS["returned" if c.returned_comment else "draft"]
    return STATUS_RANKS[c.status]


def sort_key(c: Case, key: str):
    return {
        "returned_first": ("1" if rank(c) == 0 else "0") + c.updated_at,
        "number": c.number, "case_type": c.case_type or "", "address": c.address or "",
        "investigated_at": c.investigated_at or "", "status": rank(c),
        "investigator": c.investigator or "",
    }[key]


def fold(s: str) -> str:  # LIKE ignores case for ASCII letters only
    return s.translate(str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz"))


def matches(c: Case, f: CaseFilters) -> bool:
    if f.status and rank(c) != STATUS_RANKS[f.status]:
        return False
    day = (c.investigated_at or "")[:10]  # the wall-clock date as recorded
    if (f.date_from or f.date_to) and not day:
        return False
    if f.date_from and day < str(f.date_from):
        return False
    if f.date_to and day > str(f.date_to):
        return False
    text = fold((f.text or "").strip())
    return not text or any(text in fold(v or "") for v in
                           (c.number, c.case_type, c.address, c.investigator))


def expected(data: list[Case], f: CaseFilters, sort: CaseSort) -> list[str]:
    rows = sorted((c for c in data if matches(c, f)), key=lambda c: (sort_key(c, sort.key), c.id),
                  reverse=sort.descending)
    return [c.id for c in rows]


def read_all(query: CaseQuery, f: CaseFilters, sort: CaseSort, limit: int, budget) -> list[str]:
    ids, cursor, calls = [], None, 0
    while True:
        rows, cursor = query.page(f, sort, cursor, limit, budget=budget)
        assert len(rows) <= limit
        ids += [r.id for r in rows]
        calls += 1
        assert calls < 1000, "paging does not end"
        if cursor is None:
            return ids


filters = st.builds(
    CaseFilters, status=st.sampled_from([None, *STATUS_RANKS]),
    date_from=st.sampled_from([None, "2026-11-27", date(2026, 11, 28)]),
    date_to=st.sampled_from([None, "2026-11-27", "2026-11-30T00:00:00+08:00"]),
    text=st.one_of(st.none(), st.text(ALPHABET, max_size=2)))


@settings(max_examples=examples(150, 50), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=cases(), f=filters, key=st.sampled_from(sorted(SORT_KEYS)), desc=st.booleans(),
       limit=st.integers(1, 7), slice_rows=st.integers(1, 6), selective=st.sampled_from([0, 3, 100]),
       budget=st.sampled_from([None, 0.0]))
def test_pages_return_every_match_once_in_order(data, f, key, desc, limit, slice_rows,
                                                selective, budget):
    store = memory_store()
    insert(store, data)
    query = CaseQuery(store, slice_rows=slice_rows, selective_rows=selective)
    sort = CaseSort(key, desc)
    want = expected(data, f, sort)
    assert read_all(query, f, sort, limit, budget) == want
    assert query.count(f) == len(want)


def test_default_sort_puts_returned_cases_first_then_the_latest_changed():
    store = memory_store()
    insert(store, [Case("a", "K1", updated_at="2026-11-27T09:00:00+08:00"),
                   Case("b", "K2", updated_at="2026-11-28T09:00:00+08:00", status="finalized"),
                   Case("c", "K3", returned_comment="补充", updated_at="2026-11-01T09:00:00+08:00"),
                   Case("d", "K4", status="reviewed", updated_at="2026-11-29T09:00:00+08:00")])
    rows, cursor = CaseQuery(store).page()
    assert [r.id for r in rows] == ["c", "d", "b", "a"] and cursor is None
    assert rows[0].returned and not rows[1].returned


def test_dates_are_the_recorded_wall_clock_days_and_both_ends_count():
    store = memory_store()
    insert(store, [Case("late", "K1", investigated_at="2026-11-27T23:30:00+08:00"),
                   Case("early", "K2", investigated_at="2026-11-28T01:00:00+08:00"),  # 27th in UTC
                   Case("utc", "K3", investigated_at="2026-11-27T10:00:00+00:00"),
                   Case("none", "K4"),
                   Case("first", "K5", investigated_at="2026-11-26T00:00:00+08:00")])
    query = CaseQuery(store)

    def ids(**kw) -> set[str]:
        return {r.id for r in query.page(CaseFilters(**kw))[0]}

    assert ids(date_from="2026-11-27", date_to="2026-11-27") == {"late", "utc"}
    assert ids(date_from=date(2026, 11, 28), date_to=date(2026, 11, 28)) == {"early"}
    assert ids(date_from="2026-11-26") == {"first", "late", "early", "utc"}  # no time: outside
    assert ids(date_to="2026-11-26") == {"first"}
    assert query.count(CaseFilters(date_to="2026-11-27")) == 3


def test_status_filters_partition_the_list_as_it_is_shown():
    store = memory_store()
    insert(store, [Case("d", "K1"), Case("r", "K2", returned_comment="补充"),
                   Case("f", "K3", status="finalized"), Case("v", "K4", status="reviewed")])
    query = CaseQuery(store)
    got = {s: [r.id for r in query.page(CaseFilters(status=s))[0]] for s in STATUS_RANKS}
    assert got == {"returned": ["r"], "draft": ["d"], "finalized": ["f"], "reviewed": ["v"]}
    rows, _ = query.page(sort=CaseSort("status", descending=False))
    assert [r.id for r in rows] == ["r", "d", "f", "v"]


def test_text_is_a_substring_and_like_wildcards_are_plain_characters():
    store = memory_store()
    insert(store, [Case("a", "K4507020000002026110001", address="钦南区 50% 折扣店"),
                   Case("b", "K4507020000002026110002", address="钦南区 500 号"),
                   Case("c", "K4507020000002026110003", case_type="burglary", investigator="李明")])
    query = CaseQuery(store)
    assert [r.id for r in query.page(CaseFilters(text="50%"))[0]] == ["a"]
    assert {r.id for r in query.page(CaseFilters(text="k450702"))[0]} == {"a", "b", "c"}
    assert [r.id for r in query.page(CaseFilters(text=" 李明 "))[0]] == ["c"]
    # the projection holds the type's code: the words typed match through the codes they name
    assert query.page(CaseFilters(text="入室"))[0] == []
    typed = CaseFilters(text="入室", case_types=("burglary",))
    assert [r.id for r in query.page(typed)[0]] == ["c"] and query.count(typed) == 1


def test_a_walk_stops_at_its_budget_and_goes_on_from_its_cursor():
    store = memory_store()
    insert(store, numbered(40) + [Case("id-99999", "K4507020000002026119999", address="目标")])
    query = CaseQuery(store, slice_rows=5)
    sort = CaseSort("number", descending=False)
    rows, cursor = query.page(CaseFilters(text="目标"), sort, budget=0.0)
    assert rows == [] and cursor is not None  # one slice read, nothing found yet
    assert read_all(query, CaseFilters(text="目标"), sort, 10, 0.0) == ["id-99999"]


def test_a_page_started_after_a_change_neither_repeats_nor_skips():
    store = memory_store()
    insert(store, numbered(6))
    query = CaseQuery(store)
    sort = CaseSort("number", descending=False)
    first, cursor = query.page(sort=sort, limit=3)
    insert(store, [Case("id-00000", "K4507020000002026110000")])  # sorts before the cursor
    rest, end = query.page(sort=sort, after=cursor, limit=10)
    assert [r.id for r in first + rest] == [f"id-{i:05d}" for i in range(1, 7)] and end is None


def test_unknown_sort_or_status_is_refused():
    with pytest.raises(ValueError):
        CaseSort("nope")
    with pytest.raises(ValueError):
        CaseFilters(status="deleted")
