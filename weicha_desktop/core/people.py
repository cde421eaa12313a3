"""Who a record names as taking part, as rows: ``record_people`` (migration 10).

The form marks the fields that name participants (``participant: true``: 勘验人员, 指挥人,
笔录人, 制图人, 照相人, 录像人, 录音人, and 提取人 in each 痕迹物证 row). Each name becomes one
row ``(record_id, role, position, user_id, name, unit, title)``: ``role`` is the field's id
(``investigators``, ``commander``, ``recorder`` …, ``collector`` for a field inside a repeat
group's rows) — a code; its words are the field's label. ``position`` counts the names of a
role in the record's order (the rows of a repeat group; "李明、周建国" in one text field is two
names, a person or a row of people is one). ``user_id`` is the local user the name is (user name or display name, when exactly one
user has it), else NULL: people from other units are named, not users.

The rows follow the record's current version and are written in the same change as the
record (``sync``), so the case list reads 勘验人 from here instead of parsing JSON."""
from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from weicha_desktop.core.forms import FormSpec
from weicha_desktop.core.store.oplog import person

ROLE_INVESTIGATORS = "investigators"  # the list's 勘验人 column
_SEPARATORS = re.compile(r"[、，,；;/／\s]+")
_COLUMNS = ("record_id", "role", "position", "user_id", "name", "unit", "title")


@dataclass(frozen=True)
class Person:
    role: str
    position: int
    name: str
    unit: str | None = None
    title: str | None = None


def _split(value: Any) -> list[str]:
    return [n for n in _SEPARATORS.split(value.strip()) if n] if isinstance(value, str) else []


def _people_in(value: Any) -> Iterator[tuple[str, str | None, str | None]]:
    """(name, unit, title) for each person a field's value names: a text of one or several
    names, a person, or a list of people (a repeat group whose rows are people)."""
    if isinstance(value, list):
        for item in value:
            yield from _people_in(item)
    elif isinstance(value, Mapping):  # one person (a person field, a row of people)
        name, unit, title = (value.get(k) for k in ("name", "unit", "title"))
        if isinstance(name, str) and name.strip():
            yield (name.strip(), unit if isinstance(unit, str) and unit else None,
                   title if isinstance(title, str) and title else None)
    else:
        for name in _split(value):
            yield name, None, None


def people_of(spec: FormSpec, data: Mapping[str, Any]) -> list[Person]:
    """Every person ``data`` names in a field ``spec`` marks as a participant, in form order."""
    found: dict[str, list[tuple[str, str | None, str | None]]] = {}
    for field in spec.all_fields():
        value = data.get(field.id)
        if field.participant:
            found.setdefault(field.id, []).extend(_people_in(value))
        elif field.type == "repeat" and isinstance(value, list):
            for sub in (f for f in field.fields if f.participant):
                for row in value:
                    if isinstance(row, Mapping):
                        found.setdefault(sub.id, []).extend(_people_in(row.get(sub.id)))
    return [Person(role, i, name, unit, title)
            for role, people in found.items() for i, (name, unit, title) in enumerate(people)]


def match_users(conn: sqlite3.Connection) -> dict[str, str]:
    """name → user id, for the names (user name or display name) exactly one user has."""
    seen: dict[str, set[str]] = {}
    for user_id, name, display in conn.execute("SELECT id, name, display_name FROM users"):
        for n in {name, display} - {None, ""}:
            seen.setdefault(n.strip(), set()).add(user_id)
    return {n: next(iter(ids)) for n, ids in seen.items() if len(ids) == 1}


def write(conn: sqlite3.Connection, record_id: str, people: list[Person],
          users: Mapping[str, str]) -> None:
    """Replace the record's rows by ``people`` (inside the caller's transaction); rows that
    are already so (most saves change no one) are left as they are, unwritten."""
    new = [(record_id, p.role, p.position, users.get(p.name), p.name, p.unit, p.title) for p in people]
    if sorted(new) == _current(conn, record_id):
        return
    conn.execute("DELETE FROM record_people WHERE record_id = ?", (record_id,))
    conn.executemany(
        f"INSERT INTO record_people ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})", new)


def _current(conn: sqlite3.Connection, record_id: str) -> list[tuple]:
    """The record's rows as written, sorted (a row is a tuple of ``_COLUMNS``)."""
    return sorted(conn.execute(f"SELECT {', '.join(_COLUMNS)} FROM record_people WHERE record_id = ?",
                               (record_id,)))


def sync(conn: sqlite3.Connection, record_id: str, spec: FormSpec, data: Mapping[str, Any]) -> list[Person]:
    """Keep ``record_people`` in step with the record's data (call in the change that writes
    the data). Returns the people written."""
    people = people_of(spec, data)
    write(conn, record_id, people, match_users(conn))
    return people


def rows(conn: sqlite3.Connection, record_id: str) -> list[dict[str, Any]]:
    """The record's rows as its ops carry them (docs/sync-protocol.md): each with ``user``,
    the person the row is (``oplog.person``: id, 警号, names, role) or None, not a bare id."""
    return [{"role": role, "position": position, "name": name, "unit": unit, "title": title,
             "user": person(conn, user_id) if user_id is not None else None}
            for role, position, user_id, name, unit, title in conn.execute(
                "SELECT role, position, user_id, name, unit, title FROM record_people "
                "WHERE record_id = ? ORDER BY role, position", (record_id,))]


def write_rows(conn: sqlite3.Connection, record_id: str, carried: list[Mapping[str, Any]]) -> None:
    """Replace the record's rows by those an op carried (``rows``; core/sync/apply.py: the
    people the device matched, not matched again against this store's users)."""
    conn.execute("DELETE FROM record_people WHERE record_id = ?", (record_id,))
    conn.executemany(
        f"INSERT INTO record_people ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})",
        [(record_id, r["role"], r["position"], (r.get("user") or {}).get("id"), r["name"],
          r.get("unit"), r.get("title")) for r in carried])


def names(conn: sqlite3.Connection, record_id: str, role: str = ROLE_INVESTIGATORS) -> list[str]:
    """The names of one role of a record, in order."""
    return [r[0] for r in conn.execute(
        "SELECT name FROM record_people WHERE record_id = ? AND role = ? ORDER BY position",
        (record_id, role))]


def names_of(conn: sqlite3.Connection, record_ids: list[str],
             role: str = ROLE_INVESTIGATORS) -> dict[str, list[str]]:
    """record id → the names of ``role`` (in order), for many records in one query."""
    out: dict[str, list[str]] = {}
    if not record_ids:
        return out
    rows = conn.execute(
        "SELECT p.record_id, p.name FROM json_each(?) AS ids JOIN record_people p "
        "ON p.record_id = ids.value AND p.role = ? ORDER BY p.record_id, p.position",
        (json.dumps(record_ids), role))
    for record_id, name in rows:
        out.setdefault(record_id, []).append(name)
    return out


