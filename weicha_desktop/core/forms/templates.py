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
    rows:                           # optional: the words of each row of a repeat group's
      evidence: 在{location}提取{name}（{method}）   # placeholder (joined with ；), its
                                    # placeholders the row's fields; else the rows' names

``forms check`` checks every file against the latest version of its form: the text ids must
be narrative fields, the case types codes of real choices, the placeholders real fields.
Case types are codes, so a template fits a record of any form version (an old record's
Chinese value is matched by its code: ``case_type_code``).

Blanks. Every ``____`` (three or more ``_``/``＿``) left in a text blocks finalizing: the
checker lists each one (``blanks_in``, validate.py). A placeholder whose value was not known
when the template was applied (勘验人员____在____的指挥下: the people not yet entered) is
filled once it is (``fill_known_blanks``): the blank is found by the template's own words
around it, so a blank the user already typed over, a text reworded around it, or words that
occur twice are left alone — text the user wrote is never overwritten. Likewise a value filled
in follows its field while the words the template gave it are still there unchanged
(``before``: the record when the text was last filled): 天气 changed from 晴 to 阴, a trace
added to the register (the whole list written again).

Offered (``offer``): when the case type is chosen and the narrative is still empty, the form
offers the case type's template; accepted, it writes every required narrative field, and an
optional one (周边搜索, 现场访问) only when nothing in it is left blank — a paragraph about a
search nobody made would otherwise block finalizing."""
from __future__ import annotations

import dataclasses
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from .expr_eval import is_empty
from .memo import digest
from .spec import Field, FormError, FormSpec, Label
from .yamlsrc import LineDict, YamlError, read_yaml

TEMPLATES_DIR = "templates"
NARRATIVE_SECTION = "narrative"  # the section whose text fields templates fill
CASE_TYPE_FIELD = "case_type"
BLANK = "____"
BLANK_RUN = re.compile(r"[_＿]{3,}")  # a blank still to be written
CONTEXT = 12  # characters of the template's words either side of a placeholder's blank
_KEYS = {"id", "title", "form", "case_types", "texts", "rows"}
_OPTIONAL = {"rows"}
ROW_SEPARATOR = "；"
_PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")


@dataclass(frozen=True)
class NarrativeTemplate:
    id: str
    title: Label
    form: str
    case_types: tuple[str, ...]
    texts: Mapping[str, str]  # narrative field id → template text
    rows: Mapping[str, str] = dataclasses.field(default_factory=dict)  # repeat id → a row's words

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


class TemplateShelf:
    """The templates of one folder as last read, per form version: what ``load_templates``
    gives, read again only when the folder's files changed (their names and bytes: the
    SHA-256 of each, as memo.py keys forms — no mtime short-cut). Opening a form asked for
    them every time (~1 ms of reading, hashing and checking the files). Kept by the form
    registry (FormRegistry.narrative_templates), one per registry, never process-wide."""

    def __init__(self, templates_dir: str | Path):
        self.folder = Path(templates_dir)
        self._kept: dict[tuple[str, int], tuple[tuple, FormSpec, list[NarrativeTemplate] | FormError]] = {}
        self._lock = threading.Lock()

    def _sources(self) -> tuple:
        return tuple((p.name, digest(p, None)) for p in sorted(self.folder.glob("*.yaml"))) \
            if self.folder.is_dir() else ()

    def templates(self, spec: FormSpec) -> list[NarrativeTemplate]:
        """``load_templates(folder, spec)``, from what was read before when the files are the
        same (a new list each time); FormError if any file is broken."""
        sources = self._sources()
        with self._lock:
            kept = self._kept.get((spec.id, spec.version))
        if kept is None or kept[0] != sources or kept[1] is not spec:
            try:
                found: list[NarrativeTemplate] | FormError = load_templates(self.folder, spec)
            except FormError as e:
                found = e
            if None not in (digest for _, digest in sources):  # a file not read: not kept
                kept = (sources, spec, found)
                with self._lock:
                    self._kept[(spec.id, spec.version)] = kept
        else:
            found = kept[2]
        if isinstance(found, FormError):
            raise FormError(found.problems)
        return list(found)


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


def fill(text: str, spec: FormSpec, data: Mapping[str, Any], rows: Mapping[str, str] | None = None) -> str:
    """``text`` with each ``{field_id}`` replaced by the record's value, shown as on paper
    (``rows``: a template's words for each row of a repeat group)."""
    def value(match: re.Match) -> str:
        try:
            field = spec.field(match.group(1))
        except KeyError:
            return BLANK
        shown = _shown(field, data.get(field.id), data, rows)
        return shown if shown else BLANK
    return _PLACEHOLDER.sub(value, text)


def offer(templates: list[NarrativeTemplate], spec: FormSpec,
          data: Mapping[str, Any]) -> NarrativeTemplate | None:
    """The template to offer for the case type ``data`` holds (its own, else the generic
    one): None without a case type, or once any narrative field holds text."""
    code = case_type_code(spec, data)
    if code is None or any(not is_empty(data.get(f.id)) for f in narrative_fields(spec)):
        return None
    first = templates_for(templates, code)[:1]
    return first[0] if first and (code in first[0].case_types or first[0].generic) else None


def offered_texts(template: NarrativeTemplate, spec: FormSpec, data: Mapping[str, Any]) -> dict[str, str]:
    """What accepting the offer writes: field id → filled text, for the empty narrative
    fields the form requires, and the optional ones with no blank left."""
    out = {}
    for field in narrative_fields(spec):
        text = template.texts.get(field.id)
        if text is None or field.readonly or not is_empty(data.get(field.id)):
            continue
        filled = fill(text, spec, data, template.rows)
        if field.required or not BLANK_RUN.search(filled):
            out[field.id] = filled
    return out


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
                      data: Mapping[str, Any], before: Mapping[str, Any] | None = None) -> dict[str, str]:
    """Narrative field id → its text with the blanks of placeholders now known filled in
    (only the fields that change). A blank is filled when the template's words around the
    placeholder (up to CONTEXT characters either side, or the start / end of the text) are
    still there and occur once in the text; then only the blank itself is replaced. With
    ``before`` (the record when the text was last filled), a value filled then and still
    standing unchanged between those words is replaced by the value now."""
    changed: dict[str, str] = {}
    for field in narrative_fields(spec):
        text = data.get(field.id)
        if not isinstance(text, str):
            continue
        new = text
        for name, rows, head, tail in _placeholder_places(templates, field.id):
            try:
                source = spec.field(name)
            except KeyError:
                continue
            shown = _shown(source, data.get(source.id), data, rows)
            if not shown:
                continue
            old = _shown(source, before.get(source.id), before, rows) if before is not None else ""
            for middle in [BLANK_RUN.pattern] + ([re.escape(old)] if old and old != shown else []):
                found = list(re.finditer(f"{head}(?P<blank>{middle}){tail}", new))
                if len(found) == 1:
                    new = new[:found[0].start("blank")] + shown + new[found[0].end("blank"):]
                    break
        if new != text:
            changed[field.id] = new
    return changed


