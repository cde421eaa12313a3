"""巡逻 and 互动 in the real window (gui/patrol, gui/requests): a patrol captured through the
navigation's 巡逻 page — 新建, the area typed, 保存, a GPX track imported, a person linked,
结束巡逻 — with its summary; a request through 互动 — 新建, type, source and content, 保存,
开始处理 and 办结 with their notes — its steps, the list's deadline column."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QLineEdit, QListWidget, QPlainTextEdit, QPushButton, QTableView

from gui_support import admin, app, child, dialogs, forms, store, type_into  # noqa: F401
from weicha_desktop.core.collect import PersonService
from weicha_desktop.core.patrol import PatrolService
from weicha_desktop.core.requests import RequestService
from weicha_desktop.gui.shell.main_window import MainWindow

from tests.test_i18n import english, qm_dir  # noqa: F401 (fixtures)
from tests.test_patrol_gpx import GPX11


@pytest.fixture
def window(app, qtbot, store, admin, dialogs):
    win = MainWindow(store, forms(), admin)
    qtbot.addWidget(win)
    win.show()
    return win


def test_a_patrol_captured_through_the_window(window, qtbot, store, admin, tmp_path):
    page = window.show_page("patrol")
    assert page.objectName() == "patrolPage"
    child(page, QPushButton, "collectNew_patrol").click()
    form = page.form
    assert form is not None and form.case.data["started_at"] == "2026-11-27T09:00:00+08:00"  # prefilled
    type_into(qtbot, child(form, QLineEdit, "field_area"), "文峰路一带")
    assert form.save()
    [row] = PatrolService(store, forms(), admin).list()
    assert row["area"] == "文峰路一带" and row["ended_at"] is None
    (tmp_path / "t.gpx").write_bytes(GPX11.replace(b"2026-12-01", b"2026-11-26"))  # before the clock
    assert form.import_gpx(tmp_path / "t.gpx")
    (tmp_path / "bad.gpx").write_bytes(b"<gpx")
    assert not form.import_gpx(tmp_path / "bad.gpx")  # refused, said, nothing changed
    view = form.summary_view
    assert "不是完整的 GPX" in child(view, QLabel, "formMessage").text()
    person = PersonService(store, forms(), admin).create({"name": "黄丽", "gender": "female"})
    type_into(qtbot, child(view, QLineEdit, "patrolLinkTarget"), person.id)
    child(view, QPushButton, "patrolLink").click()
    child(view, QPushButton, "patrolEnd").click()
    record = PatrolService(store, forms(), admin).get(row["id"])
    assert record.data["ended_at"] and len(record.data["route"]) == 4
    assert not child(view, QPushButton, "patrolEnd").isEnabled()
    summary = child(view, QLabel, "patrolSummary").text()
    assert "路线 2.44 公里（4 个路线点）" in summary and "关联记录 1 条" in summary
    assert child(view, QListWidget, "patrolItems").item(0).text() == "关联：巡逻中登记 黄丽"
    table = child(page, QTableView, "collectList_patrol")
    qtbot.waitUntil(lambda: table.model().rowCount() == 1 and table.model().index(0, 1).data() != "")
    assert table.model().index(0, 2).data() == "文峰路一带"
    assert form.export_log(tmp_path / "log.pdf") and (tmp_path / "log.pdf").read_bytes().startswith(b"%PDF")
    assert "已导出巡逻工作记录" in child(view, QLabel, "formMessage").text()
    child(page, QCheckBox, "patrolOngoingOnly").setChecked(True)  # the filter: it has ended
    assert table.model().rowCount() == 0


def test_a_request_captured_and_handled_through_the_window(window, qtbot, store, admin):
    page = window.show_page("requests")
    assert page.objectName() == "requestPage"
    child(page, QPushButton, "collectNew_request").click()
    form = page.form
    types = child(form, QComboBox, "field_request_type")
    types.setCurrentIndex(types.findText("报警求助"))
    sources = child(form, QComboBox, "field_source")
    sources.setCurrentIndex(sources.findText("电话"))
    child(form, QPlainTextEdit, "field_content").setPlainText("邻居家传出呼救声")
    type_into(qtbot, child(form, QLineEdit, "field_contact_phone"), "138 7771 2345")
    assert form.save()
    view = form.handling
    assert "办理状态：待处理" in child(view, QLabel, "requestState").text()
    assert not child(view, QPushButton, "requestDone").isEnabled()
    child(view, QPushButton, "requestStart").click()  # no note: refused, said
    assert "请写明" in child(view, QLabel, "formMessage").text()
    type_into(qtbot, child(view, QLineEdit, "requestNote"), "已派民警前往")
    child(view, QPushButton, "requestStart").click()
    type_into(qtbot, child(view, QLineEdit, "requestNote"), "系老人摔倒，已送医")
    child(view, QPushButton, "requestDone").click()
    [row] = RequestService(store, forms(), admin).list()
    assert row["handling"] == "done"
    record = RequestService(store, forms(), admin).get(row["id"])
    assert [s["note"] for s in record.data["steps"]] == ["已派民警前往", "系老人摔倒，已送医"]
    assert record.data["contact_phone"] == "13877712345"
    steps = child(view, QListWidget, "requestSteps")
    assert steps.count() == 2 and "已办结" in steps.item(1).text()
    assert child(view, QPushButton, "requestReopen").isEnabled()
    table = child(page, QTableView, "collectList_request")
    qtbot.waitUntil(lambda: table.model().rowCount() == 1 and table.model().index(0, 3).data() == "已办结")
    assert table.model().index(0, 1).data() == "报警求助" and table.model().index(0, 2).data() == "邻居家传出呼救声"
    assert table.model().index(0, 4).data(Qt.ItemDataRole.ToolTipRole).startswith("20")  # the year in the tooltip
    late = RequestService(store, forms(), admin).create({"request_type": "alarm", "source": "visit", "content": "旧诉求",
                                                         "received_at": "2026-11-01T09:00:00+08:00"})
    qtbot.waitUntil(lambda: table.model().rowCount() == 2)
    child(page, QCheckBox, "requestOverdueOnly").setChecked(True)
    # the list walks its filter within a fetch budget of wall time (core/case_query.py): on a
    # loaded machine the first page may come short and the rest on the next fetch
    qtbot.waitUntil(lambda: table.model().rowCount() == 1)
    assert table.model().rowCount() == 1 and table.model().index(0, 4).data() == "11-02 09:00（超期）"
    assert table.model().index(0, 0).data(Qt.ItemDataRole.UserRole) == late.id


def test_the_pages_speak_english(app, english, qtbot, store, admin):  # noqa: F811
    win = MainWindow(store, forms(), admin)
    qtbot.addWidget(win)
    patrols, requests = win.show_page("patrol"), win.show_page("requests")
    assert child(patrols, QPushButton, "collectNew_patrol").text() == "New"  # KindPage's own words
    assert child(requests, QTableView, "collectList_request").model().headerData(4, Qt.Orientation.Horizontal) == "Due"
    child(requests, QPushButton, "collectNew_request").click()
    assert child(requests.form.handling, QPushButton, "requestStart").text() == "Start handling"
    child(patrols, QPushButton, "collectNew_patrol").click()
    assert child(patrols.form.summary_view, QPushButton, "patrolEnd").text() == "End patrol"
