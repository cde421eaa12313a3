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
              actor: str = "admin", now: datetime | None = None) -> tuple[str, str]:
    """A new one-time code for ``device_name``; returns (code, expires_at)."""
    now = now or datetime.now(timezone.utc)
    code = new_code()
    expires = (now + timedelta(hours=hours)).isoformat(timespec="microseconds")
    conn.execute(enroll_codes.insert().values(
        code_hash=sha256_text(normalize_code(code)), device_name=device_name, unit_code=unit_code,
        created_at=now.isoformat(timespec="microseconds"), expires_at=expires))
    audit.append(conn, actor, "enroll.code", {"device_name": device_name, "unit_code": unit_code,
                                              "expires_at": expires})
    return code, expires


def enroll(conn: Connection, *, code: str, device_id: str, device_name: str, public_key: str,
           unit_code: str | None) -> tuple[str, str]:
    """Enroll a device with a one-time code; returns (token, unit_code). ApiError 403
    bad_code for a code unknown, used or expired; 409 already_enrolled for a device
    enrolled and not revoked; 403 device_revoked for a revoked one."""
    _check_key(public_key)
    now = now_iso()
    code_hash = sha256_text(normalize_code(code))
    used = conn.execute(
        enroll_codes.update().where(enroll_codes.c.code_hash == code_hash,
                                    enroll_codes.c.used_at.is_(None),
                                    enroll_codes.c.expires_at > now)
        .values(used_at=now, used_by_device=device_id)
        .returning(enroll_codes.c.device_name, enroll_codes.c.unit_code)).first()
    if used is None:
        raise ApiError(403, "bad_code", "登记码无效、已用过或已过期：请向管理员索取新的登记码。")
    have = conn.execute(sa.select(devices.c.revoked_at).where(devices.c.id == device_id)).first()
    if have is not None:
        if have.revoked_at is not None:
            raise ApiError(403, "device_revoked", "此设备已被管理员吊销，不能再次登记：请联系管理员。")
        raise ApiError(409, "already_enrolled", "此设备已经登记过：无需再次登记。如令牌丢失，请管理员吊销后用新的数据文件夹登记。")
    unit = used.unit_code or unit_code or ""
    token = new_token()
    conn.execute(devices.insert().values(
        id=device_id, name=used.device_name or device_name, unit_code=unit, public_key=public_key,
        token_hash=sha256_text(token), enrolled_at=now, through_seq=0))
    audit.append(conn, f"device:{device_id}", "device.enroll",
                 {"device_id": device_id, "device_name": used.device_name or device_name,
                  "reported_name": device_name, "unit_code": unit, "public_key": public_key})
    return token, unit


def _check_key(public_key: str) -> None:
    try:
        raw = base64.b64decode(public_key, validate=True)
    except (ValueError, TypeError):
        raw = b""
    if len(raw) != 32:
        raise ApiError(422, "bad_key", "设备公钥须为 Ed25519 公钥（32 字节）的 base64：请升级桌面程序后重试。")


def authenticate(conn: Connection, authorization: str | None, *, lock: bool = False) -> Device:
    """The device whose token the header carries; ApiError 401 otherwise. ``lock``: hold
    the device's row for this transaction (a push)."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "unauthorized", "缺少设备令牌：请先在本机登记到服务器（weicha enroll）。")
    stmt = sa.select(devices).where(devices.c.token_hash == sha256_text(token.strip()))
    row = conn.execute(stmt.with_for_update() if lock else stmt).first()
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
