"""Enrollment and device tokens.

- An administrator makes a one-time enrollment code on the server (``enroll-code``): 16
  letters and digits without look-alikes (~79 bits), shown once, kept only as its SHA-256,
  valid ``code_hours`` (24 by default), used at most once (the UPDATE that uses it is the
  check, so two laptops racing for one code cannot both win).
- A laptop enrolls with it (``POST /v1/enroll``): it keeps its own device id (every op it
  wrote names it) and registers its Ed25519 public key; it gets a token — 32 random bytes,
  urlsafe base64 — that the server keeps only as its SHA-256.
- Every request but health and enroll carries ``Authorization: Bearer <token>``; a revoked
  device's token is refused (401 ``device_revoked``) on every endpoint. A revoked device id
  cannot enroll again (an administrator who wants it back gives the laptop a new data
  folder, hence a new device id).

Every code made, enrollment and revocation is an entry of the server's audit chain
(weicha_server/audit.py) — never a code or a token."""
from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from weicha_server import audit
from weicha_server.db import devices, enroll_codes, now_iso
from weicha_server.errors import ApiError

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L
CODE_LENGTH = 16


@dataclass(frozen=True)
class Device:
    id: str
    name: str
    unit_code: str
    through_seq: int
    anchored_seq: int | None
    anchored_hash: str | None

    @classmethod
    def of(cls, row: Any) -> "Device":
        return cls(row.id, row.name, row.unit_code, row.through_seq, row.anchored_seq, row.anchored_hash)


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def new_token() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii").rstrip("=")


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i:i + 4] for i in range(0, CODE_LENGTH, 4))


def normalize_code(text: str) -> str:
    return "".join(c for c in str(text).upper() if c.isalnum())


def make_code(conn: Connection, device_name: str, unit_code: str | None, hours: float, *,
              actor: str = "admin", now: datetime | None = None,
              reenroll: str | None = None) -> tuple[str, str]:
    """A new one-time code for ``device_name``; returns (code, expires_at). ``reenroll``: the
    id of an enrolled device this code enrolls again (its data folder restored from a backup
    or moved to another computer); ApiError 404 / 403 for a device unknown or revoked."""
    now = now or datetime.now(timezone.utc)
    if reenroll is not None:
        have = conn.execute(sa.select(devices.c.revoked_at).where(devices.c.id == reenroll)).first()
        if have is None:
            raise ApiError(404, "no_device", f"没有已登记的设备 {reenroll}：新设备用不带 --reenroll 的登记码登记。")
        if have.revoked_at is not None:
            raise ApiError(403, "device_revoked", f"设备 {reenroll} 已被吊销，不能重新登记。")
    code = new_code()
    expires = (now + timedelta(hours=hours)).isoformat(timespec="microseconds")
    conn.execute(_NEW_CODE, {"code_hash": sha256_text(normalize_code(code)), "device_name": device_name,
                             "unit_code": unit_code, "created_at": now.isoformat(timespec="microseconds"),
                             "expires_at": expires, "reenroll_device": reenroll})
    audit.append(conn, actor, "enroll.code", {"device_name": device_name, "unit_code": unit_code,
                                              "expires_at": expires,
                                              **({"reenroll_device": reenroll} if reenroll else {})})
    return code, expires


def enroll(conn: Connection, *, code: str, device_id: str, device_name: str, public_key: str,
           unit_code: str | None) -> tuple[str, str]:
    """Enroll a device with a one-time code; returns (token, unit_code) (``enroll_device``)."""
    done = enroll_device(conn, code=code, device_id=device_id, device_name=device_name,
                         public_key=public_key, unit_code=unit_code)
    return done.token, done.unit


# statements built once (SQLAlchemy's compiled cache serves each enrollment)
_NEW_CODE = enroll_codes.insert()
_USE_CODE = (enroll_codes.update()
             .where(enroll_codes.c.code_hash == sa.bindparam("hash"), enroll_codes.c.used_at.is_(None),
                    enroll_codes.c.expires_at > sa.bindparam("now"))
             .values(used_at=sa.bindparam("now"), used_by_device=sa.bindparam("device"))
             .returning(enroll_codes.c.device_name, enroll_codes.c.unit_code, enroll_codes.c.reenroll_device))
_DEVICE = sa.select(devices).where(devices.c.id == sa.bindparam("id"))
_NEW_DEVICE = devices.insert()


@dataclass(frozen=True)
class Enrolled:
    token: str
    unit: str
    answer: dict[str, Any]  # the rest of the enroll answer: numbers, through_seq, reenrolled


