"""核查: one ID number or plate against the watch lists and the local records, logged whatever
the result (docs/checks.md).

    svc = CheckService(store, actor)
    result = svc.check("沪A12345", kind=None, source="typed")   # BadKey for what is no number
    result.hit, result.hits, result.records, result.lists, result.warnings
    svc.history(limit=50)

Every check is ONE change: a ``checks`` row (append-only), the ``check.run`` audit entry and
the ``check.run`` outbox op (core/ops.py), so the server sees every check, and a replay
(core/sync/apply.py → ``apply_check``) writes the same row. Nothing needs a network.

``lookup(kind, key)`` is the read alone (what benchmarks/bench_watchlist.py times): the named
lists' entries by (key), clustered, and the server's by (list, key), its primary key."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Callable, Mapping

from weicha_desktop.core.checks.keys import KIND_WORDS, PERSON, VEHICLE, key_for, read_key
from weicha_desktop.core.checks.lists import (SERVER, SERVER_NAMES, ListInfo, instruction_for,
                                              lists, max_age_days)
from weicha_desktop.core.ids import new_id
from weicha_desktop.core.messages import Msg
from weicha_desktop.core.store import Actor, Change, Store

SOURCES = ("typed", "pasted", "scanner", "image", "cli")
MAX_RECORD_MATCHES = 20

_LOOKUP_SETS = ("SELECT s.name, s.kind, s.version, s.list_date, s.instruction, e.name, e.reason, e.extra "
                "FROM watch_entries e JOIN watch_sets s ON s.id = e.set_id WHERE e.key = ? AND s.kind = ?")
_LOOKUP_SERVER = "SELECT name, reason, seq FROM watch_list WHERE list = ? AND key = ? AND active = 1"
# nested in a record (a case's witnesses …): record_keys, kept by triggers (migration 17)
_NESTED = ("SELECT r.id, r.kind, r.number, r.status, k.field, k.name FROM record_keys k "
           "JOIN record_versions v ON v.id = k.version_id "
           "JOIN records r ON r.id = v.record_id AND r.current_version = v.version "
           "WHERE k.key = ? ORDER BY r.updated_at DESC LIMIT ?")
# a 采集 person or vehicle itself (core/collect/lookup.py: its partial expression indexes)
_COLLECT_FIELD = {PERSON: "id_number", VEHICLE: "plate"}


@dataclass
class Hit:
    list: str
    kind: str
    list_version: str
    list_date: str | None
    source: str           # import | server
    key: str
    name: str
    reason: str
    extra: dict[str, str]
    instruction: str


@dataclass
class RecordMatch:
    record_id: str
    kind: str
    number: str | None
    status: str
    field: str            # where in the record: witnesses[0].id_number
    name: str             # the person the field belongs to, where there is one


@dataclass
class CheckResult:
    id: str
    at: str
    kind: str
    key: str
    source: str
    hits: list[Hit]
    records: list[RecordMatch]
    lists: list[ListInfo]
    warnings: list[str] = field(default_factory=list)

    @property
    def hit(self) -> bool:
        return bool(self.hits)

    @property
    def result(self) -> str:
        return "hit" if self.hits else "miss"

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["result"] = self.result
        return out

    def summary(self) -> str:
        what = f"{KIND_WORDS[self.kind]} {self.key}"
        if self.hits:
            return f"命中：{what} 在{'、'.join(f'“{h.list}”' for h in self.hits)}中"
        return f"未命中：{what}"


class CheckService:
    def __init__(self, store: Store, actor: Actor):
        self.store = store
        self.actor = actor

    def today(self) -> date:
        return self.store.clock.now().date()

    # ---- reads ------------------------------------------------------------------------------
    def lookup(self, kind: str, key: str) -> list[Hit]:
        """The watch-list entries of ``key`` (already normalized), no log."""
        conn = self.store.conn
        hits = [Hit(name, k, version, list_date, "import", key, who, reason,
                    json.loads(extra) if extra else {}, instruction_for(name, k, instruction))
                for name, k, version, list_date, instruction, who, reason, extra
                in conn.execute(_LOOKUP_SETS, (key, kind))]
        server = conn.execute(_LOOKUP_SERVER, (kind, key)).fetchone()
        if server:
            info = next(i for i in lists(self.store, self.today(), kind) if i.source == SERVER)
            hits.append(Hit(SERVER_NAMES[kind], kind, info.version, info.date, SERVER, key, server[0],
                            server[1], {}, info.instruction))
        return hits

    def records(self, kind: str, key: str) -> list[RecordMatch]:
        """Local records whose current version holds ``key``: 采集 persons / vehicles (their
        own 身份证号 / 号牌) and the people nested in any record (a case's witnesses …)."""
        from weicha_desktop.core.collect.lookup import record_label, records_with

        conn, field = self.store.conn, _COLLECT_FIELD[kind]
        out = []
        for rid in records_with(conn, kind, field, key)[:MAX_RECORD_MATCHES]:
            found = record_label(conn, rid)
            if found is not None:
                out.append(RecordMatch(rid, kind, found["number"], found["status"], field, found["label"]))
        for rid, rkind, number, status, path, name in conn.execute(_NESTED, (key, MAX_RECORD_MATCHES)):
            if path.rsplit(".", 1)[-1] == field:
                out.append(RecordMatch(rid, rkind, number, status, path, str(name)))
        return out

    def history(self, limit: int = 50, before: str | None = None) -> list[dict[str, Any]]:
        """The checks made here, newest first (``before``: an ``at`` to page on)."""
        rows = self.store.conn.execute(
            "SELECT id, at, user_name, kind, key, source, result, hits FROM checks "
            "WHERE ?1 IS NULL OR at < ?1 ORDER BY at DESC, id DESC LIMIT ?2", (before, limit)).fetchall()
        return [{"id": r[0], "at": r[1], "user": r[2], "kind": r[3], "key": r[4], "source": r[5],
                 "result": r[6], "lists": [h["list"] for h in json.loads(r[7])]} for r in rows]

    # ---- the check ----------------------------------------------------------------------------
    def check(self, text: str, kind: str | None = None, source: str = "typed",
              answered: Callable[[CheckResult], None] | None = None) -> CheckResult:
        """Normalize ``text`` (as ``kind``, or guessed), look it up, log it; BadKey (nothing
        logged) for input that is no ID number or plate. ``answered(result)`` is called as soon
        as the log is committed and durable, before the signed checkpoint's fsyncs (most of the
        time a logged check takes; a crash before them loses nothing): show the answer there."""
        today = self.today()
        if kind is None:
            kind, key = read_key(text, today)
        else:
            key = key_for(kind, text, today)
        if source not in SOURCES:
            source = "typed"
        held = lists(self.store, today, kind)
        result = CheckResult(new_id(), "", kind, key, source, self.lookup(kind, key),
                             self.records(kind, key), held, _warnings(kind, held, max_age_days(self.store)))
        with self.store.change(self.actor) as ch:
            result.at = ch.now
            payload = _payload(ch, result)
            write_check(ch, payload, self.actor.name)
            ch.log("check.run", "check", result.id, result.summary(),
                   {"kind": kind, "key": key, "result": result.result, "source": source,
                    "lists": [h.list for h in result.hits], "records": len(result.records)})
            ch.enqueue("check", result.id, "check.run", payload)
            if answered is not None:
                ch.durable.append(lambda: answered(result))
        return result


def _warnings(kind: str, held: list[ListInfo], limit: int) -> list[str]:
    """What a result should be read with (``Msg``s: the window shows them in its language)."""
    if not held:
        return [Msg("check.no_lists", kind=Msg("check.kind_person" if kind == PERSON else "check.kind_vehicle"))]
    out = []
    for info in held:
        if info.age_days is None:
            out.append(Msg("check.undated", name=info.name))
        elif info.stale:
            out.append(Msg("check.stale", name=info.name, days=info.age_days, limit=limit))
    return out


def _payload(ch: Change, r: CheckResult) -> dict[str, Any]:
    return {"id": r.id, "at": ch.now, "by": ch.person(), "kind": r.kind, "key": r.key, "source": r.source,
            "result": r.result,
            "hits": [{"list": h.list, "list_version": h.list_version, "list_date": h.list_date,
                      "source": h.source, "name": h.name, "reason": h.reason} for h in r.hits],
            "lists": [{"name": i.name, "version": i.version, "date": i.date} for i in r.lists],
            "records": [{"record_id": m.record_id, "kind": m.kind, "number": m.number, "field": m.field}
                        for m in r.records]}


def write_check(ch: Change, payload: Mapping[str, Any], user_name: str) -> None:
    """The ``checks`` row of a check.run payload (here, or replayed from another device)."""
    by = payload.get("by") or {}
    ch.conn.execute(
        "INSERT INTO checks (id, at, user_id, user_name, kind, key, source, result, hits, lists, records) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (payload["id"], payload["at"], by.get("id"), str(by.get("display_name") or by.get("name") or user_name),
         payload["kind"], payload["key"], payload["source"], payload["result"],
         *(json.dumps(payload[k], ensure_ascii=False, sort_keys=True) for k in ("hits", "lists", "records"))))


def apply_check(ch: Change, env: Mapping[str, Any]) -> None:
    """Replay another device's check.run (core/sync/apply.py): its row, once."""
    payload = env["payload"]
    if payload["id"] != env["entity_id"]:
        from weicha_desktop.core.sync.apply import Refused

        raise Refused(f"内容中的核查编号与操作的对象（{env['entity_id']}）不符")
    if not ch.conn.execute("SELECT 1 FROM checks WHERE id = ?", (payload["id"],)).fetchone():
        write_check(ch, payload, str((env.get("actor") or {}).get("name") or "?"))