def blank_source(templates: list[NarrativeTemplate], field_id: str, text: str) -> str | None:
    """The field whose placeholder the first blank of ``text`` stands for (提取情况's ____ is
    the register's until it has rows), found by the template's words around it as
    ``fill_known_blanks`` finds it; None for a blank left to the technician."""
    first = BLANK_RUN.search(text or "")
    if first is None:
        return None
    for name, _rows, head, tail in _placeholder_places(templates, field_id):
        for found in re.finditer(f"{head}(?P<blank>{BLANK_RUN.pattern}){tail}", text):
            if found.start("blank") == first.start():
                return name
    return None


def sources(templates: list[NarrativeTemplate]) -> set[str]:
    """The fields the templates' placeholders name (an edit of one may fill a narrative)."""
    return {name for t in templates for text in t.texts.values() for name in _PLACEHOLDER.findall(text)}


_TOKEN = re.compile(r"\{([a-z][a-z0-9_]*)\}|[_＿]{3,}")


def _placeholder_places(templates: list[NarrativeTemplate],
                        field_id: str) -> list[tuple[str, Mapping[str, str], str, str]]:
    """(placeholder, the template's row words, the patterns of the template's words before
    and after it) for each placeholder of each template's text for ``field_id`` with words
    or an end beside it."""
    out: dict[tuple[str, str, str], tuple[str, Mapping[str, str], str, str]] = {}
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
                out.setdefault((token.group(1), head, tail), (token.group(1), template.rows, head, tail))
    return list(out.values())


def _shown(field: Field, value: Any, data: Mapping[str, Any], rows: Mapping[str, str] | None = None) -> str:
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
        words = (rows or {}).get(field.id)
        if words:  # the template's words for a row, its placeholders the row's fields
            return ROW_SEPARATOR.join(_PLACEHOLDER.sub(lambda m: _row_value(field, m.group(1), r), words)
                                      for r in value if isinstance(r, Mapping) and not is_empty(r))
        return "、".join(str(r["name"]) for r in value if isinstance(r, Mapping) and r.get("name"))
    if field.type in ("integer", "decimal"):
        return f"{value:g}{field.unit or ''}" if isinstance(value, (int, float)) else str(value)
    return str(value)


def _row_value(group: Field, name: str, row: Mapping[str, Any]) -> str:
    try:
        field = group.sub(name)
    except KeyError:
        return BLANK
    return _shown(field, row.get(name), row) or BLANK


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
    for key in sorted(_KEYS - _OPTIONAL - set(raw)):
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
    rows = raw.get("rows", {})
    if not isinstance(rows, Mapping) or not all(isinstance(v, str) and v.strip() for v in rows.values()):
        err("rows", "rows 应为“重复组 id: 每行的文字”的映射")
        rows = {}
    spec = specs.get(raw.get("form"))
    if spec is None:
        if "form" in raw:
            err("form", f"找不到表单“{raw.get('form')}”")
    else:
        _check_against_form(spec, case_types, texts, err)
        _check_rows(spec, rows, err)
    joined = {k: "".join(line.strip() for line in v.splitlines()) for k, v in texts.items()}
    template = NarrativeTemplate(where, Label(title["zh"], title.get("en") or ""),
                                 str(raw.get("form")), tuple(case_types), joined,
                                 {k: "".join(line.strip() for line in v.splitlines()) for k, v in rows.items()})
    return template, problems


def _check_rows(spec: FormSpec, rows: Mapping[str, str], err) -> None:
    line = rows.line_of if isinstance(rows, LineDict) else (lambda _key: None)
    for group_id, words in rows.items():
        try:
            group = spec.field(group_id)
        except KeyError:
            group = None
        if group is None or group.type != "repeat":
            err("rows", f"“{group_id}”不是表单“{spec.id}”的重复组", line(group_id))
            continue
        subs = {f.id for f in group.fields}
        for name in _PLACEHOLDER.findall(words):
            if name not in subs:
                err("rows", f"{group_id}：占位符“{{{name}}}”不是该组每行的字段", line(group_id))


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
