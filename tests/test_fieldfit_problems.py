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
