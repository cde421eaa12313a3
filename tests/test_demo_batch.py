"""Store.batch, the bulk write facility the demo uses: many changes, one commit, and each
change still whole (record + audit entry + outbox operation) or absent."""
from __future__ import annotations

import sqlite3

import pytest

from outbox_support import payload
from support import PASSWORD, new_store
from support import forms as shipped_forms
from weicha_desktop.core.cases import CaseService
from weicha_desktop.core.demo import scene_values
from weicha_desktop.core.errors import WeichaError
from weicha_desktop.core.store import Store, verify_chain
from weicha_desktop.core.users import UserService

TABLES = ("record_versions", "cases", "audit_log", "outbox")


@pytest.fixture
def env(tmp_path):
    store = new_store(tmp_path / "d")
    admin = UserService(store).authenticate("admin", PASSWORD)
    yield store, CaseService(store, shipped_forms(), admin), tmp_path / "d"
    store.close()


def counts(store: Store) -> list[int]:
    return [store.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES]


def rows_of(store: Store, case_id: str) -> list[int]:
    return [store.conn.execute("SELECT count(*) FROM record_versions WHERE record_id = ?", (case_id,)).fetchone()[0],
            store.conn.execute("SELECT count(*) FROM cases WHERE id = ?", (case_id,)).fetchone()[0],
            store.conn.execute("SELECT count(*) FROM audit_log WHERE object_id = ?", (case_id,)).fetchone()[0],
            store.conn.execute("SELECT count(*) FROM outbox WHERE entity_id = ?", (case_id,)).fetchone()[0]]


def test_a_failing_change_rolls_back_only_itself(env):
    store, cases, folder = env
    before = counts(store)
    with store.batch():
        first = cases.new_case({"case_type": "burglary"})
        with pytest.raises(WeichaError):
            cases.new_case({"reporter": {"name": "李娜", "phone": "123"}})  # wrong phone: refused
        with pytest.raises(ZeroDivisionError):
            with store.change(cases.actor) as ch:
                ch.log("photo.reorder", "case", "x", "测试")
                ch.enqueue("case", "x", "photo.reorder", payload("photo.reorder", "x"))
                1 / 0
        second = cases.new_case()
        cases.finalize(cases.new_case(scene_values(1)).id)
        # one transaction: another connection sees nothing of the batch yet
        other = sqlite3.connect(folder / "weicha.db")
        assert other.execute("SELECT count(*) FROM cases").fetchone()[0] == before[1]
        other.close()
    assert counts(store) == [before[0] + 3, before[1] + 3, before[2] + 4, before[3] + 4]
    assert rows_of(store, first.id) == rows_of(store, second.id) == [1, 1, 1, 1]
    assert list(verify_chain(store.conn)) == []  # no gap left by the rolled-back entries


def test_what_completed_is_committed_when_an_error_leaves_the_batch(env):
    store, cases, _ = env
    with pytest.raises(KeyError):
        with store.batch():
            made = cases.new_case()
            raise KeyError("stop")
    assert rows_of(store, made.id) == [1, 1, 1, 1]
    assert not store.conn.in_transaction
    cases.new_case()  # back to one transaction per change
    assert list(verify_chain(store.conn)) == []


def test_batches_do_not_nest_and_read_only_stores_refuse_them(env, tmp_path):
    store, _, folder = env
    with store.batch():
        with pytest.raises(RuntimeError):
            with store.batch():
                pass
    with Store.open(folder, readonly=True) as ro:
        with pytest.raises(WeichaError):
            with ro.batch():
                pass
