"""Separation of duties in the GUI: the review page says why a supervisor may not review a
case they took part in (and a refusal at the click is shown, not a crash); the form of a draft
opens read-only, with the reason, for a user who is not one of its investigators."""
from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLabel, QMessageBox, QPlainTextEdit, QPushButton

from gui_support import (admin, app, cases, child, complete_values, dialogs, forms,  # noqa: F401
                         store)
from support import PASSWORD
from test_gui_review import click, open_in_queue
from weicha_desktop.core.cases import CaseService
from weicha_desktop.core.users import UserService
from weicha_desktop.gui.forms.view import FormView
from weicha_desktop.gui.shell.main_window import MainWindow


@pytest.fixture
def zhou(store, admin):
    UserService(store).add(admin, "zhou", "supervisor", PASSWORD, display_name="周建国", badge_no="200018")
    return UserService(store).authenticate("zhou", PASSWORD)


@pytest.fixture
def own_case(store, zhou):
    """A case the supervisor wrote and finalized himself."""
    mine = CaseService(store, forms(), zhou)
    return mine.finalize(mine.new_case(complete_values()).id)


def make_window(qtbot, store, actor) -> MainWindow:
    win = MainWindow(store, forms(), actor)
    qtbot.addWidget(win)
    win.show()
    return win


def test_the_review_page_says_why_a_supervisor_may_not_review_his_own_case(
        app, qtbot, store, zhou, own_case, dialogs):
    window = make_window(qtbot, store, zhou)
    page = window.show_page("review")
    open_in_queue(qtbot, page, own_case.number)
    error = child(page, QLabel, "reviewError")
    assert error.isVisible()
    assert "创建了该勘验" in error.text() and "职责分离" in error.text()
    assert not child(page, QPushButton, "approveButton").isEnabled()
    assert not child(page, QPushButton, "returnButton").isEnabled()
    assert child(page, QPlainTextEdit, "reviewComment").isReadOnly()
    assert dialogs.shown == []


def test_a_refusal_at_the_click_is_shown_on_the_page(app, qtbot, store, zhou, own_case, dialogs,
                                                     monkeypatch):
    """The page's early check missed it (say, the case changed meanwhile): the core refuses,
    the page shows the reason, the case stays finalized, the refusal is logged."""
    monkeypatch.setattr(CaseService, "review_refusal", lambda self, case: None)
    window = make_window(qtbot, store, zhou)
    page = window.show_page("review")
    open_in_queue(qtbot, page, own_case.number)
    dialogs.answers.append(QMessageBox.StandardButton.Yes)
    click(qtbot, child(page, QPushButton, "approveButton"))
    error = child(page, QLabel, "reviewError")
    assert error.isVisible() and "不能审核自己参与的勘验" in error.text()
    assert page.view is not None and page.view.case.number == own_case.number  # still open
    assert CaseService(store, forms(), zhou).get(own_case.id).status == "finalized"
    assert store.audit_entries()[-1].action == "access.denied"


def test_a_draft_opens_read_only_for_someone_who_is_not_its_investigator(
        app, qtbot, store, admin, cases):
    draft = cases.new_case(complete_values())
    UserService(store).add(admin, "wangfang", "technician", PASSWORD, display_name="王芳", badge_no="200019")
    outsider = CaseService(store, forms(), UserService(store).get("wangfang"))
    view = FormView(outsider, outsider.get(draft.id))
    qtbot.addWidget(view)
    view.show()
    assert not view.is_editable()
    assert not child(view, QPushButton, "saveButton").isVisible()
    message = child(view, QLabel, "formMessage").text()
    assert message.startswith("只读：") and "不是勘验" in message and "勘验人员" in message
    assert view.commit_session()  # nothing to save, nothing refused, nothing logged
    assert store.audit_entries()[-1].action != "access.denied"

    own = FormView(cases, cases.get(draft.id))  # the admin wrote it: may edit
    qtbot.addWidget(own)
    assert own.is_editable() and not child(own, QLabel, "formMessage").text()
