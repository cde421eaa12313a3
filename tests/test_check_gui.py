"""核查 page through the real window: a scanner's keystrokes + Enter, the hit alert (colour AND
words), a miss with the lists' age, refused input, the history."""
from __future__ import annotations

from pathlib import Path

import pytest
import segno
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QListWidget, QTableWidget

from weicha_desktop.core.checks import import_list
from weicha_desktop.core.forms.validators import id_check_char
from weicha_desktop.gui.checks.page import CheckPage
from weicha_desktop.gui.shell.main_window import MainWindow

from tests.gui_support import app, child, type_into  # noqa: F401 (fixtures)
from tests.support import admin, forms, store  # noqa: F401 (fixtures)

WANTED = "45070219800101123" + id_check_char("45070219800101123")


@pytest.fixture
def page(app, qtbot, store, admin, tmp_path):
    f = tmp_path / "w.csv"
    f.write_text(f"身份证号,姓名,原因\n{WANTED},李四,网上追逃\n", encoding="utf-8")
    import_list(store, admin, f, "在逃人员", list_date="2026-11-25")
    window = MainWindow(store, forms(), admin)
    qtbot.addWidget(window)
    nav = child(window, QListWidget, "navList")
    titles = [nav.item(i).text() for i in range(nav.count())]
    nav.setCurrentRow(titles.index("核查"))                 # through the navigation, as a user
    yield child(window, CheckPage, "checkPage")          # the window lives while the test runs


def test_a_scanned_hit_shows_an_alert_in_words_and_colour(page, qtbot, store):
    field = child(page, QLineEdit, "checkInput")
    type_into(qtbot, field, WANTED.lower())                  # a keyboard-wedge scanner: keys, then Enter
    qtbot.keyClick(field, Qt.Key.Key_Return)
    alert = child(page, QLabel, "checkAlert")
    assert alert.isVisibleTo(page) and alert.property("state") == "hit"
    assert alert.text().startswith("！命中核查名单：在逃人员") and WANTED in alert.text()
    details = child(page, QLabel, "checkDetails").text()
    assert "第 1 版" in details and "2026-11-25" in details and "李四" in details and "处置：" in details
    assert field.text() == "" and page.window().focusWidget() is field   # ready for the next scan
    history = child(page, QTableWidget, "checkHistory")
    assert history.rowCount() == 1 and history.item(0, 3).text() == "命中：在逃人员"
    assert store.conn.execute("SELECT result FROM checks").fetchall() == [("hit",)]


def test_a_miss_says_so_with_the_lists_age_and_bad_input_is_refused(page, qtbot, store):
    field = child(page, QLineEdit, "checkInput")
    type_into(qtbot, field, "桂A·12345")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    alert = child(page, QLabel, "checkAlert")
    assert alert.property("state") == "miss" and alert.text().startswith("未命中：号牌 桂A12345")
    assert "本机没有车辆核查名单" in child(page, QLabel, "checkDetails").text()
    assert "在逃人员 第 1 版 2026-11-25（2 天前）" in child(page, QLabel, "listAges").text()
    type_into(qtbot, field, "12345")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert alert.property("state") == "refused" and alert.text().startswith("未核查：")
    assert field.text() == "12345"                                  # kept to be corrected
    assert child(page, QTableWidget, "checkHistory").rowCount() == 1  # the refused input is no check


def test_a_qr_code_image_is_checked(page, tmp_path):
    segno.make(WANTED, micro=False).save(tmp_path / "qr.png", scale=5)
    result = page.check_image(Path(tmp_path / "qr.png"))
    assert result is not None and result.hit and result.source == "image"
    assert child(page, QLabel, "checkAlert").property("state") == "hit"


def test_the_log_says_whether_the_number_was_scanned_pasted_or_typed(page, qtbot, store):
    from PySide6.QtWidgets import QApplication

    field = child(page, QLineEdit, "checkInput")
    qtbot.keyClicks(field, WANTED)                            # a scanner: every key within milliseconds
    qtbot.keyClick(field, Qt.Key.Key_Return)
    QApplication.clipboard().setText("11010519491231002X")
    qtbot.keyClick(field, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)   # pasted: one edit
    qtbot.keyClick(field, Qt.Key.Key_Return)
    ticks = iter(range(1000))
    page.clock = lambda: next(ticks) * 0.25                   # a person: a key every quarter second
    qtbot.keyClicks(field, "11010519491231002X")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert [r[0] for r in store.conn.execute("SELECT source FROM checks ORDER BY at, id")] == \
        ["scanner", "pasted", "typed"]
