"""The desktop's sync client against a real server process, on SQLite and PostgreSQL (issue
11, slice S2; core/sync/push.py): enroll, push, acknowledge only what the server holds,
originals first with resumable uploads, the same batch twice, a revoked device, an upgrade
required, and the database replaced by an older copy caught by verify after a sync."""
from __future__ import annotations

import json
import os
import shutil
import signal
from datetime import timedelta

import pytest
import sqlalchemy as sa

from weicha_desktop.core.store import Store
from weicha_desktop.core.sync import client as client_module
from weicha_desktop.core.sync.anchoring import anchored_head
from weicha_desktop.core.sync.client import DeviceRevoked, ServerUnreachable, UpgradeRequired
from weicha_desktop.core.sync.push import sync_once
from weicha_desktop.core.sync.queue import OutboxQueue
from weicha_desktop.core.verify import open_for_verify, verify
from weicha_server.db import blobs, uploads

from tests.fault_proxy import Recording
from tests.media_support import make_photo
from tests.outbox_support import outbox_rows
from tests.server_support import BACKENDS, import_photos, server_cli
from tests.shared_server_support import shared_server  # noqa: F401
from tests.support import run_cli, tamper
from tests.sync_support import CHUNK, CutProxy, client, enrolled, noisy_photo
from tests.sync_support import server_ops as held


@pytest.fixture(scope="module", params=BACKENDS)
def server(request, shared_server):  # noqa: F811 — one per backend for the test process
    return shared_server(request.param)


def states(lt) -> dict[int, str]:
    return {r["device_seq"]: r["state"] for r in outbox_rows(lt.store)}


def synced(lt, config, url=None, transport=None, io_timeout=None, **kw):
    options = {k: v for k, v in (("transport", transport), ("io_timeout", io_timeout)) if v is not None}
    with client(config, url, **options) as c:
        return sync_once(lt.store, c, config=config, **kw)


def acks(lt) -> list[int]:
    return [e.details["through"] for e in lt.store.audit_entries(object_kind="device")
            if e.action == "sync.acknowledge"]


def test_enroll_push_acknowledge_and_anchor(server, tmp_path):
    lt, config = enrolled(server, tmp_path / "a")
    for seed in range(3):
        lt.new_case(seed, finalize=seed == 0, drafts=1)
    envs = lt.envelopes()
    r = synced(lt, config)
    assert r.ok, r.error
    assert (r.ops_sent, r.applied, r.acknowledged, r.rejected, r.waiting) == (len(envs), len(envs), len(envs), [], [])
    assert set(states(lt).values()) == {"acknowledged"}
    assert held(server, lt.device_id) == {e["device_seq"]: (e["op_id"], "applied") for e in envs}
    with client(config) as c:
        me = c.me()
    assert me["through_seq"] == len(envs)
    head = anchored_head(lt.store.conn)
    assert me["anchored"] == {"seq": head["seq"], "hash": head["hash"]} == r.anchored
    kept = config.require()
    assert kept.anchored["seq"] == head["seq"] and kept.anchored["folder_id"] == lt.store.meta("folder_id")
    assert kept.last_success_at and kept.last_error is None
    # nothing new but the sync's own log entries: nothing is pushed, nothing logged
    entries = lt.store.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    again = synced(lt, config)
    assert again.ok and again.batches == 0
    assert lt.store.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0] == entries
    assert again.pruned == 0 and len(outbox_rows(lt.store)) == len(envs)  # not anchored past yet
    lt.new_case(9)
    third = synced(lt, config, keep=timedelta(0))
    assert third.ok and third.pruned == len(envs)  # the anchor passed their acknowledgement
    assert [(r["device_seq"], r["state"]) for r in outbox_rows(lt.store)] == [(len(envs) + 1, "acknowledged")]
    assert verify(lt.store).ok  # the pruned ops are logged (sync.prune), not missing
    lt.store.close()


