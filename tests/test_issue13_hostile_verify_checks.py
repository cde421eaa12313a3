"""Hostile tester (issue 13): `weicha verify` checks the ``checks`` table against the
``check.run`` entries of the audit log (core/verify/checks.py) — a hit changed to a miss, a
check deleted, a check forged, the append-only triggers dropped are faults; checks as the
program made them verify clean."""
import sqlite3

import pytest

from weicha_desktop.core.checks import CheckService, import_list
from weicha_desktop.core.users import UserService
from weicha_desktop.core.verify import verify

from tests.support import new_store, tamper


@pytest.fixture
def checked(tmp_path):
    store = new_store(tmp_path / "d")
    admin = UserService(store).get("admin")
    f = tmp_path / "v.csv"
    f.write_text("号牌,原因\n桂A12345,被盗\n", encoding="utf-8")
    import_list(store, admin, f, "被盗抢机动车")
    svc = CheckService(store, admin)
    hit, miss = svc.check("桂A12345"), svc.check("桂B23456")
    assert hit.hit and not miss.hit
    report = verify(store)
    assert report.ok, report.faults
    yield store, hit, miss
    store.close()


@pytest.mark.parametrize("sql, fragment", [
    ("UPDATE checks SET result = 'miss', hits = '[]' WHERE id = ?", "与工作日志记录的不符（result、hits）"),
    ("UPDATE checks SET key = '桂A99999' WHERE id = ?", "与工作日志记录的不符（key）"),
    ("DELETE FROM checks WHERE id = ?", "数据中却没有它"),
    ("INSERT INTO checks SELECT 'forged', at, user_id, user_name, kind, key, source, result, hits, lists, "
     "records FROM checks WHERE id = ?", "核查记录 forged（桂A12345）没有产生它的工作日志记录"),
])
def test_a_check_changed_behind_the_program_is_a_fault(checked, sql, fragment):
    store, hit, _ = checked
    tamper(store.data_dir / "weicha.db", sql, hit.id)
    faults = verify(store).faults
    assert any(fragment in f for f in faults), faults


def test_the_append_only_triggers_dropped_are_named(checked):
    store = checked[0]
    conn = sqlite3.connect(store.data_dir / "weicha.db")
    conn.execute("DROP TRIGGER checks_no_update")
    conn.commit()
    conn.close()
    faults = verify(store).faults
    assert any("checks_no_update 不见了" in f for f in faults), faults
