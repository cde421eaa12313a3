"""Demo data: realistic, deterministic per seed, through the one write path, and spread over
time so that 100,000 cases fit the device's monthly serial blocks (K…, H…)."""
from __future__ import annotations

import random
import time
from collections import Counter

from weicha_desktop.core.demo import CASES_PER_MONTH, fill_demo, timeline
from weicha_desktop.core.forms import FormRegistry
from weicha_desktop.core.numbering import MAX_SERIAL
from weicha_desktop.core.store import Store, verify_chain
from weicha_desktop.resources import forms_dir

from tests.support import migrated_folder

LIST = ("SELECT c.number, c.status, c.returned_comment, case_type, address, investigated_at, "
        "investigator, r.created_at, c.updated_at FROM cases c JOIN records r USING (id) ORDER BY c.number")


def made(folder, n: int, seed: int, batch: int) -> Store:
    store = Store.open(migrated_folder(folder))  # an empty folder, migrated: the demo sets it up
    fill_demo(store, FormRegistry(forms_dir()), cases=n, seed=seed, batch=batch)
    return store


def test_the_same_seed_makes_the_same_cases_whatever_the_batch(tmp_path):
    # 12 cases: two whole batches of 5 and a partial one, against a commit per change
    with made(tmp_path / "a", 12, seed=5, batch=5) as a, made(tmp_path / "b", 12, seed=5, batch=1) as b:
        assert a.conn.execute(LIST).fetchall() == b.conn.execute(LIST).fetchall()
        data = "SELECT data FROM record_versions ORDER BY created_at, version"
        assert a.conn.execute(data).fetchall() == b.conn.execute(data).fetchall()
        rows = a.conn.execute(LIST).fetchall()
    with made(tmp_path / "c", 12, seed=6, batch=5) as c:
        assert c.conn.execute(LIST).fetchall() != rows


def test_every_case_is_written_whole_and_the_story_keeps_its_dates(tmp_path):
    # 120 cases cover the same seven months and every state as 300 did, in three batches
    # (the last one partial)
    start = time.perf_counter()
    with made(tmp_path / "d", 120, seed=7, batch=50) as store:
        took = time.perf_counter() - start
        conn = store.conn
        assert conn.execute("SELECT count(*) FROM cases").fetchone()[0] == 120
        # each case: its versions, a create entry in the audit log and outbox operations
        assert conn.execute(
            "SELECT count(*) FROM cases c WHERE NOT EXISTS (SELECT 1 FROM record_versions v "
            "WHERE v.record_id = c.id) OR NOT EXISTS (SELECT 1 FROM audit_log a WHERE "
            "a.object_id = c.id AND a.action = 'case.create') OR NOT EXISTS (SELECT 1 FROM "
            "outbox o WHERE o.entity_id = c.id AND o.op = 'case.create')").fetchone()[0] == 0
        assert list(verify_chain(conn)) == []
        states = Counter(("returned" if r[2] else r[1]) for r in conn.execute(LIST))
        assert set(states) == {"draft", "returned", "finalized", "reviewed"}
        # a case is numbered in the month it was written, and written when it was investigated
        for number, created, investigated in conn.execute(
                "SELECT number, created_at, investigated_at FROM cases JOIN records USING (number)"):
            assert number[13:19] == created[:4] + created[5:7]
            assert investigated is None or investigated[:10] <= created[:10]
        stamps = [r[0] for r in conn.execute("SELECT at FROM audit_log ORDER BY seq")]
        assert stamps == sorted(stamps)  # the audit log reads as the story happened
    assert took < 30, f"120 demo cases took {took:.1f} s"


def test_a_hundred_thousand_cases_fit_the_monthly_serials():
    months = Counter((t.year, t.month) for t in timeline(100_000, random.Random(7)))  # (no strftime: 0.2 s)
    assert max(months.values()) < CASES_PER_MONTH * 1.2
    # H numbers: up to 3 evidence rows for 70 % of cases, on average 1.4 a case
    assert max(months.values()) * 1.4 * 1.2 < MAX_SERIAL
    assert len(timeline(200, random.Random(7))) == 200
