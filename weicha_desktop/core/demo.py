"""Realistic Chinese demo data: a unit in 钦州, its technicians and a supervisor, and scene
cases in every state (the finished ones with 附件4, the analysis report, filled in). For trying the app, screenshots and benchmarks. Everything goes through
the same services (and so the same write path) as real work."""
from __future__ import annotations

import math
import random
from contextlib import nullcontext
from datetime import date, datetime, timedelta, timezone
from typing import Any, Callable

from weicha_desktop.core.cases import CaseService
from weicha_desktop.core.clock import Clock
from weicha_desktop.core.errors import WeichaError
from weicha_desktop.core.forms import FormRegistry
from weicha_desktop.core.forms.validators import id_check_char
from weicha_desktop.core.setup import initialize
from weicha_desktop.core.store import Actor, Store
from weicha_desktop.core.users import UserService

CST = timezone(timedelta(hours=8))
DEMO_END = datetime(2026, 11, 20, 9, 30, tzinfo=CST)
CASES_PER_MONTH = 2500  # K and H serials restart monthly; one device has 9,999 of each
DEMO_UNIT = ("450702000000", "钦州市公安局钦南分局刑事侦查大队")
# The demo users' password (admin too, in a folder the demo sets up itself). Never the
# password of a real administrator: in a folder made by init / the first-run wizard the
# admin's password is neither used for nor given to the demo users, nor changed.
DEMO_PASSWORD = "weicha-demo-2026"
TECHNICIANS = [("李明", "技术员"), ("黄志强", "副中队长"), ("陆海燕", "技术员"), ("韦国栋", "主检法医")]
SUPERVISOR = ("周建国", "大队长")
# 警号 of the demo's users (and of the admin of a folder the demo sets up itself)
BADGES = {"admin": "450001", "李明": "450011", "黄志强": "450012", "陆海燕": "450013",
          "韦国栋": "450014", "周建国": "450002"}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐韦覃陆蒙莫"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英海燕志国华建文玉梅"
STREETS = ["文峰路", "永福西大街", "扬帆路", "南珠大街", "北部湾大道", "子材东大街", "人民路",
           "新兴街", "二马路", "建设路", "钦州湾大道", "安州大道", "白石湖路", "鸿亭路"]
PLACES = ["小区", "花园", "商住楼", "综合市场", "城中村", "工业园", "停车场", "临街商铺"]
STATIONS = ["向阳派出所", "南珠派出所", "尖山派出所", "水东派出所", "沙埠派出所", "康熙岭派出所"]
# The record holds codes (form version 3; their words: forms/choices/). What the victim
# reported, in the narrative, by case type:
CASE_TYPES = ["burglary"] * 5 + ["ebike_theft"] * 3 + ["vehicle_theft", "bicycle_theft",
                                                       "pickpocketing", "snatching",
                                                       "criminal_damage", "fraud", "robbery"]
REPORTED = {"burglary": "家中被盗", "ebike_theft": "停放的电动车被盗", "vehicle_theft": "停放的汽车被盗",
            "bicycle_theft": "停放的自行车被盗", "pickpocketing": "随身财物被扒窃",
            "snatching": "随身财物被抢夺", "criminal_damage": "财物被故意毁坏", "fraud": "被骗取财物",
            "robbery": "遭人抢劫"}
TRACES = [  # (category, name, where, method)
    ("fingerprint", "灰尘减层手印", "窗台内侧", "powder"),
    ("fingerprint", "汗潜手印", "被撬抽屉面板", "cyanoacrylate"),
    ("footprint", "鞋印（网状花纹）", "卧室地面", "electrostatic"),
    ("footprint", "立体鞋印", "院墙外泥土地面", "plaster_cast"),
    ("tool_mark", "撬压痕迹", "入户门锁舌处", "tape_lift"),
    ("biological", "烟头", "客厅茶几", "original_item"),
    ("biological", "可疑血迹", "窗户玻璃破口处", "swab"),
    ("audio_visual", "监控录像", "小区门口监控", "photographed"),
]


def _person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _id_number(rng: random.Random) -> tuple[str, str, str]:
    """-> (id_number, gender code, birth_date) with a correct check character."""
    born = date(1960, 1, 1) + timedelta(days=rng.randrange(0, 365 * 45))
    seq = rng.randrange(0, 1000)
    first17 = f"450702{born:%Y%m%d}{seq:03d}"
    return first17 + id_check_char(first17), ("male" if seq % 2 else "female"), born.isoformat()


