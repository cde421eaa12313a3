"""What was still Chinese or cut off in the English window after issue 10 §5 (slice G): the
review sheet's checker result and the review refusals, the photo preview's time source, photo
classes in the photo views, the register's columns of the form's words, the review page's Alt
keys in the shortcuts list, the core's refusals the window shows, and mnemonics (inside the
English word, never two alike on one screen)."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractButton, QComboBox, QGroupBox, QLabel, QPlainTextEdit,
                               QPushButton, QTabBar, QTextBrowser, QWidget)

from gui_support import admin, app, child, complete_values, dialogs, forms, store  # noqa: F401
from photo_gui_support import evidence, open_pages
from test_i18n import TS, english, qm_dir  # noqa: F401  (the English build, made from the .ts)
from test_messages_en import han
from test_review_page import folder  # noqa: F401  (a finalized case with classified photos)
from weicha_desktop.core.cases import CaseService
from weicha_desktop.core.errors import InvalidState, NotFound, ValidationFailed
from weicha_desktop.core.messages import render
from weicha_desktop.core.photos import PhotoService
from weicha_desktop.gui.common import i18n
from weicha_desktop.gui.evidence.register import EvidenceRegister
from weicha_desktop.gui.photos.model import TITLE_ROLE
from weicha_desktop.gui.review.queue import ReviewQueue
from weicha_desktop.gui.review.sheet import RecordSheet
from weicha_desktop.gui.shell.main_window import MainWindow
from weicha_desktop.gui.shell.shortcuts import key_list

HEADER_BUTTONS = ("saveButton", "checkButton", "finalizeButton", "amendButton", "reportButton",
                  "discardRecoveryButton")


def photos_of(cases: CaseService) -> PhotoService:
    return PhotoService(cases.store, cases.actor, cases.forms)


def as_user(folder, actor) -> CaseService:  # noqa: F811 (the fixture's value)
    return CaseService(folder.store, forms(), actor)


# ---- 1. the review page: the checker's result and the refusals ----------------------------------
def test_the_review_sheet_lists_the_checkers_problems_in_english(app, english, qtbot, folder):  # noqa: F811
    cases = folder.cases
    draft = cases.new_case({"witnesses": [{"name": "Li"}]})
    sheet = RecordSheet(cases, photos_of(cases), draft, i18n.current_language())
    qtbot.addWidget(sheet)
    text = child(sheet, QTextBrowser, "reviewSheet").toPlainText()
    checked = text.split("Investigation No.")[0]  # the links, the checker's result, no value
    assert "23 problem(s) block finalizing" in checked  # 现场图: 1 by default (slice H)
    assert "[Reason for investigation] Time reported: required" in checked.splitlines()
    assert "[People] Witnesses row 1, ID number: required" in checked.splitlines()
    assert han(checked.splitlines()) == []


def test_a_review_refusal_is_said_in_english(app, english, qtbot, folder):  # noqa: F811
    """The admin wrote the case: nobody reviews a case they took part in — said in English."""
    page = ReviewQueue(folder.cases, photos=photos_of(folder.cases))
    qtbot.addWidget(page)
    assert page.open_case(folder.finalized.id) is not None
    error = child(page, QLabel, "reviewError").text()
    assert error.startswith("admin created this case: nobody reviews a case they took part in")
    assert han([error]) == [] and not child(page, QPushButton, "approveButton").isEnabled()


def test_a_case_reviewed_meanwhile_is_refused_in_english(app, english, qtbot, folder):  # noqa: F811
    """The core's refusal when the case was decided elsewhere in the meantime (another
    reviewer, a decision pulled from the server), in the window's language."""
    case = folder.cases.finalize(folder.cases.new_case(complete_values()).id)
    zhou = as_user(folder, folder.zhou)
    page = ReviewQueue(zhou, photos=photos_of(zhou))
    qtbot.addWidget(page)
    assert page.open_case(case.id) is not None
    zhou.review(case.id, approve=True)  # elsewhere, meanwhile
    child(page, QPlainTextEdit, "reviewComment").setPlainText("补充见证人")
    assert page.return_case() is None
    assert child(page, QLabel, "reviewError").text() == \
        f'The case {case.number} is "Reviewed": only a finalized case can be reviewed.'


