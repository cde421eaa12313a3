"""插入模板 in the 现场勘验情况 tab: offered by case type, fills empty fields only, replaces
text already written only when the user agrees."""
from __future__ import annotations

import pytest
from PySide6.QtWidgets import QComboBox, QMessageBox, QPlainTextEdit

from form_support import click, open_view
from gui_support import admin, app, cases, child, dialogs, store  # noqa: F401

pytestmark = pytest.mark.usefixtures("dialogs")
CENTER = "已写好的中心现场。"


@pytest.fixture
def view(app, qtbot, cases):
    case = cases.new_case({"case_type": "ebike_theft", "scene_address": "钦州市钦南区扬帆路 8 号",
                           "started_at": "2026-11-27T09:05:00+08:00", "narrative_center": CENTER})
    return open_view(qtbot, cases, case.id)


def text(view, field_id: str) -> str:
    return child(view, QPlainTextEdit, f"field_{field_id}").toPlainText()


def test_offered_by_case_type_fills_empty_fields_and_keeps_written_text(view, dialogs, qtbot):
    choice = child(view, QComboBox, "templateChoice")
    assert choice.currentText() == "盗窃电动车" and choice.itemText(1) == "通用模板"
    click(qtbot, view, "insertTemplateButton")
    assert [kind for kind, *_ in dialogs.shown] == ["question"]  # asks about 中心现场 …
    assert "中心现场" in dialogs.shown[0][2]
    assert text(view, "narrative_center") == CENTER  # … answered no: kept
    assert text(view, "narrative_location").startswith("现场位于钦州市钦南区扬帆路 8 号的____")
    assert "2026年11月27日09时05分" in text(view, "narrative_process")
    assert text(view, "narrative_visit").startswith("访问报警人____")  # not yet known
    assert view.is_dirty()  # an edit like any other: autosaved, committed with the session
    view.flush()
    assert view.cases.recovered(view.case.id).values["narrative_location"].startswith("现场位于")


def test_replaces_written_text_when_confirmed(view, dialogs, qtbot):
    dialogs.answers.append(QMessageBox.StandardButton.Yes)
    click(qtbot, view, "insertTemplateButton")
    assert text(view, "narrative_center").startswith("中心现场为被盗车辆原停放处")


def test_follows_the_case_type(view):
    child(view, QComboBox, "field_case_type").setCurrentText("抢劫")
    assert child(view, QComboBox, "templateChoice").currentText() == "抢劫"
    child(view, QComboBox, "field_case_type").setCurrentText("放火")
    assert child(view, QComboBox, "templateChoice").currentText() == "通用模板"  # the fallback