def _phone(rng: random.Random) -> str:
    return rng.choice(["138", "139", "137", "158", "186", "177"]) + f"{rng.randrange(10**8):08d}"


def _iso(dt: datetime) -> str:
    return dt.replace(second=0, microsecond=0).isoformat()


def scene_values(seed: int = 0, *, start: datetime | None = None,
                 technicians: list[tuple[str, str]] | None = None,
                 unit_name: str = DEMO_UNIT[1]) -> dict[str, Any]:
    """A complete, finalizable 现场勘验检查笔录 (all but the system-filled 勘验号), choices as
    codes (form version 3)."""
    rng = random.Random(seed)
    technicians = technicians or TECHNICIANS
    start = start or DEMO_END - timedelta(
        days=rng.randrange(0, 180), minutes=rng.randrange(0, 600))
    case_type = rng.choice(CASE_TYPES)
    street = rng.choice(STREETS)
    address = f"钦州市钦南区{street}{rng.randrange(1, 300)}号{rng.choice(PLACES)}" + (
        f"{rng.randrange(1, 20)}栋{rng.randrange(1, 30)}0{rng.randrange(1, 6)}室" if case_type == "burglary" else "")
    received = start - timedelta(minutes=rng.randrange(20, 90))
    reported = received - timedelta(minutes=rng.randrange(1, 10))
    occurred_to = reported - timedelta(minutes=rng.randrange(10, 300))
    crew = rng.sample(technicians, k=min(2, len(technicians)))
    evidence = []
    for n, (cat, name, where, method) in enumerate(rng.sample(TRACES, k=rng.randrange(1, 4)), 1):
        status = rng.choice(["submitted", "submitted", "match", "no_match"])
        row = {"name": name, "category": cat, "features": f"{where}提取，{name}，完整程度一般",
               "quantity": 1 if cat != "footprint" else rng.randrange(1, 4), "location": where,
               "method": method, "collector": crew[0][0],
               "collected_at": _iso(start + timedelta(minutes=20 + 10 * n)),
               "comparison_status": status}
        if status in ("match", "no_match"):
            row["compared_on"] = (start + timedelta(days=rng.randrange(2, 20))).date().isoformat()
            row["comparison_result"] = "比中前科人员指纹库" if status == "match" else "全国库比对未比中"
        evidence.append(row)
    wid, wgender, wborn = _id_number(rng)
    witness = {"name": _person_name(rng), "gender": wgender, "birth_date": wborn,
               "address": f"钦州市钦南区{rng.choice(STREETS)}{rng.randrange(1, 200)}号",
               "id_number": wid, "phone": _phone(rng)}
    victim = _person_name(rng)
    return {
        "investigating_unit": unit_name,
        "assigning_unit": f"钦州市公安局{rng.choice(STATIONS)}",
        "received_at": _iso(received), "reported_at": _iso(reported),
        "reporter": {"name": victim, "phone": _phone(rng)},
        "incident_address": address, "case_type": case_type,
        "occurred_from": _iso(occurred_to - timedelta(hours=rng.randrange(2, 12))),
        "occurred_to": _iso(occurred_to),
        "started_at": _iso(start), "ended_at": _iso(start + timedelta(minutes=rng.randrange(40, 150))),
        "scene_address": address,
        "scene_location": {"lat": round(21.95 + rng.random() * 0.05, 6),
                           "lon": round(108.60 + rng.random() * 0.06, 6)},
        "protector": {"name": _person_name(rng), "unit": rng.choice(STATIONS), "title": "民警"},
        "protection_measures": ["cordon", "guarded"],
        "scene_state": "original",
        "weather": rng.choice(["sunny", "overcast", "cloudy", "rain"]),
        "temperature": float(rng.randrange(8, 34)), "humidity": rng.randrange(45, 95),
        "wind_direction": rng.choice(["calm", "southeast", "south", "north"]),
        "lighting": "daylight" if 7 <= start.hour < 18 else "artificial",
        "commander": {"name": crew[-1][0], "unit": unit_name, "title": crew[-1][1]},
        "narrative_location": f"现场位于{address}，东邻{rng.choice(STREETS)}，西侧为居民住宅区。",
        "narrative_overview": f"报案人{victim}称{REPORTED[case_type]}。现场为{rng.choice(PLACES)}，周围环境清静。",
        "narrative_center": "中心现场位于室内卧室，衣柜门敞开，抽屉被翻动，物品散落于地面。",
        "narrative_process": "勘验人员按照由外向内、先静后动的顺序进行勘验，对现场进行拍照固定。",
        "narrative_extraction": "、".join(e["name"] for e in evidence) + "，均已登记于提取痕迹物证登记表。",
        "narrative_search": "对现场周边 200 米范围进行搜索，未发现遗留作案工具。",
        "narrative_visit": f"访问报案人{victim}及邻居，了解案发前后情况。",
        "sketch_count": rng.randrange(1, 3), "photo_total": rng.randrange(8, 40),
        "recorder": crew[0][0], "photographer": crew[-1][0], "sketcher": crew[0][0],
        "investigators": [{"name": n, "unit": unit_name, "title": t} for n, t in crew],
        "witnesses": [witness],
        "evidence": evidence,
    }


