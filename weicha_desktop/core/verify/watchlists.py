"""核查's named watch lists (``watch_sets`` + ``watch_entries``, core/checks/lists.py) against
the work log. Only ``import_list`` writes them, replacing a list whole in one change whose
``watchlist.import`` entry says what it wrote: kind, version, date, instruction, the number of
entries, the file's SHA-256 and the digest of the entries as stored (``entries_sha256``, in key
order). Verify reads every entry once in the table's own order (key, set) and recomputes each
list's digest, so an entry changed, deleted or added behind the program is a fault naming the
list; so are a list no entry imported and a logged list whose row is gone.

An import from before the digest was logged can only be counted: its entries are compared by
number and a notice says so (import the list again to have it checked whole). The server's
lists (``watch_list``) are reference data the pull replaces, logged by cursor, not by content:
not checked here."""
from __future__ import annotations

import hashlib
import json
import sqlite3

from weicha_desktop.core.checks.lists import entry_bytes
from weicha_desktop.core.verify.log import has_table

AROUND = "可能在程序之外被改动"
ROW = ("kind", "version", "list_date", "instruction", "entries", "file_sha256")
LOGGED = {"kind": "kind", "version": "version", "list_date": "date", "instruction": "instruction",
          "entries": "entries", "file_sha256": "sha256"}


def check_watchlists(conn: sqlite3.Connection, faults: list[str], notices: list[str]) -> None:
    if not has_table(conn, "watch_sets"):
        return
    logged: dict[str, dict] = {}
    for object_id, details in conn.execute(
            "SELECT object_id, details FROM audit_log WHERE action = 'watchlist.import' ORDER BY seq"):
        try:
            logged[object_id] = json.loads(details)
        except (TypeError, ValueError):
            continue  # the chain check names it
    sets = {r[0]: r for r in conn.execute(
        f"SELECT id, name, {', '.join(ROW)} FROM watch_sets")}
    names = {set_id: row[1] for set_id, row in sets.items()}
    hashers: dict[int, hashlib._Hash] = {}
    counts: dict[int, int] = {}
    for set_id, key, name, reason, extra in conn.execute(
            "SELECT set_id, key, name, reason, extra FROM watch_entries ORDER BY key, set_id"):
        h = hashers.get(set_id)
        if h is None:
            h = hashers[set_id] = hashlib.sha256()
        h.update(entry_bytes(key, name, reason, extra))
        counts[set_id] = counts.get(set_id, 0) + 1
    for set_id in sorted(set(counts) - set(sets)):
        faults.append(f"核查名单条目（{counts[set_id]} 条）属于一个不存在的名单（编号 {set_id}）：{AROUND}。")
    for set_id, row in sets.items():
        name = row[1]
        d = logged.get(name)
        if d is None:
            faults.append(f"核查名单“{name}”没有导入它的工作日志记录：{AROUND}。")
            continue
        values = dict(zip(ROW, row[2:]))
        wrong = [column for column in ROW if column in _present(d) and d[LOGGED[column]] != values[column]]
        if wrong:
            faults.append(f"核查名单“{name}”与工作日志记录的导入不符（{'、'.join(wrong)}）：{AROUND}。")
        held = counts.get(set_id, 0)
        digest = hashers[set_id].hexdigest() if set_id in hashers else hashlib.sha256().hexdigest()
        if d.get("entries_sha256"):
            if digest != d["entries_sha256"] or held != d.get("entries"):
                faults.append(f"核查名单“{name}”的条目与导入时不同（现有 {held} 条，导入 {d.get('entries')} 条）："
                              f"有条目被改动、删除或添加，{AROUND}。请重新导入这份名单。")
        else:
            if held != d.get("entries"):
                faults.append(f"核查名单“{name}”现有 {held} 条，导入时为 {d.get('entries')} 条：{AROUND}。")
            notices.append(f"核查名单“{name}”是早先导入的，只核对了条数、未核对内容：重新导入后可整份核对。")
    for name in sorted(set(logged) - set(names.values())):
        faults.append(f"工作日志记录了导入核查名单“{name}”，数据中却没有它：可能在程序之外被删除。")


def _present(d: dict) -> set[str]:
    """The row's columns the entry logs (instruction only since the digest was logged)."""
    return {column for column, key in LOGGED.items() if key in d}
