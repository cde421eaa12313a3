"""Issue 10 §3, fewer actions: where F8 takes a problem. 必采 and 见证 are about a table (the
register, the witnesses): F8 goes into it, where the standard case adds its rows at once
(Ctrl+Enter), not into the reason field, which only a case without traces or witnesses needs
(it stays one Tab away)."""
from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication, QTableWidget

from form_support import open_view
from gui_support import admin, app, cases, child, complete_values, dialogs, store  # noqa: F401
from keyboard_support import Keyboard

pytestmark = pytest.mark.usefixtures("dialogs")


def inside(view, name: str) -> bool:
    widget = child(view, QTableWidget, name)
    focus = QApplication.focusWidget()
    return focus is widget or (focus is not None and widget.isAncestorOf(focus))


def test_f8_goes_into_the_register_and_the_witness_table(app, qtbot, cases):
    values = complete_values()
    del values["no_evidence_reason"], values["no_witness_reason"]
    view = open_view(qtbot, cases, cases.new_case(values).id, autosave_ms=0)
    kb = Keyboard()
    kb.key("F8")  # 检查 first: 必采, then 见证
    assert inside(view, "field_evidence"), QApplication.focusWidget().objectName()
    kb.key("Ctrl+Enter")
    kb.field("右手拇指指纹", "Return")
    kb.type("入户门把手")
    kb.key("F8")
    assert inside(view, "field_witnesses"), QApplication.focusWidget().objectName()
    kb.key("Ctrl+Enter")
    kb.type("王芳")
    data = view.current_data()
    assert data["evidence"][0]["name"] == "右手拇指指纹" and data["witnesses"][0]["name"] == "王芳"


def test_a_case_without_witness_reaches_the_reason_from_the_table(app, qtbot, cases):
    values = complete_values()
    del values["no_witness_reason"]
    view = open_view(qtbot, cases, cases.new_case(values).id, autosave_ms=0)
    kb = Keyboard()
    kb.key("F8")
    assert inside(view, "field_witnesses")
    for _ in range(4):  # past 添加一行, 复制当前行, 删除所选行
        if kb.focus().objectName() == "field_no_witness_reason":
            break
        kb.key("Tab")
    assert kb.focus().objectName() == "field_no_witness_reason"
    kb.type("事主家中无其他人员")
    assert view.current_data()["no_witness_reason"] == "事主家中无其他人员"


def test_f8_on_a_blank_the_record_fills_goes_to_the_field_that_fills_it(app, qtbot, cases):
    """提取情况's ____ is the register's (rows: 在…提取…): typed into the text it would only copy
    the register. While the register is empty F8 goes into it; its rows fill the blank."""
    values = {k: v for k, v in complete_values().items() if not k.startswith("narrative_")}
    del values["no_evidence_reason"], values["commander"]
    view = open_view(qtbot, cases, cases.new_case(values).id, autosave_ms=0)
    view.focus_path("case_type")
    kb = Keyboard()
    kb.key("Alt+T")  # the 入室盗窃 template offered: 提取情况 and 勘验过程 wait for the record
    qtbot.waitUntil(lambda: view.values().get("narrative_extraction") is not None, timeout=2000)
    view.focus_path("narrative_process")  # 勘验人员张伟在____的指挥下: the blank is 指挥人's
    assert kb.focus().objectName() == "field_commander.name"
    kb.type("黄志强")
    view.focus_path("narrative_extraction")
    assert inside(view, "field_evidence"), kb.focus().objectName()
    kb.key("Ctrl+Enter")
    kb.field("右手拇指指纹", "Return")
    kb.type("入户门把手")
    view.focus_path("narrative_process")  # filled now (the tab shown): the text itself
    assert kb.focus().objectName() == "field_narrative_process"
    data = view.current_data()
    assert "在黄志强的指挥下" in data["narrative_process"]
    assert data["narrative_extraction"].startswith("在入户门把手提取右手拇指指纹（粉末显现）")
    view.focus_path("narrative_location")  # a blank left to the technician: the text
    assert kb.focus().objectName() == "field_narrative_location"


def test_f8_counts_the_cell_still_being_typed_in(app, qtbot, cases):
    """F8 with a cell's editor open: what is typed there is taken first, so F8 goes on past
    the problem it fixes (it went back into the cell: 提取部位 required, typed but not closed)."""
    values = complete_values()
    del values["no_evidence_reason"], values["no_witness_reason"]
    values["narrative_extraction"] = "____。所提取痕迹物证均已登记于《提取痕迹物证登记表》。"  # the template's
    view = open_view(qtbot, cases, cases.new_case(values).id, autosave_ms=0)
    kb = Keyboard()
    kb.key("F8")  # 提取情况's blank: the register's
    assert inside(view, "field_evidence"), kb.focus().objectName()
    kb.key("Ctrl+Enter")
    kb.field("右手拇指指纹", "Return")
    kb.type("入户门把手")  # the cell's editor still open
    kb.key("F8")
    assert inside(view, "field_witnesses"), kb.focus().objectName()
    assert view.current_data()["evidence"][0]["location"] == "入户门把手"
