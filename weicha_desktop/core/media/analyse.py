"""One file → a staged original, its EXIF, its upright size and a thumbnail — or a reason.

Runs in a worker process (see pool.py): a decoder that crashes or hangs on a hostile file
takes down only its worker. Never raises: every outcome is a dict with ``status``. Pillow
(media/pil.py) is imported when an image is first opened: the program imports this module
to start (photos.py, the photo views) and need not wait for it."""
from __future__ import annotations

import math
import os
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from weicha_desktop.core.fileio import os_error_message
from weicha_desktop.core.media.blobs import BlobStore
from weicha_desktop.core.media.exif import ExifInfo, read_exif, read_exif_bytes

if TYPE_CHECKING:
    from PIL import Image

ALLOWED_FORMATS = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "TIFF": "TIFF", "HEIF": "HEIF"}
MAX_PIXELS = 200_000_000          # larger than any camera; beyond: a decompression bomb
MAX_BYTES = 512 * 1024 * 1024
THUMB_SIZE = 320
THUMBS_TMP = ".tmp"  # under the thumbnail folder: thumbnails being written
SUPPORTED_TEXT = "支持 JPEG、PNG、TIFF、HEIC/HEIF"
AGAIN = "请从相机存储卡重新复制该照片后再导入。"  # what to do about a file that cannot be read


class Rejected(Exception):
    """A file that cannot be kept as a photo; the message is the Chinese reason."""


def upright_size(width: int, height: int, orientation: int | None) -> tuple[int, int]:
    return (height, width) if orientation in (5, 6, 7, 8) else (width, height)


def open_image(path: Path) -> Image.Image:
    """Open (header only) and check format and size; Rejected with a reason otherwise."""
    from weicha_desktop.core.media.pil import Image, UnidentifiedImageError

    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            img = Image.open(path)
        except UnidentifiedImageError:
            raise Rejected(f"不是可识别的图像文件（{SUPPORTED_TEXT}）") from None
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise Rejected("图像尺寸过大，疑似解压炸弹，已拒绝") from None
        except (OSError, SyntaxError, ValueError):
            raise Rejected(f"图像文件头已损坏，无法读取。{AGAIN}") from None
    if img.format not in ALLOWED_FORMATS:
        img.close()
        raise Rejected(f"不支持的图像格式：{img.format}（{SUPPORTED_TEXT}）")
    w, h = img.size
    if w <= 0 or h <= 0 or w * h > MAX_PIXELS:
        img.close()
        raise Rejected(f"图像尺寸过大（{w}×{h} 像素），疑似解压炸弹，已拒绝")
    return img


def fitted(size: tuple[int, int], max_side: int) -> tuple[int, int]:
    """``size`` scaled to fit a ``max_side`` square, each side rounded up (never below what
    Pillow's thumbnail makes of it): what a JPEG need be decoded at, at least."""
    w, h = size
    scale = min(1.0, max_side / max(w, h, 1))
    return max(1, math.ceil(w * scale)), max(1, math.ceil(h * scale))


def render_upright(source: Path | Image.Image, orientation: int | None, max_side: int) -> Image.Image:
    """Decode at reduced scale where the format allows (JPEG draft mode), stand the image
    upright and fit it into ``max_side``. Raises Rejected when the data cannot be decoded.

    ``source`` is a file, or an image ``open_image`` opened (analyse has read its header
    already; it is closed here). The draft scale is chosen for the fitted size, not the
    square: a 3:2 camera's 6000×4000 photo for a 1,350 px print decodes at 1/4
    (1,500×1,000), not at 1/2 as the square's short side allowed (3,000×2,000)."""
    from weicha_desktop.core.media.pil import TRANSPOSE, Image

    img = source if isinstance(source, Image.Image) else open_image(source)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            if img.format in ("JPEG", "MPO"):
                img.draft("RGB", fitted(img.size, max_side))
            img.load()
            out = img.convert("RGB") if img.mode not in ("RGB", "L") else img
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning):
        img.close()
        raise Rejected(f"图像数据不完整或已损坏（可能复制时中断），无法解码。{AGAIN}") from None
    try:
        if orientation in TRANSPOSE:
            out = out.transpose(TRANSPOSE[orientation])
        out.thumbnail((max_side, max_side), Image.Resampling.BILINEAR, reducing_gap=2.0)
        if out is img:  # fitted in place: only the fitted pixels are copied out of the file's image
            out = img.copy()
    finally:
        img.close()
    return out


