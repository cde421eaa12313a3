"""This device's enrollment with a sync server, kept OUTSIDE the data folder (docs/sync-protocol.md,
"The desktop's client").

    <config dir>/sync/                 0700, the config folder of core/checkpoint.py
      <device_id>.json                 server URL and id, the pinned certificate (PEM) and its
                                       fingerprint, unit, when; the sync's state: last success,
                                       last error, the audit head the server anchored (0600)
      <device_id>.token                the device token (0600) — or, where the OS keyring
                                       works, the token is there and the .json says so

The token never goes into the data folder (a backup or a copied folder must not carry it),
a log or a message. ``enroll`` pins the server's certificate: the file the administrator gave
(``cert``), else the one the server shows at the first contact (trust on first use, its
SHA-256 fingerprint returned for the user to compare with the server's), registers the
device's Ed25519 PUBLIC key (the checkpoint key, core/checkpoint.py) with the one-time code
and keeps the token it gets."""
from __future__ import annotations

import base64
import json
import os
import socket
import ssl
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from weicha_desktop.core import numbering
from weicha_desktop.core.checkpoint import DEVICE_ID, KEYRING_SERVICE, Anchor, CheckpointError
from weicha_desktop.core.checkpoint_lock import private_dir
from weicha_desktop.core.errors import WeichaError
from weicha_desktop.core.fileio import write_atomic
from weicha_desktop.core.store import SYSTEM
from weicha_desktop.core.sync.client import (PROTOCOL, CertificateMismatch, Refused, SyncClient,
                                             check_url, fingerprint)

SYNC_DIR = "sync"
FORMAT = "weicha-enrollment/1"
TOKEN_KEYRING, TOKEN_FILE = "keyring", "file"


@dataclass(frozen=True)
class Enrollment:
    server_url: str
    server_id: str
    device_id: str
    unit_code: str | None
    cert_pem: str | None  # None: http to this computer
    fingerprint: str | None
    enrolled_at: str
    token_in: str = TOKEN_FILE
    # the sync's state, kept with it (not data: a backup does not need it)
    last_success_at: str | None = None
    last_error: str | None = None
    last_error_at: str | None = None
    anchored: dict[str, Any] | None = None  # {seq, hash, folder_id, at}: the server's anchor
    extra: dict[str, Any] = field(default_factory=dict)


