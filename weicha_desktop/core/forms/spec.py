"""What a form is: frozen dataclasses built from ``forms/*.yaml`` (see loader.py)."""
from __future__ import annotations

import copy
import dataclasses
import re
from dataclasses import dataclass
from typing import Any

from weicha_desktop.core.errors import WeichaError

FIELD_TYPES = (
    "text", "textarea", "integer", "decimal", "date", "datetime", "choice", "multichoice",
    "boolean", "geopoint", "person", "photos", "repeat",
)
# The "其他" choice opens the ``<field>_other`` free-text companion: its value is OTHER in the
# forms that store labels (before codes), OTHER_CODE in the forms that store codes.
OTHER = "其他"
OTHER_CODE = "other"
# What a form's choice fields store (its ``choice_values``): the choice's code ("burglary"),
# or — forms written before codes (scene_investigation v1, v2) — its Chinese label.
CODES, LABELS = "code", "label"
# Longest text a field takes unless its ``constraint: {maxlength: N}`` says otherwise (in
# characters); the "其他" free text takes as much as a text field.
DEFAULT_MAX_LENGTH = {"text": 200, "textarea": 5000}
OTHER_MAX_LENGTH = DEFAULT_MAX_LENGTH["text"]
FACT_NAMES = ("photo_count", "photo_classes")  # rule facts, merged into the expression env
# What a new record (or a new row) may be prefilled with (``prefill:``, core/prefill.py): the
# logged-in user's display name, the unit's name, the clock's "now", the photo log's count,
# the camera time of its last photo.
PREFILL_SOURCES = ("user", "unit", "now", "photo_count", "photo_end")
# How much a rule's failure weighs (``level:``): ``block`` (the default) stops 定稿; a
# ``notice`` (提示) is only shown — after the problems, in the form, the review page and
# ``case check`` — for the technician to look at (two numbers that may rightly differ).
BLOCK, NOTICE = "block", "notice"
RULE_LEVELS = (BLOCK, NOTICE)


class FormError(WeichaError):
    """A form definition that cannot be used. ``problems`` are ``file:line: field: message``."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class Label:
    """A bilingual text; ``label.zh``, ``label["en"]``, ``label.text("en")`` (falls back to zh)."""

    zh: str
    en: str = ""

    def __getitem__(self, lang: str) -> str:
        if lang not in ("zh", "en"):
            raise KeyError(lang)
        return getattr(self, lang)

    def text(self, lang: str = "zh") -> str:
        return (self.en if lang == "en" else "") or self.zh


@dataclass(frozen=True)
class Choice:
    """One option. ``value`` is what a record of this form holds: the code in a form that
    stores codes, else the old stored text (the Chinese label). ``code`` is the option's
    stable code in every version (None only for an inline option of an old form without one)."""

    value: str
    label: Label
    code: str | None = None
    # a shared list's hints for what the form fills (``prefill: <field>``, core/prefill.py):
    # words a name holds when it names this option (手印: 指纹, 掌纹 …), and the option this
    # one suggests in another list ((list id, code): 手印 → extraction_methods powder)
    words: tuple[str, ...] = ()
    suggests: tuple[tuple[str, str], ...] = ()
    # a shared list's record kinds the option applies to (link_roles: 发案地点 joins a place)
    joins: tuple[str, ...] = ()


@dataclass(frozen=True)
class Constraint:
    min: float | None = None
    max: float | None = None
    minlength: int | None = None
    maxlength: int | None = None
    regex: str | None = None
    validator: str | None = None


@dataclass(frozen=True)
class Field:
    """One field. ``fields`` are the sub-fields of a person or of a repeat group's rows."""

    id: str
    type: str
    label: Label
    required: bool = False
    readonly: bool = False  # filled by the system (勘验号, 物证编号), shown but not edited
    constraint: Constraint = Constraint()
    relevant: str | None = None
    default: Any = dataclasses.field(default=None, hash=False)  # a list for multichoice
    help: Label | None = None
    choices: tuple[Choice, ...] = ()
    other_text: bool = False
    unit: str | None = None
    fields: tuple[Field, ...] = ()
    participant: bool = False  # names a person who took part (core/duties.py): the name field,
    # the person, or each person of a repeat group
    number_prefix: str | None = None  # a repeat group whose rows get an issued number (H…)
    prefill: str | None = None  # what a new record / row starts with (PREFILL_SOURCES), or
    # the id of a field beside it that it follows (core/prefill.py ``derive``)
    choice_list: str | None = dataclasses.field(default=None, compare=False)  # its shared list
    line: int = dataclasses.field(default=0, compare=False)

    @property
    def other_key(self) -> str | None:
        """Data key of the "其他" free text (``<id>_other``), if this field has one."""
        return f"{self.id}_other" if self.other_text else None

    @property
    def max_length(self) -> int | None:
        """The most characters a text/textarea value may have: the form's ``maxlength``, else
        the default for the type (text 200, textarea 5000); None for other types."""
        if self.constraint.maxlength is not None:
            return self.constraint.maxlength
        return DEFAULT_MAX_LENGTH.get(self.type)

    @property
    def choice_values(self) -> tuple[str, ...]:
        return tuple(c.value for c in self.choices)

    @property
    def other_value(self) -> str:
        """The value of this field's "其他" option ("other", or "其他" in a form storing labels)."""
        return next((c.value for c in self.choices if c.code == OTHER_CODE or c.value == OTHER),
                    OTHER)

    def chose_other(self, value: Any) -> bool:
        """Whether ``value`` (one value, or a multichoice list) picks "其他"."""
        other = self.other_value
        return value == other or (isinstance(value, list) and other in value)

    def value_of(self, code: str) -> str | None:
        """The value this form stores for the option ``code`` (None: no such option)."""
        return next((c.value for c in self.choices if c.code == code), None)

    def code_of(self, value: Any) -> str | None:
        """The code of the option a record's ``value`` picks (by value; a value of an older
        version by its Chinese label); None if no option matches."""
        for c in self.choices:
            if value == c.value or (c.code is not None and value == c.code):
                return c.code
        return next((c.code for c in self.choices if value == c.label.zh), None)

    def choice_label(self, value: Any, lang: str = "zh") -> str:
        """The words for a stored value (its own text if no option matches)."""
        return next((c.label.text(lang) for c in self.choices
                     if value == c.value or (c.code is not None and value == c.code)), str(value))

    def sub(self, field_id: str) -> Field:
        for f in self.fields:
            if f.id == field_id:
                return f
        raise KeyError(f"{self.id}.{field_id}")

    def row_defaults(self) -> dict[str, Any]:
        """Defaults for a new row of a repeat group (or a new person)."""
        return {f.id: copy.deepcopy(f.default) for f in self.fields if f.default is not None}


