"""Signed checkpoints of the audit chain head, kept OUTSIDE the data folder.

The hash chain alone cannot tell an honest short log from a log whose tail was cut and whose
entries were re-hashed with the published algorithm, nor today's database from last month's
copy. So after every commit the head of the chain (seq + hash) is written, signed with this
computer's device key, to a file outside the data folder; ``weicha verify`` checks that the
chain still reaches that seq with that hash and that the signature holds.

    <config dir>/                      WEICHA_CONFIG_DIR, else the platform's user config
      device_key.pem                   Ed25519 private key (0600; the folder is 0700) — or,
      device_key.keyring               where the OS keyring works, a marker naming the key
                                       that lives there (service "WeiChaDesktop")
      checkpoints/<device_id>.json     {"checkpoint": {...}, "signature": hex}
      checkpoints/<device_id>.lock

A checkpoint is ``{format, device_id, seq, head, head_at, counter, written_at, data_dir,
public_key}``; ``counter`` grows by one with every write. It is written atomically (temp file,
fsync, rename, fsync of the folder) and NEVER moved back or sideways by an ordinary commit:
when the checkpoint is ahead of the database, or names a different entry at its seq, the
database was rolled back or replaced, and overwriting it would launder that. Only
``acknowledge_restore`` (a deliberate restore, logged as ``data.restore``) re-anchors.

What it cannot tell: a copy verified on another computer, or after this user's config folder
was wiped or restored together with the data, has no (or an equally old) checkpoint; verify
then says what it cannot rule out. The sync issue adds the server's anchor."""
from __future__ import annotations

import json
import os
import re
import sqlite3
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import filelock
import platformdirs
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from weicha_desktop.core.canonical import canonical_json
from weicha_desktop.core.media.blobs import _fsync_dir
from weicha_desktop.core.paths import APP_AUTHOR, APP_NAME, default_data_dir

ENV_CONFIG_DIR = "WEICHA_CONFIG_DIR"
FORMAT = "weicha-checkpoint/1"
KEY_FILE = "device_key.pem"
KEYRING_MARKER = "device_key.keyring"
KEYRING_SERVICE = APP_NAME
KEYRING_USER = "device-signing-key"
DEVICE_ID = re.compile(r"^[0-9A-Za-z-]{8,64}$")
AUTO = object()  # Anchor(keyring=AUTO): the OS keyring if one is usable


class CheckpointError(Exception):
    """A checkpoint file that cannot be read as one (the message is Chinese)."""


def default_config_dir() -> Path:
    """WEICHA_CONFIG_DIR, else the platform's per-user config folder — never the default data
    folder (on Windows and macOS platformdirs gives the same folder for both: then a sibling)."""
    if os.environ.get(ENV_CONFIG_DIR):
        return Path(os.environ[ENV_CONFIG_DIR]).expanduser()
    config = Path(platformdirs.user_config_dir(APP_NAME, APP_AUTHOR, roaming=True))
    data = default_data_dir()
    if _inside(config, data) or _inside(data, config):
        config = data.parent / f"{APP_NAME}-config"
    return config


def _inside(path: Path, folder: Path) -> bool:
    path, folder = Path(os.path.abspath(path)), Path(os.path.abspath(folder))
    return path == folder or folder in path.parents


@dataclass(frozen=True)
class Checkpoint:
    device_id: str
    seq: int
    head: str
    head_at: str
    counter: int
    written_at: str
    data_dir: str
    public_key: str

    def body(self) -> dict[str, Any]:
        return {"format": FORMAT, **self.__dict__}