# 附件4 现场勘验情况分析报告, by case type: (侵害目标, 进出口, 侵入方式 codes, 作案手段, 作案工具)
ANALYSIS = {
    "burglary": ("室内现金、首饰等贵重物品", "入户门（进）、入户门（出）",
                 ["forced_lock", "picked_lock", "window", "unlocked_door"],
                 "撬压入户门锁舌入室，翻动卧室衣柜、床头柜抽屉，专取现金、首饰", "一字螺丝刀类撬压工具"),
    "ebike_theft": ("停放的电动自行车", "小区车棚出入口", ["no_entry"],
                    "剪断车锁后破坏电门锁，推离或骑离现场", "液压剪、短接电线"),
    "vehicle_theft": ("路边停放的小型汽车", "车辆驾驶室左前门", ["no_entry"],
                      "破坏车门锁进入驾驶室，以技术手段启动车辆驶离", "改锥、解码器类工具"),
    "bicycle_theft": ("停放的自行车", "车棚出入口", ["no_entry"], "剪断车锁后推离现场", "断线钳"),
}
ANALYSIS_OTHER = ("事主随身携带的财物", "现场周边道路", ["no_entry"],
                  "趁事主不备实施作案后迅速逃离", "未发现作案工具")
CASE_CHARACTER = {"burglary": "入室盗窃案", "ebike_theft": "盗窃电动自行车案",
                  "vehicle_theft": "盗窃机动车案", "bicycle_theft": "盗窃非机动车案",
                  "pickpocketing": "扒窃案", "snatching": "抢夺案", "criminal_damage": "故意毁坏财物案",
                  "fraud": "诈骗案", "robbery": "抢劫案"}


def analysis_values(values: dict[str, Any]) -> dict[str, Any]:
    """附件4 for a finished scene (form version 4 on): what the technicians concluded, from
    the case's own facts. Its own random stream (seeded by the case's start), so the demo's
    numbers and times stay what they were."""
    rng = random.Random(values["started_at"])
    case_type = values["case_type"]
    target, entry_exit, methods, modus, tools = ANALYSIS.get(case_type, ANALYSIS_OTHER)
    start = datetime.fromisoformat(values["occurred_from"])
    end = datetime.fromisoformat(values["occurred_to"])
    traces = "、".join(e["name"] for e in values.get("evidence", [])) or "未提取到痕迹物证"
    offenders = rng.choice((1, 1, 2))
    method = rng.choice(methods)
    street = rng.choice(STREETS)
    return {
        "analysis_basis": f"现场勘验检查情况；现场访问报案人及周边群众；现场提取的{traces}；周边视频监控。",
        "analysis_case_character": CASE_CHARACTER.get(case_type, "刑事案件"),
        "analysis_target": target,
        "analysis_time": f"{start:%m月%d日%H时}至{end:%m月%d日%H时}之间，"
                         f"{'夜间' if start.hour >= 20 or start.hour < 6 else '白天'}无人时段",
        "analysis_place": values["scene_address"],
        "analysis_entry_exit": entry_exit,
        "analysis_route": f"作案人经{street}方向进入现场，得手后原路逃离。",
        "analysis_entry_method": method,
        "analysis_modus": modus,
        "analysis_tools": tools,
        "analysis_motive": "图财",
        "analysis_offenders": offenders,
        "analysis_course": f"作案人{'单独' if offenders == 1 else '结伙'}到达现场，观察确认无人后"
                           f"{modus}，得手后携赃物离开。",
        "analysis_traits": "熟悉周边环境，作案目标明确，具有一定反侦查意识，不排除有同类前科。",
        "analysis_linkage": f"与近期{street}周边发生的同类案件作案时段、手段相近，建议串并侦查。",
        "analysis_suggestions": "调取案发时段周边道路及小区出入口视频监控；将现场提取的痕迹物证录入"
                                "相关数据库比对；排查有同类前科的人员。",
        "analyst": values["investigators"][0]["name"],
        "analysis_date": datetime.fromisoformat(values["ended_at"]).date().isoformat(),
    }


