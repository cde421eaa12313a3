"""Check a record's data against its FormSpec: shapes, constraints, choices, required fields.

Messages name the field by its label (``见证人 第1行 身份证号：校验位不符（应为 X）``): each is
a ``core.messages.Msg`` — its Chinese text, which the window shows in its own language;
paths are ``witnesses[0].id_number``, ``scene_location.lat``.
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from weicha_desktop.core.clock import Clock
from weicha_desktop.core.errors import Problem, shorten
from weicha_desktop.core.messages import Msg, field_problem, unit_label

from .expr import compile_expr
from .expr_eval import is_empty
from .spec import OTHER_MAX_LENGTH, Field, FormSpec
from .identity import id_values
from .templates import blanks_in
from .validators import VALIDATORS

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?", re.ASCII)


def validate(spec: FormSpec, data: Any, complete: bool = False, *,
             clock: Clock | None = None) -> list[Problem]:
    """Every problem in ``data``; ``complete=True`` also reports required fields left empty.
    ``clock``: what "today" is (a birth date in the future); the store's, from a service."""
    if not isinstance(data, Mapping):
        return [Problem("", Msg("record.not_object"))]
    today = (clock or Clock()).now().date()
    return _check_fields(spec.all_fields(), data, data, "", None, complete, today)


def check_value(field: Field, value: Any, complete: bool = False, *,
                clock: Clock | None = None) -> list[Problem]:
    """Problems of one field's value on its own (used for defaults by ``forms check``)."""
    return _check_field(field, value, {}, field.id, None, complete, (clock or Clock()).now().date())


class _Name:
    """A field's name in a message (``见证人 第1行 身份证号``), made into its Msg only when a
    problem needs it (``name()``): a Msg renders its text when made, and a save checks every
    field of the form, nearly all of them without a problem (a scene draft: ~110 names, 0.4 ms)."""

    __slots__ = ("_make", "_msg")

    def __init__(self, make: Callable[[], Msg]):
        self._make, self._msg = make, None

    def __call__(self) -> Msg:
        if self._msg is None:
            self._msg = self._make()
        return self._msg


def _named(where: _Name | None, label: Any) -> _Name:
    """A field's name in a message: its label, after the person or row it is in (``where``)."""
    return _Name(lambda: Msg("name.field", label=label) if where is None else
                 Msg("name.sub", outer=where(), inner=label))


def _check_fields(fields, data: Mapping, env: Mapping, prefix: str, where: _Name | None,
                  complete: bool, today: date) -> list[Problem]:
    problems: list[Problem] = []
    for field in fields:
        value = data.get(field.id)
        other = field.other_key
        if is_empty(value) and not (complete and field.required) and (not other or data.get(other) is None):
            continue  # nothing to say of it, relevant or not (a new record: most fields)
        if field.relevant and not compile_expr(field.relevant).holds(env):
            continue
        problems += _check_field(field, value, env, prefix + field.id, where, complete, today)
        if other:
            problems += _check_other(field, value, data.get(other), prefix + other, where, complete)
    problems += _identity_consistency(fields, data, prefix, where, {p.path for p in problems},
                                      today)
    ids = {field.id for field in fields}
    unknown = [key for key in data if key not in ids]
    if unknown:  # the "其他" texts' keys (``<id>_other``) are known too: asked only when needed
        known = ids | {field.other_key for field in fields if field.other_key}
        problems += [Problem(prefix + shorten(key, 40),
                             _about(where, Msg("value.unknown_field", key=shorten(key))), "unknown")
                     for key in unknown if key not in known]
    return problems


def _about(name: _Name | None, what: Msg) -> Msg:
    return what if name is None else field_problem(name(), what)


