"""Backups (备份) and restores (恢复): the whole data folder in ONE file, verified.

A backup file (``*.wcbak``) is a zip archive:

    manifest.json      format, format_version, created_at/by, device_id, unit, schema
                       version, audit head (seq + hash), counts, and every entry's
                       path, size and SHA-256
    weicha.db          a consistent copy of the database (SQLite's online backup API from a
                       connection of its own, inside one read transaction: one snapshot even
                       while the program writes; never a copy of the live WAL files)
    blobs/ab/ab…       every photo original the copied database names (thumbnails are not
                       kept: they are rebuilt from the originals)

Writing: the database copy goes to the program's scratch folder (``<data>/cache/backup/<id>/``,
held while the backup runs; what a killed backup left goes at the next start: media/staging.py),
the archive to a temp file beside the target (core/safe_output.py), fsynced and renamed to the
target only after it was read back and every hash checked; a target inside the data folder
is refused. The audit log gets a ``data.backup`` entry (file, head seq, manifest hash),
which is also where the reminder (``backup_state``) finds the last backup.

Restoring: core/restore.py."""
from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import zipfile
import zlib
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable

from weicha_desktop import __version__
from weicha_desktop.core.canonical import canonical_json, sha256_hex
from weicha_desktop.core.clock import parse_iso
from weicha_desktop.core.errors import PermissionDenied, WeichaError
from weicha_desktop.core.fileio import fsync_dir, os_error_message  # fsync_dir: for restore.py
from weicha_desktop.core.media.staging import BACKUP_WORK, work_folder
from weicha_desktop.core.safe_output import atomic_output, check_output
from weicha_desktop.core.store import DB_NAME, Actor, Store

FORMAT = "weicha-backup"
FORMAT_VERSION = 1
SUFFIX = ".wcbak"
MANIFEST = "manifest.json"
REMIND_AFTER = timedelta(days=7)
BACKUP_ACTIONS = ("data.backup", "data.restore")
# their object kinds, as core/ops.py registers them (and as every version logged them): the
# reminder finds the last one through the audit_log_object index instead of reading the
# whole log (a never backed-up folder of 100,000 cases: 0.2 ms instead of 50-200 ms, and
# over a second with a cold disk cache, at every start; tests/test_backup.py)
BACKUP_KINDS = ("backup", "data")
CHUNK = 1 << 20
SNAPSHOT_PAGES = 256  # database pages copied per step (between steps: progress, cancel)
_BLOB_PATH = re.compile(r"^blobs/([0-9a-f]{2})/([0-9a-f]{64})$")

Progress = Callable[[float, str], None]
Cancelled = Callable[[], bool]


class BackupCancelled(WeichaError):
    def __init__(self) -> None:
        super().__init__("已取消，没有写入备份文件。")


class BadBackup(WeichaError):
    """The backup file cannot be trusted (broken, truncated, altered, not a backup)."""


@dataclass(frozen=True)
class Entry:
    path: str
    size: int
    sha256: str
    damaged: bool = False  # an original whose content no longer matches its name, kept as found

    def as_json(self) -> dict[str, Any]:
        out = {"path": self.path, "size": self.size, "sha256": self.sha256}
        return out | {"damaged": True} if self.damaged else out


@dataclass
class BackupResult:
    path: Path
    size: int
    manifest: dict[str, Any]
    manifest_sha256: str
    problems: list[str] = field(default_factory=list)  # originals missing or damaged

    @property
    def originals(self) -> int:
        return len(self.manifest["entries"]) - 1


