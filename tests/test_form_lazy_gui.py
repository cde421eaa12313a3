"""A case form makes a tab's inputs when the tab is first needed (gui/forms/lazy.py). What reads
or fills the record across tabs must not notice: saving, the journal, validation and its
problem list, read-only display, the template offer, fields that follow others, find by name."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QComboBox, QLineEdit, QListWidget, QPlainTextEdit, QPushButton, QTableWidget

from form_support import focused, open_view, problems
from gui_support import app, child, complete_values, dialogs, type_into  # noqa: F401  (fixtures)
from module_folder import admin, cases, store  # noqa: F401  (each test makes its own case)
from weicha_desktop.core.demo import scene_values

pytestmark = pytest.mark.usefixtures("dialogs")


def made(view) -> list[str]:
    return [s.id for s, page in zip(view.spec.sections, view.pages) if page.made]


def tab(view, section_id: str) -> int:
    return [s.id for s in view.spec.sections].index(section_id)


def test_an_edit_is_saved_with_every_unmade_tab_kept(app, qtbot, cases):
    data = {k: v for k, v in scene_values(4).items() if k != "case_number"}
    case = cases.new_case()
    cases.update(case.id, data)
    before = cases.get(case.id).data
    view = open_view(qtbot, cases, case.id)
    assert made(view) == ["header"]  # the first tab only
    edit = child(view, QLineEdit, "field_assigning_unit")
    edit.clear()
    type_into(qtbot, edit, "钦北派出所")
    assert view.changes() == {"assigning_unit": "钦北派出所"}
    qtbot.keyClick(edit, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    after = cases.get(case.id).data
    assert after == {**before, "assigning_unit": "钦北派出所"}  # nothing of the other tabs lost
    assert made(view) == ["header"] and not view.is_dirty()


def test_a_journalled_value_of_an_unmade_tab_comes_back_and_is_saved(app, qtbot, cases):
    case = cases.new_case()
    cases.autosave(case.id, {"remarks": "日志里的备注", "sketch_count": 2})  # then the program died
    view = open_view(qtbot, cases, case.id)
    assert child(view, QLineEdit, "field_case_number")  # (no tab made for a name found on tab 1)
    assert made(view) == ["header"] and view.is_dirty()
    assert view.changes() == {"remarks": "日志里的备注", "sketch_count": 2}
    view.save()
    assert {k: cases.get(case.id).data.get(k) for k in ("remarks", "sketch_count")} == \
        {"remarks": "日志里的备注", "sketch_count": 2}
    view.tabs.setCurrentIndex(tab(view, "remarks"))
    assert child(view, QPlainTextEdit, "field_remarks").toPlainText() == "日志里的备注"


def test_validation_reads_unmade_tabs_and_f8_and_a_click_reach_their_fields(app, qtbot, cases):
    case = cases.new_case({"recorder": None, "sketch_count": 1})  # 笔录人 missing, 绘图 given
    view = open_view(qtbot, cases, case.id)
    assert "people" not in made(view) and "counts" not in made(view)
    child(view, QLineEdit, "field_assigning_unit").setFocus()
    qtbot.keyClick(focused(), Qt.Key.Key_F8)  # no list yet: 检查, then the first problem
    listed = problems(view)
    assert "【参加人员】笔录人：必填" in listed
    assert not any("现场图" in p or "绘图" in p for p in listed)  # read from the unmade tab
    first = focused()
    assert first is not None and first.objectName().startswith("field_")
    lst = child(view, QListWidget, "problemList")
    row = listed.index("【参加人员】笔录人：必填")
    qtbot.mouseClick(lst.viewport(), Qt.MouseButton.LeftButton, pos=lst.visualItemRect(lst.item(row)).center())
    assert view.tabs.currentIndex() == tab(view, "people")
    assert focused() is child(view, QLineEdit, "field_recorder") and focused().isVisible()


def test_a_finalized_case_is_read_only_on_a_tab_first_shown_later(app, qtbot, cases):
    done = cases.finalize(cases.new_case(complete_values()).id)
    view = open_view(qtbot, cases, done.id)
    assert "people" not in made(view)
    view.tabs.setCurrentIndex(tab(view, "people"))
    recorder = child(view, QLineEdit, "field_recorder")
    assert recorder.isVisible() and recorder.isReadOnly() and recorder.text() == "张伟"
    assert recorder.palette().color(QPalette.ColorRole.Base).name() == "#f2f2f2"  # grey
    table = child(view, QTableWidget, "field_investigators")
    assert table.editTriggers() == QTableWidget.EditTrigger.NoEditTriggers and table.rowCount() == 1
    assert not child(view, QPushButton, "field_investigators_add").isVisible()
    assert not child(view, QComboBox, "field_weather").isEnabled()  # made by its name, unseen


def test_the_template_offer_and_a_follower_fill_unmade_tabs(app, qtbot, cases):
    view = open_view(qtbot, cases, cases.new_case().id)
    view.tabs.setCurrentIndex(tab(view, "cause"))
    type_into(qtbot, child(view, QLineEdit, "field_incident_address"), "钦州市钦南区永福路 12 号")
    assert "narrative" not in made(view)  # 现场地点 (time_place) followed: its tab made to take it
    combo = child(view, QComboBox, "field_case_type")
    combo.setCurrentIndex(combo.findText("入室盗窃"))
    assert view.template_bar.offer.isVisible() and "narrative" not in made(view)
    assert view.template_bar.accept_offer()
    view.save()
    data = cases.get(view.case.id).data
    assert data["scene_address"] == "钦州市钦南区永福路 12 号"
    assert data["narrative_location"].startswith("现场位于钦州市钦南区永福路 12 号")
    assert view.tabs.currentIndex() == tab(view, "cause")  # the focus stayed where it was


def test_find_by_name_reaches_an_unmade_field_and_makes_only_its_tab(app, qtbot, cases):
    view = open_view(qtbot, cases, cases.new_case({"remarks": "备注"}).id)
    assert child(view, QPushButton, "saveButton") and made(view) == ["header"]
    remarks = child(view, QPlainTextEdit, "field_remarks")
    assert remarks.toPlainText() == "备注" and not remarks.isVisible()
    assert made(view) == ["header", "remarks"] and not view.pages[tab(view, "remarks")]._built
    assert child(view, QLineEdit, "field_reporter.phone") and "cause" in made(view)  # a sub-field
    assert view.findChild(QLineEdit, "field_no_such") is None and len(made(view)) == len(view.pages)


def test_a_tab_first_shown_is_focused_as_before_its_inputs_were_lazy(app, qtbot, cases):
    """Ctrl+PgDown onto a filled tab focuses its first input as Tab does (the text selected,
    typing replaces it); a tab chosen otherwise while the focus was on the page left gets the
    focus on the page itself, not on an input just made (Qt's tab switch would hand it on)."""
    case = cases.new_case()
    cases.update(case.id, {k: v for k, v in scene_values(6).items() if k != "case_number"})
    view = open_view(qtbot, cases, case.id)
    view.tabs.setCurrentIndex(tab(view, "time_place"))
    child(view, QLineEdit, "field_scene_address").setFocus()
    qtbot.keyClick(focused(), Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    name = child(view, QLineEdit, "field_protector.name")
    assert focused() is name and name.text() and name.selectedText() == name.text()
    view.tabs.setCurrentIndex(tab(view, "conditions"))  # (as a click on its tab)
    assert focused() is view.pages[tab(view, "conditions")]


def test_an_amended_case_is_editable_on_tabs_made_read_only_and_on_tabs_not_made(app, qtbot, cases,
                                                                                  monkeypatch):
    from weicha_desktop.gui.forms.amend_dialog import AmendDialog

    done = cases.finalize(cases.new_case(complete_values()).id)
    view = open_view(qtbot, cases, done.id)
    view.tabs.setCurrentIndex(tab(view, "people"))  # made read-only
    assert child(view, QLineEdit, "field_recorder").isReadOnly() and "remarks" not in made(view)
    monkeypatch.setattr(AmendDialog, "ask", staticmethod(lambda case, parent=None: "补充备注"))
    assert view.amend() and view.is_editable()
    recorder = child(view, QLineEdit, "field_recorder")
    assert not recorder.isReadOnly() and recorder.palette().color(QPalette.ColorRole.Base).name() != "#f2f2f2"
    view.tabs.setCurrentIndex(tab(view, "remarks"))  # first made now: editable
    remarks = child(view, QPlainTextEdit, "field_remarks")
    assert not remarks.isReadOnly() and remarks.isVisible()
    remarks.setPlainText("补正：补充备注")
    assert view.save() and cases.get(view.case.id).data["remarks"] == "补正：补充备注"


def test_discarding_the_journal_shows_the_record_on_tabs_not_made(app, qtbot, cases):
    case = cases.new_case({"remarks": "记录里的"})
    cases.autosave(case.id, {"remarks": "日志里的"})
    view = open_view(qtbot, cases, case.id)
    assert view.changes() == {"remarks": "日志里的"} and "remarks" not in made(view)
    view.discard_recovery()
    assert view.changes() == {} and not view.is_dirty()
    view.tabs.setCurrentIndex(tab(view, "remarks"))
    assert child(view, QPlainTextEdit, "field_remarks").toPlainText() == "记录里的"
