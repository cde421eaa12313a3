"""Login attempts are logged (执法留痕) and repeated failures of a name make the next try wait:
1, 2, 4 … s up to 5 minutes, per name (known or not), kept across restarts, ended by a
successful login. The clock is injected: nothing here sleeps."""
from __future__ import annotations

import json

import pytest

from weicha_desktop.core import logins, users as users_module
from weicha_desktop.core.errors import AuthError
from weicha_desktop.core.logins import MAX_DELAY, LoginLocked, delay_after
from weicha_desktop.core.store import Store
from weicha_desktop.core.users import UserService

from tests.support import PASSWORD, ManualClock, new_store, raw_writes

WRONG = "wrong-pass-9"


@pytest.fixture
def env(tmp_path):
    clock = ManualClock()
    store = new_store(tmp_path, clock=clock)
    yield store, UserService(store), clock
    store.close()


def fail_times(users: UserService, name: str, n: int, clock: ManualClock) -> None:
    """``n`` counted failures: after each but the last, wait as long as asked."""
    for i in range(n):
        with pytest.raises(AuthError) as e:
            users.authenticate(name, WRONG)
        assert "请在" not in str(e.value) or "用户名或密码错误。" in str(e.value)  # counted
        if i < n - 1 and isinstance(e.value, LoginLocked):
            clock.advance(e.value.wait)


def last(store: Store):
    return store.audit_entries()[-1]


def test_every_attempt_is_logged_with_the_name_and_never_the_password(env):
    store, users, clock = env
    with pytest.raises(AuthError, match="^用户名或密码错误。$"):
        users.authenticate("admin", WRONG)
    entry = last(store)
    assert (entry.action, entry.object_kind, entry.object_id) == ("login.fail", "login", "admin")
    assert entry.user_id is None and entry.at == clock.iso()
    assert entry.details["name"] == "admin" and entry.details["failures"] == 1
    assert entry.details["reason"] == "password" and "os_user" in entry.details
    assert "连续第 1 次" in entry.summary

    with pytest.raises(AuthError, match="^用户名或密码错误。$"):  # the same words
        users.authenticate("nobody", "another-secret-7")
    entry = last(store)
    assert (entry.action, entry.object_id, entry.details["reason"]) == ("login.fail", "nobody", "unknown")

    admin = users.authenticate("admin", PASSWORD)
    entry = last(store)
    assert (entry.action, entry.user_id, entry.user_name) == ("login.ok", admin.id, "admin")
    assert entry.details["failures"] == 0
    # no password, in any column of any entry
    dump = json.dumps([list(r) for r in store.conn.execute("SELECT * FROM audit_log")],
                      ensure_ascii=False)
    assert WRONG not in dump and "another-secret-7" not in dump and PASSWORD not in dump


def test_the_fifth_failure_makes_the_next_try_wait_and_a_try_meanwhile_is_refused(env, monkeypatch):
    store, users, clock = env
    fail_times(users, "admin", 4, clock)
    with pytest.raises(LoginLocked, match="已连续错误 5 次，请在 1 秒后再试") as e:
        users.authenticate("admin", WRONG)
    assert e.value.wait == 1

    checked = []
    monkeypatch.setattr(users_module, "check_password",
                        lambda *a: checked.append(a) or True)
    # even the right password is refused during the wait, without being checked
    with pytest.raises(LoginLocked, match="请在 1 秒后再试"):
        users.authenticate("admin", PASSWORD)
    assert checked == []
    entry = last(store)
    assert entry.action == "login.locked" and entry.details["failures"] == 5
    monkeypatch.undo()

    clock.advance(1)
    assert users.authenticate("admin", PASSWORD).name == "admin"
    # the successful login ended it: the next failure is the first again
    with pytest.raises(AuthError, match="^用户名或密码错误。$"):
        users.authenticate("admin", WRONG)
    assert last(store).details["failures"] == 1


def test_the_wait_doubles_up_to_five_minutes(env):
    store, users, clock = env
    waits = []
    for _ in range(16):
        try:
            users.authenticate("admin", WRONG)
            raise AssertionError("a wrong password logged in")
        except LoginLocked as e:
            waits.append(e.wait)
        except AuthError:
            waits.append(0)
        clock.advance(waits[-1])  # try again exactly when allowed: never refused as locked
    assert waits == [0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300]
    assert MAX_DELAY == 300 and delay_after(10_000) == 300
    assert not [e for e in store.audit_entries() if e.action == "login.locked"]
    clock.advance(-1)  # one second early
    with pytest.raises(LoginLocked, match="请在 1 秒后再试"):
        users.authenticate("admin", PASSWORD)


