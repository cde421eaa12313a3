"""Opening a case cheaply (forms/view.py, sections.py, common/fonts.py): the form is built from
the top down; a tab's rows (labels, error lines) are made when it is first shown, its inputs
made at once (hidden in the page) so that what reads or fills the record across tabs works as
before; a field's red error label is made the first time the field has a message; the
program's font is set once, not again per window."""
from __future__ import annotations

from collections import Counter

import pytest
from PySide6.QtCore import QEvent, QObject, QRegularExpression, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QPlainTextEdit, QWidget

from form_support import focused, open_view, problems, shown
from gui_support import app, child, dialogs, type_into  # noqa: F401  (fixtures)
from module_folder import admin, cases, store  # noqa: F401  (each test makes its own case)
from weicha_desktop.gui.common.fonts import install_app_font
from weicha_desktop.gui.forms.view import FormView

pytestmark = pytest.mark.usefixtures("dialogs")


class Events(QObject):
    """Counts the events of ``kinds`` any object of the application receives."""

    def __init__(self, *kinds: QEvent.Type):
        super().__init__()
        self.kinds, self.seen = kinds, Counter()

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
        if event.type() in self.kinds:
            self.seen[event.type()] += 1
        return False


def test_building_the_form_lays_out_no_tab_before_it_is_shown(app, qtbot, cases):
    """Qt polishes a widget when it is first laid out. Pages filled first and put into their
    scroll areas and tabs afterwards were laid out, every widget of every tab, while the form
    was built (629 of 643 polished): a third of opening a case."""
    case = cases.new_case()
    events = Events(QEvent.Type.Polish)
    app.installEventFilter(events)
    try:
        view = FormView(cases, case)
    finally:
        app.removeEventFilter(events)
    qtbot.addWidget(view)
    widgets = len(view.findChildren(QWidget))
    assert widgets > 400  # the whole form is there, every tab
    assert len(view.pages) == view.tabs.count() == len(view.spec.sections)
    assert events.seen[QEvent.Type.Polish] < widgets // 2


def rows(view: FormView) -> list[int]:
    """How many form rows each tab has made."""
    return [page.form.rowCount() for page in view.pages]


