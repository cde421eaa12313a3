"""导入名单… on the 核查 page of the real window (administrators only): a file with a bad row is
refused naming the line, nothing written; with 跳过有误的行 the good rows are imported on a
worker and the page's list ages follow the commit; a technician has no such button."""
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QLineEdit, QListWidget, QPlainTextEdit, QPushButton

from weicha_desktop.core.users import UserService
from weicha_desktop.gui.checks.page import CheckPage
from weicha_desktop.gui.shell.main_window import MainWindow

from tests.gui_support import app, child  # noqa: F401 (fixtures)
from tests.support import PASSWORD, admin, forms, store  # noqa: F401 (fixtures)


def checks_page(qtbot, store, actor) -> CheckPage:
    window = MainWindow(store, forms(), actor)
    qtbot.addWidget(window)
    nav = child(window, QListWidget, "navList")
    nav.setCurrentRow([nav.item(i).text() for i in range(nav.count())].index("核查"))
    return child(window, CheckPage, "checkPage")


def test_an_administrator_imports_a_list_in_the_window(app, qtbot, store, admin, tmp_path):
    page = checks_page(qtbot, store, admin)
    f = tmp_path / "stolen.csv"
    f.write_text("号牌,车主,原因\n桂A12345,黄丽,被盗\n桂Z,王五,被抢\n", encoding="gbk")
    child(page, QPushButton, "watchImportOpen").click()
    dialog = page.import_dialog
    child(dialog, QLineEdit, "watchImportPath").setText(str(f))
    child(dialog, QComboBox, "watchImportName").setCurrentText("被盗抢机动车")
    message = child(dialog, QLabel, "watchImportMessage")
    assert child(dialog, QPushButton, "watchImportButton").click() is None and dialog.is_running()
    qtbot.waitUntil(lambda: not dialog.is_running(), timeout=5000)
    assert message.property("kind") == "error" and "1 行有误，未导入任何条目" in message.text()
    assert "第 3 行" in child(dialog, QPlainTextEdit, "watchImportProblems").toPlainText()
    assert store.conn.execute("SELECT count(*) FROM watch_sets").fetchone() == (0,)

    child(dialog, QCheckBox, "watchImportSkipBad").setChecked(True)
    child(dialog, QPushButton, "watchImportButton").click()
    qtbot.waitUntil(lambda: not dialog.is_running(), timeout=5000)
    assert message.property("kind") == "ok", message.text()
    assert "已导入名单“被盗抢机动车”第 1 版" in message.text() and "GBK" in message.text()
    assert store.conn.execute("SELECT key FROM watch_entries").fetchall() == [("桂A12345",)]
    qtbot.waitUntil(lambda: "被盗抢机动车" in child(page, QLabel, "listAges").text())
    [entry] = [e for e in store.audit_entries() if e.action == "watchlist.import"]
    assert entry.details["skipped_lines"] == [3]


def test_a_technician_has_no_import(app, qtbot, store, admin):
    tech = UserService(store).add(admin, "李明", "technician", PASSWORD, badge_no="200014")
    page = checks_page(qtbot, store, tech)
    assert page.findChild(QPushButton, "watchImportOpen") is None


def test_the_import_reports_progress_and_a_cancel_writes_nothing(store, admin, tmp_path, monkeypatch):
    import importlib

    import pytest

    from weicha_desktop.core.checks import import_list, lists

    monkeypatch.setattr(importlib.import_module("weicha_desktop.core.checks.lists"), "PROGRESS_ROWS", 1)
    f = tmp_path / "w.csv"
    f.write_text("号牌\n桂A12345\n桂B12345\n", encoding="utf-8")
    steps = []
    import_list(store, admin, f, "被盗抢机动车", progress=lambda *a: steps.append(a))
    assert len(steps) >= 3 and steps[-1] == (0.8, "正在写入 2 条…"), steps
    assert all(0 < s[0] <= 0.8 for s in steps[:-1]) and "已读取并检查" in steps[0][1]
    f.write_text("号牌\n桂C12345\n", encoding="utf-8")
    with pytest.raises(InterruptedError):
        import_list(store, admin, f, "被盗抢机动车", progress=lambda *a: None, cancelled=lambda: True)
    assert [i.entries for i in lists(store, store.clock.now().date())] == [2]
