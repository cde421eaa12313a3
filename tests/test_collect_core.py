"""采集 core (core/collect): persons, vehicles and places as record kinds — values normalized and
derived from their keys, duplicates offered, the life cycle, lists — and links to cases and
other records written through the one write path."""
import json
import sqlite3

import pytest

from weicha_desktop.core.cases import CaseService
from weicha_desktop.core.collect import (Duplicate, LinkService, PersonService, PlaceService,
                                         VehicleService)
from weicha_desktop.core.errors import FinalizeBlocked, NotFound, ValidationFailed, WeichaError
from weicha_desktop.core.forms.validators import id_check_char
from weicha_desktop.core.users import UserService
from weicha_desktop.core.verify import verify

from tests.support import PASSWORD, forms, new_store


def id_number(first17: str) -> str:
    return first17 + id_check_char(first17)


LI = id_number("45070219900307123")       # 钦州市钦南区, 1990-03-07, male (odd 17th digit)
WANG = id_number("45070219851111002")     # female
OLD_X = "11010519491231002X"              # GB 11643's example: 北京市朝阳区, female


@pytest.fixture
def env(tmp_path):
    store = new_store(tmp_path / "data")
    users = UserService(store)
    admin = users.authenticate("admin", PASSWORD)
    tech = users.add(admin, "王强", "technician", "tech-pass-1", badge_no="300001")
    boss = users.add(admin, "周建国", "supervisor", "boss-pass-1", badge_no="300002")
    yield store, tech, boss
    store.close()


def test_the_person_services_of_one_form_registry_share_its_region_table(env):
    """Made per case (the demo) or per page, they read the 3,700 lines of regions.tsv once."""
    from weicha_desktop.core.forms import FormRegistry
    from weicha_desktop.resources import forms_dir

    store, tech, boss = env
    first, second = PersonService(store, forms(), tech), PersonService(store, forms(), boss)
    assert first.regions is second.regions
    assert first.create({"name": "李四", "id_number": LI}).data["id_region"] == "广西壮族自治区钦州市钦南区"
    other = PersonService(store, FormRegistry(forms_dir()), tech).regions  # another registry: its own
    assert other is not first.regions and other.region(LI) == first.regions.region(LI)


def test_a_person_takes_gender_birth_date_and_region_from_the_id_number(env):
    store, tech, _ = env
    people = PersonService(store, forms(), tech)
    p = people.create({"name": "黄丽", "id_number": " 110105-19491231-002x ", "phone": "+86 138 7771 2345"})
    assert p.kind == "person" and p.number is None and p.status == "draft"
    assert p.data["id_number"] == OLD_X and p.data["phone"] == "13877712345"
    assert (p.data["gender"], p.data["birth_date"], p.data["id_region"]) == ("female", "1949-12-31", "北京市朝阳区")
    # another valid number: all three follow; typed gender is overruled by the number
    p = people.update(p.id, {"id_number": LI, "gender": "female"})
    assert (p.data["gender"], p.data["birth_date"], p.data["id_region"]) == ("male", "1990-03-07",
                                                                           "广西壮族自治区钦州市钦南区")
    with pytest.raises(ValidationFailed, match="校验位不符"):
        people.update(p.id, {"id_number": LI[:-1] + ("0" if LI[-1] != "0" else "1")})
    with pytest.raises(ValidationFailed, match="由系统填写"):
        people.update(p.id, {"id_region": "别处"})
    p = people.update(p.id, {"id_number": None})  # cleared: the region goes, gender stays typed
    assert p.data.get("id_region") is None and p.data["gender"] == "male"
    with pytest.raises(ValidationFailed, match="固定电话"):
        people.update(p.id, {"phone": "0777-12345"})
    assert people.update(p.id, {"phone": "0777-2821234"}).data["phone"] == "07772821234"
    with pytest.raises(ValidationFailed, match="出生日期：2099-01-01 晚于今天"):
        people.update(p.id, {"birth_date": "2099-01-01"})


