"""Cases, their versions and reviews against the audit log, both ways.

- every finalized version the log names exists with the hash the log recorded, and every
  finalized row has its ``case.finalize`` entry (rewriting a record *and* its hash is seen);
- every case and every version the log created exists, and no row exists that it did not;
- the list projection (``cases.status``, ``current_version``, ``returned_comment``) is what
  the logged events imply: create → draft v1, finalize → finalized, approve → reviewed,
  return → draft v+1 with the comment, amend → draft v+1;
- every review row is the logged approve/return of that version (decision, comment,
  reviewer, time), and every logged review has its row."""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from weicha_desktop.core.records import finalized_hash
from weicha_desktop.core.verify.log import Event, LogIndex, has_table

STATUS = {"draft": "草稿", "finalized": "已定稿", "reviewed": "已审核"}
DECISION = {"approved": "通过", "returned": "退回补正"}


@dataclass
class Expected:
    """A case as its events leave it."""
    number: str
    created: Event | None = None
    status: str = "draft"
    version: int = 1
    returned: str | None = None
    versions: tuple[int, ...] = (1,)
    broken: bool = False  # an event's details are unusable (the chain check says why)


def replay(events: list[Event], number: str) -> Expected:
    exp = Expected(number)
    for e in events:
        d = e.details
        try:
            if e.action == "case.create":
                exp.created = e
            elif e.action == "case.finalize":
                exp.status, exp.returned, exp.version = "finalized", None, int(d["version"])
            elif e.action == "case.approve":
                exp.status = "reviewed"
            elif e.action in ("case.return", "case.amend"):
                exp.version = int(d["new_version"])
                exp.versions += (exp.version,)
                exp.status = "draft"
                exp.returned = str(d.get("comment", "")) if e.action == "case.return" else None
        except (KeyError, TypeError, ValueError):
            exp.broken = True
    return exp


def check_records(conn: sqlite3.Connection, log: LogIndex, faults: list[str]) -> int:
    """Returns the number of finalized versions checked."""
    rows = conn.execute("SELECT id, number, status, current_version, returned_comment FROM cases")
    cases = {r[0]: r[1:] for r in rows}
    numbers = {**log.numbers, **{cid: row[0] for cid, row in cases.items()}}
    expected = {cid: replay(events, log.numbers.get(cid, cid)) for cid, events in log.cases.items()}
    versions = _versions(conn)
    _check_cases(cases, expected, versions, faults)
    finals = {(e.object_id, e.details.get("version")) for e in log.finalized.values()}
    _check_versions(versions, expected, numbers, set(cases), finals, faults)
    count = _check_finalized(conn, log, numbers, faults)
    if has_table(conn, "reviews"):
        _check_reviews(conn, log, numbers, faults)
    return count


def _versions(conn: sqlite3.Connection) -> dict[tuple[str, int], tuple[str, bool]]:
    rows = conn.execute("SELECT record_id, version, id, finalized_at IS NOT NULL FROM record_versions "
                        "WHERE kind = 'case'")
    return {(r[0], r[1]): (r[2], bool(r[3])) for r in rows}


def _check_cases(cases: dict[str, tuple], expected: dict[str, Expected],
                 versions: dict[tuple[str, int], tuple[str, bool]], faults: list[str]) -> None:
    for cid, exp in expected.items():
        if exp.created is None:
            continue  # events without a create: the create entry is gone, the chain says so
        row = cases.get(cid)
        if row is None:
            kept = sorted(v for (rid, v), (_, fin) in versions.items() if rid == cid and fin)
            lost = [v for v in exp.versions if (cid, v) not in versions]
            faults.append(
                f"勘验 {exp.number} 已被整个删除（工作日志第 {exp.created.seq} 条记下了它的创建，"
                f"共 {len(exp.versions)} 版" + (f"，其中第 {_join(lost)} 版的记录也已不在" if lost else "")
                + (f"；第 {_join(kept)} 版的定稿记录尚在" if kept else "") + "）。")
            continue
        number, status, version, returned = row
        if number != exp.number:
            faults.append(f"勘验 {number}：勘验号与工作日志记下的 {exp.number} 不符，已被改动。")
        if exp.broken:
            continue
        if status != exp.status:
            faults.append(f"勘验 {number}：列表中的状态为“{STATUS.get(status, status)}”，而工作日志记下的"
                          f"是“{STATUS[exp.status]}”{_why(status, exp.status)}，状态被改动。")
        if version != exp.version:
            faults.append(f"勘验 {number}：当前版本为第 {version} 版，而工作日志记下的是第 {exp.version} 版，已被改动。")
        if (returned or None) != (exp.returned or None):
            faults.append(f"勘验 {number}：退回补正意见与工作日志记下的不符，已被改动。")
    for cid, row in cases.items():
        if cid not in expected or expected[cid].created is None:
            faults.append(f"勘验 {row[0]} 在工作日志中没有创建记录，是绕过程序加入的。")


def _why(actual: str, wanted: str) -> str:
    if actual == "reviewed":
        return "（没有审核通过的记录）"
    if actual == "finalized" and wanted == "draft":
        return "（没有定稿记录）"
    return ""


