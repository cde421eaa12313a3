"""Applying a device's ops in sequence order to an empty store reproduces that device's
records, versions, photo metadata, reviews, 必比 statuses and people (issue 9;
core/sync/apply.py). The device: `weicha demo --cases 30` (fill_demo) plus a photo import, a
description, a removal, a reorder, a restore, a working copy, a 必比 status change, a return,
a finalize with photos, an approval and an amendment. The target: a fresh folder of the same
unit, no demo; only the device's outbox envelopes cross."""
from __future__ import annotations

import json
import random

import pytest

from weicha_desktop.core.cases import MATCH, NO_MATCH, CaseService
from weicha_desktop.core.demo import DEMO_PASSWORD, fill_demo
from weicha_desktop.core.errors import AuthError, WeichaError
from weicha_desktop.core.photos import PhotoService
from weicha_desktop.core.store import Store
from weicha_desktop.core.store.oplog import outbox_envelope
from weicha_desktop.core.sync.apply import UNUSABLE_PASSWORD, apply_bundle, apply_ops
from weicha_desktop.core.sync.queue import OutboxQueue
from weicha_desktop.core.users import UserService

from tests.media_support import make_photo
from tests.outbox_support import outbox_rows
from tests.support import fixed_clock, forms, migrated_folder, new_store

# what a store holds of captured data, table → ORDER BY (every column is compared)
COMPARED = {"records": "id", "record_versions": "id", "cases": "id", "photos": "id",
            "reviews": "id", "record_people": "record_id, role, position"}


def snapshot(store: Store) -> dict[str, list[dict]]:
    out = {}
    for table, order in COMPARED.items():
        cur = store.conn.execute(f"SELECT * FROM {table} ORDER BY {order}")
        out[table] = [dict(zip([c[0] for c in cur.description], r)) for r in cur]
    out["evidence"] = evidence_status(store)
    return out


def evidence_status(store: Store) -> list[tuple]:
    """Every 痕迹物证 of every record's current version: (number, 必比 status, date, result)."""
    rows = store.conn.execute("SELECT v.data FROM records r JOIN record_versions v ON v.record_id = r.id "
                              "AND v.version = r.current_version ORDER BY r.id")
    return [(e.get("number"), e.get("comparison_status"), e.get("compared_on"), e.get("comparison_result"))
            for (data,) in rows for e in json.loads(data).get("evidence") or []]


def creator(store: Store, record_id: str):
    name = store.conn.execute("SELECT u.name FROM records r JOIN users u ON u.id = r.created_by "
                              "WHERE r.id = ?", (record_id,)).fetchone()[0]
    return UserService(store).get(name)


def with_status(store: Store, status: str) -> list[str]:
    return [r[0] for r in store.conn.execute(
        "SELECT r.id FROM records r JOIN cases c ON c.id = r.id WHERE r.status = ? AND "
        "c.address IS NOT NULL ORDER BY r.number", (status,))]


@pytest.fixture(scope="module")
def device(tmp_path_factory):
    """The device's folder after its work, and its outbox as envelopes (in sequence order)."""
    tmp = tmp_path_factory.mktemp("device")
    store = Store.open(migrated_folder(tmp / "src"), clock=fixed_clock())  # the demo sets it up
    fill_demo(store, forms(), cases=30)
    boss = UserService(store).get("周建国")
    finalized = with_status(store, "finalized")
    returned, approved, amended = finalized[:3]
    # a return: the case's creator corrects it — 必比 status, photos — and finalizes again
    CaseService(store, forms(), boss).review(returned, approve=False, comment="补充照片与比对结果")
    tech = creator(store, returned)
    cases, photos = CaseService(store, forms(), tech), PhotoService(store, tech, forms())
    item = cases.get(returned).data["evidence"][0]
    target = NO_MATCH if item.get("comparison_status") == MATCH else MATCH
    cases.set_evidence_status(returned, item["number"], target, "2026-11-25", "比中前科人员指纹")
    files = [make_photo(tmp / f"p{i}.jpg", size=(48, 32), seed=i) for i in range(4)]
    results = photos.import_files(returned, files[:3], workers=1)
    p1, p2, p3 = (r.photo_id for r in results)
    photos.update(p1, photo_class="方位", caption="现场方位")
    photos.update(p3, photo_class="重点部位", evidence_number=item["number"], caption="物证位置")
    photos.remove(p2, "重复拍摄")
    photos.reorder(returned, [p3, p1])
    again = photos.import_files(returned, [files[1], files[3]], workers=1)  # p2 back, and one more
    assert again[0].photo_id == p2
    photos.update(p2, photo_class="细目")
    photos.update(again[1].photo_id, photo_class="概貌")
    photos.derive(p1, [{"op": "rotate", "degrees": 90}])
    cases.finalize(returned)
    CaseService(store, forms(), boss).review(returned, approve=True, comment="符合要求")
    CaseService(store, forms(), boss).review(approved, approve=True, comment="符合要求")
    author = CaseService(store, forms(), creator(store, amended))
    author.amend(amended, "补充现场访问情况")
    author.update(amended, {"narrative_visit": "补充访问邻居二人。"})
    envelopes = [outbox_envelope(r) for r in outbox_rows(store)]
    before = snapshot(store)
    yield store, envelopes, before, returned
    store.close()


