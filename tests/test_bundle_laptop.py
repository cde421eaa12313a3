"""The laptop's USB bundle flows (core/bundle/): export, receipt, keys — against bundles a
test server key signs (the real server's round trip: tests/test_bundle_roundtrip.py)."""
from __future__ import annotations

import json

import pytest

from weicha_desktop.core.bundle import container as C
from weicha_desktop.core.bundle.export import export_ops, last_bundle_seq
from weicha_desktop.core.bundle.keys import fetch_if_missing, keep_keys, stored
from weicha_desktop.core.bundle.receipt import apply_receipt
from weicha_desktop.core.errors import WeichaError
from weicha_desktop.core.safe_output import OutputError
from weicha_desktop.core.sync.client import Refused
from weicha_desktop.core.sync.queue import OutboxQueue
from tests import bundle_support as B
from tests.server_support import closes_laptops, laptop  # noqa: F401 — the fixture closes them
from tests.support import run_cli


@pytest.fixture
def lt(tmp_path):
    lt = laptop(tmp_path / "lt")
    lt.new_case(1, drafts=2)
    return lt


@pytest.fixture
def config(lt):
    return B.enroll_offline_config(lt.store)


def _open(lt, path, staging):
    device = B.device_public(lt.store)
    return C.open_container(path, sender_key=lambda h: device, decrypt_with=B.keys().server_enc,
                            clock=lt.store.clock, staging_dir=staging, recipient=("server", B.SERVER_ID))


def _entries(lt, action):
    return [e for e in lt.store.audit_entries() if e.action == action]


def test_export_writes_the_outstanding_ops_audit_and_marks_them(lt, config, tmp_path):
    queue = OutboxQueue(lt.store, lt.actor)
    last = queue.sequence()[0]
    seen = []
    done = export_ops(lt.store, lt.actor, tmp_path / "a.wcb", config=config, progress=lambda d, t: seen.append(d))
    assert seen and done.bundle_seq == 1 and done.from_seq == 1 and done.through_seq == last
    assert queue.counts()["exported"] == done.ops > 0 and queue.counts()["pending"] == 0
    with _open(lt, done.path, tmp_path / "st") as got:
        m = got.manifest
        assert (m["device_id"], m["bundle_seq"], m["from_seq"], m["through_seq"], m["protocol"]) == \
            (lt.device_id, 1, 1, last, 1)
        ops = [json.loads(x) for x in got.entry_path("ops.jsonl").read_bytes().splitlines()]
        assert [o["device_seq"] for o in ops] == [o["device_seq"] for o in queue.outstanding()]
        assert "state" not in ops[0] and ops[0]["device_id"] == lt.device_id
        audit = [json.loads(x) for x in got.entry_path("audit.jsonl").read_bytes().splitlines()]
        assert audit[0]["seq"] == 1 and audit[-1]["action"] == "sync.export"  # since the (absent) anchor
        info = json.loads(got.entry_path("bundle.json").read_bytes())
        assert info["bundle_id"] == got.header.bundle_id == done.bundle_id and "ops" not in info
        assert got.header.expires_at > got.header.created_at
    entry = _entries(lt, "bundle.export")[-1]
    assert entry.object_id == done.bundle_id and entry.details["bundle_seq"] == 1
    again = export_ops(lt.store, lt.actor, tmp_path / "b.wcb", config=config)  # not acknowledged: carried again
    assert (again.bundle_seq, again.ops, again.from_seq) == (2, done.ops, 1)
    assert last_bundle_seq(lt.store, lt.device_id) == 2


def test_export_refuses_the_data_folder_and_the_live_database(lt, config):
    before = OutboxQueue(lt.store, lt.actor).counts()
    for target in (lt.store.data_dir / "x.wcb", lt.store.data_dir / "weicha.db"):
        with pytest.raises(OutputError):
            export_ops(lt.store, lt.actor, target, config=config)
    assert OutboxQueue(lt.store, lt.actor).counts() == before and not _entries(lt, "sync.export")


def test_export_needs_the_enrollment_and_the_keys(lt, tmp_path):
    from weicha_desktop.core.sync.enrollment import SyncConfig

    with pytest.raises(WeichaError, match="尚未登记"):
        export_ops(lt.store, lt.actor, tmp_path / "a.wcb", config=SyncConfig.of(lt.store))
    config = B.enroll_offline_config(lt.store, bundle_keys=False)
    with pytest.raises(WeichaError, match="weicha sync"):
        export_ops(lt.store, lt.actor, tmp_path / "a.wcb", config=config)
    assert list(tmp_path.glob("*.wcb")) == []


