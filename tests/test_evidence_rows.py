"""Issue 10 §3, evidence rows in fewer actions: the 痕迹物证 table of the scene form takes 类别 and
提取方法 from their choice lists (typing filters them; the record stores the code), a new row
takes 提取人 and 提取时间 from the row above (the first row from the prefill layer), and 复制当前行
(Ctrl+D) duplicates a row that gets its own H number. Keyboard only, through the real widgets."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QApplication, QLineEdit, QListView, QPushButton, QTableWidget

from form_support import open_view
from gui_support import app, child, dialogs  # noqa: F401
from module_folder import admin, cases, store  # noqa: F401  (each test makes its own case)
from photo_gui_support import evidence

pytestmark = pytest.mark.usefixtures("dialogs")


def ime(widget, text: str) -> None:
    """Chinese typed the way an input method delivers it (QTest can only send Latin-1 keys):
    a composition (on a table cell: it opens the cell's editor), then its commit."""
    QApplication.sendEvent(widget, QInputMethodEvent("pinyin", []))
    commit = QInputMethodEvent()
    commit.setCommitString(text)
    QApplication.sendEvent(QApplication.focusWidget(), commit)


def keys(qtbot, sequence: str) -> None:
    qtbot.keySequence(QApplication.focusWidget(), QKeySequence(sequence))


def evidence_table(qtbot, cases, rows=None):
    view = open_view(qtbot, cases, cases.new_case({"evidence": rows} if rows else None).id)
    view.focus_path("evidence")
    editor = view.editors["evidence"]
    editor.set_row_defaults(None)  # this test says what the prefill layer gives
    cols = {s.id: i for i, s in enumerate(editor.field.fields)}
    return view, editor, child(view, QTableWidget, "field_evidence"), cols


def choice_list(table: QTableWidget) -> tuple[QLineEdit, QListView]:
    """The open choice cell's editor (it keeps the focus) and its list of options, shown."""
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit) and editor.objectName() == "choiceCellEditor"
    assert table.isAncestorOf(editor)
    found = [v for v in table.window().findChildren(QListView, "choiceCellList") if v.isVisible()]
    assert len(found) == 1, "the choice list is shown"
    return editor, found[0]


def shown_lists(table: QTableWidget) -> list[QListView]:
    return [v for v in table.window().findChildren(QListView, "choiceCellList") if v.isVisible()]


def shown_options(view: QListView) -> list[str]:
    model = view.model()
    return [model.index(r, 0).data() for r in range(model.rowCount())]


def test_ctrl_enter_adds_a_row_and_typing_filters_the_category_list(app, qtbot, cases):
    view, _editor, table, cols = evidence_table(qtbot, cases)
    keys(qtbot, "Ctrl+Return")
    assert table.rowCount() == 1 and (table.currentRow(), table.currentColumn()) == (0, cols["name"])
    ime(table, "右手拇指指纹")  # typing on a cell opens its editor
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert table.item(0, cols["name"]).text() == "右手拇指指纹"
    assert table.currentColumn() == cols["category"]
    ime(table, "痕迹")
    editor, options = choice_list(table)
    assert shown_options(options) == ["工具痕迹", "枪弹痕迹", "特殊痕迹"]  # any part of the words
    assert options.currentIndex().data() == "工具痕迹"  # what Tab would take
    qtbot.keyClick(editor, Qt.Key.Key_Down)
    qtbot.keyClick(editor, Qt.Key.Key_Tab)  # the highlighted one, then on to the next cell
    assert table.item(0, cols["category"]).text() == "枪弹痕迹"
    assert table.currentColumn() == cols["features"]
    view.save()
    assert cases.get(view.case.id).data["evidence"][0]["category"] == "firearm"  # the code


