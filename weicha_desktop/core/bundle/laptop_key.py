"""This laptop's X25519 bundle key: what the server encrypts reference bundles (.wcref) and
enrollment files (.wce) to, so a lost stick leaks no watch list and no unit's staff.

Kept as the device key is (core/keystore.py): in the OS keyring where one works (a marker
file ``bundle_key.keyring`` beside the device key says so), else an owner-only file
``bundle_key.pem`` in the config folder (0600, folder 0700). Made on first need. Its public
half travels in the enrollment request (.wcq), the network ``/v1/enroll`` body
(``bundle_public``) and every ops bundle's manifest (how a laptop enrolled before gives the
server its key: its next bundle carries it)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from weicha_desktop.core.errors import WeichaError

KEY_FILE, MARKER = "bundle_key.pem", "bundle_key.keyring"
KEYRING_USER = "device-bundle-key"


def _anchor(store: Any):
    from weicha_desktop.core.checkpoint import Anchor

    return store.anchor or Anchor.default()


WORDS = {
    "file_unreadable": "本机的数据包密钥文件 {file} 无法读取或已损坏（{error}）：请从备份恢复它。",
    "file_wrong_type": "本机的数据包密钥文件 {file} 不是 X25519 密钥：请从备份恢复它。",
    "keyring_unreadable": "系统钥匙串中的数据包密钥无法读取（{error}）：请解锁钥匙串后再试。",
    "keyring_damaged": "系统钥匙串中的数据包密钥已损坏。",
    "keyring_gone": "本机的数据包密钥应在系统钥匙串中，但现在读不到（钥匙串被清除或不可用）。",
}


def bundle_key(store: Any, *, create: bool) -> X25519PrivateKey | None:
    """The key (None when there is none and not ``create``); WeichaError when one exists but
    cannot be read (never silently a new one: files encrypted to the old would not open)."""
    from weicha_desktop.core.checkpoint import KEYRING_SERVICE
    from weicha_desktop.core.keystore import KeySlot

    anchor = _anchor(store)
    slot = KeySlot(Path(anchor.config_dir), KEY_FILE, MARKER, KEYRING_SERVICE, KEYRING_USER,
                   X25519PrivateKey, WeichaError, WORDS)
    return slot.load(anchor.keyring_backend(), create=create)[0]


def bundle_public_b64(store: Any) -> str:
    """The public half (raw, base64), the key made now if there is none."""
    from weicha_desktop.core.bundle.keys import public_b64

    return public_b64(bundle_key(store, create=True).public_key())


def required_key(store: Any, what: str) -> X25519PrivateKey:
    key = bundle_key(store, create=False)
    if key is None:
        raise WeichaError(f"本机还没有数据包密钥，无法解密这份{what}：它是加密给另一台电脑的，"
                          "或本机的配置文件夹被清除过。请让管理员按本机重新导出。")
    return key
