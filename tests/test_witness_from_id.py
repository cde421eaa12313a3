"""A witness's 性别 and 出生日期 come from the 身份证号 (issue 10 §3): filled, not typed — in
the core every stored person with a valid number carries what it says; in the form the
cells fill as soon as a valid 18-digit number is entered."""
from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QTableWidget

from form_support import click, open_view
from gui_support import admin, app, cases, child, dialogs, store  # noqa: F401  (fixtures)
from support import forms
from weicha_desktop.core.errors import ValidationFailed
from weicha_desktop.core.forms import validate
from weicha_desktop.core.forms.identity import follow_id_numbers, id_values
from weicha_desktop.core.forms.spec import PERSON_FIELDS, Field, Label
from weicha_desktop.core.forms.validators import id_check_char
from weicha_desktop.gui.forms.autofill import follow_ids
from weicha_desktop.gui.forms.groups import make_editor

WOMAN = "11010519491231002X"            # born 1949-12-31, 17th digit 2: female
MAN = "45070219800101001" + id_check_char("45070219800101001")  # 1980-01-01, 001: male
BAD_CHECK = "110105194912310021"         # the check character is X
FUTURE = "45070220270101002" + id_check_char("45070220270101002")  # born after the clock's today


def row(id_number: str, **more) -> dict:
    return {"name": "王芳", "address": "钦州市钦南区永福路 12 号", "id_number": id_number, **more}


def test_a_stored_witness_carries_what_the_id_number_says(cases):
    case = cases.new_case({"witnesses": [row(WOMAN)]})
    assert case.data["witnesses"] == [row(WOMAN, gender="female", birth_date="1949-12-31")]
    # typed wrong: the number decides (the two could never be saved disagreeing anyway)
    case = cases.update(case.id, {"witnesses": [row(MAN, gender="female", birth_date="1949-12-31")]})
    assert case.data["witnesses"] == [row(MAN, gender="male", birth_date="1980-01-01")]
    assert not [p for p in cases.blockers(case.id) if p.path.startswith("witnesses")]

    # an invalid number fills nothing and is refused as before
    with pytest.raises(ValidationFailed) as err:
        cases.update(case.id, {"witnesses": [row(BAD_CHECK, gender="male")]})
    assert [p.path for p in err.value.problems] == ["witnesses[0].id_number"]
    assert "校验位" in str(err.value.problems[0].message)
    with pytest.raises(ValidationFailed) as err:  # judged by the store's clock: born "later"
        cases.update(case.id, {"witnesses": [row(FUTURE)]})
    assert "未来" in str(err.value.problems[0].message)


def test_the_values_follow_in_each_form_version_and_only_where_asked(cases):
    today = cases.store.clock.now().date()
    v2 = forms().get("scene_investigation", 2)  # stores the words (男/女), not codes
    got = follow_id_numbers(v2, {"witnesses": [row(WOMAN)], "recorder": "张伟"}, today)
    assert got == {"witnesses": [row(WOMAN, gender="女", birth_date="1949-12-31")], "recorder": "张伟"}
    latest = forms().latest("scene_investigation")
    given = {"witnesses": [row(WOMAN), "not a row", row("")]}
    got = follow_id_numbers(latest, given, today)
    assert got["witnesses"][1:] == ["not a row", row("")]
    assert given["witnesses"][0] == row(WOMAN)  # the caller's data is not changed
    assert id_values(latest.field("investigators").fields, WOMAN, today) == {}  # no 身份证号 there
    # data that did not come through the service is still checked against the number
    found = validate(latest, {"witnesses": [row(WOMAN, gender="male")]}, clock=cases.store.clock)
    assert [(p.path, str(p.message)) for p in found] == [
        ("witnesses[0].gender", "见证人 第1行 性别：与身份证号不符（应为 女）")]


# ---- the form ------------------------------------------------------------------------------------
def type_cell(qtbot, table: QTableWidget, r: int, c: int, text: str) -> None:
    """Type into a cell from the keyboard as a person does: select it, type (the editor
    opens on the first key), Enter; wait until the table has taken the text."""
    table.setFocus()
    table.setCurrentCell(r, c)
    qtbot.keyClicks(table, text[0])
    editor = QApplication.focusWidget()
    assert editor is not table and table.isAncestorOf(editor)
    editor.selectAll()
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: table.item(r, c).text() == text, timeout=1000)


def test_the_form_fills_gender_and_birth_date_as_the_number_is_entered(app, qtbot, cases):
    view = open_view(qtbot, cases, cases.new_case().id)
    view.tabs.setCurrentIndex([s.id for s in view.spec.sections].index("people"))
    click(qtbot, view, "field_witnesses_add")
    table = child(view, QTableWidget, "field_witnesses")
    cols = {f.id: i for i, f in enumerate(view.spec.field("witnesses").fields)}

    def shown(r: int) -> tuple[str, str]:
        return table.item(r, cols["gender"]).text(), table.item(r, cols["birth_date"]).text()

    type_cell(qtbot, table, 0, cols["id_number"], WOMAN)
    assert shown(0) == ("女", "1949-12-31")
    type_cell(qtbot, table, 0, cols["id_number"], MAN)  # corrected: they follow
    assert shown(0) == ("男", "1980-01-01")

    click(qtbot, view, "field_witnesses_add")
    type_cell(qtbot, table, 1, cols["id_number"], BAD_CHECK)
    assert shown(1) == ("", "")  # not valid: nothing made up
    type_cell(qtbot, table, 1, cols["id_number"], WOMAN[:17])  # 17 digits so far
    assert shown(1) == ("", "")

    table.item(0, cols["name"]).setText("王芳")
    table.selectRow(1)
    click(qtbot, view, "field_witnesses_remove")
    assert view.save()
    stored = cases.get(view.case.id).data["witnesses"]
    assert stored == [{"name": "王芳", "id_number": MAN, "gender": "male", "birth_date": "1980-01-01"}]


def test_a_person_field_with_an_id_number_fills_too(app):
    """Forms may have a person (not a table) with a 身份证号: its inputs follow the same way."""
    person = Field("suspect", "person", Label("嫌疑人"), fields=tuple(PERSON_FIELDS.values()))
    editor = make_editor(person)
    editor.subs["id_number"].widget.setText(WOMAN[:17])
    assert not follow_ids(editor, date(2026, 11, 27)) and editor.value() == {"id_number": WOMAN[:17]}
    editor.subs["id_number"].widget.setText(WOMAN)
    assert follow_ids(editor, date(2026, 11, 27))
    assert editor.value() == {"id_number": WOMAN, "gender": "女", "birth_date": "1949-12-31"}
    assert not follow_ids(editor, date(2026, 11, 27))  # nothing left to fill