# ---- writing a backup ----------------------------------------------------------------------
def create_backup(store: Store, actor: Actor, target: str | os.PathLike, *,
                  progress: Progress | None = None, cancelled: Cancelled | None = None) -> BackupResult:
    """Back the data folder of ``store`` up into the file ``target`` (see the module doc)."""
    if actor.id is None:
        raise PermissionDenied("备份需要登录：请以本单位的用户登录后再备份。")
    store.require_initialized()
    report = progress or (lambda fraction, message: None)
    stop = cancelled or (lambda: False)
    target = check_output(target, data_dir=store.data_dir)  # a bad target fails before the work
    data = Path(os.path.realpath(store.data_dir))
    if data in target.parents:  # also <data>/cache, which other exports may use as scratch
        raise WeichaError(f"不能把备份写进数据文件夹 {data} 里：笔记本丢失或损坏时它会一起丢失。"
                          "请选择移动硬盘或 U 盘上的位置。")
    scratch = ExitStack()  # the copy of the database: <data>/cache/backup/<id>/ (staging.py)
    try:
        db_part = scratch.enter_context(work_folder(store.data_dir / BACKUP_WORK)) / "copy.db"
    except OSError as e:
        raise WeichaError(os_message(e, store.data_dir / "cache") + " 备份未完成。") from None
    try:
        report(0.0, "正在复制数据库…")
        _snapshot(store.data_dir / DB_NAME, db_part, report, stop)
        head, shas, info = _read_copy(db_part)
        blobs = [(sha, store.blobs_dir / sha[:2] / sha) for sha in shas]
        total = db_part.stat().st_size + sum(_size(p) for _, p in blobs)
        manifest = {
            "format": FORMAT, "format_version": FORMAT_VERSION, "created_at": store.clock.iso(),
            "created_by": actor.name, "program_version": __version__, **info,
            "audit_head": head, "entries": [], "missing_originals": [],
        }
        with atomic_output(target, data_dir=store.data_dir) as part:
            problems = _write_archive(part, db_part, blobs, manifest, total, report, stop)
            _remove(db_part)
            report(0.9, "正在核对备份文件…")
            if check_archive(part, progress=report, stop=stop) != manifest:
                raise WeichaError("备份文件写入后读回的内容与写入的不一致，备份未完成。请换一个磁盘再试。")
    except OSError as e:  # the snapshot in the data folder's scratch space (disk full, …)
        raise WeichaError(os_message(e, db_part.parent) + " 备份未完成。") from None
    except sqlite3.Error as e:
        raise WeichaError(f"无法复制数据库（{e}），备份未完成。请确认磁盘空间足够后重试。") from None
    finally:
        _remove(db_part)
        scratch.close()
    size = target.stat().st_size
    manifest_sha = sha256_hex(canonical_json(manifest))
    store.log_read(actor, "data.backup", "backup", None,
                   f"备份到 {target.name}（工作日志至第 {head['seq']} 条，原始照片 {len(manifest['entries']) - 1} 张）",
                   {"file": target.name, "folder": str(target.parent), "size": size,
                    "head_seq": head["seq"], "head_hash": head["hash"], "manifest_sha256": manifest_sha,
                    "originals": len(manifest["entries"]) - 1,
                    "missing_originals": len(manifest["missing_originals"])})
    report(1.0, "备份完成")
    return BackupResult(target, size, manifest, manifest_sha, problems)


def _remove(db: Path) -> None:
    for path in (db, db.with_name(db.name + "-journal")):
        path.unlink(missing_ok=True)


def process_alive(pid: int) -> bool:
    if pid == os.getpid() or os.name != "posix":
        return True  # ours, or cannot tell cheaply: keep it
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _snapshot(db_path: Path, dest: Path, report: Progress, stop: Cancelled) -> None:
    """SQLite's online backup, page by page, from a read-only connection of its own that holds
    ONE read transaction: the copy is the database as of that moment, whatever is written
    meanwhile (WAL readers do not block writers, and the snapshot never restarts)."""
    src = sqlite3.connect(f"{db_path.as_uri()}?mode=ro", uri=True, isolation_level=None, timeout=10)
    dst = sqlite3.connect(dest, isolation_level=None)
    try:
        src.execute("BEGIN")
        src.execute("SELECT count(*) FROM sqlite_master").fetchone()  # the snapshot starts here

        def step(_status: int, remaining: int, total: int) -> None:
            if stop():
                raise BackupCancelled()
            report(0.3 * (total - remaining) / max(total, 1), "正在复制数据库…")

        src.backup(dst, pages=SNAPSHOT_PAGES, progress=step)
        src.execute("COMMIT")
        dst.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal beside it
    finally:
        src.close()
        dst.close()


