"""Camera-like files made in the tests: Pillow writes the EXIF (time, offset, camera,
orientation 1–8, GPS with any hemisphere), and a few broken files."""
from __future__ import annotations

import os
from pathlib import Path

from PIL import Image
from PIL.TiffImagePlugin import IFDRational


def _dms(value: float) -> tuple:
    value = abs(value)
    d = int(value)
    m = int((value - d) * 60)
    s = round(((value - d) * 60 - m) * 60 * 1000)
    return IFDRational(d), IFDRational(m), IFDRational(s, 1000)


def exif_block(*, taken: str | None = "2026:11:20 09:31:05", offset: str | None = "+08:00",
               make: str | None = "Canon", model: str | None = "EOS 90D",
               orientation: int | None = 1, gps: tuple | None = None) -> Image.Exif:
    exif = Image.Exif()
    if make:
        exif[0x010F] = make
    if model:
        exif[0x0110] = model
    if orientation:
        exif[0x0112] = orientation
    sub = exif.get_ifd(0x8769)
    if taken:
        sub[0x9003] = taken
    if offset:
        sub[0x9011] = offset
    if gps:
        lat, lon, *alt = gps
        g = exif.get_ifd(0x8825)
        g[1], g[2] = ("N" if lat >= 0 else "S"), _dms(lat)
        g[3], g[4] = ("E" if lon >= 0 else "W"), _dms(lon)
        if alt:
            g[5], g[6] = (b"\x00" if alt[0] >= 0 else b"\x01"), IFDRational(round(abs(alt[0]) * 10), 10)
    return exif


def pattern(size: tuple[int, int], seed: int = 0) -> Image.Image:
    """An image whose top-left quadrant is red and the rest blue-ish: orientation is visible."""
    w, h = size
    img = Image.new("RGB", size, (20, 40 + seed % 200, 200))
    img.paste((230, 20, 20), (0, 0, w // 2, h // 2))
    return img


_made: dict[str, bytes] = {}  # the photos make_photo has encoded in this process


def make_photo(path: Path, size=(640, 480), fmt: str = "JPEG", seed: int = 0, **exif) -> Path:
    """A photo file at ``path``. The encoders are deterministic, so a photo already made in
    this process (same size, format, seed and EXIF) is written from the bytes kept of it
    instead of being encoded again."""
    path = Path(path)
    key = repr((tuple(size), fmt, seed, sorted(exif.items())))
    if key in _made:
        path.write_bytes(_made[key])
        return path
    _encode(path, size, fmt, seed, **exif)
    data = path.read_bytes()
    if len(data) <= 4 << 20:
        _made[key] = data
    return path


def _encode(path: Path, size, fmt: str, seed: int, **exif) -> None:
    img = pattern(size, seed)
    block = exif_block(**exif)
    if fmt == "HEIF":
        import pillow_heif

        pillow_heif.register_heif_opener()
        img.save(path, "HEIF", exif=block.tobytes())
    elif fmt == "PNG":
        img.save(path, "PNG", exif=block)
    else:
        img.save(path, fmt, exif=block, **({"quality": 90} if fmt == "JPEG" else {}))


def with_comment(jpeg: bytes, note: bytes) -> bytes:
    """The same JPEG with a comment (COM) segment after its APPn segments (EXIF stays where
    readers look for it): other bytes and SHA-256, the same pixels and EXIF. Many distinct
    big photos for the price of one encoding, where a test needs their number and size, not
    their looks."""
    assert jpeg[:2] == b"\xff\xd8", "not a JPEG"
    at = 2
    while jpeg[at] == 0xFF and 0xE0 <= jpeg[at + 1] <= 0xEF:  # APP0..APP15
        at += 2 + int.from_bytes(jpeg[at + 2:at + 4], "big")
    return jpeg[:at] + b"\xff\xfe" + (len(note) + 2).to_bytes(2, "big") + note + jpeg[at:]


def truncated(path: Path, source: Path, keep: float = 0.5) -> Path:
    data = Path(source).read_bytes()
    Path(path).write_bytes(data[: int(len(data) * keep)])
    return Path(path)


def random_bytes(path: Path, n: int = 50_000, seed: int = 1) -> Path:
    import random

    Path(path).write_bytes(random.Random(seed).randbytes(n))
    return Path(path)


def bomb_png(path: Path, side: int = 30_000) -> Path:
    """A small PNG whose header claims side×side pixels (a decompression bomb)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    raw = zlib.compress(b"\x00" * (side * 3 + 1) * 4)  # a few rows only
    Path(path).write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", raw) + chunk(b"IEND", b""))
    return Path(path)


def garbage_exif_jpeg(path: Path) -> Path:
    """A valid JPEG whose APP1 EXIF segment is nonsense."""
    good = Path(path).with_suffix(".tmp.jpg")
    pattern((320, 240)).save(good, "JPEG")
    data = good.read_bytes()
    os.unlink(good)
    junk = b"Exif\x00\x00MM\x00*\x00\x00\x00\x08\xff\xff" + bytes(range(256)) * 2
    app1 = b"\xff\xe1" + (len(junk) + 2).to_bytes(2, "big") + junk
    Path(path).write_bytes(data[:2] + app1 + data[2:])
    return Path(path)
