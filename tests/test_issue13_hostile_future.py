"""Hostile tester (issue 13): what an officer records has happened — a request received in
2027, a patrol starting in 5 days, GPX points dated 2030 are refused (more than 10 minutes
after the store's clock, core/future_times.py); within the tolerance they are kept."""
from datetime import timedelta

import pytest

from weicha_desktop.core.errors import ValidationFailed, WeichaError
from weicha_desktop.core.patrol import PatrolService
from weicha_desktop.core.requests import RequestService
from weicha_desktop.core.users import UserService

from tests.support import ManualClock, forms, new_store

NOW = "2026-11-27T09:00:00+08:00"  # ManualClock's
ALARM = {"request_type": "alarm", "source": "phone", "content": "邻居家有异响", "contact_name": "张三"}


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("fut")
    store = new_store(tmp / "d", clock=ManualClock())
    admin = UserService(store).get("admin")
    yield store, PatrolService(store, forms(), admin), RequestService(store, forms(), admin), tmp
    store.close()


def test_a_request_received_in_the_future_is_refused(env):
    _, _, requests, _ = env
    with pytest.raises(ValidationFailed, match=r"受理时间（2027-01-05 09:00）在未来（现在是 2026-11-27 09:00）"):
        requests.create({**ALARM, "received_at": "2027-01-05T09:00:00+08:00"})
    kept = requests.create({**ALARM, "received_at": "2026-11-27T09:09:00+08:00"})  # within 10 minutes
    with pytest.raises(ValidationFailed, match="受理时间.*在未来"):
        requests.update(kept.id, {"received_at": "2026-11-27T02:00:00Z"})  # 10:00 here


def test_a_patrol_in_the_future_is_refused(env):
    _, patrols, _, _ = env
    with pytest.raises(ValidationFailed, match="开始时间（2026-12-02 09:00）在未来"):
        patrols.create({"area": "文峰路", "started_at": "2026-12-02T09:00:00+08:00"})
    patrol = patrols.create({"area": "文峰路"})
    with pytest.raises(ValidationFailed, match="结束时间.*在未来"):
        patrols.update(patrol.id, {"ended_at": "2026-11-27T12:00:00+08:00"})


def test_gpx_points_in_the_future_are_refused(env):
    _, patrols, _, tmp = env
    patrol = patrols.create({"area": "文峰路"})
    f = tmp / "future.gpx"
    f.write_text('<gpx><trk><trkseg><trkpt lat="21.9" lon="108.6"><time>2026-11-27T00:55:00Z</time></trkpt>'
                 '<trkpt lat="21.9" lon="108.6"><time>2030-12-01T08:00:00Z</time></trkpt></trkseg></trk></gpx>')
    with pytest.raises(WeichaError, match=r"有 1 个路线点（GPX：future.gpx）的时间在未来（第 2 个：2030-12-01 16:00"):
        patrols.import_gpx(patrol.id, f)
    assert not patrols.get(patrol.id).data.get("route")
    with pytest.raises(WeichaError, match="时间在未来"):
        patrols.add_points(patrol.id, [{"lat": 21.9, "lon": 108.6, "time": "2027-01-01T00:00:00+08:00"}])
    clock = patrols.store.clock  # the clock decides, not the machine's
    start = clock.now()
    clock.advance(timedelta(days=5 * 366).total_seconds())
    try:
        assert patrols.import_gpx(patrol.id, f)[1]["added"] == 2
    finally:
        clock.set(start)