def test_an_existing_id_number_or_plate_is_offered_not_duplicated(env):
    store, tech, _ = env
    people, vehicles = PersonService(store, forms(), tech), VehicleService(store, forms(), tech)
    first = people.create({"name": "李明", "id_number": LI})
    with pytest.raises(Duplicate) as caught:
        people.create({"name": "李明明", "id_number": LI.lower()})
    assert caught.value.existing.id == first.id and "已有身份证号为" in str(caught.value)
    assert store.conn.execute("SELECT count(*) FROM records WHERE kind = 'person'").fetchone() == (1,)
    other = people.create({"name": "李明（同号另建）", "id_number": LI}, force_new=True)
    assert other.id != first.id
    second = people.create({"name": "王芳", "id_number": WANG})
    with pytest.raises(Duplicate):  # an update to a number another record has
        people.update(second.id, {"id_number": LI})
    assert people.get(LI).id == first.id and people.get(WANG).id == second.id  # named by number
    car = vehicles.create({"plate": "桂N·D1234", "vin": "lsgpc52u6af102554", "vehicle_type": "small_car"})
    assert (car.data["plate"], car.data["plate_kind"], car.data["vin"]) == ("桂ND1234", "ordinary",
                                                                          "LSGPC52U6AF102554")
    for key in ({"plate": "桂n d1234"}, {"vin": "LSGPC52U6AF102554"}):
        with pytest.raises(Duplicate) as caught:
            vehicles.create({**key, "vehicle_type": "small_car"})
        assert caught.value.existing.id == car.id
    assert vehicles.get("桂N-D1234").id == car.id
    # the form's session (autosave journal, then one commit) is refused the same way, kept
    people.autosave(second.id, {"id_number": LI})
    with pytest.raises(Duplicate):
        people.commit_session(second.id)
    assert people.recovered(second.id).values == {"id_number": LI} and people.get(second.id).data["id_number"] == WANG
    with pytest.raises(NotFound):
        vehicles.get("桂N99999")


def test_a_vehicle_plate_sets_its_kind_and_names_its_owner(env):
    store, tech, _ = env
    owner = PersonService(store, forms(), tech).create({"name": "李明", "id_number": LI})
    vehicles = VehicleService(store, forms(), tech)
    car = vehicles.create({"plate": "粤BD12345", "vehicle_type": "small_car",
                           "owner": {"name": "李明", "id_number": LI.lower()}})
    assert car.data["plate_kind"] == "new_energy_small" and car.data["owner"]["id_number"] == LI
    assert vehicles.owner_records(car) == [owner.id]
    assert vehicles.update(car.id, {"plate": "粤A1234挂"}).data["plate_kind"] == "trailer"
    assert vehicles.update(car.id, {"plate": None}).data.get("plate_kind") is None
    with pytest.raises(ValidationFailed, match="新能源"):
        vehicles.update(car.id, {"plate": "粤BZ12345"})
    with pytest.raises(ValidationFailed, match="由系统填写"):
        vehicles.update(car.id, {"plate_kind": "police"})
    with pytest.raises(ValidationFailed, match="第9位校验位"):
        vehicles.update(car.id, {"vin": "LSGPC52U7AF102554"})


