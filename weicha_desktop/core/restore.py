"""Restoring a backup (恢复; the file format is in core/backup.py): only into an empty or new
folder. Every entry is checked against the manifest (and each original against its own name)
before anything is written; the files go into a hidden staging folder next to the target,
are hashed again as they are written, the database is checked (integrity, audit chain, head =
the manifest's, every original it names present), and only then is the staging folder
renamed to the target. Any error removes the staging folder: a broken, truncated or altered
backup leaves nothing behind. Who restores is an administrator OF THE BACKUP: the name and
password are checked against the users of the restored database before it is put in place
(a wrong one leaves nothing either). The restore is logged (``data.restore``, by that
administrator), the folder gets a new folder id and its own checkpoint (core/checkpoint.py
``acknowledge_restore``)."""
from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import stat
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field
from glob import escape as glob_escape
from pathlib import Path
from typing import Any

from weicha_desktop.core.backup import (CHUNK, BadBackup, Cancelled, Progress, check_archive, fsync_dir,
                                        os_message, process_alive, zip_reason)
from weicha_desktop.core.canonical import canonical_json, sha256_hex
from weicha_desktop.core.checkpoint import acknowledge_restore
from weicha_desktop.core.errors import AuthError, PermissionDenied, WeichaError
from weicha_desktop.core.labels import role_label
from weicha_desktop.core.store import DB_NAME, SCHEMA_VERSION, Actor, Store, verify_chain
from weicha_desktop.core.users import check_password, dummy_hash


@dataclass
class RestoreResult:
    data_dir: Path
    manifest: dict[str, Any]
    problems: list[str] = field(default_factory=list)


def restore_backup(source: str | os.PathLike, data_dir: str | os.PathLike, *, user: str, password: str,
                   progress: Progress | None = None, cancelled: Cancelled | None = None) -> RestoreResult:
    """Restore the backup file ``source`` into ``data_dir``, which must be empty or new, as
    ``user``: an active administrator in the backup, with the password they had then."""
    source, data_dir = Path(source).expanduser(), Path(os.path.abspath(Path(data_dir).expanduser()))
    report = progress or (lambda fraction, message: None)
    if not source.is_file():
        raise WeichaError(f"找不到备份文件 {source}。")
    if data_dir.exists() and not data_dir.is_dir():
        raise WeichaError(f"{data_dir} 是一个文件，不是文件夹：请用 --data-dir 指定一个新的文件夹。")
    if data_dir.exists() and any(data_dir.iterdir()):
        raise WeichaError(f"目标文件夹 {data_dir} 不是空的：恢复只写入新的或空的文件夹，以免覆盖现有数据。"
                          "请用 --data-dir 指定一个新的文件夹。")
    report(0.0, "正在核对备份文件…")
    manifest = check_archive(source, progress=report, stop=cancelled, span=(0.0, 0.45))
    if manifest["schema_version"] > SCHEMA_VERSION:
        raise BadBackup(f"备份来自更新版本的微察桌面版（数据库版本 {manifest['schema_version']}），请升级后再恢复。")
    try:
        data_dir.parent.mkdir(parents=True, exist_ok=True)
        _sweep_staging(data_dir)
        need, free = sum(e["size"] for e in manifest["entries"]), shutil.disk_usage(data_dir.parent).free
        if need > free:
            raise WeichaError(f"磁盘空间不足：恢复需要约 {_amount(need)}，{data_dir.parent} 所在磁盘只剩 "
                              f"{_amount(free)}。没有恢复任何数据：请腾出空间或换一个磁盘。")
        staging = Path(tempfile.mkdtemp(dir=data_dir.parent, prefix=f".{data_dir.name}.restoring-{os.getpid()}-"))
    except OSError as e:
        raise WeichaError(os_message(e, data_dir)) from None
    try:
        _extract(source, manifest, staging, report, cancelled)
        problems = _check_restored(staging, manifest, source.name)
        restorer = _restorer(staging, user, password, source.name)
        if data_dir.exists():
            data_dir.rmdir()  # empty (checked above); a rename cannot replace a folder everywhere
        os.replace(staging, data_dir)
        fsync_dir(data_dir.parent)
    except BaseException as e:
        shutil.rmtree(staging, onerror=_force_remove)
        if isinstance(e, OSError):
            raise WeichaError(os_message(e, data_dir) + " 没有恢复任何数据。") from None
        raise
    with Store.open(data_dir, restoring=True) as store:  # its folder id and checkpoint: below
        _acknowledge(store, restorer, source, manifest)
    report(1.0, "恢复完成")
    return RestoreResult(data_dir, manifest, problems)


