"""The text of the QR codes and barcodes in an image (a photo of a document, a screenshot), for
a check (core/checks/keys.read_key picks the ID number or plate out of it). zxing-cpp decodes;
Pillow (with pillow-heif, as the photo log) opens the image."""
from __future__ import annotations

from pathlib import Path

from weicha_desktop.core.checks.keys import BadKey
from weicha_desktop.core.fileio import os_error_message
from weicha_desktop.core.messages import Msg, Texts

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
                raise BadKey(Msg("check.image_large", name=path.name, size=f"{img.width}×{img.height}"))
            img = ImageOps.exif_transpose(img).convert("L")
    except FileNotFoundError:
        raise BadKey(Msg("check.image_missing", path=str(path))) from None
    except (UnidentifiedImageError, Image.DecompressionBombError, SyntaxError, ValueError):
        raise BadKey(Msg("check.image_bad", name=path.name)) from None
    except OSError as e:
        reason = Texts(os_error_message(e, reading=True), "the file could not be read")
        raise BadKey(Msg("check.image_unreadable", name=path.name, reason=reason)) from None
    texts = [r.text for r in zxingcpp.read_barcodes(img) if r.valid and r.text]
    if not texts:
        raise BadKey(Msg("check.image_no_code", name=path.name))
    return texts
