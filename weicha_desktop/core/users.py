"""Users and roles. Passwords are hashed with scrypt (memory-hard, in the standard library):
``scrypt$n$r$p$salt$hash`` with base64 salt and hash, 16 MiB of memory per check.

New passwords follow core/passwords.py; every login attempt is logged and repeated failures
make the next try wait (core/logins.py). An unknown name costs the same scrypt check as a
wrong password (against ``dummy_hash()``), so timing does not tell which names exist.

The scrypt cost of NEW hashes is ``STRONG`` (n=2**14) unless a test suite chooses a cheaper one
with ``use_hash_cost`` (tests/conftest.py does, for speed); a stored hash carries its own cost,
so checking a password always uses the cost it was made with. The product never calls
``use_hash_cost``.

Identity: a user carries a 警号 (``badge_no``, unique within the unit) and the unit's code;
a user made by this version has the id ``ids.user_id(unit_code, badge_no)``, the same on
every device. Users made by earlier versions keep their random id; an administrator gives
them their 警号 later (``set_badge``, logged), and the server merges them by (unit code, 警号)
(docs/identities.md)."""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import Any

from weicha_desktop.core import duties, logins
from weicha_desktop.core.errors import AuthError, NotFound, WeichaError
from weicha_desktop.core.ids import user_id
from weicha_desktop.core.labels import ROLES, role_label
from weicha_desktop.core.passwords import check_new_password
from weicha_desktop.core.store import Actor, Store


@dataclass(frozen=True)
class HashCost:
    """scrypt parameters of new password hashes (memory 128 * n * r bytes)."""
    n: int
    r: int
    p: int


STRONG = HashCost(n=2**14, r=8, p=1)  # the product's: 16 MiB, tens of milliseconds per check
_cost = STRONG
# What an unknown name is checked against: a hash of a random password with the same
# parameters as real ones, so the check costs the same (no password matches it).
DUMMY_HASH = ("scrypt$16384$8$1$95eP5/utkh7VIpOcoHYC4w==$"
              "YYnjNeVP78eHrMnxnspoRRX+XnUdE7cX1Onvvw3D2o4=")
_dummies = {STRONG: DUMMY_HASH}
_NAME_RE = re.compile(r"^[A-Za-z0-9_.\-\u4e00-\u9fff]{2,32}$")
# 警号: 4–12 letters and digits (most are 6 digits; some units prefix letters), kept in upper
# case so that "a12345" and "A12345" are one 警号 and one id
_BADGE_RE = re.compile(r"[0-9A-Z]{4,12}", re.ASCII)


def hash_cost() -> HashCost:
    """The cost new hashes are made with (``STRONG`` in the product)."""
    return _cost


def use_hash_cost(cost: HashCost) -> HashCost:
    """FOR TESTS ONLY: make new hashes (and the dummy check) with ``cost``; returns the cost
    before, to put back. Never called by the program."""
    global _cost
    previous, _cost = _cost, cost
    return previous


def dummy_hash() -> str:
    """``DUMMY_HASH``, or under a test's cheaper cost a dummy made with that cost, so an
    unknown name still costs what a wrong password costs."""
    if _cost not in _dummies:
        _dummies[_cost] = hash_password(secrets.token_urlsafe(24))
    return _dummies[_cost]


def hash_password(password: str) -> str:
    cost = _cost
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, dklen=32,
                            maxmem=64 * 1024 * 1024, n=cost.n, r=cost.r, p=cost.p)
    b64 = lambda b: base64.b64encode(b).decode("ascii")  # noqa: E731
    return f"scrypt${cost.n}${cost.r}${cost.p}${b64(salt)}${b64(digest)}"


def check_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        got = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt),
                             n=int(n), r=int(r), p=int(p), dklen=len(expected),
                             maxmem=64 * 1024 * 1024)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected)


def normalize_badge(badge_no: str | None) -> str:
    """The 警号 as stored (spaces trimmed, letters in upper case), or WeichaError."""
    badge = (badge_no or "").strip().upper()
    if not _BADGE_RE.fullmatch(badge):
        shown = (badge_no or "").strip()[:20]
        raise WeichaError(f"警号须为 4–12 位数字或字母{f'（现为“{shown}”）' if shown else ''}，"
                          "例如 123456。")
    return badge


