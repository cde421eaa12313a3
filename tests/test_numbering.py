from datetime import datetime

import pytest
from hypothesis import given, settings, strategies as st

from weicha_desktop.core import numbering
from weicha_desktop.core.errors import NumberingExhausted, WeichaError
from weicha_desktop.core.numbering import SlotPlan, format_number, parse_number
from weicha_desktop.core.users import UserService

from tests.support import CST, PASSWORD, UNIT, fixed_clock, new_store, raw_writes


def _issue(store, kind="K", n=1, when=None):
    admin = UserService(store).authenticate("admin", PASSWORD)
    out = []
    for _ in range(n):
        with store.change(admin) as ch:
            out.append(numbering.allocate(ch, kind, "obj", when))
            ch.log("case.export", "case", out[-1], out[-1])
    return out


def test_format_and_parse():
    n = format_number("K", UNIT, datetime(2026, 11, 3, tzinfo=CST), 7)
    assert n == "K4507020000002026110007" and len(n) == 23
    assert parse_number(n) == ("K", UNIT, "202611", 7)
    for bad in ("K45070200000020261100071", "k4507020000002026110007", "K4507020000002026130007"):
        with pytest.raises(WeichaError):
            parse_number(bad)
    with pytest.raises(WeichaError, match="12 位数字"):
        format_number("K", "4507", datetime(2026, 11, 3), 1)


def test_slot_blocks_partition_the_serials():
    plans = [SlotPlan(d, 7) for d in range(1, 8)]
    ranges = [set(range(p.first, p.last + 1)) for p in plans]
    assert sum(len(r) for r in ranges) == len(set().union(*ranges))
    assert max(p.last for p in plans) <= 9999
    with pytest.raises(WeichaError):
        SlotPlan(8, 7)


def test_serials_per_kind_and_month_restart(tmp_path):
    store = new_store(tmp_path)
    assert _issue(store, "K", 2) == ["K4507020000002026110001", "K4507020000002026110002"]
    assert _issue(store, "H", 1) == ["H4507020000002026110001"]
    assert _issue(store, "K", 1, datetime(2026, 12, 1, tzinfo=CST)) == ["K4507020000002026120001"]
    store.close()


def test_a_rolled_back_change_issues_nothing_and_numbers_never_repeat(tmp_path):
    store = new_store(tmp_path)
    admin = UserService(store).authenticate("admin", PASSWORD)
    first = _issue(store)[0]
    with pytest.raises(RuntimeError):
        with store.change(admin) as ch:
            numbering.allocate(ch, "K", "x")
            raise RuntimeError("crash before commit")
    second = _issue(store)[0]
    assert parse_number(second)[3] == parse_number(first)[3] + 1
    # even if the counter is set back, an issued number is never issued again
    with raw_writes(store):
        store.conn.execute("UPDATE serials SET last_serial = 0")
    third = _issue(store)[0]
    assert third not in (first, second)
    store.close()


def test_block_exhaustion_says_so(tmp_path):
    store = new_store(tmp_path, slot=3, slots=99)  # block of 101 serials: 203..303
    plan = SlotPlan(3, 99)
    with raw_writes(store):
        store.conn.execute("INSERT INTO serials VALUES ('K', ?, '202611', ?)", (UNIT, plan.last))
    with pytest.raises(NumberingExhausted, match="已用完"):
        _issue(store)
    store.close()


@settings(max_examples=15, deadline=None)
@given(slots=st.integers(2, 12), data=st.data())
def test_two_devices_of_one_unit_never_collide(tmp_path_factory, slots, data):
    a, b = data.draw(st.lists(st.integers(1, slots), min_size=2, max_size=2, unique=True))
    counts = data.draw(st.tuples(st.integers(1, 15), st.integers(1, 15)))
    issued = []
    for slot, count in zip((a, b), counts):
        store = new_store(tmp_path_factory.mktemp("dev"), slot=slot, slots=slots, clock=fixed_clock())
        issued += _issue(store, "K", count)
        store.close()
    assert len(issued) == len(set(issued)) == sum(counts)
    for n in issued:
        assert len(n) == 23
