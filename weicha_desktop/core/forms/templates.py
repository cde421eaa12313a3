"""Narrative templates (``forms/templates/*.yaml``): per case type, a starting text for each
field of the form's 现场勘验情况 section, with ``{field_id}`` placeholders filled from the
record (a missing value is left as ``____`` for the technician to write).

    id: burglary
    title: {zh: 入室盗窃, en: Burglary}
    form: scene_investigation
    case_types: [burglary]          # codes of case types; empty: the generic template
    texts:                          # a text may wrap over lines (``|-``): lines are joined
      narrative_location: |-        # without spaces, as Chinese is written
        现场位于{scene_address}……

``forms check`` checks every file against the latest version of its form: the text ids must
be narrative fields, the case types codes of real choices, the placeholders real fields.
Case types are codes, so a template fits a record of any form version (an old record's
Chinese value is matched by its code: ``case_type_code``).

Blanks. Every ``____`` (three or more ``_``/``＿``) left in a text blocks finalizing: the
checker lists each one (``blanks_in``, validate.py). A placeholder whose value was not known
when the template was applied (勘验人员____在____的指挥下: the people not yet entered) is
filled once it is (``fill_known_blanks``): the blank is found by the template's own words
around it, so a blank the user already typed over, a text reworded around it, or words that
occur twice are left alone — text the user wrote is never overwritten."""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from .expr_eval import is_empty
from .spec import Field, FormError, FormSpec, Label
from .yamlsrc import LineDict, YamlError, read_yaml

TEMPLATES_DIR = "templates"
NARRATIVE_SECTION = "narrative"  # the section whose text fields templates fill
CASE_TYPE_FIELD = "case_type"
BLANK = "____"
BLANK_RUN = re.compile(r"[_＿]{3,}")  # a blank still to be written
CONTEXT = 12  # characters of the template's words either side of a placeholder's blank
_KEYS = {"id", "title", "form", "case_types", "texts"}
_PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")


@dataclass(frozen=True)
class NarrativeTemplate:
    id: str
    title: Label
    form: str
    case_types: tuple[str, ...]
    texts: Mapping[str, str]  # narrative field id → template text

    @property
    def generic(self) -> bool:
        return not self.case_types


def narrative_fields(spec: FormSpec) -> list[Field]:
    """The fields a template may fill: the text fields of the narrative section."""
    section = next((s for s in spec.sections if s.id == NARRATIVE_SECTION), None)
    return [f for f in section.fields if f.type in ("text", "textarea")] if section else []


def load_templates(templates_dir: str | Path, spec: FormSpec) -> list[NarrativeTemplate]:
    """The templates for ``spec``'s form (sorted by id); FormError if any file is broken."""
    found, problems = _read_all(Path(templates_dir), {spec.id: spec})
    if problems:
        raise FormError(problems)
    return [t for t in found if t.form == spec.id]


def check_templates(templates_dir: str | Path, specs: Mapping[str, FormSpec]) -> list[str]:
    """``file:line: template: message`` for every problem (``specs``: latest form by id)."""
    return _read_all(Path(templates_dir), specs)[1]


def case_type_code(spec: FormSpec, data: Mapping[str, Any]) -> str | None:
    """The code of the case type ``data`` holds (a code, or an old version's Chinese value)."""
    try:
        field = spec.field(CASE_TYPE_FIELD)
    except KeyError:
        return None
    return field.code_of(data.get(CASE_TYPE_FIELD))


def templates_for(templates: list[NarrativeTemplate], case_type: str | None) -> list[NarrativeTemplate]:
    """Templates in the order to offer them: those for ``case_type`` (a code), the generic
    ones, the rest."""
    def rank(t: NarrativeTemplate) -> int:
        return 0 if case_type in t.case_types else 1 if t.generic else 2
    return sorted(templates, key=lambda t: (rank(t), t.id))


