"""The one write path, enforced in the product (core/store/guard.py): outside store.change()
and store.batch() the store's connection refuses every write; and no module outside core/
holds an SQL statement that writes (gui/ holds no SQL at all)."""
from __future__ import annotations

import io
import re
import sqlite3
import threading
import tokenize
from pathlib import Path

import pytest

import weicha_desktop
from weicha_desktop.core import drafts
from weicha_desktop.core.cases import CaseService
from weicha_desktop.core.store import Store
from weicha_desktop.core.store.guard import WriteRefused
from weicha_desktop.core.users import UserService

from support import PASSWORD, forms, new_store, store  # noqa: F401 (fixture)

PACKAGE = Path(weicha_desktop.__file__).parent


@pytest.mark.parametrize("sql, what", [
    ("UPDATE users SET role = 'admin'", "UPDATE users"),
    ("INSERT INTO meta (key, value) VALUES ('x', 'y')", "INSERT meta"),
    ("DELETE FROM outbox", "DELETE outbox"),
    ("CREATE TABLE x (a)", "INSERT sqlite_master"),  # SQLite asks for the schema row first
    ("CREATE TEMP TABLE x (a)", "INSERT sqlite_temp_master"),
    ("DROP TRIGGER audit_log_no_update", "DROP_TRIGGER audit_log_no_update"),
    ("ALTER TABLE users ADD COLUMN x", "ALTER_TABLE"),
    ("PRAGMA foreign_keys = OFF", "PRAGMA foreign_keys = OFF"),
    ("PRAGMA writable_schema = ON", "PRAGMA writable_schema = ON"),
    ("ATTACH DATABASE ':memory:' AS other", "ATTACH"),
])
def test_a_write_outside_a_change_is_refused_with_a_clear_error(store, sql, what):
    before = store.conn.total_changes
    with pytest.raises(WriteRefused, match="store.change") as refused:
        store.conn.execute(sql)
    assert what in str(refused.value) and isinstance(refused.value, sqlite3.DatabaseError)
    assert store.conn.total_changes == before
    assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_reads_and_the_autosave_journal_go_through(store):
    admin = UserService(store).authenticate("admin", PASSWORD)
    assert store.conn.execute("SELECT count(*) FROM users").fetchone()[0] == 1
    assert store.conn.execute("SELECT value FROM json_each('[1, 2]')").fetchall() == [(1,), (2,)]
    assert store.conn.execute("PRAGMA table_info(users)").fetchall()
    assert store.pending_count() >= 0
    case = CaseService(store, forms(), admin).new_case()
    drafts.save(store, case.id, 1, admin, {"remarks": "草稿"})  # the journal: no change
    with pytest.raises(WriteRefused):
        store.db["meta"].insert({"key": "x", "value": "y"})  # sqlite-utils too


def test_a_statement_prepared_inside_a_change_does_not_run_again_outside(store):
    """SQLite asks the authorizer when it prepares; the statement cache would replay an
    UPDATE prepared inside a change. Leaving the change expires every prepared statement."""
    admin = UserService(store).authenticate("admin", PASSWORD)
    update = "UPDATE meta SET value = ? WHERE key = 'unit_name'"
    with store.change(admin) as ch:
        ch.conn.execute(update, ("甲",))
        ch.log("data.lineage", "data", None, "测试")
    with pytest.raises(WriteRefused):
        store.conn.execute(update, ("乙",))
    with pytest.raises(WriteRefused):
        store.conn.cursor().execute(update, ("乙",))  # a cursor of its own: same cache
    with pytest.raises(WriteRefused):
        store.conn.executemany(update, [("乙",)])
    assert store.meta("unit_name") == "甲"
    with store.change(admin) as ch:  # and inside the next change it runs again
        ch.conn.execute(update, ("丙",))
        ch.log("data.lineage", "data", None, "测试")
    assert store.meta("unit_name") == "丙"


def test_the_journal_is_written_inside_a_change_and_outside(store):
    """The autosave journal's statements are not remembered as writes of a change."""
    admin = UserService(store).authenticate("admin", PASSWORD)
    case = CaseService(store, forms(), admin).new_case()
    drafts.save(store, case.id, 1, admin, {"remarks": "一"})
    with store.change(admin) as ch:
        drafts.delete(ch.conn, case.id)
        ch.log("data.lineage", "data", None, "测试")
    drafts.save(store, case.id, 1, admin, {"remarks": "二"})
    drafts.delete(store.conn, case.id)
    assert drafts.load(store.conn, case.id) is None


def test_the_guard_cannot_be_taken_off_and_scripts_are_guarded_too(store):
    with pytest.raises(WriteRefused, match="不能被替换"):
        store.conn.set_authorizer(None)
    with pytest.raises(WriteRefused, match="DELETE outbox"):
        store.conn.executescript("BEGIN; DELETE FROM outbox; COMMIT;")
    with pytest.raises(WriteRefused):
        store.conn.execute("SAVEPOINT x")  # a savepoint is no leave to write
        store.conn.execute("UPDATE users SET active = 0")
    store.conn.execute("ROLLBACK")
    assert store.conn.execute("SELECT count(*) FROM users WHERE active = 1").fetchone()[0] == 1


