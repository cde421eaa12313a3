"""Build FormSpec objects from YAML, collecting ``file:line: where: message`` problems."""
from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any, Sequence

from .derive import can_derive, source_of
from .lint import lint_form
from .spec import (
    CODES,
    DEFAULT_MAX_LENGTH,
    FIELD_TYPES,
    LABELS,
    OTHER,
    OTHER_CODE,
    PERSON_FIELDS,
    PREFILL_SOURCES,
    RULE_LEVELS,
    Choice,
    Constraint,
    Field,
    FormError,
    FormSpec,
    Label,
    Rule,
    Section,
)
from .validators import VALIDATORS
from .yamlsrc import LineDict, YamlError, parse_yaml, read_yaml

ChoiceLists = dict[str, tuple[Choice, ...]]
MAX_TEXT_LENGTH = 100_000  # no field takes more, whatever its maxlength says

_ID = re.compile(r"[a-z][a-z0-9_]*\Z", re.ASCII)
_FORM_KEYS = {"id", "version", "title", "choice_values", "sections", "rules", "record_kind",
              "number_prefix", "number_field"}
_PREFIX = re.compile(r"[A-Z]\Z")  # the letter of an issued number (K 勘验号, H 痕迹物证 …)
_SECTION_KEYS = {"id", "title", "fields"}
_FIELD_KEYS = {"id", "type", "label", "required", "readonly", "constraint", "relevant",
               "default", "help", "choices", "other_text", "unit", "fields", "person_fields",
               "person_required", "participant", "number_prefix", "prefill"}
_RULE_KEYS = {"id", "message", "require", "when", "each", "field", "level"}
_CHOICE_LIST_KEYS = {"id", "title", "choices"}
# an option of a shared list (forms/choices/): its code, words, and — where records of the
# forms that stored labels hold other text than ``zh`` — that text as ``legacy``; the hints
# of ``prefill: <field>`` (core/prefill.py): ``words`` a name of this option holds, and the
# option of another list it ``suggests`` ({list id: code})
_LIST_CHOICE_KEYS = {"code", "zh", "en", "legacy", "words", "suggests", "joins"}
_CODED_CHOICE_KEYS = {"code", "zh", "en"}        # inline, in a form that stores codes
_CHOICE_KEYS = {"value", "zh", "en", "code"}     # inline, in a form that stores labels
_CONSTRAINTS = {"text": {"minlength", "maxlength", "regex", "validator"},
                "integer": {"min", "max"}}
_CONSTRAINTS.update(textarea=_CONSTRAINTS["text"], decimal=_CONSTRAINTS["integer"])
def load_form(path: str | Path, choices_dir: str | Path | None = None) -> FormSpec:
    """Load one form file; raise :class:`FormError` listing every problem in it.

    Shared choice lists come from ``choices_dir``, by default the nearest ``choices/`` folder
    at or above the file's folder.
    """
    path = Path(path)
    if choices_dir is None:
        choices_dir = next((p / "choices" for p in path.parents if (p / "choices").is_dir()), None)
    choices, problems = load_choice_lists(choices_dir) if choices_dir else ({}, [])
    spec, form_problems = parse_form(path, choices)
    problems += form_problems
    if problems:
        raise FormError(problems)
    return spec


def parse_form(path: Path, choices: ChoiceLists, text: str | None = None) -> tuple[FormSpec | None, list[str]]:
    """The form in ``path`` and the problems found in it. With problems, the form is only
    what could be built (for reporting); None if the file is not a YAML mapping. ``text``:
    the YAML itself (a form from the sync server, kept in the data folder's database;
    ``path`` then only names it in problems)."""
    builder = _Builder(str(path), choices)
    try:
        raw = read_yaml(path) if text is None else parse_yaml(text)
    except YamlError as exc:
        builder.err(exc.line, "yaml", str(exc))
        return None, builder.problems
    spec = builder.form(raw)
    if spec is not None:
        for line, where, message in lint_form(spec, builder.top_ids):
            builder.err(line, where, message)
    return spec, builder.problems


