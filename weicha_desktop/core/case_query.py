"""The case list, read fast: keyset ("seek") pages over the ``cases`` projection.

A page continues *after the last row shown* (its sort key and id) instead of skipping OFFSET
rows, so page 500 of 100,000 cases costs what page 1 costs, and a case saved meanwhile
neither repeats nor hides a row. Measurements and query plans: docs/performance.md.

- Every sort is one key expression with an index on ``(key, id)`` (migration 5); NULL counts
  as '' so that rows without a value keep their place. Ties are broken by id. The default,
  ``returned_first`` descending, shows returned cases (退回补正) first, then the latest changed.
- "After (k, id)" is two index ranges, ``key = k AND id > id`` then ``key > k``, joined by
  UNION ALL: SQLite 3.40 does not seek an expression index with a row value ``(key, id) > …``
  (it scans from the start), but it seeks each of these.
- Filters. A status is a value of the status rank (退回补正 0, 草稿 1, 已定稿 2, 已审核 3: each
  row has exactly the status the list shows). Dates are compared as recorded (wall-clock,
  offset ignored), the way the list shows them: ``2026-11-27T23:30:00+08:00`` is on the 27th.
  Stored times are ISO-8601 to the second, so their text order is their wall-clock order and
  a date range is a text range ``from <= t < day after to`` (``t <= '2026-11-27'`` would miss
  the whole 27th: the longer string is greater). Text is a substring (LIKE, ASCII
  case-insensitive) of 勘验号, 案件性质, 发案地点 or 勘验人; the projection holds the case
  type's code, so the caller also passes ``case_types``: the codes whose words contain the
  text (core/labels.py ``codes_matching``), which match too.
- How a filtered page is read, cheapest first: (1) a filter on the sort key itself narrows
  the seek (dates when sorting by 勘验时间, a status when sorting by 状态); (2) a status or date
  range that selects few rows (at most ``selective_rows``) is read through its own index and
  those rows are sorted; (3) otherwise the sort index is walked ``slice_rows`` entries at a
  time and each slice filtered, so no call reads more than a slice before it can stop
  (``budget``). A page may then hold fewer rows than asked without being the last: only a
  ``None`` cursor means the end.
- ``count`` counts what the filter selects (a full scan for text); the GUI runs it on a worker."""
from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, NamedTuple

from weicha_desktop.core import people
from weicha_desktop.core.store import Store

STATUS_RANKS = {"returned": 0, "draft": 1, "finalized": 2, "reviewed": 3}
STATUSES = tuple(STATUS_RANKS)
STATUS_RANK = ("(CASE status WHEN 'draft' THEN returned_comment IS NULL "
               "WHEN 'finalized' THEN 2 ELSE 3 END)")
INVESTIGATED = "IFNULL(investigated_at, '')"
# sort name -> its key expression; each has an index on (key, id) in migration 5 (number: the
# UNIQUE index of the column, as the key alone orders the rows)
SORT_KEYS: dict[str, str] = {
    "returned_first": ("(CASE WHEN status = 'draft' AND returned_comment IS NOT NULL "
                       "THEN '1' ELSE '0' END || updated_at)"),
    "number": "number",
    "case_type": "IFNULL(case_type, '')",
    "address": "IFNULL(address, '')",
    "investigated_at": INVESTIGATED,
    "status": STATUS_RANK,
    "investigator": "IFNULL(investigator, '')",
}
# filter expressions with an index of their own, to read a selective filter through
FILTER_INDEXES = {STATUS_RANK: "cases_list_status", INVESTIGATED: "cases_list_investigated_at"}
TEXT_COLUMNS = ("number", "case_type", "address", "investigator")
PAGE_SIZE = 200

Cursor = tuple[Any, Any]  # (sort key, id) of the last row read; opaque to callers


class CaseRow(NamedTuple):
    id: str
    number: str
    status: str
    returned_comment: str | None
    case_type: str | None
    address: str | None
    investigated_at: str | None
    investigator: str | None
    updated_at: str

    @property
    def returned(self) -> bool:
        return self.status == "draft" and self.returned_comment is not None



@dataclass(frozen=True)
class CaseSort:
    key: str = "returned_first"
    descending: bool = True

    def __post_init__(self) -> None:
        if self.key not in SORT_KEYS:
            raise ValueError(f"unknown sort {self.key!r}; one of {', '.join(SORT_KEYS)}")

    @property
    def expr(self) -> str:
        return SORT_KEYS[self.key]


DEFAULT_SORT = CaseSort()


class Term(NamedTuple):
    sql: str
    args: list[Any]
    expr: str | None  # the indexed expression it constrains, if any
    equal: bool = False  # it fixes that expression to one value