def test_a_returned_versions_reason_is_said_in_english(app, english, qtbot, folder):  # noqa: F811
    """The core writes "审核退回：<comment>" as the new version's reason (kept as written): the
    sheet says its own words before the reviewer's comment."""
    cases = folder.cases
    case = cases.finalize(cases.new_case(complete_values()).id)
    as_user(folder, folder.zhou).review(case.id, approve=False, comment="Add the witness")
    again = cases.finalize(case.id)
    assert again.amend_reason == "审核退回：Add the witness"
    sheet = RecordSheet(cases, photos_of(cases), again, "en")
    qtbot.addWidget(sheet)
    assert "Why this version: returned by the reviewer: Add the witness" in sheet.browser.toPlainText()


# ---- 6. the core's refusals the window shows: messages with ids, Chinese for the CLI -------------
def test_the_record_services_refusals_have_english_and_keep_their_chinese(folder):  # noqa: F811
    cases = folder.cases
    draft = cases.new_case({})
    with pytest.raises(ValidationFailed) as readonly:
        cases.update(draft.id, {"case_number": "K1"})
    rows = [{**row, "number": "H4501"} for row in evidence()[:1]]
    with pytest.raises(ValidationFailed) as numbered:
        cases.update(draft.id, {"evidence": rows})
    with pytest.raises(InvalidState) as reviewed:
        as_user(folder, folder.zhou).review(draft.id, approve=True)
    with pytest.raises(NotFound) as missing:
        cases.get("K-none")
    said = [(p.message, render(p.message, "en")) for p in readonly.value.problems + numbered.value.problems]
    assert said == [("由系统填写，不能修改", "filled in by the system: cannot be changed"),
                    ("编号由系统生成，不能填写", "numbered by the system: cannot be typed in")]
    assert str(reviewed.value) == f"勘验 {draft.number} 状态为“草稿”，只有已定稿的勘验可以审核。"  # the CLI
    assert render(reviewed.value, "en") == \
        f'The case {draft.number} is "Draft": only a finalized case can be reviewed.'
    assert (str(missing.value), render(missing.value, "en")) == ("找不到勘验“K-none”。",
                                                                  'There is no case "K-none".')


# ---- 2, 3. the photo views: the time's source, the classes -------------------------------------
def test_the_photo_views_name_classes_and_time_sources_in_english(app, english, qtbot, folder):  # noqa: F811
    """The classes are stored as the Chinese words (方位 …); every view names them in the
    window's language, whichever language its caller passed (here: none)."""
    cases = folder.cases
    _view, pages = open_pages(qtbot, cases, folder.finalized.id)
    log = pages.show_photos()
    titles = [log.model.index(r).data(TITLE_ROLE) for r in range(log.model.rowCount())]
    assert titles == ["No. 1 · Location", "No. 2 · Overview", "No. 3 · Key area", "No. 4 · Detail"]
    combo = child(log, QComboBox, "photoClass")
    assert [combo.itemText(i) for i in range(1, 5)] == ["Location", "Overview", "Key area", "Detail"]
    log.select(log.model.photos[0].id)
    taken = child(log, QLabel, "exif_taken").text()
    assert taken == "2026-11-20 09:31:05+08:00 (Camera time)"  # not the EXIF tags the log keeps
    assert {p.photo_class for p in photos_of(cases).list(folder.finalized.id)} == {"方位", "概貌", "重点部位", "细目"}
    sheet = RecordSheet(cases, photos_of(cases), folder.finalized, "en")
    qtbot.addWidget(sheet)
    assert "No. 1 [Location]" in sheet.browser.toPlainText()


# ---- 4. the register's columns of the form's words ---------------------------------------------
@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_registers_words_are_not_cut_off(app, qm_dir, qtbot, folder, language):  # noqa: F811
    i18n.install_language(app, language, qm_dir)
    try:
        cases = folder.cases
        rows = evidence() + [{**evidence()[0], "name": "撬压痕迹", "category": "tool_mark",
                              "method": "tape_lift"}]
        case = cases.new_case({"evidence": rows})
        register = EvidenceRegister(cases, photos_of(cases), case, language)
        qtbot.addWidget(register)
        register.resize(1024 - 160, 600)  # its share of a 1024×768 window
        register.show()
        table, header = register.table, register.table.horizontalHeader()
        shown = 0
        for column in (3, 6, 9):  # 类别, 提取方法, 必比状态
            for row in range(table.rowCount()):
                text = table.item(row, column).text()
                assert table.fontMetrics().horizontalAdvance(text) + 8 <= header.sectionSize(column), text
                shown += 1
        assert shown == 9
        if language == "en":
            words = {table.item(r, c).text() for r in range(3) for c in (3, 6)}
            assert {"Fingerprint", "Powder development", "Silicone or tape lift"} <= words
    finally:
        i18n.install_language(app, "zh")


