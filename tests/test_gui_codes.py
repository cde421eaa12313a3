"""Codes in the record, words on screen: a record of form v3 holds codes, one of v2 its Chinese
values; the form and the case list show both in words, and each keeps its own kind of value."""
from __future__ import annotations

import json

import pytest
from PySide6.QtWidgets import QCheckBox, QComboBox

from form_support import open_view
from gui_support import admin, app, cases, complete_values, dialogs, store  # noqa: F401
from support import raw_writes, values_as
from weicha_desktop.gui.cases.list import CaseListView

pytestmark = pytest.mark.usefixtures("dialogs")


@pytest.fixture
def two(cases):
    """(a v3 case, a case captured with form v2 — its data in v2's Chinese values)."""
    values = complete_values() | {"protection_measures": ["cordon", "other"],
                                  "protection_measures_other": "拉绳隔离"}
    new, old = cases.new_case(values), cases.new_case(values)
    v2 = cases.forms.get("scene_investigation", 2)
    with raw_writes(cases.store):
        cases.store.conn.execute(
            "UPDATE record_versions SET form_version = 2, data = ? WHERE record_id = ?",
            (json.dumps(values_as(v2, old.data), ensure_ascii=False), old.id))
    cases.update(old.id, {"recorder": "王五"})  # saved again: projected from v2's 入室盗窃
    return new, cases.get(old.id)


def test_a_v2_record_shows_its_words_and_keeps_its_values(app, qtbot, cases, two):
    new, old = two
    assert (new.data["case_type"], old.data["case_type"]) == ("burglary", "入室盗窃")
    for case, stored in ((new, ("burglary", "original", ["cordon", "other"])),
                         (old, ("入室盗窃", "原始现场", ["警戒带", "其他"]))):
        view = open_view(qtbot, cases, case.id)
        assert view.findChild(QComboBox, "field_case_type").currentText() == "入室盗窃"
        assert view.findChild(QComboBox, "field_scene_state").currentText() == "原始现场"
        boxes = [view.findChild(QCheckBox, f"field_protection_measures_{i}") for i in range(5)]
        assert [b.text() for b in boxes if b.isChecked()] == ["警戒带", "其他"]
        values = view.values()
        assert (values["case_type"], values["scene_state"], values["protection_measures"]) == stored
        # an edit is saved as the record's own version stores it
        view.findChild(QComboBox, "field_scene_state").setCurrentText("变动现场")
        assert view.values()["scene_state"] == ("altered" if case is new else "变动现场")
        view.close()


def test_the_list_shows_the_same_words_for_both(app, qtbot, cases, two):
    new, old = two
    rows = cases.store.conn.execute("SELECT id, case_type FROM cases").fetchall()
    assert dict(rows) == {new.id: "burglary", old.id: "burglary"}  # the projection: codes, also
    # of a v2 record (its 入室盗窃 by its code)
    widget = CaseListView(cases)
    qtbot.addWidget(widget)
    model = widget.model
    assert {model.index(r, 1).data() for r in range(model.rowCount())} == {"入室盗窃"}
    assert {model.index(r, 5).data() for r in range(model.rowCount())} == {"张伟"}  # record_people
    model.set_filter(text="入室")
    assert model.rowCount() == 2
    model.set_filter(text="扒窃")
    assert model.rowCount() == 0
