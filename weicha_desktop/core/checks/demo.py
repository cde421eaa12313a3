"""Demo 核查 data (for `weicha demo`, core/demo.py): the three usual watch lists imported the way
an administrator imports them (a CSV file each, through ``import_list``), a few of their people
being witnesses of demo cases, and checks made by an officer — hits and misses, logged as any."""
from __future__ import annotations

import random
import tempfile
from datetime import date, timedelta
from pathlib import Path

from weicha_desktop.core.checks.lists import import_list
from weicha_desktop.core.checks.service import CheckService
from weicha_desktop.core.forms.validators import id_check_char
from weicha_desktop.core.store import Actor, Store

REGIONS = ("450702", "450703", "450721", "450722", "450781")
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
# Days between a list's date and its import (the demo imports its lists just before its patrols,
# a few days before its "now": core/demo.py). 失踪人员 is the one deliberately out of date
# (past the default max age of 7 days: a person check warns, the 核查 page marks it); the others
# are as recent as a unit's lists usually are.
LIST_AGES = {"在逃人员": 1, "失踪人员": 12, "被盗抢机动车": 0}
REASONS = {"在逃人员": ("网上追逃（盗窃）", "网上追逃（诈骗）", "取保候审期间脱逃"),
           "失踪人员": ("家属报失踪", "走失老人", "离家出走未成年人")}


def _id_number(rng: random.Random) -> str:
    born = date(1950, 1, 1) + timedelta(days=rng.randrange(25000))
    first17 = f"{rng.choice(REGIONS)}{born:%Y%m%d}{rng.randrange(1000):03d}"
    return first17 + id_check_char(first17)


def _plate(rng: random.Random) -> str:
    serial = "".join(rng.choice("0123456789") for _ in range(4)) + rng.choice(PLATE_LETTERS + "0123456789")
    return "桂" + rng.choice("NAPK") + serial


def fill_demo_checks(store: Store, admin: Actor, officer: Actor, *, seed: int = 7, entries: int = 200,
                     checks: int = 12) -> dict[str, int]:
    """Import 被盗抢机动车, 在逃人员 and 失踪人员 (``entries`` each; two witnesses of demo cases
    among the persons, two of the demo's 采集 vehicles among the plates) and make ``checks``
    checks as ``officer``. -> {result: count}."""
    rng = random.Random(seed)
    today = store.clock.now().date()
    witnesses = [k for (k,) in store.conn.execute(
        "SELECT DISTINCT key FROM record_keys WHERE field LIKE 'witnesses[%].id_number' ORDER BY key LIMIT 2")]
    people = {"在逃人员": witnesses[:1], "失踪人员": witnesses[1:2]}
    on_lists = [("person", k) for k in witnesses]
    plates: list[str] = []
    with tempfile.TemporaryDirectory(prefix="weicha-demo-lists-") as tmp:
        for name, reasons in REASONS.items():
            keys = sorted(set(people[name] + [_id_number(rng) for _ in range(entries)]))
            lines = ["身份证号,姓名,原因,发布单位"] + [
                f"{k},{rng.choice('张王李赵陈刘黄周')}某{i},{rng.choice(reasons)},钦州市公安局" for i, k in enumerate(keys)]
            people[name] = keys
            path = Path(tmp) / f"{name}.csv"
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            import_list(store, admin, path, name, list_date=(today - timedelta(days=LIST_AGES[name])).isoformat())
        known = [p for (p,) in store.conn.execute(  # the demo's own vehicles (采集): patrols check them
            "SELECT DISTINCT json_extract(data, '$.plate') FROM record_versions WHERE kind = 'vehicle' "
            "AND json_extract(data, '$.plate') IS NOT NULL ORDER BY 1 LIMIT 2")]
        plates = sorted({*known, *(_plate(rng) for _ in range(entries))})
        lines = ["号牌,原因,车辆品牌,颜色"] + [
            f"{p},{rng.choice(('被盗', '被抢', '被盗（套牌嫌疑）'))},{rng.choice(('丰田卡罗拉', '五菱宏光', '本田雅阁'))},"
            f"{rng.choice(('白', '黑', '银'))}" for p in plates]
        path = Path(tmp) / "被盗抢机动车.csv"
        path.write_text("\n".join(lines) + "\n", encoding="gbk")  # as a unit's spreadsheet saves it
        import_list(store, admin, path, "被盗抢机动车", list_date=(today - timedelta(days=LIST_AGES["被盗抢机动车"])).isoformat())
    svc, results = CheckService(store, officer), {"hit": 0, "miss": 0}
    on_lists += [("person", people["在逃人员"][-1]), ("vehicle", plates[0])]
    for i in range(checks):
        kind, key = on_lists[i] if i < len(on_lists) else rng.choice(
            (("person", _id_number(rng)), ("vehicle", _plate(rng))))
        results[svc.check(key, kind, "scanner" if i % 3 else "typed").result] += 1
    return results
