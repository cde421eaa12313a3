"""The server's enrollment without per-call waste (issue 9, stop 19): its statements are built
once (SQLAlchemy's compiled cache serves each enrollment: no statement, values clause or cache
key built again), and a unit's free number block is found in one pass over the blocks taken
— the same block the one-by-one search picked."""
from __future__ import annotations

import base64
import random

import pytest
import sqlalchemy as sa

from weicha_desktop.core.numbering import SlotPlan
from weicha_server import auth, db, numbers

from tests.server_support import picked_one_by_one, server_cli


def test_the_free_block_is_the_one_the_one_by_one_search_picks():
    rng = random.Random(19)
    for _ in range(400):
        slots = rng.choice((1, 2, 3, 10, 37, 99))
        taken = []
        for _ in range(rng.randrange(0, 12)):  # blocks of other block counts too (number_slots changed)
            other = rng.choice((slots, rng.randint(1, 99)))
            plan = SlotPlan(rng.randint(1, other), other)
            taken.append((plan.first, plan.last))
        rng.shuffle(taken)
        assert numbers._free_slot(slots, taken) == picked_one_by_one(slots, taken), (slots, taken)
    full = [(SlotPlan(s, 10).first, SlotPlan(s, 10).last) for s in range(1, 11)]
    assert numbers._free_slot(10, full) is None
    assert numbers._free_slot(10, full[:4] + full[5:]) == 5


@pytest.fixture
def engine(tmp_path):
    assert server_cli(tmp_path / "srv", "init").code == 0
    e = db.make_engine(f"sqlite:///{tmp_path / 'srv' / 'server.db'}")
    yield e
    e.dispose()


def enroll(engine, device_id: str) -> dict:
    key = base64.b64encode(bytes(32)).decode()
    with engine.begin() as conn:
        code, _ = auth.make_code(conn, "笔记本", None, 1.0)
        return auth.enroll_device(conn, code=code, device_id=device_id, device_name="笔记本", public_key=key,
                                  unit_code="450702000000", issued=[], slots=99).answer


def test_an_enrollment_builds_no_statement(engine, monkeypatch):
    enroll(engine, "dev-warm")
    built = []
    for cls in (sa.sql.dml.Insert, sa.sql.dml.Update, sa.sql.selectable.Select):
        init = cls.__init__
        monkeypatch.setattr(cls, "__init__", lambda self, *a, _init=init, **k: (built.append(type(self)), _init(self, *a, **k))[1])
    answers = [enroll(engine, f"dev-{i}") for i in range(3)]
    assert built == []  # every statement of make_code, enroll_device, numbers.assign, audit.append: prebuilt
    # and what they did: blocks of their own, in order, with the audit chain whole
    assert [a["numbers"]["slot"] for a in answers] == [2, 3, 4]
    with engine.connect() as conn:
        from weicha_server import audit

        assert audit.check(conn) is None
        assert [e["action"] for e in audit.entries(conn)][-6:] == ["enroll.code", "device.enroll"] * 3
