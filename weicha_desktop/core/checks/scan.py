"""The text of the QR codes and barcodes in an image (a photo of a document, a screenshot), for
a check (core/checks/keys.read_key picks the ID number or plate out of it). zxing-cpp decodes;
Pillow (with pillow-heif, as the photo log) opens the image."""
from __future__ import annotations

from pathlib import Path

from weicha_desktop.core.checks.keys import BadKey

MAX_PIXELS = 60_000_000


def decode_image(path: Path) -> list[str]:
    """The decoded texts, in the order found; BadKey when the file is no image or holds none."""
    import zxingcpp
    from PIL import ImageOps

    from weicha_desktop.core.media.pil import Image, UnidentifiedImageError  # HEIC too

    path = Path(path)
    try:
        with Image.open(path) as img:
            if img.width * img.height > MAX_PIXELS:
                raise BadKey(f"图片 {path.name} 过大（{img.width}×{img.height}）：请裁剪到条码附近后再试。")
            img = ImageOps.exif_transpose(img).convert("L")
    except FileNotFoundError:
        raise BadKey(f"找不到图片文件 {path}。") from None
    except (UnidentifiedImageError, Image.DecompressionBombError, SyntaxError, ValueError):
        raise BadKey(f"文件 {path.name} 不是可识别的图片：请换一张 JPEG 或 PNG 图片。") from None
    except OSError as e:
        raise BadKey(f"无法读取图片 {path.name}（{e.strerror or '图片已损坏'}）。") from None
    texts = [r.text for r in zxingcpp.read_barcodes(img) if r.valid and r.text]
    if not texts:
        raise BadKey(f"图片 {path.name} 中没有识别出二维码或条码：请拍得更清楚、更近一些后再试，或手工输入号码。")
    return texts
