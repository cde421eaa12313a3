"""The OS keyring of core/keystore.py: looked for only when a key is read from or written to
it (a key in a file never imports keyring), only among the backends of this platform (never
keyring's macOS backend on Linux: its library look-up runs gcc and ldconfig), chained as
keyring's own chainer (reads ask each, a write goes to the first that takes it), and none
usable behaving as no keyring at all (an owner-only file)."""
from __future__ import annotations

import sys
import types

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from weicha_desktop.core import keystore
from weicha_desktop.core.bundle.laptop_key import WORDS
from weicha_desktop.core.errors import WeichaError
from weicha_desktop.core.keystore import KeySlot, OsKeyring, platform_backends


class _Priority:
    """A class attribute ``priority`` that is read as keyring reads it (on the class)."""

    def __init__(self, value):
        self.value = value

    def __get__(self, obj, owner):
        if isinstance(self.value, Exception):
            raise self.value
        return self.value


def _backend_module(monkeypatch, **priorities):
    """A fake backend module ``fake_rings`` with one class per name, of that priority (an
    exception: the backend cannot work here), as the backends of platform ``testos``."""
    module = types.ModuleType("fake_rings")
    for name, priority in priorities.items():
        cls = type(name, (), {"priority": _Priority(priority), "kept": {},
                              "get_password": lambda self, s, u: self.kept.get((s, u)),
                              "set_password": _setter(name)})
        setattr(module, name, cls)
    monkeypatch.setitem(sys.modules, "fake_rings", module)
    monkeypatch.setitem(keystore._PLATFORM_BACKENDS, "testos", tuple(("fake_rings", n) for n in priorities))
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    monkeypatch.setattr("keyring.core.load_config", lambda: None)  # no keyringrc.cfg of the machine
    return module


def _setter(name):
    def set_password(self, service, user, secret):
        if name.startswith("ReadOnly"):
            raise NotImplementedError
        self.kept[(service, user)] = secret
    return set_password


def test_only_this_platforms_backends_are_looked_at():
    linux = {module for module, _ in platform_backends("linux")}
    assert "keyring.backends.macOS" not in linux and "keyring.backends.Windows" not in linux
    assert "keyring.backends.SecretService" in linux
    assert platform_backends("darwin") == (("keyring.backends.macOS", "Keyring"),)
    assert platform_backends("win32") == (("keyring.backends.Windows", "WinVaultKeyring"),)


def test_linux_never_imports_the_macos_backend(monkeypatch):
    asked = []
    real = keystore.importlib.import_module
    monkeypatch.setattr(keystore.importlib, "import_module", lambda name: asked.append(name) or real(name))
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    monkeypatch.setattr("keyring.core.load_config", lambda: None)
    ring = OsKeyring("linux")
    ring.backends()  # no D-Bus session here: none usable, whatever it found
    assert asked and not any("macOS" in name or "Windows" in name for name in asked)
    assert ring.backends() is ring.backends()  # looked for once per keyring


def test_backends_best_first_reads_ask_each_writes_go_to_the_first_that_takes(monkeypatch):
    module = _backend_module(monkeypatch, Low=1, Broken=RuntimeError("no D-Bus"), Off=0, ReadOnlyHigh=9, Mid=5)
    ring = OsKeyring("testos")
    assert [type(r).__name__ for r in ring.backends()] == ["ReadOnlyHigh", "Mid", "Low"]
    ring.set_password("svc", "user", "s1")  # ReadOnlyHigh refuses (NotImplementedError): Mid takes it
    assert module.Mid.kept == {("svc", "user"): "s1"} and module.Low.kept == {}
    module.Low.kept[("svc", "other")] = "s2"
    assert ring.get_password("svc", "user") == "s1" and ring.get_password("svc", "other") == "s2"
    assert ring.get_password("svc", "nobody") is None


def test_the_keyring_the_user_chose_wins(monkeypatch):
    _backend_module(monkeypatch, Mid=5)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "fake_rings.Mid")
    assert [type(r).__name__ for r in OsKeyring("testos").backends()] == ["Mid"]
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "no_such_module.Keyring")  # broken: none, never a traceback
    assert OsKeyring("testos").backends() == []
    monkeypatch.setattr("keyring.core.load_env", lambda: pytest.fail("keyring turned off: not asked"))
    for off in ("keyring.backends.fail.Keyring", "keyring.backends.null.Keyring"):  # priority 0, -1
        monkeypatch.setenv("PYTHON_KEYRING_BACKEND", off)
        assert OsKeyring("testos").backends() == []


def _slot(tmp_path):
    return KeySlot(tmp_path / "cfg", "k.pem", "k.keyring", "svc", "user", X25519PrivateKey, WeichaError, WORDS)


def test_no_usable_keyring_keeps_the_key_in_an_owner_only_file(tmp_path, monkeypatch):
    _backend_module(monkeypatch, Off=0, Broken=RuntimeError("no D-Bus"))
    slot = _slot(tmp_path)
    key, made = slot.load(OsKeyring("testos"), create=True)
    assert made and slot.key_file.exists() and (slot.key_file.stat().st_mode & 0o777) == 0o600
    assert not (slot.folder / "k.keyring").exists()
    again, made = slot.load(OsKeyring("testos"), create=False)
    assert not made and again.private_bytes_raw() == key.private_bytes_raw()


def test_a_usable_keyring_keeps_the_key(tmp_path, monkeypatch):
    module = _backend_module(monkeypatch, Mid=5)
    slot = _slot(tmp_path)
    key, made = slot.load(OsKeyring("testos"), create=True)
    assert made and module.Mid.kept and not slot.key_file.exists() and (slot.folder / "k.keyring").exists()
    again, _ = slot.load(OsKeyring("testos"), create=False)
    assert again.private_bytes_raw() == key.private_bytes_raw()
    module.Mid.kept.clear()  # the keyring wiped: said, never a new key behind its back
    with pytest.raises(WeichaError, match="钥匙串"):
        slot.load(OsKeyring("testos"), create=True)


def test_a_key_in_a_file_never_looks_for_the_keyring(tmp_path, monkeypatch):
    slot = _slot(tmp_path)
    key, _ = slot.load(None, create=True)  # no keyring: the file
    looked = []
    monkeypatch.setattr(OsKeyring, "_look", lambda self: looked.append(1) or [])
    again, made = slot.load(OsKeyring(), create=False)
    assert not made and again.private_bytes_raw() == key.private_bytes_raw() and looked == []


def test_an_anchor_whose_key_is_in_a_file_never_imports_keyring(tmp_path, monkeypatch):
    """Every commit signs a checkpoint with the device key: on a laptop whose key is in a
    file (Linux without a keyring), no process imports keyring or looks for its backends."""
    from weicha_desktop.core.checkpoint import Anchor

    made = Anchor(tmp_path / "cfg").private_key(create=True)  # the test keyring: none, a file
    touched = []

    class Tripwire(types.ModuleType):
        def __getattr__(self, name):
            touched.append(name)
            raise AttributeError(name)

    monkeypatch.setitem(sys.modules, "keyring", Tripwire("keyring"))
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND")  # not the tests' "none": it would be looked for
    anchor = Anchor(tmp_path / "cfg")
    assert anchor.private_key(create=False).public_key().public_bytes_raw() == made.public_key().public_bytes_raw()
    assert touched == []
