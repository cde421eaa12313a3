"""核查's index of the ID numbers and plates nested in records (``record_keys``, migration 17):
derived data the triggers on ``record_versions`` keep, which a check reads to name the local
records holding a key. Verify recomputes it from the versions (the versions themselves are
checked against the log by records.py) with the triggers' own expression and compares both
ways, counting duplicates (one pass; 100,000 versions of ~2 KB holding 200,000 keys: 1.3 s
CPU, linear — the json_tree of every version is most of it): a row deleted hides a record from every check, a row forged makes
a check name a record that does not hold the key — both are faults, and so is a trigger gone.
The index can be rebuilt from the versions, so the advice says so."""
from __future__ import annotations

import sqlite3

from weicha_desktop.core.verify.log import has_table

TRIGGERS = ("record_keys_insert", "record_keys_update", "record_keys_delete")
# the triggers' expression (core/store/migrations.py, migration 17), over every version
DERIVED = """
SELECT upper(trim(t.value)) AS key, v.id AS version_id, substr(t.path || '.' || t.key, 3) AS field,
       COALESCE(json_extract(v.data, t.path || '.name'), '') AS name
FROM record_versions v, json_tree(v.data) t
WHERE json_valid(v.data) AND t.key IN ('id_number', 'plate') AND t.type = 'text' AND t.path <> '$'
  AND trim(t.value) <> ''"""
# one pass over both (json_tree runs once): each distinct row with its count in each
DIFFER = f"""
SELECT key, version_id, field, name, sum(d) - sum(h) FROM (
  SELECT key, version_id, field, name, 1 AS d, 0 AS h FROM ({DERIVED})
  UNION ALL SELECT key, version_id, field, name, 0, 1 FROM record_keys)
GROUP BY 1, 2, 3, 4 HAVING sum(d) <> sum(h)"""
SHOWN = 5


def check_record_keys(conn: sqlite3.Connection, faults: list[str]) -> None:
    if not has_table(conn, "record_keys") or not has_table(conn, "record_versions"):
        return
    present = {r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'record_versions'")}
    for name in TRIGGERS:
        if name not in present:
            faults.append(f"核查用的证件号/号牌索引的触发器 {name} 不见了：核查可能漏报或错报本地记录，"
                          "可能在程序之外被改动。")
    differ = conn.execute(DIFFER).fetchall()
    forged = [row for row in differ if row[4] < 0]
    lost = [row for row in differ if row[4] > 0]
    if forged:
        faults.append(f"核查用的证件号/号牌索引中有记录内容里没有的条目（{_list(forged)}）：核查会报出"
                      "并不存在的本地记录，可能在程序之外被改动。")
    if lost:
        faults.append(f"核查用的证件号/号牌索引缺少记录内容中的条目（{_list(lost)}）：核查会漏掉这些本地记录，"
                      "可能在程序之外被删除。")


def _list(rows: list[tuple]) -> str:
    shown = "、".join(f"{key}（{field}）" for key, _, field, _, _ in rows[:SHOWN])
    return shown + ("等" if len(rows) > SHOWN else "")
