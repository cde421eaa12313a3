"""Reference data from the sync server, kept in the data folder (docs/sync-protocol.md, "Pull").

- ``local_forms(store)``: the form registry a laptop works with — the shipped forms (read-only,
  in the program) plus the form versions and code tables the server published, kept in the
  database (``ref_forms``, ``ref_code_tables``, migration 14). ``RecordService.create`` takes
  the latest version of a kind's form, so a version from the server is used for NEW records;
  a record keeps the version it was made with (``record_versions.form_version``), and every
  version stays loadable.
- ``apply_rows(ch, table, rows)``: one table's rows, inside the caller's change (core/sync/pull.py
  makes it one change per table, only once the table was pulled whole).

Users from the server are **known people** — display name, 警号, unit, role — who cannot log in
here (no password, inactive: like the people other devices' ops name, core/sync/apply.py)
until an administrator of this laptop sets their password (``UserService.set_password``). A
later pull updates a known person's name, role and active flag; it never touches a user who
can log in here (a password of this laptop's: its administrator decides about them), nor a
user of this unit holding the same 警号 under another id (one from an earlier version: the same
person, merged by 警号). Each user written gets its ``user.known`` entry with its state
(verify compares)."""
from __future__ import annotations

import hashlib
from typing import Any, Mapping, Sequence

from weicha_desktop.core.errors import WeichaError
from weicha_desktop.core.forms import FormError, FormRegistry
from weicha_desktop.core.labels import ROLES
from weicha_desktop.core.store import Change, Store

UNUSABLE_PASSWORD = "!"  # core/sync/apply.py: no password hash matches it


class PullRefused(WeichaError):
    """A table's rows this laptop will not take (nothing of the table is applied)."""


def stored_forms(conn) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The server's form versions and code tables as ``(name.yaml, text)`` pairs."""
    forms = [(f"server/{r[0]}.v{r[1]}.yaml", r[2]) for r in conn.execute(
        "SELECT form_id, version, source FROM ref_forms ORDER BY form_id, version")]
    tables = [(f"server/choices/{r[0]}.yaml", r[1]) for r in conn.execute(
        "SELECT id, source FROM ref_code_tables ORDER BY id")]
    return forms, tables


def local_forms(store: Store, forms_dir=None, *, older_later: bool = False) -> FormRegistry:
    """The shipped forms and what the server published (see the module's doc);
    ``older_later``: FormRegistry's (the window reads older versions after its first paint)."""
    from weicha_desktop.resources import forms_dir as shipped

    forms, tables = stored_forms(store.conn) if _has_tables(store.conn) else ([], [])
    return FormRegistry(forms_dir or shipped(), forms, tables, older_later=older_later)


def refresh_forms(store: Store, forms: FormRegistry) -> bool:
    """Bring ``forms`` (a registry ``local_forms`` made) up to what ``store`` now holds from the
    server, in place: a window that stays open uses a pulled form version for new records (the
    records open keep their version). True if it changed; FormError (nothing changes) if what
    is held does not load."""
    if not _has_tables(store.conn):
        return False
    return forms.replace_extra(*stored_forms(store.conn))


def _has_tables(conn) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'ref_forms'").fetchone() is not None


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def apply_rows(ch: Change, table: str, rows: Sequence[Mapping[str, Any]]) -> int:
    """Write one table's rows in ``ch``; PullRefused (the change rolls back) for rows not
    taken. Returns the rows that changed something."""
    return _APPLY[table](ch, rows)


def _forms(ch: Change, rows) -> int:
    n = 0
    for r in rows:
        if _sha(str(r["source"])) != r["sha256"]:
            raise PullRefused(f"服务器的表单 {r['form_id']} 第 {r['version']} 版内容与其哈希不符，未采用。")
        held = ch.conn.execute("SELECT sha256 FROM ref_forms WHERE form_id = ? AND version = ?",
                               (r["form_id"], r["version"])).fetchone()
        if held is not None:
            if held[0] != r["sha256"]:
                raise PullRefused(f"服务器的表单 {r['form_id']} 第 {r['version']} 版与本机已有的同一版本不同："
                                  "已发布的版本不能更改，未采用。请联系管理员。")
            continue
        ch.conn.execute("INSERT INTO ref_forms (form_id, version, title, record_kind, source, sha256, seq, "
                        "pulled_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        (r["form_id"], r["version"], r["title"], r.get("record_kind"), r["source"], r["sha256"],
                         r["seq"], ch.now))
        n += 1
    _check_loads(ch)
    return n


