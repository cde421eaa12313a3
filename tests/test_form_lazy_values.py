"""A case form's inputs are made a tab at a time (gui/forms/lazy.py): until then a field is read
from the values loaded, as its editor would give them back (``settle``), or, where that is not
certain, its tab's inputs are made at the load. These tests hold ``settle`` to the editors
themselves, value by value, and a lazily opened form to the same form with every input made."""
from __future__ import annotations

from typing import Any

import pytest

from gui_support import app, complete_values  # noqa: F401  (fixtures)
from module_folder import admin, cases, store  # noqa: F401
from support import forms
from weicha_desktop.core.demo import scene_values
from weicha_desktop.core.forms.spec import Field
from weicha_desktop.gui.forms.groups import make_editor
from weicha_desktop.gui.forms.lazy import settle
from weicha_desktop.gui.forms.view import FormView

# what a record may hold, well formed or not (synced, imported, older versions, hand-edited)
ODD: list[Any] = [None, "", "  ", "文本", " 前后空格 ", "两行\n文本", "a\xa0b", "x\r\ny", "\t制表", "a\x00b",
                  0, 5, -3, 2.5, 2.555, 0.125, 10**9 + 1, True, False,
                  "2024-05-06", "2024-5-6", "20240506", "1900-01-01", "1899-12-31", "2024/05/06",
                  "2024-05-06T10:20:30+08:00", "2024-05-06T10:20", "2024-05-06 10:20:30", "下午",
                  [], ["x"], {}, {"lat": 22.1, "lon": 108.6}, {"lat": 22.1234567, "lon": 1},
                  {"lat": 91, "lon": 0}, {"lat": 22.5}, {"alt": 3}, {"lat": 1, "lon": 2, "alt": None},
                  {"lat": 1, "lon": 2, "alt": 5.5}, {"lat": True, "lon": 2}, {"x": 1}]


def samples(field: Field) -> list[Any]:
    """Values for ``field``: the odd ones and what fits its type (choices, rows, persons)."""
    out = list(ODD) if field.type not in ("person", "repeat") else [None, "", [], {}, "文本", 5, ["x"]]
    values = [c.value for c in field.choices]
    if values:
        out += values + [values[::-1], values[:2], values[:1] * 2, [values[-1]], "未列出的值", 1]
        if field.other_value is not None:
            out += [field.other_value, [field.other_value]]
    subs = field.fields
    if field.type == "person":
        out += [{s.id: v for s in subs for v in samples(s)[i:i + 1]} for i in range(0, 60, 3)]
        out += [{subs[0].id: "张三", "extra": 1}, {subs[0].id: "张三", subs[-1].id: None}]
    if field.type == "repeat":
        rows = [{s.id: v for s in subs for v in samples(s)[i:i + 1]} for i in range(0, 60, 3)]
        out += [rows, [{}], [{}, {subs[0].id: "一行"}], ["不是一行"], [{"id": "H1", subs[0].id: ""}],
                [{subs[0].id: "  ", "note": ""}], [{"unshown": None}], "不是表"]
    return out


def others(field: Field) -> list[Any]:
    return [None, "", "  ", "说明", "两行\n说明", "a\xa0b"] if field.other_key else [None]


def all_fields(field: Field):
    yield field
    for sub in field.fields:
        yield from all_fields(sub)


@pytest.fixture(scope="module")
def specs():
    registry = forms()
    return [registry.latest(form_id) for form_id in registry.ids()]


def test_what_settle_is_sure_of_is_what_the_editor_gives_back(app, specs):
    """Every field of every form (and its sub-fields), every sample: where ``settle`` answers,
    it is what the editor, loaded with the same values, gives back; what it is not sure of is
    left to the editor."""
    sure = unsure = 0
    for spec in specs:
        for top in spec.all_fields():
            for field in all_fields(top):
                editor = make_editor(field)
                choices = [c.value for c in field.choices]
                for value in samples(field):
                    chosen = value in choices or isinstance(value, list) and value[:1] in ([v] for v in choices)
                    for other in others(field) if chosen else [None]:
                        data = {field.id: value} | ({field.other_key: other} if field.other_key else {})
                        guess = settle(field, data)
                        editor.load(data)
                        if guess is None:
                            unsure += 1
                        else:
                            sure += 1
                            assert guess == editor.values(), (spec.id, field.id, data, guess, editor.values())
    assert sure > 1500 and unsure > 1000, (sure, unsure)  # both kinds were tried, many times
    text = next(f for f in specs[0].all_fields() if f.type == "text")
    for long in ("x" * 32766, "x" * 32767):  # (a line input keeps 32767 characters at most)
        editor = make_editor(text)
        editor.load({text.id: long})
        assert settle(text, {text.id: long}) in (None, editor.values())


def test_a_demo_record_and_a_new_one_are_sure_everywhere(specs, cases):
    """What the program writes is read without its inputs: no tab of an opened case is made
    for it."""
    spec = next(s for s in specs if s.id == "scene_investigation")
    for data in (scene_values(3), complete_values(), cases.new_case().data):
        assert [f.id for f in spec.all_fields() if settle(f, data) is None] == []


@pytest.mark.parametrize("data, journalled", [
    pytest.param(lambda: scene_values(5), False, id="demo"),
    pytest.param(lambda: {}, False, id="new"),
    pytest.param(lambda: {"remarks": "改了", "witnesses": [{"name": "王五"}]}, True, id="journal"),
    pytest.param(lambda: {"temperature": 21.125, "humidity": 10**9 + 1, "remarks": "备注\r\n第二行",
                          "weather": "未列出的值", "protection_measures": ["cordon", "cordon"],
                          "scene_location": {"lat": 22.1, "alt": None}}, True, id="odd"),
])
def test_a_lazy_form_reads_as_the_form_with_every_input_made(app, qtbot, cases, data, journalled):
    """values / changes / current_data of a form opened lazily (from the record, or with
    edits in the recovery journal: no validation there) are those of the same form with every
    input made; a tab with a value its editor changes is made at the open (the editor says,
    as before), the others wait."""
    case = cases.new_case()
    values = {k: v for k, v in data().items() if k != "case_number"}
    (cases.autosave if journalled else cases.update)(case.id, values)
    view = FormView(cases, cases.get(case.id))
    qtbot.addWidget(view)
    made = [page.made for page in view.pages]
    lazy = (view.values(), view.changes(), view.current_data())
    view.make_all()
    assert (view.values(), view.changes(), view.current_data()) == lazy
    odd = {"conditions", "remarks", "protection", "time_place"} if "humidity" in values \
        and values["humidity"] > 100 else set()
    assert {s.id for s, m in zip(view.spec.sections, made) if m} == {view.spec.sections[0].id} | odd