def thumbnail_path(thumbs_dir: Path, sha256: str, size: int = THUMB_SIZE) -> Path:
    return Path(thumbs_dir) / sha256[:2] / f"{sha256}-{size}.jpg"


def analyse(source: str, blob_root: str, thumbs_dir: str, staging: str | None = None) -> dict[str, Any]:
    src = Path(source)
    try:
        size = src.stat().st_size
    except OSError as e:
        return {"status": "rejected", "reason": f"无法读取文件（{os_error_message(e, reading=True)}）"}
    if size == 0:
        return {"status": "rejected", "reason": "文件为空（0 字节）"}
    if size > MAX_BYTES:
        return {"status": "rejected", "reason": f"文件过大（{size // (1024 * 1024)} MB）"}
    blobs = BlobStore(Path(blob_root))
    try:
        staged = blobs.stage(src, max_bytes=MAX_BYTES, into=Path(staging) if staging else None)
    except OSError as e:
        return {"status": "rejected", "reason": f"无法读取文件（{os_error_message(e, reading=True)}）"}
    except ValueError:  # grew past the limit while it was copied
        return {"status": "rejected", "reason": f"文件过大（超过 {MAX_BYTES // (1024 * 1024)} MB）"}
    try:
        with open(staged.temp_path, "rb") as fh:
            info = read_exif(fh)
        img = open_image(staged.temp_path)
        try:
            fmt, (w, h) = ALLOWED_FORMATS[img.format], img.size
            turn = info.orientation
            if fmt == "HEIF":
                # pillow-heif applies the file's own rotation (irot/imir) on decode, so the
                # pixels already stand upright; exifread cannot always find HEIF EXIF itself.
                if info == ExifInfo():
                    info = read_exif_bytes(img.info.get("exif"))
                turn = None
            thumb = render_upright(img, turn, THUMB_SIZE)  # its header is not read again
        finally:
            img.close()
        target = thumbnail_path(Path(thumbs_dir), staged.sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        # written aside, then renamed: one small folder for the next start to clear after a
        # crash (media/staging.py) instead of a search through every thumbnail
        tmp = Path(thumbs_dir) / THUMBS_TMP / f"{target.name}.{os.getpid()}.tmp"
        tmp.parent.mkdir(exist_ok=True)
        try:
            thumb.save(tmp, "JPEG", quality=85)
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
    except Rejected as e:
        blobs.discard(staged)
        return {"status": "rejected", "reason": str(e)}
    except OSError as e:  # reading the copy or writing the thumbnail: the disk, not the image
        blobs.discard(staged)
        return {"status": "rejected", "reason": f"无法处理该文件（{os_error_message(e)}）"}
    except Exception as e:  # any other decoder failure: the file is not usable, say so
        blobs.discard(staged)
        from weicha_desktop.core.media.pool import fault_detail

        return {"status": "rejected", "detail": fault_detail(e),
                "reason": f"图像无法处理，文件可能已损坏。{AGAIN}仍不行请把该文件交技术支持。"}
    width, height = upright_size(w, h, turn)
    return {"status": "ok", "sha256": staged.sha256, "size": staged.size,
            "temp_path": str(staged.temp_path), "format": fmt, "width": width,
            "height": height, **{k: v for k, v in info.as_dict().items()
                                 if k not in ("width", "height")}}
