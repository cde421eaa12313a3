"""车辆 (record kind ``vehicle``, forms/collect_vehicle.yaml): 号牌 and 车辆识别代号 in their
stored spelling (core/forms/plates.py, vins.py), 号牌种类 filled from the plate, the owner's
身份证号 normalized; another vehicle with the same plate or VIN is offered instead."""
from __future__ import annotations

from typing import Any

from weicha_desktop.core.forms import FormSpec
from weicha_desktop.core.forms.identity import normalize_id_number
from weicha_desktop.core.forms.phones import normalize_phone
from weicha_desktop.core.forms.plates import normalize_plate, plate_kind
from weicha_desktop.core.forms.vins import normalize_vin
from weicha_desktop.core.records import Record

from . import lookup
from .service import CollectService


class VehicleService(CollectService):
    kind = "vehicle"
    keys = ("plate", "vin")
    duplicate_msg = "collect.duplicate_vehicle"

    def normalize(self, values: dict[str, Any]) -> dict[str, Any]:
        out = dict(values)
        for key, how in (("plate", normalize_plate), ("vin", normalize_vin)):
            if isinstance(out.get(key), str):
                out[key] = how(out[key]) or None
        owner = out.get("owner")
        if isinstance(owner, dict):
            owner = dict(owner)
            if isinstance(owner.get("id_number"), str):
                owner["id_number"] = normalize_id_number(owner["id_number"]) or None
            if isinstance(owner.get("phone"), str):
                owner["phone"] = normalize_phone(owner["phone"]) or None
            out["owner"] = owner
        return out

    def derive(self, spec: FormSpec, values: dict[str, Any]) -> dict[str, Any]:
        if "plate" not in values:
            return values
        return {**values, "plate_kind": plate_kind(values["plate"]) if values["plate"] else None}

    def owner_records(self, record: Record) -> list[str]:
        """The person records here with the owner's 身份证号 (the vehicle page shows them)."""
        owner = record.data.get("owner") or {}
        return lookup.person_by_id_number(self.store.conn, owner.get("id_number") or "")

    def related(self, record: Record) -> list[dict[str, Any]]:
        """Also the person records of its 车主 (by 身份证号)."""
        owners = [{**lookup.record_label(self.store.conn, rid), "field": "owner.id_number", "names": True}
                  for rid in self.owner_records(record)]
        return owners + super().related(record)
