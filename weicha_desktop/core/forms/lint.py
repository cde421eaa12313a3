"""Checks of a built FormSpec that need the expression language and the validators:
expressions compile and name known fields, defaults fit their type, rule paths resolve."""
from __future__ import annotations

from collections.abc import Iterable

from .expr import ExprError, compile_expr
from .rules import PLACEHOLDER, ROW_NAMES, fill
from .spec import FACT_NAMES, Field, FormSpec, Rule
from .validate import check_value

Finding = tuple[int, str, str]  # (line, where, message)


def lint_form(spec: FormSpec, declared_ids: Iterable[str] = ()) -> list[Finding]:
    """Findings for ``spec``. ``declared_ids``: every top-level id in the file, also of fields
    that failed to build (expressions naming those are not reported a second time)."""
    top = _names(spec.all_fields()) | set(FACT_NAMES) | set(declared_ids)
    findings: list[Finding] = []
    for field in spec.all_fields():
        if field.id in FACT_NAMES:
            findings.append((field.line, field.id, f"字段 id 与规则事实名冲突：{field.id}"))
        findings += _lint_field(field, top, field.id)
        if field.type == "repeat":
            row = top | _names(field.fields)
            for sub in field.fields:
                findings += _lint_field(sub, row, f"{field.id}.{sub.id}")
    for rule in spec.rules:
        findings += _lint_rule(spec, rule, top)
    return findings


def _names(fields: Iterable[Field]) -> set[str]:
    """Names an expression may use for these fields (``protector.name``, ``x_other``...)."""
    names = set()
    for f in fields:
        names.update(k for k in (f.id, f.other_key) if k)
        if f.type == "person":
            names.update(f"{f.id}.{sub.id}" for sub in f.fields)
        elif f.type == "geopoint":
            names.update(f"{f.id}.{key}" for key in ("lat", "lon", "alt"))
    return names


def _lint_expr(source: str | None, known: set[str], line: int, where: str,
               what: str) -> list[Finding]:
    if source is None:
        return []
    try:
        expr = compile_expr(source)
    except ExprError as exc:
        return [(line, where, f"{what} 表达式有误：{exc}")]
    return [(line, where, f"{what} 引用了不存在的字段“{name}”")
            for name in sorted(expr.names - known)]


def _lint_field(field: Field, known: set[str], where: str) -> list[Finding]:
    findings = _lint_expr(field.relevant, known, field.line, where, "relevant")
    if field.default is not None:
        findings += [(field.line, where, f"默认值不符：{p.message}")
                     for p in check_value(field, field.default)]
    return findings


def _lint_rule(spec: FormSpec, rule: Rule, top: set[str]) -> list[Finding]:
    where, known, findings = f"rule {rule.id}", top, []
    if rule.each is not None:
        group = next((f for f in spec.all_fields() if f.id == rule.each), None)
        if group is None or group.type != "repeat":
            return [(rule.line, where, f"each 须为重复组字段（“{rule.each}”不是）")]
        known = top | _names(group.fields)
    for what in ("when", "require"):
        findings += _lint_expr(getattr(rule, what), known, rule.line, where, what)
    placeholders = known | set(ROW_NAMES) if rule.each else known
    for text in (rule.message, rule.message_en, rule.field or ""):
        findings += [(rule.line, where, f"占位符“{{{name}}}”不是字段名")
                     for name in PLACEHOLDER.findall(text) if name not in placeholders]
    if rule.field:
        try:
            spec.field(fill(rule.field, {name: 0 for name in ROW_NAMES}))
        except KeyError:
            findings.append((rule.line, where, f"field 路径无效：{rule.field}"))
    return findings
