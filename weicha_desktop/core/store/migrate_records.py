"""Migration 9: records of every kind, not only cases (issue 9).

Before: ``cases`` held a scene case's life cycle (number, status, current version, who made
it) AND the case list's columns; photos, reviews and the autosave journal pointed at cases.
After:

- ``records`` is the registry of every captured record of any kind: id, kind, number,
  status, current_version, form_id, returned_comment, created_at/by, updated_at. Every case
  of the old ``cases`` table becomes one (kind ``case``; form id of its latest version).
- ``cases`` keeps only what the case list shows, keyed by the record id (a foreign key to
  ``records``): number, status, returned_comment and updated_at (as ``records`` has them: the
  list is read from this one table, so its keyset indexes of migration 5 work unchanged),
  case_type, address, investigated_at, investigator. Its indexes are created again from
  their own SQL, unchanged.
- ``photos``, ``reviews`` and ``draft_buffer`` name their record in ``record_id`` (was
  ``case_id``) with a foreign key to ``records``; their indexes and triggers are created
  again, the triggers reading the record's status from ``records``.

Every row is copied value for value (core/store/rebuild.py proves it), so the finalized
versions, the photo manifests and the audit log are untouched and verify stays clean."""
from __future__ import annotations

import sqlite3

from weicha_desktop.core.store.rebuild import rebuild_table, schema_of

SQL = """
CREATE TABLE records (
    id               TEXT PRIMARY KEY,
    kind             TEXT NOT NULL,
    number           TEXT UNIQUE,
    status           TEXT NOT NULL CHECK (status IN ('draft', 'finalized', 'reviewed')),
    current_version  INTEGER NOT NULL CHECK (current_version >= 1),
    form_id          TEXT NOT NULL,
    returned_comment TEXT,
    created_at       TEXT NOT NULL,
    created_by       TEXT NOT NULL REFERENCES users (id),
    updated_at       TEXT NOT NULL
);
CREATE INDEX records_kind ON records (kind, updated_at);
INSERT INTO records (id, kind, number, status, current_version, form_id, returned_comment,
                     created_at, created_by, updated_at)
SELECT c.id, COALESCE(v.kind, 'case'), c.number, c.status, c.current_version,
       COALESCE(v.form_id, 'scene_investigation'), c.returned_comment, c.created_at,
       c.created_by, c.updated_at
FROM cases c LEFT JOIN record_versions v
  ON v.record_id = c.id AND v.version = (SELECT max(version) FROM record_versions
                                         WHERE record_id = c.id);
CREATE TRIGGER records_no_delete_after_finalize BEFORE DELETE ON records
WHEN OLD.status <> 'draft' OR OLD.current_version > 1
BEGIN SELECT RAISE(ABORT, '已定稿过的记录不能删除'); END;
"""

CASES = """
    id               TEXT PRIMARY KEY REFERENCES records (id),
    number           TEXT NOT NULL UNIQUE,
    status           TEXT NOT NULL CHECK (status IN ('draft', 'finalized', 'reviewed')),
    returned_comment TEXT,
    case_type        TEXT,
    address          TEXT,
    investigated_at  TEXT,
    investigator     TEXT,
    updated_at       TEXT NOT NULL"""
CASE_COLUMNS = ("id", "number", "status", "returned_comment", "case_type", "address",
                "investigated_at", "investigator", "updated_at")

REVIEWS = """
    id          TEXT PRIMARY KEY,
    record_id   TEXT NOT NULL REFERENCES records (id),
    version     INTEGER NOT NULL,
    decision    TEXT NOT NULL CHECK (decision IN ('approved', 'returned')),
    comment     TEXT NOT NULL DEFAULT '',
    reviewer_id TEXT NOT NULL REFERENCES users (id),
    at          TEXT NOT NULL"""

DRAFT_BUFFER = """
    record_id TEXT PRIMARY KEY REFERENCES records (id) ON DELETE CASCADE,
    version   INTEGER NOT NULL,
    user_id   TEXT REFERENCES users (id),
    data      TEXT NOT NULL,
    saved_at  TEXT NOT NULL"""

