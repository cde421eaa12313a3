"""Versioned captured records (``record_versions``): what a version is and how it is hashed.

A version is a draft until finalized; finalizing stamps ``finalized_at/by`` and the content
hash, after which triggers refuse any UPDATE or DELETE of the row. An amendment is a new
version (``version + 1``) whose ``amends_id`` names the version it amends, with a reason."""
from __future__ import annotations

import json
from typing import Any

from weicha_desktop.core.canonical import content_hash

HASHED = ("record_id", "kind", "version", "form_id", "form_version", "data", "amends_id",
          "amend_reason", "finalized_at", "finalized_by")


MANIFEST_COLUMNS = ("position", "sha256", "photo_class", "caption", "photographer", "taken_at",
                    "evidence_number", "derived_from")


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


def photo_manifest(conn, case_id: str) -> list[dict[str, Any]]:
    """The photo log of a case as it is finalized with it: order, originals, descriptions."""
    rows = conn.execute(
        f"SELECT {', '.join(MANIFEST_COLUMNS)} FROM photos WHERE case_id = ? AND removed_at IS NULL "
        "ORDER BY position", (case_id,)).fetchall()
    return [dict(zip(MANIFEST_COLUMNS, r)) for r in rows]


def insert_version(ch, *, record_id: str, kind: str, version: int, form_id: str,
                   form_version: int, data: dict[str, Any], amends_id: str | None = None,
                   amend_reason: str | None = None, version_id: str) -> None:
    ch.db["record_versions"].insert({
        "id": version_id, "record_id": record_id, "kind": kind, "version": version,
        "form_id": form_id, "form_version": form_version,
        "data": json.dumps(data, ensure_ascii=False, sort_keys=True),
        "created_at": ch.now, "created_by": ch.actor.id, "updated_at": ch.now,
        "amends_id": amends_id, "amend_reason": amend_reason,
    })