def test_collect_records_live_the_records_life_and_list(env):
    store, tech, boss = env
    places = PlaceService(store, forms(), tech)
    shop = places.create({"name": "文峰便利店", "place_type": "shop"})
    with pytest.raises(FinalizeBlocked, match="地址"):
        places.finalize(shop.id)
    places.update(shop.id, {"address": "钦州市钦南区文峰路 12 号", "location": {"lat": 21.95, "lon": 108.62}})
    done = places.finalize(shop.id)
    assert done.status == "finalized" and done.content_hash
    assert PlaceService(store, forms(), boss).review(shop.id, approve=True).status == "reviewed"
    actions = [e.action for e in store.audit_entries() if e.object_id == shop.id]
    assert actions == ["place.create", "place.update", "place.finalize", "place.approve"]
    ops = [r[0] for r in store.conn.execute("SELECT op FROM outbox WHERE entity_id = ? ORDER BY seq", (shop.id,))]
    assert ops == ["place.create", "place.draft", "place.finalize", "place.review"]
    hotel = places.create({"name": "海湾旅馆", "place_type": "hotel", "address": "钦州市钦南区滨海大道"})
    assert [r["name"] for r in places.list()] == ["海湾旅馆", "文峰便利店"]
    assert [r["id"] for r in places.list(text="旅馆")] == [hotel.id]
    assert [r["id"] for r in places.list(status="reviewed")] == [shop.id]
    assert places.list(text="%") == [] and places.list(text="_") == []  # LIKE's wildcards are text
    back = places.create({"name": "三娘湾码头", "place_type": "other", "address": "钦州市钦南区犀牛脚镇"})
    places.finalize(back.id)
    PlaceService(store, forms(), boss).review(back.id, approve=False, comment="补坐标")
    places.update(hotel.id, {"notes": "24 小时营业"})  # changed after the return: still below it
    assert [r["name"] for r in places.list()][:2] == ["三娘湾码头", "海湾旅馆"]
    assert [r["id"] for r in places.list(status="returned")] == [back.id]
    assert store.conn.execute("SELECT count(*) FROM cases").fetchone() == (0,)  # not in the case list
    assert verify(store).ok


def test_links_to_a_case_are_a_relation_with_ops_and_a_page_lists_them(env):
    store, tech, boss = env
    people, vehicles = PersonService(store, forms(), tech), VehicleService(store, forms(), tech)
    li = people.create({"name": "李明", "id_number": LI, "gender": "male"})
    done = people.finalize(li.id)
    car = vehicles.create({"plate": "桂N12345", "vehicle_type": "small_car"})
    case = CaseService(store, forms(), tech).new_case()
    links = LinkService(store, forms(), tech)
    witness = links.link(LI, case.number, "witness", "在店内目击")  # a finalized person: linkable
    links.link("桂N12345", LI, "owner")
    links.link(car.id, case.id, "involved")
    assert people.get(li.id).content_hash == done.content_hash  # the record itself is unchanged
    page = links.links_of(li.id)
    assert [(x["role_label"], x["side"], x["other"]["kind"]) for x in page] == [
        ("证人", "record", "case"), ("物主", "target", "vehicle")]
    assert page[0]["other"]["number"] == case.number and page[1]["other"]["label"] == "桂N12345"
    assert [x["other"]["number"] for x in links.links_of(case.id)] == [None, None]
    for bad, fragment in (((LI, case.number, "witness"), "无需重复"), ((LI, LI, "other"), "自身"),
                          ((LI, case.number, "boss"), "不可用"), ((case.number, LI, "other"), "不是人员"),
                          ((LI, "K000", "witness"), "找不到记录")):
        with pytest.raises(WeichaError, match=fragment):
            links.link(*bad)
    with pytest.raises(WeichaError, match="原因"):
        links.unlink(witness["id"], " ")
    gone = LinkService(store, forms(), boss).unlink(witness["id"], "误关联")
    assert gone["removed_reason"] == "误关联" and [x["role"] for x in links.links_of(li.id)] == ["owner"]
    assert len(links.links_of(li.id, removed=True)) == 2
    with pytest.raises(WeichaError, match="已于"):
        links.unlink(witness["id"], "再次")
    entries = [e for e in store.audit_entries() if e.object_kind == "link"]
    assert [e.action for e in entries] == ["link.add"] * 3 + ["link.remove"]
    assert "关联人员 李明" in entries[0].summary and "（证人）" in entries[0].summary
    rows = store.conn.execute("SELECT op, payload FROM outbox WHERE entity_kind = 'link' ORDER BY seq").fetchall()
    assert [r[0] for r in rows] == ["link.add"] * 3 + ["link.remove"]
    assert json.loads(rows[0][1])["role"] == "witness" and json.loads(rows[3][1])["removed_reason"] == "误关联"
    assert verify(store).ok


