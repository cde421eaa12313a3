"""性别 and 出生日期 from a 居民身份证号: a person (or a row of people) whose valid ID number is
entered has its gender and birth date filled from it, never typed (见证人).

``id_values`` is what a valid number says, in the values the person's fields store (a code
``male``/``female`` in a form that stores codes, else 男/女); validate.py checks a record
against it (``与身份证号不符``), ``follow_id_numbers`` makes the values to be stored follow it
(RecordService: every create and update), the form fills them as the number is entered."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from .spec import Field, FormSpec
from .validators import id_birth_date, id_card, id_gender

ID_NUMBER, GENDER, BIRTH_DATE = "id_number", "gender", "birth_date"
_ID_SEPARATORS = re.compile(r"[\s\-‐–—_]+")


def normalize_id_number(text: str) -> str:
    """The stored spelling of an ID number as typed, pasted or scanned: NFKC (full-width
    digits → ASCII), no spaces or hyphens, ``x`` → ``X``. Never refuses (``id_card`` judges)."""
    if not isinstance(text, str):
        return ""
    return _ID_SEPARATORS.sub("", unicodedata.normalize("NFKC", text)).upper()


def follows_id(fields: Iterable[Field]) -> bool:
    """Whether a person with these sub-fields has values that follow its ID number."""
    ids = {f.id: f for f in fields}
    return (ID_NUMBER in ids and ids[ID_NUMBER].constraint.validator == "id_card"
            and (GENDER in ids or BIRTH_DATE in ids))


def id_values(fields: Iterable[Field], id_number: Any, today: date) -> dict[str, str]:
    """``{gender, birth_date}`` (those of the two the fields have) that a valid 18-digit
    ``id_number`` gives; {} for anything else (empty, invalid, a birth date after ``today``)."""
    fields = list(fields)
    if not follows_id(fields) or not isinstance(id_number, str) or id_card(id_number, today):
        return {}
    ids = {f.id: f for f in fields}
    out = {}
    if BIRTH_DATE in ids:
        out[BIRTH_DATE] = id_birth_date(id_number).isoformat()
    if GENDER in ids:  # the value this form stores for 男/女 (a code, or the word)
        word = id_gender(id_number)
        out[GENDER] = next((c.value for c in ids[GENDER].choices if c.label.zh == word), word)
    return out


def follow_person(fields: Iterable[Field], person: Any, today: date) -> Any:
    """``person`` (a mapping) with gender and birth date as its ID number says (a copy when
    something changed; anything else as it is)."""
    if not isinstance(person, Mapping):
        return person
    wanted = id_values(fields, person.get(ID_NUMBER), today)
    if all(person.get(k) == v for k, v in wanted.items()):
        return person
    return {**person, **wanted}


def follow_id_numbers(spec: FormSpec, values: Mapping[str, Any], today: date) -> dict[str, Any]:
    """``values`` (a record's data, or the top-level fields an update sets) with every person
    and every row of people whose ID number is valid carrying the gender and birth date it
    says. The caller's dicts and lists are not changed."""
    out = dict(values)
    for field in spec.all_fields():
        if field.id not in out or not follows_id(field.fields):
            continue
        value = out[field.id]
        if field.type == "person":
            out[field.id] = follow_person(field.fields, value, today)
        elif field.type == "repeat" and isinstance(value, list):
            out[field.id] = [follow_person(field.fields, row, today) for row in value]
    return out
