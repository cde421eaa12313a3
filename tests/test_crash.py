"""kill -9 in the middle of writes leaves a sound database and a valid audit chain. The writer
is a process of its own, forked from a pre-imported parent (tests/forked_programs.py)."""
import sqlite3
import time
from pathlib import Path

import pytest

from weicha_desktop.core.store import Store, verify_chain
from weicha_desktop.core.verify import verify

from tests.forked_programs import start
from tests.support import new_store

WRITER = r"""
import sys, itertools
from weicha_desktop.core.cases import CaseService
from weicha_desktop.core.forms import FormRegistry
from weicha_desktop.core.store import Store
from weicha_desktop.core.users import UserService
from weicha_desktop.resources import forms_dir

store = Store.open(sys.argv[1])
actor = UserService(store).authenticate("admin", "secret-123")
cases = CaseService(store, FormRegistry(forms_dir()), actor)
for i in itertools.count():
    case = cases.new_case()
    cases.update(case.id, {"remarks": "第%d次写入" % i + "。" * 2000})
    store.log_read(actor, "case.export", "case", None, "核查 %d" % i)
    if i == 0:
        print("ready", flush=True)  # one case whole: the kill then lands among the next ones
"""


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.1, 0.3, 0.5])  # tens to hundreds of writes in, each a different point
def test_kill_9_mid_write_leaves_database_and_chain_valid(tmp_path, delay):
    new_store(tmp_path).close()
    proc = start(WRITER, str(tmp_path))
    assert proc.readline().strip() == "ready", proc.output()
    time.sleep(delay)
    assert proc.kill() == -9
    conn = sqlite3.connect(tmp_path / "weicha.db")
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    with Store.open(tmp_path) as store:  # the lock died with the process
        assert list(verify_chain(store.conn)) == []
        assert verify(store).ok
        cases = store.db["cases"].count
        creates = store.conn.execute(
            "SELECT count(*) FROM audit_log WHERE action = 'case.create'").fetchone()[0]
        outbox = store.conn.execute(
            "SELECT count(*) FROM outbox WHERE op = 'case.create'").fetchone()[0]
        assert cases == creates == outbox > 0  # all three or none, for every case
