"""Records of every kind, their versions and reviews against the audit log, both ways.

- every finalized version the log names exists with the hash the log recorded, and every
  finalized row has its ``<kind>.finalize`` entry (rewriting a record *and* its hash is seen);
- every record and every version the log created exists, and no row exists that it did not;
- the registry (``records.status``, ``current_version``, ``returned_comment``; ``cases``
  before schema 9) is what the logged events imply: create → draft v1, finalize → finalized,
  approve → reviewed, return → draft v+1 with the comment, amend → draft v+1;
- the case list's projection (``cases``, schema 9 on) says what the registry says (number,
  status, return comment, time), and every case has its row;
- every review row is the logged approve/return of that version (decision, comment,
  reviewer, time), and every logged review has its row."""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from weicha_desktop.core.labels import status_label
from weicha_desktop.core.records import finalized_hash
from weicha_desktop.core.verify.log import Event, LogIndex, has_table, record_verb, table_columns

DECISION = {"approved": "通过", "returned": "退回补正"}
NOUNS = {"case": "勘验"}  # how a kind's records are named in verify's words (else 记录)


def noun(kind: str | None) -> str:
    return NOUNS.get(kind or "case", "记录")


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
        verb = e.action.partition(".")[2]
        try:
            if verb == "create":
                exp.created = e
            elif verb == "finalize":
                exp.status, exp.returned, exp.version = "finalized", None, int(d["version"])
            elif verb == "approve" or (verb == "decided" and d["current"] and d["decision"] == "approved"):
                exp.status = "reviewed"  # decided: another laptop's decision (core/sync/review.py)
            elif verb in ("return", "amend"):
                exp.version = int(d["new_version"])
                exp.versions += (exp.version,)
                exp.status = "draft"
                exp.returned = str(d.get("comment", "")) if verb == "return" else None
        except (KeyError, TypeError, ValueError):
            exp.broken = True
    return exp


def registry(conn: sqlite3.Connection) -> dict[str, tuple]:
    """Every record: id → (number, status, current_version, returned_comment, kind). From
    ``records`` (schema 9 on), or the ``cases`` of an older folder (all of them cases)."""
    if has_table(conn, "records"):
        rows = conn.execute("SELECT id, number, status, current_version, returned_comment, kind "
                            "FROM records")
    else:
        rows = conn.execute("SELECT id, number, status, current_version, returned_comment, 'case' "
                            "FROM cases")
    return {r[0]: (r[1] if r[1] is not None else r[0], *r[2:]) for r in rows}


def check_records(conn: sqlite3.Connection, log: LogIndex, faults: list[str]) -> int:
    """Returns the number of finalized versions checked."""
    records = registry(conn)
    numbers = {**log.numbers, **{rid: row[0] for rid, row in records.items()}}
    kinds = {**log.kinds, **{rid: row[4] for rid, row in records.items()}}
    expected = {rid: replay(events, log.numbers.get(rid, rid)) for rid, events in log.cases.items()}
    versions = _versions(conn)
    _check_cases(records, expected, versions, kinds, faults)
    finals = {(e.object_id, e.details.get("version")) for e in log.finalized.values()}
    _check_versions(versions, expected, numbers, kinds, set(records), finals, faults)
    count = _check_finalized(conn, log, numbers, kinds, faults)
    if has_table(conn, "reviews"):
        _check_reviews(conn, log, numbers, kinds, faults)
    if has_table(conn, "records"):
        _check_case_list(conn, records, faults)
    return count


def _versions(conn: sqlite3.Connection) -> dict[tuple[str, int], tuple[str, bool]]:
    rows = conn.execute("SELECT record_id, version, id, finalized_at IS NOT NULL FROM record_versions")
    return {(r[0], r[1]): (r[2], bool(r[3])) for r in rows}


