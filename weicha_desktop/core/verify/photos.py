"""The photo log against the audit log, the finalized manifests, and the originals on disk.

- every photo the log imported (``photo.add``) or derived (``photo.edit``) has its row, with
  the original's hash and the record (case) the log recorded; every row has such an entry; a
  row is removed exactly when the log's last remove/restore says so;
- a finalized record's photo rows (any kind) are what its last finalized version recorded;
- every original re-hashed; files in blobs/ that no row names (a crash between copying and
  recording) are reported as a notice — and never deleted."""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from weicha_desktop.core.media.blobs import BlobStore
from weicha_desktop.core.records import photo_manifest
from weicha_desktop.core.verify.log import LogIndex, has_table, table_columns


def owner_column(conn: sqlite3.Connection) -> str:
    """The photo row's record: ``record_id`` (schema 9 on), ``case_id`` before."""
    columns = set(table_columns(conn, "photos"))
    return "record_id" if "record_id" in columns else "case_id"


def _owner(details: dict) -> str | None:
    """The record a photo entry names (``record_id``; ``case_id`` in entries before schema 9)."""
    return details.get("record_id") or details.get("case_id")


def check_photo_rows(conn: sqlite3.Connection, log: LogIndex, numbers: dict[str, str],
                     faults: list[str]) -> None:
    if not has_table(conn, "photos"):
        return
    rows = {r[0]: r[1:] for r in conn.execute(
        f"SELECT id, {owner_column(conn)}, sha256, position, original_name, removed_at IS NOT NULL "
        "FROM photos")}
    made = {}  # photo id → (record id or None, sha256, seq)
    for pid, events in log.photos.items():
        removed = False
        for e in events:
            d = e.details
            if e.action == "photo.add":
                made[pid] = (_owner(d), d.get("sha256"), e.seq)
            elif e.action == "photo.edit":
                source = made.get(str(d.get("source")))
                made[pid] = (_owner(d) or (source[0] if source else None), d.get("sha256"), e.seq)
            removed = e.action == "photo.remove"
        if pid not in made:
            continue
        row = rows.get(pid)
        case_id, sha, seq = made[pid]
        where = f"勘验 {numbers.get(str(case_id), case_id)}"
        if row is None:
            faults.append(f"照片记录（{where}，原始照片 {str(sha)[:16]}）已被删除（工作日志第 {seq} 条记下了它的导入）。")
            continue
        name = f"{numbers.get(row[0], row[0])} 第 {row[2]} 号照片（{row[3]}）"
        if row[1] != sha:
            faults.append(f"照片记录 {name}：原始照片的哈希与导入时记下的不符，已被改动。")
        if case_id is not None and row[0] != case_id:
            faults.append(f"照片记录 {name}：被挪到了另一件勘验（导入时属于{where}）。")
        if bool(row[4]) != bool(removed):
            faults.append(f"照片记录 {name}：" + ("被移除" if row[4] else "被恢复") + "而工作日志中没有记载，已被改动。")
    for pid, row in rows.items():
        if pid not in made:
            faults.append(f"照片记录 {numbers.get(row[0], row[0])} 第 {row[2]} 号照片（{row[3]}）"
                          "在工作日志中没有导入记录，是绕过程序加入的。")


def check_manifests(conn: sqlite3.Connection, numbers: dict[str, str], faults: list[str]) -> None:
    """A finalized record's photo rows must still be what its last finalized version recorded."""
    columns = set(table_columns(conn, "record_versions"))
    if not has_table(conn, "photos") or "manifest" not in columns:  # schema 6 had no manifest
        return
    registry = "records" if has_table(conn, "records") else "cases"  # cases before schema 9
    rows = conn.execute(
        f"SELECT r.id, v.version, v.manifest FROM {registry} r JOIN record_versions v "
        "ON v.record_id = r.id AND v.version = r.current_version "
        "WHERE r.status <> 'draft' AND v.manifest IS NOT NULL")
    column = owner_column(conn)
    for record_id, version, manifest in rows:
        try:
            recorded = json.loads(manifest)
        except ValueError:
            continue  # the version's own hash check has reported it
        if photo_manifest(conn, record_id, column) != recorded:
            faults.append(f"{'勘验' if registry == 'cases' or _is_case(conn, record_id) else '记录'} "
                          f"{numbers.get(record_id, record_id)} 第 {version} 版：照片记录与定稿时不一致，已被改动")


def _is_case(conn: sqlite3.Connection, record_id: str) -> bool:
    return conn.execute("SELECT kind FROM records WHERE id = ?", (record_id,)).fetchone() == ("case",)


def check_originals(conn: sqlite3.Connection, blobs_dir: Path, numbers: dict[str, str],
                    faults: list[str], notices: list[str]) -> int:
    if not has_table(conn, "photos"):
        return 0
    blobs = BlobStore(blobs_dir, create=False)
    count = 0
    named = set()
    rows = conn.execute(
        f"SELECT sha256, min({owner_column(conn)}), min(position) FROM photos GROUP BY sha256 "
        "ORDER BY sha256")
    for sha, case_id, position in rows:
        count += 1
        named.add(sha)
        where = f"（勘验 {numbers.get(case_id, case_id)} 第 {position} 号照片）"
        actual = blobs.rehash(sha)
        if actual is None:
            faults.append(f"原始照片 {sha[:16]} 丢失{where}")
        elif actual.startswith("unreadable"):
            faults.append(f"原始照片 {sha[:16]} 无法读取（{actual.split(': ', 1)[-1]}）{where}")
        elif actual != sha:
            faults.append(f"原始照片 {sha[:16]} 内容已被改动{where}")
    orphans = sorted(p.name for p in _blob_files(blobs_dir) if p.name not in named)
    if orphans:
        shown = "、".join(o[:16] for o in orphans[:5]) + ("…" if len(orphans) > 5 else "")
        notices.append(f"blobs 文件夹中有 {len(orphans)} 个文件没有照片记录指向（{shown}），多半是导入时程序"
                       "中断留下的。它们不影响数据，也未被删除；确认无用后可自行移走。")
    return count


def _blob_files(root: Path) -> list[Path]:
    """Files in blobs/<2 hex>/ (the staging folder of imports in progress is not looked at)."""
    if not root.is_dir():
        return []
    out = []
    for sub in root.iterdir():
        if len(sub.name) == 2 and not sub.name.startswith(".") and sub.is_dir():
            out += [p for p in sub.iterdir() if not p.name.startswith(".")]
    return out