PHOTOS = """
    id              TEXT PRIMARY KEY,
    record_id       TEXT NOT NULL REFERENCES records (id),
    position        INTEGER NOT NULL,
    sha256          TEXT NOT NULL,
    original_name   TEXT NOT NULL,
    size            INTEGER NOT NULL,
    format          TEXT NOT NULL,
    width           INTEGER NOT NULL,
    height          INTEGER NOT NULL,
    orientation     INTEGER,
    taken_at        TEXT,
    time_source     TEXT,
    make            TEXT,
    model           TEXT,
    gps_lat         REAL,
    gps_lon         REAL,
    gps_alt         REAL,
    photo_class     TEXT,
    caption         TEXT NOT NULL DEFAULT '',
    photographer    TEXT,
    evidence_number TEXT,
    derived_from    TEXT REFERENCES photos (id),
    edits           TEXT,
    imported_at     TEXT NOT NULL,
    imported_by     TEXT NOT NULL REFERENCES users (id),
    removed_at      TEXT,
    UNIQUE (record_id, sha256)"""
PHOTO_COLUMNS = ("id", "record_id", "position", "sha256", "original_name", "size", "format",
                 "width", "height", "orientation", "taken_at", "time_source", "make", "model",
                 "gps_lat", "gps_lon", "gps_alt", "photo_class", "caption", "photographer",
                 "evidence_number", "derived_from", "edits", "imported_at", "imported_by",
                 "removed_at")

# the indexes and triggers of the rebuilt tables, as migrations 2, 4, 6 and 7 made them but
# naming record_id (and the record's status in ``records``)
AFTER = """
CREATE INDEX reviews_record ON reviews (record_id, version);
CREATE INDEX photos_record ON photos (record_id, position);
CREATE INDEX photos_sha ON photos (sha256);
CREATE TRIGGER photos_no_delete BEFORE DELETE ON photos
BEGIN SELECT RAISE(ABORT, '照片记录不能删除'); END;
CREATE TRIGGER photos_locked_after_finalize BEFORE UPDATE ON photos
WHEN (SELECT status FROM records WHERE id = OLD.record_id) <> 'draft'
BEGIN SELECT RAISE(ABORT, '勘验已定稿，照片记录不能修改'); END;
CREATE TRIGGER photos_no_insert_after_finalize BEFORE INSERT ON photos
WHEN (SELECT status FROM records WHERE id = NEW.record_id) <> 'draft'
BEGIN SELECT RAISE(ABORT, '勘验已定稿，不能再加照片'); END;
CREATE TRIGGER cases_no_delete_after_finalize BEFORE DELETE ON cases
WHEN OLD.status <> 'draft' OR (SELECT current_version FROM records WHERE id = OLD.id) > 1
BEGIN SELECT RAISE(ABORT, '已定稿过的勘验不能删除'); END;
"""


def step(conn: sqlite3.Connection) -> None:
    from weicha_desktop.core.store.migrations import _statements

    # the case list's indexes, to be made again from their own SQL (columns unchanged)
    case_indexes = [sql for kind, _, sql in schema_of(conn, "cases") if kind == "index"]
    # triggers naming the tables rebuilt: SQLite refuses a rename while one names a table
    # that is gone; the photo triggers are made again below, cases' goes with its table
    for table in ("photos", "cases"):
        for kind, name, _ in schema_of(conn, table):
            if kind == "trigger":
                conn.execute(f"DROP TRIGGER {name}")
    rebuild_table(conn, "cases", CASES, {c: c for c in CASE_COLUMNS})
    rebuild_table(conn, "reviews", REVIEWS, {"id": "id", "record_id": "case_id", "version": "version",
                                             "decision": "decision", "comment": "comment",
                                             "reviewer_id": "reviewer_id", "at": "at"})
    rebuild_table(conn, "draft_buffer", DRAFT_BUFFER, {
        "record_id": "case_id", "version": "version", "user_id": "user_id", "data": "data",
        "saved_at": "saved_at"})
    rebuild_table(conn, "photos", PHOTOS,
                  {c: ("case_id" if c == "record_id" else c) for c in PHOTO_COLUMNS})
    for sql in case_indexes:
        conn.execute(sql)
    for statement in _statements(AFTER):
        conn.execute(statement)
