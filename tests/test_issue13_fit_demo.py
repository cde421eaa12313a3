"""`weicha demo` on the injected clock (issue 13 review): everything it makes is in the past of
the store's clock (the patrols and requests in its last days, not on the days after the cases —
some were dated after today); the open requests overdue by hours or days, not weeks; the watch
lists recent, one (失踪人员) deliberately out of date to show the warning."""
from datetime import datetime, timedelta

import pytest

from weicha_desktop.core.checks.lists import lists
from weicha_desktop.core.clock import parse_iso
from weicha_desktop.core.demo import fill_demo
from weicha_desktop.core.requests import RequestService
from weicha_desktop.core.users import UserService

from tests.support import CST, fixed_clock, forms, new_store

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=CST)  # 11 days after the demo's cases


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    store = new_store(tmp_path_factory.mktemp("fitdemo") / "d", clock=fixed_clock(NOW))
    fill_demo(store, forms(), cases=8, seed=7, admin=UserService(store).get("admin"), batch=8, collect=True)
    yield store
    store.close()


TIMES = {"audit_log": "at", "checks": "at", "records": "updated_at", "record_versions": "updated_at",
         "reviews": "at", "outbox": "created_at", "watch_sets": "updated_at"}


def test_everything_the_demo_makes_is_in_the_past_of_its_clock(demo):
    now = demo.clock.now()
    for table, column in TIMES.items():
        times = [parse_iso(t) for (t,) in demo.conn.execute(f"SELECT {column} FROM {table}")]
        assert times and max(times) < now, (table, max(times))
    for kind, field in (("request", "received_at"), ("patrol", "started_at"), ("patrol", "ended_at")):
        values = [parse_iso(v) for (v,) in demo.conn.execute(
            f"SELECT json_extract(data, '$.{field}') FROM record_versions WHERE kind = ?", (kind,))]
        assert values and max(values) < now and min(values) > now - timedelta(days=6), (kind, field)


def test_the_demo_requests_left_open_are_overdue_by_days_not_weeks(demo):
    admin = UserService(demo).get("admin")
    overdue = RequestService(demo, forms(), admin).overdue()
    assert overdue, "the demo shows overdue requests"
    now = demo.clock.now()
    for row in overdue:
        late = now - parse_iso(row["due_at"])
        assert timedelta(0) < late < timedelta(days=5), (row["due_at"], late)


def test_the_demo_lists_are_recent_but_the_one_meant_to_show_the_warning(demo):
    held = lists(demo, demo.clock.now().date())
    assert {i.name for i in held} == {"在逃人员", "失踪人员", "被盗抢机动车"}
    assert [i.name for i in held if i.stale] == ["失踪人员"]
    assert all(i.age_days <= 6 for i in held if not i.stale)