def _read_copy(db: Path) -> tuple[dict[str, Any], list[str], dict[str, Any]]:
    """From the copy (not the live database): its integrity, the audit head, the originals it
    names, and who it belongs to."""
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        integrity = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        if integrity != ["ok"]:
            raise WeichaError("数据库本身已损坏（" + "；".join(integrity[:3]) + "），备份未完成。"
                              "请运行 weicha verify 查明，并联系技术支持。")
        row = conn.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
        head = {"seq": row[0], "hash": row[1]} if row else {"seq": 0, "hash": ""}
        shas = [r[0] for r in conn.execute("SELECT DISTINCT sha256 FROM photos ORDER BY sha256")]
        meta = dict(conn.execute("SELECT key, value FROM meta"))
        counts = {"cases": conn.execute("SELECT count(*) FROM cases").fetchone()[0],
                  "photos": conn.execute("SELECT count(*) FROM photos").fetchone()[0]}
        schema = conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()
    return head, shas, {"device_id": meta.get("device_id"), "unit_code": meta.get("unit_code"),
                        "unit_name": meta.get("unit_name"), "schema_version": schema, "counts": counts}


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _write_archive(part: Path, db: Path, blobs: list[tuple[str, Path]], manifest: dict[str, Any],
                   total: int, report: Progress, stop: Cancelled) -> list[str]:
    done, problems = 0, []

    def copied(n: int) -> None:
        nonlocal done
        if stop():
            raise BackupCancelled()
        done += n
        report(0.3 + 0.6 * done / max(total, 1), "正在写入原始照片…" if done > db_size else "正在写入数据库…")

    db_size = db.stat().st_size
    stamp = parse_iso(manifest["created_at"]).timetuple()[:6]
    with open(part, "wb") as raw:
        with zipfile.ZipFile(raw, "w", allowZip64=True) as zf:
            manifest["entries"].append(_add(zf, DB_NAME, db, stamp, zipfile.ZIP_DEFLATED, copied).as_json())
            for sha, path in blobs:
                try:
                    entry = _add(zf, f"blobs/{sha[:2]}/{sha}", path, stamp, zipfile.ZIP_STORED, copied)
                except FileNotFoundError:
                    problems.append(f"原始照片 {sha[:16]} 在数据文件夹中已丢失，未能收入备份")
                    manifest["missing_originals"].append(sha)
                    continue
                if entry.sha256 != sha:  # damaged on disk: kept as found (verify names it after a restore)
                    problems.append(f"原始照片 {sha[:16]} 已损坏（内容与其哈希不符），按现状收入备份")
                    entry = Entry(entry.path, entry.size, entry.sha256, damaged=True)
                manifest["entries"].append(entry.as_json())
            zf.writestr(zipfile.ZipInfo(MANIFEST, stamp),
                        json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True))
        raw.flush()
        os.fsync(raw.fileno())
        if hasattr(os, "posix_fadvise"):  # the read-back check then reads the disk, not the cache
            os.posix_fadvise(raw.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)
    return problems


def _add(zf: zipfile.ZipFile, name: str, source: Path, stamp: tuple, compression: int,
         copied: Callable[[int], None]) -> Entry:
    info = zipfile.ZipInfo(name, stamp)
    info.compress_type = compression
    digest, size = hashlib.sha256(), 0
    with open(source, "rb") as src:
        info.file_size = os.fstat(src.fileno()).st_size  # decides ZIP64 up front
        with zf.open(info, "w") as out:
            while chunk := src.read(CHUNK):
                digest.update(chunk)
                out.write(chunk)
                size += len(chunk)
                copied(len(chunk))
    return Entry(name, size, digest.hexdigest())


# ---- reading a backup ----------------------------------------------------------------------
def check_archive(path: Path, *, progress: Progress | None = None, stop: Cancelled | None = None,
                  span: tuple[float, float] = (0.9, 1.0)) -> dict[str, Any]:
    """Read the whole backup file and check it against its manifest: the right entries, no
    others, each of the recorded size and SHA-256, each original named after its own hash.
    Returns the manifest; raises BadBackup with a Chinese reason otherwise."""
    name = Path(path).name
    try:
        with zipfile.ZipFile(path) as zf:
            manifest = _manifest(zf, name)
            entries = [Entry(**e) for e in manifest["entries"]]
            total = sum(e.size for e in entries) or 1
            done = 0
            for entry in entries:
                digest, size = hashlib.sha256(), 0
                with zf.open(entry.path) as f:
                    while chunk := f.read(CHUNK):
                        if stop is not None and stop():
                            raise BackupCancelled()
                        digest.update(chunk)
                        size += len(chunk)
                done += entry.size
                if progress is not None:
                    progress(span[0] + (span[1] - span[0]) * done / total, "正在核对备份文件…")
                if size != entry.size or digest.hexdigest() != entry.sha256:
                    raise BadBackup(f"备份文件 {name} 中的 {entry.path} 与清单记录的哈希不符：已损坏或被改动。")
    except (zipfile.BadZipFile, zlib.error, EOFError) as e:
        raise BadBackup(f"备份文件 {name} 已损坏或不完整（{zip_reason(e)}），可能在复制时中断或被改动。") from None
    except OSError as e:
        raise WeichaError(f"读不到备份文件 {path}：{e.strerror or e}") from None
    return manifest