def test_export_cancelled_leaves_no_file_and_no_export_entry(lt, config, tmp_path):
    with pytest.raises(C.BundleError) as e:
        export_ops(lt.store, lt.actor, tmp_path / "a.wcb", config=config, cancel=lambda: True)
    assert e.value.code == "cancelled" and list(tmp_path.iterdir()) == [tmp_path / "lt"]
    assert not _entries(lt, "bundle.export") and last_bundle_seq(lt.store, lt.device_id) == 0


def test_nothing_to_export(lt, config, tmp_path):
    done = export_ops(lt.store, lt.actor, tmp_path / "a.wcb", config=config)
    apply_receipt(lt.store, lt.actor, B.receipt(tmp_path / "a.wcr", lt.device_id, done.bundle_id, done.through_seq,
                                                anchored=_head(lt)), config=config)
    assert export_ops(lt.store, lt.actor, tmp_path / "b.wcb", config=config) is None  # only bookkeeping left


def _head(lt):
    e = lt.store.audit_entries()[-1]
    return {"seq": e.seq, "hash": e.hash}


def test_receipt_acknowledges_as_a_push_answer(lt, config, tmp_path):
    queue = OutboxQueue(lt.store, lt.actor)
    done = export_ops(lt.store, lt.actor, tmp_path / "a.wcb", config=config)
    first = queue.outstanding()[0]
    no = {"op_id": first["op_id"], "status": 409, "error": "conflict", "message": "记录已被另一台设备修改"}
    head = _head(lt)
    r = apply_receipt(lt.store, lt.actor, B.receipt(tmp_path / "a.wcr", lt.device_id, done.bundle_id,
                                                    done.through_seq, rejected=[no], anchored=head), config=config)
    assert r.acknowledged == done.ops - 1 and len(r.rejected) == 1 and r.anchored == head
    assert queue.counts()["exported"] == 0 and queue.sequence()[1] == done.through_seq
    rejected = queue.rejected()[0]
    assert rejected["rejected_reason"] == "记录已被另一台设备修改（409 conflict）"  # as push.py keeps it
    entry = _entries(lt, "bundle.receipt")[-1]
    assert entry.object_id == r.bundle_id and entry.details["receipt_for"] == done.bundle_id
    row = lt.store.conn.execute("SELECT bundle_seq, receipt_id, receipt_through FROM bundle_exports WHERE bundle_id = ?",
                                (done.bundle_id,)).fetchone()
    assert row == (1, r.bundle_id, done.through_seq)
    again = apply_receipt(lt.store, lt.actor, tmp_path / "a.wcr", config=config)  # the same again: nothing
    assert again.acknowledged == 0 and again.rejected == [] and queue.counts()["rejected"] == 1


def test_an_older_receipt_changes_nothing(lt, config, tmp_path):
    done = export_ops(lt.store, lt.actor, tmp_path / "a.wcb", config=config)
    old = B.receipt(tmp_path / "old.wcr", lt.device_id, done.bundle_id, 1)
    apply_receipt(lt.store, lt.actor, B.receipt(tmp_path / "new.wcr", lt.device_id, done.bundle_id,
                                                done.through_seq), config=config)
    r = apply_receipt(lt.store, lt.actor, old, config=config)
    assert r.stale and r.acknowledged == 0 and OutboxQueue(lt.store, lt.actor).sequence()[1] == done.through_seq


def _refused(lt, config, path, code):
    queue = OutboxQueue(lt.store, lt.actor)
    before = (queue.counts(), queue.sequence())
    with pytest.raises(C.BundleError) as e:
        apply_receipt(lt.store, lt.actor, path, config=config)
    assert e.value.code == code, (e.value.code, str(e.value))
    assert (queue.counts(), queue.sequence()) == before
    refusal = _entries(lt, "bundle.refused")[-1]
    assert refusal.details["code"] == code and refusal.details["file"] == path.name
    return e.value


