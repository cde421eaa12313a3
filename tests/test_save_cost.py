"""What a save writes is pinned (tests/data/save_rows.json): the rows of a fixed sequence of
changes — drafts (people unchanged, people changed), a refused draft (rolled back), a journalled
session, a finalize, an amendment and a draft of it — under a fixed clock and fixed ids. The
performance work on the write path (one read of the record per save, record_people written only
when they changed, the audit append's per-connection state) must leave every row byte for byte
as the code before it wrote them.

Regenerate (only with a reason, said in the commit): WEICHA_REGEN_SAVE_ROWS=1 pytest this file."""
from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

import pytest

from weicha_desktop.core import ids
from weicha_desktop.core.cases import CaseService
from weicha_desktop.core.demo import scene_values
from weicha_desktop.core.record_service import RecordService
from weicha_desktop.core.errors import NotFound, ValidationFailed
from weicha_desktop.core.store.audit import GENESIS, entry_hash
from weicha_desktop.core.users import UserService

from tests.support import PASSWORD, forms, new_store, raw_writes

FIXTURE = Path(__file__).parent / "data" / "save_rows.json"
TABLES = {"records": "id", "record_versions": "id", "record_people": "record_id, role, position",
          "cases": "id", "outbox": "device_seq"}


@pytest.fixture
def fixed_ids(monkeypatch):
    counter = iter(range(1, 10**6))
    monkeypatch.setattr(ids, "_uuid7", lambda: str(uuid.UUID(int=(0x0190 << 112) | next(counter))))


def _rows(conn, table: str, order: str) -> list[list]:
    return [list(r) for r in conn.execute(f"SELECT * FROM {table} ORDER BY {order}")]


def _audit(conn, after: int) -> list[list]:
    """The entries after ``after``: every column but the chain's links, which are checked here
    (the entries before them hold a random device key's fingerprint)."""
    cur = conn.execute("SELECT * FROM audit_log WHERE seq > ? ORDER BY seq", (after,))
    cols = [c[0] for c in cur.description]
    out, prev = [], None
    for row in cur.fetchall():
        values = dict(zip(cols, row))
        assert prev is None or values["prev_hash"] == prev
        assert entry_hash(values["prev_hash"], {**values, "details": json.loads(values["details"])}) == values["hash"]
        prev = values["hash"]
        out.append([values[c] for c in cols if c not in ("hash", "prev_hash")])
    return out


def _scenario(store, cases: CaseService) -> None:
    case = cases.new_case()
    values = {k: v for k, v in scene_values(3).items() if k != "case_number"}
    cases.update(case.id, values)
    cases.update(case.id, {"narrative_process": "第一次修改：现场勘验"})  # people unchanged
    cases.update(case.id, {"investigators": [*values["investigators"], {"name": "admin", "title": "技术员"}]})  # changed
    with pytest.raises(ValidationFailed):  # refused: rolled back, then a good change
        cases.update(case.id, {"started_at": "不是时间"})
    cases.update(case.id, {"narrative_process": "第二次修改"})
    cases.autosave(case.id, {"narrative_process": "会话中的修改", "recorder": "admin、李明"})
    cases.commit_session(case.id)
    cases.update(case.id, {"investigators": values["investigators"], "recorder": "黄志强"})
    cases.finalize(case.id)
    cases.amend(case.id, "地址有误")
    cases.update(case.id, {"narrative_process": "补正后的叙述"})
    cases.update(case.id, {"investigators": [{"name": "admin"}]})


def test_a_sequence_of_saves_writes_the_pinned_rows(tmp_path, fixed_ids):
    store = new_store(tmp_path / "data")
    store.anchor = None  # the checkpoint files are outside the rows compared (and cost fsyncs)
    try:
        admin = UserService(store).authenticate("admin", PASSWORD)
        start = store.conn.execute("SELECT max(seq) FROM audit_log").fetchone()[0]
        _scenario(store, CaseService(store, forms(), admin))
        got = {t: _rows(store.conn, t, order) for t, order in TABLES.items()}
        got["audit_log"] = _audit(store.conn, start)
    finally:
        store.close()
    got = json.loads(json.dumps(got, ensure_ascii=False))
    if os.environ.get("WEICHA_REGEN_SAVE_ROWS"):
        FIXTURE.write_text(json.dumps(got, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    expected = json.loads(FIXTURE.read_text(encoding="utf-8"))
    for table in expected:
        assert got[table] == expected[table], table
    assert got.keys() == expected.keys()


def test_a_save_reads_the_record_once_and_rewrites_people_only_when_they_changed(tmp_path, monkeypatch):
    from weicha_desktop.core import record_service

    store = new_store(tmp_path / "data")
    try:
        admin = UserService(store).authenticate("admin", PASSWORD)
        cases = CaseService(store, forms(), admin)
        case = cases.new_case({k: v for k, v in scene_values(3).items() if k != "case_number"})
        with raw_writes(store):
            store.conn.execute("CREATE TEMP TABLE people_writes (n)")
            store.conn.execute("CREATE TEMP TRIGGER people_deleted AFTER DELETE ON main.record_people "
                               "BEGIN INSERT INTO people_writes VALUES (1); END")
        reads = []
        real = record_service.read_record
        monkeypatch.setattr(record_service, "read_record", lambda *a: reads.append(a) or real(*a))
        saved = cases.update(case.id, {"narrative_process": "只改叙述"})
        assert len(reads) == 1 and saved == cases.get(case.id)
        assert store.conn.execute("SELECT count(*) FROM people_writes").fetchone()[0] == 0
        saved = cases.update(case.id, {"recorder": "admin"})
        assert saved == cases.get(case.id) and saved.data["recorder"] == "admin"
        assert store.conn.execute("SELECT count(*) FROM people_writes").fetchone()[0] > 0
        assert cases.get(saved.number) == saved and cases.get(saved.id, 1) == saved
        with pytest.raises(NotFound):
            cases.get(saved.id, 2)
        with pytest.raises(NotFound):
            RecordService(store, forms(), admin, kind="person").get(saved.id)  # a case is no person
        assert ("recorder", "admin") in {(r["role"], r["name"]) for r in store.pending_outbox()[-1]["payload"]["people"]}
    finally:
        store.close()