def _amount(size: int) -> str:
    return f"{size / 1e9:.1f} GB" if size >= 1e9 else f"{size / 1e6:.1f} MB"


def _sweep_staging(data_dir: Path) -> None:
    """Staging folders an earlier, killed restore to the same folder left (its process gone)."""
    for old in data_dir.parent.glob(f".{glob_escape(data_dir.name)}.restoring-*"):
        pid = old.name.rsplit(".restoring-", 1)[-1].split("-", 1)[0]
        if old.is_dir() and pid.isdigit() and not process_alive(int(pid)):
            shutil.rmtree(old, onerror=_force_remove)


def check_backup(source: str | os.PathLike, *, progress: Progress | None = None,
                 cancelled: Cancelled | None = None) -> RestoreResult:
    """Check a backup file as a restore would — every hash, then the database (integrity,
    audit chain, head, originals named) in a temporary folder — without restoring it: the way
    to test a backup, also on the machine whose data it holds (a restore there would make a
    second folder with the same device identity). ``data_dir`` of the result is the file."""
    source = Path(source).expanduser()
    report = progress or (lambda fraction, message: None)
    if not source.is_file():
        raise WeichaError(f"找不到备份文件 {source}。")
    manifest = check_archive(source, progress=report, stop=cancelled, span=(0.0, 0.8))
    try:
        with tempfile.TemporaryDirectory(prefix="weicha-check-") as tmp:
            _extract(source, manifest, Path(tmp), report, cancelled, only_db=True)
            problems = _check_restored(Path(tmp), manifest, source.name)
    except OSError as e:
        raise WeichaError(f"无法在临时文件夹中检查数据库（{e.strerror or e}）。") from None
    report(1.0, "核对完成")
    return RestoreResult(source, manifest, problems)


def _extract(source: Path, manifest: dict[str, Any], staging: Path, report: Progress,
             cancelled: Cancelled | None, only_db: bool = False) -> None:
    """Write each entry, hashing again as it is written (the file may change between the
    check and now: what lands on disk must be what was checked)."""
    entries = manifest["entries"][:1] if only_db else manifest["entries"]
    total = sum(e["size"] for e in entries) or 1
    done = 0
    with zipfile.ZipFile(source) as zf:
        for e in entries:
            dest = staging / e["path"]
            dest.parent.mkdir(parents=True, exist_ok=True)
            digest = hashlib.sha256()
            try:
                with zf.open(e["path"]) as src, open(dest, "wb") as out:
                    while chunk := src.read(CHUNK):
                        if cancelled is not None and cancelled():
                            raise WeichaError("已取消恢复，没有写入任何数据。")
                        digest.update(chunk)
                        out.write(chunk)
                    out.flush()
                    os.fsync(out.fileno())
            except (zipfile.BadZipFile, zlib.error, EOFError) as err:
                raise BadBackup(f"备份文件 {source.name} 在恢复过程中读出错误（{zip_reason(err)}），没有恢复任何数据。") from None
            if digest.hexdigest() != e["sha256"]:
                raise BadBackup(f"备份文件 {source.name} 在恢复过程中被改动（{e['path']}），没有恢复任何数据。")
            if e["path"] != DB_NAME:
                os.chmod(dest, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)  # originals are write-once
            done += e["size"]
            report(0.45 + 0.45 * done / total, "正在写入数据…")
    (staging / "blobs").mkdir(exist_ok=True)
    for folder in [staging, staging / "blobs", *sorted((staging / "blobs").glob("*"))]:
        fsync_dir(folder)


