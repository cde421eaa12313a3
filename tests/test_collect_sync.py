"""采集's records and links travel as every record does (issue 13): the ops of persons, vehicles,
places and links, applied in order to an empty store of the unit, reproduce the device's
records, versions, reviews and links (the replay test of tests/test_replay.py, for the new
kinds); a bundle compacts their drafts; and a real server takes each kind as it is — no
protocol change."""
from __future__ import annotations

import pytest

from weicha_desktop.core.cases import CaseService
from weicha_desktop.core.collect import LinkService, PersonService, PlaceService, VehicleService
from weicha_desktop.core.demo import scene_values
from weicha_desktop.core.store.oplog import outbox_envelope
from weicha_desktop.core.sync.apply import apply_bundle, apply_ops
from weicha_desktop.core.sync.queue import OutboxQueue
from weicha_desktop.core.users import UserService
from weicha_desktop.core.verify.links import check_links

from tests.sync_support import push_to_thread_server
from tests.outbox_support import outbox_rows
from tests.support import PASSWORD, forms, new_store
from tests.test_replay import snapshot as record_tables

KINDS = ("person", "vehicle", "place")


def snapshot(store) -> dict:
    cur = store.conn.execute("SELECT * FROM record_links ORDER BY id")
    links = [dict(zip([c[0] for c in cur.description], r)) for r in cur]
    return {**record_tables(store), "record_links": links}


@pytest.fixture(scope="module")
def device(tmp_path_factory):
    """A laptop's collect work: a person finalized, returned, corrected, approved and amended;
    a vehicle saved as a draft three times; a place; a case; four links, one removed."""
    store = new_store(tmp_path_factory.mktemp("collect") / "src")
    users = UserService(store)
    admin = users.authenticate("admin", PASSWORD)
    tech = users.add(admin, "王强", "technician", "tech-pass-1", badge_no="300001")
    boss = users.add(admin, "周建国", "supervisor", "boss-pass-1", badge_no="300002")
    people, boss_people = PersonService(store, forms(), tech), PersonService(store, forms(), boss)
    li = people.create({"name": "李明", "id_number": "11010519491231002X", "phone": "13877712345"})
    people.finalize(li.id)
    boss_people.review(li.id, approve=False, comment="补充现住址")
    people.update(li.id, {"address": "钦州市钦南区文峰路 12 号"})
    people.finalize(li.id)
    boss_people.review(li.id, approve=True)
    people.amend(li.id, "补充工作单位")
    people.update(li.id, {"workplace": "钦州港务公司"})
    vehicles = VehicleService(store, forms(), tech)
    car = vehicles.create({"plate": "桂N12345", "vehicle_type": "small_car"})
    vehicles.update(car.id, {"brand": "丰田卡罗拉"})
    vehicles.update(car.id, {"colour": "white", "owner": {"name": "李明", "id_number": "11010519491231002X"}})
    place = PlaceService(store, forms(), tech).create({"name": "文峰便利店", "place_type": "shop",
                                                        "address": "钦州市钦南区文峰路 10 号"})
    case = CaseService(store, forms(), tech).new_case(scene_values(1))
    links = LinkService(store, forms(), tech)
    links.link(li.id, case.id, "witness", "案发时在店内")
    links.link(car.id, li.id, "owner")
    links.link(place.id, case.id, "location")
    wrong = links.link(car.id, case.id, "involved")
    links.unlink(wrong["id"], "车辆与本案无关")
    envelopes = [outbox_envelope(r) for r in outbox_rows(store)]
    yield store, envelopes, snapshot(store), tech
    store.close()


def test_the_collect_ops_replayed_into_an_empty_store_reproduce_the_device(device, tmp_path):
    src, envelopes, before, _ = device
    assert {e["op"] for e in envelopes} >= {f"{k}.{v}" for k in KINDS for v in ("create",)} | {
        "person.draft", "person.finalize", "person.review", "person.amend", "vehicle.draft",
        "link.add", "link.remove"}
    assert {r["kind"] for r in before["records"]} == {"case", *KINDS} and len(before["record_links"]) == 4
    dst = new_store(tmp_path / "dst")
    report = apply_ops(dst, envelopes, forms())
    assert report.ok, report.message()
    assert snapshot(dst) == before
    again = apply_ops(dst, envelopes, forms())  # twice = once
    assert again.applied == [] and snapshot(dst) == before
    faults = []
    check_links(dst.conn, faults)
    assert faults == []  # links that arrived: accounted for by their ops (sync.apply entries)
    # found by its key there too, with its links
    there = PersonService(dst, forms(), UserService(dst).get("admin"))
    assert [x["role"] for x in LinkService(dst, forms(), there.actor).links_of(there.get("11010519491231002X").id)] \
        == ["witness", "owner"]
    dst.close()


def test_a_bundle_compacts_the_collect_drafts_and_applies(device, tmp_path):
    src, envelopes, before, tech = device
    bundle = OutboxQueue(src, tech).export_bundle()
    carried = [op["op"] for op in bundle["ops"]]
    assert carried.count("vehicle.draft") == 1 < [e["op"] for e in envelopes].count("vehicle.draft")
    dst = new_store(tmp_path / "dst")
    assert apply_bundle(dst, bundle, forms()).ok
    assert snapshot(dst) == before
    dst.close()


def test_a_removal_of_a_link_not_there_is_refused_and_stops_its_device(device, tmp_path):
    _, envelopes, _, _ = device
    removal = next(e for e in envelopes if e["op"] == "link.remove")
    dst = new_store(tmp_path / "dst")
    report = apply_ops(dst, [{**removal, "device_seq": 1}], forms())
    assert [s.kind for s in report.stops] == ["refused"] and "没有这一关联" in report.message()
    dst.close()


def test_each_kind_and_its_links_are_pushed_to_a_server_unchanged(device, tmp_path):
    src, envelopes, _, tech = device
    held, kinds, _ = push_to_thread_server(src, tech, tmp_path / "srv")
    for op in ("person.create", "person.finalize", "person.review", "person.amend", "vehicle.create",
               "place.create", "link.add", "link.remove"):
        assert op in held, op
    assert kinds == {"case", *KINDS}
