"""Links: a person, vehicle or place related to another record — a case (as 证人, 报案人,
嫌疑人…), a person (a vehicle's 车主), a patrol or request of the modules to come — with a
role (forms/choices/link_roles.yaml) and a note.

A link is a relation of its own (``record_links``), not part of either record's content: a
finalized record can be linked, and a link never changes a record's hash. Each link and each
removal is one change: the row, a ``link.add`` / ``link.remove`` audit entry and the outbox op
of the same name (payload: the link's row; core/ops.py), which another store applies as it
comes (``apply_op``: core/sync/apply.py). A removed link stays, with who removed it, when and
why; the entries say what the row holds (``weicha verify`` compares: core/verify/links.py).
Neither end is a foreign key: a laptop may hold a link whose other end it never got
(another device's case) — the page says so instead of refusing the op."""
from __future__ import annotations

from typing import Any, Mapping

from weicha_desktop.core.errors import NotFound, WeichaError
from weicha_desktop.core.forms import FormRegistry
from weicha_desktop.core.ids import new_id
from weicha_desktop.core.labels import ROLES
from weicha_desktop.core.messages import Msg
from weicha_desktop.core.store import Actor, Change, Store

from . import lookup

COLLECT_KINDS = ("person", "vehicle", "place")
ROLES_LIST = "link_roles"
COLUMNS = ("id", "record_id", "record_kind", "target_id", "target_kind", "role", "note",
           "created_at", "created_by", "removed_at", "removed_by", "removed_reason")
LOGGED = ("record_id", "record_kind", "target_id", "target_kind", "role", "note")  # link.add's details
KIND_WORDS = {"case": "勘验", "person": "人员", "vehicle": "车辆", "place": "场所", "patrol": "巡逻",
              "request": "诉求"}


