"""Issue 10 §3, fewer actions in the photo log: the import dialog offers the camera card in a
reader and 细目 (most of a card), so 导入文件夹 is Enter; a digit classifies one photo and goes
on to the next, so 方位 概貌 重点部位 are three keys; 勘验结束时间 takes the last photo's camera
time; Ctrl+1 after the photos comes back to the input the record was left at; several selected
photos are dragged together."""
from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, QPoint, Qt
from PySide6.QtWidgets import QApplication, QComboBox, QDialog, QLabel

from gui_support import app, child, dialogs  # noqa: F401
from module_folder import admin, cases, store  # noqa: F401  (each test makes its own case)
from keyboard_support import Keyboard
from media_support import make_photo
from photo_gui_support import card, on_next_dialog, wait_import
from test_photo_batch import SMALL, service, shown_log, with_photos
from weicha_desktop.gui.common.store_events import StoreEvents
from weicha_desktop.gui.photos import importing

pytestmark = pytest.mark.usefixtures("dialogs")


def test_the_import_offers_the_card_in_the_reader_as_detail(app, qtbot, cases, tmp_path, monkeypatch):
    (tmp_path / "USB" / "docs").mkdir(parents=True)  # a stick without photos: not a card
    card(tmp_path / "CARD" / "DCIM" / "100CANON", 2, size=SMALL)
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


def shots(folder: Path, times: list[str | None]) -> Path:
    """Camera files taken at ``times`` (``None``: no EXIF, only the file's own time)."""
    folder.mkdir(parents=True)
    for i, taken in enumerate(times):
        make_photo(folder / f"IMG_{i:04d}.JPG", size=(64, 48), seed=i, taken=taken)
    return folder


def test_the_end_time_follows_the_camera_time_of_the_last_photo(app, qtbot, cases, tmp_path):
    """勘验结束时间: the scene's last shot, shown in the form as any value (editable), following
    the photo log while it holds what the log gave; a file's own time is not taken for it, and
    a time typed over it is kept."""
    case = cases.new_case()
    photos = service(cases)
    photos.import_files(case.id, [shots(tmp_path / "A", [None, "2026:11:27 09:05:00", "2026:11:27 11:20:40"])],
                        workers=1)
    no_exif, early, last = photos.list(case.id)
    view, _pages, _log = shown_log(qtbot, cases, case.id)
    ended = view.editors["ended_at"]
    assert ended.value() is None  # opening a case changes nothing
    photos.remove(no_exif.id, "重复拍摄")  # the log changes: the field follows it
    qtbot.waitUntil(lambda: ended.value() is not None, timeout=2000)
    assert ended.value() == "2026-11-27T11:20:00+08:00"
    photos.remove(last.id, "拍错")  # still what the log gave: follows
    qtbot.waitUntil(lambda: ended.value() == "2026-11-27T09:05:00+08:00", timeout=2000)
    view.focus_path("ended_at")
    qtbot.keyClicks(QApplication.focusWidget(), "202611271200")  # the technician's own
    typed = ended.value()
    assert typed.startswith("2026-11-27T12:00")
    events = StoreEvents(cases.store, view)  # told after the form's own (connected first)
    with qtbot.waitSignal(events.changed, timeout=2000):
        photos.update(early.id, caption="小区入口")
    assert ended.value() == typed


def test_ctrl_1_comes_back_where_the_focus_was(app, qtbot, cases):
    """照片 and back: the record at its tab and input (Qt's focus move as the record was hidden
    went through the form's Tab-to-the-next-section and turned the tab)."""
    case = cases.new_case()
    view, _pages, _log = shown_log(qtbot, cases, case.id)
    kb = Keyboard()
    kb.key("Ctrl+1")
    view.focus_first_empty()
    assert kb.focus().objectName() == "field_assigning_unit"
    kb.key("Ctrl+2", "Ctrl+1")
    assert view.tabs.currentIndex() == 0 and kb.focus().objectName() == "field_assigning_unit"


def test_several_selected_photos_are_dragged_together(app, qtbot, cases, tmp_path):
    """The drag moved only the photo it started on; the selection goes as one block, in its
    order, in one reorder, and stays selected."""
    case, photos, ps = with_photos(cases, tmp_path, n=5)
    _view, _pages, log = shown_log(qtbot, cases, case.id)
    grid, model = log.grid, log.model
    selection = grid.selectionModel()
    log.select(ps[1].id)
    selection.select(model.index(3), QItemSelectionModel.SelectionFlag.Select)  # 2 号 and 4 号
    target = grid.visualRect(model.index(0))
    grid._move_selected_to(grid._drop_row(target.center() - QPoint(target.width() // 4, 0)))
    order = [ps[1].id, ps[3].id, ps[0].id, ps[2].id, ps[4].id]
    assert [p.id for p in photos.list(case.id)] == order
    assert [p.position for p in photos.list(case.id)] == [1, 2, 3, 4, 5]
    assert [model.photo(r).id for r in range(5)] == order
    assert [p.id for p in log.selected_photos()] == [ps[1].id, ps[3].id]
    last = grid.visualRect(model.index(4))  # to the end: after 5 号
    grid._move_selected_to(grid._drop_row(last.center() + QPoint(last.width() // 4, 0)))
    assert [p.id for p in photos.list(case.id)] == [ps[0].id, ps[2].id, ps[4].id, ps[1].id, ps[3].id]
