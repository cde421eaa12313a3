"""巡逻 (core/patrol): a patrol's life — start prefilled, officers, points, the end as a step of
its own, the summary (duration, haversine distance, points, linked records, the checks its
officers made while it ran, hits) — with an injected clock."""
from __future__ import annotations

import json

import pytest

from weicha_desktop.core.checks import CheckService, import_list
from weicha_desktop.core.collect import PersonService
from weicha_desktop.core.errors import FinalizeBlocked, InvalidState, ValidationFailed, WeichaError
from weicha_desktop.core.patrol import MAX_POINTS, PatrolService, haversine_m, route_length_m
from weicha_desktop.core.users import UserService

from tests.outbox_support import outbox_rows
from tests.support import PASSWORD, ManualClock, forms, new_store

A, B = {"lat": 21.95, "lon": 108.62}, {"lat": 21.96, "lon": 108.62}


@pytest.fixture
def env(tmp_path):
    clock = ManualClock()  # 2026-11-27 09:00 +08:00, still until moved
    store = new_store(tmp_path / "data", clock=clock)
    users = UserService(store)
    admin = users.authenticate("admin", PASSWORD)
    tech = users.add(admin, "王强", "technician", "tech-pass-1", badge_no="300001")
    other = users.add(admin, "李娜", "technician", "tech-pass-2", badge_no="300002")
    yield store, clock, PatrolService(store, forms(), tech), tech, other
    store.close()


def test_haversine_gives_the_known_distances():
    assert haversine_m({"lat": 0, "lon": 0}, {"lat": 1, "lon": 0}) == pytest.approx(111_195, abs=1)
    assert haversine_m(A, B) == pytest.approx(1_112, abs=1)
    # Beijing – Shanghai, ~1,067 km great-circle
    assert haversine_m({"lat": 39.9042, "lon": 116.4074}, {"lat": 31.2304, "lon": 121.4737}) / 1000 \
        == pytest.approx(1067, abs=3)
    assert route_length_m([A, {"note": "坐标缺"}, B, B]) == pytest.approx(1_112, abs=1)
    assert route_length_m([]) == 0