def load_choice_lists(choices_dir: str | Path,
                      extra: Sequence[tuple[str, str]] = ()) -> tuple[ChoiceLists, list[str]]:
    """Every ``*.yaml`` choice list in ``choices_dir`` by its ``id``, and the problems found.
    ``extra``: ``(name.yaml, text)`` lists beside them (the sync server's code tables); one
    whose id a list of the folder has already is a problem, never a replacement."""
    lists: ChoiceLists = {}
    problems: list[str] = []
    suggested: list[tuple[str, int, str, str, str]] = []  # checked once all are read
    sources = [(p, None) for p in sorted(Path(choices_dir).glob("*.yaml"))]
    for path, text in sources + [(Path(name), text) for name, text in extra]:
        builder = _Builder(str(path), {})
        if path.stem in lists:
            builder.err(1, path.stem, f"选项表 {path.stem} 与程序自带的同名选项表重复")
            problems += builder.problems
            continue
        try:
            raw = read_yaml(path) if text is None else parse_yaml(text)
        except YamlError as exc:
            builder.err(exc.line, "yaml", str(exc))
            raw = None
        if raw is not None and builder.mapping(raw, 1, path.stem, _CHOICE_LIST_KEYS):
            if raw.get("id") != path.stem:
                builder.err(raw.line_of("id"), path.stem, f"id 须与文件名一致（{path.stem}）")
            if "title" in raw:
                builder.label(raw, "title", path.stem)
            options = builder.choice_items(raw, path.stem, shared=True)
            if not builder.problems:
                lists[path.stem] = options
                suggested += [(builder.file, *found) for found in builder.suggested]
        problems += builder.problems
    for file, line, where, target, code in suggested:  # an option of another list
        if code not in {c.code for c in lists.get(target, ())}:
            problems.append(f"{file}:{line}: {where}: suggests：“{target}: {code}”不是选项表 {target} 的选项代码")
    return lists, problems


