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


def finalized_hash(row: dict[str, Any]) -> str:
    """The content hash of a finalized version row (``data`` as JSON text or a dict)."""
    body = {k: row[k] for k in HASHED}
    if isinstance(body["data"], str):
        body["data"] = json.loads(body["data"])
    return content_hash(body)


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