class Anchor:
    """The device key and the checkpoints of one OS user (a service: pass it in; tests point
    it into tmp_path). ``problem`` holds the last reason a checkpoint was not written."""

    def __init__(self, config_dir: str | os.PathLike, *, keyring: Any = AUTO):
        self.config_dir = Path(config_dir).expanduser().resolve()
        self._keyring = keyring
        self._private: Ed25519PrivateKey | None = None
        self.problem: str | None = None

    @classmethod
    def default(cls) -> "Anchor":
        return cls(default_config_dir())

    @property
    def checkpoints_dir(self) -> Path:
        return self.config_dir / "checkpoints"

    def path(self, device_id: str) -> Path:
        return self.checkpoints_dir / f"{device_id}.json"

    def usable_for(self, data_dir: Path) -> bool:
        """A checkpoint inside the data folder would be copied (and rolled back) with it."""
        return not _inside(self.config_dir, data_dir)

    # ---- the device key ----------------------------------------------------------------
    def _backend(self) -> Any:
        if self._keyring is not AUTO:
            return self._keyring
        try:
            import keyring

            backend = keyring.get_keyring()
            return backend if backend.priority > 0 else None
        except Exception:  # noqa: BLE001 — no usable keyring (headless Linux: none at all)
            return None

    def private_key(self, *, create: bool) -> Ed25519PrivateKey | None:
        """The device key: the key file if there is one, else the OS keyring's; made (in the
        keyring where it works, else in an owner-only file) when ``create`` and there is none.
        Raises CheckpointError when a key exists but cannot be read."""
        if self._private is not None:
            return self._private
        key_file, marker = self.config_dir / KEY_FILE, self.config_dir / KEYRING_MARKER
        if key_file.exists():
            try:
                key = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
            except (OSError, ValueError, TypeError) as e:
                raise CheckpointError(f"设备密钥文件 {key_file} 无法读取或已损坏（{e}）") from None
            if not isinstance(key, Ed25519PrivateKey):
                raise CheckpointError(f"设备密钥文件 {key_file} 不是 Ed25519 密钥")
            self._private = key
            return key
        backend = self._backend()
        secret = None
        if backend is not None:
            try:
                secret = backend.get_password(KEYRING_SERVICE, KEYRING_USER)
            except Exception as e:  # noqa: BLE001 — a locked or broken keyring
                raise CheckpointError(f"系统钥匙串中的设备密钥无法读取（{e}）") from None
        if secret:
            try:
                self._private = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(secret))
            except ValueError:
                raise CheckpointError("系统钥匙串中的设备密钥已损坏") from None
            return self._private
        if marker.exists():
            raise CheckpointError("设备密钥应在系统钥匙串中，但现在读不到（钥匙串被清除或不可用）")
        if not create:
            return None
        key = Ed25519PrivateKey.generate()
        _private_dir(self.config_dir)
        raw = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                serialization.NoEncryption())
        try:
            if backend is None:
                raise RuntimeError("no keyring")
            backend.set_password(KEYRING_SERVICE, KEYRING_USER, raw.hex())
            _write_new(marker, _public_hex(key).encode("ascii") + b"\n")
        except Exception:  # noqa: BLE001 — no keyring, or it refused: an owner-only file
            _write_new(key_file, key.private_bytes(serialization.Encoding.PEM,
                                                   serialization.PrivateFormat.PKCS8,
                                                   serialization.NoEncryption()))
        self._private = key
        return key

    def key_location(self) -> str:
        if (self.config_dir / KEY_FILE).exists():
            return str(self.config_dir / KEY_FILE)
        return f"系统钥匙串（{KEYRING_SERVICE}）"

    # ---- reading -----------------------------------------------------------------------
    def read(self, device_id: str) -> Checkpoint | None:
        """The checkpoint of ``device_id`` as stored (signature NOT checked), or None."""
        try:
            raw = self.path(device_id).read_bytes()
        except FileNotFoundError:
            return None
        except OSError as e:
            raise CheckpointError(f"无法读取（{e.strerror or e}）") from None
        try:
            body = json.loads(raw)["checkpoint"]
            if body.pop("format") != FORMAT:
                raise ValueError("format")
            return Checkpoint(**body)
        except (ValueError, KeyError, TypeError, AttributeError):
            raise CheckpointError("内容不是有效的检查点") from None

    def signature_ok(self, device_id: str, cp: Checkpoint) -> bool:
        key = self.private_key(create=False)
        if key is None:
            raise CheckpointError("找不到本机的设备密钥")
        try:
            signature = bytes.fromhex(json.loads(self.path(device_id).read_bytes())["signature"])
            key.public_key().verify(signature, canonical_json(cp.body()))
        except (InvalidSignature, ValueError, KeyError, TypeError, OSError):
            return False
        return _public_hex(key) == cp.public_key

    def for_folder(self, data_dir: Path, device_id: str) -> Checkpoint | None:
        """Another device id's checkpoint written for this very folder (the database's device
        id was changed, or the folder holds another database now)."""
        for path in sorted(self.checkpoints_dir.glob("*.json")) if self.checkpoints_dir.is_dir() else []:
            other = path.stem
            if other == device_id:
                continue
            try:
                cp = self.read(other)
            except CheckpointError:
                continue
            if cp is not None and cp.data_dir == str(data_dir):
                return cp
        return None

    # ---- writing -----------------------------------------------------------------------
    def advance(self, conn: sqlite3.Connection, data_dir: Path, *, force: bool = False) -> bool:
        """Move the checkpoint to the database's head, after a commit. Never raises: the data
        is committed already; a checkpoint not written is remembered in ``problem`` (and
        verify sees the checkpoint behind or ahead). ``force`` re-anchors after a restore."""
        try:
            return self._advance(conn, data_dir, force)
        except Exception as e:  # noqa: BLE001 — disk full, no key, a checkpoint ahead …
            self.problem = f"检查点未能写入：{getattr(e, 'strerror', None) or e}"
            return False

    def _advance(self, conn: sqlite3.Connection, data_dir: Path, force: bool) -> bool:
        device_id, head = device_and_head(conn)
        if device_id is None or head is None or not self.usable_for(data_dir):
            return False
        if not DEVICE_ID.match(device_id):
            raise CheckpointError(f"数据中的设备编号“{device_id[:40]}”无效")
        _private_dir(self.checkpoints_dir)
        with filelock.FileLock(str(self.checkpoints_dir / f"{device_id}.lock"), timeout=10):
            try:
                old = self.read(device_id)
            except CheckpointError:
                if not force:
                    raise
                old = None
            if old is not None and not force:
                state = compare(conn, old)
                if state == "same":
                    return True
                if state != "behind":
                    raise CheckpointError(f"本机检查点（第 {old.seq} 条）与数据不符，数据可能被回滚；"
                                          "检查点保持不变，请运行 weicha verify")
            if old is None and not force:
                other = self.for_folder(data_dir, device_id)
                if other is not None:
                    raise CheckpointError(f"这个数据文件夹原有设备 {other.device_id} 的检查点，"
                                          "数据可能被整体替换；请运行 weicha verify")
            key = self.private_key(create=True)
            cp = Checkpoint(device_id=device_id, seq=head[0], head=head[1], head_at=head[2],
                            counter=(old.counter + 1) if old else 1,
                            written_at=datetime.now().astimezone().isoformat(timespec="seconds"),
                            data_dir=str(data_dir), public_key=_public_hex(key))
            signature = key.sign(canonical_json(cp.body())).hex()
            text = json.dumps({"checkpoint": cp.body(), "signature": signature},
                              ensure_ascii=False, indent=1, sort_keys=True)
            _write_atomic(self.path(device_id), text.encode("utf-8"))
        self.problem = None
        return True


