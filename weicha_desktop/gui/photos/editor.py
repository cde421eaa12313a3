"""编辑工作副本: rotate, crop, arrows, numbered markers and a text note on a photo, saved as
a working copy (``PhotoService.derive``) linked to its original, which stays untouched.

The edit is a list of operations (core/media/edits.py); what the dialog shows is that list
applied to the preview by the core's own drawing code, so the copy looks like the screen.
Mouse: 裁剪 and 箭头 by dragging, 标号 and 文字 by clicking; 撤销 takes the last step back.
Saving decodes the full original, so it runs on a worker (its own store connection)."""
from __future__ import annotations

from PIL import Image
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (QButtonGroup, QDialog, QHBoxLayout, QLabel, QLineEdit, QPushButton,
                               QVBoxLayout, QWidget)

from weicha_desktop.core.media.analyse import render_upright
from weicha_desktop.core.media.edits import _apply as apply_op  # the copy's own drawing
from weicha_desktop.core.media.edits import check_ops
from weicha_desktop.core.photos import Photo, PhotoService
from weicha_desktop.gui.common.images import to_qimage
from weicha_desktop.gui.common.ops import BackgroundOp, OpFailure
from weicha_desktop.gui.photos.model import upright_orientation
from weicha_desktop.gui.photos.preview import PREVIEW_SIDE, ImageView

MIN_DRAG = 0.01  # a crop or arrow shorter than this (fraction of the image) is a slip


def to_pil(image: QImage) -> Image.Image:
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    return Image.frombuffer("RGB", (rgb.width(), rgb.height()), bytes(rgb.constBits()), "raw", "RGB",
                            rgb.bytesPerLine(), 1).copy()


