"""Hostile tester (issue 13): ``record_keys`` (the nested ID numbers / plates a check reads) is
derived from the record versions; verify recomputes it (core/verify/record_keys.py), so a row
deleted (a check misses a local record), a row forged (a check names a record that does not hold
the key) and a trigger dropped are faults. As the program keeps it, it verifies clean."""
import sqlite3

import pytest

from weicha_desktop.core.cases import CaseService
from weicha_desktop.core.users import UserService
from weicha_desktop.core.verify import verify

from tests.support import forms, new_store, tamper

WITNESS = "11010519491231002X"
OTHER = "110105194912310037"


@pytest.fixture
def indexed(tmp_path):
    store = new_store(tmp_path / "d")
    admin = UserService(store).get("admin")
    cases = CaseService(store, forms(), admin)
    cases.update(cases.new_case().number, {"witnesses": [{"name": "王五", "id_number": WITNESS}]})
    assert store.conn.execute("SELECT count(*) FROM record_keys WHERE key = ?", (WITNESS,)).fetchone()[0]
    report = verify(store)
    assert report.ok, report.faults
    yield store
    store.close()


@pytest.mark.parametrize("sql, fragment", [
    ("DELETE FROM record_keys WHERE key = ?", "索引缺少记录内容中的条目（11010519491231002X（witnesses[0].id_number））"),
    ("INSERT INTO record_keys SELECT '" + OTHER + "', version_id, field, name FROM record_keys WHERE key = ?",
     "索引中有记录内容里没有的条目（110105194912310037（witnesses[0].id_number））"),
    ("INSERT INTO record_keys SELECT key, version_id, field, name FROM record_keys WHERE key = ?",
     "索引中有记录内容里没有的条目"),  # the same row twice
])
def test_the_key_index_changed_behind_the_program_is_a_fault(indexed, sql, fragment):
    tamper(indexed.data_dir / "weicha.db", sql, WITNESS)
    faults = verify(indexed).faults
    assert any(fragment in f for f in faults), faults


def test_a_key_index_trigger_dropped_is_named(indexed):
    conn = sqlite3.connect(indexed.data_dir / "weicha.db")
    conn.execute("DROP TRIGGER record_keys_update")
    conn.commit()
    conn.close()
    faults = verify(indexed).faults
    assert any("record_keys_update 不见了" in f for f in faults), faults