def test_receipts_refused(lt, config, tmp_path):
    done = export_ops(lt.store, lt.actor, tmp_path / "a.wcb", config=config)
    dev, bid, n = lt.device_id, done.bundle_id, done.through_seq
    other = tmp_path / "other.wcr"
    B.server_file(other, "receipt", "another-device", {"receipt.json": {}}, {})
    _refused(lt, config, other, "wrong_recipient")
    forged = tmp_path / "forged.wcr"
    B.server_file(forged, "receipt", dev, {"receipt.json": {"through_seq": n}}, {}, signer=B.keys().device)
    _refused(lt, config, forged, "bad_signature")
    elsewhere = tmp_path / "elsewhere.wcr"
    B.server_file(elsewhere, "receipt", dev, {"receipt.json": {}}, {}, sender_id="srv-other")
    assert "不是本机登记的服务器" in str(_refused(lt, config, elsewhere, "unknown_sender"))
    too_far = B.receipt(tmp_path / "far.wcr", dev, bid, n + 5)
    _refused(lt, config, too_far, "wrong_recipient")
    inner = B.receipt(tmp_path / "inner.wcr", dev, bid, n, device_id="another-device")
    _refused(lt, config, inner, "wrong_recipient")
    data = B.receipt(tmp_path / "t.wcr", dev, bid, n).read_bytes()
    flipped = tmp_path / "flipped.wcr"
    flipped.write_bytes(data[:-100] + bytes([data[-100] ^ 1]) + data[-99:])
    _refused(lt, config, flipped, "bad_signature")
    assert _entries(lt, "bundle.refused")[-1].object_id == C.peek_manifest(tmp_path / "t.wcr")[0].bundle_id
    ops_file = tmp_path / "a.wcb"
    _refused(lt, config, ops_file, "unknown_sender")  # a laptop's own bundle is no receipt


def test_a_receipt_naming_never_exported_ops_is_refused(lt, config, tmp_path):
    last = OutboxQueue(lt.store, lt.actor).sequence()[0]
    _refused(lt, config, B.receipt(tmp_path / "r.wcr", lt.device_id, "b", last), "wrong_recipient")


def test_keys_pinned_and_fetched_once(lt, tmp_path):
    config = B.enroll_offline_config(lt.store, bundle_keys=False)
    asked = []

    class Client:
        def bundle_keys(self):
            asked.append(1)
            return {"server_id": B.SERVER_ID, "bundle_keys": B.server_keys_b64()}
    assert fetch_if_missing(config, Client()) is not None and stored(config).as_dict() == B.server_keys_b64()
    assert fetch_if_missing(config, Client()) is None and asked == [1]  # kept: not asked again
    other = {**B.server_keys_b64(), "signing_public": B.server_keys_b64()["encryption_public"]}
    with pytest.raises(WeichaError, match="不同"):
        keep_keys(config, other)
    assert stored(config).as_dict() == B.server_keys_b64()
    with pytest.raises(WeichaError, match="无效"):
        keep_keys(config, {"signing_public": "AAAA", "encryption_public": "x"})

    class Old:
        def bundle_keys(self):
            raise Refused("没有", status=404, code="not_found")
    assert fetch_if_missing(B.enroll_offline_config(lt.store, bundle_keys=False), Old()) is None


def test_cli_export_and_receipt(lt, config, tmp_path):
    from weicha_desktop.core.store import Store

    data, device = lt.store.data_dir, lt.device_id
    through = OutboxQueue(lt.store, lt.actor).sequence()[0]
    lt.store.close()
    out = run_cli(data, "bundle", "export", "-o", str(tmp_path / "c.wcb"))
    assert out.returncode == 0 and "已导出数据包" in out.stdout, out.stderr
    with Store.open(data, readonly=True) as store:
        bid = [e for e in store.audit_entries() if e.action == "bundle.export"][-1].object_id
    out = run_cli(data, "bundle", "receipt", str(B.receipt(tmp_path / "c.wcr", device, bid, through)))
    assert out.returncode == 0 and "已导入回执" in out.stdout and f"确认到本机第 {through} 项" in out.stdout, out.stderr
    out = run_cli(data, "bundle", "export", "-o", str(data / "x.wcb"))
    assert out.returncode == 1 and "数据文件夹" in out.stderr and "Traceback" not in out.stderr
    out = run_cli(data, "bundle", "receipt", str(tmp_path / "c.wcb"))
    assert out.returncode == 1 and out.stderr.startswith("错误：") and "Traceback" not in out.stderr
    out = run_cli(data, "bundle", "export")
    assert out.returncode == 2
    out = run_cli(data, "verify")  # the export, receipt and refusals leave a folder verify finds whole
    assert out.returncode == 0, out.stdout + out.stderr