def _check_case_list(conn: sqlite3.Connection, records: dict[str, tuple], faults: list[str]) -> None:
    """The case list (``cases``) says what the registry says, and lists every case."""
    listed = {r[0]: r[1:] for r in conn.execute(
        "SELECT id, number, status, returned_comment, updated_at FROM cases")}
    updated = dict(conn.execute("SELECT id, updated_at FROM records"))
    for rid, (number, status, _, returned, kind) in records.items():
        row = listed.pop(rid, None)
        if kind != "case":
            if row is not None:
                faults.append(f"勘验列表中的 {row[0]} 不是勘验（记录类型为 {kind}），已被改动。")
            continue
        if row is None:
            faults.append(f"勘验 {number} 不在勘验列表中（列表的这一行已被删除）。")
        elif row != (number, status, returned, updated[rid]):
            faults.append(f"勘验 {number}：勘验列表中的勘验号、状态、退回意见或时间与记录不一致，已被改动。")
    for rid, row in listed.items():
        faults.append(f"勘验列表中的 {row[0]} 没有对应的记录，是绕过程序加入的。")


def _check_cases(records: dict[str, tuple], expected: dict[str, Expected],
                 versions: dict[tuple[str, int], tuple[str, bool]], kinds: dict[str, str],
                 faults: list[str]) -> None:
    for rid, exp in expected.items():
        what = noun(kinds.get(rid))
        if exp.created is None:
            continue  # events without a create: the create entry is gone, the chain says so
        row = records.get(rid)
        if row is None:
            kept = sorted(v for (r, v), (_, fin) in versions.items() if r == rid and fin)
            lost = [v for v in exp.versions if (rid, v) not in versions]
            faults.append(
                f"{what} {exp.number} 已被整个删除（工作日志第 {exp.created.seq} 条记下了它的创建，"
                f"共 {len(exp.versions)} 版" + (f"，其中第 {_join(lost)} 版的记录也已不在" if lost else "")
                + (f"；第 {_join(kept)} 版的定稿记录尚在" if kept else "") + "）。")
            continue
        number, status, version, returned, kind = row
        if number != exp.number:
            faults.append(f"{what} {number}：{'勘验号' if kind == 'case' else '编号'}与工作日志记下的 "
                          f"{exp.number} 不符，已被改动。")
        if kind != log_kind(exp):
            faults.append(f"{what} {number}：记录类型为 {kind}，与工作日志记下的不符，已被改动。")
        if exp.broken:
            continue
        if status != exp.status:
            faults.append(f"{what} {number}：列表中的状态为“{status_label(status)}”，而工作日志记下的"
                          f"是“{status_label(exp.status)}”{_why(status, exp.status)}，状态被改动。")
        if version != exp.version:
            faults.append(f"{what} {number}：当前版本为第 {version} 版，而工作日志记下的是第 {exp.version} 版，已被改动。")
        if (returned or None) != (exp.returned or None):
            faults.append(f"{what} {number}：退回补正意见与工作日志记下的不符，已被改动。")
    for rid, row in records.items():
        if rid not in expected or expected[rid].created is None:
            faults.append(f"{noun(row[4])} {row[0]} 在工作日志中没有创建记录，是绕过程序加入的。")


def log_kind(exp: Expected) -> str | None:
    """The kind the log's create entry gives the record."""
    return exp.created.action.partition(".")[0] if exp.created else None


def _why(actual: str, wanted: str) -> str:
    if actual == "reviewed":
        return "（没有审核通过的记录）"
    if actual == "finalized" and wanted == "draft":
        return "（没有定稿记录）"
    return ""


