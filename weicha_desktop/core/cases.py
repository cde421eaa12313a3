"""Scene cases (现场勘验): records of kind ``case`` (forms/scene_investigation.yaml declares
``record_kind: case``, ``number_prefix: K``, ``number_field: case_number`` and H numbers for
the rows of 痕迹物证), with the life cycle of every record kind (core/record_service.py).

What cases add: the ``cases`` table, the case list's projection of each record (number,
status, case type, address, 勘验时间, 勘验人 …), kept in step in the same change as the
record, so the list never parses JSON (core/case_query.py pages it); and ``new_case``."""
from __future__ import annotations

from typing import Any

from weicha_desktop.core import labels, people
from weicha_desktop.core.case_query import DEFAULT_SORT, CaseFilters, CaseQuery
from weicha_desktop.core.errors import NotFound, WeichaError
from weicha_desktop.core.forms import Choice, FormSpec
from weicha_desktop.core.record_service import RecordService
from weicha_desktop.core.records import Record

CaseRecord = Record  # a case is a record of kind "case"
# the 必比 statuses of a 痕迹物证 (codes; forms/choices) and the field that holds them
NOT_SENT, SENT, MATCH, NO_MATCH = "not_sent", "submitted", "match", "no_match"
EVIDENCE_STATUS = "evidence.comparison_status"
# the list's columns that are the record's own (``records``), copied into ``cases``
RECORD_COLUMNS = ("number", "status", "returned_comment", "updated_at")


class CaseService(RecordService):
    """Case operations for one logged-in ``actor``."""

    kind = "case"
    noun = "勘验"

    def new_case(self, values: dict[str, Any] | None = None) -> CaseRecord:
        return self.create(values)

    def list(self, *, status: str | None = None, text: str | None = None,
             limit: int = 200) -> list[dict[str, Any]]:
        """The first ``limit`` cases in list order (returned first, then latest change); the
        GUI pages through CaseQuery itself. ``status`` "draft" excludes returned drafts."""
        filters = CaseFilters(status=status, text=text or None,
                              case_types=labels.codes_matching(self.case_types(), text or ""))
        rows, _ = CaseQuery(self.store).page(filters, DEFAULT_SORT, limit=limit)
        named = people.names_of(self.store.conn, [r.id for r in rows])  # 勘验人: record_people
        return [{**r._asdict(), "investigators": named.get(r.id, [])} for r in rows]

    def set_evidence_status(self, number_or_id: str, item: str, status: str,
                            compared_on: str | None = None, result: str = "") -> CaseRecord:
        """Move one 痕迹物证 (``item``: its H number) to the 必比 status ``status`` (a code:
        未送检 → 已送检 → 比中 / 未比中; the value its form version stores is written), with the
        comparison's date and result for 比中 / 未比中 (比中 needs a result). One change of the
        draft (audit ``case.update``) whose op ``case.evidence`` carries the resulting row
        (``item``) beside the version's whole state, and is never compacted away."""
        record = self.get(number_or_id)
        field = self.spec_for(record).field(EVIDENCE_STATUS)
        value = field.value_of(status)
        if value is None:
            raise WeichaError(f"没有“{status}”这种必比状态。")
        result = (result or "").strip()
        if status == MATCH and not result:
            raise WeichaError("比中须写明比对结果（比中对象）。")
        rows = [dict(r) if isinstance(r, dict) else r for r in record.data.get("evidence") or []]
        row = next((r for r in rows if isinstance(r, dict) and r.get("number") == item), None)
        if row is None:
            raise NotFound(f"{self.noun} {record.number} 没有编号为 {item} 的痕迹物证，可能已在表单中删除。")
        row["comparison_status"] = value
        for key in ("compared_on", "comparison_result"):
            row.pop(key, None)
        if status in (MATCH, NO_MATCH):
            row["compared_on"] = compared_on
            if result:
                row["comparison_result"] = result
        return self._update(record, {"evidence": rows}, session=False, op="evidence", event={
            "summary": f"登记{self.noun} {record.number} 物证 {item} 的必比状态：{field.choice_label(value)}",
            "details": {"evidence": item, "comparison_status": status},
            "payload": {"item": row}})

    def case_types(self) -> tuple[Choice, ...]:
        """The case types (codes and words) of the newest form: what the list shows and
        searches (core/labels.py)."""
        return self.forms.latest(self.form_id).field("case_type").choices

    def _project(self, ch, record_id: str, spec: FormSpec, data: dict[str, Any] | None) -> None:
        """The case's row of the list: the record's own columns (RECORD_COLUMNS) and, after
        a create or update, the columns derived from its data (``_projection``) and the
        people it names (``record_people``, core/people.py), in the same change."""
        cols = {}
        if data is not None:  # the people found once: for record_people and the list's 勘验人
            cols = self._projection(spec, data, people.sync(ch.conn, record_id, spec, data))
        names = [*RECORD_COLUMNS, *cols]
        ch.conn.execute(
            f"INSERT INTO cases (id, {', '.join(names)}) "
            f"SELECT id, {', '.join(RECORD_COLUMNS)}{', ?' * len(cols)} FROM records WHERE id = ? "
            f"ON CONFLICT (id) DO UPDATE SET {', '.join(f'{n} = excluded.{n}' for n in names)}",
            [*cols.values(), record_id])

    @staticmethod
    def _projection(spec: FormSpec, data: dict[str, Any], named: list[people.Person]) -> dict[str, Any]:
        """The columns of the case list, derived from the record (kept in ``cases``): codes,
        not words — ``case_type`` is the code of the case type (a v1/v2 record's Chinese
        value by its code), shown in words by the list (core/labels.py). ``investigator``
        is only the sort and search key of the 勘验人 column (the names of ``record_people``'s
        investigators, in order; ``named``: people.people_of(spec, data)); the list shows the
        names from ``record_people``."""
        names = [p.name for p in named if p.role == people.ROLE_INVESTIGATORS]
        return {
            "case_type": _choice_code(spec, "case_type", data.get("case_type")),
            "address": data.get("scene_address") or data.get("incident_address"),
            "investigated_at": data.get("started_at"),
            "investigator": "、".join(names) or None,
        }


def _choice_code(spec: FormSpec, field_id: str, value: Any) -> str | None:
    """The code of a stored choice value (its own text if the form has no such option)."""
    if value is None:
        return None
    try:
        return spec.field(field_id).code_of(value) or str(value)
    except KeyError:
        return str(value)