def test_a_receipt_with_an_audit_gap_makes_the_next_export_resend_from_the_servers_head(lt, config, tmp_path):
    done = export_ops(lt.store, lt.actor, tmp_path / "a.wcb", config=config)
    apply_receipt(lt.store, lt.actor, B.receipt(tmp_path / "a.wcr", lt.device_id, done.bundle_id, done.through_seq,
                                                anchored=_head(lt)), config=config)
    lt.new_case(2)
    restored = lt.store.audit_entries()[2]  # the server was put back to a backup anchored at entry 3
    gap = {"error": "audit_gap", "message": "工作日志应从第 4 条接续"}
    r = apply_receipt(lt.store, lt.actor, B.receipt(tmp_path / "b.wcr", lt.device_id, done.bundle_id,
                                                    done.through_seq, audit_error=gap,
                                                    anchored={"seq": restored.seq, "hash": restored.hash}),
                      config=config)
    assert any("第 4 条" in p for p in r.problems)
    nxt = export_ops(lt.store, lt.actor, tmp_path / "c.wcb", config=config)
    with _open(lt, nxt.path, tmp_path / "st") as got:
        first = json.loads(got.entry_path("audit.jsonl").read_bytes().splitlines()[0])
    assert first["seq"] == restored.seq + 1


def test_a_receipt_from_a_restored_server_queues_what_it_lost(lt, config, tmp_path):
    queue = OutboxQueue(lt.store, lt.actor)
    first = export_ops(lt.store, lt.actor, tmp_path / "a.wcb", config=config)
    apply_receipt(lt.store, lt.actor, B.receipt(tmp_path / "a.wcr", lt.device_id, first.bundle_id,
                                                first.through_seq), config=config)
    lt.new_case(2)
    second = export_ops(lt.store, lt.actor, tmp_path / "b.wcb", config=config)
    assert second.from_seq == first.through_seq + 1
    r = apply_receipt(lt.store, lt.actor, B.receipt(tmp_path / "b.wcr", lt.device_id, second.bundle_id, 2),
                      config=config)  # the server, put back to a backup, holds only 1-2
    assert r.stale and r.resent == first.through_seq - 2 and queue.sequence()[1] == 2
    third = export_ops(lt.store, lt.actor, tmp_path / "c.wcb", config=config)
    assert third.from_seq == 3 and third.through_seq == second.through_seq
    again = apply_receipt(lt.store, lt.actor, tmp_path / "a.wcr", config=config)  # written before b.wcr: nothing
    assert again.older and again.acknowledged == 0 and again.resent == 0 and queue.sequence()[1] == 2


def test_receipts_prune_acknowledged_ops_as_a_network_sync_does(lt, config, tmp_path):
    from datetime import timedelta

    from tests.support import fixed_clock

    queue = OutboxQueue(lt.store, lt.actor)
    a = export_ops(lt.store, lt.actor, tmp_path / "a.wcb", config=config)
    apply_receipt(lt.store, lt.actor, B.receipt(tmp_path / "a.wcr", lt.device_id, a.bundle_id, a.through_seq,
                                                anchored=_head(lt)), config=config)
    lt.new_case(2)
    b = export_ops(lt.store, lt.actor, tmp_path / "b.wcb", config=config)  # carries the acknowledgement
    head = _head(lt)
    r = apply_receipt(lt.store, lt.actor, B.receipt(tmp_path / "b.wcr", lt.device_id, b.bundle_id, b.through_seq,
                                                    anchored=head), config=config)
    assert r.pruned == 0 and queue.counts()["acknowledged"] == a.ops + b.ops  # not 7 days yet
    lt.store.clock._t += timedelta(days=8)  # the laptop's FixedClock, a week on
    later = fixed_clock(lt.store.clock.now())
    r = apply_receipt(lt.store, lt.actor, B.receipt(tmp_path / "c.wcr", lt.device_id, b.bundle_id, b.through_seq,
                                                    anchored=head, clock=later), config=config)
    assert r.pruned == a.ops  # those whose acknowledgement the server anchored, a week ago
    assert queue.counts()["acknowledged"] == b.ops and _entries(lt, "sync.prune")
