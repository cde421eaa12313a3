"""Migration 10: identities that mean the same on every device, codes instead of labels.

- ``users`` + ``badge_no`` (警号) and ``unit_code``: unique together where set. Users made
  from now on have both and an id derived from them (core/users.py ``user_id``); users from
  earlier versions keep their id and get both when an administrator sets their 警号
  (``weicha user set-badge``), so rows that name them stay valid.
- ``devices``: the folder's own device (``this_device`` = 1, at most one), from meta
  ``device_id`` (which stays, in step: the checkpoint finds its files by it).
- ``audit_log`` + ``device_id``: entries written from now on carry the device that wrote them,
  and their hash covers it (store/audit.py: only when not NULL, so older entries verify as
  they are; the column is added, no entry is rewritten).
- ``record_people``: who a record names as taking part, one row per person (core/people.py),
  filled here from each record's current version.
- ``cases.case_type`` holds the case type's code: the Chinese label earlier versions stored
  in the list's projection becomes its code (the records themselves keep their values).

The records' forms are read from the shipped form files (every version stays there); a
record whose form or version this program does not have keeps its rows as they were."""
from __future__ import annotations

import json
import sqlite3

SQL = """
ALTER TABLE users ADD COLUMN badge_no TEXT;
ALTER TABLE users ADD COLUMN unit_code TEXT;
CREATE UNIQUE INDEX users_badge ON users (unit_code, badge_no) WHERE badge_no IS NOT NULL;
CREATE TRIGGER users_badge_whole BEFORE UPDATE OF badge_no, unit_code ON users
WHEN (NEW.badge_no IS NULL) <> (NEW.unit_code IS NULL)
BEGIN SELECT RAISE(ABORT, '警号与单位代码须同时填写'); END;
CREATE TRIGGER users_badge_whole_insert BEFORE INSERT ON users
WHEN (NEW.badge_no IS NULL) <> (NEW.unit_code IS NULL)
BEGIN SELECT RAISE(ABORT, '警号与单位代码须同时填写'); END;
CREATE TABLE devices (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    this_device INTEGER NOT NULL DEFAULT 0 CHECK (this_device IN (0, 1))
);
CREATE UNIQUE INDEX devices_this ON devices (this_device) WHERE this_device = 1;
INSERT INTO devices (id, name, created_at, this_device)
SELECT d.value, '', COALESCE((SELECT value FROM meta WHERE key = 'initialized_at'), ''), 1
FROM meta d WHERE d.key = 'device_id';
ALTER TABLE audit_log ADD COLUMN device_id TEXT;
CREATE TABLE record_people (
    record_id TEXT NOT NULL REFERENCES records (id) ON DELETE CASCADE,
    role      TEXT NOT NULL,
    position  INTEGER NOT NULL CHECK (position >= 0),
    user_id   TEXT REFERENCES users (id),
    name      TEXT NOT NULL,
    unit      TEXT,
    title     TEXT,
    PRIMARY KEY (record_id, role, position)
);
CREATE INDEX record_people_name ON record_people (role, name);
CREATE INDEX record_people_user ON record_people (user_id) WHERE user_id IS NOT NULL;
"""


def step(conn: sqlite3.Connection) -> None:
    """Fill ``record_people`` and turn the projection's case type labels into codes."""
    from weicha_desktop.core import people
    from weicha_desktop.core.forms import FormNotFound, FormRegistry
    from weicha_desktop.resources import forms_dir

    rows = conn.execute(
        "SELECT r.id, v.form_id, v.form_version, v.data, c.case_type FROM records r "
        "JOIN record_versions v ON v.record_id = r.id AND v.version = r.current_version "
        "LEFT JOIN cases c ON c.id = r.id").fetchall()
    if not rows:  # a new folder: no forms to read (~3 ms of every first start)
        return
    forms = FormRegistry(forms_dir())
    users = people.match_users(conn)
    for record_id, form_id, version, text, case_type in rows:
        try:
            spec = forms.get(form_id, version)
            data = json.loads(text)
        except (FormNotFound, TypeError, ValueError):
            continue
        if not isinstance(data, dict):
            continue
        people.write(conn, record_id, people.people_of(spec, data), users)
        if case_type is not None:
            try:
                code = spec.field("case_type").code_of(case_type)
            except KeyError:
                code = None
            if code is not None and code != case_type:
                conn.execute("UPDATE cases SET case_type = ? WHERE id = ?", (code, record_id))
