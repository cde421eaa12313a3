"""A return's comment names the section it is about (issue 10 §4): stored with the review
(reviews.section, the audit entry, the case.review op), checked by verify, carried by a
replay; the review page picks it; the returned draft opens at that section with the comment
there."""
from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QLabel, QListWidget, QMessageBox, QPlainTextEdit,
                               QPushButton, QTabWidget)

from form_support import focused
from gui_support import (activate, admin, app, cases, child, complete_values, dialogs, forms,  # noqa: F401
                         store)
from support import PASSWORD, new_store, tamper
from outbox_support import outbox_rows
from weicha_desktop.core.cases import CaseService
from weicha_desktop.core.errors import WeichaError
from weicha_desktop.core.store.oplog import outbox_envelope
from weicha_desktop.core.sync.apply import apply_ops
from weicha_desktop.core.users import UserService
from weicha_desktop.core.verify import verify
from weicha_desktop.gui.shell.main_window import MainWindow

COMMENT = "见证人身份证号码缺失，请补充。"


@pytest.fixture
def zhou(store, admin):
    UserService(store).add(admin, "zhou", "supervisor", PASSWORD, display_name="周建国", badge_no="200031")
    return UserService(store).authenticate("zhou", PASSWORD)


@pytest.fixture
def boss(store, zhou):
    return CaseService(store, forms(), zhou)


@pytest.fixture
def finalized(cases):
    return cases.finalize(cases.new_case(complete_values()).id)


def section_index(cases, section_id: str) -> int:
    return [s.id for s in cases.forms.latest(cases.form_id).sections].index(section_id)


# ---- core ------------------------------------------------------------------------------------
def test_a_return_keeps_its_section_in_the_review_the_log_and_the_op(store, cases, boss, finalized):
    returned = boss.review(finalized.id, approve=False, comment=COMMENT, section="people")
    assert cases.returned_section(returned) == "people"
    row = store.conn.execute("SELECT version, decision, section FROM reviews").fetchone()
    assert row == (1, "returned", "people")
    entry = [e for e in store.audit_entries() if e.action == "case.return"][-1]
    assert entry.details["section"] == "people"
    op = [r for r in outbox_rows(store) if r["op"] == "case.review"][-1]
    assert json.loads(op["payload"])["section"] == "people"
    # finalized again: no longer a returned draft, so no section to open at
    again = cases.finalize(returned.id)
    assert cases.returned_section(again) is None


def test_a_return_without_a_section_and_an_approval_carry_none(store, cases, boss, finalized):
    returned = boss.review(finalized.id, approve=False, comment=COMMENT)
    assert cases.returned_section(returned) is None
    op = [r for r in outbox_rows(store) if r["op"] == "case.review"][-1]
    assert "section" not in json.loads(op["payload"])
    approved = boss.review(cases.finalize(returned.id).id, approve=True)
    assert approved.status == "reviewed" and cases.returned_section(approved) is None


@pytest.mark.parametrize("approve, section, words", [
    (False, "nowhere", "没有“nowhere”这个栏目"),
    (False, "photos'; DROP TABLE reviews; --", "这个栏目"),
    (True, "people", "审核通过不指明栏目"),
])
def test_a_section_the_form_has_not_or_on_an_approval_is_refused(store, boss, finalized, approve,
                                                                section, words):
    before = store.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    with pytest.raises(WeichaError) as e:
        boss.review(finalized.id, approve=approve, comment=COMMENT, section=section)
    assert words in str(e.value)
    assert store.conn.execute("SELECT count(*) FROM reviews").fetchone()[0] == 0
    assert store.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0] == before
    assert boss.get(finalized.id).status == "finalized"


def test_verify_names_a_section_changed_behind_the_programs_back(store, boss, finalized):
    boss.review(finalized.id, approve=False, comment=COMMENT, section="people")
    assert verify(store).ok
    tamper(store.data_dir / "weicha.db", "UPDATE reviews SET section = 'remarks'")
    report = verify(store)
    assert not report.ok
    assert "所指栏目" in "\n".join(report.faults)


