"""Case numbers across laptops (issue 11 leftovers): the server gives every enrolled device its
own block of the unit's monthly serials, the laptop adopts it in the enrollment's transaction,
numbers issued before enrolling stay, and the server refuses a finalized record whose number
collides or lies outside the device's block. A laptop restored from a backup made before its
enrollment enrolls again with the administrator's re-enrollment code. SQLite and PostgreSQL."""
from __future__ import annotations

import pytest

from weicha_desktop.core.errors import WeichaError
from weicha_desktop.core.numbering import parse_number
from weicha_desktop.core.sync.enrollment import SyncConfig, enroll
from weicha_desktop.core.sync.push import sync_once
from weicha_desktop.core.verify import open_for_verify, verify

from tests.server_support import BACKENDS, LIMITS, closes_laptops, laptop  # noqa: F401
from tests.shared_server_support import shared_server  # noqa: F401
from tests.support import tamper
from tests.sync_support import client, server_ops


SLOTS = str(LIMITS["number_slots"])  # the fixture server's blocks a unit's serials are split into
BLOCK = 9999 // LIMITS["number_slots"]


@pytest.fixture(scope="module", params=BACKENDS)
def server(request, shared_server):  # noqa: F811 — one per backend for the test process
    return shared_server(request.param)


def of_unit(path, unit):
    """A laptop whose unit (in its numbers too) is ``unit``: each test numbers in its own unit."""
    lt = laptop(path)
    set_meta(lt, unit_code=unit)
    return lt


def set_meta(lt, **values):
    """Meta written behind the program (a test's set-up)."""
    for key, value in values.items():
        tamper(lt.store.data_dir / "weicha.db", "UPDATE meta SET value = ? WHERE key = ?", value, key)


def enrolled(server, path, unit):
    lt = of_unit(path, unit)
    enroll(lt.store, server.url, server.code("勘验笔记本", unit), actor=lt.actor)
    return lt, SyncConfig.of(lt.store)


def push(lt, config):
    with client(config) as c:
        r = sync_once(lt.store, c, config=config)
    assert r.error is None, r.error
    return r


def serial(lt, case_id):
    return parse_number(lt.cases().get(case_id).number)[3]


def test_two_laptops_of_one_unit_get_blocks_of_their_own(server, tmp_path):
    a, a_cfg = enrolled(server, tmp_path / "a", "450702000011")
    b, b_cfg = enrolled(server, tmp_path / "b", "450702000011")  # both set up as slot 1 of 1
    plans = [(lt.store.meta("device_slot"), lt.store.meta("device_slots")) for lt in (a, b)]
    assert plans == [("1", SLOTS), ("2", SLOTS)]
    ca, cb = a.new_case(1, finalize=True), b.new_case(2, finalize=True)
    assert (serial(a, ca), serial(b, cb)) == (1, BLOCK + 1)  # before: both 0001
    assert not push(a, a_cfg).rejected and not push(b, b_cfg).rejected
    entry = a.store.conn.execute("SELECT details FROM audit_log WHERE action = 'sync.enroll'").fetchone()[0]
    assert '"first": 1' in entry and f'"last": {BLOCK}' in entry  # the block is in the enrollment's entry


def test_numbers_from_before_enrolling_stay_and_a_collision_is_refused(server, tmp_path):
    a = of_unit(tmp_path / "a", "450702000012")  # numbers two cases before it enrolls: 0001, 0002 of slot 1 of 1
    early = [a.new_case(1), a.new_case(2)]
    b, b_cfg = enrolled(server, tmp_path / "b", "450702000012")  # takes block 1
    taken = b.new_case(3, finalize=True)
    assert serial(b, taken) == 1 and not push(b, b_cfg).rejected
    enroll(a.store, server.url, server.code("笔记本", "450702000012"), actor=a.actor)
    a_cfg = SyncConfig.of(a.store)
    assert [serial(a, c) for c in early] == [1, 2]  # kept
    later = a.new_case(4)
    assert serial(a, later) == BLOCK + 1  # the assigned block 2
    for case in (*early, later):
        a.cases().finalize(case)
    got = push(a, a_cfg)
    assert [r["error"] for r in got.rejected] == ["number_taken"], got.rejected  # 0001: B's first
    assert got.rejected[0]["status"] == 409 and "已被本单位另一条记录使用" in got.rejected[0]["message"]
    statuses = [s for _, s in server_ops(server, a.device_id).values()]
    assert statuses.count("rejected") == 1  # 0002 (declared at enrollment) and 1000 applied


