"""Autosave in the form: edits reach the recovery journal within 2 s without touching the work
log or the sync queue; a session commits as one entry; after kill -9 the case reopens with
everything typed and a notice."""
from __future__ import annotations

import signal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QFrame, QLabel, QLineEdit, QPlainTextEdit, QPushButton,
                               QTabWidget)

from form_support import open_view, shown
from gui_support import (activate, admin, app, cases, child, dialogs, forms,  # noqa: F401
                         store, type_into)
from support import PASSWORD, new_store
from tests.forked_programs import start
from weicha_desktop.core.cases import CaseService
from weicha_desktop.core.store import Store
from weicha_desktop.core.users import UserService
from weicha_desktop.gui.forms.view import AUTOSAVE_MS

pytestmark = pytest.mark.usefixtures("dialogs")


def counts(store) -> tuple[int, int]:
    return store.db["audit_log"].count, store.db["outbox"].count


def test_edits_are_journalled_within_two_seconds_without_log_or_sync(app, qtbot, cases, store):
    assert AUTOSAVE_MS <= 1000  # the program's pause: journalled well within 2 s
    case = cases.new_case({"recorder": None})  # not prefilled: typed here
    view = open_view(qtbot, cases, case.id, autosave_ms=100)  # the same timer, a shorter pause
    before = counts(store)
    type_into(qtbot, child(view, QLineEdit, "field_recorder"), "Zhang Wei")
    type_into(qtbot, child(view, QLineEdit, "field_incident_address"), "钦州市钦南区永福路 12 号")
    qtbot.waitUntil(lambda: cases.recovered(case.id) is not None, timeout=2000)
    assert cases.recovered(case.id).values == {  # 现场地点 follows 发案地点
        "recorder": "Zhang Wei", "incident_address": "钦州市钦南区永福路 12 号",
        "scene_address": "钦州市钦南区永福路 12 号"}
    assert counts(store) == before
    assert child(view, QLabel, "autosaveLabel").text().startswith("已自动保存")

    # more typing, a tab change: journalled at once, still nothing logged or queued
    type_into(qtbot, child(view, QLineEdit, "field_assigning_unit"), "Nanzhu")
    child(view, QTabWidget, "formTabs").setCurrentIndex(2)
    assert cases.recovered(case.id).values["assigning_unit"] == "Nanzhu"
    assert counts(store) == before

    # the session ends (the main window closes the tab): ONE entry, ONE operation
    assert view.commit_session()
    assert counts(store) == (before[0] + 1, before[1] + 1)
    assert store.audit_entries()[-1].action == "case.update"
    op = store.pending_outbox()[-1]
    assert op["op"] == "case.draft" and op["payload"]["data"]["recorder"] == "Zhang Wei"
    assert cases.recovered(case.id) is None and not view.is_dirty()
    assert view.commit_session() and counts(store) == (before[0] + 1, before[1] + 1)


def test_undoing_every_edit_empties_the_journal(app, qtbot, cases):
    case = cases.new_case({"recorder": None})
    view = open_view(qtbot, cases, case.id)
    edit = child(view, QLineEdit, "field_recorder")
    type_into(qtbot, edit, "abc")
    view.flush()
    assert cases.recovered(case.id) is not None
    edit.clear()
    view.flush()
    assert cases.recovered(case.id) is None