def test_originals_go_up_first_and_an_op_waiting_for_its_photo_is_applied_after(server, tmp_path):
    lt, config = enrolled(server, tmp_path / "a")
    case = lt.new_case(1)
    shas = import_photos(lt, case, [make_photo(tmp_path / f"p{i}.jpg", size=(40, 30), seed=i) for i in range(2)])
    lt.new_case(2)
    blob = lt.store.blobs_dir / shas[1][:2] / shas[1]
    hidden = tmp_path / "hidden"
    shutil.move(blob, hidden)  # the second original is not there for the first sync
    first = synced(lt, config)
    assert first.ok and first.photos_uploaded == 1 and any("找不到" in p for p in first.problems)
    [waiting] = first.waiting
    add = {r["op_id"]: r for r in outbox_rows(lt.store)}[waiting["op_id"]]
    assert add["op"] == "photo.add" and waiting["missing_blobs"] == [shas[1]]
    assert add["state"] == "exported"  # sent, held by the server as waiting: not acknowledged
    assert {s for q, s in states(lt).items() if q < add["device_seq"]} == {"acknowledged"}
    assert {s for q, s in states(lt).items() if q > add["device_seq"]} == {"exported"}
    assert held(server, lt.device_id)[add["device_seq"]][1] == "waiting"
    shutil.move(hidden, blob)
    second = synced(lt, config)
    assert second.ok and second.photos_uploaded == 1 and second.photo_bytes == blob.stat().st_size
    assert set(states(lt).values()) == {"acknowledged"}
    assert held(server, lt.device_id)[add["device_seq"]][1] == "applied"
    with server.engine().connect() as conn:
        assert set(conn.execute(sa.select(blobs.c.sha256)).scalars()) >= set(shas)
    lt.store.close()


def test_a_cut_upload_resumes_at_its_offset(server, tmp_path):
    lt, config = enrolled(server, tmp_path / "a")
    case = lt.new_case(1)
    [sha] = import_photos(lt, case, [noisy_photo(tmp_path / "big.png")])
    size = (lt.store.blobs_dir / sha[:2] / sha).stat().st_size
    assert size > 2 * CHUNK
    proxy = CutProxy(server.port, cut_after=CHUNK + 30_000)  # one chunk and part of the next
    try:
        cut = synced(lt, config, url=proxy.url, chunk_size=CHUNK)
    finally:
        proxy.close()
    assert isinstance(cut.error, ServerUnreachable) and "中断" in str(cut.error)
    assert cut.photo_bytes == CHUNK and cut.photos_uploaded == 0
    assert set(states(lt).values()) == {"pending"}  # nothing was pushed: nothing marked
    with server.engine().connect() as conn:
        assert conn.execute(sa.select(uploads.c.offset).where(uploads.c.sha256 == sha)).scalar() == CHUNK
    done = synced(lt, config, chunk_size=CHUNK)
    assert done.ok and done.resumed == [{"sha256": sha, "offset": CHUNK}]
    assert done.photo_bytes == size - CHUNK and done.photos_uploaded == 1  # not from zero
    assert set(states(lt).values()) == {"acknowledged"}
    with server.engine().connect() as conn:
        assert conn.execute(sa.select(blobs.c.size).where(blobs.c.sha256 == sha)).scalar() == size
    lt.store.close()


def test_an_op_written_while_a_batch_is_in_flight_is_not_acknowledged_with_it(server, tmp_path):
    lt, config = enrolled(server, tmp_path / "a")
    lt.new_case(1)
    lt.new_case(2)
    sent = max(states(lt))
    seen = {}

    def before(n):
        if n == 1:  # the batch is on its way: the user saves a new case meanwhile
            seen["late"] = lt.new_case(3)
        else:  # the next push: the first answer has been applied
            seen["then"] = (dict(states(lt)), OutboxQueue(lt.store, lt.actor).sequence()[1])

    r = synced(lt, config, transport=Recording(flight=before))
    assert r.ok and r.batches == 2
    then_states, then_through = seen["then"]
    assert then_through == sent  # the server's mark for the batch: the late op is not in it
    assert {q: s for q, s in then_states.items() if q > sent} == {sent + 1: "pending"}
    assert acks(lt) == [sent, sent + 1]  # the late op acknowledged by the push that carried it
    assert set(states(lt).values()) == {"acknowledged"}
    lt.store.close()


def test_the_same_batch_twice_applies_once(server, tmp_path):
    lt, config = enrolled(server, tmp_path / "a")
    for seed in range(3):
        lt.new_case(seed)
    envs = lt.envelopes()
    lost = synced(lt, config, transport=Recording(lose={1}))
    assert isinstance(lost.error, ServerUnreachable)
    assert set(states(lt).values()) == {"pending"} and acks(lt) == []
    assert held(server, lt.device_id) == {e["device_seq"]: (e["op_id"], "applied") for e in envs}
    again = synced(lt, config)
    assert again.ok and again.skipped == len(envs) and again.applied == 0
    assert again.acknowledged == len(envs) and set(states(lt).values()) == {"acknowledged"}
    assert held(server, lt.device_id) == {e["device_seq"]: (e["op_id"], "applied") for e in envs}
    lt.store.close()


