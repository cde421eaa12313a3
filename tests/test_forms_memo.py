"""A form file's spec is built once per process for the same bytes (core/forms/memo.py): a second
registry of the same folder builds nothing, and an edit — even within the same second, to the
same size — or another choice list is built afresh, never served stale."""
from __future__ import annotations

import os
import shutil

import pytest

from weicha_desktop.core.forms import FormRegistry, check
from weicha_desktop.resources import forms_dir


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """A copy of the shipped forms (paths no other test's registry used) and a count of builds."""
    d = tmp_path / "forms"
    shutil.copytree(forms_dir(), d, ignore=shutil.ignore_patterns("__parsed__"))
    built = []
    real = check.parse_form
    monkeypatch.setattr(check, "parse_form", lambda *a: built.append(a[0]) or real(*a))
    return d, built


def test_a_second_registry_of_the_same_forms_builds_none(folder):
    d, built = folder
    first = FormRegistry(d)
    assert built  # the first reading built them
    built.clear()
    second = FormRegistry(d)
    assert built == []
    assert second.latest("scene_investigation") == first.latest("scene_investigation")
    assert second.versions("scene_investigation") == first.versions("scene_investigation")


def test_an_edit_in_the_same_second_to_the_same_size_is_read(folder):
    d, built = folder
    form = d / "scene_investigation.yaml"
    text = form.read_text("utf-8")
    title = FormRegistry(d).latest("scene_investigation").title.zh
    assert len(title) >= 2
    changed = title[:-1] + ("甲" if title[-1] != "甲" else "乙")  # the same length in UTF-8
    stat = form.stat()
    form.write_text(text.replace(f"title: {{zh: {title},", f"title: {{zh: {changed},", 1), encoding="utf-8")
    os.utime(form, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # the same mtime, the same size
    assert form.stat().st_size == stat.st_size and form.stat().st_mtime_ns == stat.st_mtime_ns
    built.clear()
    assert FormRegistry(d).latest("scene_investigation").title.zh == changed
    assert [p.name for p in built] == ["scene_investigation.yaml"]  # only the file that changed


def test_another_choice_list_builds_the_forms_again(folder):
    d, built = folder
    FormRegistry(d)
    choices = sorted((d / "choices").glob("*.yaml"))[0]
    choices.write_text(choices.read_text("utf-8") + "\n# 注释\n", encoding="utf-8")
    built.clear()
    FormRegistry(d)
    assert len(built) == len(list(d.rglob("*.yaml"))) - len(list((d / "choices").glob("*.yaml"))) \
        - len(list((d / "templates").rglob("*.yaml")))


def test_a_broken_edit_is_reported_not_the_spec_kept_before(folder):
    d, _ = folder
    FormRegistry(d)
    form = d / "scene_investigation.yaml"
    form.write_text(form.read_text("utf-8") + "\n  - [\n", encoding="utf-8")
    with pytest.raises(Exception) as e:
        FormRegistry(d)
    assert "scene_investigation.yaml" in str(e.value)