def target(path) -> Store:
    """A fresh folder of the same unit (its own admin and device), no demo."""
    return new_store(path)


def applied_rows(store: Store) -> int:
    return store.conn.execute("SELECT count(*) FROM applied_ops").fetchone()[0]


def test_the_outbox_applied_to_an_empty_store_reproduces_the_device(device, tmp_path):
    src, envelopes, before, returned = device
    assert len(before["records"]) == 30 and len(before["photos"]) == 5
    assert {r["decision"] for r in before["reviews"]} == {"approved", "returned"}
    assert [e["device_seq"] for e in envelopes] == list(range(1, len(envelopes) + 1))
    ops = {e["op"] for e in envelopes}
    assert {"case.create", "case.draft", "case.finalize", "case.amend", "case.review", "case.evidence",
            "photo.add", "photo.update", "photo.remove", "photo.restore", "photo.reorder"} <= ops
    dst = target(tmp_path / "dst")
    assert snapshot(dst)["records"] == []
    shuffled = random.Random(3).sample(envelopes, len(envelopes))  # any order given: seq order applied
    report = apply_ops(dst, shuffled, forms())
    assert report.ok, report.message()
    assert report.applied == [e["op_id"] for e in envelopes] and report.skipped == []
    assert report.marks == {src.meta("device_id"): len(envelopes)}
    after = snapshot(dst)
    for table in before:
        assert after[table] == before[table], table
    # the 必比 change and the finalized photo log arrived as such
    assert any(s[1] in (MATCH, NO_MATCH) and s[3] == "比中前科人员指纹" for s in after["evidence"])
    final = [v for v in after["record_versions"] if v["record_id"] == returned and v["manifest"]]
    assert len(json.loads(final[-1]["manifest"])) == 5 and final[-1]["content_hash"]
    # the people the ops named are users here who cannot log in
    known = {r[0]: r[1:] for r in dst.conn.execute("SELECT name, active, password_hash FROM users")}
    assert known["周建国"] == (0, UNUSABLE_PASSWORD)
    with pytest.raises(AuthError):
        UserService(dst).authenticate("周建国", DEMO_PASSWORD)
    dst.close()


def test_applying_the_same_ops_twice_changes_nothing(device, tmp_path):
    _, envelopes, before, _ = device
    dst = target(tmp_path / "dst")
    assert apply_ops(dst, envelopes, forms()).ok
    entries = dst.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    again = apply_ops(dst, envelopes, forms())
    assert again.ok and again.applied == [] and again.skipped == [e["op_id"] for e in envelopes]
    assert snapshot(dst) == before and applied_rows(dst) == len(envelopes)
    assert dst.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0] == entries  # nothing written
    dst.close()


def test_two_halves_equal_all_at_once(device, tmp_path):
    _, envelopes, before, _ = device
    dst = target(tmp_path / "dst")
    half = len(envelopes) // 2 + 1
    first = apply_ops(dst, envelopes[:half], forms())
    assert first.ok and len(first.applied) == half
    assert snapshot(dst) != before
    second = apply_ops(dst, envelopes[half - 3:], forms())  # overlapping: the overlap is skipped
    assert second.ok and len(second.skipped) == 3 and len(second.applied) == len(envelopes) - half
    assert snapshot(dst) == before
    dst.close()


def test_a_gap_is_refused_without_applying_past_it(device, tmp_path):
    src, envelopes, before, _ = device
    dst = target(tmp_path / "dst")
    missing = len(envelopes) - 20
    report = apply_ops(dst, [e for e in envelopes if e["device_seq"] != missing], forms())
    assert not report.ok and [s.kind for s in report.stops] == ["gap"]
    assert f"缺第 {missing} 项" in report.message() and "重新导出" in report.message()
    assert report.marks == {src.meta("device_id"): missing - 1}
    assert applied_rows(dst) == missing - 1
    later = {e["entity_id"] for e in envelopes[missing:]} - {e["entity_id"] for e in envelopes[:missing]}
    assert later and not dst.conn.execute(  # nothing of what came after the gap
        f"SELECT count(*) FROM records WHERE id IN ({', '.join('?' * len(later))})", list(later)).fetchone()[0]
    # the missing op arrives with the rest: everything applies
    assert apply_ops(dst, envelopes, forms()).ok and snapshot(dst) == before
    dst.close()


