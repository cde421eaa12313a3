"""``forms check``: load every form under a folder and report every problem as a line."""
from __future__ import annotations

from pathlib import Path

from .loader import load_choice_lists, parse_form
from .spec import FormSpec
from .templates import TEMPLATES_DIR, check_templates

CHOICES_DIR = "choices"


def form_files(forms_dir: Path) -> list[Path]:
    """Every ``*.yaml`` under ``forms_dir``, recursively, except the shared ``choices/`` and
    the narrative ``templates/`` (not forms; checked by ``check_forms`` on their own)."""
    return sorted(p for p in forms_dir.rglob("*.yaml")
                  if p.relative_to(forms_dir).parts[0] not in (CHOICES_DIR, TEMPLATES_DIR))


def load_all(forms_dir: str | Path) -> tuple[dict[tuple[str, int], FormSpec], list[str]]:
    """The usable forms by ``(id, version)`` and every problem found on the way."""
    forms_dir = Path(forms_dir)
    choices, problems = load_choice_lists(forms_dir / CHOICES_DIR)
    specs: dict[tuple[str, int], FormSpec] = {}
    seen: dict[tuple[str, int], Path] = {}
    for path in form_files(forms_dir):
        spec, found = parse_form(path, choices)
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
    return specs, problems


def check_forms(forms_dir: str | Path) -> list[str]:
    """``file:line: field: message`` for every problem under ``forms_dir`` (empty when fine),
    narrative templates included (checked against the latest version of each form, once
    the forms themselves are sound)."""
    specs, problems = load_all(forms_dir)
    if problems:
        return problems
    latest = {form_id: spec for (form_id, _), spec in sorted(specs.items())}
    return problems + check_templates(Path(forms_dir) / TEMPLATES_DIR, latest)