# ---- 5, 7. Alt keys: listed, inside the English word, never two alike on one screen ------------
def mnemonic(text: str) -> str | None:
    """The letter after a single & (Alt+letter), lower case; None without one."""
    match = re.search(r"(?<!&)&([^&\s])", text.replace("&&", ""))
    return match.group(1).lower() if match else None


def shown_mnemonics(window: MainWindow, always: list[QWidget] = ()) -> list[tuple[str, str]]:
    """(letter, text) of every visible button, buddy label, group box, tab and menu-bar title
    of the window, and of ``always`` (buttons that show in other states of the same screen)."""
    texts = []
    for w in [*window.findChildren(QWidget)]:
        if not (w.isVisible() or w in always):
            continue
        if isinstance(w, QAbstractButton):
            texts.append(w.text())
        elif isinstance(w, QLabel) and w.buddy() is not None:
            texts.append(w.text())
        elif isinstance(w, QGroupBox):
            texts.append(w.title())
        elif isinstance(w, QTabBar):
            texts += [w.tabText(i) for i in range(w.count())]
    texts += [a.text() for a in window.menuBar().actions() if a.isVisible()]
    return [(mnemonic(t), t) for t in texts if mnemonic(t)]


def alt_letters() -> set[str]:
    """Every letter the shortcuts list says an Alt key of: "Alt+S C D …", "Alt+Q / Alt+S"."""
    letters = set()
    for keys, _what in key_list():
        for run in re.findall(r"Alt\+([A-Z0-9](?: [A-Z0-9])*)", keys):
            letters |= {c.lower() for c in run.split()}
    return letters


def assert_distinct(found: list[tuple[str, str]], where: str) -> None:
    letters = [letter for letter, _ in found]
    clashes = {letter: [t for m, t in found if m == letter] for letter in letters if letters.count(letter) > 1}
    assert not clashes, f"{where}: one Alt letter for several: {clashes}"


def test_english_mnemonics_are_inside_the_word():
    """"&Finalize", never "Finalize (&D)": a translation of a text with an Alt letter has one,
    on a letter of its own words."""
    outside = []
    for message in ET.parse(TS).getroot().iter("message"):
        source, translation = message.findtext("source") or "", message.findtext("translation") or ""
        if mnemonic(source) is None:
            continue
        if mnemonic(translation) is None or re.search(r"\(&\w\)", translation):
            outside.append((source, translation))
    assert not outside, outside


# ---- 8. the pages added this session: 核查 (checks) and 采集 (base information) ----------------
def words_of_the_program(texts, data) -> list[str]:
    """The texts a page shows with the values of the records and lists taken out (a name, an
    address, a list's name are what they are in any language): what is left is the program's."""
    out = []
    for text in texts:
        for value in sorted(data, key=len, reverse=True):
            text = text.replace(value, "")
        out.append(text)
    return han(out)


def test_the_check_page_speaks_english(app, english, qtbot, store, admin, tmp_path):  # noqa: F811
    from datetime import timedelta

    from weicha_desktop.core.checks import import_list
    from weicha_desktop.core.forms.validators import id_check_char
    from weicha_desktop.gui.checks.page import CheckPage
    from gui_support import visible_texts

    wanted = "45070219800101123" + id_check_char("45070219800101123")
    listed = tmp_path / "w.csv"
    listed.write_text(f"身份证号,姓名,原因\n{wanted},李四,网上追逃\n", encoding="utf-8")
    old = (store.clock.now() - timedelta(days=30)).date().isoformat()
    import_list(store, admin, listed, "在逃人员", list_date=old)  # a stale list: a warning
    case = CaseService(store, forms(), admin).new_case({"witnesses": [{"name": "王五", "id_number": wanted}]})
    win = MainWindow(store, forms(), admin)  # the page as the window builds it (with its forms)
    qtbot.addWidget(win)
    page = win.show_page("checks")
    assert isinstance(page, CheckPage)
    data = {"在逃人员", "李四", "网上追逃", "王五", "桂A12345", case.number}

    def shown() -> list[str]:
        return words_of_the_program(visible_texts(page), data)

    assert page._check(wanted, None, "typed").hit
    alert, details = (child(page, QLabel, name).text() for name in ("checkAlert", "checkDetails"))
    assert alert.startswith("! ON A WATCH LIST: 在逃人员"), alert
    assert "What to do:" in details and "Witnesses" in details and "30 days" in details, details
    assert "witnesses[0]" not in details  # a record's field is named, never its path
    assert shown() == []
    assert page._check("桂A12345", None, "typed").hit is False
    assert "no vehicle watch list" in child(page, QLabel, "checkDetails").text()
    assert shown() == []
    assert page._check("12345", None, "typed") is None
    refused = child(page, QLabel, "checkAlert").text()
    assert refused.startswith("Not checked: ") and "12345" in refused, refused
    assert shown() == []