def enroll_device(conn: Connection, *, code: str, device_id: str, device_name: str, public_key: str,
                  unit_code: str | None, issued: Any = None, slots: int | None = None,
                  bundle_public: str | None = None) -> Enrolled:
    """Enroll a device with a one-time code. ApiError 403 bad_code for a code unknown, used,
    expired or made to enroll another device again; 409 already_enrolled for a device enrolled
    and not revoked (unless the code was made to enroll it again: ``enroll-code --reenroll``);
    403 device_revoked for a revoked one. The device gets its number block (numbers.py) and the
    runs of numbers it ``issued`` before are kept."""
    from weicha_server import numbers

    _check_key(public_key)
    if bundle_public is not None:
        check_bundle_key(bundle_public)
    now = now_iso()
    code_hash = sha256_text(normalize_code(code))
    used = conn.execute(_USE_CODE, {"hash": code_hash, "now": now, "device": device_id}).first()
    if used is None:
        raise ApiError(403, "bad_code", "登记码无效、已用过或已过期：请向管理员索取新的登记码。")
    if used.reenroll_device not in (None, device_id):
        raise ApiError(403, "bad_code", "这个登记码是管理员为另一台设备重新登记生成的，不能用于本机：请向管理员索取本机的登记码。")
    have = conn.execute(_DEVICE, {"id": device_id}).first()
    again = have is not None and used.reenroll_device == device_id
    if have is not None:
        if have.revoked_at is not None:
            raise ApiError(403, "device_revoked", "此设备已被管理员吊销，不能再次登记：请联系管理员。")
        if not again:
            raise ApiError(409, "already_enrolled",
                           "此设备已经登记过。如本机的登记丢失（例如数据文件夹从登记前的备份恢复，或换了电脑），"
                           f"请管理员运行 weicha-server enroll-code --device-name 名称 --reenroll {device_id}，"
                           "再用那个登记码重新登记本机。")
    unit = (have.unit_code if again else None) or used.unit_code or unit_code or ""
    name = used.device_name or device_name
    token = new_token()
    if again:  # the administrator's code for this device: a new token and key, the old ones end now
        conn.execute(devices.update().where(devices.c.id == device_id).values(
            name=name, public_key=public_key, token_hash=sha256_text(token), anchored_seq=None,
            anchored_hash=None, **({"bundle_public": bundle_public} if bundle_public else {})))
    else:
        conn.execute(_NEW_DEVICE, {"id": device_id, "name": name, "unit_code": unit, "public_key": public_key,
                                   "token_hash": sha256_text(token), "enrolled_at": now, "through_seq": 0,
                                   "bundle_public": bundle_public})
    # a block for a desktop that takes one (it reports what it issued, if only []); an older
    # program keeps its own numbering, and its numbers are not checked
    block = numbers.assign(conn, device_id, unit_code or unit, slots or numbers.DEFAULT_SLOTS) \
        if issued is not None or numbers.block_of(conn, device_id) is not None else None
    declared = numbers.declare(conn, device_id, issued)
    details = {"device_id": device_id, "device_name": name, "reported_name": device_name, "unit_code": unit,
               "public_key": public_key, "numbers": block, "declared_runs": declared}
    if again:  # the anchor starts again from the chain the laptop has now: say what it was
        details.update(through_seq=have.through_seq, previous_anchor={"seq": have.anchored_seq,
                                                                       "hash": have.anchored_hash})
    audit.append(conn, f"device:{device_id}", "device.reenroll" if again else "device.enroll", details)
    used_serials = numbers.used(conn, device_id, block) if again and block else {}
    return Enrolled(token, unit, {"numbers": block and {**block, "used": used_serials},
                                  "through_seq": have.through_seq if again else 0, "reenrolled": again})


def _check_key(public_key: str) -> None:
    try:
        raw = base64.b64decode(public_key, validate=True)
    except (ValueError, TypeError):
        raw = b""
    if len(raw) != 32:
        raise ApiError(422, "bad_key", "设备公钥须为 Ed25519 公钥（32 字节）的 base64：请升级桌面程序后重试。")


def check_bundle_key(bundle_public: Any) -> None:
    """A laptop's X25519 bundle key: 32 bytes, base64 (ApiError 422 otherwise)."""
    try:
        raw = base64.b64decode(bundle_public, validate=True) if isinstance(bundle_public, str) else b""
    except (ValueError, TypeError):
        raw = b""
    if len(raw) != 32:
        raise ApiError(422, "bad_key", "笔记本的数据包公钥须为 X25519 公钥（32 字节）的 base64：请升级桌面程序后重试。")


def keep_bundle_key(conn: Connection, device_id: str, bundle_public: Any) -> bool:
    """The key an ops bundle signed by the device carried (how a laptop enrolled before gives
    it): kept when valid and new; True when it changed."""
    try:
        check_bundle_key(bundle_public)
    except ApiError:
        return False
    return conn.execute(devices.update().where(devices.c.id == device_id,
                                               sa.or_(devices.c.bundle_public.is_(None),
                                                      devices.c.bundle_public != bundle_public))
                        .values(bundle_public=bundle_public)).rowcount > 0


# built once (SQLAlchemy's compiled cache then serves each request without building the
# statement and its cache key again: ~75 µs a query)
_BY_TOKEN = sa.select(devices).where(devices.c.token_hash == sa.bindparam("token_hash"))
_BY_TOKEN_LOCKED = _BY_TOKEN.with_for_update()


def authenticate(conn: Connection, authorization: str | None, *, lock: bool = False) -> Device:
    """The device whose token the header carries; ApiError 401 otherwise. ``lock``: hold
    the device's row for this transaction (a push)."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "unauthorized", "缺少设备令牌：请先在本机登记到服务器（weicha enroll）。")
    row = conn.execute(_BY_TOKEN_LOCKED if lock else _BY_TOKEN, {"token_hash": sha256_text(token.strip())}).first()
    if row is None:
        raise ApiError(401, "unauthorized", "设备令牌无效：请重新登记本机（向管理员索取登记码）。")
    if row.revoked_at is not None:
        raise ApiError(401, "device_revoked", "本机已被管理员吊销，不能再同步：请联系管理员。")
    return Device.of(row)


def revoke(conn: Connection, device_id: str, actor: str = "admin") -> bool:
    """Revoke a device (its token stops working at once); False if there is no such device
    or it was revoked already."""
    done = conn.execute(devices.update().where(devices.c.id == device_id, devices.c.revoked_at.is_(None))
                        .values(revoked_at=now_iso()).returning(devices.c.id)).first() is not None
    if done:
        audit.append(conn, actor, "device.revoke", {"device_id": device_id})
    return done
