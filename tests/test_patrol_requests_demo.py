"""`weicha demo` fills 巡逻 and 互动 too (core/patrol/demo.py): patrols with a walked route, an
observation, a vehicle collected, checked on the way (the summary counts the check) and linked,
ended; public requests handled step by step, most done and finalized, some left open (the
oldest overdue); the folder verifies clean."""
import random
from datetime import timedelta

from weicha_desktop.core.demo import DEMO_END, StoryClock
from weicha_desktop.core.patrol import PatrolService
from weicha_desktop.core.patrol.demo import fill_patrols_and_requests
from weicha_desktop.core.requests import RequestService
from weicha_desktop.core.users import UserService
from weicha_desktop.core.verify import verify

from tests.support import forms, new_store


def test_the_demo_makes_patrols_and_requests(tmp_path):
    """(fill_demo calls it with collect=True: tests/test_collect_demo.py runs that.)"""
    store = new_store(tmp_path / "demo")
    admin = UserService(store).get("admin")
    clock = store.clock = StoryClock(DEMO_END - timedelta(days=10))
    made = fill_patrols_and_requests(store, forms(), [admin], clock, random.Random(5), patrols=2, requests=3)
    assert made["patrols"] == 2 and made["requests"] == 3
    patrols = PatrolService(store, forms(), admin)
    rows = patrols.list()
    assert len(rows) == 2 and all(r["ended_at"] for r in rows)
    summaries = [patrols.summary(r["id"]) for r in rows]
    assert all(s.points >= 10 and s.distance_m > 100 and s.observations == 1 for s in summaries)
    assert sum(s.checks for s in summaries) >= sum(s.records for s in summaries)  # a vehicle linked was checked
    requests = RequestService(store, forms(), admin).list()
    assert len(requests) == 3 and {r["request_type"] for r in requests} == {"alarm"}
    for r in requests:
        steps = RequestService(store, forms(), admin).get(r["id"]).data.get("steps") or []
        assert [s["status"] for s in steps] == ["in_progress", "done"][:len(steps)]
        assert (r["status"] == "finalized") == (r["handling"] == "done")
    assert verify(store).ok
    store.close()