def test_ctrl_s_commits_and_invalid_values_stay_journalled(app, qtbot, cases, store):
    case = cases.new_case()
    view = open_view(qtbot, cases, case.id)
    type_into(qtbot, child(view, QLineEdit, "field_reporter.phone"), "12345")
    type_into(qtbot, child(view, QLineEdit, "field_recorder"), "Li")
    before = counts(store)
    qtbot.keyClick(child(view, QLineEdit, "field_recorder"), Qt.Key.Key_S,
                   Qt.KeyboardModifier.ControlModifier)
    assert counts(store) == before  # refused as a whole …
    assert "未保存到记录" in child(view, QLabel, "formMessage").text()
    error = child(view, QLabel, "error_reporter")  # under the field, on its own tab
    assert not error.isHidden() and error.text().startswith("电话：")
    assert cases.recovered(case.id).values["reporter"] == {"phone": "12345"}  # … and kept

    reopened = open_view(qtbot, cases, case.id)  # e.g. closed anyway, opened again
    assert child(reopened, QLineEdit, "field_reporter.phone").text() == "12345"
    assert child(reopened, QFrame, "recoveryNotice").isVisible()
    reopened.close()

    activate(qtbot, view)
    edit = child(view, QLineEdit, "field_reporter.phone")
    edit.clear()
    type_into(qtbot, edit, "13807770001")
    qtbot.keyClick(edit, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert counts(store) == (before[0] + 1, before[1] + 1)
    assert cases.get(case.id).data["reporter"] == {"phone": "13807770001"}
    assert child(view, QLabel, "error_reporter").isHidden()


def test_recovery_notice_and_discard(app, qtbot, cases, store):
    case = cases.new_case({"recorder": "张伟"})
    cases.autosave(case.id, {"recorder": "王五", "scene_state": "altered"})
    view = open_view(qtbot, cases, case.id)
    notice = child(view, QFrame, "recoveryNotice")
    assert notice.isVisible()
    assert child(view, QLabel, "recoveryText").text().startswith("已恢复上次未保存的草稿（自动保存于 2026-")
    assert child(view, QLineEdit, "field_recorder").text() == "王五"
    assert child(view, QComboBox, "field_scene_state").currentText() == "变动现场"
    assert view.is_dirty()
    qtbot.mouseClick(child(view, QPushButton, "discardRecoveryButton"), Qt.MouseButton.LeftButton)
    assert not notice.isVisible()
    assert child(view, QLineEdit, "field_recorder").text() == "张伟"
    assert cases.recovered(case.id) is None and not view.is_dirty()


CHILD = r"""
import sys
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QComboBox, QLineEdit, QPlainTextEdit
from weicha_desktop.core.cases import CaseService
from weicha_desktop.core.forms import FormRegistry
from weicha_desktop.core.store import Store
from weicha_desktop.core.users import UserService
from weicha_desktop.gui.forms.view import FormView
from weicha_desktop.gui.shell.app import make_app
from weicha_desktop.resources import forms_dir

app = make_app()
store = Store.open(sys.argv[1])
cases = CaseService(store, FormRegistry(forms_dir()), UserService(store).authenticate("admin", sys.argv[3]))
view = FormView(cases, cases.get(sys.argv[2]), autosave_ms=100)  # the pause: 0.1 s, not 1 s
view.show()
QTest.keyClicks(view.findChild(QLineEdit, "field_recorder"), "Zhang Wei")
view.findChild(QLineEdit, "field_incident_address").insert("钦州市钦南区永福路 12 号")
view.findChild(QComboBox, "field_scene_state").setCurrentText("变动现场")
view.findChild(QPlainTextEdit, "field_change_reason").setPlainText("事主进屋查看时移动了椅子")
view.autosaved.connect(lambda at: print("autosaved", at, flush=True))
app.exec()
"""


@pytest.mark.slow
def test_kill_9_then_reopen_shows_everything_typed(app, qtbot, tmp_path, monkeypatch):
    data = tmp_path / "data"
    with new_store(data) as store:
        actor = UserService(store).authenticate("admin", PASSWORD)
        case = CaseService(store, forms(), actor).new_case({"recorder": None})
        before = counts(store)
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    proc = start(CHILD, str(data), case.id, PASSWORD)  # a process of its own (tests/forked_programs.py)
    try:
        line = proc.readline(30)  # never hang the suite
        assert line.startswith("autosaved"), proc.output()
    finally:
        proc.kill()  # SIGKILL, then reaped
    assert proc.returncode == -signal.SIGKILL

    with Store.open(data) as store:  # the lock died with the process
        actor = UserService(store).authenticate("admin", PASSWORD)
        cases = CaseService(store, forms(), actor)
        assert counts(store)[1] == before[1]  # nothing was queued for sync
        assert "case.update" not in {e.action for e in store.audit_entries()}
        view = open_view(qtbot, cases, case.id)
        assert child(view, QLineEdit, "field_recorder").text() == "Zhang Wei"
        assert child(view, QLineEdit, "field_incident_address").text() == "钦州市钦南区永福路 12 号"
        assert child(view, QComboBox, "field_scene_state").currentText() == "变动现场"
        assert child(view, QPlainTextEdit, "field_change_reason").toPlainText() == "事主进屋查看时移动了椅子"
        assert shown(view, "change_reason")  # 变动现场: the reason applies
        assert child(view, QFrame, "recoveryNotice").isVisible()
        assert "已恢复上次未保存的草稿" in child(view, QLabel, "recoveryText").text()
        assert view.commit_session()
        assert cases.get(case.id).data["recorder"] == "Zhang Wei"
        view.close()