def fill(text: str, spec: FormSpec, data: Mapping[str, Any]) -> str:
    """``text`` with each ``{field_id}`` replaced by the record's value, shown as on paper."""
    def value(match: re.Match) -> str:
        try:
            field = spec.field(match.group(1))
        except KeyError:
            return BLANK
        shown = _shown(field, data.get(field.id), data)
        return shown if shown else BLANK
    return _PLACEHOLDER.sub(value, text)


def blanks_in(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, surroundings)`` of every blank in ``text``; the surroundings quote a
    few characters either side (``…该楼为____层…``) so a message can say which."""
    out = []
    for match in BLANK_RUN.finditer(text):
        start, end = match.span()
        before, after = text[max(0, start - 8):start], text[end:end + 8]
        quoted = (("…" if start > 8 else "") + before + BLANK + after
                  + ("…" if end + 8 < len(text) else ""))
        out.append((start, end, " ".join(quoted.split())))
    return out


def fill_known_blanks(spec: FormSpec, templates: list[NarrativeTemplate],
                      data: Mapping[str, Any]) -> dict[str, str]:
    """Narrative field id → its text with the blanks of placeholders now known filled in
    (only the fields that change). A blank is filled when the template's words around the
    placeholder (up to CONTEXT characters either side, or the start / end of the text) are
    still there and occur once in the text; then only the blank itself is replaced."""
    changed: dict[str, str] = {}
    for field in narrative_fields(spec):
        text = data.get(field.id)
        if not isinstance(text, str) or not BLANK_RUN.search(text):
            continue
        new = text
        for name, pattern in _blank_patterns(templates, field.id):
            try:
                source = spec.field(name)
            except KeyError:
                continue
            shown = _shown(source, data.get(source.id), data)
            found = list(pattern.finditer(new)) if shown else []
            if len(found) == 1:
                new = new[:found[0].start("blank")] + shown + new[found[0].end("blank"):]
        if new != text:
            changed[field.id] = new
    return changed


_TOKEN = re.compile(r"\{([a-z][a-z0-9_]*)\}|[_＿]{3,}")


def _blank_patterns(templates: list[NarrativeTemplate], field_id: str) -> list[tuple[str, re.Pattern]]:
    """(placeholder, the pattern of its blank among the template's words) for each
    placeholder of each template's text for ``field_id`` with words or an end beside it."""
    out: dict[tuple[str, str], re.Pattern] = {}
    for template in templates:
        text = template.texts.get(field_id) or ""
        tokens = list(_TOKEN.finditer(text))
        for i, token in enumerate(tokens):
            if token.group(1) is None:
                continue
            before = text[tokens[i - 1].end() if i else 0:token.start()]
            after = text[token.end():tokens[i + 1].start() if i + 1 < len(tokens) else len(text)]
            head, tail = re.escape(before[-CONTEXT:]), re.escape(after[:CONTEXT])
            if i == 0 and len(before) <= CONTEXT:
                head = "^" + head  # the start of the text is part of the surroundings
            if i + 1 == len(tokens) and len(after) <= CONTEXT:
                tail += "$"
            if head or tail:
                source = f"{head}(?P<blank>{BLANK_RUN.pattern}){tail}"
                out.setdefault((token.group(1), source), re.compile(source))
    return [(name, pattern) for (name, _), pattern in out.items()]


def _shown(field: Field, value: Any, data: Mapping[str, Any]) -> str:
    if is_empty(value):
        return ""
    if field.type == "datetime" and isinstance(value, str):
        return _when(value, "%Y年%m月%d日%H时%M分")
    if field.type == "date" and isinstance(value, str):
        return _when(value, "%Y年%m月%d日")
    if field.type in ("choice", "multichoice"):
        chosen = value if isinstance(value, list) else [value]
        labels = {c.value: c.label.zh for c in field.choices}
        other = data.get(field.other_key) if field.other_key else None
        return "、".join(other if field.chose_other(v) and other else labels.get(v, str(v))
                        for v in chosen)
    if field.type == "person" and isinstance(value, Mapping):
        return str(value.get("name") or "")
    if field.type == "repeat" and isinstance(value, list):
        return "、".join(str(r["name"]) for r in value if isinstance(r, Mapping) and r.get("name"))
    if field.type in ("integer", "decimal"):
        return f"{value:g}{field.unit or ''}" if isinstance(value, (int, float)) else str(value)
    return str(value)


def _when(value: str, pattern: str) -> str:
    try:
        parsed = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    except ValueError:
        return value
    return parsed.strftime(pattern)


def _read_all(folder: Path, specs: Mapping[str, FormSpec]) -> tuple[list[NarrativeTemplate], list[str]]:
    templates, problems, seen = [], [], {}
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        template, found = _parse(path, specs)
        problems += found
        if template is None:
            continue
        if template.id in seen:
            problems.append(f"{path}:1: {template.id}: 模板 id 重复（已见于 {seen[template.id]}）")
        elif not found:
            templates.append(template)
        seen.setdefault(template.id, path)
    return sorted(templates, key=lambda t: t.id), problems


def _parse(path: Path, specs: Mapping[str, FormSpec]) -> tuple[NarrativeTemplate | None, list[str]]:
    try:
        raw = read_yaml(path)
    except YamlError as e:
        return None, [f"{path}:{e.line}: template: {e}"]
    if not isinstance(raw, LineDict):
        return None, [f"{path}:1: template: 应为映射（key: value）"]
    problems: list[str] = []
    where = raw.get("id") if isinstance(raw.get("id"), str) else "template"

    def err(key: str, message: str, line: int | None = None) -> None:
        problems.append(f"{path}:{line or raw.line_of(key)}: {where}: {message}")

    for key in sorted(set(raw) - _KEYS, key=str):
        err(key, f"未知的键“{key}”")
    for key in sorted(_KEYS - set(raw)):
        err(key, f"缺少 {key}")
    title = raw.get("title")
    if not (isinstance(title, Mapping) and isinstance(title.get("zh"), str) and title["zh"].strip()):
        err("title", "title 应为 {zh: 中文, en: English}")
        title = {"zh": where}
    case_types, texts = raw.get("case_types") or [], raw.get("texts")
    if not isinstance(case_types, list) or not all(isinstance(c, str) for c in case_types):
        err("case_types", "case_types 应为案件类别列表")
        case_types = []
    if not isinstance(texts, Mapping) or not texts \
            or not all(isinstance(v, str) for v in texts.values()):
        err("texts", "texts 应为“字段 id: 模板文字”的映射")
        texts = {}
    spec = specs.get(raw.get("form"))
    if spec is None:
        if "form" in raw:
            err("form", f"找不到表单“{raw.get('form')}”")
    else:
        _check_against_form(spec, case_types, texts, err)
    joined = {k: "".join(line.strip() for line in v.splitlines()) for k, v in texts.items()}
    template = NarrativeTemplate(where, Label(title["zh"], title.get("en") or ""),
                                 str(raw.get("form")), tuple(case_types), joined)
    return template, problems


def _check_against_form(spec: FormSpec, case_types: list[str], texts: Mapping[str, str],
                        err) -> None:
    line = texts.line_of if isinstance(texts, LineDict) else (lambda _key: None)
    allowed = {f.id for f in narrative_fields(spec)}
    known = {f.id for f in spec.all_fields()}
    for field_id, text in texts.items():
        if field_id not in allowed:
            err("texts", f"“{field_id}”不是表单“{spec.id}”的现场勘验情况字段", line(field_id))
        for name in _PLACEHOLDER.findall(text):
            if name not in known:
                err("texts", f"{field_id}：占位符“{{{name}}}”不是表单字段", line(field_id))
    try:
        offered = {c.code for c in spec.field(CASE_TYPE_FIELD).choices}
    except KeyError:
        offered = set()
    for case_type in case_types:
        if case_type not in offered:
            err("case_types", f"“{case_type}”不是案件类别的代码")