def test_a_link_row_is_only_ever_removed_not_changed_or_deleted(env):
    store, tech, _ = env
    li = PersonService(store, forms(), tech).create({"name": "李明", "id_number": LI})
    case = CaseService(store, forms(), tech).new_case()
    link = LinkService(store, forms(), tech).link(li.id, case.id, "witness")
    raw = sqlite3.connect(store.data_dir / "weicha.db")  # around the program: the triggers hold
    with pytest.raises(sqlite3.IntegrityError, match="只能取消"):
        raw.execute("UPDATE record_links SET role = 'suspect' WHERE id = ?", (link["id"],))
    with pytest.raises(sqlite3.IntegrityError, match="不能删除"):
        raw.execute("DELETE FROM record_links WHERE id = ?", (link["id"],))
    raw.close()


def test_the_key_lookups_use_their_indexes(env):
    store, tech, _ = env
    from weicha_desktop.core.collect import lookup

    for kind, field in sorted(lookup.KEYS):
        plan = " ".join(str(r[-1]) for r in store.conn.execute(
            "EXPLAIN QUERY PLAN " + lookup.key_sql(kind, field), ("x",)))
        assert f"USING INDEX record_versions_{kind}_{field}" in plan, plan


def test_the_list_walks_its_indexes_newest_first(env):
    store, _, _ = env
    from weicha_desktop.core.collect import lookup

    plans = []
    store.conn.set_trace_callback(lambda sql: plans.append(sql) if sql.startswith("SELECT r.id, r.status") else None)
    lookup.list_records(store.conn, "person", limit=5)
    store.conn.set_trace_callback(None)
    assert len(plans) == 2
    for sql in plans:
        plan = " ".join(str(r[-1]) for r in store.conn.execute("EXPLAIN QUERY PLAN " + sql.replace("LIMIT 5", "LIMIT 5")))
        assert "USING INDEX records_returned" in plan or "USING INDEX records_kind" in plan, plan
        assert "SCAN v" not in plan, plan


def test_a_person_page_lists_the_records_that_name_its_id_number(env):
    store, tech, _ = env
    from weicha_desktop.core.demo import scene_values

    values = scene_values(2)
    values["witnesses"][0].update(id_number=LI, name="李明")
    case = CaseService(store, forms(), tech).new_case(values)
    li = PersonService(store, forms(), tech).create({"name": "李明", "id_number": LI})
    car = VehicleService(store, forms(), tech).create({"plate": "桂N12345", "vehicle_type": "small_car",
                                                      "owner": {"name": "李明", "id_number": LI}})
    found = PersonService(store, forms(), tech).mentions(li)
    assert [(m["id"], m["field"]) for m in found] == [(case.id, "witnesses[0].id_number"),
                                                      (car.id, "owner.id_number")]
    assert VehicleService(store, forms(), tech).mentions(car) == []  # its own plate is not a mention
    [owner] = VehicleService(store, forms(), tech).related(car)  # its owner's person record
    assert (owner["id"], owner["names"], owner["field"]) == (li.id, True, "owner.id_number")


def test_messages_and_the_work_log_name_a_record_without_a_number_by_its_key(env):
    store, tech, _ = env
    from weicha_desktop.core.errors import InvalidState

    people = PersonService(store, forms(), tech)
    li = people.create({"name": "李明", "id_number": LI, "gender": "male"})
    people.update(li.id, {"phone": "13877712345"})
    people.finalize(li.id)
    with pytest.raises(InvalidState, match=f"人员信息 李明 {LI} 第 1 版已定稿"):
        people.update(li.id, {"phone": "13977712345"})
    summaries = [e.summary for e in store.audit_entries() if e.object_id == li.id]
    assert summaries[1:] == [f"修改人员信息 李明 {LI}：电话", f"定稿人员信息 李明 {LI} 第 1 版"]
    assert not any("None" in s for s in summaries)
