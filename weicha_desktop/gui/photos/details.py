"""What the technician writes about a photo: class, caption, photographer, the evidence item
it shows. Saved when a choice is made or a line is left (Enter, Tab, another photo chosen).

One photo (``show_photo``): through ``PhotoService.update``, one work-log entry per saved
change. Several (``show_photos``, a multi-selection in the grid): what is chosen here goes to
all of them in ONE change (``PhotoService.describe_many``); the caption line takes a prefix
put before each caption; a value the photos do not share is shown empty and left alone."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QLineEdit, QWidget

from weicha_desktop.core.errors import WeichaError
from weicha_desktop.core.forms.spec import Choice
from weicha_desktop.core.photos import Photo, PhotoService
from weicha_desktop.gui.common.i18n import message_text
from weicha_desktop.gui.photos.model import class_name


def shared(photos: list[Photo], key: str):
    """The value of ``key`` every photo has, else ``...`` (they differ)."""
    values = {getattr(p, key) for p in photos}
    return values.pop() if len(values) == 1 else ...


class PhotoDetails(QWidget):
    saved = Signal(object)   # the Photo after an update
    batchSaved = Signal(list)  # the Photos after a change of several at once
    failed = Signal(str)     # why an update was refused

    def __init__(self, photos: PhotoService, classes: list[Choice], parent: QWidget | None = None):
        super().__init__(parent)
        self.photos = photos
        self.photo: Photo | None = None
        self.batch: list[Photo] = []  # several photos shown at once
        self.editable = False
        self._loading = False
        self.class_values: list[str | None] = [None] + [c.value for c in classes]
        self.batch_note = QLabel()
        self.batch_note.setObjectName("photoBatchNote")
        self.batch_note.setWordWrap(True)
        self.photo_class = QComboBox()
        self.photo_class.setObjectName("photoClass")
        self.photo_class.addItem(self.tr("（未分类）"))
        for choice in classes:  # in the window's language
            self.photo_class.addItem(class_name(photos, choice.value))
        self.caption = QLineEdit()
        self.caption.setObjectName("photoCaption")
        self.caption_label = QLabel(self.tr("说明："))
        self.photographer = QLineEdit()
        self.photographer.setObjectName("photoPhotographer")
        self.evidence_values: list[str | None] = [None]
        self.evidence = QComboBox()
        self.evidence.setObjectName("photoEvidence")
        self.evidence.setToolTip(self.tr("这张照片拍的是哪件痕迹物证（物证登记中有编号的）"))
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.setVerticalSpacing(4)
        form.addRow(self.batch_note)
        form.addRow(self.tr("分类："), self.photo_class)
        form.addRow(self.caption_label, self.caption)
        form.addRow(self.tr("照相人："), self.photographer)
        form.addRow(self.tr("关联物证："), self.evidence)
        self.photo_class.activated.connect(self.commit)
        self.evidence.activated.connect(self.commit)
        self.caption.editingFinished.connect(self.commit)
        self.photographer.editingFinished.connect(self.commit)
        self.set_evidence([])
        self.show_photo(None)

    def set_evidence(self, rows: list[dict]) -> None:
        """The case's numbered evidence items (H…) to link a photo to."""
        self.evidence_values = [None] + [r["number"] for r in rows if r.get("number")]
        names = {r["number"]: r.get("name") or "" for r in rows if r.get("number")}
        self._loading = True
        try:
            self.evidence.clear()
            self.evidence.addItem(self.tr("（无）"))
            for number in self.evidence_values[1:]:
                self.evidence.addItem(f"{number}  {names[number]}".rstrip())
        finally:
            self._loading = False
        self._select_evidence()

    def set_editable(self, editable: bool) -> None:
        self.editable = editable
        self._apply_state()

    def show_photo(self, photo: Photo | None) -> None:
        self.photo, self.batch = photo, []
        self._loading = True
        try:
            cls = photo.photo_class if photo else None
            self.photo_class.setCurrentIndex(self.class_values.index(cls) if cls in self.class_values else 0)
            self.caption.setText(photo.caption if photo else "")
            self.photographer.setText((photo.photographer or "") if photo else "")
        finally:
            self._loading = False
        self.caption_label.setText(self.tr("说明："))
        self.caption.setPlaceholderText(self.tr("照片说明，如：被撬的主卧床头柜抽屉"))
        self.photographer.setPlaceholderText("")
        self.batch_note.hide()
        self._select_evidence()
        self._apply_state()

    def show_photos(self, photos: list[Photo]) -> None:
        """Several photos: what is chosen here goes to all of them."""
        if len(photos) < 2:
            self.show_photo(photos[0] if photos else None)
            return
        self.photo, self.batch = None, list(photos)
        self._loading = True
        try:
            cls = shared(photos, "photo_class")
            self.photo_class.setCurrentIndex(self.class_values.index(cls) if cls in self.class_values else -1)
            self.caption.clear()
            who = shared(photos, "photographer")
            self.photographer.setText("" if who is ... else who or "")
        finally:
            self._loading = False
        self.caption_label.setText(self.tr("说明前缀："))
        self.caption.setPlaceholderText(self.tr("加在所选 {n} 张照片的说明前，如：主卧——").format(n=len(photos)))
        self.photographer.setPlaceholderText(self.tr("（各不相同）") if who is ... else "")
        self.batch_note.setText(self.tr("已选 {n} 张照片：这里的修改用于全部所选照片（数字键 1–{k} 分类）。").format(
            n=len(photos), k=min(len(self.class_values) - 1, 9)))
        self.batch_note.show()
        self._select_evidence()
        self._apply_state()

    def _select_evidence(self) -> None:
        number = shared(self.batch, "evidence_number") if self.batch else \
            (self.photo.evidence_number if self.photo else None)
        if number is not ... and number is not None and number not in self.evidence_values:
            self.evidence_values.append(number)  # an item since removed
            self.evidence.addItem(number)
        self._loading = True
        self.evidence.setCurrentIndex(-1 if number is ... else self.evidence_values.index(number))
        self._loading = False

    def _apply_state(self) -> None:
        shown = self.photo is not None or bool(self.batch)
        on = self.editable and shown
        for combo in (self.photo_class, self.evidence):
            combo.setEnabled(on)
        for edit in (self.caption, self.photographer):
            edit.setReadOnly(not on)
            edit.setEnabled(shown)

    def values(self) -> dict:
        return {"photo_class": self.class_values[self.photo_class.currentIndex()],
                "caption": self.caption.text().strip(),
                "photographer": self.photographer.text().strip() or None,
                "evidence_number": self.evidence_values[self.evidence.currentIndex()]}

    def batch_values(self) -> dict:
        """What was chosen for the photos shown together (only what was set here)."""
        out: dict = {}
        if self.photo_class.currentIndex() >= 0:
            out["photo_class"] = self.class_values[self.photo_class.currentIndex()]
        if self.caption.text().strip():
            out["caption_prefix"] = self.caption.text().strip()
        who, shown = shared(self.batch, "photographer"), self.photographer.text().strip()
        if shown != ("" if who is ... else who or ""):  # typed over what is shown
            out["photographer"] = shown or None
        if self.evidence.currentIndex() >= 0:
            out["evidence_number"] = self.evidence_values[self.evidence.currentIndex()]
        return out

    def commit(self, *_args) -> Photo | list[Photo] | None:
        """Save what changed for the photo shown (or the photos shown together); returns the
        saved photo(s) (None: nothing)."""
        if self._loading or not self.editable or (self.photo is None and not self.batch):
            return None
        if self.batch:
            return self._commit_batch()
        changed = {k: v for k, v in self.values().items() if getattr(self.photo, k) != v}
        if not changed:
            return None
        try:
            photo = self.photos.update(self.photo.id, **changed)
        except WeichaError as e:
            self.failed.emit(message_text(e))
            return None
        self.photo = photo
        self.saved.emit(photo)
        return photo

    def _commit_batch(self) -> list[Photo] | None:
        wanted = {k: v for k, v in self.batch_values().items()
                  if k == "caption_prefix" or shared(self.batch, k) != v}
        if not wanted:
            return None
        before = {p.id: p for p in self.batch}
        try:
            photos = self.photos.describe_many([p.id for p in self.batch], **wanted)
        except WeichaError as e:
            self.failed.emit(message_text(e))
            return None
        self.show_photos(photos)  # a prefix is done: its line is empty again
        if all(before[p.id] == p for p in photos):
            return None
        self.batchSaved.emit(photos)
        return photos
