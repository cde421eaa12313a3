"""Photos are decoded no larger than they are shown, and their header is read once.

A JPEG's draft scale is picked for the size the photo is fitted to, not for the square box
around it: a 3:2 photo for a 300 px box decodes at 300×200 (1/4), not 600×400 (1/2, all the
square's short side allowed). An import reads a file's header once for its size, format and
thumbnail."""
from __future__ import annotations

import pytest
from PIL import Image, ImageFile

from tests.media_support import make_photo
from weicha_desktop.core.media import analyse as analyse_module
from weicha_desktop.core.media.analyse import analyse, fitted, render_upright


@pytest.fixture
def decoded(monkeypatch):
    """The size of every image as it is decoded (after the draft scale is chosen)."""
    sizes = []
    load = ImageFile.ImageFile.load

    def spy(self):
        if self.tile:
            sizes.append(self.size)
        return load(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", spy)
    return sizes


@pytest.mark.parametrize("orientation, upright", [(1, (300, 200)), (6, (200, 300))])
def test_a_wide_jpeg_decodes_at_the_scale_of_its_fitted_size(tmp_path, decoded, orientation, upright):
    path = make_photo(tmp_path / "wide.jpg", size=(1200, 800), orientation=orientation)
    out = render_upright(path, orientation, 300)
    assert decoded == [(300, 200)]  # 1/4 of 1200×800; the square box gave 1/2 (600×400)
    assert out.size == upright
    # still stood upright: the red quadrant is top-left before the turn, top-right after 6
    corner = (5, 5) if orientation == 1 else (out.width - 5, 5)
    r, g, b = out.getpixel(corner)
    assert r > 180 and b < 80, (r, g, b)


def test_the_draft_never_decodes_below_the_fitted_size(tmp_path, decoded):
    for size, side in [((640, 480), 320), ((1000, 999), 250), ((333, 1000), 100), ((100, 80), 320)]:
        decoded.clear()
        path = make_photo(tmp_path / f"{size[0]}x{size[1]}.jpg", size=size)
        out = render_upright(path, 1, side)
        (w, h), (fw, fh) = decoded[0], fitted(size, side)
        assert w >= fw and h >= fh, (size, side, decoded)  # never upscaled afterwards
        assert max(out.size) == min(side, max(size)), (size, side, out.size)


def test_an_import_reads_the_files_header_once(tmp_path, monkeypatch):
    opened = []
    real_open = Image.open

    def counting(fp, *a, **k):
        opened.append(fp)
        return real_open(fp, *a, **k)

    monkeypatch.setattr(Image, "open", counting)
    path = make_photo(tmp_path / "a.jpg", size=(640, 480), orientation=6)
    r = analyse(str(path), str(tmp_path / "blobs"), str(tmp_path / "thumbs"))
    assert r["status"] == "ok" and (r["width"], r["height"]) == (480, 640)
    assert len(opened) == 1, opened
    thumb = Image.open(analyse_module.thumbnail_path(tmp_path / "thumbs", r["sha256"]))
    assert thumb.size == (240, 320)
