"""Narrative template blanks (issue 10 §3): every ``____`` left blocks finalizing, listed one
by one with the field's name; a placeholder not yet known when the template went in (勘验人员
____在____的指挥下) is filled once the people are entered — never over what the user typed."""
from __future__ import annotations

import pytest
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QPlainTextEdit

from form_support import click, open_view, problems
from gui_support import admin, app, cases, child, complete_values, dialogs, store  # noqa: F401
from support import forms
from weicha_desktop.core.errors import FinalizeBlocked
from weicha_desktop.core.forms import validate
from weicha_desktop.core.forms.templates import TEMPLATES_DIR, blanks_in, fill, fill_known_blanks, load_templates

SPEC = forms().latest("scene_investigation")
TEMPLATES = load_templates(forms().forms_dir / TEMPLATES_DIR, SPEC)
BURGLARY = next(t for t in TEMPLATES if t.id == "burglary_detailed")  # a blank for each item
PROCESS = BURGLARY.texts["narrative_process"]


def blank_problems(data: dict) -> list[tuple[str, str]]:
    return [(p.path, str(p.message)) for p in validate(SPEC, data, complete=True) if p.rule == "blank"]


def test_each_blank_left_is_a_problem_naming_its_field():
    text = fill(BURGLARY.texts["narrative_location"], SPEC, {"scene_address": "永福路 12 号"})
    found = blank_problems({"narrative_location": text, "remarks": "见附页＿＿＿"})
    assert len(found) == text.count("____") + 1 == 9
    assert found[0] == ("narrative_location", "现场方位：第1处空白“____”未填写（…12 号。该楼为____层____结构住…）")
    assert found[-1] == ("remarks", "备注：空白“____”未填写（见附页____）")  # any text field, ＿ too
    assert validate(SPEC, {"narrative_location": text}) == []  # a draft may keep them
    assert blank_problems({"narrative_location": "该楼为六层砖混结构住宅楼，文件名 a__b。"}) == []


def test_blanks_block_finalizing_until_written(cases):
    values = complete_values() | {"narrative_center": "中心现场位于____，抽屉被打开。"}
    case = cases.new_case(values)
    with pytest.raises(FinalizeBlocked) as err:
        cases.finalize(case.id)
    assert [(p.path, p.rule) for p in err.value.problems] == [("narrative_center", "blank")]
    assert "中心现场：空白“____”未填写" in str(err.value)
    cases.update(case.id, {"narrative_center": "中心现场位于主卧，抽屉被打开。"})
    assert cases.finalize(case.id).status == "finalized"


def test_names_entered_later_fill_their_blanks_and_nothing_else():
    before = {"started_at": "2026-11-27T09:05:00+08:00"}  # the people not yet entered
    text = fill(PROCESS, SPEC, before)
    assert text.startswith("2026年11月27日09时05分，____勘验人员____在____的指挥下")
    people = {"investigating_unit": "钦南分局", "investigators": [{"name": "张伟"}, {"name": "李明"}],
              "commander": {"name": "黄志强"}}
    filled = fill_known_blanks(SPEC, TEMPLATES, {**before, **people, "narrative_process": text})
    assert filled["narrative_process"] == fill(PROCESS, SPEC, {**before, **people})
    assert "钦南分局勘验人员张伟、李明在黄志强的指挥下" in filled["narrative_process"]
    assert [b[2] for b in blanks_in(filled["narrative_process"])] == ["…录像固定。勘验于____结束。"]  # ended_at

    # typed over the blank: kept; words around a blank changed: left to the user
    typed = text.replace("____勘验人员____在", "____勘验人员王五在")
    got = fill_known_blanks(SPEC, TEMPLATES, {**people, "narrative_process": typed})
    assert "勘验人员王五在黄志强的指挥下" in got["narrative_process"]
    reworded = text.replace("勘验人员____在____的指挥下", "勘验人员____会同____的指挥下")
    got = fill_known_blanks(SPEC, TEMPLATES, {**people, "narrative_process": reworded})
    assert "勘验人员____会同____的指挥下" in got["narrative_process"]  # only 单位 (own words kept)
    # the same words twice: which blank is meant cannot be told, so none is filled
    assert fill_known_blanks(SPEC, TEMPLATES, {**people, "narrative_process": text + text}) == {}
    assert fill_known_blanks(SPEC, TEMPLATES, {"narrative_process": text}) == {}  # nothing known yet