def test_the_wait_survives_a_restart(tmp_path):
    clock = ManualClock()
    store = new_store(tmp_path, clock=clock)
    fail_times(UserService(store), "admin", 6, clock)  # the 6th: wait 2 s
    store.close()
    clock.advance(1)
    with Store.open(tmp_path, clock=clock) as again:
        with pytest.raises(LoginLocked, match="请在 1 秒后再试"):
            UserService(again).authenticate("admin", PASSWORD)
        clock.advance(1)
        assert UserService(again).authenticate("admin", PASSWORD).role == "admin"


def test_unknown_names_are_throttled_the_same_and_names_do_not_share_a_count(env):
    store, users, clock = env
    fail_times(users, "no-such-user", 4, clock)
    with pytest.raises(LoginLocked, match="已连续错误 5 次，请在 1 秒后再试"):
        users.authenticate("no-such-user", WRONG)
    with pytest.raises(LoginLocked):
        users.authenticate("no-such-user", WRONG)
    # another name is not held up by it
    assert users.authenticate("admin", PASSWORD).name == "admin"
    # a very long name is logged cut to its first 64 characters
    fail_times(users, "x" * 5000, 1, clock)
    assert last(store).object_id == "x" * 64 and len(last(store).summary) < 200


def test_a_clock_set_back_never_stretches_the_wait_beyond_its_length(env):
    store, users, clock = env
    for i in range(14):  # 300 s after the 14th
        try:
            users.authenticate("admin", WRONG)
        except LoginLocked as e:
            if i < 13:
                clock.advance(e.wait)
        except AuthError:
            pass
    clock.advance(-86_400)  # the computer's clock goes back a day
    with pytest.raises(LoginLocked, match="请在 300 秒后再试"):
        users.authenticate("admin", PASSWORD)
    clock.advance(300)
    assert users.authenticate("admin", PASSWORD).name == "admin"


def test_the_state_is_read_through_the_audit_index(env):
    store, users, _ = env
    plan = " ".join(r[3] for r in store.conn.execute(
        "EXPLAIN QUERY PLAN SELECT details FROM audit_log WHERE object_kind = ? AND object_id = ? "
        "ORDER BY seq DESC LIMIT 1", (logins.KIND, "admin")))
    assert "audit_log_object" in plan and "TEMP B-TREE" not in plan
    assert logins.state(store, "never-tried") == logins.LoginState()


def test_an_altered_login_entry_does_not_break_logging_in(env):
    """Garbage in a login entry's details (someone edited the file): the state starts over,
    verify reports the entry, login still works."""
    store, users, clock = env
    fail_times(users, "admin", 1, clock)
    with raw_writes(store):
        store.conn.execute("DROP TRIGGER audit_log_no_update")
        store.conn.execute("UPDATE audit_log SET details = '{\"failures\": \"many\"}' "
                           "WHERE seq = (SELECT max(seq) FROM audit_log)")
    assert logins.state(store, "admin") == logins.LoginState()
    assert users.authenticate("admin", PASSWORD).name == "admin"


def test_the_wait_is_counted_from_the_failure_not_from_later_tries(env):
    store, users, clock = env
    fail_times(users, "admin", 6, clock)  # wait 2 s
    clock.advance(1)
    with pytest.raises(LoginLocked, match="请在 1 秒后再试"):
        users.authenticate("admin", WRONG)  # refused, not counted
    assert last(store).details["failures"] == 6
    clock.advance(1)
    with pytest.raises(LoginLocked, match="已连续错误 7 次，请在 4 秒后再试"):
        users.authenticate("admin", WRONG)


@pytest.mark.parametrize("name, fragment, stored", [
    ("\udcff", "无法识别的字符", "\\xff"),            # what a terminal's byte 0xFF becomes
    ("boss\x1b[31m", "无法识别的字符", "boss\\x1b[31m"),   # a control character
    ("a" * 5000, "用户名太长", "a" * logins.NAME_LIMIT),
])
def test_a_name_that_cannot_be_anyones_is_refused_in_chinese_and_logged_safely(env, name, fragment, stored):
    store, users, _ = env
    with pytest.raises(AuthError, match=fragment) as e:
        users.authenticate(name, PASSWORD)
    assert "\udcff" not in str(e.value) and "\x1b" not in str(e.value)
    entry = last(store)
    assert (entry.action, entry.object_id, entry.details["reason"]) == ("login.fail", stored, "invalid_name")
    assert entry.details["name"] == stored and stored in entry.summary
    json.dumps(store.audit_entries()[-1].__dict__, ensure_ascii=False).encode("utf-8")  # storable, printable


def test_the_command_line_refuses_an_undecodable_user_name_with_exit_1(tmp_path):
    from tests.support import run_cli

    new_store(tmp_path / "d").close()
    result = run_cli(tmp_path / "d", "case", "list", user="\udcff", password="x")
    assert result.returncode == 1 and "无法识别的字符" in result.stderr and "\\xff" in result.stderr
    assert "Traceback" not in result.stderr
