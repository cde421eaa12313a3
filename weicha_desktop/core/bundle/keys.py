"""The sync server's bundle keys on the laptop (docs/bundles.md): kept beside the enrollment
(``<config>/sync/<device>.json``, ``bundle_keys``), pinned.

    ServerBundleKeys.parse({signing_public, encryption_public})   raw keys, base64
    pinned(config) -> (enrollment, keys)     the enrolled server's keys; a Chinese error when
                                             not enrolled or the keys are not known yet
    keep_keys(config, answer_keys)           keep them (same again: nothing; other: refused)
    fetch_if_missing(config, client)         GET /v1/keys during `weicha sync` when missing
    device_signer(store)                     the device's Ed25519 key (the checkpoint key)"""
from __future__ import annotations

import base64
from dataclasses import dataclass, replace
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey

from weicha_desktop.core.bundle.container import fingerprint
from weicha_desktop.core.errors import WeichaError
from weicha_desktop.core.messages import Msg

KEYS_FIELD = "bundle_keys"


@dataclass(frozen=True)
class ServerBundleKeys:
    signing_public: str  # raw Ed25519, base64
    encryption_public: str  # raw X25519, base64

    @classmethod
    def parse(cls, value: Any) -> "ServerBundleKeys":
        """From the enroll answer's / GET /v1/keys' / an enrollment file's ``bundle_keys``."""
        try:
            keys = cls(value["signing_public"], value["encryption_public"])
            keys.signing, keys.encryption  # noqa: B018 — both must load
        except (KeyError, TypeError, ValueError):
            raise WeichaError("服务器给出的数据包公钥无效，未保存。请升级服务器或联系管理员。") from None
        return keys

    @property
    def signing(self) -> Ed25519PublicKey:
        return Ed25519PublicKey.from_public_bytes(_raw(self.signing_public))

    @property
    def encryption(self) -> X25519PublicKey:
        return X25519PublicKey.from_public_bytes(_raw(self.encryption_public))

    def as_dict(self) -> dict[str, str]:
        return {"signing_public": self.signing_public, "encryption_public": self.encryption_public}

    def fingerprints(self) -> dict[str, str]:
        return {"signing": fingerprint(_raw(self.signing_public)),
                "encryption": fingerprint(_raw(self.encryption_public))}


def _raw(text: Any) -> bytes:
    if not isinstance(text, str):
        raise ValueError("not base64")
    raw = base64.b64decode(text.encode("ascii"), validate=True)
    if len(raw) != 32:
        raise ValueError("not a raw 32-byte key")
    return raw


def stored(config: Any) -> ServerBundleKeys | None:
    """The kept keys of ``config``'s enrollment, None when there are none (or no enrollment)."""
    enrollment = config.load()
    value = enrollment.extra.get(KEYS_FIELD) if enrollment is not None else None
    return ServerBundleKeys.parse(value) if value is not None else None


def pinned(config: Any) -> tuple[Any, ServerBundleKeys]:
    """(enrollment, the server's bundle keys): what every bundle of this laptop is checked
    against. A Chinese WeichaError when the laptop is not enrolled or lacks the keys."""
    enrollment = config.load()
    if enrollment is None:
        raise BundlesUnavailable(Msg("bundle.not_enrolled"), Msg("bundle.not_enrolled_gui"))
    keys = stored(config)
    if keys is None:
        raise BundlesUnavailable(Msg("bundle.no_keys"), Msg("bundle.no_keys_gui"))
    return enrollment, keys


class BundlesUnavailable(WeichaError):
    """Not enrolled, or no server keys: ``str()`` is the CLI's Chinese (it names the commands);
    ``for_window`` the window's words (what to do in the window), both core messages (zh, en)."""

    def __init__(self, message: Msg, for_window: Msg):
        super().__init__(message)
        self.for_window = for_window


def keep_keys(config: Any, value: Any) -> ServerBundleKeys:
    """Pin ``value`` (the server's ``bundle_keys``) beside the enrollment. The same keys again
    change nothing; other keys than the pinned ones are refused (a server that changed its
    keys, or another server: the administrator must re-enroll this laptop)."""
    keys = ServerBundleKeys.parse(value)
    enrollment = config.require()
    have = enrollment.extra.get(KEYS_FIELD)
    if have is not None:
        if ServerBundleKeys.parse(have) != keys:
            raise WeichaError("同步服务器的数据包公钥与本机固定的不同：可能连到了另一台服务器，或服务器的密钥被更换。"
                              "本机未接受新公钥；请联系管理员核对（weicha-server keys 显示指纹）。")
        return keys
    config.save(replace(enrollment, extra={**enrollment.extra, KEYS_FIELD: keys.as_dict()}))
    return keys


def fetch_if_missing(config: Any, client: Any) -> ServerBundleKeys | None:
    """During a network sync: ask the server for its bundle keys when this laptop has none
    (enrolled before servers had them). None when the server does not give them (an older
    server: 404) — nothing else changes. Refuses keys of another server id."""
    if stored(config) is not None:
        return None
    from weicha_desktop.core.sync.client import Refused

    try:
        answer = client.bundle_keys()
    except Refused as e:
        if e.status == 404:
            return None
        raise
    if answer.get("server_id") not in (None, config.require().server_id):
        raise WeichaError("同步服务器答复的服务器编号与本机登记的不同：未保存它的数据包公钥。请联系管理员。")
    return keep_keys(config, answer.get(KEYS_FIELD))


def device_signer(store: Any) -> Ed25519PrivateKey:
    """The device's Ed25519 signing key: the checkpoint key (core/checkpoint.py), the one the
    server registered at enrollment."""
    from weicha_desktop.core.checkpoint import Anchor, CheckpointError

    anchor = store.anchor or Anchor.default()
    try:
        key = anchor.private_key(create=False)
    except CheckpointError as e:
        raise WeichaError(f"本机的设备密钥无法使用（{e}），不能签署数据包。") from None
    if key is None:
        raise WeichaError("本机没有设备密钥（未登记或密钥丢失），不能签署数据包：请先登记本机。")
    return key


def public_b64(key: Ed25519PrivateKey | Ed25519PublicKey | X25519PublicKey) -> str:
    from cryptography.hazmat.primitives import serialization

    pub = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return base64.b64encode(pub.public_bytes(serialization.Encoding.Raw,
                                             serialization.PublicFormat.Raw)).decode("ascii")
