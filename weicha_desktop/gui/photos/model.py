"""The photo log's thumbnail grid: ``PhotoListModel`` (the case's photos in log order),
``PhotoGrid`` (a QListView in icon mode that reorders by dragging, takes files dropped from
outside, and selects several photos: Shift/Ctrl + click or arrows, Ctrl+A) and
``PhotoDelegate`` (each cell: the thumbnail, “N 号 · 分类”, and the caption wrapped over up to
``CAPTION_LINES`` lines — the grid's cells grow to the longest caption, so a caption is shown
whole; one longer still ends in “…” and its tooltip holds it whole).

Thumbnails come from the cache the import wrote (320 px, upright); they are read on a pool
thread the first time a row is painted (``ImageLoader``), and rendered from the original
when the cache was cleared. A move in the model (drag, or ``moveRows``) emits ``reordered``
with the new order of ids; the page saves it through ``PhotoService.reorder``."""
from __future__ import annotations

from PySide6.QtCore import (QAbstractListModel, QByteArray, QEvent, QMimeData, QModelIndex, QPoint, QRect, QSize,
                            Qt, Signal)
from PySide6.QtGui import (QColor, QDragEnterEvent, QDragMoveEvent, QDropEvent, QFont, QFontMetrics,
                           QImage, QPainter, QPixmap, QTextLayout, QTextOption)
from PySide6.QtWidgets import (QAbstractItemView, QListView, QStyle, QStyledItemDelegate,
                               QStyleOptionViewItem, QWidget)

from weicha_desktop.core.labels import code_label
from weicha_desktop.core.media.analyse import THUMB_SIZE, render_upright
from weicha_desktop.core.photos import Photo, PhotoService
from weicha_desktop.gui.common.i18n import current_language
from weicha_desktop.gui.common.images import ImageLoader, to_qimage

ICON = 150            # thumbnail side in the grid
CELL = ICON + 26      # a cell's width
CAPTION_LINES = 4     # at most, wrapped; the cells grow to the longest caption up to this
PAD = 4               # around a cell's parts
MIME = "application/x-weicha-photo-rows"
PHOTO_ID = Qt.ItemDataRole.UserRole
TITLE_ROLE = Qt.ItemDataRole.UserRole + 1    # “3 号 · 方位” (“3 号（副本） · 未分类”)
CAPTION_ROLE = Qt.ItemDataRole.UserRole + 2  # the caption as written


def class_name(photos: PhotoService, value: str | None, lang: str | None = None) -> str:
    """A photo's class in words: its option in the class list of the forms ``photos`` was
    given (forms/choices/photo_classes.yaml: 方位 → Location), in ``lang`` (None: the window's
    language). The photo keeps the value it holds (the Chinese word); "" for no class."""
    return code_label(photos.class_choices(), value, lang or current_language())


def upright_orientation(photo: Photo) -> int | None:
    """The EXIF turn still to apply: HEIF pixels and working copies already stand upright."""
    return None if photo.format == "HEIF" or photo.derived_from else photo.orientation


def fitted_thumbnail(photos: PhotoService, photo: Photo, side: int = ICON) -> QImage:
    """The cached thumbnail (or one rendered from the original) fitted into a ``side``
    square, opaque (RGB32: the grid draws it by a plain copy, not by blending a transparent
    margin over the cell, pixel by pixel on every paint)."""
    path = photos.thumbnail(photo)
    image = QImage(str(path)) if path.is_file() else QImage()
    if image.isNull():
        image = to_qimage(render_upright(photos.original_path(photo), upright_orientation(photo),
                                         THUMB_SIZE))
    return image.scaled(side, side, Qt.AspectRatioMode.KeepAspectRatio,
                        Qt.TransformationMode.SmoothTransformation).convertToFormat(QImage.Format.Format_RGB32)


def load_thumbnail(photos: PhotoService, photo: Photo, side: int = ICON) -> QImage:
    """The thumbnail centred in a transparent ``side`` square, so upright and lying photos
    line up (the review sheet, the register)."""
    return square(fitted_thumbnail(photos, photo, side), side)


