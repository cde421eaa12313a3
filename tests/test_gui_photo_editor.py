"""编辑工作副本: rotate, crop, arrow, markers and a scale note, saved as a copy linked to its
original; the original's bytes never change."""
from __future__ import annotations

import hashlib

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton

from gui_support import admin, app, cases, child, store  # noqa: F401
from photo_gui_support import card, logged, on_next_dialog, open_pages
from weicha_desktop.core.photos import PhotoService
from weicha_desktop.gui.photos.editor import PhotoEditor


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def canvas_point(canvas, x: float, y: float) -> QPoint:
    rect = canvas.image_rect()
    return QPoint(round(rect.x() + x * rect.width()), round(rect.y() + y * rect.height()))


def edit(qtbot, editor: PhotoEditor) -> None:
    """Turn right, crop to the middle, an arrow, two markers and a scale note; save."""
    qtbot.mouseClick(child(editor, QPushButton, "rotateRightButton"), Qt.MouseButton.LeftButton)
    canvas = editor.canvas
    qtbot.mouseClick(child(editor, QPushButton, "tool_crop"), Qt.MouseButton.LeftButton)
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=canvas_point(canvas, 0.1, 0.1))
    qtbot.mouseMove(canvas, canvas_point(canvas, 0.5, 0.5))
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=canvas_point(canvas, 0.9, 0.9))
    qtbot.mouseClick(child(editor, QPushButton, "tool_arrow"), Qt.MouseButton.LeftButton)
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=canvas_point(canvas, 0.2, 0.8))
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=canvas_point(canvas, 0.5, 0.5))
    qtbot.mouseClick(child(editor, QPushButton, "tool_marker"), Qt.MouseButton.LeftButton)
    for x in (0.3, 0.6):
        qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=canvas_point(canvas, x, 0.3))
    qtbot.mouseClick(child(editor, QPushButton, "tool_note"), Qt.MouseButton.LeftButton)
    assert child(editor, QLineEdit, "noteText").text() == "比例尺 1:1"
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=canvas_point(canvas, 0.05, 0.9))
    qtbot.mouseClick(child(editor, QPushButton, "saveCopyButton"), Qt.MouseButton.LeftButton)


def test_a_working_copy_is_saved_linked_and_the_original_is_untouched(app, qtbot, cases, tmp_path):
    case = cases.new_case()
    photos = PhotoService(cases.store, cases.actor, cases.forms)
    photos.import_files(case.id, card(tmp_path / "DCIM", 2, size=(800, 600)), workers=1)
    _view, pages = open_pages(qtbot, cases, case.id)
    log = pages.show_photos()
    source = photos.list(case.id)[0]
    original = photos.original_path(source)
    before = sha(original)
    qtbot.waitUntil(lambda: not log.preview.image.isNull(), timeout=5000)
    on_next_dialog(lambda editor: edit(qtbot, editor))
    copy = log.edit_copy()  # the modal editor, driven above
    assert copy is not None and copy.derived_from == source.id and copy.position == 3
    assert [op["op"] for op in copy.edits] == ["rotate", "crop", "arrow", "marker", "marker", "note"]
    assert copy.edits[3]["label"] == "1" and copy.edits[4]["label"] == "2"
    assert copy.edits[5]["text"] == "比例尺 1:1"
    # 800x600 turned right is 600x800; the crop keeps 80 % of each side
    assert (copy.width, copy.height) == (480, 640)
    assert sha(original) == before == source.sha256
    assert photos.get(source.id) == source  # the source's record is unchanged too
    assert logged(cases.store, "photo.edit")
    assert log.current_photo().id == copy.id
    assert child(log, QLabel, "derivedNote").text() == "工作副本，源自 1 号（原件未改动）"
    assert log.model.data(log.model.index(2)) == "3 号（副本）\n未分类"
    qtbot.waitUntil(lambda: not log.preview.image.isNull(), timeout=5000)
    assert (log.preview.image.width(), log.preview.image.height()) == (480, 640)


def test_undo_and_an_empty_edit_cannot_be_saved(app, qtbot, cases, tmp_path):
    case = cases.new_case()
    photos = PhotoService(cases.store, cases.actor, cases.forms)
    photos.import_files(case.id, card(tmp_path / "DCIM", 1), workers=1)
    editor = PhotoEditor(photos, photos.list(case.id)[0])
    qtbot.addWidget(editor)
    editor.show()
    save = child(editor, QPushButton, "saveCopyButton")
    assert not save.isEnabled()
    qtbot.mouseClick(child(editor, QPushButton, "rotateLeftButton"), Qt.MouseButton.LeftButton)
    assert save.isEnabled() and editor.canvas.image.width() == 480
    qtbot.mouseClick(child(editor, QPushButton, "undoButton"), Qt.MouseButton.LeftButton)
    assert not save.isEnabled() and editor.canvas.image.width() == 640 and editor.ops == []
    assert not editor.save()
