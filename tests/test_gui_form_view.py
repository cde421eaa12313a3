"""The case form rendered from the FormSpec: widgets per type, values(), 保存 / 检查 / 定稿."""
from __future__ import annotations

from datetime import datetime

import pytest
from PySide6.QtCore import QDate, QDateTime, QTime, Qt
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDateEdit, QDateTimeEdit, QDoubleSpinBox,
                               QGroupBox, QLabel, QLineEdit, QListWidget, QMessageBox,
                               QPlainTextEdit, QPushButton, QSpinBox, QTableWidget, QTabWidget,
                               QWidget)

from gui_support import (admin, app, cases, child, complete_values, dialogs, forms,  # noqa: F401
                         store, type_into)
from weicha_desktop.gui.forms.view import FormView

pytestmark = pytest.mark.usefixtures("dialogs")


@pytest.fixture
def spec():
    return forms().latest("scene_investigation")


def open_view(qtbot, cases, values=None) -> FormView:
    case = cases.new_case(values or {})
    view = FormView(cases, case)
    qtbot.addWidget(view)
    view.resize(1100, 700)
    view.show()
    return view


def click(qtbot, view, name: str) -> None:
    qtbot.mouseClick(child(view, QPushButton, name), Qt.MouseButton.LeftButton)


def problems(view) -> list[str]:
    lst = child(view, QListWidget, "problemList")
    return [lst.item(i).text() for i in range(lst.count())]


def test_one_tab_per_section_and_a_widget_per_field(app, qtbot, cases, spec):
    view = open_view(qtbot, cases)
    tabs = child(view, QTabWidget, "formTabs")
    assert [tabs.tabText(i) for i in range(tabs.count())] == [s.title.zh for s in spec.sections]
    expected = {"text": QLineEdit, "textarea": QPlainTextEdit, "integer": QSpinBox,
                "decimal": QDoubleSpinBox, "date": QDateEdit, "datetime": QDateTimeEdit,
                "choice": QComboBox, "person": QGroupBox, "repeat": QTableWidget,
                "boolean": QCheckBox, "photos": QLabel, "multichoice": QWidget,
                "geopoint": QWidget}
    for field in spec.all_fields():
        widget = view.findChild(QWidget, f"field_{field.id}")
        assert isinstance(widget, expected[field.type]), f"{field.id} ({field.type}): {widget}"
    assert child(view, QDoubleSpinBox, "field_temperature").suffix() == " °C"  # ℃ has no ink
    assert child(view, QSpinBox, "field_humidity").suffix() == " %"
    assert child(view, QLineEdit, "field_reporter.name")
    assert child(view, QDoubleSpinBox, "field_scene_location.lat")
    assert child(view, QCheckBox, "field_protection_measures_0").text() == "警戒带"
    # required fields carry a red star; optional ones do not (rows made as a tab is first shown)
    for index in range(tabs.count()):
        tabs.setCurrentIndex(index)
    labels = [w.text() for w in view.findChildren(QLabel)]
    assert any("color:#d32f2f" in t and "发案地点" in t for t in labels)
    assert any(t == "备注" for t in labels)


def test_typing_a_text_field_and_saving_persists(app, qtbot, cases):
    view = open_view(qtbot, cases, {"recorder": None})  # not prefilled: typed here
    edit = child(view, QLineEdit, "field_incident_address")
    type_into(qtbot, edit, "钦州市钦南区永福路 12 号")
    type_into(qtbot, child(view, QLineEdit, "field_recorder"), "Zhang Wei")
    assert view.is_dirty()
    click(qtbot, view, "saveButton")
    stored = cases.get(view.case.id).data
    assert stored["incident_address"] == "钦州市钦南区永福路 12 号"
    assert stored["recorder"] == "Zhang Wei"
    assert not view.is_dirty()
    assert child(view, QLabel, "formMessage").text().startswith("已保存")

    edit.clear()  # an emptied input clears the stored value
    click(qtbot, view, "saveButton")
    assert "incident_address" not in cases.get(view.case.id).data


