"""An open case builds its 照片 and 物证登记 views when they are first needed, not with the
form: the header still counts them, and the view built later shows the case as it is then."""
from __future__ import annotations

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QStackedWidget

from gui_support import activate, admin, app, cases, child, complete_values, dialogs, store  # noqa: F401
from photo_gui_support import card, evidence, open_pages
from weicha_desktop.core.photos import PhotoService
from weicha_desktop.gui.evidence.register import EvidenceRegister
from weicha_desktop.gui.photos.log import PhotoLog


def test_the_views_beside_the_form_are_built_when_first_shown(app, qtbot, cases, tmp_path, dialogs):
    case = cases.new_case(complete_values())
    photos = PhotoService(cases.store, cases.actor, cases.forms)
    photos.import_files(case.id, card(tmp_path / "DCIM", 4), workers=1)
    for photo, kind in zip(photos.list(case.id), ("方位", "概貌", "重点部位", "细目")):
        photos.update(photo.id, photo_class=kind)
    view, pages = open_pages(qtbot, cases, case.id)
    assert view.findChildren(PhotoLog) == [] and view.findChildren(EvidenceRegister) == []
    group = view.header.view_group
    assert group.button(1).text() == "照片（4）" and group.button(2).text() == "物证登记（0）"
    stack = child(view, QStackedWidget, "caseViews")
    assert stack.count() == 3
    activate(qtbot, view)
    view.focus_first_empty()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    [log] = view.findChildren(PhotoLog)
    assert stack.currentWidget() is log and stack.indexOf(log) == 1 and stack.count() == 3
    assert log.isVisible() and log.grid.hasFocus() and log.model.rowCount() == 4  # the keys work at once
    assert log.grid.width() > 600  # laid out in the stack's place, not left at a stand-in's size
    assert view.findChildren(EvidenceRegister) == []
    assert pages.photo_log is log
    qtbot.mouseClick(group.button(0), Qt.MouseButton.LeftButton)
    dialogs.answers = [QMessageBox.StandardButton.Yes]
    assert view.finalize()  # while the register was never built: it is built with the case as it is now
    qtbot.mouseClick(group.button(2), Qt.MouseButton.LeftButton)  # a click: pressed builds, clicked shows
    [register] = view.findChildren(EvidenceRegister)
    assert stack.currentWidget() is register and stack.indexOf(register) == 2 and register.isVisible()
    assert child(register, QLabel, "evidenceReadonlyNote").isVisible() and register.rows == []
    assert child(log, QLabel, "photoReadonlyNote").isVisibleTo(log)  # the built log followed the load
    pages.shutdown()


def test_a_stand_in_shown_some_other_way_builds_its_view(app, qtbot, cases):
    view, pages = open_pages(qtbot, cases, cases.new_case({"evidence": evidence()}).id)
    assert view.header.view_group.button(2).text() == "物证登记（2）"  # counted unbuilt
    assert not pages.decoding() and view.findChildren(EvidenceRegister) == []  # asking builds nothing
    stack = child(view, QStackedWidget, "caseViews")
    stand_in = stack.widget(2)
    stack.setCurrentIndex(2)  # not through the header's button
    qtbot.waitUntil(lambda: bool(view.findChildren(EvidenceRegister)), timeout=2000)
    [register] = view.findChildren(EvidenceRegister)
    assert stack.currentWidget() is register and register.isVisible() and pages.register is register
    assert len(register.rows) == 2 and register.table.rowCount() == 2
    qtbot.waitUntil(lambda: not shiboken6.isValid(stand_in), timeout=2000)  # the stand-in is gone
    assert view.findChildren(PhotoLog) == []
    pages.shutdown()  # what was never built is not built to be shut down
    assert view.findChildren(PhotoLog) == []
