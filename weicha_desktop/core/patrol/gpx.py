"""Route points from a GPX file (GPX 1.0 and 1.1, with or without their namespace; what phone
and handheld loggers write): the points of its tracks (``trk/trkseg/trkpt``) and its waypoints
(``wpt``, and a planned route's ``rte/rtept``), each {lat, lon, time, source, note}.

The file is parsed with the standard library's expat (xml.etree's XMLParser) into a target
that collects the points as they come (no tree is built) and refuses a document type
declaration at its start — before any entity it declares exists — so an entity bomb
("billion laughs"), an external entity (a file or URL named by the DTD) or any other DTD trick
is refused, never expanded; an entity not declared is a parse error. A file that is
not XML, not GPX, holds no point, or a point whose coordinates or time are not valid is
refused whole with a Chinese message: nothing of it is imported (``GpxError``).

Times: GPX times are UTC (``…Z``; a time without a zone is taken as UTC, as the format says)
and are written in the offset of ``tz`` (the store clock's: the form shows local times)."""
from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from datetime import datetime, timezone, tzinfo
from pathlib import Path
from typing import Any

from weicha_desktop.core.errors import WeichaError

MAX_BYTES = 32 * 1024 * 1024  # a day's 1-second track is ~15 MB


class GpxError(WeichaError):
    """A GPX file that is not imported (the reason in Chinese)."""


class _NoDoctype(Exception):
    pass


class _Points:
    """The parser's target: collects the points as the parse goes (no tree is built: a
    day's 1-second track costs the points, not a tree of every element) and stops the parse
    at a document type declaration."""

    def __init__(self, name: str, tz: tzinfo | None):
        self.name, self.tz = name, tz
        self.root: str | None = None
        self.tracks: list[dict[str, Any]] = []
        self.waypoints: list[dict[str, Any]] = []
        self._point: dict[str, Any] | None = None   # the point being read: attributes, texts
        self._text: list[str] | None = None         # the text of a <time>, <name>, <desc> in it

    def doctype(self, name, pubid, system):  # noqa: ARG002 — expat's callback
        raise _NoDoctype

    def start(self, tag, attrib):
        local = _local(tag)
        if self.root is None:
            self.root = local
            if local != "gpx":
                raise GpxError(f"“{self.name}”不是 GPX 文件（根元素是 <{local}>，应为 <gpx>）。未导入任何内容。")
        if local in POINT_TAGS and self._point is None:
            self._point = {"tag": local, "lat": attrib.get("lat"), "lon": attrib.get("lon")}
        elif self._point is not None and local in ("time", "name", "desc") and local not in self._point:
            self._text = []

    def data(self, text):
        if self._text is not None:
            self._text.append(text)

    def end(self, tag):
        local = _local(tag)
        if self._point is None:
            return
        if self._text is not None and local in ("time", "name", "desc"):
            self._point[local] = "".join(self._text).strip() or None
            self._text = None
        elif local == self._point["tag"]:
            found, self._point = self._point, None
            n = len(self.tracks) + len(self.waypoints) + 1
            (self.tracks if found["tag"] == "trkpt" else self.waypoints).append(self._finish(found, n))

    def close(self):
        return self

    def _finish(self, p: dict[str, Any], n: int) -> dict[str, Any]:
        note = " ".join(x for x in (p.get("name"), p.get("desc")) if x)[:100]
        return {"lat": _coordinate(p["lat"], 90, "纬度", self.name, n),
                "lon": _coordinate(p["lon"], 180, "经度", self.name, n),
                "time": _time(p.get("time"), self.name, n, self.tz),
                "source": "track" if p["tag"] == "trkpt" else "waypoint", "note": note}


POINT_TAGS = ("trkpt", "wpt", "rtept")


def read_gpx(path: str | Path, tz: tzinfo | None = None) -> list[dict[str, Any]]:
    """The route points of the GPX file at ``path``; GpxError naming the file otherwise."""
    path = Path(path)
    name = path.name
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_BYTES + 1)
    except IsADirectoryError:
        raise GpxError(f"“{name}”是文件夹，不是 GPX 文件。") from None
    except FileNotFoundError:
        raise GpxError(f"找不到文件“{path}”。请检查文件名与位置。") from None
    except OSError as e:
        raise GpxError(f"无法读取“{name}”（{e.strerror or e}）。") from None
    if len(data) > MAX_BYTES:
        raise GpxError(f"“{name}”超过 {MAX_BYTES // 1024 // 1024} MB，不像是一次巡逻的轨迹，未导入。")
    return parse_gpx(data, name, tz)


def parse_gpx(data: bytes, name: str = "GPX 文件", tz: tzinfo | None = None) -> list[dict[str, Any]]:
    """The route points of a GPX document (bytes); GpxError otherwise (nothing imported)."""
    if not data.strip():
        raise GpxError(f"“{name}”是空文件，没有可导入的路线点。未导入任何内容。")
    target = _Points(name, tz)
    parser = ET.XMLParser(target=target)
    try:
        parser.feed(data)
        parser.close()
    except _NoDoctype:
        raise GpxError(f"“{name}”含有文档类型声明（DTD/实体），出于安全不予读取，未导入任何内容。"
                       "请用定位设备或软件重新导出标准 GPX 文件。") from None
    except ET.ParseError as e:
        line, column = e.position
        raise GpxError(f"“{name}”不是完整的 GPX（XML）文件：第 {line} 行第 {column + 1} 列有误"
                       f"（文件可能已损坏或不完整）。未导入任何内容。") from None
    points = target.tracks + target.waypoints
    if not points:
        raise GpxError(f"“{name}”中没有轨迹点或航点，未导入任何内容。")
    if all(p["time"] for p in points):  # waypoints into the track by time
        points.sort(key=lambda p: datetime.fromisoformat(p["time"]))
    return points


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _coordinate(text: str | None, limit: int, word: str, name: str, n: int) -> float:
    try:
        value = float(text) if text is not None else math.nan
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or abs(value) > limit:
        raise GpxError(f"“{name}”第 {n} 个点的{word}“{(text or '（缺）')[:20]}”无效"
                       f"（应为 -{limit} 到 {limit} 之间的度数）。文件可能已损坏，未导入任何内容。")
    return round(value, 7)


def _time(text: str | None, name: str, n: int, tz: tzinfo | None) -> str | None:
    if text is None:
        return None
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise GpxError(f"“{name}”第 {n} 个点的时间“{text[:30]}”无效。文件可能已损坏，未导入任何内容。") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(tz or timezone.utc).replace(microsecond=0).isoformat()