class StoryClock(Clock):
    """The demo's time: each case is written during its scene work (and finalized, reviewed
    after it), so the audit log, the list's times and the numbers' months (K…/H… serials
    restart monthly) follow the story instead of all falling into the month the demo is run.
    Never goes back."""

    def __init__(self, start: datetime):
        self._t = start

    def advance_to(self, t: datetime) -> None:
        self._t = max(self._t, t)

    def now(self) -> datetime:
        self._t += timedelta(seconds=1)
        return self._t


def timeline(count: int, rng: random.Random) -> list[datetime]:
    """When each demo case was investigated, oldest first: day time (07:00–22:00) on days
    spread back from DEMO_END, at most about CASES_PER_MONTH a month."""
    days = max(180, math.ceil(count / CASES_PER_MONTH * 30.4))
    first = DEMO_END.replace(hour=0, minute=0) - timedelta(days=days)
    draw = rng.randrange  # (minutes from ``first`` as ints, sorted, then made times: ~2x faster)
    minutes = sorted(draw(days) * 1440 + draw(7 * 60, 22 * 60) for _ in range(count))
    return [first + timedelta(minutes=m) for m in minutes]


def fill_demo(store: Store, forms: FormRegistry, *, cases: int, seed: int = 7,
              password: str = DEMO_PASSWORD, admin: Actor | None = None, batch: int = 500,
              progress: Callable[[int, int], None] | None = None, collect: bool = False) -> str:
    """Fill ``store`` with ``cases`` demo cases (about half finalized, some reviewed, some
    returned, the rest drafts). Initializes an empty folder with the demo unit first (its
    admin "admin" gets ``password``, as the demo users do). In a folder already set up, the
    demo users missing are added by ``admin`` (a logged-in administrator) with ``password``;
    the administrator's own password is never used, changed or shown.

    Every case goes through CaseService (record + audit entry + outbox operation per change);
    ``batch`` cases share one commit (``Store.batch``; 1 = a commit per change, as in real
    work). ``progress(done, cases)`` is called after each commit. The same seed gives the same
    cases, numbers and times. Cases are spread over the months before DEMO_END, at most about
    CASES_PER_MONTH a month (each month has 9,999 serials per device); a second fill of the
    same folder adds to the same months. ``collect``: also 采集 records linked to the cases
    (core/collect/demo.py: each case's witness as a person, some vehicles and places)."""
    rng = random.Random(seed)
    when = timeline(cases, rng)
    story = StoryClock((when[0] if when else DEMO_END) - timedelta(days=1))
    clock, store.clock = store.clock, story
    try:
        fresh = not store.is_initialized()
        techs, supervisor, added = _demo_users(store, password, admin)
        review = CaseService(store, forms, supervisor)
        unit_name = store.meta("unit_name") or DEMO_UNIT[1]
        counts = dict.fromkeys(("draft", "finalized", "reviewed", "returned"), 0)
        links, collect_rng = 0, random.Random(seed * 7_919 + 1)  # its own: the cases stay the same
        step = max(1, batch)
        for first in range(0, cases, step):
            with store.batch() if step > 1 else nullcontext():
                for i in range(first, min(first + step, cases)):
                    svc = CaseService(store, forms, rng.choice(techs))
                    values = scene_values(seed * 100_003 + i, start=when[i], unit_name=unit_name)
                    state, case_id = _story(story, svc, review, values, rng.random(), rng)
                    counts[state] += 1
                    if collect:
                        from weicha_desktop.core.collect.demo import collect_for_case

                        links += collect_for_case(store, forms, svc.actor, case_id, values, collect_rng)
            if progress:
                progress(min(first + step, cases), cases)
        if collect:  # then the watch lists (a few witnesses and vehicles on them), patrols, requests
            from weicha_desktop.core.checks.demo import fill_demo_checks
            from weicha_desktop.core.patrol.demo import fill_patrols_and_requests

            from weicha_desktop.core.patrol.demo import demo_window

            patrols, requests = min(12, 2 + cases // 20), min(16, 3 + cases // 15)
            until = clock.now()  # the injected clock's now: what follows is in its recent past
            story.advance_to(demo_window(story.now(), until, max(patrols, requests))[0] - timedelta(minutes=20))
            lists_by = admin or UserService(store).get("admin")
            if lists_by is not None and lists_by.role == "admin":
                fill_demo_checks(store, lists_by, techs[0], seed=seed)

            more = fill_patrols_and_requests(store, forms, techs, story, random.Random(seed * 104_729 + 3),
                                             patrols=patrols, requests=requests, until=until)
    finally:
        store.clock = clock
    if fresh:
        users = f"用户 admin、{'、'.join(added)}，密码均为演示密码 {password}"
    elif added:
        users = f"新添加的演示用户 {'、'.join(added)}，密码为演示密码 {password}（管理员密码未改动）"
    else:
        users = "演示用户已存在，密码未改动"
    return (f"演示数据已生成：{cases} 起勘验（草稿 {counts['draft']}，已定稿 {counts['finalized']}，"
            f"已审核 {counts['reviewed']}，退回补正 {counts['returned']}）"
            + (f"，{links} 项人员、车辆、场所与勘验的关联，巡逻 {more['patrols']} 次（途中核查 {more['checks']} 次），"
               f"群众诉求 {more['requests']} 条" if collect else "") + f"。{users}")


def _demo_users(store: Store, password: str,
                admin: Actor | None) -> tuple[list[Actor], Actor, list[str]]:
    """The demo technicians and supervisor, added where missing, and the names added."""
    users = UserService(store)
    if not store.is_initialized():
        admin = initialize(store, unit_code=DEMO_UNIT[0], unit_name=DEMO_UNIT[1],
                           admin_name="admin", admin_password=password, admin_badge=BADGES["admin"])
    wanted = [(name, "technician") for name, _title in TECHNICIANS] + [(SUPERVISOR[0], "supervisor")]
    missing = [(name, role) for name, role in wanted if users.get(name) is None]
    if missing and (admin is None or admin.role != "admin"):
        raise WeichaError(
            f"数据文件夹已初始化，演示用户（{'、'.join(n for n, _ in missing)}）尚不存在："
            "请以管理员身份登录（在 demo 前加 --user 管理员用户名）后再填入演示数据。")
    taken = [(name, holder.name) for name, _ in missing
             if (holder := users.by_badge(BADGES[name])) is not None]
    if taken:  # real users of this unit have those 警号: no demo users beside them
        raise WeichaError("演示用户的警号已属于本单位的用户（" + "、".join(
            f"{BADGES[n]}：{h}" for n, h in taken) + "），不能添加演示用户；请在空的数据文件夹中生成演示数据。")
    for name, role in missing:
        users.add(admin, name, role, password, badge_no=BADGES[name])
    found = [users.get(name) for name, _role in wanted]
    return found[:-1], found[-1], [n for n, _ in missing]


def _story(clock: StoryClock, svc: CaseService, review: CaseService, values: dict[str, Any],
           roll: float, rng: random.Random) -> tuple[str, str]:
    """One case's life: written on scene, then (70 %) finalized after the work, and some of
    those reviewed by the supervisor. -> the state it ends in, and the case's id."""
    started = datetime.fromisoformat(values["started_at"])
    ended = datetime.fromisoformat(values["ended_at"])
    clock.advance_to(started + timedelta(minutes=10))
    if roll < 0.3:  # a draft still being written: the first tabs only
        keep = list(values)[:rng.randrange(4, 14)]
        return "draft", svc.new_case({k: values[k] for k in keep}).id
    case = svc.new_case({**values, **analysis_values(values)})  # 附件4 written after the scene
    clock.advance_to(ended + timedelta(minutes=30))
    svc.finalize(case.id)
    if roll < 0.75:
        return "finalized", case.id
    clock.advance_to(ended + timedelta(hours=3))
    if roll < 0.92:
        review.review(case.id, approve=True, comment="符合要求")
        return "reviewed", case.id
    review.review(case.id, approve=False, comment="现场访问情况过简，请补充访问对象")
    return "returned", case.id