def test_a_replayed_return_keeps_its_section(store, boss, finalized, tmp_path):
    boss.review(finalized.id, approve=False, comment=COMMENT, section="evidence_list")
    envelopes = [outbox_envelope(r) for r in outbox_rows(store)]
    dst = new_store(tmp_path / "dst")
    try:
        report = apply_ops(dst, envelopes, forms())
        assert report.ok, report.message()
        assert dst.conn.execute("SELECT section FROM reviews").fetchone() == ("evidence_list",)
        there = CaseService(dst, forms(), UserService(dst).authenticate("admin", PASSWORD))
        assert there.returned_section(there.get(finalized.id)) == "evidence_list"
    finally:
        dst.close()


# ---- the review page: the reviewer picks the section, by keyboard --------------------------------
def window_as(qtbot, store, actor) -> MainWindow:
    win = MainWindow(store, forms(), actor)
    qtbot.addWidget(win)
    win.show()
    activate(qtbot, win)
    return win


def alt(qtbot, letter: str) -> None:
    qtbot.keyClick(focused(), letter, Qt.KeyboardModifier.AltModifier)


def test_the_reviewer_picks_the_section_and_returns_with_the_keyboard_only(
        app, qtbot, store, zhou, cases, finalized, dialogs):
    win = window_as(qtbot, store, zhou)
    page = win.show_page("review")
    assert page.view is not None and page.view.case.id == finalized.id
    box = child(page, QComboBox, "reviewSection")
    assert box.currentData() is None and box.itemText(0).startswith("整件勘验")
    assert [box.itemData(i) for i in range(1, box.count())] == \
        [s.id for s in cases.spec_for(finalized).sections]

    page.view.browser.setFocus()
    alt(qtbot, "s")                       # 意见所指栏目(&S)
    assert focused() is box
    target = box.findData("people")
    for _ in range(target):
        qtbot.keyClick(box, Qt.Key.Key_Down)
    assert box.currentData() == "people"
    alt(qtbot, "m")                       # 意见(&M)
    comment = child(page, QPlainTextEdit, "reviewComment")
    assert focused() is comment
    comment.insertPlainText(COMMENT)      # as an input method commits it
    alt(qtbot, "t")                       # 退回补正(&T): the button clicks itself (animated)
    qtbot.waitUntil(lambda: cases.get(finalized.id).status == "draft", timeout=2000)
    returned = cases.get(finalized.id)
    assert returned.status == "draft" and returned.returned_comment == COMMENT
    assert cases.returned_section(returned) == "people"
    assert dialogs.shown == []


def test_choosing_a_section_shows_it_on_the_sheet(app, qtbot, store, zhou, finalized):
    win = window_as(qtbot, store, zhou)
    page = win.show_page("review")
    page.resize(1024, 768)
    bar = page.view.browser.verticalScrollBar()
    assert bar.value() == 0
    box = child(page, QComboBox, "reviewSection")
    box.setFocus()
    box.setCurrentIndex(box.findData("evidence_list"))
    box.activated.emit(box.currentIndex())  # what a choice from the list or the keys emits
    assert bar.value() > 0


def test_approve_is_alt_a_and_sends_no_section(app, qtbot, store, zhou, cases, finalized, dialogs):
    win = window_as(qtbot, store, zhou)
    page = win.show_page("review")
    box = child(page, QComboBox, "reviewSection")
    box.setCurrentIndex(box.findData("people"))  # chosen, then approved: no section kept
    page.view.browser.setFocus()
    dialogs.answers.append(QMessageBox.StandardButton.Yes)
    alt(qtbot, "a")                       # 审核通过(&A)
    qtbot.waitUntil(lambda: cases.get(finalized.id).status == "reviewed", timeout=2000)
    assert store.conn.execute("SELECT decision, section FROM reviews").fetchone() == ("approved", None)