def _check_restored(staging: Path, manifest: dict[str, Any], name: str) -> list[str]:
    """The restored database: sound, its audit chain whole, its head the manifest's, and every
    original it names present (or listed as missing when the backup was made)."""
    conn = sqlite3.connect(f"{(staging / DB_NAME).as_uri()}?mode=ro", uri=True, isolation_level=None)
    try:
        if [r[0] for r in conn.execute("PRAGMA integrity_check")] != ["ok"]:
            raise BadBackup(f"备份文件 {name} 中的数据库已损坏，没有恢复任何数据。")
        faults = [str(f) for f in verify_chain(conn)]
        row = conn.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
        shas = {r[0] for r in conn.execute("SELECT DISTINCT sha256 FROM photos")}
    except sqlite3.DatabaseError as e:
        raise BadBackup(f"备份文件 {name} 中的数据库无法读取（{e}），没有恢复任何数据。") from None
    finally:
        conn.close()
    if faults:
        raise BadBackup(f"备份文件 {name} 中的工作日志哈希链不完整（{faults[0]}），没有恢复任何数据。")
    head = manifest["audit_head"]
    if row is None or (row[0], row[1]) != (head["seq"], head["hash"]):
        raise BadBackup(f"备份文件 {name} 中的数据库与清单记下的工作日志末条不符，已被改动，没有恢复任何数据。")
    kept = {e["path"].rsplit("/", 1)[-1] for e in manifest["entries"][1:]}
    missing = set(manifest.get("missing_originals") or ())
    if shas - kept - missing:
        raise BadBackup(f"备份文件 {name} 缺少数据库所列的 {len(shas - kept - missing)} 张原始照片，已被改动，没有恢复任何数据。")
    damaged = sorted(e["path"].rsplit("/", 1)[-1] for e in manifest["entries"][1:] if e.get("damaged"))
    return ([f"原始照片 {sha[:16]} 在备份时已丢失，未能恢复" for sha in sorted(missing & shas)]
            + [f"原始照片 {sha[:16]} 在备份时已损坏，按备份时的现状恢复" for sha in damaged])


def _restorer(staging: Path, name: str, password: str, file: str) -> Actor:
    """The administrator of the backup who restores it, checked against the users of the
    restored database BEFORE it is put in place. An unknown name costs the same scrypt check
    as a wrong password and gets the same words. Nothing can be logged yet (there is no live
    folder), nor throttled: whoever holds the file can read its hashes anyway."""
    conn = sqlite3.connect(f"{(staging / DB_NAME).as_uri()}?mode=ro", uri=True, isolation_level=None)
    try:
        row = conn.execute("SELECT id, name, role, display_name, active, password_hash FROM users "
                           "WHERE name = ?", (name or "",)).fetchone()
    except sqlite3.DatabaseError as e:
        raise BadBackup(f"备份文件 {file} 中的用户无法读取（{e}），没有恢复任何数据。") from None
    finally:
        conn.close()
    right = check_password(password or "", row[5] if row else dummy_hash())
    if row is None or not row[4] or not right:
        raise AuthError(f"用户名或密码错误：恢复须由备份 {file} 中的一位管理员进行（用备份时的用户名和密码）。"
                        "没有恢复任何数据。")
    if row[2] != "admin":
        raise PermissionDenied(f"只有管理员可以恢复备份：{row[1]} 在备份中是{role_label(row[2])}。"
                               "没有恢复任何数据。")
    return Actor(row[0], row[1], row[2], row[3] or "")


def _acknowledge(store: Store, restorer: Actor, source: Path, manifest: dict[str, Any]) -> None:
    """A restore goes back in time on purpose: say so in the log, give the folder a new folder
    id (a line of its own, core/lineage.py) and anchor its checkpoint outside the folder
    (core/checkpoint.py), so verify takes neither the copy nor the original, if it is still
    on this computer, for a rollback. The entry is the restoring administrator's (checked
    against the backup's users); the backup's own maker and head are in the details."""
    details = {"backup_file": source.name, "backup_folder": str(source.parent.resolve()),
               "manifest_sha256": sha256_hex(canonical_json(manifest)),
               "manifest": {k: v for k, v in manifest.items() if k != "entries"}
               | {"entries": len(manifest["entries"])}}
    acknowledge_restore(store, restorer, details)


def _force_remove(func, path, _exc) -> None:
    """shutil.rmtree's onerror: a read-only original (Windows refuses to delete those)."""
    try:
        os.chmod(path, stat.S_IWUSR | stat.S_IRUSR)
        func(path)
    except OSError:
        pass
