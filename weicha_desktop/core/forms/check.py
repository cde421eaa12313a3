"""``forms check``: load every form under a folder and report every problem as a line."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

from .loader import load_choice_lists, parse_form
from .spec import Choice, FormSpec
from .templates import TEMPLATES_DIR, check_templates

CHOICES_DIR = "choices"


def form_files(forms_dir: Path) -> list[Path]:
    """Every ``*.yaml`` under ``forms_dir``, recursively, except the shared ``choices/`` and
    the narrative ``templates/`` (not forms; checked by ``check_forms`` on their own)."""
    return sorted(p for p in forms_dir.rglob("*.yaml")
                  if p.relative_to(forms_dir).parts[0] not in (CHOICES_DIR, TEMPLATES_DIR))


def load_all(forms_dir: str | Path) -> tuple[dict[tuple[str, int], FormSpec], list[str]]:
    """The usable forms by ``(id, version)`` and every problem found on the way."""
    specs, _, problems = read_forms(forms_dir)
    return specs, problems


def read_forms(forms_dir: str | Path, extra_forms: Sequence[tuple[str, str]] = (),
               extra_choices: Sequence[tuple[str, str]] = ()) -> tuple[dict[tuple[str, int], FormSpec],
                                                                       dict[str, tuple[Choice, ...]], list[str]]:
    """``load_all``'s forms and problems, and the shared choice lists they were read with
    (each file read once: the registry needs both). ``extra_forms`` / ``extra_choices``:
    ``(name.yaml, text)`` beside the folder's (form versions and code tables from the sync
    server, core/sync/reference.py)."""
    forms_dir = Path(forms_dir)
    choices, problems = load_choice_lists(forms_dir / CHOICES_DIR, extra_choices)
    specs: dict[tuple[str, int], FormSpec] = {}
    seen: dict[tuple[str, int], Path] = {}
    sources = [(p, None) for p in form_files(forms_dir)] + [(Path(n), t) for n, t in extra_forms]
    for path, text in sources:
        spec, found = parse_form(path, choices, text)
        problems += found
        if spec is None:
            continue
        key = (spec.id, spec.version)
        if key in seen:
            problems.append(f"{path}:1: {spec.id}: 表单 {spec.id} 第{spec.version}版重复"
                            f"（已见于 {seen[key]}）")
        elif not found:
            specs[key] = spec
        seen.setdefault(key, path)
    return specs, choices, problems + _kind_problems(specs)


def _kind_problems(specs: dict[tuple[str, int], FormSpec]) -> list[str]:
    """Record kinds across the forms: one form per kind, one kind (or none) per form, one kind
    per record number letter (core/record_service.py)."""
    problems: list[str] = []
    form_of: dict[str, str] = {}
    kind_of: dict[str, str | None] = {}
    letter_of: dict[str, str] = {}
    for (form_id, _), spec in sorted(specs.items()):
        where = f"{spec.path}:1: {form_id}"
        if form_id in kind_of and kind_of[form_id] != spec.record_kind:
            problems.append(f"{where}: 第{spec.version}版的 record_kind（{spec.record_kind}）与其他版本"
                            f"（{kind_of[form_id]}）不同")
        kind_of.setdefault(form_id, spec.record_kind)
        if spec.record_kind and form_of.setdefault(spec.record_kind, form_id) != form_id:
            problems.append(f"{where}: 记录类型“{spec.record_kind}”已由表单 "
                            f"{form_of[spec.record_kind]} 声明，一种记录只能有一个表单")
        if spec.number_prefix and spec.record_kind and \
                letter_of.setdefault(spec.number_prefix, spec.record_kind) != spec.record_kind:
            problems.append(f"{where}: 编号字头 {spec.number_prefix} 已用于记录类型"
                            f"“{letter_of[spec.number_prefix]}”")
    return problems


def check_forms(forms_dir: str | Path) -> list[str]:
    """``file:line: field: message`` for every problem under ``forms_dir`` (empty when fine),
    narrative templates included (checked against the latest version of each form, once
    the forms themselves are sound)."""
    specs, problems = load_all(forms_dir)
    if problems:
        return problems
    latest = {form_id: spec for (form_id, _), spec in sorted(specs.items())}
    return problems + check_templates(Path(forms_dir) / TEMPLATES_DIR, latest)
