"""Store.on_commit (core/store/events.py): listeners hear of every commit, after it, once per
batch, never of a rolled-back change, and can neither fail a commit nor write themselves."""
from __future__ import annotations

import logging
import threading

import pytest

from weicha_desktop.core.cases import CaseService
from weicha_desktop.core.store.guard import WriteRefused
from weicha_desktop.core.users import UserService

from support import PASSWORD, forms, new_store


@pytest.fixture
def env(tmp_path):
    store = new_store(tmp_path / "data")
    admin = UserService(store).authenticate("admin", PASSWORD)
    yield store, CaseService(store, forms(), admin)
    store.close()


def test_a_commit_is_heard_after_it_with_what_it_touched(env):
    store, cases = env
    heard = []

    def listener(summary):
        # after the COMMIT: another connection already sees the row
        with store.sibling(readonly=True) as other:
            heard.append((summary, other.pending_count()))

    remove = store.on_commit(listener)
    case = cases.new_case()
    [(summary, pending)] = heard
    assert "case.create" in summary.actions and summary.ids("case") == {case.id}
    assert summary.changed("case") and summary.outbox == 1 and pending == store.pending_count()
    remove()
    cases.new_case()
    assert len(heard) == 1


def test_a_batch_is_heard_once_and_a_rolled_back_change_not_at_all(env):
    store, cases = env
    heard = []
    store.on_commit(heard.append)
    with store.batch():
        first, second = cases.new_case(), cases.new_case()
        with pytest.raises(ZeroDivisionError), store.change(cases.actor) as ch:
            ch.log("case.update", "case", first.id, "不会留下")
            1 / 0
        assert heard == []  # nothing committed yet
    [summary] = heard
    assert summary.ids("case") == {first.id, second.id} and summary.outbox == 2
    with pytest.raises(ZeroDivisionError), store.change(cases.actor) as ch:
        ch.log("case.update", "case", first.id, "不会留下")
        1 / 0
    assert len(heard) == 1


def test_a_failing_listener_neither_fails_the_commit_nor_stops_the_others(env, caplog):
    store, cases = env
    heard = []

    def broken(_summary):
        raise RuntimeError("view gone")

    store.on_commit(broken)
    store.on_commit(heard.append)
    with caplog.at_level(logging.ERROR, logger="weicha.store"):
        case = cases.new_case()
    assert cases.get(case.id).number == case.number and len(heard) == 1
    assert "commit listener" in caplog.text and "broken" in caplog.text


def test_a_listener_runs_with_writes_refused(env):
    store, cases = env
    refused = []

    def sneaky(_summary):
        try:
            store.conn.execute("UPDATE users SET role = 'admin'")
        except WriteRefused as e:
            refused.append(e)

    store.on_commit(sneaky)
    cases.new_case()
    assert len(refused) == 1


def test_a_sibling_on_another_thread_is_heard_on_that_thread(env):
    store, cases = env
    heard = []
    store.on_commit(lambda summary: heard.append((summary, threading.get_ident())))

    def worker():
        with store.sibling() as own:
            CaseService(own, forms(), cases.actor).new_case()

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join(30)
    [(summary, where)] = heard
    assert summary.changed("case") and where == thread.ident != threading.get_ident()