def _check_field(field: Field, value: Any, env: Mapping, path: str, where: _Name | None,
                 complete: bool, today: date) -> list[Problem]:
    if is_empty(value):
        if complete and field.required:
            return [Problem(path, field_problem(_named(where, field.label)(), Msg("value.required")),
                            "required")]
        return []
    name = _named(where, field.label)
    if field.type == "person":
        return _check_person(field, value, env, path, name, complete, today)
    if field.type == "repeat":
        return _check_repeat(field, value, env, path, name, complete, today)
    if field.type == "geopoint":
        return _check_geopoint(value, path, name)
    message = (_SCALAR_CHECKS[field.type](field, value) if field.type in _SCALAR_CHECKS
               else _check_text(field, value, today))
    if message:
        return [Problem(path, field_problem(name(), message))]
    return _blank_problems(value, path, name) if complete and field.type in ("text", "textarea") else []


def _blank_problems(text: str, path: str, name: _Name) -> list[Problem]:
    """A finalize blocker for every blank ``____`` a narrative template left (or anyone
    typed) that is still there, quoting its surroundings so two blanks are told apart."""
    found = blanks_in(text)
    return [Problem(path, field_problem(name(), Msg("value.blank_n", i=i, where=where) if len(found) > 1
                                        else Msg("value.blank", where=where)), "blank")
            for i, (_start, _end, where) in enumerate(found, 1)]


def _check_other(field: Field, value: Any, other: Any, path: str, where: _Name | None,
                 complete: bool) -> list[Problem]:
    name = _named(where, field.label)
    chose_other = field.chose_other(value)
    if other is not None and not isinstance(other, str):
        return [Problem(path, field_problem(Msg("name.other", name=name()), Msg("value.not_text")))]
    wrong = _text_problem(other, OTHER_MAX_LENGTH) if other is not None else None
    if wrong:
        return [Problem(path, field_problem(Msg("name.other", name=name()), wrong))]
    if chose_other and complete and is_empty(other):
        return [Problem(path, field_problem(name(), Msg("value.other_required")), "required")]
    if not chose_other and not is_empty(other):
        return [Problem(path, field_problem(name(), Msg("value.other_unwanted")))]
    return []


def _check_person(field: Field, value: Any, env: Mapping, path: str, name: _Name,
                  complete: bool, today: date) -> list[Problem]:
    if not isinstance(value, Mapping):
        return [Problem(path, field_problem(name(), Msg("value.not_person")))]
    return _check_fields(field.fields, value, env, path + ".", name, complete, today)


def _identity_consistency(fields, data: Mapping, prefix: str, where: _Name | None,
                          bad_paths: set[str], today: date) -> list[Problem]:
    """In a person (or a person row), 出生日期 and 性别 must agree with a valid 身份证号."""
    ids = {f.id: f for f in fields}
    problems = []
    for key, expected in id_values(fields, data.get("id_number"), today).items():
        value = data.get(key)
        if not is_empty(value) and prefix + key not in bad_paths and value != expected:
            shown = next((c.label for c in ids[key].choices if c.value == expected), expected)
            problems.append(Problem(f"{prefix}{key}", field_problem(
                _named(where, ids[key].label)(), Msg("value.id_mismatch", expected=shown))))
    return problems


def _check_repeat(field: Field, rows: Any, env: Mapping, path: str, name: _Name,
                  complete: bool, today: date) -> list[Problem]:
    if not isinstance(rows, list):
        return [Problem(path, field_problem(name(), Msg("value.not_list")))]
    problems = []
    for i, row in enumerate(rows):
        row_path, row_name = f"{path}[{i}]", _Name(lambda n=i + 1: Msg("name.row", group=name(), n=n))
        if not isinstance(row, Mapping):
            problems.append(Problem(row_path, field_problem(row_name(), Msg("value.not_object"))))
            continue
        problems += _check_fields(field.fields, row, {**env, **row}, row_path + ".",
                                  row_name, complete, today)
    return problems


