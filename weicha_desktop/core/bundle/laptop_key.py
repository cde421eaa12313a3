"""This laptop's X25519 bundle key: what the server encrypts reference bundles (.wcref) and
enrollment files (.wce) to, so a lost stick leaks no watch list and no unit's staff.

Kept as the device key is (core/checkpoint.py): in the OS keyring where one works (a marker
file ``bundle_key.keyring`` beside the device key says so), else an owner-only file
``bundle_key.pem`` in the config folder (0600, folder 0700). Made on first need. Its public
half travels in the enrollment request (.wcq), the network ``/v1/enroll`` body
(``bundle_public``) and every ops bundle's manifest (how a laptop enrolled before gives the
server its key: its next bundle carries it)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from weicha_desktop.core.errors import WeichaError

KEY_FILE, MARKER = "bundle_key.pem", "bundle_key.keyring"
KEYRING_USER = "device-bundle-key"


def _anchor(store: Any):
    from weicha_desktop.core.checkpoint import Anchor

    return store.anchor or Anchor.default()


def bundle_key(store: Any, *, create: bool) -> X25519PrivateKey | None:
    """The key (None when there is none and not ``create``); WeichaError when one exists but
    cannot be read (never silently a new one: files encrypted to the old would not open)."""
    from weicha_desktop.core.checkpoint import KEYRING_SERVICE
    from weicha_desktop.core.checkpoint_lock import private_dir
    from weicha_desktop.core.fileio import write_atomic

    anchor = _anchor(store)
    folder = Path(anchor.config_dir)
    key_file, marker = folder / KEY_FILE, folder / MARKER
    if key_file.exists():
        try:
            key = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
        except (OSError, ValueError, TypeError) as e:
            raise WeichaError(f"本机的数据包密钥文件 {key_file} 无法读取或已损坏（{e}）：请从备份恢复它。") from None
        if not isinstance(key, X25519PrivateKey):
            raise WeichaError(f"本机的数据包密钥文件 {key_file} 不是 X25519 密钥：请从备份恢复它。")
        return key
    backend = anchor.keyring_backend()
    secret = None
    if backend is not None:
        try:
            secret = backend.get_password(KEYRING_SERVICE, KEYRING_USER)
        except Exception as e:  # noqa: BLE001 — a locked or broken keyring
            raise WeichaError(f"系统钥匙串中的数据包密钥无法读取（{e}）：请解锁钥匙串后再试。") from None
    if secret:
        try:
            return X25519PrivateKey.from_private_bytes(bytes.fromhex(secret))
        except ValueError:
            raise WeichaError("系统钥匙串中的数据包密钥已损坏。") from None
    if marker.exists():
        raise WeichaError("本机的数据包密钥应在系统钥匙串中，但现在读不到（钥匙串被清除或不可用）。")
    if not create:
        return None
    key = X25519PrivateKey.generate()
    private_dir(folder)
    raw = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    try:
        if backend is None:
            raise RuntimeError("no keyring")
        backend.set_password(KEYRING_SERVICE, KEYRING_USER, raw.hex())
        write_atomic(marker, b"keyring\n", mode=0o600, exclusive=True)
    except Exception:  # noqa: BLE001 — no keyring, or it refused: an owner-only file
        write_atomic(key_file, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                 serialization.NoEncryption()), mode=0o600, exclusive=True)
    return key


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
