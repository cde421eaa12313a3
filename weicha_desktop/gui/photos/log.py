"""照片: the photo log of one case, a view of the open case beside its form.

    ┌ 添加照片… 导入文件夹… 编辑工作副本…                     共 8 张 · 拖动调整顺序 ┐
    ├ (importing: file, progress, 取消导入)                                         ┤
    ├ thumbnails (photoGrid), in log order ──────┬ preview (photoPreview)           ┤
    │ 1 号 · 方位   2 号 · 概貌   3 号 · 细目 …   │ facts: time, camera, GPS, hash …  │
    │ 小区入口，由   客厅全景      抽屉面板上的    │ 分类 / 说明 / 拍照人 / 关联物证   │
    │ 东向西拍摄                   撬痕（局部）    │ (several selected: for all)       │
    └────────────────────────────────────────────┴───────────────────────────────────┘

Everything is read from and written through ``PhotoService`` (imports on a worker, see
importing.py). A case that is not a draft shows its photos read-only. Several photos can be
selected (Shift/Ctrl + click or arrows, Ctrl+A): the 照片说明 box then sets class, a caption
prefix, photographer or evidence link of all of them in one change, and on the thumbnails the
keys 1–6 set the class of the selected photos (1 方位 2 概貌 3 重点部位 4 细目 …: the order of
forms/choices/photo_classes.yaml); one photo classified, the next one is selected."""
from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QKeyCombination, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (QApplication, QDialog, QFrame, QGroupBox, QHBoxLayout, QInputDialog, QLabel,
                               QPushButton, QScrollArea, QSplitter, QVBoxLayout, QWidget)

from weicha_desktop.core.cases import CaseRecord
from weicha_desktop.core.errors import WeichaError
from weicha_desktop.core.forms.spec import Choice
from weicha_desktop.core.photos import Photo, PhotoService
from weicha_desktop.gui.evidence.register import evidence_rows
from weicha_desktop.gui.photos.details import PhotoDetails
from weicha_desktop.gui.photos.importing import (ImportBar, ImportDialog, ImportOutcome, camera_cards,
                                                  default_import_class)
from weicha_desktop.gui.photos.model import PhotoGrid, PhotoListModel, class_name
from weicha_desktop.gui.photos.preview import PhotoPreview

STYLE = """
QLabel#photoReadonlyNote { background: #eef3f8; border: 1px solid #c5d5e6; padding: 6px 10px; }
QLabel#photoMessage[kind="error"] { color: #b00020; }
QLabel#photoMessage[kind="ok"] { color: #1b5e20; }
QLabel#photoCountLabel { color: #555; }
"""


