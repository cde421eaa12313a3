"""巡逻 and 互动's part of the demo (core/demo.py, ``fill_demo(collect=True)``; `weicha demo`):
on the days after the demo's cases, patrols by the demo technicians — a route walked around
钦州 (a point every two minutes), an observation, a vehicle seen on the way checked (核查:
logged as any check) and, when it is one of the demo's vehicles, linked to the patrol; ended
and mostly finalized — and public requests: 报警求助 and 民情民意 from the usual sources, most
handled step by step to 已办结 and finalized, some left pending or in progress (old enough to
be overdue). Everything goes through the services, on the demo's story clock."""
from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from weicha_desktop.core.checks.service import CheckService
from weicha_desktop.core.collect import VehicleService
from weicha_desktop.core.collect.demo import demo_plate
from weicha_desktop.core.forms import FormRegistry
from weicha_desktop.core.requests import RequestService
from weicha_desktop.core.store import Actor, Store

from .service import PatrolService

AREAS = ("文峰路一带", "白石湖公园周边", "钦州港大道", "人民路商业街", "钦州北站广场", "子材东大街夜市")
OBSERVATIONS = ("路灯损坏两处，已通知市政", "一辆电动车停放占用消防通道，已提醒车主挪走", "夜市人流较大，秩序正常",
                "发现一名醉酒男子，已联系家属接回", "商铺卷帘门未锁，已联系店主")
REQUESTS = (("alarm", "phone", "邻居家传出呼救声，请求民警到场"), ("alarm", "on_site", "电动车被盗，请求帮助查找"),
            ("alarm", "phone", "有人在小区门口打架"), ("opinion", "online", "希望夜间加强文峰路巡逻"),
            ("opinion", "visit", "反映小区附近网吧接纳未成年人"), ("opinion", "letter", "建议在学校门口增设护学岗"))
CENTRE = (21.9500, 108.6200)


def fill_patrols_and_requests(store: Store, forms: FormRegistry, officers: list[Actor], clock: Any,
                              rng: random.Random, *, patrols: int = 6, requests: int = 8) -> dict[str, int]:
    """``patrols`` patrols and ``requests`` requests by ``officers`` on the story ``clock``
    (advance_to); -> counts."""
    start = clock.now().replace(hour=8, minute=0, second=0) + timedelta(days=1)
    made = {"patrols": 0, "requests": 0, "checks": 0}
    for i in range(max(patrols, requests)):
        day = start + timedelta(days=i)
        officer = officers[i % len(officers)]
        with store.batch():  # one commit a day
            if i < patrols:
                made["checks"] += _patrol(store, forms, officer, clock, day + timedelta(hours=rng.randrange(0, 10)), rng)
                made["patrols"] += 1
            if i < requests:
                _request(store, forms, officer, clock, day + timedelta(hours=10, minutes=rng.randrange(0, 480)), rng, i)
                made["requests"] += 1
    return made


def _patrol(store: Store, forms: FormRegistry, officer: Actor, clock: Any, at: datetime,
            rng: random.Random) -> int:
    clock.advance_to(at)
    svc = PatrolService(store, forms, officer)
    patrol = svc.create({"area": rng.choice(AREAS), "mode": rng.choice(("foot", "car", "motorbike"))})
    lat, lon = CENTRE[0] + rng.uniform(-0.01, 0.01), CENTRE[1] + rng.uniform(-0.01, 0.01)
    points = []
    for n in range(rng.randrange(10, 30)):
        lat, lon = lat + rng.uniform(-0.0012, 0.0012), lon + rng.uniform(-0.0012, 0.0012)
        points.append({"lat": round(lat, 6), "lon": round(lon, 6), "source": "track",
                       "time": (at + timedelta(minutes=2 * n)).isoformat()})
    svc.add_points(patrol.id, points, what="（轨迹）")
    clock.advance_to(at + timedelta(minutes=25))
    svc.update(patrol.id, {"observations": [{"time": clock.now().replace(second=0).isoformat(),
                                             "content": rng.choice(OBSERVATIONS)}]})
    checks = 0
    if rng.random() < 0.7:  # a vehicle seen on the way (one the demo's cases know, if any): checked, linked
        known = VehicleService(store, forms, officer).list(limit=20)
        car = rng.choice(known) if known else None
        CheckService(store, officer).check(car["plate"] if car else demo_plate(rng), "vehicle", "typed")
        checks += 1
        if car:
            svc.link(patrol.id, car["id"], "巡逻中停车盘查")
    clock.advance_to(at + timedelta(minutes=2 * len(points) + 10))
    svc.end(patrol.id)
    if rng.random() < 0.8:
        svc.finalize(patrol.id)
    return checks


def _request(store: Store, forms: FormRegistry, officer: Actor, clock: Any, at: datetime,
             rng: random.Random, i: int) -> None:
    clock.advance_to(at)
    kind, source, content = REQUESTS[i % len(REQUESTS)]
    svc = RequestService(store, forms, officer)
    phone = rng.choice(["138", "139", "177", "186"]) + f"{rng.randrange(10**8):08d}"
    request = svc.create({"request_type": kind, "source": source, "content": content,
                          "contact_name": rng.choice("张王李赵陈刘黄周") + rng.choice(("先生", "女士")),
                          "contact_phone": phone, "address": f"钦州市钦南区{rng.choice(AREAS)}"})
    roll = rng.random()
    if roll < 0.15:
        return  # still waiting
    clock.advance_to(at + timedelta(minutes=rng.randrange(5, 60)))
    svc.step(request.id, "in_progress", "已安排民警联系求助人" if kind == "alarm" else "已转相关部门核实")
    if roll < 0.3:
        return  # in progress
    clock.advance_to(at + timedelta(hours=rng.randrange(2, 20)))
    svc.update(request.id, {"result": "已到场处置，群众满意" if kind == "alarm" else "已答复反映人"})
    svc.step(request.id, "done", "已办结并回访")
    svc.finalize(request.id)
