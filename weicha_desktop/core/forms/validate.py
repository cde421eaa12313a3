"""Check a record's data against its FormSpec: shapes, constraints, choices, required fields.

Messages name the field by its Chinese label (``见证人 第1行 身份证号：校验位不符（应为 X）``);
paths are ``witnesses[0].id_number``, ``scene_location.lat``.
"""
from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from weicha_desktop.core.clock import Clock
from weicha_desktop.core.errors import Problem, shorten

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
        return [Problem("", "记录须为 JSON 对象")]
    today = (clock or Clock()).now().date()
    return _check_fields(spec.all_fields(), data, data, "", "", complete, today)


def check_value(field: Field, value: Any, complete: bool = False, *,
                clock: Clock | None = None) -> list[Problem]:
    """Problems of one field's value on its own (used for defaults by ``forms check``)."""
    return _check_field(field, value, {}, field.id, "", complete, (clock or Clock()).now().date())


def _check_fields(fields, data: Mapping, env: Mapping, prefix: str, where: str,
                  complete: bool, today: date) -> list[Problem]:
    problems: list[Problem] = []
    known: set[str] = set()
    for field in fields:
        known.update(k for k in (field.id, field.other_key) if k)
        if field.relevant and not compile_expr(field.relevant).holds(env):
            continue
        value = data.get(field.id)
        problems += _check_field(field, value, env, prefix + field.id, where, complete, today)
        if field.other_key:
            problems += _check_other(field, value, data.get(field.other_key),
                                     prefix + field.other_key, where, complete)
    problems += _identity_consistency(fields, data, prefix, where, {p.path for p in problems},
                                      today)
    head = f"{where.strip()}：" if where else ""
    problems += [Problem(prefix + shorten(key, 40), f"{head}未知字段“{shorten(key)}”", "unknown")
                 for key in data if key not in known]
    return problems


def _check_field(field: Field, value: Any, env: Mapping, path: str, where: str,
                 complete: bool, today: date) -> list[Problem]:
    name = f"{where}{field.label.zh}"
    if is_empty(value):
        if complete and field.required:
            return [Problem(path, f"{name}：必填", "required")]
        return []
    if field.type == "person":
        return _check_person(field, value, env, path, name, complete, today)
    if field.type == "repeat":
        return _check_repeat(field, value, env, path, name, complete, today)
    if field.type == "geopoint":
        return _check_geopoint(value, path, name)
    message = (_SCALAR_CHECKS[field.type](field, value) if field.type in _SCALAR_CHECKS
               else _check_text(field, value, today))
    if message:
        return [Problem(path, f"{name}：{message}")]
    return _blank_problems(value, path, name) if complete and field.type in ("text", "textarea") else []


def _blank_problems(text: str, path: str, name: str) -> list[Problem]:
    """A finalize blocker for every blank ``____`` a narrative template left (or anyone
    typed) that is still there, quoting its surroundings so two blanks are told apart."""
    found = blanks_in(text)
    return [Problem(path, f"{name}：第{i}处空白“____”未填写（{where}）" if len(found) > 1
                    else f"{name}：空白“____”未填写（{where}）", "blank")
            for i, (_start, _end, where) in enumerate(found, 1)]


def _check_other(field: Field, value: Any, other: Any, path: str, where: str,
                 complete: bool) -> list[Problem]:
    name = f"{where}{field.label.zh}"
    chose_other = field.chose_other(value)
    if other is not None and not isinstance(other, str):
        return [Problem(path, f"{name}（其他）：应为文字")]
    wrong = _text_problem(other, OTHER_MAX_LENGTH) if other is not None else None
    if wrong:
        return [Problem(path, f"{name}（其他）：{wrong}")]
    if chose_other and complete and is_empty(other):
        return [Problem(path, f"{name}：选择“其他”时须注明", "required")]
    if not chose_other and not is_empty(other):
        return [Problem(path, f"{name}：未选“其他”，不应填写其他说明")]
    return []


def _check_person(field: Field, value: Any, env: Mapping, path: str, name: str,
                  complete: bool, today: date) -> list[Problem]:
    if not isinstance(value, Mapping):
        return [Problem(path, f"{name}：应为人员信息（对象）")]
    return _check_fields(field.fields, value, env, path + ".", name + " ", complete, today)


def _identity_consistency(fields, data: Mapping, prefix: str, where: str,
                          bad_paths: set[str], today: date) -> list[Problem]:
    """In a person (or a person row), 出生日期 and 性别 must agree with a valid 身份证号."""
    ids = {f.id: f for f in fields}
    problems = []
    for key, expected in id_values(fields, data.get("id_number"), today).items():
        value = data.get(key)
        if not is_empty(value) and prefix + key not in bad_paths and value != expected:
            shown = ids[key].choice_label(expected) if ids[key].choices else expected
            problems.append(Problem(f"{prefix}{key}", f"{where}{ids[key].label.zh}："
                                    f"与身份证号不符（应为 {shown}）"))
    return problems