# ---- the technician's side: the returned draft opens at the section ------------------------------
def test_the_returned_draft_opens_at_its_section_with_the_comment_there(app, qtbot, store, admin,
                                                                       cases, boss, finalized, dialogs):
    boss.review(finalized.id, approve=False, comment=COMMENT, section="people")
    win = window_as(qtbot, store, admin)
    view = win.workspace.open_case(finalized.id)
    row = section_index(cases, "people")
    sections = child(view, QListWidget, "sectionList")
    assert view.tabs.currentIndex() == row and sections.currentRow() == row
    assert COMMENT in sections.item(row).toolTip() and sections.item(row).font().bold()
    assert not sections.item(0).font().bold()
    note = child(view, QLabel, "sectionReturnNote")
    assert note.isVisible() and COMMENT in note.text()
    assert view.pages[row].isAncestorOf(note)
    assert view.pages[row].isAncestorOf(focused())  # the keyboard starts there too

    # the technician moves on, saves: the form stays where they are
    view.tabs.setCurrentIndex(0)
    view.save()
    assert view.tabs.currentIndex() == 0 and not note.isHidden()
    # problems counted in the list keep the mark
    sections.show_counts({row: 2})
    assert sections.item(row).font().bold() and "（2）" in sections.item(row).text()

    # finalized again: the comment and the mark go
    dialogs.answers.append(QMessageBox.StandardButton.Yes)
    assert view.finalize()
    assert note.isHidden() and not sections.item(row).font().bold()
    assert COMMENT not in sections.item(row).toolTip()


def test_a_return_about_the_whole_case_marks_no_section(app, qtbot, store, admin, cases, boss, finalized):
    boss.review(finalized.id, approve=False, comment=COMMENT)
    win = window_as(qtbot, store, admin)
    view = win.workspace.open_case(finalized.id)
    assert view.tabs.currentIndex() == 0 and win.workspace.case_pages[view].return_row is None
    assert view.findChildren(QLabel, "sectionReturnNote") == []
    sections = child(view, QListWidget, "sectionList")
    assert not any(sections.item(i).font().bold() for i in range(sections.count()))
    assert child(win, QTabWidget, "mainTabs").count() == 2
    assert child(view, QPushButton, "saveButton").isVisible()


def test_a_case_open_in_a_tab_when_it_is_returned_moves_to_the_section(app, qtbot, store, admin,
                                                                      cases, boss, finalized):
    win = window_as(qtbot, store, admin)
    view = win.workspace.open_case(finalized.id)
    assert view.tabs.currentIndex() == 0
    returned = boss.review(finalized.id, approve=False, comment=COMMENT, section="remarks")
    win.workspace.reload_case(returned)
    assert view.tabs.currentIndex() == section_index(cases, "remarks")
    assert COMMENT in child(view, QLabel, "sectionReturnNote").text()


# ---- the section list itself stays narrow: long titles wrap onto two lines -----------------------
@pytest.mark.parametrize("lang, widest", [("zh", 130), ("en", 160)])
def test_the_section_list_wraps_long_titles_and_stays_narrow(app, qtbot, cases, lang, widest):
    from weicha_desktop.gui.forms.view import FormView

    view = FormView(cases, cases.new_case(), lang=lang)
    qtbot.addWidget(view)
    view.resize(1024 - 160, 768 - 120)  # the form's share of a 1024×768 window
    view.show()
    qtbot.waitExposed(view)
    sections = child(view, QListWidget, "sectionList")
    assert sections.width() <= widest  # was 173 / 235: every title on one line
    viewport = sections.viewport().rect()
    two_lines = [sections.visualItemRect(sections.item(r)).height() for r in range(sections.count())]
    assert max(two_lines) > min(two_lines)  # the long titles did wrap
    for row in range(sections.count()):
        assert viewport.contains(sections.visualItemRect(sections.item(row))), sections.item(row).text()