def test_an_invalid_id_number_of_a_witness_is_a_chinese_problem(app, qtbot, cases, spec):
    view = open_view(qtbot, cases)
    click(qtbot, view, "field_witnesses_add")
    table = child(view, QTableWidget, "field_witnesses")
    cols = {f.id: i for i, f in enumerate(spec.field("witnesses").fields)}
    table.item(0, cols["name"]).setText("王芳")
    table.item(0, cols["id_number"]).setText("110105194912310021")  # wrong check character
    click(qtbot, view, "saveButton")

    found = problems(view)
    assert len(found) == 1
    assert "见证人" in found[0] and "身份证号" in found[0] and "校验位" in found[0]
    assert found[0].startswith("【参加人员】")
    assert child(view, QLabel, "formMessage").text().startswith("未保存")
    assert "witnesses" not in cases.get(view.case.id).data

    lst = child(view, QListWidget, "problemList")
    lst.itemActivated.emit(lst.item(0))  # double-click/Enter: go to the field
    tabs = child(view, QTabWidget, "formTabs")
    assert tabs.tabText(tabs.currentIndex()) == "参加人员"
    assert (table.currentRow(), table.currentColumn()) == (0, cols["id_number"])

    table.item(0, cols["id_number"]).setText("11010519491231002X")
    table.item(0, cols["gender"]).setText("女")
    click(qtbot, view, "saveButton")
    assert problems(view) == []
    assert cases.get(view.case.id).data["witnesses"] == [  # 出生日期: from the ID number
        {"name": "王芳", "id_number": "11010519491231002X", "gender": "female",
         "birth_date": "1949-12-31"}]


def test_values_have_the_shapes_of_the_record(app, qtbot, cases):
    view = open_view(qtbot, cases)
    child(view, QDateTimeEdit, "field_started_at").setDateTime(
        QDateTime(QDate(2026, 11, 27), QTime(9, 30)))
    child(view, QDoubleSpinBox, "field_temperature").setValue(18.5)
    child(view, QSpinBox, "field_humidity").setValue(70)
    child(view, QSpinBox, "field_sketch_count").setValue(0)
    child(view, QComboBox, "field_weather").setCurrentText("多云")
    child(view, QCheckBox, "field_protection_measures_0").setChecked(True)
    child(view, QCheckBox, "field_protection_measures_4").setChecked(True)  # 其他
    type_into(qtbot, child(view, QLineEdit, "field_protection_measures_other"), "拉绳隔离")
    child(view, QDoubleSpinBox, "field_scene_location.lat").setValue(21.95)
    child(view, QDoubleSpinBox, "field_scene_location.lon").setValue(108.62)
    type_into(qtbot, child(view, QLineEdit, "field_reporter.name"), "李娜")
    type_into(qtbot, child(view, QLineEdit, "field_reporter.phone"), "13807770001")
    child(view, QPlainTextEdit, "field_remarks").setPlainText("无")

    values = view.values()
    started = values.pop("started_at")
    assert datetime.fromisoformat(started).tzinfo is not None  # ISO-8601 with offset
    assert started.startswith("2026-11-27T09:30:00")
    assert values == {
        "temperature": 18.5, "humidity": 70, "sketch_count": 0, "weather": "cloudy",
        "protection_measures": ["cordon", "other"], "protection_measures_other": "拉绳隔离",
        "scene_location": {"lat": 21.95, "lon": 108.62},
        "reporter": {"name": "李娜", "phone": "13807770001"}, "remarks": "无",
        # prefilled for a new case (core/prefill.py): the unit, the user, the photo count
        "investigating_unit": "钦州市公安局钦南分局刑侦大队", "recorder": "admin", "photographer": "admin",
        "investigators": [{"name": "admin", "unit": "钦州市公安局钦南分局刑侦大队"}], "photo_total": 0,
    }
    assert "case_number" not in values  # system field: shown, never sent
    click(qtbot, view, "saveButton")
    assert problems(view) == []
    stored = cases.get(view.case.id).data
    assert stored["scene_location"] == {"lat": 21.95, "lon": 108.62}
    assert stored["started_at"] == started


