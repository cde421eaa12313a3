"""Issue 10 §3 in the window: a 照片张数 typed unlike the photo log is a notice (提示) listed
after the problems — marked in words, by an icon and in italics, not by colour alone — that
F8 reaches after the problems, and 定稿 still works; the review page's checker result says it."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QListWidget, QMessageBox, QSpinBox

from form_support import focused, open_view, problems
from gui_support import admin, app, cases, child, complete_values, dialogs, store, type_into  # noqa: F401
from weicha_desktop.core.photos import PhotoService
from weicha_desktop.gui.forms.problems import NOTICE_ROLE
from weicha_desktop.gui.review.sheet import RecordSheet

pytestmark = pytest.mark.usefixtures("dialogs")

NOTICE = "照片张数（3）与照片记录（0 张）不一致，请核对"
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def test_a_typed_photo_count_is_a_notice_after_the_problems_and_finalizing_still_works(
        app, qtbot, cases, dialogs):
    view = open_view(qtbot, cases, cases.new_case(complete_values() | {"recorder": None}).id)
    spin = child(view, QSpinBox, "field_photo_total")
    view.focus_path("photo_total")  # 照片 (张数): 0, as the empty photo log; typed over
    spin.selectAll()
    qtbot.keyClicks(spin, "3")

    qtbot.keyClick(focused(), Qt.Key.Key_F8)  # no list yet: 检查, then the first problem
    section = view.spec.section_of("photo_total").title.zh
    assert problems(view) == ["【参加人员】笔录人：必填", f"提示：【{section}】{NOTICE}"]
    assert child(view, QLabel, "formMessage").text() == \
        "尚不能定稿：1 项待补充（单击定位）。另有 1 条提示，请核对（不影响定稿）。"
    lst = child(view, QListWidget, "problemList")
    problem, notice = lst.item(0), lst.item(1)
    assert notice.data(NOTICE_ROLE) and not problem.data(NOTICE_ROLE)
    assert notice.font().italic() and not problem.font().italic()  # not colour alone:
    assert not notice.icon().isNull() and problem.icon().isNull()  # words, icon, italics
    assert focused() is child(view, QLineEdit, "field_recorder")  # problems first

    qtbot.keyClick(focused(), Qt.Key.Key_F8)  # then the notice, at its field
    assert lst.currentRow() == 1 and (focused() is spin or spin.isAncestorOf(focused()))
    qtbot.keyClick(focused(), Qt.Key.Key_F8, Qt.KeyboardModifier.ShiftModifier)
    type_into(qtbot, focused(), "张伟")
    view.flush()  # the list follows the edit: the problem gone, the notice stays
    assert problems(view) == [f"提示：【{section}】{NOTICE}"]
    assert child(view, QLabel, "formMessage").text() == \
        "检查通过：可以定稿。另有 1 条提示，请核对（不影响定稿）。"

    dialogs.answers.append(QMessageBox.StandardButton.Yes)  # “确定定稿吗？”
    qtbot.keyClick(focused(), Qt.Key.Key_F, CTRL_SHIFT)  # 定稿: the notice does not stop it
    case = cases.get(view.case.id)
    assert case.status == "finalized" and case.data["photo_total"] == 3
    assert case.data["recorder"] == "张伟"


def test_the_review_pages_checker_result_shows_the_notice(app, qtbot, cases):
    case = cases.finalize(cases.new_case(complete_values() | {"photo_total": 3}).id)
    sheet = RecordSheet(cases, PhotoService(cases.store, cases.actor, cases.forms), case)
    qtbot.addWidget(sheet)
    text = sheet.browser.toPlainText()
    section = sheet.spec.section_of("photo_total").title.zh
    assert "检查结果（第 1 版）：通过，没有阻止定稿的问题。" in text
    assert f"1 条提示，请核对（不阻止定稿）：\n提示：【{section}】{NOTICE}" in text
    italic = sheet.browser.document().find(f"提示：【{section}】").charFormat().fontItalic()
    assert italic and not sheet.browser.document().find("检查结果").charFormat().fontItalic()
