"""The form while typing: fields across tabs, ``relevant`` showing and hiding rows live,
messages next to the field, keyboard-only use, English labels."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QDateTimeEdit, QLabel, QLineEdit, QPlainTextEdit,
                               QPushButton, QSpinBox, QTableWidget, QTabWidget)

from form_support import focused, open_view, problems, shown
from gui_support import (admin, app, cases, child, dialogs, forms,  # noqa: F401
                         store, type_into)

pytestmark = pytest.mark.usefixtures("dialogs")


@pytest.fixture
def spec():
    return forms().latest("scene_investigation")


def columns(spec, group: str) -> dict[str, int]:
    return {f.id: i for i, f in enumerate(spec.field(group).fields)}


def test_fill_fields_across_tabs_and_save_with_the_keyboard(app, qtbot, cases):
    case = cases.new_case({"investigating_unit": None})  # not prefilled: typed here
    view = open_view(qtbot, cases, case.id)
    type_into(qtbot, child(view, QLineEdit, "field_investigating_unit"), "钦州市公安局刑事科学技术室")
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)  # the tab order follows the fields
    assert focused() is child(view, QLineEdit, "field_assigning_unit")
    type_into(qtbot, focused(), "Nanzhu PS")
    qtbot.keyClick(focused(), Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    tabs = child(view, QTabWidget, "formTabs")
    assert tabs.currentIndex() == 1 and focused() is child(view, QDateTimeEdit, "field_reported_at")
    type_into(qtbot, child(view, QLineEdit, "field_incident_address"), "钦州市钦南区永福路 12 号")
    child(view, QComboBox, "field_case_type").setCurrentText("入室盗窃")
    for _ in range(5):
        qtbot.keyClick(focused(), Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    assert tabs.tabText(tabs.currentIndex()) == "图像资料"
    assert focused() is child(view, QSpinBox, "field_video_minutes")  # 现场图: 1 (its default)
    child(view, QSpinBox, "field_sketch_count").setFocus()
    qtbot.keyClick(focused(), Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(focused(), "2")
    qtbot.keyClick(focused(), Qt.Key.Key_PageUp, Qt.KeyboardModifier.ControlModifier)
    assert tabs.tabText(tabs.currentIndex()) == "现场勘验情况"
    assert "Ctrl+S" in child(view, QPushButton, "saveButton").toolTip()
    assert "Ctrl+Shift+F" in child(view, QPushButton, "finalizeButton").toolTip()
    qtbot.keyClick(focused(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    data = cases.get(case.id).data
    assert (data["investigating_unit"], data["assigning_unit"], data["case_type"], data["sketch_count"]) \
        == ("钦州市公安局刑事科学技术室", "Nanzhu PS", "burglary", 2)  # picked by its words, kept as its code
    assert data["incident_address"] == "钦州市钦南区永福路 12 号"
    assert child(view, QLabel, "formMessage").text().startswith("已保存")


def test_a_wrong_id_number_is_shown_next_to_the_field(app, qtbot, cases, spec):
    view = open_view(qtbot, cases, cases.new_case().id, autosave_ms=100)  # the typing pause: 0.1 s
    view.tabs.setCurrentIndex(7)  # 参加人员
    qtbot.mouseClick(child(view, QPushButton, "field_witnesses_add"), Qt.MouseButton.LeftButton)
    table = child(view, QTableWidget, "field_witnesses")
    cols = columns(spec, "witnesses")
    assert (table.currentRow(), table.currentColumn()) == (0, 0)  # ready to type the name
    table.item(0, cols["name"]).setText("王芳")
    table.item(0, cols["id_number"]).setText("110105194912310021")  # wrong check character
    qtbot.waitUntil(lambda: (view.findChild(QLabel, "error_witnesses") or QLabel()).isVisible(),
                    timeout=2000)  # after the typing pause, no save needed (made when first needed)
    error = child(view, QLabel, "error_witnesses")
    assert error.text() == "第1行 身份证号：校验位不符（应为 X）"
    cell = table.item(0, cols["id_number"])
    assert cell.background().color().name() == "#fde7e9" and "校验位" in cell.toolTip()
    assert table.item(0, cols["name"]).toolTip() == ""
    table.item(0, cols["id_number"]).setText("11010519491231002X")
    view.flush()
    assert not error.isVisible() and cell.toolTip() == ""


def test_relevant_shows_and_hides_rows_live(app, qtbot, cases, spec):
    view = open_view(qtbot, cases, cases.new_case().id)
    assert not shown(view, "change_reason")
    child(view, QComboBox, "field_scene_state").setCurrentText("变动现场")
    assert shown(view, "change_reason")  # at once, not after a save
    child(view, QComboBox, "field_scene_state").setCurrentText("原始现场")
    assert not shown(view, "change_reason")

    assert shown(view, "no_witness_reason")  # no witness yet: say why
    table = child(view, QTableWidget, "field_witnesses")
    qtbot.mouseClick(child(view, QPushButton, "field_witnesses_add"), Qt.MouseButton.LeftButton)
    assert shown(view, "no_witness_reason")  # an empty row is no witness
    table.item(0, columns(spec, "witnesses")["name"]).setText("王芳")
    assert not shown(view, "no_witness_reason")
    qtbot.mouseClick(child(view, QPushButton, "field_witnesses_remove"), Qt.MouseButton.LeftButton)
    assert table.rowCount() == 0 and shown(view, "no_witness_reason")

    # inside a table: 比对日期 applies only once the row is 比中 / 未比中
    qtbot.mouseClick(child(view, QPushButton, "field_evidence_add"), Qt.MouseButton.LeftButton)
    evidence = child(view, QTableWidget, "field_evidence")
    cols = columns(spec, "evidence")
    compared_on = evidence.item(0, cols["compared_on"])
    assert not compared_on.flags() & Qt.ItemFlag.ItemIsEditable
    evidence.item(0, cols["comparison_status"]).setText("比中")
    assert compared_on.flags() & Qt.ItemFlag.ItemIsEditable


def test_english_labels_from_the_form(app, qtbot, cases):
    view = open_view(qtbot, cases, cases.new_case().id, lang="en")
    tabs = child(view, QTabWidget, "formTabs")
    assert tabs.tabText(0) == "Header" and tabs.tabText(5) == "Scene findings"
    for index in range(tabs.count()):  # (a tab's rows are made when it is first shown)
        tabs.setCurrentIndex(index)
    labels = [w.text() for w in view.findChildren(QLabel)]
    assert any("Place of the incident" in t for t in labels)
    assert child(view, QComboBox, "field_scene_state").itemText(1) == "Original"
    assert child(view, QLabel, "formTitle").text().startswith("Scene Investigation Record")
    child(view, QComboBox, "field_scene_state").setCurrentIndex(2)
    assert view.values()["scene_state"] == "altered"  # the data keeps the form's values (codes)


def test_save_problems_are_listed_and_follow_the_fixes(app, qtbot, cases):
    view = open_view(qtbot, cases, cases.new_case().id)
    humidity = child(view, QSpinBox, "field_humidity")
    type_into(qtbot, child(view, QLineEdit, "field_reporter.phone"), "12345")
    qtbot.keyClick(humidity, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert problems(view) == ["【勘验事由】报警人 电话：手机号应为11位（现为5位）"]
    edit = child(view, QLineEdit, "field_reporter.phone")
    edit.clear()
    type_into(qtbot, edit, "13807770001")
    view.flush()  # the list follows the edits
    assert problems(view) == []
    assert "可以保存" in child(view, QLabel, "formMessage").text()
    child(view, QPlainTextEdit, "field_remarks").setPlainText("无")
    assert view.save() and cases.get(view.case.id).data["remarks"] == "无"


def test_the_same_problems_again_leave_the_list_as_it_is(app, qtbot, cases):
    """The live check after every pause in typing: the same problems again keep the list's
    items and the one chosen (made again, the list was laid out and painted again each time,
    and its scroll went back to the top); other problems make it again."""
    view = open_view(qtbot, cases, cases.new_case().id)
    view.check()  # what blocks finalizing; the list then follows the edits
    items = view.panel.list
    before = problems(view)
    assert len(before) > 3 and "报警时间" in "".join(before)
    items.item(0).setData(Qt.ItemDataRole.UserRole + 77, "the same item")
    items.setCurrentRow(2)
    child(view, QPlainTextEdit, "field_remarks").setPlainText("无")  # no problem comes or goes
    view.flush()
    assert problems(view) == before and items.currentRow() == 2
    assert items.item(0).data(Qt.ItemDataRole.UserRole + 77) == "the same item"
    type_into(qtbot, child(view, QLineEdit, "field_assigning_unit"), "钦南派出所")  # one fixed
    view.flush()
    assert len(problems(view)) == len(before) - 1 and items.item(0).data(Qt.ItemDataRole.UserRole + 77) is None