def test_only_the_first_tab_is_built_and_a_value_typed_on_an_unbuilt_one_is_saved(app, qtbot, cases):
    case = cases.new_case({"scene_state": "altered", "change_reason": "雨后积水"})
    view = open_view(qtbot, cases, case.id)
    assert rows(view)[0] > 0 and rows(view)[1:] == [0] * (len(view.pages) - 1)  # tab 1 only
    reason = child(view, QPlainTextEdit, "field_change_reason")  # tab 4, never shown
    assert reason.toPlainText() == "雨后积水" and not reason.isVisible()  # loaded, waiting
    remarks = child(view, QPlainTextEdit, "field_remarks")  # tab 10, never shown
    remarks.setPlainText("现场已移交派出所")
    edit = child(view, QLineEdit, "field_case_number")  # on the first tab: Ctrl+S from there
    qtbot.keyClick(edit, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert cases.get(case.id).data["remarks"] == "现场已移交派出所"
    assert rows(view)[9] == 0  # saved without building its tab
    index = [s.id for s in view.spec.sections].index("protection")
    view.tabs.setCurrentIndex(index)  # now shown: label, input and value in their row
    assert rows(view)[index] > 0 and reason.isVisible() and reason.toPlainText() == "雨后积水"
    labels = [w for w in view.pages[index].findChildren(QLabel) if "变动原因" in w.text()]
    assert len(labels) == 1 and labels[0].isVisible()
    remarks.setPlainText("改了")  # and from a built tab to a saved record
    qtbot.keyClick(reason, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert cases.get(case.id).data["remarks"] == "改了"


def test_an_unbuilt_tab_follows_relevance_and_shows_its_problems(app, qtbot, cases):
    case = cases.new_case({"recorder": None})  # (not prefilled: a problem)
    view = open_view(qtbot, cases, case.id)
    index = [s.id for s in view.spec.sections].index("protection")
    child(view, QComboBox, "field_scene_state").setCurrentIndex(1)  # 原始现场: no 变动原因
    assert view.pages[index].is_hidden("change_reason") and rows(view)[index] == 0
    assert not shown(view, "change_reason")  # built hidden
    view.tabs.setCurrentIndex(0)
    child(view, QComboBox, "field_scene_state").setCurrentText("变动现场")
    assert shown(view, "change_reason")  # … and shown again as it becomes relevant
    view.tabs.setCurrentIndex(0)
    people = [s.id for s in view.spec.sections].index("people")
    assert rows(view)[people] == 0
    view.check()  # 检查 on the first tab: 笔录人 (tab 8, never shown) is missing
    assert "【参加人员】笔录人：必填" in problems(view)
    assert view.section_list.item(people).text().endswith("）")  # its count beside its title
    error = child(view, QLabel, "error_recorder")  # the line under the field, made on its tab
    assert error.text() and "笔录人" not in error.text() and not error.isHidden()
    view.focus_path("recorder")  # a click on the problem: its tab, the input focused
    assert view.tabs.currentIndex() == people and rows(view)[people] > 0
    assert focused() is child(view, QLineEdit, "field_recorder") and error.isVisible()


def test_an_error_label_is_made_when_its_field_first_has_a_message(app, qtbot, cases):
    case = cases.new_case()
    view = open_view(qtbot, cases, case.id)
    errors = QRegularExpression("^error_")
    assert view.findChildren(QLabel, errors) == []  # none while no field has a message
    edit = child(view, QLineEdit, "field_reporter.phone")  # its tab never shown
    type_into(qtbot, edit, "12345")
    qtbot.keyClick(edit, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert cases.get(case.id).data.get("reporter") is None  # refused
    error = child(view, QLabel, "error_reporter")
    assert [label.objectName() for label in view.findChildren(QLabel, errors)] == ["error_reporter"]
    assert not error.isHidden() and error.text().startswith("电话：")
    editor = view.editors["reporter"]
    assert error.parentWidget() is editor.row_widget.parentWidget()  # under the field …
    view.focus_path("reporter")
    qtbot.waitUntil(error.isVisible, timeout=2000)
    assert error.y() > editor.row_widget.y() + editor.row_widget.height() - 1  # … below it
    assert error.palette().windowText().color().name() == "#b00020"  # red
    edit.clear()
    type_into(qtbot, edit, "13807770001")
    qtbot.keyClick(edit, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert cases.get(case.id).data["reporter"] == {"phone": "13807770001"}
    assert error.isHidden() and view.findChild(QLabel, "error_reporter") is error  # made once


class Recorded:
    """The application, its setFont calls recorded."""

    def __init__(self, app):
        self.app, self.set = app, []

    def font(self) -> QFont:
        return self.app.font()

    def setFont(self, font: QFont) -> None:  # noqa: N802 (Qt's name)
        self.set.append(QFont(font))
        self.app.setFont(font)


def test_the_font_is_set_once_not_again_for_every_window(app):
    """QApplication.setFont costs even with the font it has (~0.3 ms, once per window the tests
    make); a second install leaves it alone, another font is replaced (its size kept)."""
    original = QFont(app.font())
    family = original.family()
    widget = QLabel("现场")
    recorded = Recorded(app)
    try:
        assert install_app_font(recorded) == family
        assert recorded.set == []  # already the application font
        other = QFont("DejaVu Sans")
        other.setPointSizeF(13)
        app.setFont(other)
        assert install_app_font(recorded) == family
        assert [(f.family(), f.pointSizeF()) for f in recorded.set] == [(family, 13)]
        assert app.font().family() == family and app.font().pointSizeF() == 13
        app.processEvents()
        assert widget.font().family() == family  # live widgets follow
    finally:
        app.setFont(original)  # as the other tests found it


def test_a_field_focused_on_a_tab_first_shown_is_scrolled_into_view(app, qtbot, cases):
    """Ctrl+PgDown onto a tab never shown whose first empty input is low on a small window:
    the input has focus and is on screen (the rows are laid out as the tab is built, before
    the scroll area is asked to show the input)."""
    from PySide6.QtCore import QPoint, QRect

    from gui_support import complete_values

    field = "narrative_visit"
    data = complete_values()
    spec = cases.spec_for(cases.get(cases.new_case({}).id))
    section = spec.section_of(field)
    for f in section.fields:  # everything on its tab filled but ``field``
        if f.id != field and f.id not in data and f.type in ("text", "textarea"):
            data[f.id] = "已填"
    data.pop(field, None)
    view = open_view(qtbot, cases, cases.new_case(data).id)
    view.resize(1024, 600)
    index = [s.id for s in spec.sections].index(section.id)
    assert not view.pages[index]._built
    view.tabs.setCurrentIndex(index - 1)
    qtbot.wait(10)
    view.next_section(1)
    qtbot.wait(50)  # what the user sees once the events are in
    page, widget = view.pages[index], focused()
    assert widget is view.editors[field].widget or view.editors[field].widget.isAncestorOf(widget), widget
    top = widget.mapTo(page.viewport(), QPoint(0, 0))
    assert top.y() > 0 or page.verticalScrollBar().value() > 0  # low on the page: scrolled to
    assert page.viewport().rect().intersects(QRect(top, widget.size())), (top, page.verticalScrollBar().value())
