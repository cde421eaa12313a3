"""Review of be5aa20 (EXIF: a first directory longer than its block is not handed to exifread).
A directory whose count is only somewhat off — a damaged count, the entries still there — was
read by exifread before (the photo's turn and time with it); only a count no EXIF block could
ever hold is refused unread."""
from __future__ import annotations

import io

import pytest

from tests.media_support import make_photo
from weicha_desktop.core.media import exif as exif_module
from weicha_desktop.core.media.exif import ExifInfo, read_exif


def with_ifd0_count(data: bytes, count: int | None = None, extra: int = 0) -> bytes:
    """``data`` (a JPEG) with its first directory's entry count set to ``count`` (or to the
    count plus ``extra``)."""
    out = bytearray(data)
    at = out.find(b"Exif\x00\x00") + 6
    order = "little" if out[at:at + 2] == b"II" else "big"
    ifd0 = at + int.from_bytes(out[at + 4:at + 8], order)
    count = int.from_bytes(out[ifd0:ifd0 + 2], order) + extra if count is None else count
    out[ifd0:ifd0 + 2] = count.to_bytes(2, order)
    return bytes(out)


@pytest.fixture(scope="module")
def photo(tmp_path_factory) -> bytes:
    path = make_photo(tmp_path_factory.mktemp("exif") / "a.jpg", orientation=6,
                      gps=(21.9512, 108.6234, 12.5))
    return path.read_bytes()


def test_a_count_somewhat_past_the_block_still_gives_the_turn_and_the_place(photo):
    sound = read_exif(io.BytesIO(photo))
    assert sound.orientation == 6 and sound.gps is not None
    block = int.from_bytes(photo[photo.find(b"Exif\x00\x00") - 2:][:2], "big")
    damaged = with_ifd0_count(photo, extra=block // 12 + 1)  # runs past the EXIF block
    assert read_exif(io.BytesIO(damaged)) == sound  # as exifread read it before be5aa20


def test_a_count_no_exif_block_can_hold_is_not_walked(photo, monkeypatch):
    import exifread

    walked = []
    real = exifread.process_file
    monkeypatch.setattr(exifread, "process_file", lambda fh, **kw: walked.append(fh) or real(fh, **kw))
    most = exif_module.MAX_IFD_ENTRIES
    assert read_exif(io.BytesIO(with_ifd0_count(photo, most + 1))) == ExifInfo() and walked == []
    read_exif(io.BytesIO(with_ifd0_count(photo, most)))  # as long as one block could be: exifread's
    assert len(walked) == 1
