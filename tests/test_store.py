import sqlite3

import pytest

from weicha_desktop.core.errors import StoreLocked, WeichaError
from weicha_desktop.core.store import SCHEMA_VERSION, Store
from weicha_desktop.core.users import UserService

from tests.outbox_support import payload
from tests.support import PASSWORD, migrated_folder, new_store, raw_writes


def test_open_sets_pragmas_and_schema(tmp_path):
    with Store.open(tmp_path / "d") as store:
        conn = store.conn
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert conn.execute("PRAGMA recursive_triggers").fetchone()[0] == 1  # before store.db
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert (tmp_path / "d" / "blobs").is_dir()
        assert not store.is_initialized()



def test_sqlite_utils_plugins_never_see_the_connection(tmp_path):
    """sqlite-utils would hand the store's connection to every installed plugin (and find
    them by reading every package's entry points, ~35 ms a start): a store asks none."""
    import sqlite_utils
    from sqlite_utils.plugins import pm

    handed: list = []

    class Plugin:
        @sqlite_utils.hookimpl
        def prepare_connection(self, conn):
            handed.append(conn)

    plugin = Plugin()
    pm.register(plugin)
    try:
        with Store.open(migrated_folder(tmp_path / "d")) as store:
            assert store.db.execute("SELECT 1").fetchone() == (1,)
    finally:
        pm.unregister(plugin)
    assert handed == []

def test_second_open_of_same_folder_is_refused_in_chinese(tmp_path):
    import os
    import socket

    migrated_folder(tmp_path)
    owner = tmp_path / "weicha.lock.owner"  # what an earlier holder wrote, longer than today's
    owner.write_text("进程 4194304，主机 " + "一台名字很长的电脑" * 20, encoding="utf-8")
    first = Store.open(tmp_path)
    try:
        with pytest.raises(StoreLocked) as err:
            Store.open(tmp_path)
        assert "正被另一个微察程序使用" in str(err.value)
        holder = f"进程 {os.getpid()}，主机 {socket.gethostname()}"
        assert f"（{holder}）" in str(err.value)
        assert owner.read_text(encoding="utf-8") == holder  # written over and cut to its length
    finally:
        first.close()
    Store.open(tmp_path).close()  # released on close


def test_change_must_log_and_rolls_back_everything_on_error(tmp_path):
    store = new_store(tmp_path)
    admin = UserService(store).authenticate("admin", PASSWORD)
    before = [store.db[t].count for t in ("audit_log", "outbox", "meta")]
    with pytest.raises(RuntimeError, match="audit"):
        with store.change(admin) as ch:
            ch.set_meta("x", "1")  # no log → refused
    with pytest.raises(ZeroDivisionError):
        with store.change(admin) as ch:
            ch.set_meta("y", "1")
            ch.log("photo.reorder", "case", "y", "测试")
            ch.enqueue("case", "y", "photo.reorder", payload("photo.reorder", "y"))
            1 / 0
    assert [store.db[t].count for t in ("audit_log", "outbox", "meta")] == before
    with store.change(admin) as ch:
        ch.set_meta("z", "1")
        ch.log("photo.reorder", "case", "z", "测试")
        ch.enqueue("case", "z", "photo.reorder", payload("photo.reorder", "z"))
    assert [store.db[t].count for t in ("audit_log", "outbox", "meta")] == [b + 1 for b in before]
    assert store.pending_outbox()[-1]["payload"] == payload("photo.reorder", "z")
    store.close()


def test_audit_log_refuses_update_and_delete(tmp_path):
    store = new_store(tmp_path)
    with raw_writes(store):  # past the write guard: the triggers refuse on their own
        with pytest.raises(sqlite3.IntegrityError, match="只能追加"):
            store.conn.execute("UPDATE audit_log SET summary = 'x'")
        with pytest.raises(sqlite3.IntegrityError, match="只能追加"):
            store.conn.execute("DELETE FROM audit_log")
    store.close()


def test_every_entry_names_its_user(tmp_path):
    store = new_store(tmp_path)
    admin = UserService(store).authenticate("admin", PASSWORD)
    store.log_read(admin, "case.export", "case", None, "核查人员 张三")
    entries = store.audit_entries()
    assert [e.action for e in entries] == ["system.init", "data.anchor", "login.ok", "case.export"]
    # data.anchor: the checkpoint keeper's own entry (core/checkpoint_log.py), by the system
    assert [e.user_name for e in entries] == ["admin", "system", "admin", "admin"]
    assert [e.user_id for e in entries] == [admin.id, None, admin.id, admin.id]
    store.close()


def test_readonly_store_cannot_change(tmp_path):
    new_store(tmp_path).close()
    with Store.open(tmp_path, readonly=True) as ro:
        assert ro.is_initialized()
        with pytest.raises(WeichaError, match="只读"):
            with ro.change(ro and UserService(ro).get("admin")):
                pass