# ---- the form ------------------------------------------------------------------------------------
@pytest.fixture
def view(app, qtbot, cases):
    """A new burglary case (勘验人员: the user, prefilled) whose 指挥人 is not entered yet."""
    case = cases.new_case({"case_type": "burglary", "scene_address": "钦州市钦南区永福路 12 号"})
    view = open_view(qtbot, cases, case.id)
    choice = view.template_bar.choice  # 入室盗窃（详细提示）: many blanks, the people among them
    choice.setCurrentIndex(choice.findData(BURGLARY.id))
    return view


def narrative(view, field_id: str) -> QPlainTextEdit:
    return child(view, QPlainTextEdit, f"field_{field_id}")


def test_the_commander_entered_later_fills_the_blank_when_the_tab_is_shown(view, qtbot, dialogs):
    click(qtbot, view, "insertTemplateButton")
    process = narrative(view, "narrative_process")
    assert "勘验人员admin在____的指挥下" in process.toPlainText()  # the user is already known
    narrative(view, "narrative_visit").setPlainText(
        narrative(view, "narrative_visit").toPlainText().replace("访问事主____", "访问事主周某"))

    process.moveCursor(QTextCursor.MoveOperation.End)  # where the user was writing
    view.tabs.setCurrentIndex([s.id for s in view.spec.sections].index("conditions"))
    child(view, QLineEdit, "field_commander.name").setText("黄志强")
    assert "在____的指挥下" in process.toPlainText()  # not while the name is being typed
    before = process.toPlainText()
    view.tabs.setCurrentIndex([s.id for s in view.spec.sections].index("narrative"))
    assert "勘验人员admin在黄志强的指挥下" in process.toPlainText()
    assert process.textCursor().position() == len(process.toPlainText())  # the cursor stayed
    process.undo()  # an edit like a typed one: Ctrl+Z takes it back
    assert process.toPlainText() == before
    process.redo()
    assert narrative(view, "narrative_visit").toPlainText().startswith("访问事主周某及邻居____")
    assert view.is_dirty()  # an edit like any other: saved with the session


def test_saving_fills_known_blanks_even_if_the_tab_is_not_shown(view, qtbot):
    click(qtbot, view, "insertTemplateButton")
    view.tabs.setCurrentIndex([s.id for s in view.spec.sections].index("conditions"))
    child(view, QLineEdit, "field_commander.name").setText("黄志强")
    assert view.save()
    assert "在黄志强的指挥下" in view.cases.get(view.case.id).data["narrative_process"]


def test_check_lists_every_blank_and_f8_selects_it_for_typing(view, qtbot):
    click(qtbot, view, "insertTemplateButton")
    text = narrative(view, "narrative_location").toPlainText()
    n = text.count("____")
    click(qtbot, view, "checkButton")
    listed = [p for p in problems(view) if p.startswith("【现场勘验情况】现场方位：")]
    assert len(listed) == n and listed[0].startswith("【现场勘验情况】现场方位：第1处空白“____”未填写")
    error = child(view, QLabel, "error_narrative_location")  # under the field: one line for all
    assert error.text() == f"有 {n} 处空白“____”未填写（F8 逐个定位）"

    view.focus_path("narrative_location")  # what choosing the problem (or F8) does
    edit = narrative(view, "narrative_location")
    assert QApplication.focusWidget() is edit
    assert edit.textCursor().selectedText() == "____"
    edit.insertPlainText("六")  # typing replaces the blank
    assert edit.toPlainText() == text.replace("____", "六", 1)
