"""What the technician writes about one photo: class, caption, photographer, the evidence item
it shows. Saved through ``PhotoService.update`` when a choice is made or a line is left
(Enter, Tab, another photo chosen): one work-log entry per saved change."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QLineEdit, QWidget

from weicha_desktop.core.errors import WeichaError
from weicha_desktop.core.forms.spec import Choice
from weicha_desktop.core.photos import Photo, PhotoService


class PhotoDetails(QWidget):
    saved = Signal(object)   # the Photo after an update
    failed = Signal(str)     # why an update was refused

    def __init__(self, photos: PhotoService, classes: list[Choice], lang: str = "zh",
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.photos = photos
        self.photo: Photo | None = None
        self.editable = False
        self._loading = False
        self.class_values: list[str | None] = [None] + [c.value for c in classes]
        self.photo_class = QComboBox()
        self.photo_class.setObjectName("photoClass")
        self.photo_class.addItem(self.tr("（未分类）"))
        for choice in classes:
            self.photo_class.addItem(choice.label.text(lang))
        self.caption = QLineEdit()
        self.caption.setObjectName("photoCaption")
        self.caption.setPlaceholderText(self.tr("照片说明，如：被撬的主卧床头柜抽屉"))
        self.photographer = QLineEdit()
        self.photographer.setObjectName("photoPhotographer")
        self.evidence_values: list[str | None] = [None]
        self.evidence = QComboBox()
        self.evidence.setObjectName("photoEvidence")
        self.evidence.setToolTip(self.tr("这张照片拍的是哪件痕迹物证（物证登记中有编号的）"))
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.setVerticalSpacing(4)
        form.addRow(self.tr("分类："), self.photo_class)
        form.addRow(self.tr("说明："), self.caption)
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
        self.photo = photo
        self._loading = True
        try:
            cls = photo.photo_class if photo else None
            self.photo_class.setCurrentIndex(self.class_values.index(cls) if cls in self.class_values else 0)
            self.caption.setText(photo.caption if photo else "")
            self.photographer.setText((photo.photographer or "") if photo else "")
        finally:
            self._loading = False
        self._select_evidence()
        self._apply_state()

    def _select_evidence(self) -> None:
        number = self.photo.evidence_number if self.photo else None
        if number is not None and number not in self.evidence_values:  # an item since removed
            self.evidence_values.append(number)
            self.evidence.addItem(number)
        self._loading = True
        self.evidence.setCurrentIndex(self.evidence_values.index(number))
        self._loading = False

    def _apply_state(self) -> None:
        on = self.editable and self.photo is not None
        for combo in (self.photo_class, self.evidence):
            combo.setEnabled(on)
        for edit in (self.caption, self.photographer):
            edit.setReadOnly(not on)
            edit.setEnabled(self.photo is not None)

    def values(self) -> dict:
        return {"photo_class": self.class_values[self.photo_class.currentIndex()],
                "caption": self.caption.text().strip(),
                "photographer": self.photographer.text().strip() or None,
                "evidence_number": self.evidence_values[self.evidence.currentIndex()]}

    def commit(self, *_args) -> Photo | None:
        """Save what changed for the photo shown; returns the saved photo (None: nothing)."""
        if self._loading or not self.editable or self.photo is None:
            return None
        changed = {k: v for k, v in self.values().items() if getattr(self.photo, k) != v}
        if not changed:
            return None
        try:
            photo = self.photos.update(self.photo.id, **changed)
        except WeichaError as e:
            self.failed.emit(str(e))
            return None
        self.photo = photo
        self.saved.emit(photo)
        return photo
