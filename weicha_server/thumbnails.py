"""Thumbnails of photo originals for a supervisor's laptop (``GET /v1/blobs/{sha}/thumbnail``):
a laptop that reviews another's record fetches the thumbnails of its photos with the record
and an original only when someone opens it. Made with the desktop's own thumbnail code
(core/media/analyse.render_upright, the same size and JPEG quality as a laptop makes), on
each request (nothing kept: a few tens of milliseconds a photo)."""
from __future__ import annotations

import io

from weicha_server.blobstore import BlobStore
from weicha_server.errors import ApiError


def render(blobs: BlobStore, sha: str, orientation: int | None) -> bytes:
    from weicha_desktop.core.media.analyse import THUMB_SIZE, Rejected, render_upright

    try:
        with blobs.open(sha) as f:
            image = render_upright(f, orientation, THUMB_SIZE)
    except Rejected as e:
        raise ApiError(422, "not_an_image", f"这张照片原图无法生成缩略图（{e}）。") from None
    except OSError:
        raise ApiError(404, "no_blob", "服务器上没有这张照片原图。") from None
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()