def tooltips(root: QWidget) -> list[str]:
    return [w.toolTip() for w in root.findChildren(QWidget) if w.toolTip()]


def test_the_base_information_page_speaks_english(app, english, qtbot, store, admin):  # noqa: F811
    """采集: a new person, vehicle and place each shown with its form: words, tooltips of the
    inputs (an empty-able date or number: how to clear it) and the list's statuses."""
    from PySide6.QtWidgets import QLineEdit, QTableView

    from gui_support import visible_texts
    from weicha_desktop.gui.collect.page import CollectPage

    page = CollectPage(store, forms(), admin)
    qtbot.addWidget(page)
    page.resize(1024 - 160, 700)
    page.show()
    data = {"11010519491231002X", "桂N12T24", "北京市朝阳区"}
    for kind, key in (("person", "11010519491231002X"), ("vehicle", "桂N12T24"), ("place", "")):
        shown = page.show_kind(kind)
        child(shown, QLineEdit, f"collectKey_{kind}").setText(key)
        assert shown.new_record() is not None, kind
        table = child(shown, QTableView, f"collectList_{kind}").model()
        shown.refresh()  # the window's store events would (none here)
        assert table.rowCount() == 1
        assert "Draft" in {table.index(0, c).data() for c in range(table.columnCount())}
        assert words_of_the_program(visible_texts(shown), data) == [], kind
        assert han(tooltips(shown)) == [], kind


@pytest.mark.parametrize("language", ["zh", "en"])
def test_no_page_cuts_its_words_at_1024_and_no_two_buttons_share_an_alt_letter(
        app, qm_dir, qtbot, folder, dialogs, language):  # noqa: F811
    """Every page of the navigation at 1024×768: no button narrower than its words, no one-line
    label cut, no placeholder longer than its box ("Search case number, …, investig…"). Then, in
    the same supervisor's window (one window and one language switch for both): no two visible
    buttons share an Alt letter, and the shortcuts list names them."""
    from PySide6.QtWidgets import QLineEdit

    i18n.install_language(app, language, qm_dir)
    try:
        win = MainWindow(folder.store, forms(), folder.zhou)  # a supervisor: every page
        qtbot.addWidget(win)
        win.resize(1024, 768)
        win.show()
        cut = []
        for key in win.page_keys():
            win.show_page(key)
            qtbot.wait(1)  # laid out
            for w in win.findChildren(QWidget):
                if not w.isVisible():
                    continue
                if isinstance(w, QPushButton) and w.text() and w.width() < w.sizeHint().width():
                    cut.append((key, w.objectName(), w.text()))
                elif isinstance(w, QLabel) and w.text() and not w.wordWrap() and "<" not in w.text() \
                        and w.width() < w.sizeHint().width():
                    cut.append((key, w.objectName(), w.text()))
                elif isinstance(w, QLineEdit) and w.placeholderText() and not w.text() and \
                        w.fontMetrics().horizontalAdvance(w.placeholderText()) + 12 > w.width():
                    cut.append((key, w.objectName(), w.placeholderText()))
        assert not cut, cut
        assert len(win.page_keys()) >= 4  # 现场勘验, 审核, 核查, 采集 (and what came since)
        # ---- the Alt letters (the pages' buttons, an open case's, the review page's) ----------
        listed = alt_letters()
        workspace = win.show_page("cases")
        assert_distinct(shown_mnemonics(win), "the case list")
        draft = folder.cases.new_case({**complete_values(), "evidence": evidence()})
        view = workspace.open_case(draft.id)
        buttons = [child(view, QPushButton, name) for name in HEADER_BUTTONS]
        assert {mnemonic(b.text()) for b in buttons} <= listed, [b.text() for b in buttons]
        pages = workspace.case_pages[view]
        for show in (lambda: None, pages.show_photos, pages.show_register):
            show()
            assert_distinct(shown_mnemonics(win, buttons), f"an open case ({language})")
        review = win.show_page("review")
        assert review.open_case(folder.finalized.id) is not None
        found = shown_mnemonics(win)
        assert_distinct(found, f"the review page ({language})")
        on_page = {letter for letter, text in found if text not in {a.text() for a in win.menuBar().actions()}}
        assert set("qsmtar") <= on_page and on_page <= listed, (on_page, listed)  # Q S M T A R, and any other: listed
    finally:
        i18n.install_language(app, "zh")
