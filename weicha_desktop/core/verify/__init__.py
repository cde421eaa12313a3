"""`weicha verify`: read-only checks that the data has not been altered behind the program.

1. SQLite's own ``PRAGMA integrity_check``.
2. The audit chain: every entry's hash, its link to the previous one, no gaps, no lost tail.
3. Every finalized record version: its content hash recomputed, and equal to the hash the
   audit log recorded when it was finalized (so rewriting a record *and* its hash is caught).
4. Every photo original re-hashed: changed or vanished files are named."""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from weicha_desktop.core.media.blobs import BlobStore
from weicha_desktop.core.records import finalized_hash, photo_manifest
from weicha_desktop.core.store import Store, verify_chain


@dataclass
class VerifyReport:
    faults: list[str] = field(default_factory=list)
    audit_entries: int = 0
    finalized_versions: int = 0
    originals: int = 0

    @property
    def ok(self) -> bool:
        return not self.faults


def verify(store: Store) -> VerifyReport:
    report = VerifyReport()
    conn = store.conn
    integrity = [r[0] for r in conn.execute("PRAGMA integrity_check")]
    if integrity != ["ok"]:
        report.faults += [f"数据库结构损坏：{msg}" for msg in integrity[:10]]
        return report
    report.faults += [str(f) for f in verify_chain(conn)]
    report.audit_entries = conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]

    logged: dict[str, str] = {}
    for (details,) in conn.execute("SELECT details FROM audit_log WHERE action = 'case.finalize'"):
        try:
            d = json.loads(details)
            logged[d["version_id"]] = d["content_hash"]
        except (ValueError, KeyError, TypeError):
            continue  # already reported by the chain check
    numbers = dict(conn.execute("SELECT id, number FROM cases"))
    rows = store.db.query(
        "SELECT * FROM record_versions WHERE finalized_at IS NOT NULL ORDER BY record_id, version")
    for row in rows:
        report.finalized_versions += 1
        name = f"{numbers.get(row['record_id'], row['record_id'])} 第 {row['version']} 版"
        try:
            actual = finalized_hash(row)
        except (ValueError, TypeError):
            report.faults.append(f"定稿记录 {name}：内容不是有效的 JSON，已被改动")
            continue
        if actual != row["content_hash"]:
            report.faults.append(f"定稿记录 {name}：内容与定稿时的哈希不符，已被改动")
        elif row["kind"] == "case" and logged.get(row["id"]) != row["content_hash"]:
            report.faults.append(f"定稿记录 {name}：哈希与工作日志中定稿时记下的不一致，已被改动")
    _check_photo_log(store, report, numbers)
    _check_originals(store, report, numbers)
    return report


def _check_photo_log(store: Store, report: VerifyReport, numbers: dict[str, str]) -> None:
    """A finalized case's photo rows must still be what its last finalized version recorded."""
    if not _has_table(store, "photos"):
        return
    rows = store.conn.execute(
        "SELECT c.id, v.version, v.manifest FROM cases c JOIN record_versions v "
        "ON v.record_id = c.id AND v.version = c.current_version "
        "WHERE c.status <> 'draft' AND v.manifest IS NOT NULL")
    for case_id, version, manifest in rows:
        try:
            recorded = json.loads(manifest)
        except ValueError:
            continue  # the version's own hash check has reported it
        if photo_manifest(store.conn, case_id) != recorded:
            report.faults.append(
                f"勘验 {numbers.get(case_id, case_id)} 第 {version} 版：照片记录与定稿时不一致，已被改动")


def _has_table(store: Store, name: str) -> bool:
    return bool(store.conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone())


def _check_originals(store: Store, report: VerifyReport, numbers: dict[str, str]) -> None:
    if not _has_table(store, "photos"):
        return
    blobs = BlobStore(store.blobs_dir, create=False)
    rows = store.conn.execute(
        "SELECT sha256, min(case_id), min(position) FROM photos GROUP BY sha256 ORDER BY sha256")
    for sha, case_id, position in rows:
        report.originals += 1
        where = f"（勘验 {numbers.get(case_id, case_id)} 第 {position} 号照片）"
        actual = blobs.rehash(sha)
        if actual is None:
            report.faults.append(f"原始照片 {sha[:16]} 丢失{where}")
        elif actual.startswith("unreadable"):
            report.faults.append(f"原始照片 {sha[:16]} 无法读取（{actual.split(': ', 1)[-1]}）{where}")
        elif actual != sha:
            report.faults.append(f"原始照片 {sha[:16]} 内容已被改动{where}")
