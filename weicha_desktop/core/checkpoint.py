"""Signed checkpoints of the audit chain head, kept OUTSIDE the data folder (the design and
what it cannot tell: docs/architecture.md, "Signed checkpoint").

After every commit the head of the chain (seq + hash) is written, signed with this
computer's Ed25519 device key, outside the data folder; ``weicha verify`` checks that the
chain still reaches that seq with that hash and that the signature holds.

    <config dir>/                      WEICHA_CONFIG_DIR, else the platform's user config
      device_key.pem | .keyring        the key (0600, folder 0700), or a marker: in the keyring
      checkpoints/<device_id>.<folder_id>.json   {"checkpoint": {...}, "signature": hex}
      checkpoints/<device_id>.json     a folder's from before folder ids (frozen once taken over)
      checkpoints/<device_id>.lock

One checkpoint per LINE of a folder's history (device id + folder id, core/lineage.py), NEVER
moved back or sideways by an ordinary commit (that would launder a rollback): the reason is
kept in ``Anchor.suspected``. Only ``acknowledge_restore`` starts a line without those checks.
Before a line's checkpoint is started, or signed with a key the log does not name for it, the
store logs ``data.anchor`` (core/checkpoint_log.py), so a wiped config folder or a lost key
stays visible in verify. A commit re-reads the file only when it changed (its device, inode or
bytes differ from what this instance wrote last) and pays the lock, one query and the write in
place (core/checkpoint_file.py: two slots, whole or none; read never blocking, never past 1 MiB)."""
from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import platformdirs

from weicha_desktop.core import checkpoint_log
from weicha_desktop.core.canonical import canonical_json
from weicha_desktop.core.checkpoint_file import BadFile, SlotFile, document, parse, read
from weicha_desktop.core.checkpoint_head import (ASK, compare, device_and_head, just_set_up,  # noqa: F401
                                                 line_and_head)  # (device_and_head, compare: verify's too)
from weicha_desktop.core.checkpoint_lock import CheckpointBusy, DeviceLock, private_dir
from weicha_desktop.core.clock import Clock
from weicha_desktop.core.fileio import PART, os_error_message
from weicha_desktop.core.lineage import FOLDER_ID, FOLDER_KEY, folder_of, new_folder_id
from weicha_desktop.core.paths import APP_AUTHOR, APP_NAME, default_data_dir

if TYPE_CHECKING:  # cryptography (~8 ms to import) when a key is used, not at the start
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

ENV_CONFIG_DIR = "WEICHA_CONFIG_DIR"
FORMAT = "weicha-checkpoint/1"
KEY_FILE = "device_key.pem"
KEYRING_MARKER = "device_key.keyring"
KEYRING_SERVICE = APP_NAME
KEYRING_USER = "device-signing-key"
DEVICE_KEY_WORDS = {
    "file_unreadable": "设备密钥文件 {file} 无法读取或已损坏（{error}）",
    "file_wrong_type": "设备密钥文件 {file} 不是 Ed25519 密钥",
    "keyring_unreadable": "系统钥匙串中的设备密钥无法读取（{error}）",
    "keyring_damaged": "系统钥匙串中的设备密钥已损坏",
    "keyring_gone": "设备密钥应在系统钥匙串中，但现在读不到（钥匙串被清除或不可用）",
}
DEVICE_ID = re.compile(r"^[0-9A-Za-z-]{8,64}$")
AUTO = object()  # Anchor(keyring=AUTO): the OS keyring if one is usable
StartLogger = Callable[[str, dict[str, Any]], None]  # (summary, details): commits data.anchor


class CheckpointError(Exception):
    """A checkpoint file that cannot be read as one (the message is Chinese)."""


class RollbackSuspected(CheckpointError):
    """The data does not continue this computer's checkpoint (rolled back or replaced): the
    checkpoint is left as it is. The message is the reason, in Chinese, without advice."""


def default_config_dir() -> Path:
    """WEICHA_CONFIG_DIR, else the platform's per-user config folder — never the default data
    folder (on Windows and macOS platformdirs gives the same folder for both: then a sibling)."""
    if os.environ.get(ENV_CONFIG_DIR):
        return Path(os.path.expanduser(os.environ[ENV_CONFIG_DIR]))
    config = Path(platformdirs.user_config_dir(APP_NAME, APP_AUTHOR, roaming=True))
    data = default_data_dir()
    if _inside(config, data) or _inside(data, config):
        config = data.parent / f"{APP_NAME}-config"
    return config


