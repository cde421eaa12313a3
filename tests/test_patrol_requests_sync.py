"""巡逻 and 互动 records travel as every record does (issue 13): their ops — the record life,
a patrol's end and a request's handling steps (``patrol.end``, ``request.step``: registered,
never compacted) and the links of the records collected on a patrol — applied in order to an
empty store reproduce the device; a bundle keeps every step; a real server takes them as they
are, with no protocol change."""
from __future__ import annotations

import pytest

from weicha_desktop.core.collect import PersonService
from weicha_desktop.core.patrol import PatrolService
from weicha_desktop.core.requests import RequestService
from weicha_desktop.core.store.oplog import outbox_envelope
from weicha_desktop.core.sync.apply import apply_bundle, apply_ops
from weicha_desktop.core.sync.queue import OutboxQueue
from weicha_desktop.core.users import UserService
from weicha_desktop.core.verify import verify
from weicha_server import opcheck

from tests.sync_support import push_to_thread_server
from tests.outbox_support import outbox_rows
from tests.support import PASSWORD, ManualClock, forms, new_store
from tests.test_collect_sync import snapshot


@pytest.fixture(scope="module")
def device(tmp_path_factory):
    """A patrol (points, an observation, a person linked, ended, finalized, returned, approved
    after the correction) and two requests (one stepped to done, reopened, done, finalized and
    approved; one left in progress)."""
    clock = ManualClock()
    store = new_store(tmp_path_factory.mktemp("patrol") / "src", clock=clock)
    users = UserService(store)
    admin = users.authenticate("admin", PASSWORD)
    tech = users.add(admin, "王强", "technician", "tech-pass-1", badge_no="300001")
    boss = users.add(admin, "周建国", "supervisor", "boss-pass-1", badge_no="300002")
    patrols, boss_patrols = PatrolService(store, forms(), tech), PatrolService(store, forms(), boss)
    patrol = patrols.create({"area": "文峰路一带", "mode": "car"})
    patrols.add_points(patrol.id, [{"lat": 21.95, "lon": 108.62, "source": "typed"}])
    patrols.add_points(patrol.id, [{"lat": 21.96, "lon": 108.62, "source": "typed"}])
    person = PersonService(store, forms(), tech).create({"name": "黄丽", "gender": "female"})
    patrols.link(patrol.id, person.id, "路口盘查")
    clock.advance(3600)
    patrols.end(patrol.id)
    patrols.finalize(patrol.id)
    boss_patrols.review(patrol.id, approve=False, comment="补记发现情况")
    patrols.update(patrol.id, {"observations": [{"content": "路灯损坏两处"}]})
    patrols.finalize(patrol.id)
    boss_patrols.review(patrol.id, approve=True)
    requests = RequestService(store, forms(), tech)
    one = requests.create({"request_type": "alarm", "source": "phone", "content": "有人呼救",
                           "contact_phone": "13877712345"})
    requests.update(one.id, {"address": "文峰路 12 号"})
    requests.step(one.id, "in_progress", "已派员")
    requests.update(one.id, {"result": "老人摔倒"})
    requests.step(one.id, "done", "已送医")
    requests.reopen(one.id, "家属要求复核")
    requests.step(one.id, "done", "已复核")
    requests.finalize(one.id)
    RequestService(store, forms(), boss).review(one.id, approve=True)
    two = requests.create({"request_type": "opinion", "source": "online", "content": "路灯不亮"})
    requests.step(two.id, "in_progress", "已转市政")
    envelopes = [outbox_envelope(r) for r in outbox_rows(store)]
    yield store, envelopes, snapshot(store), tech
    store.close()


def test_the_ops_replayed_into_an_empty_store_reproduce_the_device(device, tmp_path):
    src, envelopes, before, _ = device
    result = verify(src)
    assert result.ok, result.faults  # the log says what the rows hold, step ops included
    names = [e["op"] for e in envelopes]
    for op in ("patrol.create", "patrol.draft", "patrol.end", "patrol.finalize", "patrol.review", "patrol.amend",
               "request.create", "request.draft", "request.step", "request.finalize", "request.review", "link.add"):
        assert op in names, op
    assert names.count("request.step") == 5
    assert [opcheck.problem(e) for e in envelopes] == [None] * len(envelopes)  # as the server judges them
    dst = new_store(tmp_path / "dst")
    report = apply_ops(dst, envelopes, forms())
    assert report.ok, report.message()
    assert snapshot(dst) == before
    assert apply_ops(dst, envelopes, forms()).applied == []  # twice = once
    there = RequestService(dst, forms(), UserService(dst).get("admin"))
    assert [r["handling"] for r in sorted(there.list(), key=lambda r: r["request_type"])] == ["done", "in_progress"]
    dst.close()


def test_a_bundle_compacts_the_drafts_but_keeps_every_step(device, tmp_path):
    src, envelopes, before, tech = device
    bundle = OutboxQueue(src, tech).export_bundle()
    carried = [op["op"] for op in bundle["ops"]]
    assert carried.count("request.step") == 5 and carried.count("patrol.end") == 1
    assert carried.count("patrol.draft") < [e["op"] for e in envelopes].count("patrol.draft")
    dst = new_store(tmp_path / "dst")
    assert apply_bundle(dst, bundle, forms()).ok
    assert snapshot(dst) == before
    dst.close()


def test_patrols_and_requests_are_pushed_to_a_server_unchanged(device, tmp_path):
    src, _, _, tech = device
    held, kinds, _ = push_to_thread_server(src, tech, tmp_path / "srv")
    for op in ("patrol.create", "patrol.end", "patrol.finalize", "patrol.review", "request.create",
               "request.step", "request.finalize", "request.review", "link.add"):
        assert op in held, op
    assert "rejected" not in held.values(), held
    assert kinds >= {"patrol", "request"}
