"""Issue 10 §3, photos in fewer actions: several photos described at once (class, a caption
prefix, photographer) in ONE store change with the op each photo needs; a default class for a
camera-card import; 1–6 on the selected thumbnails; captions shown whole in the log (§4).
Core first (PhotoService.describe_many, import_files(photo_class=)), then the real widgets."""
from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QApplication, QComboBox, QDialog, QLabel, QLineEdit, QPushButton

from gui_support import app, child, dialogs, type_into  # noqa: F401
from module_folder import admin, cases, store  # noqa: F401  (each test makes its own case)
from outbox_support import outbox_rows
from photo_gui_support import card, logged, on_next_dialog, open_pages, wait_import
from weicha_desktop.core.demo import scene_values
from weicha_desktop.core.errors import InvalidState, WeichaError
from weicha_desktop.core.photos import PhotoService
from weicha_desktop.core.store.store import Change
from weicha_desktop.core.verify import verify


def service(cases) -> PhotoService:
    return PhotoService(cases.store, cases.actor, cases.forms)


SMALL = (160, 120)  # these tests count, class, caption and move photos: their pixels prove nothing


def with_photos(cases, tmp_path, n=4, values=None, **kwargs):
    case = cases.new_case(values)
    photos = service(cases)
    photos.import_files(case.id, card(tmp_path / f"DCIM{n}", n, size=SMALL), workers=1, **kwargs)
    return case, photos, photos.list(case.id)


def commits(store) -> list:
    seen: list = []
    store.on_commit(seen.append)
    return seen


# ---- core ----------------------------------------------------------------------------------
def test_several_photos_described_in_one_change_with_an_entry_and_an_op_each(cases, tmp_path):
    case, photos, ps = with_photos(cases, tmp_path)
    photos.update(ps[1].id, caption="床头柜抽屉")
    seen = commits(cases.store)
    done = photos.describe_many([ps[0].id, ps[1].id, ps[2].id], photo_class="细目",
                                photographer="李强", caption_prefix="主卧：")
    assert len(seen) == 1, "one change, one commit"
    assert seen[0].entries == tuple(("photo.update", "photo", p.id) for p in ps[:3])
    assert seen[0].outbox == 3
    assert [(p.photo_class, p.photographer, p.caption) for p in done] == [
        ("细目", "李强", "主卧："), ("细目", "李强", "主卧：床头柜抽屉"), ("细目", "李强", "主卧：")]
    assert photos.get(ps[3].id).photo_class is None  # not selected, not touched
    ops = outbox_rows(cases.store, "op = 'photo.update' AND entity_id = ?", ps[1].id)
    assert json.loads(ops[-1]["payload"]) == {  # the whole description, as update's op
        "id": ps[1].id, "record_id": case.id, "photo_class": "细目", "caption": "主卧：床头柜抽屉",
        "photographer": "李强", "evidence_number": None}
    entry = logged(cases.store, "photo.update")[-1]
    assert "一次修改 3 张" in entry.summary and entry.details["outbox"]  # the change's ops listed
    again = photos.describe_many([p.id for p in ps[:3]], photo_class="细目", caption_prefix="主卧：")
    assert len(seen) == 1 and [p.caption for p in again] == [p.caption for p in done]  # not twice
    assert verify(cases.store).ok


def test_a_batch_that_fails_half_way_writes_nothing(cases, tmp_path, monkeypatch):
    case, photos, ps = with_photos(cases, tmp_path, n=3)
    entries, ops = len(cases.store.audit_entries()), len(outbox_rows(cases.store))
    real, calls = Change.enqueue, []

    def failing(self, *args, **kwargs):
        calls.append(args)
        if len(calls) == 2:
            raise OSError("disk gone")
        return real(self, *args, **kwargs)
    monkeypatch.setattr(Change, "enqueue", failing)
    with pytest.raises(OSError):
        photos.describe_many([p.id for p in ps], photo_class="方位")
    assert [p.photo_class for p in photos.list(case.id)] == [None, None, None]
    assert (len(cases.store.audit_entries()), len(outbox_rows(cases.store))) == (entries, ops)


def test_a_batch_is_refused_for_a_finalized_record_and_for_bad_input(cases, tmp_path):
    case, photos, ps = with_photos(cases, tmp_path, n=5, values=scene_values(4))
    other, _, other_ps = with_photos(cases, tmp_path / "b", n=1)
    for bad, message in (({"photo_class": "航拍"}, "不在分类表中"), ({"flash": True}, "不能设置"),
                         ({"caption": "x", "caption_prefix": "y"}, "只能给一个")):
        with pytest.raises(WeichaError, match=message):
            photos.describe_many([ps[0].id], **bad)
    with pytest.raises(WeichaError, match="请先"):
        photos.describe_many([], photo_class="方位")
    with pytest.raises(WeichaError, match="同一勘验"):
        photos.describe_many([ps[0].id, other_ps[0].id], photo_class="方位")
    photos.remove(ps[4].id, "拍重了")
    with pytest.raises(WeichaError, match="已从本案照片记录中移除"):
        photos.describe_many([ps[0].id, ps[4].id], photo_class="方位")
    photos.describe_many([p.id for p in ps[:4]], photo_class="细目")
    for p, cls in zip(ps[:3], ["方位", "概貌", "重点部位"]):
        photos.update(p.id, photo_class=cls)
    cases.finalize(case.id)
    entries = len(cases.store.audit_entries())
    with pytest.raises(InvalidState, match="已定稿"):
        photos.describe_many([ps[0].id], photographer="李强")
    assert len(cases.store.audit_entries()) == entries and photos.get(ps[0].id).photographer != "李强"


