"""照片: the photo log of an open case — import on a worker (progress, cancel, report, drag and
drop), order, description, preview with EXIF, read-only once finalized, a GUI that keeps
breathing while it imports."""
from __future__ import annotations


import pytest
from PIL import Image as PILImage
from PySide6.QtCore import QMimeData, QModelIndex, QPoint, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (QApplication, QComboBox, QFileDialog, QLabel, QLineEdit, QListWidget,
                               QMessageBox, QPushButton, QTableWidget)

from gui_support import (Heartbeat, admin, app, cases, child, complete_values, dialogs,  # noqa: F401
                         store, type_into)
from media_support import exif_block, pattern, random_bytes
from photo_gui_support import card, evidence, logged, open_pages, wait_import
from weicha_desktop.core.errors import WeichaError
from weicha_desktop.core.media.pil import TRANSPOSE
from weicha_desktop.core.photos import PhotoService
from weicha_desktop.gui.shell.screenshot import take_screenshot


def drop_files(grid, files) -> tuple[bool, bool]:
    """Drag files from a file manager onto the grid: enter, then drop. Accepted?"""
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(f)) for f in files])
    viewport = grid.viewport()
    at = viewport.rect().center()
    enter = QDragEnterEvent(at, Qt.DropAction.CopyAction, data, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(viewport, enter)
    drop = QDropEvent(at.toPointF(), Qt.DropAction.CopyAction, data, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(viewport, drop)
    return enter.isAccepted(), drop.isAccepted()


def grid_texts(pages) -> list[str]:
    model = pages.photo_log.model
    return [model.data(model.index(r)) for r in range(model.rowCount())]


def test_import_by_file_dialog_shows_progress_and_reports_bad_files(app, qtbot, cases, tmp_path,
                                                                   monkeypatch):
    case = cases.new_case()
    view, pages = open_pages(qtbot, cases, case.id)
    log = pages.show_photos()
    good = card(tmp_path / "DCIM", 4)
    junk = random_bytes(tmp_path / "junk.jpg")
    chosen = [*map(str, good), str(junk), str(good[1])]  # the second one twice
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: (chosen, ""))
    seen = []
    bar = child(log, QPushButton, "addPhotosButton")
    log.import_bar.progress.valueChanged.connect(seen.append)
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton)
    assert log.import_bar.isVisible() and not bar.isEnabled()  # running, no second batch
    assert not child(view, QPushButton, "finalizeButton").isEnabled()  # not while adding photos
    wait_import(qtbot, pages)
    assert seen[-1] == 6 and len(set(seen)) > 1
    assert child(view, QPushButton, "finalizeButton").isEnabled()
    assert grid_texts(pages) == [f"{n} 号\n未分类" for n in range(1, 5)]
    assert pages.view.header.view_group.button(1).text() == "照片（4）"
    report = child(view.window(), QTableWidget, "importReportTable").window()
    reasons = report.reasons()
    assert "不是可识别的图像文件" in reasons["junk.jpg"]
    assert "该照片已在本案中" in reasons["IMG_0001.JPG"]
    summary = child(report, QLabel, "importSummary").text()
    assert summary == "已导入 4 张照片，1 张已在本案中（重复，未再保存），1 个文件无法导入。"
    assert child(log, QLabel, "photoMessage").text() == summary
    assert [p.original_name for p in PhotoService(cases.store, cases.actor, cases.forms).list(case.id)] == \
        [p.name for p in good]
    report.close()


def test_cancel_stops_the_batch_and_keeps_what_was_stored(app, qtbot, cases, tmp_path):
    case = cases.new_case()
    _view, pages = open_pages(qtbot, cases, case.id)
    log = pages.show_photos()
    files = card(tmp_path / "DCIM", 12, size=(1600, 1200), one_picture=True)
    cancel = child(log, QPushButton, "cancelImportButton")
    log.import_bar.photoImported.connect(lambda _id: cancel.isEnabled() and cancel.click())
    assert log.import_paths([str(tmp_path / "DCIM")])
    wait_import(qtbot, pages)
    stored = PhotoService(cases.store, cases.actor, cases.forms).list(case.id)
    assert 1 <= len(stored) < len(files)
    assert log.model.rowCount() == len(stored)
    report = log.import_bar.report
    assert "已取消" in report.findChild(QLabel, "importSummary").text()
    assert not list(cases.store.blobs_dir.rglob("*.part"))
    report.close()


