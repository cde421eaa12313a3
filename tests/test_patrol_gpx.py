"""巡逻: route points from GPX files (core/patrol/gpx.py) — GPX 1.0 and 1.1 with their
namespaces or none, tracks and waypoints; empty, broken, foreign and hostile files (entity
bombs, external entities) refused whole with a Chinese message, nothing imported."""
from __future__ import annotations

from datetime import timedelta, timezone

import pytest

from weicha_desktop.core.patrol import GpxError, PatrolService, parse_gpx, read_gpx
from weicha_desktop.core.patrol.service import MAX_POINTS, thin

from tests.support import admin, forms, store  # noqa: F401 (fixtures)

CST = timezone(timedelta(hours=8))
GPX11 = b"""<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="OsmAnd" xmlns="http://www.topografix.com/GPX/1/1"
     xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <wpt lat="21.9530" lon="108.6240"><time>2026-12-01T01:05:00Z</time><name>\xe6\x96\x87\xe5\xb3\xb0\xe8\xb7\xaf\xe5\x8f\xa3</name></wpt>
  <trk><name>patrol</name><trkseg>
    <trkpt lat="21.9500" lon="108.6200"><ele>5</ele><time>2026-12-01T01:00:00Z</time></trkpt>
    <trkpt lat="21.9600" lon="108.6200"><time>2026-12-01T01:10:00Z</time></trkpt>
  </trkseg><trkseg>
    <trkpt lat="21.9600" lon="108.6300"><time>2026-12-01T01:20:00Z</time></trkpt>
  </trkseg></trk>
</gpx>"""
GPX10 = b"""<?xml version="1.0"?>
<gpx version="1.0" xmlns="http://www.topografix.com/GPX/1/0">
  <trk><trkseg><trkpt lat="-33.5" lon="-70.25"/><trkpt lat="-33.6" lon="-70.25"/></trkseg></trk>
</gpx>"""
BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE gpx [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>
<gpx version="1.1"><wpt lat="21.9" lon="108.6"><name>&d;</name></wpt></gpx>"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE gpx [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<gpx version="1.1"><wpt lat="21.9" lon="108.6"><name>&secret;</name></wpt></gpx>"""


def test_a_gpx_11_file_gives_its_track_points_and_waypoints_in_time_order_in_local_time():
    points = parse_gpx(GPX11, "a.gpx", CST)
    assert [(p["lat"], p["lon"], p["source"]) for p in points] == [
        (21.95, 108.62, "track"), (21.953, 108.624, "waypoint"), (21.96, 108.62, "track"), (21.96, 108.63, "track")]
    assert points[0]["time"] == "2026-12-01T09:00:00+08:00" and points[1]["note"] == "文峰路口"


def test_gpx_10_and_a_file_without_namespace_or_times_keep_the_file_order():
    assert [(p["lat"], p["lon"], p["time"]) for p in parse_gpx(GPX10)] == [(-33.5, -70.25, None), (-33.6, -70.25, None)]
    bare = b'<gpx><wpt lat="1" lon="2"/><trk><trkseg><trkpt lat="3" lon="4"/></trkseg></trk></gpx>'
    assert [(p["lat"], p["source"]) for p in parse_gpx(bare)] == [(3.0, "track"), (1.0, "waypoint")]


@pytest.mark.parametrize("data, words", [
    (b"", "空文件"),
    (b"  \n", "空文件"),
    (GPX11[:300], "不是完整的 GPX"),                              # cut off mid-write
    (b"\x89PNG\r\n\x1a\n\0\0\0", "不是完整的 GPX"),                # not text at all
    (b'<kml xmlns="http://www.opengis.net/kml/2.2"><Document/></kml>', "根元素是 <kml>"),
    (b'<gpx version="1.1"><metadata><name>x</name></metadata></gpx>', "没有轨迹点或航点"),
    (b'<gpx><wpt lat="91" lon="108"/></gpx>', "纬度“91”无效"),
    (b'<gpx><trk><trkseg><trkpt lat="21.9" lon="abc"/></trkseg></trk></gpx>', "经度“abc”无效"),
    (b'<gpx><wpt lat="nan" lon="108"/></gpx>', "纬度“nan”无效"),
    (b'<gpx><wpt lat="21" lon="108"><time>yesterday</time></wpt></gpx>', "时间“yesterday”无效"),
    (b'<gpx><wpt lat="21" lon="108"><name>&nbsp;</name></wpt></gpx>', "不是完整的 GPX"),   # undeclared entity
    (BOMB, "文档类型声明"),
    (EXTERNAL, "文档类型声明"),
])
def test_empty_broken_foreign_and_hostile_files_are_refused_in_chinese(data, words):
    with pytest.raises(GpxError, match=words) as e:
        parse_gpx(data, "t.gpx")
    assert "t.gpx" in str(e.value)


def test_an_entity_bomb_is_refused_before_it_expands():
    """The DTD is refused at its start: no entity is ever declared, let alone expanded (a
    billion-laughs of 10^9 characters would take gigabytes)."""
    huge = BOMB.replace(b"<!ENTITY d", b'<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f '
                                       b'"&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;"><!ENTITY d').replace(b"&d;</name>", b"&f;</name>")
    with pytest.raises(GpxError, match="安全"):
        parse_gpx(huge)


def test_a_file_that_cannot_be_read_is_named(tmp_path):
    with pytest.raises(GpxError, match="找不到文件"):
        read_gpx(tmp_path / "nope.gpx")
    with pytest.raises(GpxError, match="是文件夹"):
        read_gpx(tmp_path)


def test_a_refused_file_imports_nothing_and_a_good_one_appends(store, admin, tmp_path):  # noqa: F811
    patrols = PatrolService(store, forms(), admin)
    patrol = patrols.create({"area": "文峰路一带"})
    seq = store.conn.execute("SELECT max(seq) FROM audit_log").fetchone()[0]
    (tmp_path / "bad.gpx").write_bytes(BOMB)
    with pytest.raises(GpxError):
        patrols.import_gpx(patrol.id, tmp_path / "bad.gpx")
    assert patrols.get(patrol.id).data.get("route") is None
    assert store.conn.execute("SELECT max(seq) FROM audit_log").fetchone()[0] == seq  # nothing written
    # the day before the store's clock (2026-11-27): a track dated after it is refused
    (tmp_path / "good.gpx").write_bytes(GPX11.replace(b"2026-12-01", b"2026-11-26"))
    record, info = patrols.import_gpx(patrol.id, tmp_path / "good.gpx")
    assert info == {"added": 4, "given": 4, "total": 4}
    assert [p["source"] for p in record.data["route"]] == ["track", "waypoint", "track", "track"]
    entry = store.conn.execute("SELECT summary FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()[0]
    assert "添加路线点 4 个（GPX：good.gpx）" in entry


def test_a_dense_track_is_thinned_evenly_keeping_first_and_last():
    points = [{"lat": i / 1000, "lon": 0.0} for i in range(10_001)]
    kept = thin(points, MAX_POINTS)
    assert len(kept) == MAX_POINTS and kept[0] is points[0] and kept[-1] is points[-1]
    gaps = {round(b["lat"] - a["lat"], 3) for a, b in zip(kept, kept[1:])}
    assert gaps <= {0.005, 0.006}  # evenly spaced
    assert thin(points[:10], 20) == points[:10]