class LinkService:
    """Links made and read by one logged-in ``actor``."""

    def __init__(self, store: Store, forms: FormRegistry, actor: Actor):
        self.store, self.forms, self.actor = store, forms, actor

    def roles(self) -> dict[str, str]:
        """Role code → its Chinese words."""
        return {c.code: c.label.zh for c in self.forms.choices(ROLES_LIST)}

    def joins(self) -> dict[str, tuple[str, ...]]:
        """Role code → the kinds of record it may describe (``joins`` in the list; all three
        collect kinds where the list says nothing)."""
        return {c.code: c.joins for c in self.forms.choices(ROLES_LIST) if c.joins}

    def roles_for(self, kind: str) -> dict[str, str]:
        """The roles a record of ``kind`` may be linked as (code → its Chinese words): those
        ``link`` accepts for it."""
        joins = self.joins()
        return {c: w for c, w in self.roles().items() if kind in (joins.get(c) or COLLECT_KINDS)}

    def find(self, key: str) -> dict[str, Any]:
        """Any record here by its id or number (K…), or a person by 身份证号, a vehicle by
        号牌 or VIN: {id, kind, number, status, label}; NotFound otherwise."""
        from weicha_desktop.core.forms.identity import normalize_id_number
        from weicha_desktop.core.forms.plates import normalize_plate
        from weicha_desktop.core.forms.vins import normalize_vin

        key = (key or "").strip()
        row = self.store.conn.execute("SELECT id FROM records WHERE id = ? OR number = ?",
                                      (key, key)).fetchone()
        ids = [row[0]] if row else (
            lookup.person_by_id_number(self.store.conn, normalize_id_number(key))
            or lookup.vehicle_by_plate(self.store.conn, normalize_plate(key))
            or lookup.records_with(self.store.conn, "vehicle", "vin", normalize_vin(key)))
        if not ids:
            raise NotFound(Msg("link.not_found", key=key))
        return lookup.record_label(self.store.conn, ids[0])

    def link(self, record: str, target: str, role: str, note: str = "") -> dict[str, Any]:
        """Link the person, vehicle or place ``record`` to ``target`` (any record) as ``role``."""
        if self.actor.role not in ROLES:
            raise WeichaError(f"当前用户（{self.actor.name}）无权关联记录。")
        one, other = self.find(record), self.find(target)
        if one["kind"] not in COLLECT_KINDS:
            raise WeichaError(Msg("link.not_collect", label=one["label"]))
        if one["id"] == other["id"]:
            raise WeichaError(Msg("link.self"))
        roles = self.roles()
        if role not in roles:
            raise WeichaError(Msg("link.role", role=role, roles="、".join(f"{c}（{w}）" for c, w in roles.items())))
        joins = self.joins().get(role) or COLLECT_KINDS
        if one["kind"] not in joins:
            raise WeichaError(Msg("link.role_kind", kind=_word(one), label=one["label"], role=roles[role],
                                  kinds="、".join(KIND_WORDS[k] for k in joins if k in KIND_WORDS)))
        if self.linked(one["id"], other["id"], role):
            raise WeichaError(Msg("link.exists", one=one["label"], other=other["label"], role=roles[role]))
        note = (note or "").strip()
        link_id = new_id()
        with self.store.change(self.actor) as ch:
            row = {"id": link_id, "record_id": one["id"], "record_kind": one["kind"],
                   "target_id": other["id"], "target_kind": other["kind"], "role": role,
                   "note": note, "created_at": ch.now, "created_by": self.actor.id,
                   "removed_at": None, "removed_by": None, "removed_reason": None}
            _insert(ch, row)
            ch.log("link.add", "link", link_id,
                   f"关联{_word(one)} {one['label']} 与{_word(other)} {other['label']}（{roles[role]}）",
                   {k: row[k] for k in LOGGED})
            ch.enqueue("link", link_id, "link.add", row)
        return self.get(link_id)

    def unlink(self, link_id: str, reason: str) -> dict[str, Any]:
        """Remove a link (it stays, marked removed, with the reason)."""
        link = self.get(link_id)
        if link["removed_at"]:
            raise WeichaError(Msg("link.removed", at=link["removed_at"]))
        reason = (reason or "").strip()
        if not reason:
            raise WeichaError(Msg("link.reason"))
        with self.store.change(self.actor) as ch:
            ch.conn.execute("UPDATE record_links SET removed_at = ?, removed_by = ?, removed_reason = ? "
                            "WHERE id = ?", (ch.now, self.actor.id, reason, link_id))
            ch.log("link.remove", "link", link_id, f"取消关联（{reason}）",
                   {"record_id": link["record_id"], "target_id": link["target_id"], "role": link["role"],
                    "reason": reason})
            ch.enqueue("link", link_id, "link.remove", {
                "id": link_id, "record_id": link["record_id"], "target_id": link["target_id"],
                "removed_at": ch.now, "removed_by": self.actor.id, "removed_reason": reason})
        return self.get(link_id)

    def get(self, link_id: str) -> dict[str, Any]:
        row = self.store.conn.execute(f"SELECT {', '.join(COLUMNS)} FROM record_links WHERE id = ?",
                                      (link_id,)).fetchone()
        if row is None:
            raise NotFound(Msg("link.no_link", key=link_id))
        return dict(zip(COLUMNS, row))

    def links_of(self, record_id: str, *, removed: bool = False) -> list[dict[str, Any]]:
        """Everything ``record_id`` is linked to, either way round: each link with the other
        record ({id, kind, number, status, label}, or ``None`` where it is not on this
        laptop), the role's words and which end this record is (``side``: record / target)."""
        roles = self.roles()
        rows = self.store.conn.execute(
            f"SELECT {', '.join(COLUMNS)} FROM record_links WHERE (record_id = ?1 OR target_id = ?1)"
            f"{'' if removed else ' AND removed_at IS NULL'} ORDER BY created_at, id", (record_id,))
        out = []
        for row in rows:
            link = dict(zip(COLUMNS, row))
            side = "record" if link["record_id"] == record_id else "target"
            other_id = link["target_id"] if side == "record" else link["record_id"]
            out.append({**link, "side": side, "role_label": roles.get(link["role"], link["role"]),
                        "other": lookup.record_label(self.store.conn, other_id), "other_id": other_id})
        return out

    def linked(self, record_id: str, target_id: str, role: str) -> bool:
        """Is there a link (not removed) from ``record_id`` to ``target_id`` as ``role``?"""
        return self.store.conn.execute(
            "SELECT 1 FROM record_links WHERE record_id = ? AND target_id = ? AND role = ? "
            "AND removed_at IS NULL", (record_id, target_id, role)).fetchone() is not None


def _word(found: Mapping[str, Any]) -> str:
    return KIND_WORDS.get(found["kind"], "记录")


def _insert(ch: Change, row: Mapping[str, Any]) -> None:
    ch.conn.execute(f"INSERT INTO record_links ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})",
                    [row[k] for k in COLUMNS])


def apply_op(ch: Change, env: Mapping[str, Any]) -> None:
    """Another device's ``link.add`` / ``link.remove`` written here as it left that device
    (core/sync/apply.py); a removal of a link not here, or removed already, is refused."""
    p = env["payload"]
    if env["op"] == "link.add":
        _insert(ch, {k: p.get(k) for k in COLUMNS})
        return
    changed = ch.conn.execute(
        "UPDATE record_links SET removed_at = ?, removed_by = ?, removed_reason = ? "
        "WHERE id = ? AND removed_at IS NULL", (p["removed_at"], p["removed_by"], p["removed_reason"],
                                                p["id"])).rowcount
    if changed != 1:
        from weicha_desktop.core.sync.apply import Refused

        raise Refused(f"没有这一关联，或它已取消（{p['id']}）")