@dataclass(frozen=True)
class CaseFilters:
    """``status``: one of STATUSES; ``date_from``/``date_to``: inclusive days of 勘验时间
    (``date`` or ISO text, whose date part counts); ``text``: a substring; ``case_types``:
    case type codes a ``text`` also matches (their words contain it)."""

    status: str | None = None
    date_from: date | str | None = None
    date_to: date | str | None = None
    text: str | None = None
    case_types: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.status is not None and self.status not in STATUS_RANKS:
            raise ValueError(f"unknown status {self.status!r}; one of {', '.join(STATUSES)}")

    def terms(self) -> list[Term]:
        terms = []
        if self.status:
            terms.append(Term(f"{STATUS_RANK} = ?", [STATUS_RANKS[self.status]], STATUS_RANK, True))
        if self.date_from or self.date_to:  # a case without 勘验时间 ('') is outside any range
            sql = f"{INVESTIGATED} >= ?"
            args = [_day(self.date_from).isoformat() if self.date_from else "0000-01-01"]
            if self.date_to:
                sql += f" AND {INVESTIGATED} < ?"
                args.append((_day(self.date_to) + timedelta(days=1)).isoformat())
            terms.append(Term(sql, args, INVESTIGATED))
        text = (self.text or "").strip()
        if text:
            like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            codes = list(self.case_types)
            terms.append(Term("(" + " OR ".join(f"{c} LIKE ? ESCAPE '\\'" for c in TEXT_COLUMNS)
                              + (f" OR case_type IN ({', '.join('?' * len(codes))})" if codes else "")
                              + ")", [like] * len(TEXT_COLUMNS) + codes, None))
        return terms


