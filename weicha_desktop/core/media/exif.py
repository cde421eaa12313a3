"""EXIF through exifread: capture time (with its source), camera, orientation, GPS, size.

What is missing or garbage is recorded as missing (None), never invented."""
from __future__ import annotations

import io
import logging
import math
import re
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, BinaryIO

# exifread logs "File format not recognized" and the like as warnings for every non-EXIF file;
# the outcome (no EXIF) is recorded, so its log is noise.
logging.getLogger("exifread").setLevel(logging.ERROR)

_TIME = re.compile(r"^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})")
_OFFSET = re.compile(r"^([+-])(\d{2}):(\d{2})$")


@dataclass(frozen=True)
class ExifInfo:
    taken_at: str | None = None       # ISO-8601; with offset when the camera recorded one
    time_source: str | None = None    # e.g. "EXIF DateTimeOriginal + OffsetTimeOriginal"
    make: str | None = None
    model: str | None = None
    orientation: int | None = None    # 1–8
    width: int | None = None          # as stored (before orientation)
    height: int | None = None
    gps: dict[str, float | None] | None = None  # {"lat", "lon", "alt"} WGS-84 degrees / m

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def read_exif(fh: BinaryIO) -> ExifInfo:
    import exifread  # ~8 ms: when a photo is read, not when the program starts

    try:
        if _impossible_ifd0(fh):
            return ExifInfo()
    except (OSError, ValueError):  # not seekable, or closed: exifread's to judge
        pass
    try:
        tags = exifread.process_file(fh, details=False, extract_thumbnail=False)
    except Exception:  # exifread on a broken file: the photo simply has no usable EXIF
        return ExifInfo()
    return parse_tags(tags)


# The most entries a directory inside one APP1 block (at most 65,533 bytes) can hold.
MAX_IFD_ENTRIES = (0xFFFF - 2 - 6 - 8 - 2) // 12


def _impossible_ifd0(fh: BinaryIO) -> bool:
    """A JPEG whose EXIF block (APP1) says its first directory has more entries than any EXIF
    block can hold: garbage (a damaged card, a hostile file). exifread would walk all of them —
    up to 65,535 entries past the block, ~0.3 s of CPU for nothing it could use. A count only
    somewhat past its own block (a damaged count, its first entries sound) is still exifread's:
    it reads the turn, time and place from them as before (≤ ~20 ms). Reads the JPEG's
    segment headers up to the EXIF block only; the file position is left where it was."""
    start = fh.tell()
    try:
        if fh.read(2) != b"\xff\xd8":
            return False
        while True:
            head = fh.read(4)
            if len(head) < 4 or head[0] != 0xFF or head[1] in (0xD9, 0xDA):  # end, image data
                return False
            length = int.from_bytes(head[2:], "big")
            if head[1] != 0xE1:
                fh.seek(length - 2, io.SEEK_CUR)
                continue
            block = fh.read(length - 2)
            if not block.startswith(b"Exif\x00\x00"):
                continue
            tiff = block[6:]
            order = {b"II": "little", b"MM": "big"}.get(tiff[:2])
            if order is None or len(tiff) < 8:
                return False  # exifread gives up on it at once
            ifd0 = int.from_bytes(tiff[4:8], order)
            if ifd0 + 2 > len(tiff):
                return False  # pointing elsewhere: exifread's to judge
            entries = int.from_bytes(tiff[ifd0:ifd0 + 2], order)
            return ifd0 + 2 + 12 * entries > len(tiff) and entries > MAX_IFD_ENTRIES
    finally:
        fh.seek(start)


def read_exif_bytes(raw: bytes | None) -> ExifInfo:
    """EXIF from a raw block (``Exif\\0\\0`` + TIFF), as Pillow's HEIF plugin hands it over."""
    if not raw:
        return ExifInfo()
    if raw.startswith(b"Exif\x00\x00"):
        raw = raw[6:]
    return read_exif(io.BytesIO(raw))


def parse_tags(tags: dict[str, Any]) -> ExifInfo:
    taken_at, source = _capture_time(tags)
    return ExifInfo(
        taken_at=taken_at, time_source=source,
        make=_text(tags.get("Image Make")), model=_text(tags.get("Image Model")),
        orientation=_orientation(tags.get("Image Orientation")),
        width=_int(tags.get("EXIF ExifImageWidth")), height=_int(tags.get("EXIF ExifImageLength")),
        gps=_gps(tags))


