import shutil
import sqlite3
from pathlib import Path

from hypothesis import given, settings, strategies as st

from weicha_desktop.core.store import Store, verify_chain
from weicha_desktop.core.store.audit import GENESIS, entry_hash
from weicha_desktop.core.users import UserService

from tests.support import new_store, tamper


def _fill(store, n):
    admin = UserService(store).get("admin")  # no login: that would be an entry too
    for i in range(n):
        store.log_read(admin, "case.export", "case", f"桂A{i:05d}", f"核查车辆 桂A{i:05d}", {"i": i})


_FILLED: dict[int, Path] = {}


def _filled(tmp_path_factory, n) -> Path:
    """The database of a folder with ``n`` logged reads, built once per ``n`` (closed: no
    write-ahead log beside it) for the examples to copy."""
    if n not in _FILLED:
        folder = tmp_path_factory.mktemp(f"audit-{n}")
        store = new_store(folder)
        _fill(store, n)
        store.close()
        _FILLED[n] = folder / "weicha.db"
    return _FILLED[n]


def test_chain_links_each_entry_to_the_previous(tmp_path):
    store = new_store(tmp_path)
    _fill(store, 5)
    entries = store.audit_entries()
    assert entries[0].prev_hash == GENESIS
    for prev, cur in zip(entries, entries[1:]):
        assert cur.prev_hash == prev.hash
        assert cur.hash == entry_hash(cur.prev_hash, cur.__dict__)
    assert list(verify_chain(store.conn)) == []
    store.close()


@settings(max_examples=25, deadline=None)
@given(n=st.integers(2, 12), victim=st.integers(0, 11),
       column=st.sampled_from(["at", "user_name", "action", "object_id", "summary", "details"]))
def test_any_altered_entry_is_named(tmp_path_factory, n, victim, column):
    db = tmp_path_factory.mktemp("audit") / "weicha.db"
    shutil.copyfile(_filled(tmp_path_factory, n), db)
    seq = victim % (n + 1) + 1  # n reads + the init entry
    value = '{"i": -1}' if column == "details" else "篡改"
    tamper(db, f"UPDATE audit_log SET {column} = ? WHERE seq = ?", value, seq)
    conn = sqlite3.connect(db)
    faults = list(verify_chain(conn))
    assert faults and faults[0].seq == seq, faults
    assert f"第 {seq} 条" in str(faults[0])


def test_deleted_entries_in_the_middle_and_at_the_end_are_found(tmp_path):
    store = new_store(tmp_path)
    _fill(store, 6)
    store.close()
    db = tmp_path / "weicha.db"
    tamper(db, "DELETE FROM audit_log WHERE seq = 3")
    assert [f.seq for f in verify_chain(sqlite3.connect(db))][:1] == [3]
    tamper(db, "DELETE FROM audit_log WHERE seq = (SELECT max(seq) FROM audit_log)")
    faults = [str(f) for f in verify_chain(sqlite3.connect(db))]
    assert any("末尾缺失" in f for f in faults), faults


def test_a_new_entry_after_reopen_continues_the_chain(tmp_path):
    new_store(tmp_path).close()
    with Store.open(tmp_path) as store:
        _fill(store, 2)
        assert list(verify_chain(store.conn)) == []
        assert [e.seq for e in store.audit_entries()] == [1, 2, 3, 4]  # init, data.anchor, 2 entries


def test_a_non_hex_previous_hash_is_reported_not_a_crash(tmp_path):
    store = new_store(tmp_path)
    _fill(store, 3)
    store.close()
    tamper(tmp_path / "weicha.db", "UPDATE audit_log SET prev_hash = '篡改' WHERE seq = 2")
    faults = list(verify_chain(sqlite3.connect(tmp_path / "weicha.db")))
    assert faults and faults[0].seq == 2