def test_another_thread_cannot_write_while_a_change_is_open(store):
    admin = UserService(store).authenticate("admin", PASSWORD)
    errors = []

    def sneak():
        try:
            store.conn.execute("UPDATE users SET role = 'admin'")
        except sqlite3.DatabaseError as e:
            errors.append(e)

    with store.change(admin) as ch:
        thread = threading.Thread(target=sneak)
        thread.start()
        thread.join(10)
        ch.log("data.lineage", "data", None, "测试")
    assert len(errors) == 1 and isinstance(errors[0], WriteRefused)


def test_a_read_only_store_and_a_connection_of_ones_own_are_not_the_guards_business(store):
    with Store.open(store.data_dir, readonly=True) as ro, pytest.raises(sqlite3.OperationalError):
        ro.conn.execute("DELETE FROM outbox")  # query_only refuses it


# ---- nothing outside core/ writes SQL; gui/ holds no SQL at all ----------------------------------
SQL_WRITE = re.compile(r"\b(INSERT\s+(OR\s+\w+\s+)?INTO|REPLACE\s+INTO|UPDATE\s+\S+\s+SET|DELETE\s+FROM"
                       r"|CREATE\s+(TEMP\w*\s+|UNIQUE\s+)?(TABLE|INDEX|TRIGGER|VIEW)|DROP\s+(TABLE|INDEX"
                       r"|TRIGGER|VIEW)|ALTER\s+TABLE|ATTACH\s+DATABASE|PRAGMA\s+\w+\s*=)", re.IGNORECASE)
SQLITE_UTILS_WRITE = re.compile(r"\bdb\[[^\]]+\]\.(insert|insert_all|upsert|upsert_all|update|delete"
                                r"|delete_where|add_column|transform)\(|\bdb\.(create_table|execute)\(")
ANY_SQL = re.compile(r"\b(execute|executemany|executescript)\(|\.query\(|\.conn\b|\bsqlite3\b"
                     r"|\.db\[|\bSELECT\b")


def string_literals(source: str) -> list[tuple[int, str]]:
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    return [(t.start[0], t.string) for t in tokens if t.type == tokenize.STRING]


def sql_writes(source: str) -> list[str]:
    """Where ``source`` holds an SQL statement that writes, or calls a sqlite-utils writer."""
    # (a literal is a piece of the source: a source without a match has no literal with one,
    # and most modules are read without tokenizing them)
    found = [f"line {line}: {text[:60]}" for line, text in
             (string_literals(source) if SQL_WRITE.search(source) else []) if SQL_WRITE.search(text)]
    code = "\n".join(line.split("#")[0] for line in source.splitlines())
    found += [f"sqlite-utils {m.group(0)}" for m in SQLITE_UTILS_WRITE.finditer(code)]
    return found


def any_sql(source: str) -> list[str]:
    """Where ``source`` talks to a database itself (outside strings and comments)."""
    code_lines = []
    for line in source.splitlines():
        code_lines.append(line.split("#")[0])
    code = "\n".join(code_lines)
    if not ANY_SQL.search(code):  # blanking its literals only takes characters away
        return []
    for _line, text in string_literals(source):
        code = code.replace(text, '""')
    return sorted({m.group(0) for m in ANY_SQL.finditer(code)})


def modules(*skip: str) -> list[Path]:
    return [p for p in sorted(PACKAGE.rglob("*.py"))
            if not any(p.relative_to(PACKAGE).parts[0] == s for s in skip)]


def test_the_scanners_find_what_they_look_for():
    assert sql_writes('conn.execute("UPDATE cases SET status = ?", (s,))\n')
    assert sql_writes("q = '''\n  insert into photos (id) values (?)'''\n")
    assert sql_writes('x = "PRAGMA foreign_keys = OFF"\n')
    assert sql_writes('db = store.db\ndb["cases"].insert({"id": 1})\n')
    assert not sql_writes('label = "更新照片说明"\nself.update()\nrows.update(x)\n')
    assert not sql_writes('text = "DELETE the file"\n')
    assert any_sql("n = store.conn.execute('SELECT 1')\n") == [".conn", "execute("]
    assert any_sql("store.db.query(x)\n") == [".query("]
    assert any_sql("text = 'SELECT a file'  # execute(\nview.update()\n") == []


def test_nothing_outside_core_writes_sql():
    found = {str(p.relative_to(PACKAGE)): hits for p in modules("core")
             if (hits := sql_writes(p.read_text(encoding="utf-8")))}
    assert found == {}


def test_the_gui_holds_no_sql_at_all():
    """Reads the views need are store or service methods (Store.pending_count, CaseQuery, …)."""
    gui = PACKAGE / "gui"
    found = {str(p.relative_to(PACKAGE)): hits for p in sorted(gui.rglob("*.py"))
             if (hits := any_sql(p.read_text(encoding="utf-8")))}
    assert found == {}