def test_a_patrol_starts_now_with_its_officer_and_ends_as_a_step(env):
    store, clock, patrols, tech, _ = env
    patrol = patrols.create({"area": "文峰路一带", "mode": "foot"})
    assert patrol.data["started_at"] == "2026-11-27T09:00:00+08:00"
    assert [o["name"] for o in patrol.data["officers"]] == ["王强"]
    assert patrols.officer_ids(patrol) == [tech.id]  # the officer is a user here (record_people)
    clock.advance(95 * 60 + 30)
    ended = patrols.end(patrol.id, "返回所里")
    assert ended.data["ended_at"] == "2026-11-27T10:35:00+08:00"
    op = outbox_rows(store)[-1]
    assert op["op"] == "patrol.end" and json.loads(op["payload"])["ended_at"] == "2026-11-27T10:35:00+08:00"
    entry = store.conn.execute("SELECT action, summary, details FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    assert entry[0] == "patrol.update" and "结束巡逻" in entry[1] and "返回所里" in entry[1]
    assert json.loads(entry[2])["step"] == "end"
    with pytest.raises(InvalidState, match="已于 2026-11-27 10:35 结束"):
        patrols.end(patrol.id)


def test_an_end_before_the_start_is_refused(env):
    _, clock, patrols, _, _ = env
    # a start a few minutes ahead of this laptop's clock (another device's): within the tolerance
    patrol = patrols.create({"area": "文峰路一带", "started_at": "2026-11-27T09:05:00+08:00"})
    with pytest.raises(WeichaError, match="早于巡逻的开始时间"):
        patrols.end(patrol.id)
    with pytest.raises(ValidationFailed, match="结束时间.*早于开始时间"):
        patrols.update(patrol.id, {"ended_at": "2026-11-27T09:01:00+08:00"})
    patrols.update(patrol.id, {"ended_at": "2026-11-27T09:08:00+08:00"})
    with pytest.raises(ValidationFailed, match="早于开始时间"):
        patrols.update(patrol.id, {"started_at": "2026-11-27T09:09:00+08:00"})


def test_a_patrol_is_finalized_only_once_ended(env):
    _, clock, patrols, _, _ = env
    patrol = patrols.create({"area": "文峰路一带"})
    with pytest.raises(FinalizeBlocked, match="巡逻尚未结束"):
        patrols.finalize(patrol.id)
    clock.advance(600)
    patrols.end(patrol.id)
    assert patrols.finalize(patrol.id).status == "finalized"
    with pytest.raises(InvalidState):
        patrols.end(patrol.id)


def test_the_summary_counts_what_happened_on_the_way(env, tmp_path):
    store, clock, patrols, tech, other = env
    (tmp_path / "v.csv").write_text("号牌,原因\n桂A12345,被盗\n", encoding="utf-8")
    import_list(store, UserService(store).get("admin"), tmp_path / "v.csv", "被盗抢机动车")
    CheckService(store, tech).check("桂A12345", "vehicle")          # before the patrol: not counted
    clock.advance(60)
    patrol = patrols.create({"area": "文峰路一带", "route": [{**A, "source": "typed"}]})
    clock.advance(600)
    CheckService(store, tech).check("桂A12345", "vehicle")          # a hit on the way
    CheckService(store, tech).check("桂B54321", "vehicle")          # a miss
    CheckService(store, other).check("桂A12345", "vehicle")         # another officer's, not on it
    person = PersonService(store, forms(), tech).create({"name": "黄丽", "gender": "female"})
    link = patrols.link(patrol.id, person.id, "路口盘查")
    assert link["role"] == "patrolled" and link["target_id"] == patrol.id
    patrols.add_points(patrol.id, [{**B, "source": "typed"}])
    patrols.update(patrol.id, {"observations": [{"content": "路灯损坏两处"}]})
    ongoing = patrols.summary(patrol.id)
    assert ongoing.ongoing and ongoing.duration_minutes == 10
    clock.advance(50 * 60)
    ended = patrols.summary(patrols.end(patrol.id))
    assert (ended.ongoing, ended.duration_minutes, ended.points, ended.observations, ended.records,
            ended.checks, ended.hits) == (False, 60, 2, 1, 1, 2, 1)
    assert ended.distance_m == pytest.approx(1112, abs=1)
    assert "历时 1 小时 0 分" in ended.text() and "核查 2 次（命中 1 次）" in ended.text()
    clock.advance(600)
    CheckService(store, tech).check("桂A12345", "vehicle")          # after the end: not counted
    assert patrols.summary(patrol.id).checks == 2


def test_the_list_marks_ongoing_and_ended_patrols(env):
    _, clock, patrols, _, _ = env
    first = patrols.create({"area": "文峰路一带"})
    clock.advance(60)
    second = patrols.create({"area": "白石湖公园"})
    clock.advance(60)
    patrols.end(first.id)
    assert {r["id"] for r in patrols.list()} == {first.id, second.id}
    assert [r["id"] for r in patrols.list(ongoing=True)] == [second.id]
    assert [r["id"] for r in patrols.list(ongoing=False)] == [first.id]
    assert patrols.list(text="白石湖")[0]["label"] == "2026-11-27 09:01 白石湖公园"


def test_a_route_past_the_limit_is_refused_however_it_comes(env):
    _, _, patrols, _, _ = env
    too_many = [{"lat": 21.9, "lon": 108.6}] * (MAX_POINTS + 1)
    with pytest.raises(ValidationFailed, match="路线点过多"):
        patrols.create({"area": "文峰路一带", "route": too_many})
    patrol = patrols.create({"area": "文峰路一带", "route": too_many[:MAX_POINTS]})
    with pytest.raises(ValidationFailed, match="路线点过多"):
        patrols.update(patrol.id, {"route": too_many})
    with pytest.raises(WeichaError, match="不能再添加"):
        patrols.add_points(patrol.id, [{"lat": 1.0, "lon": 2.0}] * 3)
