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
      checkpoints/<device_id>.<folder_id>.json   {"checkpoint": {...}, "signature": hex}
      checkpoints/<device_id>.json     a folder's from before folder ids (once it has one:
                                       frozen, naming the folder id that took it over)
      checkpoints/<device_id>.lock

A checkpoint belongs to one LINE of a folder's history: device id + folder id (core/lineage.py).
A restore starts a new line, so restoring on the computer that holds the original leaves the
original's checkpoint alone. A checkpoint is ``{format, device_id, seq, head, head_at,
counter, written_at, data_dir, public_key, folder_id}``; ``counter`` grows by one with every
write. It is written atomically (temp file,
fsync, rename, fsync of the folder) and NEVER moved back or sideways by an ordinary commit:
when the checkpoint is ahead of the database, or names a different entry at its seq, the
database was rolled back or replaced, and overwriting it would launder that; nor is a fresh
one started for a folder while this device has a checkpoint of another line here (a copy
whose folder id was changed) or another device's names this very folder. The reason is kept
in ``Anchor.suspected`` (the GUI shows it). Only ``acknowledge_restore`` (a deliberate
restore, logged as ``data.restore``) starts a line without those checks.

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
from weicha_desktop.core.lineage import FOLDER_ID, FOLDER_KEY, folder_of, new_folder_id
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


class RollbackSuspected(CheckpointError):
    """The data does not continue this computer's checkpoint (rolled back or replaced): the
    checkpoint is left as it is. The message is the reason, in Chinese, without advice."""


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
    folder_id: str | None = None  # None: written before folder ids (core/lineage.py)

    def body(self) -> dict[str, Any]:
        body = {"format": FORMAT, **self.__dict__}
        if self.folder_id is None:  # as signed before folder ids existed
            del body["folder_id"]
        return body