def test_a_card_imported_with_a_default_class(cases, tmp_path):
    case, photos, ps = with_photos(cases, tmp_path, n=2, photo_class="细目")
    assert [p.photo_class for p in ps] == ["细目", "细目"]
    ops = [json.loads(r["payload"]) for r in outbox_rows(cases.store, "op = 'photo.add'")
           if r["entity_id"] in {p.id for p in ps}]  # this case's two (the folder is the module's)
    assert [o["photo_class"] for o in ops] == ["细目", "细目"]
    before = len(cases.store.audit_entries())
    with pytest.raises(WeichaError, match="不在分类表中"):  # refused before a file is read
        photos.import_files(case.id, [tmp_path / "nothing-here"], photo_class="航拍")
    assert len(cases.store.audit_entries()) == before


# ---- the photo log -------------------------------------------------------------------------
def shown_log(qtbot, cases, case_id, size=(1280, 800)):
    view, pages = open_pages(qtbot, cases, case_id)
    view.resize(*size)
    view.activateWindow()
    qtbot.waitUntil(view.isActiveWindow, timeout=2000)
    log = pages.show_photos()  # what Ctrl+2 does
    return view, pages, log


def texts(log) -> list[str]:
    return [log.model.data(log.model.index(r)) for r in range(log.model.rowCount())]