def test_files_dropped_on_the_grid_are_imported(app, qtbot, cases, tmp_path):
    case = cases.new_case()
    _view, pages = open_pages(qtbot, cases, case.id)
    log = pages.show_photos()
    files = card(tmp_path / "drop", 2)
    assert drop_files(log.grid, files) == (True, True)
    wait_import(qtbot, pages)
    assert grid_texts(pages) == ["1 号\n未分类", "2 号\n未分类"]


def imported(qtbot, cases, tmp_path, n=4, values=None, **exif):
    case = cases.new_case(values)
    photos = PhotoService(cases.store, cases.actor, cases.forms)
    photos.import_files(case.id, card(tmp_path / "DCIM", n, **exif), workers=1)
    view, pages = open_pages(qtbot, cases, case.id)
    return case, photos, view, pages


def test_moving_a_photo_renumbers_and_persists(app, qtbot, cases, tmp_path):
    case, photos, _view, pages = imported(qtbot, cases, tmp_path)
    before = [p.id for p in photos.list(case.id)]
    model = pages.photo_log.model
    assert model.moveRows(QModelIndex(), 0, 1, QModelIndex(), 3)  # 1 号 to after 3 号
    after = photos.list(case.id)
    assert [p.id for p in after] == [before[1], before[2], before[0], before[3]]
    assert [p.position for p in after] == [1, 2, 3, 4]
    assert [model.photo(r).id for r in range(4)] == [p.id for p in after]
    assert model.data(model.index(2)).startswith("3 号")
    assert logged(cases.store, "photo.reorder")
    # a drop of the selected thumbnail on the right half of another goes after it (the offscreen
    # platform has no drag and drop of its own, so the drop's arithmetic is driven directly)
    grid = pages.show_photos().grid
    pages.photo_log.select(after[3].id)
    target = grid.visualRect(model.index(0))
    grid._move_selected_to(grid._drop_row(target.center() + QPoint(target.width() // 4, 0)))
    assert [p.id for p in photos.list(case.id)] == [p.id for p in (after[0], after[3], after[1], after[2])]


def test_class_caption_and_evidence_link_are_saved(app, qtbot, cases, tmp_path):
    case, photos, _view, pages = imported(qtbot, cases, tmp_path, n=2, values={"evidence": evidence()})
    log = pages.show_photos()
    log.select(photos.list(case.id)[1].id)
    combo = child(log, QComboBox, "photoClass")
    combo.setCurrentIndex(combo.findText("方位"))
    combo.activated.emit(combo.currentIndex())
    caption = child(log, QLineEdit, "photoCaption")
    type_into(qtbot, caption, "小区入口，由东向西拍摄")
    qtbot.keyClick(caption, Qt.Key.Key_Return)
    link = child(log, QComboBox, "photoEvidence")
    number = cases.get(case.id).data["evidence"][0]["number"]
    link.setCurrentIndex(link.findText(number, Qt.MatchFlag.MatchStartsWith))
    link.activated.emit(link.currentIndex())
    saved = photos.list(case.id)[1]
    assert (saved.photo_class, saved.caption, saved.evidence_number) == ("方位", "小区入口，由东向西拍摄", number)
    assert grid_texts(pages)[1] == "2 号\n方位"
    assert len(logged(cases.store, "photo.update")) == 3
    messages = [p.message for p in cases.blockers(case.id)]
    assert "缺少方位照片" not in messages and "缺少概貌照片" in messages  # the checker sees it
    assert pages.register.table.item(0, 11).text() == "1"  # the register counts the link
    pages.view.check()  # the 一长四必 list under the form: a photo problem opens the photos
    pages.show_register()
    problems = child(pages.view, QListWidget, "problemList")
    item = next(problems.item(i) for i in range(problems.count()) if "缺少概貌照片" in problems.item(i).text())
    problems.itemClicked.emit(item)
    assert pages.view.views.currentWidget() is log


def test_preview_stands_an_orientation_6_photo_upright_and_shows_its_exif(app, qtbot, cases, tmp_path):
    upright = pattern((400, 200))  # red top-left quadrant when upright
    path = tmp_path / "turned.jpg"
    upright.transpose(TRANSPOSE[8]).save(path, "JPEG", quality=95,
                                         exif=exif_block(orientation=6, gps=(21.95, 108.62, 5.0)))
    case = cases.new_case()
    photos = PhotoService(cases.store, cases.actor, cases.forms)
    photos.import_files(case.id, [path], workers=1)
    _view, pages = open_pages(qtbot, cases, case.id)
    log = pages.show_photos()
    preview = log.preview
    qtbot.waitUntil(lambda: not preview.image.isNull(), timeout=5000)
    image = preview.image
    assert (image.width(), image.height()) == (400, 200)
    top_left, bottom_right = image.pixelColor(40, 20), image.pixelColor(360, 180)
    assert top_left.red() > 180 and top_left.blue() < 90
    assert bottom_right.blue() > 150 and bottom_right.red() < 90
    photo = photos.list(case.id)[0]
    text = {k: child(log, QLabel, f"exif_{k}").text()
            for k in ("taken", "camera", "orientation", "pixels", "gps", "sha", "name")}
    assert text["taken"] == "2026-11-20 09:31:05+08:00（来源：相机时间）"  # the log keeps the EXIF tags
    assert text["camera"] == "Canon EOS 90D"
    assert text["orientation"].startswith("EXIF 6：顺时针旋转 90°")
    assert text["pixels"].startswith("400 × 200")
    assert text["gps"] == "纬度 21.950000°，经度 108.620000°，海拔 5.0 米"
    assert text["sha"] == photo.sha256[:16] + "…" and text["name"] == "turned.jpg"
    qtbot.waitUntil(lambda: log.model.thumbnail(photo) is not None, timeout=5000)


def test_a_finalized_case_shows_its_photos_read_only(app, qtbot, cases, tmp_path, dialogs):
    values = complete_values()
    case, photos, view, pages = imported(qtbot, cases, tmp_path, values=values)
    for photo, kind in zip(photos.list(case.id), ("方位", "概貌", "重点部位", "细目")):
        photos.update(photo.id, photo_class=kind)
    log = pages.show_photos()
    assert child(log, QPushButton, "addPhotosButton").isEnabled()
    dialogs.answers = [QMessageBox.StandardButton.Yes]
    assert view.finalize()
    assert child(log, QLabel, "photoReadonlyNote").isVisible()
    for name in ("addPhotosButton", "importFolderButton", "editCopyButton"):
        assert not child(log, QPushButton, name).isEnabled()
    assert not child(log, QComboBox, "photoClass").isEnabled()
    assert child(log, QLineEdit, "photoCaption").isReadOnly()
    model = log.model
    assert not model.flags(model.index(0)) & Qt.ItemFlag.ItemIsDragEnabled
    assert not model.moveRows(QModelIndex(), 0, 1, QModelIndex(), 2)
    assert drop_files(log.grid, [tmp_path / "DCIM" / "IMG_0000.JPG"]) == (False, False)
    assert not log.import_bar.is_running()
    assert not log.import_paths([str(tmp_path / "DCIM")])


def test_the_gui_keeps_breathing_while_20_photos_import(app, qtbot, cases, tmp_path):
    """A 10 ms heartbeat on the GUI thread: between two beats while importing, the GUI thread is
    never busy (its own CPU time) nor blocked for long; the waits for a CPU on a loaded machine are
    not ours and do not count (gui_support.Heartbeat)."""
    case = cases.new_case()
    _view, pages = open_pages(qtbot, cases, case.id)
    log = pages.show_photos()
    log.import_bar.workers = None  # as in the program: one worker process per core
    card(tmp_path / "DCIM", 20, size=(2400, 1800), one_picture=True, gps=(21.95, 108.62, 5.0))
    with Heartbeat(qtbot) as beat:
        assert log.import_paths([str(tmp_path / "DCIM")])
        wait_import(qtbot, pages, timeout=60000)
    print(f"import of 20 photos: {beat.summary()}")
    assert log.model.rowCount() == 20
    beat.assert_responsive(busy=0.150, blocked=0.300)


def test_screenshots_of_the_photo_log_and_the_register(app, qtbot, cases, tmp_path):
    case = cases.new_case({"evidence": evidence()})  # no form of its own open: the screenshot opens one
    PhotoService(cases.store, cases.actor, cases.forms).import_files(case.id, card(tmp_path / "DCIM", 2), workers=1)
    folder = cases.store.data_dir
    for view, photo in (("photos", 2), ("evidence", None)):
        out = tmp_path / f"{view}.png"
        assert take_screenshot(folder, out, case=case.number, view=view, photo=photo) == (1280, 800)
        colours = PILImage.open(out).convert("RGB").getcolors(1 << 16)
        assert colours is None or len(colours) > 50  # photos drawn, not a blank window
    with pytest.raises(WeichaError, match="没有第 9 号照片"):
        take_screenshot(folder, tmp_path / "x.png", case=case.number, view="photos", photo=9)
    with pytest.raises(WeichaError, match="--case"):
        take_screenshot(folder, tmp_path / "x.png", view="evidence")


def test_finalize_shortcut_is_refused_while_photos_import(app, qtbot, cases, tmp_path, dialogs,
                                                         monkeypatch):
    import threading

    case = cases.new_case(complete_values())
    view, pages = open_pages(qtbot, cases, case.id)
    files = card(tmp_path / "busy", 2, size=(64, 48))
    # the import stays busy (its thread waits before storing the first photo) until let go
    go_on, store_one = threading.Event(), PhotoService._store_one
    monkeypatch.setattr(PhotoService, "_store_one",
                        lambda self, *a: (go_on.wait(20), store_one(self, *a))[1])
    assert pages.photo_log.import_paths([str(f) for f in files])
    qtbot.waitUntil(lambda: not view.header.finalize_button.isEnabled(), timeout=5000)
    dialogs.answers = [QMessageBox.StandardButton.Yes] * 3
    checked = []
    real = view.cases.blockers
    view.cases.blockers = lambda ref: checked.append(ref) or real(ref)
    assert view.finalize() is False  # what Ctrl+Shift+F calls
    assert checked == [] and dialogs.shown == []  # refused before anything was asked
    view.cases.blockers = real
    assert pages.photo_log.import_bar.is_running()  # refused while it ran, not after
    go_on.set()
    wait_import(qtbot, pages)
    assert cases.get(case.id).status == "draft"
    assert view.header.finalize_button.isEnabled()


def test_new_case_leaves_the_callers_rows_alone(cases):
    rows = evidence()
    made = cases.new_case({"evidence": rows})
    assert all("number" not in r for r in rows)
    assert all(r["number"].startswith("H") for r in made.data["evidence"])


def test_remove_a_photo_asks_why_and_renumbers(app, qtbot, cases, tmp_path, monkeypatch):
    case = cases.new_case()
    _view, pages = open_pages(qtbot, cases, case.id)
    log = pages.show_photos()
    assert log.import_paths([str(f) for f in card(tmp_path / "rm", 3)])
    wait_import(qtbot, pages)
    second = PhotoService(cases.store, cases.actor, cases.forms).list(case.id)[1]
    log.select(second.id)
    button = log.findChild(QPushButton, "removePhotoButton")
    assert button.isEnabled()
    from PySide6.QtWidgets import QInputDialog
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("", False))  # cancelled
    assert log.remove_photo() is False and log.model.rowCount() == 3
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("拍重了", True))
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert log.model.rowCount() == 2
    assert [p.position for p in PhotoService(cases.store, cases.actor, cases.forms).list(case.id)] == [1, 2]
    assert "原件仍保存" in log.message.text()