def _check_versions(versions: dict[tuple[str, int], tuple[str, bool]], expected: dict[str, Expected],
                    numbers: dict[str, str], present: set[str], finals: set[tuple],
                    faults: list[str]) -> None:
    for cid, exp in expected.items():
        if exp.created is None or exp.broken or cid not in present:  # a whole case: said above
            continue
        for v in exp.versions:
            if (cid, v) not in versions and (cid, v) not in finals:  # finalized: named below
                faults.append(f"勘验 {exp.number} 第 {v} 版的记录已被删除（工作日志记下了这一版）。")
    for (cid, v) in versions:
        exp = expected.get(cid)
        if exp is not None and not exp.broken and exp.created is not None and v not in exp.versions:
            faults.append(f"勘验 {numbers.get(cid, cid)} 第 {v} 版在工作日志中没有来历（新建、退回或补正），"
                          "是绕过程序加入的。")


def _check_finalized(conn: sqlite3.Connection, log: LogIndex, numbers: dict[str, str],
                     faults: list[str]) -> int:
    count = 0
    seen: set[str] = set()
    cols = [r[1] for r in conn.execute("PRAGMA table_info(record_versions)")]
    cur = conn.execute("SELECT * FROM record_versions WHERE finalized_at IS NOT NULL "
                       "OR content_hash IS NOT NULL ORDER BY record_id, version")
    for values in cur:
        row: dict[str, Any] = dict(zip(cols, values))
        count += 1
        seen.add(row["id"])
        name = f"{numbers.get(row['record_id'], row['record_id'])} 第 {row['version']} 版"
        try:
            actual = finalized_hash(row)
        except (ValueError, TypeError, KeyError):
            faults.append(f"定稿记录 {name}：内容不是有效的 JSON，已被改动")
            continue
        entry = log.finalized.get(row["id"])
        if actual != row["content_hash"]:
            faults.append(f"定稿记录 {name}：内容与定稿时的哈希不符，已被改动")
        elif row["kind"] != "case":
            continue
        elif entry is None:
            faults.append(f"定稿记录 {name}：工作日志中没有它的定稿记录，是绕过程序定稿或加入的")
        elif entry.details.get("content_hash") != row["content_hash"]:
            faults.append(f"定稿记录 {name}：哈希与工作日志中定稿时记下的不一致，已被改动")
        elif entry.object_id != row["record_id"] or entry.details.get("version") != row["version"]:
            faults.append(f"定稿记录 {name}：与工作日志第 {entry.seq} 条记下的勘验或版本不符，已被挪动")
    for vid, entry in log.finalized.items():
        if vid in seen:
            continue
        cid = entry.object_id or ""
        name = f"{numbers.get(cid, cid)} 第 {entry.details.get('version')} 版"
        still = conn.execute("SELECT 1 FROM record_versions WHERE id = ?", (vid,)).fetchone()
        faults.append(f"定稿记录 {name}" + ("：已被改回草稿" if still else "已被删除")
                      + f"（工作日志第 {entry.seq} 条记下了它的定稿，哈希 {str(entry.details.get('content_hash'))[:16]}）")
    return count


def _check_reviews(conn: sqlite3.Connection, log: LogIndex, numbers: dict[str, str],
                   faults: list[str]) -> None:
    logged: dict[tuple[str, int], Event] = {}
    for cid, events in log.cases.items():
        for e in events:
            if e.action in ("case.approve", "case.return") and isinstance(e.details.get("version"), int):
                logged[(cid, e.details["version"])] = e
    rows = conn.execute("SELECT case_id, version, decision, comment, reviewer_id, at FROM reviews")
    seen = set()
    for cid, version, decision, comment, reviewer, at in rows:
        name = f"勘验 {numbers.get(cid, cid)} 第 {version} 版"
        e = logged.get((cid, version))
        seen.add((cid, version))
        if e is None:
            faults.append(f"{name}的审核记录（{DECISION.get(decision, decision)}）在工作日志中没有记载，"
                          "是绕过程序加入的。")
            continue
        wanted = "approved" if e.action == "case.approve" else "returned"
        if decision != wanted:
            faults.append(f"{name}的审核结论为“{DECISION.get(decision, decision)}”，而工作日志第 {e.seq} 条"
                          f"记下的是“{DECISION[wanted]}”，审核记录被改动。")
        elif (comment or "") != str(e.details.get("comment", "")) or reviewer != e.user_id or at != e.at:
            faults.append(f"{name}的审核记录（意见、审核人或时间）与工作日志第 {e.seq} 条不符，已被改动。")
    for key, e in logged.items():
        if key not in seen:
            faults.append(f"勘验 {numbers.get(key[0], key[0])} 第 {key[1]} 版的审核记录已被删除"
                          f"（工作日志第 {e.seq} 条记下了{'审核通过' if e.action == 'case.approve' else '退回补正'}）。")


def _join(values: list[int]) -> str:
    return "、".join(str(v) for v in values)
