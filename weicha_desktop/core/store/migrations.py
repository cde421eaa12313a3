"""Named, numbered schema migrations. ``PRAGMA user_version`` holds the number of the last
one applied; each runs in its own transaction, so a crash leaves the schema at a whole step.

A migration is SQL and, where SQL alone is not enough (a table rebuilt to change a column or
a reference), a Python ``step(conn)`` that runs after the SQL in the same transaction. While a
migration with a step runs, foreign keys are off (SQLite's own recipe for rebuilding a table:
a table referenced by others can be dropped and its new copy renamed into its place) and
``PRAGMA foreign_key_check`` must find nothing before the COMMIT; ``rebuild_table``
(core/store/rebuild.py) copies the rows and proves the copy equal.

Never edit a migration that has shipped: add a new one. tests/test_migrations.py builds a
database at every earlier version and upgrades it; tests/test_upgrade_folders.py upgrades
real folders made by earlier versions (tests/data/folders/)."""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Callable

from weicha_desktop.core.store import migrate_identities, migrate_records

from weicha_desktop.core.store import migrate_outbox


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str
    step: Callable[[sqlite3.Connection], None] | None = None  # after the SQL, same transaction


MIGRATIONS: list[Migration] = [
    Migration(1, "base: meta, users, audit log (hash chain, append-only), sync outbox", """
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('technician', 'supervisor', 'admin')),
    password_hash TEXT NOT NULL,
    active        INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL
);
CREATE TABLE audit_log (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    id          TEXT NOT NULL UNIQUE,
    at          TEXT NOT NULL,
    user_id     TEXT,
    user_name   TEXT NOT NULL,
    action      TEXT NOT NULL,
    object_kind TEXT NOT NULL,
    object_id   TEXT,
    summary     TEXT NOT NULL,
    details     TEXT NOT NULL DEFAULT '{}',
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
CREATE INDEX audit_log_object ON audit_log (object_kind, object_id);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, '工作日志只能追加，不能修改'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, '工作日志只能追加，不能删除'); END;
CREATE TABLE outbox (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    op_id       TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL,
    entity      TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    op          TEXT NOT NULL,
    payload     TEXT NOT NULL,
    state       TEXT NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'sent', 'rejected')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT
);
CREATE INDEX outbox_state ON outbox (state, seq);
"""),
    Migration(2, "records: versioned captured records, cases list projection, reviews", """
CREATE TABLE record_versions (
    id            TEXT PRIMARY KEY,
    record_id     TEXT NOT NULL,
    kind          TEXT NOT NULL,
    version       INTEGER NOT NULL CHECK (version >= 1),
    form_id       TEXT NOT NULL,
    form_version  INTEGER NOT NULL,
    data          TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    created_by    TEXT NOT NULL REFERENCES users (id),
    updated_at    TEXT NOT NULL,
    amends_id     TEXT REFERENCES record_versions (id),
    amend_reason  TEXT,
    finalized_at  TEXT,
    finalized_by  TEXT REFERENCES users (id),
    content_hash  TEXT,
    UNIQUE (record_id, version),
    CHECK ((finalized_at IS NULL) = (content_hash IS NULL))
);
CREATE TRIGGER record_versions_finalized_no_update BEFORE UPDATE ON record_versions
WHEN OLD.finalized_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, '已定稿的记录不能修改，请用补正生成新版本'); END;
CREATE TRIGGER record_versions_finalized_no_delete BEFORE DELETE ON record_versions
WHEN OLD.finalized_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, '已定稿的记录不能删除'); END;
CREATE TABLE cases (
    id               TEXT PRIMARY KEY,
    number           TEXT NOT NULL UNIQUE,
    status           TEXT NOT NULL CHECK (status IN ('draft', 'finalized', 'reviewed')),
    current_version  INTEGER NOT NULL,
    returned_comment TEXT,
    case_type        TEXT,
    address          TEXT,
    investigated_at  TEXT,
    investigator     TEXT,
    created_at       TEXT NOT NULL,
    created_by       TEXT NOT NULL REFERENCES users (id),
    updated_at       TEXT NOT NULL
);
CREATE INDEX cases_status ON cases (status, updated_at);
CREATE INDEX cases_investigated_at ON cases (investigated_at);
CREATE INDEX cases_updated_at ON cases (updated_at);
CREATE TRIGGER cases_no_delete_after_finalize BEFORE DELETE ON cases
WHEN OLD.status <> 'draft' OR OLD.current_version > 1
BEGIN SELECT RAISE(ABORT, '已定稿过的勘验不能删除'); END;
CREATE TABLE reviews (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases (id),
    version     INTEGER NOT NULL,
    decision    TEXT NOT NULL CHECK (decision IN ('approved', 'returned')),
    comment     TEXT NOT NULL DEFAULT '',
    reviewer_id TEXT NOT NULL REFERENCES users (id),
    at          TEXT NOT NULL
);
CREATE INDEX reviews_case ON reviews (case_id, version);
"""),
    Migration(3, "numbering: per-device serial counters and the register of issued numbers", """
CREATE TABLE serials (
    kind        TEXT NOT NULL,
    unit_code   TEXT NOT NULL,
    period      TEXT NOT NULL,
    last_serial INTEGER NOT NULL,
    PRIMARY KEY (kind, unit_code, period)
);
CREATE TABLE issued_numbers (
    number     TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    object_id  TEXT,
    issued_at  TEXT NOT NULL
);
CREATE TRIGGER issued_numbers_no_delete BEFORE DELETE ON issued_numbers
BEGIN SELECT RAISE(ABORT, '已发出的编号不能收回'); END;
"""),
    Migration(4, "draft_buffer: recovery journal of a draft's unsaved edits (docs/autosave.md)", """
CREATE TABLE draft_buffer (
    case_id  TEXT PRIMARY KEY REFERENCES cases (id) ON DELETE CASCADE,
    version  INTEGER NOT NULL,
    user_id  TEXT REFERENCES users (id),
    data     TEXT NOT NULL,
    saved_at TEXT NOT NULL
);
"""),
    Migration(5, "case list: an index per sort key, (key, id), for keyset pages (docs/performance.md)", """
CREATE INDEX cases_list_returned_first ON cases ((CASE WHEN status = 'draft' AND returned_comment IS NOT NULL
    THEN '1' ELSE '0' END || updated_at), id);
CREATE INDEX cases_list_case_type ON cases (IFNULL(case_type, ''), id);
CREATE INDEX cases_list_address ON cases (IFNULL(address, ''), id);
CREATE INDEX cases_list_investigated_at ON cases (IFNULL(investigated_at, ''), id);
CREATE INDEX cases_list_status ON cases ((CASE status WHEN 'draft' THEN returned_comment IS NULL
    WHEN 'finalized' THEN 2 ELSE 3 END), id);
CREATE INDEX cases_list_investigator ON cases (IFNULL(investigator, ''), id);
DROP INDEX cases_investigated_at;
"""),
    Migration(6, "photos: the photo log of a case over write-once originals in blobs/", """
CREATE TABLE photos (
    id              TEXT PRIMARY KEY,
    case_id         TEXT NOT NULL REFERENCES cases (id),
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
    UNIQUE (case_id, sha256)
);
CREATE INDEX photos_case ON photos (case_id, position);
CREATE INDEX photos_sha ON photos (sha256);
CREATE TRIGGER photos_no_delete BEFORE DELETE ON photos
BEGIN SELECT RAISE(ABORT, '照片记录不能删除'); END;
"""),
    Migration(7, "finalized photo manifest: hashed with the version; photos locked once finalized", """
ALTER TABLE record_versions ADD COLUMN manifest TEXT;
CREATE TRIGGER photos_locked_after_finalize BEFORE UPDATE ON photos
WHEN (SELECT status FROM cases WHERE id = OLD.case_id) <> 'draft'
BEGIN SELECT RAISE(ABORT, '勘验已定稿，照片记录不能修改'); END;
CREATE TRIGGER photos_no_insert_after_finalize BEFORE INSERT ON photos
WHEN (SELECT status FROM cases WHERE id = NEW.case_id) <> 'draft'
BEGIN SELECT RAISE(ABORT, '勘验已定稿，不能再加照片'); END;
"""),
    Migration(8, "drop the list indexes of migration 2 that the keyset indexes (5) replaced", """
DROP INDEX cases_status;
DROP INDEX cases_updated_at;
"""),
    Migration(9, "records of every kind: the records registry; cases the list's projection; "
                 "photos, reviews, draft_buffer name their record (core/store/migrate_records.py)",
              migrate_records.SQL, migrate_records.step),
    Migration(10, "identities and codes: users' 警号 and unit, the devices table, the device of "
                  "each audit entry, record_people, case types as codes (core/store/migrate_identities.py)",
              migrate_identities.SQL, migrate_identities.step),
    Migration(11, "outbox: the op envelope (device, per-device sequence, actor, payload version) "
                  "and the states pending / exported / acknowledged / rejected (docs/sync-protocol.md)",
              migrate_outbox.SQL, migrate_outbox.upgrade_outbox),
    Migration(12, "applied ops: the ops of other devices this store applied, and each device's "
                  "contiguous mark (core/sync/apply.py, docs/sync-protocol.md)", """
ALTER TABLE devices ADD COLUMN applied_through INTEGER NOT NULL DEFAULT 0 CHECK (applied_through >= 0);
CREATE TABLE applied_ops (
    op_id       TEXT PRIMARY KEY,
    device_id   TEXT NOT NULL REFERENCES devices (id),
    device_seq  INTEGER NOT NULL CHECK (device_seq >= 1),
    op          TEXT NOT NULL,
    entity_kind TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    applied_at  TEXT NOT NULL,
    UNIQUE (device_id, device_seq)
);
CREATE TRIGGER applied_ops_no_update BEFORE UPDATE ON applied_ops
BEGIN SELECT RAISE(ABORT, '已应用的同步操作记录不能修改'); END;
CREATE TRIGGER applied_ops_no_delete BEFORE DELETE ON applied_ops
BEGIN SELECT RAISE(ABORT, '已应用的同步操作记录不能删除'); END;
"""),
    Migration(13, "reviews: the section of the record a return's comment is about (NULL: the "
                  "whole record), so the returned draft opens there", """
ALTER TABLE reviews ADD COLUMN section TEXT;
"""),
    Migration(14, "reference data pulled from the sync server: form versions, code tables, watch "
                  "lists, and each table's pull cursor (core/sync/pull.py)", """
CREATE TABLE ref_forms (
    form_id     TEXT NOT NULL,
    version     INTEGER NOT NULL,
    title       TEXT NOT NULL,
    record_kind TEXT,
    source      TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    pulled_at   TEXT NOT NULL,
    PRIMARY KEY (form_id, version)
);
CREATE TRIGGER ref_forms_no_update BEFORE UPDATE ON ref_forms
BEGIN SELECT RAISE(ABORT, '服务器发布的表单版本不能修改'); END;
CREATE TRIGGER ref_forms_no_delete BEFORE DELETE ON ref_forms
BEGIN SELECT RAISE(ABORT, '服务器发布的表单版本不能删除'); END;
CREATE TABLE ref_code_tables (
    id        TEXT PRIMARY KEY,
    title     TEXT NOT NULL,
    source    TEXT NOT NULL,
    sha256    TEXT NOT NULL,
    seq       INTEGER NOT NULL,
    pulled_at TEXT NOT NULL
);
CREATE TABLE watch_list (
    list      TEXT NOT NULL CHECK (list IN ('person', 'vehicle')),
    key       TEXT NOT NULL,
    name      TEXT NOT NULL,
    reason    TEXT NOT NULL,
    active    INTEGER NOT NULL,
    seq       INTEGER NOT NULL,
    pulled_at TEXT NOT NULL,
    PRIMARY KEY (list, key)
);
CREATE INDEX applied_ops_entity ON applied_ops (entity_id);
CREATE TABLE pull_cursors (
    tbl       TEXT PRIMARY KEY,
    cursor    TEXT NOT NULL,
    server_id TEXT,
    pulled_at TEXT NOT NULL
);
"""),
    Migration(15, "核查 (core/checks): named watch lists (version, date, instruction) and their entries "
                  "clustered on the normalized key; the checks made, append-only", """
CREATE TABLE watch_sets (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL CHECK (kind IN ('person', 'vehicle')),
    version     TEXT NOT NULL,
    list_date   TEXT NOT NULL,
    instruction TEXT NOT NULL,
    entries     INTEGER NOT NULL,
    source      TEXT NOT NULL,
    file_sha256 TEXT,
    updated_at  TEXT NOT NULL
);
CREATE TABLE watch_entries (
    key    TEXT NOT NULL,
    set_id INTEGER NOT NULL REFERENCES watch_sets (id),
    name   TEXT NOT NULL,
    reason TEXT NOT NULL,
    extra  TEXT,
    PRIMARY KEY (key, set_id)
) WITHOUT ROWID;
CREATE TABLE checks (
    id        TEXT PRIMARY KEY,
    at        TEXT NOT NULL,
    user_id   TEXT,
    user_name TEXT NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN ('person', 'vehicle')),
    key       TEXT NOT NULL,
    source    TEXT NOT NULL,
    result    TEXT NOT NULL CHECK (result IN ('hit', 'miss')),
    hits      TEXT NOT NULL,
    lists     TEXT NOT NULL,
    records   TEXT NOT NULL
);
CREATE INDEX checks_at ON checks (at);
CREATE INDEX checks_key ON checks (key);
CREATE TRIGGER checks_no_update BEFORE UPDATE ON checks
BEGIN SELECT RAISE(ABORT, '核查记录不能修改'); END;
CREATE TRIGGER checks_no_delete BEFORE DELETE ON checks
BEGIN SELECT RAISE(ABORT, '核查记录不能删除'); END;
"""),
    Migration(16, "采集 (core/collect): links between records (a person, vehicle or place and a case, "
                  "a person…), kept when removed; the collect records' natural keys indexed", """
CREATE TABLE record_links (
    id             TEXT PRIMARY KEY,
    record_id      TEXT NOT NULL,
    record_kind    TEXT NOT NULL,
    target_id      TEXT NOT NULL,
    target_kind    TEXT NOT NULL,
    role           TEXT NOT NULL,
    note           TEXT NOT NULL DEFAULT '',
    created_at     TEXT NOT NULL,
    created_by     TEXT NOT NULL,
    removed_at     TEXT,
    removed_by     TEXT,
    removed_reason TEXT
);
CREATE INDEX record_links_record ON record_links (record_id);
CREATE INDEX record_links_target ON record_links (target_id);
CREATE TRIGGER record_links_no_delete BEFORE DELETE ON record_links
BEGIN SELECT RAISE(ABORT, '关联记录不能删除（取消关联会保留它）'); END;
CREATE TRIGGER record_links_only_removal BEFORE UPDATE ON record_links
WHEN OLD.removed_at IS NOT NULL OR NEW.id IS NOT OLD.id OR NEW.record_id IS NOT OLD.record_id
  OR NEW.target_id IS NOT OLD.target_id OR NEW.role IS NOT OLD.role OR NEW.note IS NOT OLD.note
  OR NEW.created_at IS NOT OLD.created_at OR NEW.created_by IS NOT OLD.created_by
BEGIN SELECT RAISE(ABORT, '关联只能取消，不能修改'); END;
CREATE INDEX record_versions_person_id_number ON record_versions (json_extract(data, '$.id_number'))
    WHERE kind = 'person';
CREATE INDEX record_versions_vehicle_plate ON record_versions (json_extract(data, '$.plate'))
    WHERE kind = 'vehicle';
CREATE INDEX record_versions_vehicle_vin ON record_versions (json_extract(data, '$.vin'))
    WHERE kind = 'vehicle';
"""),
    Migration(17, "核查 (core/checks): the ID numbers and plates nested in records (a case's witnesses, "
                  "a record's people) indexed by triggers on record_versions, so a check finds them "
                  "without reading every record", """
CREATE TABLE record_keys (
    key        TEXT NOT NULL,
    version_id TEXT NOT NULL,
    field      TEXT NOT NULL,
    name       TEXT NOT NULL
);
CREATE INDEX record_keys_key ON record_keys (key);
CREATE INDEX record_keys_version ON record_keys (version_id);
CREATE TRIGGER record_keys_insert AFTER INSERT ON record_versions WHEN json_valid(NEW.data)
BEGIN
  INSERT INTO record_keys (key, version_id, field, name)
  SELECT upper(trim(t.value)), NEW.id, substr(t.path || '.' || t.key, 3),
         COALESCE(json_extract(NEW.data, t.path || '.name'), '')
  FROM json_tree(NEW.data) t
  WHERE t.key IN ('id_number', 'plate') AND t.type = 'text' AND t.path <> '$' AND trim(t.value) <> '';
END;
CREATE TRIGGER record_keys_update AFTER UPDATE OF data ON record_versions
BEGIN
  DELETE FROM record_keys WHERE version_id = OLD.id;
  INSERT INTO record_keys (key, version_id, field, name)
  SELECT upper(trim(t.value)), NEW.id, substr(t.path || '.' || t.key, 3),
         COALESCE(json_extract(NEW.data, t.path || '.name'), '')
  FROM json_tree(CASE WHEN json_valid(NEW.data) THEN NEW.data ELSE '{}' END) t
  WHERE t.key IN ('id_number', 'plate') AND t.type = 'text' AND t.path <> '$' AND trim(t.value) <> '';
END;
CREATE TRIGGER record_keys_delete AFTER DELETE ON record_versions
BEGIN
  DELETE FROM record_keys WHERE version_id = OLD.id;
END;
INSERT INTO record_keys (key, version_id, field, name)
SELECT upper(trim(t.value)), v.id, substr(t.path || '.' || t.key, 3), COALESCE(json_extract(v.data, t.path || '.name'), '')
FROM record_versions v, json_tree(v.data) t
WHERE json_valid(v.data) AND t.key IN ('id_number', 'plate') AND t.type = 'text' AND t.path <> '$'
  AND trim(t.value) <> '';
"""),
    Migration(18, "USB bundles (core/bundle/export.py): each ops bundle this device exported, its "
                  "per-device bundle_seq, op range and file, and the receipt that answered it", """
CREATE TABLE bundle_exports (
    device_id       TEXT NOT NULL,
    bundle_seq      INTEGER NOT NULL,
    bundle_id       TEXT NOT NULL UNIQUE,
    from_seq        INTEGER NOT NULL,
    through_seq     INTEGER NOT NULL,
    ops             INTEGER NOT NULL,
    blobs           INTEGER NOT NULL,
    size            INTEGER NOT NULL,
    file            TEXT NOT NULL,
    exported_at     TEXT NOT NULL,
    receipt_id      TEXT,
    receipt_at      TEXT,
    receipt_through INTEGER,
    PRIMARY KEY (device_id, bundle_seq)
);
"""),
    Migration(19, "采集 (core/collect/lookup.py): the returned drafts of each kind, for the lists that "
                  "show them first without walking every record of the kind", """
CREATE INDEX records_returned ON records (kind, updated_at)
    WHERE status = 'draft' AND returned_comment IS NOT NULL;
"""),
    Migration(20, "互动 (core/requests): the requests by handling status, so the overdue ones and a "
                  "status's list read the open requests only, not every request ever taken in", """
CREATE INDEX record_versions_request_handling ON record_versions (json_extract(data, '$.handling'))
    WHERE kind = 'request';
"""),
]