def _inside(path: Path, folder: Path) -> bool:
    """``path`` is ``folder`` or in it (as strings: Path.parents costs ~0.1 ms an open)."""
    path_s, folder_s = (os.path.normcase(os.path.abspath(p)) for p in (path, folder))
    return path_s == folder_s or path_s.startswith(folder_s.rstrip(os.sep) + os.sep)


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

    def __init__(self, config_dir: str | os.PathLike, *, keyring: Any = AUTO,
                 clock: Clock | None = None):
        """``clock``: when a checkpoint was written (``written_at``: the computer's time)."""
        self.config_dir = Path(os.path.realpath(os.path.expanduser(config_dir)))  # (Path.resolve's, less parsing)
        self._keyring = keyring
        self._checkpoints_dir: tuple[Path, Path] | None = None
        self.clock = clock or Clock()
        self._private: Ed25519PrivateKey | None = None
        self._key_created = False  # the key was made by this instance (logged as such)
        self.problem: str | None = None
        self.suspected: str | None = None  # the problem is a suspected rollback: why
        # what a commit needs not find out again:
        self._known: dict[Path, Checkpoint] = {}  # as last written or read
        self._open: dict[Path, SlotFile] = {}  # files this instance wrote last, kept open
        self._public: tuple[Any, str] | None = None  # (key, its public key in hex)
        self._paths: dict[tuple[str, str | None], Path] = {}
        self._dir_ready = False  # checkpoints/ made and owner-only
        self._locks: dict[str, DeviceLock] = {}
        self._usable: dict[Path, bool] = {}
        self._swept: set[str] = set()  # devices whose stale temp files were removed
        self._logged: set[tuple[str, str, str]] = set()  # lines (+ key) the log names a start of
        self._seen: Checkpoint | None = None  # the line's checkpoint this instance last wrote or read

    def reader(self) -> "Anchor":
        """A fresh Anchor on the same key store, for another thread (verify in the window)."""
        return Anchor(self.config_dir, keyring=self._keyring, clock=self.clock)

    @classmethod
    def default(cls) -> "Anchor":
        return cls(default_config_dir())

    @property
    def checkpoints_dir(self) -> Path:
        made = self._checkpoints_dir  # (config dir, its checkpoints/): asked ~4 times an open
        if made is None or made[0] is not self.config_dir:
            made = self._checkpoints_dir = (self.config_dir, self.config_dir / "checkpoints")
        return made[1]

    def path(self, device_id: str, folder_id: str | None = None) -> Path:
        """The checkpoint of one line (device id + folder id); without a folder id, the one
        written before folder ids."""
        path = self._paths.get((device_id, folder_id))
        if path is None:  # a commit asks twice: ~20 µs of pathlib each
            path = self.checkpoints_dir / (f"{device_id}.{folder_id}.json" if folder_id else f"{device_id}.json")
            self._paths[(device_id, folder_id)] = path
        return path

    def usable_for(self, data_dir: Path) -> bool:
        """A checkpoint inside the data folder would be copied (and rolled back) with it."""
        if data_dir not in self._usable:
            self._usable[data_dir] = not _inside(self.config_dir, data_dir)
        return self._usable[data_dir]

    # ---- the device key ----------------------------------------------------------------
    def _backend(self) -> Any:
        if self._keyring is AUTO:  # looked for when a key is read from or written to it
            from weicha_desktop.core.keystore import OsKeyring

            self._keyring = OsKeyring()
        return self._keyring

    def keyring_backend(self) -> Any:
        """The OS keyring this key store uses (core/keystore.py OsKeyring: it acts as none
        where none is usable; None when the Anchor was given none). The sync token goes where
        the device key goes: core/sync/enrollment.py."""
        return self._backend()

    def private_key(self, *, create: bool) -> Ed25519PrivateKey | None:
        """The device key: the key file if there is one, else the OS keyring's; made (in the
        keyring where it works, else in an owner-only file) when ``create`` and there is none.
        Raises CheckpointError when a key exists but cannot be read."""
        if self._private is not None:
            return self._private
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        from weicha_desktop.core.keystore import KeySlot

        slot = KeySlot(self.config_dir, KEY_FILE, KEYRING_MARKER, KEYRING_SERVICE, KEYRING_USER,
                       Ed25519PrivateKey, CheckpointError, DEVICE_KEY_WORDS,
                       marker_text=lambda key: _public_hex(key).encode("ascii") + b"\n")
        key, made = slot.load(self._backend(), create=create)
        if made:
            self._key_created = True
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
        doc = self._document(path)
        if doc is None:
            return None
        try:
            body = doc["checkpoint"]
            if body.pop("format") != FORMAT:
                raise ValueError("format")
            return Checkpoint(**body)
        except (ValueError, KeyError, TypeError, AttributeError):
            raise CheckpointError("内容不是有效的检查点") from None

    @staticmethod
    def _document(path: Path) -> dict[str, Any] | None:
        """The file's document (core/checkpoint_file.py), None if there is no file. Read
        three times before it is called damaged: a reader racing a write in place can see
        both slots blank (a program writing slot 0 while this one read it, then blanking 1)."""
        for attempt in range(3):
            if attempt == 2:
                time.sleep(0.005)  # past the writer's fsync between its two writes
            try:
                raw = read(path)  # never blocks: a FIFO or a device there is BadFile
            except BadFile as e:
                raise CheckpointError(str(e)) from None
            except OSError as e:
                raise CheckpointError(f"无法读取（{os_error_message(e, reading=True)}）") from None
            if raw is None:
                return None
            try:
                doc = parse(raw)
                if isinstance(doc, dict):
                    return doc
            except ValueError:
                pass
        raise CheckpointError("内容不是有效的检查点")

    def signature_ok(self, device_id: str, cp: Checkpoint, folder_id: str | None = None) -> bool:
        from cryptography.exceptions import InvalidSignature

        key = self.private_key(create=False)
        if key is None:
            raise CheckpointError("找不到本机的设备密钥")
        try:
            doc = self._document(self.path(device_id, folder_id))
            signature = bytes.fromhex(doc["signature"])  # type: ignore[index]
            key.public_key().verify(signature, canonical_json(cp.body()))
        except (InvalidSignature, ValueError, KeyError, TypeError, OSError, CheckpointError):
            return False
        return _public_hex(key) == cp.public_key

    def for_folder(self, data_dir: Path, device_id: str, folder_id: str | None = None,
                   *, same_device: bool = True) -> Checkpoint | None:
        """The checkpoint of another line written for this very folder (the database's device
        or folder id was changed, or the folder holds another database now). This device's
        checkpoint from before folder ids is not counted (the caller looks at it first)."""
        mine = {f"{device_id}.{folder_id}", device_id}
        for stem in self._stems():
            if stem in mine or (not same_device and stem.split(".")[0] == device_id):
                continue
            cp = self._try_read(self.checkpoints_dir / f"{stem}.json")
            if cp is not None and cp.data_dir == str(data_dir):
                return cp
        return None

    def other_lines(self, device_id: str, folder_id: str | None) -> list[Checkpoint]:
        """This device's checkpoints of other lines (folder ids) on this computer."""
        out = []
        for stem in self._stems():
            device, _, folder = stem.partition(".")
            if device == device_id and folder and folder != folder_id:
                cp = self._try_read(self.checkpoints_dir / f"{stem}.json")
                if cp is not None:
                    out.append(cp)
        return out

    def _stems(self) -> list[str]:
        """The names of the checkpoint files (``*.json``) without the suffix, sorted: one
        listing of names (a Path and its stem per file cost ~10 µs a file; a new folder asks
        twice, and a key store holds a file per folder made with it)."""
        try:
            names = os.listdir(self.checkpoints_dir)
        except OSError:  # none yet, or unreadable: no checkpoints to read (as glob found)
            return []
        return [name[:-5] for name in sorted(names) if name.endswith(".json")]  # in glob's order

    def _try_read(self, path: Path) -> Checkpoint | None:
        try:
            return self._read(path)
        except CheckpointError:
            return None

    # ---- writing -----------------------------------------------------------------------
    def advance(self, conn: sqlite3.Connection, data_dir: Path, *, force: bool = False,
                log: StartLogger | None = None) -> bool:
        """Move the checkpoint to the database's head, after a commit. Never raises: the data
        is committed already; a checkpoint not written is remembered in ``problem`` (and
        verify sees the checkpoint behind or ahead), a suspected rollback also in
        ``suspected``. ``force`` anchors the new line of a restored folder. ``log(summary,
        details)`` commits a ``data.anchor`` entry (core/checkpoint_log.py) before a line's
        checkpoint is started or signed with a key the log does not name for it; without it
        (a bare connection) nothing is logged."""
        try:
            return self._advance(conn, data_dir, force, log)
        except RollbackSuspected as e:
            self.suspected = str(e)
            self.problem = f"检查点未能写入：{e}，数据可能被回滚或替换；检查点保持不变，请运行 weicha verify"
            return False
        except Exception as e:  # noqa: BLE001 — disk full, no key …
            reason = str(e) if isinstance(e, (CheckpointError, CheckpointBusy)) else os_error_message(e)
            self.problem = f"检查点未能写入：{reason}"
            return False

    def _advance(self, conn: sqlite3.Connection, data_dir: Path, force: bool, log: StartLogger | None) -> bool:
        seen = self._seen  # the checkpoint this instance wrote or read last: the hash at its seq comes along
        device_id, folder_id, head, at_seq = line_and_head(conn, seen.seq if seen is not None else 0)
        if device_id is None or head is None or not self.usable_for(data_dir):
            return False
        if not DEVICE_ID.match(device_id):
            raise CheckpointError(f"数据中的设备编号“{device_id[:40]}”无效")
        if folder_id is not None and not FOLDER_ID.match(folder_id):
            raise RollbackSuspected(f"数据中的文件夹编号“{folder_id[:40]}”无效，已被改动")
        if not self._dir_ready:
            private_dir(self.checkpoints_dir)
            self._dir_ready = True
        with self._lock(device_id):
            self._sweep(device_id)
            try:
                old = self._current(self.path(device_id, folder_id))
            except CheckpointError:
                if not force:
                    raise
                old = None
            if old is not None and not force:
                if old is not seen:  # read again: another writer (a Store.sibling's commit) may have moved
                    # it past the head read before the lock; the head and its entry read again under it
                    head, at_seq = line_and_head(conn, old.seq)[2:]
                if self._still_same(conn, old, folder_id, head[0] if head else 0, at_seq):
                    return True
            taken_over = self._may_start(conn, data_dir, device_id, folder_id) if old is None and not force else None
            key = self.private_key(create=True)
            if log is not None and folder_id is not None and self._log_start(
                    conn, log, device_id, folder_id, key, old or taken_over, taken_over is not None):
                head = device_and_head(conn)[1]  # the data.anchor entry is the head now
            previous = old or taken_over
            self._write(key, device_id, folder_id, head, (previous.counter + 1) if previous else 1, data_dir,
                        in_place=True)  # _current found the file as this instance wrote it, or none
            if taken_over is not None:  # frozen from now on, naming the line that took it over
                self._write(key, device_id, None, head, taken_over.counter + 1, data_dir, folder_id)
        self.problem = self.suspected = None
        return True

    def _lock(self, device_id: str) -> "DeviceLock":
        if device_id not in self._locks:
            self._locks[device_id] = DeviceLock(self.checkpoints_dir / f"{device_id}.lock")
        return self._locks[device_id]

    def _sweep(self, device_id: str) -> None:
        """Under the device's lock no one else writes its checkpoints: a temp file of its is
        what a writer killed mid-write left. Once per device and instance (a kill leaves at
        most one; the next program to write removes it)."""
        if device_id in self._swept:
            return
        prefix = f".{device_id}."
        with contextlib.suppress(OSError), os.scandir(self.checkpoints_dir) as entries:
            for entry in entries:  # core/fileio.py's part files; .tmp: this module's before it
                if entry.name.startswith(prefix) and entry.name.endswith((PART, ".tmp")):
                    with contextlib.suppress(OSError):
                        os.unlink(entry.path)
        self._swept.add(device_id)

    def _current(self, path: Path) -> Checkpoint | None:
        """The checkpoint at ``path``: as this instance last wrote it while the file is that
        very file, byte for byte (core/checkpoint_file.py); else read again (and the next
        write makes a new file). Gone since this instance wrote it (the config folder wiped
        while the program runs): the one it wrote, rewritten next."""
        try:
            st = os.stat(path)
        except FileNotFoundError:
            self._close(path)
            self._dir_ready = False
            return self._known.get(path)
        except OSError as e:
            raise CheckpointError(f"无法读取（{os_error_message(e, reading=True)}）") from None
        slots = self._open.get(path)
        if slots is not None and path in self._known:
            try:
                if slots.unchanged(st):
                    return self._known[path]
            except OSError:
                pass
        self._close(path)
        cp = self._read(path)
        if cp is not None:
            self._known[path] = self._seen = cp
            slots = SlotFile.adopt(path, cp.body())  # this very content, in slots: written in place next
            if slots is not None:
                self._open[path] = slots
        return cp

    def _close(self, path: Path) -> None:
        slots = self._open.pop(path, None)
        if slots is not None:
            slots.close()

    def _log_start(self, conn: sqlite3.Connection, log: StartLogger, device_id: str, folder_id: str,
                   key: Ed25519PrivateKey, went_on: Checkpoint | None, takeover: bool) -> bool:
        """Log a data.anchor entry when the line's checkpoint starts from nothing here or is
        signed with a key the log does not name for it (core/checkpoint_log.py). True if
        logged. Once the log names this line and key (or this instance logged it, also if
        the write then failed), no query: the steady state costs nothing."""
        public = self._public_of(key)
        line = (device_id, folder_id, public)
        if line in self._logged:
            return False
        earlier = checkpoint_log.starts(conn, device_id, folder_id)
        previous = earlier[-1] if earlier else None
        if went_on is None:
            reason = "restart" if previous else "first"
        elif takeover:
            reason = "takeover"
        elif went_on.public_key != public or (previous is not None and previous.public_key != public):
            reason = "new_key"
        elif previous is None:
            reason = "adopted"
        else:
            self._logged.add(line)
            return False
        summary, details = checkpoint_log.start_entry(
            reason, device_id=device_id, folder_id=folder_id, public_key=public,
            key_created=self._key_created, previous=previous, continues=went_on,
            config_dir=str(self.config_dir))
        log(summary, details)
        self._key_created = False
        self._logged.add(line)
        return True

    def _still_same(self, conn: sqlite3.Connection, old: Checkpoint, folder_id: str | None,
                    last: int | None = None, at_seq: Any = ASK) -> bool:
        """True when the data is at the checkpoint; False when it went on from it; else raises.
        ``at_seq``: the hash at ``old.seq`` as read with the head (``compare``)."""
        if folder_id is None and old.folder_id is not None:
            raise RollbackSuspected(f"这个数据文件夹在 {old.written_at} 已编号为 {old.folder_id}（工作日志第 "
                                    f"{old.seq} 条），而这份数据没有编号：是那之前的副本")
        if old.folder_id != folder_id:
            raise CheckpointError(f"本机检查点文件 {self.path(old.device_id, folder_id).name} 被改动过")
        state = compare(conn, old, last, at_seq)
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
        device (only a restore starts a second one); another device's for this folder —
        unless the data is a folder just set up (its log holds only its own system.init):
        a folder deleted and set up again at the same path is a new line, not a replacement."""
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
        if just_set_up(conn, device_id, folder_id):  # one query; for_folder reads every file
            return None
        other = self.for_folder(data_dir, device_id, folder_id)
        if other is not None:
            raise RollbackSuspected(f"这个数据文件夹原有设备 {other.device_id} 的检查点，数据可能被整体替换")
        return None

    def _write(self, key: Ed25519PrivateKey, device_id: str, folder_id: str | None,
               head: tuple[int, str, str], counter: int, data_dir: Path, taken_by: str | None = None,
               *, in_place: bool = False) -> None:
        """Sign and write the checkpoint: in place (``in_place``: the caller's ``_current``
        found the file unchanged under the lock) when this instance has it open, else as a
        new file (core/checkpoint_file.py)."""
        cp = Checkpoint(device_id=device_id, seq=head[0], head=head[1], head_at=head[2], counter=counter,
                        written_at=self.clock.iso(),
                        data_dir=str(data_dir), public_key=self._public_of(key), folder_id=folder_id or taken_by)
        body = canonical_json(cp.body())
        doc = document(body, key.sign(body).hex())
        path = self.path(device_id, folder_id)
        slots = self._open.get(path) if in_place else None
        try:  # failed: the file is read again next time (a cut write in place reads whole)
            if slots is None or not slots.write(doc):
                self._close(path)
                if not self._dir_ready:
                    private_dir(self.checkpoints_dir)
                    self._dir_ready = True
                made = SlotFile.create(path, doc)  # part file, fsync, rename, fsync of the folder
                if made is not None:
                    self._open[path] = made
        except BaseException:
            self._close(path)
            raise
        self._known[path] = cp
        if taken_by is None:
            self._seen = cp

    def _public_of(self, key: Ed25519PrivateKey) -> str:
        if self._public is None or self._public[0] is not key:
            self._public = (key, _public_hex(key))
        return self._public[1]

    def close(self) -> None:
        """Close the checkpoint and lock files kept open (the next write opens them again)."""
        for path in list(self._open):
            self._close(path)
        for lock in self._locks.values():
            lock.close()


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


def _public_hex(key: Ed25519PrivateKey) -> str:
    from cryptography.hazmat.primitives import serialization

    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()
