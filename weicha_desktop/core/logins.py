"""Login attempts: every one is an audit entry (执法留痕), and repeated failures slow the next
try down, per user name (known or not), across restarts.

The state of a name lives in the audit log itself, no table of its own: each ``login.*`` entry
(object_kind ``login``, object_id the name as typed) carries ``failures`` (consecutive
failures so far) and ``locked_until`` (ISO time or None). The latest entry of a name is the
state, found through the (object_kind, object_id) index, so a long log costs nothing.

    login.ok      the right password: failures back to 0
    login.fail    wrong password, unknown or inactive name: failures + 1; from the
                  ``FREE_FAILURES``-th on, a wait of 1, 2, 4 … s (at most ``MAX_DELAY``)
    login.locked  tried during the wait: refused without checking the password (not a
                  failure, the wait does not grow) — and the reply says how long to wait

Refusing with the remaining time (instead of sleeping) suits both the desktop (the dialog
stays responsive and says when to try again) and the CLI (a script gets exit 1 at once, not
a hang). The clock is the store's (tests inject a FixedClock). If the computer's clock is set
back, a wait never lasts longer than its own length from the next try (``locked_until`` is
pulled in and logged). Passwords are never written anywhere.

A name that cannot be anyone's (bytes a terminal could not decode, control characters, longer
than ``NAME_LIMIT``) is refused before anything else, with a Chinese reason (``bad_name``),
and logged as a failure under a safe form of it (``safe_name``: backslash-x-ff for such a byte)."""
from __future__ import annotations

import getpass
import json
import math
import socket
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from weicha_desktop.core.errors import AuthError
from weicha_desktop.core.store import Actor, Store

FREE_FAILURES = 4   # failures without a wait; the 5th and later make the next try wait
MAX_DELAY = 300     # seconds: the longest wait (5 minutes)
NAME_LIMIT = 64     # longer names are cut in the log (no real name is longer than 32)
KIND = "login"


class LoginLocked(AuthError):
    """A refused login after which the name must wait ``wait`` seconds (the dialog greys its
    button out for that long)."""

    def __init__(self, message: str, wait: int):
        super().__init__(message)
        self.wait = wait


def delay_after(failures: int) -> int:
    """Seconds to wait after ``failures`` consecutive failures: 0 up to FREE_FAILURES, then
    1, 2, 4 … up to MAX_DELAY."""
    if failures <= FREE_FAILURES:
        return 0
    return min(2 ** min(failures - FREE_FAILURES - 1, 16), MAX_DELAY)


@dataclass(frozen=True)
class LoginState:
    failures: int = 0
    locked_until: datetime | None = None

    def wait(self, now: datetime) -> int:
        """Whole seconds still to wait (0: a try is allowed)."""
        if self.locked_until is None or now >= self.locked_until:
            return 0
        left = (self.locked_until - now).total_seconds()
        return max(1, math.ceil(min(left, delay_after(self.failures))))


def key(name: str) -> str:
    return (name or "")[:NAME_LIMIT]


def safe_name(name: str) -> str:
    """``name`` as it can be stored, printed and shown: a byte the terminal could not decode
    (a lone surrogate from Python's surrogateescape) as backslash-x-ff, other surrogates and
    control characters escaped the same way (backslash-u for those past U+00FF); cut to
    ``NAME_LIMIT``."""
    out = []
    for c in name or "":
        code = ord(c)
        if 0xDC80 <= code <= 0xDCFF:
            out.append(f"\\x{code - 0xDC00:02x}")
        elif unicodedata.category(c) in ("Cs", "Cc"):
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(c)
    return key("".join(out))


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a user name at all (Chinese), or None."""
    if len(name or "") > NAME_LIMIT:
        return f"用户名太长（{len(name)} 个字符，最多 {NAME_LIMIT} 个）：请检查后重新输入。"
    if any(unicodedata.category(c) in ("Cs", "Cc") for c in name or ""):
        return ("用户名中有无法识别的字符（终端的编码可能不是 UTF-8，或粘贴进了控制字符）："
                f"收到的是“{safe_name(name)}”。请检查后重新输入。")
    return None


def bad_name(store: Store, name: str) -> AuthError | None:
    """For a name that cannot be anyone's: the attempt logged (a failure of its safe form,
    reason ``invalid_name``) and the error to raise; None for a possible name."""
    problem = name_problem(name)
    if problem is None:
        return None
    shown = safe_name(name)
    record(store, shown, "fail", after_failure(state(store, shown), store.clock.now()),
           reason="invalid_name")
    return AuthError(problem)


def state(store: Store, name: str) -> LoginState:
    """The state of ``name`` from its latest login entry."""
    row = store.conn.execute(
        "SELECT details FROM audit_log WHERE object_kind = ? AND object_id = ? "
        "ORDER BY seq DESC LIMIT 1", (KIND, key(name))).fetchone()
    if not row:
        return LoginState()
    try:
        details = json.loads(row[0])
        until = details.get("locked_until")
        return LoginState(int(details.get("failures") or 0),
                          datetime.fromisoformat(until) if until else None)
    except (TypeError, ValueError, AttributeError):  # an altered entry: verify names it
        return LoginState()


def _where() -> dict[str, str]:
    """Who sat at the computer, as far as the program can tell."""
    try:
        os_user = getpass.getuser()
    except Exception:  # noqa: BLE001 — no login name in this environment
        os_user = ""
    return {"os_user": os_user, "host": socket.gethostname()}


def record(store: Store, name: str, outcome: str, new: LoginState, *, user: Actor | None = None,
           reason: str = "") -> None:
    """Log one attempt as its own change. ``outcome``: ok / fail / locked."""
    name = key(name)
    actor = user or Actor(None, name or "（空）", "anonymous", "")
    summaries = {
        "ok": f"登录：{name}",
        "fail": f"登录失败：用户名“{name}”（连续第 {new.failures} 次）",
        "locked": f"登录被拒绝：用户名“{name}”连续失败 {new.failures} 次，等待期内再次尝试",
    }
    until = new.locked_until.isoformat() if new.locked_until else None
    with store.change(actor) as ch:
        ch.log(f"login.{outcome}", KIND, name, summaries[outcome],
               {"name": name, "failures": new.failures, "locked_until": until,
                **({"reason": reason} if reason else {}), **_where()})


def after_failure(previous: LoginState, now: datetime) -> LoginState:
    failures = previous.failures + 1
    delay = delay_after(failures)
    return LoginState(failures, now + timedelta(seconds=delay) if delay else None)


def while_locked(previous: LoginState, now: datetime) -> LoginState:
    """The state logged for a try during the wait: the same, unless the clock went back."""
    limit = now + timedelta(seconds=delay_after(previous.failures))
    if previous.locked_until is not None and previous.locked_until > limit:
        return LoginState(previous.failures, limit)
    return previous
