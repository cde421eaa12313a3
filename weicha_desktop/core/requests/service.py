"""互动 (record kind ``request``, forms/request.yaml): 报警求助 and 民情民意 on RecordService's
life (draft → finalized → reviewed, audit, outbox).

Handling status (the form's readonly ``handling``, never typed): 待处理 ``pending`` (a new
request) → 处理中 ``in_progress`` → 已办结 ``done``. Each step is ``step(id, to, note)``: one
change whose audit entry (``request.update``, details ``step``) and op ``request.step`` (never
compacted away) carry who, when and the note, also kept in the record's ``steps`` rows. A
step goes one forward only; the one way back is ``reopen`` (已办结 → 处理中, with its reason).
Taking a request up names its 责任民警 when none was named. A request is finalized once done.

Overdue: not done and past its type's deadline from 受理时间 (deadlines.py; the clock is the
store's). ``overdue()`` lists them; ``list`` marks them."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Mapping

from weicha_desktop.core.collect import lookup
from weicha_desktop.core.errors import InvalidState, Problem, WeichaError
from weicha_desktop.core.forms import FormRegistry, FormSpec
from weicha_desktop.core.forms.phones import normalize_phone
from weicha_desktop.core.future_times import require_past
from weicha_desktop.core.record_service import RecordService
from weicha_desktop.core.records import Record
from weicha_desktop.core.store import Actor, Store

from .deadlines import Deadlines

PENDING, IN_PROGRESS, DONE = "pending", "in_progress", "done"
WORDS = {PENDING: "待处理", IN_PROGRESS: "处理中", DONE: "已办结"}
NEXT = {PENDING: IN_PROGRESS, IN_PROGRESS: DONE}  # the one step forward from each status
TYPES = {"alarm": "报警求助", "opinion": "民情民意"}
INTERNAL = ("handling", "steps")  # readonly fields only the service writes


class _Internal(dict):
    """Values the service itself writes, readonly fields included (a step)."""


class RequestService(RecordService):
    kind = "request"
    noun = "群众诉求"

    def __init__(self, store: Store, forms: FormRegistry, actor: Actor, kind: str | None = None,
                 deadlines: Deadlines | None = None):
        super().__init__(store, forms, actor, kind)
        self.deadlines = deadlines or Deadlines(forms.forms_dir)

    # ---- reading ---------------------------------------------------------------------------
    def label(self, record: Record) -> str:
        return lookup.label_of(self.kind, record.data) or record.id[:8]

    def status_of(self, data: Mapping[str, Any]) -> str:
        return data.get("handling") or PENDING

    def due_at(self, data: Mapping[str, Any]) -> datetime | None:
        return self.deadlines.due(data.get("request_type"), _time(data.get("received_at")))

    def is_overdue(self, data: Mapping[str, Any], now: datetime | None = None) -> bool:
        due = self.due_at(data)
        return due is not None and self.status_of(data) != DONE and (now or self.store.clock.now()) > due

    def state(self, record: Record) -> dict[str, Any]:
        """Status, its words, the deadline and whether it is overdue (now, by the store's clock)."""
        due = self.due_at(record.data)
        status = self.status_of(record.data)
        return {"handling": status, "handling_label": WORDS.get(status, status),
                "due_at": due.isoformat() if due else None, "overdue": self.is_overdue(record.data)}

    def list(self, *, status: str | None = None, text: str | None = None, handling: str | None = None,
             overdue: bool = False, limit: int = 50) -> list[dict[str, Any]]:
        """Requests as the 采集 lists have them (returned drafts first, then the last changed;
        core/collect/lookup.py), each with its deadline and ``overdue``; ``handling``: only
        those in this handling status (the index of migration 20); ``overdue``: only the
        overdue ones, the most overdue first (``overdue()``)."""
        if overdue:
            return self.overdue(limit=limit, status=status, text=text, handling=handling)
        if handling is None:
            return [self._row(r) for r in lookup.list_records(self.store.conn, self.kind, text=text, status=status,
                                                              limit=limit)]
        return [self._row(r) for r in self._filtered((handling,), status, text, limit)]

    def overdue(self, now: datetime | None = None, limit: int = 500, *, status: str | None = None,
                text: str | None = None, handling: str | None = None) -> list[dict[str, Any]]:
        """The requests not done whose deadline has passed, the most overdue first (the open
        ones only are read: the index of migration 20)."""
        now = now or self.store.clock.now()
        states = (handling,) if handling in (PENDING, IN_PROGRESS) else () if handling else (PENDING, IN_PROGRESS)
        rows = [r for r in self._filtered(states, status, text, None) if self.is_overdue(r, now)] if states else []
        rows.sort(key=lambda r: (self.due_at(r), r["id"]))
        return [self._row(r, now) for r in rows[:max(1, limit)]]

    def _filtered(self, states: tuple[str, ...], status: str | None, text: str | None,
                  limit: int | None) -> list[dict[str, Any]]:
        """``_by_handling`` rows of the record ``status`` (returned: a returned draft) holding
        ``text`` in a value."""
        rows = self._by_handling(states, None if text else limit)
        rows = [r for r in rows if (status is None or r["status"] == status or (status == "returned" and r["returned"]))
                and (not text or any(text in str(v) for v in r["_data"].values()))]
        return rows if limit is None else rows[:max(1, limit)]

    def _by_handling(self, states: tuple[str, ...], limit: int | None) -> list[dict[str, Any]]:
        """The requests whose current version is in one of ``states``, returned first, then
        the last changed."""
        rows = self.store.conn.execute(by_handling_sql(len(states)),
                                       (*states, -1 if limit is None else max(1, limit))).fetchall()
        out = []
        for rid, st, returned, updated, text in rows:
            data = json.loads(text)
            out.append({"id": rid, "status": st, "returned": returned is not None, "updated_at": updated,
                        "label": lookup.label_of(self.kind, data), "_data": data,
                        **{k: data.get(k) for k in lookup.SUMMARY[self.kind]}})
        return out

    def overdue_ids(self) -> tuple[str, ...]:
        """The ids of the overdue requests (the list's 只看超期 filter: open requests only are read)."""
        return tuple(r["id"] for r in self.overdue(limit=1_000_000))

    def list_row(self, row: dict[str, Any]) -> dict[str, Any]:
        """A row of the kind's list (core/collect/list_query.py) with its deadline and ``overdue``."""
        return self._row(row)

    def _row(self, row: dict[str, Any], now: datetime | None = None) -> dict[str, Any]:
        due = self.due_at(row)
        status = self.status_of(row)
        row = {k: v for k, v in row.items() if k != "_data"}
        return {**row, "handling": status, "handling_label": WORDS.get(status, status),
                "type_label": TYPES.get(row.get("request_type") or "", row.get("request_type")),
                "due_at": due.isoformat() if due else None, "overdue": self.is_overdue(row, now)}

    # ---- changing --------------------------------------------------------------------------
    def create(self, values: dict[str, Any] | None = None) -> Record:
        """A new request (待处理)."""
        if values is None or (isinstance(values, dict) and not any(k in values for k in INTERNAL)):
            values = _Internal({**(values or {}), "handling": PENDING})
        return super().create(values)  # anything else: refused as the base refuses it

    def step(self, number_or_id: str, to: str, note: str) -> Record:
        """One step forward (待处理 → 处理中 → 已办结), with who, when and a note."""
        record = self.get(number_or_id)
        now = self.status_of(record.data)
        if to not in WORDS:
            raise WeichaError(f"没有“{to}”这一办理状态；可选：{'、'.join(f'{c}（{w}）' for c, w in WORDS.items())}。")
        if NEXT.get(now) != to:
            raise InvalidState(self._order_message(now, to))
        return self._step(record, to, note, reopen=False)

    def reopen(self, number_or_id: str, reason: str) -> Record:
        """已办结 → 处理中 again (the request was not in fact settled), with the reason."""
        record = self.get(number_or_id)
        if self.status_of(record.data) != DONE:
            raise InvalidState(f"只有已办结的诉求才能重新办理（这一条现在是{WORDS[self.status_of(record.data)]}）。")
        return self._step(record, IN_PROGRESS, reason, reopen=True)

    def _step(self, record: Record, to: str, note: str, *, reopen: bool) -> Record:
        note = (note or "").strip()
        if not note:
            raise WeichaError("请写明这一步的说明（办了什么、结果如何，或重新办理的原因）。")
        if len(note) > 1000:
            raise WeichaError(f"说明过长（{len(note)} 字，最多 1000 字）。")
        self._require_draft(record)
        at = self.store.clock.now().isoformat()
        by = (self.actor.display_name or self.actor.name).strip()
        step = {"status": to, "at": at, "by": by, "note": note, **({"reopen": True} if reopen else {})}
        values = _Internal(handling=to, steps=[*(record.data.get("steps") or []),
                                             {k: v for k, v in step.items() if k != "reopen"}])
        if to == IN_PROGRESS and not record.data.get("officer"):
            values["officer"] = by
        what = "重新办理" if reopen else WORDS[to]
        return self._update(record, values, session=False, op="step", event={
            "summary": f"{what}{self.noun} {self.label(record)}：{note}",
            "details": {"step": {"status": to, "at": at, "by": by, "note": note, "reopen": reopen},
                        "from": self.status_of(record.data)},
            "payload": {"step": step}})

    @staticmethod
    def _order_message(now: str, to: str) -> str:
        if now == to:
            return f"这条诉求已是“{WORDS[now]}”。"
        if now == DONE:
            return "这条诉求已办结：如确需继续办理，请用“重新办理”并说明原因。"
        return (f"办理须按 待处理 → 处理中 → 已办结 的顺序：这条诉求现在是“{WORDS[now]}”，"
                f"下一步只能是“{WORDS[NEXT[now]]}”，不能直接改为“{WORDS[to]}”。")

    def blockers(self, number_or_id: str) -> list[Problem]:
        """Also: a request not yet done cannot be finalized."""
        problems = super().blockers(number_or_id)
        status = self.status_of(self.get(number_or_id).data)
        if status != DONE:
            problems.append(Problem("handling", f"诉求尚未办结（现在是{WORDS.get(status, status)}）：办结后才能定稿。",
                                    "required"))
        return problems

    def _checked_input(self, spec: FormSpec, values: dict[str, Any]) -> dict[str, Any]:
        """The service's own values (status, steps) pass the readonly check; a typed phone is
        kept in its lookup spelling (core/forms/phones.py); a 受理时间 in the future is refused."""
        internal = {k: values[k] for k in INTERNAL if k in values} if isinstance(values, _Internal) else {}
        if isinstance(values, dict):
            require_past(values, {"received_at": "受理时间"}, self.store.clock.now())
            values = {k: v for k, v in values.items() if k not in internal}
            if isinstance(values.get("contact_phone"), str):
                values["contact_phone"] = normalize_phone(values["contact_phone"]) or None
        return {**super()._checked_input(spec, values), **internal}


def by_handling_sql(n: int) -> str:
    """The requests whose current version is in one of ``n`` handling states (bound), returned
    first, then the last changed: served by the partial index of migration 20 (the kind and
    the JSON path are literals, as the index has them)."""
    return ("SELECT r.id, r.status, r.returned_comment, r.updated_at, v.data FROM record_versions v "
            "JOIN records r ON r.id = v.record_id AND r.current_version = v.version "
            f"WHERE v.kind = 'request' AND json_extract(v.data, '$.handling') IN ({', '.join('?' * n)}) "
            "ORDER BY r.returned_comment IS NULL, r.updated_at DESC, r.id DESC LIMIT ?")


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return None
    return when if when.tzinfo else None
