"""人员 (record kind ``person``, forms/collect_person.yaml): 身份证号 normalized; a valid one
fills 性别, 出生日期 and 号码所示地区 (regions.py); another person with the same number is
offered instead of a second record (service.Duplicate)."""
from __future__ import annotations

from typing import Any

from weicha_desktop.core.errors import Problem, ValidationFailed
from weicha_desktop.core.forms import FormRegistry, FormSpec
from weicha_desktop.core.forms.identity import id_values, normalize_id_number
from weicha_desktop.core.forms.phones import normalize_phone
from weicha_desktop.core.forms.validators import id_card
from weicha_desktop.core.messages import Msg, field_problem
from weicha_desktop.core.store import Actor, Store

from .regions import RegionTable
from .service import CollectService

REGION = "id_region"


class PersonService(CollectService):
    kind = "person"
    keys = ("id_number",)
    duplicate_msg = "collect.duplicate_person"

    def __init__(self, store: Store, forms: FormRegistry, actor: Actor,
                 regions: RegionTable | None = None):
        super().__init__(store, forms, actor)
        self.regions = regions or RegionTable.of(forms)

    def normalize(self, values: dict[str, Any]) -> dict[str, Any]:
        out = dict(values)
        if isinstance(out.get("id_number"), str):
            out["id_number"] = normalize_id_number(out["id_number"]) or None
        if isinstance(out.get("phone"), str):
            out["phone"] = normalize_phone(out["phone"]) or None
        return out

    def _checked_input(self, spec: FormSpec, values: dict[str, Any]) -> dict[str, Any]:
        """Also refused: a date of birth after today (typed; one from a valid ID number never is)."""
        values = super()._checked_input(spec, values)
        born, today = values.get("birth_date"), self.store.clock.now().date().isoformat()
        if isinstance(born, str) and born > today:
            raise ValidationFailed([Problem("birth_date", field_problem(
                spec.field("birth_date").label, Msg("collect.future_birth", date=born)), "future")])
        return values

    def derive(self, spec: FormSpec, values: dict[str, Any]) -> dict[str, Any]:
        """A valid 身份证号 fills 性别, 出生日期 and the region; a number cleared or changed
        to one that is not valid clears the region (性别 and 出生日期 stay as typed)."""
        if "id_number" not in values:
            return values
        number, today = values["id_number"], self.store.clock.now().date()
        fields = [f for s in spec.sections for f in s.fields]
        out = {**values, **id_values(fields, number, today)}
        valid = isinstance(number, str) and id_card(number, today) is None
        out[REGION] = self.regions.region(number) if valid else None
        return out
