"""审核 shows the whole record on one scrolling page (issue 10 §4): every section with its
values, the people, the evidence items, the photo log as thumbnails with captions, and the
checker's result for that version — no tabs to switch; approve / return / report by Alt keys."""
from __future__ import annotations

import time
from dataclasses import dataclass

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QImage, QTextDocument
from PySide6.QtWidgets import (QApplication, QLabel, QPushButton, QStackedWidget, QTabWidget,
                               QTableView, QTextBrowser)

from form_support import focused
from gui_support import app, child, complete_values, dialogs, forms  # noqa: F401
from photo_gui_support import card, evidence
from support import PASSWORD, new_store
from weicha_desktop.core.cases import CaseRecord, CaseService
from weicha_desktop.core.photos import PhotoService
from weicha_desktop.core.store import Actor, Store
from weicha_desktop.core.users import UserService
from weicha_desktop.gui.review.sheet import THUMB, RecordSheet
from weicha_desktop.gui.shell.main_window import MainWindow

WITNESS = {"name": "覃小红", "gender": "female", "birth_date": "1988-03-02",
           "address": "钦州市钦南区永福路 8 号", "id_number": "450702198803020023"}
SHOTS = [("方位", "小区入口，由东向西拍摄"), ("概貌", "客厅全貌"), ("重点部位", "主卧床头柜"),
         ("细目", "抽屉边缘撬压痕迹")]


@dataclass
class Folder:
    store: Store
    cases: CaseService  # as the admin, who wrote the case
    zhou: Actor         # a supervisor who took no part in it
    finalized: CaseRecord


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """One folder for the module (importing photos starts a worker process): a finalized case
    with a witness, two evidence items and four described photos. Tests add cases to it but
    change none it has."""
    tmp = tmp_path_factory.mktemp("review")
    store = new_store(tmp / "data")
    admin = UserService(store).authenticate("admin", PASSWORD)
    UserService(store).add(admin, "zhou", "supervisor", PASSWORD, display_name="周建国", badge_no="200044")
    cases = CaseService(store, forms(), admin)
    items = [{**row, "comparison_status": "submitted"} for row in evidence()]  # 必比: sent
    case = cases.new_case({**complete_values(), "witnesses": [WITNESS], "evidence": items,
                           "photo_total": len(SHOTS), "protection_measures": ["cordon", "other"],
                           "protection_measures_other": "关闭电梯"})
    photos = PhotoService(store, admin, cases.forms)
    photos.import_files(case.id, card(tmp / "card", len(SHOTS), size=(96, 64)), workers=1)
    for photo, (cls, caption) in zip(photos.list(case.id), SHOTS):
        photos.update(photo.id, photo_class=cls, caption=caption, photographer="张伟")
    yield Folder(store, cases, UserService(store).authenticate("zhou", PASSWORD),
                 cases.finalize(case.id))
    store.close()


@pytest.fixture
def window(app, qtbot, folder):
    """The supervisor's window at 1024x768, on the review page, the module's case open."""
    win = MainWindow(folder.store, forms(), folder.zhou)
    qtbot.addWidget(win)
    win.resize(1024, 768)
    win.show()
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow, timeout=2000)
    page = win.show_page("review")  # opens the first case waiting: the module's, unless a test added others
    if page.view is None or page.view.case.id != folder.finalized.id:
        assert page.open_case(folder.finalized.id) is not None
    assert page.view.case.id == folder.finalized.id
    return win


def sheet_text(page) -> str:
    return child(page, QTextBrowser, "reviewSheet").toPlainText()


def test_the_whole_record_is_on_one_scrolling_page(window, folder):
    cases, finalized = folder.cases, folder.finalized
    page = window.show_page("review")
    assert page.view is not None and page.view.case.id == finalized.id
    browser = child(page, QTextBrowser, "reviewSheet")
    assert browser.isVisible() and browser.isReadOnly()
    assert page.findChildren(QTabWidget) == [] and page.findChildren(QStackedWidget, "caseViews") == []
    text = browser.toPlainText()
    for section in cases.spec_for(finalized).sections:  # every section, titled, in form order
        assert section.title.zh in text, section.title.zh
    headings = [f"{n} {s.title.zh}\n" for n, s in enumerate(cases.spec_for(finalized).sections, 1)]
    assert [text.index(h) for h in headings] == sorted(text.index(h) for h in headings)
    data = finalized.data
    for value in (finalized.number, data["scene_address"], data["narrative_center"],
                  "入室盗窃",                           # a choice in words, not its code
                  "警戒带、其他（关闭电梯）",            # a multichoice with its 其他 text
                  "2026-11-27 09:00",                  # a time as the form shows it
                  "黄志强 单位 刑侦大队 职务 副大队长",  # a person, name first
                  "张伟", "刑侦大队",                   # the investigators' table
                  WITNESS["name"], WITNESS["id_number"], "女",
                  ):
        assert value in text, value
    for item in cases.get(finalized.id).data["evidence"]:  # evidence items with their H numbers
        assert f"{item['number']} {item['name']}" in text
    assert "burglary" not in text and "cordon" not in text
    for n, (cls, caption) in enumerate(SHOTS, 1):  # the photo log, numbered, classed, captioned
        assert f"第 {n} 号〔{cls}〕{caption}" in text
    assert "照片（4 张）" in text and "拍照：张伟" in text
    assert "检查结果（第 1 版）：通过，没有阻止定稿的问题。" in text