def test_a_loaded_record_shows_unchanged(app, qtbot, cases):
    """Loading then reading back must not invent changes (offsets, seconds, ints stay)."""
    values = complete_values() | {"temperature": 18, "started_at": "2026-11-27T09:00:30+09:00",
                                  "scene_location": {"lat": 21.9512345, "lon": 108.6, "alt": 12.5}}
    view = open_view(qtbot, cases, values)
    assert view.changes() == {}
    assert child(view, QDateTimeEdit, "field_started_at").dateTime().toString("yyyy-MM-dd HH:mm") \
        == "2026-11-27 09:00"  # as recorded, not converted to this computer's zone
    child(view, QDateTimeEdit, "field_started_at").setDateTime(QDateTime(QDate(2026, 11, 27), QTime(9, 5)))
    assert view.changes() == {"started_at": "2026-11-27T09:05:00+09:00"}  # the record's offset kept


def test_check_lists_blockers_and_finalize_locks_the_view(app, qtbot, cases, dialogs):
    view = open_view(qtbot, cases)
    click(qtbot, view, "checkButton")
    blockers = problems(view)
    assert any("必填" in p for p in blockers) and any("见证人" in p for p in blockers)
    click(qtbot, view, "finalizeButton")
    assert cases.get(view.case.id).status == "draft"
    assert child(view, QLabel, "formMessage").text().startswith("不能定稿")

    done = open_view(qtbot, cases, complete_values())
    click(qtbot, done, "checkButton")
    assert problems(done) == [] and "可以定稿" in child(done, QLabel, "formMessage").text()
    dialogs.answers.append(QMessageBox.StandardButton.Yes)  # “确定定稿吗？”
    click(qtbot, done, "finalizeButton")
    assert dialogs.shown and dialogs.shown[-1][0] == "question"
    case = cases.get(done.case.id)
    assert case.status == "finalized" and case.content_hash
    assert "已定稿" in child(done, QLabel, "formTitle").text()
    assert child(done, QLineEdit, "field_recorder").isReadOnly()
    assert not child(done, QComboBox, "field_weather").isEnabled()
    assert child(done, QTableWidget, "field_investigators").editTriggers() == \
        QTableWidget.EditTrigger.NoEditTriggers
    assert not child(done, QPushButton, "field_investigators_add").isVisible()
    for name in ("saveButton", "checkButton", "finalizeButton"):
        assert not child(done, QPushButton, name).isEnabled()


def test_evidence_rows_get_their_h_number_once(app, qtbot, cases, spec):
    view = open_view(qtbot, cases)
    click(qtbot, view, "field_evidence_add")
    table = child(view, QTableWidget, "field_evidence")
    cols = {f.id: i for i, f in enumerate(spec.field("evidence").fields)}
    number_cell = table.item(0, cols["number"])
    assert not number_cell.flags() & Qt.ItemFlag.ItemIsEditable  # system field
    table.item(0, cols["name"]).setText("灰尘减层手印")
    table.item(0, cols["category"]).setText("手印")
    table.item(0, cols["quantity"]).setText("2")
    click(qtbot, view, "saveButton")
    assert problems(view) == []
    number = table.item(0, cols["number"]).text()
    assert number.startswith("H") and len(number) == 23
    stored = cases.get(view.case.id).data["evidence"]
    assert stored == [{"number": number, "name": "灰尘减层手印", "category": "fingerprint", "quantity": 2,
                       "method": "powder",  # what a 手印 usually takes (forms/choices)
                       "comparison_status": "not_sent",  # a new row starts from the row defaults
                       "collector": "admin", "collected_at": "2026-11-27T09:00:00+08:00"}]  # and prefills

    table.item(0, cols["location"]).setText("窗台内侧")
    click(qtbot, view, "saveButton")
    assert [r["number"] for r in cases.get(view.case.id).data["evidence"]] == [number]
    assert not view.is_dirty()


def test_an_empty_date_stays_out_until_set_and_can_be_emptied(app, qtbot, cases):
    view = open_view(qtbot, cases)
    edit = child(view, QDateTimeEdit, "field_received_at")
    assert "received_at" not in view.values()
    qtbot.mouseClick(edit.lineEdit(), Qt.MouseButton.LeftButton)  # a click fills “now”
    filled = view.values()["received_at"]
    assert datetime.fromisoformat(filled).tzinfo is not None
    edit.lineEdit().selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    assert "received_at" not in view.values()
    spin = child(view, QSpinBox, "field_video_minutes")
    qtbot.keyClicks(spin, "45")
    assert view.values()["video_minutes"] == 45