def zip_reason(error: Exception) -> str:
    text = str(error)
    if "CRC" in text:
        return "校验和不符"
    if isinstance(error, EOFError) or "truncated" in text.lower() or "not a zip" in text.lower():
        return "文件不完整或不是备份文件"
    return "压缩数据损坏"


def _manifest(zf: zipfile.ZipFile, name: str) -> dict[str, Any]:
    bad = BadBackup(f"文件 {name} 不是微察备份文件（没有有效的备份清单）。")
    try:
        manifest = json.loads(zf.read(MANIFEST).decode("utf-8"))
    except KeyError:
        raise bad from None
    except (ValueError, UnicodeDecodeError):
        raise BadBackup(f"备份文件 {name} 的清单已损坏，无法读取。") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise bad
    if not isinstance(manifest.get("format_version"), int) or manifest["format_version"] > FORMAT_VERSION:
        raise BadBackup(f"备份文件 {name} 由更新版本的微察桌面版制作（格式 {manifest.get('format_version')}），"
                        "请升级本程序后再恢复。")
    try:
        entries = [Entry(**e) for e in manifest["entries"]]
        paths = [e.path for e in entries]
        ok = (paths[:1] == [DB_NAME] and len(set(paths)) == len(paths)
              and all(isinstance(e.size, int) and isinstance(e.sha256, str) for e in entries)
              and all(_blob_name_ok(e) for e in entries[1:]) and isinstance(manifest["audit_head"]["seq"], int))
    except (KeyError, TypeError):
        ok = False
    if not ok:
        raise BadBackup(f"备份文件 {name} 的清单不完整或已被改动。")
    listed = set(paths) | {MANIFEST}
    present = zf.namelist()
    if set(present) != listed or len(present) != len(listed):
        raise BadBackup(f"备份文件 {name} 的内容与清单不符（多出或缺少文件），已被改动。")
    return manifest


def _blob_name_ok(entry: Entry) -> bool:
    m = _BLOB_PATH.match(entry.path)
    return bool(m) and m.group(2).startswith(m.group(1)) and (entry.damaged or m.group(2) == entry.sha256)


# ---- the reminder --------------------------------------------------------------------------
@dataclass(frozen=True)
class BackupState:
    last: datetime | None     # the last backup made (or restored from), None = never
    due: bool                 # remind the user now
    days: int | None          # whole days since the last backup

    def message(self) -> str:
        if self.last is None:
            return "本数据文件夹还没有备份过"
        return f"上次备份是 {self.days} 天前（{self.last:%Y-%m-%d}）"


def last_backup_entry(store: Store) -> tuple[datetime, dict[str, Any]] | None:
    """The newest ``data.backup`` / ``data.restore`` entry of the audit log (when the folder
    was last backed up, or restored from a backup) as (time, details); None = never."""
    row = store.conn.execute(
        f"SELECT at, details FROM audit_log WHERE object_kind IN ({', '.join('?' * len(BACKUP_KINDS))}) "
        f"AND action IN ({', '.join('?' * len(BACKUP_ACTIONS))}) ORDER BY seq DESC LIMIT 1",
        BACKUP_KINDS + BACKUP_ACTIONS).fetchone()
    try:
        details = json.loads(row[1]) if row else {}
        return (parse_iso(row[0]), details if isinstance(details, dict) else {}) if row else None
    except (ValueError, TypeError):
        return None


def last_backup(store: Store) -> datetime | None:
    entry = last_backup_entry(store)
    return entry[0] if entry else None


def backup_state(store: Store, now: datetime | None = None) -> BackupState:
    """Due when the last backup is older than a week, or when there never was one and the
    folder holds finalized records (an empty or draft-only folder is not nagged)."""
    now = now or store.clock.now()
    last = last_backup(store)
    if last is None:
        has_final = store.conn.execute(
            "SELECT 1 FROM record_versions WHERE finalized_at IS NOT NULL LIMIT 1").fetchone()
        return BackupState(None, bool(has_final), None)
    return BackupState(last, now - last > REMIND_AFTER, max((now - last).days, 0))


# ---- shared --------------------------------------------------------------------------------
def os_message(error: OSError, path: Path) -> str:
    return f"无法写入 {path}（{os_error_message(error)}）。"