def test_a_number_outside_the_block_is_refused(server, tmp_path):
    a, cfg = enrolled(server, tmp_path / "a", "450702000013")
    enrolled(server, tmp_path / "b", "450702000013")
    b_first = of_unit(tmp_path / "c", "450702000013")  # a third laptop: block 3
    enroll(b_first.store, server.url, server.code("笔记本", "450702000013"), actor=b_first.actor)
    set_meta(b_first, device_slot="1", device_slots="2")  # numbering changed behind the program
    case = b_first.new_case(1, finalize=True)
    assert serial(b_first, case) == 1
    got = push(b_first, SyncConfig.of(b_first.store))
    assert [r["error"] for r in got.rejected] == ["number_outside_block"]
    assert f"{2 * BLOCK + 1:04d}–{3 * BLOCK:04d}" in got.rejected[0]["message"]
    assert not push(a, cfg).rejected


def restored(backup, path):
    """The backup restored into a new folder on "another computer" (no enrollment there)."""
    from weicha_desktop.core.restore import restore_backup

    from weicha_desktop.core.store import Store
    from weicha_desktop.core.users import UserService

    from tests.server_support import _OPEN, Laptop
    from tests.support import PASSWORD, fixed_clock

    restore_backup(backup, path, user="admin", password=PASSWORD)
    store = Store.open(path, clock=fixed_clock())
    _OPEN.append(store)
    config = SyncConfig.of(store)
    config.path.unlink(missing_ok=True)
    config.token_path.unlink(missing_ok=True)
    return Laptop(store, UserService(store).authenticate("admin", PASSWORD))


def test_a_laptop_restored_from_before_its_enrollment_enrolls_again(server, tmp_path):
    from weicha_desktop.core.backup import create_backup

    a = of_unit(tmp_path / "a", "450702000014")
    a.new_case(1, finalize=True)  # 0001, before enrolling
    create_backup(a.store, a.actor, tmp_path / "before.wcbak")
    enroll(a.store, server.url, server.code("笔记本", "450702000014"), actor=a.actor)
    second = a.new_case(2, finalize=True)
    assert serial(a, second) == 2
    push(a, SyncConfig.of(a.store))
    through = max(server_ops(server, a.device_id))

    worked = restored(tmp_path / "before.wcbak", tmp_path / "r1")  # worked on after the restore
    worked.new_case(3)
    with pytest.raises(WeichaError, match="--reenroll " + a.device_id):
        enroll(worked.store, server.url, server.code("笔记本", "450702000014"), actor=worked.actor)
    with pytest.raises(WeichaError, match="编号与服务器上的重复"):
        enroll(worked.store, server.url, server.code("笔记本", reenroll=a.device_id), actor=worked.actor)
    assert worked.store.meta("device_slots") == "1"  # nothing of the enrollment taken

    r = restored(tmp_path / "before.wcbak", tmp_path / "r2")  # enrolled again before any work
    enroll(r.store, server.url, server.code("笔记本", reenroll=a.device_id), actor=r.actor)
    assert (r.store.meta("device_slot"), r.store.meta("device_slots")) == ("1", SLOTS)
    third = r.new_case(3, finalize=True)
    assert serial(r, third) == 3  # after the server's 0002, which the backup does not hold
    got = push(r, SyncConfig.of(r.store))
    assert not got.rejected and got.audit_error is None, (got.rejected, got.audit_error)
    held = server_ops(server, a.device_id)
    assert max(held) > through and {s for _, s in held.values()} == {"applied"}
    assert r.store.conn.execute("SELECT count(*) FROM outbox WHERE state <> 'acknowledged'").fetchone()[0] == 0
    report = verify(open_for_verify(r.store.data_dir))
    assert report.ok, report.faults
