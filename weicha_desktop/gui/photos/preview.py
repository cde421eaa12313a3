"""The large preview of one photo and what its file says (EXIF, hash, name).

The preview is decoded on a pool thread (``render_upright``: JPEG draft mode, the EXIF turn
applied — none for HEIF and working copies, whose pixels already stand upright) and drawn
fitted into the panel; a photo chosen meanwhile wins over one still decoding."""
from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent
from PySide6.QtWidgets import QFormLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from weicha_desktop.core.labels import time_source_label
from weicha_desktop.core.media.analyse import render_upright
from weicha_desktop.core.photos import Photo, PhotoService
from weicha_desktop.gui.common.i18n import current_language
from weicha_desktop.gui.common.images import ImageLoader, to_qimage
from weicha_desktop.gui.photos.model import upright_orientation

PREVIEW_SIDE = 1600  # decoded size: sharp on a large screen, quick in draft mode


class ImageView(QWidget):
    """An image drawn as large as fits, centred, never stretched."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.image = QImage()
        self.note = ""
        self.setMinimumSize(240, 180)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def show_image(self, image: QImage, note: str = "") -> None:
        self.image, self.note = image, note
        self.update()

    def sizeHint(self) -> QSize:  # small: it grows into the room there is (see log.py)
        return QSize(320, 200)

    def image_rect(self) -> QRectF:
        """Where the image is drawn (widget coordinates)."""
        if self.image.isNull():
            return QRectF()
        size = self.image.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
        x = (self.width() - size.width()) / 2
        y = (self.height() - size.height()) / 2
        return QRectF(x, y, size.width(), size.height())

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#3a3a3a"))
        if not self.image.isNull():
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawImage(self.image_rect(), self.image)
        if self.note:
            painter.setPen(QColor("#eeeeee"))
            painter.drawText(self.rect().adjusted(12, 12, -12, -12),
                             Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.note)
        painter.end()


class PhotoPreview(QWidget):
    """``show_photo(photo, source_position)``: the picture above, the file's facts below."""

    def __init__(self, photos: PhotoService, parent: QWidget | None = None):
        super().__init__(parent)
        self.photos = photos
        self.photo: Photo | None = None
        self.view = ImageView()
        self.view.setObjectName("photoPreview")
        self.loader = ImageLoader(threads=1, parent=self)
        self.loader.ready.connect(self._ready)
        self.loader.failed.connect(self._failed)
        self._cache: dict[str, QImage] = {}   # photo id → preview (the last few)

        self.fields: dict[str, QLabel] = {}
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.setHorizontalSpacing(8)
        form.setVerticalSpacing(3)
        for key, label in (("taken", self.tr("拍摄时间")), ("camera", self.tr("相机")),
                           ("orientation", self.tr("方向")), ("pixels", self.tr("像素")),
                           ("gps", self.tr("GPS")), ("sha", self.tr("SHA-256")),
                           ("name", self.tr("原文件名"))):
            value = QLabel()
            value.setObjectName(f"exif_{key}")
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.fields[key] = value
            form.addRow(label + self.tr("："), value)
        self.derived = QLabel()
        self.derived.setObjectName("derivedNote")
        self.derived.setStyleSheet("color: #1a5fb4; font-weight: bold;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.derived)
        layout.addLayout(form)
        self.show_photo(None)

    @property
    def image(self) -> QImage:
        """The decoded preview shown now (null while decoding or with no photo)."""
        return self.view.image

    def show_photo(self, photo: Photo | None, source_position: int | None = None) -> None:
        self.photo = photo
        self._show_facts(photo, source_position)
        if photo is None:
            self.view.show_image(QImage(), self.tr("选择一张照片查看大图"))
            return
        if photo.id in self._cache:
            self.view.show_image(self._cache[photo.id])
            return
        self.view.show_image(QImage(), self.tr("正在载入…"))
        photos, turn = self.photos, upright_orientation(photo)  # a copy's original: fetched there
        self.loader.load(photo.id, lambda: to_qimage(render_upright(photos.original_or_fetch(photo), turn,
                                                                    PREVIEW_SIDE)))

    def _ready(self, photo_id: str, image: QImage) -> None:
        if len(self._cache) >= 6:
            self._cache.pop(next(iter(self._cache)))
        self._cache[photo_id] = image
        if self.photo is not None and self.photo.id == photo_id:
            self.view.show_image(image)

    def _failed(self, photo_id: str, message: str) -> None:
        if self.photo is not None and self.photo.id == photo_id:
            self.view.show_image(QImage(), self.tr("无法显示这张照片：{error}").format(error=message))

    def _show_facts(self, photo: Photo | None, source_position: int | None) -> None:
        none = self.tr("无")
        if photo is None:
            for label in self.fields.values():
                label.clear()
            self.derived.hide()
            return
        if photo.taken_at:
            taken = photo.taken_at.replace("T", " ")
            # 相机时间 / 文件时间 in the window's language, not the EXIF tags the log keeps
            source = time_source_label(photo.time_source, current_language()) or self.tr("未知")
            self.fields["taken"].setText(self.tr("{time}（来源：{source}）").format(time=taken, source=source))
        else:
            self.fields["taken"].setText(self.tr("无（相机未记录拍摄时间）"))
        camera = " ".join(v for v in (photo.make, photo.model) if v)
        self.fields["camera"].setText(camera or none)
        self.fields["orientation"].setText(self._orientation(photo))
        self.fields["pixels"].setText(self.tr("{w} × {h}（{format}，{size}）").format(
            w=photo.width, h=photo.height, format=photo.format, size=_size(photo.size)))
        gps = photo.gps
        if gps is None:
            self.fields["gps"].setText(none)
        else:
            text = self.tr("纬度 {lat:.6f}°，经度 {lon:.6f}°").format(lat=gps["lat"], lon=gps["lon"])
            if gps.get("alt") is not None:
                text += self.tr("，海拔 {alt:.1f} 米").format(alt=gps["alt"])
            self.fields["gps"].setText(text)
        self.fields["sha"].setText(photo.sha256[:16] + "…")
        self.fields["sha"].setToolTip(photo.sha256)
        self.fields["name"].setText(photo.original_name)
        if photo.derived_from:
            source = str(source_position) if source_position is not None else "?"
            self.derived.setText(self.tr("工作副本，源自 {n} 号（原件未改动）").format(n=source))
        self.derived.setVisible(bool(photo.derived_from))

    def _orientation(self, photo: Photo) -> str:
        if photo.derived_from:
            return self.tr("正向（工作副本）")
        if photo.orientation is None:
            return self.tr("无（按原样显示）")
        names = {1: self.tr("正常"), 2: self.tr("水平翻转"), 3: self.tr("旋转 180°"),
                 4: self.tr("垂直翻转"), 5: self.tr("翻转并旋转"), 6: self.tr("顺时针旋转 90°"),
                 7: self.tr("翻转并旋转"), 8: self.tr("逆时针旋转 90°")}
        return self.tr("EXIF {n}：{name}（已转正显示）").format(
            n=photo.orientation, name=names.get(photo.orientation, "?"))

    def shutdown(self) -> None:
        self.loader.shutdown()


def _size(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB" if n >= 1024 * 1024 else f"{max(1, n // 1024)} KB"