def test_a_few_letters_and_tab_take_the_first_match_of_either_language_or_code(app, qtbot, cases):
    view, _editor, table, cols = evidence_table(qtbot, cases, [{"name": "足迹"}])
    for typed, words in (("手", "手印"), ("foot", "足迹"), ("tool_mark", "工具痕迹"), ("DNA", "生物检材（DNA）")):
        table.setCurrentCell(0, cols["category"])
        table.setFocus()
        ime(table, typed)
        qtbot.keyClick(choice_list(table)[0], Qt.Key.Key_Tab)
        assert table.item(0, cols["category"]).text() == words, typed
    table.setCurrentCell(0, cols["method"])
    ime(table, "胶带")
    qtbot.keyClick(choice_list(table)[0], Qt.Key.Key_Return)  # the table commits the cell (queued)
    qtbot.waitUntil(lambda: table.item(0, cols["method"]).text() == "硅胶/胶带提取", timeout=1000)
    view.save()
    row = cases.get(view.case.id).data["evidence"][0]
    assert (row["category"], row["method"]) == ("biological", "tape_lift")


def test_the_list_opens_on_the_cell_and_arrows_or_a_click_pick_without_leaving_it(app, qtbot, cases):
    view, _editor, table, cols = evidence_table(qtbot, cases, [{"name": "足迹", "category": "footprint"}])
    view.resize(1024, 768)
    table.setCurrentCell(0, cols["category"])  # as Tab onto it: the cell opens with every option
    qtbot.waitUntil(lambda: bool(shown_lists(table)), timeout=1000)
    editor, options = choice_list(table)
    assert len(shown_options(options)) == 12 and options.currentIndex().data() == "足迹"
    assert table.window().rect().contains(options.geometry())  # inside the window, not cut off
    qtbot.keyClick(editor, Qt.Key.Key_Escape)  # the list closes; the cell stays open
    assert not shown_lists(table) and table.state() == QAbstractItemView.State.EditingState
    qtbot.keyClick(editor, Qt.Key.Key_Down)  # opens it again
    editor, options = choice_list(table)
    row = shown_options(options).index("生物检材（DNA）")
    qtbot.mouseClick(options.viewport(), Qt.MouseButton.LeftButton,
                     pos=options.visualRect(options.model().index(row, 0)).center())
    assert editor.text() == "生物检材（DNA）" and QApplication.focusWidget() is editor
    assert not shown_lists(table)
    qtbot.keyClick(editor, Qt.Key.Key_Tab)
    assert table.item(0, cols["category"]).text() == "生物检材（DNA）"


def test_text_that_matches_no_option_is_kept_and_named_by_the_check(app, qtbot, cases):
    view, _editor, table, cols = evidence_table(qtbot, cases, [{"name": "足迹"}])
    table.setCurrentCell(0, cols["category"])
    table.setFocus()
    ime(table, "不存在的类别")
    assert not shown_lists(table)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert table.item(0, cols["category"]).text() == "不存在的类别"
    assert not view.save()  # refused with the problem named, nothing invented
    assert "category" not in (cases.get(view.case.id).data["evidence"][0])


def test_other_method_takes_its_explanation_in_the_cell_and_keeps_it(app, qtbot, cases):
    view, editor, table, cols = evidence_table(qtbot, cases, [{"name": "毛发"}])
    table.setCurrentCell(0, cols["method"])
    table.setFocus()
    ime(table, "其他")
    qtbot.keyClick(choice_list(table)[0], Qt.Key.Key_Tab)  # stays in the cell, ready for the explanation
    line = QApplication.focusWidget()
    assert isinstance(line, QLineEdit) and line.text() == "其他："
    ime(line, "真空吸附")
    qtbot.keyClick(line, Qt.Key.Key_Tab)
    assert table.item(0, cols["method"]).text() == "其他：真空吸附"
    assert view.save()
    row = cases.get(view.case.id).data["evidence"][0]
    assert (row["method"], row["method_other"]) == ("other", "真空吸附")
    view.load(cases.get(view.case.id))  # shown again as it was typed, and opening it is no edit
    assert table.item(0, cols["method"]).text() == "其他：真空吸附"
    assert not view.is_dirty() and editor.value()[0]["method_other"] == "真空吸附"


