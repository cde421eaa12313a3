from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from weicha_desktop.core.media.analyse import analyse, render_upright
from weicha_desktop.core.media.exif import ExifInfo, read_exif

from tests.media_support import garbage_exif_jpeg, make_photo


def _exif(path):
    with open(path, "rb") as fh:
        return read_exif(fh)


def test_capture_time_with_offset_camera_and_gps(tmp_path):
    p = make_photo(tmp_path / "a.jpg", gps=(21.9512, 108.6234, 12.5))
    info = _exif(p)
    assert info.taken_at == "2026-11-20T09:31:05+08:00"
    assert info.time_source == "EXIF DateTimeOriginal + OffsetTimeOriginal"
    assert (info.make, info.model, info.orientation) == ("Canon", "EOS 90D", 1)
    assert info.gps["lat"] == pytest.approx(21.9512, abs=1e-5)
    assert info.gps["lon"] == pytest.approx(108.6234, abs=1e-5)
    assert info.gps["alt"] == pytest.approx(12.5)


@pytest.mark.parametrize("lat,lon,alt", [(-33.8568, 151.2153, 5.0), (40.7128, -74.006, -3.5),
                                         (-22.9068, -43.1729, 0.0)])
def test_south_and_west_are_negative_and_below_sea_level_too(tmp_path, lat, lon, alt):
    info = _exif(make_photo(tmp_path / "g.jpg", gps=(lat, lon, alt)))
    assert info.gps["lat"] == pytest.approx(lat, abs=1e-5)
    assert info.gps["lon"] == pytest.approx(lon, abs=1e-5)
    assert info.gps["alt"] == pytest.approx(alt)


def test_time_without_offset_says_so_and_missing_values_stay_missing(tmp_path):
    info = _exif(make_photo(tmp_path / "n.jpg", offset=None, make=None, model=None, orientation=None))
    assert info.taken_at == "2026-11-20T09:31:05"
    assert "未记录时区" in info.time_source
    assert (info.make, info.model, info.orientation, info.gps) == (None, None, None, None)
    bare = _exif(make_photo(tmp_path / "b.jpg", taken=None, offset=None))
    assert bare.taken_at is None and bare.time_source is None


@pytest.mark.parametrize("taken", ["0000:00:00 00:00:00", "2026:13:45 99:00:00", "garbage", "    "])
def test_garbage_times_are_missing_not_invented(tmp_path, taken):
    assert _exif(make_photo(tmp_path / "t.jpg", taken=taken)).taken_at is None


def test_broken_exif_block_is_missing_not_fatal(tmp_path):
    info = _exif(garbage_exif_jpeg(tmp_path / "x.jpg"))
    assert info.taken_at is None and info.gps is None


def test_an_exif_block_claiming_more_entries_than_it_holds_is_not_walked(tmp_path, monkeypatch):
    # the garbage block says 65,535 entries in ~500 bytes: exifread walked them all (~0.3 s)
    import exifread

    walked = []
    real = exifread.process_file
    monkeypatch.setattr(exifread, "process_file", lambda fh, **kw: walked.append(fh) or real(fh, **kw))
    bad = garbage_exif_jpeg(tmp_path / "x.jpg")
    with open(bad, "rb") as fh:
        assert read_exif(fh) == ExifInfo() and fh.tell() == 0
    assert walked == []
    # a sound block behind another segment (Pillow writes JFIF's APP0 first) is still read
    good = make_photo(tmp_path / "a.jpg", orientation=6, gps=(21.9512, 108.6234, 12.5))
    assert good.read_bytes()[2:4] == b"\xff\xe0"
    assert _exif(good).orientation == 6 and _exif(good).gps["lat"] == pytest.approx(21.9512, abs=1e-4)
    assert len(walked) == 2


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_orientation_stands_upright(tmp_path, orientation):
    """The stored pixels are the upright pattern transformed by the inverse of the tag, so
    after applying the tag the red quadrant must be top-left again."""
    from PIL import Image

    from tests.media_support import exif_block, pattern
    from weicha_desktop.core.media.pil import TRANSPOSE

    inverse = {2: 2, 3: 3, 4: 4, 5: 5, 6: 8, 7: 7, 8: 6}
    upright = pattern((400, 200))
    stored = upright.transpose(TRANSPOSE[inverse[orientation]]) if orientation > 1 else upright
    path = tmp_path / f"o{orientation}.jpg"
    stored.save(path, "JPEG", exif=exif_block(orientation=orientation), quality=95)
    out = render_upright(path, _exif(path).orientation, 200)
    assert out.size == (200, 100)
    r, g, b = out.getpixel((20, 10))
    assert r > 180 and b < 90, (orientation, (r, g, b))
    r, g, b = out.getpixel((180, 90))
    assert b > 150 and r < 90
    result = analyse(str(path), str(tmp_path / "blobs"), str(tmp_path / "thumbs"))
    assert (result["width"], result["height"]) == (400, 200)
    assert result["orientation"] == orientation


@settings(max_examples=40, deadline=None)
@given(st.binary(min_size=0, max_size=400))
def test_random_exif_payloads_never_raise(payload):
    import io

    data = b"\xff\xd8\xff\xe1" + (len(payload) + 8).to_bytes(2, "big") + b"Exif\x00\x00" + payload + b"\xff\xd9"
    info = read_exif(io.BytesIO(data))
    assert info.taken_at is None or isinstance(info.taken_at, str)


def test_sixty_seconds_from_rounding_is_kept_but_nonsense_is_not():
    from exifread.utils import Ratio

    from weicha_desktop.core.media.exif import parse_tags

    class Tag:
        def __init__(self, values):
            self.values = values

    base = {"GPS GPSLatitudeRef": Tag("N"), "GPS GPSLongitudeRef": Tag("E"),
            "GPS GPSLongitude": Tag([Ratio(108, 1), Ratio(37, 1), Ratio(12, 1)])}
    ok = parse_tags({**base, "GPS GPSLatitude": Tag([Ratio(21, 1), Ratio(56, 1), Ratio(60, 1)])})
    assert ok.gps["lat"] == pytest.approx(21.95)
    bad = parse_tags({**base, "GPS GPSLatitude": Tag([Ratio(21, 1), Ratio(75, 1), Ratio(0, 1)])})
    assert bad.gps is None
    zero = parse_tags({**base, "GPS GPSLatitude": Tag([Ratio(21, 0), Ratio(5, 1), Ratio(0, 1)])})
    assert zero.gps is None
