"""An unknown user name costs the same time as a wrong password: the program runs the same
scrypt check against a dummy hash, so timing does not tell which names exist."""
from __future__ import annotations

import statistics
import time

import pytest

from weicha_desktop.core import users as users_module
from weicha_desktop.core.errors import AuthError
from weicha_desktop.core.users import DUMMY_HASH, UserService, check_password, hash_password

from tests.support import PASSWORD, ManualClock, new_store


@pytest.fixture
def users(tmp_path, strong_password_hashes):  # the program's cost: its timing is the point
    store = new_store(tmp_path, clock=ManualClock())
    yield UserService(store)
    store.close()


def test_an_unknown_name_goes_through_the_same_check(users, monkeypatch):
    calls = []
    real = users_module.check_password
    monkeypatch.setattr(users_module, "check_password",
                        lambda password, stored: calls.append(stored) or real(password, stored))
    with pytest.raises(AuthError):
        users.authenticate("nobody", "some-password-1")
    with pytest.raises(AuthError):
        users.authenticate("admin", "some-password-1")
    admin_hash = users.store.conn.execute(
        "SELECT password_hash FROM users WHERE name = 'admin'").fetchone()[0]
    assert calls == [DUMMY_HASH, admin_hash]
    # the dummy has the real parameters and a real digest: the check does the full work
    assert DUMMY_HASH.split("$")[:4] == hash_password("x").split("$")[:4]
    assert not check_password("", DUMMY_HASH) and not check_password(PASSWORD, DUMMY_HASH)


def _timed(call) -> tuple[float, float]:
    """(wall, CPU of this thread) of a refused login: the CPU says the same work was done
    whatever the machine's load; the wall also sees a wait (a sleep) one path would add."""
    start, cpu = time.perf_counter(), time.thread_time()
    with pytest.raises(AuthError):
        call()
    return time.perf_counter() - start, time.thread_time() - cpu


@pytest.fixture
def half_cost_users(tmp_path):
    """Hashes (and the dummy an unknown name is checked against: users.dummy_hash follows the
    cost in force) at half the program's scrypt n: ~17 ms a check here instead of ~40. The
    comparison is the program's own code path; that the program's dummy carries the program's
    cost is the test above."""
    previous = users_module.use_hash_cost(users_module.HashCost(n=users_module.STRONG.n // 2,
                                                                r=users_module.STRONG.r, p=users_module.STRONG.p))
    store = new_store(tmp_path, clock=ManualClock())
    yield UserService(store)
    store.close()
    users_module.use_hash_cost(previous)


def test_an_unknown_name_takes_as_long_as_a_wrong_password(half_cost_users):
    users = half_cost_users
    users.authenticate("admin", PASSWORD)  # warm up (first queries, page cache)
    known, unknown = [], []
    for i in range(9):  # interleaved, in turns first, so a busy moment hits both alike
        tries = [(known, "admin"), (unknown, f"ghost{i}")]
        for times, name in tries[::-1] if i % 2 else tries:
            times.append(_timed(lambda: users.authenticate(name, "wrong-pass-9")))
        if i % 3 == 2:  # no wait builds up (not timed): 3 failures in a row, FREE_FAILURES is 4
            users.authenticate("admin", PASSWORD)
    a, b = (statistics.median(t[1] for t in times) for times in (known, unknown))
    assert abs(a - b) / max(a, b) < 0.3, (known, unknown)  # the same work (CPU)
    assert b > 0.005  # a real scrypt check ran (it takes tens of milliseconds)
    # and no path waits where the other does not (wall: looser, as a loaded machine shows in it;
    # an unknown name answered without a hash would differ by ~100 %)
    a, b = (statistics.median(t[0] for t in times) for times in (known, unknown))
    assert abs(a - b) / max(a, b) < 0.6, (known, unknown)