def validate_new_user(name: str, role: str, password: str, badge_no: str | None = None) -> None:
    """Refuse a bad user name, role, password or (when given) 警号, in Chinese."""
    if not _NAME_RE.match(name or ""):
        raise WeichaError("用户名须为 2–32 个字符：汉字、字母、数字、下划线、点或连字符。")
    if role not in ROLES:
        raise WeichaError(f"未知角色“{role}”，可选：{', '.join(ROLES)}。")
    if badge_no is not None:
        normalize_badge(badge_no)
    check_new_password(name, password)


class UserService:
    def __init__(self, store: Store):
        self.store = store

    def _actor(self, row: dict) -> Actor:
        return Actor(row["id"], row["name"], row["role"], row["display_name"])

    def _rows(self, sql: str, params: tuple = ()) -> list[dict[str, Any]]:
        """Rows as dicts, on the store's connection (a login needs no sqlite-utils)."""
        cur = self.store.conn.execute(sql, params)
        names = [c[0] for c in cur.description]
        return [dict(zip(names, row)) for row in cur.fetchall()]

    def get(self, name: str) -> Actor | None:
        rows = self._rows("SELECT * FROM users WHERE name = ?", (name,))
        return self._actor(rows[0]) if rows else None

    def badge_of(self, user: Actor | str) -> str | None:
        """The 警号 of a user (an Actor or a user id); None for a user from an earlier version
        whose 警号 has not been set."""
        uid = user.id if isinstance(user, Actor) else user
        row = self.store.conn.execute("SELECT badge_no FROM users WHERE id = ?", (uid,)).fetchone()
        return row[0] if row else None

    def by_badge(self, badge_no: str) -> Actor | None:
        """The user of this unit with that 警号."""
        rows = self._rows("SELECT * FROM users WHERE unit_code = ? AND badge_no = ?",
                          (self.store.meta("unit_code"), normalize_badge(badge_no)))
        return self._actor(rows[0]) if rows else None

    def list(self) -> list[Actor]:
        return [self._actor(r) for r in self._rows("SELECT * FROM users ORDER BY name")]

    def count(self) -> int:
        return self.store.conn.execute("SELECT count(*) FROM users").fetchone()[0]

    def authenticate(self, name: str, password: str) -> Actor:
        """The user, or AuthError. Every attempt is an audit entry; after repeated failures
        of ``name`` a try during the wait is refused with the seconds left (core/logins.py)."""
        refused = logins.bad_name(self.store, name)  # undecodable bytes, control characters, too long
        if refused is not None:
            raise refused
        now = self.store.clock.now()
        before = logins.state(self.store, name)
        wait = before.wait(now)
        if wait:
            logins.record(self.store, name, "locked", logins.while_locked(before, now))
            raise logins.LoginLocked(
                f"用户名或密码已连续错误 {before.failures} 次，请在 {wait} 秒后再试。", wait)
        rows = self._rows("SELECT * FROM users WHERE name = ?", (name,))
        row = rows[0] if rows else None
        # an unknown name is checked against the dummy: the same time as a wrong password
        right = check_password(password or "", row["password_hash"] if row else dummy_hash())
        if row is not None and row["active"] and right:
            user = self._actor(row)
            logins.record(self.store, name, "ok", logins.LoginState(), user=user)
            return user
        after = logins.after_failure(before, now)
        reason = "unknown" if row is None else ("inactive" if not row["active"] else "password")
        logins.record(self.store, name, "fail", after, reason=reason)
        # the same words whether the name or the password was wrong
        wait = after.wait(now)
        if wait:
            raise logins.LoginLocked(
                f"用户名或密码错误。已连续错误 {after.failures} 次，请在 {wait} 秒后再试。", wait)
        raise AuthError("用户名或密码错误。")

    def add(self, actor: Actor, name: str, role: str, password: str,
            display_name: str | None = None, *, badge_no: str) -> Actor:
        """Add a user with their 警号. Only an admin may (the first admin: ``core.setup``)."""
        if actor.role != "admin":  # a refusal is logged (core/duties.py)
            raise duties.refuse(self.store, actor, "user", None, f"添加用户 {(name or '')[:40]}",
                                "只有管理员可以添加用户。")
        validate_new_user(name, role, password, badge_no)
        with self.store.change(actor) as ch:
            user = self.insert(ch, name, role, password, display_name, badge_no=badge_no)
            ch.log("user.add", "user", user.id,
                   f"添加用户 {name}（{role_label(role)}，警号 {normalize_badge(badge_no)}）",
                   {"name": name, "role": role, "active": 1, "badge_no": normalize_badge(badge_no),
                    "unit_code": self.store.meta("unit_code"), "state": ch.user_state(user.id)})
        return user

    def insert(self, ch, name: str, role: str, password: str,
               display_name: str | None = None, *, badge_no: str,
               unit_code: str | None = None) -> Actor:
        """Insert inside an open change (init uses this to make the first admin, with the
        unit it is setting up). The id is derived from unit and 警号: ``ids.user_id``."""
        validate_new_user(name, role, password, badge_no)
        badge = normalize_badge(badge_no)
        unit = unit_code or self.store.meta("unit_code")
        if not unit:
            raise WeichaError("数据文件夹尚未初始化（没有单位代码），不能添加用户。")
        user = Actor(user_id(unit, badge), name, role, display_name or name)
        # the name, the 警号 of the unit and the id, asked in one statement (three were ~60 µs
        # of setting up a folder); refused in this order, as before
        clashes = ch.conn.execute(
            "SELECT name = ?1, unit_code = ?2 AND badge_no = ?3, id = ?4, name FROM users "
            "WHERE name = ?1 OR (unit_code = ?2 AND badge_no = ?3) OR id = ?4",
            (name, unit, badge, user.id)).fetchall()
        if any(row[0] for row in clashes):
            raise WeichaError(f"用户“{name}”已存在。")
        holder = next((row for row in clashes if row[1]), None)
        if holder is not None:
            raise WeichaError(f"警号 {badge} 已属于用户“{holder[3]}”：一个警号只能有一个用户。")
        if any(row[2] for row in clashes):
            raise WeichaError(f"警号 {badge} 的用户已存在（用户编号 {user.id}）。")
        # plain SQL: sqlite-utils' Database (made on first use) and its insert were ~1 ms of
        # setting up a folder, a fifth of it
        ch.conn.execute(
            "INSERT INTO users (id, name, display_name, role, password_hash, active, created_at, "
            "badge_no, unit_code) VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?)",
            (user.id, name, user.display_name, role, hash_password(password), ch.now, badge, unit))
        return user

    def set_password(self, actor: Actor, name: str, password: str) -> Actor:
        """An administrator sets a user's password (the rule for new passwords applies) and
        lets them log in here: how a person known from the sync server (or another device's
        ops: no password, inactive) becomes a user of this laptop. Logged as ``user.password``
        with the user's new state (never the password)."""
        if actor.role != "admin":
            raise duties.refuse(self.store, actor, "user", None, f"设置密码 {(name or '')[:40]}",
                                "只有管理员可以设置用户的密码。")
        user = self.get(name)
        if user is None:
            raise NotFound(f"找不到用户“{name}”。")
        check_new_password(name, password)
        with self.store.change(actor) as ch:
            ch.conn.execute("UPDATE users SET password_hash = ?, active = 1 WHERE id = ?",
                            (hash_password(password), user.id))
            ch.log("user.password", "user", user.id, f"设置用户 {name} 的密码（可在本机登录）",
                   {"name": name, "role": user.role, "active": 1, "state": ch.user_state(user.id)})
        return user

    def set_badge(self, actor: Actor, name: str, badge_no: str) -> Actor:
        """Give a user from an earlier version (no 警号 yet) their 警号. They keep their id —
        the rows that name them stay valid — and the server merges them with the user it
        knows by (unit code, 警号). Admins only; logged as ``user.badge``. A 警号 once set is
        not changed here (the server knows the user by it)."""
        if actor.role != "admin":
            raise duties.refuse(self.store, actor, "user", None, f"设置警号 {(name or '')[:40]}",
                                "只有管理员可以设置警号。")
        badge = normalize_badge(badge_no)
        user = self.get(name)
        if user is None:
            raise NotFound(f"找不到用户“{name}”。")
        have = self.badge_of(user)
        if have == badge:
            return user
        if have is not None:
            raise WeichaError(f"用户“{name}”已有警号 {have}，警号设定后不能更改。")
        unit = self.store.meta("unit_code")
        with self.store.change(actor) as ch:
            holder = ch.conn.execute("SELECT name FROM users WHERE unit_code = ? AND badge_no = ?",
                                     (unit, badge)).fetchone()
            if holder is not None:
                raise WeichaError(f"警号 {badge} 已属于用户“{holder[0]}”：一个警号只能有一个用户。")
            ch.conn.execute("UPDATE users SET badge_no = ?, unit_code = ? WHERE id = ?",
                            (badge, unit, user.id))
            ch.log("user.badge", "user", user.id, f"设置用户 {name} 的警号为 {badge}",
                   {"name": name, "badge_no": badge, "unit_code": unit,
                    "state": ch.user_state(user.id)})
        return user
