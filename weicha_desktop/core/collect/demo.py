"""采集's part of the demo (core/demo.py, ``fill_demo(collect=True)``; `weicha demo`): for a
demo case, its witness as a person record (from the 见证人 row: the same 身份证号) linked to
the case as 证人; for some cases a vehicle seen at the scene (plate, VIN with its check digit,
owner: the witness) linked as 涉案 and to its owner as 物主, and for some the scene as a place
linked as 发案地点. A witness or plate met before is the record already there (Duplicate):
linked again, not created twice. Everything goes through the services."""
from __future__ import annotations

import random
from typing import Any

from weicha_desktop.core.forms import FormRegistry
from weicha_desktop.core.forms.vins import vin_check_digit
from weicha_desktop.core.store import Actor, Store

from .links import LinkService
from .person import PersonService
from .place import PlaceService
from .service import CollectService, Duplicate
from .vehicle import VehicleService

WMIS = ("LSV", "LFV", "LGB", "LVS", "LSG", "LHG", "LBV", "LGW")  # makers' codes of Chinese VINs
BRANDS = ("大众朗逸", "丰田卡罗拉", "日产轩逸", "五菱宏光", "比亚迪秦", "本田雅阁", "吉利帝豪", "长城哈弗H6")
COLOURS = ("white", "black", "silver", "grey", "red", "blue")
VIN_BODY = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"


def demo_plate(rng: random.Random) -> str:
    if rng.random() < 0.2:  # a small new-energy plate
        return f"桂N{rng.choice('DF')}{rng.choice('0123456789ABCDEFGHJK')}{rng.randrange(10_000):04d}"
    serial = [str(rng.randrange(10)) for _ in range(5)]
    if rng.random() < 0.4:
        serial[rng.randrange(5)] = rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ")
    return "桂N" + "".join(serial)


def demo_vin(rng: random.Random) -> str:
    body = rng.choice(WMIS) + "".join(rng.choice(VIN_BODY) for _ in range(13))
    vin = body[:8] + "0" + body[8:16]
    return vin[:8] + vin_check_digit(vin) + vin[9:]


def _record(service: CollectService, values: dict[str, Any]) -> str:
    """The record made of ``values``, or the one that already has their key."""
    try:
        return service.create(values).id
    except Duplicate as e:
        return e.existing.id


def _review(store: Store, forms: FormRegistry, person_id: str, seed: str) -> None:
    """The demo supervisor reviews most finalized persons (so 审核 → 采集 holds some and the
    lists show every status): 6 in 10 approved, 1 in 10 returned with a comment. A stream of
    its own (the witness's number), so the records made after stay the same."""
    from weicha_desktop.core.users import UserService

    reviewer = next((u for u in UserService(store).list() if u.role == "supervisor"), None)
    draw = random.Random(seed).random()
    if reviewer is None or draw >= 0.7:
        return
    PersonService(store, forms, reviewer).review(
        person_id, approve=draw < 0.6, comment="符合要求" if draw < 0.6 else "现住址不详，请核实后补充")


def collect_for_case(store: Store, forms: FormRegistry, actor: Actor, case_id: str,
                     values: dict[str, Any], rng: random.Random) -> int:
    """The case's witness, and perhaps a vehicle and the place, as linked records; the
    number of links made."""
    witnesses = values.get("witnesses") or []
    if not witnesses:
        return 0
    links = LinkService(store, forms, actor)
    w = witnesses[0]
    people = PersonService(store, forms, actor)
    person = _record(people, {"name": w["name"], "id_number": w["id_number"], "phone": w.get("phone"),
                              "address": w.get("address"), "gender": w.get("gender")})
    if people.get(person).status == "draft" and rng.random() < 0.7:
        people.finalize(person)
        _review(store, forms, person, w["id_number"])
    made = [links.link(person, case_id, "witness", "现场见证人")]
    if rng.random() < 0.25:
        vehicles = VehicleService(store, forms, actor)
        car = _record(vehicles, {"plate": demo_plate(rng), "vin": demo_vin(rng), "vehicle_type": "small_car",
                                 "brand": rng.choice(BRANDS), "colour": rng.choice(COLOURS),
                                 "owner": {"name": w["name"], "id_number": w["id_number"]}})
        made.append(links.link(car, case_id, "involved", "案发时停放在现场附近"))
        if not links.linked(car, person, "owner"):
            made.append(links.link(car, person, "owner"))
    address = values.get("incident_address")
    if address and rng.random() < 0.2:
        name = address.removeprefix("钦州市钦南区")
        place = PlaceService(store, forms, actor).create({"name": name,
                                                          "place_type": "residence", "address": address})
        made.append(links.link(place.id, case_id, "location"))
    return len(made)