class _Builder:
    def __init__(self, file: str, choices: ChoiceLists):
        self.file, self.choices, self.problems = file, choices, []
        self.codes = False  # the form stores codes (``choice_values: code``)
        self.top_ids: set[str] = set()  # every top-level id seen, even of a broken field
        self.suggested: list[tuple[int, str, str, str]] = []  # (line, where, list id, code)
        self.follower_lines: dict[str, int] = {}  # where → line of a ``prefill: <field id>``

    def err(self, line: int, where: str, message: str) -> None:
        self.problems.append(f"{self.file}:{line}: {where}: {message}")

    def mapping(self, raw: Any, line: int, where: str, allowed: set[str]) -> bool:
        """Report a non-mapping, unknown keys and repeated keys; True if ``raw`` is a mapping."""
        if not isinstance(raw, LineDict):
            self.err(line, where, "应为映射（key: value）")
            return False
        for key in raw:
            if key not in allowed:
                self.err(raw.line_of(key), where, f"未知的键“{key}”")
        for key, key_line in raw.duplicates:
            self.err(key_line, where, f"重复的键“{key}”")
        return True

    def entry(self, raw: Any, line: int, kind: str, allowed: set[str],
              where_format: str) -> tuple[str | None, str] | None:
        """A list entry (section, field, rule): its id (None if invalid) and the ``where``
        its problems name, from ``where_format`` (``"rule {}"``); None if not a mapping."""
        unnamed = where_format.format("?")
        if not isinstance(raw, LineDict):
            self.err(line, unnamed, f"{kind} 应为映射（key: value）")
            return None
        entry_id = self.ident(raw, unnamed)
        where = where_format.format(entry_id) if entry_id else unnamed
        self.mapping(raw, line, where, allowed)
        return entry_id, where

    def ident(self, raw: LineDict, where: str) -> str | None:
        value = raw.get("id")
        if not isinstance(value, str) or not _ID.match(value):
            self.err(raw.line_of("id"), where, f"id 须为小写英文标识（现为“{value}”）")
            return None
        return value

    def label(self, raw: LineDict, key: str, where: str, required: bool = True) -> Label | None:
        value = raw.get(key)
        if value is None and not required:
            return None
        extra = sorted(map(str, set(value) - {"zh", "en"})) if isinstance(value, LineDict) else []
        if extra:
            self.err(raw.line_of(key), where,
                     f"{key} 含未知的键“{'、'.join(extra)}”（文字含逗号时请加引号）")
            return None
        if (not isinstance(value, LineDict)
                or not isinstance(value.get("zh"), str) or not value["zh"].strip()
                or not isinstance(value.get("en", ""), str)):
            self.err(raw.line_of(key), where, f"{key} 应为 {{zh: 中文, en: English}}")
            return None
        return Label(value["zh"], value.get("en", ""))

    def flag(self, raw: LineDict, key: str, where: str) -> bool:
        value = raw.get(key, False)
        if not isinstance(value, bool):
            self.err(raw.line_of(key), where, f"{key} 应为 true 或 false")
            return False
        return value

    def text(self, raw: LineDict, key: str, where: str, required: bool = False) -> str | None:
        value = raw.get(key)
        if (value is None and not required) or (isinstance(value, str) and value.strip()):
            return value
        self.err(raw.line_of(key), where, f"{key} 应为非空文字")
        return None

    def form(self, raw: Any) -> FormSpec | None:
        if not self.mapping(raw, 1, "form", _FORM_KEYS):
            return None
        form_id = self.ident(raw, "form") or "form"
        mode = raw.get("choice_values", LABELS)
        if mode not in (CODES, LABELS):
            self.err(raw.line_of("choice_values"), form_id,
                     f"choice_values 应为 {CODES}（存代码）或 {LABELS}（存文字，旧版表单）")
            mode = LABELS
        self.codes = mode == CODES
        version = raw.get("version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            self.err(raw.line_of("version"), form_id, "version 应为正整数")
            version = 0
        title = self.label(raw, "title", form_id)
        sections = self.sections(raw, form_id)
        self.check_followers(sections)
        rules = self.rules(raw, form_id)
        return FormSpec(form_id, version, title, sections, rules, self.file, mode,
                        **self.record(raw, form_id, sections))

    def check_followers(self, sections: tuple[Section, ...]) -> None:
        """``prefill: <field id>``: another field of the same level (the top level, or one
        row) that can give it a value (core/forms/derive.py)."""
        top = [f for s in sections for f in s.fields]
        for fields, prefix in [(top, "")] + [(f.fields, f"{f.id}.") for f in top if f.type == "repeat"]:
            by_id = {f.id: f for f in fields}
            for field in fields:
                source = source_of(field)
                if source is None:
                    continue
                where, found = prefix + field.id, by_id.get(source)
                line = self.follower_lines.get(where, field.line)
                if found is None or found is field:
                    self.err(line, where, f"prefill 应为 {'、'.join(PREFILL_SOURCES)} 之一或同一层另一字段的 id"
                                          f"（现为“{source}”）")
                elif not can_derive(field, found):
                    self.err(line, where, f"prefill: {source} 给不出 {field.type} 字段的值（同类型照抄；"
                                          "文字 → 选项靠选项表的 words；选项 → 选项靠 suggests）")

    def record(self, raw: LineDict, form_id: str, sections: tuple[Section, ...]) -> dict[str, Any]:
        """``record_kind`` (what the form captures: core/record_service.py), ``number_prefix``
        (the letter of its records' issued numbers) and ``number_field`` (the readonly text
        field at the top level that shows the number)."""
        kind, prefix, field = (raw.get(k) for k in ("record_kind", "number_prefix", "number_field"))
        if kind is not None and not (isinstance(kind, str) and _ID.match(kind)):
            self.err(raw.line_of("record_kind"), form_id, f"record_kind 须为小写英文标识（现为“{kind}”）")
            kind = None
        if prefix is not None and not (isinstance(prefix, str) and _PREFIX.match(prefix)):
            self.err(raw.line_of("number_prefix"), form_id, "number_prefix 须为一个大写英文字母")
            prefix = None
        elif prefix is not None and "record_kind" not in raw:
            self.err(raw.line_of("number_prefix"), form_id, "number_prefix 需要 record_kind")
        if field is not None:
            top = {f.id: f for s in sections for f in s.fields}
            if "number_prefix" not in raw:
                self.err(raw.line_of("number_field"), form_id, "number_field 需要 number_prefix")
            elif field not in top or top[field].type != "text" or not top[field].readonly:
                self.err(raw.line_of("number_field"), form_id,
                         f"number_field 须为顶层的只读（readonly）文字字段（“{field}”不是）")
                field = None
        return {"record_kind": kind, "number_prefix": prefix, "number_field": field}

    def row_number_prefix(self, raw: LineDict, ftype: str, where: str,
                          fields: tuple[Field, ...]) -> str | None:
        """``number_prefix`` on a repeat group: each row gets an issued number of that letter
        in its readonly text sub-field ``number`` (痕迹物证 → H…)."""
        prefix = raw.get("number_prefix")
        if prefix is None:
            return None
        number = next((f for f in fields if f.id == "number"), None)
        if not (isinstance(prefix, str) and _PREFIX.match(prefix)):
            self.err(raw.line_of("number_prefix"), where, "number_prefix 须为一个大写英文字母")
        elif ftype != "repeat":
            self.err(raw.line_of("number_prefix"), where, "字段上的 number_prefix 只用于重复组（repeat）")
        elif number is None or number.type != "text" or not number.readonly:
            self.err(raw.line_of("number_prefix"), where,
                     "number_prefix 需要行内有只读（readonly）文字字段 number")
        else:
            return prefix
        return None

    def sections(self, raw: LineDict, form_id: str) -> tuple[Section, ...]:
        items = raw.get("sections")
        if not isinstance(items, list) or not items:
            self.err(raw.line_of("sections"), form_id, "sections 应为非空列表")
            return ()
        sections, seen_sections, scope = [], set(), self.top_ids
        for item in items:
            found = self.entry(item, raw.line_of("sections"), "section", _SECTION_KEYS,
                               "section {}")
            if found is None:
                continue
            section_id, where = found
            if section_id in seen_sections:
                self.err(item.line_of("id"), where, "分区 id 重复")
            seen_sections.add(section_id)
            title = self.label(item, "title", where)
            fields = self.fields(item, where, scope, "")
            sections.append(Section(section_id, title, fields, item.line))
        return tuple(sections)

    def fields(self, raw: LineDict, where: str, scope: set[str], prefix: str) -> tuple[Field, ...]:
        items = raw.get("fields")
        if not isinstance(items, list) or not items:
            self.err(raw.line_of("fields"), where, "fields 应为非空列表")
            return ()
        built = [self.field(item, raw.line_of("fields"), scope, prefix) for item in items]
        return tuple(f for f in built if f is not None)

    def field(self, raw: Any, line: int, scope: set[str], prefix: str) -> Field | None:
        found = self.entry(raw, line, "field", _FIELD_KEYS, prefix + "{}")
        if found is None:
            return None
        field_id, where = found
        ids = [field_id, f"{field_id}_other" if raw.get("other_text") else None] if field_id else []
        for key in filter(None, ids):
            if key in scope:
                self.err(raw.line_of("id"), where, f"字段 id 重复：{key}")
            scope.add(key)
        ftype = raw.get("type")
        if ftype is None:
            self.err(raw.line, where, "缺少字段类型 type")
            return None
        if ftype not in FIELD_TYPES:
            self.err(raw.line_of("type"), where,
                     f"未知的字段类型“{ftype}”（可用：{'、'.join(FIELD_TYPES)}）")
            return None
        label = self.label(raw, "label", where)
        options = dict(
            required=self.flag(raw, "required", where),
            readonly=self.flag(raw, "readonly", where),
            relevant=self.text(raw, "relevant", where),
            unit=self.text(raw, "unit", where),
            help=self.label(raw, "help", where, required=False),
            default=raw.get("default"),
            constraint=self.constraint(raw, ftype, where),
            choices=self.field_choices(raw, ftype, where),
            other_text=self.flag(raw, "other_text", where),
            fields=self.sub_fields(raw, ftype, where),
            participant=self.flag(raw, "participant", where),
            choice_list=raw.get("choices") if isinstance(raw.get("choices"), str) else None,
        )
        options["number_prefix"] = self.row_number_prefix(raw, ftype, where, options["fields"])
        options["prefill"] = self.prefill(raw, ftype, where, options)
        self.check_participant(raw, ftype, options, where)
        choice_values = [c.value for c in options["choices"]]
        other = OTHER_CODE if self.codes else OTHER
        if options["other_text"] and ftype not in ("choice", "multichoice"):
            self.err(raw.line_of("other_text"), where, "other_text 只用于 choice、multichoice")
        elif options["other_text"] and choice_values and other not in choice_values:
            self.err(raw.line_of("other_text"), where, f"other_text 需要选项中有“{other}”")
        if field_id is None or label is None:
            return None
        return Field(field_id, ftype, label, line=raw.line, **options)

    def prefill(self, raw: LineDict, ftype: str, where: str, options: dict[str, Any]) -> str | None:
        """``prefill``: what a new record (a new row, for a field inside a repeat group) starts
        with (core/prefill.py): ``user`` (the logged-in user's display name: a text, a person,
        a repeat group whose rows are people), ``unit`` (the unit's name: a text), ``now``
        (a date or date-time), ``photo_count`` (the photo log's count: an integer),
        ``photo_end`` (the camera time of the photo log's last photo: a date-time); or the id
        of a field beside it (at the top level, or in the same row) that it follows until it
        is typed over (core/prefill.py ``derive``; ``lint_form`` checks the pair)."""
        source = raw.get("prefill")
        if source is None:
            return None
        fits = {"user": ("text", "person", "repeat"), "unit": ("text",), "now": ("date", "datetime"),
                "photo_count": ("integer",), "photo_end": ("datetime",)}
        people = ftype != "repeat" or ("fields" not in raw and any(f.id == "name" for f in options["fields"]))
        beside = isinstance(source, str) and source not in PREFILL_SOURCES and _ID.match(source)
        if beside and options["readonly"]:
            self.err(raw.line_of("prefill"), where, "只读（readonly）字段由系统填写，不用 prefill")
        elif beside:
            self.follower_lines[where] = raw.line_of("prefill")
            return source  # a field beside it, which it follows (check_followers)
        elif source not in PREFILL_SOURCES:
            self.err(raw.line_of("prefill"), where,
                     f"prefill 应为 {'、'.join(PREFILL_SOURCES)} 之一或同一层另一字段的 id（现为“{source}”）")
        elif ftype not in fits[source] or not people:
            self.err(raw.line_of("prefill"), where, f"prefill: {source} 不能用于 {ftype} 字段"
                     + ("（重复组须每行是一个人）" if ftype == "repeat" and source == "user" else ""))
        elif options["readonly"]:
            self.err(raw.line_of("prefill"), where, "只读（readonly）字段由系统填写，不用 prefill")
        else:
            return source
        return None

    def check_participant(self, raw: LineDict, ftype: str, options: dict[str, Any], where: str) -> None:
        """``participant: true`` marks where a record names the people who took part (core/
        duties.py): a text field holding names, a person, a repeat group whose rows are people."""
        if not options["participant"]:
            return
        rows_are_people = ftype == "repeat" and any(f.id == "name" for f in options["fields"]) \
            and "fields" not in raw
        if ftype == "repeat" and not rows_are_people:
            self.err(raw.line_of("participant"), where,
                     "participant 用于每行是一个人的重复组（person_fields）；其他重复组请标在行内的人名字段上")
        elif ftype not in ("text", "person", "repeat"):
            self.err(raw.line_of("participant"), where,
                     "participant 只用于人名：text、person 或每行是一个人的 repeat")

    def constraint(self, raw: LineDict, ftype: str, where: str) -> Constraint:
        """The constraint of a field; invalid parts are reported and left out."""
        value = raw.get("constraint")
        allowed = _CONSTRAINTS.get(ftype, set())
        if value is None or not self.mapping(value, raw.line_of("constraint"), where, allowed):
            return Constraint()
        good = {k: value[k] for k in allowed if k in value and self.constraint_ok(value, k, where)}
        low = good.get("min", good.get("minlength"))
        high = good.get("max", good.get("maxlength", DEFAULT_MAX_LENGTH.get(ftype)))
        if low is not None and high is not None and low > high:
            self.err(value.line, where, "下限大于上限")
            return Constraint()
        return Constraint(**good)

    def constraint_ok(self, constraint: LineDict, key: str, where: str) -> bool:
        problem = _constraint_problem(key, constraint[key])
        if problem:
            self.err(constraint.line_of(key), where, problem)
        return problem is None

    def field_choices(self, raw: LineDict, ftype: str, where: str) -> tuple[Choice, ...]:
        value = raw.get("choices")
        if ftype not in ("choice", "multichoice"):
            if value is not None:
                self.err(raw.line_of("choices"), where, f"{ftype} 类型不用 choices")
            return ()
        if value is None:
            self.err(raw.line, where, "缺少选项表 choices")
            return ()
        if isinstance(value, str):
            if value not in self.choices:
                self.err(raw.line_of("choices"), where, f"找不到选项表“{value}”（forms/choices/）")
            shared = self.choices.get(value, ())
            return tuple(dataclasses.replace(c, value=c.code) for c in shared) if self.codes else shared
        return self.choice_items(raw, where)

    def choice_items(self, raw: LineDict, where: str, shared: bool = False) -> tuple[Choice, ...]:
        """The options of a shared list ({code, zh, en?, legacy?}: the value is the old stored
        text, legacy or zh; a form that stores codes takes the codes) or of an inline list: in
        a form that stores codes {code, zh, en?}; in an old one plain strings (value = zh) or
        {value, zh?, en?, code?}."""
        items, line = raw.get("choices"), raw.line_of("choices")
        if not isinstance(items, list) or not items:
            self.err(line, where, "choices 应为非空列表或选项表名")
            return ()
        coded = shared or self.codes
        keys = _LIST_CHOICE_KEYS if shared else _CODED_CHOICE_KEYS if self.codes else _CHOICE_KEYS
        choices = []
        for item in items:
            choice = self.choice_item(item, line, where, keys, coded)
            if choice is None:
                self.err(getattr(item, "line", line), where,
                         f"选项无效：{item!r}" + ("（应为 {code: 英文代码, zh: 中文, en: English}）"
                                                if coded else ""))
            else:
                choices.append(choice)
        for what, seen in (("选项", [c.value for c in choices]),
                           ("选项代码", [c.code for c in choices if c.code is not None])):
            for dup in sorted({v for v in seen if seen.count(v) > 1}):
                self.err(line, where, f"{what}重复：{dup}")
        return tuple(choices)

    def choice_item(self, item: Any, line: int, where: str, keys: set[str],
                    coded: bool) -> Choice | None:
        """One option, or None if it is not one (the caller reports it)."""
        if isinstance(item, str) and item.strip() and not coded:
            return Choice(item, Label(item))
        if not isinstance(item, LineDict) or not self.mapping(item, line, where, keys):
            return None
        code = item.get("code")
        if code is not None and not (isinstance(code, str) and _ID.match(code)):
            self.err(item.line_of("code"), where, f"code 须为小写英文标识（现为“{code}”）")
            return None
        texts = {k: item.get(k) for k in ("value", "zh", "en", "legacy") if k in item}
        if not all(isinstance(v, str) and v.strip() for k, v in texts.items() if k != "en") \
                or not isinstance(texts.get("en", ""), str):
            return None
        if coded:
            if code is None or "zh" not in texts:
                return None
            label = Label(texts["zh"], texts.get("en", ""))
            shared = "legacy" in keys  # a shared list's value is the old stored text
            hints = self.choice_hints(item, where) if shared else {}
            if hints is None:
                return None
            return Choice(texts.get("legacy", texts["zh"]) if shared else code, label, code, **hints)
        if "value" not in texts:
            return None
        return Choice(texts["value"], Label(texts.get("zh", texts["value"]), texts.get("en", "")),
                      code)

    def choice_hints(self, item: LineDict, where: str) -> dict[str, Any] | None:
        """A shared option's ``words`` (a list of words), ``suggests`` ({list id: code}) and
        ``joins`` (record kinds); None (reported) if any is malformed."""
        words, suggests = item.get("words", []), item.get("suggests", {})
        if not isinstance(words, list) or not all(isinstance(w, str) and w.strip() for w in words):
            self.err(item.line_of("words"), where, "words 应为词语列表")
            return None
        if not isinstance(suggests, dict) or not all(
                isinstance(k, str) and isinstance(v, str) and _ID.match(k) and _ID.match(v)
                for k, v in suggests.items()):
            self.err(item.line_of("suggests"), where, "suggests 应为 {选项表名: 选项代码}")
            return None
        joins = item.get("joins", [])
        if not isinstance(joins, list) or not all(isinstance(k, str) and _ID.match(k) for k in joins):
            self.err(item.line_of("joins"), where, "joins 应为记录类型列表（如 [person, vehicle]）")
            return None
        self.suggested += [(item.line_of("suggests"), where, k, v) for k, v in suggests.items()]
        return {"words": tuple(w.strip() for w in words), "suggests": tuple(suggests.items()),
                "joins": tuple(joins)}

    def sub_fields(self, raw: LineDict, ftype: str, where: str) -> tuple[Field, ...]:
        """A repeat's row fields (``fields``, or ``person_fields`` for rows that are people),
        or a person's sub-fields."""
        keys = [k for k in ("fields", "person_fields", "person_required") if k in raw]
        if ftype == "repeat" and keys == ["fields"]:
            subs = self.fields(raw, where, set(), where + ".")
            for sub in subs:
                if sub.type == "repeat":
                    self.err(sub.line, f"{where}.{sub.id}", "重复组内不能再嵌套重复组")
            return subs
        if "fields" not in keys and (ftype == "person" or "person_fields" in keys):
            return self.person(raw, where)
        if ftype == "repeat":
            self.err(raw.line, where, "重复组须有 fields 或 person_fields（二选一）")
        for key in keys:
            self.err(raw.line_of(key), where, f"{ftype} 类型不用 {key}")
        return ()

    def person(self, raw: LineDict, where: str) -> tuple[Field, ...]:
        """Person sub-fields: ``person_fields`` (default all) and ``person_required`` (default
        [name])."""
        shown = raw.get("person_fields", list(PERSON_FIELDS))
        required = raw.get("person_required", ["name"])
        for key, names in (("person_fields", shown), ("person_required", required)):
            if (not isinstance(names, list) or len(set(map(str, names))) != len(names)
                    or any(not isinstance(n, str) or n not in PERSON_FIELDS for n in names)):
                self.err(raw.line_of(key), where,
                         f"{key} 应为不重复的列表，只能取：{'、'.join(PERSON_FIELDS)}")
                return ()
        if "name" not in shown:
            self.err(raw.line_of("person_fields"), where, "person_fields 须包含 name")
        if set(required) - set(shown):
            self.err(raw.line_of("person_required"), where,
                     "person_required 须在 person_fields 之中")
        subs = [dataclasses.replace(PERSON_FIELDS[n], required=n in required, line=raw.line)
                for n in shown]
        if self.codes:  # 性别 as codes too (male, female)
            subs = [dataclasses.replace(f, choices=tuple(dataclasses.replace(c, value=c.code)
                                                         for c in f.choices)) for f in subs]
        return tuple(subs)

    def rules(self, raw: LineDict, form_id: str) -> tuple[Rule, ...]:
        items = raw.get("rules", [])
        if not isinstance(items, list):
            self.err(raw.line_of("rules"), form_id, "rules 应为列表")
            return ()
        rules, seen = [], set()
        for item in items:
            found = self.entry(item, raw.line_of("rules"), "rule", _RULE_KEYS, "rule {}")
            if found is None:
                continue
            rule_id, where = found
            if rule_id in seen:
                self.err(item.line_of("id"), where, "规则 id 重复")
            seen.add(rule_id)
            keys = ("require", "when", "each", "field")
            parts = {k: self.text(item, k, where, required=k == "require") for k in keys}
            # message: 中文, or {zh: 中文, en: English} (the window's English)
            message = (self.label(item, "message", where) if isinstance(item.get("message"), LineDict)
                       else self.text(item, "message", where, required=True))
            if isinstance(message, Label):
                parts["message_en"], message = message.en, message.zh
            level = self.text(item, "level", where)
            if level is not None and level not in RULE_LEVELS:
                self.err(item.line_of("level"), where,
                         f"未知的 level“{level}”（可用：{'、'.join(RULE_LEVELS)}；不写即 block，阻止定稿）")
            elif level is not None:
                parts["level"] = level
            if rule_id and message and parts["require"]:
                rules.append(Rule(rule_id, message=message, line=item.line, **parts))
        return tuple(rules)


def _constraint_problem(key: str, value: Any) -> str | None:
    if key in ("min", "max"):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return None if ok else f"{key} 应为数值"
    if key in ("minlength", "maxlength"):
        ok = isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_TEXT_LENGTH
        return None if ok else f"{key} 应为 0–{MAX_TEXT_LENGTH} 的整数"
    if key == "validator":
        ok = isinstance(value, str) and value in VALIDATORS
        return None if ok else f"未知的校验器“{value}”（可用：{'、'.join(VALIDATORS)}）"
    if not isinstance(value, str):
        return "regex 应为文字"
    try:
        re.compile(value)
    except re.error as exc:
        return f"regex 无效：{exc}"
    return None
