"""The audit append keeps per connection what it would otherwise ask on every change (the
audit columns, the folder's own device: core/store/audit.py ``_known``). Nothing it keeps may
outlive a rollback, and the chain's head is never kept: an entry appended by another connection
is chained from, a rolled-back entry is not."""
from __future__ import annotations

import sqlite3

import pytest

from weicha_desktop.core.setup import initialize
from weicha_desktop.core.store import SYSTEM, Store
from weicha_desktop.core.store import audit
from weicha_desktop.core.verify import verify

from tests.support import PASSWORD, UNIT, fixed_clock, migrated_folder, new_store


def _faults(store) -> list:
    return list(audit.verify_chain(store.conn))


class _FailOnce:
    """Once armed, the next audit append writes its entry, then fails (as a commit can: a
    full disk), so the change is rolled back after the entry was made (``made``)."""

    def __init__(self, real):
        self.real, self.armed, self.made = real, False, None

    def __call__(self, conn, fields):
        entry = self.real(conn, fields)
        if self.armed:
            self.armed, self.made = False, entry
            raise RuntimeError("失败")
        return entry


@pytest.fixture
def fails_once_appended(monkeypatch):
    fail = _FailOnce(audit.append)
    monkeypatch.setattr(audit, "append", fail)
    return fail


def test_a_rolled_back_change_then_a_good_one_chain_from_the_committed_head(tmp_path, fails_once_appended):
    store = new_store(tmp_path / "data")
    try:
        head = store.audit_entries()[-1]
        fails_once_appended.armed = True
        with pytest.raises(RuntimeError):
            with store.change(SYSTEM) as ch:
                ch.log("access.denied", "case", "x", "回滚的一条")
        assert fails_once_appended.made.seq == head.seq + 1  # made, then rolled back
        assert store.audit_entries()[-1] == head
        store.log_read(SYSTEM, "access.denied", "case", "x", "之后的一条")
        entry = store.audit_entries()[-1]
        assert (entry.seq, entry.prev_hash) == (head.seq + 1, head.hash)
        assert entry.device_id == store.meta("device_id") and _faults(store) == []
        # an entry another connection appended is the head the next change chains from
        other = sqlite3.connect(tmp_path / "data" / "weicha.db", isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        theirs = audit.append(other, {"id": "other-1", "at": entry.at, "user_id": None, "user_name": "system",
                                      "action": "access.denied", "object_kind": "case", "object_id": "x",
                                      "summary": "另一连接", "details": {}})
        other.execute("COMMIT")
        other.close()
        store.log_read(SYSTEM, "access.denied", "case", "x", "再一条")
        last = store.audit_entries()[-1]
        assert (last.seq, last.prev_hash) == (theirs.seq + 1, theirs.hash) and _faults(store) == []
    finally:
        store.close()


def test_a_rolled_back_device_is_not_the_device_of_later_entries(tmp_path, fails_once_appended):
    """A change that made a device row and logged, then failed (as an init that fails late
    would), leaves nothing kept: the folder's real device names the entries after it."""
    store = Store.open(migrated_folder(tmp_path / "data"), clock=fixed_clock())
    try:
        fails_once_appended.armed = True
        with pytest.raises(RuntimeError):
            with store.change(SYSTEM) as ch:
                ch.conn.execute("INSERT INTO devices (id, name, created_at, this_device) "
                                "VALUES ('rolled-back', 'x', ?, 1)", (ch.now,))
                ch.log("access.denied", "case", "x", "回滚")
        assert fails_once_appended.made.device_id == "rolled-back"
        initialize(store, unit_code=UNIT, unit_name="测试单位", admin_name="admin",
                   admin_password=PASSWORD, admin_badge="100001")
        device = store.meta("device_id")
        assert device != "rolled-back"
        assert [e.device_id for e in store.audit_entries()] == [device] * len(store.audit_entries())
        assert verify(store).ok
    finally:
        store.close()