class Anchor:
    """The device key and the checkpoints of one OS user (a service: pass it in; tests point
    it into tmp_path). ``problem`` holds the last reason a checkpoint was not written."""

    def __init__(self, config_dir: str | os.PathLike, *, keyring: Any = AUTO):
        self.config_dir = Path(config_dir).expanduser().resolve()
        self._keyring = keyring
        self._private: Ed25519PrivateKey | None = None
        self.problem: str | None = None
        self.suspected: str | None = None  # the problem is a suspected rollback: why

    @classmethod
    def default(cls) -> "Anchor":
        return cls(default_config_dir())

    @property
    def checkpoints_dir(self) -> Path:
        return self.config_dir / "checkpoints"

    def path(self, device_id: str, folder_id: str | None = None) -> Path:
        """The checkpoint of one line (device id + folder id); without a folder id, the one
        written before folder ids."""
        return self.checkpoints_dir / (f"{device_id}.{folder_id}.json" if folder_id else f"{device_id}.json")

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
    def read(self, device_id: str, folder_id: str | None = None) -> Checkpoint | None:
        """The checkpoint of that line as stored (signature NOT checked), or None."""
        return self._read(self.path(device_id, folder_id))

    def _read(self, path: Path) -> Checkpoint | None:
        try:
            raw = path.read_bytes()
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

    def signature_ok(self, device_id: str, cp: Checkpoint, folder_id: str | None = None) -> bool:
        key = self.private_key(create=False)
        if key is None:
            raise CheckpointError("找不到本机的设备密钥")
        try:
            raw = self.path(device_id, folder_id).read_bytes()
            signature = bytes.fromhex(json.loads(raw)["signature"])
            key.public_key().verify(signature, canonical_json(cp.body()))
        except (InvalidSignature, ValueError, KeyError, TypeError, OSError):
            return False
        return _public_hex(key) == cp.public_key

    def for_folder(self, data_dir: Path, device_id: str, folder_id: str | None = None,
                   *, same_device: bool = True) -> Checkpoint | None:
        """The checkpoint of another line written for this very folder (the database's device
        or folder id was changed, or the folder holds another database now). This device's
        checkpoint from before folder ids is not counted (the caller looks at it first)."""
        mine = {f"{device_id}.{folder_id}", device_id}
        for path in self._files():
            if path.stem in mine or (not same_device and path.stem.split(".")[0] == device_id):
                continue
            cp = self._try_read(path)
            if cp is not None and cp.data_dir == str(data_dir):
                return cp
        return None

    def other_lines(self, device_id: str, folder_id: str | None) -> list[Checkpoint]:
        """This device's checkpoints of other lines (folder ids) on this computer."""
        out = []
        for path in self._files():
            device, _, folder = path.stem.partition(".")
            if device == device_id and folder and folder != folder_id:
                cp = self._try_read(path)
                if cp is not None:
                    out.append(cp)
        return out

    def _files(self) -> list[Path]:
        return sorted(self.checkpoints_dir.glob("*.json")) if self.checkpoints_dir.is_dir() else []

    def _try_read(self, path: Path) -> Checkpoint | None:
        try:
            return self._read(path)
        except CheckpointError:
            return None

    # ---- writing -----------------------------------------------------------------------
    def advance(self, conn: sqlite3.Connection, data_dir: Path, *, force: bool = False) -> bool:
        """Move the checkpoint to the database's head, after a commit. Never raises: the data
        is committed already; a checkpoint not written is remembered in ``problem`` (and
        verify sees the checkpoint behind or ahead), a suspected rollback also in
        ``suspected``. ``force`` anchors the new line of a restored folder."""
        try:
            return self._advance(conn, data_dir, force)
        except RollbackSuspected as e:
            self.suspected = str(e)
            self.problem = f"检查点未能写入：{e}，数据可能被回滚或替换；检查点保持不变，请运行 weicha verify"
            return False
        except Exception as e:  # noqa: BLE001 — disk full, no key …
            self.problem = f"检查点未能写入：{getattr(e, 'strerror', None) or e}"
            return False

    def _advance(self, conn: sqlite3.Connection, data_dir: Path, force: bool) -> bool:
        device_id, head = device_and_head(conn)
        folder_id = folder_of(conn)
        if device_id is None or head is None or not self.usable_for(data_dir):
            return False
        if not DEVICE_ID.match(device_id):
            raise CheckpointError(f"数据中的设备编号“{device_id[:40]}”无效")
        if folder_id is not None and not FOLDER_ID.match(folder_id):
            raise RollbackSuspected(f"数据中的文件夹编号“{folder_id[:40]}”无效，已被改动")
        _private_dir(self.checkpoints_dir)
        with filelock.FileLock(str(self.checkpoints_dir / f"{device_id}.lock"), timeout=10):
            try:
                old = self.read(device_id, folder_id)
            except CheckpointError:
                if not force:
                    raise
                old = None
            if old is not None and not force:
                if self._still_same(conn, old, folder_id):
                    return True
            taken_over = self._may_start(conn, data_dir, device_id, folder_id) if old is None and not force else None
            key = self.private_key(create=True)
            previous = old or taken_over
            self._write(key, device_id, folder_id, head, (previous.counter + 1) if previous else 1, data_dir)
            if taken_over is not None:  # frozen from now on, naming the line that took it over
                self._write(key, device_id, None, head, taken_over.counter + 1, data_dir, folder_id)
        self.problem = self.suspected = None
        return True

    def _still_same(self, conn: sqlite3.Connection, old: Checkpoint, folder_id: str | None) -> bool:
        """True when the data is at the checkpoint; False when it went on from it; else raises."""
        if folder_id is None and old.folder_id is not None:
            raise RollbackSuspected(f"这个数据文件夹在 {old.written_at} 已编号为 {old.folder_id}（工作日志第 "
                                    f"{old.seq} 条），而这份数据没有编号：是那之前的副本")
        if old.folder_id != folder_id:
            raise CheckpointError(f"本机检查点文件 {self.path(old.device_id, folder_id).name} 被改动过")
        state = compare(conn, old)
        if state == "same":
            self.problem = self.suspected = None
            return True
        if state != "behind":
            raise RollbackSuspected(f"本机签名检查点记下工作日志已到第 {old.seq} 条（{old.written_at}），"
                                    "与这份数据不符")
        return False

    def _may_start(self, conn: sqlite3.Connection, data_dir: Path, device_id: str,
                   folder_id: str | None) -> Checkpoint | None:
        """May a line with no checkpoint here start one? A folder that just got its folder id
        takes over this device's checkpoint from before folder ids (returned) if the data
        continues it. Refused: a checkpoint from before folder ids that the data does not
        continue or that another folder took over; a checkpoint of another line of this
        device (only a restore starts a second one); another device's for this folder."""
        if folder_id is not None:
            legacy = self.read(device_id)
            if legacy is not None:
                if legacy.folder_id is not None:
                    raise RollbackSuspected(
                        f"本机的检查点已于 {legacy.written_at} 转给编号为 {legacy.folder_id} 的数据文件夹"
                        f"（工作日志第 {legacy.seq} 条），这份数据是另一份副本")
                self._still_same(conn, legacy, None)
                return legacy
        others = self.other_lines(device_id, folder_id)
        if others:
            raise RollbackSuspected(
                f"本机已有这台设备另一个数据文件夹（编号 {others[0].folder_id}，{others[0].data_dir}）的检查点，"
                "却没有这个文件夹的：这份数据可能是较早的副本被改了编号")
        other = self.for_folder(data_dir, device_id, folder_id)
        if other is not None:
            raise RollbackSuspected(f"这个数据文件夹原有设备 {other.device_id} 的检查点，数据可能被整体替换")
        return None

    def _write(self, key: Ed25519PrivateKey, device_id: str, folder_id: str | None,
               head: tuple[int, str, str], counter: int, data_dir: Path, taken_by: str | None = None) -> None:
        cp = Checkpoint(device_id=device_id, seq=head[0], head=head[1], head_at=head[2], counter=counter,
                        written_at=datetime.now().astimezone().isoformat(timespec="seconds"),
                        data_dir=str(data_dir), public_key=_public_hex(key), folder_id=folder_id or taken_by)
        signature = key.sign(canonical_json(cp.body())).hex()
        text = json.dumps({"checkpoint": cp.body(), "signature": signature},
                          ensure_ascii=False, indent=1, sort_keys=True)
        _write_atomic(self.path(device_id, folder_id), text.encode("utf-8"))


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
    """After a deliberate restore: ONE change that gives the restored folder a new folder id
    (a new line of history, core/lineage.py) and logs ``data.restore`` with the folder id it
    had, the head it was restored to, the checkpoint this computer holds of the original line
    (if any: "restored to entry N; the original had reached entry M") and ``details``; then a
    checkpoint of the new line is written. The original's checkpoint is left alone, so the
    original folder, if it is still here, verifies clean."""
    from weicha_desktop.core.errors import WeichaError

    anchor: Anchor | None = store.anchor
    device_id, head = device_and_head(store.conn)
    previous = folder_of(store.conn)
    superseded = None
    if anchor is not None and device_id and DEVICE_ID.match(device_id) and (
            previous is None or FOLDER_ID.match(previous)):
        try:
            old = anchor.read(device_id, previous)
            if old is None and previous is not None:  # the original's from before folder ids
                legacy = anchor.read(device_id)
                old = legacy if legacy is not None and legacy.folder_id in (None, previous) else None
            superseded = old and {"seq": old.seq, "head": old.head, "counter": old.counter,
                                  "written_at": old.written_at, "data_dir": old.data_dir,
                                  "folder_id": old.folder_id}
        except CheckpointError as e:
            superseded = {"unreadable": str(e)}
    folder_id = new_folder_id()
    reached = head[0] if head else 0
    original = (f"；本机原数据文件夹的检查点已到第 {superseded['seq']} 条"
                if superseded and "seq" in superseded else "")
    with store.change(actor) as ch:
        ch.set_meta(FOLDER_KEY, folder_id)
        ch.log("data.restore", "data", device_id,
               f"从备份恢复数据（备份中的工作日志到第 {reached} 条{original}），文件夹编号改为 {folder_id}",
               {**details, "folder_id": folder_id, "previous_folder_id": previous,
                "backup_head": {"seq": head[0], "hash": head[1]} if head else None,
                "superseded_checkpoint": superseded})
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