class PhotoLog(QWidget):
    changed = Signal()  # photos added, described or reordered
    importing = Signal(bool)  # an import started / ended

    def __init__(self, photos: PhotoService, case: CaseRecord, classes: list[Choice],
                 lang: str = "zh", parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("photoLog")
        self.photos = photos
        self.case = case
        self.classes, self.lang = classes, lang
        self.import_class = default_import_class(classes)  # the class last chosen for a card
        self.editable = False

        self.add_button = self._button(self.tr("添加照片…"), "addPhotosButton", self.add_files)
        self.folder_button = self._button(self.tr("导入文件夹(&I)…"), "importFolderButton", self.add_folder)
        self.folder_button.setToolTip(self.tr("导入相机存储卡或文件夹中的全部照片（含子文件夹）"))
        self.edit_button = self._button(self.tr("编辑工作副本…"), "editCopyButton", self.edit_copy)
        self.edit_button.setToolTip(self.tr("旋转、裁剪、加箭头/标号/文字，另存为工作副本；原件不变"))
        self.remove_button = self._button(self.tr("移除照片…"), "removePhotoButton", self.remove_photo)
        self.remove_button.setToolTip(self.tr("从本案照片记录中移除（须写原因）；原件仍保存，可重新导入"))
        self.count_label = QLabel()
        self.count_label.setObjectName("photoCountLabel")
        bar = QHBoxLayout()
        for button in (self.add_button, self.folder_button, self.edit_button, self.remove_button):
            bar.addWidget(button)
        bar.addStretch(1)
        bar.addWidget(self.count_label)

        self.readonly_note = QLabel(self.tr("勘验已定稿，照片只能查看；如需更正请先“补正”。"))
        self.readonly_note.setObjectName("photoReadonlyNote")
        self.import_bar = ImportBar(photos.store, photos.actor, forms=photos.forms)
        self.import_bar.photoImported.connect(self._imported_one)
        self.import_bar.finished.connect(self._import_finished)
        self.import_bar.failed.connect(self._import_failed)

        self.model = PhotoListModel(photos, self)
        self.model.reordered.connect(self._reordered)
        self.grid = PhotoGrid()
        self.grid.setObjectName("photoGrid")
        self.grid.setModel(self.model)
        self.grid.filesDropped.connect(self.import_paths)
        self.grid.selectionModel().currentChanged.connect(self._selection_changed)
        self.grid.selectionModel().selectionChanged.connect(self._selection_changed)
        self.grid.doubleClicked.connect(self.edit_copy)
        self.class_keys = [self._class_key(n, choice) for n, choice in enumerate(classes[:9], 1)]
        self.grid.setToolTip(self.tr("数字键给所选照片分类：{keys}；Shift/Ctrl+单击或方向键多选，Ctrl+A 全选").format(
            keys="，".join(f"{n} {class_name(photos, c.value)}" for n, c in enumerate(classes[:9], 1))))

        self.preview = PhotoPreview(photos)
        self.details = PhotoDetails(photos, classes)
        self.details.saved.connect(self._photo_saved)
        self.details.batchSaved.connect(self._photos_saved)
        self.details.failed.connect(lambda text: self.show_message(text, "error"))
        box = QGroupBox(self.tr("照片说明"))
        box_layout = QVBoxLayout(box)
        box_layout.addWidget(self.details)
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 4, 0)
        side_layout.addWidget(self.preview, 1)
        side_layout.addWidget(box)
        scroll = QScrollArea()  # on a small screen the facts scroll; the window keeps its size
        scroll.setWidget(side)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.grid)
        self.splitter.addWidget(scroll)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([560, 480])
        self.splitter.setChildrenCollapsible(False)

        self.message = QLabel()
        self.message.setObjectName("photoMessage")
        for label in (self.count_label, self.readonly_note, self.message):  # STYLE's labels, not every child
            label.setStyleSheet(STYLE)
        self.message.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.readonly_note)
        layout.addWidget(self.import_bar)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.message)
        self.set_case(case)
        self.reload()

    @staticmethod
    def _button(text: str, name: str, slot) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.clicked.connect(slot)
        return button

    # ---- the case --------------------------------------------------------------------------
    def set_case(self, case: CaseRecord) -> None:
        """The case as just loaded or saved: its state decides whether photos can change."""
        self.case = case
        self.editable = case.status == "draft" and not case.locked
        self.model.editable = self.editable
        self.grid.accept_files = self.editable
        self.grid.empty_text = self.tr("还没有照片。点“添加照片…”或“导入文件夹…”，\n"
                                       "也可以把照片或文件夹拖到这里。") if self.editable else self.tr("没有照片。")
        self.readonly_note.setVisible(not self.editable)
        self.details.set_evidence(evidence_rows(case))
        self.details.set_editable(self.editable)
        self._update_buttons()
        self.grid.viewport().update()

    def reload(self) -> None:
        """Read the photo log again, keeping the photo that is selected."""
        keep = self.current_photo()
        self.model.set_photos(self.photos.list(self.case.id))
        self._update_count()
        self.select(keep.id if keep else None)

    def current_photo(self) -> Photo | None:
        index = self.grid.currentIndex()
        return self.model.photo(index.row()) if index.isValid() else None

    def select(self, photo_id: str | None) -> None:
        row = self.model.row_of(photo_id)
        if row is None and self.model.rowCount():
            row = 0
        if row is None:
            self._show(None)
            return
        self.grid.selectionModel().setCurrentIndex(
            self.model.index(row), QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self._show(self.model.photo(row))

    def selected_photos(self) -> list[Photo]:
        """The photos selected in the grid, in log order (none selected: the current one)."""
        rows = sorted({i.row() for i in self.grid.selectionModel().selectedIndexes()})
        if not rows:
            current = self.current_photo()
            return [current] if current is not None else []
        return [self.model.photo(r) for r in rows]

    def _selection_changed(self, *_args) -> None:
        """Another photo, or several: what was typed for those left behind is saved first."""
        self.details.commit()
        chosen = self.selected_photos()
        if len(chosen) < 2:
            self._show(chosen[0] if chosen else None)
            return
        if [p.id for p in self.details.batch] != [p.id for p in chosen]:
            self.details.show_photos(chosen)
        current = self.current_photo()
        if current is not None and (self.preview.photo is None or self.preview.photo.id != current.id):
            self.preview.show_photo(current, self.model.position_of(current.derived_from))
        self._update_buttons()

    def _class_key(self, n: int, choice: Choice) -> QShortcut:
        """The digit ``n`` (also on the number pad) on the thumbnails: class ``choice``."""
        shortcut = QShortcut(self.grid)
        shortcut.setKeys([QKeySequence(str(n)), QKeySequence(QKeyCombination(
            Qt.KeyboardModifier.KeypadModifier, Qt.Key(Qt.Key.Key_0.value + n)))])
        shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
        shortcut.activated.connect(lambda value=choice.value: self.classify(value, advance=True))
        return shortcut

    def classify(self, photo_class: str | None, *, advance: bool = False) -> list[Photo]:
        """The selected photos get ``photo_class`` (one change); the photos saved. ``advance``
        (the digit keys): one photo classified, the next one is selected, so a card is
        classified photo after photo with one key each (several selected: they stay)."""
        chosen = self.selected_photos()
        if not chosen:
            return []
        if not self.editable:
            self.show_message(self.tr("照片只能查看，不能分类：勘验不是可修改的草稿。"), "error")
            return []
        self.details.commit()
        try:
            saved = self.photos.describe_many([p.id for p in chosen], photo_class=photo_class)
        except WeichaError as e:
            self.show_message(str(e), "error")
            return []
        self._photos_saved(saved)
        name = class_name(self.photos, photo_class) or photo_class
        row = self.model.row_of(saved[0].id) if advance and len(saved) == 1 else None
        if row is not None and row + 1 < self.model.rowCount():
            self.select(self.model.photo(row + 1).id)
            self.show_message(self.tr("已将 {n} 号照片分为“{name}”，下一张：{next} 号。").format(
                n=saved[0].position, name=name, next=self.model.photo(row + 1).position))
        else:
            self.show_message(self.tr("已将 {n} 张照片分为“{name}”。").format(n=len(saved), name=name))
        return saved

    def _photos_saved(self, photos: list[Photo]) -> None:
        for photo in photos:
            self.model.replace(photo)
        if len(photos) > 1:
            self.details.show_photos(photos)
        elif photos:
            self.details.show_photo(photos[0])
        self.show_message(self.tr("已保存 {n} 张照片的说明。").format(n=len(photos)))
        self.changed.emit()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt's name)
        """Shown (照片, Ctrl+2): the thumbnails take the keys (arrows, 1–6) at once."""
        super().showEvent(event)
        focus = QApplication.focusWidget()
        if focus is None or not self.isAncestorOf(focus):
            self.grid.setFocus(Qt.FocusReason.OtherFocusReason)

    def _show(self, photo: Photo | None) -> None:
        if photo is not None and self.details.photo is not None and self.details.photo.id == photo.id \
                and self.preview.photo is not None and self.preview.photo.id == photo.id:
            return
        self.details.show_photo(photo)
        source = self.model.position_of(photo.derived_from) if photo else None
        self.preview.show_photo(photo, source)
        self._update_buttons()

    def _update_buttons(self) -> None:
        importing = self.import_bar.is_running()
        for button in (self.add_button, self.folder_button):
            button.setEnabled(self.editable and not importing)
        selected = self.current_photo() is not None
        self.edit_button.setEnabled(self.editable and selected)
        self.remove_button.setEnabled(self.editable and selected and not importing)

    def _update_count(self) -> None:
        n = self.model.rowCount()
        text = self.tr("共 {n} 张").format(n=n)
        if n > 1 and self.editable:
            text += self.tr(" · 拖动缩略图调整顺序")
        self.count_label.setText(text)

    def show_message(self, text: str, kind: str = "ok") -> None:
        self.message.setProperty("kind", kind)
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.setText(text)

    # ---- importing -------------------------------------------------------------------------
    def add_files(self) -> None:
        self.import_paths(self.import_bar.choose_files())

    def add_folder(self) -> bool:
        """导入文件夹: the folder (a card in a reader, else the folder imported last, else typed
        or chosen with 浏览 in the dialog: no file dialog of the system first, which a keyboard
        cannot always drive) and the class its photos start with (ImportDialog); True when the
        import started."""
        if not self.editable:
            return False
        cards, last = camera_cards(), self.import_bar.last_dir
        folder = last if last in cards or not cards else cards[0]
        dialog = ImportDialog(self.classes, self.lang, folder, self.import_class, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        self.import_bar.last_dir, self.import_class = dialog.folder(), dialog.photo_class()
        return self.import_paths([dialog.folder()], photo_class=dialog.photo_class())

    def import_paths(self, paths: list[str], photo_class: str | None = None) -> bool:
        if not paths or not self.editable:
            return False
        if not self.import_bar.start(self.case.id, paths, photo_class):
            self.show_message(self.tr("正在导入，请等这一批完成或取消后再添加。"), "error")
            return False
        self.model.editable = False  # no reordering while numbers are being given out
        self.show_message("")
        self._update_buttons()
        self.importing.emit(True)
        return True

    def _imported_one(self, photo_id: str) -> None:
        self.model.append(self.photos.get(photo_id))  # committed by the worker; read here
        self._update_count()
        if not self.grid.currentIndex().isValid():
            self.select(photo_id)

    def _import_finished(self, outcome: ImportOutcome | None = None) -> None:
        """The import ended (``None``: it failed; what it stored before stays)."""
        self.importing.emit(False)
        self.model.editable = self.editable
        self.reload()
        self._update_buttons()
        if outcome is not None:
            self.show_message(self.import_bar.summary(outcome),
                              "ok" if outcome.count("rejected") == 0 else "error")
        if outcome is None or outcome.count("imported"):
            self.changed.emit()

    def _import_failed(self, message: str) -> None:
        self._import_finished(None)
        self.show_message(self.tr("导入中断：{error}").format(error=message), "error")

    # ---- describing, ordering, working copies ----------------------------------------------
    def _photo_saved(self, photo: Photo) -> None:
        self.model.replace(photo)
        self.show_message(self.tr("已保存 {n} 号照片的说明。").format(n=photo.position))
        self.changed.emit()

    def _reordered(self, ids: list[str]) -> None:
        try:
            self.model.update_photos(self.photos.reorder(self.case.id, ids))
        except WeichaError as e:
            self.show_message(str(e), "error")
            self.reload()
            return
        self.show_message(self.tr("已调整照片顺序并重新编号。"))
        current = self.current_photo()
        if current is not None:
            self.preview.show_photo(current, self.model.position_of(current.derived_from))
        self.changed.emit()

    def edit_copy(self, *_args) -> Photo | None:
        """Open the editor on the selected photo; a saved working copy joins the log."""
        photo = self.current_photo()
        if photo is None or not self.editable:
            return None
        self.details.commit()
        # the editor draws with Pillow (~25 ms to import): loaded when first used, not at
        # the program's start (tests/test_startup_imports.py)
        from weicha_desktop.gui.photos.editor import PhotoEditor

        editor = PhotoEditor(self.photos, photo, self.preview.image, self)
        editor.exec()
        copy = editor.result_photo
        if copy is not None:
            self.model.append(copy)
            self._update_count()
            self.select(copy.id)
            self.show_message(self.tr("已保存工作副本 {n} 号（源自 {src} 号，原件未改动）。").format(
                n=copy.position, src=photo.position))
            self.changed.emit()
        return copy

    def remove_photo(self, *_args, reason: str | None = None) -> bool:
        """Take the selected photo out of the log after asking why (``reason`` for tests)."""
        photo = self.current_photo()
        if photo is None or not self.editable or self.import_bar.is_running():
            return False
        if reason is None:
            reason, ok = QInputDialog.getText(
                self, self.tr("移除照片"),
                self.tr("移除第 {n} 号照片（{name}）的原因：").format(n=photo.position,
                                                             name=photo.original_name))
            if not ok:
                return False
        try:
            self.photos.remove(photo.id, reason)
        except WeichaError as e:
            self.show_message(str(e), "error")
            return False
        self.reload()
        self.show_message(self.tr("已移除第 {n} 号照片；原件仍保存在数据文件夹中。").format(n=photo.position))
        self.changed.emit()
        return True

    def shutdown(self) -> None:
        """Before the page goes: stop an import and the decoders."""
        if self.import_bar.is_running():
            self.import_bar.cancel()
            self.import_bar.wait()
        self.model.loader.shutdown()
        self.preview.shutdown()
