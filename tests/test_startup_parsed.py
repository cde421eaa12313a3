"""What a form file parsed to is kept beside it (``__parsed__/<name>.json``, core/forms/yamlsrc.py)
and used while the file keeps its bytes: a start reads the forms without PyYAML (issue 10 §6).
Never trusted past the YAML: another file's, a changed file's or a damaged one is not used."""
from __future__ import annotations

import json
import shutil
from datetime import date

import pytest

from test_forms_yaml import same
from weicha_desktop.core.forms import FormRegistry, yamlsrc
from weicha_desktop.core.forms.yamlsrc import parsed_path, read_yaml
from weicha_desktop.resources import forms_dir

FORM = """id: sample
version: 1
title: {zh: 样例, en: Sample}
sections:
  - id: main
    id: again
    fields:
      - {id: a, type: text}
      - {id: a, type: text}
"""


@pytest.fixture
def form(tmp_path):
    path = tmp_path / "sample.yaml"
    path.write_text(FORM, encoding="utf-8")
    return path


def no_parsing(monkeypatch) -> None:
    def refused(*_args, **_kwargs):
        raise AssertionError("parsed again")

    monkeypatch.setattr(yamlsrc, "parse_yaml", refused)


def test_a_file_is_parsed_once_and_then_read_as_it_parsed(form, monkeypatch):
    first = read_yaml(form)
    kept = parsed_path(form)
    assert kept == form.parent / "__parsed__" / "sample.yaml.json" and kept.is_file()
    no_parsing(monkeypatch)
    again = read_yaml(form)
    same(again, first, "sample")  # lines, key lines and repeated keys too
    assert again["sections"][0]["fields"][1].line == 9
    assert again["sections"][0].duplicates == [("id", 6)] and again["sections"][0]["id"] == "again"


def test_a_changed_file_is_parsed_again(form, monkeypatch):
    read_yaml(form)
    form.write_text(FORM.replace("样例", "改过的样例"), encoding="utf-8")
    assert read_yaml(form)["title"]["zh"] == "改过的样例"
    no_parsing(monkeypatch)
    assert read_yaml(form)["title"]["zh"] == "改过的样例"  # kept anew


def test_what_is_kept_for_other_bytes_or_damaged_is_not_used(form, tmp_path):
    other = tmp_path / "other.yaml"
    other.write_text(FORM.replace("样例", "别的"), encoding="utf-8")
    read_yaml(other)
    shutil.copy(parsed_path(other), parsed_path(form))  # another file's parse in its place
    assert read_yaml(form)["title"]["zh"] == "样例"
    parsed_path(form).write_text('{"format": 1, "sha256": "x", "tree": [', encoding="utf-8")
    assert read_yaml(form)["title"]["zh"] == "样例"
    kept = json.loads(parsed_path(form).read_text(encoding="utf-8"))
    assert kept["format"] == yamlsrc.PARSED_FORMAT and len(kept["sha256"]) == 64


def test_nothing_is_kept_where_it_cannot_be_written_or_json_cannot_hold_it(form, tmp_path, monkeypatch):
    (tmp_path / "__parsed__").write_text("a file, not a folder", encoding="utf-8")
    assert read_yaml(form)["id"] == "sample"  # parsed, nothing written, no error
    dated = tmp_path / "sub" / "dated.yaml"
    dated.parent.mkdir()
    dated.write_text("id: x\nwhen: 2026-12-01\n", encoding="utf-8")
    assert read_yaml(dated)["when"] == date(2026, 12, 1)
    assert not parsed_path(dated).exists()  # JSON would give back a string


def test_the_shipped_forms_read_from_what_they_parsed_to_are_the_same(monkeypatch, tmp_path):
    folder = shutil.copytree(forms_dir(), tmp_path / "forms")
    parsed = FormRegistry(folder)
    no_parsing(monkeypatch)
    again = FormRegistry(folder)
    assert again.versions("scene_investigation") == parsed.versions("scene_investigation")
    for version in parsed.versions("scene_investigation"):
        assert again.get("scene_investigation", version) == parsed.get("scene_investigation", version)
    assert again.choices("case_types") == parsed.choices("case_types")