LATEST = MIGRATIONS[-1].version


def current_version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def migrate(conn: sqlite3.Connection, target: int | None = None) -> list[Migration]:
    """Apply every migration above the database's version up to ``target``. The connection
    must be in autocommit mode (isolation_level=None). Returns what was applied."""
    have = current_version(conn)
    latest = MIGRATIONS[-1].version
    target = latest if target is None else target
    if have > latest:
        from weicha_desktop.core.errors import WeichaError

        raise WeichaError(
            f"数据库版本（{have}）比本程序支持的（{latest}）更新，请升级微察桌面版后再打开。"
        )
    applied = []
    for m in MIGRATIONS:
        if have < m.version <= target:
            _apply(conn, m)
            applied.append(m)
    return applied


def _apply(conn: sqlite3.Connection, m: Migration) -> None:
    """One migration in one transaction: its SQL, then its step; all of it or none."""
    foreign_keys = conn.execute("PRAGMA foreign_keys").fetchone()[0]
    if m.step is not None:  # cannot change inside a transaction: before BEGIN
        conn.execute("PRAGMA foreign_keys = OFF")
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _statements(m.sql):
                conn.execute(statement)
            if m.step is not None:
                m.step(conn)
                broken = conn.execute("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise sqlite3.IntegrityError(
                        f"migration {m.version}: rows without the row they reference: {broken[:5]}")
            conn.execute(f"PRAGMA user_version = {m.version}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    finally:
        conn.execute(f"PRAGMA foreign_keys = {int(foreign_keys)}")


def _statements(sql: str) -> list[str]:
    """Split a migration into statements, keeping trigger bodies (BEGIN … END;) whole."""
    out, buf = [], ""
    for line in sql.strip().splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            out.append(buf.strip())
            buf = ""
    if buf.strip():
        raise ValueError(f"incomplete SQL in migration: {buf!r}")
    return out