def _values(tag: Any) -> list:
    values = getattr(tag, "values", None)
    if values is None:
        return []
    return list(values) if isinstance(values, (list, tuple)) else [values]


def _text(tag: Any) -> str | None:
    if tag is None:
        return None
    value = getattr(tag, "values", tag)
    if isinstance(value, (bytes, bytearray)):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str):
        return None
    value = value.replace("\x00", "").strip()
    return value if value and value.isprintable() else None


def _int(tag: Any) -> int | None:
    v = _values(tag)
    return int(v[0]) if v and isinstance(v[0], int) and v[0] > 0 else None


def _orientation(tag: Any) -> int | None:
    v = _int(tag)
    return v if v is not None and 1 <= v <= 8 else None


def _capture_time(tags: dict[str, Any]) -> tuple[str | None, str | None]:
    for time_tag, offset_tag in (("EXIF DateTimeOriginal", "EXIF OffsetTimeOriginal"),
                                 ("EXIF DateTimeDigitized", "EXIF OffsetTimeDigitized"),
                                 ("Image DateTime", "EXIF OffsetTime")):
        when = _parse_time(_text(tags.get(time_tag)))
        if when is None:
            continue
        name = time_tag.split()[1]
        offset = _parse_offset(_text(tags.get(offset_tag)))
        if offset is not None:
            return when.replace(tzinfo=offset).isoformat(), f"EXIF {name} + {offset_tag.split()[1]}"
        return when.isoformat(), f"EXIF {name}（相机未记录时区）"
    return None, None


def _parse_time(text: str | None) -> datetime | None:
    m = _TIME.match(text or "")
    if not m:
        return None
    try:
        return datetime(*(int(g) for g in m.groups()))
    except ValueError:  # 0000:00:00 00:00:00 and other garbage
        return None


def _parse_offset(text: str | None) -> timezone | None:
    m = _OFFSET.match(text or "")
    if not m:
        return None
    sign, hh, mm = m.groups()
    minutes = int(hh) * 60 + int(mm)
    if minutes > 14 * 60 or int(mm) >= 60:
        return None
    return timezone(timedelta(minutes=minutes if sign == "+" else -minutes))


def _dms(tag: Any) -> float | None:
    v = _values(tag)
    if len(v) != 3:
        return None
    try:
        d, m, s = (float(x.num) / float(x.den) if hasattr(x, "den") else float(x) for x in v)
    except (ZeroDivisionError, TypeError, ValueError):
        return None
    # 60 (rather than 59.999…) is a rounding artefact some cameras write; more is garbage
    if not all(math.isfinite(x) and x >= 0 for x in (d, m, s)) or m > 60 or s > 60:
        return None
    return d + m / 60 + s / 3600


def _gps(tags: dict[str, Any]) -> dict[str, float | None] | None:
    lat, lon = _dms(tags.get("GPS GPSLatitude")), _dms(tags.get("GPS GPSLongitude"))
    lat_ref, lon_ref = _text(tags.get("GPS GPSLatitudeRef")), _text(tags.get("GPS GPSLongitudeRef"))
    if lat is None or lon is None or lat_ref not in ("N", "S") or lon_ref not in ("E", "W"):
        return None
    if lat > 90 or lon > 180:
        return None
    lat = -lat if lat_ref == "S" else lat
    lon = -lon if lon_ref == "W" else lon
    return {"lat": round(lat, 7), "lon": round(lon, 7), "alt": _altitude(tags)}


def _altitude(tags: dict[str, Any]) -> float | None:
    v = _values(tags.get("GPS GPSAltitude"))
    if len(v) != 1:
        return None
    try:
        alt = float(v[0].num) / float(v[0].den) if hasattr(v[0], "den") else float(v[0])
    except (ZeroDivisionError, TypeError, ValueError):
        return None
    if not math.isfinite(alt):
        return None
    ref = _values(tags.get("GPS GPSAltitudeRef"))
    below = bool(ref) and ref[0] in (1, b"\x01", "1")
    return round(-alt if below else alt, 2)
