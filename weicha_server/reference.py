"""Reference data the unit decides and the laptops pull (``GET /v1/pull/…``, pull.py): form
versions, code tables (choice lists) and watch lists; users are users.py's.

Every row carries a ``change_seq`` from the one ``change_seq`` counter, taken in the
transaction that writes it: the counter's row stays locked until that transaction ends, so
numbers commit in order and a pull that has seen N has seen everything below N.

- **Form versions** (``forms publish FILE.yaml``) are checked with the desktop's own forms
  loader exactly as a laptop will read them: the shipped forms, every version published
  before, the code tables, and the new file (``read_forms``). Refused: anything the loader
  finds, a version not above every version of that form the laptops have, the same id and
  version with other bytes (a published version never changes). The same bytes again: no
  change.
- **Code tables** (``code-tables import FILE.yaml``, the format of forms/choices/*.yaml): a
  list id the program ships is refused (a shipped list never changes under old records); a
  code the table had is never dropped (records keep their codes); every published form must
  still load with it.
- **Watch lists** (``watch-list import FILE.csv``): persons by ID number (checked like the
  form's 身份证号), vehicles by plate (checked like the form's 号牌), each with a reason; an
  entry is taken off with 在用 = 0 (a row deleted would never reach the laptops). Every row
  is checked first; one bad row refuses the file.

Every publish and import is an entry of the server's audit chain."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from weicha_desktop.core.canonical import sha256_hex
from weicha_desktop.core.errors import WeichaError
from weicha_desktop.core.forms.check import read_forms
from weicha_desktop.core.forms.loader import load_choice_lists
from weicha_desktop.core.forms.validators import id_card, plate
from weicha_server import audit, csvin
from weicha_server.db import code_tables, form_versions, next_counter, now_iso, watch_lists

MAX_FILE = 2 * 1024 * 1024
MAX_WATCH_ROWS = 200_000


def _shipped_forms() -> Path:
    from weicha_desktop.resources import forms_dir

    return forms_dir()


def read_text(path: Path) -> str:
    return csvin.read_text(path, MAX_FILE)


def published_forms(conn: Connection) -> list[tuple[str, str]]:
    """Every published version as ``(name.yaml, text)`` (what a laptop's registry reads)."""
    rows = conn.execute(sa.select(form_versions.c.form_id, form_versions.c.version, form_versions.c.source)
                        .order_by(form_versions.c.change_seq))
    return [(f"server/{r.form_id}.v{r.version}.yaml", r.source) for r in rows]


def held_code_tables(conn: Connection) -> list[tuple[str, str]]:
    rows = conn.execute(sa.select(code_tables.c.id, code_tables.c.source).order_by(code_tables.c.id))
    return [(f"server/choices/{r.id}.yaml", r.source) for r in rows]


def _load(forms: list[tuple[str, str]], choices: list[tuple[str, str]]):
    specs, _, problems = read_forms(_shipped_forms(), forms, choices)
    if problems:
        shown = problems[:20] + ([f"……另有 {len(problems) - 20} 处"] if len(problems) > 20 else [])
        raise WeichaError("表单不能发布（桌面程序的表单加载器报告）：\n" + "\n".join(shown))
    return specs


# ---- form versions ---------------------------------------------------------------------------
def publish_form(conn: Connection, path: Path, actor: str = "admin") -> dict[str, Any]:
    """Publish a form version; ``{form_id, version, title, changed}``."""
    text = read_text(path)
    name = f"server/{Path(path).name}"
    digest = sha256_hex(text.encode("utf-8"))
    same = conn.execute(sa.select(form_versions).where(form_versions.c.sha256 == digest)).first()
    if same is not None:  # published before, byte for byte
        return {"form_id": same.form_id, "version": same.version, "title": same.title, "changed": False}
    before = _load(published_forms(conn), held_code_tables(conn))
    specs = _load([*published_forms(conn), (name, text)], held_code_tables(conn))
    new = [key for key in specs if key not in before]
    if len(new) != 1:
        raise WeichaError(f"文件 {path} 中没有可发布的表单。")
    (form_id, version), = new
    spec = specs[(form_id, version)]
    highest = max(v for (i, v) in before if i == form_id) if any(i == form_id for i, _ in before) else 0
    if version <= highest:
        raise WeichaError(f"表单 {form_id} 第 {version} 版低于现有的第 {highest} 版：新版本号须大于 {highest}。")
    conn.execute(form_versions.insert().values(
        form_id=form_id, version=version, title=spec.title.zh, record_kind=spec.record_kind, source=text,
        sha256=digest, published_at=now_iso(), change_seq=next_counter(conn, "change_seq")))
    audit.append(conn, actor, "form.publish", {"form_id": form_id, "version": version, "file": Path(path).name,
                                               "sha256": digest, "record_kind": spec.record_kind})
    return {"form_id": form_id, "version": version, "title": spec.title.zh, "changed": True}


# ---- code tables -------------------------------------------------------------------------------
def import_code_table(conn: Connection, path: Path, actor: str = "admin") -> dict[str, Any]:
    """Add or update one code table (``{id, codes, changed}``)."""
    text = read_text(path)
    table_id = Path(path).stem
    lists, problems = load_choice_lists(_shipped_forms() / "choices", [(f"server/choices/{Path(path).name}", text)])
    if problems:
        raise WeichaError("代码表不能导入：\n" + "\n".join(problems[:20]))
    codes = [c.code for c in lists[table_id]]
    held = conn.execute(sa.select(code_tables).where(code_tables.c.id == table_id)).first()
    digest = sha256_hex(text.encode("utf-8"))
    if held is not None and held.sha256 == digest:
        return {"id": table_id, "codes": len(codes), "changed": False}
    if held is not None:
        dropped = [c for c in json.loads(held.codes) if c not in codes]
        if dropped:
            raise WeichaError(f"代码表 {table_id} 不能删去已有的代码（{'、'.join(dropped[:10])}）：已有记录使用它们。"
                              "可以改名称或增加代码。")
    others = [(n, t) for n, t in held_code_tables(conn) if not n.endswith(f"/{table_id}.yaml")]
    _load(published_forms(conn), [*others, (f"server/choices/{table_id}.yaml", text)])
    title = _title(text, table_id)
    values = {"title": title, "source": text, "sha256": digest, "codes": json.dumps(codes, ensure_ascii=False),
              "updated_at": now_iso(), "change_seq": next_counter(conn, "change_seq")}
    if held is None:
        conn.execute(code_tables.insert().values(id=table_id, **values))
    else:
        conn.execute(code_tables.update().where(code_tables.c.id == table_id).values(**values))
    audit.append(conn, actor, "code_table.import", {"id": table_id, "file": Path(path).name, "sha256": digest,
                                                    "codes": len(codes), "added": held is None})
    return {"id": table_id, "codes": len(codes), "changed": True}


def _title(text: str, fallback: str) -> str:
    from weicha_desktop.core.forms.yamlsrc import parse_yaml

    raw = parse_yaml(text)
    title = raw.get("title") if isinstance(raw, dict) else None
    return str(title.get("zh") if isinstance(title, dict) else title or fallback)


# ---- watch lists ---------------------------------------------------------------------------------
WATCH_COLUMNS = {"类型": "list", "list": "list", "证件号码": "key", "身份证号": "key", "号牌": "key",
                 "号牌号码": "key", "key": "key", "姓名": "name", "name": "name", "原因": "reason",
                 "reason": "reason", "在用": "active", "active": "active"}
LIST_WORDS = {"人员": "person", "person": "person", "车辆": "vehicle", "vehicle": "vehicle"}


def read_watch_csv(path: Path) -> list[dict[str, Any]]:
    _, table = csvin.table(path, read_text(path), WATCH_COLUMNS,
                           (("list", "类型"), ("key", "证件号码"), ("reason", "原因")),
                           example="类型,证件号码,姓名,原因,在用",
                           available="类型、证件号码（或 号牌）、姓名、原因、在用")
    today = datetime.now(timezone.utc).date()
    rows, problems, seen = [], [], {}
    for line, cells in table:
        if len(rows) + len(problems) >= MAX_WATCH_ROWS:
            raise WeichaError(f"一次最多导入 {MAX_WATCH_ROWS} 条。")
        kind = LIST_WORDS.get(cells.get("list", "").lower())
        key = cells.get("key", "").upper() if kind == "person" else cells.get("key", "")
        active = csvin.ACTIVE_WORDS.get(cells.get("active", "").lower())
        why = None
        if kind is None:
            why = "“类型”须为 人员 或 车辆（person / vehicle）。"
        elif kind == "person" and (bad := id_card(key, today)):
            why = f"身份证号 {key[:20]}：{bad}"
        elif kind == "vehicle" and (bad := plate(key)):
            why = f"号牌 {key[:20]}：{bad}"
        elif not cells.get("reason") or len(cells["reason"]) > 500 or not cells["reason"].isprintable():
            why = "“原因”不能为空，最多 500 个字，不能含控制字符。"
        elif len(cells.get("name", "")) > 64 or not cells.get("name", "").isprintable():
            why = "“姓名”最多 64 个字，不能含控制字符。"
        elif active is None:
            why = "“在用”须为 1/0 或 是/否。"
        elif (kind, key) in seen:
            why = f"与第 {seen[(kind, key)]} 行重复。"
        if why:
            problems.append(f"第 {line} 行：{why}")
            continue
        seen[(kind, key)] = line
        rows.append({"list": kind, "key": key, "name": cells.get("name", ""), "reason": cells["reason"],
                     "active": active})
    if problems:
        raise csvin.refusal(problems, "任何一条")
    return rows


def import_watch_list(conn: Connection, path: Path, actor: str = "admin") -> dict[str, int]:
    rows = read_watch_csv(path)
    counts = dict.fromkeys(("added", "changed", "unchanged"), 0)
    fields = ("name", "reason", "active")
    for row in rows:
        where = (watch_lists.c.list == row["list"], watch_lists.c.key == row["key"])
        held = conn.execute(sa.select(*(watch_lists.c[f] for f in fields)).where(*where)).first()
        if held is not None and tuple(held) == tuple(row[f] for f in fields):
            counts["unchanged"] += 1
            continue
        values = {**row, "updated_at": now_iso(), "change_seq": next_counter(conn, "change_seq")}
        if held is None:
            conn.execute(watch_lists.insert().values(**values))
            counts["added"] += 1
        else:
            conn.execute(watch_lists.update().where(*where).values(**values))
            counts["changed"] += 1
    audit.append(conn, actor, "watch_list.import", {"file": Path(path).name, "rows": len(rows), **counts})
    return counts
