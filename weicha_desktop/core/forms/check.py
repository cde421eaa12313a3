"""``forms check``: load every form under a folder and report every problem as a line.

Each form's current version is a file at the top of the folder (or one of the sync server's
versions); older versions live in subfolders (``archive/``). ``FormReading`` reads the current
ones first and the older ones when asked (the window asks after its first paint, or when a
record of an older version opens: gui/shell/main_window.py), so the check requires what makes
that safe: no older version is newer than its form's current one, and none lacks a current one."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

from . import memo
from .loader import load_choice_lists, parse_form
from .spec import Choice, FormSpec
from .templates import TEMPLATES_DIR, check_templates

CHOICES_DIR = "choices"
Specs = dict[tuple[str, int], FormSpec]


def form_files(forms_dir: Path) -> list[Path]:
    """Every ``*.yaml`` under ``forms_dir``, recursively, except the shared ``choices/`` and
    the narrative ``templates/`` (not forms; checked by ``check_forms`` on their own)."""
    return sorted(p for p in forms_dir.rglob("*.yaml")
                  if p.relative_to(forms_dir).parts[0] not in (CHOICES_DIR, TEMPLATES_DIR))


def load_all(forms_dir: str | Path) -> tuple[Specs, list[str]]:
    """The usable forms by ``(id, version)`` and every problem found on the way."""
    specs, _, problems = read_forms(forms_dir)
    return specs, problems


def read_forms(forms_dir: str | Path, extra_forms: Sequence[tuple[str, str]] = (),
               extra_choices: Sequence[tuple[str, str]] = ()) -> tuple[Specs, dict[str, tuple[Choice, ...]],
                                                                       list[str]]:
    """``load_all``'s forms and problems, and the shared choice lists they were read with
    (each file read once: the registry needs both). ``extra_forms`` / ``extra_choices``:
    ``(name.yaml, text)`` beside the folder's (form versions and code tables from the sync
    server, core/sync/reference.py)."""
    reading = FormReading(forms_dir, extra_forms, extra_choices)
    reading.read_older()
    return reading.specs, reading.choices, reading.problems()


class FormReading:
    """The forms of a folder read in two steps: the choice lists and each form's current
    version (the folder's top-level files and ``extra_forms``) at once, the older versions
    (subfolders) by ``read_older``. ``specs`` is replaced whole, never changed in place (a
    worker thread may be reading the previous one)."""

    def __init__(self, forms_dir: str | Path, extra_forms: Sequence[tuple[str, str]] = (),
                 extra_choices: Sequence[tuple[str, str]] = ()):
        self.forms_dir = Path(forms_dir)
        self.choices, self._found, self._choices_key = _choice_lists(self.forms_dir / CHOICES_DIR,
                                                                     extra_choices)
        self.specs: Specs = {}
        self._seen: dict[tuple[str, int], Path] = {}
        self._read([(p, None) for p in sorted(self.forms_dir.glob("*.yaml"))]
                   + [(Path(n), t) for n, t in extra_forms])
        self.current = frozenset(self._seen)  # (id, version) of the current files
        self.older_read = False

    def read_older(self) -> None:
        """Read the older versions (every form file in a subfolder) beside the current ones."""
        if not self.older_read:
            self._read([(p, None) for p in form_files(self.forms_dir) if p.parent != self.forms_dir])
            self.older_read = True

    def problems(self) -> list[str]:
        """Every problem of what was read (empty when it is all sound); where the versions
        belong, once every file is sound."""
        found = self._found + _kind_problems(self.specs)
        return found or (_version_problems(self.specs, self.current) if self.older_read else [])

    def _read(self, sources: list[tuple[Path, str | None]]) -> None:
        specs = dict(self.specs)
        for path, text in sources:
            spec, found = self._parse(path, text)
            self._found += found
            if spec is None:
                continue
            key = (spec.id, spec.version)
            if key in self._seen:
                self._found.append(f"{path}:1: {spec.id}: 表单 {spec.id} 第{spec.version}版重复"
                                   f"（已见于 {self._seen[key]}）")
            elif not found:
                specs[key] = spec
            self._seen.setdefault(key, path)
        self.specs = specs

    def _parse(self, path: Path, text: str | None):
        """parse_form's answer, built once per process for the same bytes and choice lists (memo.py)."""
        digest = memo.digest(path, text)
        key = None if digest is None or self._choices_key is None else \
            ("form", str(path), digest, self._choices_key)
        spec, found = memo.remembered(key, lambda: parse_form(path, self.choices, text),
                                      lambda: memo.digest(path, text) == digest)
        return spec, list(found)


def _choice_lists(folder: Path, extra: Sequence[tuple[str, str]]):
    """load_choice_lists' answer and a key naming exactly what it was read from (None if a
    file cannot be read: then nothing is kept), built once per process for the same bytes."""
    sources = [(p, None) for p in sorted(folder.glob("*.yaml"))] + [(Path(n), t) for n, t in extra]

    def digests():
        return tuple((str(p), memo.digest(p, t)) for p, t in sources)

    found = digests()
    key = None if any(d is None for _, d in found) else ("choices", str(folder), found)
    lists, problems = memo.remembered(key, lambda: load_choice_lists(folder, extra), lambda: digests() == found)
    return lists, list(problems), key


def _version_problems(specs: Specs, current: frozenset[tuple[str, int]]) -> list[str]:
    """An older version (a subfolder's) must be older than its form's current version, which
    must exist: the current versions alone say which forms there are and which is the latest."""
    newest: dict[str, int] = {}
    for form_id, version in current:
        newest[form_id] = max(version, newest.get(form_id, version))
    problems: list[str] = []
    for (form_id, version), spec in sorted(specs.items()):
        if (form_id, version) in current:
            continue
        where = f"{spec.path}:1: {form_id}"
        if form_id not in newest:
            problems.append(f"{where}: 表单 {form_id} 只有旧版本（第{version}版），缺少当前版本："
                            "当前版本的文件应放在表单文件夹的顶层")
        elif version > newest[form_id]:
            problems.append(f"{where}: 旧版本文件夹中的第{version}版比当前版本（第{newest[form_id]}版）新："
                            "当前版本应是最新的一版，较早的版本才放入子文件夹（如 archive/）")
    return problems


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