@dataclass(frozen=True)
class Section:
    id: str
    title: Label
    fields: tuple[Field, ...]
    line: int = dataclasses.field(default=0, compare=False)


@dataclass(frozen=True)
class Rule:
    """A finalize rule (一长四必), or a notice (``level: notice``). ``each`` names a repeat
    group checked row by row."""

    id: str
    message: str  # Chinese; ``message: {zh, en}`` in the form also gives ``message_en``
    require: str
    when: str | None = None
    each: str | None = None
    field: str | None = None  # path template, e.g. ``evidence[{index}].comparison_status``
    line: int = dataclasses.field(default=0, compare=False)
    message_en: str = ""  # English of ``message`` (same placeholders); "" falls back to zh
    level: str = BLOCK  # RULE_LEVELS: NOTICE never blocks finalizing (check_rules' ``level``)


_GENDERS = (Choice("男", Label("男", "Male"), "male"), Choice("女", Label("女", "Female"), "female"))

# The fixed sub-fields of a person; a form picks some with ``person_fields``.
PERSON_FIELDS: dict[str, Field] = {f.id: f for f in (
    Field("name", "text", Label("姓名", "Name"), constraint=Constraint(maxlength=50)),
    Field("gender", "choice", Label("性别", "Gender"), choices=_GENDERS),
    Field("birth_date", "date", Label("出生日期", "Date of birth")),
    Field("id_number", "text", Label("身份证号", "ID number"),
          constraint=Constraint(validator="id_card")),
    Field("phone", "text", Label("电话", "Phone"), constraint=Constraint(validator="phone")),
    Field("address", "text", Label("住址", "Address")),
    Field("unit", "text", Label("单位", "Unit"), constraint=Constraint(maxlength=100)),
    Field("title", "text", Label("职务", "Title"), constraint=Constraint(maxlength=50)),
)}


_INDEX = re.compile(r"\[\d+\]")


@dataclass(frozen=True)
class FormSpec:
    id: str
    version: int
    title: Label
    sections: tuple[Section, ...]
    rules: tuple[Rule, ...] = ()
    path: str = dataclasses.field(default="", compare=False)
    choice_values: str = LABELS  # CODES: choice fields store codes (see Choice)
    # What kind of record the form captures (``records.kind``, core/record_service.py); the
    # letter of the records' issued number and the field that shows it (None: not numbered).
    record_kind: str | None = None
    number_prefix: str | None = None
    number_field: str | None = None

    @property
    def numbered_rows(self) -> dict[str, str]:
        """Repeat groups whose rows get an issued number (``number_prefix``) → its letter."""
        return {f.id: f.number_prefix for f in self.all_fields()
                if f.type == "repeat" and f.number_prefix}

    @property
    def stores_codes(self) -> bool:
        return self.choice_values == CODES

    def all_fields(self) -> list[Field]:
        """Top-level fields in print order."""
        return [f for s in self.sections for f in s.fields]

    def field(self, path: str) -> Field:
        """The field at ``path`` (``witnesses[0].id_number``, ``protector.name``); KeyError."""
        first, *rest = _INDEX.sub("", path).split(".")
        field = next((f for f in self.all_fields() if f.id == first), None)
        if field is None:
            raise KeyError(path)
        for part in rest:
            field = field.sub(part)
        return field

    def section_of(self, path: str) -> Section:
        top = self.field(path.split(".")[0].split("[")[0])
        return next(s for s in self.sections if any(f.id == top.id for f in s.fields))


def default_values(spec: FormSpec) -> dict[str, Any]:
    """A new record: every top-level field that declares a ``default``."""
    return {f.id: copy.deepcopy(f.default) for f in spec.all_fields() if f.default is not None}
