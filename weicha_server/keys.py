"""The server's own keys for USB bundles (docs/server.md, "Bundles"): an Ed25519 key that
signs what the server hands out (receipts, reference bundles, enrollment files) and an X25519
key the laptops encrypt their ops bundles to.

    ServerKeys.load(data_dir)    the keys in ``<data-dir>/keys/``, made now if missing
    keys.public()                ``{signing_public, encryption_public}``: raw keys, base64
                                 (the /v1/enroll answer's ``bundle_keys``, GET /v1/keys)
    keys.fingerprints()          what an administrator reads out to compare on a laptop

The files are ``keys/signing.pem`` and ``keys/encryption.pem`` (PKCS#8 PEM, unencrypted,
mode 0600, the folder 0700). ``init`` makes them; a data folder made before this version
gets them on first use (any command or the server's start). Two processes making them at
once — workers starting together — agree: each key is written beside its name and linked
into place only if no file is there (the loser reads the winner's). A key file that is there
but unreadable is an error, never replaced: laptops pinned its public half; so is one missing
beside the other (a folder damaged or half restored: the error names the file to restore).
Only a folder with no key yet gets new ones; the folder is set to 0700 on every load."""
from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from weicha_desktop.core.bundle.container import fingerprint  # AB:CD:… as the laptop shows it
from weicha_desktop.core.errors import WeichaError
from weicha_desktop.core.fileio import os_error_message, write_atomic

KEYS_DIR = "keys"
SIGNING_FILE, ENCRYPTION_FILE = "signing.pem", "encryption.pem"


class ServerKeyError(WeichaError):
    """A key file the server cannot use (the reason in Chinese)."""


def raw_public(key: Ed25519PublicKey | X25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


@dataclass(frozen=True)
class ServerKeys:
    signing: Ed25519PrivateKey
    encryption: X25519PrivateKey

    @classmethod
    def load(cls, data_dir: Path) -> "ServerKeys":
        folder = Path(data_dir) / KEYS_DIR
        try:
            made = not folder.exists()
            folder.mkdir(mode=0o700, exist_ok=True)
            if not made and not any((folder / f).exists() for f in (SIGNING_FILE, ENCRYPTION_FILE)):
                made = True  # an empty folder (a first start killed before its keys): nothing to lose
            os.chmod(folder, 0o700)  # owner only, also a folder made looser by hand or by a copy
        except OSError as e:
            raise ServerKeyError(f"无法建立服务器密钥文件夹 {folder}（{os_error_message(e)}）。") from None
        signing = _load_or_make(folder / SIGNING_FILE, Ed25519PrivateKey.generate, Ed25519PrivateKey, made)
        encryption = _load_or_make(folder / ENCRYPTION_FILE, X25519PrivateKey.generate, X25519PrivateKey, made)
        return cls(signing, encryption)

    @property
    def signing_public(self) -> Ed25519PublicKey:
        return self.signing.public_key()

    @property
    def encryption_public(self) -> X25519PublicKey:
        return self.encryption.public_key()

    def public(self) -> dict[str, str]:
        return {"signing_public": b64(raw_public(self.signing_public)),
                "encryption_public": b64(raw_public(self.encryption_public))}

    def fingerprints(self) -> dict[str, str]:
        return {"signing": fingerprint(raw_public(self.signing_public)),
                "encryption": fingerprint(raw_public(self.encryption_public))}


def _load_or_make(path: Path, generate: Callable, kind: type, new_folder: bool):
    """The key at ``path``; made only in a folder with no keys yet — one missing beside the other
    is a folder damaged or half restored: laptops pinned the lost key's public half, so a new one
    would silently break them (refused, saying what to restore)."""
    if not path.exists() and not new_folder:
        raise ServerKeyError(f"服务器密钥文件 {path} 不见了，而同一文件夹中的另一把密钥还在：不会自动生成新密钥"
                             "（各笔记本已固定了原来的公钥，新密钥会让它们全部拒收）。请从备份恢复 keys 文件夹中的 "
                             f"{path.name}；确实丢失时，须为每台笔记本重新办理登记。")
    if not path.exists():
        key = generate()
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        try:
            write_atomic(path, pem, mode=0o600, exclusive=True)
            return key
        except FileExistsError:
            pass  # another process made it meanwhile: theirs is the key
        except OSError as e:
            raise ServerKeyError(f"无法写入服务器密钥 {path}（{os_error_message(e)}）。") from None
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except OSError as e:
        raise ServerKeyError(f"无法读取服务器密钥 {path}（{os_error_message(e, reading=True)}）。") from None
    except (ValueError, TypeError):
        key = None
    if not isinstance(key, kind):
        raise ServerKeyError(f"服务器密钥文件 {path} 已损坏或不是所需类型的密钥：不会自动替换（各笔记本记住了它的公钥）。"
                        "请从备份恢复 keys 文件夹。")
    return key