def test_a_server_paused_past_the_timeout_then_resumed_applies_each_op_once(server, tmp_path):
    lt, config = enrolled(server, tmp_path / "a")
    for seed in range(2):
        lt.new_case(seed)
    envs = lt.envelopes()
    os.kill(server.proc.pid, signal.SIGSTOP)  # the server hangs: the push waits for an answer
    try:  # (stopped before the sync's first request: any timeout is past; 0.05 s is not waited long)
        paused = synced(lt, config, io_timeout=0.05)
    finally:
        os.kill(server.proc.pid, signal.SIGCONT)  # it goes on with what it had received
    assert isinstance(paused.error, ServerUnreachable) and "没有及时答复" in str(paused.error)
    assert set(states(lt).values()) == {"pending"}
    again = synced(lt, config)
    assert again.ok and again.acknowledged == len(envs) and set(states(lt).values()) == {"acknowledged"}
    assert held(server, lt.device_id) == {e["device_seq"]: (e["op_id"], "applied") for e in envs}
    lt.store.close()


def test_a_revoked_device_is_told_plainly_and_keeps_its_queue(server, tmp_path):
    lt, config = enrolled(server, tmp_path / "a")
    lt.new_case(1)
    assert synced(lt, config).ok
    lt.new_case(2)
    before = states(lt)
    revoked = server_cli(server.data_dir, "revoke-device", lt.device_id, db=server.db_url)
    assert revoked.code == 0, revoked.err
    r = synced(lt, config)
    assert isinstance(r.error, DeviceRevoked) and "停用" in str(r.error) and "保留" in str(r.error)
    assert states(lt) == before and "pending" in before.values()
    assert "停用" in config.require().last_error
    lt.store.close()
    cli = run_cli(lt.store.data_dir, "sync", "--once")
    assert cli.returncode == 1 and "本机已被管理员停用" in cli.stderr and "Traceback" not in cli.stderr


def test_upgrade_required_keeps_the_queue(server, tmp_path, monkeypatch):
    lt, config = enrolled(server, tmp_path / "a")
    lt.new_case(1)
    before = states(lt)
    monkeypatch.setattr(client_module, "PROTOCOL", 2)  # this laptop speaks a protocol the server does not
    r = synced(lt, config)
    assert isinstance(r.error, UpgradeRequired) and r.error.status == 426
    assert "升级" in str(r.error) and "保留" in str(r.error)
    assert states(lt) == before
    monkeypatch.undo()
    assert synced(lt, config).ok  # upgraded: the queue goes up as it was
    assert set(states(lt).values()) == {"acknowledged"}
    lt.store.close()


def test_verify_finds_the_database_replaced_by_an_older_copy_after_a_sync(server, tmp_path):
    lt, config = enrolled(server, tmp_path / "a")
    lt.new_case(1)
    assert synced(lt, config).ok
    data = lt.store.data_dir
    lt.store.close()
    older = tmp_path / "older.db"
    shutil.copyfile(data / "weicha.db", older)  # closed: no write-ahead log beside it
    store = Store.open(data)
    lt = type(lt)(store, lt.actor)
    lt.new_case(2)
    r = synced(lt, config)
    assert r.ok and r.anchored["seq"] > 0
    device = lt.device_id
    store.close()
    shutil.copyfile(older, data / "weicha.db")
    # the signed checkpoints of this computer would tell too: take them away, so the
    # server's anchor (kept outside the data folder) is what finds it
    for cp in (store.anchor.checkpoints_dir).glob(f"{device}*"):
        cp.unlink()
    with open_for_verify(data) as s:
        report = verify(s)
    assert not report.ok
    assert any(f.startswith("数据被回滚：本机同步登记") and f"第 {r.anchored['seq']} 条" in f for f in report.faults), \
        report.faults
    cli = run_cli(data, "verify")
    assert cli.returncode == 1 and "数据被回滚：本机同步登记" in cli.stderr


def test_verify_finds_the_stored_anchor_edited(server, tmp_path):
    lt, config = enrolled(server, tmp_path / "a")
    lt.new_case(1)
    assert synced(lt, config).ok
    head = anchored_head(lt.store.conn)
    data = lt.store.data_dir
    lt.store.close()
    tamper(data / "weicha.db", "UPDATE meta SET value = ? WHERE key = 'sync_anchor'",
           json.dumps({**head, "hash": "0" * 64}))
    with open_for_verify(data) as s:
        faults = verify(s).faults
    assert any("与工作日志中最后一次锚定" in f for f in faults) and any("工作日志被改写" in f for f in faults), faults
