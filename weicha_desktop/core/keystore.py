"""A private key kept as this laptop keeps its keys: in the OS keyring where one works (a
marker file in the config folder says so), else an owner-only PEM file there (0600, folder
0700). Made on first need; a key that exists but cannot be read is an error, never silently
replaced (what was signed or encrypted with the old one would no longer verify or open).

Used by the device's signing key (core/checkpoint.py) and the laptop's bundle encryption key
(core/bundle/laptop_key.py): each gives its file names, keyring entry, key type and words.
``OsKeyring`` is the OS keyring they use, found only when a key is read from or written to it."""
from __future__ import annotations

import functools
import importlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from cryptography.hazmat.primitives import serialization

from weicha_desktop.core.checkpoint_lock import private_dir
from weicha_desktop.core.fileio import write_atomic


# The keyring backends that can apply on each platform (module, class), best found first.
# keyring's own search (keyring.get_keyring) imports every backend it ships, and its macOS
# one looks its libraries up with ctypes.util.find_library even on Linux, which runs gcc,
# ld and ldconfig (~0.13 s CPU and a dozen child processes in every process that asked).
_PLATFORM_BACKENDS: dict[str, tuple[tuple[str, str], ...]] = {
    "darwin": (("keyring.backends.macOS", "Keyring"),),
    "win32": (("keyring.backends.Windows", "WinVaultKeyring"),),
}
_FREEDESKTOP = (("keyring.backends.SecretService", "Keyring"), ("keyring.backends.libsecret", "Keyring"),
                ("keyring.backends.kwallet", "DBusKeyring"), ("keyring.backends.kwallet", "DBusKeyringKWallet4"))


# keyring's backends that say "no keyring" (priority 0 and -1), as PYTHON_KEYRING_BACKEND names them
_NO_KEYRING = {"keyring.backends.fail.Keyring", "keyring.backends.null.Keyring"}


def platform_backends(platform: str = sys.platform) -> tuple[tuple[str, str], ...]:
    """(module, class) of the keyring backends that can work on ``platform`` (sys.platform)."""
    return _PLATFORM_BACKENDS.get(platform, _FREEDESKTOP)


class OsKeyring:
    """The OS keyring of this computer, looked for on its first use: a key kept in a file
    never imports keyring. The keyring the user chose (PYTHON_KEYRING_BACKEND, keyring's
    keyringrc.cfg) if any, else the usable backends of this platform, best first (reads
    ask each in turn, a write goes to the first that takes it: as keyring's chainer does).
    Where none is usable (priority <= 0: headless Linux, a ``fail`` keyring) it behaves as
    no keyring: reads give None and writes raise, so callers fall back to an owner-only file.
    A service: one per key store (an Anchor), not process-wide."""

    def __init__(self, platform: str = sys.platform):
        self.platform = platform
        self._found: list[Any] | None = None

    def backends(self) -> list[Any]:
        """The usable backends, best first ([] where none is); looked for once."""
        if self._found is None:
            self._found = self._look()
        return self._found

    def _look(self) -> list[Any]:
        if os.environ.get("PYTHON_KEYRING_BACKEND", "").strip() in _NO_KEYRING:
            return []  # keyring turned off (priority <= 0): no need to import it to hear so
        try:
            from keyring import core

            chosen = core.load_env() or core.load_config()
            if chosen is not None:
                return [chosen] if chosen.priority > 0 else []
            rings = []
            for module, name in platform_backends(self.platform):
                try:
                    cls = getattr(importlib.import_module(module), name)
                    if cls.priority > 0:  # raises where it cannot work (no D-Bus, wrong OS)
                        rings.append(cls())
                except Exception:  # noqa: BLE001 — that backend cannot work here
                    continue
            return sorted(rings, key=lambda ring: ring.priority, reverse=True)
        except Exception:  # noqa: BLE001 — no usable keyring (a broken configuration)
            return []

    def get_password(self, service: str, user: str) -> str | None:
        for ring in self.backends():
            secret = ring.get_password(service, user)
            if secret is not None:
                return secret
        return None

    def set_password(self, service: str, user: str, secret: str) -> None:
        for ring in self.backends():
            try:
                return ring.set_password(service, user, secret)
            except NotImplementedError:
                continue
        raise RuntimeError("no usable keyring")


@functools.lru_cache(maxsize=4)
def _parsed_pem(data: bytes) -> Any:
    """The key these PEM bytes hold, parsed once per process: the file is read at every load
    (a key replaced or removed is seen at once), only parsing the same bytes again is spared
    (~0.1 ms at every folder opened and written; a key object cannot be changed)."""
    return serialization.load_pem_private_key(data, password=None)


@dataclass(frozen=True)
class KeySlot:
    """Where one key lives and what is said when it cannot be read. ``words`` are format
    strings: ``file_unreadable`` ({file}, {error}), ``file_wrong_type`` ({file}),
    ``keyring_unreadable`` ({error}), ``keyring_damaged``, ``keyring_gone``."""
    folder: Path
    file_name: str
    marker_name: str
    service: str
    user: str
    key_type: type
    error: type[Exception]
    words: dict[str, str]
    marker_text: Callable[[Any], bytes] = lambda _key: b"keyring\n"

    @property
    def key_file(self) -> Path:
        return self.folder / self.file_name

    def load(self, backend: Any, *, create: bool) -> tuple[Any | None, bool]:
        """(the key or None when there is none and not ``create``, whether it was made now)."""
        key_file, marker = self.key_file, self.folder / self.marker_name
        if key_file.exists():
            try:
                key = _parsed_pem(key_file.read_bytes())
            except (OSError, ValueError, TypeError) as e:
                raise self.error(self.words["file_unreadable"].format(file=key_file, error=e)) from None
            if not isinstance(key, self.key_type):
                raise self.error(self.words["file_wrong_type"].format(file=key_file))
            return key, False
        secret = None
        if backend is not None:
            try:
                secret = backend.get_password(self.service, self.user)
            except Exception as e:  # noqa: BLE001 — a locked or broken keyring
                raise self.error(self.words["keyring_unreadable"].format(error=e)) from None
        if secret:
            try:
                return self.key_type.from_private_bytes(bytes.fromhex(secret)), False
            except ValueError:
                raise self.error(self.words["keyring_damaged"]) from None
        if marker.exists():
            raise self.error(self.words["keyring_gone"])
        if not create:
            return None, False
        key = self.key_type.generate()
        private_dir(self.folder)
        raw = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                serialization.NoEncryption())
        try:
            if backend is None:
                raise RuntimeError("no keyring")
            backend.set_password(self.service, self.user, raw.hex())
            write_atomic(marker, self.marker_text(key), mode=0o600, exclusive=True)
        except Exception:  # noqa: BLE001 — no keyring, or it refused: an owner-only file
            write_atomic(key_file, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                     serialization.NoEncryption()), mode=0o600, exclusive=True)
        return key, True
