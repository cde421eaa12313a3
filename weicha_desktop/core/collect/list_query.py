"""The lists of the record kinds (采集 persons/vehicles/places, 巡逻, 互动) read as the case
list is: keyset pages through indexes, returned drafts first, filters walked in budgeted
slices — the machinery of core/case_query.py (``CaseQuery``) over the ``records`` table.

The cases' list has one sort key with an index of its own; the records of a kind have two
indexes instead (migrations 9 and 19): ``records_returned`` (kind, updated_at) of the returned
drafts only, and ``records_kind`` (kind, updated_at) of all. A page therefore reads in two
phases, each a ``CaseQuery`` seek on ``updated_at`` descending narrowed to the kind (the
kind's index range): first the returned drafts (phase 0), then the others (phase 1). The
cursor is (phase, the phase's cursor). Status, text, 进行中 (patrols) and a given set of ids
(the overdue requests, core/requests) are filters walked in slices of the kind's index, each
walk bounded by ``budget`` as the cases' are; ``count`` counts a filter on a worker."""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, replace
from typing import Any, NamedTuple

from weicha_desktop.core.case_query import PAGE_SIZE, CaseQuery, Term

from . import lookup

RETURNED = "records.status = 'draft' AND records.returned_comment IS NOT NULL"  # records_returned's WHERE
DATA = ("(SELECT v.data FROM record_versions v WHERE v.record_id = records.id "
        "AND v.version = records.current_version)")
STATUSES = ("returned", "draft", "finalized", "reviewed")


class RecordRow(NamedTuple):
    id: str
    status: str
    returned_comment: str | None
    updated_at: str


class Latest(NamedTuple):
    """The one order of these lists (within a phase): last changed first."""

    expr: str = "updated_at"
    descending: bool = True


LATEST = Latest()


@dataclass(frozen=True)
class RecordFilters:
    """``kind``; ``status``: one of STATUSES (returned: a draft a reviewer sent back);
    ``text``: a piece of any value; ``ended``: patrols ended (True) or not (False); ``ids``:
    only these records; ``returned``: the phase (set by ``RecordQuery.page``)."""

    kind: str
    status: str | None = None
    text: str | None = None
    ended: bool | None = None
    ids: tuple[str, ...] | None = None
    returned: bool | None = None

    def __post_init__(self) -> None:
        if self.status is not None and self.status not in STATUSES:
            raise ValueError(f"unknown status {self.status!r}; one of {', '.join(STATUSES)}")

    def terms(self) -> list[Term]:
        # the kind and the phase narrow the seek (terms "on the key": the index range)
        terms = [Term("records.kind = ?", [self.kind], LATEST.expr)]
        if self.returned is not None:
            terms.append(Term(RETURNED if self.returned else f"NOT ({RETURNED})", [], LATEST.expr))
        if self.status == "returned" and self.returned is None:
            terms.append(Term(RETURNED, [], None))
        elif self.status and self.status != "returned":
            terms.append(Term("records.status = ?", [self.status], None))
        text = (self.text or "").strip()
        if text:
            like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            terms.append(Term(f"EXISTS (SELECT 1 FROM json_tree({DATA}) t WHERE t.type = 'text' "
                              "AND t.atom LIKE ? ESCAPE '\\')", [like], None))
        if self.ended is not None:
            terms.append(Term(f"json_extract({DATA}, '$.ended_at') IS {'NOT ' if self.ended else ''}NULL",
                              [], None))
        if self.ids is not None:
            terms.append(Term("records.id IN (SELECT value FROM json_each(?))", [json.dumps(list(self.ids))], None))
        return terms

    def phases(self) -> tuple[int, ...]:
        """0: the returned drafts, 1: the others — those the status can be in."""
        return {"returned": (0,), "finalized": (1,), "reviewed": (1,)}.get(self.status or "", (0, 1))


class RecordQuery(CaseQuery):
    """Pages and counts of a kind's list; reads only."""

    table = "records"
    row = RecordRow
    filter_indexes: dict[str, str] = {}

    def page(self, filters: RecordFilters, sort: Any = LATEST, after: Any = None, limit: int = PAGE_SIZE, *,
             budget: float | None = None) -> tuple[list[RecordRow], Any]:
        """Up to ``limit`` rows after ``after`` (None: from the start), returned drafts first,
        then the last changed -> (rows, the cursor to go on from; None at the end). As the
        cases' page: fewer rows than asked with a cursor when ``budget`` ran out."""
        phase, inner = after if after is not None else (0, None)
        deadline = None if budget is None else time.perf_counter() + budget
        rows: list[RecordRow] = []
        for current in (0, 1):
            if current < phase or current not in filters.phases():
                continue
            left = None if deadline is None else max(0.0, deadline - time.perf_counter())
            found, inner = super().page(replace(filters, returned=current == 0), LATEST,
                                        inner if current == phase else None, limit - len(rows), budget=left)
            rows += found
            if inner is not None:
                return rows, (current, inner)
            if current == 0 and 1 in filters.phases() and (
                    len(rows) == limit or (deadline is not None and time.perf_counter() > deadline)):
                return rows, (1, None)
        return rows, None

    def values(self, record_ids: list[str]) -> dict[str, dict[str, Any]]:
        """record id → the data of its current version."""
        found = self.conn.execute(
            "SELECT r.id, v.data FROM json_each(?) AS ids JOIN records r ON r.id = ids.value "
            "JOIN record_versions v ON v.record_id = r.id AND v.version = r.current_version",
            (json.dumps(record_ids),)).fetchall()
        return {rid: json.loads(data) for rid, data in found}

    def shown(self, kind: str, rows: list[RecordRow]) -> list[dict[str, Any]]:
        """``rows`` as the lists show them (core/collect/lookup.py ``row_of``)."""
        data = self.values([r.id for r in rows])
        return [lookup.row_of(kind, r.id, r.status, r.returned_comment, r.updated_at, data.get(r.id, {}))
                for r in rows]