def test_the_digit_keys_classify_the_selected_thumbnails_in_one_change(app, qtbot, cases, tmp_path):
    case, photos, ps = with_photos(cases, tmp_path)
    _view, _pages, log = shown_log(qtbot, cases, case.id)
    grid = log.grid
    assert QApplication.focusWidget() is grid  # the thumbnails take the keys at once
    by_code = {c.code: c.value for c in log.classes}
    assert [c.code for c in log.classes[:4]] == ["location", "overview", "key_area", "detail"]
    seen = commits(cases.store)
    qtbot.keyClick(grid, Qt.Key.Key_Home)
    qtbot.keyClick(grid, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(grid, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert [p.id for p in log.selected_photos()] == [p.id for p in ps[:3]]
    qtbot.keyClick(grid, Qt.Key.Key_4)
    assert len(seen) == 1 and seen[0].outbox == 3
    assert [p.photo_class for p in photos.list(case.id)] == [by_code["detail"]] * 3 + [None]
    assert texts(log)[:3] == ["1 号\n细目", "2 号\n细目", "3 号\n细目"]
    assert child(log, QLabel, "photoMessage").text() == "已将 3 张照片分为“细目”。"
    qtbot.keyClick(grid, Qt.Key.Key_Right)  # one photo again: 4 号
    qtbot.keyClick(grid, Qt.Key.Key_1, Qt.KeyboardModifier.KeypadModifier)  # the number pad too
    qtbot.keyClick(grid, Qt.Key.Key_Home)
    qtbot.keyClick(grid, Qt.Key.Key_2)  # one photo: the next one is selected
    qtbot.keyClick(grid, Qt.Key.Key_3)
    assert [p.photo_class for p in photos.list(case.id)] == [
        by_code["overview"], by_code["key_area"], by_code["detail"], by_code["location"]]
    assert not [p.message for p in cases.blockers(case.id) if "照片" in p.message]  # the four classes
    caption = child(log, QLineEdit, "photoCaption")
    caption.setFocus()
    qtbot.keyClick(caption, Qt.Key.Key_1)  # a digit typed into a caption is text, not a class
    assert caption.text() == "1" and photos.get(ps[1].id).photo_class == by_code["key_area"]


def test_several_selected_photos_take_a_caption_prefix_photographer_and_class_at_once(
        app, qtbot, cases, tmp_path):
    case, photos, ps = with_photos(cases, tmp_path, n=3)
    photos.update(ps[2].id, caption="门锁")
    _view, _pages, log = shown_log(qtbot, cases, case.id)
    selection = log.grid.selectionModel()
    log.select(ps[0].id)
    selection.select(log.model.index(2), QItemSelectionModel.SelectionFlag.Select)  # Ctrl+click
    note = child(log, QLabel, "photoBatchNote")
    assert note.isVisible() and note.text().startswith("已选 2 张照片")
    caption = child(log, QLineEdit, "photoCaption")
    assert caption.text() == "" and "前" in caption.placeholderText()
    seen = commits(cases.store)
    type_into(qtbot, caption, "入户门——")
    qtbot.keyClick(caption, Qt.Key.Key_Return)
    assert [p.caption for p in photos.list(case.id)] == ["入户门——", "", "入户门——门锁"]
    assert caption.text() == "" and len(seen) == 1  # done once, the line empty again
    who = child(log, QLineEdit, "photoPhotographer")
    who.selectAll()
    type_into(qtbot, who, "李强")
    qtbot.keyClick(who, Qt.Key.Key_Return)
    combo = child(log, QComboBox, "photoClass")
    combo.setCurrentIndex(combo.findText("概貌"))
    combo.activated.emit(combo.currentIndex())
    after = photos.list(case.id)
    assert [(p.photographer, p.photo_class) for p in (after[0], after[2])] == [("李强", "概貌")] * 2
    assert after[1].photo_class is None and len(seen) == 3
    log.select(ps[1].id)  # one photo: its own caption line again
    assert not note.isVisible() and child(log, QLabel, "photoMessage").text()


def test_a_camera_card_is_imported_with_the_class_chosen_for_it(app, qtbot, cases, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    case = cases.new_case()
    _view, pages, log = shown_log(qtbot, cases, case.id)
    card(tmp_path / "CARD" / "DCIM", 3, size=SMALL)
    asked = []
    monkeypatch.setattr(QFileDialog, "getExistingDirectory",
                        lambda *a, **k: asked.append(a) or str(tmp_path / "CARD"))
    seen = {}

    def choose(dialog: QDialog) -> None:  # no folder yet: it is typed (no system dialog first)
        folder = child(dialog, QLineEdit, "importFolder")
        dialog.activateWindow()  # as a window manager does (leaving the field counts the photos)
        qtbot.waitUntil(dialog.isActiveWindow, timeout=2000)
        seen["typed"] = dialog.focusWidget() is folder and folder.text() == ""
        qtbot.keyClicks(folder, str(tmp_path / "CARD"))
        qtbot.keyClick(folder, Qt.Key.Key_Tab)
        seen["found"] = child(dialog, QLabel, "importFound").text()
        classes = child(dialog, QComboBox, "importClass")
        seen["focus"] = dialog.focusWidget() is classes  # where the keys go once it is active
        qtbot.keyClick(classes, Qt.Key.Key_4)  # the class's key picks it here too
        seen["class"] = classes.currentText()
        qtbot.keyClick(classes, Qt.Key.Key_Return)
        if dialog.isVisible():  # never left waiting
            seen["open"] = True
            dialog.reject()
    on_next_dialog(choose)
    qtbot.mouseClick(child(log, QPushButton, "importFolderButton"), Qt.MouseButton.LeftButton)
    wait_import(qtbot, pages)
    assert seen == {"typed": True, "found": "找到 3 张照片（含子文件夹）。", "class": "4 细目", "focus": True}
    assert [p.photo_class for p in service(cases).list(case.id)] == ["细目"] * 3
    assert texts(log) == ["1 号\n细目", "2 号\n细目", "3 号\n细目"]

    def refuse_a_missing_folder(dialog: QDialog) -> None:  # the card is offered again, as is the class
        folder = child(dialog, QLineEdit, "importFolder")
        seen["again"] = (folder.text(), child(dialog, QComboBox, "importClass").currentText())
        folder.setText(str(tmp_path / "gone"))
        child(dialog, QPushButton, "importStartButton").click()
        seen["missing"] = (dialog.isVisible(), child(dialog, QLabel, "importFound").text())
        dialog.reject()
    on_next_dialog(refuse_a_missing_folder)
    assert not log.add_folder()
    assert seen["again"] == (str(tmp_path / "CARD"), "4 细目") and asked == []
    assert seen["missing"][0] and seen["missing"][1].startswith("找不到文件夹")


def test_captions_are_shown_whole_in_the_log_at_1024x768(app, qtbot, cases, tmp_path):
    from weicha_desktop.gui.photos.model import CAPTION_ROLE, PhotoDelegate

    long = "主卧床头柜第二层抽屉面板上的撬压痕迹，由南向北拍摄，带比例尺"  # 30 字
    endless = "现场周边道路及小区出入口监控探头位置，" * 12
    case, photos, ps = with_photos(cases, tmp_path, n=3)
    photos.update(ps[0].id, caption=long)
    photos.update(ps[2].id, caption=endless)
    _view, _pages, log = shown_log(qtbot, cases, case.id, size=(1024, 768))
    grid = log.grid
    delegate = grid.itemDelegate()
    assert isinstance(delegate, PhotoDelegate)
    lines, elided = delegate.caption_lines(log.model.index(0))
    assert "".join(lines) == long and not elided and len(lines) > 1  # wrapped, every character
    assert grid.caption_lines >= len(lines)  # and the cells have room for them
    lines, elided = delegate.caption_lines(log.model.index(2))
    assert elided and lines[-1].endswith("…") and log.model.index(2).data(Qt.ItemDataRole.ToolTipRole) == endless
    assert log.model.index(2).data(CAPTION_ROLE) == endless
    cell = grid.visualRect(log.model.index(0))
    assert cell.height() >= grid.gridSize().height() - 8 and grid.viewport().width() >= cell.width()
