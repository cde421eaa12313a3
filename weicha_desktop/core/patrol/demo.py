"""巡逻 and 互动's part of the demo (core/demo.py, ``fill_demo(collect=True)``; `weicha demo`):
in the last days before the demo's "now" (the injected clock: all of it in the past), after
its cases, patrols by the demo technicians — a route walked around 钦州 (a point every two
minutes), an observation, a vehicle seen on the way checked (核查: logged as any check) and,
when it is one of the demo's vehicles, linked to the patrol; ended and mostly finalized — and
public requests: 报警求助 and 民情民意 from the usual sources, most handled step by step to
已办结 and finalized, every fifth left pending and every fifth in progress (the alarms among
them overdue by a day or so). Everything goes through the services, on the demo's story clock."""
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
LEFT_OPEN = (None, "pending", None, "in_progress", None)  # by the request's number: the rest are done


WINDOW = timedelta(days=5)  # the demo's patrols and requests: in the last days before its "now"
MIN_SLOT = timedelta(hours=2)


def demo_window(after: datetime, until: datetime | None, slots: int) -> tuple[datetime, timedelta]:
    """When the demo's patrols and requests happen: -> (first slot's start, a slot's length).
    ``slots`` even slots over the last WINDOW before ``until`` (the injected clock's now: all
    of it in the past, the open requests overdue by hours to days, never weeks), after
    ``after`` (the story so far: the demo's cases). Without ``until``: a slot a day from the
    day after ``after``. With less room than MIN_SLOT a slot (``until`` just after the
    story's cases), slots of MIN_SLOT from ``after``: the last may then pass ``until``."""
    if until is None:
        return after.replace(hour=8, minute=0, second=0) + timedelta(days=1), timedelta(days=1)
    end = until - timedelta(hours=1)
    start = max(after + timedelta(minutes=30), end - WINDOW)
    step = (end - start) / max(1, slots)
    return (start, step) if step >= MIN_SLOT else (after + timedelta(minutes=30), MIN_SLOT)


def fill_patrols_and_requests(store: Store, forms: FormRegistry, officers: list[Actor], clock: Any,
                              rng: random.Random, *, patrols: int = 6, requests: int = 8,
                              until: datetime | None = None) -> dict[str, int]:
    """``patrols`` patrols and ``requests`` requests by ``officers`` on the story ``clock``
    (advance_to), in the slots of ``demo_window`` (``until``: the injected clock's now);
    -> counts."""
    slots = max(patrols, requests)
    start, step = demo_window(clock.now(), until, slots)
    made = {"patrols": 0, "requests": 0, "checks": 0}
    for i in range(slots):
        slot = start + step * i
        officer = officers[i % len(officers)]
        with store.batch():  # one commit a slot
            if i < patrols:
                made["checks"] += _patrol(store, forms, officer, clock, slot + step * rng.uniform(0, 0.15), rng)
                made["patrols"] += 1
            if i < requests:
                _request(store, forms, officer, clock, slot + step * rng.uniform(0.4, 0.55), rng, i,
                         done_within=step * 0.4)
                made["requests"] += 1
    return made


def _patrol(store: Store, forms: FormRegistry, officer: Actor, clock: Any, at: datetime,
            rng: random.Random) -> int:
    clock.advance_to(at)
    at = clock.now().replace(microsecond=0)  # the clock never goes back
    svc = PatrolService(store, forms, officer)
    patrol = svc.create({"area": rng.choice(AREAS), "mode": rng.choice(("foot", "car", "motorbike"))})
    lat, lon = CENTRE[0] + rng.uniform(-0.01, 0.01), CENTRE[1] + rng.uniform(-0.01, 0.01)
    points = []
    for n in range(rng.randrange(10, 30)):
        lat, lon = lat + rng.uniform(-0.0012, 0.0012), lon + rng.uniform(-0.0012, 0.0012)
        points.append({"lat": round(lat, 6), "lon": round(lon, 6), "source": "track",
                       "time": (at + timedelta(minutes=2 * n)).isoformat()})
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
    svc.add_points(patrol.id, points, what="（轨迹）")  # the track, once walked (never a future point)
    svc.end(patrol.id)
    if rng.random() < 0.8:
        svc.finalize(patrol.id)
    return checks


def _request(store: Store, forms: FormRegistry, officer: Actor, clock: Any, at: datetime,
             rng: random.Random, i: int, *, done_within: timedelta = timedelta(hours=20)) -> None:
    clock.advance_to(at)
    kind, source, content = REQUESTS[i % len(REQUESTS)]
    svc = RequestService(store, forms, officer)
    phone = rng.choice(["138", "139", "177", "186"]) + f"{rng.randrange(10**8):08d}"
    request = svc.create({"request_type": kind, "source": source, "content": content,
                          "contact_name": rng.choice("张王李赵陈刘黄周") + rng.choice(("先生", "女士")),
                          "contact_phone": phone, "address": f"钦州市钦南区{rng.choice(AREAS)}"})
    left = LEFT_OPEN[i % len(LEFT_OPEN)]  # every fifth still waiting, every fifth in progress
    if left == "pending":
        return  # still waiting
    clock.advance_to(at + timedelta(minutes=rng.randrange(5, 60)))
    svc.step(request.id, "in_progress", "已安排民警联系求助人" if kind == "alarm" else "已转相关部门核实")
    if left == "in_progress":
        return  # in progress
    clock.advance_to(at + min(timedelta(hours=rng.randrange(2, 20)), max(done_within, timedelta(hours=1))))
    svc.update(request.id, {"result": "已到场处置，群众满意" if kind == "alarm" else "已答复反映人"})
    svc.step(request.id, "done", "已办结并回访")
    svc.finalize(request.id)