def _code_tables(ch: Change, rows) -> int:
    n = 0
    for r in rows:
        if _sha(str(r["source"])) != r["sha256"]:
            raise PullRefused(f"服务器的代码表 {r['id']} 内容与其哈希不符，未采用。")
        n += ch.conn.execute(
            "INSERT INTO ref_code_tables (id, title, source, sha256, seq, pulled_at) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET title = excluded.title, source = excluded.source, "
            "sha256 = excluded.sha256, seq = excluded.seq, pulled_at = excluded.pulled_at "
            "WHERE ref_code_tables.sha256 <> excluded.sha256",
            (r["id"], r["title"], r["source"], r["sha256"], r["seq"], ch.now)).rowcount
    _check_loads(ch)
    return n


def _check_loads(ch: Change) -> None:
    """Every form — shipped and from the server — must load with what is now in the change."""
    from weicha_desktop.resources import forms_dir

    forms, tables = stored_forms(ch.conn)
    try:
        FormRegistry(forms_dir(), forms, tables)
    except FormError as e:
        raise PullRefused(f"服务器的表单或代码表在本机无法加载，未采用（可能需要升级桌面程序）：{e}") from None


def _watch_lists(ch: Change, rows) -> int:
    n = 0
    for r in rows:
        if r.get("list") not in ("person", "vehicle") or not isinstance(r.get("key"), str):
            raise PullRefused("服务器的核查名单中有无法识别的条目，未采用。")
        n += ch.conn.execute(
            "INSERT INTO watch_list (list, key, name, reason, active, seq, pulled_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (list, key) DO UPDATE SET name = excluded.name, reason = excluded.reason, "
            "active = excluded.active, seq = excluded.seq, pulled_at = excluded.pulled_at",
            (r["list"], r["key"], str(r.get("name") or ""), str(r["reason"]), 1 if r["active"] else 0,
             r["seq"], ch.now)).rowcount
    return n


def _users(ch: Change, rows) -> int:
    n = 0
    for r in rows:
        if r.get("role") not in ROLES or not isinstance(r.get("id"), str) or not r.get("badge_no"):
            raise PullRefused("服务器的用户中有无法识别的条目（角色或警号），未采用。")
        row = ch.conn.execute("SELECT name, password_hash FROM users WHERE id = ?", (r["id"],)).fetchone()
        if row is not None and row[1] != UNUSABLE_PASSWORD:
            continue  # a user who logs in here: this laptop's administrator decides
        same_badge = ch.conn.execute("SELECT 1 FROM users WHERE unit_code = ? AND badge_no = ? AND id <> ?",
                                     (r["unit_code"], r["badge_no"], r["id"])).fetchone()
        if same_badge:
            continue  # the same person under an earlier version's id (merged by 警号)
        display = str(r.get("display_name") or r["name"])
        if row is None:
            name = str(r["name"])
            if ch.conn.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
                name = f"{name}@{r['id'][:8]}"
            ch.conn.execute(
                "INSERT INTO users (id, name, display_name, role, password_hash, active, created_at, badge_no, "
                "unit_code) VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?)",
                (r["id"], name, display, r["role"], UNUSABLE_PASSWORD, ch.now, r["badge_no"], r["unit_code"]))
        else:
            name = row[0]
            changed = ch.conn.execute(
                "UPDATE users SET display_name = ?, role = ? WHERE id = ? AND (display_name <> ? OR role <> ?)",
                (display, r["role"], r["id"], display, r["role"])).rowcount
            if not changed:
                continue
        ch.log("user.known", "user", r["id"],
               f"同步服务器的用户 {display}（警号 {r['badge_no']}），在本机设置密码之前不能登录",
               {"name": name, "role": r["role"], "active": 0, "badge_no": r["badge_no"],
                "unit_code": r["unit_code"], "server_active": bool(r.get("active")), "source": "server",
                "state": ch.user_state(r["id"])})
        n += 1
    return n


_APPLY = {"users": _users, "forms": _forms, "code_tables": _code_tables, "watch_lists": _watch_lists}
