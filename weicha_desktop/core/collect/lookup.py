"""Reads of the collect records: by natural key (indexed), lists, and how a record is named.

``records_with(conn, kind, field, value)``: the ids of the records of ``kind`` whose current
version holds ``value`` in ``field`` — for the keys in KEYS only, each served by a partial
expression index on ``record_versions`` (migration: ``record_versions_<kind>_<field>``), so
a lookup among millions of versions is an index seek. 核查 (core/checks) asks the same for
"known locally": ``person_by_id_number``, ``vehicle_by_plate``."""
from __future__ import annotations

import json
from typing import Any

# (kind, field) → what an index serves; the SQL's literals must be those of the index
KEYS = {("person", "id_number"), ("vehicle", "plate"), ("vehicle", "vin")}
SUMMARY = {  # the fields a list shows, by kind
    "person": ("name", "gender", "id_number", "birth_date", "phone", "address"),
    "vehicle": ("plate", "plate_kind", "vehicle_type", "brand", "colour", "vin"),
    "place": ("name", "place_type", "address"),
    "patrol": ("started_at", "ended_at", "area", "mode"),                     # core/patrol
    "request": ("request_type", "source", "received_at", "handling", "officer",  # core/requests
                "contact_name", "address", "content"),
}


def records_with(conn, kind: str, field: str, value: Any) -> list[str]:
    """Ids of the records of ``kind`` whose current version has ``field`` == ``value``,
    oldest first; [] for an empty value."""
    if not isinstance(value, str) or not value:
        return []
    return [r[0] for r in conn.execute(key_sql(kind, field), (value,))]


def key_sql(kind: str, field: str) -> str:
    """The query of ``records_with``: the kind and the JSON path are literals, as the partial
    expression index has them (a bound parameter would not use it)."""
    if (kind, field) not in KEYS:
        raise ValueError(f"no index for {kind}.{field}")
    return (f"SELECT r.id FROM record_versions v JOIN records r ON r.id = v.record_id "
            f"AND r.current_version = v.version WHERE v.kind = '{kind}' "
            f"AND json_extract(v.data, '$.{field}') = ? ORDER BY r.created_at, r.id")


def person_by_id_number(conn, id_number: str) -> list[str]:
    """The person records with this (normalized) 身份证号."""
    return records_with(conn, "person", "id_number", id_number)


def vehicle_by_plate(conn, plate: str) -> list[str]:
    """The vehicle records with this (normalized) 号牌."""
    return records_with(conn, "vehicle", "plate", plate)


def mentions(conn, key: str, exclude: str | None = None) -> list[dict[str, Any]]:
    """The records whose current version names ``key`` (a 身份证号, a 号牌) inside a person or
    a row — a case's 见证人, a vehicle's 车主 — through 核查's ``record_keys`` (migration 17):
    {id, kind, number, status, label, field} each, ``exclude`` (the record itself) left out."""
    if not key:
        return []
    rows = conn.execute(
        "SELECT DISTINCT r.id, k.field FROM record_keys k JOIN record_versions v ON v.id = k.version_id "
        "JOIN records r ON r.id = v.record_id AND r.current_version = v.version "
        "WHERE k.key = ? ORDER BY r.created_at, r.id, k.field", (key,)).fetchall()
    return [{**record_label(conn, rid), "field": field} for rid, field in rows if rid != exclude]


def label_of(kind: str, data: dict[str, Any]) -> str:
    """A record named for a person: 张三（450702…）, 桂N12345 丰田卡罗拉, 某某旅馆."""
    if kind == "person":
        return " ".join(x for x in (data.get("name"), data.get("id_number")) if x)
    if kind == "vehicle":
        return " ".join(x for x in (data.get("plate") or data.get("vin"), data.get("brand")) if x)
    if kind == "place":
        return " ".join(x for x in (data.get("name"), data.get("address")) if x)
    if kind in ("patrol", "request"):  # 2026-12-01 08:00 文峰路一带 / 2026-12-01 08:00 邻居噪音扰民…
        what = data.get("area") if kind == "patrol" else (data.get("content") or "")[:20]
        when = data.get("started_at") if kind == "patrol" else data.get("received_at")
        return " ".join(x for x in ((when or "")[:16].replace("T", " "), what) if x)
    return ""


def record_label(conn, record_id: str) -> dict[str, Any] | None:
    """{id, kind, number, status, label} of any record here, or None (not on this laptop)."""
    row = conn.execute(
        "SELECT r.kind, r.number, r.status, v.data FROM records r JOIN record_versions v "
        "ON v.record_id = r.id AND v.version = r.current_version WHERE r.id = ?", (record_id,)).fetchone()
    if row is None:
        return None
    kind, number, status, data = row
    data = json.loads(data)
    label = label_of(kind, data) or " ".join(
        x for x in (number, data.get("scene_address") or data.get("incident_address") or "") if x)
    return {"id": record_id, "kind": kind, "number": number, "status": status,
            "label": label or record_id[:8]}


RETURNED = "r.status = 'draft' AND r.returned_comment IS NOT NULL"  # as index records_returned has it


def list_records(conn, kind: str, *, text: str | None = None, status: str | None = None,
                 limit: int = 50) -> list[dict[str, Any]]:
    """The records of ``kind``, returned drafts first, then last changed first, with their
    summary fields (not paged: the first ``limit``); ``text``: a piece of any value (name,
    number, address); ``status``: draft, finalized, reviewed or returned (a draft with a
    reviewer's comment). Two index walks (records_returned, then records_kind newest first)
    that stop at ``limit`` rows: ~1 ms among 200,000 records of the kind; a ``text`` that few
    records hold walks them all (values only, not the keys)."""
    limit = max(1, min(int(limit), 10_000))
    where, params = ["r.kind = ?"], [kind]
    if status and status != "returned":
        where.append("r.status = ?")
        params.append(status)
    if text:
        where.append("EXISTS (SELECT 1 FROM json_tree(v.data) t WHERE t.type = 'text' "
                     "AND t.atom LIKE ? ESCAPE '\\')")
        params.append("%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
    rows = _rows(conn, [*where, RETURNED], params, limit) if status in (None, "draft", "returned") else []
    if status != "returned" and len(rows) < limit:
        rows += _rows(conn, [*where, f"NOT ({RETURNED})"], params, limit - len(rows))
    return [row_of(kind, rid, st, returned, updated, json.loads(data)) for rid, st, returned, updated, data in rows]


def row_of(kind: str, record_id: str, status: str, returned_comment: str | None, updated_at: str,
           data: dict[str, Any]) -> dict[str, Any]:
    """A list's row: id, status, returned, updated_at, label and the kind's summary fields."""
    return {"id": record_id, "status": status, "returned": returned_comment is not None, "updated_at": updated_at,
            "label": label_of(kind, data), **{k: data.get(k) for k in SUMMARY.get(kind, ())}}


def _rows(conn, where: list[str], params: list[Any], limit: int) -> list[tuple]:
    return conn.execute(
        "SELECT r.id, r.status, r.returned_comment, r.updated_at, v.data FROM records r "
        "JOIN record_versions v ON v.record_id = r.id AND v.version = r.current_version "
        f"WHERE {' AND '.join(where)} ORDER BY r.updated_at DESC, r.id DESC LIMIT ?",
        (*params, limit)).fetchall()
