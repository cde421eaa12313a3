"""Hostile review (issue 9, lazy inputs): a record written by an older version, a sync or an
import may hold values the form's inputs cannot show (an integer of 10**12, NaN, a number
as the “其他” text). The form opens it, shows what is stored, changes nothing the user did
not touch, and the save says in Chinese what is wrong; the user can still empty the field."""
from __future__ import annotations

import json
import math

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractSpinBox, QLineEdit

from form_support import open_view, problems
from gui_support import app, child, dialogs, type_into  # noqa: F401  (fixtures)
from module_folder import admin, cases, store  # noqa: F401  (each test makes its own case)
from support import raw_writes

pytestmark = pytest.mark.usefixtures("dialogs")


def stored_by_an_older_version(cases, values: dict) -> str:
    """A draft whose stored data holds ``values`` as they are (no validation on the way)."""
    case = cases.new_case()
    data = {**case.data, **values}
    with raw_writes(cases.store), cases.store.conn:
        cases.store.conn.execute("UPDATE record_versions SET data = ? WHERE id = ?",
                                 (json.dumps(data, ensure_ascii=False), case.version_id))
    return case.id


def same(a, b) -> bool:
    return a == b or (isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b))


ODD = [  # field, stored value, the text its input shows, the tab
    pytest.param("humidity", 10**12, "1000000000000", "conditions", id="integer-10**12"),
    pytest.param("sketch_count", -10**12, "-1000000000000", "counts", id="integer--10**12"),
    pytest.param("humidity", float("nan"), "nan", "conditions", id="integer-NaN"),
    pytest.param("analysis_offenders", float("inf"), "inf", "analysis", id="integer-inf"),
    pytest.param("humidity", "80", "80", "conditions", id="integer-a-string"),
    pytest.param("temperature", float("nan"), "nan", "conditions", id="decimal-NaN"),
    pytest.param("temperature", "21度", "21度", "conditions", id="decimal-a-string"),
]


@pytest.mark.parametrize("field_id, value, text, section", ODD)
def test_a_number_its_input_cannot_hold_opens_is_shown_and_is_kept(app, qtbot, cases, field_id, value,
                                                                    text, section):
    case_id = stored_by_an_older_version(cases, {field_id: value})
    view = open_view(qtbot, cases, case_id)  # (crashed: OverflowError, ValueError)
    assert view.changes() == {}  # nothing the user did not touch would change
    view.tabs.setCurrentIndex([s.id for s in view.spec.sections].index(section))
    spin = child(view, QAbstractSpinBox, f"field_{field_id}")
    assert spin.text().strip() == text  # shown as stored, not an empty box, not 60.0
    assert view.changes() == {}
    edit = child(view, QLineEdit, "field_assigning_unit")
    type_into(qtbot, edit, "钦北派出所")
    assert view.save() is False  # the stored value is wrong: the save says so, in Chinese
    assert any(("应为" in p or "不能大于" in p or "不能小于" in p) for p in problems(view)), problems(view)
    assert same(cases.get(case_id).data[field_id], value)  # kept, byte for byte
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClick(spin, Qt.Key.Key_Delete)  # the user may still empty it
    assert spin.text().strip() == ""
    assert view.changes()[field_id] is None
    assert view.save() is True
    assert field_id not in cases.get(case_id).data and cases.get(case_id).data["assigning_unit"] == "钦北派出所"


@pytest.mark.parametrize("other", [5, 0, 2.5])
def test_a_number_as_the_other_text_opens_is_shown_and_is_kept(app, qtbot, cases, other):
    case_id = stored_by_an_older_version(cases, {"weather": "other", "weather_other": other})
    view = open_view(qtbot, cases, case_id)  # (crashed: QLineEdit.setText(int); 0 was lost)
    assert view.changes() == {}
    view.tabs.setCurrentIndex([s.id for s in view.spec.sections].index("conditions"))
    line = child(view, QLineEdit, "field_weather_other")
    assert line.text() == str(other)
    assert view.changes() == {}
    assert view.save() is True  # nothing changed: nothing to refuse
    assert cases.get(case_id).data["weather_other"] == other and type(cases.get(case_id).data["weather_other"]) is type(other)
    line.selectAll()
    type_into(qtbot, line, "雾")
    line.setText("雾")
    assert view.changes() == {"weather_other": "雾"}
    assert view.save() is True and cases.get(case_id).data["weather_other"] == "雾"


