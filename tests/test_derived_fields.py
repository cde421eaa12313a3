"""Issue 10, slice H: what the program can tell from a value already entered is not typed
again (``prefill: <field id>``, core/forms/derive.py): 现场地点 follows 发案地点, a trace's 类别
comes from its 名称 and its 提取方法 from the 类别 (forms/choices/trace_categories.yaml: words,
suggests) — each while empty or still what the program put there. In a table Enter goes on to
the next cell the row still needs; F8 with no problem list makes it (检查) first."""
from __future__ import annotations

import shutil

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QTableWidget

from form_support import open_view, problems
from gui_support import admin, app, cases, child, dialogs, store, type_into  # noqa: F401  (fixtures)
from support import forms
from test_evidence_rows import ime, keys
from weicha_desktop.core.forms import check_forms
from weicha_desktop.core.forms.derive import derive, follow

pytestmark = pytest.mark.usefixtures("dialogs")
SPEC = forms().latest("scene_investigation")
ROW = SPEC.field("evidence").fields
NAME, CATEGORY, METHOD = (SPEC.field("evidence").sub(k) for k in ("name", "category", "method"))


# ---- the core ---------------------------------------------------------------------------------
def test_a_name_tells_its_category_and_a_category_its_usual_method():
    assert derive(CATEGORY, NAME, "右手拇指指纹") == "fingerprint"
    assert derive(CATEGORY, NAME, "运动鞋足迹") == "footprint"
    assert derive(CATEGORY, NAME, "手机屏幕上的指纹") == "fingerprint"  # the word ending last
    assert derive(CATEGORY, NAME, "足迹旁的烟头") == "biological"
    assert derive(CATEGORY, NAME, "一张纸") is None
    assert [derive(METHOD, CATEGORY, c) for c in ("fingerprint", "footprint", "biological", "other")] == [
        "powder", "electrostatic", "swab", None]
    scene = SPEC.field("scene_address")
    assert derive(scene, SPEC.field("incident_address"), "永福路 12 号") == "永福路 12 号"


def test_a_follower_follows_until_it_is_typed_over():
    row = {"name": "右手拇指指纹"}
    assert follow(ROW, {}, row) == {"category": "fingerprint", "method": "powder"}  # in turn
    was = {"name": "右手拇指指纹", "category": "fingerprint", "method": "powder"}
    assert follow(ROW, was, {**was, "name": "运动鞋足迹"}) == {"category": "footprint", "method": "electrostatic"}
    typed = {**was, "method": "cyanoacrylate"}  # the user's: stays
    assert follow(ROW, was, {**typed, "name": "运动鞋足迹"}) == {"category": "footprint"}
    assert follow(ROW, was, {**was, "name": "一张纸"}) == {"category": None, "method": None}


def test_forms_check_names_a_follower_that_cannot_follow(tmp_path):
    target = tmp_path / "forms"
    shutil.copytree(forms().forms_dir, target)
    form, choices = target / "scene_investigation.yaml", target / "choices" / "trace_categories.yaml"
    text = form.read_text(encoding="utf-8")
    text = text.replace("        prefill: incident_address", "        prefill: reporter")  # a person
    text = text.replace("            prefill: category ", "            prefill: collector ")
    form.write_text(text, encoding="utf-8")
    choices.write_text(choices.read_text(encoding="utf-8").replace("extraction_methods: swab",
                                                                   "extraction_methods: mop"), encoding="utf-8")
    found = check_forms(target)
    assert len(found) == 3, found
    assert found[0].startswith(f"{choices}:") and "suggests：“extraction_methods: mop”不是" in found[0]
    assert ": scene_address: prefill: reporter 给不出 text 字段的值" in found[1]
    assert ": evidence.method: prefill: collector 给不出 choice 字段的值" in found[2]


def test_a_new_record_has_one_scene_sketch_and_no_followed_value_yet(cases):
    data = cases.new_case().data
    assert data["sketch_count"] == 1 and "scene_address" not in data


# ---- the form -------------------------------------------------------------------------------
def test_the_scene_address_follows_the_incident_address_until_typed_over(app, qtbot, cases):
    view = open_view(qtbot, cases, cases.new_case().id)
    incident, scene = (child(view, QLineEdit, f"field_{k}") for k in ("incident_address", "scene_address"))
    type_into(qtbot, incident, "钦州市钦南区永福路 12 号")
    assert scene.text() == "钦州市钦南区永福路 12 号"
    incident.insert("3 单元")
    assert scene.text() == "钦州市钦南区永福路 12 号3 单元"
    scene.setText("永福路 12 号后院")  # the user's own
    incident.insert("501 室")
    assert scene.text() == "永福路 12 号后院"


@pytest.fixture
def table(app, qtbot, cases):
    view = open_view(qtbot, cases, cases.new_case().id, autosave_ms=0)
    view.focus_path("evidence")
    keys(qtbot, "Ctrl+Return")
    return child(view, QTableWidget, "field_evidence")


def cell(table: QTableWidget, row: int, sub_id: str) -> str:
    return table.item(row, [f.id for f in ROW].index(sub_id)).text()


def test_a_trace_name_fills_its_category_and_method_and_enter_goes_to_where(qtbot, table):
    ime(table, "右手拇指指纹")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: table.currentColumn() == [f.id for f in ROW].index("location"), timeout=1000)
    assert (cell(table, 0, "category"), cell(table, 0, "method")) == ("手印", "粉末显现")
    assert table.state() == QTableWidget.State.EditingState  # typing goes into 提取部位
    ime(table, "入户门把手")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)  # nothing more the row needs
    qtbot.waitUntil(lambda: table.state() != QTableWidget.State.EditingState, timeout=1000)
    assert table.currentColumn() == [f.id for f in ROW].index("location")
    assert cell(table, 0, "location") == "入户门把手"

    # the category changed: the method follows; typed over, it stays
    table.item(0, [f.id for f in ROW].index("category")).setText("足迹")
    assert cell(table, 0, "method") == "静电吸附"
    table.item(0, [f.id for f in ROW].index("method")).setText("石膏灌注")
    table.item(0, [f.id for f in ROW].index("category")).setText("手印")
    assert cell(table, 0, "method") == "石膏灌注"
    keys(qtbot, "Ctrl+D")  # 复制当前行: category and method too
    assert (cell(table, 1, "category"), cell(table, 1, "method")) == ("手印", "石膏灌注")


def test_ctrl_enter_from_an_open_cell_lands_on_the_new_rows_name(qtbot, table):
    ime(table, "右手拇指指纹")  # the name's editor still open
    keys(qtbot, "Ctrl+Return")
    QApplication.processEvents()
    assert (table.currentRow(), table.currentColumn()) == (1, [f.id for f in ROW].index("name"))


def test_f8_with_no_problem_list_checks_first(app, qtbot, cases):
    view = open_view(qtbot, cases, cases.new_case().id)
    assert problems(view) == []
    keys(qtbot, "F8")
    assert problems(view) and view.panel.list.currentRow() == 0
    assert QApplication.focusWidget() is child(view, QLineEdit, "field_assigning_unit")
