"""Captured records of any kind and their versions (``records``, ``record_versions``).

A record kind comes from the form registry: a form file declares ``record_kind`` (and, for a
numbered kind, ``number_prefix`` and ``number_field``), e.g. the scene form ``case`` / ``K``
/ ``case_number``. ``records`` is the registry of every captured record (kind, number,
status, current version, form); ``record_versions`` holds every version. A kind's service
builds on :class:`RecordService` (core/record_service.py): a new kind = a form file + a small
service (cases.py is the one for scene cases).

A version is a draft until finalized; finalizing stamps ``finalized_at/by`` and the content
hash, after which triggers refuse any UPDATE or DELETE of the row. An amendment is a new
version (``version + 1``) whose ``amends_id`` names the version it amends, with a reason."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from weicha_desktop.core.canonical import content_hash

HASHED = ("record_id", "kind", "version", "form_id", "form_version", "data", "amends_id",
          "amend_reason", "finalized_at", "finalized_by")


MANIFEST_COLUMNS = ("position", "sha256", "photo_class", "caption", "photographer", "taken_at",
                    "evidence_number", "derived_from")


@dataclass(frozen=True)
class Record:
    """One version of a captured record, with its record's number and state."""

    id: str
    number: str
    status: str
    version: int
    version_id: str
    form_id: str
    form_version: int
    data: dict[str, Any]
    created_at: str
    updated_at: str
    finalized_at: str | None
    content_hash: str | None
    amends_id: str | None
    amend_reason: str | None
    returned_comment: str | None
    kind: str = "case"

    @property
    def locked(self) -> bool:
        return self.finalized_at is not None

    @property
    def status_label(self) -> str:
        from weicha_desktop.core.labels import status_label

        return status_label(self.status, bool(self.returned_comment))

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "kind": self.kind, "number": self.number, "status": self.status,
            "status_label": self.status_label, "version": self.version,
            "form": {"id": self.form_id, "version": self.form_version},
            "data": self.data, "created_at": self.created_at, "updated_at": self.updated_at,
            "finalized_at": self.finalized_at, "content_hash": self.content_hash,
            "amends_id": self.amends_id, "amend_reason": self.amend_reason,
            "returned_comment": self.returned_comment,
        }


def finalized_hash(row: dict[str, Any]) -> str:
    """The content hash of a finalized version row (``data`` as JSON text or a dict). The
    photo manifest is part of it when the version has one (versions finalized before photos
    existed have none, and keep their hash)."""
    body = {k: row[k] for k in HASHED}
    if isinstance(body["data"], str):
        body["data"] = json.loads(body["data"])
    manifest = row.get("manifest")
    if manifest is not None:
        body["manifest"] = json.loads(manifest) if isinstance(manifest, str) else manifest
    return content_hash(body)


def photo_manifest(conn, record_id: str, column: str = "record_id") -> list[dict[str, Any]]:
    """The photo log of a record as it is finalized with it: order, originals, descriptions.
    (``column``: ``case_id`` to read a database from before schema 9, for verify.)"""
    rows = conn.execute(
        f"SELECT {', '.join(MANIFEST_COLUMNS)} FROM photos WHERE {column} = ? "
        "AND removed_at IS NULL ORDER BY position", (record_id,)).fetchall()
    return [dict(zip(MANIFEST_COLUMNS, r)) for r in rows]


RECORD_ROW = ("kind", "number", "status", "current_version", "form_id", "returned_comment",
              "created_at", "created_by", "updated_at")  # a ``records`` row but its id


def record_state(conn, record_id: str) -> dict[str, Any]:
    """The record's row in the registry (RECORD_ROW), as the ops of a change carry it."""
    row = conn.execute(f"SELECT {', '.join(RECORD_ROW)} FROM records WHERE id = ?",
                       (record_id,)).fetchone()
    return dict(zip(RECORD_ROW, row))


def insert_version(ch, *, record_id: str, kind: str, version: int, form_id: str,
                   form_version: int, data: dict[str, Any], amends_id: str | None = None,
                   amend_reason: str | None = None, version_id: str) -> str:
    """Write the version (in the change ``ch``); returns its data as the text written."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    ch.insert("record_versions", {
        "id": version_id, "record_id": record_id, "kind": kind, "version": version,
        "form_id": form_id, "form_version": form_version, "data": text,
        "created_at": ch.now, "created_by": ch.actor.id, "updated_at": ch.now,
        "amends_id": amends_id, "amend_reason": amend_reason,
    })
    return text


def read_record(conn, record_id: str, version: int | None = None) -> Record | None:
    """The record's current version (or ``version``); None if there is no such version."""
    cur = conn.execute(
        "SELECT r.kind, r.number, r.status, r.current_version, r.returned_comment, "
        "v.version, v.id, v.form_id, v.form_version, v.data, v.created_at, v.updated_at, "
        "v.finalized_at, v.content_hash, v.amends_id, v.amend_reason "
        "FROM records r JOIN record_versions v ON v.record_id = r.id "
        "WHERE r.id = ? AND v.version = COALESCE(?, r.current_version)", (record_id, version))
    row = cur.fetchone()
    if row is None:
        return None
    (kind, number, status, current_version, returned, v, version_id, form_id, form_version,
     data, created_at, updated_at, finalized_at, digest, amends_id, amend_reason) = row
    current = v == current_version
    return Record(
        id=record_id, kind=kind, number=number,
        status=status if current else ("finalized" if finalized_at else "draft"),
        version=v, version_id=version_id, form_id=form_id, form_version=form_version,
        data=json.loads(data), created_at=created_at, updated_at=updated_at,
        finalized_at=finalized_at, content_hash=digest, amends_id=amends_id,
        amend_reason=amend_reason, returned_comment=returned if current else None)
