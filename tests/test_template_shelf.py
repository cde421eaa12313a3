"""The narrative templates a form registry keeps (core/forms/templates.py TemplateShelf): opening
a form reads and checks the template files once per registry, again only when a file's name or
bytes change (the same size and mtime included), with what ``load_templates`` gives."""
from __future__ import annotations

import os
import shutil

import pytest

from weicha_desktop.core.forms import FormError, FormRegistry
from weicha_desktop.core.forms import templates as tpl
from weicha_desktop.core.forms.templates import TEMPLATES_DIR, TemplateShelf, load_templates

from support import forms, forms_dir

SPEC = forms().latest("scene_investigation")


@pytest.fixture
def parses(monkeypatch):
    """The paths of the template files parsed, in order."""
    seen, parse = [], tpl._parse
    monkeypatch.setattr(tpl, "_parse", lambda path, specs: seen.append(path.name) or parse(path, specs))
    return seen


@pytest.fixture
def folder(tmp_path):
    shutil.copytree(forms_dir() / TEMPLATES_DIR, tmp_path / "templates", ignore=shutil.ignore_patterns("__parsed__"))
    return tmp_path / "templates"


def test_read_once_while_the_files_stay_the_same(folder, parses):
    shelf = TemplateShelf(folder)
    first = shelf.templates(SPEC)
    assert first == load_templates(folder, SPEC) and len(first) == 7
    parses.clear()
    again = shelf.templates(SPEC)
    assert again == first and again is not first and parses == []
    assert TemplateShelf(folder).templates(SPEC) == first and len(parses) == 7  # per shelf, not per process


def test_read_again_when_a_file_changes_even_at_the_same_size_and_time(folder, parses):
    shelf = TemplateShelf(folder)
    shelf.templates(SPEC)
    path = folder / "burglary.yaml"
    before = path.stat()
    text = path.read_text(encoding="utf-8")
    assert "入室盗窃" in text
    path.write_text(text.replace("title: {zh: 入室盗窃", "title: {zh: 入户盗窃", 1), encoding="utf-8")  # same size
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size
    parses.clear()
    titles = {t.id: t.title.zh for t in shelf.templates(SPEC)}
    assert titles["burglary"] == "入户盗窃" and parses

    (folder / "robbery.yaml").unlink()  # a file gone, then one added
    assert "robbery" not in {t.id for t in shelf.templates(SPEC)}
    text = (forms_dir() / TEMPLATES_DIR / "robbery.yaml").read_text(encoding="utf-8")
    (folder / "robbery2.yaml").write_text(text.replace("id: robbery", "id: robbery2", 1), encoding="utf-8")
    assert "robbery2" in {t.id for t in shelf.templates(SPEC)}


def test_a_broken_file_is_said_every_time_until_it_is_mended(folder, parses):
    shelf = TemplateShelf(folder)
    good = shelf.templates(SPEC)
    path = folder / "generic.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "\nnot_a_key: 1\n", encoding="utf-8")
    for _ in range(2):  # the kept reading raises as the first did
        with pytest.raises(FormError, match="未知的键“not_a_key”"):
            shelf.templates(SPEC)
    path.write_text(text, encoding="utf-8")
    assert shelf.templates(SPEC) == good


def test_each_form_version_has_its_own_reading(folder, parses):
    older = FormRegistry(forms_dir()).get("scene_investigation", 1)
    shelf = TemplateShelf(folder)
    assert shelf.templates(SPEC) == load_templates(folder, SPEC)
    parses.clear()
    assert shelf.templates(older) == load_templates(folder, older) and parses  # checked against v1
    parses.clear()
    shelf.templates(SPEC), shelf.templates(older)
    assert parses == []
    assert TemplateShelf(folder / "none").templates(SPEC) == []  # no folder: no templates


def test_the_registry_reads_its_templates_once(parses):
    registry = FormRegistry(forms_dir(), older_later=True)
    spec = registry.latest("scene_investigation")
    assert registry.narrative_templates(spec) == load_templates(forms_dir() / TEMPLATES_DIR, spec)
    parses.clear()
    assert len(registry.narrative_templates(spec)) == 7 and parses == []