def test_a_new_row_takes_who_and_when_from_the_row_above_and_the_first_from_the_prefill(
        app, qtbot, cases):
    view, editor, table, cols = evidence_table(qtbot, cases)
    asked = []

    def prefill(row):
        asked.append(dict(row))
        return {"collector": "张伟", "collected_at": "2026-11-27T09:40:00+08:00", "number": "H1",
                "unknown": "x"}
    editor.set_row_defaults(prefill)
    keys(qtbot, "Ctrl+Return")
    first = editor.value()[0]
    assert first == {"quantity": 1, "comparison_status": "not_sent", "collector": "张伟",
                     "collected_at": "2026-11-27T09:40:00+08:00"}  # never the system's number
    assert table.item(0, cols["collector"]).text() == "张伟"
    table.item(0, cols["collector"]).setText("李强")
    table.item(0, cols["collected_at"]).setText("2026-11-27 10:05")
    table.item(0, cols["location"]).setText("主卧窗台")
    keys(qtbot, "Ctrl+Enter")
    second = editor.value()[1]
    assert second["collector"] == "李强" and second["collected_at"].startswith("2026-11-27T10:05")
    assert "location" not in second  # only who and when come down
    assert asked[1]["collector"] == "李强"  # the prefill sees them and fills only what is empty
    assert table.currentRow() == 1 and table.currentColumn() == cols["name"]


def test_ctrl_d_copies_the_current_row_with_a_new_number_and_a_fresh_comparison(app, qtbot, cases):
    rows = evidence()
    rows[1].update(comparison_status="match", compared_on="2026-11-30", comparison_result="张某某")
    view, editor, table, cols = evidence_table(qtbot, cases, rows)
    numbers = [r["number"] for r in cases.get(view.case.id).data["evidence"]]
    table.setCurrentCell(1, cols["location"])
    table.setFocus()
    keys(qtbot, "Ctrl+D")
    assert table.rowCount() == 3 and (table.currentRow(), table.currentColumn()) == (2, cols["name"])
    copy = editor.value()[2]
    assert copy == {"name": "运动鞋足迹", "category": "footprint", "quantity": 2, "location": "客厅地面",
                    "method": "electrostatic", "collector": "张伟",
                    "collected_at": "2026-11-27T09:50:00+08:00", "comparison_status": "not_sent"}
    assert table.item(2, cols["number"]).text() == ""
    assert view.is_dirty()  # the copy is an edit the form hears of
    assert view.save()
    saved = cases.get(view.case.id).data["evidence"]
    assert [r["number"] for r in saved[:2]] == numbers
    assert saved[2]["number"].startswith("H") and saved[2]["number"] not in numbers


def test_ctrl_d_takes_what_is_typed_in_an_open_cell_and_the_copy_button_keeps_the_focus(app, qtbot, cases):
    view, editor, table, cols = evidence_table(qtbot, cases, [{"name": "足迹"}])
    table.setCurrentCell(0, cols["location"])
    table.setFocus()
    ime(table, "客厅门口")  # the editor stays open
    assert table.state() == QAbstractItemView.State.EditingState
    keys(qtbot, "Ctrl+D")
    assert [r.get("location") for r in editor.value()] == ["客厅门口", "客厅门口"]
    copy = child(view, QPushButton, "field_evidence_copy")
    assert copy.focusPolicy() == Qt.FocusPolicy.NoFocus
    qtbot.mouseClick(copy, Qt.MouseButton.LeftButton)
    assert table.rowCount() == 3 and table.hasFocus()


def test_no_row_is_added_or_copied_in_a_record_that_cannot_change(app, qtbot, cases):
    view, editor, table, cols = evidence_table(qtbot, cases, [{"name": "足迹"}])
    editor.set_readonly(True)
    table.setCurrentCell(0, cols["name"])
    table.setFocus()
    for sequence in ("Ctrl+Return", "Ctrl+D"):
        keys(qtbot, sequence)
    editor.copy_current()
    assert table.rowCount() == 1
    assert not child(view, QPushButton, "field_evidence_copy").isVisible()


def test_the_shortcuts_list_names_the_row_keys(app):
    from weicha_desktop.gui.shell.shortcuts import key_list

    listed = dict(key_list())
    assert "添加一行" in listed["Ctrl+Enter"] and "复制当前行" in listed["Ctrl+D"]