class EditCanvas(ImageView):
    """The image as edited so far; turns mouse input into operations for ``on_op``."""

    def __init__(self, on_op, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("editCanvas")
        self.on_op = on_op
        self.tool = "marker"
        self._start: QPointF | None = None
        self._end: QPointF | None = None
        self.setCursor(Qt.CursorShape.CrossCursor)

    def fraction(self, pos: QPointF) -> tuple[float, float] | None:
        rect = self.image_rect()
        if rect.isEmpty() or not rect.adjusted(-8, -8, 8, 8).contains(pos):
            return None
        x = min(1.0, max(0.0, (pos.x() - rect.x()) / rect.width()))
        y = min(1.0, max(0.0, (pos.y() - rect.y()) / rect.height()))
        return round(x, 4), round(y, 4)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        at = self.fraction(event.position())
        if event.button() != Qt.MouseButton.LeftButton or at is None:
            return
        if self.tool in ("marker", "note"):
            self.on_op(self.tool, at, at)
            return
        self._start = self._end = event.position()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._start is not None:
            self._end = event.position()
            self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._start is None:
            return
        a, b = self.fraction(self._start), self.fraction(event.position())
        self._start = self._end = None
        self.update()
        if a and b and max(abs(a[0] - b[0]), abs(a[1] - b[1])) >= MIN_DRAG:
            self.on_op(self.tool, a, b)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if self._start is None or self._end is None:
            return
        painter = QPainter(self)
        painter.setPen(QPen(QColor(255, 210, 0), 2, Qt.PenStyle.DashLine))
        if self.tool == "crop":
            painter.drawRect(QRectF(self._start, self._end).normalized())
        else:
            painter.drawLine(self._start, self._end)
        painter.end()


class PhotoEditor(QDialog):
    """``exec()``; afterwards ``result_photo`` is the saved working copy, or None."""

    def __init__(self, photos: PhotoService, photo: Photo, preview: QImage | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("photoEditor")
        self.photos, self.photo = photos, photo
        self.result_photo: Photo | None = None
        self.ops: list[dict] = []
        self.job: BackgroundOp | None = None
        self.setWindowTitle(self.tr("编辑工作副本 — {n} 号照片").format(n=photo.position))
        self.resize(1100, 760)
        if preview is None or preview.isNull():  # the preview was still decoding
            preview = to_qimage(render_upright(photos.original_path(photo), upright_orientation(photo),
                                               PREVIEW_SIDE))
        self.states: list[Image.Image] = [to_pil(preview)]
        self.canvas = EditCanvas(self.add_op)

        tools = QHBoxLayout()
        for text, name, degrees in ((self.tr("向左旋转 90°"), "rotateLeftButton", 270),
                                    (self.tr("向右旋转 90°"), "rotateRightButton", 90)):
            tools.addWidget(self._button(text, name, lambda _=False, d=degrees: self.rotate(d)))
        tools.addSpacing(16)
        self.tool_group = QButtonGroup(self)
        for text, tool in ((self.tr("裁剪"), "crop"), (self.tr("箭头"), "arrow"),
                           (self.tr("标号"), "marker"), (self.tr("文字"), "note")):
            button = self._button(text, f"tool_{tool}", lambda _=False, t=tool: self.set_tool(t))
            button.setCheckable(True)
            self.tool_group.addButton(button)
            tools.addWidget(button)
        self.note_text = QLineEdit(self.tr("比例尺 1:1"))
        self.note_text.setObjectName("noteText")
        self.note_text.setMaximumWidth(200)
        tools.addWidget(self.note_text)
        tools.addStretch(1)
        self.undo_button = self._button(self.tr("撤销"), "undoButton", self.undo)
        tools.addWidget(self.undo_button)

        self.hint = QLabel()
        self.hint.setObjectName("editorHint")
        self.steps = QLabel()
        self.steps.setObjectName("editorSteps")
        self.steps.setWordWrap(True)
        self.error = QLabel()
        self.error.setObjectName("editorError")
        self.error.setStyleSheet("color: #b00020;")
        self.save_button = self._button(self.tr("保存为工作副本"), "saveCopyButton", self.save)
        self.save_button.setDefault(True)
        self.cancel_button = self._button(self.tr("取消"), "cancelEditButton", self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.steps, 1)
        bottom.addWidget(self.error)
        bottom.addWidget(self.cancel_button)
        bottom.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addLayout(tools)
        layout.addWidget(self.hint)
        layout.addWidget(self.canvas, 1)
        layout.addLayout(bottom)
        self.set_tool("marker")
        self._refresh()

    @staticmethod
    def _button(text: str, name: str, slot) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setAutoDefault(False)
        button.clicked.connect(slot)
        return button

    # ---- editing ---------------------------------------------------------------------------
    def set_tool(self, tool: str) -> None:
        self.canvas.tool = tool
        self.findChild(QPushButton, f"tool_{tool}").setChecked(True)
        self.hint.setText({
            "crop": self.tr("裁剪：在图上拖出要保留的范围。"),
            "arrow": self.tr("箭头：从起点拖到箭头所指处。"),
            "marker": self.tr("标号：在图上单击，依次放置 1、2、3… 号标记。"),
            "note": self.tr("文字：先在上方框中写好文字（如比例尺），再在图上单击放置。"),
        }[tool])

    def rotate(self, degrees: int) -> None:
        self.push({"op": "rotate", "degrees": degrees})

    def add_op(self, tool: str, a: tuple[float, float], b: tuple[float, float]) -> None:
        if tool == "crop":
            self.push({"op": "crop", "box": [min(a[0], b[0]), min(a[1], b[1]),
                                             max(a[0], b[0]), max(a[1], b[1])]})
        elif tool == "arrow":
            self.push({"op": "arrow", "from": list(a), "to": list(b)})
        elif tool == "marker":
            n = sum(op["op"] == "marker" for op in self.ops) + 1
            self.push({"op": "marker", "at": list(a), "label": str(n)})
        elif tool == "note":
            text = self.note_text.text().strip()
            if not text:
                self.error.setText(self.tr("请先写好要标注的文字。"))
                return
            self.push({"op": "note", "at": list(a), "text": text})

    def push(self, op: dict) -> None:
        """One more step, drawn as the copy will be."""
        try:
            check_ops([op])
        except Exception as e:
            self.error.setText(str(e))
            return
        current = self.states[-1]
        self.states.append(apply_op(current if op["op"] in ("rotate", "crop") else current.copy(), op))
        self.ops.append(op)
        self.error.clear()
        self._refresh()

    def undo(self) -> None:
        if self.ops:
            self.ops.pop()
            self.states.pop()
            self._refresh()

    def _refresh(self) -> None:
        self.canvas.show_image(to_qimage(self.states[-1]))
        names = {"rotate": self.tr("旋转"), "crop": self.tr("裁剪"), "arrow": self.tr("箭头"),
                 "marker": self.tr("标号"), "note": self.tr("文字")}
        self.steps.setText(self.tr("步骤：{steps}").format(
            steps="、".join(names[o["op"]] for o in self.ops)) if self.ops else self.tr("尚未编辑。"))
        self.undo_button.setEnabled(bool(self.ops) and self.job is None)
        self.save_button.setEnabled(bool(self.ops) and self.job is None)

    # ---- saving ----------------------------------------------------------------------------
    def save(self) -> bool:
        if not self.ops or self.job is not None:
            return False
        actor, forms, photo_id, ops = self.photos.actor, self.photos.forms, self.photo.id, list(self.ops)
        self.error.setText(self.tr("正在保存工作副本…"))
        self.error.setStyleSheet("color: #555;")
        self._set_busy(True)
        self.job = (BackgroundOp(self, lambda job: PhotoService(job.store, actor, forms).derive(photo_id, ops).id,
                                 store=self.photos.store)
                    .on_success(self._saved).on_failure(self._failed).run())
        return True

    def _set_busy(self, busy: bool) -> None:
        for widget in (self.canvas, self.save_button, self.undo_button, self.cancel_button,
                       *self.tool_group.buttons()):
            widget.setEnabled(not busy)

    def _saved(self, photo_id: str) -> None:
        self.job = None
        self.result_photo = self.photos.get(photo_id)
        self.accept()

    def _failed(self, failure: OpFailure) -> None:
        self.job = None
        self._set_busy(False)
        self.error.setStyleSheet("color: #b00020;")
        self.error.setText(self.tr("未能保存：{error}").format(error=failure.message))
        self._refresh()

    def reject(self) -> None:
        if self.job is None:  # a copy being saved finishes first
            super().reject()
