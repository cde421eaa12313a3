"""A database made by every earlier schema version opens and upgrades, keeping its data."""
import sqlite3

import pytest

from weicha_desktop.core.errors import WeichaError
from weicha_desktop.core.store import SCHEMA_VERSION, Store, verify_chain
from weicha_desktop.core.store import audit
from weicha_desktop.core.store.migrations import MIGRATIONS, migrate
from weicha_desktop.core.users import hash_password


_EMPTY_AT: dict[int, sqlite3.Connection] = {}  # the schema at each version, made once, in memory


def _empty_at(version: int) -> sqlite3.Connection:
    """A database at ``version`` with no rows: the one at the version below it, migrated one
    step (the same migrations as from nothing, each run once per test process)."""
    if version not in _EMPTY_AT:
        conn = sqlite3.connect(":memory:", isolation_level=None)
        if version > 0:
            _empty_at(version - 1).backup(conn)
        migrate(conn, version)
        _EMPTY_AT[version] = conn
    return _EMPTY_AT[version]


def _old_database(path, version):
    conn = sqlite3.connect(path, isolation_level=None)
    _empty_at(version).backup(conn)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == version
    if version >= 1:
        conn.execute("BEGIN")
        conn.execute("INSERT INTO meta VALUES ('unit_code', '450702000000')")
        conn.execute("INSERT INTO users (id, name, display_name, role, password_hash, active, "
                     "created_at) VALUES ('u1', 'admin', 'admin', 'admin', ?, 1, "
                     "'2026-01-01T08:00:00+08:00')", (hash_password("secret-1"),))
        audit.append(conn, {"id": "e1", "at": "2026-01-01T08:00:00+08:00", "user_id": "u1",
                            "user_name": "admin", "action": "system.init", "object_kind": "unit",
                            "object_id": "450702000000", "summary": "初始化", "details": {}})
        conn.execute("COMMIT")
    if version >= 2:
        conn.execute("INSERT INTO record_versions (id, record_id, kind, version, form_id, "
                     "form_version, data, created_at, created_by, updated_at) VALUES "
                     "('v1', 'c1', 'case', 1, 'scene_investigation', 1, '{}', 't', 'u1', 't')")
    if 2 <= version < 9:
        conn.execute("INSERT INTO cases (id, number, status, current_version, created_at, "
                     "created_by, updated_at) VALUES ('c1', 'K4507020000002026010001', 'draft', 1, "
                     "'t', 'u1', 't')")
    elif version >= 9:  # the registry of records, and the case list's row
        conn.execute("INSERT INTO records (id, kind, number, status, current_version, form_id, "
                     "created_at, created_by, updated_at) VALUES ('c1', 'case', "
                     "'K4507020000002026010001', 'draft', 1, 'scene_investigation', 't', 'u1', 't')")
        conn.execute("INSERT INTO cases (id, number, status, updated_at) "
                     "VALUES ('c1', 'K4507020000002026010001', 'draft', 't')")
    conn.close()


@pytest.mark.parametrize("version", range(0, SCHEMA_VERSION))
def test_every_earlier_version_upgrades(tmp_path, version):
    _old_database(tmp_path / "weicha.db", version)
    with Store.open(tmp_path) as store:
        conn = store.conn
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert {"meta", "users", "audit_log", "outbox", "record_versions", "cases", "reviews",
                "serials", "issued_numbers"} <= tables
        if version >= 1:
            assert store.meta("unit_code") == "450702000000"
            assert list(verify_chain(conn)) == []
        if version >= 2:
            assert store.db["cases"].count == 1


def test_migrations_are_numbered_one_by_one_and_named():
    assert [m.version for m in MIGRATIONS] == list(range(1, len(MIGRATIONS) + 1))
    assert all(m.name.strip() for m in MIGRATIONS)


def test_a_failing_migration_leaves_the_previous_version(tmp_path, monkeypatch):
    from weicha_desktop.core.store import migrations

    broken = migrations.Migration(SCHEMA_VERSION + 1, "broken", "CREATE TABLE x (a);\nSELECT * FROM nope;")
    monkeypatch.setattr(migrations, "MIGRATIONS", MIGRATIONS + [broken])
    conn = sqlite3.connect(tmp_path / "weicha.db", isolation_level=None)
    with pytest.raises(sqlite3.OperationalError):
        migrations.migrate(conn)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'x'").fetchone()