@pytest.mark.parametrize("values", [
    pytest.param({"analysis_date": "2024-02-30"}, id="date-no-such-day"),
    pytest.param({"occurred_from": 5}, id="datetime-a-number"),
    pytest.param({"occurred_from": "下午三点"}, id="datetime-words"),
    pytest.param({"protection_measures": ["cordon", "zzz"]}, id="multichoice-unknown-code"),
    pytest.param({"protection_measures": "cordon"}, id="multichoice-not-a-list"),
    pytest.param({"protection_measures": ["guarded", "cordon"]}, id="multichoice-order"),
    pytest.param({"scene_location": {"lat": float("nan"), "lon": 108.1}}, id="geopoint-NaN"),
    pytest.param({"scene_location": {"lat": "22", "lon": 108.1}}, id="geopoint-text"),
    pytest.param({"reporter": {"name": "甲", "phone": 13800000000}}, id="person-number-as-text"),
    pytest.param({"recorder": 5, "no_witness_reason": ["x"]}, id="text-not-text"),
])
def test_what_an_input_cannot_show_is_not_changed_by_opening_the_case(app, qtbot, cases, values):
    """Opened, every tab shown, nothing typed: the form would change nothing (was: a date that
    is no date, a time as a number or words, an unknown 保护措施 code deleted or dropped, NaN
    latitude saved as 90.0, numbers turned into text) — the save of any other edit wrote it."""
    case_id = stored_by_an_older_version(cases, values)
    view = open_view(qtbot, cases, case_id)
    assert view.changes() == {}
    for index in range(len(view.pages)):
        view.tabs.setCurrentIndex(index)
    assert view.changes() == {}
    stored = cases.get(case_id).data
    view.save()  # (refused or not: the stored values stay)
    assert all(same(cases.get(case_id).data[k], stored[k]) or cases.get(case_id).data[k] == stored[k]
               for k in values)


def test_a_date_that_is_no_date_is_shown_and_the_user_may_empty_or_replace_it(app, qtbot, cases):
    case_id = stored_by_an_older_version(cases, {"analysis_date": "2024-02-30", "occurred_from": "下午三点"})
    view = open_view(qtbot, cases, case_id)
    view.tabs.setCurrentIndex([s.id for s in view.spec.sections].index("analysis"))
    date = child(view, QAbstractSpinBox, "field_analysis_date")
    assert date.text() == "2024-02-30"
    date.setFocus()
    date.selectAll()
    qtbot.keyClick(date, Qt.Key.Key_Delete)
    assert date.text().strip() == "" and view.changes() == {"analysis_date": None}
    view.tabs.setCurrentIndex([s.id for s in view.spec.sections].index("cause"))
    when = child(view, QAbstractSpinBox, "field_occurred_from")
    assert when.text() == "下午三点"
    when.stepBy(1)  # an arrow from 'empty' starts from now, as on an empty input
    assert view.changes()["occurred_from"] not in (None, "下午三点")


def test_a_long_stored_text_in_a_number_or_date_field_does_not_widen_the_form(app, qtbot, cases):
    """A held value is shown as the input's text, and an input is as wide as its text: 5,000
    characters made the 湿度 input (and the form) 35,000 px wide. Its beginning is shown,
    the whole is kept."""
    text = "旧版本" * 2000
    case_id = stored_by_an_older_version(cases, {"humidity": text, "analysis_date": "x\n" * 100})
    view = open_view(qtbot, cases, case_id)
    view.tabs.setCurrentIndex([s.id for s in view.spec.sections].index("conditions"))
    spin = child(view, QAbstractSpinBox, "field_humidity")
    assert spin.minimumSizeHint().width() < 600 and spin.text().startswith("旧版本旧版本")
    view.tabs.setCurrentIndex([s.id for s in view.spec.sections].index("analysis"))
    date = child(view, QAbstractSpinBox, "field_analysis_date")
    assert date.minimumSizeHint().width() < 600 and "\n" not in date.text()
    assert view.changes() == {} and view.values()["humidity"] == text
