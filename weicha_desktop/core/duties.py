"""Separation of duties (职责分离) for cases.

Who took part in a case (参与人员): its creator, everyone who changed it (saved a draft,
finalized, opened a 补正, imported or changed its photos — from the audit log and the rows),
and everyone any version of the record names in a field its form marks ``participant: true``
(forms/*.yaml: 勘验人员, 指挥人, 笔录人, 制图人, 照相人, 录像人, 录音人, 提取人 — matched on the
user name or display name, also inside "李明、周建国").

- Editing a draft (save, autosave, finalize, photos) and opening a 补正: the people who took
  part, or a supervisor (审核人). A supervisor who edits takes part from then on.
- Reviewing (approve or return): a supervisor or an admin who did NOT take part.
- An admin has no extra rights over cases: they may review like a supervisor (small units),
  and edit only what they took part in.

Returning a case (退回补正) is a review, not taking part: the supervisor may review the
corrected version. Every refusal is logged as ``access.denied`` in its own change before the
PermissionDenied is raised."""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from weicha_desktop.core.errors import PermissionDenied
from weicha_desktop.core.forms import FormNotFound, FormRegistry, FormSpec, Label
from weicha_desktop.core.labels import REVIEWER_ROLES
from weicha_desktop.core.messages import Msg, noun_texts
from weicha_desktop.core.store import Actor, Store

# audit actions on a record (object kind = its kind) that change its content
EDIT_VERBS = ("create", "update", "finalize", "amend")
EDIT_ACTIONS = tuple(f"case.{v}" for v in EDIT_VERBS) + ("photo.reorder",)  # of a case


def edit_actions(kind: str) -> tuple[str, ...]:
    return tuple(f"{kind}.{v}" for v in EDIT_VERBS) + ("photo.reorder",)
_SEPARATORS = re.compile(r"[、，,；;/／\s]+")


def _names(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value, *_SEPARATORS.split(value)]  # one name, or several in one field
    if isinstance(value, dict):
        return _names(value.get("name"))
    if isinstance(value, list):
        return [n for v in value for n in _names(v)]
    return []


def participants(spec: FormSpec, data: dict[str, Any]) -> Iterator[tuple[Label, str]]:
    """(label, name) for every name ``data`` gives in a field ``spec`` marks as a participant
    (top level, or a field of a repeat group's rows)."""
    for field in spec.all_fields():
        value = data.get(field.id)
        if field.participant:
            yield from ((field.label, n) for n in _names(value))
        elif field.type == "repeat" and isinstance(value, list):
            for sub in (f for f in field.fields if f.participant):
                for row in value:
                    if isinstance(row, dict):
                        yield from ((sub.label, n) for n in _names(row.get(sub.id)))


def _spec(forms: FormRegistry, form_id: str, version: int) -> FormSpec | None:
    try:
        return forms.get(form_id, version)
    except FormNotFound:  # a version this program does not have: its newest one names the same
        try:
            return forms.latest(form_id)
        except FormNotFound:
            return None


