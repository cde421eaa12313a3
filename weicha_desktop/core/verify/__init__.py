"""`weicha verify`: read-only checks that the data has not been altered behind the program.

1. The file is a sound SQLite database (``open_for_verify``: never writes, no traceback on a
   corrupt, truncated or foreign file) and ``PRAGMA integrity_check`` passes.
2. The audit chain: every entry's hash, its link to the previous one, no gaps, no lost tail.
3. The signed checkpoint outside the data folder (core/checkpoint.py) of this folder's line
   (device id + folder id, as logged: core/lineage.py): the chain still reaches its seq with
   its hash — a cut tail, a re-hashed chain, an older copy are named; a restored folder is
   named as one, with what it may lack. Likewise the head the sync server anchored
   (sync_anchor.py), as the store and the enrollment file outside the folder keep it.
4. The log against the rows, both ways (log.py reads it once): records of every kind,
   versions, finalized hashes, the case list's projection, reviews (records.py); photos
   (photos.py); users (users.py); the sync outbox (outbox.py).
5. Photo originals re-hashed; files no row names are a notice, never deleted.

Everything is read from ONE state of the data (snapshot.py): the checkpoint first, then all
queries in one read transaction, so a program writing meanwhile causes no false alarm.

Faults make verify fail (exit 1). Warnings say what could not be checked (no checkpoint for
this data on this computer) and notices what is worth knowing (orphan originals, outbox
operations from before their hashes): neither changes the exit code."""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

from weicha_desktop.core.store import Store, verify_chain
from weicha_desktop.core.verify.anchor import check_anchor, check_lineage
from weicha_desktop.core.verify.checks import check_checks
from weicha_desktop.core.verify.links import check_links
from weicha_desktop.core.verify.log import LogIndex, has_table, read_log, schema_read_once
from weicha_desktop.core.verify.opening import RESTORE_ADVICE, Unreadable, open_for_verify
from weicha_desktop.core.verify.outbox import check_outbox
from weicha_desktop.core.verify.photos import check_manifests, check_originals, check_photo_rows
from weicha_desktop.core.verify.record_keys import check_record_keys
from weicha_desktop.core.verify.records import check_records
from weicha_desktop.core.verify.snapshot import SnapshotAnchor, read_transaction
from weicha_desktop.core.verify.sync_anchor import check_sync_anchor, read_outside
from weicha_desktop.core.verify.users import check_users
from weicha_desktop.core.verify.watchlists import check_watchlists

__all__ = ["Unreadable", "VerifyReport", "open_for_verify", "verify"]


@dataclass
class VerifyReport:
    faults: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    audit_entries: int = 0
    finalized_versions: int = 0
    originals: int = 0
    users: int = 0

    @property
    def ok(self) -> bool:
        return not self.faults


def verify(store: Store) -> VerifyReport:
    report = VerifyReport()
    try:
        anchor = None if store.anchor is None else SnapshotAnchor.before_snapshot(store.anchor, store.conn)
        synced = read_outside(store.anchor, store.conn)  # the server's anchor, kept outside
        with read_transaction(store.conn), schema_read_once(store.conn):
            _verify(store, anchor, report)
            _add(report, check_sync_anchor(store.conn, synced))
    except sqlite3.DatabaseError as e:
        report.faults.append(f"数据库文件读到一半出错（{e}），已损坏。{RESTORE_ADVICE}")
    return report


def _verify(store: Store, anchor: SnapshotAnchor | None, report: VerifyReport) -> None:
    conn = store.conn
    integrity = [r[0] for r in conn.execute("PRAGMA integrity_check")]
    if integrity != ["ok"]:
        report.faults += [f"数据库结构损坏：{msg}" for msg in integrity[:10]]
        report.faults.append(RESTORE_ADVICE)
        return
    report.faults += [str(f) for f in verify_chain(conn)]
    report.audit_entries = conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    if anchor is not None:
        anchored = check_anchor(anchor, conn, store.data_dir)
        report.faults += anchored.faults
        report.warnings += anchored.warnings
        report.notices += anchored.notes
    log = read_log(conn)
    _check_device(conn, log, report.faults)
    lineage = check_lineage(conn, log)  # the folder id the checkpoint is found by, as logged
    report.faults += lineage.faults
    report.notices += lineage.notes
    records = has_table(conn, "cases") and has_table(conn, "record_versions")  # schema 2 on
    registry = "records" if has_table(conn, "records") else "cases"  # cases before schema 9
    numbers = log.numbers | (dict(conn.execute(
        f"SELECT id, COALESCE(number, id) FROM {registry}")) if records else {})
    if records:
        report.finalized_versions = check_records(conn, log, report.faults)
    report.users = check_users(conn, log, report.faults)
    check_photo_rows(conn, log, numbers, report.faults)
    check_manifests(conn, numbers, report.faults)
    check_outbox(conn, log, report.faults, report.notices)
    check_links(conn, report.faults)  # 采集's links (core/verify/links.py)
    check_watchlists(conn, report.faults, report.notices)  # 核查's named lists, by digest
    check_checks(conn, report.faults)  # 核查's checks against their check.run entries
    check_record_keys(conn, report.faults)  # 核查's derived key index, recomputed
    report.originals = check_originals(conn, store.blobs_dir, numbers, report.faults, report.notices)


def _add(report: VerifyReport, check) -> None:
    report.faults += check.faults
    report.warnings += check.warnings
    report.notices += check.notes


def _check_device(conn: sqlite3.Connection, log: LogIndex, faults: list[str]) -> None:
    """The device id the checkpoint is found by is the one ``system.init`` logged."""
    row = conn.execute("SELECT value FROM meta WHERE key = 'device_id'").fetchone()
    logged = log.init.details.get("device_id") if log.init else None
    if logged and (row is None or row[0] != logged):
        faults.append(f"设备编号被改动：数据中为 {row[0] if row else '（无）'}，"
                      f"工作日志初始化时记下的是 {logged}。")
    if has_table(conn, "devices"):  # migration 10: this device is in the store too, in step
        own = [r[0] for r in conn.execute("SELECT id FROM devices WHERE this_device = 1")]
        if row is not None and own != [row[0]]:
            faults.append(f"设备表中的本机（{'、'.join(own) or '（无）'}）与数据的设备编号 {row[0]} "
                          "不符，已被改动。")