def square(image: QImage, side: int, background: QColor | None = None) -> QImage:
    out = QImage(side, side, QImage.Format.Format_ARGB32_Premultiplied)
    out.fill(Qt.GlobalColor.transparent)
    painter = QPainter(out)
    x, y = (side - image.width()) // 2, (side - image.height()) // 2
    if background is not None:
        painter.fillRect(x, y, image.width(), image.height(), background)
    else:
        painter.drawImage(x, y, image)
    painter.end()
    return out


class PhotoListModel(QAbstractListModel):
    reordered = Signal(list)  # photo ids in their new order

    def __init__(self, photos: PhotoService, parent=None):
        """A class is named by ``class_name``: the forms' words in the window's language."""
        super().__init__(parent)
        self.service = photos
        self.photos: list[Photo] = []
        self.editable = False
        self.loader = ImageLoader(parent=self)
        self.loader.ready.connect(self._thumb_ready)
        self.loader.failed.connect(self._thumb_failed)
        self._thumbs: dict[str, QPixmap] = {}   # sha256 → thumbnail
        self._asked: set[str] = set()
        self._placeholder = self._blank(QColor("#e0e0e0"))
        self._broken = self._blank(QColor("#f3c0c0"))

    @staticmethod
    def _blank(color: QColor) -> QPixmap:
        """A 4:3 block in ``color``, drawn centred in the thumbnail's square as a photo is."""
        image = QImage(ICON, ICON * 3 // 4, QImage.Format.Format_RGB32)
        image.fill(color)
        return QPixmap.fromImage(image)

    # ---- contents --------------------------------------------------------------------------
    def set_photos(self, photos: list[Photo]) -> None:
        self.beginResetModel()
        self.photos = list(photos)
        self.endResetModel()

    def update_photos(self, photos: list[Photo]) -> None:
        """The same photos with new values (after a save or a reorder): keep the view."""
        if [p.id for p in photos] != [p.id for p in self.photos]:
            self.set_photos(photos)
            return
        self.photos = list(photos)
        if photos:
            self.dataChanged.emit(self.index(0), self.index(len(photos) - 1))

    def replace(self, photo: Photo) -> None:
        row = self.row_of(photo.id)
        if row is not None:
            self.photos[row] = photo
            self.dataChanged.emit(self.index(row), self.index(row))

    def append(self, photo: Photo) -> None:
        row = len(self.photos)
        self.beginInsertRows(QModelIndex(), row, row)
        self.photos.append(photo)
        self.endInsertRows()

    def row_of(self, photo_id: str | None) -> int | None:
        return next((i for i, p in enumerate(self.photos) if p.id == photo_id), None)

    def photo(self, row: int) -> Photo:
        return self.photos[row]

    def position_of(self, photo_id: str | None) -> int | None:
        row = self.row_of(photo_id)
        return self.photos[row].position if row is not None else None

    def thumbnail(self, photo: Photo) -> QPixmap | None:
        return self._thumbs.get(photo.sha256)

    # ---- Qt model --------------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.photos)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self.photos):
            return None
        photo = self.photos[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, TITLE_ROLE):
            number = self.tr("{n} 号").format(n=photo.position)
            kind = class_name(self.service, photo.photo_class) if photo.photo_class else self.tr("未分类")
            copy = self.tr("（副本）") if photo.derived_from else ""
            return f"{number}{copy}\n{kind}" if role == Qt.ItemDataRole.DisplayRole \
                else f"{number}{copy} · {kind}"
        if role == CAPTION_ROLE:
            return photo.caption
        if role == Qt.ItemDataRole.DecorationRole:
            return self._decoration(photo)
        if role == Qt.ItemDataRole.ToolTipRole:
            return photo.caption or photo.original_name
        if role == Qt.ItemDataRole.ForegroundRole and not photo.photo_class:
            return QColor("#b00020")
        if role == PHOTO_ID:
            return photo.id
        return None

    def _decoration(self, photo: Photo) -> QPixmap:
        pix = self._thumbs.get(photo.sha256)
        if pix is not None:
            return pix
        if photo.sha256 not in self._asked:
            self._asked.add(photo.sha256)
            self.loader.load(photo.sha256, lambda s=self.service, p=photo: fitted_thumbnail(s, p))
        return self._placeholder

    def _thumb_ready(self, sha: str, image: QImage) -> None:
        self._thumbs[sha] = QPixmap.fromImage(image)
        self._changed(sha)

    def _thumb_failed(self, sha: str, _message: str) -> None:
        self._thumbs[sha] = self._broken
        self._changed(sha)

    def _changed(self, sha: str) -> None:
        for row, photo in enumerate(self.photos):
            if photo.sha256 == sha:
                self.dataChanged.emit(self.index(row), self.index(row),
                                      [Qt.ItemDataRole.DecorationRole])

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled if self.editable else Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return flags | Qt.ItemFlag.ItemIsDragEnabled if self.editable else flags

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction | Qt.DropAction.CopyAction

    def mimeTypes(self) -> list[str]:
        return [MIME]

    def mimeData(self, indexes: list[QModelIndex]) -> QMimeData:
        data = QMimeData()
        rows = sorted({i.row() for i in indexes if i.isValid()})
        data.setData(MIME, QByteArray(",".join(map(str, rows)).encode()))
        return data

    def moveRows(self, source_parent: QModelIndex, source_row: int, count: int,
                 dest_parent: QModelIndex, dest_child: int) -> bool:
        """Move ``count`` rows to before ``dest_child``; emits ``reordered``."""
        n = len(self.photos)
        if (not self.editable or source_parent.isValid() or dest_parent.isValid() or count < 1
                or source_row < 0 or source_row + count > n or not 0 <= dest_child <= n
                or source_row <= dest_child <= source_row + count):
            return False
        self.beginMoveRows(QModelIndex(), source_row, source_row + count - 1, QModelIndex(), dest_child)
        moving = self.photos[source_row:source_row + count]
        rest = self.photos[:source_row] + self.photos[source_row + count:]
        at = dest_child if dest_child < source_row else dest_child - count
        self.photos = rest[:at] + moving + rest[at:]
        self.endMoveRows()
        self.reordered.emit([p.id for p in self.photos])
        return True

    def move_together(self, rows: list[int], target: int) -> bool:
        """Move the photos at ``rows`` (several selected, not necessarily side by side), in
        their order, to before ``target``: one reorder (``reordered``); the selection moves
        with them."""
        rows = sorted({r for r in rows if 0 <= r < len(self.photos)})
        if not self.editable or not rows or not 0 <= target <= len(self.photos):
            return False
        if len(rows) == 1 or rows == list(range(rows[0], rows[-1] + 1)):
            return self.moveRows(QModelIndex(), rows[0], len(rows), QModelIndex(), target)
        chosen = set(rows)
        moving = [self.photos[r] for r in rows]
        rest = [p for i, p in enumerate(self.photos) if i not in chosen]
        at = target - sum(r < target for r in rows)
        order = rest[:at] + moving + rest[at:]
        self.layoutAboutToBeChanged.emit()
        new_row = {p.id: i for i, p in enumerate(order)}
        old = [p.id for p in self.photos]
        self.photos = order
        for index in self.persistentIndexList():
            self.changePersistentIndex(index, self.index(new_row[old[index.row()]]))
        self.layoutChanged.emit()
        self.reordered.emit([p.id for p in self.photos])
        return True


def wrap_lines(text: str, font: QFont, width: int, most: int = CAPTION_LINES) -> tuple[list[str], bool]:
    """``text`` wrapped to ``width`` pixels (at word boundaries, else anywhere: Chinese has no
    spaces): at most ``most`` lines, the last of them elided with “…” when the text goes on.
    Returns (lines, elided)."""
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    layout = QTextLayout(text, font)
    layout.setTextOption(option)
    starts: list[tuple[int, int]] = []
    layout.beginLayout()
    while (line := layout.createLine()).isValid():
        line.setLineWidth(width)
        starts.append((line.textStart(), line.textLength()))
    layout.endLayout()
    lines = [text[a:a + n].rstrip("\n") for a, n in starts]
    if len(lines) <= most:
        return lines, False
    rest = text[starts[most - 1][0]:].replace("\n", " ")
    last = QFontMetrics(font).elidedText(rest, Qt.TextElideMode.ElideRight, width)
    return lines[:most - 1] + [last], True


class PhotoDelegate(QStyledItemDelegate):
    """A cell of the grid: thumbnail, title (red while unclassified), caption wrapped.

    What a cell says is worked out once per photo (its title elided, its colour, its caption
    wrapped: ``face``) and kept until the photo changes (the model then holds another
    ``Photo``), so a paint — the grid repaints every cell on a scroll, a selection, a
    thumbnail arriving — only draws."""

    def __init__(self, grid: "PhotoGrid"):
        super().__init__(grid)
        self.grid = grid
        self._wrapped: dict[str, tuple[list[str], bool]] = {}  # caption → its lines (one font)
        self._faces: dict[str, tuple[Photo, tuple[str, QColor | None, list[str]]]] = {}
        self.font_changed()

    def font_changed(self) -> None:
        """The grid's font changed: lines and elisions are measured again."""
        self._font = self.grid.font()
        self._metrics = QFontMetrics(self._font)
        self._wrapped.clear()
        self._faces.clear()

    def forget(self) -> None:
        """The model was reset: the faces of photos gone go too."""
        self._faces.clear()

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:  # noqa: N802
        return self.grid.gridSize()

    def caption_lines(self, index: QModelIndex) -> tuple[list[str], bool]:
        return self._caption_lines(index.data(CAPTION_ROLE) or "")

    def _caption_lines(self, caption: str) -> tuple[list[str], bool]:
        if not caption.strip():
            return [], False
        if caption not in self._wrapped:
            self._wrapped[caption] = wrap_lines(caption, self._font, CELL - 2 * PAD)
        return self._wrapped[caption]

    def face(self, index: QModelIndex) -> tuple[str, QColor | None, list[str]]:
        """The cell's title (elided to the cell), the title's colour (None: the text's) and the
        caption's lines: worked out once per photo value."""
        model = index.model()
        photo = model.photos[index.row()] if isinstance(model, PhotoListModel) else None
        kept = self._faces.get(photo.id) if photo is not None else None
        if kept is not None and kept[0] is photo:
            return kept[1]
        color = index.data(Qt.ItemDataRole.ForegroundRole)
        title = self._metrics.elidedText(index.data(TITLE_ROLE) or "", Qt.TextElideMode.ElideRight, CELL - 2 * PAD)
        face = (title, color if isinstance(color, QColor) else None,
                self._caption_lines(index.data(CAPTION_ROLE) or "")[0])
        if photo is not None:
            self._faces[photo.id] = (photo, face)
        return face

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        cell = QRect(option.rect.topLeft(), self.grid.gridSize()).adjusted(1, 1, -1, -1)
        panel = QStyleOptionViewItem(option)
        panel.rect = cell
        self.grid.style().drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, panel, painter, self.grid)
        pixmap = index.data(Qt.ItemDataRole.DecorationRole)
        if isinstance(pixmap, QPixmap):  # fitted into the ICON square, centred in it
            painter.drawPixmap(cell.left() + (cell.width() - ICON) // 2 + (ICON - pixmap.width()) // 2,
                               cell.top() + PAD + (ICON - pixmap.height()) // 2, pixmap)
        title, title_color, lines = self.face(index)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        metrics = self._metrics
        text = option.palette.highlightedText().color() if selected else option.palette.text().color()
        painter.save()
        painter.setFont(self._font)
        top = cell.top() + PAD + ICON + PAD
        painter.setPen(title_color if title_color is not None and not selected else text)
        left, width, height = cell.left() + PAD, cell.width() - 2 * PAD, metrics.height()
        painter.drawText(QRect(left, top, width, height), Qt.AlignmentFlag.AlignHCenter, title)
        painter.setPen(text if selected else QColor("#333333"))
        for n, line in enumerate(lines, 1):
            painter.drawText(QRect(left, top + n * metrics.lineSpacing(), width, height),
                             Qt.AlignmentFlag.AlignHCenter, line)
        painter.restore()


class PhotoGrid(QListView):
    """Thumbnails in log order. Dragging a thumbnail moves the photo — the selected photos
    together, when several are (the model does the move); files and folders dropped from
    outside come out as ``filesDropped``. Several photos can be selected (their description
    then changes at once: log.py)."""

    filesDropped = Signal(list)  # local paths

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setMovement(QListView.Movement.Static)   # no free placement: the order is the log
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setIconSize(QSize(ICON, ICON))
        self.setItemDelegate(PhotoDelegate(self))
        self.caption_lines = 0  # the caption lines every cell has room for (fit_cells)
        self.fit_cells()
        self.setUniformItemSizes(True)
        self.setWordWrap(True)
        self.setSpacing(4)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.viewport().setAcceptDrops(True)  # setMovement(Static) turned it off
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.accept_files = True
        self.empty_text = ""  # drawn in the middle while there is no photo

    def setModel(self, model) -> None:  # noqa: N802 (Qt's name)
        super().setModel(model)
        delegate = self.itemDelegate()
        if isinstance(delegate, PhotoDelegate):
            model.modelReset.connect(delegate.forget)
        for signal in (model.modelReset, model.rowsRemoved):
            signal.connect(self.fit_cells)
        model.rowsInserted.connect(self._rows_inserted)
        model.dataChanged.connect(self._data_changed)

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().changeEvent(event)
        delegate = self.itemDelegate()
        if event.type() == QEvent.Type.FontChange and isinstance(delegate, PhotoDelegate):
            delegate.font_changed()
            self.fit_cells()

    def _data_changed(self, _first, _last, roles=()) -> None:
        if list(roles) != [Qt.ItemDataRole.DecorationRole]:  # a thumbnail arriving: no text changed
            self.fit_cells()

    def _rows_inserted(self, _parent, first: int, last: int) -> None:
        """Photos added (an import adds them one by one): only theirs are measured; the
        others' lines are known (``caption_lines``)."""
        self.fit_cells(rows=range(first, last + 1), at_least=self.caption_lines)

    def fit_cells(self, *_args, rows: range | None = None, at_least: int = 0) -> None:
        """Cells tall enough for the longest caption (up to CAPTION_LINES lines): of every
        row, or of ``rows`` when the others need ``at_least`` lines."""
        model = self.model()
        delegate = self.itemDelegate()
        if rows is None and model is not None:
            rows = range(model.rowCount())
        lines = max((len(delegate.caption_lines(model.index(r, 0))[0]) for r in rows), default=0) \
            if model is not None and isinstance(delegate, PhotoDelegate) else 0
        lines = max(lines, at_least)
        metrics = QFontMetrics(self.font())
        size = QSize(CELL, PAD + ICON + PAD + metrics.height() + lines * metrics.lineSpacing() + 2 * PAD)
        if size != self.gridSize():
            self.caption_lines = lines
            self.setGridSize(size)

    def _editable(self) -> bool:
        model = self.model()
        return isinstance(model, PhotoListModel) and model.editable

    def _wanted(self, event: QDragMoveEvent) -> bool:
        if event.source() is self:
            return self._editable()
        return self.accept_files and event.mimeData().hasUrls()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._wanted(event):
            event.setDropAction(Qt.DropAction.MoveAction if event.source() is self
                                else Qt.DropAction.CopyAction)
            event.accept()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if event.source() is self and self._editable():
            super().dragMoveEvent(event)  # the dragged thumbnail follows, the view scrolls
        self.dragEnterEvent(event)  # a drop anywhere is a place in the order

    def dropEvent(self, event: QDropEvent) -> None:
        if not self._wanted(event):
            event.ignore()
            return
        if event.source() is self:
            self._move_selected_to(self._drop_row(event.position().toPoint()))
        else:
            paths = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
            if paths:
                self.filesDropped.emit(paths)
        # Copy, not Move: the drag that started here must not remove anything afterwards.
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
        self.stopAutoScroll()
        self.viewport().update()

    def _drop_row(self, pos: QPoint) -> int:
        """The row a drop at ``pos`` goes before (after the item when on its right half)."""
        index = self.indexAt(pos)
        if not index.isValid():
            return self.model().rowCount()
        rect = self.visualRect(index)
        return index.row() + (1 if pos.x() > rect.center().x() else 0)

    def _move_selected_to(self, target: int) -> None:
        """The dragged photos go before ``target``: the selected ones, in their order (a drag
        starts on one of them); the current one alone if it is not selected."""
        rows = sorted(i.row() for i in self.selectedIndexes())
        current = self.currentIndex().row() if self.currentIndex().isValid() else -1
        if current >= 0 and current not in rows:
            rows = [current]
        if rows:
            self.model().move_together(rows, target)

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        if self.model() is not None and self.model().rowCount() == 0:
            painter = QPainter(self.viewport())
            painter.setPen(QColor("#777"))
            painter.drawText(self.viewport().rect().adjusted(20, 20, -20, -20),
                             Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.empty_text)
            painter.end()