def test_the_thumbnails_are_drawn_as_they_are_decoded(window, qtbot):
    page = window.show_page("review")
    sheet = page.view
    qtbot.waitUntil(lambda: not sheet.waiting, timeout=10000)
    photos = sheet.photo_list
    assert len(photos) == 4
    for photo in photos:
        image = sheet.browser.document().resource(QTextDocument.ResourceType.ImageResource.value,
                                                  QUrl(f"photo:{photo.id}"))
        assert isinstance(image, QImage) and image.width() == THUMB
        assert image != sheet.browser.placeholder  # a picture, not the grey square
    bar = sheet.browser.verticalScrollBar()
    assert bar.maximum() > 0  # the record scrolls, in one page
    assert sheet.browser.horizontalScrollBar().maximum() == 0  # never sideways at 1024x768


def test_the_checker_result_lists_what_blocks_the_version(app, qtbot, folder):
    cases = folder.cases
    markup = '永福路 12 号<img src="photo:x"><a href="#section-people">&amp;</a>'
    draft = cases.new_case({"scene_address": markup})  # shown as typed, never as markup
    sheet = RecordSheet(cases, PhotoService(cases.store, cases.actor, cases.forms), draft)
    qtbot.addWidget(sheet)
    text = sheet.browser.toPlainText()
    problems = cases.blockers(draft.id)
    assert problems and f"{len(problems)} 个问题阻止定稿" in text
    assert "【勘验事由】" in text and "【参加人员】" in text  # each named with its section
    assert "通过" not in text.split("1 笔录头")[0]
    assert "没有照片。" in text and markup in text


def test_an_amended_version_says_why_and_english_labels_follow_the_form(app, qtbot, folder):
    cases = folder.cases
    amended = cases.amend(cases.finalize(cases.new_case(complete_values()).id).id, "补充现场访问情况")
    sheet = RecordSheet(cases, PhotoService(cases.store, cases.actor, cases.forms), amended, "en")
    qtbot.addWidget(sheet)
    text = sheet.browser.toPlainText()
    assert "补充现场访问情况" in text
    assert "Scene address" in text and "Burglary" in text and "Investigators" in text


def test_a_section_link_on_the_sheet_scrolls_to_it(window, qtbot):
    page = window.show_page("review")
    browser = page.view.browser
    bar = browser.verticalScrollBar()
    assert bar.value() == 0
    browser.setFocus()
    qtbot.keyClick(browser, Qt.Key.Key_Tab)  # the first link: 笔录头 … then the others
    for _ in range(8):
        qtbot.keyClick(browser, Qt.Key.Key_Tab)
    assert browser.textCursor().selectedText() == "提取痕迹物证登记表（附件1）"
    qtbot.keyClick(browser, Qt.Key.Key_Return)
    assert bar.value() > 0


def test_alt_keys_reach_the_queue_approve_return_and_report(window, qtbot, dialogs):
    page = window.show_page("review")
    buttons = [child(page, QPushButton, n) for n in ("approveButton", "returnButton", "reportButton")]
    labels = [label for label in page.findChildren(QLabel) if "&" in label.text()]
    letters = [w.text()[w.text().index("&") + 1].lower() for w in buttons + labels]
    assert len(set(letters)) == len(letters) == 6 and "f" not in letters and "h" not in letters
    page.view.browser.setFocus()
    qtbot.keyClick(focused(), "q", Qt.KeyboardModifier.AltModifier)  # 待审核的勘验(&Q)
    assert focused() is child(page, QTableView, "reviewQueue")
    qtbot.keyClick(focused(), "r", Qt.KeyboardModifier.AltModifier)  # 报告(&R)…
    qtbot.waitUntil(lambda: page.report_dialog is not None, timeout=2000)
    page.report_dialog.close()
    qtbot.waitUntil(lambda: page.report_dialog is None, timeout=2000)


def test_switching_cases_builds_the_sheet_quickly(window, folder, monkeypatch):
    """The next case's sheet (its checker run, its text) is ready in well under a second; its
    text is made once, for the width it is shown at (not again when it is first laid out)."""
    from weicha_desktop.gui.review.sheet import RecordSheet

    cases, finalized = folder.cases, folder.finalized
    others = [cases.finalize(cases.new_case(complete_values()).id) for _ in range(2)]
    page = window.show_page("review")
    made, html = [], RecordSheet.html
    monkeypatch.setattr(RecordSheet, "html", lambda self: made.append(self.case.id) or html(self))
    start = time.process_time()
    for case in others + [finalized]:
        assert page.open_case(case.id) is not None
        QApplication.processEvents()  # shown and laid out, as between two clicks
    per_case = (time.process_time() - start) / 3
    assert made == [c.id for c in others + [finalized]]  # the one with photos too: once
    print(f"review sheet: {per_case * 1000:.0f} ms CPU per case")
    assert per_case < 0.5
    assert page.view.case.id == finalized.id and finalized.data["scene_address"] in sheet_text(page)


def test_a_screenshot_of_the_review_page_scrolled_to_its_photos(app, folder, tmp_path):
    from weicha_desktop.core.errors import WeichaError
    from weicha_desktop.gui.shell.screenshot import take_screenshot

    data, number = folder.store.data_dir, folder.finalized.number
    out = tmp_path / "review.png"
    assert take_screenshot(data, out, size=(1024, 768), case=number, user="zhou", page="review",
                           at="photos") == (1024, 768)
    assert QImage(str(out)).size().width() == 1024
    with pytest.raises(WeichaError, match="没有单独的照片"):
        take_screenshot(data, tmp_path / "x.png", case=number, user="zhou", page="review", view="photos")
    with pytest.raises(WeichaError, match="只用于审核页"):
        take_screenshot(data, tmp_path / "y.png", case=number, at="photos")
    assert not (tmp_path / "x.png").exists() and not (tmp_path / "y.png").exists()
