"""场所 (record kind ``place``, forms/collect_place.yaml): no natural key — places are
named by their id; the person in charge's 身份证号 and phone are normalized."""
from __future__ import annotations

from typing import Any

from weicha_desktop.core.forms.identity import normalize_id_number
from weicha_desktop.core.forms.phones import normalize_phone

from .service import CollectService


class PlaceService(CollectService):
    kind = "place"

    def normalize(self, values: dict[str, Any]) -> dict[str, Any]:
        out = dict(values)
        contact = out.get("contact")
        if isinstance(contact, dict):
            contact = dict(contact)
            if isinstance(contact.get("id_number"), str):
                contact["id_number"] = normalize_id_number(contact["id_number"]) or None
            if isinstance(contact.get("phone"), str):
                contact["phone"] = normalize_phone(contact["phone"]) or None
            out["contact"] = contact
        return out