def test_a_bundle_with_compacted_drafts_applies_and_moves_the_mark_to_its_end(device, tmp_path):
    src, envelopes, before, _ = device
    dst = target(tmp_path / "dst")
    device_id = src.meta("device_id")
    bundle = {"format": "weicha-ops", "format_version": 1, "bundle_id": "b1", "device_id": device_id,
              "from_seq": 1, "through_seq": len(envelopes) + 2, "created_at": "2026-11-27T09:00:00+08:00",
              "ops": envelopes}
    report = apply_bundle(dst, bundle, forms())
    assert report.ok and report.marks == {device_id: len(envelopes) + 2}
    assert snapshot(dst) == before
    with pytest.raises(WeichaError, match="同步数据包"):
        apply_bundle(dst, {**bundle, "format": "zip"}, forms())
    dst.close()


def test_a_finalize_whose_content_was_changed_on_the_way_is_refused_and_stops_there(device, tmp_path):
    _, envelopes, _, _ = device
    dst = target(tmp_path / "dst")
    seq = next(e["device_seq"] for e in envelopes if e["op"] == "case.finalize")
    changed = [dict(e) for e in envelopes]
    bad = changed[seq - 1]
    bad["payload"] = {**bad["payload"], "data": {**bad["payload"]["data"], "scene_address": "别处"}}
    report = apply_ops(dst, changed, forms())
    assert [s.kind for s in report.stops] == ["refused"] and "内容哈希" in report.message()
    assert applied_rows(dst) == seq - 1
    version = bad["payload"]["version_id"]
    assert dst.conn.execute("SELECT finalized_at FROM record_versions WHERE id = ?", (version,)).fetchone() == (None,)
    # the same op id with other bytes after the real one was applied: a fork, refused
    assert apply_ops(dst, envelopes[:seq], forms()).ok
    fork = apply_ops(dst, [bad], forms())
    assert [s.kind for s in fork.stops] == ["fork"] and applied_rows(dst) == seq
    dst.close()


def test_ops_that_must_not_be_applied_are_refused(device, tmp_path):
    src, envelopes, _, _ = device
    dst = target(tmp_path / "dst")
    first = dict(envelopes[0])
    misspelt = {**first, "op": "csae.create", "entity_kind": "csae"}
    report = apply_ops(dst, [misspelt], forms())
    assert [s.kind for s in report.stops] == ["refused"] and "未登记" in report.message()
    newer = {**first, "payload_version": first["payload_version"] + 1}
    assert "不认识" in apply_ops(dst, [newer], forms()).message()
    assert applied_rows(dst) == 0
    # ops of a record (or its photos) whose create has not arrived here: refused, not half-applied
    for op, reason in (("case.review", "尚未建立"), ("photo.add", "所需的记录尚未到达")):
        early = {**next(e for e in envelopes if e["op"] == op), "device_seq": 1}
        assert reason in apply_ops(dst, [early], forms()).message()
    assert applied_rows(dst) == 0 and dst.conn.execute("SELECT count(*) FROM records").fetchone() == (0,)
    with pytest.raises(WeichaError, match="第 2 项不是完整的同步操作"):
        apply_ops(dst, [first, {k: v for k, v in first.items() if k != "device_seq"}], forms())
    assert applied_rows(dst) == 0
    # a device's own ops are never applied to itself
    own = apply_ops(src, envelopes[:1], forms())
    assert "本机自己写的" in own.message() and own.applied == []
    dst.close()


def test_the_status_bar_counts_exported_ops_not_yet_acknowledged(tmp_path):
    store = new_store(tmp_path / "d")
    admin = UserService(store).get("admin")
    cases = CaseService(store, forms(), admin)
    for _ in range(3):
        cases.new_case()
    queue = OutboxQueue(store, admin)
    assert store.pending_count() == 3
    bundle = queue.export_bundle(limit=2)
    assert queue.counts()["exported"] == 2 and store.pending_count() == 3  # still 待同步
    queue.acknowledge_through(bundle["through_seq"])
    assert store.pending_count() == 1
    store.close()
