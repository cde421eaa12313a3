"""Pictures off the GUI thread: ``ImageLoader`` decodes thumbnails and previews as
``BackgroundOp`` tasks of a small pool of its own (ops.py), keyed, so a view asks for many
and hears of each when it is ready."""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import QObject, QThreadPool, Signal
from PySide6.QtGui import QImage

from weicha_desktop.gui.common.ops import BackgroundOp, OpFailure

if TYPE_CHECKING:  # the images come from the decoders; Pillow is not needed to start
    from PIL import Image


def to_qimage(img: Image.Image) -> QImage:
    """A Pillow image as a QImage that owns its pixels (safe to hand to another thread)."""
    rgb = img if img.mode == "RGB" else img.convert("RGB")
    data = rgb.tobytes()
    return QImage(data, rgb.width, rgb.height, rgb.width * 3, QImage.Format.Format_RGB888).copy()


class ImageLoader(QObject):
    """``load(key, fn)`` runs ``fn() -> QImage`` on a pool thread; ``ready(key, image)`` or
    ``failed(key, message)`` arrive on the GUI thread. ``shutdown()`` before the owner goes."""

    ready = Signal(str, QImage)
    failed = Signal(str, str)

    def __init__(self, threads: int = 2, parent: QObject | None = None):
        super().__init__(parent)
        self.pool = QThreadPool(self)  # first child: destroyed (waiting for its tasks) first
        self.pool.setMaxThreadCount(threads)

    def load(self, key: str, fn: Callable[[], QImage]) -> BackgroundOp:
        return (BackgroundOp(self, lambda _job: fn(), pool=self.pool)
                .on_success(lambda image: self.ready.emit(key, image))
                .on_failure(lambda failure: self._failed(key, failure))  # a decoder error
                .run())

    def _failed(self, key: str, failure: OpFailure) -> None:
        self.failed.emit(key, failure.message)

    def shutdown(self, msecs: int = 5000) -> bool:
        """Drop the decodes not started yet and wait for the running ones."""
        self.pool.clear()
        return self.pool.waitForDone(msecs)