def _check_repeat(field: Field, rows: Any, env: Mapping, path: str, name: str,
                  complete: bool, today: date) -> list[Problem]:
    if not isinstance(rows, list):
        return [Problem(path, f"{name}：应为列表")]
    problems = []
    for i, row in enumerate(rows):
        row_path, row_name = f"{path}[{i}]", f"{name} 第{i + 1}行"
        if not isinstance(row, Mapping):
            problems.append(Problem(row_path, f"{row_name}：应为对象"))
            continue
        problems += _check_fields(field.fields, row, {**env, **row}, row_path + ".",
                                  row_name + " ", complete, today)
    return problems


def _check_geopoint(value: Any, path: str, name: str) -> list[Problem]:
    if not isinstance(value, Mapping):
        return [Problem(path, f"{name}：应为坐标（lat、lon）")]
    problems = [Problem(f"{path}.{shorten(key, 40)}", f"{name}：未知字段“{shorten(key)}”", "unknown")
                for key in value if key not in ("lat", "lon", "alt")]
    for key, zh, limit, required in (("lat", "纬度", 90, True), ("lon", "经度", 180, True),
                                     ("alt", "海拔", None, False)):
        number = value.get(key)
        if number is None:
            if required:
                problems.append(Problem(f"{path}.{key}", f"{name} {zh}：缺少"))
        elif not _is_number(number):
            problems.append(Problem(f"{path}.{key}", f"{name} {zh}：应为数值"))
        elif limit is not None and abs(number) > limit:
            problems.append(Problem(f"{path}.{key}", f"{name} {zh}：应在 -{limit} 到 {limit} 之间"))
    return problems


def _is_number(value: Any) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value))


def _check_text(field: Field, value: Any, today: date) -> str | None:
    if not isinstance(value, str):
        return "应为文字"
    wrong = _text_problem(value, field.max_length)
    if wrong:
        return wrong
    c = field.constraint
    if c.minlength is not None and len(value) < c.minlength:
        return f"至少 {c.minlength} 个字"
    if c.regex is not None and not re.fullmatch(c.regex, value):
        return "格式不符"
    return VALIDATORS[c.validator](value, today) if c.validator else None


def _text_problem(value: str, limit: int | None) -> str | None:
    """Too long (the form's maxlength, else the type's default), or not storable text."""
    if limit is not None and len(value) > limit:
        return f"不能超过 {limit} 个字（现为 {len(value)} 个，开头是“{shorten(value)}”）"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "含无效字符（单独的代理码位），请重新输入"
    return None


def _check_number(field: Field, value: Any) -> str | None:
    if field.type == "integer" and not (isinstance(value, int) and not isinstance(value, bool)):
        return "应为整数"
    if not _is_number(value):
        return "应为数值"
    c, unit = field.constraint, field.unit or ""
    if c.min is not None and value < c.min:
        return f"不能小于 {c.min:g}{unit}"
    if c.max is not None and value > c.max:
        return f"不能大于 {c.max:g}{unit}"
    return None


def _check_date(_field: Field, value: Any) -> str | None:
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        return "应为日期 YYYY-MM-DD"
    try:
        date.fromisoformat(value)
    except ValueError:
        return f"日期不存在：{value}"
    return None


def _check_datetime(_field: Field, value: Any) -> str | None:
    match = _DATETIME.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        return "应为日期时间，如 2026-11-27T14:05:00+08:00"
    if match.group(1) is None:
        return "须带时区偏移，如 2026-11-27T14:05:00+08:00"
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return f"日期时间不存在：{value}"
    return None


def _check_choice(field: Field, value: Any) -> str | None:
    if not isinstance(value, str):
        return "应为一个选项"
    return None if value in field.choice_values else f"“{shorten(value)}”不在可选项中"


def _check_multichoice(field: Field, value: Any) -> str | None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return "应为选项列表"
    wrong = [v for v in value if v not in field.choice_values]
    if wrong:
        return f"“{shorten(wrong[0])}”不在可选项中"
    return "选项重复" if len(set(value)) != len(value) else None


def _check_boolean(_field: Field, value: Any) -> str | None:
    return None if isinstance(value, bool) else "应为是/否"


def _check_photos(_field: Field, value: Any) -> str | None:
    if not isinstance(value, list) or not all(isinstance(v, str) and 0 < len(v) <= 64 for v in value):
        return "应为照片编号列表"
    return "照片重复" if len(set(value)) != len(value) else None


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