def _check_versions(versions: dict[tuple[str, int], tuple[str, bool]], expected: dict[str, Expected],
                    numbers: dict[str, str], kinds: dict[str, str], present: set[str],
                    finals: set[tuple], faults: list[str]) -> None:
    for rid, exp in expected.items():
        if exp.created is None or exp.broken or rid not in present:  # a whole record: said above
            continue
        for v in exp.versions:
            if (rid, v) not in versions and (rid, v) not in finals:  # finalized: named below
                faults.append(f"{noun(kinds.get(rid))} {exp.number} 第 {v} 版的记录已被删除（工作日志记下了这一版）。")
    for (rid, v) in versions:
        exp = expected.get(rid)
        if exp is not None and not exp.broken and exp.created is not None and v not in exp.versions:
            faults.append(f"{noun(kinds.get(rid))} {numbers.get(rid, rid)} 第 {v} 版在工作日志中没有来历"
                          "（新建、退回或补正），是绕过程序加入的。")
        elif exp is None and rid not in present:
            faults.append(f"记录 {rid} 第 {v} 版既不在记录表中，也没有工作日志，是绕过程序加入的。")


def _check_finalized(conn: sqlite3.Connection, log: LogIndex, numbers: dict[str, str],
                     kinds: dict[str, str], faults: list[str]) -> int:
    count = 0
    seen: set[str] = set()
    cols = table_columns(conn, "record_versions")
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
        elif entry is None:
            faults.append(f"定稿记录 {name}：工作日志中没有它的定稿记录，是绕过程序定稿或加入的")
        elif entry.details.get("content_hash") != row["content_hash"]:
            faults.append(f"定稿记录 {name}：哈希与工作日志中定稿时记下的不一致，已被改动")
        elif entry.object_id != row["record_id"] or entry.details.get("version") != row["version"] \
                or record_verb(entry.action, str(row["kind"])) != "finalize":
            faults.append(f"定稿记录 {name}：与工作日志第 {entry.seq} 条记下的{noun(kinds.get(row['record_id']))}"
                          "或版本不符，已被挪动")
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
                   kinds: dict[str, str], faults: list[str]) -> None:
    logged: dict[tuple[str, int], Event] = {}
    for rid, events in log.cases.items():
        for e in events:
            if e.action.partition(".")[2] in ("approve", "return", "decided") \
                    and isinstance(e.details.get("version"), int):
                logged[(rid, e.details["version"])] = e
    columns = set(table_columns(conn, "reviews"))
    column = "record_id" if "record_id" in columns else "case_id"  # before schema 9
    section = "section" if "section" in columns else "NULL"  # before schema 13
    rows = conn.execute(f"SELECT {column}, version, decision, comment, reviewer_id, at, {section} FROM reviews")
    seen = set()
    for rid, version, decision, comment, reviewer, at, part in rows:
        name = f"{noun(kinds.get(rid))} {numbers.get(rid, rid)} 第 {version} 版"
        e = logged.get((rid, version))
        seen.add((rid, version))
        if e is None:
            faults.append(f"{name}的审核记录（{DECISION.get(decision, decision)}）在工作日志中没有记载，"
                          "是绕过程序加入的。")
            continue
        wanted = e.details.get("decision") if e.action.endswith(".decided") else \
            "approved" if e.action.endswith(".approve") else "returned"
        if decision != wanted:
            faults.append(f"{name}的审核结论为“{DECISION.get(decision, decision)}”，而工作日志第 {e.seq} 条"
                          f"记下的是“{DECISION.get(wanted, wanted)}”，审核记录被改动。")
        elif (comment or "") != str(e.details.get("comment", "")) or reviewer != e.user_id or at != e.at \
                or part != e.details.get("section"):
            faults.append(f"{name}的审核记录（意见、所指栏目、审核人或时间）与工作日志第 {e.seq} 条不符，已被改动。")
    for key, e in logged.items():
        if key not in seen:
            faults.append(f"{noun(kinds.get(key[0]))} {numbers.get(key[0], key[0])} 第 {key[1]} 版的审核记录已被删除"
                          f"（工作日志第 {e.seq} 条记下了{'审核通过' if e.action.endswith('.approve') else '退回补正'}）。")


def _join(values: list[int]) -> str:
    return "、".join(str(v) for v in values)
