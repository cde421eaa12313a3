"""Issue 10 §3, fewer actions in the photo log: the import dialog offers the camera card in a
reader and 细目 (most of a card), so 导入文件夹 is Enter; a digit classifies one photo and goes
on to the next, so 方位 概貌 重点部位 are three keys."""
from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QDialog, QLabel

from gui_support import admin, app, cases, child, dialogs, store  # noqa: F401
from photo_gui_support import card, on_next_dialog, wait_import
from test_photo_batch import shown_log, with_photos
from weicha_desktop.gui.photos import importing

pytestmark = pytest.mark.usefixtures("dialogs")


def test_the_import_offers_the_card_in_the_reader_as_detail(app, qtbot, cases, tmp_path, monkeypatch):
    (tmp_path / "USB" / "docs").mkdir(parents=True)  # a stick without photos: not a card
    card(tmp_path / "CARD" / "DCIM" / "100CANON", 2)
    monkeypatch.setattr(importing, "mounted_roots", lambda: [tmp_path / "USB", tmp_path / "CARD"])
    case = cases.new_case()
    _view, pages, log = shown_log(qtbot, cases, case.id)
    seen = {}

    def accept(dialog: QDialog) -> None:
        dialog.activateWindow()
        qtbot.waitUntil(dialog.isActiveWindow, timeout=2000)
        seen["folder"], seen["class"] = dialog.folder(), dialog.photo_class()
        seen["shown"] = child(dialog, QComboBox, "importClass").currentText()
        seen["found"] = child(dialog, QLabel, "importFound").text()
        qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Return)  # the one key
        if dialog.isVisible():  # never left waiting
            dialog.reject()
    on_next_dialog(accept)
    assert log.add_folder(), seen
    wait_import(qtbot, pages)
    assert seen == {"folder": str(tmp_path / "CARD" / "DCIM"), "class": "细目", "shown": "4 细目",
                    "found": "找到 2 张照片（含子文件夹）。"}
    assert [p.photo_class for p in log.photos.list(case.id)] == ["细目", "细目"]


def test_the_volumes_looked_into_are_not_the_system_root():
    roots = importing.mounted_roots()
    assert Path("/") not in roots and all(isinstance(r, Path) for r in roots)


def test_a_digit_classifies_one_photo_and_selects_the_next(app, qtbot, cases, tmp_path):
    case, photos, ps = with_photos(cases, tmp_path, n=3)
    _view, _pages, log = shown_log(qtbot, cases, case.id)
    grid = log.grid
    qtbot.keyClick(grid, Qt.Key.Key_Home)
    qtbot.keyClick(grid, Qt.Key.Key_1)
    assert log.current_photo().id == ps[1].id
    assert child(log, QLabel, "photoMessage").text() == "已将 1 号照片分为“方位”，下一张：2 号。"
    qtbot.keyClick(grid, Qt.Key.Key_2)
    qtbot.keyClick(grid, Qt.Key.Key_3)
    assert log.current_photo().id == ps[2].id  # the last one: it stays
    assert [p.photo_class for p in photos.list(case.id)] == ["方位", "概貌", "重点部位"]
    assert QApplication.focusWidget() is grid
    qtbot.keyClick(grid, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(grid, Qt.Key.Key_4)  # several selected: they stay selected
    assert len(log.selected_photos()) == 3
    assert [p.photo_class for p in photos.list(case.id)] == ["细目"] * 3