def device_and_head(conn: sqlite3.Connection) -> tuple[str | None, tuple[int, str, str] | None]:
    row = conn.execute("SELECT value FROM meta WHERE key = 'device_id'").fetchone()
    head = conn.execute("SELECT seq, hash, at FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    return (row[0] if row else None), (tuple(head) if head else None)


def compare(conn: sqlite3.Connection, cp: Checkpoint) -> str:
    """same / behind (the chain went on from it) / ahead (the chain is shorter) / diverged."""
    row = conn.execute("SELECT hash FROM audit_log WHERE seq = ?", (cp.seq,)).fetchone()
    last = conn.execute("SELECT max(seq) FROM audit_log").fetchone()[0] or 0
    if row is None:
        return "ahead" if cp.seq > last else "diverged"
    if row[0] != cp.head:
        return "diverged"
    return "same" if cp.seq == last else "behind"


def acknowledge_restore(store: Any, actor: Any, details: dict[str, Any]) -> None:
    """After a deliberate restore: ONE change that logs ``data.restore`` (with the checkpoint
    it supersedes, if any, and ``details``) and re-anchors the checkpoint to the new head, so
    verify is clean afterwards while the log keeps what was lost."""
    from weicha_desktop.core.errors import WeichaError

    anchor: Anchor | None = store.anchor
    device_id, _ = device_and_head(store.conn)
    superseded = None
    if anchor is not None and device_id and DEVICE_ID.match(device_id):
        try:
            old = anchor.read(device_id)
            superseded = old and {"seq": old.seq, "head": old.head, "counter": old.counter,
                                  "written_at": old.written_at, "data_dir": old.data_dir}
        except CheckpointError as e:
            superseded = {"unreadable": str(e)}
    gone = f"，取代本机检查点（工作日志第 {superseded['seq']} 条）" if superseded and "seq" in superseded else ""
    with store.change(actor) as ch:
        ch.log("data.restore", "data", device_id, f"从备份恢复数据{gone}",
               {**details, "superseded_checkpoint": superseded})
        ch.reanchor = True
    if anchor is not None and anchor.problem:
        raise WeichaError(f"数据已恢复，但{anchor.problem}。")


# ---- files ---------------------------------------------------------------------------------
def _public_hex(key: Ed25519PrivateKey) -> str:
    pub: Ed25519PublicKey = key.public_key()
    return pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


def _private_dir(path: Path) -> None:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if os.name == "posix" and path.stat().st_mode & 0o077:
        os.chmod(path, 0o700)


def _write_new(path: Path, data: bytes) -> None:
    """A new owner-only file, complete or not at all (on Windows the profile's ACL applies)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o600)
        os.link(tmp, path) if os.name == "posix" else os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    _fsync_dir(path.parent)


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)
