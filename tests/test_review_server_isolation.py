"""Hostile review of e10d98d (routes shared by every app of a process): two apps in one process
with different databases (SQLite and PostgreSQL), body limits, number blocks and a device revoked
on one only — each request answers from its own app's settings and database, from threads at
once, and after an app is dropped and made again. And the one-pass free number block search
against the one-by-one search it replaced."""
from __future__ import annotations

import base64
import os
import random
import threading

import pytest
from fastapi.testclient import TestClient

from weicha_desktop.core.numbering import SlotPlan
from weicha_server import auth
from weicha_server import config as settings
from weicha_server.app import create_app
from weicha_server.numbers import _free_slot

from tests.server_support import HEADERS, UNIT, init_server, pg_database, picked_one_by_one


def _enroll(client, app, device_id: str) -> dict:
    with app.state.api.engine.begin() as conn:
        code = auth.make_code(conn, "笔记本", UNIT, 1.0)[0]
    r = client.post("/v1/enroll", json={"code": code, "device_id": device_id, "device_name": "本",
                                        "public_key": base64.b64encode(os.urandom(32)).decode(),
                                        "unit_code": UNIT, "issued": []})
    assert r.status_code == 200, r.text
    return r.json()


@pytest.fixture
def two_apps(tmp_path):
    with pg_database(migrated=True) as pg:
        made = []
        for name, db, extra in (("a", None, {"max_body": 2000, "number_slots": 3}),
                                ("b", pg, {"max_body": 200_000, "number_slots": 7})):
            init_server(tmp_path / name, db, extra)
            made.append((tmp_path / name, db))
        apps = [create_app(settings.load(d, db)) for d, db in made]
        try:
            yield made, apps
        finally:
            for app in apps:
                app.state.api.engine.dispose()


def test_two_apps_in_one_process_never_answer_with_the_other_ones_settings(two_apps):
    made, (a, b) = two_apps
    assert a.state.api.engine.dialect.name == "sqlite" and b.state.api.engine.dialect.name == "postgresql"
    with TestClient(a, headers=HEADERS) as ca, TestClient(b, headers=HEADERS) as cb:
        ea, eb = _enroll(ca, a, "dev-1"), _enroll(cb, b, "dev-1")
        assert ea["server_id"] == a.state.api.server_id != eb["server_id"] == b.state.api.server_id
        # the block sizes are each app's own number_slots: 3 and 7 blocks of the serials
        assert ea["numbers"]["slots"] == 3 and eb["numbers"]["slots"] == 7, (ea, eb)
        with a.state.api.engine.begin() as conn:
            assert auth.revoke(conn, "dev-1")  # on A only
        ta, tb = ({"Authorization": f"Bearer {e['token']}"} for e in (ea, eb))
        big = {"sha256": ["0" * 64] * 60}  # ~4 KB: over A's body limit, under B's
        errors: list[str] = []

        def hammer(n: int) -> None:
            try:
                for i in range(n):
                    if i % 2:
                        ra, rb = ca.get("/v1/devices/me", headers=ta), cb.get("/v1/devices/me", headers=tb)
                        assert ra.status_code == 401 and rb.status_code == 200, (ra.text, rb.text)
                        assert rb.json()["device_id"] == "dev-1"
                    else:
                        ra, rb = ca.post("/v1/blobs/missing", headers=ta, json=big), \
                            cb.post("/v1/blobs/missing", headers=tb, json=big)
                        assert ra.status_code == 413 and rb.status_code == 200, (ra.text, rb.text)
                    ha, hb = ca.get("/v1/health").json(), cb.get("/v1/health").json()
                    assert (ha["server_id"], hb["server_id"]) == (ea["server_id"], eb["server_id"])
            except BaseException as e:  # noqa: BLE001 — reported by the test's thread
                errors.append(repr(e))

        threads = [threading.Thread(target=hammer, args=(6,)) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert not errors, errors[:3]
    # A dropped and made again (its routes are the process's): still its own database and limits
    a.state.api.engine.dispose()
    again = create_app(settings.load(*made[0]))
    try:
        with TestClient(again, headers=HEADERS) as c:
            assert c.get("/v1/health").json()["server_id"] == ea["server_id"]
            assert c.post("/v1/blobs/missing", headers=ta, json=big).status_code == 413
            assert c.get("/v1/devices/me", headers=ta).status_code == 401
    finally:
        again.state.api.engine.dispose()


def test_the_one_pass_free_block_is_the_one_by_one_search_on_random_layouts():
    rng = random.Random(9)
    seen = set()
    for _ in range(1500):
        slots = rng.choice([1, 2, 3, 7, 10, 33, 98, 99, rng.randint(1, 99)])
        taken = []
        for _ in range(rng.randint(0, 12)):  # blocks of other sizes (number_slots changed), full units
            s = rng.randint(1, 99)
            p = SlotPlan(rng.randint(1, s), s)
            taken.append((p.first, p.last))
        if rng.random() < 0.2:  # every block of this size taken but maybe one (freed or revoked)
            free = rng.randint(0, slots)
            taken += [(SlotPlan(d, slots).first, SlotPlan(d, slots).last) for d in range(1, slots + 1) if d != free]
        rng.shuffle(taken)
        want = picked_one_by_one(slots, taken)  # the search before e10d98d
        seen.add(want is None)
        assert _free_slot(slots, taken) == want, (slots, taken)
    assert seen == {True, False}


def test_enrollments_racing_on_two_servers_of_one_postgresql_never_share_serials(tmp_path):
    """Two servers (two engines, as two processes) of one PostgreSQL database, with different
    number_slots, enroll laptops of one unit at once: no two blocks share a serial; the unit
    full, the rest are refused (409), never given a taken block."""
    with pg_database(migrated=True) as pg:
        init_server(tmp_path / "a", pg, {"number_slots": 5})
        init_server(tmp_path / "b", pg, {"number_slots": 7})
        apps = [create_app(settings.load(tmp_path / n, pg)) for n in ("a", "b")]
        got: list[tuple[int, dict]] = []
        try:
            with TestClient(apps[0], headers=HEADERS) as ca, TestClient(apps[1], headers=HEADERS) as cb:
                codes = []
                for i in range(16):
                    app = apps[i % 2]
                    with app.state.api.engine.begin() as conn:
                        codes.append(auth.make_code(conn, "笔记本", UNIT, 1.0)[0])
                barrier = threading.Barrier(16)

                def one(i: int) -> None:
                    client = (ca, cb)[i % 2]
                    barrier.wait(10)
                    r = client.post("/v1/enroll", json={
                        "code": codes[i], "device_id": f"race-{i}", "public_key": base64.b64encode(os.urandom(32)).decode(),
                        "unit_code": UNIT, "issued": []})
                    got.append((r.status_code, r.json()))

                threads = [threading.Thread(target=one, args=(i,)) for i in range(16)]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join(60)
        finally:
            for app in apps:
                app.state.api.engine.dispose()
    assert len(got) == 16 and {s for s, _ in got} <= {200, 409}, got
    blocks = sorted((b["numbers"]["first"], b["numbers"]["last"]) for s, b in got if s == 200)
    assert len(blocks) >= 5 and all(x[1] < y[0] for x, y in zip(blocks, blocks[1:])), blocks
    assert all(b["error"] == "no_number_block" for s, b in got if s == 409), got