def _check_geopoint(value: Any, path: str, name: _Name) -> list[Problem]:
    if not isinstance(value, Mapping):
        return [Problem(path, field_problem(name(), Msg("value.not_geopoint")))]
    problems = [Problem(f"{path}.{shorten(key, 40)}",
                        field_problem(name(), Msg("value.unknown_field", key=shorten(key))), "unknown")
                for key in value if key not in ("lat", "lon", "alt")]
    for key, limit, required in (("lat", 90, True), ("lon", 180, True), ("alt", None, False)):
        number = value.get(key)
        part = _Name(lambda key=key: Msg("name.sub", outer=name(), inner=Msg(f"name.{key}")))
        if number is None:
            if required:
                problems.append(Problem(f"{path}.{key}", field_problem(part(), Msg("value.missing"))))
        elif not _is_number(number):
            problems.append(Problem(f"{path}.{key}", field_problem(part(), Msg("value.not_number"))))
        elif limit is not None and abs(number) > limit:
            problems.append(Problem(f"{path}.{key}",
                                    field_problem(part(), Msg("value.out_of_range", limit=limit))))
    return problems


def _is_number(value: Any) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value))


def _check_text(field: Field, value: Any, today: date) -> Msg | None:
    if not isinstance(value, str):
        return Msg("value.not_text")
    wrong = _text_problem(value, field.max_length)
    if wrong:
        return wrong
    c = field.constraint
    if c.minlength is not None and len(value) < c.minlength:
        return Msg("value.too_short", n=c.minlength)
    if c.regex is not None and not re.fullmatch(c.regex, value):
        return Msg("value.bad_format")
    return VALIDATORS[c.validator](value, today) if c.validator else None


def _text_problem(value: str, limit: int | None) -> Msg | None:
    """Too long (the form's maxlength, else the type's default), or not storable text."""
    if limit is not None and len(value) > limit:
        return Msg("value.too_long", limit=limit, n=len(value), start=shorten(value))
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return Msg("value.bad_chars")
    return None


def _check_number(field: Field, value: Any) -> Msg | None:
    if field.type == "integer" and not (isinstance(value, int) and not isinstance(value, bool)):
        return Msg("value.not_integer")
    if not _is_number(value):
        return Msg("value.not_number")
    c, unit = field.constraint, unit_label(field.unit)
    if c.min is not None and value < c.min:
        return Msg("value.below_min", min=f"{c.min:g}", unit=unit)
    if c.max is not None and value > c.max:
        return Msg("value.above_max", max=f"{c.max:g}", unit=unit)
    return None


def _check_date(_field: Field, value: Any) -> Msg | None:
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        return Msg("value.not_date")
    try:
        date.fromisoformat(value)
    except ValueError:
        return Msg("value.no_such_date", value=value)
    return None


def _check_datetime(_field: Field, value: Any) -> Msg | None:
    match = _DATETIME.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        return Msg("value.not_datetime")
    if match.group(1) is None:
        return Msg("value.no_offset")
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return Msg("value.no_such_datetime", value=value)
    return None


def _check_choice(field: Field, value: Any) -> Msg | None:
    if not isinstance(value, str):
        return Msg("value.not_choice")
    return None if value in field.choice_values else Msg("value.not_an_option", value=shorten(value))


def _check_multichoice(field: Field, value: Any) -> Msg | None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return Msg("value.not_choices")
    wrong = [v for v in value if v not in field.choice_values]
    if wrong:
        return Msg("value.not_an_option", value=shorten(wrong[0]))
    return Msg("value.repeated_option") if len(set(value)) != len(value) else None


def _check_boolean(_field: Field, value: Any) -> Msg | None:
    return None if isinstance(value, bool) else Msg("value.not_boolean")


def _check_photos(_field: Field, value: Any) -> Msg | None:
    if not isinstance(value, list) or not all(isinstance(v, str) and 0 < len(v) <= 64 for v in value):
        return Msg("value.not_photo_ids")
    return Msg("value.repeated_photo") if len(set(value)) != len(value) else None


_SCALAR_CHECKS = {  # text and textarea: _check_text, which also needs today's date
    "integer": _check_number,
    "decimal": _check_number,
    "date": _check_date,
    "datetime": _check_datetime,
    "choice": _check_choice,
    "multichoice": _check_multichoice,
    "boolean": _check_boolean,
    "photos": _check_photos,
}