def test_a_newer_database_is_refused_plainly(tmp_path):
    conn = sqlite3.connect(tmp_path / "weicha.db")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.close()
    with pytest.raises(WeichaError, match="请升级"):
        Store.open(tmp_path)
    with pytest.raises(WeichaError, match="请升级"):  # not "locked": the refusal let go of it
        Store.open(tmp_path)


def _with(monkeypatch, *extra):
    from weicha_desktop.core.store import migrations

    monkeypatch.setattr(migrations, "MIGRATIONS", MIGRATIONS + list(extra))
    return migrations


def _fresh(tmp_path):
    conn = sqlite3.connect(tmp_path / "weicha.db", isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def test_a_step_runs_after_the_sql_in_the_same_transaction(tmp_path, monkeypatch):
    from weicha_desktop.core.store.migrations import Migration

    seen = []

    def step(conn):
        seen.append((conn.in_transaction, conn.execute("SELECT count(*) FROM x").fetchone()[0],
                     conn.execute("PRAGMA foreign_keys").fetchone()[0]))
        conn.execute("INSERT INTO x VALUES ('from the step')")

    migrations = _with(monkeypatch, Migration(
        SCHEMA_VERSION + 1, "with a step", "CREATE TABLE x (a);\nINSERT INTO x VALUES ('sql');", step))
    conn = _fresh(tmp_path)
    assert migrations.migrate(conn)[-1].version == SCHEMA_VERSION + 1
    assert seen == [(True, 1, 0)]  # in the transaction, after the SQL, foreign keys off
    assert [r[0] for r in conn.execute("SELECT a FROM x")] == ["sql", "from the step"]
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1  # back on afterwards


def test_a_failing_step_leaves_the_previous_version(tmp_path, monkeypatch):
    from weicha_desktop.core.store.migrations import Migration

    def step(conn):
        conn.execute("INSERT INTO x VALUES (1)")
        raise RuntimeError("step failed")

    migrations = _with(monkeypatch, Migration(SCHEMA_VERSION + 1, "failing step", "CREATE TABLE x (a);", step))
    conn = _fresh(tmp_path)
    with pytest.raises(RuntimeError, match="step failed"):
        migrations.migrate(conn)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'x'").fetchone()
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_a_step_that_leaves_a_broken_reference_is_rolled_back(tmp_path, monkeypatch):
    from weicha_desktop.core.store.migrations import Migration

    def step(conn):  # foreign keys are off during the step: checked before the commit
        conn.execute("INSERT INTO child VALUES ('nobody')")

    migrations = _with(monkeypatch, Migration(
        SCHEMA_VERSION + 1, "dangling", "CREATE TABLE parent (id TEXT PRIMARY KEY);\n"
        "CREATE TABLE child (p TEXT REFERENCES parent (id));", step))
    conn = _fresh(tmp_path)
    with pytest.raises(sqlite3.IntegrityError, match="reference"):
        migrations.migrate(conn)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'child'").fetchone()


def test_a_rebuild_that_would_change_a_row_is_refused(tmp_path, monkeypatch):
    from weicha_desktop.core.store.migrations import Migration
    from weicha_desktop.core.store.rebuild import RebuildError, rebuild_table

    def lossy(conn):
        rebuild_table(conn, "t", "id TEXT PRIMARY KEY, b INTEGER", {"id": "id", "b": "a"})

    migrations = _with(monkeypatch, Migration(
        SCHEMA_VERSION + 1, "lossy", "CREATE TABLE t (id TEXT PRIMARY KEY, a TEXT);\n"
        "INSERT INTO t VALUES ('1', 'abc'), ('2', '007');", lossy))
    conn = _fresh(tmp_path)
    with pytest.raises(RebuildError):  # '007' would become 7: not what the old table held
        migrations.migrate(conn)
    assert not conn.execute("SELECT 1 FROM sqlite_master WHERE name IN ('t', '_rebuild_t')").fetchone()
    with pytest.raises(ValueError):
        rebuild_table(conn, "t", "id TEXT", {"id": "substr(id, 2)"})
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_a_rebuild_keeps_rows_byte_for_byte_and_takes_the_old_name(tmp_path, monkeypatch):
    from weicha_desktop.core.store.migrations import Migration
    from weicha_desktop.core.store.rebuild import rebuild_table

    def renamed(conn):
        assert rebuild_table(conn, "t", "id TEXT PRIMARY KEY, b TEXT NOT NULL",
                             {"id": "id", "b": "a"}) == 2

    migrations = _with(monkeypatch, Migration(
        SCHEMA_VERSION + 1, "rename a column", "CREATE TABLE t (id TEXT PRIMARY KEY, a TEXT);\n"
        "INSERT INTO t VALUES ('1', '{\"k\": \"中文\"}'), ('2', ' x ');", renamed))
    conn = _fresh(tmp_path)
    migrations.migrate(conn)
    assert conn.execute("SELECT id, b FROM t ORDER BY id").fetchall() == [
        ("1", '{"k": "中文"}'), ("2", " x ")]
    assert not conn.execute("SELECT 1 FROM sqlite_master WHERE name LIKE '_rebuild%'").fetchone()


def _ddl(conn, tables):
    marks = ", ".join("?" * len(tables))
    return {name: " ".join(sql.split()) for name, sql in conn.execute(
        f"SELECT name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND sql IS NOT NULL "
        f"AND tbl_name IN ({marks})", tables)}


def test_migration_9_makes_the_indexes_and_triggers_again_naming_the_record(tmp_path):
    """Every index and trigger of the rebuilt tables is what schema 8 had, with the record
    (record_id, records) where the case was; the case list's indexes are unchanged."""
    conn = sqlite3.connect(tmp_path / "weicha.db", isolation_level=None)
    migrate(conn, 8)
    old = _ddl(conn, ("cases", "photos", "reviews", "draft_buffer"))
    migrate(conn, 9)
    new = _ddl(conn, ("cases", "photos", "reviews", "draft_buffer", "records"))
    renamed = {name.replace("s_case", "s_record"): sql.replace("case_id", "record_id")
               .replace("FROM cases", "FROM records").replace("photos_case ", "photos_record ")
               .replace("reviews_case ", "reviews_record ") for name, sql in old.items()}
    changed = {"cases_no_delete_after_finalize"}  # current_version moved to records
    assert {k: v for k, v in renamed.items() if k not in changed} == \
        {k: v for k, v in new.items() if k in renamed and k not in changed}
    assert set(new) - set(renamed) == {"records_kind", "records_no_delete_after_finalize"}
    assert all(old[n] == new[n] for n in old if n.startswith("cases_list_"))


def test_migration_9_keeps_every_row_and_the_guards_hold_after_it(tmp_path):
    """A schema-8 database with a finalized case, a photo, a review and a journal row: the
    registry gets the case, the rows name it by record_id, and the triggers and references
    still refuse what they refused."""
    _old_database(tmp_path / "weicha.db", 8)
    conn = sqlite3.connect(tmp_path / "weicha.db", isolation_level=None)
    conn.execute("INSERT INTO photos (id, case_id, position, sha256, original_name, size, format, "
                 "width, height, imported_at, imported_by) VALUES ('p1', 'c1', 1, 'ab', 'a.jpg', 1, "
                 "'JPEG', 1, 1, 't', 'u1')")
    conn.execute("UPDATE record_versions SET finalized_at = 't', finalized_by = 'u1', content_hash = 'h'")
    conn.execute("UPDATE cases SET status = 'finalized'")
    conn.execute("INSERT INTO reviews VALUES ('r1', 'c1', 1, 'approved', '好', 'u1', 't')")
    conn.execute("INSERT INTO draft_buffer VALUES ('c1', 1, 'u1', '{}', 't')")
    conn.execute("PRAGMA foreign_keys = ON")
    migrate(conn, 9)
    assert conn.execute("SELECT id, kind, number, status, current_version, form_id, created_by "
                        "FROM records").fetchall() == [
        ("c1", "case", "K4507020000002026010001", "finalized", 1, "scene_investigation", "u1")]
    assert conn.execute("SELECT record_id FROM photos UNION ALL SELECT record_id FROM reviews "
                        "UNION ALL SELECT record_id FROM draft_buffer").fetchall() == [("c1",)] * 3
    assert [r[1] for r in conn.execute("PRAGMA table_info(cases)")] == [
        "id", "number", "status", "returned_comment", "case_type", "address", "investigated_at",
        "investigator", "updated_at"]
    for sql in ("UPDATE photos SET caption = 'x'", "DELETE FROM photos",
                "INSERT INTO photos (id, record_id, position, sha256, original_name, size, format, "
                "width, height, imported_at, imported_by) VALUES ('p2', 'c1', 2, 'cd', 'b.jpg', 1, "
                "'JPEG', 1, 1, 't', 'u1')", "DELETE FROM cases", "DELETE FROM records"):
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute(sql)
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        conn.execute("INSERT INTO reviews VALUES ('r2', 'nobody', 1, 'approved', '', 'u1', 't')")
