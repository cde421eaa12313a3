"""Thumbnails of photo originals for a supervisor's laptop (``GET /v1/blobs/{sha}/thumbnail``):
a laptop that reviews another's record fetches the thumbnails of its photos with the record
and an original only when someone opens it. Made with the desktop's own thumbnail code
(core/media/analyse.render_upright, the same size and JPEG quality as a laptop makes).

Kept on disk once made, content-addressed: an original never changes under its SHA-256, so
the thumbnail of (SHA-256, size, orientation, quality) never does either — every supervisor's
laptop asks for the same ones, and making one costs tens of milliseconds of the server's CPU
(reading a 12-megapixel JPEG is ~20 ms even with draft decoding), a cached one a file read.
The cache is ``<blob root>/.thumbs/<sha[:2]>/<sha>-<size>-o<orientation>-q<quality>.jpg``
(beside the partial uploads; nothing else names it): written to a temporary file and renamed,
so a reader sees a whole file or none; a file that is not a whole JPEG (cut by a crash —
not fsynced, it is only a cache) is made again. Deleting the folder loses nothing."""
from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path
from typing import Any

from weicha_server.blobstore import BlobStore, valid_sha
from weicha_server.errors import ApiError

QUALITY = 85
CACHE_DIR = ".thumbs"


def cache_path(root: Path, sha: str, size: int, orientation: int | None) -> Path:
    """Where the thumbnail of ``sha`` at ``size`` and ``orientation`` is kept under ``root``."""
    assert valid_sha(sha), sha  # never a path made of what a client sent unchecked
    return root / sha[:2] / f"{sha}-{size}-o{orientation or 0}-q{QUALITY}.jpg"


def render(blobs: BlobStore, sha: str, orientation: int | None, cache: Path | None = None) -> bytes:
    """The JPEG thumbnail of the stored original ``sha`` (its EXIF orientation overridden by
    ``orientation``), from the cache (``cache``, default the blob folder's ``.thumbs``) when it
    was made before; ApiError 404 / 422 for an original missing or not an image."""
    from weicha_desktop.core.media.analyse import THUMB_SIZE

    root = cache if cache is not None else _default_cache(blobs)
    path = cache_path(root, sha, THUMB_SIZE, orientation) if root is not None else None
    if path is not None and (kept := _read_whole(path)) is not None:
        return kept
    data = _make(blobs, sha, orientation, THUMB_SIZE)
    if path is not None:
        _keep(path, data)
    return data


def _make(blobs: BlobStore, sha: str, orientation: int | None, size: int) -> bytes:
    from weicha_desktop.core.media.analyse import Rejected, render_upright

    try:
        with blobs.open(sha) as f:
            image = render_upright(f, orientation, size)
    except Rejected as e:
        raise ApiError(422, "not_an_image", f"这张照片原图无法生成缩略图（{e}）。") from None
    except OSError:
        raise ApiError(404, "no_blob", "服务器上没有这张照片原图。") from None
    out = io.BytesIO()
    image.save(out, "JPEG", quality=QUALITY)
    return out.getvalue()


def _default_cache(blobs: Any) -> Path | None:
    root = getattr(blobs, "root", None)  # a folder blob store; another kind keeps none
    return Path(root) / CACHE_DIR if root is not None else None


def _read_whole(path: Path) -> bytes | None:
    """The cached JPEG, or None when there is none or it is not whole (SOI … EOI)."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return data if data[:2] == b"\xff\xd8" and data[-2:] == b"\xff\xd9" else None


def _keep(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename; a cache that cannot
    be written (disk full, read-only) costs the next request a render, not an error."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        pass
