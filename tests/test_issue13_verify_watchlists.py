"""`weicha verify` and 核查's named watch lists (core/verify/watchlists.py): the import logs the
digest of the entries as stored; verify recomputes it, so an entry changed, deleted or added
behind the program, a list's row changed, a list no import made and a logged list deleted are
faults naming the list. Lists as the program imported (and re-imported) them verify clean."""
import pytest

from weicha_desktop.core.checks import import_list
from weicha_desktop.core.users import UserService
from weicha_desktop.core.verify import verify

from tests.support import new_store, tamper

PLATES = "号牌,车主,原因\n桂A12345,黄丽,被盗\n桂B23456,,被抢\n京A88888,王五,被盗\n"


@pytest.fixture
def held(tmp_path):
    store = new_store(tmp_path / "d")
    admin = UserService(store).get("admin")
    f = tmp_path / "v.csv"
    f.write_text("号牌,原因\n粤C00001,被盗\n", encoding="utf-8")
    import_list(store, admin, f, "被盗抢机动车")
    f.write_text(PLATES, encoding="utf-8")
    import_list(store, admin, f, "被盗抢机动车")   # replaced whole: the last import is what counts
    f.write_text("身份证号,姓名\n11010519491231002X,黄丽\n", encoding="utf-8")
    import_list(store, admin, f, "在逃人员")
    report = verify(store)
    assert report.ok and not [n for n in report.notices if "核查名单" in n], (report.faults, report.notices)
    yield store
    store.close()


@pytest.mark.parametrize("sql, fragment", [
    ("UPDATE watch_entries SET reason = '已找回' WHERE key = '桂A12345'", "“被盗抢机动车”的条目与导入时不同"),
    ("DELETE FROM watch_entries WHERE key = '桂B23456'", "现有 2 条，导入 3 条"),
    ("INSERT INTO watch_entries SELECT '桂C11111', set_id, name, reason, extra FROM watch_entries "
     "WHERE key = '桂A12345'", "现有 4 条，导入 3 条"),
    ("UPDATE watch_entries SET key = '桂A12346' WHERE key = '桂A12345'", "“被盗抢机动车”的条目与导入时不同"),
    ("UPDATE watch_sets SET version = '9', instruction = '放行' WHERE name = '在逃人员'",
     "“在逃人员”与工作日志记录的导入不符（version、instruction）"),
    ("INSERT INTO watch_sets (name, kind, version, list_date, instruction, entries, source, updated_at) "
     "VALUES ('自编名单', 'person', '1', '2026-11-01', '', 0, 'import', '2026-11-01')",
     "“自编名单”没有导入它的工作日志记录"),
    ("DELETE FROM watch_entries WHERE set_id = (SELECT id FROM watch_sets WHERE name = '在逃人员')",
     "“在逃人员”的条目与导入时不同"),
])
def test_a_watch_list_changed_behind_the_program_is_a_fault(held, sql, fragment):
    tamper(held.data_dir / "weicha.db", sql)
    faults = verify(held).faults
    assert any(fragment in f for f in faults), faults


def test_a_list_deleted_whole_is_named(held):
    db = held.data_dir / "weicha.db"
    tamper(db, "DELETE FROM watch_entries WHERE set_id = (SELECT id FROM watch_sets WHERE name = '在逃人员')")
    tamper(db, "DELETE FROM watch_sets WHERE name = '在逃人员'")
    faults = verify(held).faults
    assert any("导入核查名单“在逃人员”，数据中却没有它" in f for f in faults), faults


def test_an_import_logged_before_the_digest_is_counted_and_said(held):
    """The log is hash-chained: an old entry (no digest, no instruction) is simulated on a raw
    connection whose temp audit_log shadows the real one."""
    import sqlite3

    from weicha_desktop.core.verify.watchlists import check_watchlists

    conn = sqlite3.connect(held.data_dir / "weicha.db")
    conn.execute("CREATE TEMP TABLE audit_log AS SELECT * FROM main.audit_log")
    conn.execute("UPDATE temp.audit_log SET details = json_remove(details, '$.entries_sha256', '$.instruction') "
                 "WHERE action = 'watchlist.import'")
    faults, notices = [], []
    check_watchlists(conn, faults, notices)
    assert faults == [] and len([n for n in notices if "只核对了条数" in n]) == 2
    conn.execute("UPDATE watch_entries SET reason = '已找回' WHERE key = '桂A12345'")
    check_watchlists(conn, faults, notices)
    assert faults == []  # what a count cannot see: said by the notice
    conn.execute("DELETE FROM watch_entries WHERE key = '桂B23456'")
    check_watchlists(conn, faults, notices)
    assert any("现有 2 条，导入时为 3 条" in f for f in faults), faults
    conn.close()
