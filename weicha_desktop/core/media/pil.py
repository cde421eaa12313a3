"""Pillow with the HEIC/HEIF opener registered, and the EXIF turns the decoders share.

Imported where an image is opened (media/analyse.py's functions, media/edits.py), never by a
module the program imports to start: Pillow and pillow-heif cost ~25 ms to import, before
the main window shows (benchmarks/bench_startup.py; tests/test_startup_imports.py)."""
from __future__ import annotations

from PIL import Image, UnidentifiedImageError

try:  # HEIC/HEIF from phones
    import pillow_heif

    pillow_heif.register_heif_opener()
except ImportError:  # pragma: no cover - pillow-heif is a hard dependency; kept importable
    pillow_heif = None

__all__ = ["Image", "UnidentifiedImageError", "TRANSPOSE"]

# EXIF orientation → the transpose that makes the image stand upright
TRANSPOSE = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
             4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
             6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
             8: Image.Transpose.ROTATE_90}
