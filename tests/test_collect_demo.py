"""`weicha demo` fills 采集 too (core/collect/demo.py): each demo case's witness is a person
record with the witness's ID number, linked to the case as 证人; some vehicles (valid plates
and VINs, owned by the witness) and places are linked; the cases are the ones the same seed
gives without them; a witness met again is linked again, not created twice."""
import random

from weicha_desktop.core.cases import CaseService
from weicha_desktop.core.collect import LinkService, PersonService, VehicleService
from weicha_desktop.core.collect.demo import collect_for_case
from weicha_desktop.core.demo import fill_demo, scene_values
from weicha_desktop.core.forms.plates import check_plate
from weicha_desktop.core.forms.vins import check_vin
from weicha_desktop.core.users import UserService
from weicha_desktop.core.verify import verify

from tests.support import forms, new_store


def cases_of(store):
    return store.conn.execute("SELECT r.number, r.status, v.data FROM records r JOIN record_versions v "
                              "ON v.record_id = r.id AND v.version = r.current_version "
                              "WHERE r.kind = 'case' ORDER BY r.number").fetchall()


def test_the_demo_links_witnesses_vehicles_and_places_to_its_cases(tmp_path):
    plain, full = new_store(tmp_path / "plain"), new_store(tmp_path / "full")
    fill_demo(plain, forms(), cases=8, seed=5, admin=UserService(plain).get("admin"), batch=8)
    summary = fill_demo(full, forms(), cases=8, seed=5, admin=UserService(full).get("admin"), batch=8,
                        collect=True)
    assert "项人员、车辆、场所与勘验的关联" in summary
    assert cases_of(full) == cases_of(plain)  # the same cases, whatever is collected beside them
    admin = UserService(full).get("admin")
    people, links = PersonService(full, forms(), admin), LinkService(full, forms(), admin)
    cases = CaseService(full, forms(), admin)
    for number, _status, _data in cases_of(full):
        case = cases.get(number)
        [w] = [x for x in links.links_of(case.id) if x["role"] == "witness"]
        if case.data.get("witnesses"):  # a draft may not list its witness yet
            assert people.get(w["record_id"]).data["id_number"] == case.data["witnesses"][0]["id_number"]
    vehicles = [VehicleService(full, forms(), admin).get(r["id"]) for r in
                VehicleService(full, forms(), admin).list()]
    assert vehicles and all(check_plate(v.data["plate"]) is None and check_vin(v.data["vin"]) is None
                            for v in vehicles)
    assert all(any(x["role"] == "owner" for x in links.links_of(v.id)) for v in vehicles)
    # the supervisor has reviewed some persons and returned one: 审核 → 采集 and the lists show each state
    states = {(r["status"], r["returned"]) for r in people.list(limit=1000)}
    assert {("finalized", False), ("reviewed", False), ("draft", True)} <= states, states
    assert verify(full).ok
    plain.close()
    full.close()


def test_a_witness_met_again_is_the_same_person_linked_again(tmp_path):
    store = new_store(tmp_path / "d")
    admin = UserService(store).get("admin")
    cases = CaseService(store, forms(), admin)
    values = scene_values(3)
    first, second = cases.new_case(), cases.new_case()
    rng = random.Random(1)
    collect_for_case(store, forms(), admin, first.id, values, rng)
    collect_for_case(store, forms(), admin, second.id, values, rng)
    [person] = PersonService(store, forms(), admin).list()
    linked = LinkService(store, forms(), admin).links_of(person["id"])
    assert sorted(x["target_id"] for x in linked if x["role"] == "witness") == sorted([first.id, second.id])
    store.close()