def took_part(store: Store, forms: FormRegistry, case_id: str, actor: Actor,
              noun: str = "勘验") -> str | None:
    """How ``actor`` took part in the record (a Msg: "修改过该勘验"), or None."""
    conn = store.conn
    if actor.id is not None:
        row = conn.execute("SELECT kind, created_by FROM records WHERE id = ?", (case_id,)).fetchone()
        kind = row[0] if row else "case"
        if row and row[1] == actor.id:
            return Msg("duty.created", noun=noun_texts(noun))
        if conn.execute("SELECT 1 FROM record_versions WHERE record_id = ? AND finalized_by = ?",
                        (case_id, actor.id)).fetchone():
            return Msg("duty.finalized", noun=noun_texts(noun))
        actions = edit_actions(kind)
        marks = ", ".join("?" * len(actions))
        if conn.execute(f"SELECT 1 FROM audit_log WHERE object_kind = ? AND object_id = ? "
                        f"AND user_id = ? AND action IN ({marks}) LIMIT 1",
                        (kind, case_id, actor.id, *actions)).fetchone():
            return Msg("duty.edited", noun=noun_texts(noun))
        if conn.execute("SELECT 1 FROM photos WHERE record_id = ? AND imported_by = ? LIMIT 1",
                        (case_id, actor.id)).fetchone() or conn.execute(
                "SELECT 1 FROM audit_log WHERE object_kind = 'photo' AND user_id = ? AND "
                "object_id IN (SELECT id FROM photos WHERE record_id = ?) LIMIT 1",
                (actor.id, case_id)).fetchone():
            return Msg("duty.photos", noun=noun_texts(noun))
    mine = {n.strip() for n in (actor.name, actor.display_name) if n and n.strip()}
    for form_id, version, data in conn.execute(
            "SELECT form_id, form_version, data FROM record_versions WHERE record_id = ? "
            "ORDER BY version DESC", (case_id,)):
        spec = _spec(forms, form_id, version)
        try:
            record = json.loads(data)
        except (TypeError, ValueError):
            continue
        if spec is None or not isinstance(record, dict):
            continue
        for title, name in participants(spec, record):
            if name.strip() in mine:
                return Msg("duty.named", title=title)
    return None


class EditCheck:
    """``edit_refusal`` for one logged-in actor, remembered until the audit log moves on.

    Every change logs an entry (the one write path), so while the log's last entry and the
    draft's version are the same, so is the answer: an autosave every few seconds costs one
    query instead of the whole ``took_part`` (audit and photo queries, every version's JSON)."""

    def __init__(self, store: Store, forms: FormRegistry, actor: Actor, noun: str = "勘验"):
        self.store, self.forms, self.actor, self.noun = store, forms, actor, noun
        self._last: tuple[tuple[Any, ...], str | None] | None = None

    def refusal(self, case_id: str, number: str) -> str | None:
        head = self.store.conn.execute("SELECT max(seq) FROM audit_log").fetchone()[0]
        version = self.store.conn.execute("SELECT current_version FROM records WHERE id = ?",
                                          (case_id,)).fetchone()
        key = (case_id, number, version, head)
        if self._last is None or self._last[0] != key:
            self._last = (key, edit_refusal(self.store, self.forms, case_id, number, self.actor,
                                            noun=self.noun))
        return self._last[1]


def edit_refusal(store: Store, forms: FormRegistry, case_id: str, number: str,
                 actor: Actor, noun: str = "勘验") -> str | None:
    """Why ``actor`` may not change the record's draft or open a 补正 (a Msg), or None. A
    read-only copy of another device's record: nobody (core/sync/review.py)."""
    from weicha_desktop.core.sync import is_copy

    if is_copy(store.conn, case_id):
        return Msg("duty.copy", noun=noun_texts(noun), number=number)
    if actor.role == "supervisor" or took_part(store, forms, case_id, actor, noun=noun):
        return None
    return Msg("duty.not_investigator", user=actor.name, noun=noun_texts(noun), number=number)


def review_refusal(store: Store, forms: FormRegistry, case_id: str, number: str,
                   actor: Actor, noun: str = "勘验") -> str | None:
    """Why ``actor`` may not approve or return the record (a Msg), or None."""
    if actor.role not in REVIEWER_ROLES:
        return Msg("duty.not_reviewer", user=actor.name, noun=noun_texts(noun))
    how = took_part(store, forms, case_id, actor, noun=noun)
    if how:
        return Msg("duty.took_part", user=actor.name, how=how, noun=noun_texts(noun), number=number)
    return None


def refuse(store: Store, actor: Actor, object_kind: str, object_id: str | None, attempt: str,
           reason: str) -> PermissionDenied:
    """Log the refused attempt (its own change) and return the error for the caller to raise."""
    if not store.readonly:
        with store.change(actor) as ch:
            ch.log("access.denied", object_kind, object_id, f"拒绝{attempt}：{reason}",
                   {"attempt": attempt, "reason": reason})
    return PermissionDenied(reason)
