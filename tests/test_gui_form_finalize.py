"""定稿 from the form: blocked → the list → a click lands on the field (table cells too) → fix →
finalized and read-only → 补正 with a reason → the new version is editable. A returned case
shows the supervisor's comment at the top."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (QApplication, QLabel, QLineEdit, QListWidget, QMessageBox,
                               QPlainTextEdit, QPushButton, QTableWidget, QTabWidget)

from form_support import click, focused, open_view, problems
from gui_support import (admin, app, cases, child, complete_values, dialogs, forms,  # noqa: F401
                         store, type_into)
from weicha_desktop.core.cases import CaseService
from weicha_desktop.core.users import UserService

pytestmark = pytest.mark.usefixtures("dialogs")

TRACE = {"name": "灰尘减层手印", "category": "fingerprint", "quantity": 1, "location": "窗台内侧",
         "method": "powder", "collector": "张伟", "collected_at": "2026-11-27T10:00:00+08:00",
         "comparison_status": "submitted"}


def choose(qtbot, view, prefix: str) -> None:
    """Click the problem whose text starts with ``prefix``."""
    lst = child(view, QListWidget, "problemList")
    item = next(lst.item(i) for i in range(lst.count()) if lst.item(i).text().startswith(prefix))
    rect = lst.visualItemRect(item)
    qtbot.mouseClick(lst.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_blocked_then_fixed_then_finalized_then_amended(app, qtbot, cases, dialogs):
    values = complete_values() | {"evidence": [TRACE, dict(TRACE, name="烟头", category="biological",
                                                           comparison_status="not_sent")]}
    values["recorder"] = None  # left empty (not prefilled)
    del values["no_evidence_reason"]
    view = open_view(qtbot, cases, cases.new_case(values).id)
    tabs = child(view, QTabWidget, "formTabs")

    qtbot.keyClick(focused() or view, Qt.Key.Key_F,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert problems(view) == ["【参加人员】笔录人：必填",
                              "【提取痕迹物证登记表（附件1）】第2件物证尚未送检比对（必比）"]
    assert child(view, QLabel, "formMessage").text() == "不能定稿：尚缺 2 项（单击定位）。"
    assert cases.get(view.case.id).status == "draft"

    choose(qtbot, view, "【提取痕迹物证登记表")  # a single click goes to the cell
    assert tabs.tabText(tabs.currentIndex()) == "提取痕迹物证登记表（附件1）"
    table = child(view, QTableWidget, "field_evidence")
    status_col = [f.id for f in view.spec.field("evidence").fields].index("comparison_status")
    assert (table.currentRow(), table.currentColumn()) == (1, status_col)
    assert table.isAncestorOf(focused())  # typing edits that cell
    editor = focused()
    editor.selectAll()
    editor.insert("已送检")
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # the table commits the cell (queued)
    qtbot.waitUntil(lambda: table.item(1, status_col).text() == "已送检", timeout=1000)

    lst = child(view, QListWidget, "problemList")
    lst.setFocus()
    lst.setCurrentRow(0)
    qtbot.keyClick(lst, Qt.Key.Key_Return)  # Enter works as well as a click
    assert tabs.tabText(tabs.currentIndex()) == "参加人员"
    assert focused() is child(view, QLineEdit, "field_recorder")
    type_into(qtbot, focused(), "Zhang Wei")

    dialogs.answers.append(QMessageBox.StandardButton.Yes)  # “确定定稿吗？”
    click(qtbot, view, "finalizeButton")
    case = cases.get(view.case.id)
    assert case.status == "finalized" and case.data["recorder"] == "Zhang Wei"
    assert case.data["evidence"][1]["comparison_status"] == "submitted"
    assert "已定稿" in child(view, QLabel, "formTitle").text()
    assert child(view, QLineEdit, "field_recorder").isReadOnly()
    assert child(view, QPlainTextEdit, "field_remarks").isReadOnly()
    for name in ("saveButton", "checkButton", "finalizeButton"):
        assert not child(view, QPushButton, name).isVisible()
    assert not child(view, QPushButton, "insertTemplateButton").isVisible()
    amend = child(view, QPushButton, "amendButton")
    assert amend.isVisible()

    seen = {}

    def fill_reason():
        dialog = QApplication.activeModalWidget()
        ok = child(dialog, QPushButton, "amendOk")
        seen["ok_without_reason"] = ok.isEnabled()
        child(dialog, QPlainTextEdit, "amendReason").setPlainText("笔录人姓名应为中文")
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    QTimer.singleShot(0, fill_reason)
    qtbot.mouseClick(amend, Qt.MouseButton.LeftButton)
    assert seen == {"ok_without_reason": False}  # a reason is required
    v2 = cases.get(view.case.id)
    assert (v2.version, v2.status, v2.amend_reason) == (2, "draft", "笔录人姓名应为中文")
    assert view.case.version == 2 and not amend.isVisible()
    assert "第 2 版" in child(view, QLabel, "formTitle").text()
    assert "笔录人姓名应为中文" in child(view, QLabel, "versionNote").text()
    recorder = child(view, QLineEdit, "field_recorder")
    assert not recorder.isReadOnly()
    recorder.setText("张伟")
    assert view.save() and cases.get(view.case.id).data["recorder"] == "张伟"
    assert cases.get(view.case.id, version=1).data["recorder"] == "Zhang Wei"


def test_amend_cancelled_changes_nothing(app, qtbot, cases):
    case = cases.finalize(cases.new_case(complete_values()).id)
    view = open_view(qtbot, cases, case.id)
    QTimer.singleShot(0, lambda: QApplication.activeModalWidget().reject())
    assert not view.amend()
    assert cases.get(case.id).version == 1 and view.case.locked


def test_a_returned_case_shows_the_comment_at_the_top(app, qtbot, cases, store, admin):
    boss = UserService(store).add(admin, "周建国", "supervisor", "boss-pass-1", badge_no="200011")
    case = cases.finalize(cases.new_case(complete_values()).id)
    CaseService(store, forms(), boss).review(case.id, approve=False, comment="请补充现场访问情况")
    view = open_view(qtbot, cases, case.id)
    banner = child(view, QLabel, "returnedLabel")
    assert banner.isVisible() and banner.text() == "审核退回，请按意见补正：请补充现场访问情况"
    tabs = child(view, QTabWidget, "formTabs")
    assert banner.mapTo(view, banner.rect().topLeft()).y() < tabs.mapTo(view, tabs.rect().topLeft()).y()
    assert "退回补正" in child(view, QLabel, "formTitle").text()
    assert not child(view, QLabel, "versionNote").isVisible()  # the comment says it all
    assert not child(view, QLineEdit, "field_recorder").isReadOnly()  # a draft to correct


def test_a_view_only_form_offers_no_amend(app, qtbot, cases):
    case = cases.finalize(cases.new_case(complete_values()).id)
    view = open_view(qtbot, cases, case.id, amendable=False)  # e.g. in the review queue
    assert not child(view, QPushButton, "amendButton").isVisible()
    assert child(view, QLineEdit, "field_recorder").isReadOnly()