def _day(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _where(terms: list[Term]) -> tuple[str, list[Any]]:
    return " AND ".join(t.sql for t in terms) or "1", [a for t in terms for a in t.args]


class CaseQuery:
    """Pages and counts of the case list; reads only. ``slice_rows`` and ``selective_rows``
    bound the work of a filtered page (see the module notes). Another list reuses the
    machinery with its own ``table``, ``row`` (its first field ``id``) and ``filter_indexes``
    (core/collect/list_query.py: the records of a kind)."""

    table = "cases"
    row: Any = CaseRow
    filter_indexes = FILTER_INDEXES

    def __init__(self, store: Store, *, slice_rows: int = 500, selective_rows: int = 1000):
        self.conn: sqlite3.Connection = store.conn
        self.slice_rows = slice_rows
        self.selective_rows = selective_rows

    # ---- the public reads ------------------------------------------------------------------
    def page(self, filters: CaseFilters = CaseFilters(), sort: CaseSort = DEFAULT_SORT,
             after: Cursor | None = None, limit: int = PAGE_SIZE, *,
             budget: float | None = None) -> tuple[list[CaseRow], Cursor | None]:
        """Up to ``limit`` rows after ``after`` (None: from the start) -> (rows, the cursor
        to continue from, None at the end). ``budget`` (seconds) stops a walk through a
        filter early; the rows found so far come back with a cursor to continue."""
        strategy, statements = self._plan(filters, sort, after, limit)
        if strategy != "walk":
            sql, args = statements[0]
            return self._cut(self.conn.execute(sql, args).fetchall(), limit)
        return self._walk(filters, sort, after, limit, budget)

    def count(self, filters: CaseFilters = CaseFilters()) -> int:
        where, args = _where(filters.terms())
        return self.conn.execute(f"SELECT count(*) FROM {self.table} WHERE {where}", args).fetchone()[0]

    def investigators(self, record_ids: list[str]) -> dict[str, list[str]]:
        """case id → its 勘验人 in order, from ``record_people`` (the list shows these; the
        projection's ``investigator`` is only the sort and search key)."""
        return people.names_of(self.conn, record_ids)

    def explain(self, filters: CaseFilters = CaseFilters(), sort: CaseSort = DEFAULT_SORT,
                after: Cursor | None = None) -> tuple[str, list[str]]:
        """-> (strategy, SQLite's plan of each statement a page runs): "seek" (the sort
        index, narrowed by filters on its key), "selective" (a filter's index, then a sort
        of its few rows) or "walk" (slices of the sort index, filtered)."""
        strategy, statements = self._plan(filters, sort, after, PAGE_SIZE)
        return strategy, [" | ".join(r[3] for r in self.conn.execute("EXPLAIN QUERY PLAN " + sql, args))
                          for sql, args in statements]

    # ---- how a page is read ----------------------------------------------------------------
    def _plan(self, filters: CaseFilters, sort: CaseSort, after: Cursor | None,
              limit: int) -> tuple[str, list[tuple[str, list[Any]]]]:
        on_key, rest = _split(filters, sort)
        columns = ", ".join(self.row._fields) + ", " + sort.expr
        if not rest:
            return "seek", [self._seek(columns, sort, after, on_key, limit + 1)]
        index = self._selective_index(rest)
        if index:
            where, args = _where(on_key + rest)
            if after is not None:
                where += f" AND ({sort.expr}, id) {'<' if sort.descending else '>'} (?, ?)"
                args += list(after)
            return "selective", [(f"SELECT {columns} FROM {self.table} INDEXED BY {index} WHERE {where} "
                                  f"ORDER BY {_order(sort)} LIMIT ?", args + [limit + 1])]
        return "walk", [self._seek(f"id, {sort.expr}", sort, after, on_key, self.slice_rows),
                        self._filter_slice(sort, rest, "[]", limit + 1)]

    def _selective_index(self, terms: list[Term]) -> str | None:
        """The index of a filter term that selects at most ``selective_rows`` rows."""
        for term in terms:
            index = self.filter_indexes.get(term.expr or "")
            if index and self.conn.execute(
                    f"SELECT count(*) FROM (SELECT 1 FROM {self.table} INDEXED BY {index} "
                    f"WHERE {term.sql} LIMIT ?)", term.args + [self.selective_rows + 1]
            ).fetchone()[0] <= self.selective_rows:
                return index
        return None

    def _seek(self, columns: str, sort: CaseSort, after: Cursor | None, terms: list[Term],
              limit: int) -> tuple[str, list[Any]]:
        """The first ``limit`` rows of the sort index after ``after`` matching ``terms``."""
        where, args = _where(terms)
        select = f"SELECT {columns} FROM {self.table} WHERE {where}"
        if after is None:  # a key fixed by a filter: order by id (see below)
            order = _order(sort, by_id=any(t.equal for t in terms))
            return f"{select} ORDER BY {order} LIMIT ?", args + [limit]
        beyond = "<" if sort.descending else ">"
        key, last_id = after
        # the ties of the last key, then the keys beyond it: each an index range in order
        # (ordered by id alone, or SQLite sorts the ties: it does not see the key is fixed)
        return (f"SELECT * FROM ({select} AND {sort.expr} = ? AND id {beyond} ? "
                f"ORDER BY {_order(sort, by_id=True)} LIMIT ?) UNION ALL "
                f"SELECT * FROM ({select} AND {sort.expr} {beyond} ? ORDER BY {_order(sort)} "
                f"LIMIT ?) LIMIT ?",
                [*args, key, last_id, limit, *args, key, limit, limit])

    def _filter_slice(self, sort: CaseSort, terms: list[Term], ids_json: str,
                      limit: int) -> tuple[str, list[Any]]:
        """The rows of a slice (its ids as a JSON array, in order) that match ``terms``."""
        where, args = _where(terms)
        columns = ", ".join(f"{self.table}.{c}" for c in self.row._fields)
        return (f"SELECT {columns}, {sort.expr} FROM json_each(?) AS slice "
                f"JOIN {self.table} ON {self.table}.id = slice.value WHERE {where} ORDER BY slice.key LIMIT ?",
                [ids_json, *args, limit])

    def _walk(self, filters: CaseFilters, sort: CaseSort, after: Cursor | None, limit: int,
              budget: float | None) -> tuple[list[CaseRow], Cursor | None]:
        on_key, rest = _split(filters, sort)
        deadline = None if budget is None else time.perf_counter() + budget
        rows: list[CaseRow] = []
        cursor = after
        while True:
            sql, args = self._seek(f"id, {sort.expr}", sort, cursor, on_key, self.slice_rows)
            slice_ = self.conn.execute(sql, args).fetchall()
            need = limit - len(rows)
            sql, args = self._filter_slice(sort, rest, json.dumps([r[0] for r in slice_]), need + 1)
            found = self.conn.execute(sql, args).fetchall()
            if len(found) > need:
                return rows + self._make(found[:need]), self._cursor(found[need - 1])
            rows += self._make(found)
            if len(slice_) < self.slice_rows:
                return rows, None
            cursor = (slice_[-1][1], slice_[-1][0])
            if len(rows) == limit or (deadline is not None and time.perf_counter() > deadline):
                return rows, cursor

    def _cut(self, fetched: list[tuple], limit: int) -> tuple[list[CaseRow], Cursor | None]:
        rows = self._make(fetched[:limit])
        return rows, (self._cursor(fetched[limit - 1]) if len(fetched) > limit else None)

    def _make(self, fetched: list[tuple]) -> list[Any]:
        width = len(self.row._fields)
        return [self.row._make(r[:width]) for r in fetched]

    def _cursor(self, raw: tuple) -> Cursor:
        return raw[len(self.row._fields)], raw[0]


def _split(filters: CaseFilters, sort: CaseSort) -> tuple[list[Term], list[Term]]:
    """-> (terms on the sort key, which narrow its index range; the other terms)."""
    terms = filters.terms()
    return [t for t in terms if t.expr == sort.expr], [t for t in terms if t.expr != sort.expr]


def _order(sort: CaseSort, *, by_id: bool = False) -> str:
    direction = " DESC" if sort.descending else ""
    return f"id{direction}" if by_id else f"{sort.expr}{direction}, id{direction}"