class SyncConfig:
    """Where one device's enrollment lives (a service: pass it in; tests point it anywhere)."""

    def __init__(self, config_dir: str | os.PathLike, device_id: str, *, keyring: Any = None):
        if not isinstance(device_id, str) or not DEVICE_ID.fullmatch(device_id):
            raise WeichaError("数据文件夹没有有效的设备编号，无法登记到同步服务器。")
        self.folder = Path(config_dir).expanduser().resolve() / SYNC_DIR
        self.device_id = device_id
        self._keyring = keyring

    @classmethod
    def of(cls, store: Any) -> "SyncConfig":
        """The enrollment of ``store``'s device, in the config folder of its Anchor (never
        inside the data folder)."""
        store.require_initialized()
        anchor = store.anchor or Anchor.default()
        if not anchor.usable_for(store.data_dir):
            raise WeichaError(f"配置文件夹 {anchor.config_dir} 在数据文件夹之内：设备令牌不能放在数据文件夹里，"
                              "请把 WEICHA_CONFIG_DIR 设到数据文件夹之外。")
        return cls(anchor.config_dir, store.meta("device_id"), keyring=anchor.keyring_backend())

    @property
    def path(self) -> Path:
        return self.folder / f"{self.device_id}.json"

    @property
    def token_path(self) -> Path:
        return self.folder / f"{self.device_id}.token"

    @property
    def keyring_user(self) -> str:
        return f"sync-token:{self.device_id}"

    # ---- reading ----------------------------------------------------------------------
    def load(self) -> Enrollment | None:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as e:
            raise WeichaError(f"无法读取同步登记文件 {self.path}（{e.strerror or e}）。") from None
        try:
            body = json.loads(raw)
            if body.pop("format") != FORMAT or body.get("device_id") != self.device_id:
                raise ValueError("format")
            known = set(Enrollment.__dataclass_fields__) - {"extra"}
            return Enrollment(**{k: v for k, v in body.items() if k in known},
                              extra={k: v for k, v in body.items() if k not in known})
        except (ValueError, TypeError, KeyError, AttributeError):
            raise WeichaError(f"同步登记文件 {self.path} 已损坏：请重新登记本机（weicha enroll）。") from None

    def require(self) -> Enrollment:
        found = self.load()
        if found is None:
            raise WeichaError("本机尚未登记到同步服务器：请先用管理员给的登记码运行 "
                              "weicha enroll --server 服务器地址 --code 登记码。")
        return found

    def token(self, enrollment: Enrollment) -> str:
        if enrollment.token_in == TOKEN_KEYRING:
            try:
                token = self._keyring.get_password(KEYRING_SERVICE, self.keyring_user) if self._keyring else None
            except Exception:  # noqa: BLE001 — a locked or broken keyring
                token = None
            if not token:
                raise WeichaError("系统钥匙串中读不到本机的同步令牌（钥匙串被锁定或清除）：请解锁钥匙串，"
                                  "或重新登记本机（weicha enroll）。")
            return token
        try:
            token = self.token_path.read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            token = ""
        if not token:
            raise WeichaError(f"找不到本机的同步令牌（{self.token_path}）：请重新登记本机（weicha enroll）。")
        return token

    def client(self, **kwargs: Any) -> SyncClient:
        """A client of the enrolled server, with this device's token and pinned certificate."""
        enrollment = self.require()
        return SyncClient(enrollment.server_url, token=self.token(enrollment),
                          cert_pem=enrollment.cert_pem, **kwargs)

    # ---- writing ----------------------------------------------------------------------
    def save(self, enrollment: Enrollment, token: str | None = None) -> Enrollment:
        """Write the enrollment (and the token, when given) owner-only."""
        private_dir(self.folder.parent)
        private_dir(self.folder)
        if token is not None:
            enrollment = replace(enrollment, token_in=self._keep_token(token))
        body = {"format": FORMAT, **{k: v for k, v in asdict(enrollment).items() if k != "extra"},
                **enrollment.extra}
        write_atomic(self.path, json.dumps(body, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8"),
                     mode=0o600)
        return enrollment

    def _keep_token(self, token: str) -> str:
        if self._keyring is not None:
            try:
                self._keyring.set_password(KEYRING_SERVICE, self.keyring_user, token)
                self.token_path.unlink(missing_ok=True)
                return TOKEN_KEYRING
            except Exception:  # noqa: BLE001 — the keyring refused: an owner-only file
                pass
        write_atomic(self.token_path, token.encode("ascii") + b"\n", mode=0o600)
        return TOKEN_FILE

    def update(self, **fields: Any) -> Enrollment | None:
        """Change the sync's state fields (last success, error, anchor); None when not
        enrolled. Never raises for a file that cannot be written: the state is a convenience
        (the data and the log hold what matters)."""
        try:
            found = self.load()
            if found is None:
                return None
            return self.save(replace(found, **fields))
        except (OSError, WeichaError):
            return None


# ---- enrolling -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Enrolled:
    enrollment: Enrollment
    fingerprint: str | None
    trusted_on_first_use: bool  # the certificate was taken from the server itself


def server_certificate(url: str, timeout: float = 10.0) -> str:
    """The certificate the server at ``url`` shows (PEM), NOT verified: trust on first use."""
    parts = urlsplit(url)
    try:
        return ssl.get_server_certificate((parts.hostname, parts.port or 443), timeout=timeout)
    except (OSError, ssl.SSLError) as e:
        raise WeichaError(f"无法从 {url} 取得服务器证书（{e}）：请检查地址与网络，"
                          "或用 --cert 给出管理员提供的证书文件。") from None


def read_certificate(path: str | os.PathLike) -> str:
    """A PEM certificate file given by the administrator (its first certificate)."""
    try:
        text = Path(path).read_text(encoding="ascii")
        start = text.index("-----BEGIN CERTIFICATE-----")
        end = text.index("-----END CERTIFICATE-----", start) + len("-----END CERTIFICATE-----")
        pem = text[start:end] + "\n"
        ssl.PEM_cert_to_DER_cert(pem)
    except (OSError, UnicodeDecodeError, ValueError) as e:
        raise WeichaError(f"证书文件 {path} 无法读取或不是 PEM 格式的证书（{e}）。") from None
    return pem


def public_key_b64(anchor: Anchor) -> str:
    """The device's Ed25519 public key (raw 32 bytes, base64): the checkpoint key, made now
    if this computer has none yet."""
    from cryptography.hazmat.primitives import serialization

    try:
        key = anchor.private_key(create=True)
    except CheckpointError as e:
        raise WeichaError(f"本机的设备密钥无法使用（{e}），不能登记。") from None
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def enroll(store: Any, url: str, code: str, cert: str | os.PathLike | None = None, *,
           actor: Any = None, expect_fingerprint: str | None = None, device_name: str | None = None,
           config: SyncConfig | None = None, timeout: float = 10.0) -> Enrolled:
    """Register this device with the server at ``url`` using the one-time ``code``; keep the
    token and the pinned certificate; log ``sync.enroll`` by ``actor`` (default: the system).
    ``cert``: the certificate file the administrator gave (else the server's own, trusted on
    first use). ``expect_fingerprint``: refuse unless the certificate has this SHA-256
    fingerprint."""
    url = check_url(url)
    code = (code or "").strip()
    if not code:
        raise WeichaError("请填写管理员给的登记码（--code）。")
    config = config or SyncConfig.of(store)
    pem = None
    if url.startswith("https:"):
        pem = read_certificate(cert) if cert else server_certificate(url, timeout)
    elif cert:
        raise WeichaError("http:// 地址不用证书：去掉 --cert，或改用 https:// 地址。")
    shown = fingerprint(pem) if pem else None
    if expect_fingerprint is not None and (shown or "") != _norm_fp(expect_fingerprint):
        raise WeichaError(f"服务器证书的指纹是 {shown or '（无：未加密连接）'}，与给出的不符：没有登记。"
                          "可能连到了冒充的服务器，请联系管理员核对。")
    anchor = store.anchor or Anchor.default()
    device_id = store.meta("device_id")
    body = {"code": code, "device_id": device_id, "device_name": (device_name or socket.gethostname())[:200],
            "public_key": public_key_b64(anchor), "unit_code": store.meta("unit_code"),
            "issued": numbering.issued_runs(store.conn), "bundle_public": _bundle_public(store)}
    with SyncClient(url, cert_pem=pem, connect_timeout=timeout) as client:
        try:
            health = client.health()
        except CertificateMismatch:
            raise WeichaError(f"服务器 {url} 出示的证书与{'给出的证书文件' if cert else '刚取得的'}不符：没有登记。"
                              "可能连到了冒充的服务器，请联系管理员核对证书。") from None
        if health.get("protocol") != PROTOCOL:
            raise WeichaError(f"服务器使用同步协议第 {health.get('protocol')} 版，本程序使用第 {PROTOCOL} 版："
                              "请升级桌面程序或服务器。")
        try:
            answer = client.enroll(body)
        except Refused as e:
            raise WeichaError(_enroll_refused(e, device_id)) from None
    token = answer.get("token")
    if not isinstance(token, str) or not token or answer.get("device_id") != device_id:
        raise WeichaError("服务器的登记答复不完整（缺少令牌或设备编号不符），本机未登记。请联系管理员。")
    enrollment = Enrollment(server_url=url, server_id=str(answer.get("server_id") or health.get("server_id")),
                            device_id=device_id, unit_code=answer.get("unit_code"), cert_pem=pem,
                            fingerprint=shown, enrolled_at=store.clock.iso(), extra=_bundle_keys(answer))
    details = {"server_url": url, "server_id": enrollment.server_id, "fingerprint": shown,
               "certificate": "given" if cert else ("first_use" if pem else None),
               "device_name": body["device_name"], "reenrolled": bool(answer.get("reenrolled"))}
    with store.change(actor or SYSTEM) as ch:  # the block and the server's mark in ONE transaction
        if isinstance(answer.get("numbers"), dict):
            plan = numbering.adopt_block(ch, answer["numbers"])
            details["numbers"] = {"slot": plan.slot, "slots": plan.slots, "first": plan.first, "last": plan.last}
        if answer.get("reenrolled"):
            details["server_through"] = catch_up(ch, device_id, answer.get("through_seq"))
        ch.log("sync.enroll", "device", device_id, f"本机登记到同步服务器 {url}", details)
    enrollment = config.save(enrollment, token)
    return Enrolled(enrollment, shown, bool(pem) and not cert)


def catch_up(ch: Any, device_id: str, through: Any) -> int:
    """A re-enrollment (the folder restored from a backup, or moved to another computer): the
    server holds this device's ops through ``through``. The ops this folder has at or below it
    that it wrote before its restore are the server's already (acknowledged here); the next op
    is numbered after it. Ops written since the restore under numbers the server holds other
    ops under refuse the enrollment (WeichaError; the change rolls back): they would fork."""
    if isinstance(through, bool) or not isinstance(through, int) or through < 0:
        raise WeichaError("服务器的重新登记答复缺少本机已同步到的序号，本机未登记：请升级桌面程序。")
    restored = ch.conn.execute("SELECT max(seq) FROM audit_log WHERE action = 'data.restore'").fetchone()[0]
    since = ch.conn.execute(
        "SELECT count(*), min(o.device_seq), max(o.device_seq) FROM outbox o WHERE o.device_id = ? "
        "AND o.device_seq <= ? AND o.state = 'pending' AND EXISTS (SELECT 1 FROM audit_log a, "
        "json_each(a.details, '$.outbox') j WHERE a.seq > ? AND json_valid(a.details) "
        "AND json_extract(j.value, '$.op_id') = o.op_id)", (device_id, through, restored or 0)).fetchone()
    if restored is not None and since[0]:
        raise WeichaError(
            f"服务器上已有本设备第 1–{through} 项同步操作，其中有本机恢复所用的备份之后写下的；而本机恢复后又写了 "
            f"{since[0]} 项同步操作（第 {since[1]}–{since[2]} 项），编号与服务器上的重复，会被拒收：本机没有登记，"
            "数据未改动。请把这台电脑交管理员处理（恢复后的这些记录须在新的数据文件夹中重新录入）；"
            "今后从备份恢复后，请先重新登记、再录入。")
    n = ch.conn.execute("UPDATE outbox SET state = 'acknowledged', acknowledged_at = ? WHERE device_id = ? "
                        "AND device_seq <= ? AND state IN ('pending', 'exported')",
                        (ch.now, device_id, through)).rowcount
    ch.conn.execute("INSERT INTO outbox_sequence (device_id, last_seq, acknowledged_through) VALUES (?1, ?2, ?2) "
                    "ON CONFLICT (device_id) DO UPDATE SET last_seq = max(last_seq, ?2), "
                    "acknowledged_through = max(acknowledged_through, ?2)", (device_id, through))
    if n or through:
        ch.log("sync.acknowledge", "device", device_id,
               f"重新登记：服务器已有本机第 {through} 项及以前的同步操作（{n} 项在本机待同步）",
               {"through": through, "ops": n, "reenroll": True})
    return through


def _bundle_keys(answer: dict[str, Any]) -> dict[str, Any]:
    """The server's USB bundle keys from its answer, kept beside the enrollment (core/bundle/keys.py);
    none from a server that does not give them (fetched at a later sync)."""
    from weicha_desktop.core.bundle.keys import KEYS_FIELD, ServerBundleKeys

    try:
        return {KEYS_FIELD: ServerBundleKeys.parse(answer[KEYS_FIELD]).as_dict()}
    except (KeyError, WeichaError):
        return {}


def _norm_fp(text: str) -> str:
    hexed = "".join(ch for ch in text.upper() if ch in "0123456789ABCDEF")
    return ":".join(hexed[i:i + 2] for i in range(0, len(hexed), 2))


def _enroll_refused(e: Refused, device_id: str) -> str:
    if e.code == "bad_code":
        return "登记码无效、已用过或已过期：请向管理员要一个新的登记码（weicha-server enroll-code）。"
    if e.code == "already_enrolled":
        return ("这台设备已登记在该服务器上，且未被吊销。如本机的登记丢失（数据文件夹从登记前的备份恢复，或换了电脑），"
                f"请管理员为本机生成重新登记码（weicha-server enroll-code --device-name 名称 --reenroll {device_id}），"
                "再用它登记；不要吊销本机（吊销后不能再登记）。")
    if e.code == "no_number_block":
        return f"服务器没有空余的编号段分给本机，本机未登记：{e}"
    return f"服务器拒绝登记：{e}"


def _bundle_public(store: Any) -> str:
    """This laptop's bundle key (core/bundle/laptop_key.py): what the server encrypts the
    reference bundles it writes for this laptop to."""
    from weicha_desktop.core.bundle.laptop_key import bundle_public_b64

    return bundle_public_b64(store)
